/*
 * plan.c: "vserlink plan DOMAIN prepare|release < domain.xml".
 *
 * Prints, one step a line on stdout, what the hook would do for the event,
 * and changes nothing: the hook's own code runs with wire_opts.plan set, so
 * the plan and the deed cannot disagree. Errors and the exit status are the
 * hook's. Release needs no XML: the hook takes its paths from its state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "cmd.h"
#include "read_all.h"
#include "config.h"
#include "log.h"
#include "wire.h"

static const char usage[] =
    "usage: vserlink plan [-c FILE] DOMAIN prepare < DOMAIN.xml\n"
    "       vserlink plan [-c FILE] DOMAIN release\n"
    "Prints what the hook would do when libvirt starts (prepare) or stops\n"
    "(release) guest DOMAIN, one step a line: mkfifo PATH, link EXISTING NEW,\n"
    "unlink PATH, drain PATH. Changes nothing; exits 1 when the hook would\n"
    "refuse, with the hook's messages on stderr.\n"
    "  -c FILE    read FILE instead of " CONFIG_DEFAULT " (or $" CONFIG_ENV ")\n";

static int
plan_prepare(const struct pairs *p, const char *domain)
{
	struct wire_opts o = { stdout };
	struct domain xml;
	char *buf, *what;
	size_t len;
	int rc;

	if (isatty(STDIN_FILENO)) {
		log_error("guest %s: expects the domain XML on stdin", domain);
		return 1;
	}
	if ((buf = read_all(STDIN_FILENO, CMD_MAX_XML, &len)) == NULL) {
		log_error("guest %s: cannot read the domain XML from stdin: %s", domain,
		    strerror(errno));
		return 1;
	}
	what = xasprintf("guest %s", domain);
	rc = cmd_parse_xml(what, buf, len, &xml);
	free(what);
	free(buf);
	if (rc < 0)
		return 1;
	if (xml.name != NULL && strcmp(xml.name, domain) != 0) {
		log_error("guest %s: the domain XML on stdin is guest %s's", domain, xml.name);
		rc = 1;
	} else {
		rc = wire_prepare(domain, &xml, p, &o);
	}
	domain_free(&xml);
	return rc;
}

int
cmd_plan(int argc, char **argv)
{
	static const struct option longopts[] = { CMD_LONGOPTS, { NULL, 0, NULL, 0 } };
	const char *config = NULL, *domain, *op;
	struct wire_opts o = { stdout };
	struct pairs p;
	int rc;

	cmd_getopt(argc, argv, CMD_SHORTOPTS, longopts, usage, &config, &rc);
	if (rc >= 0)
		return rc;
	if (argc - optind != 2)
		return cmd_usage_error(argv[0], "expects DOMAIN and prepare or release");
	domain = argv[optind];
	op = argv[optind + 1];
	if (strcmp(op, "prepare") != 0 && strcmp(op, "release") != 0)
		return cmd_usage_error(argv[0], "the event is prepare or release");
	config = config_path(config);

	rc = config_load(config, &p);
	if (rc < 0) {
		pairs_free(&p);
		return 1;
	}
	if (strcmp(op, "release") == 0) {
		/* As the hook: a missing or broken pairs.ini still names the state_dir. */
		rc = wire_release(domain, &p, &o);
	} else if (rc == 1 || !pairs_concerns(&p, domain)) {
		cmd_note("guest %s: %s %s; the hook does nothing", domain, config,
		    rc == 1 ? "does not exist" : "has no link for it");
		rc = 0;
	} else {
		rc = plan_prepare(&p, domain);
	}
	pairs_free(&p);
	return rc;
}
