/*
 * plan.c: "vserlink plan DOMAIN prepare|release < domain.xml".
 *
 * Prints, one step a line on stdout, what the hook would do for the event,
 * and changes nothing: the hook's own plan (wire.h), printed instead of
 * taken, so the plan and the deed cannot disagree. Errors and the exit status are the
 * hook's. Release needs no XML: the hook takes its paths from its state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "cmd.h"
#include "hook.h"
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

/* The hook's own plan of the event, printed instead of taken. */
static int
plan_event(const struct pairs *p, const char *domain, int release)
{
	struct wiring *w;
	struct domain xml;
	int rc;

	if (release) {
		rc = wire_plan_release(domain, p, WIRE_LOOK, &w);
	} else {
		if (hook_read_xml(domain, &xml) < 0)
			return 1;
		rc = wire_plan_prepare(domain, &xml, p, WIRE_LOOK, &w);
		domain_free(&xml);
	}
	if (rc == 0)
		wire_print(w, stdout);
	wire_free(w);
	return rc;
}

int
cmd_plan(int argc, char **argv)
{
	static const struct option longopts[] = { CMD_LONGOPTS, { NULL, 0, NULL, 0 } };
	const char *config = NULL, *domain, *op;
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
		rc = plan_event(&p, domain, 1);
	} else if (rc == 1 || !pairs_concerns(&p, domain)) {
		cmd_note("guest %s: %s %s; the hook does nothing", domain, config,
		    rc == 1 ? "does not exist" : "has no link for it");
		rc = 0;
	} else {
		rc = plan_event(&p, domain, 0);
	}
	pairs_free(&p);
	return rc;
}
