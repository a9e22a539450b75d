/* config.c: see config.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

const char *
config_path(const char *override)
{
	const char *env;

	if (override != NULL)
		return override;
	env = getenv(CONFIG_ENV);
	if (env != NULL && env[0] != '\0')
		return env;
	return CONFIG_DEFAULT;
}

int
config_load(const char *path, struct pairs *p)
{
	if (pairs_load(path, p) == 0)
		return 0;
	if (errno == ENOENT)
		return 1;
	log_error("%s: %s", path, strerror(errno));
	return -1;
}
