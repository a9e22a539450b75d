/* log.c: see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "alloc.h"
#include "log.h"

static int use_syslog;

void
log_open_syslog(void)
{
	openlog("vserlink", LOG_PID, LOG_DAEMON);
	use_syslog = 1;
}

static void
emit(int priority, const char *prefix, int to_stderr, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	text_scrub(msg);
	if (to_stderr)
		fprintf(stderr, "vserlink: %s%s\n", prefix, msg);
	if (use_syslog)
		syslog(priority, "%s%s", prefix, msg);
}

#define LOG_FN(name, priority, prefix, to_stderr) \
	void name(const char *fmt, ...) \
	{ va_list ap; va_start(ap, fmt); emit(priority, prefix, to_stderr, fmt, ap); va_end(ap); }

LOG_FN(log_error, LOG_ERR, "", 1)
LOG_FN(log_warning, LOG_WARNING, "warning: ", 1)
LOG_FN(log_info, LOG_INFO, "", 0)
