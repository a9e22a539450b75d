/*
 * busy DIR VSERLINK [ROUNDS]: what 1,000 running linked guests cost a guest's start and stop.
 *
 * Two hosts side by side in DIR, with one pairs.ini each that differ only in state_dir: 1,000
 * guests in 500 pairs with 4 links each (2,000 links), and guesta <-> guestb with 4 links.
 * On the busy host the 1,000 guests are started first (vserlink's prepare for each, FIFOs and
 * state as a running host has them); on the empty host none is. Then, round after round, in an
 * order that alternates, guesta's prepare and release run on each host, timed from spawn to exit
 * as libvirt runs its hook. Prints the medians and the ratio busy/empty as a table row, and
 * PASS or FAIL against the target: an event's cost must not grow with links that are not its own.
 */
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

#define PAIRS	500
#define LINKS	4
#define TARGET	1.3

static const char *dir, *prog;

static void
die(const char *what)
{
	fatal("%s: %s", what, strerror(errno));
}

static FILE *
create(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		die(path);
	return f;
}

/* HOST/xml/G.xml: a guest with a pipe channel p0..p3 for each of its links (named prefix-j). */
static void
write_xml(const char *host, const char *g, const char *prefix)
{
	char path[4096];
	FILE *f;
	int j;

	snprintf(path, sizeof(path), "%s/%s/fifo/%s", dir, host, g);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die(path);
	snprintf(path, sizeof(path), "%s/%s/xml/%s.xml", dir, host, g);
	f = create(path);
	fprintf(f, "<domain type='kvm'>\n  <name>%s</name>\n  <devices>\n", g);
	for (j = 0; j < LINKS; j++)
		fprintf(f, "    <channel type='pipe'>\n      <source path='%s/%s/fifo/%s/%s-%d'/>\n"
		    "      <target type='virtio' name='p%d'/>\n    </channel>\n", dir, host, g, prefix, j, j);
	fprintf(f, "  </devices>\n</domain>\n");
	fclose(f);
}

static void
write_host(const char *host)
{
	char path[4096], g0[32], g1[32], prefix[32];
	FILE *f;
	int i, j;

	snprintf(path, sizeof(path), "%s/%s", dir, host);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/fifo", dir, host);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/xml", dir, host);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/pairs.ini", dir, host);
	f = create(path);
	fprintf(f, "[vserlink]\nstate_dir = %s/%s/state\n", dir, host);
	for (i = 0; i <= PAIRS; i++) {
		snprintf(g0, sizeof(g0), i < PAIRS ? "g%d" : "guesta", 2 * i);
		snprintf(g1, sizeof(g1), i < PAIRS ? "g%d" : "guestb", 2 * i + 1);
		snprintf(prefix, sizeof(prefix), i < PAIRS ? "l%d" : "probe", i);
		for (j = 0; j < LINKS; j++)
			fprintf(f, "[%s-%d]\n%s = p%d\n%s = p%d\n", prefix, j, g0, j, g1, j);
		write_xml(host, g0, prefix);
		write_xml(host, g1, prefix);
	}
	fclose(f);
	chmod(path, 0644);
}

/* One event as libvirt runs the hook; its cost in milliseconds. */
static double
run(const char *host, const char *g, const char *op)
{
	char config[4200], xml[4200], gb[32], opb[16], sub[8], hook[] = "hook", extra[] = "-";
	char *argv[] = { (char *)prog, hook, gb, opb, sub, extra, NULL };
	char *envp[] = { config, NULL };
	double ms;
	int status;

	snprintf(config, sizeof(config), "VSERLINK_CONFIG=%s/%s/pairs.ini", dir, host);
	snprintf(xml, sizeof(xml), "%s/%s/xml/%s.xml", dir, host, g);
	snprintf(gb, sizeof(gb), "%s", g);
	snprintf(opb, sizeof(opb), "%s", op);
	snprintf(sub, sizeof(sub), "%s", strcmp(op, "release") == 0 ? "end" : "begin");
	ms = spawn_timed(argv, envp, xml, -1, -1, &status);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "busy: %s %s on the %s host failed\n", g, op, host);
		exit(1);
	}
	return ms;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
	static const char *const hosts[2] = { "empty", "busy" };
	unsigned rounds = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 101, r, h, i;
	double *ms[2], med[2];
	char g[32], path[4096];
	struct stat st;

	if (argc < 3 || rounds == 0)
		return fprintf(stderr, "usage: busy DIR VSERLINK [ROUNDS]\n"), 1;
	dir = argv[1];
	prog = argv[2];
	write_host(hosts[0]);
	write_host(hosts[1]);
	for (i = 0; i < 2 * PAIRS; i++) {
		snprintf(g, sizeof(g), "g%u", i);
		run(hosts[1], g, "prepare");
	}
	for (h = 0; h < 2; h++)
		if ((ms[h] = calloc(rounds, sizeof(double))) == NULL)
			die("calloc");
	run(hosts[0], "guesta", "prepare"), run(hosts[0], "guesta", "release");
	run(hosts[1], "guesta", "prepare"), run(hosts[1], "guesta", "release");
	for (r = 0; r < rounds; r++)
		for (i = 0; i < 2; i++) {
			h = (i + r) % 2;
			ms[h][r] = run(hosts[h], "guesta", "prepare") + run(hosts[h], "guesta", "release");
		}
	/* The busy host really is busy: every FIFO of its 1,000 guests is there. */
	snprintf(path, sizeof(path), "%s/busy/fifo/g999/l499-3.in", dir);
	if (stat(path, &st) < 0 || !S_ISFIFO(st.st_mode))
		die(path);
	for (h = 0; h < 2; h++)
		med[h] = median(ms[h], rounds);
	printf("| 4 links on a host with 1,000 linked guests running (2,000 links): prepare + release (%u runs) | %.3g ms | %.3g ms | %.2f× |\n",
	    rounds, med[0], med[1], med[1] / med[0]);
	printf("%s  4 links, prepare + release on a host with 1,000 linked guests at most %.1f× the same on an empty host: %.2f×\n",
	    med[1] / med[0] <= TARGET ? "PASS" : "FAIL", TARGET, med[1] / med[0]);
	return 0;
}
