/*
 * test_fsops: every refusal of hook/fsops.c, on real files in a temporary
 * directory. Checks that need root (chown, another owner) skip otherwise,
 * and the ACL checks skip where the file system keeps no ACLs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fsops.h"
#include "golden.h"

static char top[256];

/* top/rel, in a static buffer (one at a time). */
static const char *
at(const char *rel)
{
	static char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s/%s", top, rel);
	return buf;
}

/* fs_open_dir(top/rel) fails with "top/named: why". */
static void
open_dir_refuses2(const char *rel, const char *named, const char *why, const char *what)
{
	char msg[PATH_MAX + 128], want[PATH_MAX + 128];
	int fd = fs_open_dir(at(rel), 0, msg, sizeof(msg));

	snprintf(want, sizeof(want), "%s: %s", at(named), why);
	if (!tap(fd < 0 && strcmp(msg, want) == 0, "fs_open_dir refuses %s", what))
		printf("# got %d \"%s\", want \"%s\"\n", fd, fd < 0 ? msg : "", want);
	if (fd >= 0)
		close(fd);
}

static void
open_dir_refuses(const char *rel, const char *why, const char *what)
{
	open_dir_refuses2(rel, rel, why, what);
}

static void
test_bad_pipe_path(void)
{
	static const struct {
		const char *path, *why;
	} cases[] = {
		{ "srv/p1", "is not an absolute path" },
		{ "/srv/p\x01", "contains a control character" },
		{ "/srv/p\x7f", "contains a control character" },
		{ "/srv/./p1", "contains a \".\" or \"..\" component" },
		{ "/srv/../p1", "contains a \".\" or \"..\" component" },
		{ "/srv/..", "contains a \".\" or \"..\" component" },
		{ "/srv/", "ends in '/'" },
		{ "/srv//p1", NULL },
		{ "/srv/.p1/..x", NULL },
	};
	char path[PATH_MAX + 8];
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = fs_bad_pipe_path(cases[i].path);
		tap(cases[i].why ? why && strcmp(why, cases[i].why) == 0 : why == NULL,
		    "fs_bad_pipe_path(cases[%zu]) %s", i, cases[i].why ? cases[i].why : "is accepted");
	}
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[PATH_MAX - 4] = '\0';
	why = fs_bad_pipe_path(path);
	tap(why && strcmp(why, "is too long") == 0, "fs_bad_pipe_path: a path with no room for \".out\" is too long");
	path[NAME_MAX - 2] = '\0';
	why = fs_bad_pipe_path(path);
	tap(why && strstr(why, "last component too long") != NULL,
	    "fs_bad_pipe_path: a last component with no room for \".out\" is refused");
	path[NAME_MAX - 3] = '\0';
	tap(fs_bad_pipe_path(path) == NULL, "fs_bad_pipe_path: a last component just short enough is accepted");
}

static void
test_paths(void)
{
	char p[] = "//a///b/", q[] = "";

	fs_squeeze_slashes(p);
	fs_squeeze_slashes(q);
	tap(strcmp(p, "/a/b/") == 0 && q[0] == '\0', "fs_squeeze_slashes makes every run of '/' one");
	tap(fs_path_cmp("//a//b", "/a/b") == 0, "fs_path_cmp: paths that differ only in repeated '/' are equal");
	tap(fs_path_cmp("/a//b", "/a/c") < 0 && fs_path_cmp("/a/c", "/a//b") > 0,
	    "fs_path_cmp orders as strcmp of the squeezed paths");
	tap(fs_path_cmp("/a", "/a/") != 0, "fs_path_cmp: a trailing '/' still differs");
}

/* A directory rel whose ACL setfacl -m spec sets; 0 when the file system took it. */
static int
acl_dir(const char *rel, const char *spec)
{
	char cmd[PATH_MAX + 128];

	if (mkdir(at(rel), 0755) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "setfacl -m %s %s 2>/dev/null", spec, at(rel));
	return system(cmd) == 0 ? 0 : -1;
}

/* fs_acl_writer on top/rel: its result, and who in *who. */
static int
acl_writer(const char *rel, char *who, size_t wholen)
{
	struct stat st;
	int fd = open(at(rel), O_RDONLY | O_DIRECTORY), r;

	who[0] = '\0';
	if (fd < 0 || fstat(fd, &st) < 0)
		return -2;
	r = fs_acl_writer(fd, st.st_gid, who, wholen);
	close(fd);
	return r;
}

static void
test_acl(void)
{
	char who[64];

	mkdir(at("plain"), 0755);
	tap(acl_writer("plain", who, sizeof(who)) == 0, "fs_acl_writer: a directory without an ACL has no writer");
	if (acl_dir("acl_user", "u:65534:rwx") < 0) {
		tap(1, "fs_acl_writer and fs_open_dir on ACLs # SKIP this file system keeps no ACL");
		return;
	}
	tap(acl_writer("acl_user", who, sizeof(who)) == 1 && strcmp(who, "user 65534") == 0,
	    "fs_acl_writer finds a named user who may write (%s)", who);
	open_dir_refuses("acl_user", "is writable by others through an ACL and not sticky",
	    "a 0755 directory whose ACL lets a named user write");
	acl_dir("acl_group", "g:27:rwx");
	tap(acl_writer("acl_group", who, sizeof(who)) == 1 && strcmp(who, "group 27") == 0,
	    "fs_acl_writer finds a named group that may write (%s)", who);
	acl_dir("acl_masked", "u:65534:rwx,m::r-x");
	tap(acl_writer("acl_masked", who, sizeof(who)) == 0, "fs_acl_writer: the mask takes write away");
	acl_dir("acl_root", "u:0:rwx");
	tap(acl_writer("acl_root", who, sizeof(who)) == 0, "fs_acl_writer: root as a named user is no other writer");
	if (geteuid() != 0 || acl_dir("acl_owngroup", "g::rwx,u:0:rwx") < 0 || chown(at("acl_owngroup"), 0, 65534) < 0) {
		tap(1, "fs_acl_writer: the owning group # SKIP needs root");
		return;
	}
	tap(acl_writer("acl_owngroup", who, sizeof(who)) == 1 && strcmp(who, "group 65534") == 0,
	    "fs_acl_writer counts the owning group when its ACL entry may write (%s)", who);
}

static void
test_open_dir(void)
{
	char msg[PATH_MAX + 128];
	int fd;

	mkdir(at("real"), 0755);
	symlink("real", at("link"));
	open_dir_refuses("link", "is a symbolic link; vserlink never follows symlinks", "a symlink");
	open_dir_refuses2("link/sub", "link", "is a symbolic link; vserlink never follows symlinks",
	    "a path through a symlink");
	close(open(at("file"), O_WRONLY | O_CREAT, 0644));
	open_dir_refuses("file", strerror(ENOTDIR), "a regular file");
	mkdir(at("ow"), 0755);
	chmod(at("ow"), 0777);
	open_dir_refuses("ow", "is writable by others and not sticky", "a directory others may write, not sticky");
	mkdir(at("sticky"), 0755);
	chmod(at("sticky"), 01777);
	fd = fs_open_dir(at("sticky"), 0, msg, sizeof(msg));
	tap(fd >= 0, "fs_open_dir accepts a sticky directory others may write");
	close(fd);
	fd = fs_open_dir("relative/dir", 0, msg, sizeof(msg));
	tap(fd < 0 && strcmp(msg, "relative/dir: is not an absolute path") == 0, "fs_open_dir refuses a relative path");
	fd = fs_open_dir(at("made/x"), 1, msg, sizeof(msg));
	tap(fd < 0 && strstr(msg, strerror(ENOENT)) && access(at("made"), F_OK) < 0,
	    "fs_open_dir creates the last component only");
	fd = fs_open_dir(at("made"), 1, msg, sizeof(msg));
	tap(fd >= 0 && access(at("made"), F_OK) == 0, "fs_open_dir with create makes the missing directory");
	close(fd);
	fd = fs_open_parent(at("real/p1"), msg, sizeof(msg));
	tap(fd >= 0, "fs_open_parent opens the directory of a pipe path");
	close(fd);
	if (geteuid() != 0) {
		tap(1, "fs_open_dir refuses directories not root's # SKIP needs root");
		return;
	}
	mkdir(at("notroot"), 0755);
	chown(at("notroot"), 65534, 65534);
	open_dir_refuses("notroot", "is not owned by root", "a directory not owned by root");
	mkdir(at("gw"), 0775);
	chown(at("gw"), 0, 65534);
	chmod(at("gw"), 0775);
	open_dir_refuses("gw", "is writable by a group other than root and not sticky",
	    "a directory another group may write, not sticky");
}

static void
test_fifos(int dfd)
{
	struct stat f, g, st;
	struct timespec birth;
	uid_t uid = geteuid() == 0 ? 65534 : geteuid();

	tap(fs_mkfifo(dfd, "f", uid, getegid(), 0620, &f, &birth) == 0 && S_ISFIFO(f.st_mode) &&
	    (f.st_mode & 07777) == 0620 && f.st_uid == uid, "fs_mkfifo makes a FIFO with its owner and mode");
	tap(fs_mkfifo(dfd, "f", uid, getegid(), 0620, &st, &birth) < 0 && errno == EEXIST,
	    "fs_mkfifo refuses a name that exists (EEXIST)");
	close(openat(dfd, "reg", O_WRONLY | O_CREAT, 0600));
	tap(fs_mkfifo(dfd, "reg", 0, 0, 0600, &st, &birth) < 0 && errno == EEXIST,
	    "fs_mkfifo refuses a regular file's name (EEXIST)");
	fs_mkfifo(dfd, "g", 0, 0, 0600, &g, &birth);

	tap(fs_link(dfd, "g", &f, dfd, "l") < 0 && errno == ESTALE && fs_lstat(dfd, "l", &st) < 0,
	    "fs_link refuses a source that is not the expected inode (ESTALE), adding no name");
	tap(fs_link(dfd, "reg", &f, dfd, "l") < 0 && errno == ESTALE, "fs_link refuses a source that is not a FIFO");
	tap(fs_link(dfd, "f", &f, dfd, "g") < 0 && errno == EEXIST, "fs_link refuses a name that exists (EEXIST)");
	tap(fs_link(dfd, "f", &f, dfd, "l") == 0 && fs_lstat(dfd, "l", &st) == 0 && fs_same(&st, &f),
	    "fs_link names the expected FIFO");

	tap(fs_unlink(dfd, "g", &f) < 0 && errno == ESTALE && fs_lstat(dfd, "g", &st) == 0,
	    "fs_unlink refuses a FIFO that is not the expected one (ESTALE) and leaves it");
	fs_lstat(dfd, "reg", &st);
	tap(fs_unlink(dfd, "reg", &st) < 0 && errno == ESTALE && fs_lstat(dfd, "reg", &st) == 0,
	    "fs_unlink refuses a regular file even when it is the expected inode");
	tap(fs_unlink(dfd, "l", &f) == 0 && fs_lstat(dfd, "l", &st) < 0, "fs_unlink removes the expected FIFO");

	symlinkat("f", dfd, "sym");
	tap(fs_lstat_birth(dfd, "sym", &st, &birth) == 0 && S_ISLNK(st.st_mode) && !fs_same(&st, &f),
	    "fs_lstat_birth describes a symlink, not what it points to");
	tap(fs_lstat_birth(dfd, "f", &st, &birth) == 0 && fs_same(&st, &f) && st.st_uid == f.st_uid,
	    "fs_lstat_birth describes a FIFO as fs_mkfifo did");
}

/*
 * A writer that never stops, without a race: while refill_fd is set, every
 * read(2) in this program (fs_drain's included) refills the FIFO at once.
 */
static int refill_fd = -1;

ssize_t
read(int fd, void *buf, size_t len)
{
	static const char more[4096];
	ssize_t r = syscall(SYS_read, fd, buf, len);

	if (refill_fd >= 0 && r > 0)
		while (write(refill_fd, more, sizeof(more)) > 0)
			;
	return r;
}

static void
test_drain(int dfd)
{
	struct stat f, g;
	struct timespec birth;
	char buf[4096] = { 0 };
	long cap, n;
	int w;

	fs_mkfifo(dfd, "d", 0, 0, 0600, &f, &birth);
	fs_lstat(dfd, "g", &g);
	tap(fs_drain(dfd, "d", &g) < 0 && errno == ESTALE, "fs_drain refuses a FIFO that is not the expected one");
	tap(fs_drain(dfd, "reg", &f) < 0, "fs_drain refuses a regular file");
	alarm(10);	/* a drain that blocks or never ends is killed: the test fails */
	w = openat(dfd, "d", O_RDWR | O_NONBLOCK);
	tap(fs_drain(dfd, "d", &f) == 0, "fs_drain of an empty FIFO that a writer holds open returns at once");
	cap = fcntl(w, F_GETPIPE_SZ);
	while (write(w, buf, sizeof(buf)) > 0)
		;
	tap(fs_drain(dfd, "d", &f) == cap, "fs_drain drops what a full FIFO holds (%ld bytes)", cap);
	while (write(w, buf, sizeof(buf)) > 0)
		;
	refill_fd = w;
	n = fs_drain(dfd, "d", &f);
	refill_fd = -1;
	tap(n == cap, "fs_drain stops at the pipe's capacity while a writer never stops (%ld of %ld)", n, cap);
	close(w);
	alarm(0);
}

int
main(void)
{
	char msg[PATH_MAX + 128];
	const char *tmp = getenv("TMPDIR");
	int dfd;

	setvbuf(stdout, NULL, _IOLBF, 0);	/* what ran before an alarm kills us */
	umask(0);	/* as vserlink runs */
	snprintf(top, sizeof(top), "%s/test_fsops.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (mkdtemp(top) == NULL) {
		perror(top);
		return 1;
	}
	test_bad_pipe_path();
	test_paths();
	test_open_dir();
	test_acl();
	mkdir(at("fifos"), 0700);
	dfd = fs_open_dir(at("fifos"), 0, msg, sizeof(msg));
	if (!tap(dfd >= 0, "fs_open_dir opens a root-owned 0700 directory"))
		printf("# %s\n", msg);
	else {
		test_fifos(dfd);
		test_drain(dfd);
		close(dfd);
	}
	snprintf(msg, sizeof(msg), "rm -rf '%s'", top);
	if (system(msg) != 0)
		printf("# could not remove %s\n", top);
	return tap_done();
}
