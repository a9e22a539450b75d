/* text.c: see text.h. */
#include <string.h>

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
	size_t n = strlen(path);

	return strstr(path, "/./") != NULL || strstr(path, "/../") != NULL ||
	    (n >= 2 && strcmp(path + n - 2, "/.") == 0) ||
	    (n >= 3 && strcmp(path + n - 3, "/..") == 0);
}
