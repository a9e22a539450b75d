/* alloc.c: see alloc.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

void *
xchecked(void *p)
{
	if (p == NULL) {
		fputs("vserlink: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	return xchecked(calloc(n ? n : 1, size ? size : 1));
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	return xchecked(reallocarray(p, n ? n : 1, size ? size : 1));
}

char *
xstrdup(const char *s)
{
	return xchecked(strdup(s));
}

char *
xstrndup(const char *s, size_t n)
{
	return xchecked(strndup(s, n));
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return xchecked(r < 0 ? NULL : s);
}
