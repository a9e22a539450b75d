/* state_find.c: the records in memory, found and changed; see state.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "state.h"

static int
cmp_link(const void *a, const void *b)
{
	return strcmp((*(struct state_end *const *)a)->link, (*(struct state_end *const *)b)->link);
}

/*
 * The first of f's ends whose link is link, or where it would go. A guest's
 * ends are sought by link: sorted the first time, kept so (state_set_end).
 */
static size_t
first_of_link(struct state_file *f, const char *link)
{
	size_t lo = 0, hi = f->r.nends, mid;

	if (!f->sorted && f->r.nends > 0)
		qsort(f->r.ends, f->r.nends, sizeof(*f->r.ends), cmp_link);
	f->sorted = 1;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(f->r.ends[mid]->link, link) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct state_end *
state_find_end(struct state *s, const char *link, const char *domain)
{
	struct state_file *f = state_file_of(s, domain);
	size_t i;

	if (f == NULL)
		return NULL;
	for (i = first_of_link(f, link); i < f->r.nends && strcmp(f->r.ends[i]->link, link) == 0; i++)
		if (strcmp(f->r.ends[i]->domain, domain) == 0)
			return f->r.ends[i];
	return NULL;
}

/*
 * The end that has FIFO st under its name *k: at base in directory
 * dir_dev/dir_ino when base is set, else any end under any name (*k then says
 * which). The files loaded first: this guest's and its peers', where a name's
 * FIFO is recorded unless something is amiss (a crash, a misconfiguration).
 * Only then is every guest's file read.
 */
static struct state_end *
search(struct state *s, const struct stat *st, const struct timespec *birth,
    const char *base, dev_t dir_dev, ino_t dir_ino, int *k)
{
	struct state_end *e;
	int want = base != NULL ? *k : -1;
	size_t i, j;

	do {
		for (i = 0; i < s->nfiles; i++)
			for (j = 0; j < s->files[i]->r.nends; j++) {
				e = s->files[i]->r.ends[j];
				if (base != NULL && (e->dir_dev != dir_dev || e->dir_ino != dir_ino ||
				    strcmp(strrchr(e->path, '/') + 1, base) != 0))
					continue;
				for (*k = 0; *k < 2; (*k)++)
					if ((want < 0 || *k == want) && state_end_has(e, *k, st, birth))
						return e;
			}
	} while (state_load_all(s, NULL, 0) > 0);
	return NULL;
}

struct state_end *
state_end_at(struct state *s, dev_t dir_dev, ino_t dir_ino, const char *base, int k,
    const struct stat *st, const struct timespec *birth)
{
	return search(s, st, birth, base, dir_dev, dir_ino, &k);
}

struct state_end *
state_set_end(struct state *s, const char *link, const char *domain,
    const char *path, const struct stat *dir)
{
	struct state_end *e = state_find_end(s, link, domain);
	struct state_file *f = state_file_of(s, domain);

	if (f == NULL)
		return NULL;
	f->changed = 1;
	if (e == NULL) {
		size_t i = first_of_link(f, link);

		e = records_add_end(&f->r, link, domain, path, dir->st_dev, dir->st_ino);
		memmove(&f->r.ends[i + 1], &f->r.ends[i], (f->r.nends - 1 - i) * sizeof(e));
		return f->r.ends[i] = e;
	}
	if (strcmp(e->path, path) != 0 || e->dir_dev != dir->st_dev || e->dir_ino != dir->st_ino) {
		free(e->path);
		e->path = xstrdup(path);
		e->dir_dev = dir->st_dev;
		e->dir_ino = dir->st_ino;
		memset(e->fifo, 0, sizeof(e->fifo));
	}
	return e;
}

size_t
state_ends(struct state *s, const char *domain, struct state_end ***v)
{
	size_t i, j, n = 0;

	*v = NULL;
	for (i = 0; i < s->nfiles; i++) {
		const struct state_records *r = &s->files[i]->r;

		*v = xreallocarray(*v, n + r->nends + 1, sizeof(**v));
		for (j = 0; j < r->nends; j++)
			if (domain == NULL || strcmp(r->ends[j]->domain, domain) == 0)
				(*v)[n++] = r->ends[j];
	}
	return n;
}

void
state_drop(struct state *s, const char *domain, int ends)
{
	struct state_records *r;
	size_t i, j, n;

	for (i = 0; i < s->nfiles; i++) {
		r = &s->files[i]->r;
		n = r->nends + r->npending;
		for (j = r->npending; j-- > 0;)
			if (strcmp(r->pending[j].domain, domain) == 0)
				records_drop_pending(r, j);
		for (j = ends ? r->nends : 0; j-- > 0;)
			if (strcmp(r->ends[j]->domain, domain) == 0)
				records_drop_end(r, j);
		s->files[i]->changed |= r->nends + r->npending < n;
	}
}

static int
same_birth(const struct timespec *a, const struct timespec *b)
{
	/* Unknown on either side: device and inode are all there is. */
	if ((a->tv_sec == 0 && a->tv_nsec == 0) || (b->tv_sec == 0 && b->tv_nsec == 0))
		return 1;
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

int
state_end_has(const struct state_end *e, int k, const struct stat *st,
    const struct timespec *birth)
{
	const struct state_fifo *f = &e->fifo[k];

	return f->ino != 0 && S_ISFIFO(st->st_mode) && f->dev == st->st_dev &&
	    f->ino == st->st_ino && same_birth(&f->birth, birth);
}

void
state_end_set(struct state *s, struct state_end *e, int k, const struct stat *st,
    const struct timespec *birth)
{
	struct state_file *f = state_file_of(s, e->domain);

	if (f != NULL)
		f->changed = 1;
	e->fifo[k] = st != NULL ? (struct state_fifo){ st->st_dev, st->st_ino, *birth } :
	    (struct state_fifo){ 0 };
}

const struct state_end *
state_owner(struct state *s, const struct stat *st, const struct timespec *birth, int *k)
{
	return search(s, st, birth, NULL, 0, 0, k);
}

/* A FIFO is made for one link, and an event loads the files of both ends of each of its links. */
void
state_forget(struct state *s, const char *link, const struct stat *st,
    const struct timespec *birth)
{
	struct state_file *f;
	size_t i, j;
	int k;

	for (i = 0; i < s->nfiles; i++) {
		f = s->files[i];
		for (j = first_of_link(f, link); j < f->r.nends &&
		    strcmp(f->r.ends[j]->link, link) == 0; j++)
			for (k = 0; k < 2; k++)
				if (state_end_has(f->r.ends[j], k, st, birth))
					state_end_set(s, f->r.ends[j], k, NULL, NULL);
	}
}

void
state_add_pending(struct state *s, const char *domain, const char *path)
{
	struct state_file *f = state_file_of(s, domain);

	if (f != NULL) {
		records_add_pending(&f->r, domain, path);
		f->changed = 1;
	}
}

int
state_is_pending(struct state *s, const char *domain, const char *path)
{
	struct state_file *f = state_file_of(s, domain);
	size_t i;

	for (i = 0; f != NULL && i < f->r.npending; i++)
		if (strcmp(f->r.pending[i].domain, domain) == 0 &&
		    strcmp(f->r.pending[i].path, path) == 0)
			return 1;
	return 0;
}
