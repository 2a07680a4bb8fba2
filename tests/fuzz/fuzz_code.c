/* fuzz_code.c -- libFuzzer harness for detect/code (extraction, lexing,
 * normalisation, flow) with a standalone replay and hostile-input driver.
 *
 * The first input byte picks the file name (and so the language and the
 * extraction rules); the rest is the file. Built two ways:
 *   harness:  one of tests/fuzz/meson.build's fuzz_harnesses, compiled with
 *             EXS_FUZZ_NO_DRIVER: main is libFuzzer's (tools/fuzz code,
 *             build-fuzz/) or replay.c's (the test 'fuzz-code-replay' over
 *             make-seeds' code seeds and regressions/code/).
 *   driver:   tests/unit/meson.build builds it with the main below, which
 *             replays the files named on the command line, or, with none,
 *             runs the built-in hostile inputs: deep nesting, 16 MiB of one
 *             token, unterminated strings and comments, a base64-of-base64
 *             bomb, UTF-16 noise. It fails (exit 1) when an input takes
 *             longer than the budget or the analysis reports out of memory;
 *             crashes are left to the sanitizers. meson runs it as the unit
 *             test `fuzz-code-hostile`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "code.h"
#include "fuzz.h"

static const char *const names[] = {
	"a.aspx", "a.asp", "a.ashx", "a.asmx", "a.cs", "a.vb", "a.txt", "a.config",
	"a.png", "a.asa", "a.cer", "a.asax", "a.svc", "a.log", "a", "a.aspx.txt",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *name = names[data[0] % (sizeof(names) / sizeof(*names))];
	struct exs_code_result r;
	exs_code_analyse(data + 1, size - 1, name, strlen(name), &r);
	if (r.count > EXS_CODE_FINDINGS_MAX)
		abort();
	for (unsigned i = 0; i < r.count; i++)
		if (!memchr(r.findings[i].explanation, 0, sizeof(r.findings[i].explanation)))
			abort();
	return 0;
}

#ifndef EXS_FUZZ_NO_DRIVER

struct gen {
	unsigned char *p;
	size_t n, cap;
};

static void put(struct gen *g, const char *s, size_t n)
{
	if (g->n + n > g->cap) {
		size_t cap = g->cap ? g->cap : 4096;
		while (cap < g->n + n)
			cap *= 2;
		unsigned char *p = realloc(g->p, cap);
		if (!p) {
			perror("realloc");
			exit(2);
		}
		g->p = p;
		g->cap = cap;
	}
	memcpy(g->p + g->n, s, n);
	g->n += n;
}

static void puts_(struct gen *g, const char *s)
{
	put(g, s, strlen(s));
}

static void repeat(struct gen *g, const char *s, size_t times)
{
	for (size_t i = 0; i < times; i++)
		puts_(g, s);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(const unsigned char *in, size_t n, struct gen *out)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);
		char q[4] = { b64[v >> 18 & 63], b64[v >> 12 & 63],
			      i + 1 < n ? b64[v >> 6 & 63] : '=', i + 2 < n ? b64[v & 63] : '=' };
		put(out, q, 4);
	}
}

static int run(const char *what, const char *name, const unsigned char *d, size_t n)
{
	clock_t t0 = clock();
	struct exs_code_result r;
	int rc = exs_code_analyse(d, n, name, strlen(name), &r);
	double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
	int ok = rc == 0 && s < 20.0;
	printf("%s %-28s %9zu bytes %6.2f s %u findings%s\n", ok ? "ok  " : "FAIL", what, n, s,
	       r.count, r.truncated ? " (a limit cut it short)" : "");
	return ok;
}

static int hostile(void)
{
	int ok = 1;
	struct gen g = { 0 };
#define CASE(label, file) do { ok &= run(label, file, g.p, g.n); g.n = 0; } while (0)
	puts_(&g, "<%@ Page Language=\"JScript\" %><% eval(");
	repeat(&g, "(", 1u << 20);
	puts_(&g, "Request.Item[\"x\"]");
	repeat(&g, ")", 1u << 20);
	puts_(&g, "); %>");
	CASE("deep parentheses", "a.aspx");
	puts_(&g, "<% x = ");
	repeat(&g, "{[", 1u << 19);
	CASE("deep unclosed braces", "a.aspx");
	puts_(&g, "<% ");
	repeat(&g, "a", 16u << 20);
	puts_(&g, " %>");
	CASE("16 MiB identifier", "a.aspx");
	puts_(&g, "<% x = \"");
	repeat(&g, "\\u0065", (16u << 20) / 6);
	CASE("16 MiB unterminated string", "a.aspx");
	puts_(&g, "<% /* ");
	repeat(&g, "*", 8u << 20);
	CASE("unterminated comment", "a.aspx");
	puts_(&g, "<%\n");
	repeat(&g, "x = x & \"a\" & Chr(65) & \"b\"\n", 200000);
	puts_(&g, "Execute x\n%>");
	CASE("long VBScript concatenation", "a.asp");
	puts_(&g, "<% y = ");
	repeat(&g, "\"ab\" + ", 1u << 20);
	puts_(&g, "\"c\"; eval(y); %>");
	CASE("a million literals folded", "a.aspx");
	{
		/* base64 of base64 of ... of code, 12 levels */
		struct gen a = { 0 }, b = { 0 };
		puts_(&a, "eval(Request.Item[\"q\"], \"unsafe\")");
		for (int level = 0; level < 12; level++) {
			b.n = 0;
			puts_(&b, "eval(System.Text.Encoding.UTF8.GetString(System.Convert.FromBase64String(\"");
			base64(a.p, a.n, &b);
			puts_(&b, "\")))");
			a.n = 0;
			put(&a, (const char *)b.p, b.n);
		}
		puts_(&g, "<%@ Page Language=\"JScript\" %><% ");
		put(&g, (const char *)a.p, a.n);
		puts_(&g, " %>");
		free(a.p);
		free(b.p);
		CASE("base64 bomb (12 levels)", "a.aspx");
	}
	puts_(&g, "<% x = \"");
	repeat(&g, "QUFB", 4u << 20);
	puts_(&g, "\"; %>");
	CASE("16 MiB base64 literal", "a.aspx");
	for (size_t i = 0; i < (4u << 20); i++) {
		char c = (char)((i * 2654435761u) >> 13);
		put(&g, &c, 1);
	}
	CASE("noise", "a.txt");
	put(&g, "\xff\xfe", 2);
	for (size_t i = 0; i < (1u << 20); i++)
		put(&g, i % 7 ? "<\0%\0" : "\"\0\0\xd8", 4);
	CASE("UTF-16 noise", "a.aspx");
	repeat(&g, "<script runat=server language=vb>Function f(a)\nf = f(a)\nEnd Function\n", 100000);
	CASE("many functions", "a.aspx");
	repeat(&g, "<%", 1u << 20);
	CASE("a million openers", "a.asp");
	free(g.p);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return hostile() ? 0 : 1;
	int ok = 1;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 2;
		}
		struct gen g = { 0 };
		char buf[65536];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			put(&g, buf, n);
		fclose(f);
		if (g.n)
			LLVMFuzzerTestOneInput(g.p, g.n);
		ok &= run(argv[i], "replay", g.p ? g.p : (const unsigned char *)"", g.n);
		free(g.p);
	}
	return ok ? 0 : 1;
}
#endif
