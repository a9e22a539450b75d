/*
 * alloc.h (alloc.c): memory that cannot fail silently, whole files, and the
 * byte checks of names and paths from XML, pairs.ini or a file name.
 *
 * When even the few kilobytes the hook needs cannot be had, there is nothing
 * sensible left to do: the x functions print one line and exit 1 (on prepare,
 * that stops the guest's start) rather than give every caller an error path
 * it could never test.
 */
#ifndef VSERLINK_ALLOC_H
#define VSERLINK_ALLOC_H

#include <stddef.h>

void	*xcalloc(size_t n, size_t size);
void	*xreallocarray(void *p, size_t n, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* p, unless it is NULL (an allocation that failed in another function). */
void	*xchecked(void *p);

/*
 * Reads fd to its end into a NUL-terminated buffer (the caller frees it) and
 * sets *len. NULL with errno on a read error, or EFBIG past limit bytes: a
 * domain XML of a thousand devices is a megabyte, a limit keeps a runaway
 * input from exhausting memory in a hook libvirt waits for.
 */
char	*read_all(int fd, size_t limit, size_t *len);

/* Grows *p (of *cap elements) so that it holds at least n + 1 elements. */
#define GROW(p, n, cap) do {						\
	if ((n) >= (cap)) {						\
		(cap) = (cap) ? (cap) * 2 : 8;				\
		(p) = xreallocarray((p), (cap), sizeof(*(p)));		\
	}								\
} while (0)

/* Nonzero when s holds a control byte (C locale: below 0x20, or 0x7f). */
int	text_has_control(const char *s);
/* Replaces every control byte of s with '?', so a message stays one line. */
void	text_scrub(char *s);
/* Nonzero when path has a "." or ".." component. */
int	path_has_dot(const char *path);

#endif
