/*
 * wire_run.h: a plan's data, shared by the files that make and take it
 * (wire_prepare.c, wire_release.c, wire_apply.c). Not an interface.
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

/* One name of a FIFO: P.in or P.out of some end, and what is there now. */
struct name {
	struct dir	*dir;
	char		*full;		/* for messages */
	const char	*base;		/* in dir: the last component of full */
	struct stat	 st;
	struct timespec	 birth;
	int		 exists;
	int		 keep;		/* holds the FIFO it is to hold: recorded as it is */
	int		 failed;	/* a step on it failed: the next ones are skipped */
};

/* A linked port. d[0]: our .in is the peer's .out; d[1]: our .out is the peer's .in. */
struct port_plan {
	const char	*link;
	const char	*port;		/* NULL on release */
	char		*path;		/* without "//" */
	const char	*peer_domain;
	int		 discard;	/* the link drops the backlog on joining */
	struct {
		struct name	 mine, peer;
		int		 peer_ok;
	} d[2];
};

enum step_op { STEP_MKFIFO, STEP_LINK, STEP_UNLINK, STEP_DRAIN };

struct step {
	enum step_op		 op;
	struct port_plan	*pl;
	int			 k;	/* at pl->d[k].mine; LINK, DRAIN: the FIFO of pl->d[k].peer */
};

struct wiring {
	const char		*domain;
	const struct pairs	*p;
	int			 release;
	struct state		 s;
	struct dir		**dirs;
	size_t			 ndirs, dirs_cap;
	struct port_plan	*plans;
	size_t			 nplans;
	struct step		*steps;
	size_t			 nsteps, steps_cap;
	int			 errors;
	/* For the one syslog line per event: a line per FIFO costs more than the FIFO. */
	unsigned long		 created, joined, removed;
	long			 dropped;
};

/* Prefix of a message about a port: "guest G: link L (PORT): ", or without the port on release. */
#define PL_FMT		"guest %s: link %s%s%s%s: "
#define PL_ARGS(w, pl)	(w)->domain, (pl)->link, (pl)->port ? " (" : "", \
			(pl)->port ? (pl)->port : "", (pl)->port ? ")" : ""

struct wiring *wiring_new(const char *domain, const struct pairs *p, int release);
/* The name path + sfx in its directory, opened once a plan, and what is there:
 * 0, or -1 when the directory is unusable (n->dir->error says why). */
int	name_init(struct wiring *w, struct name *n, const char *path, const char *sfx);
/* Nonzero when n holds the FIFO recorded for name k of end e (NULL: none). */
int	name_is(const struct name *n, const struct state_end *e, int k);
/* Why a non-FIFO or a foreign FIFO at a name is in the way. */
const char *what_is(const struct stat *st);
/*
 * What a run of ours left at n, name k of guest w->domain's end of link, when
 * it died before recording it: a name pending for the guest that holds a
 * FIFO no one else has (root's or the owner's, one name), or the peer's FIFO
 * that this name was joining.
 */
int	adoptable(struct wiring *w, const struct name *n, const char *link, int k);
void	add_step(struct wiring *w, enum step_op op, struct port_plan *pl, int k);
/* Opens state_dir (made if missing when create and WIRE_ACT), locked for
 * WIRE_ACT, and loads it: 0; 1 when there is none; -1 after reporting. */
int	open_state(struct wiring *w, enum wire_mode m, int create);
/* Reports a state file a lookup could not read: nothing may be done then. */
int	state_failed(struct wiring *w);

#endif
