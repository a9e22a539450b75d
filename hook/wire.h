/*
 * wire.h: the wiring of linked ports, on prepare and on release, as data.
 *
 * For a link between guest A's pipe path P and guest B's pipe path Q, the
 * wiring is two FIFOs with two names each: P.out = Q.in (A writes, B reads)
 * and P.in = Q.out (B writes, A reads), hard links on one file system. An
 * end that prepares while its peer is attached joins the very FIFOs the
 * peer's QEMU holds open; otherwise it creates them and the peer joins later.
 *
 * A plan is worked out first, every refusal reported before anything is
 * touched: a list of steps, each naming what it expects to find. The hook
 * applies it; "vserlink plan" prints it; "vserlink check" only wants the
 * refusals. The three cannot drift apart.
 */
#ifndef VSERLINK_WIRE_H
#define VSERLINK_WIRE_H

#include <limits.h>
#include <stdio.h>

#include "domain.h"
#include "log.h"
#include "pairs.h"
#include "state.h"

struct wiring;

/* How a plan opens the state: to look at it, or locked, to act on it. */
enum wire_mode { WIRE_LOOK, WIRE_ACT };

/* The steps that wire guest domain's links, with the ports of its XML: 0, or 1
 * after reporting every refusal; *w is set either way, for wire_free. */
int	wire_plan_prepare(const char *domain, const struct domain *xml,
	    const struct pairs *p, enum wire_mode m, struct wiring **w);

/* The same for the steps that remove every name the state records for guest
 * domain (from its XML at prepare), whatever pairs.ini says now. */
int	wire_plan_release(const char *domain, const struct pairs *p,
	    enum wire_mode m, struct wiring **w);

/* Takes the steps of a plan made with WIRE_ACT that refused nothing: 0, or 1 after reporting. */
int	wire_apply(struct wiring *w);

/* One line a step: mkfifo PATH, link EXISTING NEW, unlink PATH, drain PATH. */
void	wire_print(const struct wiring *w, FILE *out);

void	wire_free(struct wiring *w);

/* Refusals that only the second end's start meets, which "vserlink check" predicts
 * too: each takes the guest, its link and port, then what the name says. */
#define WIRE_SAME_PATH	"guest %s: link %s (%s): %s: guest %s's end of this link has the " \
			"same path; each end needs its own"
#define WIRE_IN_USE	"guest %s: link %s (%s): %s: already in use by guest %s (link %s)"
#define WIRE_TWO_FS	"guest %s: link %s (%s): %s and guest %s's %s are on different file " \
			"systems; both ends of a link must be on one, as their FIFOs are hard links"

/* The rest is a plan's data, shared by the wire_*.c files that make and take it. */

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
/* The name path + sfx, and what is there: 0, or -1 when its directory is
 * unusable (n->dir->error says why). */
int	name_init(struct wiring *w, struct name *n, const char *path, const char *sfx);
/* n holds the FIFO recorded for name k of end e (NULL: none). */
int	name_is(const struct name *n, const struct state_end *e, int k);
/* Why a non-FIFO or a foreign FIFO at a name is in the way. */
const char *what_is(const struct stat *st);
/* What a run of ours that died left at n, name k of w->domain's end of link, unrecorded. */
int	adoptable(struct wiring *w, const struct name *n, const char *link, int k);
void	add_step(struct wiring *w, enum step_op op, struct port_plan *pl, int k);
/* Opens state_dir (made if missing when create and WIRE_ACT), locked for
 * WIRE_ACT, and loads it: 0; 1 when there is none; -1 after reporting. */
int	open_state(struct wiring *w, enum wire_mode m, int create);
/* Logs one of the event's errors: the event fails. */
#define wire_error(w, ...)	(log_error(__VA_ARGS__), (w)->errors++)
/* Reports msg (NULL: nothing to report, 0) about w->domain as one of the event's errors: 1. */
int	guest_error(struct wiring *w, const char *msg);

#endif
