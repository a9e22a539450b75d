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
	state_keys_of(s, name, &f->keys, &f->nkeys);
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
		state_free_keys(s->files[i].keys, s->files[i].nkeys);
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
