/* state_load.c: state_load, from a dead run's intent or a layout of before; see state.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "fsops.h"
#include "state.h"

/*
 * Version 1 kept the hook's FIFOs in one list, tied to no name. Each goes to
 * the end's name it is found under now, and the rest is forgotten: what was
 * linked goes on working, and nothing else is taken for the hook's.
 */
static void
adopt_v1_fifos(const struct state_records *legacy, struct state_end *e)
{
	char name[NAME_MAX + 1], msg[PATH_MAX + 128];
	struct timespec birth;
	struct stat st;
	size_t i;
	int fd, k;

	if ((fd = fs_open_parent(e->path, msg, sizeof(msg))) < 0)
		return;
	if (fstat(fd, &st) == 0) {
		e->dir_dev = st.st_dev;
		e->dir_ino = st.st_ino;
	}
	for (k = 0; k < 2; k++) {
		snprintf(name, sizeof(name), "%s%s", strrchr(e->path, '/') + 1, fifo_suffix[k]);
		if (fs_lstat_birth(fd, name, &st, &birth) < 0)
			continue;
		for (i = 0; i < legacy->nv1; i++)
			if (state_end_has(&(struct state_end){ .fifo = { legacy->v1[i] } }, 0, &st, &birth))
				e->fifo[k] = (struct state_fifo){ st.st_dev, st.st_ino, birth };
	}
	close(fd);
}

/*
 * A guest's file to put records in: emptied first when they replace its own
 * (an intent holds whole files); NULL when it cannot be read.
 */
static struct state_file *
file_to_fill(struct state *s, const char *domain, int replace)
{
	struct state_file *f = state_file_of(s, domain);

	if (f == NULL)
		return NULL;
	if (replace && !f->changed)
		records_free(&f->r);
	f->changed = 1;
	f->sorted = 0;
	return f;
}

/*
 * Each end of a layout of before, or of an intent, goes to its guest's file,
 * with its pending names.
 */
static void
spread(struct state *s, struct state_records *from, int replace)
{
	struct state_end *e;
	struct state_file *f;
	size_t i;

	for (i = 0; i < from->npending; i++) {
		e = records_end_of_name(from, from->pending[i].domain, from->pending[i].path);
		if (e != NULL && (f = file_to_fill(s, e->domain, replace)) != NULL)
			records_add_pending(&f->r, from->pending[i].domain, from->pending[i].path);
	}
	for (i = 0; i < from->nends; i++) {
		e = from->ends[i];
		if (from->v1_file)
			adopt_v1_fifos(from, e);
		if ((f = file_to_fill(s, e->domain, replace)) == NULL)
			break;
		GROW(f->r.ends, f->r.nends, f->r.ends_cap);
		f->r.ends[f->r.nends++] = e;
	}
	/* The first i went over; the rest, if a file could not be read, go with from. */
	if (i < from->nends)
		memmove(from->ends, from->ends + i, (from->nends - i) * sizeof(*from->ends));
	from->nends -= i;
	records_free(from);
}

/* Spreads the records of file path: 1; 0 when there is no such file; -1 with a reason in msg. */
static int
read_spread(struct state *s, const char *path, int replace, char *msg, size_t msglen)
{
	struct state_records r = { 0 };
	int rc = state_read_records(s, path, &r, msg, msglen);

	if (rc > 0)
		spread(s, &r, replace);
	records_free(&r);
	return rc;
}

static int
has_link(const struct state_records *r, const char *link)
{
	size_t i;

	for (i = 0; i < r->nends; i++)
		if (strcmp(r->ends[i]->link, link) == 0)
			return 1;
	return 0;
}

/* Drops the ends of r whose link has ends in by, with their pending names. */
static void
drop_replaced(struct state_records *r, const struct state_records *by)
{
	const struct state_end *e;
	size_t i;

	for (i = r->npending; i-- > 0;)
		if ((e = records_end_of_name(r, r->pending[i].domain, r->pending[i].path)) == NULL ||
		    has_link(by, e->link))
			records_drop_pending(r, i);
	for (i = r->nends; i-- > 0;)
		if (has_link(by, r->ends[i]->link))
			records_drop_end(r, i);
}

/*
 * A file per link in links/, and an intent that replaces whole links' files.
 * Under the lock the intent moves into links/ first: links/ alone then holds
 * every record until state_save renames it away. 1 when there is such a
 * layout, 0 when not, -1 with a reason in msg.
 */
static int
read_links(struct state *s, char *msg, size_t msglen)
{
	struct state_records all = { 0 }, in = { 0 };
	char path[NAME_MAX + sizeof(STATE_LEGACY_LINKS) + 1];
	struct dirent *d;
	DIR *dir;
	int fd, rc;

	fd = openat(s->dirfd, STATE_LEGACY_LINKS, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	rc = s->lockfd >= 0 && renameat(s->dirfd, STATE_INTENT, s->dirfd, STATE_LINKS_INTENT) < 0 &&
	    errno != ENOENT ? -1 : 0;
	if (rc < 0)
		snprintf(msg, msglen, "%s/%s: %s", s->dir, STATE_LINKS_INTENT, strerror(errno));
	else
		rc = state_read_records(s, STATE_LINKS_INTENT, &in, msg, msglen);
	if (rc >= 0)
		rc = state_read_records(s, STATE_INTENT, &in, msg, msglen);
	while (rc >= 0 && (d = readdir(dir)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", STATE_LEGACY_LINKS, d->d_name);
		if (d->d_name[0] != '.')
			rc = state_read_records(s, path, &all, msg, msglen);
	}
	closedir(dir);
	drop_replaced(&all, &in);
	spread(s, &all, 0);
	spread(s, &in, 0);
	return rc < 0 ? -1 : 1;
}

int
state_load(struct state *s, char *msg, size_t msglen)
{
	static const char *const sub[] = { STATE_FILES, STATE_LEGACY_LINKS };
	struct stat st;
	int rc, i;

	if (s->dirfd < 0)
		return 0;
	/* Files are opened as domains/NAME, links/NAME: neither may be a symlink. */
	for (i = 0; i < 2; i++)
		if (fs_lstat(s->dirfd, sub[i], &st) == 0 && !S_ISDIR(st.st_mode)) {
			/* Kept for the lookups after it too: check goes on past a failed load. */
			s->error = xasprintf("%s/%s: %s", s->dir, sub[i], strerror(ENOTDIR));
			snprintf(msg, msglen, "%s", s->error);
			return -1;
		}
	/* links.old/ is left by a run killed while it removed links/. */
	if (s->lockfd >= 0)
		state_remove_tree(s->dirfd, STATE_LINKS_OLD, 1);
	/* A layout of before holds every record: domains/ is not read then. */
	s->legacy = 1;
	if ((rc = read_spread(s, STATE_LEGACY_FILE, 0, msg, msglen)) == 0)
		rc = read_links(s, msg, msglen);
	if (rc == 0) {
		s->legacy = 0;
		if ((rc = read_spread(s, STATE_INTENT, 1, msg, msglen)) == 1)
			s->intent = 1;
	}
	if (rc < 0)
		return -1;
	if (s->error != NULL) {
		snprintf(msg, msglen, "%s", s->error);
		return -1;
	}
	return rc == 1 && s->lockfd >= 0 ? state_save(s, msg, msglen) : 0;
}
