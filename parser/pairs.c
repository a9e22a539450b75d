/* pairs.c: struct pairs: the file's trust checks, its errors and whom they concern (pairs.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "pairs.h"

#define MAX_FILE_SIZE	(16u << 20)

struct config_error *
pairs_add_error(struct pairs *p, unsigned line, const char *domain, long link,
    const char *fmt, ...)
{
	struct config_error *e;
	size_t at = p->nerrors;
	va_list ap;

	if ((p->nerrors & (p->nerrors - 1)) == 0)	/* 0 or a power of two: full */
		p->errors = xreallocarray(p->errors, p->nerrors ? 2 * p->nerrors : 1,
		    sizeof(*p->errors));
	while (at > 0 && p->errors[at - 1].line > line)
		at--;
	memmove(&p->errors[at + 1], &p->errors[at], (p->nerrors++ - at) * sizeof(*e));
	e = &p->errors[at];
	*e = (struct config_error){ .line = line, .domain = domain ? xstrdup(domain) : NULL,
	    .link = link, .link2 = -1 };
	va_start(ap, fmt);
	if (vasprintf(&e->message, fmt, ap) < 0)
		e->message = xstrdup("out of memory");
	va_end(ap);
	if (link >= 0)
		p->links[link].broken = 1;
	return e;
}

int
pairs_load(const char *path, struct pairs *out)
{
	struct stat sb;
	size_t len;
	char *buf;
	int fd, saved;

	memset(out, 0, sizeof(*out));
	pairs_parse(path, "", 0, out);	/* an empty file: the defaults */
	/* O_NONBLOCK: a FIFO planted at the path must not hang the hook. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 && errno == ELOOP) {
		pairs_add_error(out, 0, NULL, -1, "is a symbolic link; refusing to use it");
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	}
	if (fd < 0 || fstat(fd, &sb) < 0) {
		saved = errno;
		if (fd >= 0)
			close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		pairs_add_error(out, 0, NULL, -1, "is not a regular file");
	} else {
		if (sb.st_uid != 0 && sb.st_uid != geteuid())
			pairs_add_error(out, 0, NULL, -1, "is owned by uid %u, not root; refusing to use it",
			    (unsigned)sb.st_uid);
		if (sb.st_mode & (S_IWGRP | S_IWOTH))
			pairs_add_error(out, 0, NULL, -1, "is writable by %s; refusing to use it",
			    (sb.st_mode & S_IWOTH) ? "others" : "its group");
		if ((buf = read_all(fd, MAX_FILE_SIZE, &len)) == NULL)
			pairs_add_error(out, 0, NULL, -1, "cannot be read: %s", strerror(errno));
		else
			pairs_parse(path, buf, len, out);
		free(buf);
	}
	close(fd);
	return 0;
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
	free(p->links);
	for (i = 0; i < p->nerrors; i++) {
		free(p->errors[i].message);
		free(p->errors[i].domain);
	}
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
		if (peer != NULL)
			*peer = l->nends == 2 ? &l->ends[1 - i] : NULL;
		return &l->ends[i];
	}
	return NULL;
}

int
pairs_mentions(const struct pairs *p, const char *domain)
{
	size_t i;

	for (i = 0; i < p->nlinks; i++)
		if (pairs_end_of(&p->links[i], domain, NULL))
			return 1;
	return 0;
}

int
pairs_error_concerns(const struct pairs *p, const struct config_error *e,
    const char *domain)
{
	if (e->domain == NULL && e->link < 0)	/* the file as a whole */
		return pairs_mentions(p, domain);
	return (e->domain != NULL && strcmp(e->domain, domain) == 0) ||
	    (e->link >= 0 && pairs_end_of(&p->links[e->link], domain, NULL)) ||
	    (e->link2 >= 0 && pairs_end_of(&p->links[e->link2], domain, NULL));
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
