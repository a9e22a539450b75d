/*
 * state.h: what the hook remembers between events, in state_dir.
 *
 * Three facts, kept in one small file replaced atomically (write, rename)
 * under an exclusive lock, so that hooks for different guests, which libvirt
 * runs concurrently, see each other's work whole or not at all:
 *  - end:     guest G attached link L with the pipe path P from its XML at
 *             prepare. The peer's hook learns P from here: a hook must never
 *             ask libvirt (it would deadlock the daemon).
 *  - fifo:    device, inode and birth time of a FIFO this hook created (the
 *             birth time tells it from a later file given the freed inode
 *             number, where the file system keeps one). Only these are
 *             ever linked, unlinked or drained; anything else is not ours.
 *  - pending: a FIFO name about to be created for guest G. If the hook dies
 *             between mkfifo and recording the FIFO, the next run adopts it.
 */
#ifndef VSERLINK_STATE_H
#define VSERLINK_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

struct state_end {
	char	*link;
	char	*domain;
	char	*path;
	int	 dead;		/* removed; dropped at save */
};

struct state_fifo {
	dev_t		 dev;
	ino_t		 ino;
	struct timespec	 birth;		/* {0, 0}: not known */
	int		 dead;
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
	struct state_fifo	*fifos;
	size_t			 nfifos, fifos_cap;
	struct state_pending	*pending;
	size_t			 npending, pending_cap;
	struct index		 by_end, by_path, by_inode;
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
/* The live end whose path is path, or NULL. */
struct state_end *state_end_at(struct state *s, const char *path);
void	state_set_end(struct state *s, const char *link, const char *domain,
	    const char *path);
int	state_has_domain(const struct state *s, const char *domain);

/* st and birth as fs_lstat_birth gives them. */
int	state_is_ours(struct state *s, const struct stat *st,
	    const struct timespec *birth);
void	state_add_fifo(struct state *s, const struct stat *st,
	    const struct timespec *birth);
void	state_drop_fifo(struct state *s, const struct stat *st,
	    const struct timespec *birth);

void	state_add_pending(struct state *s, const char *domain, const char *path);
/* Nonzero when path is pending for domain. */
int	state_is_pending(const struct state *s, const char *domain, const char *path);
void	state_clear_pending(struct state *s, const char *domain);

#endif
