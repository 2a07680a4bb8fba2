/* utf16.c -- WTF-8 inside exsweep, UTF-16 at the Win32 boundary.
 *
 * NTFS names are sequences of 16-bit units that need not be valid UTF-16: a
 * name may hold an unpaired surrogate, and a webshell author may choose one on
 * purpose to trip tools that convert lossily (to U+FFFD) and then cannot open
 * what they listed. exsweep keeps names in WTF-8, as libuv does: UTF-8 that
 * also writes a lone surrogate as the 3-byte sequence generalised UTF-8 would
 * give it. Every NTFS name then round-trips byte for byte, and a valid UTF-16
 * name gives plain UTF-8.
 *
 * The decoder rejects what WTF-8 forbids, so that no two byte strings name the
 * same file: bytes that are not UTF-8, overlong forms, code points past
 * U+10FFFF, NUL, and a surrogate pair spelt as two 3-byte sequences (a pair is
 * always written as one 4-byte sequence).
 */
#include "platform_win32.h"

#include <stdlib.h>
#include <string.h>

static int is_lead_surrogate(uint32_t unit)
{
	return unit >= 0xD800 && unit <= 0xDBFF;
}

static int is_trail_surrogate(uint32_t unit)
{
	return unit >= 0xDC00 && unit <= 0xDFFF;
}

size_t exs_win32_wtf8_decode(const unsigned char *s, size_t len,
			     uint32_t *code_point)
{
	unsigned char first = s[0];
	size_t need;
	uint32_t value, smallest;

	if (first < 0x80) {
		*code_point = first;
		return 1;
	}
	/* 0xC0, 0xC1 and 0xF5..0xFF can only start overlong or too-large
	 * forms; continuation bytes (0x80..0xBF) cannot start anything. */
	if (first >= 0xC2 && first <= 0xDF) {
		need = 2;
		value = first & 0x1F;
		smallest = 0x80;
	} else if (first >= 0xE0 && first <= 0xEF) {
		need = 3;
		value = first & 0x0F;
		smallest = 0x800;
	} else if (first >= 0xF0 && first <= 0xF4) {
		need = 4;
		value = first & 0x07;
		smallest = 0x10000;
	} else {
		return 0;
	}
	if (len < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		value = (value << 6) | (s[i] & 0x3F);
	}
	if (value < smallest || value > 0x10FFFF)
		return 0;
	*code_point = value;
	return need;
}

int exs_win32_wtf8_to_utf16(const char *s, size_t len, wchar_t *out,
			    size_t cap, size_t *out_len)
{
	const unsigned char *bytes = (const unsigned char *)s;
	size_t used_units = 0;
	int after_lead = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t used = exs_win32_wtf8_decode(bytes + i, len - i, &cp);
		if (!used || cp == 0)
			return EXS_CHARSET;
		/* A lead then a trail surrogate is a pair in disguise. */
		if (after_lead && is_trail_surrogate(cp))
			return EXS_CHARSET;
		after_lead = is_lead_surrogate(cp);

		size_t units = cp >= 0x10000 ? 2 : 1;
		if (out) {
			if (used_units + units >= cap)
				return EXS_LIMIT;
			if (units == 2) {
				cp -= 0x10000;
				out[used_units] = (wchar_t)(0xD800 + (cp >> 10));
				out[used_units + 1] =
					(wchar_t)(0xDC00 + (cp & 0x3FF));
			} else {
				out[used_units] = (wchar_t)cp;
			}
		}
		used_units += units;
		i += used;
	}
	if (out) {
		if (used_units >= cap)
			return EXS_LIMIT;
		out[used_units] = 0;
	}
	*out_len = used_units;
	return EXS_OK;
}

int exs_win32_utf16_to_wtf8(const wchar_t *s, size_t len, char *out,
			    size_t cap, size_t *out_len)
{
	size_t used_bytes = 0;

	for (size_t i = 0; i < len; i++) {
		uint32_t cp = (uint16_t)s[i];
		if (is_lead_surrogate(cp) && i + 1 < len &&
		    is_trail_surrogate((uint16_t)s[i + 1])) {
			cp = 0x10000 + ((cp - 0xD800) << 10) +
			     ((uint16_t)s[i + 1] - 0xDC00);
			i++;
		}
		/* A surrogate left here is unpaired: it takes the 3-byte branch
		 * below, which is exactly its generalised UTF-8 form. */
		unsigned char seq[4];
		size_t n;
		if (cp < 0x80) {
			seq[0] = (unsigned char)cp;
			n = 1;
		} else if (cp < 0x800) {
			seq[0] = (unsigned char)(0xC0 | (cp >> 6));
			seq[1] = (unsigned char)(0x80 | (cp & 0x3F));
			n = 2;
		} else if (cp < 0x10000) {
			seq[0] = (unsigned char)(0xE0 | (cp >> 12));
			seq[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
			seq[2] = (unsigned char)(0x80 | (cp & 0x3F));
			n = 3;
		} else {
			seq[0] = (unsigned char)(0xF0 | (cp >> 18));
			seq[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
			seq[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
			seq[3] = (unsigned char)(0x80 | (cp & 0x3F));
			n = 4;
		}
		if (out) {
			if (used_bytes + n >= cap)
				return EXS_LIMIT;
			memcpy(out + used_bytes, seq, n);
		}
		used_bytes += n;
	}
	if (out) {
		if (used_bytes >= cap)
			return EXS_LIMIT;
		out[used_bytes] = '\0';
	}
	*out_len = used_bytes;
	return EXS_OK;
}

int exs_win32_wtf8_to_utf16_alloc(const char *s, wchar_t **out)
{
	size_t len = strlen(s), units;
	*out = NULL;
	int rc = exs_win32_wtf8_to_utf16(s, len, NULL, 0, &units);
	if (rc)
		return rc;
	wchar_t *wide = malloc((units + 1) * sizeof(wchar_t));
	if (!wide)
		return EXS_NOMEM;
	rc = exs_win32_wtf8_to_utf16(s, len, wide, units + 1, &units);
	if (rc) {
		free(wide);
		return rc;
	}
	*out = wide;
	return EXS_OK;
}
