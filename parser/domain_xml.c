/*
 * domain_xml.c: libvirt domain XML -> struct domain.
 *
 * The document comes from libvirt on the hook's stdin, or from a file an
 * administrator hands to "vserlink check". Either way it is parsed as
 * untrusted input: no network, no entity substitution, no DTD, and a
 * document type declaration stops the parse before any of it is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "alloc.h"
#include "domain.h"

#define XML_OPTIONS	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
			 XML_PARSE_NOCDATA)

struct walk {
	struct domain	*d;
	size_t		 cap;
	unsigned	 serials, parallels, consoles;
};

static int
is_element(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *
child(const xmlNode *n, const char *name)
{
	for (n = n->children; n != NULL; n = n->next)
		if (is_element(n, name))
			return n;
	return NULL;
}

/* The attribute's value, only when it is plain text (no entity references). */
static const char *
attr(const xmlNode *n, const char *name)
{
	const xmlAttr *a;

	for (a = n->properties; a != NULL; a = a->next) {
		if (strcmp((const char *)a->name, name) != 0)
			continue;
		if (a->children == NULL)
			return "";
		if (a->children->type != XML_TEXT_NODE || a->children->next != NULL)
			return NULL;
		return (const char *)a->children->content;
	}
	return NULL;
}

static int
attr_is(const xmlNode *n, const char *name, const char *value)
{
	const char *v = attr(n, name);

	return v != NULL && strcmp(v, value) == 0;
}

static void
add_port(struct walk *w, const xmlNode *dev, char *name)
{
	struct domain *d = w->d;
	struct domain_port *p;
	const xmlNode *src = child(dev, "source"), *sl;
	const char *type = attr(dev, "type"), *path;

	GROW(d->ports, d->nports, w->cap);
	p = &d->ports[d->nports++];
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->type = xstrdup(type ? type : "");
	p->line = (unsigned)xmlGetLineNo(dev);
	/* Some chardev types carry several <source> (udp); the pipe has one. */
	for (; src != NULL; src = src->next) {
		if (!is_element(src, "source"))
			continue;
		if ((path = attr(src, "path")) != NULL) {
			p->path = xstrdup(path);
			for (sl = src->children; sl != NULL; sl = sl->next)
				if (is_element(sl, "seclabel") && attr_is(sl, "model", "selinux") &&
				    attr_is(sl, "relabel", "no"))
					p->selinux_relabel_off = 1;
			break;
		}
	}
}

/* libvirt numbers serial, parallel and console ports by <target port='N'/>. */
static char *
numbered_name(const char *prefix, const xmlNode *dev, unsigned *index)
{
	const xmlNode *target = child(dev, "target");
	const char *port = target ? attr(target, "port") : NULL;
	unsigned i = (*index)++;

	if (port != NULL && port[0] != '\0')
		return xasprintf("%s%s", prefix, port);
	/* Absent in a hand-written file: libvirt assigns them in order. */
	return xasprintf("%s%u", prefix, i);
}

static void
walk_devices(struct walk *w, const xmlNode *devices)
{
	const xmlNode *n, *target;
	const char *name;

	for (n = devices->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_element(n, "serial"))
			add_port(w, n, numbered_name("serial", n, &w->serials));
		else if (is_element(n, "parallel"))
			add_port(w, n, numbered_name("parallel", n, &w->parallels));
		else if (is_element(n, "console"))
			add_port(w, n, numbered_name("console", n, &w->consoles));
		else if (is_element(n, "channel") &&
		    (target = child(n, "target")) != NULL &&
		    attr_is(target, "type", "virtio") &&
		    (name = attr(target, "name")) != NULL && name[0] != '\0')
			add_port(w, n, xstrdup(name));
	}
}

static void
walk_seclabels(struct domain *d, const xmlNode *root)
{
	const xmlNode *n;

	for (n = root->children; n != NULL; n = n->next) {
		if (!is_element(n, "seclabel"))
			continue;
		if (attr_is(n, "model", "selinux") && d->selinux_label == NULL) {
			const char *type = attr(n, "type");

			d->selinux_label = xstrdup(type ? type : "dynamic");
		}
		if (attr_is(n, "model", "dac") && child(n, "label") != NULL)
			d->dac_user_set = 1;
	}
}

static int
cmp_port(const void *a, const void *b)
{
	const struct domain_port *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* A SAX hook: a DOCTYPE is where entity and DTD tricks live; libvirt never writes one. */
static void
refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	xmlParserCtxtPtr ctxt = ctx;

	(void)name, (void)ext, (void)sys;
	*(int *)ctxt->_private = 1;
	xmlStopParser(ctxt);
}

int
domain_parse(const char *buf, size_t len, struct domain *out, char *err,
    size_t errlen)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	const xmlNode *root, *n;
	struct walk w;
	int has_doctype = 0;

	memset(out, 0, sizeof(*out));
	if (len > (size_t)0x7fffffff) {
		snprintf(err, errlen, "domain XML is too large");
		return -1;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		snprintf(err, errlen, "cannot create an XML parser");
		return -1;
	}
	/* SAX callbacks get the context as their user data; _private is ours. */
	ctxt->sax->internalSubset = refuse_doctype;
	ctxt->_private = &has_doctype;
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, "domain.xml", NULL, XML_OPTIONS);
	if (has_doctype) {
		snprintf(err, errlen, "domain XML has a DOCTYPE; libvirt never writes one");
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctxt);
		return -1;
	}
	if (doc == NULL || !ctxt->wellFormed) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		char msg[160] = "not well-formed";

		if (e != NULL && e->message != NULL) {
			size_t l;

			snprintf(msg, sizeof(msg), "%s", e->message);
			l = strlen(msg);
			while (l > 0 && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
				msg[--l] = '\0';
		}
		snprintf(err, errlen, "domain XML line %d: %s", e ? e->line : 0, msg);
		xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctxt);
		return -1;
	}
	xmlFreeParserCtxt(ctxt);

	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is_element(root, "domain")) {
		snprintf(err, errlen, "domain XML: the root element is not <domain>");
		xmlFreeDoc(doc);
		return -1;
	}
	memset(&w, 0, sizeof(w));
	w.d = out;
	for (n = root->children; n != NULL; n = n->next) {
		if (is_element(n, "name") && out->name == NULL) {
			xmlChar *s = xmlNodeGetContent(n);

			out->name = xstrdup(s ? (const char *)s : "");
			xmlFree(s);
		} else if (is_element(n, "devices")) {
			walk_devices(&w, n);
		}
	}
	walk_seclabels(out, root);
	xmlFreeDoc(doc);
	qsort(out->ports, out->nports, sizeof(*out->ports), cmp_port);
	return 0;
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

	for (i = 0; i < d->nports; i++) {
		free(d->ports[i].name);
		free(d->ports[i].type);
		free(d->ports[i].path);
	}
	free(d->ports);
	free(d->name);
	free(d->selinux_label);
	memset(d, 0, sizeof(*d));
}
