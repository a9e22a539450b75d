/*
 * state.h: what the hook remembers between events, in state_dir.
 *
 * The records are kept a file per guest, in domains/, which holds the
 * guest's ends and pending names: an event reads its own guest's file and
 * its peers', and writes those it changes. A FIFO is looked up in the files
 * an event loaded, where it is recorded unless something is amiss, and only
 * then in every file. An event's changed records are first written together
 * to one file, the intent (state_save_intent), and then each to its guest's
 * file (state_save): one write before the steps instead of one a guest. All
 * of it is changed under one exclusive lock, so that hooks for different
 * guests, which libvirt runs concurrently, see each other's work whole. A
 * peer's hook learns the path of its peer's end from here: a hook must never
 * ask libvirt (it would deadlock the daemon).
 *
 *   vserlink-state 2
 *   end LINK DOMAIN PATH DIR_DEV DIR_INO  DEV INO SEC NSEC  DEV INO SEC NSEC
 *   pending DOMAIN PATH
 *
 * An end: guest DOMAIN attached link LINK with the pipe path PATH from its
 * XML, in the directory DIR_DEV/DIR_INO, and for each of PATH.in and
 * PATH.out the FIFO the hook put there (device, inode, birth time; all 0 for
 * none). A pending name: a FIFO name of DOMAIN's end about to be made, or to
 * lose its last name; the next run adopts it if the hook died in between.
 * Fields are separated by one space; bytes up to 0x20, 0x7f and '%' are
 * written %XX. Version 1 files (vserlink 0.1) had "end LINK DOMAIN PATH" and
 * "fifo DEV INO [SEC NSEC]" lines, FIFOs tied to no name.
 */
#ifndef VSERLINK_STATE_H
#define VSERLINK_STATE_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#define STATE_MAGIC	"vserlink-state 2"
#define STATE_MAGIC_V1	"vserlink-state 1"

/* A FIFO as fs_lstat_birth describes it; ino 0: none. */
struct state_fifo {
	dev_t		 dev;
	ino_t		 ino;
	struct timespec	 birth;		/* {0, 0}: not known */
};

struct state_end {
	char			*link;
	char			*domain;
	char			*path;		/* as the hook spells it: no "//" */
	dev_t			 dir_dev;	/* the directory of path */
	ino_t			 dir_ino;
	struct state_fifo	 fifo[2];	/* at path.in, path.out */
};

struct state_pending {
	char	*domain;
	char	*path;		/* the FIFO's own path, P.in or P.out */
};

/* Ends are allocated one by one: a pointer to one is good until it is removed. */
struct state_records {
	struct state_end	**ends;
	size_t			 nends, ends_cap;
	struct state_pending	*pending;
	size_t			 npending, pending_cap;
	int			 v1_file;	/* a version 1 file was read */
	struct state_fifo	*v1;		/* its FIFOs */
	size_t			 nv1, v1_cap;
};

struct state_end *records_add_end(struct state_records *r, const char *link,
	    const char *domain, const char *path, dev_t dir_dev, ino_t dir_ino);
void	records_add_pending(struct state_records *r, const char *domain, const char *path);
/* Removes ends[i] or pending[i], keeping the order of the others. */
void	records_drop_end(struct state_records *r, size_t i);
void	records_drop_pending(struct state_records *r, size_t i);
void	records_free(struct state_records *r);
/* The end of guest domain that path (P.in or P.out) is a name of, or NULL. */
struct state_end *records_end_of_name(struct state_records *r, const char *domain,
	    const char *path);

/*
 * Adds the records of text (NUL-terminated; changed in place) to r: 0, or
 * the number of the first line that is not one vserlink writes (r then
 * holds what came before it).
 */
unsigned codec_decode(char *text, struct state_records *r);

/*
 * r's ends and pending names, the lines after a file's first (STATE_MAGIC);
 * the records of several files after one first line read back as one file.
 */
void	codec_encode_ends(FILE *f, const struct state_records *r);

/* A guest's file, as loaded, and its records. */
struct state_file {
	char			*name;		/* in domains/; first: by_name's key */
	int			 changed;
	int			 sorted;	/* its ends are in the order of their links */
	struct state_records	 r;
};

struct state {
	char			*dir;
	int			 dirfd;
	int			 lockfd;
	struct state_file	**files;	/* each allocated apart: pointers stay good */
	size_t			 nfiles, files_cap;
	void			*by_name;	/* the same, by name (tsearch) */
	int			 all;		/* every guest's file is loaded */
	int			 legacy;	/* the records came from a layout of before */
	int			 intent;	/* an intent is on disk, for state_save to remove */
	char			*error;		/* why a file could not be read: act on nothing then */
};

/* Opens state_dir, made 0700 if missing and create is set: 0; 1 when missing; -1, msg. */
int	state_open(struct state *s, const char *dir, int create, char *msg, size_t msglen);

/* Takes the exclusive lock, waiting at most timeout seconds. */
int	state_lock(struct state *s, unsigned timeout, char *msg, size_t msglen);

/*
 * Reads a dead run's intent, or the state of an earlier layout (a single file,
 * or a file per link): under the lock it is then put in the guests' files.
 * Guests' files are read when a lookup needs them. 0, or -1 with a reason in msg.
 */
int	state_load(struct state *s, char *msg, size_t msglen);
/*
 * Reads the guests' files not read yet, once: 1 when it read them now, 0 when
 * they were; -1 with a reason in s->error (and in msg, unless NULL).
 */
int	state_load_all(struct state *s, char *msg, size_t msglen);
/* Reads the file of guest domain once (missing: empty); NULL when it cannot (s->error). */
struct state_file *state_file_of(struct state *s, const char *domain);

/* Writes the files of the guests whose records changed. */
int	state_save(struct state *s, char *msg, size_t msglen);
/*
 * Writes the records of the guests that changed, all in one file, to be put in their
 * files by the state_save that follows, or by the next locked state_load if the run dies.
 */
int	state_save_intent(struct state *s, char *msg, size_t msglen);

/* Releases the lock and everything s holds. */
void	state_close(struct state *s);

/* Guest domain's end of link, or NULL; good until the end is dropped or s closed. */
struct state_end *state_find_end(struct state *s, const char *link, const char *domain);
/* The end whose path is base in directory dir_dev/dir_ino, with FIFO st at its name k, or NULL. */
struct state_end *state_end_at(struct state *s, dev_t dir_dev, ino_t dir_ino,
	    const char *base, int k, const struct stat *st, const struct timespec *birth);
/* Records the end, at path in the directory dir; an end that moved forgets its FIFOs. */
struct state_end *state_set_end(struct state *s, const char *link,
	    const char *domain, const char *path, const struct stat *dir);
/* Nonzero when guest domain may have records (cheap; no lock needed). */
int	state_has_domain(struct state *s, const char *domain);
/* Drops guest domain's pending names, and its ends too when ends is set. */
void	state_drop(struct state *s, const char *domain, int ends);
/* The loaded ends of guest domain (NULL: all), in an array to free. */
size_t	state_ends(struct state *s, const char *domain, struct state_end ***v);

/* Nonzero when st is the FIFO recorded for name k of end e (st, birth: fs_lstat_birth's). */
int	state_end_has(const struct state_end *e, int k, const struct stat *st,
	    const struct timespec *birth);
/* Records st as the FIFO at name k of end e; NULL st: none. */
void	state_end_set(struct state *s, struct state_end *e, int k,
	    const struct stat *st, const struct timespec *birth);
/* Drops every record of FIFO st, made for link. */
void	state_forget(struct state *s, const char *link, const struct stat *st,
	    const struct timespec *birth);
/* An end that has st under one of its names (*k says which), or NULL. */
const struct state_end *state_owner(struct state *s, const struct stat *st,
	    const struct timespec *birth, int *k);

/* path: P.in or P.out of one of guest domain's ends. */
void	state_add_pending(struct state *s, const char *domain, const char *path);
int	state_is_pending(struct state *s, const char *domain, const char *path);

/* Shared by the state*.c files. */
#define STATE_FILES		"domains"	/* a file per guest */
#define STATE_INTENT		"intent"	/* an event's changed records, before its steps */
#define STATE_LEGACY_FILE	"state"		/* all records in one file, before links/ */
#define STATE_LEGACY_LINKS	"links"		/* a file per link, before domains/ */
#define STATE_LINKS_INTENT	"links/.intent"	/* its intent, moved in to go with it */
#define STATE_LINKS_OLD		"links.old"	/* links/, renamed away once read */

/* Adds the records of file path (in state_dir) to r: 1; 0 when there is none; -1, msg. */
int	state_read_records(struct state *s, const char *path, struct state_records *r,
	    char *msg, size_t msglen);
/* Removes directory path (in dirfd) with what is in it, depth levels deep. */
void	state_remove_tree(int dirfd, const char *path, int depth);

#endif
