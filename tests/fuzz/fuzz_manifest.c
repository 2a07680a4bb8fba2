/* fuzz_manifest.c -- the `check --against` manifest reader
 * (scanner/cli/cmd_against.c) and the manifest names (scanner/manifest.c)
 * on arbitrary manifests, for a POSIX and a Windows host.
 *
 * The reader is static inside cmd_against.c, so the harness includes that
 * file and calls load_manifest and report_removed directly, over a platform
 * whose only file is the input.
 *
 * Properties, against a reference reading of the strict format in README
 * ("The manifest"), written apart from scanner/manifest.c: the first line is
 * the #exsweep-manifest/1 header (a whole first field); every line that is
 * not empty, "\r" or a '#' comment is a record of 3 or 9 tab-separated
 * fields (a final CR allowed): a path "NAME:/c/c" (a root name of letters
 * and digits; components neither empty nor "." or ".."; every byte as export
 * writes it: %XX in upper-case hex exactly for the bytes export escapes, never
 * NUL or a separator), a size of decimal digits, 64 lower-case hex digits,
 * then mode (at most 2^32-1), mtime_ns and ctime_ns (signed 64-bit),
 * owner (escaped bytes), file_id and security_sha256 ("-" or a hash). A
 * manifest is accepted exactly when every record is well formed and no path
 * is listed twice (compared with ASCII case folded on Windows); a refusal
 * names the first bad line, or else the first line that repeats an earlier
 * path ("m:LINE"). The entries come back sorted with their sizes and
 * digests, every key as written (never folded), in the one
 * spelling export writes. A removed entry of a walked root is reported as a
 * path inside that root whose own manifest key is the entry's key again.
 */
#include "cmd_against.c"

#include "fuzz.h"
#include "path.h"

#define REMOVED_CHECKED 64

struct exs_file {
	size_t pos;
};

static const uint8_t *input;
static size_t input_len;
static struct exs_file the_file;
static struct exs_platform plat_posix, plat_windows;

static int fake_open(const char *path, struct exs_file **out,
		     struct exs_error *err)
{
	(void)path;
	(void)err;
	the_file.pos = 0;
	*out = &the_file;
	return EXS_OK;
}

static int fake_read(struct exs_file *f, void *buf, size_t cap, size_t *got,
		     struct exs_error *err)
{
	(void)err;
	/* Short reads, as a real file may give them. */
	size_t n = input_len - f->pos;
	if (n > cap)
		n = cap;
	if (n > 4096)
		n = 4096;
	memcpy(buf, input + f->pos, n);
	f->pos += n;
	*got = n;
	return EXS_OK;
}

static void fake_close(struct exs_file *f)
{
	(void)f;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	struct exs_platform *p[] = { &plat_posix, &plat_windows };
	for (int i = 0; i < 2; i++) {
		p[i]->file_open_read = fake_open;
		p[i]->file_read = fake_read;
		p[i]->file_close = fake_close;
	}
	plat_posix.name = "fuzz-posix";
	plat_posix.path_separator = '/';
	plat_windows.name = "fuzz-windows";
	plat_windows.path_separator = '\\';
	plat_windows.case_insensitive = 1;
	return 0;
}

/* ---- The reference reading ------------------------------------------------ */

static int is_lower_hex(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* A run of decimal digits filling s[0..n), at most max. */
static int ref_number(const uint8_t *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

/* A signed 64-bit decimal: an optional '-', then digits. */
static int ref_signed(const uint8_t *s, size_t n)
{
	uint64_t v;
	int neg = n && s[0] == '-';
	return ref_number(s + neg, n - (size_t)neg,
			  (uint64_t)INT64_MAX + (uint64_t)neg, &v);
}

static int ref_hash(const uint8_t *s, size_t n)
{
	if (n != 2 * EXS_SHA256_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_hex(s[i]))
			return 0;
	return 1;
}

static int upper_hex_value(uint8_t c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
								    : -1;
}

/* The bytes export writes as %XX (README: below '!', above '~', '%', ':',
 * '/' and '\'); a space is written as it is. */
static int ref_escaped_byte(unsigned c)
{
	return (c < 0x20 || c > 0x7E || c == '%' || c == ':' || c == '/' ||
		c == '\\');
}

/* "%XX" at s[0..n): its value, or -1. */
static int ref_escape(const uint8_t *s, size_t n)
{
	if (n < 3 || upper_hex_value(s[1]) < 0 || upper_hex_value(s[2]) < 0)
		return -1;
	return upper_hex_value(s[1]) << 4 | upper_hex_value(s[2]);
}

static int ref_key(const uint8_t *k, size_t n, char sep)
{
	size_t i = 0;
	while (i < n && ((k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= 'a' && k[i] <= 'z') ||
			 (k[i] >= '0' && k[i] <= '9')))
		i++;
	if (i == 0 || i >= EXS_MANIFEST_NAME_MAX || i + 1 >= n || k[i] != ':' ||
	    k[i + 1] != '/')
		return 0;
	i++;
	while (i < n) {
		size_t start = ++i, dots = 0;
		while (i < n && k[i] != '/') {
			if (k[i] == '%') {
				int v = ref_escape(k + i, n - i);
				if (v <= 0 || v == '/' || v == (uint8_t)sep ||
				    !ref_escaped_byte((unsigned)v))
					return 0;
				i += 3;
				continue;
			}
			if (ref_escaped_byte(k[i]))
				return 0;
			dots += k[i] == '.';
			i++;
		}
		if (i == start || (dots == i - start && dots <= 2))
			return 0;
	}
	return 1;
}

static int ref_owner(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (ref_escape(s + i, n - i) < 0)
				return 0;
			i += 2;
		} else if (s[i] != '/' && ref_escaped_byte(s[i])) {
			return 0;
		}
	}
	return 1;
}

struct ref_record {
	const uint8_t *key;
	size_t key_len;
	uint64_t size;
	const uint8_t *sha;
};

/* Parses one record line (without its '\n'); 0 when it is malformed. */
static int ref_record(const uint8_t *line, size_t len, char sep,
		      struct ref_record *r)
{
	const uint8_t *f[10];
	size_t fl[10], n = 0, start = 0;
	uint64_t v;
	if (len && line[len - 1] == '\r')
		len--;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != '\t')
			continue;
		if (n == 10)
			return 0;
		f[n] = line + start;
		fl[n++] = i - start;
		start = i + 1;
	}
	if (n != 3 && n != 9)
		return 0;
	if (!ref_key(f[0], fl[0], sep) ||
	    !ref_number(f[1], fl[1], UINT64_MAX, &r->size) ||
	    !ref_hash(f[2], fl[2]))
		return 0;
	if (n == 9 &&
	    (!ref_number(f[3], fl[3], UINT32_MAX, &v) || !ref_signed(f[4], fl[4]) ||
	     !ref_signed(f[5], fl[5]) || !ref_owner(f[6], fl[6]) ||
	     !ref_number(f[7], fl[7], UINT64_MAX, &v) ||
	     !((fl[8] == 1 && f[8][0] == '-') || ref_hash(f[8], fl[8]))))
		return 0;
	r->key = line;
	r->key_len = fl[0];
	r->sha = f[2];
	return 1;
}

static uint8_t ref_fold(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

/* ---- Checks ---------------------------------------------------------------- */

static void check_entry(const struct entry *e, const struct ref_record *r,
			int folded, size_t line)
{
	FUZZ_CHECK(e->key_len == r->key_len, "line %zu: key of %zu bytes, "
		   "written %zu", line, e->key_len, r->key_len);
	for (size_t i = 0; i < r->key_len; i++)
		FUZZ_CHECK((uint8_t)e->key[i] ==
			   (folded ? ref_fold(r->key[i]) : r->key[i]),
			   "line %zu: key byte %zu", line, i);
	FUZZ_CHECK(e->size == r->size, "line %zu: size %llu, written %llu",
		   line, (unsigned long long)e->size,
		   (unsigned long long)r->size);
	for (size_t i = 0; i < EXS_SHA256_LEN; i++) {
		unsigned hi = r->sha[2 * i], lo = r->sha[2 * i + 1];
		unsigned v = (hi <= '9' ? hi - '0' : hi - 'a' + 10) << 4 |
			     (lo <= '9' ? lo - '0' : lo - 'a' + 10);
		FUZZ_CHECK(e->sha256[i] == v, "line %zu: sha256 byte %zu", line, i);
	}
}

static struct entry *find_entry(struct against_ctx *c,
				const struct ref_record *r, int folded)
{
	char key[4096];
	if (r->key_len > sizeof(key))
		return NULL;
	for (size_t i = 0; i < r->key_len; i++)
		key[i] = (char)(folded ? ref_fold(r->key[i]) : r->key[i]);
	return find(c, key, r->key_len);
}

/* The entry's relative part is what export writes for some name: escaping
 * what it stands for gives it back. */
static int canonical_key(const struct entry *e, char sep)
{
	const char *colon = memchr(e->key, ':', e->key_len);
	if (!colon)
		return 0;
	const char *rel = colon + 1;
	size_t rel_len = e->key_len - (size_t)(rel - e->key);
	if (!rel_len || rel[0] != '/')
		return 0;
	struct exs_buf raw, again;
	exs_buf_init(&raw, 1u << 20);
	exs_buf_init(&again, 1u << 20);
	int ok = exs_manifest_unescape(&raw, rel, rel_len, sep) == 0;
	if (ok)
		exs_manifest_escape(&again, raw.data ? raw.data : "", raw.len, sep);
	ok = ok && !raw.failed && !again.failed && again.len == rel_len &&
	     (rel_len == 0 || !memcmp(again.data, rel, rel_len));
	exs_buf_free(&raw);
	exs_buf_free(&again);
	return ok;
}

static void check_removed(struct exs_cli *cli, struct against_ctx *c,
			  const struct exs_strlist *roots)
{
	const struct exs_platform *plat = cli->plat;
	struct exs_run run;
	struct exs_setup setup;
	struct exs_error err;
	memset(&run, 0, sizeof(run));
	memset(&setup, 0, sizeof(setup));
	exs_error_clear(&err);
	setup.walk_roots = *roots;
	c->run = &run;
	c->setup = &setup;
	c->err = &err;
	size_t n = c->count < REMOVED_CHECKED ? c->count : REMOVED_CHECKED;
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(report_removed(c, &c->entries[i]) == EXS_OK,
			   "report_removed failed");
	FUZZ_CHECK(run.finding_count == n, "%zu removed findings for %zu "
		   "entries", run.finding_count, n);
	struct exs_buf key;
	exs_buf_init(&key, 1u << 20);
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = &c->entries[i];
		const struct exs_finding *f = &run.findings[i];
		FUZZ_CHECK(f->kind == EXS_FINDING_REMOVED, "finding %zu kind", i);
		char name[EXS_MANIFEST_NAME_MAX];
		size_t root = roots->count;
		const char *colon = memchr(e->key, ':', e->key_len);
		for (size_t r = 0; colon && r < roots->count; r++) {
			exs_manifest_root_name(roots, r, plat->path_separator,
					       name, sizeof(name));
			size_t nl = strlen(name);
			int same = nl == (size_t)(colon - e->key);
			for (size_t k = 0; same && k < nl; k++)
				same = ref_fold((uint8_t)name[k]) == ref_fold((uint8_t)e->key[k]);
			if (same) {
				root = r;
				break;
			}
		}
		if (root == roots->count) {
			FUZZ_CHECK(f->path_len == e->key_len &&
				   !memcmp(f->path, e->key, e->key_len),
				   "entry %zu of no walked root is not reported "
				   "as written", i);
			continue;
		}
		const char *rp = roots->items[root];
		FUZZ_CHECK(exs_path_within(f->path, f->path_len, rp, strlen(rp),
					   plat->path_separator, 0),
			   "removed '%.*s' of root '%s' lies outside it",
			   (int)f->path_len, f->path, rp);
		/* The reader takes only the one spelling export writes. */
		FUZZ_CHECK(canonical_key(e, plat->path_separator),
			   "entry '%.*s' is not written as export writes it",
			   (int)e->key_len, e->key);
		exs_buf_reset(&key);
		int rc = exs_manifest_key(&key, roots, f->path, f->path_len,
					  plat->path_separator,
					  plat->case_insensitive);
		FUZZ_CHECK(rc == 0 && !key.failed, "removed '%.*s' has no key",
			   (int)f->path_len, f->path);
		int same = key.len == e->key_len;
		for (size_t k = 0; same && k < key.len; k++)
			same = ref_fold((uint8_t)key.data[k]) == ref_fold((uint8_t)e->key[k]);
		FUZZ_CHECK(same, "entry '%.*s' is reported as '%.*s', whose key is "
			   "'%.*s'", (int)e->key_len, e->key, (int)f->path_len,
			   f->path, (int)key.len, key.data);
	}
	exs_buf_free(&key);
	exs_run_free(&run);
}

static void check_one(const struct exs_platform *plat,
		      const struct exs_strlist *roots)
{
	struct exs_cli cli;
	struct exs_buf text;
	struct against_ctx ctx;
	struct exs_error err;
	memset(&cli, 0, sizeof(cli));
	memset(&ctx, 0, sizeof(ctx));
	exs_error_clear(&err);
	cli.plat = plat;
	cli.against = "m";
	ctx.cli = &cli;
	exs_buf_init(&text, MANIFEST_MAX);
	int rc = load_manifest(&cli, &text, &ctx, &err);

	/* The reference reading of the same bytes. */
	size_t magic = strlen(EXS_MANIFEST_MAGIC);
	int has_magic = input_len >= magic && !memcmp(input, EXS_MANIFEST_MAGIC,
						      magic);
	int whole_magic = has_magic && (input_len == magic ||
					input[magic] == '\t' ||
					input[magic] == '\n' ||
					input[magic] == '\r');
	size_t first_bad = 0, first_dup = 0, line = 0, records = 0;
	struct ref_record *refs = NULL;
	size_t *ref_lines = NULL;
	if (whole_magic) {
		refs = malloc((input_len / 2 + 1) * sizeof(*refs));
		ref_lines = malloc((input_len / 2 + 1) * sizeof(*ref_lines));
		FUZZ_CHECK(refs && ref_lines, "harness out of memory");
	}
	for (size_t pos = 0; whole_magic && pos < input_len;) {
		const uint8_t *start = input + pos;
		const uint8_t *nl = memchr(start, '\n', input_len - pos);
		size_t len = nl ? (size_t)(nl - start) : input_len - pos;
		pos += len + 1;
		line++;
		if (len == 0 || start[0] == '#' || (len == 1 && start[0] == '\r'))
			continue;
		struct ref_record r;
		if (!ref_record(start, len, plat->path_separator, &r)) {
			first_bad = line;
			break;
		}
		for (size_t k = 0; !first_dup && k < records; k++) {
			int same = refs[k].key_len == r.key_len;
			for (size_t j = 0; same && j < r.key_len; j++)
				same = plat->case_insensitive
					       ? ref_fold(refs[k].key[j]) == ref_fold(r.key[j])
					       : refs[k].key[j] == r.key[j];
			if (same)
				first_dup = line;
		}
		ref_lines[records] = line;
		refs[records++] = r;
	}
	if (!has_magic || !whole_magic) {
		FUZZ_CHECK(rc == EXS_USAGE, "a file without the magic line is "
			   "accepted (%d)", rc);
		goto out;
	}
	if (first_bad || first_dup) {
		size_t bad = first_bad ? first_bad : first_dup;
		char where[64];
		snprintf(where, sizeof(where), "m:%zu", bad);
		FUZZ_CHECK(rc == EXS_USAGE, "line %zu is %s but the manifest is "
			   "accepted", bad, first_bad ? "malformed" : "a duplicate");
		FUZZ_CHECK(!strcmp(err.where, where), "refused at '%s', the first "
			   "bad line is %zu (%s)", err.where, bad,
			   first_bad ? "malformed" : "a duplicate");
		goto out;
	}
	FUZZ_CHECK(rc == EXS_OK, "a well-formed manifest is refused: %s: %s",
		   err.where, err.detail);
	FUZZ_CHECK(ctx.count == records, "%zu entries for %zu records",
		   ctx.count, records);
	for (size_t i = 1; i < ctx.count; i++) {
		int cmp = compare_keys(ctx.entries[i - 1].key,
				       ctx.entries[i - 1].key_len,
				       ctx.entries[i].key, ctx.entries[i].key_len,
				       plat->case_insensitive);
		FUZZ_CHECK(cmp < 0, "entries %zu and %zu are out of order or the "
			   "same path", i - 1, i);
	}
	for (size_t i = 0; i < records; i++) {
		struct entry *e = find_entry(&ctx, &refs[i], plat->case_insensitive);
		FUZZ_CHECK(e, "line %zu is not among the entries", ref_lines[i]);
		FUZZ_CHECK(e->line == ref_lines[i], "line %zu comes back as line "
			   "%zu", ref_lines[i], e->line);
		check_entry(e, &refs[i], 0, ref_lines[i]);
	}
	check_removed(&cli, &ctx, roots);
out:
	free(refs);
	free(ref_lines);
	free(ctx.entries);
	exs_buf_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const posix_roots[] = {
		"/srv/exchange/V15", "/srv/inetpub/wwwroot", "/data", NULL };
	static const char *const windows_roots[] = {
		"C:\\Program Files\\Microsoft\\Exchange Server\\V15",
		"C:\\inetpub\\wwwroot", "D:\\", NULL };
	struct exs_strlist roots = { 0 };
	input = data;
	input_len = size;
	for (size_t i = 0; posix_roots[i]; i++)
		FUZZ_CHECK(!exs_strlist_add_str(&roots, posix_roots[i]), "oom");
	check_one(&plat_posix, &roots);
	exs_strlist_free(&roots);
	for (size_t i = 0; windows_roots[i]; i++)
		FUZZ_CHECK(!exs_strlist_add_str(&roots, windows_roots[i]), "oom");
	check_one(&plat_windows, &roots);
	exs_strlist_free(&roots);
	return 0;
}
