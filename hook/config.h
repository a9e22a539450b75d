/* config.h: where pairs.ini is, loading it, and reporting its problems. */
#ifndef VSERLINK_CONFIG_H
#define VSERLINK_CONFIG_H

#include "pairs.h"

#define CONFIG_DEFAULT	SYSCONFDIR "/vserlink/pairs.ini"
#define CONFIG_ENV	"VSERLINK_CONFIG"

/* override (-c FILE) if set, else $VSERLINK_CONFIG if set, else the default. */
const char	*config_path(const char *override);

/* Loads and resolves the pairs.ini at path into p (pairs_free it always): 0
 * when read, its problems in p->errors; 1 when there is none (nothing is
 * linked); -1 after reporting why it cannot be read. */
int		 config_load(const char *path, struct pairs *p);

/* Sets owner and group from their names: numbers or local accounts (without a
 * group, a user name's primary group, not a number's); an unknown name is an
 * error in p. */
void		 config_resolve(struct pairs *p);

/* Logs each error of p that concerns guest domain (all if NULL) as
 * "PATH:LINE: MESSAGE" or "PATH: MESSAGE"; returns how many. */
size_t		 config_report_errors(const struct pairs *p, const char *domain);

#endif
