/* read_all.c: see read_all.h. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "alloc.h"
#include "read_all.h"

char *
read_all(int fd, size_t limit, size_t *len)
{
	/* Small and uncleared: most inputs are a few kilobytes, and a hook pays for every page it touches. */
	size_t cap = 8192, n = 0;
	char *buf = xreallocarray(NULL, cap + 1, 1);
	ssize_t r;
	int e;

	for (;;) {
		if (n == cap) {
			if (cap >= limit) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			free(buf);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > limit) {
			free(buf);
			errno = EFBIG;
			return NULL;
		}
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}
