/*
 * fsops.h: file-system work as root on paths that XML names.
 *
 * Directories are opened once, one component at a time from "/", each with
 * O_NOFOLLOW, and every later call is an *at() call on a single-component
 * name relative to such a descriptor. No symlink is ever followed; no object
 * is acted on without first checking it is the one we looked at.
 *
 * Helpers return 0 or -1 and keep errno, unless they say otherwise; reasons
 * for a message go to a caller's buffer as "PATH: reason".
 */
#ifndef VSERLINK_FSOPS_H
#define VSERLINK_FSOPS_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* What QEMU appends to a pipe chardev's path: host to guest, guest to host. */
extern const char *const fifo_suffix[2];

/* NULL when path is usable as a pipe chardev's path, else why not. */
const char	*fs_bad_pipe_path(const char *path);

/*
 * Makes "//" "/" in path, in place: the one spelling the hook uses for a
 * path that fs_bad_pipe_path accepts (no "." or "..", no trailing "/").
 */
void	fs_squeeze_slashes(char *path);
/* strcmp of a and b as fs_squeeze_slashes spells them. */
int	fs_path_cmp(const char *a, const char *b);

/*
 * Whether the POSIX ACL of fd lets a user or group other than root write: a
 * named user or group, or the owning group gid, each as the mask allows.
 * Returns 1 and says who ("user 1000", "group 27"), 0, or -1 when the ACL
 * cannot be read (counted as a writer by fs_open_dir).
 */
int	fs_acl_writer(int fd, gid_t gid, char *who, size_t wholen);

/*
 * Opens directory dir. Every directory on the way must be owned by root (or
 * the caller) and not writable by others, by its mode or through a POSIX
 * ACL, or else sticky. With create, the
 * last component is created 0700 when missing. Returns a descriptor, or -1
 * with "PATH: reason" in msg.
 */
int	fs_open_dir(const char *dir, int create, char *msg, size_t msglen);

/*
 * fs_open_dir of the directory that holds path's last component ("/" for
 * "/x"), with the same checks.
 */
int	fs_open_parent(const char *path, char *msg, size_t msglen);

/* fstatat without following a symlink. */
int	fs_lstat(int dfd, const char *name, struct stat *st);

/*
 * The same, and the object's birth time ({0, 0} where the file system keeps
 * none). Device and inode say which object a name holds now; a freed inode
 * number is soon given to the next file made, and only the birth time tells
 * that FIFO from the one vserlink created and recorded.
 */
int	fs_lstat_birth(int dfd, const char *name, struct stat *st,
	    struct timespec *birth);

/* Nonzero when a and b are the same object. */
int	fs_same(const struct stat *a, const struct stat *b);

/*
 * Creates FIFO name in dfd with the given owner and mode, set through a
 * descriptor of the new FIFO; *st describes it. errno EEXIST when anything
 * is already there, ESTALE when the name no longer holds what was made.
 */
int	fs_mkfifo(int dfd, const char *name, uid_t uid, gid_t gid, mode_t mode,
	    struct stat *st, struct timespec *birth);

/*
 * Adds name dname in ddfd for the object sname in sdfd, which must be expect.
 * -1 with errno EXDEV across file systems, EEXIST when dname exists, ESTALE
 * when the object changed under us (the new name is left in place: it is
 * not known to be ours).
 */
int	fs_link(int sdfd, const char *sname, const struct stat *expect, int ddfd,
	    const char *dname);

/* Removes name, which must still be the FIFO expect (errno ESTALE if not). */
int	fs_unlink(int dfd, const char *name, const struct stat *expect);

/*
 * Reads and drops what the FIFO expect at name holds, without blocking and
 * at most the pipe's capacity. Returns the number of bytes dropped, or -1.
 */
long	fs_drain(int dfd, const char *name, const struct stat *expect);

#endif
