/*
 * replay: runs a fuzz target's LLVMFuzzerTestOneInput over files, without
 * libFuzzer, so that make check (with any compiler, with or without
 * SANITIZE=1) replays the seed corpora and every input a fuzzer once
 * crashed on. Prints one TAP line per file.
 *
 *   replay_domain FILE...    replay_pairs FILE...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *buf = NULL;
		size_t len = 0, cap = 0, r;

		if (f == NULL) {
			printf("not ok %d - %s: cannot open\n", ++n, argv[i]);
			continue;
		}
		do {
			if (len == cap) {
				cap = cap ? cap * 2 : 65536;
				if ((buf = realloc(buf, cap)) == NULL)
					abort();
			}
			r = fread(buf + len, 1, cap - len, f);
			len += r;
		} while (r > 0);
		fclose(f);
		/* An exact-size copy, so that a read past the end is caught. */
		{
			uint8_t *exact = malloc(len ? len : 1);

			if (exact == NULL)
				abort();
			memcpy(exact, buf, len);
			free(buf);
			LLVMFuzzerTestOneInput(exact, len);
			free(exact);
		}
		printf("ok %d - %s\n", ++n, argv[i]);
		fflush(stdout);
	}
	return 0;
}
