/* fuzz_config.c -- the configuration loader (exs_config_load_buffer) on
 * arbitrary INI text, over the POSIX and the Windows defaults.
 *
 * Properties:
 *  - a refused file is EXS_CONFIG with "fuzz.ini:LINE" (LINE within the
 *    file) and leaves the configuration exactly as it was;
 *  - an accepted file, with one more web root as -w gives it (the input's
 *    first line), dumps (exs_config_dump) to text that loads again and
 *    dumps the same, and loading the file twice changes nothing more;
 *  - exs_config_parse_size agrees with a reference on the first line.
 *
 *  - the defaults name files in the data folder: baseline.db and
 *    baseline.key, never the folder itself (issue 12 item 1);
 *  - every exclude the loader accepts compiles (the loader compiles them at
 *    load and refuses a bad one at its FILE:LINE, issue 12 item 5);
 *  - the round trip holds for every value, including the -w web root of
 *    any bytes but NUL and '\n' (a path from the command line is bytes, and
 *    may be invalid UTF-8), values that start with ';' or hold " ;" (the
 *    dump quotes them) and lines up to the loader's 8192 bytes (item 5).
 */
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "path.h"

static int place_posix(enum exs_place which, char *buf, size_t cap,
		       struct exs_error *err)
{
	(void)which;
	(void)err;
	snprintf(buf, cap, "/var/lib/exsweep");
	return EXS_OK;
}

static int place_windows(enum exs_place which, char *buf, size_t cap,
			 struct exs_error *err)
{
	(void)which;
	(void)err;
	snprintf(buf, cap, "C:\\ProgramData\\exsweep");
	return EXS_OK;
}

static struct exs_platform plat_posix, plat_windows;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	plat_posix.name = "fuzz-posix";
	plat_posix.path_separator = '/';
	plat_posix.place = place_posix;
	plat_windows.name = "fuzz-windows";
	plat_windows.path_separator = '\\';
	plat_windows.case_insensitive = 1;
	plat_windows.place = place_windows;
	return 0;
}

static void dump(const struct exs_config *cfg, struct fuzz_out *out)
{
	out->len = 0;
	int rc = exs_config_dump(cfg, fuzz_out_write, out);
	FUZZ_CHECK(rc == EXS_OK, "exs_config_dump failed (%d)", rc);
	if (!out->data)
		fuzz_out_write(out, "", 0);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

/* exs_config_parse_size by the rules in config.h, written again. */
static int ref_parse_size(const char *t, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	if (!(t[0] >= '0' && t[0] <= '9'))
		return EXS_INVAL;
	for (; t[i] >= '0' && t[i] <= '9'; i++) {
		unsigned d = (unsigned)(t[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return EXS_LIMIT;
		v = v * 10 + d;
	}
	if (t[i]) {
		const char *units = "kmgt";
		char c = t[i] >= 'A' && t[i] <= 'Z' ? (char)(t[i] - 'A' + 'a') : t[i];
		const char *u = c ? strchr(units, c) : NULL;
		if (!u || t[i + 1])
			return EXS_INVAL;
		uint64_t mult = 1ull << (10 * (u - units + 1));
		if (v > UINT64_MAX / mult)
			return EXS_LIMIT;
		v *= mult;
	}
	*out = v;
	return EXS_OK;
}

static void check_parse_size(const uint8_t *data, size_t size)
{
	char text[64];
	size_t n = 0;
	while (n < size && n < sizeof(text) - 1 && data[n] != '\n' && data[n])
		n++;
	memcpy(text, data, n);
	text[n] = '\0';
	uint64_t got = 0, want = 0;
	int rc = exs_config_parse_size(text, &got);
	int ref = ref_parse_size(text, &want);
	FUZZ_CHECK(rc == ref && (rc || got == want), "parse_size('%s'): "
		   "status %d value %llu, the reference %d %llu", text, rc,
		   (unsigned long long)got, ref, (unsigned long long)want);
}

static void check_defaults(const struct exs_config *cfg)
{
	/* Issue 12 item 1: each data file's default is a file in the data
	 * folder, not the folder itself. */
	FUZZ_CHECK(cfg->baseline_path && ends_with(cfg->baseline_path, "baseline.db"),
		   "default baseline path '%s'", cfg->baseline_path);
	FUZZ_CHECK(cfg->baseline_key && ends_with(cfg->baseline_key, "baseline.key"),
		   "default key path '%s'", cfg->baseline_key);
}

static void check_one(const struct exs_platform *plat, const uint8_t *data,
		      size_t size)
{
	struct exs_config cfg, again;
	struct exs_error err;
	struct fuzz_out before = { 0 }, after = { 0 }, second = { 0 };
	exs_error_clear(&err);
	int rc = exs_config_init(&cfg, plat, &err);
	FUZZ_CHECK(rc == EXS_OK, "exs_config_init on %s: %d", plat->name, rc);
	check_defaults(&cfg);
	dump(&cfg, &before);

	rc = exs_config_load_buffer(&cfg, "fuzz.ini", (const char *)data, size,
				    &err);
	if (rc) {
		size_t lines = 1;
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		unsigned long line = 0;
		char tail = 0;
		int fields = sscanf(err.where, "fuzz.ini:%lu%c", &line, &tail);
		FUZZ_CHECK(rc == EXS_CONFIG, "refused with status %d", rc);
		FUZZ_CHECK(fields == 1 && line >= 1 && line <= lines,
			   "error location '%s' (file of %zu lines)", err.where,
			   lines);
		FUZZ_CHECK(err.detail[0], "error at '%s' without a message",
			   err.where);
		dump(&cfg, &after);
		FUZZ_CHECK(after.len == before.len &&
			   !memcmp(after.data, before.data, before.len),
			   "a refused file changed the configuration:\n%s\n---\n%s",
			   before.data, after.data);
		goto out;
	}
	dump(&cfg, &after);

	/* Issue 12 item 5: an exclude the loader accepts compiles (the loader
	 * compiles each one, and refuses it at its FILE:LINE otherwise). */
	for (size_t i = 0; i < cfg.excludes.count; i++) {
		struct exs_pattern p;
		int compiled = exs_pattern_compile(cfg.excludes.items[i], &p);
		FUZZ_CHECK(compiled == EXS_OK, "exclude '%s' was accepted but "
			   "does not compile (%d)", cfg.excludes.items[i],
			   compiled);
		exs_pattern_free(&p);
	}

	/* Loading the same file again over its own result changes nothing. */
	rc = exs_config_load_buffer(&cfg, "fuzz.ini", (const char *)data, size,
				    &err);
	FUZZ_CHECK(rc == EXS_OK, "the file loads once but not twice: %s: %s",
		   err.where, err.detail);
	dump(&cfg, &second);
	FUZZ_CHECK(second.len == after.len &&
		   !memcmp(second.data, after.data, after.len),
		   "loading the file twice differs:\n%s\n---\n%s", after.data,
		   second.data);

	/* A web root from the command line (-w), as `exsweep config` dumps
	 * it: the input's first line. */
	size_t first = 0;
	while (first < size && data[first] != '\n' && data[first])
		first++;
	FUZZ_CHECK(!first || !exs_strlist_add(&cfg.web_roots,
					      (const char *)data, first),
		   "out of memory");
	dump(&cfg, &after);

	/* The dump loads again, to the same configuration. */
	rc = exs_config_init(&again, plat, &err);
	FUZZ_CHECK(rc == EXS_OK, "exs_config_init: %d", rc);
	rc = exs_config_load_buffer(&again, "fuzz.ini", after.data, after.len,
				    &err);
	FUZZ_CHECK(rc == EXS_OK, "the dump does not load: %s: %s\n%s",
		   err.where, err.detail, after.data);
	dump(&again, &second);
	FUZZ_CHECK(second.len == after.len &&
		   !memcmp(second.data, after.data, after.len),
		   "the dump loads to another configuration:\n%s\n---\n%s",
		   after.data, second.data);
	exs_config_free(&again);
out:
	exs_config_free(&cfg);
	fuzz_out_free(&before);
	fuzz_out_free(&after);
	fuzz_out_free(&second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_parse_size(data, size);
	check_one(&plat_posix, data, size);
	check_one(&plat_windows, data, size);
	return 0;
}
