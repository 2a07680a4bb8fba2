/* test_path.c -- exclude patterns, containment and file name parts.
 *
 * Exclude patterns decide what is never looked at, so a pattern that
 * matches one component too many hides a webshell, and containment decides
 * what counts as a web root: "/inetpub/wwwroot2" is not inside
 * "/inetpub/wwwroot". Every case below is a near miss of a real one.
 */
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
	RUN(test_path_within);
	RUN(test_path_trim);
	RUN(test_basename);
	RUN(test_extension);
	RUN(test_normalise_windows);
	RUN(test_normalise_posix);
	RUN(test_path_equal);
	return TEST_EXIT();
}
