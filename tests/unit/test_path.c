/* test_path.c -- exclude patterns, containment and file name parts.
 *
 * Exclude patterns decide what is never looked at, so a pattern that
 * matches one component too many hides a webshell, and containment decides
 * what counts as a web root: "/inetpub/wwwroot2" is not inside
 * "/inetpub/wwwroot". Every case below is a near miss of a real one.
 */
#include <stdint.h>
#include <stdlib.h>

#include "path.h"
#include "status.h"
#include "test.h"

/* 1/0 for pattern text against path (a C string) with separator sep; -1 if
 * the pattern does not compile. */
static int match_with(const char *pattern, const char *path, char sep,
		      int ancestor)
{
	struct exs_pattern p;
	if (exs_pattern_compile(pattern, &p) != EXS_OK)
		return -1;
	int hit = ancestor ? exs_pattern_match_ancestor(&p, path, strlen(path), sep)
			   : exs_pattern_match(&p, path, strlen(path), sep);
	exs_pattern_free(&p);
	return hit;
}

#define MATCH(pat, path) match_with(pat, path, '/', 0)
#define WMATCH(pat, path) match_with(pat, path, '\\', 0)
#define AMATCH(pat, path) match_with(pat, path, '/', 1)

#define WITHIN(path, root, sep, ci) \
	exs_path_within(path, strlen(path), root, strlen(root), sep, ci)

/* ---- Patterns ----------------------------------------------------------- */

static void test_pattern_compile(void)
{
	struct exs_pattern p;
	ASSERT_EQ(exs_pattern_compile("a\\b//c/", &p), EXS_OK);
	ASSERT_EQ(p.count, 3);
	ASSERT_STR_EQ(p.parts[0], "a");
	ASSERT_STR_EQ(p.parts[1], "b");
	ASSERT_STR_EQ(p.parts[2], "c");
	ASSERT_STR_EQ(p.text, "a\\b//c/");
	ASSERT_EQ(p.anchored, 0);
	exs_pattern_free(&p);
	ASSERT_EQ(p.count, 0);
	exs_pattern_free(&p); /* twice is harmless */

	/* Nothing to match: refused rather than matching everything. */
	ASSERT_EQ(exs_pattern_compile("", &p), EXS_INVAL);
	ASSERT_EQ(exs_pattern_compile("/", &p), EXS_INVAL);
	ASSERT_EQ(exs_pattern_compile("\\\\//", &p), EXS_INVAL);
}

static void test_pattern_suffix_on_boundaries(void)
{
	ASSERT_EQ(MATCH("V15/Logging", "/a/V15/Logging"), 1);
	ASSERT_EQ(MATCH("V15/Logging", "V15/Logging"), 1);
	ASSERT_EQ(MATCH("V15/Logging", "/a/V15/LoggingX"), 0);
	ASSERT_EQ(MATCH("V15/Logging", "/a/XV15/Logging"), 0);
	ASSERT_EQ(MATCH("V15/Logging", "/a/V15/X/Logging"), 0);
	ASSERT_EQ(MATCH("V15/Logging", "/a/V15"), 0);
	/* The pattern names the folder, not what is below it... */
	ASSERT_EQ(MATCH("V15/Logging", "/a/V15/Logging/x.log"), 0);
	/* ...which match_ancestor covers. */
	ASSERT_EQ(AMATCH("V15/Logging", "/a/V15/Logging/x.log"), 1);
	ASSERT_EQ(AMATCH("V15/Logging", "/a/V15/Logging/d/e/x.log"), 1);
	ASSERT_EQ(AMATCH("V15/Logging", "/a/V15/Logging"), 1);
	ASSERT_EQ(AMATCH("V15/Logging", "/a/V15/LoggingX/x.log"), 0);
	ASSERT_EQ(AMATCH("V15/Logging", "/a/V15/x.log"), 0);
	/* Doubled and trailing separators in the path do not matter. */
	ASSERT_EQ(MATCH("V15/Logging", "//a//V15//Logging/"), 1);
}

static void test_pattern_case_insensitive(void)
{
	ASSERT_EQ(MATCH("V15/Logging", "/a/v15/LOGGING"), 1);
	ASSERT_EQ(MATCH("v15/logging", "/A/V15/Logging"), 1);
	ASSERT_EQ(MATCH("*.LOG", "/a/x.log"), 1);
	/* Only ASCII folds: bytes above 0x7f compare exactly. */
	ASSERT_EQ(MATCH("\xc3\x89t\xc3\xa9", "/a/\xc3\xa9t\xc3\xa9"), 0);
	ASSERT_EQ(MATCH("\xc3\xa9t\xc3\xa9", "/a/\xc3\xa9T\xc3\xa9"), 1);
}

static void test_pattern_separators(void)
{
	/* Either separator in a pattern, on either kind of path. */
	ASSERT_EQ(MATCH("V15\\Logging", "/a/V15/Logging"), 1);
	ASSERT_EQ(WMATCH("V15/Logging",
			 "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Logging"),
		  1);
	ASSERT_EQ(WMATCH("V15\\Logging", "C:\\x\\V15\\Logging"), 1);
	ASSERT_EQ(WMATCH("V15\\Logging", "C:\\x\\V15\\LoggingX"), 0);
	/* On POSIX a backslash is an ordinary byte of a name: the single
	 * component "V15\Logging" is not the folders V15 and Logging. */
	ASSERT_EQ(MATCH("V15/Logging", "/a/V15\\Logging"), 0);
	/* With sep '\\' a '/' is part of the name likewise. */
	ASSERT_EQ(WMATCH("Logging", "C:\\a\\V15/Logging"), 0);
}

static void test_pattern_wildcards(void)
{
	ASSERT_EQ(MATCH("*.log", "/x/y/a.log"), 1);
	ASSERT_EQ(MATCH("*.log", "/x/y/.log"), 1);    /* '*' may be empty */
	ASSERT_EQ(MATCH("*.log", "/x/y/a.log.txt"), 0);
	ASSERT_EQ(MATCH("*.log", "/x/a.log/b"), 0);
	ASSERT_EQ(MATCH("Log*", "/x/Log"), 1);
	ASSERT_EQ(MATCH("a*b*c", "/x/aXXbYYc"), 1);
	ASSERT_EQ(MATCH("a*b*c", "/x/aXXbYY"), 0);
	ASSERT_EQ(MATCH("*a*", "/x/bab"), 1);
	/* '*' never spans a separator. */
	ASSERT_EQ(MATCH("a*b", "/a/x/b"), 0);
	ASSERT_EQ(MATCH("V15/*/Logging", "/V15/x/Logging"), 1);
	ASSERT_EQ(MATCH("V15/*/Logging", "/V15/x/y/Logging"), 0);
	ASSERT_EQ(MATCH("V15/*/Logging", "/V15/Logging"), 0);
	/* '?' is exactly one byte. */
	ASSERT_EQ(MATCH("a?c", "/x/abc"), 1);
	ASSERT_EQ(MATCH("a?c", "/x/ac"), 0);
	ASSERT_EQ(MATCH("a?c", "/x/abbc"), 0);
	ASSERT_EQ(MATCH("V1?/Logging", "/V15/Logging"), 1);
}

static void test_pattern_double_star(void)
{
	/* In the middle: zero or more whole components. */
	ASSERT_EQ(MATCH("V15/**/Logging", "/e/V15/Logging"), 1);
	ASSERT_EQ(MATCH("V15/**/Logging", "/e/V15/a/Logging"), 1);
	ASSERT_EQ(MATCH("V15/**/Logging", "/e/V15/a/b/c/Logging"), 1);
	ASSERT_EQ(MATCH("V15/**/Logging", "/e/V15/a/LoggingX"), 0);
	ASSERT_EQ(MATCH("V15/**/Logging", "/e/V16/a/Logging"), 0);
	/* At the start. */
	ASSERT_EQ(MATCH("**/Logging", "/a/b/Logging"), 1);
	ASSERT_EQ(MATCH("**/Logging", "Logging"), 1);
	ASSERT_EQ(MATCH("**/Logging", "/a/XLogging"), 0);
	ASSERT_EQ(MATCH("/**/Logging", "/Logging"), 1);
	ASSERT_EQ(MATCH("/**/Logging", "/a/b/Logging"), 1);
	ASSERT_EQ(MATCH("/**/Logging", "/a/b/Logging/c"), 0);
	/* At the end: everything below, and the folder itself. */
	ASSERT_EQ(MATCH("V15/**", "/e/V15/a/b"), 1);
	ASSERT_EQ(MATCH("V15/**", "/e/V15"), 1);
	ASSERT_EQ(MATCH("V15/**", "/e/V16/a"), 0);
	/* Two of them, and a run that needs backtracking. */
	ASSERT_EQ(MATCH("a/**/b/**/c", "/a/x/b/y/b/z/c"), 1);
	ASSERT_EQ(MATCH("a/**/b/**/c", "/a/x/c/y/b"), 0);
	/* "**" inside a component is two single stars, not a folder span. */
	ASSERT_EQ(MATCH("a**z", "/abz/z"), 0);
	ASSERT_EQ(MATCH("a**z", "/abcz"), 1);
}

static void test_pattern_anchored(void)
{
	ASSERT_EQ(MATCH("/opt/ex", "/opt/ex"), 1);
	ASSERT_EQ(MATCH("/opt/ex", "/x/opt/ex"), 0);
	ASSERT_EQ(MATCH("/opt/ex", "/opt/ex/y"), 0);
	ASSERT_EQ(AMATCH("/opt/ex", "/opt/ex/y/z"), 1);
	ASSERT_EQ(AMATCH("/opt/ex", "/x/opt/ex/y"), 0);
	/* A leading backslash anchors too. */
	ASSERT_EQ(WMATCH("\\Exchange\\Logging", "\\Exchange\\Logging"), 1);
	ASSERT_EQ(WMATCH("\\Exchange\\Logging", "\\x\\Exchange\\Logging"), 0);

	struct exs_pattern p;
	ASSERT_EQ(exs_pattern_compile("C:\\Exchange\\Logging", &p), EXS_OK);
	ASSERT_EQ(p.anchored, 1);
	exs_pattern_free(&p);
	ASSERT_EQ(exs_pattern_compile("d:/x", &p), EXS_OK);
	ASSERT_EQ(p.anchored, 1);
	exs_pattern_free(&p);
	ASSERT_EQ(exs_pattern_compile("1:/x", &p), EXS_OK);
	ASSERT_EQ(p.anchored, 0);      /* not a drive letter */
	exs_pattern_free(&p);

	ASSERT_EQ(WMATCH("C:\\Exchange\\Logging", "C:\\Exchange\\Logging"), 1);
	ASSERT_EQ(WMATCH("C:\\Exchange\\Logging", "c:\\EXCHANGE\\logging"), 1);
	ASSERT_EQ(WMATCH("C:\\Exchange\\Logging", "D:\\Exchange\\Logging"), 0);
	ASSERT_EQ(WMATCH("C:\\Exchange\\Logging", "D:\\C:\\Exchange\\Logging"),
		  0);
	ASSERT_EQ(WMATCH("C:\\Exchange\\Logging", "C:\\x\\Exchange\\Logging"),
		  0);
	ASSERT_EQ(match_with("C:\\Exchange\\Logging",
			     "C:\\Exchange\\Logging\\a.log", '\\', 1), 1);
	ASSERT_EQ(match_with("C:/Exchange/*", "C:\\Exchange\\Logging", '\\', 0),
		  1);
}

static void test_pattern_ancestor(void)
{
	/* A file below an excluded folder is excluded, at any depth. */
	ASSERT_EQ(AMATCH("Temp", "/srv/Temp/a/b/c.aspx"), 1);
	ASSERT_EQ(AMATCH("Temp", "/srv/Temp"), 1);
	ASSERT_EQ(AMATCH("Temp", "/srv/Temporary/c.aspx"), 0);
	ASSERT_EQ(AMATCH("Temp", "/srv/x/c.aspx"), 0);
	ASSERT_EQ(AMATCH("*.log", "/srv/a.log/inner.aspx"), 1);
	ASSERT_EQ(AMATCH("a/b", "/a/x/b/c"), 0);
	ASSERT_EQ(match_with("V15\\Logging",
			     "C:\\Exchange\\V15\\Logging\\Owa\\x.log", '\\', 1),
		  1);
	ASSERT_EQ(AMATCH("x", ""), 0);
	ASSERT_EQ(AMATCH("x", "/"), 0);
}

struct prefix_log {
	size_t ends[8];
	size_t n;
	size_t stop_at;
};

static int log_prefix(void *ctx, size_t end)
{
	struct prefix_log *l = ctx;
	if (l->n < 8)
		l->ends[l->n] = end;
	l->n++;
	return l->n == l->stop_at ? 7 : 0;
}

static void test_pattern_each_prefix(void)
{
	/* Every folder the pattern names, shortest first, as prefix lengths
	 * that end where a component ends. */
	struct exs_pattern p;
	ASSERT_EQ(exs_pattern_compile("V15/Logging", &p), EXS_OK);
	const char *path = "/x/V15/Logging/V15/Logging/f";
	struct prefix_log l = { { 0 }, 0, 0 };
	int rc = exs_pattern_each_prefix(&p, path, strlen(path), '/', log_prefix,
					 &l);
	struct prefix_log stop = { { 0 }, 0, 1 };
	int stopped = exs_pattern_each_prefix(&p, path, strlen(path), '/',
					      log_prefix, &stop);
	exs_pattern_free(&p);
	ASSERT_EQ(rc, 0);
	ASSERT_EQ(l.n, 2);
	ASSERT_EQ(l.ends[0], 14); /* "/x/V15/Logging" */
	ASSERT_EQ(l.ends[1], 26);
	ASSERT_EQ(stopped, 7);    /* fn's value, at the first one */
	ASSERT_EQ(stop.n, 1);

	/* The whole path counts too, and doubled separators do not shift it. */
	ASSERT_EQ(exs_pattern_compile("*.log", &p), EXS_OK);
	struct prefix_log all = { { 0 }, 0, 0 };
	exs_pattern_each_prefix(&p, "a.log//b/c.LOG", 14, '/', log_prefix, &all);
	exs_pattern_free(&p);
	ASSERT_EQ(all.n, 2);
	ASSERT_EQ(all.ends[0], 5);
	ASSERT_EQ(all.ends[1], 14);
}

/* ---- Against a reference ------------------------------------------------
 *
 * The matcher runs as an NFA for speed; this is the definition it must
 * agree with, written as directly as the README states it and as slowly
 * (exponential in the number of "**"), on small generated cases. */

#define REF_MAX 16

struct ref_parts {
	const char *s[REF_MAX];
	size_t len[REF_MAX];
	size_t n;
};

static int ref_fold(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

/* Splits s at any byte of seps, dropping empty pieces. */
static void ref_split(const char *s, const char *seps, struct ref_parts *out)
{
	out->n = 0;
	while (*s) {
		size_t n = strcspn(s, seps);
		if (n && out->n < REF_MAX) {
			out->s[out->n] = s;
			out->len[out->n++] = n;
		}
		s += n;
		if (*s)
			s++;
	}
}

static int ref_glob(const char *p, size_t pn, const char *s, size_t sn)
{
	if (!pn)
		return sn == 0;
	if (*p == '*')
		return ref_glob(p + 1, pn - 1, s, sn) ||
		       (sn && ref_glob(p, pn, s + 1, sn - 1));
	if (!sn)
		return 0;
	if (*p != '?' && ref_fold((unsigned char)*p) != ref_fold((unsigned char)*s))
		return 0;
	return ref_glob(p + 1, pn - 1, s + 1, sn - 1);
}

static int ref_parts_match(const struct ref_parts *pat, size_t i,
			   const struct ref_parts *path, size_t j, size_t end)
{
	if (i == pat->n)
		return j == end;
	if (pat->len[i] == 2 && memcmp(pat->s[i], "**", 2) == 0)
		return ref_parts_match(pat, i + 1, path, j, end) ||
		       (j < end && ref_parts_match(pat, i, path, j + 1, end));
	return j < end &&
	       ref_glob(pat->s[i], pat->len[i], path->s[j], path->len[j]) &&
	       ref_parts_match(pat, i + 1, path, j + 1, end);
}

static int ref_match(const char *pattern, const char *path, char sep,
		     int ancestor)
{
	struct ref_parts pat, comps;
	char seps[2] = { sep, '\0' };
	ref_split(pattern, "/\\", &pat);
	ref_split(path, seps, &comps);
	int anchored = pattern[0] == '/' || pattern[0] == '\\' ||
		       (((pattern[0] | 0x20) >= 'a' && (pattern[0] | 0x20) <= 'z') &&
			pattern[1] == ':');
	/* The path itself, or with ancestor any non-empty prefix of it. */
	for (size_t end = ancestor ? 1 : comps.n; end <= comps.n; end++)
		for (size_t start = 0; start <= (anchored ? 0 : end); start++)
			if (ref_parts_match(&pat, 0, &comps, start, end))
				return 1;
	return 0;
}

static uint64_t ref_seed = 12345;

static unsigned ref_rand(unsigned n)
{
	ref_seed = ref_seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (unsigned)((ref_seed >> 33) % n);
}

static void test_pattern_matches_reference(void)
{
	static const char *const pat_parts[] = {
		"a", "b", "A", "ab", "*", "**", "**", "?", "a*", "*b", "a?",
		"*a*", "**b", "x.log", "*.LOG", "c:",
	};
	static const char *const path_parts[] = {
		"a", "b", "B", "ab", "aB", "ba", "abb", "x.log", "X.Log", "c:",
		"", "a\\b",
	};
	char pattern[128], path[160];
	for (unsigned k = 0; k < 40000; k++) {
		size_t n = 0;
		unsigned np = 1 + ref_rand(6), nc = ref_rand(10);
		switch (ref_rand(4)) {
		case 0: pattern[n++] = '/'; break;
		case 1: pattern[n++] = '\\'; break;
		default: break;
		}
		for (unsigned i = 0; i < np; i++) {
			const char *t = pat_parts[ref_rand(16)];
			if (i)
				pattern[n++] = ref_rand(3) ? '/' : '\\';
			memcpy(pattern + n, t, strlen(t));
			n += strlen(t);
		}
		pattern[n] = '\0';
		char sep = ref_rand(2) ? '/' : '\\';
		n = 0;
		if (ref_rand(2))
			path[n++] = sep;
		for (unsigned i = 0; i < nc; i++) {
			const char *t = path_parts[ref_rand(12)];
			if (i)
				path[n++] = sep;
			memcpy(path + n, t, strlen(t));
			n += strlen(t);
		}
		path[n] = '\0';
		int ancestor = (int)ref_rand(2);
		int want = ref_match(pattern, path, sep, ancestor);
		int got = match_with(pattern, path, sep, ancestor);
		if (got != want)
			TEST_FAIL_("case %u: pattern '%s' path '%s' sep '%c'%s: "
				   "got %d, the reference says %d", k, pattern,
				   path, sep, ancestor ? " (ancestor)" : "", got,
				   want);
	}
}

/* ---- Depth and cost ------------------------------------------------------ */

/* "/d/d/.../d" (depth components) plus tail, in a malloc'd string. */
static char *deep_path(size_t depth, const char *tail)
{
	size_t n = 0, tl = strlen(tail);
	char *p = malloc(depth * 2 + tl + 2);
	if (!p)
		return NULL;
	for (size_t i = 0; i < depth; i++) {
		p[n++] = '/';
		p[n++] = 'd';
	}
	p[n++] = '/';
	memcpy(p + n, tail, tl + 1);
	return p;
}

static void test_pattern_any_depth(void)
{
	/* Deeper than the walker's max_depth: patterns still apply. */
	char *p = deep_path(5000, "Secret");
	ASSERT_TRUE(p != NULL);
	int suffix = MATCH("secret", p), anchored = MATCH("/d/**/Secret", p);
	int below = AMATCH("/d/d/**", p), star = MATCH("**/d/*/**/d/Secret", p);
	int miss = MATCH("/d/Secret", p), wrong = MATCH("**/e/**", p);
	free(p);
	ASSERT_EQ(suffix, 1);
	ASSERT_EQ(anchored, 1);
	ASSERT_EQ(below, 1);
	ASSERT_EQ(star, 1);
	ASSERT_EQ(miss, 0);
	ASSERT_EQ(wrong, 0);
}

static void test_pattern_cost_is_linear(void)
{
	/* Eight "**" against a deep path that almost matches: a backtracking
	 * search tries every split and would not finish. The answer must come,
	 * and be right, both when it matches and when it only nearly does. */
	const char *pat = "**/*/**/*/**/*/**/*/**/*/**/*/**/*/**/z";
	char *hit = deep_path(3000, "z"), *miss = deep_path(3000, "y");
	ASSERT_TRUE(hit && miss);
	int h = MATCH(pat, hit), m = MATCH(pat, miss), am = AMATCH(pat, miss);
	int shallow = MATCH(pat, "/d/d/d/d/d/d/z"), enough = MATCH(pat, "/d/d/d/d/d/d/d/z");
	free(hit);
	free(miss);
	ASSERT_EQ(h, 1);
	ASSERT_EQ(m, 0);
	ASSERT_EQ(am, 0);
	ASSERT_EQ(shallow, 0); /* seven '*' need seven components before z */
	ASSERT_EQ(enough, 1);
}

static void test_pattern_part_limit(void)
{
	/* The matcher's state is bounded: a pattern of more components than
	 * EXS_PATTERN_MAX_PARTS is refused, one at the limit works. */
	size_t n = EXS_PATTERN_MAX_PARTS;
	char *text = malloc(2 * (n + 1) + 1);
	ASSERT_TRUE(text != NULL);
	for (size_t i = 0; i < n; i++)
		memcpy(text + 2 * i, "*/", 2);
	text[2 * n - 1] = '\0';
	struct exs_pattern p;
	int at_limit = exs_pattern_compile(text, &p);
	size_t count = p.count;
	char *path = deep_path(n - 1, "last");
	int hit = at_limit == EXS_OK && path &&
		  exs_pattern_match(&p, path, strlen(path), '/');
	int short_miss = at_limit == EXS_OK && path &&
		  exs_pattern_match(&p, path + 2, strlen(path + 2), '/');
	exs_pattern_free(&p);
	free(path);
	memcpy(text + 2 * n - 1, "/*", 3);
	int over = exs_pattern_compile(text, &p);
	free(text);
	ASSERT_EQ(at_limit, EXS_OK);
	ASSERT_EQ(count, n);
	ASSERT_EQ(hit, 1);
	ASSERT_EQ(short_miss, 0);
	ASSERT_EQ(over, EXS_LIMIT);
}

/* ---- Containment -------------------------------------------------------- */

static void test_path_within(void)
{
	ASSERT_EQ(WITHIN("/a/b", "/a/b", '/', 0), 1);        /* equal */
	ASSERT_EQ(WITHIN("/a/b/c", "/a/b", '/', 0), 1);      /* below */
	ASSERT_EQ(WITHIN("/a/b/c/d", "/a/b", '/', 0), 1);
	ASSERT_EQ(WITHIN("/a/bc", "/a/b", '/', 0), 0);       /* sibling prefix */
	ASSERT_EQ(WITHIN("/a/bc/d", "/a/b", '/', 0), 0);
	ASSERT_EQ(WITHIN("/a", "/a/b", '/', 0), 0);          /* above */
	ASSERT_EQ(WITHIN("/x/b", "/a/b", '/', 0), 0);
	/* A trailing separator on the root is ignored. */
	ASSERT_EQ(WITHIN("/a/b", "/a/b/", '/', 0), 1);
	ASSERT_EQ(WITHIN("/a/b/c", "/a/b/", '/', 0), 1);
	ASSERT_EQ(WITHIN("/a/b/c", "/a/b//", '/', 0), 1);
	ASSERT_EQ(WITHIN("/a/bc", "/a/b/", '/', 0), 0);
	/* The root of everything. */
	ASSERT_EQ(WITHIN("/", "/", '/', 0), 1);
	ASSERT_EQ(WITHIN("/etc/passwd", "/", '/', 0), 1);
	ASSERT_EQ(WITHIN("/etc", "//", '/', 0), 1);
	ASSERT_EQ(WITHIN("relative", "/", '/', 0), 0);
	/* Case folding on and off. */
	ASSERT_EQ(WITHIN("/A/B/c", "/a/b", '/', 1), 1);
	ASSERT_EQ(WITHIN("/A/B/c", "/a/b", '/', 0), 0);
	ASSERT_EQ(WITHIN("/A/BC", "/a/b", '/', 1), 0);
	/* Windows paths. */
	ASSERT_EQ(WITHIN("C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx",
			 "c:\\Inetpub\\WWWROOT", '\\', 1), 1);
	ASSERT_EQ(WITHIN("C:\\inetpub\\wwwroot2\\x.aspx", "C:\\inetpub\\wwwroot",
			 '\\', 1), 0);
	ASSERT_EQ(WITHIN("C:\\x", "C:\\", '\\', 1), 1);
	ASSERT_EQ(WITHIN("C:", "C:\\", '\\', 1), 1);
	ASSERT_EQ(WITHIN("D:\\x", "C:\\", '\\', 1), 0);
	/* With sep '\\' a '/' is no boundary. */
	ASSERT_EQ(WITHIN("C:\\a/b", "C:\\a", '\\', 1), 0);
	/* Lengths are honoured: bytes after path_len are not read. */
	ASSERT_EQ(exs_path_within("/a/b/c", 4, "/a/b", 4, '/', 0), 1);
	ASSERT_EQ(exs_path_within("/a/bc", 4, "/a/b", 4, '/', 0), 1);
}

static void test_path_trim(void)
{
	ASSERT_EQ(exs_path_trim("/a/b///", 7, '/'), 4);
	ASSERT_EQ(exs_path_trim("/a/b", 4, '/'), 4);
	ASSERT_EQ(exs_path_trim("/", 1, '/'), 1);
	ASSERT_EQ(exs_path_trim("///", 3, '/'), 1);
	ASSERT_EQ(exs_path_trim("C:\\", 3, '\\'), 2);
}

/* ---- Names -------------------------------------------------------------- */

static void test_basename(void)
{
	size_t n;
	const char *b = exs_path_basename("/a/b/c.txt", 10, '/', &n);
	ASSERT_EQ(n, 5);
	ASSERT_MEM_EQ(b, "c.txt", 5);
	b = exs_path_basename("c.txt", 5, '/', &n);
	ASSERT_EQ(n, 5);
	ASSERT_MEM_EQ(b, "c.txt", 5);
	b = exs_path_basename("/a/b/", 5, '/', &n);
	ASSERT_EQ(n, 0);
	b = exs_path_basename("C:\\x\\Shell.ASPX", 15, '\\', &n);
	ASSERT_EQ(n, 10);
	ASSERT_MEM_EQ(b, "Shell.ASPX", 10);
	/* With sep '/' a backslash belongs to the name. */
	b = exs_path_basename("/a/b\\c", 6, '/', &n);
	ASSERT_EQ(n, 3);
	ASSERT_MEM_EQ(b, "b\\c", 3);
}

static void ext_of(const char *base, char *ext, size_t cap)
{
	exs_path_extension(base, strlen(base), ext, cap);
}

static void test_extension(void)
{
	char ext[16];
	ext_of("noext", ext, sizeof(ext));
	ASSERT_STR_EQ(ext, "");
	ext_of(".htaccess", ext, sizeof(ext));     /* leading dot: no extension */
	ASSERT_STR_EQ(ext, "");
	ext_of("x.aspx.txt", ext, sizeof(ext));    /* the last one counts */
	ASSERT_STR_EQ(ext, "txt");
	ext_of("x.txt.aspx", ext, sizeof(ext));
	ASSERT_STR_EQ(ext, "aspx");
	ext_of("SHELL.ASPX", ext, sizeof(ext));
	ASSERT_STR_EQ(ext, "aspx");
	ext_of("Mixed.AsHx", ext, sizeof(ext));
	ASSERT_STR_EQ(ext, "ashx");
	ext_of("trailing.", ext, sizeof(ext));
	ASSERT_STR_EQ(ext, "");
	ext_of(".config.bak", ext, sizeof(ext));
	ASSERT_STR_EQ(ext, "bak");
	ext_of("x.aspx", ext, 3);                  /* cut to fit, terminated */
	ASSERT_STR_EQ(ext, "as");
	ext[0] = 'Z';
	exs_path_extension("x.aspx", 6, ext, 0);   /* no room: nothing written */
	ASSERT_EQ(ext[0], 'Z');
}

static void normal_is(const char *in, const char *seps, char sep, int drives,
		      const char *want)
{
	char out[256];
	size_t n = exs_path_normalise(in, strlen(in), seps, sep, drives, out);
	ASSERT_EQ(n, strlen(out));
	ASSERT_STR_EQ(out, want);
}

/* One spelling per path: the platform's separator, no doubles, no ".", no
 * trailing separator; drive roots, UNC and verbatim prefixes survive. */
static void test_normalise_windows(void)
{
	const char *w = "\\/";
	normal_is("C:/inetpub/wwwroot", w, '\\', 1, "C:\\inetpub\\wwwroot");
	normal_is("X/Bin", w, '\\', 1, "X\\Bin");
	normal_is("X\\Bin\\", w, '\\', 1, "X\\Bin");
	normal_is("X//./Bin/\\a.dll", w, '\\', 1, "X\\Bin\\a.dll");
	normal_is("C:/", w, '\\', 1, "C:\\");
	normal_is("C:\\", w, '\\', 1, "C:\\");
	normal_is("C:", w, '\\', 1, "C:");
	normal_is("C:x/y", w, '\\', 1, "C:x\\y");
	normal_is("/", w, '\\', 1, "\\");
	normal_is("//server/share/x/", w, '\\', 1, "\\\\server\\share\\x");
	normal_is("\\\\?\\C:\\x", w, '\\', 1, "\\\\?\\C:\\x");
	normal_is("\\\\.\\pipe\\p", w, '\\', 1, "\\\\.\\pipe\\p");
	normal_is("a\\..\\b", w, '\\', 1, "a\\..\\b");
	normal_is("./", w, '\\', 1, ".");
	normal_is("", w, '\\', 1, "");
}

static void test_normalise_posix(void)
{
	/* A backslash is a byte of a POSIX name, never a separator. */
	normal_is("/srv//x/./y/", "/", '/', 0, "/srv/x/y");
	normal_is("a\\b/c", "/", '/', 0, "a\\b/c");
	normal_is("//x", "/", '/', 0, "/x");
	normal_is("/", "/", '/', 0, "/");
	normal_is("./tree", "/", '/', 0, "tree");
	normal_is("C:/", "/", '/', 0, "C:");
}

static void test_path_equal(void)
{
	ASSERT_TRUE(exs_path_equal("C:\\Bin\\A.dll", 12, "c:\\bin\\a.DLL", 12, 1));
	ASSERT_TRUE(!exs_path_equal("C:\\Bin\\A.dll", 12, "c:\\bin\\a.DLL", 12, 0));
	ASSERT_TRUE(!exs_path_equal("a", 1, "ab", 2, 1));
	ASSERT_TRUE(exs_path_equal("/x/y", 4, "/x/y", 4, 0));
}

int main(void)
{
	RUN(test_pattern_compile);
	RUN(test_pattern_suffix_on_boundaries);
	RUN(test_pattern_case_insensitive);
	RUN(test_pattern_separators);
	RUN(test_pattern_wildcards);
	RUN(test_pattern_double_star);
	RUN(test_pattern_anchored);
	RUN(test_pattern_ancestor);
	RUN(test_pattern_each_prefix);
	RUN(test_pattern_matches_reference);
	RUN(test_pattern_any_depth);
	RUN(test_pattern_cost_is_linear);
	RUN(test_pattern_part_limit);
	RUN(test_path_within);
	RUN(test_path_trim);
	RUN(test_basename);
	RUN(test_extension);
	RUN(test_normalise_windows);
	RUN(test_normalise_posix);
	RUN(test_path_equal);
	return TEST_EXIT();
}
