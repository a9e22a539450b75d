/*
 * pairs_ini.c: pairs.ini -> struct pairs.
 *
 * inih splits each line into key and value; ini_lines.c makes sure it only
 * ever sees whole, well-formed lines, and says where each section begins.
 * Everything else is checked here, and every problem is recorded with its
 * line, so that all of them are reported, not just the first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "alloc.h"
#include "ini_lines.h"
#include "pairs.h"
#include "read_all.h"
#include "text.h"

#define MAX_FILE_SIZE	(16u << 20)
#define MAX_LINK_NAME	64
#define NO_LINK		(-1L)
#define IN_SETTINGS	(-2L)
/* The one key of a link section that is not a guest. */
#define LINK_BACKLOG_KEY	"backlog"

struct parse {
	struct pairs	*p;
	struct ini_lines in;
	long		 section;	/* a link, IN_SETTINGS, or NO_LINK before the first */
	int		 in_section;
	unsigned	 seen[5];	/* where each setting was given first */
};

#define ERROR(ps, ...)	pairs_error((ps)->p, (ps)->in.line, __VA_ARGS__)

/* --- [vserlink] --- */

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

static void
set_state_dir(struct parse *ps, struct settings *st, const char *v)
{
	const char *why = NULL;

	if (v[0] != '/')
		why = "must be an absolute path";
	else if (strlen(v) > 512)
		why = "is longer than 512 bytes";
	else if (strpbrk(v, "\n\r") != NULL)
		why = "contains a line break";
	else if (path_has_dot(v))
		why = "must not contain \".\" or \"..\"";
	if (why != NULL) {
		ERROR(ps, NULL, NO_LINK, "state_dir \"%s\" %s", v, why);
		return;
	}
	free(st->state_dir);
	st->state_dir = xstrdup(v);
}

static void
set_owner(struct parse *ps, struct settings *st, const char *v)
{
	st->owner_name = xstrdup(v);
	st->owner_line = ps->in.line;
}

static void
set_group(struct parse *ps, struct settings *st, const char *v)
{
	st->group_name = xstrdup(v);
	st->group_line = ps->in.line;
}

static void
set_mode(struct parse *ps, struct settings *st, const char *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 8);
	if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || v[0] == '+' || n > 0777)
		ERROR(ps, NULL, NO_LINK, "mode \"%s\" is not octal permission bits such as 0600", v);
	else
		st->mode = (mode_t)n;
}

static void
set_backlog(struct parse *ps, struct settings *st, const char *v)
{
	if (parse_backlog(v, &st->backlog) < 0)
		ERROR(ps, NULL, NO_LINK, "backlog \"%s\" must be \"keep\" or \"discard\"", v);
}

static const struct setting {
	const char	*name;
	void		(*set)(struct parse *, struct settings *, const char *);
} settings[] = {
	{ "state_dir", set_state_dir },
	{ "owner", set_owner },
	{ "group", set_group },
	{ "mode", set_mode },
	{ "backlog", set_backlog },
};

const char *
pairs_setting_name(size_t i)
{
	return i < sizeof(settings) / sizeof(*settings) ? settings[i].name : NULL;
}

static void
on_setting(struct parse *ps, const char *name, const char *value)
{
	size_t i;

	for (i = 0; pairs_setting_name(i) != NULL; i++)
		if (strcmp(name, settings[i].name) == 0)
			break;
	if (pairs_setting_name(i) == NULL)
		ERROR(ps, NULL, NO_LINK, "unknown setting \"%s\" in [%s]", name,
		    PAIRS_SETTINGS_SECTION);
	else if (ps->seen[i] != 0)
		ERROR(ps, NULL, NO_LINK, "duplicate setting \"%s\" (first on line %u)", name,
		    ps->seen[i]);
	else {
		ps->seen[i] = ps->in.line;
		settings[i].set(ps, &ps->p->settings, value);
	}
}

/* --- links --- */

static int
valid_link_name(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > MAX_LINK_NAME || name[0] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@+-",
		    name[i]) == NULL || name[i] == '\0')
			return 0;
	return 1;
}

static void
on_section(void *ctx, unsigned line, const char *name, size_t len)
{
	struct parse *ps = ctx;
	struct pairs *p = ps->p;
	struct link *l;

	ps->in_section = 1;
	if (len == strlen(PAIRS_SETTINGS_SECTION) && memcmp(name, PAIRS_SETTINGS_SECTION, len) == 0) {
		ps->section = IN_SETTINGS;
		return;
	}
	ps->section = (long)p->nlinks;
	p->links = xreallocarray(p->links, p->nlinks + 1, sizeof(*p->links));
	l = &p->links[p->nlinks++];
	memset(l, 0, sizeof(*l));
	l->name = xstrndup(name, len);
	l->line = line;
	if (!valid_link_name(name, len))
		pairs_error(p, line, NULL, ps->section,
		    "invalid link name \"%.*s\": use at most %d letters, digits and ._:@+- not starting with '.'",
		    (int)(len > 80 ? 80 : len), name, MAX_LINK_NAME);
}

static void
on_link_key(struct parse *ps, const char *name, const char *value)
{
	long li = ps->section;
	struct link *l = &ps->p->links[li];
	struct link_end *e;
	size_t i;

	if (strcmp(name, LINK_BACKLOG_KEY) == 0) {
		if (l->backlog_set)
			ERROR(ps, NULL, li, "duplicate setting \"backlog\" in link %s", l->name);
		else if (parse_backlog(value, &l->backlog) < 0)
			ERROR(ps, NULL, li, "backlog \"%s\" must be \"keep\" or \"discard\"", value);
		l->backlog_set = 1;
		return;
	}
	for (i = 0; i < l->nends; i++) {
		if (strcmp(l->ends[i].domain, name) == 0) {
			ERROR(ps, name, li, "guest %s appears twice in link %s (first on line %u)",
			    name, l->name, l->ends[i].line);
			return;
		}
	}
	l->ends = xreallocarray(l->ends, l->nends + 1, sizeof(*l->ends));
	e = &l->ends[l->nends++];
	e->domain = xstrdup(name);
	e->port = xstrdup(value);
	e->line = ps->in.line;
	if (name[0] == '\0')
		ERROR(ps, NULL, li, "missing guest name before '='");
	else if (strchr(name, '/') != NULL)
		ERROR(ps, name, li, "\"%s\" is not a guest name: libvirt names never contain '/'", name);
	else if (value[0] == '\0')
		ERROR(ps, name, li, "guest %s has no port in link %s", name, l->name);
}

/*
 * A bad line inside a link breaks that link, and concerns the guest it names
 * as well as the link's other ends: its guest must not start without it.
 */
static void
on_line_error(void *ctx, unsigned line, const char *msg, const char *key, size_t keylen)
{
	struct parse *ps = ctx;
	long link = ps->section >= 0 ? ps->section : NO_LINK;
	char *guest = NULL;

	if (link != NO_LINK && key != NULL && keylen > 0 &&
	    (keylen != strlen(LINK_BACKLOG_KEY) || memcmp(key, LINK_BACKLOG_KEY, keylen) != 0))
		guest = xstrndup(key, keylen);
	pairs_error(ps->p, line, guest, link, "%s", msg);
	free(guest);
}

/* inih's handler; the section is the one ini_lines last reported. */
static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *ps = user;

	(void)section;
	if (!ps->in_section)
		ERROR(ps, NULL, NO_LINK, "\"%s\" is outside any section", name);
	else if (ps->section == IN_SETTINGS)
		on_setting(ps, name, value);
	else
		on_link_key(ps, name, value);
	return 1;
}

/* --- what needs the whole file --- */

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

/* Two links of one name: the second is refused, and breaks the first. */
static void
check_link_names(struct pairs *p)
{
	struct link **v = xcalloc(p->nlinks, sizeof(*v));
	size_t i;

	for (i = 0; i < p->nlinks; i++) {
		v[i] = &p->links[i];
		if (v[i]->nends != 2)
			pairs_error(p, v[i]->line, NULL, (long)i,
			    "link %s has %zu end%s; a link joins exactly two guest ports",
			    v[i]->name, v[i]->nends, v[i]->nends == 1 ? "" : "s");
	}
	qsort(v, p->nlinks, sizeof(*v), cmp_link_name);
	for (i = 1; i < p->nlinks; i++) {
		if (strcmp(v[i]->name, v[i - 1]->name) != 0)
			continue;
		pairs_error(p, v[i]->line, NULL, v[i] - p->links,
		    "duplicate link \"%s\" (first on line %u)", v[i]->name,
		    v[i - 1]->line)->link2 = v[i - 1] - p->links;
		v[i - 1]->broken = 1;
	}
	free(v);
}

/* One port of a guest in two links: the second is refused, and breaks the first. */
static void
check_ports(struct pairs *p)
{
	struct end_ref *v;
	size_t i, j, n = 0;

	for (i = 0; i < p->nlinks; i++)
		n += p->links[i].nends;
	v = xcalloc(n, sizeof(*v));
	for (i = n = 0; i < p->nlinks; i++)
		for (j = 0; j < p->links[i].nends; j++)
			v[n++] = (struct end_ref){ &p->links[i].ends[j], (long)i };
	qsort(v, n, sizeof(*v), cmp_end);
	for (i = 1; i < n; i++) {
		const struct link_end *a = v[i - 1].end, *b = v[i].end;

		if (strcmp(a->domain, b->domain) != 0 || strcmp(a->port, b->port) != 0 ||
		    v[i].link == v[i - 1].link)
			continue;
		pairs_error(p, b->line, b->domain, v[i].link,
		    "port %s of guest %s is already in link %s (line %u)", b->port, b->domain,
		    p->links[v[i - 1].link].name, a->line)->link2 = v[i - 1].link;
		p->links[v[i - 1].link].broken = 1;
	}
	free(v);
}

static void
set_defaults(struct pairs *out, const char *path)
{
	memset(out, 0, sizeof(*out));
	out->path = xstrdup(path);
	out->settings.state_dir = xstrdup(PAIRS_DEFAULT_STATE_DIR);
	out->settings.mode = 0600;
	out->settings.backlog = BACKLOG_KEEP;
}

int
pairs_parse(const char *name, const char *buf, size_t len, struct pairs *out)
{
	struct parse ps;
	int r;

	if (out->path == NULL)
		set_defaults(out, name);
	memset(&ps, 0, sizeof(ps));
	ps.p = out;
	ps.section = NO_LINK;
	ps.in = (struct ini_lines){ .buf = buf, .len = len, .ctx = &ps,
	    .on_error = on_line_error, .on_section = on_section };
	r = ini_parse_stream(ini_lines_read, &ps.in, on_key, &ps);
	if (r != 0 && out->nerrors == 0)
		pairs_error(out, r > 0 ? (unsigned)r : 0, NULL, NO_LINK,
		    "cannot be parsed (inih error %d)", r);
	check_link_names(out);
	check_ports(out);
	return 0;
}

int
pairs_load(const char *path, struct pairs *out)
{
	struct stat sb;
	size_t len;
	char *buf;
	int fd, saved;

	set_defaults(out, path);
	/* O_NONBLOCK: a FIFO planted at the path must not hang the hook. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 && errno == ELOOP) {
		pairs_error(out, 0, NULL, NO_LINK, "is a symbolic link; refusing to use it");
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	}
	if (fd < 0 || fstat(fd, &sb) < 0) {
		saved = errno;
		if (fd >= 0)
			close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		pairs_error(out, 0, NULL, NO_LINK, "is not a regular file");
		close(fd);
		return 0;
	}
	if (sb.st_uid != 0 && sb.st_uid != geteuid())
		pairs_error(out, 0, NULL, NO_LINK, "is owned by uid %u, not root; refusing to use it",
		    (unsigned)sb.st_uid);
	if (sb.st_mode & (S_IWGRP | S_IWOTH))
		pairs_error(out, 0, NULL, NO_LINK, "is writable by %s; refusing to use it",
		    (sb.st_mode & S_IWOTH) ? "others" : "its group");
	buf = read_all(fd, MAX_FILE_SIZE, &len);
	saved = errno;
	close(fd);
	if (buf == NULL) {
		pairs_error(out, 0, NULL, NO_LINK, "cannot be read: %s", strerror(saved));
		return 0;
	}
	pairs_parse(path, buf, len, out);
	free(buf);
	return 0;
}
