/* state_file.h: what state.c (files) and state_find.c (records) share. Not an interface. */
#ifndef VSERLINK_STATE_FILE_H
#define VSERLINK_STATE_FILE_H

#include <limits.h>

#include "state.h"

#define STATE_LEGACY_FILE	"state"	/* all records in one file, before links/ */

/* The file name of a link, a guest or a base name: escaped, and hashed if too long. */
void	state_fname(const char *s, char out[NAME_MAX + 1]);
/* Reads links/name into s once (a missing file holds nothing): 0, or -1 (see state_error). */
int	state_load_file(struct state *s, const char *name);
/* The file an index entry leads to, in out; -1 when there is none. */
int	state_index_get(struct state *s, const char *key, char out[NAME_MAX + 1]);
/* The index entries that lead to file name, from the records in memory. */
void	state_keys_of(struct state *s, const char *name, char ***keys, size_t *n);
void	state_free_keys(char **keys, size_t n);
/* Link's file is to be written at the next save. */
void	state_mark(struct state *s, const char *link);

#endif
