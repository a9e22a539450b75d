/* state.c: the files of the state, their indexes and the lock; see state.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "alloc.h"
#include "fault.h"
#include "fsops.h"
#include "state.h"
#include "state_file.h"

#define STATE_TMP	"state.new"
#define INDEX_TMP	"index.new"
#define LOCK_FILE	"lock"
#define MAX_STATE_SIZE	(64u << 20)

/* --- file names --- */

void
state_fname(const char *s, char out[NAME_MAX + 1])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t n = 0;
	const char *c;

	for (c = s; *c != '\0'; c++) {
		unsigned char b = (unsigned char)*c;

		h = (h ^ b) * 0x100000001b3ULL;
		if (n > NAME_MAX - 20)
			continue;
		if (b <= 0x20 || b == 0x7f || b == '%' || b == '/' || (c == s && b == '.'))
			n += (size_t)snprintf(out + n, 4, "%%%02X", b);
		else
			out[n++] = (char)b;
	}
	out[n] = '\0';
	/* Too long once escaped: a hash tells it apart, the records inside say what it is. */
	if (n > NAME_MAX - 20)
		snprintf(out + NAME_MAX - 20, 21, "#%016llx", (unsigned long long)h);
}

/* --- reading a file --- */

/* Reads name (in dirfd) whole: a buffer, NULL with errno ENOENT when missing, or NULL and msg. */
static char *
slurp(struct state *s, int dirfd, const char *name, const char *shown, char *msg, size_t msglen)
{
	struct stat st;
	char *buf;
	ssize_t r;
	size_t n = 0;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return NULL;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_STATE_SIZE) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, shown,
		    fd < 0 ? strerror(errno) : "is not a regular file of sane size");
		if (fd >= 0)
			close(fd);
		errno = EINVAL;
		return NULL;
	}
	buf = xcalloc(1, (size_t)st.st_size + 1);
	while (n < (size_t)st.st_size &&
	    ((r = read(fd, buf + n, (size_t)st.st_size - n)) > 0 || (r < 0 && errno == EINTR)))
		if (r > 0)
			n += (size_t)r;
	close(fd);
	return buf;
}

/* Adds the records of name to s: 0 (a missing file holds none), or -1 and msg. */
static int
read_records(struct state *s, int dirfd, const char *name, const char *shown, char *msg,
    size_t msglen)
{
	char *buf = slurp(s, dirfd, name, shown, msg, msglen);
	unsigned bad;

	if (buf == NULL)
		return errno == ENOENT ? 0 : -1;
	bad = codec_decode(buf, &s->r);
	free(buf);
	if (bad == 0)
		return 0;
	snprintf(msg, msglen, "%s/%s:%u: not a line vserlink wrote; remove the file if no linked guest runs",
	    s->dir, shown, bad);
	return -1;
}

static struct state_file *
file_get(struct state *s, const char *name)
{
	struct state_file *f;
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].name, name) == 0)
			return &s->files[i];
	GROW(s->files, s->nfiles, s->files_cap);
	f = &s->files[s->nfiles++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	return f;
}

/* --- the indexes --- */

static void
add_key(char ***keys, size_t *n, size_t *cap, char *key)
{
	GROW(*keys, *n, *cap);
	(*keys)[(*n)++] = key;
}

/* The index entries that lead to file name, from the records in memory. */
static void
keys_of(struct state *s, const char *name, char ***keys, size_t *n)
{
	char f[NAME_MAX + 1], x[NAME_MAX + 1];
	size_t i, cap = 0;
	int k;

	*keys = NULL;
	*n = 0;
	for (i = 0; i < s->r.nends; i++) {
		const struct state_end *e = s->r.ends[i];

		state_fname(e->link, f);
		if (strcmp(f, name) != 0)
			continue;
		state_fname(e->domain, x);
		add_key(keys, n, &cap, xasprintf("guests/%s/%s", x, name));
		state_fname(strrchr(e->path, '/') + 1, x);
		add_key(keys, n, &cap, xasprintf("places/%llu.%llu/%s",
		    (unsigned long long)e->dir_dev, (unsigned long long)e->dir_ino, x));
		for (k = 0; k < 2; k++)
			if (e->fifo[k].ino != 0)
				add_key(keys, n, &cap, xasprintf("fifos/%llu.%llu",
				    (unsigned long long)e->fifo[k].dev, (unsigned long long)e->fifo[k].ino));
	}
}

static int
has_key(char **keys, size_t n, const char *key)
{
	while (n-- > 0)
		if (strcmp(keys[n], key) == 0)
			return 1;
	return 0;
}

static void
free_keys(char **keys, size_t n)
{
	while (n-- > 0)
		free(keys[n]);
	free(keys);
}

int
state_index_get(struct state *s, const char *key, char out[NAME_MAX + 1])
{
	ssize_t n;

	if (s->dirfd < 0 || (n = readlinkat(s->dirfd, key, out, NAME_MAX)) <= 0)
		return -1;
	out[n] = '\0';
	return 0;
}

/* Makes the directories of key (in the state directory, which only root may write). */
static int
key_dirs(struct state *s, const char *key)
{
	char path[PATH_MAX];
	char *slash;

	snprintf(path, sizeof(path), "%s", key);
	for (slash = strchr(path, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdirat(s->dirfd, path, 0700) < 0 && errno != EEXIST)
			return -1;
		*slash = '/';
	}
	return 0;
}

/* key -> name, replacing what was there in one step. */
static int
index_put(struct state *s, const char *key, const char *name)
{
	unlinkat(s->dirfd, INDEX_TMP, 0);
	if (key_dirs(s, key) < 0 || symlinkat(name, s->dirfd, INDEX_TMP) < 0 ||
	    renameat(s->dirfd, INDEX_TMP, s->dirfd, key) < 0)
		return -1;
	return 0;
}

/* Removes key if it leads to name; then its directory, if it is empty. */
static void
index_drop(struct state *s, const char *key, const char *name)
{
	char to[NAME_MAX + 1], dir[PATH_MAX];

	if (state_index_get(s, key, to) < 0 || strcmp(to, name) != 0 ||
	    unlinkat(s->dirfd, key, 0) < 0)
		return;
	snprintf(dir, sizeof(dir), "%s", key);
	*strrchr(dir, '/') = '\0';
	if (strchr(dir, '/') != NULL)
		unlinkat(s->dirfd, dir, AT_REMOVEDIR);
}

/* --- loading --- */

int
state_load_file(struct state *s, const char *name)
{
	char msg[PATH_MAX + 256], shown[NAME_MAX + 8];
	struct state_file *f;
	size_t i;
	int dirfd, rc = 0;

	if (s->error != NULL)
		return -1;
	for (i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].name, name) == 0)
			return 0;
	/* A single file of before holds everything; the links' files are not read. */
	if (s->legacy || s->dirfd < 0)
		return 0;
	snprintf(shown, sizeof(shown), "links/%s", name);
	dirfd = openat(s->dirfd, "links", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd >= 0) {
		rc = read_records(s, dirfd, name, shown, msg, sizeof(msg));
		close(dirfd);
	}
	if (rc < 0) {
		s->error = xstrdup(msg);
		return -1;
	}
	f = file_get(s, name);
	keys_of(s, name, &f->keys, &f->nkeys);
	return 0;
}

/* Reads the files that the entries of directory path (in state_dir) name. */
static int
load_listed(struct state *s, const char *path, char *msg, size_t msglen)
{
	struct dirent *d;
	DIR *dir;
	int fd;

	if (s->legacy || s->dirfd < 0)
		return 0;
	fd = openat(s->dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((d = readdir(dir)) != NULL)
		if (d->d_name[0] != '.' && state_load_file(s, d->d_name) < 0)
			break;
	closedir(dir);
	if (s->error != NULL) {
		snprintf(msg, msglen, "%s", s->error);
		return -1;
	}
	return 0;
}

int
state_load_all(struct state *s, char *msg, size_t msglen)
{
	return load_listed(s, "links", msg, msglen);
}

int
state_load_domain(struct state *s, const char *domain, char *msg, size_t msglen)
{
	char name[NAME_MAX + 1], path[NAME_MAX + 16];

	state_fname(domain, name);
	snprintf(path, sizeof(path), "guests/%s", name);
	return load_listed(s, path, msg, msglen);
}

const char *
state_error(const struct state *s)
{
	return s->error;
}

void
state_mark(struct state *s, const char *link)
{
	char name[NAME_MAX + 1];

	state_fname(link, name);
	file_get(s, name)->changed = 1;
}

/* --- saving --- */

/* Replaces links/name with its records, or removes it when it has none. */
static int
write_file(struct state *s, const char *name, char *msg, size_t msglen)
{
	char path[NAME_MAX + 8];
	FILE *f = NULL;
	size_t i;
	int fd, e;

	snprintf(path, sizeof(path), "links/%s", name);
	for (i = 0; i < s->r.nends; i++) {
		char f_name[NAME_MAX + 1];

		state_fname(s->r.ends[i]->link, f_name);
		if (strcmp(f_name, name) == 0)
			break;
	}
	if (i == s->r.nends) {
		if (unlinkat(s->dirfd, path, 0) == 0 || errno == ENOENT)
			return 0;
		snprintf(msg, msglen, "%s/%s: %s", s->dir, path, strerror(errno));
		return -1;
	}
	fd = openat(s->dirfd, STATE_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, STATE_TMP, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	codec_encode(f, &s->r, s->r.ends[i]->link);
	if (fflush(f) != 0 || ferror(f)) {
		e = errno;
		fclose(f);
		snprintf(msg, msglen, "%s/%s: %s", s->dir, STATE_TMP, strerror(e));
		return -1;
	}
	FAULT_POINT("state_save: written, before rename");
	if (fclose(f) != 0 || (mkdirat(s->dirfd, "links", 0700) < 0 && errno != EEXIST) ||
	    renameat(s->dirfd, STATE_TMP, s->dirfd, path) < 0) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, path, strerror(errno));
		return -1;
	}
	FAULT_POINT("state_save: after rename");
	return 0;
}

/* A file and its indexes: new entries before the records, old ones after. */
static int
save_file(struct state *s, struct state_file *f, char *msg, size_t msglen)
{
	char **keys;
	size_t i, n;

	keys_of(s, f->name, &keys, &n);
	for (i = 0; i < n; i++) {
		if (!has_key(f->keys, f->nkeys, keys[i]) && index_put(s, keys[i], f->name) < 0) {
			snprintf(msg, msglen, "%s/%s: %s", s->dir, keys[i], strerror(errno));
			free_keys(keys, n);
			return -1;
		}
	}
	if (write_file(s, f->name, msg, msglen) < 0) {
		free_keys(keys, n);
		return -1;
	}
	for (i = 0; i < f->nkeys; i++)
		if (!has_key(keys, n, f->keys[i]))
			index_drop(s, f->keys[i], f->name);
	free_keys(f->keys, f->nkeys);
	f->keys = keys;
	f->nkeys = n;
	f->changed = 0;
	return 0;
}

int
state_save(struct state *s, char *msg, size_t msglen)
{
	size_t i;

	if (s->error != NULL) {
		snprintf(msg, msglen, "%s", s->error);
		return -1;
	}
	for (i = 0; i < s->nfiles; i++)
		if (s->files[i].changed && save_file(s, &s->files[i], msg, msglen) < 0)
			return -1;
	/* Spread over the links' files now: the single file of before goes. */
	if (s->legacy && unlinkat(s->dirfd, STATE_LEGACY_FILE, 0) < 0 && errno != ENOENT) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, STATE_LEGACY_FILE, strerror(errno));
		return -1;
	}
	s->legacy = 0;
	return 0;
}

/* --- a single state file of before --- */

static int
same_fifo(const struct state_fifo *f, const struct stat *st, const struct timespec *birth)
{
	return state_end_has(&(struct state_end){ .fifo = { *f, *f } }, 0, st, birth);
}

/*
 * Version 1 kept the hook's FIFOs in one list, tied to no name. Each goes to
 * the end's name it is found under now, and the rest is forgotten: what was
 * linked goes on working, and nothing else is taken for the hook's.
 */
static void
adopt_v1_fifos(struct state *s, struct state_end *e)
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
		for (i = 0; i < s->r.nv1; i++)
			if (same_fifo(&s->r.v1[i], &st, &birth))
				state_end_set(s, e, k, &st, &birth);
	}
	close(fd);
}

int
state_load(struct state *s, char *msg, size_t msglen)
{
	size_t i;

	if (s->dirfd < 0)
		return 0;
	if (read_records(s, s->dirfd, STATE_LEGACY_FILE, STATE_LEGACY_FILE, msg, msglen) < 0)
		return -1;
	if (faccessat(s->dirfd, STATE_LEGACY_FILE, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	s->legacy = 1;
	for (i = 0; i < s->r.nends; i++) {
		if (s->r.v1_file)
			adopt_v1_fifos(s, s->r.ends[i]);
		state_mark(s, s->r.ends[i]->link);
	}
	return s->lockfd >= 0 ? state_save(s, msg, msglen) : 0;
}

/* --- opening, locking, closing --- */

int
state_open(struct state *s, const char *dir, int create, char *msg, size_t msglen)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->lockfd = -1;
	s->dir = xstrdup(dir);
	/* Cheap test first: most events of most guests end here. */
	if (!create && lstat(dir, &st) < 0 && errno == ENOENT) {
		s->dirfd = -1;
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

void
state_close(struct state *s)
{
	size_t i;

	records_free(&s->r);
	for (i = 0; i < s->nfiles; i++) {
		free(s->files[i].name);
		free_keys(s->files[i].keys, s->files[i].nkeys);
	}
	free(s->files);
	free(s->error);
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
	memset(s, 0, sizeof(*s));
	s->lockfd = s->dirfd = -1;
}
