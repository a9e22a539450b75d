/* alloc.c: see alloc.h. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

char *
read_all(int fd, size_t limit, size_t *len)
{
	/* Small and uncleared: most inputs are a few kilobytes, and a hook pays for every page it touches. */
	size_t cap = 8192, n = 0;
	char *buf = xreallocarray(NULL, cap + 1, 1);
	ssize_t r;
	int e;

	/* Reads one byte past cap: an input of exactly limit bytes ends there. */
	while (n <= limit) {
		if (n > cap) {
			cap *= 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		if ((r = read(fd, buf + n, cap + 1 - n)) == 0) {
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		if (r > 0)
			n += (size_t)r;
		else if (errno != EINTR)
			break;
	}
	e = n > limit ? EFBIG : errno;
	free(buf);
	errno = e;
	return NULL;
}

int
text_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s))
			return 1;
	return 0;
}

void
text_scrub(char *s)
{
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s))
			*s = '?';
}

int
path_has_dot(const char *path)
{
	size_t n = strlen(path);

	return strstr(path, "/./") != NULL || strstr(path, "/../") != NULL ||
	    (n >= 2 && strcmp(path + n - 2, "/.") == 0) ||
	    (n >= 3 && strcmp(path + n - 3, "/..") == 0);
}
