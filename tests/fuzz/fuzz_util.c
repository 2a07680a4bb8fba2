/* fuzz_util.c -- the helpers of fuzz.h: input readers, an output buffer,
 * an independent UTF-8 decoder and base64 encoder, the failure report.
 *
 * These are written apart from scanner/escape.c on purpose: a harness that
 * checked the writers with the writers' own helpers would agree with any
 * bug in them.
 */
#include "fuzz.h"

#include <stdarg.h>
#include <string.h>

void fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	abort();
}

/* ---- Input ---------------------------------------------------------------- */

unsigned fuzz_u8(struct fuzz_in *in)
{
	if (!in->len)
		return 0;
	in->len--;
	return *in->p++;
}

uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 8 | fuzz_u8(in);
	return v;
}

uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | fuzz_u8(in);
	return v;
}

unsigned fuzz_range(struct fuzz_in *in, unsigned max)
{
	unsigned v = fuzz_u8(in);
	if (max > 255)
		v = v << 8 | fuzz_u8(in);
	return max == 0xFFFFFFFFu ? v : v % (max + 1);
}

size_t fuzz_bytes(struct fuzz_in *in, size_t max, const uint8_t **out)
{
	size_t n = fuzz_u8(in);
	if (n > max)
		n = max;
	if (n > in->len)
		n = in->len;
	*out = in->p;
	in->p += n;
	in->len -= n;
	return n;
}

size_t fuzz_text(struct fuzz_in *in, char *buf, size_t cap, int no_nul)
{
	const uint8_t *p;
	size_t n = fuzz_bytes(in, cap - 1, &p);
	memcpy(buf, p, n);
	buf[n] = '\0';
	for (size_t i = 0; no_nul && i < n; i++)
		if (!buf[i])
			buf[i] = 'x';
	return n;
}

size_t fuzz_ascii(struct fuzz_in *in, char *buf, size_t cap)
{
	size_t n = fuzz_text(in, buf, cap, 0);
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(' ' + (unsigned char)buf[i] % 95);
	return n;
}

/* ---- Output --------------------------------------------------------------- */

int fuzz_out_write(void *ctx, const char *text, size_t len)
{
	struct fuzz_out *o = ctx;
	if (o->len + len + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		while (cap < o->len + len + 1)
			cap *= 2;
		char *grown = realloc(o->data, cap);
		FUZZ_CHECK(grown, "harness out of memory (%zu bytes)", cap);
		o->data = grown;
		o->cap = cap;
	}
	memcpy(o->data + o->len, text, len);
	o->len += len;
	o->data[o->len] = '\0';
	return 0;
}

void fuzz_out_free(struct fuzz_out *o)
{
	free(o->data);
	memset(o, 0, sizeof(*o));
}

/* ---- UTF-8 and base64 ----------------------------------------------------- */

size_t fuzz_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp)
{
	static const uint32_t min_for_len[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n;
	uint32_t v;
	if (!len)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		v = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		v = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	if (v < min_for_len[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

int fuzz_utf8_valid(const uint8_t *s, size_t len)
{
	uint32_t cp;
	for (size_t i = 0; i < len;) {
		size_t n = fuzz_utf8_decode(s + i, len - i, &cp);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

char *fuzz_base64(const uint8_t *s, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";
	char *out = malloc((len + 2) / 3 * 4 + 1);
	FUZZ_CHECK(out, "harness out of memory");
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		size_t have = len - i;
		if (have > 1)
			v |= (uint32_t)s[i + 1] << 8;
		if (have > 2)
			v |= s[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = have > 1 ? alphabet[v >> 6 & 63] : '=';
		out[o++] = have > 2 ? alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}
