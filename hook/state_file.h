/* state_file.h: what state.c (files), state_load.c, state_write.c and state_find.c (records) share. */
#ifndef VSERLINK_STATE_FILE_H
#define VSERLINK_STATE_FILE_H

#include <limits.h>

#include "state.h"

#define STATE_FILES		"domains"	/* a file per guest */
#define STATE_INTENT		"intent"	/* an event's changed records, before its steps */
#define STATE_LEGACY_FILE	"state"		/* all records in one file, before links/ */
#define STATE_LEGACY_LINKS	"links"		/* a file per link, before domains/ */
#define STATE_LINKS_INTENT	"links/.intent"	/* its intent, moved in to go with it */
#define STATE_LINKS_OLD		"links.old"	/* links/, renamed away once read */

/* The file name of a guest or a base name: escaped, and hashed if too long. */
void	state_fname(const char *s, char out[NAME_MAX + 1]);
/*
 * Adds the records of file path (in state_dir) to r: 0; 1 when there is no
 * such file (it holds none); -1 with a reason in msg.
 */
int	state_read_records(struct state *s, const char *path, struct state_records *r,
	    char *msg, size_t msglen);
/*
 * Reads the file of guest domain once (a missing file holds nothing); NULL
 * when it cannot (see state_error).
 */
struct state_file *state_file_of(struct state *s, const char *domain);
/* Removes links.old/, which a run killed while it removed links/ leaves. */
void	state_tidy(struct state *s);

#endif
