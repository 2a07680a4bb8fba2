/* manifest.c -- manifest names and escaping (manifest.h). */
#include "manifest.h"

#include <stdio.h>
#include <string.h>

#include "path.h"

static int must_escape(unsigned char c)
{
	return c <= 0x20 || c >= 0x7F || c == '%' || c == '/' || c == '\\' ||
	       c == ':';
}

void exs_manifest_escape(struct exs_buf *b, const char *s, size_t len,
			 char sep)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == (unsigned char)sep) {
			exs_buf_putc(b, '/');
		} else if (c == ' ' || !must_escape(c)) {
			exs_buf_putc(b, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			exs_buf_append(b, e, 3);
		}
	}
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int exs_manifest_unescape(struct exs_buf *b, const char *s, size_t len,
			  char sep)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '/') {
			exs_buf_putc(b, sep);
		} else if (s[i] == '%') {
			int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
			int lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return -1;
			exs_buf_putc(b, (char)(hi << 4 | lo));
			i += 2;
		} else {
			exs_buf_putc(b, s[i]);
		}
	}
	return 0;
}

static int last_component_is(const char *root, char sep, const char *name)
{
	size_t n = strlen(root);
	while (n > 1 && (root[n - 1] == sep || root[n - 1] == '/'))
		n--;
	size_t start = n;
	while (start > 0 && root[start - 1] != sep && root[start - 1] != '/')
		start--;
	size_t k = strlen(name);
	if (n - start != k)
		return 0;
	for (size_t i = 0; i < k; i++) {
		char c = root[start + i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != name[i])
			return 0;
	}
	return 1;
}

void exs_manifest_root_name(const struct exs_strlist *roots, size_t i,
			    char sep, char *name, size_t cap)
{
	static const char *const known[] = { "V15", "WWWROOT" };
	for (size_t k = 0; k < sizeof(known) / sizeof(*known); k++) {
		if (!last_component_is(roots->items[i], sep, known[k]))
			continue;
		int first = 1;
		for (size_t j = 0; j < i; j++)
			if (last_component_is(roots->items[j], sep, known[k]))
				first = 0;
		if (first) {
			snprintf(name, cap, "%s", known[k]);
			return;
		}
	}
	snprintf(name, cap, "ROOT%zu", i);
}

int exs_manifest_key(struct exs_buf *b, const struct exs_strlist *roots,
		     const char *path, size_t len, char sep, int fold)
{
	for (size_t i = 0; i < roots->count; i++) {
		const char *root = roots->items[i];
		size_t rl = strlen(root);
		if (!exs_path_within(path, len, root, rl, sep, fold))
			continue;
		while (rl > 1 && root[rl - 1] == sep)
			rl--;
		char name[EXS_MANIFEST_NAME_MAX];
		exs_manifest_root_name(roots, i, sep, name, sizeof(name));
		size_t start = b->len;
		exs_buf_puts(b, name);
		exs_buf_putc(b, ':');
		if (len > rl && path[rl] != sep)
			exs_buf_putc(b, '/');
		exs_manifest_escape(b, path + rl, len - rl, sep);
		if (fold && !b->failed)
			for (size_t k = start; k < b->len; k++)
				if (b->data[k] >= 'A' && b->data[k] <= 'Z')
					b->data[k] = (char)(b->data[k] - 'A' + 'a');
		return 0;
	}
	return -1;
}

/* ---- Reading records ------------------------------------------------------ */

static int hex_upper(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

int exs_manifest_check_key(const char *key, size_t len, char sep,
			   const char **why)
{
	size_t i = 0;
	while (i < len && ((key[i] >= 'A' && key[i] <= 'Z') ||
			   (key[i] >= 'a' && key[i] <= 'z') ||
			   (key[i] >= '0' && key[i] <= '9')))
		i++;
	if (i == 0 || i >= EXS_MANIFEST_NAME_MAX || i == len || key[i] != ':') {
		*why = "path does not start with a root name and ':' (such as "
		       "'V15:/Bin/x.dll')";
		return -1;
	}
	i++;
	if (i == len || key[i] != '/') {
		*why = "path does not continue with '/' after its root name";
		return -1;
	}
	while (i < len) {
		size_t start = ++i; /* past the '/' */
		size_t dots = 0, bytes = 0;
		for (; i < len && key[i] != '/'; i++, bytes++) {
			unsigned char c = (unsigned char)key[i];
			if (c == '%') {
				if (i + 2 >= len || !hex_upper(key[i + 1]) ||
				    !hex_upper(key[i + 2])) {
					*why = "malformed escape (expected '%' "
					       "and two upper-case hex digits)";
					return -1;
				}
				unsigned v = (unsigned)(hex_value(key[i + 1]) << 4 |
							hex_value(key[i + 2]));
				if (v == 0 || v == '/' || v == (unsigned char)sep) {
					*why = "escape of NUL or a separator "
					       "inside a name";
					return -1;
				}
				if (v == ' ' || !must_escape((unsigned char)v)) {
					*why = "escape of a byte that is written "
					       "as it is";
					return -1;
				}
				i += 2;
				continue;
			}
			if (c != ' ' && must_escape(c)) {
				*why = "byte that must be escaped (control, "
				       "non-ASCII, '\\' or ':')";
				return -1;
			}
			if (c == '.')
				dots++;
		}
		if (i == start) {
			*why = "empty path component ('//' or a trailing '/')";
			return -1;
		}
		if (dots == bytes && bytes <= 2) {
			*why = "'.' or '..' component";
			return -1;
		}
	}
	return 0;
}

/* A run of decimal digits exactly filling text[0..len), as a u64. */
static int parse_u64(const char *text, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		unsigned digit = (unsigned)(text[i] - '0');
		if (v > (UINT64_MAX - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

static int parse_i64(const char *text, size_t len)
{
	uint64_t v;
	int negative = len && text[0] == '-';
	if (parse_u64(text + negative, len - (size_t)negative, &v))
		return -1;
	return v > (uint64_t)INT64_MAX + (uint64_t)negative ? -1 : 0;
}

static int parse_sha256(const char *text, size_t len, unsigned char *out)
{
	if (len != 2 * EXS_SHA256_LEN)
		return -1;
	for (size_t i = 0; i < EXS_SHA256_LEN; i++) {
		int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
		if (hi < 0 || lo < 0 || (text[2 * i] >= 'A' && text[2 * i] <= 'F') ||
		    (text[2 * i + 1] >= 'A' && text[2 * i + 1] <= 'F'))
			return -1;
		if (out)
			out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* The owner field: escaped bytes, any length (empty when unknown). */
static int check_owner(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '%') {
			if (i + 2 >= len || !hex_upper(text[i + 1]) ||
			    !hex_upper(text[i + 2]))
				return -1;
			i += 2;
		} else if (c != ' ' && c != '/' && must_escape(c)) {
			return -1; /* '/' stands for NUL: see escape's sep */
		}
	}
	return 0;
}

#define RECORD_FIELDS_MAX 9

int exs_manifest_parse_record(const char *line, size_t len, char sep,
			      struct exs_manifest_record *out,
			      const char **why)
{
	const char *field[RECORD_FIELDS_MAX];
	size_t flen[RECORD_FIELDS_MAX];
	size_t n = 0, start = 0;
	if (len && line[len - 1] == '\r')
		len--;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != '\t')
			continue;
		if (n == RECORD_FIELDS_MAX) {
			*why = "more than 9 fields";
			return -1;
		}
		field[n] = line + start;
		flen[n++] = i - start;
		start = i + 1;
	}
	if (n != 3 && n != RECORD_FIELDS_MAX) {
		*why = "expected 3 fields (path, size, sha256) or the 9 of "
		       "'#fields', separated by tabs";
		return -1;
	}
	if (exs_manifest_check_key(field[0], flen[0], sep, why))
		return -1;
	if (parse_u64(field[1], flen[1], &out->size)) {
		*why = "size is not a whole number of bytes (decimal digits "
		       "only)";
		return -1;
	}
	if (parse_sha256(field[2], flen[2], out->sha256)) {
		*why = "sha256 is not 64 lower-case hex digits";
		return -1;
	}
	if (n == RECORD_FIELDS_MAX) {
		uint64_t ignored;
		if (parse_u64(field[3], flen[3], &ignored) || ignored > UINT32_MAX) {
			*why = "mode is not a whole number";
			return -1;
		}
		if (parse_i64(field[4], flen[4]) || parse_i64(field[5], flen[5])) {
			*why = "mtime_ns or ctime_ns is not a whole number";
			return -1;
		}
		if (check_owner(field[6], flen[6])) {
			*why = "owner is not escaped as export writes it";
			return -1;
		}
		if (parse_u64(field[7], flen[7], &ignored)) {
			*why = "file_id is not a whole number";
			return -1;
		}
		if (!(flen[8] == 1 && field[8][0] == '-') &&
		    parse_sha256(field[8], flen[8], NULL)) {
			*why = "security_sha256 is neither '-' nor 64 lower-case "
			       "hex digits";
			return -1;
		}
	}
	out->key = field[0];
	out->key_len = flen[0];
	return 0;
}
