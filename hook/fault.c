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

void
fault_point(const char *name)
{
	const char *at = getenv("VSERLINK_FAULT_AT");
	const char *trace = getenv("VSERLINK_FAULT_TRACE");
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
	errno = saved;
}
#endif
