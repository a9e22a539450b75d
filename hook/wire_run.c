/* wire_run.c: what the plans of prepare and release share; see wire.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "fsops.h"
#include "log.h"
#include "wire.h"

/* libvirt waits for the hook; so does every other hook behind the lock. */
#define LOCK_TIMEOUT	30

struct wiring *
wiring_new(const char *domain, const struct pairs *p, int release)
{
	struct wiring *w = xcalloc(1, sizeof(*w));

	*w = (struct wiring){ .domain = domain, .p = p, .release = release,
	    .s.dirfd = -1, .s.lockfd = -1 };
	return w;
}

/*
 * Each directory is opened once a plan (a guest's ports share one or two),
 * and stays where it is: names point to it while more are opened.
 */
static struct dir *
dir_get(struct wiring *w, const char *path, size_t len)
{
	char msg[PATH_MAX + 128];
	struct dir *d;
	size_t i;

	for (i = w->ndirs; i-- > 0;)
		if (strlen(w->dirs[i]->path) == len && memcmp(w->dirs[i]->path, path, len) == 0)
			return w->dirs[i];
	GROW(w->dirs, w->ndirs, w->dirs_cap);
	d = w->dirs[w->ndirs++] = xcalloc(1, sizeof(*d));
	d->path = xstrndup(path, len);
	d->fd = fs_open_dir(d->path, 0, msg, sizeof(msg));
	if (d->fd >= 0 && fstat(d->fd, &d->st) < 0) {
		snprintf(msg, sizeof(msg), "%s: %s", d->path, strerror(errno));
		close(d->fd);
		d->fd = -1;
	}
	if (d->fd < 0)
		d->error = xstrdup(msg);
	return d;
}

int
name_init(struct wiring *w, struct name *n, const char *path, const char *sfx)
{
	const char *slash = strrchr(path, '/');

	memset(n, 0, sizeof(*n));
	n->full = xasprintf("%s%s", path, sfx);
	n->base = n->full + (slash + 1 - path);
	n->dir = dir_get(w, path, slash == path ? 1 : (size_t)(slash - path));
	if (n->dir->fd < 0)
		return -1;
	n->exists = fs_lstat_birth(n->dir->fd, n->base, &n->st, &n->birth) == 0;
	return 0;
}

int
name_is(const struct name *n, const struct state_end *e, int k)
{
	return n->exists && e != NULL && state_end_has(e, k, &n->st, &n->birth);
}

const char *
what_is(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return "is a symbolic link";
	if (S_ISREG(st->st_mode))
		return "exists and is a regular file, not a FIFO";
	if (S_ISDIR(st->st_mode))
		return "exists and is a directory, not a FIFO";
	if (S_ISFIFO(st->st_mode))
		return "is a FIFO that vserlink did not create (left over from before a reboot, or someone else's); remove it if it is stale";
	return "exists and is not a FIFO";
}

int
adoptable(struct wiring *w, const struct name *n, const char *link, int k)
{
	const struct stat *st = &n->st;
	const struct state_end *owner;
	int owner_k;

	if (!S_ISFIFO(st->st_mode) || !state_is_pending(&w->s, w->domain, n->full))
		return 0;
	owner = state_owner(&w->s, st, &n->birth, &owner_k);
	/* Made by a run of ours that died before recording it. */
	if (owner == NULL)
		return st->st_nlink == 1 &&
		    (st->st_uid == 0 || st->st_uid == w->p->settings.owner);
	/* The peer's FIFO that a run of ours was joining when it died. */
	return strcmp(owner->link, link) == 0 && strcmp(owner->domain, w->domain) != 0 &&
	    owner_k == 1 - k;
}

void
add_step(struct wiring *w, enum step_op op, struct port_plan *pl, int k)
{
	GROW(w->steps, w->nsteps, w->steps_cap);
	w->steps[w->nsteps++] = (struct step){ op, pl, k };
}

int
open_state(struct wiring *w, enum wire_mode m, int create)
{
	char msg[PATH_MAX + 256];
	int rc = state_open(&w->s, w->p->settings.state_dir, create && m == WIRE_ACT, msg, sizeof(msg));

	if (rc == 0 && m == WIRE_ACT)
		rc = state_lock(&w->s, LOCK_TIMEOUT, msg, sizeof(msg));
	if (rc == 0)
		rc = state_load(&w->s, msg, sizeof(msg));
	if (rc < 0)
		guest_error(w, msg);
	return rc;
}

int
guest_error(struct wiring *w, const char *msg)
{
	if (msg == NULL)
		return 0;
	wire_error(w, "guest %s: %s", w->domain, msg);
	return 1;
}

void
wire_free(struct wiring *w)
{
	size_t i;
	int k;

	if (w == NULL)
		return;
	for (i = 0; i < w->nplans; i++) {
		free(w->plans[i].path);
		for (k = 0; k < 2; k++) {
			free(w->plans[i].d[k].mine.full);
			free(w->plans[i].d[k].peer.full);
		}
	}
	for (i = 0; i < w->ndirs; i++) {
		if (w->dirs[i]->fd >= 0)
			close(w->dirs[i]->fd);
		free(w->dirs[i]->path);
		free(w->dirs[i]->error);
		free(w->dirs[i]);
	}
	free(w->dirs);
	free(w->plans);
	free(w->steps);
	state_close(&w->s);
	free(w);
}
