/* fuzz_collect.c -- the case folder's formats (scanner/cli/case.c): what
 * `exsweep collect CASE` reads from a case folder that may have passed
 * through hostile hands, and the safe names it writes for hostile file
 * names.
 *
 * Input: one mode byte, then
 *  - mode % 3 == 0: a SHA256SUMS text. exs_case_sums_parse must agree with
 *    a reference reading written here from case.h: accepted exactly when
 *    every line is 64 lower-case hex digits, two spaces and a name the case
 *    may hold, each line ends with '\n', and the names are in strictly
 *    rising byte order; refused at the reference's first bad line. What is
 *    accepted writes back to the same bytes (one spelling), and its seal
 *    changes when any hash byte does.
 *  - mode % 3 == 1: a SEAL text: accepted exactly when it is the prefix,
 *    64 lower-case hex digits and '\n'.
 *  - mode % 3 == 2: an index, a stream index, a path and a stream name of
 *    any bytes: the copy's name is one a case may list (no separator, no
 *    "..", no final dot, ASCII letters, digits, '.', '_', '-' only), at
 *    most EXS_CASE_NAME_MAX bytes, and starts with the index, so two
 *    entries never share a name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "fuzz.h"
#include "status.h"

static const unsigned char key[32] = "exsweep-fuzz-case-key-0123456789";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int ref_hex(const char *p)
{
	for (int i = 0; i < 64; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

static int ref_name(const char *n, size_t len)
{
	if ((len == 13 && !memcmp(n, "manifest.json", 13)) ||
	    (len == 11 && !memcmp(n, "report.json", 11)))
		return 1;
	if (len < 7 || len > 6 + EXS_CASE_NAME_MAX || memcmp(n, "files/", 6))
		return 0;
	if (!(n[6] >= '0' && n[6] <= '9') || n[len - 1] == '.')
		return 0;
	for (size_t i = 6; i < len; i++) {
		char c = n[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Compares two names of the listing as bytes, shorter first on a tie. */
static int ref_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int d = memcmp(a, b, al < bl ? al : bl);
	return d ? d : (al > bl) - (al < bl);
}

/* 0 when the text is well formed, else the first bad line (1-based). */
static size_t ref_sums(const char *t, size_t len, size_t *lines)
{
	size_t i = 0, line = 0;
	const char *prev = NULL;
	size_t prev_len = 0;
	*lines = 0;
	while (i < len) {
		line++;
		size_t j = i;
		while (j < len && t[j] != '\n')
			j++;
		if (j == len)
			return line;
		const char *l = t + i;
		size_t ll = j - i;
		i = j + 1;
		if (ll < 67 || l[64] != ' ' || l[65] != ' ' ||
		    !ref_name(l + 66, ll - 66) || !ref_hex(l))
			return line;
		if (prev && ref_cmp(prev, prev_len, l + 66, ll - 66) >= 0)
			return line;
		prev = l + 66;
		prev_len = ll - 66;
		(*lines)++;
	}
	return 0;
}

static void sums_mode(const char *t, size_t len)
{
	struct exs_case_entry *e;
	size_t n, line;
	char why[128];
	size_t lines;
	size_t bad = ref_sums(t, len, &lines);
	int rc = exs_case_sums_parse(t, len, &e, &n, &line, why, sizeof(why));
	FUZZ_CHECK(rc == EXS_OK || rc == EXS_CORRUPT, "status %d", rc);
	if (bad) {
		FUZZ_CHECK(rc == EXS_CORRUPT, "accepted a text the reference "
			   "refuses at line %zu", bad);
		FUZZ_CHECK(line == bad, "refused at line %zu, the reference at %zu",
			   line, bad);
		FUZZ_CHECK(why[0], "a refusal without a reason");
		return;
	}
	FUZZ_CHECK(rc == EXS_OK, "refused at line %zu (%s) a text the reference "
		   "accepts", line, why);
	FUZZ_CHECK(n == lines, "%zu entries for %zu lines", n, lines);
	struct exs_buf b;
	exs_buf_init(&b, len + 1);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(exs_case_name_ok(e[i].name, strlen(e[i].name)),
			   "an entry's name is not one a case lists");
		exs_case_sums_line(&b, &e[i]);
	}
	FUZZ_CHECK(!b.failed && b.len == len &&
		   (len == 0 || memcmp(b.data, t, len) == 0),
		   "the entries do not write back to the same text");
	exs_buf_free(&b);
	if (n) {
		char a[65], c[65];
		FUZZ_CHECK(exs_case_seal(key, sizeof(key), e, n, a) == EXS_OK, "seal");
		e[n - 1].sha256[n % 32] ^= 0x80;
		FUZZ_CHECK(exs_case_seal(key, sizeof(key), e, n, c) == EXS_OK, "seal");
		FUZZ_CHECK(strcmp(a, c) != 0, "the seal missed a changed hash");
	}
	free(e);
}

static void seal_mode(const char *t, size_t len)
{
	char hex[65];
	size_t plen = strlen(EXS_CASE_SEAL_PREFIX);
	int want = len == plen + 65 && !memcmp(t, EXS_CASE_SEAL_PREFIX, plen) &&
		   ref_hex(t + plen) && t[len - 1] == '\n';
	int rc = exs_case_seal_parse(t, len, hex);
	FUZZ_CHECK((rc == EXS_OK) == want, "SEAL text %s, the reference %s",
		   rc == EXS_OK ? "accepted" : "refused",
		   want ? "accepts" : "refuses");
	if (want)
		FUZZ_CHECK(!memcmp(hex, t + plen, 64) && hex[64] == '\0',
			   "the seal read is not the one written");
}

static void name_mode(struct fuzz_in *in)
{
	uint64_t index = fuzz_u64(in);
	unsigned stream_index = fuzz_u32(in);
	const uint8_t *path, *stream;
	size_t path_len = fuzz_bytes(in, 255, &path);
	size_t stream_len = fuzz_bytes(in, 255, &stream);
	if (fuzz_u8(in) & 1) {
		/* the rest of the input as the path: very long names too */
		path = in->p;
		path_len = in->len;
	}
	char out[EXS_CASE_NAME_MAX + 1];
	memset(out, 'Z', sizeof(out));
	exs_case_safe_name(index, (const char *)path, path_len, stream_index,
			   (const char *)stream, stream_len, out);
	size_t n = strnlen(out, sizeof(out));
	FUZZ_CHECK(n <= EXS_CASE_NAME_MAX, "a name of %zu bytes", n);
	char full[EXS_CASE_ENTRY_NAME_MAX + 1];
	snprintf(full, sizeof(full), "files/%s", out);
	FUZZ_CHECK(exs_case_name_ok(full, strlen(full)),
		   "the name '%s' is not one a case lists", out);
	char prefix[32];
	int pl = snprintf(prefix, sizeof(prefix), "%06llu-",
			  (unsigned long long)index);
	FUZZ_CHECK(strncmp(out, prefix, (size_t)pl) == 0,
		   "'%s' does not start with its index", out);
	if (stream_len) {
		char mark[32];
		snprintf(mark, sizeof(mark), ".s%u-", stream_index);
		FUZZ_CHECK(strstr(out + pl, mark) != NULL,
			   "the stream's name '%s' lacks '%s'", out, mark);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned mode = fuzz_u8(&in) % 3;
	if (mode == 2) {
		name_mode(&in);
		return 0;
	}
	/* A copy, so that reading past the input is ASan's to see. */
	char *t = malloc(in.len ? in.len : 1);
	if (!t)
		return 0;
	memcpy(t, in.p, in.len);
	if (mode == 0)
		sums_mode(t, in.len);
	else
		seal_mode(t, in.len);
	free(t);
	return 0;
}
