/*
 * test_pairs: pairs.ini -> struct pairs, every error message pinned by a
 * golden file (tests/golden/pairs/NAME.ini -> NAME.expected) with the guests
 * whose start the errors stop, and the rules that decide whom an error
 * concerns.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "config.h"
#include "golden.h"
#include "pairs.h"

static const char *
backlog_name(enum backlog b)
{
	return b == BACKLOG_KEEP ? "keep" : "discard";
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every guest that the file or an error names and whose start an error stops. */
static void
render_stopped(const struct pairs *p, FILE *out)
{
	const char **names = NULL;
	size_t i, j, n = 0;

	for (i = 0; i < p->nlinks; i++)
		for (j = 0; j < p->links[i].nends; j++) {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = p->links[i].ends[j].domain;
		}
	for (i = 0; i < p->nerrors; i++)
		if (p->errors[i].domain != NULL) {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = p->errors[i].domain;
		}
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	fputs("stopped:", out);
	for (i = 0; i < n; i++)
		if ((i == 0 || strcmp(names[i], names[i - 1]) != 0) && pairs_refuses(p, names[i]))
			fprintf(out, " %s", names[i][0] ? names[i] : "\"\"");
	fputc('\n', out);
	free(names);
}

static void
render(const char *input, FILE *out)
{
	struct pairs p;
	const char *base = strrchr(input, '/') + 1;
	size_t i, j;
	char *buf;
	size_t len;

	/* Parsed from memory: the golden files' owners and modes are not under test. */
	buf = golden_slurp(input, &len);
	memset(&p, 0, sizeof(p));
	pairs_parse(base, buf, len, &p);
	config_resolve(&p);	/* as config_load does */
	free(buf);
	fprintf(out, "settings state_dir=%s owner=%u group=%u mode=%04o backlog=%s\n",
	    p.settings.state_dir, (unsigned)p.settings.owner, (unsigned)p.settings.group,
	    (unsigned)p.settings.mode, backlog_name(p.settings.backlog));
	for (i = 0; i < p.nlinks; i++) {
		const struct link *l = &p.links[i];

		fprintf(out, "link %s line=%u backlog=%s%s:", l->name, l->line,
		    backlog_name(pairs_backlog(&p, l)), l->broken ? " BROKEN" : "");
		for (j = 0; j < l->nends; j++)
			fprintf(out, " %s=%s@%u", l->ends[j].domain, l->ends[j].port,
			    l->ends[j].line);
		fputc('\n', out);
	}
	for (i = 0; i < p.nerrors; i++)
		fprintf(out, "vserlink: %s:%u: %s\n", p.path, p.errors[i].line,
		    p.errors[i].message);
	if (p.nerrors > 0)
		render_stopped(&p, out);
	pairs_free(&p);
}

static void
test_concerns(void)
{
	static const char ini[] =
	    "[vserlink]\n"
	    "[ok]\n"
	    "a = p1\n"
	    "b = p1\n"
	    "[bad]\n"
	    "c = p1\n"
	    "[worse]\n"
	    "d = p1\n"
	    "d = p2\n"
	    "e = p1\n";
	static const char settings_bad[] = "[vserlink]\nbogus = 1\n[l]\na = x\nb = y\n";
	struct pairs p;
	size_t i;
	int a = 0, b = 0, c = 0, d = 0, e = 0, z = 0;

	memset(&p, 0, sizeof(p));
	pairs_parse("t.ini", ini, sizeof(ini) - 1, &p);
	for (i = 0; i < p.nerrors; i++) {
		a |= pairs_error_concerns(&p, &p.errors[i], "a");
		b |= pairs_error_concerns(&p, &p.errors[i], "b");
		c |= pairs_error_concerns(&p, &p.errors[i], "c");
		d |= pairs_error_concerns(&p, &p.errors[i], "d");
		e |= pairs_error_concerns(&p, &p.errors[i], "e");
		z |= pairs_error_concerns(&p, &p.errors[i], "z");
	}
	tap(!a && !b, "errors in other guests' lines do not concern a good link's guests");
	tap(c, "a link with one end concerns its guest");
	tap(d && e, "a guest named twice concerns every guest of that link");
	tap(!z, "no error concerns a guest the file does not mention");
	tap(pairs_mentions(&p, "a") && !pairs_mentions(&p, "z"), "pairs_mentions");
	pairs_free(&p);

	memset(&p, 0, sizeof(p));
	pairs_parse("t.ini", settings_bad, strlen(settings_bad), &p);
	tap(p.nerrors == 1 && pairs_error_concerns(&p, &p.errors[0], "a") &&
	    !pairs_error_concerns(&p, &p.errors[0], "z"),
	    "an error in [vserlink] concerns every linked guest and no other");
	pairs_free(&p);
}

/* pairs.ini "[vserlink]\nLINE\n" as config_load reads it; the first error or NULL. */
static const char *
setting(struct pairs *p, const char *line)
{
	char *ini = xasprintf("[%s]\n%s\n", PAIRS_SETTINGS_SECTION, line);

	memset(p, 0, sizeof(*p));
	pairs_parse("t.ini", ini, strlen(ini), p);
	config_resolve(p);
	free(ini);
	return p->nerrors ? p->errors[0].message : NULL;
}

/* Every setting of the table: a good value, and bad ones with their messages. */
static void
test_settings(void)
{
	static const struct { const char *line, *error; } cases[] = {
		{ "state_dir = /srv/vs", NULL },
		{ "state_dir = relative", "state_dir \"relative\" must be an absolute path" },
		{ "state_dir = /run/../etc", "state_dir \"/run/../etc\" must not contain \".\" or \"..\"" },
		{ "state_dir = /run/.", "state_dir \"/run/.\" must not contain \".\" or \"..\"" },
		{ "mode = 0640", NULL },
		{ "mode = 0999", "mode \"0999\" is not octal permission bits such as 0600" },
		{ "mode = 01000", "mode \"01000\" is not octal permission bits such as 0600" },
		{ "mode = -1", "mode \"-1\" is not octal permission bits such as 0600" },
		{ "backlog = discard", NULL },
		{ "backlog = later", "backlog \"later\" must be \"keep\" or \"discard\"" },
		{ "owner = root", NULL },
		{ "owner = 1234", NULL },
		{ "owner = 4294967295", "owner: no user \"4294967295\" in /etc/passwd" },
		{ "owner = no-such-user-here", "owner: no user \"no-such-user-here\" in /etc/passwd" },
		{ "group = root", NULL },
		{ "group = 55", NULL },
		{ "group = 12abc-no-such", "group: no group \"12abc-no-such\" in /etc/group" },
		{ "sate_dir = /x", "unknown setting \"sate_dir\" in [vserlink]" },
		{ "mode = 0600\nmode = 0600", "duplicate setting \"mode\" (first on line 2)" },
	};
	struct pairs p;
	const char *e;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		e = setting(&p, cases[i].line);
		tap(cases[i].error ? e != NULL && strcmp(e, cases[i].error) == 0 && p.nerrors == 1 &&
		    p.errors[0].line >= 2 : e == NULL, "setting \"%.*s\": %s",
		    (int)strcspn(cases[i].line, "\n"), cases[i].line,
		    cases[i].error ? cases[i].error : "accepted");
		pairs_free(&p);
	}
	setting(&p, "state_dir = /srv/vs\nmode = 0640\nbacklog = discard");
	tap(strcmp(p.settings.state_dir, "/srv/vs") == 0 && p.settings.mode == 0640 &&
	    p.settings.backlog == BACKLOG_DISCARD, "state_dir, mode and backlog are set");
	pairs_free(&p);
	setting(&p, "owner = 1234\ngroup = 55");
	tap(p.settings.owner == 1234 && p.settings.group == 55, "numeric owner and group");
	pairs_free(&p);
	setting(&p, "owner = 1234");
	tap(p.settings.owner == 1234 && p.settings.group == 0, "a numeric owner gives no group");
	pairs_free(&p);
	setting(&p, "group = root");
	tap(p.settings.group == 0 && p.settings.owner == 0, "group root is gid 0");
	pairs_free(&p);
}

/* A user name without a group gives its primary group (any local user not in group 0). */
static void
test_primary_group(void)
{
	struct passwd *pw;
	struct pairs p;
	char *line = NULL;
	uid_t uid = 0;
	gid_t gid = 0;
	FILE *f = fopen("/etc/passwd", "re");

	while (f != NULL && line == NULL && (pw = fgetpwent(f)) != NULL)
		if (pw->pw_gid != 0 && strchr(pw->pw_name, ';') == NULL) {
			line = xasprintf("owner = %s", pw->pw_name);
			uid = pw->pw_uid;
			gid = pw->pw_gid;
		}
	if (f != NULL)
		fclose(f);
	if (line == NULL) {
		tap(1, "# SKIP no local user outside group 0");
		return;
	}
	tap(setting(&p, line) == NULL && p.settings.owner == uid && p.settings.group == gid,
	    "%s: its uid and primary group", line);
	pairs_free(&p);
	free(line);
}

static void
test_load(void)
{
	struct pairs p;
	int r;

	r = pairs_load("/nonexistent/vserlink/pairs.ini", &p);
	tap(r == -1, "a missing file is -1 (ENOENT), not an error list");
	pairs_free(&p);
}

/* Every setting of the table is described in vserlink-pairs.ini(5), as ".It ... Cm NAME ...". */
static void
test_settings_documented(const char *top)
{
	char path[4096], pat[64], *man, *line, *next;
	size_t i, len;

	snprintf(path, sizeof(path), "%s/install/vserlink-pairs.ini.5", top);
	man = golden_slurp(path, &len);
	tap(man != NULL && pairs_setting_name(4) != NULL, "the settings table and the manual page are there");
	for (i = 0; man != NULL && pairs_setting_name(i) != NULL; i++) {
		int found = 0;

		snprintf(pat, sizeof(pat), "Cm %s ", pairs_setting_name(i));
		for (line = man; line != NULL && !found; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			found = strncmp(line, ".It ", 4) == 0 && strstr(line, pat) != NULL;
			if (next != NULL)
				next[-1] = '\n';
		}
		tap(found, "vserlink-pairs.ini(5) describes setting %s", pairs_setting_name(i));
	}
	free(man);
}

/* read_all (alloc.h), which reads pairs.ini: an input of its limit is whole, one byte more is too large. */
static void
test_read_all(void)
{
	static const size_t sizes[][2] = {
		{ 8192, 8192 }, { 16384, 16384 }, { 16385, 16384 }, { 10000, 10000 }, { 10001, 10000 },
		{ 0, 8192 },
	};
	size_t i, len;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i][0], limit = sizes[i][1];
		char *data = calloc(n + 1, 1), *got;
		FILE *f = tmpfile();

		memset(data, 'x', n);
		fwrite(data, 1, n, f);
		fflush(f);
		lseek(fileno(f), 0, SEEK_SET);
		errno = 0;
		got = read_all(fileno(f), limit, &len);
		if (n <= limit)
			tap(got != NULL && len == n && memcmp(got, data, n) == 0 && got[n] == '\0',
			    "read_all reads %zu bytes whole under a limit of %zu", n, limit);
		else
			tap(got == NULL && errno == EFBIG,
			    "read_all refuses %zu bytes under a limit of %zu as too large", n, limit);
		free(got);
		free(data);
		fclose(f);
	}
}

int
main(void)
{
	const char *top = getenv("VSERLINK_TOP");
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/tests/golden/pairs", top ? top : ".");
	golden_dir(dir, ".ini", render);
	test_concerns();
	test_settings();
	test_primary_group();
	test_load();
	test_read_all();
	test_settings_documented(getenv("VSERLINK_TOP") ? getenv("VSERLINK_TOP") : ".");
	return tap_done();
}
