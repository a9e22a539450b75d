/* log.c: see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "log.h"
#include "text.h"

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

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_ERR, "", 1, fmt, ap);
	va_end(ap);
}

void
log_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_WARNING, "warning: ", 1, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_INFO, "", 0, fmt, ap);
	va_end(ap);
}
