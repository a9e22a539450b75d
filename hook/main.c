/*
 * main.c: vserlink's entry point.
 *
 * Installed under any name but "vserlink" (libvirt's /etc/libvirt/hooks/qemu,
 * or a file in /etc/libvirt/hooks/qemu.d/), the program is the hook:
 *     qemu DOMAIN OPERATION SUBOPERATION EXTRA   < domain.xml
 * As "vserlink" it takes a subcommand; "vserlink hook ..." is the hook.
 *
 * Exit status: 0 for success and for nothing to do, 1 for failure.
 */
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "hook.h"
#include "log.h"

#define PROGRAM	"vserlink"

/*
 * Descriptors 0-2 closed by the caller would be handed out by open(), and a
 * message meant for stderr would land in a state file.
 */
static int
ensure_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0 && fd <= 2) {
		if (fcntl(fd, F_SETFD, 0) < 0)
			return -1;
	}
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
run_hook(int argc, char **argv)
{
	if (argc < 3) {
		log_error("usage: qemu DOMAIN OPERATION SUBOPERATION [EXTRA] < domain.xml");
		return 1;
	}
	log_open_syslog();
	return hook_event(config_path(NULL), argv[0], argv[1], argv[2],
	    argc > 3 ? argv[3] : "-");
}

static void
usage(FILE *f)
{
	fputs("usage: vserlink hook DOMAIN OPERATION SUBOPERATION [EXTRA] < domain.xml\n"
	    "       vserlink --help | --version\n"
	    "Installed as libvirt's QEMU hook (/etc/libvirt/hooks/qemu), vserlink wires\n"
	    "the guest ports that " CONFIG_DEFAULT " links.\n", f);
}

int
main(int argc, char **argv)
{
	const char *name;

	if (ensure_std_fds() < 0)
		return 1;
	/* A write to a closed stderr must not kill the hook half way. */
	signal(SIGPIPE, SIG_IGN);
	umask(077);
	name = argc > 0 ? basename(argv[0]) : PROGRAM;
	if (strcmp(name, PROGRAM) != 0)
		return run_hook(argc - 1, argv + 1);
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (strcmp(argv[1], "hook") == 0)
		return run_hook(argc - 2, argv + 2);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts(PROGRAM " " VSERLINK_VERSION);
		return 0;
	}
	log_error("unknown command \"%s\"; see vserlink --help", argv[1]);
	return 1;
}
