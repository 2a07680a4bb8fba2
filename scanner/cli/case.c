/* case.c -- the formats of an evidence case folder (case.h): safe names for
 * the copies, SHA256SUMS lines written and read back strictly, and the seal.
 *
 * The reader is the only part that meets hostile bytes (a case folder
 * handed from one responder to the next); it accepts exactly what the
 * writer writes, so there is one spelling of every case and nothing in a
 * case can name a file outside it: no separators but the one "files/", no
 * "..", no absolute path, no control byte. tests/fuzz/fuzz_collect.c holds
 * the reader to a reference reading.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "hash.h"
#include "seal.h"

static int safe_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* Appends up to cap safe bytes of s to out at *pos. */
static void put_safe(char *out, size_t *pos, size_t cap, const char *s,
		     size_t len)
{
	for (size_t i = 0; i < len && *pos < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		out[(*pos)++] = safe_byte(c) ? (char)c : '_';
	}
}

void exs_case_safe_name(uint64_t index, const char *path, size_t len,
			unsigned stream_index, const char *stream,
			size_t stream_len, char out[EXS_CASE_NAME_MAX + 1])
{
	/* The last name of the path: after the last '/' or '\\' (a Windows
	 * path may carry either; a POSIX name with a '\\' loses only the
	 * part before it, and the manifest keeps the whole path). */
	size_t start = 0;
	for (size_t i = 0; i < len; i++)
		if (path[i] == '/' || path[i] == '\\')
			start = i + 1;
	const char *base = path + start;
	size_t base_len = len - start;
	/* A stream name keeps at most 32 bytes, so the file's name shows. */
	char prefix[64];
	int n = snprintf(prefix, sizeof(prefix), "%06llu-",
			 (unsigned long long)index);
	size_t pos = (size_t)n;
	memcpy(out, prefix, pos);
	char suffix[64];
	size_t suffix_len = 0;
	if (stream_len) {
		if (stream_len && stream[0] == ':') {
			stream++;
			stream_len--;
		}
		int m = snprintf(suffix, sizeof(suffix), ".s%u-", stream_index);
		suffix_len = (size_t)m;
		put_safe(suffix, &suffix_len, (size_t)m + 32, stream,
			 stream_len);
		if (suffix_len == (size_t)m)
			suffix[suffix_len++] = '_';
	}
	size_t room = EXS_CASE_NAME_MAX - pos - suffix_len;
	size_t base_start = pos;
	put_safe(out, &pos, pos + room, base, base_len);
	if (pos == base_start) {
		const char unnamed[] = "unnamed";
		size_t k = sizeof(unnamed) - 1;
		memcpy(out + pos, unnamed, k < room ? k : room);
		pos += k < room ? k : room;
	}
	/* Leading dots of the name stand for nothing and hide it from ls. */
	for (size_t i = base_start; i < pos && out[i] == '.'; i++)
		out[i] = '_';
	memcpy(out + pos, suffix, suffix_len);
	pos += suffix_len;
	/* Windows drops a final dot (or space: none is left). */
	if (out[pos - 1] == '.')
		out[pos - 1] = '_';
	out[pos] = '\0';
}

int exs_case_name_ok(const char *name, size_t len)
{
	if ((len == 13 && memcmp(name, "manifest.json", 13) == 0) ||
	    (len == 11 && memcmp(name, "report.json", 11) == 0))
		return 1;
	if (len < 7 || memcmp(name, "files/", 6) != 0)
		return 0;
	name += 6;
	len -= 6;
	if (len > EXS_CASE_NAME_MAX || name[0] < '0' || name[0] > '9' ||
	    name[len - 1] == '.')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!safe_byte((unsigned char)name[i]))
			return 0;
	return 1;
}

void exs_case_sums_line(struct exs_buf *b, const struct exs_case_entry *e)
{
	char hex[2 * EXS_SHA256_LEN + 1];
	exs_hex(e->sha256, EXS_SHA256_LEN, hex);
	exs_buf_puts(b, hex);
	exs_buf_puts(b, "  ");
	exs_buf_puts(b, e->name);
	exs_buf_putc(b, '\n');
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* upper case too: one spelling */
}

static int bad(size_t *line, size_t at, char *why, size_t cap,
	       const char *what)
{
	*line = at;
	snprintf(why, cap, "%s", what);
	return EXS_CORRUPT;
}

int exs_case_sums_parse(const char *text, size_t len,
			struct exs_case_entry **out, size_t *count,
			size_t *line, char *why, size_t why_cap)
{
	struct exs_case_entry *list = NULL;
	size_t n = 0, cap = 0, at = 0;
	size_t i = 0;
	*out = NULL;
	*count = 0;
	*line = 0;
	if (why_cap)
		why[0] = '\0';
	int rc = EXS_OK;
	while (i < len) {
		at++;
		const char *nl = memchr(text + i, '\n', len - i);
		if (!nl) {
			rc = bad(line, at, why, why_cap,
				 "the last line has no newline");
			goto fail;
		}
		size_t ll = (size_t)(nl - (text + i));
		const char *l = text + i;
		i += ll + 1;
		if (n >= EXS_CASE_ENTRIES_MAX) {
			rc = EXS_LIMIT;
			*line = at;
			snprintf(why, why_cap, "more than %u lines",
				 EXS_CASE_ENTRIES_MAX);
			goto fail;
		}
		if (ll < 64 + 2 + 1 || l[64] != ' ' || l[65] != ' ') {
			rc = bad(line, at, why, why_cap,
				 "not 'SHA256  NAME' (64 hex digits, two spaces, a name)");
			goto fail;
		}
		const char *name = l + 66;
		size_t name_len = ll - 66;
		if (!exs_case_name_ok(name, name_len)) {
			rc = bad(line, at, why, why_cap,
				 "a name a case folder does not hold");
			goto fail;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct exs_case_entry *g = realloc(list, ncap * sizeof(*g));
			if (!g) {
				rc = EXS_NOMEM;
				goto fail;
			}
			list = g;
			cap = ncap;
		}
		struct exs_case_entry *e = &list[n];
		for (int k = 0; k < 32; k++) {
			int hi = hex_value(l[2 * k]), lo = hex_value(l[2 * k + 1]);
			if (hi < 0 || lo < 0) {
				rc = bad(line, at, why, why_cap,
					 "the hash is not 64 lower-case hex digits");
				goto fail;
			}
			e->sha256[k] = (unsigned char)(hi << 4 | lo);
		}
		memcpy(e->name, name, name_len);
		e->name[name_len] = '\0';
		if (n && strcmp(list[n - 1].name, e->name) >= 0) {
			rc = bad(line, at, why, why_cap,
				 strcmp(list[n - 1].name, e->name) == 0
					 ? "a name listed twice"
					 : "the names are not in byte order");
			goto fail;
		}
		n++;
	}
	*out = list;
	*count = n;
	return EXS_OK;
fail:
	free(list);
	return rc;
}

int exs_case_seal(const unsigned char *key, size_t key_len,
		  const struct exs_case_entry *entries, size_t count,
		  char hex[65])
{
	struct exs_seal *s;
	int rc = exs_seal_begin(key, key_len, NULL, &s);
	if (rc)
		return rc;
	exs_seal_section(s, EXS_CASE_SCHEMA);
	for (size_t i = 0; i < count; i++) {
		exs_seal_row(s, 2);
		exs_seal_text(s, entries[i].name, strlen(entries[i].name));
		exs_seal_blob(s, entries[i].sha256, EXS_SHA256_LEN);
	}
	return exs_seal_finish(s, hex);
}

int exs_case_seal_parse(const char *text, size_t len, char hex[65])
{
	size_t plen = sizeof(EXS_CASE_SEAL_PREFIX) - 1;
	if (len != EXS_CASE_SEAL_LEN ||
	    memcmp(text, EXS_CASE_SEAL_PREFIX, plen) != 0 ||
	    text[len - 1] != '\n')
		return EXS_CORRUPT;
	for (size_t k = 0; k < 64; k++) {
		if (hex_value(text[plen + k]) < 0)
			return EXS_CORRUPT;
		hex[k] = text[plen + k];
	}
	hex[64] = '\0';
	return EXS_OK;
}
