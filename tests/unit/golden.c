/* golden.c: see golden.h. */
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"

static int tap_count, tap_failed;

int
tap(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	return cond;
}

int
tap_done(void)
{
	return tap_failed == 0 && tap_count > 0 ? 0 : 1;
}

char *
golden_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap + 1);
			if (buf == NULL)
				abort();
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
golden_dir(const char *dir, const char *suffix, golden_render render)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i, sl = strlen(suffix);
	int update = getenv("UPDATE_GOLDEN") != NULL;

	if (d == NULL) {
		tap(0, "golden directory %s exists", dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l > sl && strcmp(e->d_name + l - sl, suffix) == 0) {
			names = realloc(names, (n + 1) * sizeof(*names));
			names[n++] = strdup(e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		char input[4096], expected[4096];
		char *got = NULL, *want;
		size_t gotlen = 0, wantlen = 0;
		FILE *out = open_memstream(&got, &gotlen);

		snprintf(input, sizeof(input), "%s/%s", dir, names[i]);
		snprintf(expected, sizeof(expected), "%s/%.*s.expected", dir,
		    (int)(strlen(names[i]) - sl), names[i]);
		render(input, out);
		fclose(out);
		if (update) {
			FILE *f = fopen(expected, "w");

			fwrite(got, 1, gotlen, f);
			fclose(f);
		}
		want = golden_slurp(expected, &wantlen);
		if (!tap(want != NULL && wantlen == gotlen && memcmp(want, got, gotlen) == 0,
		    "%s gives %s", names[i], strrchr(expected, '/') + 1)) {
			printf("# got:\n");
			fwrite(got, 1, gotlen, stdout);
			printf("# expected:\n%s", want ? want : "(no file)\n");
		}
		free(want);
		free(got);
		free(names[i]);
	}
	free(names);
	tap(n > 0, "%s holds golden files", dir);
}
