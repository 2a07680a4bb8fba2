/* gate.c -- the marker pre-pass (see gate.h).
 *
 * One pass over the bytes: a packed-pair filter (SSE2 where the compiler
 * has it, 16 positions per step; a byte-at-a-time loop elsewhere) finds the
 * positions where a marker could start, and marker_at checks each in place
 * at the strides of the encodings ASP and ASP.NET read: 1 (single-byte
 * text), 2 (UTF-16) and 4 (UTF-32; .NET reads a page with a UTF-32 byte
 * order mark, and the code analysis decodes it). The check at stride 2 and 4
 * ignores the bytes
 * between the characters, which makes the gate looser than the rule it
 * stands in for (whose `wide` strings want the zero bytes too), never
 * tighter: the gate may pass a file the rule then refuses, but it never
 * refuses one the rule would pass. The same holds for each marker below
 * against its YARA string.
 */
#include "gate.h"

#include <stdint.h>
#include <string.h>

const char *const exs_gate_markers[] = {
	"<%@ (a directive)",
	"<% followed by 8 characters of text (printable ASCII, tab, CR, LF or "
	"UTF-8 sequences)",
	"<% anywhere in a text file (no NUL byte in its first 4 KiB)",
	"<% in UTF-16 or UTF-32 (LE or BE)",
	"+ADw (UTF-7's '<' at the start of a shifted run)",
	"runat (any case; single-byte, UTF-16 or UTF-32)",
	"System.Web (any case; single-byte, UTF-16 or UTF-32)",
	".config\" (any case; single-byte, UTF-16 or UTF-32)",
	NULL,
};

static unsigned char lc(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Whether need characters of text follow at p: printable ASCII, tab, CR,
 * LF, or a UTF-8 sequence (lead byte C2..F4 and its continuation bytes),
 * exactly as ExSweep_Server_Code's $blk. */
static int text_follows(const unsigned char *p, const unsigned char *end,
			unsigned need)
{
	for (; need; need--) {
		if (p >= end)
			return 0;
		unsigned c = *p;
		size_t k;
		if (c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E))
			k = 1;
		else if (c >= 0xC2 && c <= 0xDF)
			k = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			k = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			k = 4;
		else
			return 0;
		if ((size_t)(end - p) < k)
			return 0;
		for (size_t i = 1; i < k; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		p += k;
	}
	return 1;
}

/* The markers that start with '<' (and UTF-7's '+'). */
static int angle_at(const unsigned char *q, const unsigned char *end,
		    int text)
{
	size_t left = (size_t)(end - q);
	if (left >= 2 && q[1] == '%') {
		if (text)
			return 1;
		if (left >= 3 && q[2] == '@')
			return 1;
		if (text_follows(q + 2, end, 8))
			return 1;
	}
	/* UTF-16 LE or BE: 3C 00 25 (00 3C 00 25 ends the same way). */
	if (left >= 3 && q[1] == 0 && q[2] == '%')
		return 1;
	/* UTF-32 LE or BE. */
	if (left >= 5 && q[1] == 0 && q[2] == 0 && q[3] == 0 && q[4] == '%')
		return 1;
	return 0;
}

/* Whether the lower-case word w (wl > 1 bytes, w[0] already checked) stands
 * at q with stride s, whatever the bytes between its characters. */
static int word_at(const unsigned char *q, const unsigned char *end,
		   const char *w, size_t wl, size_t s)
{
	if ((size_t)(end - q - 1) / s < wl - 1)
		return 0;
	for (size_t i = 1; i < wl; i++)
		if (lc(q[i * s]) != (unsigned char)w[i])
			return 0;
	return 1;
}

/* Whether a marker starts at q. text: the file is text (no NUL byte in its
 * head), in which "<%" alone is a marker. The words at stride 1, 2 and 4:
 * ExSweep_Server_Code's `wide` strings are UTF-16 only, but the code
 * analysis, which the gate also spares, reads UTF-32 pages too. */
static int marker_at(const unsigned char *q, const unsigned char *end,
		     int text)
{
	switch (*q) {
	case '<':
		return angle_at(q, end, text);
	case '+':
		return (size_t)(end - q) >= 4 && memcmp(q + 1, "ADw", 3) == 0;
	case 'r': case 'R':
		return word_at(q, end, "runat", 5, 1) ||
		       word_at(q, end, "runat", 5, 2) ||
		       word_at(q, end, "runat", 5, 4);
	case 's': case 'S':
		return word_at(q, end, "system.web", 10, 1) ||
		       word_at(q, end, "system.web", 10, 2) ||
		       word_at(q, end, "system.web", 10, 4);
	case '.':
		return word_at(q, end, ".config\"", 8, 1) ||
		       word_at(q, end, ".config\"", 8, 2) ||
		       word_at(q, end, ".config\"", 8, 4);
	default:
		return 0;
	}
}

/* The bytes a marker can start with (marker_at's cases). */
static int marker_first(unsigned char c)
{
	return c == '<' || c == '+' || c == '.' || (c | 0x20) == 'r' ||
	       (c | 0x20) == 's';
}

static int scalar_find(const unsigned char *q, const unsigned char *end,
		       int text)
{
	for (; q < end; q++)
		if (marker_first(*q) && marker_at(q, end, text))
			return 1;
	return 0;
}

#if defined(__SSE2__) && !defined(EXS_GATE_NO_SIMD)
#include <emmintrin.h>

/* The loads reach FAR bytes past a block's first: the farthest second
 * anchor below ('"' of .config" in UTF-32, 28) plus a block of 16. */
#define FAR 44

#define AT(k) _mm_loadu_si128((const __m128i *)(const void *)(q + (k)))
#define EQ(v, c) _mm_cmpeq_epi8((v), _mm_set1_epi8((char)(c)))
/* A letter in either case: c | 0x20 is the lower case of exactly the two
 * spellings of an ASCII letter. */
#define EQI(v, c) EQ(_mm_or_si128((v), _mm_set1_epi8(0x20)), (c))

/* A packed-pair filter (the technique of memchr-class multi-needle
 * searches): a position is a candidate when the first byte of a marker
 * stands there and the byte of the same marker k further on does too, for
 * each marker and stride; 16 positions at a time. Only candidates reach
 * marker_at, which decides. Every marker_at hit is one of these pairs, so
 * nothing is missed: "<%" (% at 1, 2 or 4 for UTF-8, -16, -32), "+A",
 * r..t of runat (4, 8, 16), s..."." of system.web (6, 12, 24), "." and '"'
 * of .config" (7, 14, 28). */
static int find_script(const unsigned char *p, const unsigned char *end,
		       int text)
{
	const unsigned char *q = p;
	for (; end - q >= FAR; q += 16) {
		__m128i v0 = AT(0);
		__m128i lt = EQ(v0, '<');
		__m128i c = _mm_and_si128(lt, _mm_or_si128(
			_mm_or_si128(EQ(AT(1), '%'), EQ(AT(2), '%')), EQ(AT(4), '%')));
		c = _mm_or_si128(c, _mm_and_si128(EQ(v0, '+'), EQ(AT(1), 'A')));
		__m128i t = _mm_or_si128(_mm_or_si128(EQI(AT(4), 't'), EQI(AT(8), 't')),
					 EQI(AT(16), 't'));
		c = _mm_or_si128(c, _mm_and_si128(EQI(v0, 'r'), t));
		__m128i d = _mm_or_si128(_mm_or_si128(EQ(AT(6), '.'), EQ(AT(12), '.')),
					 EQ(AT(24), '.'));
		c = _mm_or_si128(c, _mm_and_si128(EQI(v0, 's'), d));
		__m128i dq = _mm_or_si128(_mm_or_si128(EQ(AT(7), '"'), EQ(AT(14), '"')),
					  EQ(AT(28), '"'));
		c = _mm_or_si128(c, _mm_and_si128(EQ(v0, '.'), dq));
		unsigned m = (unsigned)_mm_movemask_epi8(c);
		while (m) {
			unsigned b = (unsigned)__builtin_ctz(m);
			if (marker_at(q + b, end, text))
				return 1;
			m &= m - 1;
		}
	}
	return scalar_find(q, end, text);
}
#undef AT
#undef EQ
#undef EQI
#else
static int find_script(const unsigned char *p, const unsigned char *end,
		       int text)
{
	return scalar_find(p, end, text);
}
#endif

int exs_gate_is_pe(const unsigned char *p, size_t n)
{
	if (n < 0x40 || p[0] != 'M' || p[1] != 'Z')
		return 0;
	uint32_t e = (uint32_t)p[0x3C] | (uint32_t)p[0x3D] << 8 |
		     (uint32_t)p[0x3E] << 16 | (uint32_t)p[0x3F] << 24;
	return e < n && n - e >= 4 && memcmp(p + e, "PE\0\0", 4) == 0;
}

/* Lower case, without the dot. Keep in step with server_code.yar's
 * $ext condition (tests/unit/test_gate.c compares them). */
const char *const exs_gate_server_extensions[] = {
	"asa", "asax", "ascx", "ashx", "asmx", "asp", "aspx", "axd", "cdx",
	"cer", "cs", "cshtml", "inc", "master", "skin", "svc", "vb", "vbhtml",
	NULL,
};

int exs_gate_server_extension(const char *extension)
{
	if (!extension || extension[0] != '.')
		return 0;
	const char *e = extension + 1;
	for (size_t i = 0; exs_gate_server_extensions[i]; i++) {
		const char *k = exs_gate_server_extensions[i];
		size_t j = 0;
		while (k[j] && e[j] && lc((unsigned char)e[j]) == (unsigned char)k[j])
			j++;
		if (!k[j] && !e[j])
			return 1;
	}
	return 0;
}

static unsigned gate_scan(const unsigned char *p, size_t n, int simd)
{
	unsigned flags = 0;
	if (!p || !n)
		return 0;
	const unsigned char *end = p + n;
	if (exs_gate_is_pe(p, n))
		flags |= EXS_GATE_PE;
	/* A text file in any ASCII-compatible code page has no NUL byte. */
	size_t head = n < EXS_GATE_TEXT_HEAD ? n : EXS_GATE_TEXT_HEAD;
	int text = memchr(p, 0, head) == NULL;
	if (simd ? find_script(p, end, text) : scalar_find(p, end, text))
		flags |= EXS_GATE_SCRIPT;
	return flags;
}

unsigned exs_gate_scan(const unsigned char *p, size_t n)
{
	return gate_scan(p, n, 1);
}

unsigned exs_gate_scan_scalar(const unsigned char *p, size_t n)
{
	return gate_scan(p, n, 0);
}
