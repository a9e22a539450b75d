/*
 * state.h: what the hook remembers between events, in state_dir.
 *
 * Two facts, kept in one small file replaced atomically (write, rename)
 * under an exclusive lock, so that hooks for different guests, which libvirt
 * runs concurrently, see each other's work whole or not at all:
 *  - end:     guest G attached link L with the pipe path P from its XML at
 *             prepare, P's directory as device and inode, and for each of
 *             P.in and P.out the FIFO this hook put there: device, inode and
 *             birth time (the birth time tells it from a later file given the
 *             freed inode number, where the file system keeps one). The
 *             peer's hook learns P from here: a hook must never ask libvirt
 *             (it would deadlock the daemon). A FIFO is this end's only under
 *             the name recorded for it: under any other name it is left alone.
 *  - pending: a FIFO name about to be created, or about to lose its last
 *             name, for guest G. If the hook dies in between, the next run
 *             adopts it.
 */
#ifndef VSERLINK_STATE_H
#define VSERLINK_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

/* A FIFO as fs_lstat_birth describes it; ino 0: none. */
struct state_fifo {
	dev_t		 dev;
	ino_t		 ino;
	struct timespec	 birth;		/* {0, 0}: not known */
};

struct state_end {
	char			*link;
	char			*domain;
	char			*path;		/* as the hook spells it: no "//" */
	dev_t			 dir_dev;	/* the directory of path */
	ino_t			 dir_ino;
	struct state_fifo	 fifo[2];	/* at path.in, path.out */
	int			 dead;		/* removed; dropped at save */
};

struct state_pending {
	char	*domain;
	char	*path;		/* the FIFO's own path, P.in or P.out */
	int	 dead;
};

struct index {
	size_t	*slots;		/* element index + 1; 0 is empty */
	size_t	 cap, n;
};

struct state {
	char			*dir;
	int			 dirfd;
	int			 lockfd;
	struct state_end	*ends;
	size_t			 nends, ends_cap;
	struct state_pending	*pending;
	size_t			 npending, pending_cap;
	/* by_inode holds 2 * end + k for the FIFO at name k of an end. */
	struct index		 by_end, by_place, by_inode;
};

/*
 * Opens state_dir (created 0700 when create is set and it is missing).
 * Returns 0; 1 when it does not exist and create is not set; -1 with a
 * reason in msg.
 */
int	state_open(struct state *s, const char *dir, int create, char *msg,
	    size_t msglen);

/* Takes the exclusive lock, waiting at most timeout seconds. */
int	state_lock(struct state *s, unsigned timeout, char *msg, size_t msglen);

/* Reads the state file; a missing file is an empty state. */
int	state_load(struct state *s, char *msg, size_t msglen);

/* Replaces the state file atomically with what s holds now. */
int	state_save(struct state *s, char *msg, size_t msglen);

/* Releases the lock and everything s holds. */
void	state_close(struct state *s);

struct state_end *state_find_end(struct state *s, const char *link,
	    const char *domain);
/* The live end whose path is name base in the directory dir_dev/dir_ino, or NULL. */
struct state_end *state_end_at(struct state *s, dev_t dir_dev, ino_t dir_ino,
	    const char *base);
/*
 * Records the end, at path in the directory dir; an end that moved forgets
 * its FIFOs. Pointers to ends are valid until the next state_set_end.
 */
struct state_end *state_set_end(struct state *s, const char *link,
	    const char *domain, const char *path, const struct stat *dir);
int	state_has_domain(const struct state *s, const char *domain);

/* st and birth as fs_lstat_birth gives them. */
/* Nonzero when st is the FIFO recorded for name k of end e. */
int	state_end_has(const struct state_end *e, int k, const struct stat *st,
	    const struct timespec *birth);
/* Records st as the FIFO at name k of end e; NULL st: none. */
void	state_end_set(struct state *s, struct state_end *e, int k,
	    const struct stat *st, const struct timespec *birth);
/* Drops every record of FIFO st. */
void	state_forget(struct state *s, const struct stat *st, const struct timespec *birth);
/* An end that has st under one of its names (*k says which), or NULL. */
const struct state_end *state_owner(const struct state *s, const struct stat *st,
	    const struct timespec *birth, int *k);

void	state_add_pending(struct state *s, const char *domain, const char *path);
/* Nonzero when path is pending for domain. */
int	state_is_pending(const struct state *s, const char *domain, const char *path);
void	state_clear_pending(struct state *s, const char *domain);

#endif
