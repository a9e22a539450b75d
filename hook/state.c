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
#include "fsops.h"
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

int
state_read_records(struct state *s, const char *path, struct state_records *r, char *msg,
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

static struct state_file *
file_find(struct state *s, const char *name)
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

/* Reads domains/name once. */
static struct state_file *
load_file(struct state *s, const char *name)
{
	char msg[PATH_MAX + 256], shown[NAME_MAX + sizeof(STATE_FILES) + 1];
	struct state_records r = { 0 };
	struct state_file *f;

	if ((f = file_find(s, name)) != NULL || s->error != NULL)
		return f;
	/* A layout of before holds everything; the guests' files are not read. */
	if (!s->legacy && s->dirfd >= 0) {
		snprintf(shown, sizeof(shown), STATE_FILES "/%s", name);
		if (state_read_records(s, shown, &r, msg, sizeof(msg)) < 0) {
			records_free(&r);
			s->error = xstrdup(msg);
			return NULL;
		}
	}
	f = file_add(s, name);
	f->r = r;
	return f;
}

struct state_file *
state_file_of(struct state *s, const char *domain)
{
	char name[NAME_MAX + 1];

	state_fname(domain, name);
	return load_file(s, name);
}

static int
not_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/*
 * Reads every guest's file, in the order of their names: a FIFO two ends
 * record is then shown as the same one's whatever order the files were made in.
 */
int
state_load_all(struct state *s, char *msg, size_t msglen)
{
	struct dirent **d = NULL;
	int fd, i, n = -1;

	s->all = 1;
	if (s->legacy || s->dirfd < 0)
		return 0;
	fd = openat(s->dirfd, STATE_FILES, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		n = scandirat(fd, ".", &d, not_dot, alphasort);
		close(fd);
	}
	for (i = 0; i < n; i++) {
		if (s->error == NULL)
			(void)load_file(s, d[i]->d_name);
		free(d[i]);
	}
	free(d);
	if (s->error != NULL) {
		snprintf(msg, msglen, "%s", s->error);
		return -1;
	}
	return 0;
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
	if (state_file_of(s, domain) != NULL)
		return 0;
	snprintf(msg, msglen, "%s", s->error);
	return -1;
}

const char *
state_error(const struct state *s)
{
	return s->error;
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

	for (i = 0; i < s->nfiles; i++) {
		records_free(&s->files[i]->r);
		free(s->files[i]->name);
	}
	free(s->files);
	tdestroy(s->by_name, free);	/* the files themselves */
	free(s->error);
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
	memset(s, 0, sizeof(*s));
	s->lockfd = s->dirfd = -1;
}
