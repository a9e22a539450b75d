/* sax.c: see sax.h; libxml2's errors are kept off stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>

#include "alloc.h"
#include "sax.h"

struct sax {
	xmlParserCtxtPtr	 ctxt;
	const struct sax_handlers *h;
	void			*user;
	unsigned		 depth;
	unsigned		 collect;	/* depth of the element whose text is gathered, or 0 */
	char			*text;
	size_t			 textlen;
	int			 nattrs;	/* of the element in start */
	const xmlChar		**attrs;
	int			 refused;	/* err is written: a DOCTYPE or sax_refuse */
	char			*err;
	size_t			 errlen;
	char			 detail[160];	/* the first error raised without ctxt */
};

static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs, int ndefaulted,
    const xmlChar **attrs)
{
	struct sax *s = ctx;

	s->nattrs = nattrs;
	s->attrs = attrs;
	s->h->start(s, s->user, ++s->depth, (const char *)localname,
	    (unsigned)xmlSAX2GetLineNumber(s->ctxt));
}

static void
on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	struct sax *s = ctx;

	s->h->end(s->user, s->depth, s->depth != s->collect ? NULL : s->text ? s->text : "");
	if (s->depth-- != s->collect)
		return;
	free(s->text);
	s->text = NULL;
	s->textlen = s->collect = 0;
}

static void
on_text(void *ctx, const xmlChar *ch, int len)
{
	struct sax *s = ctx;

	if (s->collect == 0 || len <= 0)
		return;
	s->text = xreallocarray(s->text, s->textlen + (size_t)len + 1, 1);
	memcpy(s->text + s->textlen, ch, (size_t)len);
	s->textlen += (size_t)len;
	s->text[s->textlen] = '\0';
}

/* A DOCTYPE is where entity and DTD tricks live; libvirt never writes one. */
static void
on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	struct sax *s = ctx;

	snprintf(s->err, s->errlen, "%s has a DOCTYPE; libvirt never writes one", s->h->what);
	s->refused = 1;
	xmlStopParser(s->ctxt);
}

/* Errors are read from the context afterwards; nothing may reach stderr on its own. */
static void
on_error(void *ctx, xmlErrorPtr error)
{
}

/*
 * libxml2 raises some errors without the parser's context, such as a failed
 * encoding conversion ("input conversion failed ...", then "encoder error"):
 * they go to the thread's handlers, whose default writes to stderr. During a
 * parse those handlers keep the first for the message, and write nothing.
 */
static void
on_global_error(void *ctx, xmlErrorPtr error)
{
	struct sax *s = ctx;

	if (s->detail[0] == '\0' && error != NULL && error->message != NULL)
		snprintf(s->detail, sizeof(s->detail), "%s", error->message);
}

static void __attribute__((format(printf, 2, 3)))
on_generic_error(void *ctx, const char *fmt, ...)
{
}

/* A libxml2 message on one line ("...encoding !\nBytes: ..."), without its trailing newline. */
static void
one_line(char *msg)
{
	char *c;
	size_t l;

	for (c = msg; (c = strchr(c, '\n')) != NULL; )
		*c = ' ';
	for (l = strlen(msg); l > 0 && msg[l - 1] == ' '; )
		msg[--l] = '\0';
}

static void
parse_error(struct sax *s)
{
	const xmlError *e = xmlCtxtGetLastError(s->ctxt);
	char msg[160] = "not well-formed";
	int line = e ? e->line : 0;

	if (e != NULL && e->message != NULL)
		snprintf(msg, sizeof(msg), "%s", e->message);
	one_line(msg);
	one_line(s->detail);
	if (s->detail[0] != '\0' && strcmp(s->detail, msg) != 0)
		snprintf(s->err, s->errlen, "%s line %d: %s (%s)", s->h->what, line,
		    msg, s->detail);
	else
		snprintf(s->err, s->errlen, "%s line %d: %s", s->h->what, line, msg);
}

int
sax_parse(const char *buf, size_t len, const struct sax_handlers *h, void *user,
    char *err, size_t errlen)
{
	struct sax s = { .h = h, .user = user, .err = err, .errlen = errlen };
	xmlGenericErrorFunc generic = xmlGenericError;
	void *generic_ctx = xmlGenericErrorContext;
	xmlStructuredErrorFunc structured = xmlStructuredError;
	void *structured_ctx = xmlStructuredErrorContext;
	int rc;

	/* xmlCreateMemoryParserCtxt takes an int. */
	if (len == 0 || len > (size_t)0x7fffffff) {
		snprintf(err, errlen, "%s is %s", h->what, len ? "too large" : "empty");
		return -1;
	}
	if ((s.ctxt = xmlCreateMemoryParserCtxt(buf, (int)len)) == NULL) {
		snprintf(err, errlen, "cannot create an XML parser");
		return -1;
	}
	/* Never NOENT, DTDLOAD or RECOVER: entities stay text, no DTD is read. */
	xmlCtxtUseOptions(s.ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	/* Only these callbacks: no tree is built, no entity is resolved. */
	*s.ctxt->sax = (xmlSAXHandler){ .initialized = XML_SAX2_MAGIC, .startElementNs = on_start,
		.endElementNs = on_end, .characters = on_text, .serror = on_error,
		.internalSubset = on_doctype };
	s.ctxt->userData = &s;
	xmlSetGenericErrorFunc(NULL, on_generic_error);
	xmlSetStructuredErrorFunc(&s, on_global_error);
	xmlParseDocument(s.ctxt);
	xmlSetStructuredErrorFunc(structured_ctx, structured);
	xmlSetGenericErrorFunc(generic_ctx, generic);
	/*
	 * No callback builds a tree, but for expat compatibility libxml2 makes
	 * a document of its own to hold the entities of an internal subset,
	 * which it goes on to parse even after on_doctype stopped the parser.
	 */
	xmlFreeDoc(s.ctxt->myDoc);
	s.ctxt->myDoc = NULL;
	rc = s.refused || !s.ctxt->wellFormed ? -1 : 0;
	if (rc < 0 && !s.refused)
		parse_error(&s);
	free(s.text);
	xmlFreeParserCtxt(s.ctxt);
	return rc;
}

/*
 * SAX2 hands attributes as (localname, prefix, URI, value, end) tuples. As
 * entities are not substituted, a value keeps "&amp;" as "&#38;" (the tree
 * builder would undo that); with no DOCTYPE there is no other entity.
 */
char *
sax_attr(const struct sax *s, const char *name)
{
	static const char amp[] = "&#38;";
	int i;

	for (i = 0; i < s->nattrs; i++) {
		const xmlChar **a = s->attrs + 5 * i;
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

int
sax_attr_is(const struct sax *s, const char *name, const char *value)
{
	char *v = sax_attr(s, name);
	int r = v != NULL && strcmp(v, value) == 0;

	free(v);
	return r;
}

void
sax_collect(struct sax *s)
{
	if (s->collect == 0)
		s->collect = s->depth;
}

void
sax_refuse(struct sax *s, const char *msg)
{
	snprintf(s->err, s->errlen, "%s", msg);
	s->refused = 1;
	xmlStopParser(s->ctxt);
}
