/* wire_run.c: see wire_run.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "fsops.h"
#include "log.h"
#include "wire_run.h"

/* --- directories, each opened once --- */

static struct dir *
dir_get(struct run *r, const char *path, size_t len)
{
	struct dirs *ds = &r->dirs;
	struct dir *d;
	char msg[PATH_MAX + 128];
	size_t i;

	if (ds->n > 0 && strlen(ds->v[ds->last].path) == len &&
	    memcmp(ds->v[ds->last].path, path, len) == 0)
		return &ds->v[ds->last];
	for (i = 0; i < ds->n; i++) {
		if (strlen(ds->v[i].path) == len && memcmp(ds->v[i].path, path, len) == 0) {
			ds->last = i;
			return &ds->v[i];
		}
	}
	GROW(ds->v, ds->n, ds->cap);
	d = &ds->v[ds->n];
	memset(d, 0, sizeof(*d));
	d->path = xstrndup(path, len);
	d->fd = fs_open_dir(d->path, 0, msg, sizeof(msg));
	if (d->fd < 0 || fstat(d->fd, &d->st) < 0) {
		d->error = xstrdup(msg);
		if (d->fd >= 0)
			close(d->fd);
		d->fd = -1;
	}
	ds->last = ds->n;
	return &ds->v[ds->n++];
}

static void
dirs_close(struct dirs *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++) {
		if (ds->v[i].fd >= 0)
			close(ds->v[i].fd);
		free(ds->v[i].path);
		free(ds->v[i].error);
	}
	free(ds->v);
	memset(ds, 0, sizeof(*ds));
}

int
name_init(struct run *r, struct name *n, const char *path, const char *sfx)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash == path ? 1 : (size_t)(slash - path);

	memset(n, 0, sizeof(*n));
	n->full = xasprintf("%s%s", path, sfx);
	snprintf(n->base, sizeof(n->base), "%s%s", slash + 1, sfx);
	n->dir = dir_get(r, path, dirlen);
	return n->dir->fd < 0 ? -1 : 0;
}

void
name_look(struct run *r, struct name *n)
{
	n->exists = fs_lstat_birth(n->dir->fd, n->base, &n->st, &n->birth) == 0;
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
adoptable(struct run *r, const struct name *n, const char *link, int k)
{
	const struct stat *st = &n->st;
	const struct state_end *owner;
	int owner_k;

	if (!S_ISFIFO(st->st_mode) || !state_is_pending(&r->s, r->domain, n->full))
		return 0;
	owner = state_owner(&r->s, st, &n->birth, &owner_k);
	/* Made by a run of ours that died before recording it. */
	if (owner == NULL)
		return st->st_nlink == 1 &&
		    (st->st_uid == 0 || st->st_uid == r->p->settings.owner);
	/* The peer's FIFO that a run of ours was joining when it died. */
	return strcmp(owner->link, link) == 0 && strcmp(owner->domain, r->domain) != 0 &&
	    owner_k == 1 - k;
}

/*
 * The record of a name is dropped, and the name made pending, in the state
 * saved before the unlink. If it is the FIFO's last name, every record of
 * the FIFO goes: dropped after the unlink, a run killed in between would
 * leave the record of a freed inode, and the next FIFO to get that inode
 * number, anyone's, would pass for ours. Until the unlink, the pending name
 * is adoptable by the next run.
 */
void
forget_before_unlink(struct run *r, struct state_end *e, int k, const struct name *n)
{
	state_add_pending(&r->s, r->domain, n->full);
	state_end_set(&r->s, e, k, NULL, NULL);
	if (n->st.st_nlink == 1)
		state_forget(&r->s, &n->st, &n->birth);
}

void
run_init(struct run *r, const char *domain, const struct pairs *p,
    const struct wire_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->domain = domain;
	r->p = p;
	r->o = o;
	r->s.dirfd = r->s.lockfd = -1;
}

void
run_free(struct run *r)
{
	size_t i;
	int k;

	for (i = 0; i < r->nplans; i++) {
		free(r->plans[i].path);
		for (k = 0; k < 2; k++) {
			free(r->plans[i].d[k].mine.full);
			free(r->plans[i].d[k].peer.full);
		}
	}
	free(r->plans);
	dirs_close(&r->dirs);
	state_close(&r->s);
}

int
open_state(struct run *r, int create)
{
	char msg[PATH_MAX + 256];
	int rc;

	rc = state_open(&r->s, r->p->settings.state_dir, create, msg, sizeof(msg));
	if (rc == 1)
		return 1;
	if (rc == 0 && !r->o->plan)
		rc = state_lock(&r->s, LOCK_TIMEOUT, msg, sizeof(msg));
	if (rc == 0)
		rc = state_load(&r->s, msg, sizeof(msg));
	if (rc < 0) {
		log_error("guest %s: %s", r->domain, msg);
		r->errors++;
	}
	return rc;
}

void
save_state(struct run *r)
{
	char msg[PATH_MAX + 256];

	if (r->o->plan == NULL && state_save(&r->s, msg, sizeof(msg)) < 0) {
		log_error("guest %s: %s", r->domain, msg);
		r->errors++;
	}
}
