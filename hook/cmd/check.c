/*
 * check.c: "vserlink check [DOMAIN.xml ...]": says before a start what the hook
 * would refuse at it, with the hook's own code: every error of pairs.ini, then
 * the hook's dry run of each guest's prepare (XML files given, else virsh's)
 * against today's state and disk. A dry run sees one guest; what only shows at
 * the second start of a link (both ends on one path, ends on two file systems,
 * one path in two links) is checked here across the XML given, for links with
 * no end attached (with one attached, the dry run sees it). Then who else
 * touches the FIFOs: libvirt's security drivers (README, "SELinux and AppArmor
 * hosts") and users who may write in their directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "cmd.h"
#include "config.h"
#include "domain.h"
#include "fsops.h"
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
	int		 refused;	/* the hook would refuse its start */
	size_t		 nports;	/* linked ports, when not refused */
};

/* A linked port of a guest whose dry run passed. */
struct checked_end {
	struct guest		 *g;		/* its guest */
	const struct link	 *l;
	const struct domain_port *port;
	const char		 *peer;		/* the guest at the other end */
	const struct domain_port *peer_port;	/* its port, when its XML is at hand */
	int			  attached;	/* in the state now */
};

#define END_ARGS(e)	(e)->g->xml.name, (e)->l->name, (e)->port->name

struct check {
	const struct pairs	*p;
	struct state		 s;
	struct guest		*g;
	size_t			 ng;
	struct checked_end	*ends;
	size_t			 nends, ends_cap;
	int			 errors;	/* besides the guests refused */
};

static const struct guest *
find_guest(const struct check *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ng; i++)
		if (strcmp(c->g[i].xml.name, name) == 0)
			return &c->g[i];
	return NULL;
}

static void
add_guest(struct check *c, char *source, const char *buf, size_t len)
{
	const struct guest *first;
	struct guest *g;
	char err[256];

	c->g = xreallocarray(c->g, c->ng + 1, sizeof(*c->g));
	g = &c->g[c->ng];
	*g = (struct guest){ .source = source };
	if (domain_parse(buf, len, &g->xml, err, sizeof(err)) < 0) {
		log_error("%s: %s", source, err);
	} else if (g->xml.name == NULL || g->xml.name[0] == '\0') {
		log_error("%s: the domain XML has no <name>", source);
	} else if ((first = find_guest(c, g->xml.name)) != NULL) {
		log_error("%s: guest %s again (first in %s)", source, g->xml.name, first->source);
	} else {
		c->ng++;
		return;
	}
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
			c->errors++;
		} else {
			add_guest(c, xstrdup(argv[i]), buf, len);
			free(buf);
		}
		if (fd >= 0)
			close(fd);
	}
}

static void
check_guest(struct check *c, struct guest *g)
{
	const char *name = g->xml.name;
	const struct link_end *mine, *peer;
	struct wiring *w;
	size_t i;

	if (!pairs_concerns(c->p, name))
		return;
	if (pairs_refuses(c->p, name)) {
		log_error("guest %s (%s): the hook refuses to start it until the errors in %s about it are fixed",
		    name, g->source, c->p->path);
		g->refused = 1;
	} else {
		g->refused = wire_plan_prepare(name, &g->xml, c->p, WIRE_LOOK, &w) != 0;
		wire_free(w);
	}
	if (g->refused)
		return;
	for (i = 0; i < c->p->nlinks; i++) {
		const struct link *l = &c->p->links[i];

		if ((mine = pairs_end_of(l, name, &peer)) == NULL || peer == NULL)
			continue;
		GROW(c->ends, c->nends, c->ends_cap);
		/* The plan passed: the port exists once, a pipe with a usable path. */
		c->ends[c->nends++] = (struct checked_end){ g, l,
		    domain_find_port(&g->xml, mine->port, NULL), peer->domain, NULL,
		    state_find_end(&c->s, l->name, name) != NULL };
		g->nports++;
	}
}

/* After the messages: what became of each guest that has none, links half checked.
 * Returns how many guests the hook would refuse. */
static int
report(const struct check *c)
{
	size_t i;
	int refused = 0;

	for (i = 0; i < c->ng; i++) {
		const struct guest *g = &c->g[i];

		refused += g->refused;
		if (!pairs_concerns(c->p, g->xml.name))
			printf("guest %s (%s): not linked\n", g->xml.name, g->source);
		else if (!g->refused)
			printf("guest %s (%s): %zu linked port%s can be wired\n", g->xml.name,
			    g->source, g->nports, g->nports == 1 ? "" : "s");
	}
	for (i = 0; i < c->nends; i++) {
		const struct checked_end *e = &c->ends[i];

		if (find_guest(c, e->peer) == NULL)
			printf("link %s: guest %s's XML was not checked; the link was checked from guest %s's end only\n",
			    e->l->name, e->peer, e->g->xml.name);
	}
	return refused;
}

static int
cmp_end_path(const void *a, const void *b)
{
	const struct checked_end *x = *(struct checked_end *const *)a;
	const struct checked_end *y = *(struct checked_end *const *)b;
	int r = fs_path_cmp(x->port->path, y->port->path);

	/* Ties in the order the ends were found (guests as given), for messages that do not vary. */
	return r != 0 ? r : (x > y) - (x < y);
}

static void
check_shared_paths(struct check *c)
{
	struct checked_end **v = xcalloc(c->nends, sizeof(*v));
	size_t i;

	for (i = 0; i < c->nends; i++)
		v[i] = &c->ends[i];
	qsort(v, c->nends, sizeof(*v), cmp_end_path);
	for (i = 1; i < c->nends; i++) {
		const struct checked_end *a = v[i - 1], *b = v[i];

		if (fs_path_cmp(a->port->path, b->port->path) != 0 || a->g == b->g ||
		    a->attached || b->attached)
			continue;
		/* The hook's words when b's guest starts second. */
		if (a->l == b->l)
			log_error(WIRE_SAME_PATH, END_ARGS(b), b->port->path, a->g->xml.name);
		else
			log_error(WIRE_IN_USE, END_ARGS(b), b->port->path, a->g->xml.name, a->l->name);
		b->g->refused = 1;
	}
	free(v);
}

/* The device of path's directory, or -1 (the dry run has reported why). */
static int
dir_dev(const char *path, dev_t *dev)
{
	char msg[PATH_MAX + 128];
	struct stat st;
	int fd, rc;

	if ((fd = fs_open_parent(path, msg, sizeof(msg))) < 0)
		return -1;
	if ((rc = fstat(fd, &st)) == 0)
		*dev = st.st_dev;
	close(fd);
	return rc;
}

static void
check_file_systems(struct check *c)
{
	size_t i, j;
	int k;

	for (i = 0; i < c->nends; i++) {
		const struct checked_end *a = &c->ends[i];
		dev_t da, db;

		for (j = i + 1; j < c->nends; j++) {
			const struct checked_end *b = &c->ends[j];

			if (b->l != a->l || a->attached || b->attached ||
			    fs_path_cmp(a->port->path, b->port->path) == 0 ||
			    dir_dev(a->port->path, &da) < 0 || dir_dev(b->port->path, &db) < 0 || da == db)
				continue;
			/* The hook's words when b's guest starts second: .in is the peer's .out. */
			for (k = 0; k < 2; k++) {
				char *mine = xasprintf("%s%s", b->port->path, fifo_suffix[k]);
				char *peer = xasprintf("%s%s", a->port->path, fifo_suffix[1 - k]);

				log_error(WIRE_TWO_FS, END_ARGS(b), mine, a->g->xml.name, peer);
				free(mine);
				free(peer);
			}
			b->g->refused = 1;
		}
	}
}

static int
check_selinux(const struct checked_end *e, unsigned models, int known)
{
	const struct domain_port *p = e->port, *pp = e->peer_port;
	const struct domain *d = &e->g->xml;

	if (known && !(models & CAPS_SELINUX) && (p->selinux_relabel_off || p->selinux_label != NULL)) {
		log_error(CMD_END_FMT "the port's <source> has a <seclabel model='selinux'>, but this host's libvirt does not run SELinux and refuses the start (\"Unable to find security driver for model selinux\"); remove it",
		    END_ARGS(e));
		return 1;
	}
	/* Whether libvirt labels this guest's files as SELinux at its start. */
	if ((known ? !(models & CAPS_SELINUX) : d->selinux_label == NULL) || d->selinux_relabel_off)
		return 0;
	if (p->selinux_relabel_off) {
		log_error(CMD_END_FMT "SELinux: relabel='no' leaves %s.in and %s.out with the label of the directory they are made in, which QEMU cannot open; put %s in the port's <source> instead",
		    END_ARGS(e), p->path, p->path, SHARED_SECLABEL);
		return 1;
	}
	if (p->selinux_label == NULL) {
		log_error(CMD_END_FMT "SELinux: libvirt gives %s.in and %s.out guest %s's own label at each start, so whichever of guests %s and %s starts second fails (\"Setting different SELinux label on ... which is already in use\"); add %s inside the port's <source>",
		    END_ARGS(e), p->path, p->path, d->name, d->name, e->peer,
		    SHARED_SECLABEL);
		return 1;
	}
	/* The port's label works when it is the shared one, or the peer's port has it too. */
	if (strcmp(p->selinux_label, SHARED_SELINUX_LABEL) != 0 &&
	    (pp == NULL || pp->selinux_label == NULL || strcmp(pp->selinux_label, p->selinux_label) != 0)) {
		log_error(CMD_END_FMT "SELinux: the <label> in the port's <source> is %s, and guest %s's end of the link has not got it too, so whichever of the two starts second fails (\"Setting different SELinux label on ... which is already in use\"); give both ends %s",
		    END_ARGS(e), p->selinux_label, e->peer, SHARED_SECLABEL);
		return 1;
	}
	return 0;
}

/* Users other than root who may write in the directory of e's FIFOs (sticky and
 * writable, or a POSIX ACL) can keep e's guest from starting by making a name first. */
static void
check_dir(const struct checked_end *e)
{
	const char *path = e->port->path, *slash = strrchr(path, '/');
	char msg[PATH_MAX + 128], why[128] = "", who[64];
	struct stat st;
	int fd, r;

	/* The dry run passed: the directory is the hook's to use. */
	if ((fd = fs_open_parent(path, msg, sizeof(msg))) < 0)
		return;
	if (fstat(fd, &st) == 0) {
		if ((st.st_mode & S_ISVTX) && ((st.st_mode & S_IWOTH) ||
		    ((st.st_mode & S_IWGRP) && st.st_gid != 0)))
			snprintf(why, sizeof(why), "is sticky and writable by others");
		else if ((r = fs_acl_writer(fd, st.st_gid, who, sizeof(who))) < 0)
			snprintf(why, sizeof(why), "cannot read its POSIX ACL (%s)", strerror(errno));
		else if (r > 0)
			snprintf(why, sizeof(why), "has a POSIX ACL that lets %s write in it", who);
	}
	if (why[0] != '\0')
		log_warning(CMD_END_FMT "%.*s: %s: any user who may write there can keep guest %s from starting by making %s.in or %s.out first; put the pipes where only root can write (make install creates " PIPE_DIR ")",
		    END_ARGS(e), slash == path ? 1 : (int)(slash - path), path, why,
		    e->g->xml.name, path, path);
	close(fd);
}

/* What libvirt's security drivers will do to the FIFOs on a host running models
 * (CAPS_*; unless known, the guests' XML decides), and who may write in their directory. */
static void
check_access(struct check *c, unsigned models, int known)
{
	size_t i, j;

	for (i = 0; i < c->nends; i++) {
		struct checked_end *e = &c->ends[i];

		for (j = 0; j < c->nends && e->peer_port == NULL; j++)
			if (c->ends[j].l == e->l && c->ends[j].g != e->g)
				e->peer_port = c->ends[j].port;
		c->errors += check_selinux(e, models, known);
		if (known && (models & CAPS_APPARMOR) && strncmp(e->port->name, "console", 7) == 0) {
			log_error(CMD_END_FMT APPARMOR_CONSOLE_FMT, END_ARGS(e), e->port->path,
			    e->port->path, e->port->path);
			c->errors++;
		}
		if (e->g->xml.dac_user_set)
			log_warning(CMD_END_FMT "guest %s runs QEMU as a user of its own (<seclabel model='dac'>); libvirt hands %s.in and %s.out to that user at start and refuses the second start of a link whose guests run as different users (\"already in use\"): run guests %s and %s as one user",
			    END_ARGS(e), e->g->xml.name, e->port->path, e->port->path,
			    e->g->xml.name, e->peer);
		check_dir(e);
	}
}

int
cmd_check(int argc, char **argv)
{
	char msg[PATH_MAX + 256];
	struct cmd_opts o;
	struct pairs p;
	struct check c = { .p = &p };
	struct virsh_xml *v = NULL;
	unsigned models;
	size_t i, n = 0;
	int rc, known;

	if ((rc = cmd_getopt(argc, argv, CMD_OPTS_SELINUX, usage, &o)) >= 0)
		return rc;
	if ((rc = config_load(o.config, &p)) != 0) {
		if (rc == 1)
			log_error("%s: %s", o.config, strerror(ENOENT));
		pairs_free(&p);
		return 1;
	}
	if ((c.errors = (int)config_report_errors(&p, NULL)) == 0)
		printf("%s: %zu link%s, no errors\n", o.config, p.nlinks, p.nlinks == 1 ? "" : "s");
	/* The state as the hook would find it now; an unreadable one is the plan's to report. */
	if (state_open(&c.s, p.settings.state_dir, 0, msg, sizeof(msg)) == 0)
		(void)state_load(&c.s, msg, sizeof(msg));
	/* Without virsh, or when it fails, the guests' XML says whether SELinux labels. */
	known = virsh_secmodels(o.selinux, &models) == 0;
	if (optind < argc)
		read_files(&c, argc - optind, argv + optind);
	else if (virsh_fetch(&p, &v, &n) < 0)
		log_error("no domain XML given and no virsh on $PATH: checked %s alone", p.path);
	for (i = 0; i < n; i++) {
		add_guest(&c, xasprintf("virsh dumpxml %s", v[i].name), v[i].xml, v[i].len);
		free(v[i].name);
		free(v[i].xml);
	}
	free(v);
	for (i = 0; i < c.ng; i++)
		check_guest(&c, &c.g[i]);
	check_shared_paths(&c);
	check_file_systems(&c);
	check_access(&c, models, known);
	c.errors += report(&c);
	for (i = 0; i < c.ng; i++) {
		domain_free(&c.g[i].xml);
		free(c.g[i].source);
	}
	free(c.g);
	free(c.ends);
	state_close(&c.s);
	pairs_free(&p);
	return c.errors ? 1 : 0;
}
