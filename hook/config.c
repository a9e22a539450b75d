/* config.c: see config.h. */
#include <stdlib.h>

#include "config.h"

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
