/*
 * caps_xml.c: "virsh capabilities" -> the host's security models (caps.h), by
 * SAX as domain_xml.c. Elements by depth:
 *   1 <capabilities>   2 <host>   3 <secmodel>   4 <model>
 */
#include <string.h>

#include "caps.h"
#include "sax.h"

struct walk {
	unsigned	 models;
	int		 in_host, in_secmodel;
};

static void
on_start(struct sax *s, void *user, unsigned depth, const char *el, unsigned line)
{
	struct walk *w = user;

	if (depth == 1 && strcmp(el, "capabilities") != 0)
		sax_refuse(s, "the root element is not <capabilities>");
	else if (depth == 2)
		w->in_host = strcmp(el, "host") == 0;
	else if (depth == 3)
		w->in_secmodel = w->in_host && strcmp(el, "secmodel") == 0;
	else if (depth == 4 && w->in_secmodel && strcmp(el, "model") == 0)
		sax_collect(s);
}

static void
on_end(void *user, unsigned depth, const char *text)
{
	struct walk *w = user;

	if (text != NULL && strcmp(text, "selinux") == 0)
		w->models |= CAPS_SELINUX;
	else if (text != NULL && strcmp(text, "apparmor") == 0)
		w->models |= CAPS_APPARMOR;
	else if (depth == 3)
		w->in_secmodel = 0;
	else if (depth == 2)
		w->in_host = 0;
}

int
caps_parse(const char *buf, size_t len, unsigned *models, char *err, size_t errlen)
{
	struct walk w = { 0 };

	*models = 0;
	if (sax_parse(buf, len, &(struct sax_handlers){ "capabilities XML", on_start, on_end },
	    &w, err, errlen) < 0)
		return -1;
	*models = w.models;
	return 0;
}
