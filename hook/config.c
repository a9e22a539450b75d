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

int
config_report_errors(const struct pairs *p, const char *domain)
{
	int n = 0;
	size_t i;

	for (i = 0; i < p->nerrors; i++) {
		const struct config_error *e = &p->errors[i];

		if (domain != NULL && !pairs_error_concerns(p, e, domain))
			continue;
		if (e->line)
			log_error("%s:%u: %s", p->path, e->line, e->message);
		else
			log_error("%s: %s", p->path, e->message);
		n++;
	}
	return n;
}
