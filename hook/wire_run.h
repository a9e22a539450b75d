/*
 * wire_run.h: what wire.c (prepare) and wire_release.c (release) share, the
 * state of one run of the hook over a guest's links. Not an interface.
 */
#ifndef VSERLINK_WIRE_RUN_H
#define VSERLINK_WIRE_RUN_H

#include <limits.h>
#include <sys/stat.h>
#include <time.h>

#include "state.h"
#include "wire.h"

/* libvirt waits for the hook; so does every other hook behind the lock. */
#define LOCK_TIMEOUT	30

struct dir {
	char		*path;
	int		 fd;		/* -1: could not be opened, see error */
	char		*error;
	struct stat	 st;
};

struct dirs {
	struct dir	*v;
	size_t		 n, cap, last;
};

/* One name of a FIFO: P.in or P.out of some end. */
struct name {
	struct dir	*dir;
	char		 base[NAME_MAX + 1];
	char		*full;		/* for messages */
	struct stat	 st;
	struct timespec	 birth;
	int		 exists;
};

enum action {
	ACT_KEEP,	/* already right */
	ACT_CREATE,	/* mkfifo: the peer is not attached */
	ACT_LINK,	/* join the peer's FIFO */
	ACT_REPLACE,	/* drop a stale FIFO of ours, then join the peer's */
	ACT_ADOPT,	/* our FIFO from a run that died before recording it */
};

/* d[0]: our .in is the peer's .out; d[1]: our .out is the peer's .in. */
struct plan {
	const struct link	*link;
	const char		*port;
	char			*path;		/* from the XML, without "//" */
	const char		*peer_domain;
	const char		*peer_path;
	struct {
		struct name	 mine, peer;
		enum action	 act;
		int		 peer_ok;
	} d[2];
};

struct run {
	const char		*domain;
	const struct pairs	*p;
	const struct wire_opts	*o;
	struct state		 s;
	struct dirs		 dirs;
	struct plan		*plans;
	size_t			 nplans;
	int			 errors;
	/* For the one syslog line per event: a line per FIFO costs more than the FIFO. */
	unsigned long		 created, joined, removed;
	long			 dropped;
};

/* The directory of path + sfx, opened once a run, and the name in it; -1 when
 * the directory is unusable (n->dir->error says why). n->full is always set. */
int	name_init(struct run *r, struct name *n, const char *path, const char *sfx);
/* Fills exists, st and birth from what is at n now. */
void	name_look(struct run *r, struct name *n);
/* Nonzero when n holds the FIFO recorded for name k of end e (NULL: none). */
int	name_is(const struct name *n, const struct state_end *e, int k);
/* Why a non-FIFO or a foreign FIFO at a name is in the way. */
const char *what_is(const struct stat *st);
/*
 * What a run of ours left at n, name k of guest r->domain's end of link, when
 * it died before recording it: a name pending for the guest that holds a
 * FIFO no one else has (root's or the owner's, one name), or the peer's FIFO
 * that this name was joining.
 */
int	adoptable(struct run *r, const struct name *n, const char *link, int k);
/* Before the unlink of n, name k of end e: drops its record (see wire_run.c). */
void	forget_before_unlink(struct run *r, struct state_end *e, int k,
	    const struct name *n);
/* A run over domain's links with nothing open yet. */
void	run_init(struct run *r, const char *domain, const struct pairs *p,
	    const struct wire_opts *o);
/*
 * Opens state_dir (create: makes it if missing), locks it unless planning and
 * loads the state: 0; 1 when there is no state_dir and create is 0; -1 after
 * reporting the problem.
 */
int	open_state(struct run *r, int create);
void	save_state(struct run *r);
void	run_free(struct run *r);

#endif
