/* state_file.h: what state.c (files), state_write.c and state_find.c (records) share. */
#ifndef VSERLINK_STATE_FILE_H
#define VSERLINK_STATE_FILE_H

#include <limits.h>

#include "state.h"

#define STATE_LEGACY_FILE	"state"	/* all records in one file, before links/ */
#define STATE_INTENT		"intent"	/* an event's changed records, before its steps */

/* The file name of a link, a guest or a base name: escaped, and hashed if too long. */
void	state_fname(const char *s, char out[NAME_MAX + 1]);
/* The file loaded as name, or NULL. */
struct state_file *state_file_find(struct state *s, const char *name);
/* Reads links/name once (a missing file holds nothing); NULL when it cannot (see state_error). */
struct state_file *state_load_file(struct state *s, const char *name);
/* The same, for the file of link. */
struct state_file *state_file_of(struct state *s, const char *link);
/* Guest domain's index entry for link file file (NULL: the directory of all of them), to free. */
char	*state_key_guest(const char *domain, const char *file);
/* The index entries of file f, from its records. */
void	state_keys_of(const struct state_file *f, char ***keys, size_t *n);
void	state_free_keys(char **keys, size_t n);

#endif
