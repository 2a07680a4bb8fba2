/* gate.c -- the marker pre-pass (see gate.h).
 *
 * Each marker is found by memchr on its first byte (both cases), then
 * checked in place at the strides of the encodings ASP and ASP.NET read: 1
 * (single-byte text), 2 (UTF-16) and 4 (UTF-32). The check at stride 2 and
 * 4 ignores the bytes between the characters, which makes the gate looser
 * than the rule it stands in for (ExSweep_Server_Code wants the zero bytes
 * too), never tighter: the gate may pass a file the rule then refuses, but
 * it never refuses one the rule would pass. The same holds for each marker
 * below against its YARA string.
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

static int find_angle(const unsigned char *p, const unsigned char *end)
{
	/* A text file in any ASCII-compatible code page has no NUL byte. */
	size_t head = (size_t)(end - p) < EXS_GATE_TEXT_HEAD ? (size_t)(end - p)
							     : EXS_GATE_TEXT_HEAD;
	int text = memchr(p, 0, head) == NULL;
	for (const unsigned char *q = p;
	     q < end && (q = memchr(q, '<', (size_t)(end - q))) != NULL; q++)
		if (angle_at(q, end, text))
			return 1;
	for (const unsigned char *q = p;
	     q < end && (q = memchr(q, '+', (size_t)(end - q))) != NULL; q++)
		if ((size_t)(end - q) >= 4 && memcmp(q + 1, "ADw", 3) == 0)
			return 1;
	return 0;
}

/* Whether the lower-case word w (wl > 1 bytes) stands at q with stride s,
 * whatever the bytes between its characters. */
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

static int find_word(const unsigned char *p, const unsigned char *end,
		     const char *w)
{
	size_t wl = strlen(w);
	unsigned char first[2] = { (unsigned char)w[0], (unsigned char)w[0] };
	if (first[0] >= 'a' && first[0] <= 'z')
		first[1] = (unsigned char)(first[0] - 32);
	for (int k = 0; k < (first[1] != first[0] ? 2 : 1); k++) {
		for (const unsigned char *q = p;
		     q < end && (q = memchr(q, first[k], (size_t)(end - q))) != NULL;
		     q++) {
			if (word_at(q, end, w, wl, 1) || word_at(q, end, w, wl, 2) ||
			    word_at(q, end, w, wl, 4))
				return 1;
		}
	}
	return 0;
}

static int is_pe(const unsigned char *p, size_t n)
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

unsigned exs_gate_scan(const unsigned char *p, size_t n)
{
	unsigned flags = 0;
	if (!p || !n)
		return 0;
	const unsigned char *end = p + n;
	if (is_pe(p, n))
		flags |= EXS_GATE_PE;
	if (find_angle(p, end) || find_word(p, end, "runat") ||
	    find_word(p, end, "system.web") || find_word(p, end, ".config\""))
		flags |= EXS_GATE_SCRIPT;
	return flags;
}
