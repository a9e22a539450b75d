/*
 * caps_xml.c: "virsh capabilities" -> the host's security models (caps.h).
 *
 * A SAX parse, as domain_xml.c, for the same reasons: the document comes
 * from another program and is read as untrusted input. Elements by depth:
 *   1 <capabilities>   2 <host>   3 <secmodel>   4 <model>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>

#include "caps.h"

#define XML_OPTIONS	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
#define MODEL_MAX	32	/* longer than any model name libvirt has */

struct walk {
	xmlParserCtxtPtr ctxt;
	unsigned	 depth;
	unsigned	 models;
	int		 in_host, in_secmodel, in_model, too_long;
	int		 not_caps, has_doctype;
	char		 model[MODEL_MAX + 1];
	size_t		 modellen;
};

static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs, int ndefaulted,
    const xmlChar **attrs)
{
	struct walk *w = ctx;
	const char *el = (const char *)localname;
	unsigned depth = ++w->depth;

	(void)prefix, (void)uri, (void)nns, (void)ns, (void)nattrs, (void)ndefaulted, (void)attrs;
	if (depth == 1 && strcmp(el, "capabilities") != 0) {
		w->not_caps = 1;
		xmlStopParser(w->ctxt);
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
on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	struct walk *w = ctx;
	unsigned depth = w->depth--;

	(void)localname, (void)prefix, (void)uri;
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
on_text(void *ctx, const xmlChar *ch, int len)
{
	struct walk *w = ctx;

	if (!w->in_model || len <= 0)
		return;
	/* A name longer than MODEL_MAX is none we know. */
	if ((size_t)len > MODEL_MAX - w->modellen) {
		w->too_long = 1;
		return;
	}
	memcpy(w->model + w->modellen, ch, (size_t)len);
	w->modellen += (size_t)len;
}

static void
on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	struct walk *w = ctx;

	(void)name, (void)ext, (void)sys;
	w->has_doctype = 1;
	xmlStopParser(w->ctxt);
}

static void
on_error(void *ctx, xmlErrorPtr error)
{
	(void)ctx, (void)error;
}

int
caps_parse(const char *buf, size_t len, unsigned *models, char *err, size_t errlen)
{
	xmlSAXHandler sax;
	xmlParserCtxtPtr ctxt;
	const xmlError *e;
	struct walk w;
	int rc = -1;

	*models = 0;
	if (len == 0 || len > (size_t)0x7fffffff) {
		snprintf(err, errlen, "capabilities XML is %s", len ? "too large" : "empty");
		return -1;
	}
	if ((ctxt = xmlCreateMemoryParserCtxt(buf, (int)len)) == NULL) {
		snprintf(err, errlen, "cannot create an XML parser");
		return -1;
	}
	xmlCtxtUseOptions(ctxt, XML_OPTIONS);
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
	ctxt->userData = &w;

	xmlParseDocument(ctxt);
	if (ctxt->myDoc != NULL) {	/* see domain_xml.c */
		xmlFreeDoc(ctxt->myDoc);
		ctxt->myDoc = NULL;
	}
	if (w.has_doctype) {
		snprintf(err, errlen, "capabilities XML has a DOCTYPE; libvirt never writes one");
	} else if (w.not_caps) {
		snprintf(err, errlen, "the root element is not <capabilities>");
	} else if (!ctxt->wellFormed) {
		e = xmlCtxtGetLastError(ctxt);
		snprintf(err, errlen, "capabilities XML line %d: not well-formed", e ? e->line : 0);
	} else {
		*models = w.models;
		rc = 0;
	}
	xmlFreeParserCtxt(ctxt);
	return rc;
}
