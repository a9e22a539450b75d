/*
 * check.c: "vserlink check [DOMAIN.xml ...]".
 *
 * Says before a start what the hook would refuse at it, with the hook's own
 * code: every error of pairs.ini, then for each guest's XML (the files
 * given, or else the defined guests' XML from virsh) the hook's plan of its
 * prepare against today's state and disk, which reports exactly the
 * refusals a start would. A dry run sees one guest; what only shows when the
 * second end of a link starts (both ends on one path, ends on two file
 * systems, one path in two links) is checked here across the XML given, for
 * links with no end attached (with an end attached, the dry run sees it).
 * Then what libvirt's security drivers will do to the FIFOs on this host
 * (its models from virsh capabilities, or --selinux/--no-selinux, or else
 * as the guests' XML asks), and pipe directories others may write in
 * (access.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "caps.h"
#include "cmd.h"
#include "config.h"
#include "fsops.h"
#include "log.h"
#include "state.h"
#include "wire.h"

static const char usage[] =
    "usage: vserlink check [-c FILE] [--selinux | --no-selinux] [DOMAIN.xml ...]\n"
    "Validates pairs.ini and reports every problem with its line; with domain\n"
    "XML files (or, without them, the XML of the defined guests from virsh, if\n"
    "installed), also reports everything the hook would refuse when the guests\n"
    "start, what SELinux, AppArmor and DAC would do to the shared FIFOs, and\n"
    "pipe directories that others can write in.\n"
    "Exits 0 only when no error was found.\n"
    "  -c FILE       read FILE instead of " CONFIG_DEFAULT " (or $" CONFIG_ENV ")\n"
    "  --selinux     check for a host whose libvirt runs SELinux\n"
    "  --no-selinux  check for one whose libvirt does not (default: ask virsh)\n";

struct guest {
	char		*source;	/* for messages: a file, or virsh */
	struct domain	 xml;
	int		 linked;	/* pairs.ini concerns it */
	int		 refused;	/* the hook would refuse its start */
	size_t		 nports;	/* linked ports, when not refused */
};

/* A linked port of a guest that passed its dry run. */
struct end {
	struct guest		*g;
	const struct link	*l;
	const struct domain_port *port;
	const char		*peer;
	int			 attached;	/* in the state now */
};

struct check {
	const struct pairs	*p;
	struct state		 s;
	struct guest		*g;
	size_t			 ng;
	struct end		*ends;
	size_t			 nends, ends_cap;
	int			 errors;
};

#define END_ARGS(e)	(e)->g->xml.name, (e)->l->name, (e)->port->name

/* --- the guests' XML --- */

static void
add_guest(struct check *c, char *source, const char *buf, size_t len)
{
	struct guest *g;
	size_t i;

	c->g = xreallocarray(c->g, c->ng + 1, sizeof(*c->g));
	g = &c->g[c->ng];
	memset(g, 0, sizeof(*g));
	g->source = source;
	if (cmd_parse_xml(source, buf, len, &g->xml) < 0) {
		c->errors++;
		free(source);
		return;
	}
	if (g->xml.name == NULL || g->xml.name[0] == '\0') {
		log_error("%s: the domain XML has no <name>", source);
		goto drop;
	}
	for (i = 0; i < c->ng; i++) {
		if (strcmp(c->g[i].xml.name, g->xml.name) == 0) {
			log_error("%s: guest %s again (first in %s)", source, g->xml.name,
			    c->g[i].source);
			goto drop;
		}
	}
	c->ng++;
	return;
drop:
	c->errors++;
	domain_free(&g->xml);
	free(source);
}

static void
read_files(struct check *c, int argc, char **argv)
{
	size_t len;
	char *buf;
	int i, fd;

	for (i = 0; i < argc; i++) {
		/* Blocking is fine here: check is run by hand, and <(virsh dumpxml g) is a pipe. */
		if ((fd = open(argv[i], O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0 ||
		    (buf = read_all(fd, CMD_MAX_XML, &len)) == NULL) {
			log_error("%s: %s", argv[i], strerror(errno));
			if (fd >= 0)
				close(fd);
			c->errors++;
			continue;
		}
		close(fd);
		add_guest(c, xstrdup(argv[i]), buf, len);
		free(buf);
	}
}

static void
fetch_defined(struct check *c)
{
	struct virsh_xml *v;
	size_t i, n;

	if (virsh_fetch(c->p, &v, &n) < 0) {
		cmd_note("no domain XML given and no virsh on $PATH: checked %s alone",
		    c->p->path);
		return;
	}
	for (i = 0; i < n; i++) {
		add_guest(c, xasprintf("virsh dumpxml %s", v[i].name), v[i].xml, v[i].len);
		free(v[i].name);
		free(v[i].xml);
	}
	free(v);
}

/* --- one guest: the hook's own prepare, as a dry run --- */

static void
collect_ends(struct check *c, struct guest *g)
{
	const struct link_end *mine, *peer;
	size_t i;

	for (i = 0; i < c->p->nlinks; i++) {
		const struct link *l = &c->p->links[i];
		struct end *e;

		if ((mine = pairs_end_of(l, g->xml.name, &peer)) == NULL || peer == NULL)
			continue;
		GROW(c->ends, c->nends, c->ends_cap);
		e = &c->ends[c->nends++];
		/* The plan passed: the port exists once, a pipe with a usable path. */
		*e = (struct end){ g, l, domain_find_port(&g->xml, mine->port, NULL), peer->domain,
		    state_find_end(&c->s, l->name, g->xml.name) != NULL };
	}
}

static void
check_guest(struct check *c, struct guest *g)
{
	const char *name = g->xml.name;
	struct wiring *w;
	int rc;
	size_t before = c->nends;

	if (!pairs_concerns(c->p, name))
		return;
	g->linked = 1;
	if (pairs_refuses(c->p, name)) {
		log_error("guest %s (%s): the hook refuses to start it until the errors in %s about it are fixed",
		    name, g->source, c->p->path);
		g->refused = 1;
		c->errors++;
		return;
	}
	rc = wire_plan_prepare(name, &g->xml, c->p, WIRE_LOOK, &w);
	wire_free(w);
	if (rc != 0) {
		g->refused = 1;
		c->errors++;
		return;
	}
	collect_ends(c, g);
	g->nports = c->nends - before;
}

/* After the messages, what became of each guest that has none. */
static void
report_guests(const struct check *c)
{
	size_t i;

	for (i = 0; i < c->ng; i++) {
		const struct guest *g = &c->g[i];

		if (!g->linked)
			printf("guest %s (%s): not linked\n", g->xml.name, g->source);
		else if (!g->refused)
			printf("guest %s (%s): %zu linked port%s can be wired\n", g->xml.name,
			    g->source, g->nports, g->nports == 1 ? "" : "s");
	}
}

/* --- across guests: what the second start of a link would refuse --- */

static int
cmp_end_path(const void *a, const void *b)
{
	const struct end *x = a, *y = b;
	int r = fs_path_cmp(x->port->path, y->port->path);

	/* Ties in the order the guests were given, for messages that do not vary. */
	if (r == 0)
		r = (x->g > y->g) - (x->g < y->g);
	if (r == 0)
		r = (x->l > y->l) - (x->l < y->l);
	return r;
}

static void
check_shared_paths(struct check *c)
{
	struct end *v = xcalloc(c->nends, sizeof(*v));
	size_t i;

	if (c->nends > 0)
		memcpy(v, c->ends, c->nends * sizeof(*v));
	qsort(v, c->nends, sizeof(*v), cmp_end_path);
	for (i = 1; i < c->nends; i++) {
		const struct end *a = &v[i - 1], *b = &v[i];

		if (fs_path_cmp(a->port->path, b->port->path) != 0 || a->g == b->g ||
		    a->attached || b->attached)
			continue;
		/* The hook's words when b's guest starts second. */
		if (a->l == b->l)
			wire_refuse_same_path(END_ARGS(b), b->port->path, a->g->xml.name);
		else
			wire_refuse_in_use(END_ARGS(b), b->port->path, a->g->xml.name, a->l->name);
		b->g->refused = 1;
		c->errors++;
	}
	free(v);
}

/* The device of path's directory, or -1 (the dry run has reported why). */
static int
dir_dev(const char *path, dev_t *dev)
{
	char msg[PATH_MAX + 128];
	struct stat st;
	int fd, rc = -1;

	if ((fd = fs_open_parent(path, msg, sizeof(msg))) >= 0) {
		if (fstat(fd, &st) == 0) {
			*dev = st.st_dev;
			rc = 0;
		}
		close(fd);
	}
	return rc;
}

/* The hook's words when b's guest starts second: .in is the peer's .out. */
static void
two_fs(const struct end *a, const struct end *b, int k)
{
	char *mine = xasprintf("%s%s", b->port->path, fifo_suffix[k]);
	char *peer = xasprintf("%s%s", a->port->path, fifo_suffix[1 - k]);

	wire_refuse_two_fs(END_ARGS(b), mine, a->g->xml.name, peer);
	free(mine);
	free(peer);
}

static void
check_file_systems(struct check *c)
{
	size_t i, j;
	int k;

	for (i = 0; i < c->nends; i++) {
		const struct end *a = &c->ends[i];
		dev_t da, db;

		for (j = i + 1; j < c->nends; j++) {
			const struct end *b = &c->ends[j];

			if (b->l != a->l || a->attached || b->attached ||
			    fs_path_cmp(a->port->path, b->port->path) == 0)
				continue;
			if (dir_dev(a->port->path, &da) < 0 || dir_dev(b->port->path, &db) < 0 ||
			    da == db)
				continue;
			for (k = 0; k < 2; k++)
				two_fs(a, b, k);
			b->g->refused = 1;
			c->errors++;
		}
	}
}

/* Links whose other end's XML was not at hand: half checked. */
static void
note_unchecked(struct check *c)
{
	size_t i, j;

	for (i = 0; i < c->nends; i++) {
		const struct end *e = &c->ends[i];
		int found = 0;

		for (j = 0; j < c->ng; j++)
			if (strcmp(c->g[j].xml.name, e->peer) == 0)
				found = 1;
		if (!found)
			printf("link %s: guest %s's XML was not checked; the link was checked from guest %s's end only\n",
			    e->l->name, e->peer, e->g->xml.name);
	}
}

/* --- who else touches the FIFOs: security drivers, other users --- */

static const struct domain_port *
peer_port(const struct check *c, const struct end *e)
{
	size_t i;

	for (i = 0; i < c->nends; i++)
		if (c->ends[i].l == e->l && c->ends[i].g != e->g)
			return c->ends[i].port;
	return NULL;
}

static void
check_access(struct check *c, unsigned models, int known)
{
	size_t i;

	for (i = 0; i < c->nends; i++) {
		const struct end *e = &c->ends[i];
		struct checked_end ce = { &e->g->xml, e->l->name, e->port, e->peer,
		    peer_port(c, e) };

		c->errors += access_check_labels(&ce, models, known);
		access_check_dir(&ce);
	}
}

/* --- the command --- */

/* Everything but pairs.ini itself: the guests' XML (files, or virsh's), each and across. */
static void
check_guests(struct check *c, int nfiles, char **files, int selinux)
{
	char msg[PATH_MAX + 256];
	unsigned models;
	size_t i;
	int known;

	/* The state as the hook would find it now; an unreadable one is the plan's to report. */
	if (state_open(&c->s, c->p->settings.state_dir, 0, msg, sizeof(msg)) == 0)
		(void)state_load(&c->s, msg, sizeof(msg));
	/* Without virsh, or when it fails, the guests' XML says whether SELinux labels. */
	known = cmd_secmodels(selinux, &models) == 0;
	if (nfiles > 0)
		read_files(c, nfiles, files);
	else
		fetch_defined(c);
	for (i = 0; i < c->ng; i++)
		check_guest(c, &c->g[i]);
	check_shared_paths(c);
	check_file_systems(c);
	check_access(c, models, known);
	report_guests(c);
	note_unchecked(c);
	for (i = 0; i < c->ng; i++) {
		domain_free(&c->g[i].xml);
		free(c->g[i].source);
	}
	free(c->g);
	free(c->ends);
	state_close(&c->s);
}

int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = { CMD_LONGOPTS, CMD_SELINUX_LONGOPTS, { 0 } };
	const char *config = NULL;
	struct check c;
	struct pairs p;
	size_t n;
	int ch, rc, selinux = 0;

	while ((ch = cmd_getopt(argc, argv, CMD_SHORTOPTS, longopts, usage, &config, &rc)) != -1)
		selinux = ch;
	if (rc >= 0)
		return rc;
	config = config_path(config);

	if ((rc = config_load(config, &p)) != 0) {
		if (rc == 1)
			log_error("%s: %s", config, strerror(ENOENT));
		pairs_free(&p);
		return 1;
	}
	memset(&c, 0, sizeof(c));
	c.p = &p;
	if ((n = (size_t)config_report_errors(&p, NULL)) == 0)
		printf("%s: %zu link%s, no errors\n", config, p.nlinks, p.nlinks == 1 ? "" : "s");
	c.errors += (int)n;

	check_guests(&c, argc - optind, argv + optind, selinux);
	pairs_free(&p);
	return c.errors ? 1 : 0;
}
