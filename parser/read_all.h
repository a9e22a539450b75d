/* read_all.h: a whole file or pipe into memory. */
#ifndef VSERLINK_READ_ALL_H
#define VSERLINK_READ_ALL_H

#include <stddef.h>

/*
 * Reads fd to its end into a NUL-terminated buffer (the caller frees it) and
 * sets *len. NULL with errno on a read error, or EFBIG past limit bytes: a
 * domain XML of a thousand devices is a megabyte, a limit keeps a runaway
 * input from exhausting memory in a hook libvirt waits for.
 */
char	*read_all(int fd, size_t limit, size_t *len);

#endif
