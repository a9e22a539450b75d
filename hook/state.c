/* state.c: the files of the state, read, and the lock; see state.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <search.h>
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
#include "read_all.h"
#include "state.h"
#include "state_file.h"

#define LOCK_FILE	"lock"
#define MAX_STATE_SIZE	(64u << 20)

/* --- file names --- */

static uint64_t
fnv(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

void
state_fname(const char *s, char out[NAME_MAX + 1])
{
	size_t n = 0;
	const char *c;

	for (c = s; *c != '\0'; c++) {
		unsigned char b = (unsigned char)*c;

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
		snprintf(out + NAME_MAX - 20, 21, "#%016llx", (unsigned long long)fnv(s));
}

/* --- reading a file --- */

/*
 * Adds the records of file path (in state_dir) to r: 0; 1 when there is no
 * such file (it holds none); -1 with a reason in msg.
 */
static int
read_records(struct state *s, const char *path, struct state_records *r, char *msg,
    size_t msglen)
{
	int fd = openat(s->dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	unsigned bad;
	size_t len;
	char *buf;

	if (fd < 0 && errno == ENOENT)
		return 1;
	buf = NULL;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= MAX_STATE_SIZE)
		buf = read_all(fd, MAX_STATE_SIZE, &len);
	if (buf == NULL) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, path,
		    fd < 0 ? strerror(errno) : "is not a regular file of sane size");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	bad = codec_decode(buf, r);
	free(buf);
	if (bad == 0)
		return 0;
	snprintf(msg, msglen, "%s/%s:%u: not a line vserlink wrote; remove the file if no linked guest runs",
	    s->dir, path, bad);
	return -1;
}

/* --- the files loaded, by name (a tsearch tree; a file's name is its first member) --- */

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct state_file *
state_file_find(struct state *s, const char *name)
{
	void *hit = tfind(&name, &s->by_name, cmp_name);

	return hit != NULL ? *(struct state_file **)hit : NULL;
}

/* A file called name, not loaded before, holding nothing yet. */
static struct state_file *
file_add(struct state *s, const char *name)
{
	struct state_file *f;

	GROW(s->files, s->nfiles, s->files_cap);
	f = s->files[s->nfiles++] = xcalloc(1, sizeof(*f));
	f->name = xstrdup(name);
	xchecked(tsearch(f, &s->by_name, cmp_name));
	return f;
}

struct state_file *
state_load_file(struct state *s, const char *name)
{
	char msg[PATH_MAX + 256], shown[NAME_MAX + 8];
	struct state_records r = { 0 };
	struct state_file *f;

	if ((f = state_file_find(s, name)) != NULL || s->error != NULL)
		return f;
	/* A single file of before holds everything; the links' files are not read. */
	if (!s->legacy && s->dirfd >= 0) {
		snprintf(shown, sizeof(shown), "links/%s", name);
		if (read_records(s, shown, &r, msg, sizeof(msg)) < 0) {
			records_free(&r);
			s->error = xstrdup(msg);
			return NULL;
		}
	}
	f = file_add(s, name);
	f->r = r;
	state_keys_of(f, &f->keys, &f->nkeys);
	return f;
}

struct state_file *
state_file_of(struct state *s, const char *link)
{
	char name[NAME_MAX + 1];

	state_fname(link, name);
	return state_load_file(s, name);
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
		if (d->d_name[0] != '.' && state_load_file(s, d->d_name) == NULL)
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
	s->all = 1;
	return load_listed(s, "links", msg, msglen);
}

int
state_load_rest(struct state *s)
{
	char msg[PATH_MAX + 256];

	if (s->all || s->error != NULL)
		return 0;
	return state_load_all(s, msg, sizeof(msg)) == 0;
}

int
state_load_domain(struct state *s, const char *domain, char *msg, size_t msglen)
{
	char *path = state_key_guest(domain, NULL);
	int rc = load_listed(s, path, msg, msglen);

	free(path);
	return rc;
}

const char *
state_error(const struct state *s)
{
	return s->error;
}

/* --- a single state file of before --- */

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
 * A link's file to put records in: emptied first when they replace its own
 * (an intent holds whole files); NULL when it cannot be read.
 */
static struct state_file *
file_to_fill(struct state *s, const char *link, int replace)
{
	struct state_file *f = state_file_of(s, link);

	if (f == NULL)
		return NULL;
	if (replace && !f->changed)
		records_free(&f->r);
	f->changed = 1;
	return f;
}

/*
 * Each end of a single file of before, or of an intent, goes to its link's
 * file, with its pending names.
 */
static void
spread(struct state *s, struct state_records *from, int replace)
{
	struct state_end *e;
	struct state_file *f;
	size_t i;

	for (i = 0; i < from->npending; i++) {
		e = (struct state_end *)(uintptr_t)records_end_of_name(from,
		    from->pending[i].domain, from->pending[i].path);
		if (e != NULL && (f = file_to_fill(s, e->link, replace)) != NULL)
			records_add_pending(&f->r, from->pending[i].domain, from->pending[i].path);
	}
	for (i = 0; i < from->nends; i++) {
		e = from->ends[i];
		if (from->v1_file)
			adopt_v1_fifos(from, e);
		if ((f = file_to_fill(s, e->link, replace)) == NULL)
			break;
		GROW(f->r.ends, f->r.nends, f->r.ends_cap);
		f->r.ends[f->r.nends++] = e;
	}
	/* The first i went over; the rest, if a file could not be read, go with from. */
	memmove(from->ends, from->ends + i, (from->nends - i) * sizeof(*from->ends));
	from->nends -= i;
	records_free(from);
}

/* Spreads the records of file path: 1; 0 when there is no such file; -1 with a reason in msg. */
static int
read_spread(struct state *s, const char *path, int replace, char *msg, size_t msglen)
{
	struct state_records r = { 0 };
	int rc = read_records(s, path, &r, msg, msglen);

	if (rc != 0) {
		records_free(&r);
		return rc < 0 ? -1 : 0;
	}
	spread(s, &r, replace);
	return 1;
}

int
state_load(struct state *s, char *msg, size_t msglen)
{
	int rc;

	if (s->dirfd < 0)
		return 0;
	/* A single file of before holds every record: links/ is not read then. */
	s->legacy = 1;
	if ((rc = read_spread(s, STATE_LEGACY_FILE, 0, msg, msglen)) != 1) {
		s->legacy = 0;
		if (rc == 0 && (rc = read_spread(s, STATE_INTENT, 1, msg, msglen)) == 1)
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

/* The tree's files are freed with files[]. */
static void
keep(void *f)
{
	(void)f;
}

void
state_close(struct state *s)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++) {
		records_free(&s->files[i]->r);
		free(s->files[i]->name);
		state_free_keys(s->files[i]->keys, s->files[i]->nkeys);
		free(s->files[i]);
	}
	free(s->files);
	tdestroy(s->by_name, keep);
	free(s->error);
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
	memset(s, 0, sizeof(*s));
	s->lockfd = s->dirfd = -1;
}
