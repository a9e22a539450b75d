/*
 * status.c: "vserlink status" (vserlink(8)). The state is read without the lock: each
 * file is replaced whole, so a reader sees one version of it or the next.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "cmd.h"
#include "config.h"
#include "fsops.h"
#include "state.h"

static const char usage[] =
    "usage: vserlink status [-c FILE]\n"
    "Shows every link, which of its ends are attached (prepared by the hook and\n"
    "not yet released), their pipe paths, and whether the FIFOs on disk are intact.\n"
    "Exits 1 when some wiring is broken.\n"
    "  -c FILE    read FILE instead of " CONFIG_DEFAULT " (or $" CONFIG_ENV ")\n";

/* One attached end's two FIFO names, as found on disk. */
struct names {
	struct stat	 st[2];
	int		 ok[2];		/* a FIFO of ours */
};

/* Looks at PATH.in and PATH.out of end e; writes a line to out for each problem. */
static int
inspect(struct state *s, const struct state_end *e, struct names *nm, FILE *out)
{
	char msg[PATH_MAX + 128], full[PATH_MAX + 8], name[NAME_MAX + 1];
	const char *path = e->path, *sfx;
	const struct state_end *owner;
	struct timespec birth;
	int dfd, k, ok, problems = 0;

	memset(nm, 0, sizeof(*nm));
	if ((dfd = fs_open_parent(path, msg, sizeof(msg))) < 0) {
		fprintf(out, "        %s\n", msg);
		return 1;
	}
	for (k = 0; k < 2; k++) {
		struct stat *st = &nm->st[k];

		sfx = fifo_suffix[k];
		snprintf(name, sizeof(name), "%s%s", strrchr(path, '/') + 1, sfx);
		snprintf(full, sizeof(full), "%s%s", path, sfx);
		if (state_is_pending(s, e->domain, full))
			fprintf(out, "        %s: left by a prepare that did not finish; the guest's next prepare or release clears it\n",
			    full);
		else if (fs_lstat_birth(dfd, name, st, &birth) < 0)
			fprintf(out, "        %s%s: %s\n", path, sfx,
			    errno == ENOENT ? "missing" : strerror(errno));
		else if (!S_ISFIFO(st->st_mode))
			fprintf(out, "        %s%s: %s, not a FIFO\n", path, sfx,
			    S_ISLNK(st->st_mode) ? "a symbolic link" :
			    S_ISREG(st->st_mode) ? "a regular file" :
			    S_ISDIR(st->st_mode) ? "a directory" : "something else");
		else if (state_end_has(e, k, st, &birth))
			nm->ok[k] = 1;
		else if ((owner = state_owner(s, st, &birth, &ok)) != NULL)
			fprintf(out, "        %s%s: is guest %s's FIFO %s%s of link %s, not this end's\n",
			    path, sfx, owner->domain, owner->path, fifo_suffix[ok], owner->link);
		else
			fprintf(out, "        %s%s: a FIFO vserlink did not create (replaced by hand?)\n",
			    path, sfx);
		problems += !nm->ok[k];
	}
	close(dfd);
	return problems;
}

/* Prints link l; returns nonzero when its wiring is broken. */
static int
show_link(struct state *s, const struct link *l)
{
	const struct state_end *att[2] = { NULL, NULL };
	struct names nm[2];
	char *body = NULL;
	size_t bodylen = 0, j;
	FILE *out;
	int broken = 0, k;

	if (l->nends != 2) {
		printf("link %s: not usable, pairs.ini has errors about it\n", l->name);
		return 0;
	}
	out = xchecked(open_memstream(&body, &bodylen));
	for (j = 0; j < 2; j++) {
		const struct link_end *e = &l->ends[j];

		if ((att[j] = state_find_end(s, l->name, e->domain)) == NULL) {
			fprintf(out, "    %s %s: not attached\n", e->domain, e->port);
			continue;
		}
		fprintf(out, "    %s %s: attached at %s\n", e->domain, e->port, att[j]->path);
		broken |= inspect(s, att[j], &nm[j], out) != 0;
	}
	/* Each end's .in must be the other's .out: one FIFO, two names. */
	for (k = 0; k < 2 && att[0] != NULL && att[1] != NULL; k++) {
		if (!nm[0].ok[k] || !nm[1].ok[1 - k] || fs_same(&nm[0].st[k], &nm[1].st[1 - k]))
			continue;
		fprintf(out, "        %s%s and %s%s are different FIFOs: what guest %s writes does not reach guest %s\n",
		    att[0]->path, fifo_suffix[k], att[1]->path, fifo_suffix[1 - k],
		    l->ends[1 - k].domain, l->ends[k].domain);
		broken = 1;
	}
	fclose(out);
	if (broken)
		printf("link %s: BROKEN\n", l->name);
	else if (att[0] != NULL && att[1] != NULL)
		printf("link %s: wired\n", l->name);
	else if (att[0] != NULL || att[1] != NULL)
		printf("link %s: waiting for guest %s\n", l->name, l->ends[att[0] != NULL].domain);
	else
		printf("link %s: not attached\n", l->name);
	fputs(body, stdout);
	free(body);
	return broken;
}

/* An end the hook attached whose link pairs.ini no longer has (until its release). */
static int
in_pairs(const struct pairs *p, const struct state_end *e)
{
	size_t i;

	for (i = 0; i < p->nlinks; i++)
		if (p->links[i].nends == 2 && strcmp(p->links[i].name, e->link) == 0 &&
		    pairs_end_of(&p->links[i], e->domain, NULL))
			return 1;
	return 0;
}

/* By guest, then link: the same report whatever order the files are read in. */
static int
cmp_end(const void *a, const void *b)
{
	const struct state_end *x = *(struct state_end *const *)a, *y = *(struct state_end *const *)b;
	int r = strcmp(x->domain, y->domain);

	return r != 0 ? r : strcmp(x->link, y->link);
}

static int
show(const struct pairs *p, struct state *s)
{
	struct state_end **ends;
	struct names nm;
	size_t i, n, shown = 0;
	int broken = 0;

	for (i = 0; i < p->nlinks; i++)
		broken |= show_link(s, &p->links[i]);
	n = state_ends(s, NULL, &ends);
	if (n > 0)
		qsort(ends, n, sizeof(*ends), cmp_end);
	for (i = 0; i < n; i++) {
		const struct state_end *e = ends[i];

		if (in_pairs(p, e))
			continue;
		if (shown++ == 0)
			printf("attached ends that %s no longer links (released when their guest stops):\n",
			    p->path);
		printf("    %s link %s: attached at %s\n", e->domain, e->link, e->path);
		broken |= inspect(s, e, &nm, stdout) != 0;
	}
	free(ends);
	if (p->nlinks == 0 && shown == 0)
		printf("%s has no links\n", p->path);
	return broken;
}

int
cmd_status(int argc, char **argv)
{
	char msg[PATH_MAX + 256];
	struct cmd_opts o;
	struct pairs p;
	struct state s;
	int rc;

	if ((rc = cmd_getopt(argc, argv, CMD_OPTS, usage, &o)) >= 0)
		return rc;
	if (optind != argc)
		return cmd_usage_error(argv[0], "takes no operands");

	if ((rc = config_load(o.config, &p)) < 0) {
		pairs_free(&p);
		return 1;
	}
	if (rc == 1)
		log_error("%s does not exist; showing what the hook attached before", o.config);
	else if (p.nerrors > 0)
		log_warning("%s has %zu error%s; see vserlink check", o.config, p.nerrors,
		    p.nerrors == 1 ? "" : "s");
	if ((rc = state_open(&s, p.settings.state_dir, 0, msg, sizeof(msg))) < 0 ||
	    (rc == 0 && (state_load(&s, msg, sizeof(msg)) < 0 ||
	    state_load_all(&s, msg, sizeof(msg)) < 0))) {
		log_error("%s", msg);
		rc = 1;
	} else {
		/* No state_dir (1): the hook never attached anything since boot. */
		rc = show(&p, &s) != 0;
	}
	state_close(&s);
	pairs_free(&p);
	return rc;
}
