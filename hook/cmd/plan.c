/*
 * plan.c: "vserlink plan DOMAIN prepare|release < domain.xml": the hook's own plan
 * (wire.h), printed instead of taken, so the plan and the deed cannot disagree.
 * Errors and exit status are the hook's. Release needs no XML: paths come from the state.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "hook.h"
#include "wire.h"

static const char usage[] =
    "usage: vserlink plan [-c FILE] DOMAIN prepare < DOMAIN.xml\n"
    "       vserlink plan [-c FILE] DOMAIN release\n"
    "Prints what the hook would do when libvirt starts (prepare) or stops\n"
    "(release) guest DOMAIN, one step a line: mkfifo PATH, link EXISTING NEW,\n"
    "unlink PATH, drain PATH. Changes nothing; exits 1 when the hook would\n"
    "refuse, with the hook's messages on stderr.\n"
    "  -c FILE    read FILE instead of " CONFIG_DEFAULT " (or $" CONFIG_ENV ")\n";

int
cmd_plan(int argc, char **argv)
{
	const char *domain, *op;
	struct wiring *w = NULL;
	struct cmd_opts o;
	struct domain xml;
	struct pairs p;
	int rc;

	if ((rc = cmd_getopt(argc, argv, CMD_OPTS, usage, &o)) >= 0)
		return rc;
	if (argc - optind != 2)
		return cmd_usage_error(argv[0], "expects DOMAIN and prepare or release");
	domain = argv[optind];
	op = argv[optind + 1];
	if (strcmp(op, "prepare") != 0 && strcmp(op, "release") != 0)
		return cmd_usage_error(argv[0], "the event is prepare or release");

	if ((rc = config_load(o.config, &p)) < 0) {
		rc = 1;
	} else if (strcmp(op, "release") == 0) {
		/* As the hook: a missing or broken pairs.ini still names the state_dir. */
		rc = wire_plan_release(domain, &p, WIRE_LOOK, &w);
	} else if (rc == 1 || !pairs_concerns(&p, domain)) {
		log_error("guest %s: %s %s; the hook does nothing", domain, o.config,
		    rc == 1 ? "does not exist" : "has no link for it");
		rc = 0;
	} else if (hook_read_xml(domain, &xml) < 0) {
		rc = 1;
	} else {
		rc = wire_plan_prepare(domain, &xml, &p, WIRE_LOOK, &w);
		domain_free(&xml);
	}
	if (rc == 0 && w != NULL)
		wire_print(w, stdout);
	wire_free(w);
	pairs_free(&p);
	return rc;
}
