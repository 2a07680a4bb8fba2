/* fuzz_gate.c -- the marker gate (detect/gate.c) on arbitrary bytes, against
 * the built-in rules it stands in for.
 *
 * Input: the file's bytes. The built-in rules are compiled once; so is a
 * copy of their global rule ExSweep_Server_Code (yara-rules/server_code.yar)
 * as an ordinary, reporting rule in a set of its own.
 *
 * Properties: when the gate finds no marker, no built-in rule matches and
 * the copy of the global rule does not either (the gate is never tighter
 * than the rule, so skipping the file changes no verdict); the PE flag is
 * set exactly when the bytes start with MZ and "PE\0\0" stands where
 * e_lfanew points; the SIMD filter gives the plain search's answer; the
 * answer does not depend on anything past the input (it is the same for a
 * copy in a buffer of exactly the input's size). And under an extension
 * the global rule opens for (.aspx), the built-in rules without it (the
 * VIEW set, which the judge runs on such files) match exactly the rules
 * the whole set matches.
 */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "gate.h"
#include "rules.h"

#define SCAN_TIMEOUT_S 10

static struct exs_rules *rules;
static struct exs_scanner *scanner;
static char dir[256], file[300];

static void remove_files(void)
{
	remove(file);
	rmdir(dir);
}

/* The global rule's text, made an ordinary rule that reports its match. */
static char *global_rule_as_plain(void)
{
	for (size_t i = 0; i < exs_builtin_rule_count; i++) {
		if (!strstr(exs_builtin_rules[i].name, "server_code.yar"))
			continue;
		const char *t = exs_builtin_rules[i].text;
		const char *at = strstr(t, "global private rule");
		FUZZ_CHECK(at != NULL, "server_code.yar has no global private rule");
		size_t n = strlen(t);
		char *out = malloc(n + 1);
		FUZZ_CHECK(out != NULL, "malloc");
		size_t head = (size_t)(at - t);
		memcpy(out, t, head);
		strcpy(out + head, at + strlen("global private "));
		return out;
	}
	FUZZ_CHECK(0, "no built-in yara-rules/server_code.yar");
	return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct exs_error err;
	struct exs_strlist warnings = { 0 };
	(void)argc;
	(void)argv;
	exs_error_clear(&err);
	FUZZ_CHECK(exs_rules_library_init(&err) == EXS_OK, "libyara: %s",
		   err.detail);
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/exsweep-fuzz-gate-XXXXXX",
		 tmp && tmp[0] ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(dir), "cannot create a folder in '%s'", dir);
	snprintf(file, sizeof(file), "%s/server_code_plain.yar", dir);
	char *plain = global_rule_as_plain();
	FILE *f = fopen(file, "wb");
	FUZZ_CHECK(f && fputs(plain, f) >= 0 && fclose(f) == 0,
		   "cannot write '%s'", file);
	free(plain);
	atexit(remove_files);
	int rc = exs_rules_load(exs_platform_native(), dir, 1, &warnings,
				&rules, &err);
	FUZZ_CHECK(rc == EXS_OK, "the rules do not compile: %s: %s", err.where,
		   err.detail);
	exs_strlist_free(&warnings);
	FUZZ_CHECK(exs_scanner_create(rules, SCAN_TIMEOUT_S, &scanner, &err) ==
		   EXS_OK, "exs_scanner_create");
	return 0;
}

static int reference_pe(const uint8_t *p, size_t n)
{
	if (n < 0x40 || p[0] != 'M' || p[1] != 'Z')
		return 0;
	uint64_t e = p[0x3C] | (uint64_t)p[0x3D] << 8 | (uint64_t)p[0x3E] << 16 |
		     (uint64_t)p[0x3F] << 24;
	return e + 4 <= n && !memcmp(p + e, "PE\0\0", 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan sees any read past the end. */
	uint8_t *copy = malloc(size ? size : 1);
	FUZZ_CHECK(copy != NULL, "malloc");
	if (size)
		memcpy(copy, data, size);
	unsigned g = exs_gate_scan(copy, size);
	FUZZ_CHECK(!(g & ~(EXS_GATE_SCRIPT | EXS_GATE_PE)), "unknown flags %#x", g);
	unsigned plain = exs_gate_scan_scalar(copy, size);
	FUZZ_CHECK(g == plain, "the SIMD filter says %#x, the plain search %#x",
		   g, plain);
	FUZZ_CHECK(!!(g & EXS_GATE_PE) == reference_pe(copy, size),
		   "PE flag %d for a buffer the reference calls %d",
		   !!(g & EXS_GATE_PE), reference_pe(copy, size));
	if (!(g & EXS_GATE_SCRIPT)) {
		/* A name the gate does not open for by its extension. */
		struct exs_scan_vars vars = { "f.js", "/w/f.js", ".js", "", "" };
		struct exs_hit *hits = NULL;
		size_t count = 0;
		struct exs_error err;
		exs_error_clear(&err);
		int rc = exs_scanner_scan(scanner, copy, size, &vars, &hits, &count,
					  &err);
		FUZZ_CHECK(rc == EXS_OK || rc == EXS_TIMEOUT, "scan failed: %s",
			   err.detail);
		for (size_t i = 0; i < count; i++)
			FUZZ_CHECK(0, "the gate found no marker, but %s:%s matched",
				   hits[i].ns, hits[i].rule);
		free(hits);
	}
	/* Under a server extension, VIEW stands in for BUILTIN. */
	struct exs_scan_vars aspx = { "f.aspx", "/w/f.aspx", ".aspx", "", "" };
	struct exs_hit *hb = NULL, *hv = NULL;
	size_t nb = 0, nv = 0;
	struct exs_error eb, ev;
	exs_error_clear(&eb);
	exs_error_clear(&ev);
	int rb = exs_scanner_scan_sets(scanner, EXS_RULESET(EXS_RULESET_BUILTIN),
				       copy, size, &aspx, &hb, &nb, &eb);
	int rv = exs_scanner_scan_sets(scanner, EXS_RULESET(EXS_RULESET_VIEW),
				       copy, size, &aspx, &hv, &nv, &ev);
	if (rb == EXS_OK && rv == EXS_OK) {
		FUZZ_CHECK(nb == nv, "as .aspx the built-in rules match %zu "
			   "rules, the set without the global rule %zu", nb, nv);
		for (size_t i = 0; i < nb; i++)
			FUZZ_CHECK(!strcmp(hb[i].rule, hv[i].rule),
				   "as .aspx, hit %zu: %s with the global rule, "
				   "%s without", i, hb[i].rule, hv[i].rule);
	} else {
		FUZZ_CHECK((rb == EXS_OK || rb == EXS_TIMEOUT) &&
			   (rv == EXS_OK || rv == EXS_TIMEOUT),
			   "scan failed: %s %s", eb.detail, ev.detail);
	}
	free(hb);
	free(hv);
	free(copy);
	return 0;
}
