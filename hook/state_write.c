/* state_write.c: the links' files and the guests' index, written; see state.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "fault.h"
#include "state_file.h"

#define STATE_TMP	"state.new"

/* --- the guests' index --- */

char *
state_key_guest(const char *domain, const char *file)
{
	char name[NAME_MAX + 1];

	state_fname(domain, name);
	return file != NULL ? xasprintf("guests/%s/%s", name, file) : xasprintf("guests/%s", name);
}

static int
has_key(char **keys, size_t n, const char *key)
{
	while (n-- > 0)
		if (strcmp(keys[n], key) == 0)
			return 1;
	return 0;
}

void
state_keys_of(const struct state_file *f, char ***keys, size_t *n)
{
	size_t i;

	*keys = xcalloc(f->r.nends + 1, sizeof(**keys));
	*n = 0;
	for (i = 0; i < f->r.nends; i++)
		(*keys)[(*n)++] = state_key_guest(f->r.ends[i]->domain, f->name);
}

void
state_free_keys(char **keys, size_t n)
{
	while (n-- > 0)
		free(keys[n]);
	free(keys);
}

/* The directory of an entry: guests/GUEST. */
static void
key_dir(const char *key, char dir[PATH_MAX])
{
	snprintf(dir, PATH_MAX, "%.*s", (int)(strrchr(key, '/') - key), key);
}

/*
 * An entry guests/GUEST/FILE says that guest has an end in links/FILE; it is
 * named after the file, so one that exists already is right.
 */
static int
index_put(struct state *s, const char *key, const char *name)
{
	char dir[PATH_MAX];

	if (symlinkat(name, s->dirfd, key) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	/* In the state directory, which only root may write. */
	key_dir(key, dir);
	mkdirat(s->dirfd, "guests", 0700);
	mkdirat(s->dirfd, dir, 0700);
	return symlinkat(name, s->dirfd, key) == 0 || errno == EEXIST ? 0 : -1;
}

/* A guest's directory goes with its last entry. */
static void
index_drop(struct state *s, const char *key)
{
	char dir[PATH_MAX];

	if (unlinkat(s->dirfd, key, 0) < 0)
		return;
	key_dir(key, dir);
	unlinkat(s->dirfd, dir, AT_REMOVEDIR);
}

/* --- saving --- */

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
	int fd, e;

	fd = openat(s->dirfd, STATE_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, STATE_TMP, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	codec_encode_head(out);
	for (i = 0; i < n; i++)
		if (f[i]->changed)
			codec_encode_ends(out, &f[i]->r);
	if (fflush(out) != 0 || ferror(out)) {
		e = errno;
		fclose(out);
		snprintf(msg, msglen, "%s/%s: %s", s->dir, STATE_TMP, strerror(e));
		return -1;
	}
	FAULT_POINT("state_save: written, before rename");
	if (fclose(out) != 0 || (renameat(s->dirfd, STATE_TMP, s->dirfd, path) < 0 &&
	    (errno != ENOENT || mkdirat(s->dirfd, "links", 0700) < 0 ||
	    renameat(s->dirfd, STATE_TMP, s->dirfd, path) < 0))) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, path, strerror(errno));
		return -1;
	}
	FAULT_POINT("state_save: after rename");
	return 0;
}

/* Replaces links/NAME with f's records, or removes it when it has none. */
static int
write_file(struct state *s, struct state_file *f, char *msg, size_t msglen)
{
	char path[NAME_MAX + 8];

	snprintf(path, sizeof(path), "links/%s", f->name);
	if (f->r.nends > 0)
		return write_records(s, path, &f, 1, msg, msglen);
	if (unlinkat(s->dirfd, path, 0) == 0 || errno == ENOENT)
		return 0;
	snprintf(msg, msglen, "%s/%s: %s", s->dir, path, strerror(errno));
	return -1;
}

/* A file and its guests' entries: new entries before the records, old ones after. */
static int
save_file(struct state *s, struct state_file *f, char *msg, size_t msglen)
{
	char **keys;
	size_t i, n;

	state_keys_of(f, &keys, &n);
	for (i = 0; i < n; i++) {
		if (!has_key(f->keys, f->nkeys, keys[i]) && index_put(s, keys[i], f->name) < 0) {
			snprintf(msg, msglen, "%s/%s: %s", s->dir, keys[i], strerror(errno));
			state_free_keys(keys, n);
			return -1;
		}
	}
	if (write_file(s, f, msg, msglen) < 0) {
		state_free_keys(keys, n);
		return -1;
	}
	for (i = 0; i < f->nkeys; i++)
		if (!has_key(keys, n, f->keys[i]))
			index_drop(s, f->keys[i]);
	state_free_keys(f->keys, f->nkeys);
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
		if (s->files[i]->changed && save_file(s, s->files[i], msg, msglen) < 0)
			return -1;
	/* Spread over the links' files now: the single file of before, or the intent, goes. */
	if ((s->legacy && unlinkat(s->dirfd, STATE_LEGACY_FILE, 0) < 0 && errno != ENOENT) ||
	    (s->intent && unlinkat(s->dirfd, STATE_INTENT, 0) < 0 && errno != ENOENT)) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, s->legacy ? STATE_LEGACY_FILE :
		    STATE_INTENT, strerror(errno));
		return -1;
	}
	s->legacy = s->intent = 0;
	return 0;
}

/*
 * The changed files' records, all in one file: one write for an event's
 * intent instead of one a link. state_load puts them back in the links'
 * files if the run dies before its state_save.
 */
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
