/* wire_apply.c: taking a plan's steps, or printing them; see wire.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fault.h"
#include "fsops.h"
#include "log.h"
#include "wire.h"

void
wire_print(const struct wiring *w, FILE *out)
{
	static const char *const op[] = { "mkfifo", "link", "unlink", "drain" };
	const struct step *s;

	for (s = w->steps; s < w->steps + w->nsteps; s++)
		fprintf(out, "%s%s%s %s\n", op[s->op], s->op == STEP_LINK ? " " : "",
		    s->op == STEP_LINK ? s->pl->d[s->k].peer.full : "", s->pl->d[s->k].mine.full);
}

/*
 * Saved before the first step, so that release cleans up after a start that
 * fails: each end, and what each of its names holds or will hold. A name
 * about to be made or to join the peer's FIFO is pending (recorded once it
 * holds it), and so is a name about to be removed, whose record goes. If it
 * is the FIFO's last name, every record of the FIFO goes: dropped after the
 * unlink, a run killed in between would leave the record of a freed inode,
 * and the next FIFO to get that inode number, anyone's, would pass for ours.
 * Until the unlink, the pending name is adoptable by the next run.
 */
static void
record_intent(struct wiring *w)
{
	struct port_plan *pl;
	const struct step *s;
	int k;

	for (pl = w->plans; !w->release && pl < w->plans + w->nplans; pl++) {
		struct state_end *e = state_set_end(&w->s, pl->link, w->domain, pl->path,
		    &pl->d[0].mine.dir->st);

		for (k = 0; k < 2; k++)
			if (pl->d[k].mine.keep)
				state_end_set(&w->s, e, k, &pl->d[k].mine.st, &pl->d[k].mine.birth);
	}
	for (s = w->steps; s < w->steps + w->nsteps; s++) {
		const struct name *n = &s->pl->d[s->k].mine;
		struct state_end *e;

		if (s->op == STEP_DRAIN || (s->op != STEP_UNLINK && n->exists))
			continue;
		state_add_pending(&w->s, w->domain, n->full);
		if (s->op == STEP_UNLINK) {
			e = state_find_end(&w->s, s->pl->link, w->domain);
			state_end_set(&w->s, e, s->k, NULL, NULL);
			if (n->st.st_nlink == 1)
				state_forget(&w->s, e->link, &n->st, &n->birth);
		}
	}
}

static void
step_failed(struct wiring *w, const struct step *s)
{
	static const char *const what[] = { "create FIFO", "link", "remove a stale FIFO", "drain" };
	const struct port_plan *pl = s->pl;
	const char *path = pl->d[s->k].mine.full;
	int e = errno;

	if (w->release)
		log_warning(PL_FMT "%s: cannot remove: %s", PL_ARGS(w, pl), path,
		    e == ESTALE ? "changed while vserlink worked on it" : strerror(e));
	else if (e == ESTALE)
		log_error(PL_FMT "%s: changed while vserlink worked on it; left alone",
		    PL_ARGS(w, pl), path);
	else if (e == EXDEV)
		log_error(PL_FMT "%s: cannot %s: not on the same file system as guest %s's end; both ends of a link must be on one",
		    PL_ARGS(w, pl), path, what[s->op], pl->peer_domain);
	else
		log_error(PL_FMT "%s: cannot %s: %s", PL_ARGS(w, pl), path, what[s->op], strerror(e));
	w->errors += !w->release;
	s->pl->d[s->k].mine.failed = 1;
}

/* Each step that succeeds returns; one that fails breaks out to step_failed. */
static void
take_step(struct wiring *w, const struct step *s)
{
	struct name *n = &s->pl->d[s->k].mine;
	const struct name *peer = &s->pl->d[s->k].peer;
	long dropped;

	if (n->failed)
		return;
	switch (s->op) {
	case STEP_MKFIFO:
		if (fs_mkfifo(n->dir->fd, n->base, w->p->settings.owner, w->p->settings.group,
		    w->p->settings.mode, &n->st, &n->birth) < 0)
			break;
		FAULT_POINT("prepare: after mkfifo, owner and mode");
		state_end_set(&w->s, state_find_end(&w->s, s->pl->link, w->domain), s->k,
		    &n->st, &n->birth);
		w->created++;
		return;
	case STEP_LINK:
		if (fs_link(peer->dir->fd, peer->base, &peer->st, n->dir->fd, n->base) < 0)
			break;
		state_end_set(&w->s, state_find_end(&w->s, s->pl->link, w->domain), s->k,
		    &peer->st, &peer->birth);
		w->joined++;
		return;
	case STEP_UNLINK:
		if (w->release)
			FAULT_POINT("release: checked, before unlink");
		if (fs_unlink(n->dir->fd, n->base, &n->st) < 0)
			break;
		FAULT_POINT(w->release ? "release: after unlink" : "prepare: after unlink of a stale FIFO");
		w->removed++;
		return;
	case STEP_DRAIN:
		if ((dropped = fs_drain(n->dir->fd, n->base, &peer->st)) < 0)
			break;
		w->dropped += dropped;
		return;
	}
	step_failed(w, s);
}

int
wire_apply(struct wiring *w)
{
	char msg[PATH_MAX + 256];
	size_t i;

	if (w->s.lockfd < 0)		/* nothing of this guest's in the state */
		return 0;
	if (w->nsteps > 0 || !w->release) {
		record_intent(w);
		if (state_save_intent(&w->s, msg, sizeof(msg)) < 0)
			return guest_error(w, msg);
	}
	for (i = 0; i < w->nsteps; i++)
		take_step(w, &w->steps[i]);
	/* Release: the guest's ends (and pending names) go once their names are gone. */
	state_drop(&w->s, w->domain, w->release);
	if (state_save(&w->s, msg, sizeof(msg)) < 0)
		guest_error(w, msg);
	if (w->release)
		log_info("guest %s: released: %lu FIFO names removed%s", w->domain, w->removed,
		    w->errors ? "; with errors" : "");
	else
		log_info("guest %s: prepared %zu link%s: %lu FIFOs created, %lu joined, %ld bytes of backlog dropped%s",
		    w->domain, w->nplans, w->nplans == 1 ? "" : "s", w->created, w->joined,
		    w->dropped, w->errors ? "; with errors" : "");
	return w->errors ? 1 : 0;
}
