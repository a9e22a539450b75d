/* hook.c: see hook.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "config.h"
#include "domain.h"
#include "hook.h"
#include "log.h"
#include "pairs.h"
#include "wire.h"

/* A domain XML with a thousand devices is about a megabyte. */
#define MAX_XML_SIZE	(64u << 20)
/*
 * libvirt writes the whole XML to the hook's stdin; a hook that leaves
 * without reading it makes that write fail. Read it to the end.
 */
static void
drain_stdin(void)
{
	char buf[65536];
	ssize_t r;

	if (isatty(STDIN_FILENO))
		return;
	while ((r = read(STDIN_FILENO, buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR))
		;
}

int
hook_read_xml(const char *domain, struct domain *xml)
{
	char err[256], *buf;
	size_t len;
	int rc;

	if (isatty(STDIN_FILENO)) {
		log_error("guest %s: expects the domain XML on stdin", domain);
		return -1;
	}
	if ((buf = read_all(STDIN_FILENO, MAX_XML_SIZE, &len)) == NULL) {
		log_error("guest %s: cannot read the domain XML from stdin: %s", domain,
		    strerror(errno));
		return -1;
	}
	rc = domain_parse(buf, len, xml, err, sizeof(err));
	free(buf);
	if (rc < 0) {
		log_error("guest %s: %s", domain, err);
		return -1;
	}
	if (xml->name != NULL && strcmp(xml->name, domain) != 0) {
		log_error("guest %s: the domain XML on stdin is guest %s's", domain, xml->name);
		domain_free(xml);
		return -1;
	}
	return 0;
}

/* Takes the steps of a plan that nothing refused (rc 0); frees the plan (or NULL) and p. */
static int
take(struct wiring *w, int rc, struct pairs *p)
{
	if (rc == 0)
		rc = wire_apply(w);
	wire_free(w);
	pairs_free(p);
	return rc;
}

static int
on_prepare(const char *config, const char *domain)
{
	struct wiring *w;
	struct pairs p;
	struct domain xml;
	size_t i;
	int rc;

	if ((rc = config_load(config, &p)) != 0 || !pairs_concerns(&p, domain)) {
		/* A pairs.ini that cannot be used at all (not a regular file, unreadable)
		 * names no guest we could fail; it is still worth a word at every start. */
		for (i = 0; rc == 0 && i < p.nerrors; i++)
			if (p.errors[i].line == 0)
				log_warning("%s: %s", p.path, p.errors[i].message);
		pairs_free(&p);
		drain_stdin();
		return rc < 0 ? 1 : 0;
	}
	if (hook_read_xml(domain, &xml) < 0)
		return take(NULL, 1, &p);
	rc = wire_plan_prepare(domain, &xml, &p, WIRE_ACT, &w);
	/* The XML is not needed to act: its paths are in the plan. */
	domain_free(&xml);
	return take(w, rc, &p);
}

static int
on_release(const char *config, const char *domain)
{
	struct wiring *w = NULL;
	struct pairs p;
	int rc;

	/* Only state_dir is taken from pairs.ini; a missing one means the default. */
	rc = config_load(config, &p) < 0 ? 1 : wire_plan_release(domain, &p, WIRE_ACT, &w);
	return take(w, rc, &p);
}

static int
on_migrate(const char *config, const char *domain)
{
	struct pairs p;
	size_t i, n;
	int rc = 0;

	n = config_load(config, &p) == 0 ? p.nlinks : 0;
	for (i = 0; i < n; i++)
		if (pairs_end_of(&p.links[i], domain, NULL)) {
			log_error("guest %s: link %s: a linked guest cannot migrate: its peer's FIFOs are on the host it comes from; shut it down there and start it here",
			    domain, p.links[i].name);
			rc = 1;
		}
	pairs_free(&p);
	return rc;
}

int
hook_event(const char *config, const char *domain, const char *op, const char *subop)
{
	if (strcmp(op, "prepare") == 0 && strcmp(subop, "begin") == 0)
		return on_prepare(config, domain);
	drain_stdin();
	if (strcmp(op, "release") == 0 && strcmp(subop, "end") == 0)
		return on_release(config, domain);
	if (strcmp(op, "migrate") == 0 && strcmp(subop, "begin") == 0)
		return on_migrate(config, domain);
	return 0;
}
