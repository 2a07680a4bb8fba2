/* test_config.c -- unit tests of config.c: defaults on both kinds of platform,
 * every key, list semantics, values, FILE:LINE errors, the all-or-nothing
 * load, the dump round trip and the committed sample.
 *
 * The real platform layers live on other branches, so small fakes stand in:
 * they fill only what config.c uses (the separator, place, and for
 * exs_config_load the three file calls over an in-memory file).
 *
 * Usage: test_config EXSWEEP_INI     run the tests; EXSWEEP_INI is the
 *                                    committed sample to compare with
 *        test_config --print-sample  write the sample, to regenerate it
 */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"
#include "test.h"

/* -- Fake platforms ------------------------------------------------------ */

static const char *fake_data_dir; /* what place(EXS_PLACE_DATA_DIR) answers */

static int fake_place(enum exs_place which, char *buf, size_t cap,
		      struct exs_error *err)
{
	const char *answer = which == EXS_PLACE_DATA_DIR ? fake_data_dir
							 : "exsweep.ini";
	if (strlen(answer) >= cap)
		return exs_fail(err, EXS_LIMIT, 0, "place", answer);
	strcpy(buf, answer);
	return EXS_OK;
}

struct exs_file {
	const char *data;
	size_t len;
	size_t pos;
};

static const char *fake_file_data; /* the one file the fake can open */
static size_t fake_file_len;

static int fake_open(const char *path, struct exs_file **out,
		     struct exs_error *err)
{
	if (!fake_file_data)
		return exs_fail(err, EXS_NOENT, 2, "open", path);
	struct exs_file *f = calloc(1, sizeof(*f));
	if (!f)
		return exs_fail(err, EXS_NOMEM, 0, "calloc", path);
	f->data = fake_file_data;
	f->len = fake_file_len;
	*out = f;
	return EXS_OK;
}

/* Short reads on purpose, so the read loop has to go round. */
static int fake_read(struct exs_file *f, void *buf, size_t cap, size_t *got,
		     struct exs_error *err)
{
	(void)err;
	size_t n = f->len - f->pos;
	if (n > cap)
		n = cap;
	if (n > 7000)
		n = 7000;
	memcpy(buf, f->data + f->pos, n);
	f->pos += n;
	*got = n;
	return EXS_OK;
}

static void fake_close(struct exs_file *f)
{
	free(f);
}

static const struct exs_platform fake_posix = {
	.name = "fake-posix",
	.path_separator = '/',
	.place = fake_place,
	.file_open_read = fake_open,
	.file_read = fake_read,
	.file_close = fake_close,
};

static const struct exs_platform fake_windows = {
	.name = "fake-win32",
	.path_separator = '\\',
	.case_insensitive = 1,
	.place = fake_place,
};

#define V15 "C:\\Program Files\\Microsoft\\Exchange Server\\V15"

static int init_posix(struct exs_config *cfg)
{
	struct exs_error err;
	fake_data_dir = "/var/lib/exsweep";
	return exs_config_init(cfg, &fake_posix, &err);
}

static int init_windows(struct exs_config *cfg)
{
	struct exs_error err;
	fake_data_dir = "C:\\ProgramData\\exsweep";
	return exs_config_init(cfg, &fake_windows, &err);
}

static int load(struct exs_config *cfg, const char *text,
		struct exs_error *err)
{
	exs_error_clear(err);
	return exs_config_load_buffer(cfg, "t.ini", text, strlen(text), err);
}

/* -- Collecting output --------------------------------------------------- */

struct text_sink {
	char *text;
	size_t len;
	size_t cap;
};

static int sink_write(void *ctx, const char *text, size_t len)
{
	struct text_sink *sink = ctx;
	if (sink->len + len + 1 > sink->cap) {
		size_t cap = (sink->len + len + 1) * 2;
		char *bigger = realloc(sink->text, cap);
		if (!bigger)
			return EXS_NOMEM;
		sink->text = bigger;
		sink->cap = cap;
	}
	memcpy(sink->text + sink->len, text, len);
	sink->len += len;
	sink->text[sink->len] = '\0';
	return EXS_OK;
}

static char *dump_text(const struct exs_config *cfg)
{
	struct text_sink sink = { NULL, 0, 0 };
	if (exs_config_dump(cfg, sink_write, &sink) != EXS_OK) {
		free(sink.text);
		return NULL;
	}
	return sink.text;
}

static char *sample_text(size_t *len)
{
	struct text_sink sink = { NULL, 0, 0 };
	if (exs_config_write_sample(sink_write, &sink) != EXS_OK) {
		free(sink.text);
		return NULL;
	}
	*len = sink.len;
	return sink.text;
}

static int lists_equal(const struct exs_strlist *a, const struct exs_strlist *b)
{
	if (a->count != b->count)
		return 0;
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->items[i], b->items[i]))
			return 0;
	return 1;
}

static int texts_equal(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Every setting, not the source. */
static int configs_equal(const struct exs_config *a, const struct exs_config *b)
{
	return lists_equal(&a->roots, &b->roots) &&
	       lists_equal(&a->web_roots, &b->web_roots) &&
	       lists_equal(&a->excludes, &b->excludes) &&
	       a->default_excludes == b->default_excludes &&
	       a->threads == b->threads && a->max_depth == b->max_depth &&
	       a->yara_max_size == b->yara_max_size &&
	       a->yara_timeout == b->yara_timeout &&
	       texts_equal(a->rules_dir, b->rules_dir) &&
	       texts_equal(a->baseline_path, b->baseline_path) &&
	       texts_equal(a->baseline_key, b->baseline_key) &&
	       texts_equal(a->report_dir, b->report_dir);
}

/* -- Defaults -------------------------------------------------------------- */

static void test_defaults_posix(void)
{
	struct exs_config cfg;
	ASSERT_EQ(init_posix(&cfg), EXS_OK);
	ASSERT_EQ(cfg.roots.count, 0);
	ASSERT_EQ(cfg.web_roots.count, 0);
	ASSERT_EQ(cfg.excludes.count, 0);
	ASSERT_EQ(cfg.default_excludes, 1);
	ASSERT_EQ(cfg.threads, 0);
	ASSERT_EQ(cfg.max_depth, 256);
	ASSERT_EQ(cfg.yara_max_size, 16 * 1024 * 1024);
	ASSERT_EQ(cfg.yara_timeout, 60);
	ASSERT_TRUE(cfg.rules_dir == NULL);
	ASSERT_STR_EQ(cfg.baseline_path, "/var/lib/exsweep/baseline.db");
	/* Each data file is built from the folder, not from the one before. */
	ASSERT_STR_EQ(cfg.baseline_key, "/var/lib/exsweep/baseline.key");
	ASSERT_TRUE(cfg.report_dir == NULL);
	ASSERT_TRUE(cfg.source == NULL);
	exs_config_free(&cfg);
}

static void test_defaults_windows(void)
{
	struct exs_config cfg;
	ASSERT_EQ(init_windows(&cfg), EXS_OK);
	ASSERT_EQ(cfg.roots.count, 2);
	ASSERT_STR_EQ(cfg.roots.items[0], V15);
	ASSERT_STR_EQ(cfg.roots.items[1], "C:\\inetpub");
	ASSERT_EQ(cfg.web_roots.count, 3);
	ASSERT_STR_EQ(cfg.web_roots.items[0], V15 "\\FrontEnd\\HttpProxy");
	ASSERT_STR_EQ(cfg.web_roots.items[1], V15 "\\ClientAccess");
	ASSERT_STR_EQ(cfg.web_roots.items[2], "C:\\inetpub\\wwwroot");
	ASSERT_EQ(cfg.excludes.count, 0);
	ASSERT_EQ(cfg.default_excludes, 1);
	ASSERT_EQ(cfg.threads, 0);
	ASSERT_EQ(cfg.max_depth, 256);
	ASSERT_EQ(cfg.yara_max_size, 16 * 1024 * 1024);
	ASSERT_EQ(cfg.yara_timeout, 60);
	ASSERT_STR_EQ(cfg.baseline_path, "C:\\ProgramData\\exsweep\\baseline.db");
	ASSERT_STR_EQ(cfg.baseline_key, "C:\\ProgramData\\exsweep\\baseline.key");
	exs_config_free(&cfg);
}

static void test_data_dir_separator_not_doubled(void)
{
	struct exs_config cfg;
	struct exs_error err;
	fake_data_dir = "D:\\";
	ASSERT_EQ(exs_config_init(&cfg, &fake_windows, &err), EXS_OK);
	ASSERT_STR_EQ(cfg.baseline_path, "D:\\baseline.db");
	ASSERT_STR_EQ(cfg.baseline_key, "D:\\baseline.key");
	exs_config_free(&cfg);
}

static void test_default_excludes(void)
{
	size_t count = 0;
	int has_logging = 0, has_queue = 0, has_inetpub_logs = 0;
	for (; exs_default_excludes[count]; count++) {
		const char *p = exs_default_excludes[count];
		char lower[128];
		size_t i;
		for (i = 0; p[i] && i < sizeof(lower) - 1; i++)
			lower[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
		lower[i] = '\0';
		/* Attackers hid webshells exactly there. */
		ASSERT_TRUE(strstr(lower, ".config") == NULL);
		ASSERT_TRUE(strstr(lower, ".log") == NULL);
		ASSERT_TRUE(strstr(lower, "oab") == NULL);
		ASSERT_TRUE(strstr(lower, "wwwroot") == NULL);
		ASSERT_TRUE(strstr(lower, "frontend") == NULL);
		ASSERT_TRUE(strstr(lower, "clientaccess") == NULL);
		has_logging |= !strcmp(p, "V15/Logging");
		has_queue |= !strcmp(p, "V15/TransportRoles/Data/Queue");
		has_inetpub_logs |= !strcmp(p, "inetpub/logs");
	}
	ASSERT_EQ(count, 16);
	ASSERT_TRUE(has_logging && has_queue && has_inetpub_logs);
}

/* -- Keys and values --------------------------------------------------------- */

static void test_every_key(void)
{
	struct exs_config cfg;
	struct exs_error err;
	ASSERT_EQ(init_posix(&cfg), EXS_OK);
	ASSERT_EQ(load(&cfg,
		       "[scan]\n"
		       "root = /srv/exchange\n"
		       "web_root = /srv/exchange/owa\n"
		       "exclude = **/cache\n"
		       "default_excludes = no\n"
		       "threads = 8\n"
		       "max_depth = 40\n"
		       "[yara]\n"
		       "max_file_size = 64K\n"
		       "timeout = 2m\n"
		       "rules_dir = /etc/exsweep/rules\n"
		       "[baseline]\n"
		       "path = /data/b.db\n"
		       "[report]\n"
		       "dir = /var/log/exsweep\n", &err), EXS_OK);
	ASSERT_EQ(cfg.roots.count, 1);
	ASSERT_STR_EQ(cfg.roots.items[0], "/srv/exchange");
	ASSERT_EQ(cfg.web_roots.count, 1);
	ASSERT_STR_EQ(cfg.web_roots.items[0], "/srv/exchange/owa");
	ASSERT_EQ(cfg.excludes.count, 1);
	ASSERT_STR_EQ(cfg.excludes.items[0], "**/cache");
	ASSERT_EQ(cfg.default_excludes, 0);
	ASSERT_EQ(cfg.threads, 8);
	ASSERT_EQ(cfg.max_depth, 40);
	ASSERT_EQ(cfg.yara_max_size, 64 * 1024);
	ASSERT_EQ(cfg.yara_timeout, 120);
	ASSERT_STR_EQ(cfg.rules_dir, "/etc/exsweep/rules");
	ASSERT_STR_EQ(cfg.baseline_path, "/data/b.db");
	ASSERT_STR_EQ(cfg.report_dir, "/var/log/exsweep");
	ASSERT_STR_EQ(cfg.source, "t.ini");
	exs_config_free(&cfg);
}

static void test_list_replace_then_append(void)
{
	struct exs_config cfg;
	struct exs_error err;
	ASSERT_EQ(init_windows(&cfg), EXS_OK);
	ASSERT_EQ(load(&cfg,
		       "[scan]\n"
		       "root = D:\\Exchange\n"
		       "threads = 2\n"
		       "root = E:\\inetpub\n"
		       "  F:\\more ; an inline comment\n"
		       "\n"
		       "\tG:\\after a blank line\n", &err), EXS_OK);
	ASSERT_EQ(cfg.roots.count, 4);
	ASSERT_STR_EQ(cfg.roots.items[0], "D:\\Exchange");
	ASSERT_STR_EQ(cfg.roots.items[1], "E:\\inetpub");
	ASSERT_STR_EQ(cfg.roots.items[2], "F:\\more");
	ASSERT_STR_EQ(cfg.roots.items[3], "G:\\after a blank line");
	/* Lists the file does not name keep their defaults. */
	ASSERT_EQ(cfg.web_roots.count, 3);

	/* A second file replaces again: "first in a file", not "first ever". */
	ASSERT_EQ(load(&cfg, "[scan]\nroot = H:\\x\nweb_root =\n", &err), EXS_OK);
	ASSERT_EQ(cfg.roots.count, 1);
	ASSERT_STR_EQ(cfg.roots.items[0], "H:\\x");
	ASSERT_EQ(cfg.web_roots.count, 0);

	/* A list key whose first line is empty, then items. */
	ASSERT_EQ(load(&cfg, "[scan]\nexclude =\nexclude = a\nexclude = b\n",
		       &err), EXS_OK);
	ASSERT_EQ(cfg.excludes.count, 2);
	ASSERT_STR_EQ(cfg.excludes.items[1], "b");
	exs_config_free(&cfg);
}

static void test_quotes_comments_and_empty_paths(void)
{
	struct exs_config cfg;
	struct exs_error err;
	ASSERT_EQ(init_posix(&cfg), EXS_OK);
	ASSERT_EQ(load(&cfg,
		       "[yara]\n"
		       "rules_dir = \" /odd name \" ; kept spaces\n"
		       "[report]\n"
		       "dir = /r;not a comment\n"
		       "[scan]\n"
		       "root = C:\\inetpub\n", &err), EXS_OK);
	ASSERT_STR_EQ(cfg.rules_dir, " /odd name ");
	ASSERT_STR_EQ(cfg.report_dir, "/r;not a comment");
	ASSERT_STR_EQ(cfg.roots.items[0], "C:\\inetpub");
	ASSERT_EQ(load(&cfg, "[yara]\nrules_dir =\n[report]\ndir = \"\"\n", &err),
		  EXS_OK);
	ASSERT_TRUE(cfg.rules_dir == NULL);
	ASSERT_TRUE(cfg.report_dir == NULL);
	/* The baseline cannot be "none". */
	ASSERT_EQ(load(&cfg, "[baseline]\npath =\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.detail, "invalid value '' for path: expected a path");
	exs_config_free(&cfg);
}

static void test_bools(void)
{
	static const char *const yes[] = { "yes", "TRUE", "On", "1" };
	static const char *const no[] = { "no", "False", "OFF", "0" };
	struct exs_config cfg;
	struct exs_error err;
	char text[64];
	ASSERT_EQ(init_posix(&cfg), EXS_OK);
	for (size_t i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), "[scan]\ndefault_excludes = %s\n", no[i]);
		ASSERT_EQ(load(&cfg, text, &err), EXS_OK);
		ASSERT_EQ(cfg.default_excludes, 0);
		snprintf(text, sizeof(text), "[scan]\ndefault_excludes = %s\n", yes[i]);
		ASSERT_EQ(load(&cfg, text, &err), EXS_OK);
		ASSERT_EQ(cfg.default_excludes, 1);
	}
	ASSERT_EQ(load(&cfg, "[scan]\ndefault_excludes = maybe\n", &err),
		  EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:2");
	ASSERT_STR_EQ(err.detail,
		      "invalid value 'maybe' for default_excludes: expected yes or no");
	ASSERT_EQ(load(&cfg, "[scan]\ndefault_excludes = yess\n", &err),
		  EXS_CONFIG);
	exs_config_free(&cfg);
}

static void test_numbers_and_ranges(void)
{
	struct exs_config cfg;
	struct exs_error err;
	ASSERT_EQ(init_posix(&cfg), EXS_OK);
	ASSERT_EQ(load(&cfg, "[scan]\nthreads = 32\nmax_depth = 4096\n", &err),
		  EXS_OK);
	ASSERT_EQ(cfg.threads, 32);
	ASSERT_EQ(cfg.max_depth, 4096);

	ASSERT_EQ(load(&cfg, "[scan]\nthreads = 33\n", &err), EXS_CONFIG);
	ASSERT_EQ(err.status, EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:2");
	ASSERT_STR_EQ(err.detail, "invalid value '33' for threads: expected a "
				  "whole number from 0 to 32");
	ASSERT_EQ(load(&cfg, "[scan]\nthreads = abc\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.detail, "invalid value 'abc' for threads: expected a "
				  "whole number from 0 to 32");
	ASSERT_EQ(load(&cfg, "[scan]\nthreads = -1\n", &err), EXS_CONFIG);
	ASSERT_EQ(load(&cfg, "[scan]\nthreads = 4x\n", &err), EXS_CONFIG);
	ASSERT_EQ(load(&cfg, "[scan]\nthreads = 99999999999999999999999\n", &err),
		  EXS_CONFIG);
	ASSERT_EQ(load(&cfg, "[scan]\nmax_depth = 0\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.detail, "invalid value '0' for max_depth: expected a "
				  "whole number from 1 to 4096");
	ASSERT_EQ(cfg.threads, 32);

	ASSERT_EQ(load(&cfg, "[yara]\ntimeout = 90s\n", &err), EXS_OK);
	ASSERT_EQ(cfg.yara_timeout, 90);
	ASSERT_EQ(load(&cfg, "[yara]\ntimeout = 1h\n", &err), EXS_OK);
	ASSERT_EQ(cfg.yara_timeout, 3600);
	ASSERT_EQ(load(&cfg, "[yara]\ntimeout = 3601\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.detail, "invalid value '3601' for timeout: expected "
				  "seconds from 1 to 3600, such as 90 or 2m");
	ASSERT_EQ(load(&cfg, "[yara]\ntimeout = 0\n", &err), EXS_CONFIG);
	ASSERT_EQ(load(&cfg, "[yara]\ntimeout = 2d\n", &err), EXS_CONFIG);
	exs_config_free(&cfg);
}

static void test_sizes(void)
{
	uint64_t size = 0;
	ASSERT_EQ(exs_config_parse_size("16M", &size), EXS_OK);
	ASSERT_EQ(size, 16ull << 20);
	ASSERT_EQ(exs_config_parse_size("1G", &size), EXS_OK);
	ASSERT_EQ(size, 1ull << 30);
	ASSERT_EQ(exs_config_parse_size("64k", &size), EXS_OK);
	ASSERT_EQ(size, 64ull << 10);
	ASSERT_EQ(exs_config_parse_size("123", &size), EXS_OK);
	ASSERT_EQ(size, 123);
	ASSERT_EQ(exs_config_parse_size("0", &size), EXS_OK);
	ASSERT_EQ(size, 0);
	ASSERT_EQ(exs_config_parse_size("5X", &size), EXS_INVAL);
	ASSERT_EQ(exs_config_parse_size("", &size), EXS_INVAL);
	ASSERT_EQ(exs_config_parse_size("M", &size), EXS_INVAL);
	ASSERT_EQ(exs_config_parse_size("-1", &size), EXS_INVAL);
	ASSERT_EQ(exs_config_parse_size("16 M", &size), EXS_INVAL);
	ASSERT_EQ(exs_config_parse_size("16MB", &size), EXS_INVAL);
	ASSERT_EQ(exs_config_parse_size(NULL, &size), EXS_INVAL);
	ASSERT_EQ(exs_config_parse_size("18446744073709551615", &size), EXS_OK);
	ASSERT_EQ(exs_config_parse_size("18446744073709551616", &size),
		  EXS_LIMIT);
	ASSERT_EQ(exs_config_parse_size("17179869184G", &size), EXS_LIMIT);
	ASSERT_EQ(size, UINT64_MAX); /* untouched by the failures */

	struct exs_config cfg;
	struct exs_error err;
	ASSERT_EQ(init_posix(&cfg), EXS_OK);
	ASSERT_EQ(load(&cfg, "[yara]\nmax_file_size = 1G\n", &err), EXS_OK);
	ASSERT_EQ(cfg.yara_max_size, 1ull << 30);
	ASSERT_EQ(load(&cfg, "[yara]\nmax_file_size = 1K\n", &err), EXS_OK);
	ASSERT_EQ(cfg.yara_max_size, 1024);
	ASSERT_EQ(load(&cfg, "[yara]\nmax_file_size = 0\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.detail, "invalid value '0' for max_file_size: "
				  "expected a size from 1K to 1G, such as 16M");
	ASSERT_EQ(load(&cfg, "[yara]\nmax_file_size = 5X\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.detail, "invalid value '5X' for max_file_size: "
				  "expected a size from 1K to 1G, such as 16M");
	ASSERT_EQ(load(&cfg, "[yara]\nmax_file_size = 1025M\n", &err), EXS_CONFIG);
	ASSERT_EQ(load(&cfg, "[yara]\nmax_file_size = 99999999999999999999K\n",
		       &err), EXS_CONFIG);
	ASSERT_EQ(cfg.yara_max_size, 1024);
	exs_config_free(&cfg);
}

/* -- Errors and their lines ---------------------------------------------------- */

static void test_unknown_section(void)
{
	struct exs_config cfg;
	struct exs_error err;
	char line[256];
	ASSERT_EQ(init_posix(&cfg), EXS_OK);
	ASSERT_EQ(load(&cfg,
		       "; exsweep\n"
		       "# settings\n"
		       "\n"
		       "[scan]\n"
		       "threads = 2 ; two\n"
		       "\n"
		       "[scanner]\n"
		       "\n", &err), EXS_CONFIG);
	ASSERT_EQ(err.status, EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:7");
	ASSERT_STR_EQ(err.detail, "unknown section [scanner]");
	exs_error_format(&err, line, sizeof(line));
	ASSERT_STR_EQ(line, "t.ini:7: unknown section [scanner]");
	exs_config_free(&cfg);
}

static void test_unknown_key_after_multiline_value(void)
{
	struct exs_config cfg;
	struct exs_error err;
	char line[256];
	ASSERT_EQ(init_posix(&cfg), EXS_OK);
	ASSERT_EQ(load(&cfg,
		       "[scan]\n"
		       "root = /a\n"
		       "  /b\n"
		       "\t/c ; third\n"
		       "; comment\n"
		       "\n"
		       "thread = 4\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:7");
	ASSERT_STR_EQ(err.detail, "unknown key 'thread' in section [scan]");
	exs_error_format(&err, line, sizeof(line));
	ASSERT_STR_EQ(line, "t.ini:7: unknown key 'thread' in section [scan]");

	/* CRLF line ends count the same. */
	ASSERT_EQ(load(&cfg, "[scan]\r\n\r\n;x\r\nroot = /a\r\n  /b\r\nbad = 1\r\n",
		       &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:6");
	ASSERT_STR_EQ(err.detail, "unknown key 'bad' in section [scan]");
	exs_config_free(&cfg);
}

static void test_syntax_errors(void)
{
	struct exs_config cfg;
	struct exs_error err;
	ASSERT_EQ(init_posix(&cfg), EXS_OK);
	ASSERT_EQ(load(&cfg, "[scan]\n\n[yara\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:3");
	ASSERT_STR_EQ(err.detail, "missing ']' after section name");
	ASSERT_EQ(load(&cfg, "[scan]\nthreads 4\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:2");
	ASSERT_STR_EQ(err.detail, "expected 'key = value' or '[section]'");
	ASSERT_EQ(load(&cfg, "; top\nthreads = 4\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:2");
	ASSERT_STR_EQ(err.detail, "key 'threads' comes before any [section]");
	ASSERT_EQ(load(&cfg, "[scan]\n= 4\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.detail, "missing key name before '='");
	ASSERT_EQ(load(&cfg, "[scan]\nthreads = 1\n  2\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:3");
	ASSERT_STR_EQ(err.detail,
		      "indented line continues threads, which takes one value");
	/* Indented settings after a list key would become paths: refused. */
	ASSERT_EQ(load(&cfg, "[scan]\nroot = /a\n  threads = 4\n", &err),
		  EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:3");
	ASSERT_STR_EQ(err.detail, "indented line 'threads = 4' would add to "
				  "root: remove the indentation");
	ASSERT_EQ(load(&cfg, "[scan]\nexclude = a\n\n  [yara]\n", &err),
		  EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:4");
	ASSERT_EQ(load(&cfg, "[scan]\nexclude = a\n  x=y\n  [b\n", &err),
		  EXS_OK);
	ASSERT_EQ(cfg.excludes.count, 3);
	ASSERT_STR_EQ(cfg.excludes.items[1], "x=y");
	/* An indented key right after a section header is a key, as in inih. */
	ASSERT_EQ(load(&cfg, "[scan]\n  threads = 3\n", &err), EXS_OK);
	ASSERT_EQ(cfg.threads, 3);
	/* A UTF-8 byte order mark is fine and does not shift the lines. */
	ASSERT_EQ(load(&cfg, "\xEF\xBB\xBF[scan]\nthreads = 5\nx = 1\n", &err),
		  EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:3");
	exs_config_free(&cfg);
}

static void test_long_line(void)
{
	struct exs_config cfg;
	struct exs_error err;
	size_t cap = 3 * 8192;
	char *text = malloc(cap), *value = malloc(8200), *comment = malloc(300);
	ASSERT_TRUE(text && value && comment);
	ASSERT_EQ(init_posix(&cfg), EXS_OK);

	/* Far longer than inih's 200-byte buffer: a value of 4096 bytes, and
	 * inih still sees the key, the section after it and what follows. */
	memset(value, 'a', 4096);
	value[0] = '/';
	value[4096] = '\0';
	memset(comment, 'x', 250);
	comment[250] = '\0';
	snprintf(text, cap, "[scan]\n;%s\nroot = %s ; %s\n  /second\n"
		 "[yara]   ; %s\ntimeout = 7\n", comment, value, comment, comment);
	ASSERT_EQ(load(&cfg, text, &err), EXS_OK);
	ASSERT_EQ(cfg.roots.count, 2);
	ASSERT_EQ(strlen(cfg.roots.items[0]), 4096);
	ASSERT_STR_EQ(cfg.roots.items[1], "/second");
	ASSERT_EQ(cfg.yara_timeout, 7);

	/* A long continuation line is one more item too. */
	snprintf(text, cap, "[scan]\nexclude = a\n  %s\nthreads = 2\n", value);
	ASSERT_EQ(load(&cfg, text, &err), EXS_OK);
	ASSERT_EQ(cfg.excludes.count, 2);
	ASSERT_EQ(strlen(cfg.excludes.items[1]), 4096);
	ASSERT_EQ(cfg.threads, 2);

	/* One byte more is a value too long, with its line. */
	snprintf(text, cap, "[scan]\n; c\nroot = %sa\n", value);
	ASSERT_EQ(load(&cfg, text, &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:3");
	ASSERT_STR_EQ(err.detail,
		      "value of root is too long: 4097 bytes, at most 4096");

	/* A line past 8192 bytes is refused whatever it holds. */
	memset(value, ' ', 8193);
	value[8193] = '\0';
	snprintf(text, cap, "[scan]\n\n;%s\nthreads = 1\n", value);
	ASSERT_EQ(load(&cfg, text, &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:3");
	ASSERT_STR_EQ(err.detail, "line is too long: 8194 bytes, at most 8192");
	ASSERT_EQ(strlen(cfg.roots.items[0]), 4096);
	ASSERT_EQ(cfg.threads, 2);

	/* A long unknown key or section is still named as such. */
	memset(value, 'k', 300);
	value[300] = '\0';
	snprintf(text, cap, "[scan]\n%s = 1\n", value);
	ASSERT_EQ(load(&cfg, text, &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:2");
	ASSERT_TRUE(strstr(err.detail, "unknown key") != NULL);
	snprintf(text, cap, "[%s]\n", value);
	ASSERT_EQ(load(&cfg, text, &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:1");
	ASSERT_TRUE(strstr(err.detail, "unknown section") != NULL);
	exs_config_free(&cfg);
	free(text);
	free(value);
	free(comment);
}

static void test_invalid_bytes(void)
{
	static const char *const bad[] = {
		"[scan]\n; ok caf\xC3\xA9\nroot = /a\xFF\n",       /* stray byte */
		"[scan]\n; ok \xE2\x82\xAC\nroot = /\xC0\xAF\n",   /* overlong '/' */
		"[scan]\n; ok \xF0\x9F\x98\x80\nroot = /\xED\xA0\x80\n", /* surrogate */
		"[scan]\n; ok\nroot = /\xF4\x90\x80\x80\n",        /* past U+10FFFF */
		"[scan]\n; ok\nroot = /\xE2\x82\n",                /* cut short */
	};
	struct exs_config cfg;
	struct exs_error err;
	ASSERT_EQ(init_posix(&cfg), EXS_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_EQ(load(&cfg, bad[i], &err), EXS_CONFIG);
		ASSERT_STR_EQ(err.where, "t.ini:3");
		ASSERT_STR_EQ(err.detail, "invalid UTF-8");
	}
	static const char with_nul[] = "[scan]\n\nroot = /a\0b\n";
	exs_error_clear(&err);
	ASSERT_EQ(exs_config_load_buffer(&cfg, "t.ini", with_nul,
					 sizeof(with_nul) - 1, &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:3");
	ASSERT_STR_EQ(err.detail, "NUL byte in the file");
	ASSERT_EQ(cfg.roots.count, 0);
	exs_config_free(&cfg);
}

static void test_error_leaves_config_unchanged(void)
{
	struct exs_config cfg;
	struct exs_error err;
	ASSERT_EQ(init_windows(&cfg), EXS_OK);
	ASSERT_EQ(load(&cfg, "[scan]\nexclude = keep\n[yara]\nrules_dir = R\n",
		       &err), EXS_OK);
	char *before = dump_text(&cfg);
	ASSERT_TRUE(before != NULL);
	/* Everything but the last line is good and would change cfg. */
	ASSERT_EQ(load(&cfg,
		       "[scan]\n"
		       "root = /new\n"
		       "web_root =\n"
		       "exclude = other\n"
		       "threads = 5\n"
		       "[yara]\n"
		       "rules_dir =\n"
		       "[baseline]\n"
		       "path = /elsewhere.db\n"
		       "[report]\n"
		       "dir = /r\n"
		       "bogus = 1\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:12");
	char *after = dump_text(&cfg);
	ASSERT_TRUE(after != NULL);
	ASSERT_STR_EQ(after, before);
	ASSERT_STR_EQ(cfg.source, "t.ini");
	ASSERT_EQ(cfg.roots.count, 2);
	free(before);
	free(after);
	exs_config_free(&cfg);
}

/* -- Dump, sample, loading through the platform ---------------------------- */

static void test_dump_round_trip(void)
{
	struct exs_config cfg, again;
	struct exs_error err;
	ASSERT_EQ(init_windows(&cfg), EXS_OK);
	ASSERT_EQ(load(&cfg,
		       "[scan]\n"
		       "exclude = **/cache\n"
		       "exclude = \" padded \"\n"
		       "exclude = \"\"quoted\"\"\n"
		       "default_excludes = off\n"
		       "threads = 3\n"
		       "max_depth = 17\n"
		       "[yara]\n"
		       "max_file_size = 1536K\n"
		       "timeout = 1h\n"
		       "rules_dir = D:\\rules\n"
		       "[report]\n"
		       "dir = D:\\reports\n", &err), EXS_OK);
	ASSERT_STR_EQ(cfg.excludes.items[1], " padded ");
	ASSERT_STR_EQ(cfg.excludes.items[2], "\"quoted\"");
	char *text = dump_text(&cfg);
	ASSERT_TRUE(text != NULL);
	/* Load it over the other platform's defaults: every key is in it. */
	ASSERT_EQ(init_posix(&again), EXS_OK);
	ASSERT_EQ(exs_config_load_buffer(&again, "dump", text, strlen(text), &err),
		  EXS_OK);
	ASSERT_TRUE(configs_equal(&cfg, &again));
	ASSERT_TRUE(strstr(text, "max_file_size = 1536K\n") != NULL);
	ASSERT_TRUE(strstr(text, "root = " V15 "\nroot = C:\\inetpub\n") != NULL);
	free(text);
	exs_config_free(&again);

	/* Empty lists and "none" survive the trip too. */
	ASSERT_EQ(init_posix(&again), EXS_OK);
	text = dump_text(&again);
	ASSERT_TRUE(text != NULL);
	ASSERT_TRUE(strstr(text, "\nroot =\n") != NULL);
	ASSERT_EQ(exs_config_load_buffer(&cfg, "dump", text, strlen(text), &err),
		  EXS_OK);
	ASSERT_TRUE(configs_equal(&cfg, &again));
	free(text);
	exs_config_free(&again);
	exs_config_free(&cfg);
}

/* The dump of cfg, without its first line (which names the source). */
static char *dump_settings(const struct exs_config *cfg)
{
	char *text = dump_text(cfg);
	if (!text)
		return NULL;
	char *nl = strchr(text, '\n');
	memmove(text, nl + 1, strlen(nl + 1) + 1);
	return text;
}

/* dump -> load -> dump gives the same configuration and the same text. */
static void assert_round_trip(const struct exs_config *cfg)
{
	struct exs_config again;
	struct exs_error err;
	char *first = dump_text(cfg);
	ASSERT_TRUE(first != NULL);
	ASSERT_EQ(init_windows(&again), EXS_OK); /* other defaults on purpose */
	exs_error_clear(&err);
	int rc = exs_config_load_buffer(&again, "dump", first, strlen(first),
					&err);
	if (rc)
		fprintf(stderr, "reload: %s: %s\n", err.where, err.detail);
	ASSERT_EQ(rc, EXS_OK);
	ASSERT_TRUE(configs_equal(cfg, &again));
	char *a = dump_settings(cfg), *b = dump_settings(&again);
	ASSERT_TRUE(a && b);
	ASSERT_STR_EQ(a, b);
	free(first);
	free(a);
	free(b);
	exs_config_free(&again);
}

static void test_hostile_values_round_trip(void)
{
	static char long_value[4097];
	memset(long_value, 'L', 4096);
	long_value[0] = '/';
	static const char *const values[] = {
		";x", "; x", "a ;b", "a\t;b", "a;b", " lead", "trail ", "\t",
		"\"", "\"\"", "\"q\"", "a\"", "\"a", "\"a ;b\" ; c",
		"#x", "x # y", "a\rb", "a\r", "=", "a = b", "[yara]",
		"threads = 4", "C:\\x\\", "\\\\?\\C:\\x", "%ProgramData%",
		"caf\xC3\xA9 \xF0\x9F\x98\x80" "x", "\xEF\xBB\xBF" "bom", "\x01\x7f",
		"/a/very/long/web/root/of/188/bytes/"
		"0123456789012345678901234567890123456789012345678901234567890123"
		"456789012345678901234567890123456789012345678901234567890123456789"
		"01234567890123456789012", long_value,
	};
	static const char *const keys[][2] = {
		{ "scan", "root" }, { "scan", "web_root" }, { "scan", "exclude" },
		{ "yara", "rules_dir" }, { "baseline", "path" },
		{ "baseline", "key" }, { "report", "dir" },
	};
	ASSERT_EQ(strlen(values[sizeof(values) / sizeof(*values) - 2]), 188);
	for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++) {
		struct exs_config cfg;
		struct exs_error err;
		ASSERT_EQ(init_posix(&cfg), EXS_OK);
		for (size_t v = 0; v < sizeof(values) / sizeof(*values); v++) {
			exs_error_clear(&err);
			int rc = exs_config_set(&cfg, keys[k][0], keys[k][1],
						values[v], "test", &err);
			if (rc)
				fprintf(stderr, "set %s '%s': %s\n", keys[k][1],
					values[v], err.detail);
			ASSERT_EQ(rc, EXS_OK);
			/* Single values are replaced: trip each one. */
			assert_round_trip(&cfg);
		}
		exs_config_free(&cfg);
	}
}

static void test_set_refuses_what_a_file_cannot_hold(void)
{
	struct exs_config cfg;
	struct exs_error err;
	static char too_long[4098];
	memset(too_long, 'x', 4097);
	ASSERT_EQ(init_posix(&cfg), EXS_OK);
	ASSERT_EQ(exs_config_set(&cfg, "scan", "web_root", "/a\nroot = /", "option '-w'",
				 &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "option '-w'");
	ASSERT_STR_EQ(err.detail, "value of web_root holds a line break");
	ASSERT_EQ(exs_config_set(&cfg, "scan", "exclude", "/\xFF", "option '-x'",
				 &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.detail, "value of exclude is not valid UTF-8");
	ASSERT_EQ(exs_config_set(&cfg, "yara", "rules_dir", too_long, "o", &err),
		  EXS_CONFIG);
	ASSERT_STR_EQ(err.detail,
		      "value of rules_dir is too long: 4097 bytes, at most 4096");
	ASSERT_EQ(exs_config_set(&cfg, "scan", "exclude", "/", "option '-x'", &err),
		  EXS_CONFIG);
	ASSERT_STR_EQ(err.detail, "invalid exclude pattern '/': it names no "
		      "folder or file, only separators");
	ASSERT_EQ(exs_config_set(&cfg, "baseline", "path", "", "option '-b'", &err),
		  EXS_CONFIG);
	ASSERT_EQ(cfg.web_roots.count, 0);
	ASSERT_EQ(cfg.excludes.count, 0);
	ASSERT_TRUE(cfg.rules_dir == NULL);
	ASSERT_STR_EQ(cfg.baseline_path, "/var/lib/exsweep/baseline.db");
	exs_config_free(&cfg);
}

static void test_exclude_checked_when_loaded(void)
{
	struct exs_config cfg;
	struct exs_error err;
	ASSERT_EQ(init_posix(&cfg), EXS_OK);
	ASSERT_EQ(load(&cfg, "[scan]\nexclude = a\nexclude = \\/\\\n", &err),
		  EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:3");
	ASSERT_STR_EQ(err.detail, "invalid exclude pattern '\\/\\': it names no "
		      "folder or file, only separators");
	ASSERT_EQ(load(&cfg, "[scan]\nexclude = a\n  /\n", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "t.ini:3");
	ASSERT_EQ(cfg.excludes.count, 0);
	exs_config_free(&cfg);
}

static void test_sample_parses_to_the_defaults(void)
{
	struct exs_config defaults, cfg;
	struct exs_error err;
	size_t len;
	char *sample = sample_text(&len);
	ASSERT_TRUE(sample != NULL);
	ASSERT_EQ(init_posix(&defaults), EXS_OK);
	ASSERT_EQ(init_posix(&cfg), EXS_OK);
	exs_error_clear(&err);
	ASSERT_EQ(exs_config_load_buffer(&cfg, "exsweep.ini", sample, len, &err),
		  EXS_OK);
	ASSERT_TRUE(configs_equal(&cfg, &defaults));
	exs_config_free(&defaults);
	exs_config_free(&cfg);

	ASSERT_EQ(init_windows(&defaults), EXS_OK);
	ASSERT_EQ(init_windows(&cfg), EXS_OK);
	ASSERT_EQ(exs_config_load_buffer(&cfg, "exsweep.ini", sample, len, &err),
		  EXS_OK);
	ASSERT_TRUE(configs_equal(&cfg, &defaults));
	/* Every key is documented in it. */
	ASSERT_TRUE(strstr(sample, "\n;root = C:\\inetpub\n") != NULL);
	ASSERT_TRUE(strstr(sample, "\nthreads = 0\n") != NULL);
	ASSERT_TRUE(strstr(sample, "\n;path = /var/lib/exsweep/baseline.db\n"));
	ASSERT_TRUE(strstr(sample, "V15/Mailbox") != NULL);
	free(sample);
	exs_config_free(&defaults);
	exs_config_free(&cfg);
}

static const char *committed_sample_path;

static void test_committed_sample_is_current(void)
{
	size_t len;
	char *sample = sample_text(&len);
	ASSERT_TRUE(sample != NULL);
	ASSERT_TRUE(committed_sample_path != NULL);
	FILE *f = fopen(committed_sample_path, "rb");
	ASSERT_TRUE(f != NULL);
	char *committed = malloc(len + 2);
	size_t got = committed ? fread(committed, 1, len + 1, f) : 0;
	fclose(f);
	if (got != len || memcmp(committed, sample, len)) {
		fprintf(stderr, "%s is not the sample config.def generates; "
			"regenerate it with: test_config --print-sample > "
			"exsweep.ini\n", committed_sample_path);
	}
	ASSERT_EQ(got, len);
	ASSERT_MEM_EQ(committed, sample, len);
	free(committed);
	free(sample);
}

static void test_load_through_platform(void)
{
	struct exs_config cfg;
	struct exs_error err;
	ASSERT_EQ(init_posix(&cfg), EXS_OK);

	/* Bigger than the fake's short reads, so the loop goes round. */
	size_t big = 20000;
	char *text = malloc(big + 64);
	ASSERT_TRUE(text != NULL);
	strcpy(text, "[scan]\nthreads = 7\n");
	size_t len = strlen(text);
	while (len + 10 < big) {
		memcpy(text + len, "; filler\n", 9);
		len += 9;
	}
	memcpy(text + len, "max_depth = 9\n", 14);
	len += 14;
	fake_file_data = text;
	fake_file_len = len;
	ASSERT_EQ(exs_config_load(&cfg, &fake_posix, "/etc/exsweep/exsweep.ini",
				  &err), EXS_OK);
	ASSERT_EQ(cfg.threads, 7);
	ASSERT_EQ(cfg.max_depth, 9);
	ASSERT_STR_EQ(cfg.source, "/etc/exsweep/exsweep.ini");
	free(text);

	/* Exactly 1 MiB is read; one byte more is refused. */
	size_t mib = 1024 * 1024;
	text = malloc(mib + 1);
	ASSERT_TRUE(text != NULL);
	memset(text, '\n', mib + 1);
	memcpy(text, "[scan]\nthreads = 6\n", 19);
	fake_file_data = text;
	fake_file_len = mib;
	ASSERT_EQ(exs_config_load(&cfg, &fake_posix, "big.ini", &err), EXS_OK);
	ASSERT_EQ(cfg.threads, 6);
	fake_file_len = mib + 1;
	memcpy(text, "[scan]\nthreads = 5\n", 19);
	ASSERT_EQ(exs_config_load(&cfg, &fake_posix, "big.ini", &err), EXS_CONFIG);
	ASSERT_STR_EQ(err.where, "big.ini");
	ASSERT_STR_EQ(err.detail, "file is larger than 1 MiB");
	ASSERT_EQ(cfg.threads, 6);
	free(text);

	/* A missing file is the platform's error, unchanged. */
	fake_file_data = NULL;
	ASSERT_EQ(exs_config_load(&cfg, &fake_posix, "gone.ini", &err), EXS_NOENT);
	ASSERT_STR_EQ(err.where, "gone.ini");
	ASSERT_EQ(cfg.threads, 6);
	exs_config_free(&cfg);
}

static int stdout_write(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	return fwrite(text, 1, len, stdout) == len ? EXS_OK : EXS_IO;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--print-sample"))
		return exs_config_write_sample(stdout_write, NULL) ? 1 : 0;
	committed_sample_path = argc > 1 ? argv[1] : NULL;

	RUN(test_defaults_posix);
	RUN(test_defaults_windows);
	RUN(test_data_dir_separator_not_doubled);
	RUN(test_default_excludes);
	RUN(test_every_key);
	RUN(test_list_replace_then_append);
	RUN(test_quotes_comments_and_empty_paths);
	RUN(test_bools);
	RUN(test_numbers_and_ranges);
	RUN(test_sizes);
	RUN(test_unknown_section);
	RUN(test_unknown_key_after_multiline_value);
	RUN(test_syntax_errors);
	RUN(test_long_line);
	RUN(test_invalid_bytes);
	RUN(test_error_leaves_config_unchanged);
	RUN(test_dump_round_trip);
	RUN(test_hostile_values_round_trip);
	RUN(test_set_refuses_what_a_file_cannot_hold);
	RUN(test_exclude_checked_when_loaded);
	RUN(test_sample_parses_to_the_defaults);
	RUN(test_committed_sample_is_current);
	RUN(test_load_through_platform);
	return TEST_EXIT();
}
