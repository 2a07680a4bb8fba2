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
 * copy in a buffer of exactly the input's size). And exsweep's way of
 * running the built-in rules (scanner/rules.c: the global rule alone, as
 * an ordinary rule, then the other rules where it matched) matches exactly
 * the rules that libyara matches with the texts compiled as they are, the
 * global rule a global rule, under a name the global rule does not open
 * for (.js) and one it does (.aspx); under .aspx so does the VIEW set (the
 * built-in rules without the global rule), which the judge runs on such
 * names.
 */
#include <string.h>
#include <unistd.h>

#include <yara.h>

#include "fuzz.h"
#include "gate.h"
#include "rules.h"

#define SCAN_TIMEOUT_S 10

static struct exs_rules *rules;
static struct exs_scanner *scanner;
/* The reference: the built-in texts in one libyara compiler, as the yara
 * CLI compiles yara-rules/. */
static YR_RULES *reference;
static YR_SCANNER *ref_scanner;
#define REF_HITS_MAX 128
static const char *ref_hits[REF_HITS_MAX];
static size_t ref_count;

static void ref_compile_error(int level, const char *file, int line,
			      const YR_RULE *rule, const char *message,
			      void *user)
{
	(void)file;
	(void)rule;
	(void)user;
	FUZZ_CHECK(level != YARA_ERROR_LEVEL_ERROR,
		   "the reference rules do not compile: line %d: %s", line,
		   message);
}

static int ref_callback(YR_SCAN_CONTEXT *context, int message, void *data,
			void *user)
{
	(void)context;
	(void)user;
	if (message == CALLBACK_MSG_RULE_MATCHING) {
		FUZZ_CHECK(ref_count < REF_HITS_MAX, "too many reference hits");
		ref_hits[ref_count++] = ((const YR_RULE *)data)->identifier;
	}
	return CALLBACK_CONTINUE;
}

static void make_reference(void)
{
	YR_COMPILER *c;
	FUZZ_CHECK(yr_compiler_create(&c) == ERROR_SUCCESS, "yr_compiler_create");
	yr_compiler_set_callback(c, ref_compile_error, NULL);
	static const char *const names[] = { "filename", "filepath", "extension",
					     "filetype", "owner" };
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		yr_compiler_define_string_variable(c, names[i], "");
	for (size_t i = 0; i < exs_builtin_rule_count; i++)
		FUZZ_CHECK(yr_compiler_add_string(c, exs_builtin_rules[i].text,
						  "exsweep") == 0,
			   "%s does not compile", exs_builtin_rules[i].name);
	FUZZ_CHECK(yr_compiler_get_rules(c, &reference) == ERROR_SUCCESS,
		   "yr_compiler_get_rules");
	yr_compiler_destroy(c);
	FUZZ_CHECK(yr_scanner_create(reference, &ref_scanner) == ERROR_SUCCESS,
		   "yr_scanner_create");
	yr_scanner_set_timeout(ref_scanner, SCAN_TIMEOUT_S);
	yr_scanner_set_callback(ref_scanner, ref_callback, NULL);
}

/* The rules the reference matches on the n bytes at p under vars; -1 when
 * it timed out. */
static int ref_scan(const uint8_t *p, size_t n, const struct exs_scan_vars *v)
{
	static const uint8_t empty[1];
	yr_scanner_define_string_variable(ref_scanner, "filename", v->filename);
	yr_scanner_define_string_variable(ref_scanner, "filepath", v->filepath);
	yr_scanner_define_string_variable(ref_scanner, "extension", v->extension);
	yr_scanner_define_string_variable(ref_scanner, "filetype", v->filetype);
	yr_scanner_define_string_variable(ref_scanner, "owner", v->owner);
	ref_count = 0;
	int rc = yr_scanner_scan_mem(ref_scanner, n ? p : empty, n);
	if (rc == ERROR_SCAN_TIMEOUT)
		return -1;
	FUZZ_CHECK(rc == ERROR_SUCCESS, "reference scan failed (%d)", rc);
	return 0;
}

/* exsweep's sets (EXS_RULESET() bits) against the reference under vars. */
static void same_as_reference(const uint8_t *p, size_t n, unsigned sets,
			      const struct exs_scan_vars *v, const char *what)
{
	if (ref_scan(p, n, v) < 0)
		return;
	struct exs_hit *hits = NULL;
	size_t count = 0;
	struct exs_error err;
	exs_error_clear(&err);
	int rc = exs_scanner_scan_sets(scanner, sets, p, n, v, &hits, &count,
				       &err);
	if (rc == EXS_TIMEOUT) {
		free(hits);
		return;
	}
	FUZZ_CHECK(rc == EXS_OK, "scan failed: %s", err.detail);
	FUZZ_CHECK(count == ref_count, "%s under %s: %zu rules match, %zu with "
		   "the texts compiled as they are", what, v->extension, count,
		   ref_count);
	for (size_t i = 0; i < count; i++)
		FUZZ_CHECK(!strcmp(hits[i].rule, ref_hits[i]), "%s under %s, hit "
			   "%zu: %s, with the texts compiled as they are %s",
			   what, v->extension, i, hits[i].rule, ref_hits[i]);
	free(hits);
}
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
	make_reference();
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
	struct exs_scan_vars js = { "f.js", "/w/f.js", ".js", "", "" };
	struct exs_scan_vars aspx = { "f.aspx", "/w/f.aspx", ".aspx", "", "" };
	same_as_reference(copy, size, EXS_RULESET(EXS_RULESET_BUILTIN), &js,
			  "the built-in rules");
	same_as_reference(copy, size, EXS_RULESET(EXS_RULESET_BUILTIN), &aspx,
			  "the built-in rules");
	same_as_reference(copy, size, EXS_RULESET(EXS_RULESET_VIEW), &aspx,
			  "the built-in rules without the global rule");
	free(copy);
	return 0;
}
