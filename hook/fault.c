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

/* Nonzero when environment variable var is the number n, or name if not NULL. */
static int
env_is(const char *var, unsigned long n, const char *name)
{
	const char *v = getenv(var);
	char *end;

	return v != NULL && v[0] != '\0' && ((strtoul(v, &end, 10) == n && *end == '\0') ||
	    (name != NULL && strcmp(v, name) == 0));
}

void
fault_point(const char *name)
{
	const char *trace = getenv("VSERLINK_FAULT_TRACE"), *cmd = getenv("VSERLINK_FAULT_CMD");
	unsigned long n = ++reached;
	int saved = errno, fd;

	if (trace != NULL && trace[0] != '\0' &&
	    (fd = open(trace, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600)) >= 0) {
		dprintf(fd, "%lu %s\n", n, name);
		close(fd);
	}
	if (env_is("VSERLINK_FAULT_AT", n, NULL))
		kill(getpid(), SIGKILL);
	if (cmd != NULL && !ran && env_is("VSERLINK_FAULT_RUN", n, name)) {
		ran = 1;
		(void)!system(cmd);
	}
	errno = saved;
}
#endif
