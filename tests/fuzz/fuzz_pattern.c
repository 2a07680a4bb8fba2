/* fuzz_pattern.c -- the exclude pattern matcher (scanner/path.c) against a
 * reference matcher written here from the syntax in path.h.
 *
 * Input: one flag byte (bit 0: the path separator is '\' instead of '/';
 * bit 1: the pattern is repeated, '/' between the copies, up to 4096
 * components, or 4097 with bit 2), the pattern up to the first '\n', then
 * the path. Both exs_pattern_match and exs_pattern_match_ancestor must give
 * the reference's answer, and a pattern compiles exactly when the reference
 * finds from 1 to EXS_PATTERN_MAX_PARTS (4096) components in it (EXS_INVAL
 * for none, EXS_LIMIT for more).
 *
 * The reference is a plain dynamic programme, polynomial and obviously
 * right rather than fast: over components, R[i][j] says whether the first i
 * pattern parts match the first j path components ('**' matches any number
 * of whole components); an unanchored pattern is an anchored one behind an
 * implicit '**'; the ancestor form asks for any non-empty prefix of the
 * path. Within a component, '*' matches any run of bytes and '?' one byte,
 * ASCII case ignored.
 *
 * The matcher is linear in the path's depth and applies at any depth
 * (issue 12 item 4), so inputs are not limited: any number of '**' parts
 * and path components, up to libFuzzer's -max_len (a replayed input, such
 * as regressions/pattern/item4-deeper-than-512, may be longer). The time
 * limit of each input is the check that it stays linear.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "path.h"
#include "status.h"

#define PATTERN_MAX 512
/* Path components tried against a repeated (4096-part) pattern: the
 * reference is quadratic. */
#define REPEATED_PATH_COMPONENTS 64

struct span {
	const char *p;
	size_t len;
};

static int is_pattern_sep(char c) { return c == '/' || c == '\\'; }

static unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Splits s at any byte for which sep_fn holds (or equal to sep when sep_fn
 * is NULL), dropping empty components. Returns the count; out has room. */
static size_t split(const char *s, size_t len, char sep,
		    int (*sep_fn)(char), struct span *out)
{
	size_t n = 0, i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && !(sep_fn ? sep_fn(s[i]) : s[i] == sep))
			i++;
		if (i > start)
			out[n++] = (struct span){ s + start, i - start };
		i++;
	}
	return n;
}

/* '*' any run, '?' one byte, the rest equal ignoring ASCII case. */
static int ref_glob(struct span pat, struct span s)
{
	/* row[j]: the pattern so far matches the first j bytes of s */
	unsigned char *row = calloc(s.len + 1, 1);
	FUZZ_CHECK(row, "harness out of memory");
	row[0] = 1;
	for (size_t i = 0; i < pat.len; i++) {
		unsigned char c = (unsigned char)pat.p[i];
		if (c == '*') {
			for (size_t j = 1; j <= s.len; j++)
				row[j] |= row[j - 1];
			continue;
		}
		for (size_t j = s.len; j > 0; j--)
			row[j] = row[j - 1] &&
				 (c == '?' || fold(c) == fold((unsigned char)s.p[j - 1]));
		row[0] = 0;
	}
	int result = row[s.len];
	free(row);
	return result;
}

static int is_globstar(struct span part)
{
	return part.len == 2 && part.p[0] == '*' && part.p[1] == '*';
}

/* ends[j] = the parts match the first j components, for every j. */
static void ref_prefixes(const struct span *parts, size_t np,
			 const struct span *comps, size_t nc,
			 unsigned char *ends)
{
	unsigned char *next = calloc(nc + 1, 1);
	FUZZ_CHECK(next, "harness out of memory");
	memset(ends, 0, nc + 1);
	ends[0] = 1;
	for (size_t i = 0; i < np; i++) {
		if (is_globstar(parts[i])) {
			for (size_t j = 1; j <= nc; j++)
				ends[j] |= ends[j - 1];
			continue;
		}
		next[0] = 0;
		for (size_t j = 1; j <= nc; j++)
			next[j] = ends[j - 1] && ref_glob(parts[i], comps[j - 1]);
		memcpy(ends, next, nc + 1);
	}
	free(next);
}

static int anchored_text(const char *t)
{
	size_t len = strlen(t);
	return len > 0 && (is_pattern_sep(t[0]) ||
			   (len >= 2 && t[1] == ':' &&
			    ((t[0] >= 'a' && t[0] <= 'z') ||
			     (t[0] >= 'A' && t[0] <= 'Z'))));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char sep = (data[0] & 1) ? '\\' : '/';
	const char *rest = (const char *)data + 1;
	size_t rest_len = size - 1;
	const char *newline = memchr(rest, '\n', rest_len);
	size_t pattern_len = newline ? (size_t)(newline - rest) : rest_len;
	if (pattern_len > PATTERN_MAX)
		return 0;
	char one[PATTERN_MAX + 1];
	memcpy(one, rest, pattern_len);
	one[pattern_len] = '\0';
	pattern_len = strlen(one); /* the API takes a C string */
	const char *path = newline ? newline + 1 : rest + rest_len;
	size_t path_len = (size_t)(rest + rest_len - path);

	/* The pattern itself, or copies of it up to the parts limit. */
	struct span *one_parts = malloc((pattern_len + 1) * sizeof(*one_parts));
	FUZZ_CHECK(one_parts, "harness out of memory");
	size_t one_np = split(one, pattern_len, 0, is_pattern_sep, one_parts);
	free(one_parts);
	size_t copies = 1;
	if ((data[0] & 2) && one_np) {
		size_t target = EXS_PATTERN_MAX_PARTS + ((data[0] & 4) ? 1 : 0);
		copies = (target + one_np - 1) / one_np;
	}
	char *pattern = malloc(copies * (pattern_len + 1) + 1);
	FUZZ_CHECK(pattern, "harness out of memory");
	memcpy(pattern, one, pattern_len);
	for (size_t k = 1; k < copies; k++) {
		pattern[k * (pattern_len + 1) - 1] = '/';
		memcpy(pattern + k * (pattern_len + 1), one, pattern_len);
	}
	pattern_len = copies * (pattern_len + 1) - 1;
	pattern[pattern_len] = '\0';

	struct span *parts = malloc((pattern_len + 2) * sizeof(*parts));
	struct span *comps = malloc((path_len + 1) * sizeof(*comps));
	unsigned char *ends = malloc(path_len + 2);
	FUZZ_CHECK(parts && comps && ends, "harness out of memory");
	size_t np = split(pattern, pattern_len, 0, is_pattern_sep, parts + 1);
	size_t nc = split(path, path_len, sep, NULL, comps);

	struct exs_pattern pat;
	int rc = exs_pattern_compile(pattern, &pat);
	if (np == 0) {
		FUZZ_CHECK(rc == EXS_INVAL, "pattern '%s' has no component but "
			   "compiles (status %d)", pattern, rc);
		goto out;
	}
	if (np > EXS_PATTERN_MAX_PARTS) {
		FUZZ_CHECK(rc == EXS_LIMIT, "a pattern of %zu components "
			   "compiles (status %d)", np, rc);
		goto out;
	}
	FUZZ_CHECK(rc == EXS_OK, "pattern of %zu components does not compile "
		   "(status %d)", np, rc);
	if (copies > 1 && nc > REPEATED_PATH_COMPONENTS) {
		exs_pattern_free(&pat);
		goto out;
	}
	FUZZ_CHECK(pat.anchored == anchored_text(pattern),
		   "pattern '%s': anchored is %d", pattern, pat.anchored);

	/* Unanchored: the pattern behind an implicit '**'. */
	const struct span *ref_parts = parts + 1;
	size_t ref_np = np;
	if (!anchored_text(pattern)) {
		parts[0] = (struct span){ "**", 2 };
		ref_parts = parts;
		ref_np++;
	}
	ref_prefixes(ref_parts, ref_np, comps, nc, ends);
	int want = ends[nc];
	int want_ancestor = 0;
	for (size_t end = 1; end <= nc; end++)
		want_ancestor |= ends[end];

	int got = exs_pattern_match(&pat, path, path_len, sep);
	FUZZ_CHECK(got == want, "pattern '%s' on '%.*s' (sep '%c'): match "
		   "says %d, the reference %d", pattern, (int)path_len, path,
		   sep, got, want);
	got = exs_pattern_match_ancestor(&pat, path, path_len, sep);
	FUZZ_CHECK(got == want_ancestor, "pattern '%s' on '%.*s' (sep '%c'): "
		   "match_ancestor says %d, the reference %d", pattern,
		   (int)path_len, path, sep, got, want_ancestor);
	exs_pattern_free(&pat);

	/* The basename and extension helpers on the same path. */
	size_t base_len;
	const char *base = exs_path_basename(path, path_len, sep, &base_len);
	FUZZ_CHECK(base >= path && base + base_len == path + path_len &&
		   !memchr(base, sep, base_len), "basename of '%.*s'",
		   (int)path_len, path);
	char ext[16];
	exs_path_extension(base, base_len, ext, sizeof(ext));
	for (size_t i = 0; ext[i]; i++)
		FUZZ_CHECK(!(ext[i] >= 'A' && ext[i] <= 'Z'),
			   "extension '%s' is not lowercase", ext);
out:
	free(pattern);
	free(parts);
	free(comps);
	free(ends);
	return 0;
}
