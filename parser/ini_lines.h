/*
 * ini_lines.h: the line reader that stands between pairs.ini and inih.
 *
 * Debian's inih (r55, a shared library, so its compile-time INI_* macros are
 * fixed) has pitfalls that would let a mistyped pairs.ini be read as
 * something else: it splits a line longer than its buffer and parses the tail
 * as a line of its own, truncates section names to 49 bytes, treats an
 * indented line as the continuation of the previous value, reports only the
 * first syntax error and never passes line numbers to the handler. This
 * reader is handed to ini_parse_stream() and fixes all of that before inih
 * sees a line:
 *  - it counts lines, so the handler knows the line it is called for;
 *  - a line inih could not take whole, a line with a NUL byte, a section
 *    header without ']' and a line that is neither comment, section nor
 *    key=value are reported through on_error and handed to inih as a comment,
 *    or, when it is a section header, as that section's header (below), so
 *    that the lines after it never count as lines of the section before;
 *  - on_error gets the key of a rejected "key = value" line, the text before
 *    the delimiter up to any NUL byte, so that the error can concern the guest
 *    the line names;
 *  - leading white space is removed, so no line is a continuation;
 *  - a section header is reported through on_section, whole, and handed to
 *    inih as "[s]": the section of a key is the one on_section was last told
 *    of, and inih never sees (nor truncates) a section name.
 */
#ifndef VSERLINK_INI_LINES_H
#define VSERLINK_INI_LINES_H

#include <stddef.h>

struct ini_lines {
	const char	*buf;
	size_t		 len;
	size_t		 pos;
	unsigned	 line;		/* of the line last handed to inih */
	void		*ctx;
	/* key: not NUL-terminated, keylen bytes; NULL when there is none. */
	void		(*on_error)(void *ctx, unsigned line, const char *msg,
			    const char *key, size_t keylen);
	/* The lines from now on are in this section. */
	void		(*on_section)(void *ctx, unsigned line, const char *name,
			    size_t namelen);
};

/* An ini_reader: stream is a struct ini_lines. */
char	*ini_lines_read(char *str, int num, void *stream);

#endif
