/* state.c: the files of the state, read and written, and the lock; see state.h. */
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
#include "state.h"

#define LOCK_FILE	"lock"
#define MAX_STATE_SIZE	(64u << 20)
#define STATE_TMP	"state.new"

/* A guest's file name in domains/: escaped, and hashed if too long. */
static void
state_fname(const char *s, char out[NAME_MAX + 1])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t n = 0;
	const char *c;

	for (c = s; *c != '\0' && n <= NAME_MAX - 20; c++) {
		unsigned char b = (unsigned char)*c;

		if (b <= 0x20 || b == 0x7f || b == '%' || b == '/' || (c == s && b == '.'))
			n += (size_t)snprintf(out + n, 4, "%%%02X", b);
		else
			out[n++] = (char)b;
	}
	out[n] = '\0';
	/* Too long once escaped: an FNV-1a hash tells it apart, the records inside say what it is. */
	if (n > NAME_MAX - 20) {
		for (c = s; *c != '\0'; c++)
			h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
		snprintf(out + NAME_MAX - 20, 21, "#%016llx", (unsigned long long)h);
	}
}

int
state_read_records(struct state *s, const char *path, struct state_records *r, char *msg,
    size_t msglen)
{
	int fd = openat(s->dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	char *buf = NULL;
	unsigned bad;
	size_t len;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= MAX_STATE_SIZE)
		buf = read_all(fd, MAX_STATE_SIZE, &len);
	if (fd >= 0)
		close(fd);
	if (buf == NULL) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, path,
		    fd < 0 ? strerror(errno) : "is not a regular file of sane size");
		return -1;
	}
	bad = codec_decode(buf, r);
	free(buf);
	if (bad == 0)
		return 1;
	snprintf(msg, msglen, "%s/%s:%u: not a line vserlink wrote; remove the file if no linked guest runs",
	    s->dir, path, bad);
	return -1;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads domains/name once. */
static struct state_file *
load_file(struct state *s, const char *name)
{
	char msg[PATH_MAX + 256], shown[NAME_MAX + sizeof(STATE_FILES) + 1];
	struct state_file *f, **hit = tfind(&name, &s->by_name, cmp_name);
	struct state_records r = { 0 };

	if (hit != NULL || s->error != NULL)
		return hit != NULL ? *hit : NULL;
	/* A layout of before holds everything; the guests' files are not read. */
	if (!s->legacy && s->dirfd >= 0) {
		snprintf(shown, sizeof(shown), STATE_FILES "/%s", name);
		if (state_read_records(s, shown, &r, msg, sizeof(msg)) < 0) {
			records_free(&r);
			s->error = xstrdup(msg);
			return NULL;
		}
	}
	GROW(s->files, s->nfiles, s->files_cap);
	f = s->files[s->nfiles++] = xcalloc(1, sizeof(*f));
	f->name = xstrdup(name);
	f->r = r;
	xchecked(tsearch(f, &s->by_name, cmp_name));
	return f;
}

struct state_file *
state_file_of(struct state *s, const char *domain)
{
	char name[NAME_MAX + 1];

	state_fname(domain, name);
	return load_file(s, name);
}

int
state_has_domain(struct state *s, const char *domain)
{
	char path[NAME_MAX + sizeof(STATE_FILES) + 1];
	/* Its file, or records that the next locked event puts in the guests' files. */
	const char *name[] = { path, STATE_INTENT, STATE_LEGACY_FILE, STATE_LEGACY_LINKS };
	struct stat st;
	size_t i;

	if (s->dirfd < 0)
		return 0;
	state_fname(domain, path + snprintf(path, sizeof(path), "%s/", STATE_FILES));
	for (i = 0; i < sizeof(name) / sizeof(name[0]); i++)
		if (fstatat(s->dirfd, name[i], &st, AT_SYMLINK_NOFOLLOW) == 0)
			return 1;
	/* Or a domains/ that is no directory, which state_load refuses: not silently. */
	return fstatat(s->dirfd, STATE_FILES, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode);
}

/*
 * Reads the guests' files not read yet, in the order of their names: a FIFO
 * two ends record is then shown as the same one's whatever order the files
 * were made in.
 */
int
state_load_all(struct state *s, char *msg, size_t msglen)
{
	struct dirent **d = NULL;
	int fd, i, n = -1, done = s->all || s->error != NULL;

	s->all = 1;
	if (!done && !s->legacy && s->dirfd >= 0) {
		fd = openat(s->dirfd, STATE_FILES, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			n = scandirat(fd, ".", &d, NULL, alphasort);
		/* No domains/ yet holds no records; one that cannot be read is not an empty one. */
		if (n < 0 && errno != ENOENT)
			s->error = xasprintf("%s/%s: %s", s->dir, STATE_FILES, strerror(errno));
		if (fd >= 0)
			close(fd);
		for (i = 0; i < n; i++) {
			if (s->error == NULL && d[i]->d_name[0] != '.')
				(void)load_file(s, d[i]->d_name);
			free(d[i]);
		}
		free(d);
	}
	if (s->error == NULL)
		return !done;
	if (msg != NULL)
		snprintf(msg, msglen, "%s", s->error);
	return -1;
}

/*
 * Replaces file path (in state_dir) with the records of those of the n
 * files of f that changed (one file, or all of them: an intent): a whole
 * new file, renamed over the old.
 */
static int
write_records(struct state *s, const char *path, struct state_file *const *f, size_t n,
    char *msg, size_t msglen)
{
	FILE *out = NULL;
	size_t i;
	int fd;

	fd = openat(s->dirfd, STATE_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, STATE_TMP, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fputs(STATE_MAGIC "\n", out);
	for (i = 0; i < n; i++)
		if (f[i]->changed)
			codec_encode_ends(out, &f[i]->r);
	if (fflush(out) != 0 || ferror(out)) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, STATE_TMP, strerror(errno));
		fclose(out);
		return -1;
	}
	FAULT_POINT("state_save: written, before rename");
	if (fclose(out) != 0 || (renameat(s->dirfd, STATE_TMP, s->dirfd, path) < 0 &&
	    (errno != ENOENT || mkdirat(s->dirfd, STATE_FILES, 0700) < 0 ||
	    renameat(s->dirfd, STATE_TMP, s->dirfd, path) < 0))) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, path, strerror(errno));
		return -1;
	}
	FAULT_POINT("state_save: after rename");
	return 0;
}

void
state_remove_tree(int dirfd, const char *path, int depth)
{
	struct dirent *d;
	DIR *dir;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((d = readdir(dir)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0 &&
		    unlinkat(fd, d->d_name, 0) < 0 && errno == EISDIR && depth > 1)
			state_remove_tree(fd, d->d_name, depth - 1);
	closedir(dir);
	unlinkat(dirfd, path, AT_REMOVEDIR);
}

/*
 * The layout of before goes once the guests' files hold its records: links/
 * in one step, by a rename (a run that dies after it has nothing left to
 * read there, and the next one removes links.old/), then the single file of
 * before. The indexes of before (guests/GUEST/FILE, fifos/, places/) nothing reads.
 * NULL, or the name that could not be removed (errno says why).
 */
static const char *
retire_legacy(struct state *s)
{
	const char *index[] = { STATE_LINKS_OLD, "guests", "fifos", "places" };
	size_t i;

	for (i = 0; i < sizeof(index) / sizeof(index[0]); i++)
		state_remove_tree(s->dirfd, index[i], i == 0 ? 1 : 2);
	if (renameat(s->dirfd, STATE_LEGACY_LINKS, s->dirfd, STATE_LINKS_OLD) < 0 && errno != ENOENT)
		return STATE_LEGACY_LINKS;
	FAULT_POINT("state_save: links/ of before renamed away");
	if (unlinkat(s->dirfd, STATE_LEGACY_FILE, 0) < 0 && errno != ENOENT)
		return STATE_LEGACY_FILE;
	state_remove_tree(s->dirfd, STATE_LINKS_OLD, 1);
	return NULL;
}

int
state_save(struct state *s, char *msg, size_t msglen)
{
	char path[NAME_MAX + sizeof(STATE_FILES) + 1];
	const char *failed = NULL;
	struct state_file *f;
	size_t i;

	if (s->error != NULL) {
		snprintf(msg, msglen, "%s", s->error);
		return -1;
	}
	/* Each changed guest's file is replaced whole, or removed when it has no ends left. */
	for (i = 0; i < s->nfiles; i++) {
		f = s->files[i];
		if (!f->changed)
			continue;
		snprintf(path, sizeof(path), "%s/%s", STATE_FILES, f->name);
		if (f->r.nends > 0 && write_records(s, path, &f, 1, msg, msglen) < 0)
			return -1;
		if (f->r.nends == 0 && unlinkat(s->dirfd, path, 0) < 0 && errno != ENOENT) {
			snprintf(msg, msglen, "%s/%s: %s", s->dir, path, strerror(errno));
			return -1;
		}
		f->changed = 0;
	}
	/* In the guests' files now: the layout of before, or the intent, goes. */
	if (s->legacy)
		failed = retire_legacy(s);
	if (failed == NULL && s->intent && unlinkat(s->dirfd, STATE_INTENT, 0) < 0 && errno != ENOENT)
		failed = STATE_INTENT;
	if (failed != NULL) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, failed, strerror(errno));
		return -1;
	}
	s->legacy = s->intent = 0;
	return 0;
}

int
state_save_intent(struct state *s, char *msg, size_t msglen)
{
	size_t i, n = 0;

	for (i = 0; i < s->nfiles; i++) {
		n += s->files[i]->changed;
		/* A file with no records left is only a removal: no intent to keep. */
		if (s->files[i]->changed && s->files[i]->r.nends == 0)
			return state_save(s, msg, msglen);
	}
	if (n == 0 || s->error != NULL)
		return state_save(s, msg, msglen);
	if (write_records(s, STATE_INTENT, s->files, s->nfiles, msg, msglen) < 0)
		return -1;
	s->intent = 1;
	return 0;
}

int
state_open(struct state *s, const char *dir, int create, char *msg, size_t msglen)
{
	struct stat st;

	*s = (struct state){ .dirfd = -1, .lockfd = -1, .dir = xstrdup(dir) };
	/* Cheap test first: most events of most guests end here. */
	if (!create && lstat(dir, &st) < 0 && errno == ENOENT)
		return 1;
	return (s->dirfd = fs_open_dir(dir, create, msg, msglen)) < 0 ? -1 : 0;
}

static void
on_alarm(int sig)
{
}

int
state_lock(struct state *s, unsigned timeout, char *msg, size_t msglen)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
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
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	alarm(timeout);
	r = flock(s->lockfd, LOCK_EX);
	e = errno;
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (r == 0)
		return 0;
	snprintf(msg, msglen, "%s/%s: %s", s->dir, LOCK_FILE,
	    e == EINTR ? "still locked by another vserlink after the time limit" : strerror(e));
	return -1;
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
	*s = (struct state){ .dirfd = -1, .lockfd = -1 };
}
