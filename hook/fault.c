/* fault.c: see fault.h. Compiled into the fault-injection build only. */
#ifdef VSERLINK_FAULT_INJECTION
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

static unsigned long reached;
static int ran;

void
fault_point(const char *name)
{
	const char *at = getenv("VSERLINK_FAULT_AT");
	const char *trace = getenv("VSERLINK_FAULT_TRACE");
	const char *run = getenv("VSERLINK_FAULT_RUN");
	const char *cmd = getenv("VSERLINK_FAULT_CMD");
	unsigned long n = ++reached;
	char *end;
	int saved = errno;

	if (trace != NULL && trace[0] != '\0') {
		char line[256];
		int fd, len;

		len = snprintf(line, sizeof(line), "%lu %s\n", n, name);
		fd = open(trace, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			ssize_t w = write(fd, line, (size_t)len);

			(void)w;
			close(fd);
		}
	}
	if (at != NULL && at[0] != '\0' && strtoul(at, &end, 10) == n && *end == '\0')
		kill(getpid(), SIGKILL);
	if (run != NULL && run[0] != '\0' && cmd != NULL && !ran &&
	    ((strtoul(run, &end, 10) == n && *end == '\0') || strcmp(run, name) == 0)) {
		ran = 1;
		/* The attacker's move, made exactly between two steps. */
		int status = system(cmd);

		(void)status;
	}
	errno = saved;
}
#endif
