/* util.c: what the subcommands share; see cmd.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "caps.h"
#include "cmd.h"
#include "text.h"
#include "log.h"
#include "text.h"

static int
cmd_option(int c, char **argv, const char *usage, const char **config)
{
	switch (c) {
	case 'c':
		*config = optarg;
		return -1;
	case 'h':
		fputs(usage, stdout);
		return 0;
	case 'V':
		puts("vserlink " VSERLINK_VERSION);
		return 0;
	case ':':
		log_error("%s: option %s needs an argument; see vserlink %s --help",
		    argv[0], argv[optind - 1], argv[0]);
		return 1;
	default: {
		char shortopt[3] = { '-', (char)optopt, '\0' };

		log_error("%s: unknown option \"%s\"; see vserlink %s --help",
		    argv[0], optopt != 0 ? shortopt : argv[optind - 1], argv[0]);
		return 1;
	}
	}
}

int
cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
    const char *usage, const char **config, int *rc)
{
	int c;

	opterr = 0;
	*rc = -1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c != 'c' && c != 'h' && c != 'V' && c != ':' && c != '?')
			return c;
		if ((*rc = cmd_option(c, argv, usage, config)) >= 0)
			return -1;
	}
	return -1;
}

void
cmd_note(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	text_scrub(msg);
	fprintf(stderr, "vserlink: %s\n", msg);
}

int
cmd_usage_error(const char *name, const char *why)
{
	log_error("%s: %s; see vserlink %s --help", name, why, name);
	return 1;
}

int
cmd_parse_xml(const char *what, const char *buf, size_t len, struct domain *d)
{
	char err[256];

	if (domain_parse(buf, len, d, err, sizeof(err)) < 0) {
		log_error("%s: %s", what, err);
		return -1;
	}
	return 0;
}

int
cmd_secmodels(int opt, unsigned *models)
{
	if (opt == 'S' || opt == 'N') {
		*models = opt == 'S' ? CAPS_SELINUX : 0;
		return 0;
	}
	return virsh_secmodels(models);
}
