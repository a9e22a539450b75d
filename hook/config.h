/* config.h: where pairs.ini is, and loading it. */
#ifndef VSERLINK_CONFIG_H
#define VSERLINK_CONFIG_H

#include "pairs.h"

#define CONFIG_DEFAULT	SYSCONFDIR "/vserlink/pairs.ini"
#define CONFIG_ENV	"VSERLINK_CONFIG"

/* override (-c FILE) if set, else $VSERLINK_CONFIG if set, else the default. */
const char	*config_path(const char *override);

/*
 * Loads the pairs.ini at path into p: 0 when it was read (its problems in
 * p->errors); 1 when there is none (nothing is linked); -1 after reporting
 * why it cannot be read. p must be freed with pairs_free in every case.
 */
int		 config_load(const char *path, struct pairs *p);

/*
 * Turns the owner and group settings into ids, from the local accounts
 * (/etc/passwd, /etc/group) or as numbers; an unknown name is an error of
 * its line. config_load does it.
 */
void		 config_resolve_ids(struct pairs *p);

/* Reports p's errors that concern guest domain (NULL: all) as PATH:LINE: MESSAGE; returns how many. */
int		 config_report_errors(const struct pairs *p, const char *domain);

#endif
