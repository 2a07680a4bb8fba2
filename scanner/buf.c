/* buf.c -- growable byte buffer with a hard cap (see buf.h). */
#include "buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

void exs_buf_init(struct exs_buf *b, size_t limit)
{
	memset(b, 0, sizeof(*b));
	b->limit = limit;
}

void exs_buf_init_aligned(struct exs_buf *b, size_t limit)
{
	exs_buf_init(b, limit);
	b->aligned = 1;
}

void exs_buf_free(struct exs_buf *b)
{
	if (b->data)
		free(b->data - b->offset);
	b->data = NULL;
	b->len = b->cap = 0;
	b->offset = 0;
	b->failed = EXS_OK;
}

/* Moves an aligned buffer to a block of cap bytes: realloc keeps no
 * alignment, so this is a new block and a copy (of len + 1 bytes; growth
 * doubles, so each byte is copied about once). An empty buffer's old block
 * is freed first, so that a worker's buffer, reset and reserved for the
 * next file, never holds two large blocks at once. */
static int grow_aligned(struct exs_buf *b, size_t cap)
{
	if (cap > (size_t)-1 - EXS_BUF_ALIGN)
		return EXS_NOMEM;
	if (b->data && !b->len) {
		free(b->data - b->offset);
		b->data = NULL;
		b->offset = b->cap = 0;
	}
	char *raw = malloc(cap + EXS_BUF_ALIGN - 1);
	if (!raw)
		return EXS_NOMEM;
	size_t offset = (EXS_BUF_ALIGN - (size_t)((uintptr_t)raw % EXS_BUF_ALIGN)) %
			EXS_BUF_ALIGN;
	char *data = raw + offset;
	if (b->data) {
		if (b->len)
			memcpy(data, b->data, b->len + 1);
		free(b->data - b->offset);
	}
	data[0] = b->len ? data[0] : '\0';
	b->data = data;
	b->offset = offset;
	b->cap = cap;
	return EXS_OK;
}

void exs_buf_reset(struct exs_buf *b)
{
	b->len = 0;
	b->failed = EXS_OK;
	if (b->data)
		b->data[0] = '\0';
}

int exs_buf_reserve(struct exs_buf *b, size_t extra)
{
	if (b->failed)
		return b->failed;
	if (extra > b->limit || b->len > b->limit - extra)
		return b->failed = EXS_LIMIT;
	size_t need = b->len + extra + 1; /* room for the NUL */
	if (need <= b->cap)
		return EXS_OK;
	/* Doubling, so appends cost amortised O(1); but a reservation of more
	 * than twice the capacity (a file's size, known in advance) gets
	 * exactly what it asks for, not the next power of two, which for an
	 * 8 MiB file would be 16 MiB. */
	size_t cap = b->cap ? b->cap : 256;
	if (cap <= ((size_t)-1) / 2 && need > cap * 2)
		cap = need;
	while (cap < need)
		cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
	if (b->aligned) {
		int rc = grow_aligned(b, cap);
		return rc ? (b->failed = rc) : EXS_OK;
	}
	char *p = realloc(b->data, cap);
	if (!p)
		return b->failed = EXS_NOMEM;
	b->data = p;
	b->cap = cap;
	return EXS_OK;
}

int exs_buf_append(struct exs_buf *b, const void *p, size_t n)
{
	int rc = exs_buf_reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return EXS_OK;
}

int exs_buf_puts(struct exs_buf *b, const char *s)
{
	return exs_buf_append(b, s, strlen(s));
}

int exs_buf_putc(struct exs_buf *b, char c)
{
	return exs_buf_append(b, &c, 1);
}

int exs_buf_printf(struct exs_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return b->failed = EXS_INTERNAL;
	if ((size_t)n < sizeof(small))
		return exs_buf_append(b, small, (size_t)n);
	int rc = exs_buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return EXS_OK;
}
