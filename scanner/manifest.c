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
