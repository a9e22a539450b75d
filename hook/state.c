/* state.c: see state.h. */
#include <errno.h>
#include <fcntl.h>
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
#define STATE_MAGIC	"vserlink-state 1"
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
hash_path(const struct state *s, size_t i)
{
	return fnv(FNV_SEED, s->ends[i].path);
}

static uint64_t
hash_inode(const struct state *s, size_t i)
{
	return inode_hash(s->fifos[i].dev, s->fifos[i].ino);
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

/* --- the three kinds of facts --- */

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

static int
match_path(const struct state *s, size_t i, const void *key)
{
	return !s->ends[i].dead && strcmp(s->ends[i].path, key) == 0;
}

struct inode_key {
	const struct stat	*st;
	const struct timespec	*birth;
};

static int
same_birth(const struct timespec *a, const struct timespec *b)
{
	/* Unknown on either side: device and inode are all there is. */
	if ((a->tv_sec == 0 && a->tv_nsec == 0) || (b->tv_sec == 0 && b->tv_nsec == 0))
		return 1;
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static int
match_inode(const struct state *s, size_t i, const void *key)
{
	const struct inode_key *k = key;

	return !s->fifos[i].dead && s->fifos[i].dev == k->st->st_dev &&
	    s->fifos[i].ino == k->st->st_ino && same_birth(&s->fifos[i].birth, k->birth);
}

struct state_end *
state_find_end(struct state *s, const char *link, const char *domain)
{
	struct end_key k = { link, domain };
	long i = index_get(s, &s->by_end, end_key_hash(link, domain), match_end, &k);

	return i < 0 ? NULL : &s->ends[i];
}

struct state_end *
state_end_at(struct state *s, const char *path)
{
	long i = index_get(s, &s->by_path, fnv(FNV_SEED, path), match_path, path);

	return i < 0 ? NULL : &s->ends[i];
}

static void
add_end(struct state *s, char *link, char *domain, char *path)
{
	struct state_end *e;

	GROW(s->ends, s->nends, s->ends_cap);
	e = &s->ends[s->nends];
	e->link = link;
	e->domain = domain;
	e->path = path;
	e->dead = 0;
	index_put(s, &s->by_end, hash_end, s->nends);
	index_put(s, &s->by_path, hash_path, s->nends);
	s->nends++;
}

void
state_set_end(struct state *s, const char *link, const char *domain,
    const char *path)
{
	struct state_end *e = state_find_end(s, link, domain);

	if (e != NULL) {
		if (strcmp(e->path, path) == 0)
			return;
		e->dead = 1;
	}
	add_end(s, xstrdup(link), xstrdup(domain), xstrdup(path));
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

int
state_is_ours(struct state *s, const struct stat *st, const struct timespec *birth)
{
	struct inode_key k = { st, birth };

	return S_ISFIFO(st->st_mode) &&
	    index_get(s, &s->by_inode, inode_hash(st->st_dev, st->st_ino),
	    match_inode, &k) >= 0;
}

static void
add_fifo(struct state *s, dev_t dev, ino_t ino, const struct timespec *birth)
{
	GROW(s->fifos, s->nfifos, s->fifos_cap);
	s->fifos[s->nfifos].dev = dev;
	s->fifos[s->nfifos].ino = ino;
	s->fifos[s->nfifos].birth = *birth;
	s->fifos[s->nfifos].dead = 0;
	index_put(s, &s->by_inode, hash_inode, s->nfifos);
	s->nfifos++;
}

void
state_add_fifo(struct state *s, const struct stat *st, const struct timespec *birth)
{
	if (!state_is_ours(s, st, birth))
		add_fifo(s, st->st_dev, st->st_ino, birth);
}

void
state_drop_fifo(struct state *s, const struct stat *st, const struct timespec *birth)
{
	struct inode_key k = { st, birth };
	long i = index_get(s, &s->by_inode, inode_hash(st->st_dev, st->st_ino),
	    match_inode, &k);

	if (i >= 0)
		s->fifos[i].dead = 1;
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

static int
parse_line(struct state *s, char *line)
{
	char *cur = line, *kind = take_field(&cur);
	char *a, *b, *c, *end;
	unsigned long long dev, ino;

	if (kind == NULL)
		return -1;
	if (strcmp(kind, "end") == 0) {
		if ((a = take_field(&cur)) == NULL || (b = take_field(&cur)) == NULL ||
		    (c = take_field(&cur)) == NULL || *cur != '\0')
			return -1;
		add_end(s, xstrdup(a), xstrdup(b), xstrdup(c));
	} else if (strcmp(kind, "fifo") == 0) {
		struct timespec birth = { 0, 0 };

		if ((a = take_field(&cur)) == NULL || (b = take_field(&cur)) == NULL)
			return -1;
		errno = 0;
		dev = strtoull(a, &end, 10);
		if (errno || *end != '\0')
			return -1;
		ino = strtoull(b, &end, 10);
		if (errno || *end != '\0')
			return -1;
		/* Birth seconds and nanoseconds, where the file system has them. */
		if (*cur != '\0') {
			unsigned long long sec, nsec;

			if ((a = take_field(&cur)) == NULL || (b = take_field(&cur)) == NULL ||
			    *cur != '\0')
				return -1;
			sec = strtoull(a, &end, 10);
			if (errno || *end != '\0')
				return -1;
			nsec = strtoull(b, &end, 10);
			if (errno || *end != '\0' || nsec >= 1000000000ULL)
				return -1;
			birth.tv_sec = (time_t)sec;
			birth.tv_nsec = (long)nsec;
		}
		add_fifo(s, (dev_t)dev, (ino_t)ino, &birth);
	} else if (strcmp(kind, "pending") == 0) {
		if ((a = take_field(&cur)) == NULL || (b = take_field(&cur)) == NULL ||
		    *cur != '\0')
			return -1;
		state_add_pending(s, a, b);
	} else {
		return -1;
	}
	return 0;
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
	free(s->fifos);
	free(s->pending);
	free(s->by_end.slots);
	free(s->by_path.slots);
	free(s->by_inode.slots);
	s->ends = NULL;
	s->fifos = NULL;
	s->pending = NULL;
	s->nends = s->ends_cap = s->nfifos = s->fifos_cap = 0;
	s->npending = s->pending_cap = 0;
	memset(&s->by_end, 0, sizeof(s->by_end));
	memset(&s->by_path, 0, sizeof(s->by_path));
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
		} else if (parse_line(s, line) == 0) {
			continue;
		}
		snprintf(msg, msglen, "%s/%s:%u: not a line vserlink wrote; remove the file if no linked guest runs",
		    s->dir, STATE_FILE, lineno);
		free(buf);
		clear(s);
		return -1;
	}
	free(buf);
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
		if (s->ends[i].dead)
			continue;
		fputs("end", f);
		put_field(f, s->ends[i].link);
		put_field(f, s->ends[i].domain);
		put_field(f, s->ends[i].path);
		putc('\n', f);
	}
	for (i = 0; i < s->nfifos; i++)
		if (!s->fifos[i].dead)
			fprintf(f, "fifo %llu %llu %llu %ld\n", (unsigned long long)s->fifos[i].dev,
			    (unsigned long long)s->fifos[i].ino,
			    (unsigned long long)s->fifos[i].birth.tv_sec, s->fifos[i].birth.tv_nsec);
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
