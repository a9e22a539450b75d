/*
 * fuzz_pairs: libFuzzer target for the pairs.ini parser (parser/pairs_ini.c,
 * with its line reader between the input and inih). It never reads
 * /etc/passwd: owner and group names are resolved by the config layer.
 *
 * Any input must end in a struct pairs, never a crash, a leak or undefined
 * behaviour. And what the hook acts on must be whole: a link that no error
 * broke has exactly two ends on two guests, and its name, guests and ports
 * all occur verbatim in the input, so that nothing inih truncated or split
 * (lines over 200 bytes, long section names) is ever used.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pairs.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_pairs: %s:%d: %s\n", __FILE__, __LINE__, #cond); abort(); } } while (0)

static int
occurs(const uint8_t *data, size_t size, const char *s)
{
	return memmem(data, size, s, strlen(s)) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pairs p;
	size_t i, j, lines = 1;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(&p, 0, sizeof(p));
	require(pairs_parse("fuzz.ini", (const char *)data, size, &p) == 0);
	require(p.settings.state_dir != NULL && p.settings.state_dir[0] == '/');
	require(p.settings.mode <= 0777);
	for (i = 0; i < p.nerrors; i++) {
		const struct config_error *e = &p.errors[i];

		require(e->message != NULL && e->message[0] != '\0');
		require(e->line <= lines);
		require(e->link < (long)p.nlinks && e->link2 < (long)p.nlinks);
		if (i > 0)
			require(p.errors[i - 1].line <= e->line);
	}
	for (i = 0; i < p.nlinks; i++) {
		const struct link *l = &p.links[i];

		for (j = 0; j < l->nends; j++) {
			(void)pairs_end_of(l, l->ends[j].domain, NULL);
			for (size_t k = 0; k < p.nerrors; k++)
				(void)pairs_error_concerns(&p, &p.errors[k], l->ends[j].domain);
		}
		if (l->broken)
			continue;
		require(l->nends == 2);
		require(strcmp(l->ends[0].domain, l->ends[1].domain) != 0);
		require(occurs(data, size, l->name));
		for (j = 0; j < 2; j++) {
			require(l->ends[j].domain[0] != '\0' && l->ends[j].port[0] != '\0');
			require(occurs(data, size, l->ends[j].domain));
			require(occurs(data, size, l->ends[j].port));
			require(pairs_mentions(&p, l->ends[j].domain));
		}
		require(pairs_backlog(&p, l) == BACKLOG_KEEP || pairs_backlog(&p, l) == BACKLOG_DISCARD);
	}
	pairs_free(&p);
	return 0;
}
