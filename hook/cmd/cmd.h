/*
 * cmd.h: the commands an administrator runs, one file each, dispatched by main.c.
 * Each takes argv with its name in argv[0] and returns the exit status. Unlike
 * the hook they write their output to stdout; errors go through log.h.
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
#endif

/* The label libvirt gives <shareable/> disks, no guest's MCS categories; the element for a <source>. */
#define SHARED_SELINUX_LABEL	"system_u:object_r:svirt_image_t:s0"
#define SHARED_SECLABEL		"<seclabel model='selinux' relabel='yes'><label>" \
				SHARED_SELINUX_LABEL "</label></seclabel>"

/* virt-aa-helper allows a pipe <console> only PATH, not PATH.in/.out; arguments: the path 3 times. */
#define APPARMOR_CONSOLE_FMT	"AppArmor: virt-aa-helper lets QEMU open %s.in and %s.out for a pipe <serial>, <parallel> or <channel> but only %s for a <console>, so QEMU cannot open this console's FIFOs; link a <serial> or <channel> port instead"

/* The options every subcommand takes: -c FILE, -h/--help, --version. */
#define CMD_SHORTOPTS	"+:c:h"
#define CMD_LONGOPTS							\
	{ "config", required_argument, NULL, 'c' },			\
	{ "help", no_argument, NULL, 'h' },				\
	{ "version", no_argument, NULL, 'V' }

/* --selinux and --no-selinux, for xml and check. */
#define CMD_SELINUX_LONGOPTS						\
	{ "selinux", no_argument, NULL, 'S' },				\
	{ "no-selinux", no_argument, NULL, 'N' }

/*
 * The host's CAPS_* models: opt 'S' SELinux, 'N' none, else "virsh capabilities".
 * -1 when unknown: errno ENOENT without virsh on $PATH, else after a warning.
 */
int	cmd_secmodels(int opt, unsigned *models);

/*
 * getopt_long that handles the common options and errors itself: returns a
 * command's own option, or -1 at the end with *rc -1, or the exit status to return now.
 */
int	cmd_getopt(int argc, char **argv, const char *shortopts,
	    const struct option *longopts, const char *usage, const char **config, int *rc);

/* A remark on stderr, "vserlink: ...", neither error nor warning; control bytes as '?'. */
void	cmd_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reports wrong operands ("vserlink: NAME: WHY; see vserlink NAME --help"); returns 1. */
int	cmd_usage_error(const char *name, const char *why);

/* The most domain XML a subcommand reads, as the hook. */
#define CMD_MAX_XML	(64u << 20)

/* Parses the domain XML in buf; on failure reports "vserlink: WHAT: reason", -1. */
int	cmd_parse_xml(const char *what, const char *buf, size_t len,
	    struct domain *d);

/* A defined guest's XML, as "virsh dumpxml --inactive" gave it. */
struct virsh_xml {
	char	*name;
	char	*xml;
	size_t	 len;
};

/* The XML of every defined guest pairs.ini links: -1 without virsh, else 0 (warns per miss). */
int	virsh_fetch(const struct pairs *p, struct virsh_xml **out, size_t *n);

/* "virsh capabilities" as CAPS_* bits: -1, errno ENOENT without virsh, else -1 after a warning. */
int	virsh_secmodels(unsigned *models);

/* How check and xml begin a message about one end of a link: guest, link, port. */
#define CMD_END_FMT	"guest %s: link %s (%s): "

/* A linked port of a guest whose dry run passed, for access.c. */
struct checked_end {
	const struct domain	 *d;		/* the guest's XML */
	const char		 *link;
	const struct domain_port *port;
	const char		 *peer;		/* the guest at the other end */
	const struct domain_port *peer_port;	/* its port, when its XML is at hand */
};

/*
 * What libvirt's security drivers will do to e's FIFOs on a host running
 * models (CAPS_* bits; known says whether models came from --selinux,
 * --no-selinux or libvirt, else the guests' XML decides). Prints each
 * problem; returns the number of errors among them.
 */
int	access_check_labels(const struct checked_end *e, unsigned models, int known);

/*
 * Warns when users other than root may write in the directory of e's FIFOs
 * (the sticky bit and mode bits, or a POSIX ACL), where any of them can
 * keep e's guest from starting by making a FIFO's name first.
 */
void	access_check_dir(const struct checked_end *e);

#endif
