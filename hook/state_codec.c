/* state_codec.c: the records in memory, and the text of the files that hold them; see state.h. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "fsops.h"
#include "state.h"

struct state_end *
records_add_end(struct state_records *r, const char *link, const char *domain,
    const char *path, dev_t dir_dev, ino_t dir_ino)
{
	struct state_end *e = xcalloc(1, sizeof(*e));

	e->link = xstrdup(link);
	e->domain = xstrdup(domain);
	e->path = xstrdup(path);
	e->dir_dev = dir_dev;
	e->dir_ino = dir_ino;
	GROW(r->ends, r->nends, r->ends_cap);
	return r->ends[r->nends++] = e;
}

void
records_add_pending(struct state_records *r, const char *domain, const char *path)
{
	GROW(r->pending, r->npending, r->pending_cap);
	r->pending[r->npending].domain = xstrdup(domain);
	r->pending[r->npending++].path = xstrdup(path);
}

void
records_drop_end(struct state_records *r, size_t i)
{
	struct state_end *e = r->ends[i];

	free(e->link);
	free(e->domain);
	free(e->path);
	free(e);
	memmove(&r->ends[i], &r->ends[i + 1], (--r->nends - i) * sizeof(*r->ends));
}

void
records_drop_pending(struct state_records *r, size_t i)
{
	free(r->pending[i].domain);
	free(r->pending[i].path);
	memmove(&r->pending[i], &r->pending[i + 1], (--r->npending - i) * sizeof(*r->pending));
}

void
records_free(struct state_records *r)
{
	while (r->nends > 0)
		records_drop_end(r, r->nends - 1);
	while (r->npending > 0)
		records_drop_pending(r, r->npending - 1);
	free(r->ends);
	free(r->pending);
	free(r->v1);
	memset(r, 0, sizeof(*r));
}

static void
put_field(FILE *f, const char *v)
{
	putc(' ', f);
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;

		if (c <= 0x20 || c == 0x7f || c == '%')
			fprintf(f, "%%%02X", c);
		else
			putc(c, f);
	}
}

struct state_end *
records_end_of_name(struct state_records *r, const char *domain, const char *path)
{
	size_t i, len;

	for (i = 0; i < r->nends; i++) {
		struct state_end *e = r->ends[i];

		len = strlen(e->path);
		if (strcmp(e->domain, domain) == 0 && strncmp(path, e->path, len) == 0 &&
		    (strcmp(path + len, fifo_suffix[0]) == 0 || strcmp(path + len, fifo_suffix[1]) == 0))
			return e;
	}
	return NULL;
}

void
codec_encode_ends(FILE *f, const struct state_records *r)
{
	size_t i;
	int k;

	for (i = 0; i < r->nends; i++) {
		const struct state_end *e = r->ends[i];

		fputs("end", f);
		put_field(f, e->link);
		put_field(f, e->domain);
		put_field(f, e->path);
		fprintf(f, " %llu %llu", (unsigned long long)e->dir_dev,
		    (unsigned long long)e->dir_ino);
		for (k = 0; k < 2; k++)
			fprintf(f, " %llu %llu %llu %ld", (unsigned long long)e->fifo[k].dev,
			    (unsigned long long)e->fifo[k].ino,
			    (unsigned long long)e->fifo[k].birth.tv_sec, e->fifo[k].birth.tv_nsec);
		putc('\n', f);
	}
	for (i = 0; i < r->npending; i++) {
		fputs("pending", f);
		put_field(f, r->pending[i].domain);
		put_field(f, r->pending[i].path);
		putc('\n', f);
	}
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes the next field of *cur in place; NULL when there is none or it is bad. */
static char *
take_field(char **cur)
{
	char *start = *cur, *r = start, *w = start;

	if (*start == '\0')
		return NULL;
	while (*r != '\0' && *r != ' ') {
		if (*r == '%') {
			int hi = hexval(r[1]), lo = hi < 0 ? -1 : hexval(r[2]);

			if (lo < 0 || (hi == 0 && lo == 0))
				return NULL;
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*cur = *r == ' ' ? r + 1 : r;
	*w = '\0';
	return start;
}

/* The next field of *cur as a number of at most max; -1 when bad. */
static int
take_number(char **cur, unsigned long long max, unsigned long long *v)
{
	char *a = take_field(cur), *end;

	if (a == NULL || *a < '0' || *a > '9')
		return -1;
	errno = 0;
	*v = strtoull(a, &end, 10);
	return errno || *end != '\0' || *v > max ? -1 : 0;
}

/* "DEV INO BIRTH_SEC BIRTH_NSEC"; the birth time may be left out (version 1). */
static int
take_fifo(char **cur, struct state_fifo *f, int birth_optional)
{
	unsigned long long dev, ino, sec = 0, nsec = 0;

	if (take_number(cur, ULLONG_MAX, &dev) < 0 || take_number(cur, ULLONG_MAX, &ino) < 0 ||
	    ((!birth_optional || **cur != '\0') && (take_number(cur, LLONG_MAX, &sec) < 0 ||
	    take_number(cur, 999999999, &nsec) < 0)))
		return -1;
	*f = (struct state_fifo){ (dev_t)dev, (ino_t)ino, { (time_t)sec, (long)nsec } };
	return 0;
}

/* One line after the first; v1: of a version 1 file. */
static int
decode_line(char *cur, struct state_records *r, int v1)
{
	char *kind = take_field(&cur), *link, *domain, *path;
	unsigned long long dev = 0, ino = 0;
	struct state_fifo f[2] = { 0 };

	if (kind == NULL)
		return -1;
	if (v1 && strcmp(kind, "fifo") == 0) {
		if (take_fifo(&cur, &f[0], 1) < 0 || *cur != '\0')
			return -1;
		GROW(r->v1, r->nv1, r->v1_cap);
		r->v1[r->nv1++] = f[0];
		return 0;
	}
	if (strcmp(kind, "pending") == 0) {
		if ((domain = take_field(&cur)) == NULL || (path = take_field(&cur)) == NULL ||
		    *cur != '\0')
			return -1;
		records_add_pending(r, domain, path);
		return 0;
	}
	if (strcmp(kind, "end") != 0 || (link = take_field(&cur)) == NULL ||
	    (domain = take_field(&cur)) == NULL || (path = take_field(&cur)) == NULL ||
	    path[0] != '/' || (!v1 && (take_number(&cur, ULLONG_MAX, &dev) < 0 ||
	    take_number(&cur, ULLONG_MAX, &ino) < 0 ||
	    take_fifo(&cur, &f[0], 0) < 0 || take_fifo(&cur, &f[1], 0) < 0)) || *cur != '\0')
		return -1;
	memcpy(records_add_end(r, link, domain, path, (dev_t)dev, (ino_t)ino)->fifo, f, sizeof(f));
	return 0;
}

unsigned
codec_decode(char *text, struct state_records *r)
{
	char *line;
	unsigned lineno = 0;
	int v1 = 0;

	while (text != NULL && *text != '\0') {
		line = strsep(&text, "\n");
		if (++lineno == 1) {
			v1 = strcmp(line, STATE_MAGIC_V1) == 0;
			r->v1_file |= v1;
			if (!v1 && strcmp(line, STATE_MAGIC) != 0)
				return lineno;
		} else if (decode_line(line, r, v1) < 0) {
			return lineno;
		}
	}
	return 0;
}
