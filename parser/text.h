/* text.h (alloc.c): byte checks on names and paths that come from XML, pairs.ini or a file name. */
#ifndef VSERLINK_TEXT_H
#define VSERLINK_TEXT_H

/* Nonzero when s holds a control byte (below 0x20, or 0x7f). */
int	text_has_control(const char *s);

/* Replaces every control byte of s with '?', so a message stays one line. */
void	text_scrub(char *s);

/* Nonzero when path has a "." or ".." component. */
int	path_has_dot(const char *path);

#endif
