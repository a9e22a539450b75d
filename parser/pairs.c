/* pairs.c: a parsed pairs.ini: its errors, and whom they concern; see pairs.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "pairs.h"

struct config_error *
pairs_error(struct pairs *p, unsigned line, const char *domain, long link,
    const char *fmt, ...)
{
	struct config_error e = { line, NULL, domain ? xstrdup(domain) : NULL, link, -1 };
	size_t i;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&e.message, fmt, ap) < 0)
		e.message = xstrdup("out of memory");
	va_end(ap);
	if (link >= 0)
		p->links[link].broken = 1;
	/* In the order of lines, so that every report reads top to bottom. */
	for (i = p->nerrors; i > 0 && p->errors[i - 1].line > line; i--)
		;
	p->errors = xreallocarray(p->errors, p->nerrors + 1, sizeof(*p->errors));
	memmove(&p->errors[i + 1], &p->errors[i], (p->nerrors++ - i) * sizeof(*p->errors));
	p->errors[i] = e;
	return &p->errors[i];
}

void
pairs_free(struct pairs *p)
{
	size_t i, j;

	for (i = 0; i < p->nlinks; i++) {
		for (j = 0; j < p->links[i].nends; j++) {
			free(p->links[i].ends[j].domain);
			free(p->links[i].ends[j].port);
		}
		free(p->links[i].ends);
		free(p->links[i].name);
	}
	for (i = 0; i < p->nerrors; i++) {
		free(p->errors[i].message);
		free(p->errors[i].domain);
	}
	free(p->links);
	free(p->errors);
	free(p->settings.state_dir);
	free(p->settings.owner_name);
	free(p->settings.group_name);
	free(p->path);
	memset(p, 0, sizeof(*p));
}

const struct link_end *
pairs_end_of(const struct link *l, const char *domain, const struct link_end **peer)
{
	size_t i;

	for (i = 0; i < l->nends; i++) {
		if (strcmp(l->ends[i].domain, domain) != 0)
			continue;
		*peer = l->nends == 2 ? &l->ends[1 - i] : NULL;
		return &l->ends[i];
	}
	return NULL;
}

int
pairs_link_has(const struct link *l, const char *domain)
{
	const struct link_end *peer;

	return pairs_end_of(l, domain, &peer) != NULL;
}

int
pairs_mentions(const struct pairs *p, const char *domain)
{
	size_t i;

	for (i = 0; i < p->nlinks; i++)
		if (pairs_link_has(&p->links[i], domain))
			return 1;
	return 0;
}

int
pairs_error_concerns(const struct pairs *p, const struct config_error *e,
    const char *domain)
{
	if (e->domain != NULL && strcmp(e->domain, domain) == 0)
		return 1;
	if (e->link >= 0 && pairs_link_has(&p->links[e->link], domain))
		return 1;
	if (e->link2 >= 0 && pairs_link_has(&p->links[e->link2], domain))
		return 1;
	return e->domain == NULL && e->link < 0 && pairs_mentions(p, domain);
}

int
pairs_refuses(const struct pairs *p, const char *domain)
{
	size_t i;

	for (i = 0; i < p->nerrors; i++)
		if (pairs_error_concerns(p, &p->errors[i], domain))
			return 1;
	return 0;
}

int
pairs_concerns(const struct pairs *p, const char *domain)
{
	return pairs_mentions(p, domain) || pairs_refuses(p, domain);
}

enum backlog
pairs_backlog(const struct pairs *p, const struct link *l)
{
	return l->backlog_set ? l->backlog : p->settings.backlog;
}
