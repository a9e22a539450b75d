/* fsops.c: see fsops.h. */
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "alloc.h"
#include "fault.h"
#include "fsops.h"

#define SUFFIX_MAX	4	/* strlen(".out") */
#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

const char *const fifo_suffix[2] = { ".in", ".out" };

const char *
fs_bad_pipe_path(const char *path)
{
	const char *base;

	if (path[0] != '/')
		return "is not an absolute path";
	if (strlen(path) + SUFFIX_MAX >= PATH_MAX)
		return "is too long";
	if (text_has_control(path))
		return "contains a control character";
	if (path_has_dot(path))
		return "contains a \".\" or \"..\" component";
	base = strrchr(path, '/') + 1;
	if (*base == '\0')
		return "ends in '/'";
	if (strlen(base) + SUFFIX_MAX > NAME_MAX)
		return "has a last component too long for \".out\" to be added";
	return NULL;
}

void
fs_squeeze_slashes(char *path)
{
	char *r, *w;

	for (r = w = path; *r != '\0'; r++)
		if (*r != '/' || w == path || w[-1] != '/')
			*w++ = *r;
	*w = '\0';
}

int
fs_path_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		while (a[0] == '/' && a[1] == '/')
			a++;
		while (b[0] == '/' && b[1] == '/')
			b++;
		if (*a != *b || *a == '\0')
			return (unsigned char)*a - (unsigned char)*b;
	}
}

/* Closes fd if open; -1 with errno e. */
static int
close_fail(int fd, int e)
{
	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}

/* The ACL xattr (linux/posix_acl_xattr.h), little-endian. The mode shows only
 * the mask of named entries: a 0755 directory may hide a writer. */
enum { ACL_USER = 0x02, ACL_GROUP_OBJ = 0x04, ACL_GROUP = 0x08, ACL_MASK = 0x10, ACL_WRITE = 0x02 };

int
fs_acl_writer(int fd, gid_t gid, char *who, size_t wholen)
{
	struct {
		uint32_t	version;	/* 2 */
		struct { uint16_t tag, perm; uint32_t id; } e[1024];
	} acl;
	unsigned tag, mask = 0xffff;
	uint32_t id;
	ssize_t n, i;

	if ((n = fgetxattr(fd, "system.posix_acl_access", &acl, sizeof(acl))) < 0)
		return errno == ENODATA || errno == ENOTSUP ? 0 : -1;
	if (n < 4 || (n - 4) % 8 != 0 || le32toh(acl.version) != 2)
		return close_fail(-1, EINVAL);
	for (i = 0; i < (n - 4) / 8; i++)
		if (le16toh(acl.e[i].tag) == ACL_MASK)
			mask = le16toh(acl.e[i].perm);
	for (i = 0; i < (n - 4) / 8; i++) {
		tag = le16toh(acl.e[i].tag);
		id = tag == ACL_GROUP_OBJ ? (uint32_t)gid : le32toh(acl.e[i].id);
		if (!(le16toh(acl.e[i].perm) & mask & ACL_WRITE) || id == 0 ||
		    (tag != ACL_USER && tag != ACL_GROUP && tag != ACL_GROUP_OBJ))
			continue;
		snprintf(who, wholen, "%s %u", tag == ACL_USER ? "user" : "group", (unsigned)id);
		return 1;
	}
	return 0;
}

/* NULL when others cannot rename or remove what root puts in directory fd. */
static const char *
untrusted_dir(int fd, const struct stat *st)
{
	char who[64];

	if (!S_ISDIR(st->st_mode))
		return "is not a directory";
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "is not owned by root";
	if (st->st_mode & S_ISVTX)
		return NULL;
	if (st->st_mode & S_IWOTH)
		return "is writable by others and not sticky";
	if ((st->st_mode & S_IWGRP) && st->st_gid != 0)
		return "is writable by a group other than root and not sticky";
	if (fs_acl_writer(fd, st->st_gid, who, sizeof(who)) != 0)
		return "is writable by others through an ACL and not sticky";
	return NULL;
}

/* "PATH: why" for the first pathlen bytes of path ("/" when none); -1. */
static int
fail(char *msg, size_t msglen, const char *path, size_t pathlen, const char *why)
{
	snprintf(msg, msglen, "%.*s: %s", (int)pathlen, pathlen ? path : "/", why);
	return -1;
}

static int
is_fifo(const struct stat *st, const struct stat *expect)
{
	return S_ISFIFO(st->st_mode) && fs_same(st, expect);
}

/* Opens component name in fd, made 0700 when create and missing; NULL or why not. */
static const char *
open_step(int fd, const char *name, int create, int *nfd)
{
	struct stat st;
	int e;

	*nfd = openat(fd, name, DIR_FLAGS);
	if (*nfd < 0 && errno == ENOENT && create) {
		if (mkdirat(fd, name, 0700) < 0 && errno != EEXIST)
			return strerror(errno);
		*nfd = openat(fd, name, DIR_FLAGS);
	}
	if (*nfd >= 0)
		return NULL;
	e = errno;
	if ((e == ELOOP || e == ENOTDIR) && fs_lstat(fd, name, &st) == 0 && S_ISLNK(st.st_mode))
		return "is a symbolic link; vserlink never follows symlinks";
	return strerror(e);
}

int
fs_open_dir(const char *dir, int create, char *msg, size_t msglen)
{
	const char *c = dir, *next, *why;
	char name[NAME_MAX + 1];
	struct stat st;
	int fd, nfd;

	if (dir[0] != '/')
		return fail(msg, msglen, dir, strlen(dir), "is not an absolute path");
	if ((fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return fail(msg, msglen, "/", 1, strerror(errno));
	for (;;) {
		if ((why = fstat(fd, &st) < 0 ? strerror(errno) : untrusted_dir(fd, &st)) != NULL) {
			close(fd);
			return fail(msg, msglen, dir, (size_t)(c - dir), why);
		}
		while (*c == '/')
			c++;
		if (*c == '\0')
			return fd;
		next = strchrnul(c, '/');
		if (snprintf(name, sizeof(name), "%.*s", (int)(next - c), c) > NAME_MAX)
			why = "name too long";
		else
			why = open_step(fd, name, create && *next == '\0', &nfd);
		close(fd);
		if (why != NULL)
			return fail(msg, msglen, dir, (size_t)(next - dir), why);
		fd = nfd;
		c = next;
	}
}

int
fs_open_parent(const char *path, char *msg, size_t msglen)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int len;

	if (slash == NULL)	/* not absolute: fs_open_dir says so */
		return fs_open_dir(path, 0, msg, msglen);
	len = slash == path ? 1 : (int)(slash - path);
	if (snprintf(dir, sizeof(dir), "%.*s", len, path) >= (int)sizeof(dir))
		return fail(msg, msglen, path, (size_t)len, "name too long");
	return fs_open_dir(dir, 0, msg, msglen);
}

#define TS(t)	((struct timespec){ (t).tv_sec, (t).tv_nsec })

int
fs_lstat_birth(int dfd, const char *name, struct stat *st, struct timespec *birth)
{
	struct statx sx;

	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &sx) < 0)
		return -1;
	*st = (struct stat){ .st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor),
	    .st_ino = sx.stx_ino, .st_mode = sx.stx_mode, .st_nlink = sx.stx_nlink,
	    .st_uid = sx.stx_uid, .st_gid = sx.stx_gid, .st_size = (off_t)sx.stx_size,
	    .st_mtim = TS(sx.stx_mtime), .st_ctim = TS(sx.stx_ctime) };
	*birth = (sx.stx_mask & STATX_BTIME) ? TS(sx.stx_btime) : (struct timespec){ 0, 0 };
	return 0;
}

int
fs_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int
fs_mkfifo(int dfd, const char *name, uid_t uid, gid_t gid, mode_t mode,
    struct stat *st, struct timespec *birth)
{
	struct stat now;
	int fd;

	if (mkfifoat(dfd, name, mode & 0777) < 0)
		return -1;
	FAULT_POINT("fs_mkfifo: after mkfifoat");
	if (fs_lstat_birth(dfd, name, st, birth) < 0)
		return -1;
	if (!S_ISFIFO(st->st_mode) || st->st_nlink != 1)
		return close_fail(-1, ESTALE);
	if (st->st_uid == uid && st->st_gid == gid)
		return 0;
	/* The owner is set through a descriptor of the object checked to be a
	 * FIFO that only this name holds, not through the name. */
	if ((fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &now) < 0 || !fs_same(&now, st) || now.st_nlink != 1)
		return close_fail(fd, ESTALE);
	if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0)
		return close_fail(fd, errno);
	close(fd);
	st->st_uid = uid;
	st->st_gid = gid;
	return 0;
}

int
fs_link(int sdfd, const char *sname, const struct stat *expect, int ddfd,
    const char *dname)
{
	struct stat st;
	int fd, r;

	/* Link the object checked, not whatever sname names by the time of the
	 * linkat (a secret swapped in would keep a new name). AT_EMPTY_PATH needs
	 * CAP_DAC_READ_SEARCH, which root has. */
	if ((fd = openat(sdfd, sname, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !is_fifo(&st, expect))
		return close_fail(fd, ESTALE);
	FAULT_POINT("fs_link: checked, before linkat");
	r = linkat(fd, "", ddfd, dname, AT_EMPTY_PATH);
	(void)close_fail(fd, errno);
	if (r < 0)
		return -1;
	FAULT_POINT("fs_link: after linkat");
	if (fs_lstat(ddfd, dname, &st) < 0 || !is_fifo(&st, expect))
		return close_fail(-1, ESTALE);
	return 0;
}

int
fs_unlink(int dfd, const char *name, const struct stat *expect)
{
	struct stat st;

	if (fs_lstat(dfd, name, &st) < 0)
		return -1;
	if (!is_fifo(&st, expect))
		return close_fail(-1, ESTALE);
	return unlinkat(dfd, name, 0);
}

long
fs_drain(int dfd, const char *name, const struct stat *expect)
{
	int fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char buf[16384];
	long total = 0, cap;
	ssize_t r;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !is_fifo(&st, expect))
		return close_fail(fd, ESTALE);
	/* At most what the pipe holds: a writer that never stops must not keep
	 * the hook, and every hook behind the lock, here. */
	if ((cap = fcntl(fd, F_GETPIPE_SZ)) < 0)
		cap = 65536;
	while (total < cap) {
		r = read(fd, buf, (size_t)(cap - total) < sizeof(buf) ? (size_t)(cap - total) : sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		total += r;
		FAULT_POINT("fs_drain: after a read");
	}
	close(fd);
	return total;
}
