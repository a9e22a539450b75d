/*
 * golden.h: a tiny TAP and golden-file harness for the unit tests.
 *
 * A golden test renders what a parser made of an input file and compares it
 * with NAME.expected beside it; UPDATE_GOLDEN=1 writes the files instead (to
 * be read and committed by a human).
 */
#ifndef VSERLINK_GOLDEN_H
#define VSERLINK_GOLDEN_H

#include <stdio.h>

/* Prints "ok N - what" or "not ok N - what"; returns cond. */
int	tap(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The exit status: 0 when nothing failed and something ran. */
int	tap_done(void);

typedef void (*golden_render)(const char *input, FILE *out);

/* Runs render on every DIR/\*SUFFIX and compares with DIR/NAME.expected. */
void	golden_dir(const char *dir, const char *suffix, golden_render render);

/* Reads a whole file; NULL on failure. */
char	*golden_slurp(const char *path, size_t *len);

#endif
