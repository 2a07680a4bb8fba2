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
