/*
 * test_caps: "virsh capabilities" -> the host's security models, pinned by
 * golden files (tests/golden/secmodel/NAME.xml -> NAME.expected): recorded
 * outputs of an SELinux, an AppArmor and a DAC-only host, and bad input.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
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

/*
 * libxml2 reports a failed encoding conversion without the parser's
 * context, to a handler that writes to stderr by default: the hook's
 * stderr must carry only its own lines, and the message must keep it.
 */
static void
test_quiet(void)
{
	static const char xml[] =
	    "<?xml version='1.0' encoding='UTF-32'?><capabilities/>";
	FILE *tmp = tmpfile();
	unsigned models;
	char err[256];
	int saved, rc;

	if (tmp == NULL || (saved = dup(2)) < 0 || dup2(fileno(tmp), 2) < 0) {
		tap(0, "stderr redirected");
		return;
	}
	rc = caps_parse(xml, sizeof(xml) - 1, &models, err, sizeof(err));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	tap(rc < 0 && strstr(err, "(input conversion failed") != NULL,
	    "an encoding error is refused with libxml2's reason");
	tap(ftell(tmp) == 0 && lseek(fileno(tmp), 0, SEEK_END) == 0,
	    "an encoding error writes nothing to stderr");
	fclose(tmp);
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
	test_quiet();
	return tap_done();
}
