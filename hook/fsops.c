/* fsops.c: see fsops.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fault.h"
#include "fsops.h"
#include "text.h"

/* QEMU appends ".in" and ".out" to a pipe chardev's path. */
#define SUFFIX_MAX	4

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
	for (;;) {
		while (a[0] == '/' && a[1] == '/')
			a++;
		while (b[0] == '/' && b[1] == '/')
			b++;
		if (*a != *b || *a == '\0')
			return (unsigned char)*a - (unsigned char)*b;
		a++;
		b++;
	}
}

/*
 * A POSIX ACL as the kernel keeps it in the xattr (linux/posix_acl_xattr.h):
 * a little-endian version word (2), then 8-byte entries {tag, perm, id}.
 * mode_t shows only the mask of the named entries, so a directory can look
 * 0755 while a user may write to it.
 */
#define ACL_XATTR	"system.posix_acl_access"
#define ACL_VERSION	2
#define ACL_USER	0x02
#define ACL_GROUP_OBJ	0x04
#define ACL_GROUP	0x08
#define ACL_MASK	0x10
#define ACL_WRITE	0x02
#define ACL_MAX_BYTES	(4 + 8 * 1024)

struct acl_entry {
	uint16_t	tag, perm;
	uint32_t	id;
};

static uint32_t
le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static struct acl_entry
acl_entry_at(const unsigned char *b)
{
	struct acl_entry a;

	a.tag = (uint16_t)(b[0] | b[1] << 8);
	a.perm = (uint16_t)(b[2] | b[3] << 8);
	a.id = le32(b + 4);
	return a;
}

int
fs_acl_writer(int fd, gid_t gid, char *who, size_t wholen)
{
	unsigned char buf[ACL_MAX_BYTES];
	struct acl_entry a;
	uint16_t mask = 0xffff;
	ssize_t n;
	size_t i;

	if ((n = fgetxattr(fd, ACL_XATTR, buf, sizeof(buf))) < 0)
		return errno == ENODATA || errno == ENOTSUP ? 0 : -1;
	if (n < 4 || (n - 4) % 8 != 0 || le32(buf) != ACL_VERSION) {
		errno = EINVAL;
		return -1;
	}
	for (i = 4; i < (size_t)n; i += 8)
		if ((a = acl_entry_at(buf + i)).tag == ACL_MASK)
			mask = a.perm;
	for (i = 4; i < (size_t)n; i += 8) {
		a = acl_entry_at(buf + i);
		if (a.tag == ACL_GROUP_OBJ)
			a.id = (uint32_t)gid;
		if (!(a.perm & mask & ACL_WRITE) || a.id == 0 ||
		    (a.tag != ACL_USER && a.tag != ACL_GROUP && a.tag != ACL_GROUP_OBJ))
			continue;
		snprintf(who, wholen, "%s %u", a.tag == ACL_USER ? "user" : "group", (unsigned)a.id);
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
	if ((st->st_mode & S_ISVTX) == 0) {
		if (st->st_mode & S_IWOTH)
			return "is writable by others and not sticky";
		if ((st->st_mode & S_IWGRP) && st->st_gid != 0)
			return "is writable by a group other than root and not sticky";
		if (fs_acl_writer(fd, st->st_gid, who, sizeof(who)) != 0)
			return "is writable by others through an ACL and not sticky";
	}
	return NULL;
}

static int
fail(char *msg, size_t msglen, const char *path, size_t pathlen, const char *why)
{
	snprintf(msg, msglen, "%.*s: %s", (int)pathlen, pathlen ? path : "/", why);
	return -1;
}

/* Opens directory name in fd, made (0700) if missing and create is set; -1 and why. */
static int
open_component(int fd, const char *name, int create, const char **why)
{
	struct stat st;
	int nfd, e;

	nfd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (nfd < 0 && errno == ENOENT && create) {
		if (mkdirat(fd, name, 0700) < 0 && errno != EEXIST) {
			*why = strerror(errno);
			return -1;
		}
		nfd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (nfd < 0) {
		e = errno;
		if ((e == ELOOP || e == ENOTDIR) && fs_lstat(fd, name, &st) == 0 && S_ISLNK(st.st_mode))
			*why = "is a symbolic link; vserlink never follows symlinks";
		else
			*why = strerror(e);
	}
	return nfd;
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
		if (fstat(fd, &st) < 0 || (why = untrusted_dir(fd, &st)) != NULL) {
			why = why ? why : strerror(errno);
			close(fd);
			return fail(msg, msglen, dir, (size_t)(c - dir), why);
		}
		while (*c == '/')
			c++;
		if (*c == '\0')
			return fd;
		if ((next = strchr(c, '/')) == NULL)
			next = c + strlen(c);
		why = "name too long";
		nfd = -1;
		if ((size_t)(next - c) <= NAME_MAX) {
			snprintf(name, sizeof(name), "%.*s", (int)(next - c), c);
			nfd = open_component(fd, name, create && *next == '\0', &why);
		}
		close(fd);
		if (nfd < 0)
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
	size_t len;

	if (slash == NULL)	/* not absolute: fs_open_dir says so */
		return fs_open_dir(path, 0, msg, msglen);
	len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= sizeof(dir))
		return fail(msg, msglen, path, len, "name too long");
	memcpy(dir, path, len);
	dir[len] = '\0';
	return fs_open_dir(dir, 0, msg, msglen);
}

int
fs_lstat(int dfd, const char *name, struct stat *st)
{
	return fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW);
}

int
fs_lstat_birth(int dfd, const char *name, struct stat *st, struct timespec *birth)
{
	struct statx sx;
	int flags = AT_SYMLINK_NOFOLLOW | (name[0] == '\0' ? AT_EMPTY_PATH : 0);

	if (statx(dfd, name, flags, STATX_BASIC_STATS | STATX_BTIME, &sx) < 0)
		return -1;
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	st->st_ino = sx.stx_ino;
	st->st_mode = sx.stx_mode;
	st->st_nlink = sx.stx_nlink;
	st->st_uid = sx.stx_uid;
	st->st_gid = sx.stx_gid;
	st->st_size = (off_t)sx.stx_size;
	st->st_mtim.tv_sec = sx.stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = sx.stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = sx.stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = sx.stx_ctime.tv_nsec;
	birth->tv_sec = 0;
	birth->tv_nsec = 0;
	if (sx.stx_mask & STATX_BTIME) {
		birth->tv_sec = sx.stx_btime.tv_sec;
		birth->tv_nsec = sx.stx_btime.tv_nsec;
	}
	return 0;
}

int
fs_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Opens the FIFO at name for reading, without blocking, checked to be expect. */
static int
open_fifo(int dfd, const char *name, const struct stat *expect, struct stat *st)
{
	int fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISFIFO(st->st_mode) ||
	    (expect != NULL && !fs_same(st, expect))) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

int
fs_mkfifo(int dfd, const char *name, uid_t uid, gid_t gid, mode_t mode,
    struct stat *st, struct timespec *birth)
{
	mode_t mask;
	int r, fd, e;

	/* Created with its final mode: no window, and no chmod to pay for. */
	mask = umask(0);
	r = mkfifoat(dfd, name, mode & 0777);
	umask(mask);
	if (r < 0)
		return -1;
	FAULT_POINT("fs_mkfifo: after mkfifoat");
	/*
	 * fs_open_dir admits no directory where anyone else could rename or
	 * remove the new name, but the owner is still set through a descriptor
	 * of the object checked to be a FIFO that only this name holds.
	 */
	if ((fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (fs_lstat_birth(fd, "", st, birth) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISFIFO(st->st_mode) || st->st_nlink != 1) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	if ((st->st_uid != uid || st->st_gid != gid) &&
	    fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
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
	int fd, r, e;

	/*
	 * Link the object checked, not whatever sname names by the time of the
	 * linkat: swapped in between, a secret file would get a new name that
	 * is left behind. AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, which the
	 * hook has as root.
	 */
	if ((fd = openat(sdfd, sname, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode) || !fs_same(&st, expect)) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	FAULT_POINT("fs_link: checked, before linkat");
	r = linkat(fd, "", ddfd, dname, AT_EMPTY_PATH);
	e = errno;
	close(fd);
	errno = e;
	if (r < 0)
		return -1;
	FAULT_POINT("fs_link: after linkat");
	if (fs_lstat(ddfd, dname, &st) < 0 || !S_ISFIFO(st.st_mode) ||
	    !fs_same(&st, expect)) {
		errno = ESTALE;
		return -1;
	}
	return 0;
}

int
fs_unlink(int dfd, const char *name, const struct stat *expect)
{
	struct stat st;

	if (fs_lstat(dfd, name, &st) < 0)
		return -1;
	if (!S_ISFIFO(st.st_mode) || !fs_same(&st, expect)) {
		errno = ESTALE;
		return -1;
	}
	return unlinkat(dfd, name, 0);
}

long
fs_drain(int dfd, const char *name, const struct stat *expect)
{
	struct stat st;
	char buf[16384];
	long total = 0, cap;
	ssize_t r;
	int fd;

	if ((fd = open_fifo(dfd, name, expect, &st)) < 0)
		return -1;
	/* What was there when the drain began, at most: a writer that never
	 * stops must not keep the hook, and every hook behind the lock, here. */
	if ((cap = fcntl(fd, F_GETPIPE_SZ)) < 0)
		cap = 65536;
	while (total < cap) {
		size_t want = (size_t)(cap - total);

		r = read(fd, buf, want < sizeof(buf) ? want : sizeof(buf));
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
