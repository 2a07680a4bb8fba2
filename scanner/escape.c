/* escape.c -- JSON, base64 and terminal renderings of bytes (see escape.h). */
#include "escape.h"

#include <string.h>

size_t exs_utf8_sequence(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned long cp;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0; /* continuation byte, C0/C1 overlong lead, F5..FF */
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

int exs_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t n = exs_utf8_sequence(p + i, len - i);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

int exs_json_string(struct exs_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	int replaced = 0;
	exs_buf_putc(b, '"');
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		if (c >= 0x80) {
			size_t n = exs_utf8_sequence(p + i, len - i);
			if (n) {
				exs_buf_append(b, p + i, n);
				i += n;
			} else {
				exs_buf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD */
				replaced = 1;
				i++;
			}
			continue;
		}
		switch (c) {
		case '"': exs_buf_puts(b, "\\\""); break;
		case '\\': exs_buf_puts(b, "\\\\"); break;
		case '\n': exs_buf_puts(b, "\\n"); break;
		case '\r': exs_buf_puts(b, "\\r"); break;
		case '\t': exs_buf_puts(b, "\\t"); break;
		case '\b': exs_buf_puts(b, "\\b"); break;
		case '\f': exs_buf_puts(b, "\\f"); break;
		default:
			if (c < 0x20 || c == 0x7F) {
				char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4],
						hex[c & 15] };
				exs_buf_append(b, esc, 6);
			} else {
				exs_buf_putc(b, (char)c);
			}
		}
		i++;
	}
	exs_buf_putc(b, '"');
	return replaced;
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void exs_base64(struct exs_buf *b, const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i + 3 <= len) {
		unsigned long v = ((unsigned long)s[i] << 16) |
				  ((unsigned long)s[i + 1] << 8) | s[i + 2];
		char out[4] = { b64[(v >> 18) & 63], b64[(v >> 12) & 63],
				b64[(v >> 6) & 63], b64[v & 63] };
		exs_buf_append(b, out, 4);
		i += 3;
	}
	if (i < len) {
		unsigned long v = (unsigned long)s[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)s[i + 1] << 8;
		char out[4] = { b64[(v >> 18) & 63], b64[(v >> 12) & 63],
				i + 1 < len ? b64[(v >> 6) & 63] : '=', '=' };
		exs_buf_append(b, out, 4);
	}
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

long exs_base64_decode(const char *s, size_t len, unsigned char *out,
		       size_t cap)
{
	size_t n = 0;
	unsigned long acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '=')
			break;
		int v = b64_value(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (unsigned char)((acc >> bits) & 0xFF);
		}
	}
	return (long)n;
}

/* The code point of a valid sequence of n bytes (exs_utf8_sequence). */
static unsigned long utf8_decode(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[5] = { 0, 0x7F, 0x1F, 0x0F, 0x07 };
	unsigned long cp = s[0] & lead_mask[n];
	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3F);
	return cp;
}

/* Characters a terminal draws as nothing, or that move the text around
 * them: the bidirectional controls (U+202E turns "xsa.gpj" into
 * "jpg.asx" on screen), line and paragraph separators, zero-width and
 * other format characters (Unicode category Cf), the default-ignorable
 * fillers and selectors, and noncharacters. Visible characters, spaces
 * included, are left alone: the summary must stay readable in any
 * script. */
static const struct { unsigned long lo, hi; } invisible[] = {
	{ 0x00AD, 0x00AD },   /* soft hyphen */
	{ 0x034F, 0x034F },   /* combining grapheme joiner */
	{ 0x0600, 0x0605 },   /* Arabic number signs (Cf) */
	{ 0x061C, 0x061C },   /* Arabic letter mark */
	{ 0x06DD, 0x06DD },
	{ 0x070F, 0x070F },
	{ 0x0890, 0x0891 },
	{ 0x08E2, 0x08E2 },
	{ 0x115F, 0x1160 },   /* Hangul fillers */
	{ 0x17B4, 0x17B5 },   /* Khmer inherent vowels */
	{ 0x180B, 0x180F },   /* Mongolian selectors, vowel separator */
	{ 0x200B, 0x200F },   /* zero width space .. right-to-left mark */
	{ 0x2028, 0x202E },   /* line/paragraph separators, embeddings, overrides */
	{ 0x2060, 0x206F },   /* word joiner, invisible operators, isolates */
	{ 0x3164, 0x3164 },   /* Hangul filler */
	{ 0xFDD0, 0xFDEF },   /* noncharacters */
	{ 0xFE00, 0xFE0F },   /* variation selectors */
	{ 0xFEFF, 0xFEFF },   /* zero width no-break space (BOM) */
	{ 0xFFA0, 0xFFA0 },   /* halfwidth Hangul filler */
	{ 0xFFF0, 0xFFFB },   /* unassigned specials, interlinear annotation */
	{ 0x110BD, 0x110BD },
	{ 0x110CD, 0x110CD },
	{ 0x13430, 0x1343F }, /* Egyptian hieroglyph format controls */
	{ 0x1BCA0, 0x1BCA3 }, /* shorthand format controls */
	{ 0x1D173, 0x1D17A }, /* musical symbol format controls */
	{ 0xE0000, 0xE0FFF }, /* tags, variation selectors supplement */
};

static int is_invisible(unsigned long cp)
{
	if ((cp & 0xFFFE) == 0xFFFE)
		return 1; /* U+xxFFFE and U+xxFFFF: noncharacters */
	for (size_t i = 0; i < sizeof(invisible) / sizeof(invisible[0]); i++)
		if (cp >= invisible[i].lo && cp <= invisible[i].hi)
			return 1;
	return 0;
}

void exs_text_escape(struct exs_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		size_t n = c >= 0x80 ? exs_utf8_sequence(p + i, len - i) : 1;
		/* U+0080..U+009F (C2 80..C2 9F) are C1 controls, not printable:
		 * a UTF-8 terminal acts on U+009B as CSI, like ESC [. Escape
		 * them byte by byte, as the C0 controls are. */
		if (n == 2 && c == 0xC2 && p[i + 1] < 0xA0)
			n = 0;
		if (c >= 0x80 && n) {
			unsigned long cp = utf8_decode(p + i, n);
			if (is_invisible(cp))
				exs_buf_printf(b, cp > 0xFFFF ? "\\U%08lx"
							      : "\\u%04lx", cp);
			else
				exs_buf_append(b, p + i, n);
			i += n;
			continue;
		}
		if (c == '\n')
			exs_buf_puts(b, "\\n");
		else if (c == '\r')
			exs_buf_puts(b, "\\r");
		else if (c == '\t')
			exs_buf_puts(b, "\\t");
		else if (c < 0x20 || c >= 0x7F) {
			char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			exs_buf_append(b, esc, 4);
		} else {
			exs_buf_putc(b, (char)c);
		}
		i++;
	}
}

void exs_html_escape(struct exs_buf *b, const char *s, size_t len)
{
	struct exs_buf shown;
	exs_buf_init(&shown, b->limit);
	exs_text_escape(&shown, s, len);
	if (shown.failed && !b->failed)
		b->failed = shown.failed;
	for (size_t i = 0; i < shown.len; i++) {
		char c = shown.data[i];
		switch (c) {
		case '&': exs_buf_puts(b, "&amp;"); break;
		case '<': exs_buf_puts(b, "&lt;"); break;
		case '>': exs_buf_puts(b, "&gt;"); break;
		case '"': exs_buf_puts(b, "&quot;"); break;
		case '\'': exs_buf_puts(b, "&#39;"); break;
		default: exs_buf_putc(b, c); break;
		}
	}
	exs_buf_free(&shown);
}
