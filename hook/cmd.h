/*
 * cmd.h: the subcommands an administrator runs by hand, one file each:
 *   check    cmd_check.c (and cmd_virsh.c, which fetches defined guests' XML)
 *   plan     cmd_plan.c
 *   status   cmd_status.c
 *   xml      cmd_xml.c
 * main.c dispatches to them; the hook itself is hook.c.
 *
 * Each takes argv with its own name in argv[0] and returns the exit status,
 * 0 or 1. Unlike the hook they may write to stdout: that is their output.
 * Errors use the hook's one format on stderr (log.h).
 */
#ifndef VSERLINK_CMD_H
#define VSERLINK_CMD_H

#include <getopt.h>
#include <stddef.h>

#include "domain.h"
#include "pairs.h"

int	cmd_check(int argc, char **argv);
int	cmd_plan(int argc, char **argv);
int	cmd_status(int argc, char **argv);
int	cmd_xml(int argc, char **argv);

/* Where "vserlink xml" puts pipe paths unless told otherwise (-d). */
#ifndef PIPE_DIR
#define PIPE_DIR	"/run/vserlink-pipes"
/* A defined guest's XML, as "virsh dumpxml --inactive" gave it. */
struct virsh_xml {
	char	*name;
	char	*xml;
	size_t	 len;
};

/*
 * For check run by hand: the XML of every guest pairs.ini links that
 * libvirt defines. Returns -1 when there is no virsh on $PATH; 0 otherwise,
 * after a warning for each guest it could not fetch. Never for the hook.
 */
int	virsh_fetch(const struct pairs *p, struct virsh_xml **out, size_t *n);

#endif

/* The options every subcommand takes: -c FILE, -h/--help, --version. */
#define CMD_SHORTOPTS	"+:c:h"
#define CMD_LONGOPTS							\
	{ "config", required_argument, NULL, 'c' },			\
	{ "help", no_argument, NULL, 'h' },				\
	{ "version", no_argument, NULL, 'V' }

/*
 * Handles what getopt_long returned for a common option or an error:
 * -1 means go on parsing, anything else is the exit status to return now.
 */
int	cmd_option(int c, char **argv, const char *usage, const char **config);

/*
 * A remark on stderr in the one format, "vserlink: ...", that is neither an
 * error nor a warning (control characters printed as '?', as log.h does).
 */
void	cmd_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reports wrong operands ("vserlink: NAME: WHY; see vserlink NAME --help"); returns 1. */
int	cmd_usage_error(const char *name, const char *why);

/* Prints every error in pairs.ini, or only those concerning domain; returns how many. */
size_t	cmd_report_config(const struct pairs *p, const char *domain);

/* The most domain XML a subcommand reads, as the hook. */
#define CMD_MAX_XML	(64u << 20)

/*
 * Parses the domain XML in buf; on failure reports "vserlink: WHAT: reason"
 * and returns -1.
 */
int	cmd_parse_xml(const char *what, const char *buf, size_t len,
	    struct domain *d);

/* A defined guest's XML, as "virsh dumpxml --inactive" gave it. */
struct virsh_xml {
	char	*name;
	char	*xml;
	size_t	 len;
};

/*
 * For check run by hand: the XML of every guest pairs.ini links that
 * libvirt defines. Returns -1 when there is no virsh on $PATH; 0 otherwise,
 * after a warning for each guest it could not fetch. Never for the hook.
 */
int	virsh_fetch(const struct pairs *p, struct virsh_xml **out, size_t *n);

#endif
