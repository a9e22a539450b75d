/* wire_release.c: release; see wire.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "fsops.h"
#include "log.h"
#include "wire_run.h"

/* Removes name k of end e if it holds the FIFO recorded for it, or an adoptable one. */
static void
release_name(struct run *r, struct state_end *e, int k)
{
	struct name n;
	int other;

	if (name_init(r, &n, e->path, fifo_suffix[k]) < 0) {
		log_warning("guest %s: link %s: %s", r->domain, e->link, n.dir->error);
		free(n.full);
		return;
	}
	name_look(r, &n);
	if (!n.exists) {
		free(n.full);
		return;
	}
	if (!name_is(&n, e, k) && !adoptable(r, &n, e->link, k)) {
		log_warning("guest %s: link %s: %s: %s; left alone", r->domain,
		    e->link, n.full, state_owner(&r->s, &n.st, &n.birth, &other) ?
		    "is another name of a FIFO of another end" : what_is(&n.st));
		free(n.full);
		return;
	}
	FAULT_POINT("release: checked, before unlink");
	if (r->o->plan) {
		fprintf(r->o->plan, "unlink %s\n", n.full);
	} else if (fs_unlink(n.dir->fd, n.base, &n.st) < 0) {
		log_warning("guest %s: link %s: %s: cannot remove: %s", r->domain, e->link,
		    n.full, errno == ESTALE ? "changed while vserlink worked on it" : strerror(errno));
	} else {
		FAULT_POINT("release: after unlink");
		r->removed++;
	}
	free(n.full);
}

/*
 * Applies forget_before_unlink to the names of domain's ends that hold the
 * last name of their FIFO; returns how many it forgot.
 */
static size_t
forget_last_names(struct run *r)
{
	size_t i, forgotten = 0;
	int k;

	for (i = 0; i < r->s.nends; i++) {
		struct state_end *e = &r->s.ends[i];

		if (e->dead || strcmp(e->domain, r->domain) != 0)
			continue;
		for (k = 0; k < 2; k++) {
			struct name n;

			if (name_init(r, &n, e->path, fifo_suffix[k]) == 0) {
				name_look(r, &n);
				if (name_is(&n, e, k) && n.st.st_nlink == 1) {
					forget_before_unlink(r, e, k, &n);
					forgotten++;
				}
			}
			free(n.full);
		}
	}
	return forgotten;
}

int
wire_release(const char *domain, const struct pairs *p, const struct wire_opts *o)
{
	char msg[PATH_MAX + 256];
	struct run r;
	size_t i;
	int rc;

	run_init(&r, domain, p, o);

	/* Most guests were never linked: find out without taking the lock. */
	rc = state_open(&r.s, p->settings.state_dir, 0, msg, sizeof(msg));
	if (rc == 1 || (rc == 0 && state_load(&r.s, msg, sizeof(msg)) == 0 &&
	    !state_has_domain(&r.s, domain))) {
		state_close(&r.s);
		return 0;
	}
	state_close(&r.s);
	if (open_state(&r, 0) != 0)
		goto out;

	if (!o->plan && forget_last_names(&r) > 0) {
		save_state(&r);
		if (r.errors)
			goto out;
	}
	for (i = 0; i < r.s.nends; i++) {
		struct state_end *e = &r.s.ends[i];

		if (e->dead || strcmp(e->domain, domain) != 0)
			continue;
		release_name(&r, e, 0);
		release_name(&r, e, 1);
		e->dead = 1;
	}
	state_clear_pending(&r.s, domain);
	save_state(&r);
	if (!o->plan)
		log_info("guest %s: released: %lu FIFO names removed%s", domain, r.removed,
		    r.errors ? "; with errors" : "");
out:
	run_free(&r);
	return r.errors ? 1 : 0;
}
