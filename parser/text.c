/* text.c: see text.h. */
#include "text.h"

static int
is_control(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

int
text_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if (is_control(*s))
			return 1;
	return 0;
}

void
text_scrub(char *s)
{
	for (; *s != '\0'; s++)
		if (is_control(*s))
			*s = '?';
}

int
path_has_dot(const char *path)
{
	const char *c;

	for (c = path; *c != '\0'; c++) {
		if (*c != '/' || c[1] != '.')
			continue;
		if (c[2] == '/' || c[2] == '\0' || (c[2] == '.' && (c[3] == '/' || c[3] == '\0')))
			return 1;
	}
	return 0;
}
