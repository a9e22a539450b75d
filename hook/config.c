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

/* Local accounts only: the hook is linked statically and must not load NSS. */
static int
lookup_user(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	FILE *f;
	int found = -1;

	if ((f = fopen("/etc/passwd", "re")) == NULL)
		return -1;
	while (found < 0 && (pw = fgetpwent(f)) != NULL) {
		if (strcmp(pw->pw_name, name) == 0) {
			*uid = pw->pw_uid;
			*gid = pw->pw_gid;
			found = 0;
		}
	}
	fclose(f);
	return found;
}

static int
lookup_group(const char *name, gid_t *gid)
{
	struct group *gr;
	FILE *f;
	int found = -1;

	if ((f = fopen("/etc/group", "re")) == NULL)
		return -1;
	while (found < 0 && (gr = fgetgrent(f)) != NULL) {
		if (strcmp(gr->gr_name, name) == 0) {
			*gid = gr->gr_gid;
			found = 0;
		}
	}
	fclose(f);
	return found;
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
		else if (lookup_user(st->owner_name, &st->owner, &primary) == 0)
			have_primary = 1;
		else
			pairs_error(p, st->owner_line, NULL, -1, "owner: no user \"%s\" in /etc/passwd",
			    st->owner_name);
	}
	if (st->group_name != NULL) {
		if (parse_id(st->group_name, &id) == 0)
			st->group = (gid_t)id;
		else if (lookup_group(st->group_name, &st->group) < 0)
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
