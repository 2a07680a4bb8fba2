/* fuzz_content.c -- the content path: the built-in YARA rules
 * (scanner/rules.c over libyara) and the heuristics (scanner/heuristics.c)
 * on arbitrary file contents, at arbitrary paths.
 *
 * Input: a flag byte, then the file's path up to the first '\n', then its
 * bytes. Flag bits 0-2 pick the `filetype` external (as sweep.c sniffs it);
 * a path holding '\' is judged with Windows separators. The rules are
 * compiled once per process, as the tool does, and each input is scanned
 * as a web-root file is in init.
 *
 * Properties: a scan ends in success or a timeout, never another error;
 * every hit is well formed (terminated names, at most EXS_HIT_STRINGS_MAX
 * strings) and every string it quotes lies inside the file, with an excerpt
 * that is exactly the file's bytes at that offset; heuristic hits are in
 * namespace "heuristic".
 */
#include <string.h>

#include "fuzz.h"
#include "heuristics.h"
#include "path.h"
#include "rules.h"

#define PATH_MAX_BYTES 1024
#define SCAN_TIMEOUT_S 10

static struct exs_rules *rules;
static struct exs_scanner *scanner;
static struct exs_heuristics *heuristics_posix, *heuristics_windows;

static const char *const filetypes[] = { "", "EXE", "ZIP", "GIF", "JPEG",
					 "PNG", "PST", "PDF" };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct exs_error err;
	struct exs_strlist warnings = { 0 };
	(void)argc;
	(void)argv;
	exs_error_clear(&err);
	FUZZ_CHECK(exs_rules_library_init(&err) == EXS_OK, "libyara: %s",
		   err.detail);
	int rc = exs_rules_load(exs_platform_native(), NULL, 1, &warnings,
				&rules, &err);
	FUZZ_CHECK(rc == EXS_OK, "the built-in rules do not compile: %s: %s",
		   err.where, err.detail);
	exs_strlist_free(&warnings);
	FUZZ_CHECK(exs_scanner_create(rules, SCAN_TIMEOUT_S, &scanner, &err) ==
		   EXS_OK, "exs_scanner_create");
	FUZZ_CHECK(exs_heuristics_load('/', &heuristics_posix, &err) == EXS_OK &&
		   exs_heuristics_load('\\', &heuristics_windows, &err) == EXS_OK,
		   "the heuristics do not load: %s: %s", err.where, err.detail);
	return 0;
}

static void check_hits(const char *what, const struct exs_hit *hits,
		       size_t count, const uint8_t *data, size_t len,
		       const char *ns)
{
	for (size_t i = 0; i < count; i++) {
		const struct exs_hit *h = &hits[i];
		FUZZ_CHECK(memchr(h->rule, 0, sizeof(h->rule)) && h->rule[0] &&
			   memchr(h->ns, 0, sizeof(h->ns)) &&
			   memchr(h->tags, 0, sizeof(h->tags)) &&
			   memchr(h->description, 0, sizeof(h->description)) &&
			   memchr(h->family, 0, sizeof(h->family)) &&
			   memchr(h->severity, 0, sizeof(h->severity)),
			   "%s hit %zu: a name is empty or unterminated", what, i);
		FUZZ_CHECK(!ns || !strcmp(h->ns, ns), "%s hit '%s' in namespace "
			   "'%s'", what, h->rule, h->ns);
		FUZZ_CHECK(h->string_count <= EXS_HIT_STRINGS_MAX,
			   "%s hit '%s': %u strings", what, h->rule,
			   h->string_count);
		for (unsigned j = 0; j < h->string_count; j++) {
			const struct exs_hit_string *s = &h->strings[j];
			FUZZ_CHECK(memchr(s->id, 0, sizeof(s->id)) != NULL,
				   "%s hit '%s': unterminated string id", what,
				   h->rule);
			FUZZ_CHECK(s->offset <= len && s->length <= len - s->offset,
				   "%s hit '%s' %s: offset %llu length %u in a "
				   "file of %zu bytes", what, h->rule, s->id,
				   (unsigned long long)s->offset, s->length, len);
			FUZZ_CHECK(s->excerpt_len <= EXS_EXCERPT_MAX &&
				   s->excerpt_len <= len - s->offset,
				   "%s hit '%s' %s: excerpt of %u bytes", what,
				   h->rule, s->id, s->excerpt_len);
			FUZZ_CHECK(!s->excerpt_len ||
				   !memcmp(s->excerpt, data + s->offset,
					   s->excerpt_len),
				   "%s hit '%s' %s: the excerpt is not the file's "
				   "bytes", what, h->rule, s->id);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *filetype = filetypes[data[0] & 7];
	const uint8_t *rest = data + 1;
	size_t rest_len = size - 1;
	const uint8_t *nl = memchr(rest, '\n', rest_len);
	size_t path_len = nl ? (size_t)(nl - rest) : 0;
	if (path_len >= PATH_MAX_BYTES)
		return 0;
	char path[PATH_MAX_BYTES];
	memcpy(path, rest, path_len);
	path[path_len] = '\0';
	const uint8_t *content = nl ? nl + 1 : rest;
	size_t len = (size_t)(rest + rest_len - content);
	char sep = memchr(path, '\\', path_len) ? '\\' : '/';

	/* The externals, as sweep.c sets them. */
	size_t base_len;
	const char *base = exs_path_basename(path, path_len, sep, &base_len);
	char ext[64] = ".";
	exs_path_extension(base, base_len, ext + 1, sizeof(ext) - 1);
	if (!ext[1])
		ext[0] = '\0';
	struct exs_scan_vars vars = {
		.filename = base,
		.filepath = path,
		.extension = ext,
		.filetype = filetype,
		.owner = "0:0",
	};
	struct exs_hit *hits = NULL;
	size_t count = 0;
	struct exs_error err;
	exs_error_clear(&err);
	int rc = exs_scanner_scan(scanner, content, len, &vars, &hits, &count,
				  &err);
	FUZZ_CHECK(rc == EXS_OK || rc == EXS_TIMEOUT, "the scan failed: %d %s",
		   rc, err.detail);
	check_hits("yara", hits, count, content, len, NULL);
	free(hits);

	hits = NULL;
	count = 0;
	rc = exs_heuristics_check(sep == '/' ? heuristics_posix
					     : heuristics_windows,
				  path, path_len, content, len, &hits, &count);
	FUZZ_CHECK(rc == EXS_OK, "the heuristics failed: %d", rc);
	check_hits("heuristic", hits, count, content, len, "heuristic");
	free(hits);
	return 0;
}
