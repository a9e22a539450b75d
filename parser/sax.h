/*
 * sax.h: one SAX parse of an untrusted document, for parser/'s XML parsers.
 * libxml2 reads it without network, entity substitution, DTD or recovery, and
 * a DOCTYPE stops the parse. No tree is built: the callbacks see each element
 * with its depth (the root is 1), its attributes and, if asked, its text.
 * Nothing of libxml2 crosses this header.
 */
#ifndef VSERLINK_SAX_H
#define VSERLINK_SAX_H

#include <stddef.h>

struct sax;	/* the parse in progress, handed to start */

struct sax_handlers {
	const char	*what;	/* the document in messages: "domain XML" */
	/* An element's start tag, on line; sax_attr and sax_refuse apply. */
	void	(*start)(struct sax *s, void *user, unsigned depth, const char *name,
		    unsigned line);
	/* Its end tag, with the same depth, and the text sax_collect gathered (or NULL). */
	void	(*end)(void *user, unsigned depth, const char *text);
};

/*
 * Parses buf (len bytes), calling h's callbacks with user. Returns 0 for a
 * well-formed document, or -1 with a one-line reason in err: empty, too
 * large, a DOCTYPE, refused by sax_refuse, or not well-formed (with
 * libxml2's message and line).
 */
int	sax_parse(const char *buf, size_t len, const struct sax_handlers *h,
	    void *user, char *err, size_t errlen);

/* In start: a copy of attribute name (without a namespace prefix) to free, or NULL. */
char	*sax_attr(const struct sax *s, const char *name);
/* In start: whether attribute name is present and equals value. */
int	 sax_attr_is(const struct sax *s, const char *name, const char *value);
/* In start: gathers the element's text, its nested elements' included, for end. */
void	 sax_collect(struct sax *s);
/* Stops the parse; sax_parse returns -1 with msg (copied) as its reason. */
void	 sax_refuse(struct sax *s, const char *msg);

#endif
