/* wire_release.c: the plan of a release; see wire.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "fsops.h"
#include "log.h"
#include "wire_run.h"

/* Name k of end pl goes if it holds the FIFO recorded for it, or an adoptable one. */
static void
plan_name(struct wiring *w, struct port_plan *pl, const struct state_end *e, int k)
{
	struct name *n = &pl->d[k].mine;
	int other;

	if (name_init(w, n, pl->path, fifo_suffix[k]) < 0) {
		log_warning(PL_FMT "%s", PL_ARGS(w, pl), n->dir->error);
		return;
	}
	name_look(n);
	if (!n->exists)
		return;
	if (name_is(n, e, k) || adoptable(w, n, e->link, k))
		add_step(w, STEP_UNLINK, pl, k);
	else
		log_warning(PL_FMT "%s: %s; left alone", PL_ARGS(w, pl), n->full,
		    state_owner(&w->s, &n->st, &n->birth, &other) ?
		    "is another name of a FIFO of another end" : what_is(&n->st));
}

/* Where link is in pairs.ini, or after all of it. */
static size_t
rank(const struct pairs *p, const char *link)
{
	size_t i;

	for (i = 0; i < p->nlinks && strcmp(p->links[i].name, link) != 0; i++)
		;
	return i;
}

static int
cmp_link(const void *a, const void *b, void *p)
{
	const char *x = (*(struct state_end *const *)a)->link;
	const char *y = (*(struct state_end *const *)b)->link;
	size_t rx = rank(p, x), ry = rank(p, y);

	return rx != ry ? (rx > ry) - (rx < ry) : strcmp(x, y);
}

int
wire_plan_release(const char *domain, const struct pairs *p, enum wire_mode m,
    struct wiring **out)
{
	struct wiring *w = *out = wiring_new(domain, p, 1);
	char msg[PATH_MAX + 256];
	struct state_end **ends;
	size_t i, n;
	int rc;

	/* Most guests were never linked: find out without taking the lock. */
	rc = state_open(&w->s, p->settings.state_dir, 0, msg, sizeof(msg));
	if (rc == 1 || (rc == 0 && !state_has_domain(&w->s, domain))) {
		state_close(&w->s);
		return 0;
	}
	state_close(&w->s);
	if (open_state(w, m, 0) != 0)
		return w->errors ? 1 : 0;
	if (state_load_domain(&w->s, domain, msg, sizeof(msg)) < 0) {
		log_error("guest %s: %s", domain, msg);
		return 1;
	}
	n = state_ends(&w->s, domain, &ends);
	/* In pairs.ini's order, whatever order the links' files were read in. */
	if (n > 0)
		qsort_r(ends, n, sizeof(*ends), cmp_link, (void *)(uintptr_t)p);
	w->plans = xcalloc(n, sizeof(*w->plans));
	for (i = 0; i < n; i++) {
		const struct state_end *e = ends[i];
		struct port_plan *pl = &w->plans[w->nplans++];

		pl->link = e->link;
		pl->path = xstrdup(e->path);
		plan_name(w, pl, e, 0);
		plan_name(w, pl, e, 1);
	}
	free(ends);
	return state_failed(w) || w->errors ? 1 : 0;
}
