/*
 * main.c: the hook when installed under another name or in a qemu.d directory,
 * else "vserlink COMMAND". Exit 0 for success and for nothing to do, 1 for failure.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "config.h"
#include "hook.h"
#include "log.h"

#define PROGRAM	"vserlink"
#define HOOK_SYNOPSIS	"usage: vserlink hook DOMAIN OPERATION SUBOPERATION [EXTRA] < domain.xml\n"

/* A closed descriptor 0-2 would be handed out by open(), and stderr land in a state file. */
static int
ensure_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0 && fd <= 2)
		if (fcntl(fd, F_SETFD, 0) < 0)
			return -1;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* libvirt runs HOOKDIR/qemu and every program in HOOKDIR/qemu.d/ with its full path as argv[0]. */
static int
invoked_as_hook(const char *argv0)
{
	static const char in_dir[] = "/qemu.d/" PROGRAM;
	const char *base = strrchr(argv0, '/');
	size_t n = strlen(argv0), m = sizeof(in_dir) - 1;

	base = base == NULL ? argv0 : base + 1;
	/* vserlink in a directory named qemu.d: ".../qemu.d/vserlink" or "qemu.d/vserlink". */
	return strcmp(base, PROGRAM) != 0 || strcmp(argv0, in_dir + 1) == 0 ||
	    (n >= m && strcmp(argv0 + n - m, in_dir) == 0);
}

static int
run_hook(int argc, char **argv)
{
	if (argc < 3) {
		log_error("usage: qemu DOMAIN OPERATION SUBOPERATION [EXTRA] < domain.xml");
		return 1;
	}
	log_open_syslog();
	return hook_event(config_path(NULL), argv[0], argv[1], argv[2]);
}

/* install/install.sh recognises a hook file as vserlink's by this string (and an
 * ELF header), so that it never replaces another program's hook. */
static const char hook_ident[] __attribute__((used)) =
    "@(#)vserlink libvirt QEMU hook " VSERLINK_VERSION;

static const struct command {
	const char	*name;
	int		(*run)(int, char **);
} commands[] = {
	{ "check", cmd_check }, { "plan", cmd_plan }, { "status", cmd_status }, { "xml", cmd_xml },
};

int
cmd_getopt(int argc, char **argv, int nopts, const char *usage, struct cmd_opts *o)
{
	static const struct option all[CMD_OPTS_DIR] = {
		{ "config", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, { "selinux", no_argument, NULL, 'S' },
		{ "no-selinux", no_argument, NULL, 'N' }, { "dir", required_argument, NULL, 'd' },
	};
	const char *shortopts = nopts == CMD_OPTS_DIR ? "+:c:hd:" : "+:c:h";
	struct option longopts[CMD_OPTS_DIR + 1] = { { 0 } };
	char shortopt[3] = "-?";
	int c;

	memcpy(longopts, all, (size_t)nopts * sizeof(*all));
	*o = (struct cmd_opts){ NULL, PIPE_DIR, 0 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'd':
			o->dir = optarg;
			break;
		case 'S':
		case 'N':
			o->selinux = c;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			puts(PROGRAM " " VSERLINK_VERSION);
			return 0;
		case ':':
			log_error("%s: option %s needs an argument; see vserlink %s --help",
			    argv[0], argv[optind - 1], argv[0]);
			return 1;
		default:
			shortopt[1] = (char)optopt;
			log_error("%s: unknown option \"%s\"; see vserlink %s --help",
			    argv[0], optopt != 0 ? shortopt : argv[optind - 1], argv[0]);
			return 1;
		}
	}
	o->config = config_path(o->config);
	return -1;
}

int
cmd_usage_error(const char *name, const char *why)
{
	log_error("%s: %s; see vserlink %s --help", name, why, name);
	return 1;
}

static const char usage[] = HOOK_SYNOPSIS
    "       vserlink check [-c FILE] [DOMAIN.xml ...]\n"
    "       vserlink plan [-c FILE] DOMAIN prepare|release < DOMAIN.xml\n"
    "       vserlink status [-c FILE]\n"
    "       vserlink xml [-c FILE] [-d DIR] DOMAIN\n"
    "       vserlink --help | --version\n"
    "Installed as libvirt's QEMU hook (/etc/libvirt/hooks/qemu), vserlink wires\n"
    "the guest ports that " CONFIG_DEFAULT " links.\n"
    "  check    validate pairs.ini and guests' XML before they start\n"
    "  plan     print what the hook would do for an event, and do nothing\n"
    "  status   show every link, its attached ends and whether the wiring is intact\n"
    "  xml      print the <channel>/<serial> elements for a guest's links\n"
    "Each takes --help. See vserlink(8) and vserlink-pairs.ini(5).\n";

static const char hook_usage[] = HOOK_SYNOPSIS
    "Runs as libvirt runs the hook (installed as /etc/libvirt/hooks/qemu, or in\n"
    "/etc/libvirt/hooks/qemu.d/): prepare begin wires DOMAIN's links, release end\n"
    "unwires them, every other event does nothing. Never writes to stdout.\n";

int
main(int argc, char **argv)
{
	const char *opt;
	size_t i;
	int hook;

	if (ensure_std_fds() < 0)
		return 1;
	/* A write to a closed stderr must not kill the hook half way. */
	signal(SIGPIPE, SIG_IGN);
	/* Every file vserlink makes is created with the mode it must have (0600,
	 * 0700, a FIFO's from pairs.ini): a mask would only narrow the FIFOs'. */
	umask(0);
	if (argc > 0 && invoked_as_hook(argv[0]))
		return run_hook(argc - 1, argv + 1);
	if (argc < 2) {
		fputs(usage, stderr);
		return 1;
	}
	/* "hook --help" and "hook --version" alone cannot be an event: a hook call has three arguments. */
	hook = strcmp(argv[1], "hook") == 0;
	opt = !hook ? argv[1] : argc == 3 ? argv[2] : "";
	if (strcmp(opt, "--version") == 0) {
		puts(PROGRAM " " VSERLINK_VERSION);
		return 0;
	}
	if (strcmp(opt, "--help") == 0 || (!hook && strcmp(opt, "-h") == 0)) {
		fputs(hook ? hook_usage : usage, stdout);
		return 0;
	}
	if (hook)
		return run_hook(argc - 2, argv + 2);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			/* Line by line: its output and its messages on stderr keep their order in one file. */
			setvbuf(stdout, NULL, _IOLBF, 0);
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	log_error("unknown command \"%s\"; see vserlink --help", argv[1]);
	return 1;
}
