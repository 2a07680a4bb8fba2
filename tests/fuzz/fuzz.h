/* fuzz.h -- what every libFuzzer harness in tests/fuzz/ shares.
 *
 * A harness defines LLVMFuzzerInitialize (once per process) and
 * LLVMFuzzerTestOneInput (once per input). Built with -Dfuzz=enabled, clang's
 * libFuzzer supplies main and mutates inputs; built without it, replay.c
 * supplies a main that runs the harness once over every file it is given,
 * which is how the test suite replays the seeds and the kept crashes.
 *
 * A harness checks more than "no crash": FUZZ_CHECK states a property the
 * code must have (the JSON parses, a dump loads again, the matcher agrees
 * with the reference) and aborts with FILE:LINE when it does not, which both
 * libFuzzer and the replay program treat as a finding.
 *
 * Every check is on. The harnesses once relaxed the checks that issue 12
 * items 1-7 cover while other branches fixed them (fuzz_strict, the
 * EXS_FUZZ_STRICT variable); those fixes are merged, the relaxations are
 * gone, and the inputs that showed each defect are in regressions/NAME/,
 * replayed by the suite. A harness relaxes nothing: a known bug that is not
 * fixed yet goes to pending/NAME/ (README there) and its relaxation is
 * named in the harness.
 */
#ifndef EXS_FUZZ_H
#define EXS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "compiler.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports a failed property and aborts (a finding). */
void fuzz_fail(const char *file, int line, const char *fmt, ...)
	EXS_PRINTF(3, 4);
#define FUZZ_CHECK(cond, ...)                                              \
	do {                                                               \
		if (!(cond))                                               \
			fuzz_fail(__FILE__, __LINE__, __VA_ARGS__);        \
	} while (0)

/* Reading structured values from the input: each call takes bytes from the
 * front and returns 0 (or an empty span) once the input is used up, so any
 * input is a valid one. */
struct fuzz_in {
	const uint8_t *p;
	size_t len;
};

unsigned fuzz_u8(struct fuzz_in *in);
uint32_t fuzz_u32(struct fuzz_in *in);
uint64_t fuzz_u64(struct fuzz_in *in);
/* A number from 0 to max, from one byte (two when max > 255). */
unsigned fuzz_range(struct fuzz_in *in, unsigned max);
/* A span of up to max bytes: its length comes from one byte. */
size_t fuzz_bytes(struct fuzz_in *in, size_t max, const uint8_t **out);
/* Like fuzz_bytes, copied into buf (cap > 0) with a NUL after it; NUL bytes
 * of the input become 'x' when no_nul is set. Returns the length. */
size_t fuzz_text(struct fuzz_in *in, char *buf, size_t cap, int no_nul);
/* The same, with every byte mapped into printable ASCII: for what the
 * program, not an attacker, writes (rule names, notes, messages). */
size_t fuzz_ascii(struct fuzz_in *in, char *buf, size_t cap);

/* An output buffer for report sinks and dumps: grows with realloc, aborts
 * when out of memory (the harness, not the code under test). */
struct fuzz_out {
	char *data;
	size_t len, cap;
};
int fuzz_out_write(void *ctx, const char *text, size_t len);
void fuzz_out_free(struct fuzz_out *o);

/* 1 when all of s is valid UTF-8 (an independent decoder, not escape.c's). */
int fuzz_utf8_valid(const uint8_t *s, size_t len);
/* Decodes one UTF-8 sequence at s; returns its length (0 if invalid) and
 * the code point in *cp. */
size_t fuzz_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp);

/* Standard base64 with padding, into a malloc'd NUL-terminated string. */
char *fuzz_base64(const uint8_t *s, size_t len);

#endif
