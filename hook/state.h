/*
 * state.h: what the hook remembers between events, in state_dir.
 *
 * The records (state_codec.h) are kept a file per guest, in domains/, which
 * holds the guest's ends and pending names: an event reads its own guest's
 * file and its peers', and writes those it changes. A FIFO is looked up in
 * the files an event loaded, where it is recorded unless something is amiss,
 * and only then in every file. An event's changed records are first written
 * together to one file, the intent (state_save_intent), and then each to its
 * guest's file (state_save): one write before the steps instead of one a
 * guest. All of it is changed under one exclusive lock, so that hooks for
 * different guests, which libvirt runs concurrently, see each other's work
 * whole. A peer's hook learns the path of its peer's end from here: a hook
 * must never ask libvirt (it would deadlock the daemon).
 */
#ifndef VSERLINK_STATE_H
#define VSERLINK_STATE_H

#include <stddef.h>

#include "state_codec.h"

/* A guest's file, as loaded, and its records. */
struct state_file {
	char			*name;		/* in domains/; first: by_name's key */
	int			 changed;
	int			 sorted;	/* its ends are in the order of their links */
	struct state_records	 r;
};

struct state {
	char			*dir;
	int			 dirfd;
	int			 lockfd;
	struct state_file	**files;	/* each allocated apart: pointers stay good */
	size_t			 nfiles, files_cap;
	void			*by_name;	/* the same, by name (tsearch) */
	int			 all;		/* every guest's file is loaded */
	int			 legacy;	/* the records came from a layout of before */
	int			 intent;	/* an intent is on disk, for state_save to remove */
	char			*error;		/* why a file could not be read */
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

/*
 * Reads the state of an earlier layout, if there is one (a single file, or
 * a file per link): under the lock it is then spread over the guests' files
 * and removed. Guests' files are read when a lookup needs them. 0, or -1
 * with a reason in msg.
 */
int	state_load(struct state *s, char *msg, size_t msglen);
/* Reads every guest's file (status), or guest domain's own (release). */
int	state_load_all(struct state *s, char *msg, size_t msglen);
int	state_load_domain(struct state *s, const char *domain, char *msg, size_t msglen);
/* Reads the files not read yet, once: nonzero when it did (a failure is state_error's). */
int	state_load_rest(struct state *s);
/* Why a lookup could not read a file, or NULL: nothing may be acted on then. */
const char *state_error(const struct state *s);

/* Writes the files of the guests whose records changed. */
int	state_save(struct state *s, char *msg, size_t msglen);
/*
 * Writes the records of the guests that changed, all in one file, to be put
 * in their files by the state_save that follows, or by the next locked
 * state_load if the run dies before it.
 */
int	state_save_intent(struct state *s, char *msg, size_t msglen);

/* Releases the lock and everything s holds. */
void	state_close(struct state *s);

/* Pointers to ends are good until the end is dropped or s closed. */
struct state_end *state_find_end(struct state *s, const char *link,
	    const char *domain);
/*
 * The end whose path is name base in the directory dir_dev/dir_ino and that
 * has FIFO st (found there) under its name k, or NULL.
 */
struct state_end *state_end_at(struct state *s, dev_t dir_dev, ino_t dir_ino,
	    const char *base, int k, const struct stat *st, const struct timespec *birth);
/* Records the end, at path in the directory dir; an end that moved forgets its FIFOs. */
struct state_end *state_set_end(struct state *s, const char *link,
	    const char *domain, const char *path, const struct stat *dir);
/* Nonzero when guest domain may have records (cheap; no lock needed). */
int	state_has_domain(struct state *s, const char *domain);
/* Drops guest domain's ends and pending names. */
void	state_drop_domain(struct state *s, const char *domain);
/* The loaded ends of guest domain (NULL: all), in an array to free. */
size_t	state_ends(struct state *s, const char *domain, struct state_end ***v);

/* st and birth as fs_lstat_birth gives them. */
/* Nonzero when st is the FIFO recorded for name k of end e. */
int	state_end_has(const struct state_end *e, int k, const struct stat *st,
	    const struct timespec *birth);
/* Records st as the FIFO at name k of end e; NULL st: none. */
void	state_end_set(struct state *s, struct state_end *e, int k,
	    const struct stat *st, const struct timespec *birth);
/* Drops every record of FIFO st, made for link. */
void	state_forget(struct state *s, const char *link, const struct stat *st,
	    const struct timespec *birth);
/* An end that has st under one of its names (*k says which), or NULL. */
const struct state_end *state_owner(struct state *s, const struct stat *st,
	    const struct timespec *birth, int *k);

/* path: P.in or P.out of one of guest domain's ends. */
void	state_add_pending(struct state *s, const char *domain, const char *path);
int	state_is_pending(struct state *s, const char *domain, const char *path);
void	state_clear_pending(struct state *s, const char *domain);

#endif
