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
	const char *env;

	if (override != NULL)
		return override;
	env = getenv(CONFIG_ENV);
	if (env != NULL && env[0] != '\0')
		return env;
	return CONFIG_DEFAULT;
}

/*
 * Local accounts only: the hook is linked statically and must not load NSS.
 * With uid set, looks name up in /etc/passwd (its uid and primary group);
 * else in /etc/group. 0, or -1 when it is not there.
 */
static int
lookup(const char *name, uid_t *uid, gid_t *gid)
{
	FILE *f = fopen(uid != NULL ? "/etc/passwd" : "/etc/group", "re");
	struct passwd *pw = NULL;
	struct group *gr = NULL;

	if (f == NULL)
		return -1;
	if (uid != NULL)
		while ((pw = fgetpwent(f)) != NULL && strcmp(pw->pw_name, name) != 0)
			;
	else
		while ((gr = fgetgrent(f)) != NULL && strcmp(gr->gr_name, name) != 0)
			;
	if (pw != NULL) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	} else if (gr != NULL) {
		*gid = gr->gr_gid;
	}
	fclose(f);
	return pw != NULL || gr != NULL ? 0 : -1;
}

static int
parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno != 0 || *end != '\0' || *out >= 0xFFFFFFFFUL ? -1 : 0;
}

void
config_resolve_ids(struct pairs *p)
{
	struct settings *st = &p->settings;
	unsigned long id;
	gid_t primary = 0;
	int have_primary = 0;

	if (st->owner_name != NULL) {
		if (parse_id(st->owner_name, &id) == 0)
			st->owner = (uid_t)id;
		else if (lookup(st->owner_name, &st->owner, &primary) == 0)
			have_primary = 1;
		else
			pairs_error(p, st->owner_line, NULL, -1, "owner: no user \"%s\" in /etc/passwd",
			    st->owner_name);
	}
	if (st->group_name != NULL) {
		if (parse_id(st->group_name, &id) == 0)
			st->group = (gid_t)id;
		else if (lookup(st->group_name, NULL, &st->group) < 0)
			pairs_error(p, st->group_line, NULL, -1, "group: no group \"%s\" in /etc/group",
			    st->group_name);
	} else if (have_primary) {
		st->group = primary;
	}
}

int
config_load(const char *path, struct pairs *p)
{
	if (pairs_load(path, p) == 0) {
		config_resolve_ids(p);
		return 0;
	}
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
