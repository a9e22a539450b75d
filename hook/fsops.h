/* fsops.h: file-system work as root on paths that XML names. Directories are
 * opened one component at a time from "/" with O_NOFOLLOW, then only *at()
 * calls on single-component names; no symlink is followed, and no object is
 * acted on before it is checked to be the one we saw. 0 or -1 with errno kept,
 * unless said otherwise; a message's reason goes to msg as "PATH: reason". */
#ifndef VSERLINK_FSOPS_H
#define VSERLINK_FSOPS_H

#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>

/* What QEMU appends to a pipe chardev's path: host to guest, guest to host. */
extern const char *const fifo_suffix[2];

/* NULL when path is usable as a pipe chardev's path, else why not. */
const char	*fs_bad_pipe_path(const char *path);
/* "//" to "/" in place; strcmp of a and b so spelt. */
void	fs_squeeze_slashes(char *path);
int	fs_path_cmp(const char *a, const char *b);

/* 1 when fd's POSIX ACL lets a user or group other than root write (a named
 * one, or the owning group gid, as the mask allows), saying who ("user 1000");
 * 0 when not; -1 when unreadable (fs_open_dir counts a writer). */
int	fs_acl_writer(int fd, gid_t gid, char *who, size_t wholen);
/* Opens directory dir; each directory on the way must be root's (or the
 * caller's) and, unless sticky, writable by no one else through mode or ACL.
 * With create, a missing last component is made 0700. */
int	fs_open_dir(const char *dir, int create, char *msg, size_t msglen);
/* fs_open_dir of the directory holding path's last component ("/" for "/x"). */
int	fs_open_parent(const char *path, char *msg, size_t msglen);

#define fs_lstat(dfd, name, st)	fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW)
/* The same and the birth time, {0, 0} where none is kept: a freed inode
 * number is soon reused, and only the birth time tells that FIFO from the one
 * vserlink made and recorded. */
int	fs_lstat_birth(int dfd, const char *name, struct stat *st,
	    struct timespec *birth);
int	fs_same(const struct stat *a, const struct stat *b);

/* Makes FIFO name in dfd with mode (vserlink's umask is 0), owned through a
 * descriptor of it. EEXIST when anything is there, ESTALE when the name no
 * longer holds what was made. */
int	fs_mkfifo(int dfd, const char *name, uid_t uid, gid_t gid, mode_t mode,
	    struct stat *st, struct timespec *birth);
/* Names the FIFO expect, at sname in sdfd, also dname in ddfd. EXDEV across
 * file systems, EEXIST when dname exists, ESTALE when the object is not
 * expect (a new name is then left: it is not known to be ours). */
int	fs_link(int sdfd, const char *sname, const struct stat *expect, int ddfd,
	    const char *dname);
/* Removes name, which must still be the FIFO expect (ESTALE if not). */
int	fs_unlink(int dfd, const char *name, const struct stat *expect);
/* Reads and drops what the FIFO expect holds, never blocking, at most the
 * pipe's capacity: the bytes dropped, or -1 (ESTALE when not expect). */
long	fs_drain(int dfd, const char *name, const struct stat *expect);

#endif
