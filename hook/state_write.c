/* state_write.c: the guests' files written, and the layouts of before removed; see state.h. */
#include <dirent.h>
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
	    (errno != ENOENT || mkdirat(s->dirfd, STATE_FILES, 0700) < 0 ||
	    renameat(s->dirfd, STATE_TMP, s->dirfd, path) < 0))) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, path, strerror(errno));
		return -1;
	}
	FAULT_POINT("state_save: after rename");
	return 0;
}

/* Replaces domains/NAME with f's records, or removes it when it has none. */
static int
write_file(struct state *s, struct state_file *f, char *msg, size_t msglen)
{
	char path[NAME_MAX + sizeof(STATE_FILES) + 1];

	snprintf(path, sizeof(path), "%s/%s", STATE_FILES, f->name);
	if (f->r.nends > 0) {
		if (write_records(s, path, &f, 1, msg, msglen) < 0)
			return -1;
	} else if (unlinkat(s->dirfd, path, 0) < 0 && errno != ENOENT) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, path, strerror(errno));
		return -1;
	}
	f->changed = 0;
	return 0;
}

/*
 * Removes directory path (in dirfd) with what is in it, depth levels deep:
 * links.old/, and the indexes of before (guests/GUEST/FILE, fifos/,
 * places/), which nothing reads.
 */
static void
remove_tree(int dirfd, const char *path, int depth)
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
			remove_tree(fd, d->d_name, depth - 1);
	closedir(dir);
	unlinkat(dirfd, path, AT_REMOVEDIR);
}

void
state_tidy(struct state *s)
{
	remove_tree(s->dirfd, STATE_LINKS_OLD, 1);
}

/*
 * The layout of before goes once the guests' files hold its records: links/
 * in one step, by a rename (a run that dies after it has nothing left to
 * read there, and the next one removes links.old/), then the single file of
 * before.
 */
static int
retire_legacy(struct state *s)
{
	const char *index[] = { "guests", "fifos", "places" };
	size_t i;

	state_tidy(s);
	for (i = 0; i < sizeof(index) / sizeof(index[0]); i++)
		remove_tree(s->dirfd, index[i], 2);
	if (renameat(s->dirfd, STATE_LEGACY_LINKS, s->dirfd, STATE_LINKS_OLD) < 0 && errno != ENOENT)
		return -1;
	FAULT_POINT("state_save: links/ of before renamed away");
	if (unlinkat(s->dirfd, STATE_LEGACY_FILE, 0) < 0 && errno != ENOENT)
		return -1;
	state_tidy(s);
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
		if (s->files[i]->changed && write_file(s, s->files[i], msg, msglen) < 0)
			return -1;
	/* In the guests' files now: the layout of before, or the intent, goes. */
	if ((s->legacy && retire_legacy(s) < 0) ||
	    (s->intent && unlinkat(s->dirfd, STATE_INTENT, 0) < 0 && errno != ENOENT)) {
		snprintf(msg, msglen, "%s/%s: %s", s->dir, s->legacy ? STATE_LEGACY_LINKS :
		    STATE_INTENT, strerror(errno));
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
