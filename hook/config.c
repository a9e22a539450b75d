/* config.c: see config.h. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

const char *
config_path(const char *override)
{
	const char *env = getenv(CONFIG_ENV);

	return override ? override : env != NULL && env[0] != '\0' ? env : CONFIG_DEFAULT;
}

/* A decimal id, or a local account (the hook is static: no NSS). 0 or -1. */
static int
resolve_id(const char *s, int user, unsigned *id, gid_t *primary)
{
	struct passwd *pw = NULL;
	struct group *gr = NULL;
	unsigned long n;
	char *end;
	FILE *f;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (s[0] >= '0' && s[0] <= '9' && errno == 0 && *end == '\0' && n < 0xFFFFFFFFUL) {
		*id = (unsigned)n;
		return 0;
	}
	if ((f = fopen(user ? "/etc/passwd" : "/etc/group", "re")) == NULL)
		return -1;
	while (user && (pw = fgetpwent(f)) != NULL && strcmp(pw->pw_name, s) != 0)
		;
	while (!user && (gr = fgetgrent(f)) != NULL && strcmp(gr->gr_name, s) != 0)
		;
	if (pw != NULL && primary != NULL)
		*primary = pw->pw_gid;
	if (pw != NULL || gr != NULL)
		*id = pw != NULL ? pw->pw_uid : gr->gr_gid;
	fclose(f);
	return pw != NULL || gr != NULL ? 0 : -1;
}

void
config_resolve(struct pairs *p)
{
	struct settings *st = &p->settings;

	if (st->owner_name != NULL &&
	    resolve_id(st->owner_name, 1, &st->owner, st->group_name ? NULL : &st->group) < 0)
		pairs_add_error(p, st->owner_line, NULL, -1, "owner: no user \"%s\" in /etc/passwd",
		    st->owner_name);
	if (st->group_name != NULL && resolve_id(st->group_name, 0, &st->group, NULL) < 0)
		pairs_add_error(p, st->group_line, NULL, -1, "group: no group \"%s\" in /etc/group",
		    st->group_name);
}

int
config_load(const char *path, struct pairs *p)
{
	int rc = pairs_load(path, p), saved = errno;

	if (rc == 0)
		config_resolve(p);
	else if (saved != ENOENT)
		log_error("%s: %s", path, strerror(saved));
	return rc == 0 ? 0 : saved == ENOENT ? 1 : -1;
}

size_t
config_report_errors(const struct pairs *p, const char *domain)
{
	size_t i, n = 0;

	for (i = 0; i < p->nerrors; i++) {
		const struct config_error *e = &p->errors[i];

		if (domain != NULL && !pairs_error_concerns(p, e, domain))
			continue;
		n++;
		e->line ? log_error("%s:%u: %s", p->path, e->line, e->message)
		    : log_error("%s: %s", p->path, e->message);
	}
	return n;
}
