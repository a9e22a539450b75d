/* state_write.c: the links' files and their indexes, written; see state.h. */
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
#define INDEX_TMP	"index.new"

/* --- the indexes --- */

char *
state_key_fifo(dev_t dev, ino_t ino)
{
	return xasprintf("fifos/%llu.%llu", (unsigned long long)dev, (unsigned long long)ino);
}

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
	size_t i, cap = 0;
	int k;

	*keys = NULL;
	*n = 0;
	for (i = 0; i < f->r.nends; i++) {
		const struct state_end *e = f->r.ends[i];
		char *key[3] = { state_key_guest(e->domain, f->name), NULL, NULL };

		for (k = 0; k < 2; k++)
			if (e->fifo[k].ino != 0)
				key[1 + k] = state_key_fifo(e->fifo[k].dev, e->fifo[k].ino);
		/* Both ends of a link record the same FIFOs: each key once. */
		for (k = 0; k < 3; k++) {
			if (key[k] == NULL || has_key(*keys, *n, key[k])) {
				free(key[k]);
				continue;
			}
			GROW(*keys, *n, cap);
			(*keys)[(*n)++] = key[k];
		}
	}
}

void
state_free_keys(char **keys, size_t n)
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
static void
key_dirs(struct state *s, const char *key)
{
	char path[PATH_MAX];
	char *slash;

	snprintf(path, sizeof(path), "%s", key);
	for (slash = strchr(path, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdirat(s->dirfd, path, 0700);
		*slash = '/';
	}
}

/* key -> name, replacing what was there (a stale hint) in one step. */
static int
index_put(struct state *s, const char *key, const char *name)
{
	if (symlinkat(name, s->dirfd, key) == 0)
		return 0;
	if (errno == ENOENT) {
		key_dirs(s, key);
		if (symlinkat(name, s->dirfd, key) == 0)
			return 0;
	}
	if (errno != EEXIST)
		return -1;
	if (symlinkat(name, s->dirfd, INDEX_TMP) < 0 &&
	    (errno != EEXIST || unlinkat(s->dirfd, INDEX_TMP, 0) < 0 ||
	    symlinkat(name, s->dirfd, INDEX_TMP) < 0))
		return -1;
	return renameat(s->dirfd, INDEX_TMP, s->dirfd, key);
}

/*
 * Removes key if it leads to name (a guest's entry is named after its file:
 * it leads nowhere else); a guest's directory goes with its last link.
 */
static void
index_drop(struct state *s, const char *key, const char *name)
{
	char to[NAME_MAX + 1], dir[PATH_MAX];
	int guest = strncmp(key, "guests/", 7) == 0;

	if (!guest && (state_index_get(s, key, to) < 0 || strcmp(to, name) != 0))
		return;
	if (unlinkat(s->dirfd, key, 0) < 0 || !guest)
		return;
	snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(key, '/') - key), key);
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

/* A file and its indexes: new entries before the records, old ones after. */
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
			index_drop(s, f->keys[i], f->name);
	state_free_keys(f->keys, f->nkeys);
	f->keys = keys;
	f->nkeys = n;
	f->changed = f->grown = 0;
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
