/* wire_release.c: the plan of a release; see wire.h. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "fsops.h"
#include "log.h"
#include "wire.h"

/*
 * Name k of end pl goes if it holds the FIFO recorded for it, or an
 * adoptable one. -1 when its directory cannot be used (said once, for both names).
 */
static int
plan_name(struct wiring *w, struct port_plan *pl, const struct state_end *e, int k)
{
	struct name *n = &pl->d[k].mine;
	int other;

	if (name_init(w, n, pl->path, fifo_suffix[k]) < 0) {
		log_warning(PL_FMT "%s", PL_ARGS(w, pl), n->dir->error);
		return -1;
	}
	if (!n->exists)
		return 0;
	if (name_is(n, e, k) || adoptable(w, n, e->link, k))
		add_step(w, STEP_UNLINK, pl, k);
	else
		log_warning(PL_FMT "%s: %s; left alone", PL_ARGS(w, pl), n->full,
		    state_owner(&w->s, &n->st, &n->birth, &other) ?
		    "is another name of a FIFO of another end" : what_is(&n->st));
	return 0;
}

struct ranked {
	struct state_end	*e;
	const struct link	*l;	/* its link in pairs.ini, or NULL */
};

static int
cmp_link_name(const void *a, const void *b)
{
	return strcmp((*(const struct link *const *)a)->name, (*(const struct link *const *)b)->name);
}

static int
cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	/* Links are in pairs.ini's order in p->links; those not in it come last. */
	if (x->l != y->l)
		return x->l == NULL ? 1 : y->l == NULL || x->l < y->l ? -1 : 1;
	return strcmp(x->e->link, y->e->link);
}

/*
 * Guest domain's ends in pairs.ini's order of their links, then by name,
 * whatever order their file had; each with its link in pairs.ini, or NULL.
 */
static struct ranked *
order_by_pairs(const struct pairs *p, struct state_end **v, size_t n)
{
	const struct link **byname = xcalloc(p->nlinks + 1, sizeof(*byname)), **hit;
	struct ranked *r = xcalloc(n + 1, sizeof(*r));
	struct link key;
	const struct link *k = &key;
	size_t i;

	for (i = 0; i < p->nlinks; i++)
		byname[i] = &p->links[i];
	qsort(byname, p->nlinks, sizeof(*byname), cmp_link_name);
	for (i = 0; i < n; i++) {
		key.name = v[i]->link;
		hit = bsearch(&k, byname, p->nlinks, sizeof(*byname), cmp_link_name);
		r[i] = (struct ranked){ v[i], hit != NULL ? *hit : NULL };
	}
	qsort(r, n, sizeof(*r), cmp_ranked);
	free(byname);
	return r;
}

int
wire_plan_release(const char *domain, const struct pairs *p, enum wire_mode m,
    struct wiring **out)
{
	struct wiring *w = *out = wiring_new(domain, p, 1);
	char msg[PATH_MAX + 256];
	struct state_end **ends;
	struct ranked *r;
	size_t i, j, n;
	int rc;

	/* Most guests were never linked: find out without taking the lock. */
	rc = state_open(&w->s, p->settings.state_dir, 0, msg, sizeof(msg));
	rc = rc == 1 || (rc == 0 && !state_has_domain(&w->s, domain));
	state_close(&w->s);
	if (rc || open_state(w, m, 0) != 0)
		return w->errors ? 1 : 0;
	if (state_file_of(&w->s, domain) == NULL)
		return guest_error(w, w->s.error);
	n = state_ends(&w->s, domain, &ends);
	r = order_by_pairs(p, ends, n);
	w->plans = xcalloc(n, sizeof(*w->plans));
	for (i = 0; i < n; i++) {
		const struct state_end *e = r[i].e;
		struct port_plan *pl = &w->plans[w->nplans++];

		/* The peers' files too: a FIFO's last name takes all its records with it (state_forget). */
		for (j = 0; r[i].l != NULL && j < r[i].l->nends; j++)
			if (strcmp(r[i].l->ends[j].domain, domain) != 0)
				(void)state_find_end(&w->s, e->link, r[i].l->ends[j].domain);

		*pl = (struct port_plan){ .link = e->link, .path = xstrdup(e->path) };
		if (plan_name(w, pl, e, 0) == 0)
			plan_name(w, pl, e, 1);
	}
	free(r);
	free(ends);
	return guest_error(w, w->s.error) || w->errors ? 1 : 0;
}
