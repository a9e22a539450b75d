/*
 * pairs_ini.c: pairs.ini -> struct pairs.
 *
 * inih splits each line into key and value; ini_lines.c makes sure it only
 * ever sees whole, well-formed lines. Everything else is checked here, and
 * every problem is recorded with its line so that all of them are reported,
 * not just the first.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "alloc.h"
#include "ini_lines.h"
#include "pairs.h"
#include "text.h"
#include "read_all.h"

#define MAX_FILE_SIZE	(16u << 20)
#define MAX_LINK_NAME	64
#define NO_LINK		(-1L)
/* The one key of a link section that is not a guest. */
#define LINK_BACKLOG_KEY	"backlog"

enum section_kind { SECTION_SETTINGS, SECTION_LINK };

struct section {
	enum section_kind kind;
	long		  link;
};

/* One setting of [vserlink]: where it was first given, for duplicates. */
struct setting_seen {
	const char	*name;
	unsigned	 line;
};

struct parse {
	struct pairs		*p;
	struct section		*sections;
	size_t			 nsections, sections_cap;
	size_t			 links_cap, errors_cap;
	struct setting_seen	 seen[5];
	char			*owner_name, *group_name;
	unsigned		 owner_line, group_line;
	unsigned		 line;		/* the line inih is handling */
};

static const char *const setting_names[] = {
	"state_dir", "owner", "group", "mode", "backlog",
};

static void __attribute__((format(printf, 5, 6)))
add_error(struct parse *ps, unsigned line, const char *domain, long link,
    const char *fmt, ...)
{
	struct pairs *p = ps->p;
	struct config_error *e;
	va_list ap;

	GROW(p->errors, p->nerrors, ps->errors_cap);
	e = &p->errors[p->nerrors++];
	e->line = line;
	e->domain = domain ? xstrdup(domain) : NULL;
	e->link = link;
	e->link2 = NO_LINK;
	va_start(ap, fmt);
	if (vasprintf(&e->message, fmt, ap) < 0)
		e->message = xstrdup("out of memory");
	va_end(ap);
	if (link != NO_LINK)
		p->links[link].broken = 1;
}

/*
 * A bad line inside a link breaks that link, and concerns the guest it names
 * as well as the link's other ends: its guest must not start without it.
 */
static void
on_line_error(void *ctx, unsigned line, const char *msg, const char *key,
    size_t keylen)
{
	struct parse *ps = ctx;
	long link = NO_LINK;
	char *guest = NULL;

	if (ps->nsections > 0 &&
	    ps->sections[ps->nsections - 1].kind == SECTION_LINK) {
		link = ps->sections[ps->nsections - 1].link;
		if (key != NULL && keylen > 0)
			guest = xstrndup(key, keylen);
	}
	if (guest != NULL && strcmp(guest, LINK_BACKLOG_KEY) == 0) {
		free(guest);
		guest = NULL;
	}
	add_error(ps, line, guest, link, "%s", msg);
	free(guest);
}

static int
valid_link_name(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > MAX_LINK_NAME || name[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("._:@+-", c) != NULL))
			return 0;
	}
	return 1;
}

static unsigned
on_section(void *ctx, unsigned line, const char *name, size_t len)
{
	struct parse *ps = ctx;
	struct pairs *p = ps->p;
	struct section *s;
	struct link *l;

	GROW(ps->sections, ps->nsections, ps->sections_cap);
	s = &ps->sections[ps->nsections];
	if (len == strlen(PAIRS_SETTINGS_SECTION) &&
	    memcmp(name, PAIRS_SETTINGS_SECTION, len) == 0) {
		s->kind = SECTION_SETTINGS;
		s->link = NO_LINK;
		return (unsigned)ps->nsections++;
	}
	s->kind = SECTION_LINK;
	s->link = (long)p->nlinks;
	GROW(p->links, p->nlinks, ps->links_cap);
	l = &p->links[p->nlinks++];
	memset(l, 0, sizeof(*l));
	l->name = xstrndup(name, len);
	l->line = line;
	if (!valid_link_name(name, len))
		add_error(ps, line, NULL, s->link,
		    "invalid link name \"%.*s\": use at most %d letters, digits and ._:@+- not starting with '.'",
		    (int)(len > 80 ? 80 : len), name, MAX_LINK_NAME);
	return (unsigned)ps->nsections++;
}

static int
parse_backlog(const char *value, enum backlog *out)
{
	if (strcmp(value, "keep") == 0)
		*out = BACKLOG_KEEP;
	else if (strcmp(value, "discard") == 0)
		*out = BACKLOG_DISCARD;
	else
		return -1;
	return 0;
}

/* An absolute path without "." or ".." components, as a directory to create. */
static const char *
bad_state_dir(const char *v)
{
	if (v[0] != '/')
		return "must be an absolute path";
	if (strlen(v) > 512)
		return "is longer than 512 bytes";
	if (strpbrk(v, "\n\r") != NULL)
		return "contains a line break";
	if (path_has_dot(v))
		return "must not contain \".\" or \"..\"";
	return NULL;
}

static void
handle_setting(struct parse *ps, const char *name, const char *value)
{
	struct settings *st = &ps->p->settings;
	size_t i;
	const char *why;
	char *end;
	unsigned long n;

	for (i = 0; i < sizeof(setting_names) / sizeof(*setting_names); i++)
		if (strcmp(name, setting_names[i]) == 0)
			break;
	if (i == sizeof(setting_names) / sizeof(*setting_names)) {
		add_error(ps, ps->line, NULL, NO_LINK,
		    "unknown setting \"%s\" in [%s]", name, PAIRS_SETTINGS_SECTION);
		return;
	}
	if (ps->seen[i].line != 0) {
		add_error(ps, ps->line, NULL, NO_LINK,
		    "duplicate setting \"%s\" (first on line %u)", name,
		    ps->seen[i].line);
		return;
	}
	ps->seen[i].line = ps->line;
	switch (i) {
	case 0:
		if ((why = bad_state_dir(value)) != NULL) {
			add_error(ps, ps->line, NULL, NO_LINK,
			    "state_dir \"%s\" %s", value, why);
			return;
		}
		free(st->state_dir);
		st->state_dir = xstrdup(value);
		break;
	case 1:
		free(ps->owner_name);
		ps->owner_name = xstrdup(value);
		ps->owner_line = ps->line;
		break;
	case 2:
		free(ps->group_name);
		ps->group_name = xstrdup(value);
		ps->group_line = ps->line;
		break;
	case 3:
		errno = 0;
		n = strtoul(value, &end, 8);
		if (errno != 0 || end == value || *end != '\0' || value[0] == '-' ||
		    value[0] == '+' || n > 0777) {
			add_error(ps, ps->line, NULL, NO_LINK,
			    "mode \"%s\" is not octal permission bits such as 0600",
			    value);
			return;
		}
		st->mode = (mode_t)n;
		break;
	case 4:
		if (parse_backlog(value, &st->backlog) < 0)
			add_error(ps, ps->line, NULL, NO_LINK,
			    "backlog \"%s\" must be \"keep\" or \"discard\"", value);
		break;
	}
}

static void
handle_link_key(struct parse *ps, long li, const char *name, const char *value)
{
	struct link *l = &ps->p->links[li];
	struct link_end *e;
	size_t i;

	if (strcmp(name, LINK_BACKLOG_KEY) == 0) {
		if (l->backlog_set)
			add_error(ps, ps->line, NULL, li,
			    "duplicate setting \"backlog\" in link %s", l->name);
		else if (parse_backlog(value, &l->backlog) < 0)
			add_error(ps, ps->line, NULL, li,
			    "backlog \"%s\" must be \"keep\" or \"discard\"", value);
		l->backlog_set = 1;
		return;
	}
	for (i = 0; i < l->nends; i++) {
		if (strcmp(l->ends[i].domain, name) == 0) {
			add_error(ps, ps->line, name, li,
			    "guest %s appears twice in link %s (first on line %u)",
			    name, l->name, l->ends[i].line);
			return;
		}
	}
	l->ends = xreallocarray(l->ends, l->nends + 1, sizeof(*l->ends));
	e = &l->ends[l->nends++];
	e->domain = xstrdup(name);
	e->port = xstrdup(value);
	e->line = ps->line;
	if (name[0] == '\0')
		add_error(ps, ps->line, NULL, li, "missing guest name before '='");
	else if (strchr(name, '/') != NULL)
		add_error(ps, ps->line, name, li,
		    "\"%s\" is not a guest name: libvirt names never contain '/'", name);
	else if (value[0] == '\0')
		add_error(ps, ps->line, name, li,
		    "guest %s has no port in link %s", name, l->name);
}

static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *ps = user;
	unsigned long n;
	char *end;

	if (section[0] == '\0') {
		add_error(ps, ps->line, NULL, NO_LINK,
		    "\"%s\" is outside any section", name);
		return 1;
	}
	n = strtoul(section, &end, 10);
	if (*end != '\0' || n >= ps->nsections)
		return 0;	/* cannot happen: ini_lines wrote the header */
	if (ps->sections[n].kind == SECTION_SETTINGS)
		handle_setting(ps, name, value);
	else
		handle_link_key(ps, ps->sections[n].link, name, value);
	return 1;
}

static char *
next_line(char *str, int num, void *stream)
{
	struct ini_lines *in = stream;
	char *r = ini_lines_read(str, num, stream);
	struct parse *ps = in->ctx;

	ps->line = in->line;
	return r;
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
	while ((pw = fgetpwent(f)) != NULL) {
		if (strcmp(pw->pw_name, name) == 0) {
			*uid = pw->pw_uid;
			*gid = pw->pw_gid;
			found = 0;
			break;
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
	while ((gr = fgetgrent(f)) != NULL) {
		if (strcmp(gr->gr_name, name) == 0) {
			*gid = gr->gr_gid;
			found = 0;
			break;
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
	if (errno != 0 || *end != '\0' || *out >= 0xFFFFFFFFUL)
		return -1;
	return 0;
}

static void
resolve_owner(struct parse *ps)
{
	struct settings *st = &ps->p->settings;
	unsigned long id;
	gid_t primary = 0;
	int have_primary = 0;

	if (ps->owner_name != NULL) {
		if (parse_id(ps->owner_name, &id) == 0)
			st->owner = (uid_t)id;
		else if (lookup_user(ps->owner_name, &st->owner, &primary) == 0)
			have_primary = 1;
		else
			add_error(ps, ps->owner_line, NULL, NO_LINK,
			    "owner: no user \"%s\" in /etc/passwd", ps->owner_name);
	}
	if (ps->group_name != NULL) {
		if (parse_id(ps->group_name, &id) == 0)
			st->group = (gid_t)id;
		else if (lookup_group(ps->group_name, &st->group) < 0)
			add_error(ps, ps->group_line, NULL, NO_LINK,
			    "group: no group \"%s\" in /etc/group", ps->group_name);
	} else if (have_primary) {
		st->group = primary;
	}
}

static int
cmp_link_name(const void *a, const void *b)
{
	const struct link *const *x = a, *const *y = b;
	int c = strcmp((*x)->name, (*y)->name);

	return c ? c : ((*x)->line > (*y)->line) - ((*x)->line < (*y)->line);
}

struct end_ref {
	const struct link_end	*end;
	long			 link;
};

static int
cmp_end(const void *a, const void *b)
{
	const struct end_ref *x = a, *y = b;
	int c = strcmp(x->end->domain, y->end->domain);

	if (c == 0)
		c = strcmp(x->end->port, y->end->port);
	return c ? c : (x->end->line > y->end->line) - (x->end->line < y->end->line);
}

/* Checks that need the whole file: end counts, duplicate links and ports. */
static void
check_links(struct parse *ps)
{
	struct pairs *p = ps->p;
	struct link **byname;
	struct end_ref *ends;
	size_t i, n = 0;

	for (i = 0; i < p->nlinks; i++) {
		struct link *l = &p->links[i];

		if (l->nends != 2)
			add_error(ps, l->line, NULL, (long)i,
			    "link %s has %zu end%s; a link joins exactly two guest ports",
			    l->name, l->nends, l->nends == 1 ? "" : "s");
		n += l->nends;
	}

	byname = xcalloc(p->nlinks, sizeof(*byname));
	for (i = 0; i < p->nlinks; i++)
		byname[i] = &p->links[i];
	qsort(byname, p->nlinks, sizeof(*byname), cmp_link_name);
	for (i = 1; i < p->nlinks; i++) {
		if (strcmp(byname[i]->name, byname[i - 1]->name) != 0)
			continue;
		add_error(ps, byname[i]->line, NULL, byname[i] - p->links,
		    "duplicate link \"%s\" (first on line %u)", byname[i]->name,
		    byname[i - 1]->line);
		p->errors[p->nerrors - 1].link2 = byname[i - 1] - p->links;
		byname[i - 1]->broken = 1;
	}
	free(byname);

	ends = xcalloc(n, sizeof(*ends));
	n = 0;
	for (i = 0; i < p->nlinks; i++) {
		size_t j;

		for (j = 0; j < p->links[i].nends; j++) {
			ends[n].end = &p->links[i].ends[j];
			ends[n++].link = (long)i;
		}
	}
	qsort(ends, n, sizeof(*ends), cmp_end);
	for (i = 1; i < n; i++) {
		const struct link_end *a = ends[i - 1].end, *b = ends[i].end;

		if (strcmp(a->domain, b->domain) != 0 || strcmp(a->port, b->port) != 0 ||
		    ends[i].link == ends[i - 1].link)
			continue;
		add_error(ps, b->line, b->domain, ends[i].link,
		    "port %s of guest %s is already in link %s (line %u)",
		    b->port, b->domain, p->links[ends[i - 1].link].name, a->line);
		p->errors[p->nerrors - 1].link2 = ends[i - 1].link;
		p->links[ends[i - 1].link].broken = 1;
	}
	free(ends);
}

static int
cmp_error(const void *a, const void *b)
{
	const struct config_error *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

static void
set_defaults(struct pairs *out)
{
	memset(out, 0, sizeof(*out));
	out->settings.state_dir = xstrdup(PAIRS_DEFAULT_STATE_DIR);
	out->settings.mode = 0600;
	out->settings.backlog = BACKLOG_KEEP;
}

int
pairs_parse(const char *name, const char *buf, size_t len, struct pairs *out)
{
	struct parse ps;
	struct ini_lines in;
	int r;

	if (out->path == NULL) {
		set_defaults(out);
		out->path = xstrdup(name);
	}
	memset(&ps, 0, sizeof(ps));
	ps.p = out;
	ps.errors_cap = out->nerrors;
	memset(&in, 0, sizeof(in));
	in.buf = buf;
	in.len = len;
	in.ctx = &ps;
	in.on_error = on_line_error;
	in.on_section = on_section;

	r = ini_parse_stream(next_line, &in, on_key, &ps);
	if (r != 0 && out->nerrors == 0)
		add_error(&ps, r > 0 ? (unsigned)r : 0, NULL, NO_LINK,
		    "cannot be parsed (inih error %d)", r);
	resolve_owner(&ps);
	check_links(&ps);
	/* Stable, so errors of one line keep the order they were found in. */
	if (out->nerrors > 1) {
		size_t i, j;

		for (i = 1; i < out->nerrors; i++)
			for (j = i; j > 0 && cmp_error(&out->errors[j - 1], &out->errors[j]) > 0; j--) {
				struct config_error t = out->errors[j];

				out->errors[j] = out->errors[j - 1];
				out->errors[j - 1] = t;
			}
	}
	free(ps.sections);
	free(ps.owner_name);
	free(ps.group_name);
	return 0;
}

static void __attribute__((format(printf, 2, 3)))
file_error(struct pairs *out, const char *fmt, ...)
{
	struct config_error *e;
	va_list ap;

	out->errors = xreallocarray(out->errors, out->nerrors + 1, sizeof(*out->errors));
	e = &out->errors[out->nerrors++];
	memset(e, 0, sizeof(*e));
	e->link = NO_LINK;
	e->link2 = NO_LINK;
	va_start(ap, fmt);
	if (vasprintf(&e->message, fmt, ap) < 0)
		e->message = xstrdup("out of memory");
	va_end(ap);
}
int
pairs_load(const char *path, struct pairs *out)
{
	struct stat sb;
	size_t len;
	char *buf;
	int fd, saved;

	set_defaults(out);
	out->path = xstrdup(path);
	/* O_NONBLOCK: a FIFO planted at the path must not hang the hook. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 && errno == ELOOP) {
		file_error(out, "is a symbolic link; refusing to use it");
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		file_error(out, "is not a regular file");
		close(fd);
		return 0;
	}
	if (sb.st_uid != 0 && sb.st_uid != geteuid())
		file_error(out, "is owned by uid %u, not root; refusing to use it",
		    (unsigned)sb.st_uid);
	if (sb.st_mode & (S_IWGRP | S_IWOTH))
		file_error(out, "is writable by %s; refusing to use it",
		    (sb.st_mode & S_IWOTH) ? "others" : "its group");
	buf = read_all(fd, MAX_FILE_SIZE, &len);
	saved = errno;
	close(fd);
	if (buf == NULL) {
		file_error(out, "cannot be read: %s", strerror(saved));
		return 0;
	}
	pairs_parse(path, buf, len, out);
	free(buf);
	return 0;
}

void
pairs_free(struct pairs *p)
{
	size_t i, j;

	for (i = 0; i < p->nlinks; i++) {
		for (j = 0; j < p->links[i].nends; j++) {
			free(p->links[i].ends[j].domain);
			free(p->links[i].ends[j].port);
		}
		free(p->links[i].ends);
		free(p->links[i].name);
	}
	free(p->links);
	for (i = 0; i < p->nerrors; i++) {
		free(p->errors[i].message);
		free(p->errors[i].domain);
	}
	free(p->errors);
	free(p->settings.state_dir);
	free(p->path);
	memset(p, 0, sizeof(*p));
}

int
pairs_link_has(const struct link *l, const char *domain)
{
	size_t i;

	for (i = 0; i < l->nends; i++)
		if (strcmp(l->ends[i].domain, domain) == 0)
			return 1;
	return 0;
}

int
pairs_mentions(const struct pairs *p, const char *domain)
{
	size_t i;

	for (i = 0; i < p->nlinks; i++)
		if (pairs_link_has(&p->links[i], domain))
			return 1;
	return 0;
}

int
pairs_error_concerns(const struct pairs *p, const struct config_error *e,
    const char *domain)
{
	if (e->domain != NULL && strcmp(e->domain, domain) == 0)
		return 1;
	if (e->link >= 0 && pairs_link_has(&p->links[e->link], domain))
		return 1;
	if (e->link2 >= 0 && pairs_link_has(&p->links[e->link2], domain))
		return 1;
	if (e->domain == NULL && e->link < 0)
		return pairs_mentions(p, domain);
	return 0;
}

int
pairs_refuses(const struct pairs *p, const char *domain)
{
	size_t i;

	for (i = 0; i < p->nerrors; i++)
		if (pairs_error_concerns(p, &p->errors[i], domain))
			return 1;
	return 0;
}

int
pairs_concerns(const struct pairs *p, const char *domain)
{
	return pairs_mentions(p, domain) || pairs_refuses(p, domain);
}

enum backlog
pairs_backlog(const struct pairs *p, const struct link *l)
{
	return l->backlog_set ? l->backlog : p->settings.backlog;
}
