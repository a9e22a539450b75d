/*
 * pairs_ini.c: pairs.ini -> struct pairs, in one pass of inih.
 *
 * Debian's inih (r55, a shared library: its INI_* macros are fixed) splits a
 * line longer than its buffer and parses the tail as a line, truncates section
 * names, takes an indented line for a continuation, stops at the first syntax
 * error and never says which line a key is on. So inih reads through
 * read_line, which counts lines, strips leading blanks, and keeps from inih
 * every section header (sections are tracked here) and every line it could
 * misread (too long, a NUL byte, no delimiter), reporting those here.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "alloc.h"
#include "pairs.h"

#define MAX_LINK_NAME	64
#define LINK_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@+-"
#define NO_LINK		(-1L)
#define is_blank(c)	isspace((unsigned char)(c))	/* as inih sees it (C locale) */
#define is_comment(c)	((c) == ';' || (c) == '#')
#define LINK_BACKLOG_KEY "backlog"	/* the one key of a link section that is not a guest */

static const char *
backlog_of(const char *value, enum backlog *out)
{
	if (strcmp(value, "keep") == 0)
		*out = BACKLOG_KEEP;
	else if (strcmp(value, "discard") == 0)
		*out = BACKLOG_DISCARD;
	else
		return "must be \"keep\" or \"discard\"";
	return NULL;
}

static const char *
set_state_dir(struct settings *st, const char *v, unsigned line)
{
	if (v[0] != '/')
		return "must be an absolute path";
	if (strlen(v) > 512)
		return "is longer than 512 bytes";
	if (strpbrk(v, "\n\r") != NULL)
		return "contains a line break";
	if (path_has_dot(v))
		return "must not contain \".\" or \"..\"";
	free(st->state_dir);
	st->state_dir = xstrdup(v);
	return NULL;
}

/* Names stay names here: the config layer looks them up (config.h). */
static const char *
set_owner(struct settings *st, const char *v, unsigned line)
{
	st->owner_name = xstrdup(v);
	st->owner_line = line;
	return NULL;
}

static const char *
set_group(struct settings *st, const char *v, unsigned line)
{
	st->group_name = xstrdup(v);
	st->group_line = line;
	return NULL;
}

static const char *
set_mode(struct settings *st, const char *v, unsigned line)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 8);
	if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || v[0] == '+' || n > 0777)
		return "is not octal permission bits such as 0600";
	st->mode = (mode_t)n;
	return NULL;
}

static const char *
set_backlog(struct settings *st, const char *v, unsigned line)
{
	return backlog_of(v, &st->backlog);
}

static const struct {
	const char	*name;
	/* NULL, or why value is wrong ("NAME \"VALUE\" WHY") */
	const char	*(*set)(struct settings *st, const char *v, unsigned line);
} settings[] = {
	{ "state_dir", set_state_dir },
	{ "owner", set_owner },
	{ "group", set_group },
	{ "mode", set_mode },
	{ "backlog", set_backlog },
};
#define NSETTINGS	(sizeof(settings) / sizeof(*settings))

struct parse {
	struct pairs	*p;
	const char	*buf;
	size_t		 len, pos, links_cap;
	unsigned	 line;		/* the line inih is handling */
	enum { OUTSIDE, SETTINGS, LINK } in;
	unsigned	 seen[NSETTINGS];	/* line of each setting, for duplicates */
};

const char *
pairs_setting_name(size_t i)
{
	return i < NSETTINGS ? settings[i].name : NULL;
}

/* Mirrors inih's rule: ';' starts an inline comment only after white space. */
static const char *
find_delimiter(const char *s, const char *end)
{
	int was_space = 0;

	for (; s < end; s++) {
		if (*s == '=' || *s == ':')
			return s;
		if (was_space && *s == ';')
			return NULL;
		was_space = is_blank(*s);
	}
	return NULL;
}

/*
 * An error of the line being read. Inside a link it breaks the link, and
 * concerns the guest the line names (key, up to the delimiter delim) as well
 * as the link's other ends: that guest must not start without it.
 */
static void
line_error(struct parse *ps, const char *msg, const char *key, const char *delim)
{
	long link = ps->in == LINK ? (long)ps->p->nlinks - 1 : NO_LINK;
	char *guest = NULL;
	size_t len;

	while (delim != NULL && delim > key && is_blank(delim[-1]))
		delim--;
	len = delim != NULL ? (size_t)(delim - key) : 0;
	if (link != NO_LINK && len > 0 &&
	    !(len == strlen(LINK_BACKLOG_KEY) && memcmp(key, LINK_BACKLOG_KEY, len) == 0))
		guest = xstrndup(key, len);
	pairs_add_error(ps->p, ps->line, guest, link, "%s", msg);
	free(guest);
}

/* A header, "[" name close: it opens its section even when rejected, so
 * that the lines after it never count as lines of the section before. */
static void
section_line(struct parse *ps, const char *name, const char *close)
{
	struct pairs *p = ps->p;
	struct link *l;
	size_t len;

	while (name < close && is_blank(*name))
		name++;
	while (close > name && is_blank(close[-1]))
		close--;
	len = (size_t)(close - name);
	ps->in = len == strlen(PAIRS_SETTINGS_SECTION) &&
	    memcmp(name, PAIRS_SETTINGS_SECTION, len) == 0 ? SETTINGS : LINK;
	if (ps->in == LINK) {
		GROW(p->links, p->nlinks, ps->links_cap);
		l = &p->links[p->nlinks++];
		*l = (struct link){ .name = xstrndup(name, len), .line = ps->line };
		if (len == 0 || len > MAX_LINK_NAME || name[0] == '.' ||
		    strspn(l->name, LINK_CHARS) != len)
			pairs_add_error(p, ps->line, NULL, (long)p->nlinks - 1,
			    "invalid link name \"%.*s\": use at most %d letters, digits and ._:@+- not starting with '.'",
			    (int)(len > 80 ? 80 : len), name, MAX_LINK_NAME);
	}
}

/*
 * inih's reader: hands over whole, checked lines, and anything else as a
 * comment. Of a line with a NUL byte, what comes before it is sure: the
 * section a header opens, or the key before the delimiter.
 */
static char *
read_line(char *str, int num, void *stream)
{
	struct parse *ps = stream;
	const char *start, *end, *next, *delim, *close, *msg = NULL;
	char too_long[64], c;

	if (ps->pos >= ps->len || num < 4)
		return NULL;
	start = ps->buf + ps->pos;
	next = memchr(start, '\n', ps->len - ps->pos);
	end = next ? next : ps->buf + ps->len;
	ps->pos = (size_t)(end - ps->buf) + (next ? 1 : 0);
	ps->line++;
	if (ps->line == 1 && end - start >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0)
		start += 3;
	while (start < end && is_blank(*start))
		start++;
	while (end > start && is_blank(end[-1]))
		end--;
	c = start < end ? *start : ';';	/* inih skips an empty line as it does a comment */
	if ((next = memchr(start, '\0', (size_t)(end - start))) != NULL)
		end = next;
	close = c == '[' ? memchr(start, ']', (size_t)(end - start)) : NULL;
	delim = c == '[' || is_comment(c) ? NULL : find_delimiter(start, end);
	snprintf(too_long, sizeof(too_long), "line is longer than %d bytes", num - 2);
	if (next != NULL)
		msg = "line contains a NUL byte";
	else if (end - start + 2 > num)	/* inih needs room for "\n\0" */
		msg = too_long;
	else if (c == '[' && close == NULL)
		msg = "section header without ']'";
	else if (c != '[' && !is_comment(c) && delim == NULL)
		msg = "expected \"guest = port\", \"setting = value\" or \"[section]\"";
	if (c == '[')
		section_line(ps, start + 1, close ? close : end);
	if (msg != NULL)
		line_error(ps, msg, start, delim);
	if (msg != NULL || delim == NULL)
		return strcpy(str, ";\n");	/* what inih gets instead of a line it must not see */
	memcpy(str, start, (size_t)(end - start));
	strcpy(str + (end - start), "\n");
	return str;
}

static void
handle_setting(struct parse *ps, const char *name, const char *value)
{
	size_t i;
	const char *why;

	for (i = 0; i < NSETTINGS && strcmp(name, settings[i].name) != 0; i++)
		;
	if (i == NSETTINGS)
		pairs_add_error(ps->p, ps->line, NULL, NO_LINK, "unknown setting \"%s\" in [%s]",
		    name, PAIRS_SETTINGS_SECTION);
	else if (ps->seen[i] != 0)
		pairs_add_error(ps->p, ps->line, NULL, NO_LINK,
		    "duplicate setting \"%s\" (first on line %u)", name, ps->seen[i]);
	else if ((why = settings[i].set(&ps->p->settings, value, ps->line)) != NULL)
		pairs_add_error(ps->p, ps->line, NULL, NO_LINK, "%s \"%s\" %s", name, value, why);
	if (i < NSETTINGS && ps->seen[i] == 0)
		ps->seen[i] = ps->line;
}

static void
handle_link_key(struct parse *ps, const char *name, const char *value)
{
	long li = (long)ps->p->nlinks - 1;	/* on_key calls it inside a link only */
	struct link *l = &ps->p->links[li];
	const struct link_end *first;
	const char *why;

	if (strcmp(name, LINK_BACKLOG_KEY) == 0) {
		if (l->backlog_set)
			pairs_add_error(ps->p, ps->line, NULL, li,
			    "duplicate setting \"backlog\" in link %s", l->name);
		else if ((why = backlog_of(value, &l->backlog)) != NULL)
			pairs_add_error(ps->p, ps->line, NULL, li, "%s \"%s\" %s", name, value, why);
		l->backlog_set = 1;
		return;
	}
	if ((first = pairs_end_of(l, name, NULL)) != NULL) {
		pairs_add_error(ps->p, ps->line, name, li,
		    "guest %s appears twice in link %s (first on line %u)", name, l->name, first->line);
		return;
	}
	l->ends = xreallocarray(l->ends, l->nends + 1, sizeof(*l->ends));
	l->ends[l->nends++] = (struct link_end){ xstrdup(name), xstrdup(value), ps->line };
	if (name[0] == '\0')
		pairs_add_error(ps->p, ps->line, NULL, li, "missing guest name before '='");
	else if (strchr(name, '/') != NULL)
		pairs_add_error(ps->p, ps->line, name, li,
		    "\"%s\" is not a guest name: libvirt names never contain '/'", name);
	else if (value[0] == '\0')
		pairs_add_error(ps->p, ps->line, name, li,
		    "guest %s has no port in link %s", name, l->name);
}

/* inih's handler; its section is always "": read_line keeps headers from it. */
static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *ps = user;

	if (ps->in == OUTSIDE)
		pairs_add_error(ps->p, ps->line, NULL, NO_LINK, "\"%s\" is outside any section", name);
	else if (ps->in == SETTINGS)
		handle_setting(ps, name, value);
	else
		handle_link_key(ps, name, value);
	return 1;
}

/* A name the file must hold once: a link's, or a guest's port. */
struct key {
	const char	*a, *b;		/* the link's name and "", or the guest and its port */
	unsigned	 line;
	long		 link;
};

static int
cmp_key(const void *x, const void *y)
{
	const struct key *k = x, *l = y;
	int c = strcmp(k->a, l->a);

	if (c == 0)
		c = strcmp(k->b, l->b);
	return c ? c : (k->line > l->line) - (k->line < l->line);
}

/* Reports every key k[i] that an earlier one of another link holds; frees k. */
static void
check_unique(struct pairs *p, struct key *k, size_t n, int ends)
{
	struct config_error *e;
	size_t i;

	qsort(k, n, sizeof(*k), cmp_key);
	for (i = 1; i < n; i++) {
		if (strcmp(k[i].a, k[i - 1].a) != 0 || strcmp(k[i].b, k[i - 1].b) != 0 ||
		    k[i].link == k[i - 1].link)
			continue;
		if (ends)
			e = pairs_add_error(p, k[i].line, k[i].a, k[i].link,
			    "port %s of guest %s is already in link %s (line %u)",
			    k[i].b, k[i].a, p->links[k[i - 1].link].name, k[i - 1].line);
		else
			e = pairs_add_error(p, k[i].line, NULL, k[i].link,
			    "duplicate link \"%s\" (first on line %u)", k[i].a, k[i - 1].line);
		e->link2 = k[i - 1].link;
		p->links[e->link2].broken = 1;
	}
	free(k);
}

/* Checks that need the whole file: end counts, duplicate links and ports. */
static void
check_links(struct pairs *p)
{
	struct key *names = xcalloc(p->nlinks, sizeof(*names)), *ends;
	size_t i, j, n = 0;

	for (i = 0; i < p->nlinks; i++) {
		const struct link *l = &p->links[i];

		if (l->nends != 2)
			pairs_add_error(p, l->line, NULL, (long)i,
			    "link %s has %zu end%s; a link joins exactly two guest ports",
			    l->name, l->nends, l->nends == 1 ? "" : "s");
		names[i] = (struct key){ l->name, "", l->line, (long)i };
		n += l->nends;
	}
	check_unique(p, names, p->nlinks, 0);
	ends = xcalloc(n, sizeof(*ends));
	for (i = n = 0; i < p->nlinks; i++)
		for (j = 0; j < p->links[i].nends; j++)
			ends[n++] = (struct key){ p->links[i].ends[j].domain, p->links[i].ends[j].port,
			    p->links[i].ends[j].line, (long)i };
	check_unique(p, ends, n, 1);
}

int
pairs_parse(const char *name, const char *buf, size_t len, struct pairs *out)
{
	struct parse ps = { .p = out, .buf = buf, .len = len, .links_cap = out->nlinks };
	int r;

	if (out->path == NULL)
		*out = (struct pairs){ .path = xstrdup(name), .settings = {
		    .state_dir = xstrdup(PAIRS_DEFAULT_STATE_DIR), .mode = 0600,
		    .backlog = BACKLOG_KEEP } };
	if ((r = ini_parse_stream(read_line, &ps, on_key, &ps)) != 0 && out->nerrors == 0)
		pairs_add_error(out, r > 0 ? (unsigned)r : 0, NULL, NO_LINK,
		    "cannot be parsed (inih error %d)", r);
	check_links(out);
	return 0;
}
