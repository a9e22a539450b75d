/*
 * test_caps: "virsh capabilities" -> the host's security models, pinned by
 * golden files (tests/golden/secmodel/NAME.xml -> NAME.expected): recorded
 * outputs of an SELinux, an AppArmor and a DAC-only host, and bad input.
 */
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "golden.h"

static void
render(const char *input, FILE *out)
{
	char err[256];
	unsigned models;
	size_t len;
	char *buf = golden_slurp(input, &len);

	if (caps_parse(buf, len, &models, err, sizeof(err)) < 0)
		fprintf(out, "error: %s\n", err);
	else
		fprintf(out, "selinux=%d apparmor=%d\n", (models & CAPS_SELINUX) != 0,
		    (models & CAPS_APPARMOR) != 0);
	free(buf);
}

int
main(void)
{
	const char *top = getenv("VSERLINK_TOP");
	char dir[4096];
	unsigned models = 7;
	char err[256];

	snprintf(dir, sizeof(dir), "%s/tests/golden/secmodel", top ? top : ".");
	golden_dir(dir, ".xml", render);
	tap(caps_parse("", 0, &models, err, sizeof(err)) < 0 && models == 0 &&
	    strcmp(err, "capabilities XML is empty") == 0, "empty output is an error");
	return tap_done();
}
