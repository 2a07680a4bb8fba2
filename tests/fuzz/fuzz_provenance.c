/* fuzz_provenance.c -- provenance (scanner/provenance.c) on any reference
 * manifest and any findings, for a POSIX and a Windows host, and the
 * report writers over what it decided.
 *
 * The input: a flags byte (bit 0: Windows spelling; bit 1: the build moved
 * since the baseline), a two-byte length and that many bytes of reference
 * text, then findings (kind, path, size, digest seed) until the input ends.
 * Every finding's path is also "seen" by the walk first, so the build-copy
 * rule has copies to find.
 *
 * Properties: the reference is accepted or refused as EXS_USAGE naming
 * "ref:LINE" with LINE within the text; every decision is one of the known
 * reasons, vouches exactly when its reason does, and is the same when asked
 * again; a verdict of the reference agrees with a linear scan of the text's
 * records (identical, differing, absent) under the platform's case rule; an
 * image is only ever judged by its signature (or never vouched for); a
 * build copy needs a build change and another seen path with the same
 * bytes; emphasis is a shipped page without a build change; and the JSON
 * report of the decided findings is strict JSON whose provenance counts
 * add up, the summary valid UTF-8.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "json_check.h"
#include "manifest.h"
#include "provenance.h"
#include "run.h"

#define FINDINGS_MAX 64
#define PATH_MAX_ 256

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int same_key(const char *a, size_t al, const char *b, size_t bl, int ci)
{
	if (al != bl)
		return 0;
	for (size_t i = 0; i < al; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (ci) {
			x = fold(x);
			y = fold(y);
		}
		if (x != y)
			return 0;
	}
	return 1;
}

/* The reference's record for key, by a linear scan: 0 none, 1 identical,
 * 2 differs. */
static int scan_reference(const char *text, size_t len, char sep, int ci,
			  const char *key, size_t key_len,
			  const struct exs_finding *f)
{
	const char *p = text, *end = text + len;
	int line = 0, found = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = nl ? nl : end;
		p = nl ? nl + 1 : end;
		line++;
		if (line == 1 || s == e || *s == '#' || (e - s == 1 && *s == '\r'))
			continue;
		struct exs_manifest_record rec;
		const char *why;
		if (exs_manifest_parse_record(s, (size_t)(e - s), sep, &rec, &why))
			continue;
		if (!same_key(rec.key, rec.key_len, key, key_len, ci))
			continue;
		FUZZ_CHECK(!found, "an accepted reference lists a path twice");
		found = rec.size == f->new_rec.st.size &&
			memcmp(rec.sha256, f->new_rec.sha256, 32) == 0 ? 1 : 2;
	}
	return found;
}

static size_t count_lines(const char *text, size_t len)
{
	size_t n = 1;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

static int write_out(void *ctx, const char *text, size_t len)
{
	return fuzz_out_write(ctx, text, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned flags = fuzz_u8(&in);
	int win = flags & 1, moved = (flags >> 1) & 1;
	char sep = win ? '\\' : '/';
	struct exs_strlist roots = { 0 }, web = { 0 };
	if (win) {
		exs_strlist_add_str(&roots, "C:\\Exchange\\V15");
		exs_strlist_add_str(&roots, "C:\\inetpub");
		exs_strlist_add_str(&web, "C:\\Exchange\\V15\\ClientAccess");
	} else {
		exs_strlist_add_str(&roots, "/srv/V15");
		exs_strlist_add_str(&roots, "/srv/inetpub");
		exs_strlist_add_str(&web, "/srv/V15/ClientAccess");
	}
	struct exs_prov_config cfg = { .sep = sep, .case_insensitive = win,
				       .walk_roots = &roots, .web_roots = &web };
	struct exs_prov *p = NULL;
	struct exs_error err;
	exs_error_clear(&err);
	FUZZ_CHECK(exs_prov_open(&p, &cfg, &err) == EXS_OK, "open failed");

	size_t ref_len = fuzz_range(&in, 16383);
	if (ref_len > in.len)
		ref_len = in.len;
	const char *ref = (const char *)in.p;
	in.p += ref_len;
	in.len -= ref_len;
	int rc = exs_prov_load_reference(p, "ref", ref, ref_len, &err);
	FUZZ_CHECK(rc == EXS_OK || rc == EXS_USAGE, "reference: status %d", rc);
	if (rc == EXS_USAGE) {
		FUZZ_CHECK(strncmp(err.where, "ref:", 4) == 0, "where '%s'",
			   err.where);
		unsigned long line = strtoul(err.where + 4, NULL, 10);
		FUZZ_CHECK(line >= 1 && line <= count_lines(ref, ref_len),
			   "refusal at line %lu of %zu", line,
			   count_lines(ref, ref_len));
	}
	int have_ref = rc == EXS_OK;

	static struct exs_finding fs[FINDINGS_MAX];
	static char paths[FINDINGS_MAX][PATH_MAX_];
	size_t n = 0;
	while (in.len && n < FINDINGS_MAX) {
		struct exs_finding *f = &fs[n];
		memset(f, 0, sizeof(*f));
		unsigned k = fuzz_range(&in, 2);
		f->kind = k == 0 ? EXS_FINDING_CHANGED : k == 1 ? EXS_FINDING_ADDED
								 : EXS_FINDING_REMOVED;
		size_t len = fuzz_text(&in, paths[n], PATH_MAX_, 0);
		f->path = paths[n];
		f->path_len = len;
		f->has_new = f->kind != EXS_FINDING_REMOVED;
		f->new_rec.st.size = fuzz_u8(&in);
		unsigned seed = fuzz_u8(&in);
		for (int i = 0; i < 32; i++)
			f->new_rec.sha256[i] = (unsigned char)(seed + i);
		FUZZ_CHECK(exs_prov_see(p, f->path, f->path_len,
					f->new_rec.sha256) == EXS_OK, "see");
		n++;
	}
	struct exs_build now, base;
	exs_build_parse("15.2.1258.12", 12, &now);
	exs_build_parse(moved ? "15.2.1118.7" : "15.2.1258.12", moved ? 11 : 12,
			&base);
	exs_prov_seal_walk(p, &now, &base);

	struct exs_run run;
	memset(&run, 0, sizeof(run));
	run.command = "check";
	run.roots = &roots;
	run.web_roots = &web;
	run.provenance.ran = 1;
	run.provenance.reference = have_ref ? "ref" : NULL;
	run.provenance.reference_used = have_ref;
	struct exs_buf key;
	exs_buf_init(&key, 1u << 20);
	for (size_t i = 0; i < n; i++) {
		struct exs_finding *f = &fs[i];
		FUZZ_CHECK(exs_prov_decide(p, f) == EXS_OK, "decide");
		struct exs_provenance first = f->prov;
		FUZZ_CHECK(exs_prov_decide(p, f) == EXS_OK &&
			   memcmp(&first, &f->prov, sizeof(first)) == 0,
			   "two decisions differ");
		unsigned why = f->prov.why;
		FUZZ_CHECK(why > EXS_WHY_NONE && why < EXS_WHY_COUNT, "why %u", why);
		FUZZ_CHECK((f->prov.vouch == EXS_VOUCH_YES) ==
			   exs_prov_why_vouches(why), "vouch and why disagree");
		FUZZ_CHECK(!f->prov.emphasis || (f->prov.shipped && !moved),
			   "emphasis without a shipped page outside a build "
			   "change");
		FUZZ_CHECK(why != EXS_WHY_SIGNED && f->prov.signer[0] == '\0',
			   "signed without a signature check");
		int image = exs_prov_is_image(f->path, f->path_len);
		if (image && f->kind != EXS_FINDING_REMOVED)
			FUZZ_CHECK(why == EXS_WHY_SIGNATURE_UNKNOWN ||
				   why == EXS_WHY_NEW_IN_AUTH,
				   "an image judged by %s", exs_prov_why_name(why));
		if (why == EXS_WHY_BUILD_COPY) {
			FUZZ_CHECK(moved, "a build copy without a build change");
			int other = 0;
			for (size_t j = 0; j < n && !other; j++)
				other = (fs[j].path_len != f->path_len ||
					 memcmp(fs[j].path, f->path, f->path_len)) &&
					memcmp(fs[j].new_rec.sha256,
					       f->new_rec.sha256, 32) == 0;
			FUZZ_CHECK(other, "a build copy with no copy");
		}
		exs_buf_reset(&key);
		int keyed = exs_manifest_key(&key, &roots, f->path, f->path_len,
					     sep, win) == 0 && !key.failed;
		int found = have_ref && keyed
			? scan_reference(ref, ref_len, sep, win, key.data, key.len, f)
			: 0;
		if (why == EXS_WHY_REFERENCE)
			FUZZ_CHECK(found == 1, "vouched by a reference that has "
				   "no identical record (%d)", found);
		if (why == EXS_WHY_DIFFERS)
			FUZZ_CHECK(found == 2, "differs from a record the "
				   "reference lacks (%d)", found);
		if (why == EXS_WHY_NOT_IN_REFERENCE || why == EXS_WHY_GONE_IN_REFERENCE)
			FUZZ_CHECK(have_ref && found == 0, "not in a reference "
				   "that has it");
		if (why == EXS_WHY_KEPT_IN_REFERENCE)
			FUZZ_CHECK(found != 0, "kept in a reference that lacks it");
		if (why == EXS_WHY_NO_REFERENCE)
			FUZZ_CHECK(!have_ref, "no reference, yet one was loaded");
		run.provenance.by[why]++;
		if (f->prov.vouch == EXS_VOUCH_YES)
			run.provenance.vouched++;
		else
			run.provenance.not_vouched++;
		run.provenance.emphasized += f->prov.emphasis;
		FUZZ_CHECK(exs_run_add(&run, f) == EXS_OK, "run_add");
	}
	exs_buf_free(&key);
	exs_run_sort(&run);

	struct fuzz_out json = { 0 }, text = { 0 };
	struct exs_sink js = { write_out, &json }, ts = { write_out, &text };
	FUZZ_CHECK(exs_report_json(&run, &js) == EXS_OK, "json failed");
	const char *why;
	size_t at;
	struct fuzz_json *doc = fuzz_json_parse(json.data, json.len, &why, &at);
	FUZZ_CHECK(doc != NULL, "report is not JSON: %s at %zu", why, at);
	const struct fuzz_json *pv = fuzz_json_get(doc, "provenance");
	FUZZ_CHECK(pv && pv->type == FUZZ_JSON_OBJECT, "no provenance object");
	const struct fuzz_json *by = fuzz_json_get(pv, "by");
	FUZZ_CHECK(by && by->count == EXS_WHY_COUNT - 1, "provenance.by");
	uint64_t total = 0;
	for (size_t i = 0; i < by->count; i++)
		total += strtoull(by->items[i].text, NULL, 10);
	FUZZ_CHECK(total == n, "provenance.by adds up to %llu of %zu",
		   (unsigned long long)total, n);
	const struct fuzz_json *findings = fuzz_json_get(doc, "findings");
	FUZZ_CHECK(findings && findings->count == n, "findings");
	for (size_t i = 0; i < findings->count; i++) {
		const struct fuzz_json *fp = fuzz_json_get(&findings->items[i],
							  "provenance");
		FUZZ_CHECK(fp && fuzz_json_get(fp, "vouched") &&
			   fuzz_json_get(fp, "why"), "a finding without provenance");
	}
	fuzz_json_free(doc);
	/* Bit 2: as many changes again as make patch day, so that the text
	 * writer's look-first selection runs over these findings. */
	if (flags & 4)
		run.counts[EXS_FINDING_CHANGED] += 200;
	FUZZ_CHECK(exs_report_text(&run, &ts, 0) == EXS_OK, "text failed");
	FUZZ_CHECK(fuzz_utf8_valid((const uint8_t *)text.data, text.len),
		   "the summary is not UTF-8");
	fuzz_out_free(&json);
	fuzz_out_free(&text);
	exs_run_free(&run);
	exs_prov_free(p);
	exs_strlist_free(&roots);
	exs_strlist_free(&web);
	return 0;
}
