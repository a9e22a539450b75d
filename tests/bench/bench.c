/*
 * bench: the whole-process cost of one hook event, for the floor, vserlink and the shell hook.
 *
 *   bench [-o FILE] [-l LABEL] [-t SECONDS] [-m MIN] [-n MAX] DIR FLOOR VSERLINK SHELL-HOOK
 *
 * DIR holds one input tree per candidate, each made by `gen DIR/floor`, `gen DIR/vserlink` and
 * `gen DIR/shell`, so that the hooks never share FIFOs or state. Each event is one process run
 * as libvirt runs its hook: argv DOMAIN OPERATION SUBOPERATION EXTRA (vserlink gets `hook` first),
 * the domain XML file as stdin, a clean environment with VSERLINK_CONFIG naming the pairs.ini.
 * Its cost is the CLOCK_MONOTONIC time from posix_spawn to waitpid.
 *
 * For each workload the three candidates run interleaved, round after round, in an order that
 * rotates every round, so that drift and noise hit all three alike. Prepare/release workloads run
 * prepare then release in each round, timed apart, so each release undoes its prepare. After every
 * run of vserlink and the shell hook the FIFOs are checked (count and link count), so a hook that
 * skips the work cannot look fast. Rounds fill a time budget per workload, within [MIN, MAX].
 *
 * Prints a markdown table and the targets as PASS/FAIL lines, to stdout and to FILE.
 * Exits 0 whatever the figures; 1 if the benchmark could not run (bad input, a hook failed).
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

struct cand {
	const char *name;
	const char *prog;
	int hookword;		/* argv[1] is "hook" */
	char tree[4096];	/* its input tree, DIR/floor ... */
	int out, err;		/* its stdout and stderr, files in its tree */
};

static struct cand cands[NCAND] = {
	{ "floor", NULL, 0, "", -1, -1 },
	{ "vserlink", NULL, 1, "", -1, -1 },
	{ "shell hook", NULL, 0, "", -1, -1 },
};
static const char *tree_names[NCAND] = { "floor", "vserlink", "shell" };

static const struct workload workloads[] = {
	{ "unlinked guest", "small.ini", "web1", "prepare", NULL, 0, 1.3, 0 },
	{ "linked guest (4 links)", "small.ini", "guesta", "reconnect", "guesta", 4, 0, 0 },
	{ "4 links, peer down", "small.ini", "guesta", NULL, NULL, 4, 2.5, 0 },
	{ "4 links, peer up", "small.ini", "guesta", NULL, "guestb", 4, 2.5, 0 },
	{ "100 links", "big100.ini", "big100", NULL, NULL, 100, 0, 0 },
	{ "1000 links", "big1000.ini", "big1000", NULL, NULL, 1000, 10, 10 },
};
#define NWORK (sizeof(workloads) / sizeof(workloads[0]))

/* A path in c's input tree: TREE/a, TREE/a/b or TREE/a/b.xml (b may be NULL, ext "" or ".xml"). */
static char *
tpath(const struct cand *c, const char *a, const char *b, const char *ext)
{
	static char buf[2][4096];
	static int i;
	int n;

	i = !i;
	n = snprintf(buf[i], sizeof(buf[i]), "%s/%s%s%s%s", c->tree, a, b != NULL ? "/" : "",
	    b != NULL ? b : "", ext);
	if (n < 0 || (size_t)n >= sizeof(buf[i]))
		fatal("%s: path too long", c->tree);
	return buf[i];
}

/* Print the last lines a candidate wrote to stderr, to explain a failure. */
static void
show_stderr(const struct cand *c)
{
	char buf[2048];
	off_t end = lseek(c->err, 0, SEEK_END);
	off_t from = end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0;
	ssize_t n = pread(c->err, buf, sizeof(buf) - 1, from);

	if (n > 0) {
		buf[n] = '\0';
		fprintf(stderr, "bench: %s's stderr ends with:\n%s\n", c->name, buf);
	}
}

/* Run one event of c and return its wall-clock cost in milliseconds. */
static double
run(struct cand *c, const struct workload *w, const char *domain, const char *op)
{
	static char path_env[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	static char lc_env[] = "LC_ALL=C", hook[] = "hook", extra[] = "-";
	char config[4200], xml[4200], prog[4096], dom[256], opb[32], sub[8];
	char *argv[8], *envp[4];
	int argc = 0, status;
	double ms;

	snprintf(config, sizeof(config), "VSERLINK_CONFIG=%s", tpath(c, w->config, NULL, ""));
	snprintf(xml, sizeof(xml), "%s", tpath(c, "xml", domain, ".xml"));
	snprintf(prog, sizeof(prog), "%s", c->prog);
	snprintf(dom, sizeof(dom), "%s", domain);
	snprintf(opb, sizeof(opb), "%s", op);
	snprintf(sub, sizeof(sub), "%s", strcmp(op, "release") == 0 ? "end" : "begin");
	argv[argc++] = prog;
	if (c->hookword)
		argv[argc++] = hook;
	argv[argc++] = dom;
	argv[argc++] = opb;
	argv[argc++] = sub;
	argv[argc++] = extra;
	argv[argc] = NULL;
	envp[0] = path_env;
	envp[1] = lc_env;
	envp[2] = config;
	envp[3] = NULL;

	ms = spawn_timed(argv, envp, xml, c->out, c->err, &status);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		show_stderr(c);
		fatal("%s: %s %s %s: %s %d", c->name, domain, op, sub,
		    WIFEXITED(status) ? "exit status" : "killed by signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
	return ms;
}

/*
 * Check that DIR/fifo/DOMAIN holds exactly `fifos` entries, each a FIFO with `nlink` names
 * (2 when joined with the running peer's, 1 otherwise). A missing directory holds nothing.
 */
static void
check(const struct cand *c, const char *domain, unsigned fifos, nlink_t nlink, const char *when)
{
	const char *dir = tpath(c, "fifo", domain, "");
	unsigned found = 0, bad = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (c == &cands[FLOOR])
		return;
	d = opendir(dir);
	if (d == NULL && errno != ENOENT)
		fatal("%s: %s", dir, strerror(errno));
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		found++;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISFIFO(st.st_mode) || st.st_nlink != nlink)
			bad++;
	}
	if (d != NULL)
		closedir(d);
	if (found != fifos || bad != 0) {
		show_stderr(c);
		fatal("%s: after %s of %s: expected %u FIFOs with %u names each in %s, "
		    "found %u entries, %u of them not so", c->name, when, domain, fifos,
		    (unsigned)nlink, dir, found, bad);
	}
}

/*
 * Prepare (or release) the workload's running guest outside the measurements: the peer, or the
 * guest itself for reconnect. Either has as many links as the workload's guest.
 */
static void
setup(struct cand *c, const struct workload *w, const char *op)
{
	if (c == &cands[FLOOR])
		return;
	run(c, w, w->setup, op);
	check(c, w->setup, strcmp(op, "prepare") == 0 ? 2 * w->links : 0, 1, op);
}

/* One round of workload w: every candidate once (or prepare then release), in rotated order. */
static void
round_of(const struct workload *w, unsigned r, struct row *rows)
{
	unsigned k, i;
	nlink_t joined = w->setup != NULL && strcmp(w->setup, w->domain) != 0 ? 2 : 1;
	unsigned during = w->setup != NULL && strcmp(w->setup, w->domain) == 0 ? 2 * w->links : 0;

	for (k = 0; k < NCAND; k++) {
		i = (k + r) % NCAND;
		if (w->event != NULL) {
			rows[0].ms[i][r] = run(&cands[i], w, w->domain, w->event);
			check(&cands[i], w->domain, during, 1, w->event);
		} else {
			rows[0].ms[i][r] = run(&cands[i], w, w->domain, "prepare");
			check(&cands[i], w->domain, 2 * w->links, joined, "prepare");
		}
	}
	if (w->event != NULL)
		return;
	for (k = 0; k < NCAND; k++) {
		i = (k + r) % NCAND;
		rows[1].ms[i][r] = run(&cands[i], w, w->domain, "release");
		check(&cands[i], w->domain, 0, 1, "release");
	}
}

static void
measure(const struct workload *w, struct row *rows, const struct opts *o)
{
	unsigned i, r, n;
	double t0, per_round;

	for (i = 0; w->setup != NULL && i < NCAND; i++)
		setup(&cands[i], w, "prepare");

	/* One round untimed: warms the caches and says how long a round takes. */
	t0 = now_ms();
	round_of(w, 0, rows);
	per_round = now_ms() - t0;
	n = per_round > 0 ? (unsigned)(o->budget_s * 1e3 / per_round) : o->max_rounds;
	n = n < o->min_rounds ? o->min_rounds : n > o->max_rounds ? o->max_rounds : n;

	fprintf(stderr, "bench: %s: %u rounds of %.0f ms\n", w->label, n, per_round);
	for (r = 0; r < n; r++)
		round_of(w, r, rows);
	rows[0].n = n;
	if (w->event == NULL)
		rows[1].n = n;

	for (i = 0; w->setup != NULL && i < NCAND; i++)
		setup(&cands[i], w, "release");
}

static int
open_log(const struct cand *c, const char *name)
{
	const char *p = tpath(c, name, NULL, "");
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);

	if (fd == -1)
		fatal("%s: %s", p, strerror(errno));
	return fd;
}

static unsigned
parse_uint(const char *s, const char *what, unsigned lo, unsigned hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		fatal("%s: %s: not a number from %u to %u", what, s, lo, hi);
	return (unsigned)v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench [-o FILE] [-l LABEL] [-t SECONDS] [-m MIN] [-n MAX] "
	    "DIR FLOOR VSERLINK SHELL-HOOK\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	struct opts o = { .budget_s = 8, .min_rounds = 11, .max_rounds = 201 };
	struct row rows[2 * NWORK];
	unsigned i, w, nrows = 0;
	int ch;

	while ((ch = getopt(argc, argv, "o:l:t:m:n:")) != -1) {
		switch (ch) {
		case 'o': o.out = optarg; break;
		case 'l': o.label = optarg; break;
		case 't': o.budget_s = parse_uint(optarg, "-t", 0, 3600); break;
		case 'm': o.min_rounds = parse_uint(optarg, "-m", 1, 100000); break;
		case 'n': o.max_rounds = parse_uint(optarg, "-n", 1, 100000); break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 + NCAND)
		usage();
	if (o.max_rounds < o.min_rounds)
		o.max_rounds = o.min_rounds;

	for (i = 0; i < NCAND; i++) {
		cands[i].prog = argv[1 + i];
		if (access(cands[i].prog, X_OK) == -1)
			fatal("%s: %s", cands[i].prog, strerror(errno));
		snprintf(cands[i].tree, sizeof(cands[i].tree), "%s/%s", argv[0], tree_names[i]);
		cands[i].out = open_log(&cands[i], "stdout");
		cands[i].err = open_log(&cands[i], "stderr");
	}

	for (w = 0; w < NWORK; w++) {
		const struct workload *wl = &workloads[w];
		unsigned nr = wl->event != NULL ? 1 : 2;

		for (i = 0; i < nr; i++) {
			struct row *rw = &rows[nrows + i];
			unsigned c;

			rw->w = wl;
			rw->op = wl->event != NULL ? wl->event : i == 0 ? "prepare" : "release";
			rw->target = i == 0 ? wl->target : wl->target_release;
			for (c = 0; c < NCAND; c++) {
				rw->ms[c] = calloc(o.max_rounds, sizeof(double));
				if (rw->ms[c] == NULL)
					fatal("out of memory");
			}
		}
		measure(wl, &rows[nrows], &o);
		nrows += nr;
	}

	for (i = 0; i < NCAND; i++) {
		struct stat so, se;

		if (fstat(cands[i].out, &so) == -1 || fstat(cands[i].err, &se) == -1)
			fatal("fstat: %s", strerror(errno));
		o.stdout_bytes[i] = so.st_size;
		o.stderr_bytes[i] = se.st_size;
	}
	report(rows, nrows, &o, argv[0]);
	return 0;
}
