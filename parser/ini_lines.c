/* ini_lines.c: see ini_lines.h. */
#include <stdio.h>
#include <string.h>

#include "ini_lines.h"

#define COMMENT_LINE	";\n"
/* What inih sees of every header: the name went to on_section, whole. */
#define SECTION_LINE	"[s]"

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Mirrors inih's rule: ';' starts an inline comment only after white space. */
static const char *
find_delimiter(const char *s, const char *end)
{
	int was_space = 0;

	for (; s < end; s++) {
		if (*s == '=' || *s == ':')
			return s;
		if (was_space && *s == ';')
			return NULL;
		was_space = is_blank(*s);
	}
	return NULL;
}

static char *
hand_over(char *str, int num, const char *text, size_t len)
{
	/* Callers guarantee len + 2 <= num. */
	memcpy(str, text, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	(void)num;
	return str;
}

/*
 * A header that inih must not see still opens a section, so that the lines
 * after it are not taken for lines of the section before; msg, if not NULL,
 * is reported as an error of that section.
 */
static char *
section_line(struct ini_lines *in, char *str, int num, const char *start,
    const char *end, const char *msg)
{
	const char *close = memchr(start, ']', (size_t)(end - start));
	const char *name = start + 1;

	if (close == NULL && msg == NULL)
		msg = "section header without ']'";
	if (close == NULL)
		close = end;
	while (name < close && is_blank(*name))
		name++;
	while (close > name && is_blank(close[-1]))
		close--;
	in->on_section(in->ctx, in->line, name, (size_t)(close - name));
	if (msg != NULL)
		in->on_error(in->ctx, in->line, msg, NULL, 0);
	return hand_over(str, num, SECTION_LINE, strlen(SECTION_LINE));
}

/*
 * A line inih must not see, handed over as a comment. What can be read of it
 * for sure is passed on with the error: the section a header opens, or the
 * key before the delimiter. Nothing after a NUL byte counts.
 */
static char *
reject(struct ini_lines *in, char *str, int num, const char *start,
    const char *end, const char *msg)
{
	const char *nul = memchr(start, '\0', (size_t)(end - start));
	const char *key = NULL, *key_end;

	if (nul != NULL)
		end = nul;
	if (start < end && *start == '[')
		return section_line(in, str, num, start, end, msg);
	if (start < end && *start != ';' && *start != '#')
		key = find_delimiter(start, end);
	key_end = key;
	if (key != NULL) {
		while (key_end > start && is_blank(key_end[-1]))
			key_end--;
		key = start;
	}
	in->on_error(in->ctx, in->line, msg, key, key ? (size_t)(key_end - key) : 0);
	return hand_over(str, num, COMMENT_LINE, strlen(COMMENT_LINE) - 1);
}

char *
ini_lines_read(char *str, int num, void *stream)
{
	struct ini_lines *in = stream;
	const char *start, *end, *next;

	if (in->pos >= in->len || num < 4)
		return NULL;
	start = in->buf + in->pos;
	next = memchr(start, '\n', in->len - in->pos);
	end = next ? next : in->buf + in->len;
	in->pos = (size_t)(end - in->buf) + (next ? 1 : 0);
	in->line++;

	if (in->line == 1 && end - start >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0)
		start += 3;
	while (start < end && is_blank(*start))
		start++;
	while (end > start && is_blank(end[-1]))
		end--;
	if (memchr(start, '\0', (size_t)(end - start)) != NULL)
		return reject(in, str, num, start, end, "line contains a NUL byte");
	/* inih needs room for the newline and the terminating NUL. */
	if (end - start + 2 > num) {
		char msg[64];

		snprintf(msg, sizeof(msg), "line is longer than %d bytes", num - 2);
		return reject(in, str, num, start, end, msg);
	}
	if (start == end || *start == ';' || *start == '#')
		return hand_over(str, num, COMMENT_LINE, 1);
	if (*start == '[')
		return section_line(in, str, num, start, end, NULL);
	if (find_delimiter(start, end) == NULL)
		return reject(in, str, num, start, end,
		    "expected \"guest = port\", \"setting = value\" or \"[section]\"");
	return hand_over(str, num, start, (size_t)(end - start));
}
