/*
 * test_state_codec: the text of a state file to records and back: a round
 * trip keeps every byte of every name, and each kind of corruption is
 * refused with the number of its line, leaving nothing half-read behind.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "golden.h"
#include "state.h"

/* encode(r, link) as a string. */
static char *
encode(const struct state_records *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fputs(STATE_MAGIC "\n", f);
	codec_encode_ends(f, r);
	fclose(f);
	return buf;
}

/* decode(text): the number of the first bad line, 0 when all are good. */
static unsigned
decode(const char *text, struct state_records *r)
{
	char *copy = xstrdup(text);
	unsigned bad = codec_decode(copy, r);

	free(copy);
	return bad;
}

static int
same_end(const struct state_end *a, const struct state_end *b)
{
	return strcmp(a->link, b->link) == 0 && strcmp(a->domain, b->domain) == 0 &&
	    strcmp(a->path, b->path) == 0 && a->dir_dev == b->dir_dev &&
	    a->dir_ino == b->dir_ino && memcmp(a->fifo, b->fifo, sizeof(a->fifo)) == 0;
}

static void
round_trip(void)
{
	static const char *const names[] = {
		"port1", "a link with spaces", "100%", "tab\there", "new\nline",
		"caf\xc3\xa9", "\x7f\x01", "-", "%41",
	};
	struct state_records r = { 0 }, back = { 0 };
	struct state_end *e;
	size_t i;
	char *text, path[64];
	int ok = 1;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		snprintf(path, sizeof(path), "/p/%s end %zu", names[i], i);
		e = records_add_end(&r, "L", names[i], path, (dev_t)i + 1, (ino_t)~0ULL - i);
		e->fifo[0] = (struct state_fifo){ 2049, 12345 + i, { 1700000000, 999999999 } };
		e->fifo[1] = (struct state_fifo){ (dev_t)~0ULL, (ino_t)~0ULL, { 0, 0 } };
		snprintf(path, sizeof(path), "/p/%s end %zu.out", names[i], i);
		records_add_pending(&r, names[i], path);
	}
	text = encode(&r);
	tap(decode(text, &back) == 0, "what the encoder writes, the decoder reads");
	tap(back.nends == r.nends, "every end is written");
	for (i = 0; i < back.nends && i < r.nends; i++)
		ok &= same_end(back.ends[i], r.ends[i]);
	tap(ok, "every field of every end comes back, names with spaces, %%, control bytes and UTF-8 too");
	ok = back.npending == r.npending;
	for (i = 0; ok && i < back.npending; i++)
		ok = strcmp(back.pending[i].domain, r.pending[i].domain) == 0 &&
		    strcmp(back.pending[i].path, r.pending[i].path) == 0;
	tap(ok, "pending names come back with their ends");
	tap(strchr(text, '\t') == NULL && strstr(text, "new\nline") == NULL,
	    "no name can break a line or a field");
	free(text);
	records_free(&back);
	records_free(&r);
	text = encode(&r);
	tap(strcmp(text, STATE_MAGIC "\n") == 0, "no ends: the magic line alone");
	free(text);
	tap(r.nends == 0 && r.ends == NULL, "records_free leaves nothing");
}

/* An intent: the ends of several files after one magic line read as one file. */
static void
several_files(void)
{
	struct state_records a = { 0 }, b = { 0 }, back = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	records_add_end(&a, "L1", "ga", "/p/a1", 1, 2);
	records_add_pending(&a, "ga", "/p/a1.in");
	records_add_end(&b, "L2", "gb", "/p/b2", 1, 2);
	records_add_end(&b, "L2", "gc", "/p/c2", 1, 3);
	records_add_pending(&b, "gc", "/p/c2.out");
	fputs(STATE_MAGIC "\n", f);
	codec_encode_ends(f, &a);
	codec_encode_ends(f, &b);
	fclose(f);
	tap(decode(buf, &back) == 0 && back.nends == 3 && back.npending == 2,
	    "the ends of several files, after one magic line, read as one file");
	tap(back.nends == 3 && same_end(back.ends[0], a.ends[0]) &&
	    same_end(back.ends[1], b.ends[0]) && same_end(back.ends[2], b.ends[1]),
	    "... each end whole, in order");
	tap(records_end_of_name(&back, "gc", "/p/c2.out") != NULL &&
	    strcmp(records_end_of_name(&back, "gc", "/p/c2.out")->link, "L2") == 0,
	    "... and each pending name with its own end");
	free(buf);
	records_free(&a);
	records_free(&b);
	records_free(&back);
}

struct bad {
	const char	*why;
	const char	*text;
	unsigned	 line;
};

static void
corruption(void)
{
	static const struct bad bad[] = {
		{ "a file without the magic line", "end l g /p 1 2 0 0 0 0 0 0 0 0\n", 1 },
		{ "a magic line of another version", "vserlink-state 3\n", 1 },
		{ "an unknown kind of line", STATE_MAGIC "\nrm -rf /\n", 2 },
		{ "an empty line", STATE_MAGIC "\n\n", 2 },
		{ "an end line cut short", STATE_MAGIC "\nend l g /p 1 2 0 0 0 0\n", 2 },
		{ "an end line with fields to spare", STATE_MAGIC "\nend l g /p 1 2 0 0 0 0 0 0 0 0 9\n", 2 },
		{ "a path that is not absolute", STATE_MAGIC "\nend l g p 1 2 0 0 0 0 0 0 0 0\n", 2 },
		{ "a bad escape", STATE_MAGIC "\nend l%zz g /p 1 2 0 0 0 0 0 0 0 0\n", 2 },
		{ "an escape cut short", STATE_MAGIC "\nend l g /p%4 1 2 0 0 0 0 0 0 0 0\n", 2 },
		{ "an escaped NUL byte", STATE_MAGIC "\nend l%00 g /p 1 2 0 0 0 0 0 0 0 0\n", 2 },
		{ "a lower-case escape", STATE_MAGIC "\nend l%2a g /p 1 2 0 0 0 0 0 0 0 0\n", 2 },
		{ "a number that is not one", STATE_MAGIC "\nend l g /p 1 x 0 0 0 0 0 0 0 0\n", 2 },
		{ "a negative number", STATE_MAGIC "\nend l g /p 1 -2 0 0 0 0 0 0 0 0\n", 2 },
		{ "a number beyond 64 bits", STATE_MAGIC "\nend l g /p 1 18446744073709551616 0 0 0 0 0 0 0 0\n", 2 },
		{ "nanoseconds of a second and more", STATE_MAGIC "\nend l g /p 1 2 3 4 5 1000000000 0 0 0 0\n", 2 },
		{ "a pending line without its path", STATE_MAGIC "\npending g\n", 2 },
		{ "a fifo line in a file of version 2", STATE_MAGIC "\nfifo 1 2 3 4\n", 2 },
		{ "a third line gone bad after two good ones",
		  STATE_MAGIC "\nend l g /p 1 2 0 0 0 0 0 0 0 0\npending g /p.in\nend\n", 4 },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct state_records r = { 0 };
		unsigned got = decode(bad[i].text, &r);

		tap(got == bad[i].line, "%s is refused at line %u (got %u)", bad[i].why,
		    bad[i].line, got);
		records_free(&r);
	}
}

static void
version1(void)
{
	struct state_records r = { 0 };

	tap(decode(STATE_MAGIC_V1 "\nend l g /p\nfifo 1 2\nfifo 3 4 5 6\npending g /p.in\n", &r) == 0 &&
	    r.v1_file && r.nends == 1 && r.nv1 == 2 && r.v1[1].birth.tv_nsec == 6 && r.npending == 1,
	    "a file of version 1 is read: ends, FIFOs with and without a birth time, pending names");
	records_free(&r);
	tap(decode(STATE_MAGIC_V1 "\nfifo 1\n", &r) == 2, "a version 1 fifo line cut short is refused");
	records_free(&r);
}

static void
compaction(void)
{
	struct state_records r = { 0 };
	struct state_end *keep;

	records_add_end(&r, "a", "g", "/p/a", 1, 1);
	keep = records_add_end(&r, "b", "g", "/p/b", 1, 1);
	records_add_end(&r, "c", "g", "/p/c", 1, 1);
	records_drop_end(&r, 0);
	tap(r.nends == 2 && r.ends[0] == keep && strcmp(r.ends[1]->link, "c") == 0,
	    "dropping an end keeps the others in order, and pointers to them good");
	tap(records_end_of_name(&r, "g", "/p/c.out") == r.ends[1] &&
	    records_end_of_name(&r, "g", "/p/c.err") == NULL &&
	    records_end_of_name(&r, "h", "/p/c.in") == NULL,
	    "a pending name belongs to the end it is .in or .out of, of its own guest");
	records_free(&r);
}

/* A guest's ends are found by link, whatever order they were recorded in. */
static void
find_by_link(void)
{
	static const char *const links[] = { "m", "c", "x", "a", "q", "b" };
	struct state_end *e[sizeof(links) / sizeof(*links)];
	struct stat dir = { 0 };
	struct state s;
	char msg[256];
	size_t i;
	int ok;

	ok = state_open(&s, "/nonexistent/vserlink-state", 0, msg, sizeof(msg)) == 1;
	for (i = 0; i < sizeof(links) / sizeof(*links); i++) {
		e[i] = state_set_end(&s, links[i], "g", "/p/g", &dir);
		ok &= state_set_end(&s, links[i], "h", "/p/h", &dir) != NULL;
	}
	for (i = 0; i < sizeof(links) / sizeof(*links); i++)
		ok &= e[i] != NULL && state_find_end(&s, links[i], "g") == e[i] &&
		    strcmp(e[i]->link, links[i]) == 0;
	ok &= state_set_end(&s, "x", "g", "/p/g", &dir) == e[2] &&
	    state_find_end(&s, "d", "g") == NULL && state_find_end(&s, "m", "z") == NULL;
	tap(ok, "a guest's ends are found by link, whatever order they were recorded in");
	state_close(&s);
}

/* The size limit, where a guest's file is read: 64 MiB and no more. */
static void
size_limit(void)
{
	char dir[] = "/tmp/vserlink-codec.XXXXXX", path[PATH_MAX], msg[PATH_MAX + 256];
	struct state s;
	int fd;

	if (geteuid() != 0 || mkdtemp(dir) == NULL) {
		tap(1, "a guest's file over 64 MiB is refused # SKIP needs root (the state directory must be root's)");
		return;
	}
	snprintf(path, sizeof(path), "%s/domains", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/domains/big", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT, 0600)) >= 0) {
		if (ftruncate(fd, (64 << 20) + 1) < 0)
			perror(path);
		close(fd);
	}
	tap(state_open(&s, dir, 0, msg, sizeof(msg)) == 0 && state_find_end(&s, "L", "big") == NULL &&
	    s.error != NULL && strstr(s.error, "domains/big: is not a regular file of sane size") != NULL,
	    "a guest's file over 64 MiB is refused, by name");
	tap(state_save(&s, msg, sizeof(msg)) < 0, "  and nothing is saved over it");
	state_close(&s);
	unlink(path);
	snprintf(path, sizeof(path), "%s/domains", dir);
	rmdir(path);
	rmdir(dir);
}

int
main(void)
{
	round_trip();
	several_files();
	corruption();
	version1();
	compaction();
	find_by_link();
	size_limit();
	return tap_done();
}
