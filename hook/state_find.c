/* state_find.c: the records in memory, found and changed; see state.h. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "state_file.h"

/* Reads the file an index entry leads to, if there is one. */
static void
load_indexed(struct state *s, const char *key)
{
	char name[NAME_MAX + 1];

	if (state_index_get(s, key, name) == 0)
		(void)state_load_file(s, name);
}

struct state_end *
state_find_end(struct state *s, const char *link, const char *domain)
{
	char name[NAME_MAX + 1];
	size_t i;

	state_fname(link, name);
	if (state_load_file(s, name) < 0)
		return NULL;
	for (i = 0; i < s->r.nends; i++)
		if (strcmp(s->r.ends[i]->link, link) == 0 &&
		    strcmp(s->r.ends[i]->domain, domain) == 0)
			return s->r.ends[i];
	return NULL;
}

struct state_end *
state_end_at(struct state *s, dev_t dir_dev, ino_t dir_ino, const char *base)
{
	char name[NAME_MAX + 1], key[NAME_MAX + 64];
	size_t i;

	state_fname(base, name);
	snprintf(key, sizeof(key), "places/%llu.%llu/%s", (unsigned long long)dir_dev,
	    (unsigned long long)dir_ino, name);
	load_indexed(s, key);
	for (i = 0; i < s->r.nends; i++) {
		struct state_end *e = s->r.ends[i];

		if (e->dir_dev == dir_dev && e->dir_ino == dir_ino &&
		    strcmp(strrchr(e->path, '/') + 1, base) == 0)
			return e;
	}
	return NULL;
}

struct state_end *
state_set_end(struct state *s, const char *link, const char *domain,
    const char *path, const struct stat *dir)
{
	struct state_end *e = state_find_end(s, link, domain);

	state_mark(s, link);
	if (e == NULL)
		return records_add_end(&s->r, link, domain, path, dir->st_dev, dir->st_ino);
	if (strcmp(e->path, path) != 0 || e->dir_dev != dir->st_dev || e->dir_ino != dir->st_ino) {
		free(e->path);
		e->path = xstrdup(path);
		e->dir_dev = dir->st_dev;
		e->dir_ino = dir->st_ino;
		memset(e->fifo, 0, sizeof(e->fifo));
	}
	return e;
}

int
state_has_domain(struct state *s, const char *domain)
{
	char name[NAME_MAX + 1], key[NAME_MAX + 16];
	struct stat st;
	size_t i;

	if (s->legacy)
		for (i = 0; i < s->r.nends; i++)
			if (strcmp(s->r.ends[i]->domain, domain) == 0)
				return 1;
	state_fname(domain, name);
	snprintf(key, sizeof(key), "guests/%s", name);
	return s->dirfd >= 0 && (fstatat(s->dirfd, key, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	    fstatat(s->dirfd, STATE_LEGACY_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0);
}

void
state_drop_domain(struct state *s, const char *domain)
{
	size_t i;

	state_clear_pending(s, domain);
	for (i = s->r.nends; i-- > 0;) {
		if (strcmp(s->r.ends[i]->domain, domain) != 0)
			continue;
		state_mark(s, s->r.ends[i]->link);
		records_drop_end(&s->r, i);
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
	struct state_fifo *f = &e->fifo[k];

	state_mark(s, e->link);
	memset(f, 0, sizeof(*f));
	if (st == NULL)
		return;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->birth = *birth;
}

const struct state_end *
state_owner(struct state *s, const struct stat *st, const struct timespec *birth, int *k)
{
	char key[64];
	size_t i;

	snprintf(key, sizeof(key), "fifos/%llu.%llu", (unsigned long long)st->st_dev,
	    (unsigned long long)st->st_ino);
	load_indexed(s, key);
	for (i = 0; i < s->r.nends; i++)
		for (*k = 0; *k < 2; (*k)++)
			if (state_end_has(s->r.ends[i], *k, st, birth))
				return s->r.ends[i];
	return NULL;
}

void
state_forget(struct state *s, const struct stat *st, const struct timespec *birth)
{
	const struct state_end *e;
	int k;

	while ((e = state_owner(s, st, birth, &k)) != NULL)
		state_end_set(s, (struct state_end *)(uintptr_t)e, k, NULL, NULL);
}

void
state_add_pending(struct state *s, const char *domain, const char *path)
{
	const struct state_end *e = records_end_of_name(&s->r, domain, path);

	if (e != NULL)
		state_mark(s, e->link);
	records_add_pending(&s->r, domain, path);
}

int
state_is_pending(const struct state *s, const char *domain, const char *path)
{
	size_t i;

	for (i = 0; i < s->r.npending; i++)
		if (strcmp(s->r.pending[i].domain, domain) == 0 &&
		    strcmp(s->r.pending[i].path, path) == 0)
			return 1;
	return 0;
}

void
state_clear_pending(struct state *s, const char *domain)
{
	const struct state_end *e;
	size_t i;

	for (i = s->r.npending; i-- > 0;) {
		if (strcmp(s->r.pending[i].domain, domain) != 0)
			continue;
		if ((e = records_end_of_name(&s->r, domain, s->r.pending[i].path)) != NULL)
			state_mark(s, e->link);
		records_drop_pending(&s->r, i);
	}
}
