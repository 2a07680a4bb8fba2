/* fuzz_manifest.c -- the `check --against` manifest reader
 * (scanner/cli/cmd_against.c) and the manifest names (scanner/manifest.c)
 * on arbitrary manifests, for a POSIX and a Windows host.
 *
 * The reader is static inside cmd_against.c, so the harness includes that
 * file and calls load_manifest and report_removed directly, over a platform
 * whose only file is the input.
 *
 * Properties, against a reference reading of the format in README ("The
 * manifest"): every line that is not empty or a '#' comment is
 * PATH<TAB>SIZE<TAB>SHA256[<TAB>...] with a decimal size and 64 lowercase
 * hex digits. A manifest is accepted exactly when every record is well
 * formed, a refusal names the first bad line ("m:LINE"), the entries come
 * back sorted with their sizes and digests, and every key as written (ASCII
 * case folded on Windows). A removed entry of a walked root is reported as
 * a path whose own manifest key is the entry's key again, when the entry is
 * written the way export writes it.
 *
 * Known bugs (issue 12 item 6): sizes such as "-1", " +5" or one past
 * 2^64-1 are accepted (strtoull), a duplicated record is kept twice, and
 * "V15:Bin/x" is joined to its root without a separator. Only fuzz_strict(6)
 * asks for canonical sizes, unique keys and removed paths inside their
 * root.
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

/* A size as strtoull takes it (issue 12 item 6): leading white space, a
 * sign, digits; a value too large becomes the largest. An empty field is
 * size 0 when strtoull, skipping the tab after it as white space, finds no
 * digit at the start of the next field (next: its first byte, 0 if none). */
static int lenient_size(const uint8_t *s, size_t n, uint8_t next,
			uint64_t *out)
{
	size_t i = 0;
	if (n == 0) {
		*out = 0;
		return !(next >= '0' && next <= '9');
	}
	while (i < n && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
		i++;
	int negative = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		negative = s[i++] == '-';
	if (i == n)
		return 0;
	uint64_t v = 0;
	int overflow = 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			overflow = 1;
		v = v * 10 + d;
	}
	*out = overflow ? UINT64_MAX : negative ? (uint64_t)0 - v : v;
	return 1;
}

static int strict_size(const uint8_t *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

struct ref_record {
	const uint8_t *key;
	size_t key_len;
	uint64_t size;
	const uint8_t *sha;
};

/* Parses one record line; 0 when it is malformed. */
static int ref_record(const uint8_t *line, size_t len, int strict,
		      struct ref_record *r)
{
	const uint8_t *t1 = memchr(line, '\t', len);
	if (!t1)
		return 0;
	const uint8_t *end = line + len;
	const uint8_t *t2 = memchr(t1 + 1, '\t', (size_t)(end - t1 - 1));
	if (!t2)
		return 0;
	const uint8_t *t3 = memchr(t2 + 1, '\t', (size_t)(end - t2 - 1));
	if (!t3)
		t3 = end;
	size_t size_len = (size_t)(t2 - t1 - 1);
	if (!(strict ? strict_size(t1 + 1, size_len, &r->size)
		     : lenient_size(t1 + 1, size_len, t2 + 1 < end ? t2[1] : 0,
				    &r->size)))
		return 0;
	if (t3 - t2 - 1 != 2 * EXS_SHA256_LEN)
		return 0;
	for (const uint8_t *p = t2 + 1; p < t3; p++)
		if (!is_lower_hex(*p))
			return 0;
	r->key = line;
	r->key_len = (size_t)(t1 - line);
	r->sha = t2 + 1;
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
	if (rel_len && rel[0] != '/')
		return 0; /* issue 12 item 6: "V15:Bin/x" */
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
		/* Issue 12 item 6: joined without a separator. */
		if (fuzz_strict(6))
			FUZZ_CHECK(exs_path_within(f->path, f->path_len, rp,
						   strlen(rp),
						   plat->path_separator, 0),
				   "removed '%.*s' of root '%s' lies outside it",
				   (int)f->path_len, f->path, rp);
		if (!canonical_key(e, plat->path_separator))
			continue;
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
	size_t first_bad = 0, line = 0, records = 0;
	int duplicates = 0;
	for (size_t pos = 0; has_magic && pos < input_len;) {
		const uint8_t *start = input + pos;
		const uint8_t *nl = memchr(start, '\n', input_len - pos);
		size_t len = nl ? (size_t)(nl - start) : input_len - pos;
		pos += len + 1;
		line++;
		if (len == 0 || start[0] == '#')
			continue;
		struct ref_record r;
		if (!ref_record(start, len, fuzz_strict(6), &r)) {
			first_bad = line;
			break;
		}
		records++;
	}
	if (!has_magic) {
		FUZZ_CHECK(rc == EXS_USAGE, "a file without the magic line is "
			   "accepted (%d)", rc);
		goto out;
	}
	if (first_bad) {
		char where[64];
		snprintf(where, sizeof(where), "m:%zu", first_bad);
		if (!fuzz_strict(6) && rc == EXS_OK)
			goto out; /* a lenient size only the strict reading refuses */
		FUZZ_CHECK(rc == EXS_USAGE, "line %zu is malformed but the manifest "
			   "is accepted", first_bad);
		FUZZ_CHECK(!strcmp(err.where, where), "refused at '%s', the first "
			   "bad line is %zu", err.where, first_bad);
		goto out;
	}
	FUZZ_CHECK(rc == EXS_OK, "a well-formed manifest is refused: %s: %s",
		   err.where, err.detail);
	FUZZ_CHECK(ctx.count == records, "%zu entries for %zu records",
		   ctx.count, records);
	for (size_t i = 1; i < ctx.count; i++) {
		int cmp = compare_entries(&ctx.entries[i - 1], &ctx.entries[i]);
		FUZZ_CHECK(cmp <= 0, "entries %zu and %zu are out of order", i - 1, i);
		duplicates |= cmp == 0;
	}
	/* Issue 12 item 6: one record per path. */
	FUZZ_CHECK(!fuzz_strict(6) || !duplicates, "a duplicated record is kept");
	line = 0;
	for (size_t pos = 0; pos < input_len;) {
		const uint8_t *start = input + pos;
		const uint8_t *nl = memchr(start, '\n', input_len - pos);
		size_t len = nl ? (size_t)(nl - start) : input_len - pos;
		pos += len + 1;
		line++;
		struct ref_record r;
		if (len == 0 || start[0] == '#' ||
		    !ref_record(start, len, fuzz_strict(6), &r))
			continue;
		struct entry *e = find_entry(&ctx, &r, plat->case_insensitive);
		FUZZ_CHECK(e, "line %zu is not among the entries", line);
		if (!duplicates)
			check_entry(e, &r, plat->case_insensitive, line);
	}
	check_removed(&cli, &ctx, roots);
out:
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
