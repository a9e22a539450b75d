/* wire.c: prepare; see wire.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "fault.h"
#include "fsops.h"
#include "log.h"
#include "wire_run.h"

#define PLAN_FMT	"guest %s: link %s (%s): "
#define PLAN_ARGS(r, pl) (r)->domain, (pl)->link->name, (pl)->port

/* --- prepare: checks that need nothing but pairs.ini and the XML --- */

static int
report_config(struct run *r)
{
	const struct pairs *p = r->p;
	size_t i;

	for (i = 0; i < p->nerrors; i++) {
		const struct config_error *e = &p->errors[i];

		if (!pairs_error_concerns(p, e, r->domain))
			continue;
		if (e->line)
			log_error("%s:%u: %s", p->path, e->line, e->message);
		else
			log_error("%s: %s", p->path, e->message);
		r->errors++;
	}
	return r->errors;
}

static void
collect_plans(struct run *r)
{
	const struct pairs *p = r->p;
	size_t i, j;

	for (i = 0; i < p->nlinks; i++) {
		const struct link *l = &p->links[i];

		for (j = 0; j < l->nends; j++) {
			struct plan *pl;

			if (strcmp(l->ends[j].domain, r->domain) != 0)
				continue;
			r->plans = xreallocarray(r->plans, r->nplans + 1, sizeof(*r->plans));
			pl = &r->plans[r->nplans++];
			memset(pl, 0, sizeof(*pl));
			pl->link = l;
			pl->port = l->ends[j].port;
			pl->peer_domain = l->ends[1 - j].domain;
			break;
		}
	}
}

static void
check_ports(struct run *r, const struct domain *xml)
{
	size_t i;

	for (i = 0; i < r->nplans; i++) {
		struct plan *pl = &r->plans[i];
		const struct domain_port *port;
		const char *why;
		size_t count;

		port = domain_find_port(xml, pl->port, &count);
		if (port == NULL) {
			log_error(PLAN_FMT "no such port in the domain XML", PLAN_ARGS(r, pl));
			r->errors++;
		} else if (count > 1) {
			log_error(PLAN_FMT "%zu ports have this name in the domain XML",
			    PLAN_ARGS(r, pl), count);
			r->errors++;
		} else if (strcmp(port->type, "pipe") != 0) {
			log_error(PLAN_FMT "is type='%s'; a linked port must be type='pipe'",
			    PLAN_ARGS(r, pl), port->type);
			r->errors++;
		} else if (port->path == NULL) {
			log_error(PLAN_FMT "has no <source path='...'/>", PLAN_ARGS(r, pl));
			r->errors++;
		} else if ((why = fs_bad_pipe_path(port->path)) != NULL) {
			log_error(PLAN_FMT "%s: %s", PLAN_ARGS(r, pl), port->path, why);
			r->errors++;
		} else {
			pl->path = xstrdup(port->path);
			fs_squeeze_slashes(pl->path);
		}
	}
}

static int
cmp_plan_path(const void *a, const void *b)
{
	const struct plan *const *x = a, *const *y = b;

	return strcmp((*x)->path, (*y)->path);
}

/* By directory (device, inode) and name: what a path is, however spelt. */
static int
cmp_plan_place(const void *a, const void *b)
{
	const struct name *x = &(*(const struct plan *const *)a)->d[0].mine;
	const struct name *y = &(*(const struct plan *const *)b)->d[0].mine;

	if (x->dir->st.st_dev != y->dir->st.st_dev)
		return x->dir->st.st_dev < y->dir->st.st_dev ? -1 : 1;
	if (x->dir->st.st_ino != y->dir->st.st_ino)
		return x->dir->st.st_ino < y->dir->st.st_ino ? -1 : 1;
	return strcmp(x->base, y->base);
}

/*
 * Two ports of this guest at one path: by spelling before anything is
 * looked at, then (by_place) by what the paths are, which a bind mount hides.
 */
static void
check_distinct(struct run *r, int by_place)
{
	int (*cmp)(const void *, const void *) = by_place ? cmp_plan_place : cmp_plan_path;
	struct plan **v = xcalloc(r->nplans, sizeof(*v));
	size_t i, n = 0;

	for (i = 0; i < r->nplans; i++) {
		const struct dir *d = r->plans[i].d[0].mine.dir;

		if (by_place ? d != NULL && d->fd >= 0 : r->plans[i].path != NULL)
			v[n++] = &r->plans[i];
	}
	qsort(v, n, sizeof(*v), cmp);
	for (i = 1; i < n; i++) {
		if (cmp(&v[i], &v[i - 1]) != 0)
			continue;
		log_error(PLAN_FMT "%s: also the path of port %s (link %s)",
		    PLAN_ARGS(r, v[i]), v[i]->path, v[i - 1]->port, v[i - 1]->link->name);
		r->errors++;
	}
	free(v);
}

/* --- prepare: what to do, decided against the state and the disk --- */

static void
plan_peer(struct run *r, struct plan *pl)
{
	const struct state_end *peer = state_find_end(&r->s, pl->link->name, pl->peer_domain);
	int k;

	if (peer == NULL)
		return;
	pl->peer_path = peer->path;
	for (k = 0; k < 2; k++) {
		struct name *n = &pl->d[k].peer;

		/* Our .in is the peer's .out, and the other way round. */
		if (name_init(r, n, peer->path, fifo_suffix[1 - k]) < 0) {
			log_warning(PLAN_FMT "cannot join guest %s's end: %s; this end gets new FIFOs and the link works once %s restarts",
			    PLAN_ARGS(r, pl), pl->peer_domain, n->dir->error, pl->peer_domain);
			return;
		}
		name_look(r, n);
		if (name_is(n, peer, 1 - k)) {
			pl->d[k].peer_ok = 1;
		} else if (n->exists) {
			log_warning(PLAN_FMT "guest %s's %s %s; not joining it", PLAN_ARGS(r, pl),
			    pl->peer_domain, n->full, what_is(&n->st));
		} else {
			log_warning(PLAN_FMT "guest %s is attached but %s is missing; the link works once %s restarts",
			    PLAN_ARGS(r, pl), pl->peer_domain, n->full, pl->peer_domain);
		}
	}
}

/*
 * Refuses what is at n, this end's name k that holds no FIFO recorded for
 * it, unless a run of ours left it there (adoptable). A FIFO of the hook's
 * under a name that is not its own is refused too: it is another end's, and
 * taking it would join two links.
 */
static int
refuse_unrecorded(struct run *r, const struct plan *pl, const struct name *n, int k)
{
	const struct state_end *owner;
	int owner_k;

	if (adoptable(r, n, pl->link->name, k))
		return 0;
	if ((owner = state_owner(&r->s, &n->st, &n->birth, &owner_k)) != NULL)
		log_error(PLAN_FMT "%s: is another name of guest %s's FIFO %s%s (link %s); left alone",
		    PLAN_ARGS(r, pl), n->full, owner->domain, owner->path, fifo_suffix[owner_k],
		    owner->link);
	else
		log_error(PLAN_FMT "%s: %s", PLAN_ARGS(r, pl), n->full, what_is(&n->st));
	r->errors++;
	return 1;
}

static void
plan_link(struct run *r, struct plan *pl)
{
	const struct state_end *user;
	int k;

	for (k = 0; k < 2; k++) {
		struct name *n = &pl->d[k].mine;

		if (name_init(r, n, pl->path, fifo_suffix[k]) < 0) {
			log_error(PLAN_FMT "%s", PLAN_ARGS(r, pl), n->dir->error);
			r->errors++;
			return;
		}
	}
	/* The end recorded at this place: this end itself, or another in the way. */
	user = state_end_at(&r->s, pl->d[0].mine.dir->st.st_dev,
	    pl->d[0].mine.dir->st.st_ino, strrchr(pl->path, '/') + 1);
	if (user != NULL && strcmp(user->link, pl->link->name) == 0 &&
	    strcmp(user->domain, pl->peer_domain) == 0) {
		log_error(PLAN_FMT "%s: guest %s's end of this link has the same path; each end needs its own",
		    PLAN_ARGS(r, pl), pl->path, pl->peer_domain);
		r->errors++;
		return;
	}
	if (user != NULL && (strcmp(user->link, pl->link->name) != 0 ||
	    strcmp(user->domain, r->domain) != 0)) {
		log_error(PLAN_FMT "%s: already in use by guest %s (link %s)",
		    PLAN_ARGS(r, pl), pl->path, user->domain, user->link);
		r->errors++;
		return;
	}
	plan_peer(r, pl);
	for (k = 0; k < 2; k++) {
		struct name *n = &pl->d[k].mine, *peer = &pl->d[k].peer;

		name_look(r, n);
		if (n->exists && !name_is(n, user, k)) {
			if (refuse_unrecorded(r, pl, n, k))
				continue;
			pl->d[k].act = ACT_ADOPT;
		}
		if (!pl->d[k].peer_ok) {
			if (!n->exists)
				pl->d[k].act = ACT_CREATE;
			continue;
		}
		if (peer->dir->st.st_dev != n->dir->st.st_dev) {
			log_error(PLAN_FMT "%s and guest %s's %s are on different file systems; both ends of a link must be on one, as their FIFOs are hard links",
			    PLAN_ARGS(r, pl), n->full, pl->peer_domain, peer->full);
			r->errors++;
			continue;
		}
		if (!n->exists)
			pl->d[k].act = ACT_LINK;
		else if (!fs_same(&n->st, &peer->st))
			pl->d[k].act = ACT_REPLACE;
		else
			pl->d[k].act = ACT_KEEP;
	}
}

/* --- prepare: doing it --- */

/* Records st as what this end's name k holds now. */
static void
record_name(struct run *r, const struct plan *pl, int k, const struct stat *st,
    const struct timespec *birth)
{
	state_end_set(&r->s, state_find_end(&r->s, pl->link->name, r->domain), k, st, birth);
}

static void
fail_step(struct run *r, const struct plan *pl, const char *path, const char *what)
{
	int e = errno;

	if (e == ESTALE)
		log_error(PLAN_FMT "%s: changed while vserlink worked on it; left alone",
		    PLAN_ARGS(r, pl), path);
	else if (e == EXDEV)
		log_error(PLAN_FMT "%s: cannot %s: not on the same file system as guest %s's end; both ends of a link must be on one",
		    PLAN_ARGS(r, pl), path, what, pl->peer_domain);
	else
		log_error(PLAN_FMT "%s: cannot %s: %s", PLAN_ARGS(r, pl), path, what, strerror(e));
	r->errors++;
}

static void
do_join(struct run *r, struct plan *pl, int k)
{
	struct name *n = &pl->d[k].mine, *peer = &pl->d[k].peer;
	FILE *plan = r->o->plan;

	if (pl->d[k].act == ACT_REPLACE) {
		if (plan)
			fprintf(plan, "unlink %s\n", n->full);
		else if (fs_unlink(n->dir->fd, n->base, &n->st) < 0) {
			fail_step(r, pl, n->full, "remove a stale FIFO");
			return;
		}
		FAULT_POINT("prepare: after unlink of a stale FIFO");
	}
	if (plan) {
		fprintf(plan, "link %s %s\n", peer->full, n->full);
	} else if (fs_link(peer->dir->fd, peer->base, &peer->st, n->dir->fd, n->base) < 0) {
		fail_step(r, pl, n->full, "link");
		return;
	} else {
		record_name(r, pl, k, &peer->st, &peer->birth);
		r->joined++;
	}
	/* What the peer wrote while this end was down waits in d[0]. */
	if (k == 0 && pairs_backlog(r->p, pl->link) == BACKLOG_DISCARD) {
		long dropped = 0;

		if (plan)
			fprintf(plan, "drain %s\n", n->full);
		else if ((dropped = fs_drain(n->dir->fd, n->base, &peer->st)) < 0)
			fail_step(r, pl, n->full, "drain");
		else
			r->dropped += dropped;
	}
}

static void
execute(struct run *r, struct plan *pl)
{
	const struct settings *st = &r->p->settings;
	FILE *plan = r->o->plan;
	int k;

	for (k = 0; k < 2; k++) {
		struct name *n = &pl->d[k].mine;

		switch (pl->d[k].act) {
		case ACT_KEEP:
			break;
		case ACT_ADOPT:
			break;
		case ACT_CREATE:
			if (plan) {
				fprintf(plan, "mkfifo %s\n", n->full);
			} else if (fs_mkfifo(n->dir->fd, n->base, st->owner, st->group,
			    st->mode, &n->st, &n->birth) < 0) {
				fail_step(r, pl, n->full, "create FIFO");
			} else {
				FAULT_POINT("prepare: after mkfifo, owner and mode");
				record_name(r, pl, k, &n->st, &n->birth);
				r->created++;
			}
			break;
		case ACT_LINK:
		case ACT_REPLACE:
			do_join(r, pl, k);
			break;
		}
	}
}

/*
 * The end, and what each of its names holds or will hold: a name about to
 * be made or to join the peer's FIFO is pending (recorded once it holds
 * it), and a name about to be replaced loses its record first (see
 * forget_before_unlink).
 */
static void
record_intent(struct run *r, struct plan *pl)
{
	struct state_end *e;
	int k;

	e = state_set_end(&r->s, pl->link->name, r->domain, pl->path, &pl->d[0].mine.dir->st);
	for (k = 0; k < 2; k++) {
		struct name *n = &pl->d[k].mine;

		switch (pl->d[k].act) {
		case ACT_KEEP:
		case ACT_ADOPT:
			state_end_set(&r->s, e, k, &n->st, &n->birth);
			break;
		case ACT_CREATE:
		case ACT_LINK:
			state_add_pending(&r->s, r->domain, n->full);
			break;
		case ACT_REPLACE:
			forget_before_unlink(r, e, k, n);
			break;
		}
	}
}

int
wire_prepare(const char *domain, const struct domain *xml, const struct pairs *p,
    const struct wire_opts *o)
{
	struct run r;
	size_t i;

	run_init(&r, domain, p, o);
	if (report_config(&r) > 0)
		return 1;
	collect_plans(&r);
	if (r.nplans == 0)
		goto out;
	check_ports(&r, xml);
	check_distinct(&r, 0);
	if (r.errors)
		goto out;
	/* A plan of a host where nothing was ever linked: an empty state. */
	if (open_state(&r, o->plan == NULL) < 0)
		goto out;
	for (i = 0; i < r.nplans; i++)
		plan_link(&r, &r.plans[i]);
	check_distinct(&r, 1);
	if (r.errors)
		goto out;

	/* Record the intent first: release cleans up after a start that fails. */
	if (!o->plan) {
		for (i = 0; i < r.nplans; i++)
			record_intent(&r, &r.plans[i]);
		save_state(&r);
		if (r.errors)
			goto out;
	}
	for (i = 0; i < r.nplans; i++)
		execute(&r, &r.plans[i]);
	state_clear_pending(&r.s, domain);
	save_state(&r);
	if (!o->plan)
		log_info("guest %s: prepared %zu link%s: %lu FIFOs created, %lu joined, %ld bytes of backlog dropped%s",
		    domain, r.nplans, r.nplans == 1 ? "" : "s", r.created, r.joined, r.dropped,
		    r.errors ? "; with errors" : "");
out:
	run_free(&r);
	return r.errors ? 1 : 0;
}
