/*
 * test_domain: domain XML -> struct domain, pinned by golden files
 * (tests/golden/domain/NAME.xml -> NAME.expected), errors included.
 */
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "golden.h"

static void
render(const char *input, FILE *out)
{
	struct domain d;
	char err[256];
	size_t i, len;
	char *buf = golden_slurp(input, &len);

	if (domain_parse(buf, len, &d, err, sizeof(err)) < 0) {
		fprintf(out, "error: %s\n", err);
		free(buf);
		return;
	}
	free(buf);
	fprintf(out, "name %s selinux=%s%s dac_user=%d\n", d.name ? d.name : "(none)",
	    d.selinux_label ? d.selinux_label : "-",
	    d.selinux_relabel_off ? " relabel=no" : "", d.dac_user_set);
	for (i = 0; i < d.nports; i++)
		fprintf(out, "port %s type=%s path=%s line=%u%s%s%s\n", d.ports[i].name,
		    d.ports[i].type, d.ports[i].path ? d.ports[i].path : "-",
		    d.ports[i].line, d.ports[i].selinux_relabel_off ? " relabel=no" : "",
		    d.ports[i].selinux_label ? " label=" : "",
		    d.ports[i].selinux_label ? d.ports[i].selinux_label : "");
	domain_free(&d);
}

static void
test_find(void)
{
	static const char xml[] =
	    "<domain><name>g</name><devices>"
	    "<channel type='pipe'><source path='/a'/><target type='virtio' name='x'/></channel>"
	    "<channel type='pipe'><source path='/b'/><target type='virtio' name='x'/></channel>"
	    "<serial type='pipe'><source path='/c'/><target port='3'/></serial>"
	    "</devices></domain>";
	struct domain d;
	char err[256];
	size_t count = 0;

	tap(domain_parse(xml, sizeof(xml) - 1, &d, err, sizeof(err)) == 0, "parses");
	tap(domain_find_port(&d, "x", &count) != NULL && count == 2,
	    "domain_find_port counts duplicate names");
	tap(domain_find_port(&d, "serial3", &count) != NULL && count == 1,
	    "serials are named by target port");
	tap(domain_find_port(&d, "serial0", &count) == NULL && count == 0,
	    "a missing port is NULL");
	domain_free(&d);
}

int
main(void)
{
	const char *top = getenv("VSERLINK_TOP");
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/tests/golden/domain", top ? top : ".");
	golden_dir(dir, ".xml", render);
	test_find();
	return tap_done();
}
