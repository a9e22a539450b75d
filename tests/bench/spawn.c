/* spawn.c: what the benchmark programs share: one hook event, timed as libvirt waits for it. */
#define _GNU_SOURCE	/* program_invocation_short_name */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#include "bench.h"

void
fatal(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double
spawn_timed(char *const argv[], char *const envp[], const char *xml, int out, int err,
    int *status)
{
	posix_spawn_file_actions_t fa;
	double t0;
	pid_t pid;
	int e;

	if ((e = posix_spawn_file_actions_init(&fa)) != 0 ||
	    (e = posix_spawn_file_actions_addopen(&fa, 0, xml, O_RDONLY, 0)) != 0 ||
	    (out >= 0 && (e = posix_spawn_file_actions_adddup2(&fa, out, 1)) != 0) ||
	    (err >= 0 && (e = posix_spawn_file_actions_adddup2(&fa, err, 2)) != 0))
		fatal("posix_spawn_file_actions: %s", strerror(e));
	t0 = now_ms();
	if ((e = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp)) != 0)
		fatal("%s: %s", argv[0], strerror(e));
	while (waitpid(pid, status, 0) == -1)
		if (errno != EINTR)
			fatal("waitpid: %s", strerror(errno));
	t0 = now_ms() - t0;
	posix_spawn_file_actions_destroy(&fa);
	return t0;
}
