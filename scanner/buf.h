/* buf.h -- a growable byte buffer with a hard cap.
 *
 * Every buffer has a limit (curl's dynbuf idea): an append past it fails
 * with EXS_LIMIT instead of growing without bound, so a hostile input can
 * cost memory only up to a known size. After a failed append the buffer
 * remembers the failure (failed != 0), so a writer can append many pieces
 * and check once at the end.
 */
#ifndef EXS_BUF_H
#define EXS_BUF_H

#include <stddef.h>

#include "compiler.h"

struct exs_buf {
	char *data;     /* NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
	size_t limit;   /* largest len allowed */
	int failed;     /* EXS_OK, or the first failing status */
	int aligned;    /* data starts on an EXS_BUF_ALIGN boundary */
	size_t offset;  /* of data in its allocation (aligned buffers) */
};

#define EXS_BUF_ALIGN 64

void exs_buf_init(struct exs_buf *b, size_t limit);
/* A buffer whose data, and so every multiple of 64 into it, is 64-byte
 * aligned: file bytes are read into it. The kernel's copy into user memory
 * (rep movsb) runs at a third of its speed into a destination that is only
 * 16-byte aligned, which is what malloc gives a large block on glibc; on
 * this project's 2-core AMD test machine, reading the files of the default
 * tree cost 1.35 CPU s into such a buffer and 1.0 into an aligned one.
 * Its data is not malloc's: free it with exs_buf_free only. */
void exs_buf_init_aligned(struct exs_buf *b, size_t limit);
void exs_buf_free(struct exs_buf *b);
void exs_buf_reset(struct exs_buf *b); /* len = 0, failed = 0; keeps memory */
int exs_buf_reserve(struct exs_buf *b, size_t extra);
int exs_buf_append(struct exs_buf *b, const void *p, size_t n);
int exs_buf_puts(struct exs_buf *b, const char *s);
int exs_buf_putc(struct exs_buf *b, char c);
int exs_buf_printf(struct exs_buf *b, const char *fmt, ...)
	EXS_PRINTF(2, 3);

#endif
