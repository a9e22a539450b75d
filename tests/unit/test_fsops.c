/*
 * test_fsops: every refusal of the file-system layer (hook/fsops.c), in a
 * directory of its own: what it will not walk through, make, link, remove or
 * read, and the errno that says why. Run as root, as the hook is; the checks
 * that need root say so and are skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fsops.h"
#include "golden.h"

static char top[] = "/tmp/vserlink-fsops.XXXXXX";
static int root;

static const char *
at(const char *name)
{
	static char buf[2][PATH_MAX];
	static int i;

	i = !i;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", top, name);
	return buf[i];
}

/* fs_open_dir(path): fails, and its message has want in it. */
static int
refused(const char *path, const char *want)
{
	char msg[PATH_MAX + 256];
	int fd = fs_open_dir(path, 0, msg, sizeof(msg));

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (strstr(msg, want) == NULL)
		printf("# message: %s\n", msg);
	return strstr(msg, want) != NULL;
}

static void
pipe_paths(void)
{
	static const struct { const char *path, *why; } bad[] = {
		{ "relative/p", "is not an absolute path" },
		{ "/run/a\nb", "contains a control character" },
		{ "/run/./p", "contains a \".\" or \"..\" component" },
		{ "/run/../etc/p", "contains a \".\" or \"..\" component" },
		{ "/run/p/..", "contains a \".\" or \"..\" component" },
		{ "/run/p/", "ends in '/'" },
	};
	char path[PATH_MAX + 8], name[NAME_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		const char *why = fs_bad_pipe_path(bad[i].path);

		tap(why != NULL && strcmp(why, bad[i].why) == 0, "pipe path %zu: %s", i, bad[i].why);
	}
	tap(fs_bad_pipe_path("/run/..p/.q") == NULL, "names that merely start with dots are fine");
	memset(name, 'n', NAME_MAX - 3);
	name[NAME_MAX - 3] = '\0';
	snprintf(path, sizeof(path), "/run/%s", name);
	tap(fs_bad_pipe_path(path) != NULL, "a last component with no room for \".out\" is refused");
	memset(path, 'd', sizeof(path) - 1);
	path[0] = '/';
	path[PATH_MAX] = '\0';
	tap(fs_bad_pipe_path(path) != NULL, "a path of PATH_MAX bytes is refused");
}

static void
spelling(void)
{
	char p[] = "//run///vserlink//p";

	fs_squeeze_slashes(p);
	tap(strcmp(p, "/run/vserlink/p") == 0, "runs of slashes are squeezed to one");
	tap(fs_path_cmp("/a//b", "/a/b") == 0 && fs_path_cmp("/a/b", "/a/c") < 0,
	    "paths compare as the hook spells them");
}

static void
directories(void)
{
	char msg[PATH_MAX + 256], cmd[PATH_MAX + 64], who[64];
	int fd;

	mkdir(at("ok"), 0755);
	fd = fs_open_dir(at("ok"), 0, msg, sizeof(msg));
	tap(fd >= 0, "a root-owned directory only root may write is opened");
	if (fd >= 0)
		close(fd);
	symlink(at("ok"), at("link"));
	tap(refused(at("link"), "is a symbolic link"), "a symlink on the way is refused, never followed");
	close(open(at("file"), O_CREAT | O_WRONLY, 0644));
	tap(refused(at("file"), at("file")), "a file where a directory should be is refused");
	mkdir(at("open"), 0777);
	chmod(at("open"), 0777);
	tap(refused(at("open/x"), "is writable by others and not sticky"),
	    "a directory anyone may write in is not walked through");
	mkdir(at("ok/new"), 0700);
	rmdir(at("ok/new"));
	fd = fs_open_dir(at("ok/new"), 1, msg, sizeof(msg));
	tap(fd >= 0, "the last directory is made when asked to");
	if (fd >= 0)
		close(fd);
	tap(refused(at("ok/a/b"), "No such file"), "but never one on the way");
	if (!root) {
		tap(1, "a directory owned by another user is refused # SKIP needs root");
		tap(1, "a directory an ACL lets another user write is refused # SKIP needs root");
		return;
	}
	mkdir(at("theirs"), 0755);
	if (chown(at("theirs"), 65534, 65534) < 0) {
		perror(at("theirs"));
	}
	tap(refused(at("theirs/x"), "is not owned by root"), "a directory owned by another user is refused");
	mkdir(at("acl"), 0755);
	snprintf(cmd, sizeof(cmd), "setfacl -m u:65534:rwx '%s' 2>/dev/null", at("acl"));
	if (system(cmd) != 0) {
		tap(1, "a directory an ACL lets another user write is refused # SKIP no ACLs here");
		return;
	}
	tap(refused(at("acl/x"), "is writable by others through an ACL"),
	    "a directory an ACL lets another user write is refused");
	fd = open(at("acl"), O_RDONLY | O_DIRECTORY);
	tap(fs_acl_writer(fd, 0, who, sizeof(who)) == 1 && strcmp(who, "user 65534") == 0,
	    "fs_acl_writer says who the ACL lets write");
	close(fd);
	fd = open(at("ok"), O_RDONLY | O_DIRECTORY);
	tap(fs_acl_writer(fd, 0, who, sizeof(who)) == 0, "and nobody where there is no ACL");
	close(fd);
}

static void
fifos(void)
{
	char msg[PATH_MAX + 256], buf[70000];
	struct stat st, other;
	struct timespec birth;
	int fd = fs_open_dir(at("ok"), 0, msg, sizeof(msg)), w;
	long n;

	tap(fs_mkfifo(fd, "f", geteuid(), getegid(), 0600, &st, &birth) == 0 && S_ISFIFO(st.st_mode) &&
	    (st.st_mode & 07777) == 0600, "a FIFO is made with the mode asked for");
	tap(fs_mkfifo(fd, "f", geteuid(), getegid(), 0600, &other, &birth) < 0 && errno == EEXIST,
	    "nothing is made over a name that exists (EEXIST)");
	tap(fs_link(fd, "f", &st, fd, "g") == 0 && fs_lstat(fd, "g", &other) == 0 &&
	    fs_same(&st, &other), "a FIFO is linked when it is the one expected");
	close(open(at("ok/reg"), O_CREAT | O_WRONLY, 0600));
	fs_lstat(fd, "reg", &other);
	tap(fs_link(fd, "reg", &st, fd, "h") < 0 && errno == ESTALE && fs_lstat(fd, "h", &other) < 0,
	    "nothing is linked when the name holds another file (ESTALE)");
	tap(fs_link(fd, "f", &st, fd, "g") < 0 && errno == EEXIST, "nor over a name that exists (EEXIST)");
	tap(fs_unlink(fd, "reg", &st) < 0 && errno == ESTALE && fs_lstat(fd, "reg", &other) == 0,
	    "a file that is not the FIFO expected is not removed (ESTALE)");
	mkfifo(at("ok/stranger"), 0600);
	tap(fs_unlink(fd, "stranger", &st) < 0 && errno == ESTALE,
	    "nor is another FIFO at the name");
	symlink(at("ok/f"), at("ok/sym"));
	tap(fs_lstat_birth(fd, "sym", &other, &birth) == 0 && S_ISLNK(other.st_mode),
	    "a symlink is looked at, not followed");
	tap(fs_unlink(fd, "sym", &st) < 0 && errno == ESTALE, "and never removed in the FIFO's stead");
	/* The drain reads what is there, at most a pipe's capacity, and never waits. */
	w = open(at("ok/f"), O_RDWR | O_NONBLOCK);
	memset(buf, 'x', sizeof(buf));
	n = write(w, buf, 4096);
	tap(fs_drain(fd, "g", &st) == n, "a drain drops what waits in the FIFO");
	tap(fs_drain(fd, "g", &st) == 0, "and returns at once when nothing does");
	tap(fs_drain(fd, "reg", &st) < 0, "a drain of a name that is not the FIFO expected fails");
	close(w);
	tap(fs_unlink(fd, "g", &st) == 0 && fs_unlink(fd, "f", &st) == 0 && fs_lstat(fd, "f", &other) < 0,
	    "the FIFO expected is removed, name by name");
	close(fd);
}

int
main(void)
{
	char cmd[PATH_MAX + 16];

	root = geteuid() == 0;
	if (mkdtemp(top) == NULL || chmod(top, 0755) < 0) {
		perror(top);
		return 1;
	}
	pipe_paths();
	spelling();
	directories();
	fifos();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
