/*
 * state_codec.h: the records the hook keeps between events, and the text of
 * the files that hold them (state.c decides which records go in which file).
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
#ifndef VSERLINK_STATE_CODEC_H
#define VSERLINK_STATE_CODEC_H

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
const struct state_end *records_end_of_name(const struct state_records *r,
	    const char *domain, const char *path);

/*
 * Adds the records of text (NUL-terminated; changed in place) to r: 0, or
 * the number of the first line that is not one vserlink writes (r then
 * holds what came before it).
 */
unsigned codec_decode(char *text, struct state_records *r);

/*
 * A file: its first line, then r's ends and pending names; the records of
 * several files after one first line read back as one file.
 */
void	codec_encode_head(FILE *f);
void	codec_encode_ends(FILE *f, const struct state_records *r);

#endif
