/*
 * caps_xml.c: "virsh capabilities" -> the host's security models (caps.h).
 *
 * A SAX parse (sax.h), as domain_xml.c, for the same reasons: the document
 * comes from another program and is read as untrusted input. Elements by
 * depth:
 *   1 <capabilities>   2 <host>   3 <secmodel>   4 <model>
 */
#include <string.h>

#include "caps.h"
#include "sax.h"

#define MODEL_MAX	32	/* longer than any model name libvirt has */

struct walk {
	unsigned	 models;
	int		 in_host, in_secmodel, in_model, too_long;
	char		 model[MODEL_MAX + 1];
	size_t		 modellen;
};

static void
on_start(struct sax *s, void *user, unsigned depth, const char *el)
{
	struct walk *w = user;

	if (depth == 1 && strcmp(el, "capabilities") != 0) {
		sax_refuse(s, "the root element is not <capabilities>");
	} else if (depth == 2) {
		w->in_host = strcmp(el, "host") == 0;
	} else if (depth == 3) {
		w->in_secmodel = w->in_host && strcmp(el, "secmodel") == 0;
	} else if (depth == 4 && w->in_secmodel && strcmp(el, "model") == 0) {
		w->in_model = 1;
		w->too_long = 0;
		w->modellen = 0;
	}
}

static void
on_end(void *user, unsigned depth)
{
	struct walk *w = user;

	if (depth == 4 && w->in_model) {
		w->in_model = 0;
		w->model[w->modellen] = '\0';
		if (w->too_long)
			return;
		if (strcmp(w->model, "selinux") == 0)
			w->models |= CAPS_SELINUX;
		else if (strcmp(w->model, "apparmor") == 0)
			w->models |= CAPS_APPARMOR;
	} else if (depth == 3) {
		w->in_secmodel = 0;
	} else if (depth == 2) {
		w->in_host = 0;
	}
}

static void
on_text(void *user, const char *ch, size_t len)
{
	struct walk *w = user;

	if (!w->in_model)
		return;
	/* A name longer than MODEL_MAX is none we know. */
	if (len > MODEL_MAX - w->modellen) {
		w->too_long = 1;
		return;
	}
	memcpy(w->model + w->modellen, ch, len);
	w->modellen += len;
}

int
caps_parse(const char *buf, size_t len, unsigned *models, char *err, size_t errlen)
{
	struct walk w;

	*models = 0;
	memset(&w, 0, sizeof(w));
	if (sax_parse(buf, len, &(const struct sax_handlers){ "capabilities XML",
	    on_start, on_end, on_text }, &w, err, errlen) < 0)
		return -1;
	*models = w.models;
	return 0;
}
