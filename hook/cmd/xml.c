/*
 * xml.c: "vserlink xml", the devices to paste into "virsh edit DOMAIN" (vserlink(8)).
 * The default DIR is on /run so the FIFOs vanish with the hook's state after a host crash.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "cmd.h"
#include "config.h"
#include "domain.h"
#include "fsops.h"

static const char usage[] =
    "usage: vserlink xml [-c FILE] [-d DIR] [--selinux | --no-selinux] DOMAIN\n"
    "Prints the <channel>, <serial>, <parallel> or <console> elements to add\n"
    "with \"virsh edit DOMAIN\" inside <devices>, one per port that pairs.ini\n"
    "links, as type='pipe' chardevs with the path DIR/LINK.DOMAIN; where\n"
    "libvirt runs SELinux (virsh capabilities), each with a shared label.\n"
    "  -c FILE       read FILE instead of " CONFIG_DEFAULT " (or $" CONFIG_ENV ")\n"
    "  -d DIR        put the pipes in DIR (default " PIPE_DIR ")\n"
    "  --selinux     write the XML for a host whose libvirt runs SELinux\n"
    "  --no-selinux  write it for a host whose libvirt does not\n";

static void
put_escaped(const char *s)
{
	static const char special[] = "&<>'\"";
	static const char *const entity[] = { "&amp;", "&lt;", "&gt;", "&apos;", "&quot;" };
	const char *c;

	for (; *s != '\0'; s++)
		if ((c = strchr(special, *s)) != NULL)
			fputs(entity[c - special], stdout);
		else
			putchar(*s);
}

/* XML forbids "--" in a comment and a '-' before its end; control characters are out too. */
static int
comment_safe(const char *s)
{
	size_t len = strlen(s);

	return strstr(s, "--") == NULL && (len == 0 || s[len - 1] != '-') && !text_has_control(s);
}

/*
 * "serial3" -> "serial" and 3; libvirt names these ports by <target port='N'/>,
 * which it writes back without leading zeros: "serial07" is not one of them.
 */
static int
numbered(const char *port, const char *prefix, unsigned long *n)
{
	size_t len = strlen(prefix);
	char *end;

	if (strncmp(port, prefix, len) != 0 || port[len] < '0' || port[len] > '9' ||
	    (port[len] == '0' && port[len + 1] != '\0'))
		return 0;
	*n = strtoul(port + len, &end, 10);
	return *end == '\0' && *n <= 65535;
}

/* A type='pipe' chardev at path, with the shared SELinux label inside <source> when asked. */
static void
put_device(const char *port, const char *path, int selinux)
{
	static const char *const kinds[] = { "serial", "parallel", "console", "channel" };
	unsigned long n;
	size_t i = 0;

	while (i < 3 && !numbered(port, kinds[i], &n))
		i++;
	printf("<%s type='pipe'>\n  <source path='", kinds[i]);
	put_escaped(path);
	fputs(selinux ? "'>\n    " SHARED_SECLABEL "\n  </source>\n" : "'/>\n", stdout);
	if (i == 3) {
		fputs("  <target type='virtio' name='", stdout);
		put_escaped(port);
		fputs("'/>\n", stdout);
	} else {
		printf("  <target %sport='%lu'/>\n", i == 2 ? "type='virtio' " : "", n);
	}
	printf("</%s>\n", kinds[i]);
}

/*
 * Link and guest names may both hold dots, so two ends could get one path
 * (link "a" of guest "b.c", link "a.b" of guest "c"). Returns the other end
 * whose LINK.GUEST is also tail (a guest is at most one end of a link), or NULL.
 */
static const struct link_end *
check_clash(const struct pairs *p, const char *tail, const struct link_end *me,
    const struct link **other)
{
	const struct link_end *e;
	size_t i, n;

	for (i = 0; i < p->nlinks; i++) {
		*other = &p->links[i];
		n = strlen((*other)->name);
		if (strncmp(tail, (*other)->name, n) == 0 && tail[n] == '.' &&
		    (e = pairs_end_of(*other, tail + n + 1, NULL)) != NULL && e != me)
			return e;
	}
	return NULL;
}

static int
print_links(const struct pairs *p, const char *domain, const char *dir, unsigned models)
{
	size_t i, len = strlen(dir);
	int errors = 0, n = 0;

	while (len > 0 && dir[len - 1] == '/')
		len--;
	for (i = 0; i < p->nlinks; i++) {
		const struct link *l = &p->links[i], *other;
		const struct link_end *me, *peer, *clash;
		const char *why;
		char *path;

		if ((me = pairs_end_of(l, domain, &peer)) == NULL)
			continue;
		/* DIR/LINK.GUEST; check_clash finds the rare ends for which that is ambiguous. */
		path = xasprintf("%.*s/%s.%s", (int)len, dir, l->name, domain);
		if ((why = fs_bad_pipe_path(path)) != NULL) {
			log_error(CMD_END_FMT "%s: %s", domain, l->name, me->port, path, why);
			errors++;
		} else if ((clash = check_clash(p, path + len + 1, me, &other)) != NULL) {
			log_error(CMD_END_FMT "%s would also be the path of guest %s's port %s (link %s); choose the paths by hand",
			    domain, l->name, me->port, path, clash->domain, clash->port, other->name);
			errors++;
		} else {
			if (n++ > 0)
				putchar('\n');
			if (peer != NULL && comment_safe(l->name) && comment_safe(peer->domain) &&
			    comment_safe(peer->port))
				printf("<!-- vserlink link %s: to guest %s, port %s -->\n", l->name,
				    peer->domain, peer->port);
			put_device(me->port, path, (models & CAPS_SELINUX) != 0);
			if ((models & CAPS_APPARMOR) && strncmp(me->port, "console", 7) == 0)
				log_warning(CMD_END_FMT APPARMOR_CONSOLE_FMT,
				    domain, l->name, me->port, path, path, path);
		}
		free(path);
	}
	return errors;
}

int
cmd_xml(int argc, char **argv)
{
	const char *domain;
	char msg[PATH_MAX + 128];
	struct cmd_opts o;
	struct pairs p;
	unsigned models;
	int rc, fd;

	if ((rc = cmd_getopt(argc, argv, CMD_OPTS_DIR, usage, &o)) >= 0)
		return rc;
	if (argc - optind != 1)
		return cmd_usage_error(argv[0], "expects one DOMAIN");
	domain = argv[optind];

	if ((rc = config_load(o.config, &p)) == 1)
		log_error("%s: does not exist; write the links there first", o.config);
	if (rc != 0 || config_report_errors(&p, domain) > 0) {
		rc = 1;
	} else if (!pairs_mentions(&p, domain)) {
		log_error("guest %s: %s has no link for it", domain, o.config);
		rc = 1;
	} else {
		/* Unknown is written as neither SELinux nor AppArmor, and said. */
		if ((rc = virsh_secmodels(o.selinux, &models)) != 0)
			log_warning("%s", rc < 0 ? "no virsh on $PATH to ask whether libvirt runs SELinux; wrote the XML for a host that does not (--selinux writes it for one that does)" :
			    "wrote the XML for a host whose libvirt does not run SELinux (--selinux writes it for one that does)");
		rc = print_links(&p, domain, o.dir, models) > 0;
	}
	pairs_free(&p);
	if (rc != 0)
		return rc;
	/* What is printed is right; where it points must exist too. */
	if ((fd = fs_open_dir(o.dir, 0, msg, sizeof(msg))) < 0)
		log_warning("%s; the hook needs this directory, root-owned and not writable by others (make install creates " PIPE_DIR ")",
		    msg);
	else
		close(fd);
	return 0;
}
