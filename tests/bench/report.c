/*
 * The benchmark's report: a markdown table of medians, min and max per candidate, the machine,
 * and the targets as PASS/FAIL lines. Written to stdout and, with -o, to a file.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MIN_SPEEDUP 5.0		/* vserlink at least this many times faster than the shell hook */
#define MAX_GROWTH 2.0		/* per-link cost at the most links at most this many times that at fewer */

struct stats {
	double median, min, max;
};

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct stats
stats_of(const double *ms, unsigned n)
{
	double *s = malloc(n * sizeof(*s));
	struct stats st;

	if (s == NULL)
		fatal("out of memory");
	memcpy(s, ms, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp);
	st.median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	st.min = s[0];
	st.max = s[n - 1];
	free(s);
	return st;
}

/* Milliseconds with three significant digits or so: 0.412, 3.05, 12.3, 2140. */
static const char *
ms(double v)
{
	static char buf[8][32];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), v < 1 ? "%.3f" : v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f",
	    v);
	return buf[i];
}

static const char *
size(const char *file)
{
	static char buf[32];
	struct stat st;

	if (stat(file, &st) == -1)
		fatal("%s: %s", file, strerror(errno));
	if (st.st_size >= 1000000)
		snprintf(buf, sizeof(buf), "%.1f MB", st.st_size / 1e6);
	else
		snprintf(buf, sizeof(buf), "%.0f KB", st.st_size / 1e3);
	return buf;
}

/* Links in a pairs.ini: its sections but [vserlink]. */
static unsigned
links_in(const char *file)
{
	char line[512];
	unsigned n = 0;
	FILE *f = fopen(file, "r");

	if (f == NULL)
		fatal("%s: %s", file, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL)
		n += line[0] == '[' && strncmp(line, "[vserlink]", 10) != 0;
	fclose(f);
	return n;
}

/* The file system the FIFOs are made on: it can cost more than the hook itself. */
static const char *
fs_name(const char *dir)
{
	static const struct {
		unsigned long magic;
		const char *name;
	} names[] = {
		{ 0x01021994, "tmpfs" }, { 0xef53, "ext4" }, { 0x58465342, "xfs" },
		{ 0x9123683e, "btrfs" }, { 0x794c7630, "overlayfs" }, { 0x2fc12fc1, "zfs" },
		{ 0x6969, "nfs" },
	};
	static char buf[32];
	struct statfs sf;
	size_t i;

	if (statfs(dir, &sf) == -1)
		fatal("%s: %s", dir, strerror(errno));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((unsigned long)sf.f_type == names[i].magic)
			return names[i].name;
	snprintf(buf, sizeof(buf), "file system 0x%lx", (unsigned long)sf.f_type);
	return buf;
}

static void
machine(FILE *f, const struct opts *o, const char *dir)
{
	char model[256] = "", line[512], date[64];
	struct utsname u;
	time_t t = time(NULL);
	FILE *ci;

	if ((ci = fopen("/proc/cpuinfo", "r")) != NULL) {
		while (fgets(line, sizeof(line), ci) != NULL)
			if (strncmp(line, "model name", 10) == 0 && strchr(line, ':') != NULL) {
				snprintf(model, sizeof(model), ", %s", strchr(line, ':') + 2);
				model[strcspn(model, "\n")] = '\0';
				break;
			}
		fclose(ci);
	}
	if (uname(&u) == -1)
		fatal("uname: %s", strerror(errno));
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&t));
	fprintf(f, "Machine: %ld CPUs (nproc)%s, %s %s %s; FIFOs and state on %s. Date: %s.%s%s\n",
	    sysconf(_SC_NPROCESSORS_ONLN), model, u.sysname, u.release, u.machine, fs_name(dir),
	    date, o->label != NULL ? " vserlink: " : "", o->label != NULL ? o->label : "");
}

static void
table(FILE *f, struct row *rows, unsigned nrows, struct stats (*st)[NCAND], const char *dir)
{
	char file[4200];
	unsigned i;

	fprintf(f,
	    "| workload | floor median | vserlink median (min–max) | ratio vs floor "
	    "| shell hook median | vserlink speed-up vs shell |\n"
	    "|:--|--:|--:|--:|--:|--:|\n");
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		snprintf(file, sizeof(file), "%s/vserlink/xml/%s.xml", dir, r->w->domain);
		fprintf(f, "| %s: %s (XML %s, ", r->w->label, r->op, size(file));
		snprintf(file, sizeof(file), "%s/vserlink/%s", dir, r->w->config);
		fprintf(f, "pairs.ini %u links; %u runs) | %s ms | %s ms (%s–%s) | %.2f× | %s ms | %.1f× |\n",
		    links_in(file), r->n, ms(st[i][FLOOR].median), ms(st[i][VSERLINK].median),
		    ms(st[i][VSERLINK].min), ms(st[i][VSERLINK].max),
		    st[i][VSERLINK].median / st[i][FLOOR].median, ms(st[i][SHELL].median),
		    st[i][SHELL].median / st[i][VSERLINK].median);
	}
}

/* Per-link growth between the two largest link counts among the rows of an operation. */
static void
growth(FILE *f, struct row *rows, unsigned nrows, struct stats (*st)[NCAND], const char *op)
{
	int big = -1, less = -1;
	double xbig, xless, ratio;
	unsigned i;

	for (i = 0; i < nrows; i++) {
		if (strcmp(rows[i].op, op) != 0 || rows[i].w->setup != NULL)
			continue;
		if (big == -1 || rows[i].w->links > rows[big].w->links) {
			less = big;
			big = i;
		} else if (rows[i].w->links < rows[big].w->links &&
		    (less == -1 || rows[i].w->links > rows[less].w->links))
			less = i;
	}
	if (big == -1 || less == -1)
		return;
	xbig = (st[big][VSERLINK].median - st[big][FLOOR].median) / rows[big].w->links;
	xless = (st[less][VSERLINK].median - st[less][FLOOR].median) / rows[less].w->links;
	ratio = xless > 0 ? xbig / xless : xbig > 0 ? 1e9 : 1;
	fprintf(f, "%s  %s cost grows linearly: %.1f µs a link over the floor at %u links, %.1f µs at %u"
	    " (%.2f×; target: at most %.0f×)\n", ratio <= MAX_GROWTH ? "PASS" : "FAIL", op,
	    xless * 1e3, rows[less].w->links, xbig * 1e3, rows[big].w->links, ratio, MAX_GROWTH);
}

/*
 * The lowest shell/vserlink ratio over every row, or (wiring) over the rows where both hooks make
 * or remove FIFOs: where the shell hook exits at once, its cost is the shell's start-up alone.
 */
static void
speedup(FILE *f, struct row *rows, unsigned nrows, struct stats (*st)[NCAND], int wiring)
{
	double ratio, lowest = 0;
	unsigned i;
	int at = -1;

	for (i = 0; i < nrows; i++) {
		if (wiring && (rows[i].w->event != NULL || rows[i].w->links == 0))
			continue;
		ratio = st[i][SHELL].median / st[i][VSERLINK].median;
		if (at == -1 || ratio < lowest) {
			lowest = ratio;
			at = i;
		}
	}
	if (at == -1)
		return;
	fprintf(f, "%s  at least %.0f× faster than the shell hook in %s: lowest %.1f× (%s: %s)\n",
	    lowest >= MIN_SPEEDUP ? "PASS" : "FAIL", MIN_SPEEDUP,
	    wiring ? "the rows that make or remove FIFOs" : "every row", lowest, rows[at].w->label,
	    rows[at].op);
}

static void
targets(FILE *f, struct row *rows, unsigned nrows, struct stats (*st)[NCAND], const struct opts *o)
{
	double ratio;
	unsigned i;

	fprintf(f, "\nTargets (ratios of medians measured side by side in this run):\n\n```\n");
	for (i = 0; i < nrows; i++) {
		if (rows[i].target <= 0)
			continue;
		ratio = st[i][VSERLINK].median / st[i][FLOOR].median;
		fprintf(f, "%s  %s: %s at most %.1f× the floor: %.2f×\n",
		    ratio <= rows[i].target ? "PASS" : "FAIL", rows[i].w->label, rows[i].op,
		    rows[i].target, ratio);
	}
	growth(f, rows, nrows, st, "prepare");
	growth(f, rows, nrows, st, "release");
	speedup(f, rows, nrows, st, 0);
	speedup(f, rows, nrows, st, 1);
	fprintf(f, "```\n");
	if (o->stdout_bytes[VSERLINK] > 0)
		fprintf(f, "\nNote: vserlink wrote %lld bytes to stdout over the runs; a hook must write "
		    "none.\n", (long long)o->stdout_bytes[VSERLINK]);
	if (o->stderr_bytes[VSERLINK] > 0)
		fprintf(f, "\nNote: vserlink wrote %lld bytes to stderr over runs that succeeded.\n",
		    (long long)o->stderr_bytes[VSERLINK]);
}

void
report(struct row *rows, unsigned nrows, const struct opts *o, const char *dir)
{
	struct stats (*st)[NCAND] = calloc(nrows, sizeof(*st));
	char *text = NULL;
	size_t len = 0;
	unsigned i, c;
	FILE *f;

	if (st == NULL || (f = open_memstream(&text, &len)) == NULL)
		fatal("out of memory");
	for (i = 0; i < nrows; i++)
		for (c = 0; c < NCAND; c++)
			st[i][c] = stats_of(rows[i].ms[c], rows[i].n);

	table(f, rows, nrows, st, dir);
	fprintf(f, "\n");
	machine(f, o, dir);
	fprintf(f, "Each figure: the wall-clock time of one whole hook process, from posix_spawn to "
	    "exit, with the domain XML file as stdin; floor, vserlink and shell hook run interleaved, "
	    "round-robin, in the same run.\n");
	targets(f, rows, nrows, st, o);
	if (fclose(f) == EOF)
		fatal("out of memory");

	fwrite(text, 1, len, stdout);
	if (fflush(stdout) == EOF)
		fatal("stdout: %s", strerror(errno));
	if (o->out != NULL) {
		f = fopen(o->out, "w");
		if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) == EOF)
			fatal("%s: cannot write", o->out);
	}
	free(text);
	free(st);
}
