/* wire_prepare.c: the plan of a prepare; see wire.h. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "config.h"
#include "fsops.h"
#include "log.h"
#include "wire.h"

/* A plan for each port of the guest that a link names, with its path from the XML. */
static void
collect_plans(struct wiring *w, const struct domain *xml)
{
	const struct link_end *e, *peer;
	const struct domain_port *port;
	struct port_plan *pl;
	const char *why;
	size_t i, count;

	for (i = 0; i < w->p->nlinks; i++) {
		const struct link *l = &w->p->links[i];

		/* Every link that names this guest has two ends, or refused its start. */
		if ((e = pairs_end_of(l, w->domain, &peer)) == NULL || peer == NULL)
			continue;
		w->plans = xreallocarray(w->plans, w->nplans + 1, sizeof(*w->plans));
		pl = &w->plans[w->nplans++];
		*pl = (struct port_plan){ .link = l->name, .port = e->port, .peer_domain = peer->domain,
		    .discard = pairs_backlog(w->p, l) == BACKLOG_DISCARD };
		port = domain_find_port(xml, pl->port, &count);
		if (port == NULL)
			log_error(PL_FMT "no such port in the domain XML", PL_ARGS(w, pl));
		else if (count > 1)
			log_error(PL_FMT "%zu ports have this name in the domain XML",
			    PL_ARGS(w, pl), count);
		else if (strcmp(port->type, "pipe") != 0)
			log_error(PL_FMT "is type='%s'; a linked port must be type='pipe'",
			    PL_ARGS(w, pl), port->type);
		else if (port->path == NULL)
			log_error(PL_FMT "has no <source path='...'/>", PL_ARGS(w, pl));
		else if ((why = fs_bad_pipe_path(port->path)) != NULL)
			log_error(PL_FMT "%s: %s", PL_ARGS(w, pl), port->path, why);
		else {
			pl->path = xstrdup(port->path);
			fs_squeeze_slashes(pl->path);
			continue;
		}
		w->errors++;
	}
}

static int
cmp_plan_path(const void *a, const void *b)
{
	const struct port_plan *const *x = a, *const *y = b;

	return strcmp((*x)->path, (*y)->path);
}

/* By directory (device, inode) and name: what a path is, however spelt. */
static int
cmp_plan_place(const void *a, const void *b)
{
	const struct name *x = &(*(const struct port_plan *const *)a)->d[0].mine;
	const struct name *y = &(*(const struct port_plan *const *)b)->d[0].mine;

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
check_distinct(struct wiring *w, int by_place)
{
	int (*cmp)(const void *, const void *) = by_place ? cmp_plan_place : cmp_plan_path;
	struct port_plan **v = xcalloc(w->nplans, sizeof(*v));
	size_t i, n = 0;

	for (i = 0; i < w->nplans; i++) {
		const struct dir *d = w->plans[i].d[0].mine.dir;

		if (by_place ? d != NULL && d->fd >= 0 : w->plans[i].path != NULL)
			v[n++] = &w->plans[i];
	}
	qsort(v, n, sizeof(*v), cmp);
	for (i = 1; i < n; i++)
		if (cmp(&v[i], &v[i - 1]) == 0)
			wire_error(w, PL_FMT "%s: also the path of port %s (link %s)",
			    PL_ARGS(w, v[i]), v[i]->path, v[i - 1]->port, v[i - 1]->link);
	free(v);
}

static void
plan_peer(struct wiring *w, struct port_plan *pl)
{
	const struct state_end *peer = state_find_end(&w->s, pl->link, pl->peer_domain);
	int k;

	for (k = 0; peer != NULL && k < 2; k++) {
		struct name *n = &pl->d[k].peer;

		/* Our .in is the peer's .out, and the other way round. */
		if (name_init(w, n, peer->path, fifo_suffix[1 - k]) < 0) {
			log_warning(PL_FMT "cannot join guest %s's end: %s; this end gets new FIFOs and the link works once %s restarts",
			    PL_ARGS(w, pl), pl->peer_domain, n->dir->error, pl->peer_domain);
			return;
		}
		if (name_is(n, peer, 1 - k))
			pl->d[k].peer_ok = 1;
		else if (n->exists)
			log_warning(PL_FMT "guest %s's %s %s; not joining it", PL_ARGS(w, pl),
			    pl->peer_domain, n->full, what_is(&n->st));
		else
			log_warning(PL_FMT "guest %s is attached but %s is missing; the link works once %s restarts",
			    PL_ARGS(w, pl), pl->peer_domain, n->full, pl->peer_domain);
	}
}

/*
 * Refuses what is at n, this end's name k that holds no FIFO recorded for
 * it, unless a run of ours left it there (adoptable). A FIFO of the hook's
 * under a name that is not its own is refused too: it is another end's, and
 * taking it would join two links.
 */
static int
refuse_unrecorded(struct wiring *w, const struct port_plan *pl, const struct name *n, int k)
{
	const struct state_end *owner;
	int owner_k;

	if (adoptable(w, n, pl->link, k))
		return 0;
	if ((owner = state_owner(&w->s, &n->st, &n->birth, &owner_k)) != NULL)
		wire_error(w, PL_FMT "%s: is another name of guest %s's FIFO %s%s (link %s); left alone",
		    PL_ARGS(w, pl), n->full, owner->domain, owner->path, fifo_suffix[owner_k],
		    owner->link);
	else
		wire_error(w, PL_FMT "%s: %s", PL_ARGS(w, pl), n->full, what_is(&n->st));
	return 1;
}

/* Another end than own with FIFOs at this end's place is in the way: refused. */
static int
check_place(struct wiring *w, const struct port_plan *pl, const struct state_end *own)
{
	const struct dir *d = pl->d[0].mine.dir;
	const struct state_end *e = NULL;
	int k;

	for (k = 0; k < 2 && e == NULL; k++)
		if (pl->d[k].mine.exists)
			e = state_end_at(&w->s, d->st.st_dev, d->st.st_ino, strrchr(pl->path, '/') + 1,
			    k, &pl->d[k].mine.st, &pl->d[k].mine.birth);
	if (e == NULL || e == own)
		return 0;
	if (strcmp(e->link, pl->link) == 0 && strcmp(e->domain, pl->peer_domain) == 0)
		wire_error(w, WIRE_SAME_PATH, w->domain, pl->link, pl->port, pl->path, pl->peer_domain);
	else
		wire_error(w, WIRE_IN_USE, w->domain, pl->link, pl->port, pl->path, e->domain, e->link);
	return -1;
}

/*
 * The steps of this end's name k: its FIFO is kept (or adopted), made,
 * joined, or replaced by the peer's. What the peer wrote while this end was
 * down waits in d[0].
 */
static void
plan_name(struct wiring *w, struct port_plan *pl, const struct state_end *own, int k)
{
	struct name *n = &pl->d[k].mine, *peer = &pl->d[k].peer;

	if (n->exists && !name_is(n, own, k) && refuse_unrecorded(w, pl, n, k))
		return;
	if (!pl->d[k].peer_ok) {
		if (!n->exists)
			add_step(w, STEP_MKFIFO, pl, k);
		n->keep = n->exists;
	} else if (peer->dir->st.st_dev != n->dir->st.st_dev) {
		wire_error(w, WIRE_TWO_FS, w->domain, pl->link, pl->port, n->full, pl->peer_domain,
		    peer->full);
	} else if (n->exists && fs_same(&n->st, &peer->st)) {
		n->keep = 1;
	} else {
		if (n->exists)
			add_step(w, STEP_UNLINK, pl, k);
		add_step(w, STEP_LINK, pl, k);
		if (k == 0 && pl->discard)
			add_step(w, STEP_DRAIN, pl, k);
	}
}

static void
plan_link(struct wiring *w, struct port_plan *pl)
{
	const struct state_end *own;
	int k;

	/* Both names are in one directory: it serves both or neither. */
	if (name_init(w, &pl->d[0].mine, pl->path, fifo_suffix[0]) < 0 ||
	    name_init(w, &pl->d[1].mine, pl->path, fifo_suffix[1]) < 0) {
		wire_error(w, PL_FMT "%s", PL_ARGS(w, pl), pl->d[0].mine.dir->error);
		return;
	}
	own = state_find_end(&w->s, pl->link, w->domain);
	if (check_place(w, pl, own) < 0)
		return;
	plan_peer(w, pl);
	for (k = 0; k < 2; k++)
		plan_name(w, pl, own, k);
}

int
wire_plan_prepare(const char *domain, const struct domain *xml, const struct pairs *p,
    enum wire_mode m, struct wiring **out)
{
	struct wiring *w = *out = wiring_new(domain, p, 0);
	size_t i;

	if ((w->errors = config_report_errors(p, domain)) > 0)
		return 1;
	collect_plans(w, xml);
	if (w->nplans == 0)
		return 0;
	check_distinct(w, 0);
	/* A host where nothing was ever linked has an empty state. */
	if (w->errors || open_state(w, m, 1) < 0)
		return 1;
	for (i = 0; i < w->nplans; i++)
		plan_link(w, &w->plans[i]);
	check_distinct(w, 1);
	return guest_error(w, w->s.error) || w->errors ? 1 : 0;
}
