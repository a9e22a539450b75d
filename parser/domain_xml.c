/*
 * domain_xml.c: libvirt domain XML -> struct domain.
 *
 * The document comes from libvirt on the hook's stdin, or from a file an
 * administrator hands to "vserlink check". Either way it is parsed as
 * untrusted input: no network, no entity substitution, no DTD, and a
 * document type declaration stops the parse before any of it is read.
 *
 * The parse is SAX: the hook needs a few attributes of a few elements, and
 * building and freeing a tree of a megabyte of XML cost more than all the
 * rest of a start. Elements are recognised by their depth:
 *   1 <domain>   2 <name>, <devices>, <seclabel>   3 a device, <label>
 *   4 the device's <source>, <target>   5 <seclabel> of the source
 *   6 its <label>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>

#include "alloc.h"
#include "domain.h"

#define XML_OPTIONS	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

enum device_kind { DEV_NONE, DEV_SERIAL, DEV_PARALLEL, DEV_CONSOLE, DEV_CHANNEL };

/* The device element being read, until its end tag. */
struct device {
	enum device_kind kind;
	char		*type;
	char		*path;
	char		*port;		/* <target port=...> */
	char		*target_type;
	char		*target_name;
	unsigned	 line;
	int		 in_source;	/* inside the <source> that gave the path */
	int		 relabel_off;
	int		 in_seclabel;	/* <seclabel model='selinux'> of that source */
	int		 in_label;	/* its first <label> */
	char		*label;
	size_t		 labellen;
};

struct walk {
	xmlParserCtxtPtr ctxt;
	struct domain	*d;
	size_t		 cap;
	unsigned	 depth;
	unsigned	 serials, parallels, consoles;
	int		 not_domain;
	int		 has_doctype;
	int		 in_devices, in_seclabel, seclabel_is_dac;
	int		 in_name, name_done;
	char		*name;
	size_t		 namelen;
	struct device	 dev;
	char		 detail[160];	/* the first error raised without ctxt */
};

typedef const xmlChar *attr_list;

/*
 * SAX2 hands attributes as (localname, prefix, URI, value, end) tuples. As
 * entities are not substituted, a value keeps "&amp;" as "&#38;" (the tree
 * builder would undo that); with no DOCTYPE there is no other entity.
 */
static char *
attr_dup(int n, attr_list *attrs, const char *name)
{
	static const char amp[] = "&#38;";
	int i;

	for (i = 0; i < n; i++) {
		attr_list *a = attrs + 5 * i;
		char *v, *r, *w;

		if (a[1] != NULL || strcmp((const char *)a[0], name) != 0)
			continue;
		v = xstrndup((const char *)a[3], (size_t)(a[4] - a[3]));
		for (r = w = v; *r != '\0'; )
			if (strncmp(r, amp, sizeof(amp) - 1) == 0) {
				*w++ = '&';
				r += sizeof(amp) - 1;
			} else {
				*w++ = *r++;
			}
		*w = '\0';
		return v;
	}
	return NULL;
}

static int
attr_is(int n, attr_list *attrs, const char *name, const char *value)
{
	char *v = attr_dup(n, attrs, name);
	int r = v != NULL && strcmp(v, value) == 0;

	free(v);
	return r;
}

static enum device_kind
device_kind(const char *name)
{
	if (strcmp(name, "serial") == 0)
		return DEV_SERIAL;
	if (strcmp(name, "parallel") == 0)
		return DEV_PARALLEL;
	if (strcmp(name, "console") == 0)
		return DEV_CONSOLE;
	if (strcmp(name, "channel") == 0)
		return DEV_CHANNEL;
	return DEV_NONE;
}

static void
clear_device(struct device *dev)
{
	free(dev->type);
	free(dev->path);
	free(dev->port);
	free(dev->target_type);
	free(dev->target_name);
	free(dev->label);
	memset(dev, 0, sizeof(*dev));
}

static void
add_port(struct walk *w, char *name)
{
	struct domain *d = w->d;
	struct domain_port *p;

	GROW(d->ports, d->nports, w->cap);
	p = &d->ports[d->nports++];
	p->name = name;
	p->type = w->dev.type ? w->dev.type : xstrdup("");
	p->path = w->dev.path;
	p->line = w->dev.line;
	p->selinux_relabel_off = w->dev.relabel_off;
	p->selinux_label = w->dev.label;
	w->dev.type = NULL;
	w->dev.path = NULL;
	w->dev.label = NULL;
}

/* libvirt numbers serial, parallel and console ports by <target port='N'/>. */
static char *
numbered_name(const char *prefix, const struct device *dev, unsigned *index)
{
	unsigned i = (*index)++;

	if (dev->port != NULL && dev->port[0] != '\0')
		return xasprintf("%s%s", prefix, dev->port);
	/* Absent in a hand-written file: libvirt assigns them in order. */
	return xasprintf("%s%u", prefix, i);
}

static void
end_device(struct walk *w)
{
	struct device *dev = &w->dev;

	switch (dev->kind) {
	case DEV_SERIAL:
		add_port(w, numbered_name("serial", dev, &w->serials));
		break;
	case DEV_PARALLEL:
		add_port(w, numbered_name("parallel", dev, &w->parallels));
		break;
	case DEV_CONSOLE:
		add_port(w, numbered_name("console", dev, &w->consoles));
		break;
	case DEV_CHANNEL:
		/* Only virtio channels have names; guestfwd and xen ones are not ports here. */
		if (dev->target_type != NULL && strcmp(dev->target_type, "virtio") == 0 &&
		    dev->target_name != NULL && dev->target_name[0] != '\0') {
			add_port(w, dev->target_name);
			dev->target_name = NULL;
		}
		break;
	case DEV_NONE:
		break;
	}
	clear_device(dev);
}

/*
 * The domain's <seclabel model='selinux'>: its type, and whether libvirt
 * labels the guest's files at all (not for type none, nor for a static
 * label unless relabel='yes').
 */
static void
top_selinux(struct domain *d, int nattrs, attr_list *attrs)
{
	char *type = attr_dup(nattrs, attrs, "type");
	char *relabel = attr_dup(nattrs, attrs, "relabel");

	d->selinux_label = type ? type : xstrdup("dynamic");
	if (relabel != NULL)
		d->selinux_relabel_off = strcmp(relabel, "no") == 0;
	else
		d->selinux_relabel_off = strcmp(d->selinux_label, "none") == 0 ||
		    strcmp(d->selinux_label, "static") == 0;
	free(relabel);
}

static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs, int ndefaulted,
    const xmlChar **attrs)
{
	struct walk *w = ctx;
	const char *el = (const char *)localname;
	unsigned depth = ++w->depth;

	(void)prefix, (void)uri, (void)nns, (void)ns, (void)ndefaulted;
	if (depth == 1) {
		if (strcmp(el, "domain") != 0) {
			w->not_domain = 1;
			xmlStopParser(w->ctxt);
		}
	} else if (depth == 2) {
		w->in_devices = strcmp(el, "devices") == 0;
		w->in_seclabel = strcmp(el, "seclabel") == 0;
		w->in_name = strcmp(el, "name") == 0 && !w->name_done;
		if (w->in_seclabel) {
			w->seclabel_is_dac = attr_is(nattrs, attrs, "model", "dac");
			if (attr_is(nattrs, attrs, "model", "selinux") && w->d->selinux_label == NULL)
				top_selinux(w->d, nattrs, attrs);
		}
	} else if (depth == 3) {
		if (w->in_seclabel && w->seclabel_is_dac && strcmp(el, "label") == 0)
			w->d->dac_user_set = 1;
		if (w->in_devices && (w->dev.kind = device_kind(el)) != DEV_NONE) {
			w->dev.type = attr_dup(nattrs, attrs, "type");
			w->dev.line = (unsigned)xmlSAX2GetLineNumber(w->ctxt);
		}
	} else if (depth == 4 && w->dev.kind != DEV_NONE) {
		if (strcmp(el, "source") == 0 && w->dev.path == NULL) {
			/* Some chardev types carry several <source> (udp); the pipe has one. */
			w->dev.path = attr_dup(nattrs, attrs, "path");
			w->dev.in_source = w->dev.path != NULL;
		} else if (strcmp(el, "target") == 0 && w->dev.target_type == NULL &&
		    w->dev.port == NULL && w->dev.target_name == NULL) {
			w->dev.port = attr_dup(nattrs, attrs, "port");
			w->dev.target_type = attr_dup(nattrs, attrs, "type");
			w->dev.target_name = attr_dup(nattrs, attrs, "name");
		}
	} else if (depth == 5 && w->dev.in_source && strcmp(el, "seclabel") == 0) {
		w->dev.in_seclabel = attr_is(nattrs, attrs, "model", "selinux");
		if (w->dev.in_seclabel && attr_is(nattrs, attrs, "relabel", "no"))
			w->dev.relabel_off = 1;
	} else if (depth == 6 && w->dev.in_seclabel && strcmp(el, "label") == 0 &&
	    w->dev.label == NULL) {
		w->dev.in_label = 1;
		w->dev.label = xstrdup("");
	}
}

static void
on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	struct walk *w = ctx;
	unsigned depth = w->depth--;

	(void)localname, (void)prefix, (void)uri;
	if (depth == 2) {
		if (w->in_name) {
			w->name_done = 1;
			w->d->name = w->name ? w->name : xstrdup("");
			w->name = NULL;
		}
		w->in_devices = w->in_seclabel = w->in_name = 0;
	} else if (depth == 3 && w->dev.kind != DEV_NONE) {
		end_device(w);
	} else if (depth == 4) {
		w->dev.in_source = 0;
	} else if (depth == 5) {
		w->dev.in_seclabel = 0;
	} else if (depth == 6) {
		w->dev.in_label = 0;
	}
}

static void
append(char **s, size_t *n, const xmlChar *ch, int len)
{
	if (len <= 0)
		return;
	*s = xreallocarray(*s, *n + (size_t)len + 1, 1);
	memcpy(*s + *n, ch, (size_t)len);
	*n += (size_t)len;
	(*s)[*n] = '\0';
}

static void
on_text(void *ctx, const xmlChar *ch, int len)
{
	struct walk *w = ctx;

	/* The text of <name>, its nested elements' text included. */
	if (w->in_name)
		append(&w->name, &w->namelen, ch, len);
	else if (w->dev.in_label)
		append(&w->dev.label, &w->dev.labellen, ch, len);
}

/* A DOCTYPE is where entity and DTD tricks live; libvirt never writes one. */
static void
on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	struct walk *w = ctx;

	(void)name, (void)ext, (void)sys;
	w->has_doctype = 1;
	xmlStopParser(w->ctxt);
}

/* Errors are read from the context afterwards; nothing may reach stderr on its own. */
static void
on_error(void *ctx, xmlErrorPtr error)
{
	(void)ctx, (void)error;
}

/*
 * libxml2 raises some errors without the parser's context, such as a failed
 * encoding conversion ("input conversion failed ...", then "encoder
 * error"): they go to the thread's handlers, whose default writes to
 * stderr. During a parse those handlers keep the first for the message,
 * and write nothing.
 */
static void
on_global_error(void *ctx, xmlErrorPtr error)
{
	struct walk *w = ctx;

	if (w->detail[0] == '\0' && error != NULL && error->message != NULL)
		snprintf(w->detail, sizeof(w->detail), "%s", error->message);
}

static void __attribute__((format(printf, 2, 3)))
on_generic_error(void *ctx, const char *fmt, ...)
{
	(void)ctx, (void)fmt;
}

static void
parse_quietly(struct walk *w)
{
	xmlGenericErrorFunc generic = xmlGenericError;
	void *generic_ctx = xmlGenericErrorContext;
	xmlStructuredErrorFunc structured = xmlStructuredError;
	void *structured_ctx = xmlStructuredErrorContext;

	xmlSetGenericErrorFunc(NULL, on_generic_error);
	xmlSetStructuredErrorFunc(w, on_global_error);
	xmlParseDocument(w->ctxt);
	xmlSetStructuredErrorFunc(structured_ctx, structured);
	xmlSetGenericErrorFunc(generic_ctx, generic);
}

static int
cmp_port(const void *a, const void *b)
{
	const struct domain_port *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* A libxml2 message on one line, without its trailing newline. */
static void
one_line(char *msg)
{
	size_t l = strlen(msg);

	while (l > 0 && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
		msg[--l] = '\0';
	/* Some libxml2 messages have two lines ("...encoding !\nBytes: ..."). */
	for (l = 0; msg[l] != '\0'; l++)
		if (msg[l] == '\n')
			msg[l] = ' ';
}

static void
parse_error(const struct walk *w, char *err, size_t errlen)
{
	const xmlError *e = xmlCtxtGetLastError(w->ctxt);
	char msg[160] = "not well-formed", detail[sizeof(w->detail)];

	if (e != NULL && e->message != NULL) {
		snprintf(msg, sizeof(msg), "%s", e->message);
		one_line(msg);
	}
	snprintf(detail, sizeof(detail), "%s", w->detail);
	one_line(detail);
	if (detail[0] != '\0' && strcmp(detail, msg) != 0)
		snprintf(err, errlen, "domain XML line %d: %s (%s)", e ? e->line : 0,
		    msg, detail);
	else
		snprintf(err, errlen, "domain XML line %d: %s", e ? e->line : 0, msg);
}

int
domain_parse(const char *buf, size_t len, struct domain *out, char *err,
    size_t errlen)
{
	xmlSAXHandler sax;
	xmlParserCtxtPtr ctxt;
	struct walk w;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > (size_t)0x7fffffff) {
		snprintf(err, errlen, "domain XML is too large");
		return -1;
	}
	if (len == 0) {
		snprintf(err, errlen, "domain XML is empty");
		return -1;
	}
	if ((ctxt = xmlCreateMemoryParserCtxt(buf, (int)len)) == NULL) {
		snprintf(err, errlen, "cannot create an XML parser");
		return -1;
	}
	xmlCtxtUseOptions(ctxt, XML_OPTIONS);
	/* Only these callbacks: no tree is built, no entity is resolved. */
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_text;
	sax.internalSubset = on_doctype;
	sax.serror = on_error;
	*ctxt->sax = sax;
	memset(&w, 0, sizeof(w));
	w.ctxt = ctxt;
	w.d = out;
	ctxt->userData = &w;

	parse_quietly(&w);
	/*
	 * No callback builds a tree, but for expat compatibility libxml2 makes
	 * a document of its own to hold the entities of an internal subset,
	 * which it goes on to parse even after on_doctype stopped the parser.
	 */
	if (ctxt->myDoc != NULL) {
		xmlFreeDoc(ctxt->myDoc);
		ctxt->myDoc = NULL;
	}
	if (w.has_doctype)
		snprintf(err, errlen, "domain XML has a DOCTYPE; libvirt never writes one");
	else if (w.not_domain)
		snprintf(err, errlen, "domain XML: the root element is not <domain>");
	else if (!ctxt->wellFormed)
		parse_error(&w, err, errlen);
	else
		rc = 0;
	xmlFreeParserCtxt(ctxt);
	clear_device(&w.dev);
	free(w.name);
	if (rc < 0) {
		domain_free(out);
		return -1;
	}
	if (out->nports > 1)	/* qsort's array must not be NULL, even when empty */
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
		free(d->ports[i].selinux_label);
	}
	free(d->ports);
	free(d->name);
	free(d->selinux_label);
	memset(d, 0, sizeof(*d));
}
