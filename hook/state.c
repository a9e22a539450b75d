/* state.c: see state.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "alloc.h"
#include "fault.h"
#include "fsops.h"
#include "state.h"

#define STATE_FILE	"state"
#define STATE_TMP	"state.new"
#define LOCK_FILE	"lock"
#define STATE_MAGIC	"vserlink-state 2"
#define STATE_MAGIC_V1	"vserlink-state 1"
#define MAX_STATE_SIZE	(64u << 20)

/* --- hash indexes over the arrays, so that a thousand links stay linear --- */

typedef uint64_t (*hash_fn)(const struct state *s, size_t i);
typedef int (*match_fn)(const struct state *s, size_t i, const void *key);

static uint64_t
fnv(uint64_t h, const char *str)
{
	for (; *str != '\0'; str++)
		h = (h ^ (unsigned char)*str) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

#define FNV_SEED 0xcbf29ce484222325ULL

static uint64_t
end_key_hash(const char *link, const char *domain)
{
	return fnv(fnv(FNV_SEED, link), domain);
}

static uint64_t
inode_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ULL;

	return h ^ ((uint64_t)dev * 0xC2B2AE3D27D4EB4FULL) ^ (h >> 29);
}

static uint64_t
hash_end(const struct state *s, size_t i)
{
	return end_key_hash(s->ends[i].link, s->ends[i].domain);
}

static uint64_t
place_hash(dev_t dev, ino_t ino, const char *base)
{
	return fnv(inode_hash(dev, ino), base);
}

static const char *
base_of(const char *path)
{
	return strrchr(path, '/') + 1;
}

static uint64_t
hash_place(const struct state *s, size_t i)
{
	const struct state_end *e = &s->ends[i];

	return place_hash(e->dir_dev, e->dir_ino, base_of(e->path));
}

static uint64_t
hash_inode(const struct state *s, size_t slot)
{
	const struct state_fifo *f = &s->ends[slot / 2].fifo[slot % 2];

	return inode_hash(f->dev, f->ino);
}

static void
index_put(const struct state *s, struct index *x, hash_fn h, size_t i)
{
	size_t j, mask;

	if ((x->n + 1) * 2 > x->cap) {
		struct index old = *x;

		x->cap = old.cap ? old.cap * 2 : 64;
		x->slots = xcalloc(x->cap, sizeof(*x->slots));
		x->n = 0;
		for (j = 0; j < old.cap; j++)
			if (old.slots[j] != 0)
				index_put(s, x, h, old.slots[j] - 1);
		free(old.slots);
	}
	mask = x->cap - 1;
	for (j = h(s, i) & mask; x->slots[j] != 0; j = (j + 1) & mask)
		;
	x->slots[j] = i + 1;
	x->n++;
}

static long
index_get(const struct state *s, const struct index *x, uint64_t hash,
    match_fn m, const void *key)
{
	size_t j, mask;

	if (x->cap == 0)
		return -1;
	mask = x->cap - 1;
	for (j = hash & mask; x->slots[j] != 0; j = (j + 1) & mask)
		if (m(s, x->slots[j] - 1, key))
			return (long)(x->slots[j] - 1);
	return -1;
}

/* --- the facts --- */

struct end_key {
	const char *link, *domain;
};

static int
match_end(const struct state *s, size_t i, const void *key)
{
	const struct end_key *k = key;

	return !s->ends[i].dead && strcmp(s->ends[i].link, k->link) == 0 &&
	    strcmp(s->ends[i].domain, k->domain) == 0;
}

struct place_key {
	dev_t		 dev;
	ino_t		 ino;
	const char	*base;
};

static int
match_place(const struct state *s, size_t i, const void *key)
{
	const struct place_key *k = key;
	const struct state_end *e = &s->ends[i];

	return !e->dead && e->dir_dev == k->dev && e->dir_ino == k->ino &&
	    strcmp(base_of(e->path), k->base) == 0;
}

static int
same_birth(const struct timespec *a, const struct timespec *b)
{
	/* Unknown on either side: device and inode are all there is. */
	if ((a->tv_sec == 0 && a->tv_nsec == 0) || (b->tv_sec == 0 && b->tv_nsec == 0))
		return 1;
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static int
same_fifo(const struct state_fifo *f, const struct stat *st, const struct timespec *birth)
{
	return f->ino != 0 && S_ISFIFO(st->st_mode) && f->dev == st->st_dev &&
	    f->ino == st->st_ino && same_birth(&f->birth, birth);
}

struct inode_key {
	const struct stat	*st;
	const struct timespec	*birth;
};

static int
match_inode(const struct state *s, size_t slot, const void *key)
{
	const struct inode_key *k = key;

	return !s->ends[slot / 2].dead &&
	    same_fifo(&s->ends[slot / 2].fifo[slot % 2], k->st, k->birth);
}

struct state_end *
state_find_end(struct state *s, const char *link, const char *domain)
{
	struct end_key k = { link, domain };
	long i = index_get(s, &s->by_end, end_key_hash(link, domain), match_end, &k);

	return i < 0 ? NULL : &s->ends[i];
}

struct state_end *
state_end_at(struct state *s, dev_t dir_dev, ino_t dir_ino, const char *base)
{
	struct place_key k = { dir_dev, dir_ino, base };
	long i = index_get(s, &s->by_place, place_hash(dir_dev, dir_ino, base),
	    match_place, &k);

	return i < 0 ? NULL : &s->ends[i];
}

static struct state_end *
add_end(struct state *s, char *link, char *domain, char *path, dev_t dir_dev,
    ino_t dir_ino)
{
	struct state_end *e;

	GROW(s->ends, s->nends, s->ends_cap);
	e = &s->ends[s->nends];
	memset(e, 0, sizeof(*e));
	e->link = link;
	e->domain = domain;
	e->path = path;
	e->dir_dev = dir_dev;
	e->dir_ino = dir_ino;
	index_put(s, &s->by_end, hash_end, s->nends);
	index_put(s, &s->by_place, hash_place, s->nends);
	return &s->ends[s->nends++];
}

struct state_end *
state_set_end(struct state *s, const char *link, const char *domain,
    const char *path, const struct stat *dir)
{
	struct state_end *e = state_find_end(s, link, domain);

	if (e != NULL) {
		if (strcmp(e->path, path) == 0 && e->dir_dev == dir->st_dev &&
		    e->dir_ino == dir->st_ino)
			return e;
		e->dead = 1;
	}
	return add_end(s, xstrdup(link), xstrdup(domain), xstrdup(path),
	    dir->st_dev, dir->st_ino);
}

int
state_end_has(const struct state_end *e, int k, const struct stat *st,
    const struct timespec *birth)
{
	return same_fifo(&e->fifo[k], st, birth);
}

void
state_end_set(struct state *s, struct state_end *e, int k, const struct stat *st,
    const struct timespec *birth)
{
	struct state_fifo *f = &e->fifo[k];

	if (st != NULL && f->ino == st->st_ino && f->dev == st->st_dev &&
	    f->birth.tv_sec == birth->tv_sec && f->birth.tv_nsec == birth->tv_nsec)
		return;		/* recorded and indexed already */
	memset(f, 0, sizeof(*f));
	if (st == NULL)
		return;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->birth = *birth;
	index_put(s, &s->by_inode, hash_inode, 2 * (size_t)(e - s->ends) + (size_t)k);
}

void
state_forget(struct state *s, const struct stat *st, const struct timespec *birth)
{
	const struct state_end *e;
	int k;

	while ((e = state_owner(s, st, birth, &k)) != NULL)
		memset(&s->ends[e - s->ends].fifo[k], 0, sizeof(struct state_fifo));
}

const struct state_end *
state_owner(const struct state *s, const struct stat *st, const struct timespec *birth,
    int *k)
{
	struct inode_key key = { st, birth };
	long slot = index_get(s, &s->by_inode, inode_hash(st->st_dev, st->st_ino),
	    match_inode, &key);

	if (slot < 0)
		return NULL;
	*k = (int)(slot % 2);
	return &s->ends[slot / 2];
}

int
state_has_domain(const struct state *s, const char *domain)
{
	size_t i;

	for (i = 0; i < s->nends; i++)
		if (!s->ends[i].dead && strcmp(s->ends[i].domain, domain) == 0)
			return 1;
	for (i = 0; i < s->npending; i++)
		if (!s->pending[i].dead && strcmp(s->pending[i].domain, domain) == 0)
			return 1;
	return 0;
}

void
state_add_pending(struct state *s, const char *domain, const char *path)
{
	GROW(s->pending, s->npending, s->pending_cap);
	s->pending[s->npending].domain = xstrdup(domain);
	s->pending[s->npending].path = xstrdup(path);
	s->pending[s->npending].dead = 0;
	s->npending++;
}

int
state_is_pending(const struct state *s, const char *domain, const char *path)
{
	size_t i;

	for (i = 0; i < s->npending; i++)
		if (!s->pending[i].dead && strcmp(s->pending[i].domain, domain) == 0 &&
		    strcmp(s->pending[i].path, path) == 0)
			return 1;
	return 0;
}

void
state_clear_pending(struct state *s, const char *domain)
{
	size_t i;

	for (i = 0; i < s->npending; i++)
		if (strcmp(s->pending[i].domain, domain) == 0)
			s->pending[i].dead = 1;
}

/* --- the file --- */

/* Fields are separated by spaces; names and paths may hold any byte but NUL. */
static void
put_field(FILE *f, const char *v)
{
	putc(' ', f);
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;

		if (c <= 0x20 || c == 0x7f || c == '%')
			fprintf(f, "%%%02X", c);
		else
			putc(c, f);
	}
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the next field of *cur in place; NULL when there is none or it is bad. */
static char *
take_field(char **cur)
{
	char *start = *cur, *r, *w;

	if (*start == '\0')
		return NULL;
	r = w = start;
	while (*r != '\0' && *r != ' ') {
		if (*r == '%') {
			int hi = hexval(r[1]), lo = hi < 0 ? -1 : hexval(r[2]);

			if (lo < 0 || (hi == 0 && lo == 0))
				return NULL;
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*cur = *r == ' ' ? r + 1 : r;
	*w = '\0';
	return start;
}

/* The next field of *cur as a number of at most max; -1 when bad. */
static int
take_number(char **cur, unsigned long long max, unsigned long long *v)
{
	char *a = take_field(cur), *end;

	if (a == NULL || *a < '0' || *a > '9')
		return -1;
	errno = 0;
	*v = strtoull(a, &end, 10);
	return errno || *end != '\0' || *v > max ? -1 : 0;
}

/* "DEV INO BIRTH_SEC BIRTH_NSEC", all 0 for none. */
static int
take_fifo(char **cur, struct state_fifo *f)
{
	unsigned long long dev, ino, sec, nsec;

	if (take_number(cur, ULLONG_MAX, &dev) < 0 || take_number(cur, ULLONG_MAX, &ino) < 0 ||
	    take_number(cur, LLONG_MAX, &sec) < 0 || take_number(cur, 999999999, &nsec) < 0)
		return -1;
	f->dev = (dev_t)dev;
	f->ino = (ino_t)ino;
	f->birth.tv_sec = (time_t)sec;
	f->birth.tv_nsec = (long)nsec;
	return 0;
}

/* "LINK DOMAIN PATH DIR_DEV DIR_INO" and the FIFOs at PATH.in and PATH.out. */
static int
parse_end(struct state *s, char *cur)
{
	char *link, *domain, *path;
	struct state_fifo f[2];
	struct state_end *e;
	struct stat dir, st;
	unsigned long long dev, ino;
	int k;

	if ((link = take_field(&cur)) == NULL || (domain = take_field(&cur)) == NULL ||
	    (path = take_field(&cur)) == NULL || path[0] != '/' ||
	    take_number(&cur, ULLONG_MAX, &dev) < 0 || take_number(&cur, ULLONG_MAX, &ino) < 0 ||
	    take_fifo(&cur, &f[0]) < 0 || take_fifo(&cur, &f[1]) < 0 || *cur != '\0')
		return -1;
	memset(&dir, 0, sizeof(dir));
	dir.st_dev = (dev_t)dev;
	dir.st_ino = (ino_t)ino;
	e = state_set_end(s, link, domain, path, &dir);
	for (k = 0; k < 2; k++) {
		if (f[k].ino == 0)
			continue;
		memset(&st, 0, sizeof(st));
		st.st_mode = S_IFIFO;
		st.st_dev = f[k].dev;
		st.st_ino = f[k].ino;
		state_end_set(s, e, k, &st, &f[k].birth);
	}
	return 0;
}

/* --- state files of vserlink 0.1 --- */

/*
 * Version 1 kept the hook's FIFOs in one list, tied to no name. The first
 * event after an upgrade gives each to the end's name it is found under, and
 * forgets the rest: what was linked goes on working, and nothing else is
 * taken for the hook's.
 */
struct legacy {
	struct state_fifo	*v;
	size_t			 n, cap;
};

static int
parse_v1(struct state *s, const char *kind, char *cur, struct legacy *l)
{
	unsigned long long dev, ino, sec = 0, nsec = 0;
	char *link, *domain, *path;
	struct stat none;

	if (strcmp(kind, "end") == 0) {
		if ((link = take_field(&cur)) == NULL || (domain = take_field(&cur)) == NULL ||
		    (path = take_field(&cur)) == NULL || path[0] != '/' || *cur != '\0')
			return -1;
		memset(&none, 0, sizeof(none));
		state_set_end(s, link, domain, path, &none);
		return 0;
	}
	if (strcmp(kind, "fifo") != 0 ||
	    take_number(&cur, ULLONG_MAX, &dev) < 0 || take_number(&cur, ULLONG_MAX, &ino) < 0 ||
	    (*cur != '\0' && (take_number(&cur, LLONG_MAX, &sec) < 0 ||
	    take_number(&cur, 999999999, &nsec) < 0)) || *cur != '\0')
		return -1;
	GROW(l->v, l->n, l->cap);
	l->v[l->n].dev = (dev_t)dev;
	l->v[l->n].ino = (ino_t)ino;
	l->v[l->n].birth.tv_sec = (time_t)sec;
	l->v[l->n].birth.tv_nsec = (long)nsec;
	l->n++;
	return 0;
}

/* Gives end e the FIFOs of the version 1 list that its names hold now. */
static void
adopt_v1_fifos(struct state *s, struct state_end *e, const struct legacy *l)
{
	char name[NAME_MAX + 1], msg[PATH_MAX + 128];
	const char *base = base_of(e->path);
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
		snprintf(name, sizeof(name), "%s%s", base, fifo_suffix[k]);
		if (fs_lstat_birth(fd, name, &st, &birth) < 0)
			continue;
		for (i = 0; i < l->n; i++)
			if (same_fifo(&l->v[i], &st, &birth))
				state_end_set(s, e, k, &st, &birth);
	}
	close(fd);
}

static void
upgrade_v1(struct state *s, struct legacy *l)
{
	size_t i;

	for (i = 0; i < s->nends; i++)
		if (!s->ends[i].dead)
			adopt_v1_fifos(s, &s->ends[i], l);
	/* The ends' directories are known only now. */
	free(s->by_place.slots);
	memset(&s->by_place, 0, sizeof(s->by_place));
	for (i = 0; i < s->nends; i++)
		index_put(s, &s->by_place, hash_place, i);
	free(l->v);
}

/* A line of the file; l is set for a file of version 1. */
static int
parse_line(struct state *s, char *line, struct legacy *l)
{
	char *cur = line, *kind = take_field(&cur), *domain, *path;

	if (kind == NULL)
		return -1;
	if (strcmp(kind, "pending") == 0) {
		if ((domain = take_field(&cur)) == NULL || (path = take_field(&cur)) == NULL ||
		    *cur != '\0')
			return -1;
		state_add_pending(s, domain, path);
		return 0;
	}
	if (l != NULL)
		return parse_v1(s, kind, cur, l);
	return strcmp(kind, "end") == 0 ? parse_end(s, cur) : -1;
}

static void
clear(struct state *s)
{
	size_t i;

	for (i = 0; i < s->nends; i++) {
		free(s->ends[i].link);
		free(s->ends[i].domain);
		free(s->ends[i].path);
	}
	for (i = 0; i < s->npending; i++) {
		free(s->pending[i].domain);
		free(s->pending[i].path);
	}
	free(s->ends);
	free(s->pending);
	free(s->by_end.slots);
	free(s->by_place.slots);
	free(s->by_inode.slots);
	s->ends = NULL;
	s->pending = NULL;
	s->nends = s->ends_cap = 0;
	s->npending = s->pending_cap = 0;
	memset(&s->by_end, 0, sizeof(s->by_end));
	memset(&s->by_place, 0, sizeof(s->by_place));
	memset(&s->by_inode, 0, sizeof(s->by_inode));
}

int
state_open(struct state *s, const char *dir, int create, char *msg, size_t msglen)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->lockfd = -1;
	s->dirfd = -1;
	s->dir = xstrdup(dir);
	if (!create) {
		/* Cheap test first: most events of most guests end here. */
		if (lstat(dir, &st) < 0 && errno == ENOENT)
			return 1;
	}
	if ((s->dirfd = fs_open_dir(dir, create, msg, msglen)) < 0)
		return -1;
	return 0;
}

static void
on_alarm(int sig)
{
	(void)sig;
}

int
state_lock(struct state *s, unsigned timeout, char *msg, size_t msglen)
{
	struct sigaction sa, old;
	struct stat st;
	int r, e;

	s->lockfd = openat(s->dirfd, LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	if (s->lockfd < 0 || fstat(s->lockfd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, LOCK_FILE,
		    s->lockfd < 0 ? strerror(errno) : "is not a regular file");
		return -1;
	}
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	/* Wait, but never forever: a hook must not hang libvirt. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	alarm(timeout);
	r = flock(s->lockfd, LOCK_EX);
	e = errno;
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (r < 0) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, LOCK_FILE,
		    e == EINTR ? "still locked by another vserlink after the time limit" : strerror(e));
		return -1;
	}
	return 0;
}

int
state_load(struct state *s, char *msg, size_t msglen)
{
	struct stat st;
	char *buf, *line, *next;
	struct legacy v1 = { NULL, 0, 0 }, *legacy = NULL;
	unsigned lineno = 0;
	ssize_t r;
	size_t n = 0;
	int fd;

	clear(s);
	fd = openat(s->dirfd, STATE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > MAX_STATE_SIZE) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, STATE_FILE,
		    fd < 0 ? strerror(errno) : "is not a regular file of sane size");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	buf = xcalloc(1, (size_t)st.st_size + 1);
	while (n < (size_t)st.st_size &&
	    ((r = read(fd, buf + n, (size_t)st.st_size - n)) > 0 || (r < 0 && errno == EINTR)))
		if (r > 0)
			n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (++lineno == 1) {
			if (strcmp(line, STATE_MAGIC) == 0)
				continue;
			if (strcmp(line, STATE_MAGIC_V1) == 0) {
				legacy = &v1;
				continue;
			}
		} else if (parse_line(s, line, legacy) == 0) {
			continue;
		}
		snprintf(msg, msglen, "%s/%s:%u: not a line vserlink wrote; remove the file if no linked guest runs",
		    s->dir, STATE_FILE, lineno);
		free(buf);
		free(v1.v);
		clear(s);
		return -1;
	}
	free(buf);
	if (legacy != NULL)
		upgrade_v1(s, legacy);
	return 0;
}

int
state_save(struct state *s, char *msg, size_t msglen)
{
	FILE *f;
	size_t i;
	int fd, e;

	fd = openat(s->dirfd, STATE_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, STATE_TMP, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fputs(STATE_MAGIC "\n", f);
	for (i = 0; i < s->nends; i++) {
		const struct state_end *end = &s->ends[i];
		int k;

		if (end->dead)
			continue;
		fputs("end", f);
		put_field(f, end->link);
		put_field(f, end->domain);
		put_field(f, end->path);
		fprintf(f, " %llu %llu", (unsigned long long)end->dir_dev,
		    (unsigned long long)end->dir_ino);
		for (k = 0; k < 2; k++)
			fprintf(f, " %llu %llu %llu %ld", (unsigned long long)end->fifo[k].dev,
			    (unsigned long long)end->fifo[k].ino,
			    (unsigned long long)end->fifo[k].birth.tv_sec, end->fifo[k].birth.tv_nsec);
		putc('\n', f);
	}
	for (i = 0; i < s->npending; i++) {
		if (s->pending[i].dead)
			continue;
		fputs("pending", f);
		put_field(f, s->pending[i].domain);
		put_field(f, s->pending[i].path);
		putc('\n', f);
	}
	if (fflush(f) != 0 || ferror(f)) {
		e = errno;
		fclose(f);
		snprintf(msg, msglen, "%s/%s: %s", s->dir, STATE_TMP, strerror(e));
		return -1;
	}
	FAULT_POINT("state_save: written, before rename");
	if (fclose(f) != 0 || renameat(s->dirfd, STATE_TMP, s->dirfd, STATE_FILE) < 0) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, STATE_FILE, strerror(errno));
		return -1;
	}
	FAULT_POINT("state_save: after rename");
	return 0;
}

void
state_close(struct state *s)
{
	clear(s);
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
	s->dir = NULL;
	s->lockfd = s->dirfd = -1;
}
