/*
 * domain_xml.c: libvirt domain XML (untrusted, from libvirt or an
 * administrator) -> struct domain, by SAX (sax.h): the hook needs a few
 * attributes of a few elements, and building and freeing a tree of a megabyte
 * of XML cost more than all the rest of a start; and "virsh capabilities" ->
 * the host's security models (domain.h). Elements by depth:
 *   1 <domain>   2 <name>, <devices>, <seclabel>   3 a device, <label>
 *   4 the device's <source>, <target>   5 <seclabel> of the source
 *   6 its <label>
 *   1 <capabilities>   2 <host>   3 <secmodel>   4 <model>
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "domain.h"
#include "sax.h"

/* The devices that are ports: the first NUMBERED are named by number, channels by name. */
static const char *const kinds[] = { "", "serial", "parallel", "console", "channel" };
#define NUMBERED	3

/* The device element being read, until its end tag. */
struct device {
	int		 kind;		/* in kinds[]; 0: not a port */
	struct domain_port p;		/* without its name */
	char		*port, *target_type, *target_name;	/* <target>'s */
	int		 in_source;	/* inside the <source> that gave the path */
	int		 in_seclabel;	/* <seclabel model='selinux'> of that source */
};

struct walk {
	struct domain	*d;
	size_t		 cap;
	unsigned	 count[NUMBERED + 1];	/* of each numbered kind */
	int		 in_devices, in_dac_seclabel;
	struct device	 dev;
};

static void
free_port(struct domain_port *p)
{
	free(p->name);
	free(p->type);
	free(p->path);
	free(p->selinux_label);
}

static void
clear_device(struct device *dev)
{
	free_port(&dev->p);
	free(dev->port);
	free(dev->target_type);
	free(dev->target_name);
	memset(dev, 0, sizeof(*dev));
}

static void
end_device(struct walk *w)
{
	struct device *dev = &w->dev;

	if (dev->kind > 0 && dev->kind <= NUMBERED) {
		/* libvirt numbers them by <target port='N'/>, in order when absent. */
		if (dev->port != NULL && dev->port[0] != '\0')
			dev->p.name = xasprintf("%s%s", kinds[dev->kind], dev->port);
		else
			dev->p.name = xasprintf("%s%u", kinds[dev->kind], w->count[dev->kind]);
		w->count[dev->kind]++;
	} else if (dev->target_type != NULL && strcmp(dev->target_type, "virtio") == 0 &&
	    dev->target_name != NULL && dev->target_name[0] != '\0') {
		/* Only virtio channels have names; guestfwd and xen ones are not ports here. */
		dev->p.name = dev->target_name;
		dev->target_name = NULL;
	}
	if (dev->p.name != NULL) {
		GROW(w->d->ports, w->d->nports, w->cap);
		if (dev->p.type == NULL)
			dev->p.type = xstrdup("");
		w->d->ports[w->d->nports++] = dev->p;
		memset(&dev->p, 0, sizeof(dev->p));
	}
	clear_device(dev);
}

/*
 * The domain's <seclabel model='selinux'>: its type, and whether libvirt
 * labels the guest's files at all (not for type none, nor for a static
 * label unless relabel='yes').
 */
static void
top_selinux(struct domain *d, const struct sax *s)
{
	char *type = sax_attr(s, "type"), *relabel = sax_attr(s, "relabel");

	d->selinux_label = type ? type : xstrdup("dynamic");
	d->selinux_relabel_off = relabel != NULL ? strcmp(relabel, "no") == 0 :
	    strcmp(d->selinux_label, "none") == 0 || strcmp(d->selinux_label, "static") == 0;
	free(relabel);
}

/* Each start tag at an in_* flag's depth sets the flag anew: none outlives its element. */
static void
on_start(struct sax *s, void *user, unsigned depth, const char *el, unsigned line)
{
	struct walk *w = user;
	int k;

	if (depth == 1) {
		if (strcmp(el, "domain") != 0)
			sax_refuse(s, "domain XML: the root element is not <domain>");
	} else if (depth == 2) {
		w->in_devices = strcmp(el, "devices") == 0;
		w->in_dac_seclabel = strcmp(el, "seclabel") == 0 && sax_attr_is(s, "model", "dac");
		if (strcmp(el, "name") == 0 && w->d->name == NULL)
			sax_collect(s);	/* its nested elements' text included */
		if (strcmp(el, "seclabel") == 0 && sax_attr_is(s, "model", "selinux") &&
		    w->d->selinux_label == NULL)
			top_selinux(w->d, s);
	} else if (depth == 3) {
		if (w->in_dac_seclabel && strcmp(el, "label") == 0)
			w->d->dac_user_set = 1;
		for (k = w->in_devices ? NUMBERED + 1 : 0; k > 0 && strcmp(el, kinds[k]) != 0; k--)
			;
		if ((w->dev.kind = k) != 0) {
			w->dev.p.type = sax_attr(s, "type");
			w->dev.p.line = line;
		}
	} else if (depth == 4 && w->dev.kind != 0) {
		w->dev.in_source = 0;
		if (strcmp(el, "source") == 0 && w->dev.p.path == NULL) {
			/* Some chardev types carry several <source> (udp); the pipe has one. */
			w->dev.p.path = sax_attr(s, "path");
			w->dev.in_source = w->dev.p.path != NULL;
		} else if (strcmp(el, "target") == 0 && w->dev.target_type == NULL &&
		    w->dev.port == NULL && w->dev.target_name == NULL) {
			w->dev.port = sax_attr(s, "port");
			w->dev.target_type = sax_attr(s, "type");
			w->dev.target_name = sax_attr(s, "name");
		}
	} else if (depth == 5) {
		w->dev.in_seclabel = w->dev.in_source && strcmp(el, "seclabel") == 0 &&
		    sax_attr_is(s, "model", "selinux");
		if (w->dev.in_seclabel && sax_attr_is(s, "relabel", "no"))
			w->dev.p.selinux_relabel_off = 1;
	} else if (depth == 6 && w->dev.in_seclabel && strcmp(el, "label") == 0 &&
	    w->dev.p.selinux_label == NULL) {
		sax_collect(s);
	}
}

static void
on_end(void *user, unsigned depth, const char *text)
{
	struct walk *w = user;

	if (depth == 2 && text != NULL)	/* only <name>'s is gathered at this depth */
		w->d->name = xstrdup(text);
	else if (depth == 3 && w->dev.kind != 0)
		end_device(w);
	else if (depth == 6 && text != NULL)
		w->dev.p.selinux_label = xstrdup(text);
}

static int
cmp_port(const void *a, const void *b)
{
	const struct domain_port *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

int
domain_parse(const char *buf, size_t len, struct domain *out, char *err,
    size_t errlen)
{
	struct walk w = { .d = out };
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sax_parse(buf, len, &(struct sax_handlers){ "domain XML", on_start, on_end },
	    &w, err, errlen);
	clear_device(&w.dev);
	if (rc < 0)
		domain_free(out);
	else if (out->nports > 1)	/* qsort's array must not be NULL, even when empty */
		qsort(out->ports, out->nports, sizeof(*out->ports), cmp_port);
	return rc;
}

const struct domain_port *
domain_find_port(const struct domain *d, const char *name, size_t *count)
{
	size_t lo = 0, hi = d->nports, n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(d->ports[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < d->nports && strcmp(d->ports[lo + n].name, name) == 0)
		n++;
	if (count != NULL)
		*count = n;
	return n ? &d->ports[lo] : NULL;
}

void
domain_free(struct domain *d)
{
	size_t i;

	for (i = 0; i < d->nports; i++)
		free_port(&d->ports[i]);
	free(d->ports);
	free(d->name);
	free(d->selinux_label);
	memset(d, 0, sizeof(*d));
}

struct caps_walk {
	unsigned	 models;
	int		 in_host, in_secmodel;
};

static void
on_caps_start(struct sax *s, void *user, unsigned depth, const char *el, unsigned line)
{
	struct caps_walk *w = user;

	if (depth == 1 && strcmp(el, "capabilities") != 0)
		sax_refuse(s, "capabilities XML: the root element is not <capabilities>");
	else if (depth == 2)
		w->in_host = strcmp(el, "host") == 0;
	else if (depth == 3)
		w->in_secmodel = w->in_host && strcmp(el, "secmodel") == 0;
	else if (depth == 4 && w->in_secmodel && strcmp(el, "model") == 0)
		sax_collect(s);
}

static void
on_caps_end(void *user, unsigned depth, const char *text)
{
	struct caps_walk *w = user;

	if (text != NULL && strcmp(text, "selinux") == 0)
		w->models |= CAPS_SELINUX;
	else if (text != NULL && strcmp(text, "apparmor") == 0)
		w->models |= CAPS_APPARMOR;
}

int
caps_parse(const char *buf, size_t len, unsigned *models, char *err, size_t errlen)
{
	struct caps_walk w = { 0 };
	int rc = sax_parse(buf, len, &(struct sax_handlers){ "capabilities XML",
	    on_caps_start, on_caps_end }, &w, err, errlen);

	*models = rc < 0 ? 0 : w.models;
	return rc;
}
