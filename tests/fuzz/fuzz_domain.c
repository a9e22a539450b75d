/*
 * fuzz_domain: libFuzzer target for the domain XML parser (parser/domain_xml.c).
 *
 * Any input must end in a parse or a one-line error, never a crash, a leak
 * or undefined behaviour; and a parse must hand over what the hook relies
 * on: every port named, typed and found again by domain_find_port.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_domain: %s:%d: %s\n", __FILE__, __LINE__, #cond); abort(); } } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct domain d;
	char err[256];
	size_t i, count;

	memset(err, 0, sizeof(err));
	if (domain_parse((const char *)data, size, &d, err, sizeof(err)) < 0) {
		require(err[0] != '\0' && strchr(err, '\n') == NULL);
		require(d.nports == 0 && d.ports == NULL);
		return 0;
	}
	for (i = 0; i < d.nports; i++) {
		const struct domain_port *p = &d.ports[i], *q;

		require(p->name != NULL && p->type != NULL);
		if (i > 0)
			require(strcmp(d.ports[i - 1].name, p->name) <= 0);
		q = domain_find_port(&d, p->name, &count);
		require(q != NULL && count >= 1 && strcmp(q->name, p->name) == 0);
		require(q <= p && p < q + count);
	}
	require(domain_find_port(&d, "", &count) == NULL || count > 0);
	domain_free(&d);
	return 0;
}
