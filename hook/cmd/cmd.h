/*
 * cmd.h: the commands an administrator runs, one file each, dispatched by main.c.
 * Each takes argv with its name in argv[0] and returns the exit status. Unlike
 * the hook they write their output to stdout; errors go through log.h.
 */
#ifndef VSERLINK_CMD_H
#define VSERLINK_CMD_H

#include <getopt.h>
#include <stddef.h>

#include "log.h"
#include "pairs.h"

int	cmd_check(int argc, char **argv);
int	cmd_plan(int argc, char **argv);
int	cmd_status(int argc, char **argv);
int	cmd_xml(int argc, char **argv);

/* The label libvirt gives <shareable/> disks, no guest's MCS categories; the element for a <source>. */
#define SHARED_SELINUX_LABEL	"system_u:object_r:svirt_image_t:s0"
#define SHARED_SECLABEL		"<seclabel model='selinux' relabel='yes'><label>" \
				SHARED_SELINUX_LABEL "</label></seclabel>"

/* virt-aa-helper allows a pipe <console> only PATH, not PATH.in/.out; arguments: the path 3 times. */
#define APPARMOR_CONSOLE_FMT	"AppArmor: virt-aa-helper lets QEMU open %s.in and %s.out for a pipe <serial>, <parallel> or <channel> but only %s for a <console>, so QEMU cannot open this console's FIFOs; link a <serial> or <channel> port instead"

/* How check and xml begin a message about one end of a link: guest, link, port. */
#define CMD_END_FMT	"guest %s: link %s (%s): "

struct cmd_opts {
	const char	*config;	/* -c FILE, else as config_path() says */
	const char	*dir;		/* -d DIR, else PIPE_DIR */
	int		 selinux;	/* 'S' --selinux, 'N' --no-selinux, else 0 */
};

/* How many of the options a command takes, in this order: -c FILE, -h/--help, --version
 * (all); --selinux, --no-selinux (check, xml); -d/--dir DIR (xml). */
enum { CMD_OPTS = 3, CMD_OPTS_SELINUX = 5, CMD_OPTS_DIR = 6 };

/* getopt_long into o, handling -h, --version and mistakes itself: -1 to go on
 * with the operands at optind, else the exit status to return now. */
int	cmd_getopt(int argc, char **argv, int nopts, const char *usage, struct cmd_opts *o);
/* Reports wrong operands ("vserlink: NAME: WHY; see vserlink NAME --help"); returns 1. */
int	cmd_usage_error(const char *name, const char *why);

/* The most domain XML a subcommand reads, as the hook. */
#define CMD_MAX_XML	(64u << 20)

/* A defined guest's XML, as "virsh dumpxml --inactive" gave it. */
struct virsh_xml {
	char	*name;
	char	*xml;
	size_t	 len;
};

/* Appends the XML of each defined guest pairs.ini links: -1 without virsh, else 0 (warns per miss). */
int	virsh_fetch(const struct pairs *p, struct virsh_xml **out, size_t *n);
/* The host's CAPS_* models: from selinux (cmd_opts) if set, else "virsh capabilities";
 * when unknown, -1 without virsh on $PATH, else 1 after a warning. */
int	virsh_secmodels(int selinux, unsigned *models);

#endif
