/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Shared by the libFuzzer targets: how a target says an invariant broke,
 * and the fuzzer's input as a stdio stream for the parsers that read one.
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() makes libFuzzer save the input as a crash, like a sanitizer would. */
#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz: %s:%d: invariant broken: %s: ", __FILE__, __LINE__, \
				#cond);                                                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The input as a read-only stream; fmemopen refuses an empty buffer. */
static inline FILE *fuzz_stream(const uint8_t *data, size_t size)
{
	static char empty[1];
	FILE *f = size ? fmemopen((void *)data, size, "r") : fmemopen(empty, 1, "r");

	FUZZ_CHECK(f, "fmemopen failed");
	if (!size)
		fgetc(f); /* at the end: reads as an empty file */
	return f;
}

/* A copy of the input with a NUL after it, for parsers of C strings. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_CHECK(s, "out of memory");
	for (size_t i = 0; i < size; i++)
		s[i] = (char)data[i];
	s[size] = '\0';
	return s;
}

#endif /* FUZZ_CHECK_H */
