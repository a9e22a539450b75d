/* What the benchmark driver (bench.c) hands its report (report.c). */

#ifndef BENCH_H
#define BENCH_H

#include <sys/types.h>

enum { FLOOR, VSERLINK, SHELL, NCAND };	/* the candidates, in the table's order */

struct workload {
	const char *label;	/* "4 links, peer up" */
	const char *config;	/* pairs.ini, relative to an input tree */
	const char *domain;	/* the guest whose events are timed */
	const char *event;	/* one operation timed alone ("reconnect"), or NULL: prepare + release */
	const char *setup;	/* a guest kept prepared during the workload, or NULL */
	unsigned links;		/* the guest's links (and the setup guest's) */
	double target;		/* highest vserlink/floor ratio for the first row, 0: none */
	double target_release;	/* the same for the release row */
};

struct row {
	const struct workload *w;
	const char *op;		/* "prepare", "release", or the event */
	double target;
	unsigned n;		/* runs per candidate */
	double *ms[NCAND];	/* each run's cost */
};

struct opts {
	const char *out;	/* file to write the report to, or NULL */
	const char *label;	/* what vserlink build this is, or NULL */
	unsigned budget_s;	/* seconds of rounds per workload */
	unsigned min_rounds, max_rounds;
	off_t stdout_bytes[NCAND], stderr_bytes[NCAND];
};

void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
/* CLOCK_MONOTONIC in milliseconds. */
double now_ms(void);
/*
 * Runs argv (argv[0] the program) with envp, stdin the file xml, stdout and
 * stderr to out and err (-1: inherited), as libvirt runs its hook; returns
 * the milliseconds from spawn to exit, with waitpid's *status (spawn.c).
 */
double spawn_timed(char *const argv[], char *const envp[], const char *xml, int out, int err,
    int *status);
void report(struct row *, unsigned, const struct opts *, const char *);

#endif
