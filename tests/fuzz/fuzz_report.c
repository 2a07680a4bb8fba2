/* fuzz_report.c -- the JSON report, the NDJSON report, the terminal summary
 * and the HTML report (report/json.c, ndjson.c, text.c, html.c, group.c,
 * escape.c) on runs built from the
 * input: hostile paths, excerpts and record values, many findings of every
 * kind (enough, at times, for the patch-day overview), skipped nodes,
 * generations.
 *
 * What an attacker controls is taken as raw bytes: paths, roots, the
 * baseline and manifest names, excerpts. What the program writes itself
 * (rule names, notes, messages, the host name) is printable ASCII.
 *
 * JSON properties: the report parses as strict JSON (json_check.c); every
 * finding and skipped node comes back in report order with its kind, and
 * its exact bytes: "path" when they are valid UTF-8, else "path_b64" (the
 * standard base64 of the bytes) beside a "path" whose every invalid byte is
 * U+FFFD, and "path_b64" only then; counts and exit code are the run's.
 * Text properties: the summary is valid UTF-8 with no control character
 * but '\n' (C0, DEL and C1 alike), so no name can forge or recolour a line.
 *
 * Entries (group.c): every record's "file" is the number of its path's
 * entry, counted from 1 in the order each path first appears (each
 * exploitation trace an entry of its own), and counts.entries their count.
 * The run keeps a path to one change record (changed, added or removed),
 * as a real run does.
 *
 * HTML properties: valid UTF-8 with no control character but '\n'; every
 * '<' opens one of the writer's own tags (a fixed list of names, whose
 * inside holds no byte a name could bring: no '<', '&' or control), no '>'
 * stands outside a tag, every '&' starts one of the references the writer
 * uses; and a printable ASCII path shows in the page as the harness's own
 * escaping of it. So no byte of a name or excerpt becomes markup.
 *
 * Issue 12 item 7: roots, web roots, the baseline path and `against` that
 * are not UTF-8 keep their bytes in a base64 twin (NAME_b64; looked for as
 * any string of the document equal to the base64 of the bytes, whatever its
 * name), and the summary carries no bidirectional control, invisible
 * format character or U+2028/U+2029 (the writer escapes them as \uXXXX).
 *
 * NDJSON properties (issue 16): the output is lines, each one strict JSON
 * object and nothing else; one line per verdict (each hit of a webshell or
 * suspicious finding, each exploit trace: OCSF class 2004), per change or
 * error (ECS, exsweep.record "change" or "error") and per listed skipped
 * node, in report order, then the run (OCSF class 6007) last; each
 * record's path (ECS file.path, OCSF evidences[0].file.path) is the bytes,
 * or the bytes with U+FFFD beside exsweep.path_b64 with the exact bytes,
 * and path_b64 only then; excerpts likewise (excerpt_b64); type_uid is
 * class_uid * 100 + activity_id. Both path spellings (POSIX and Windows,
 * input flag 8) are written. fuzz_ndjson.c is this harness with only the
 * NDJSON checks, so that its corpus grows on the NDJSON writer alone.
 */
#include <inttypes.h>
#include <string.h>

#include "fuzz.h"
#include "json_check.h"
#include "report.h"
#include "run.h"
#include "status.h"

#define FINDINGS_MAX 400
#define SKIPPED_MAX 16
#define LIST_MAX 4
#define GENERATIONS_MAX 3
#define HITS_MAX 3

static const char *const commands[] = { "init", "check", "scan", "update" };
static const char *const ops[] = { NULL, "open", "read", "scan", "walk",
				   "CreateFileW" };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* ---- Building the run from the input -------------------------------------- */

static void take_list(struct fuzz_in *in, struct exs_strlist *list)
{
	unsigned n = fuzz_range(in, LIST_MAX);
	for (unsigned i = 0; i < n; i++) {
		char item[256];
		fuzz_text(in, item, sizeof(item), 1);
		FUZZ_CHECK(!exs_strlist_add_str(list, item), "out of memory");
	}
}

static void take_record(struct fuzz_in *in, struct exs_record *r)
{
	memset(r, 0, sizeof(*r));
	r->st.node = EXS_NODE_FILE;
	r->st.size = fuzz_u64(in);
	r->st.mtime_ns = (int64_t)fuzz_u64(in);
	r->st.ctime_ns = (int64_t)fuzz_u64(in);
	r->st.mode = fuzz_u32(in);
	fuzz_ascii(in, r->st.owner, sizeof(r->st.owner));
	r->st.volume_id = fuzz_u64(in);
	r->st.file_id = fuzz_u64(in);
	unsigned seed = fuzz_u8(in);
	for (int i = 0; i < EXS_SHA256_LEN; i++) {
		r->sha256[i] = (unsigned char)(seed * 31 + (unsigned)i);
		r->security_sha256[i] = (unsigned char)(seed ^ (unsigned)i);
	}
	r->has_security = seed & 1;
}

static struct exs_hit *take_hits(struct fuzz_in *in, size_t *count)
{
	*count = fuzz_range(in, HITS_MAX);
	if (!*count)
		return NULL;
	struct exs_hit *hits = calloc(*count, sizeof(*hits));
	FUZZ_CHECK(hits, "harness out of memory");
	for (size_t i = 0; i < *count; i++) {
		struct exs_hit *h = &hits[i];
		fuzz_ascii(in, h->rule, sizeof(h->rule));
		fuzz_ascii(in, h->ns, sizeof(h->ns));
		fuzz_ascii(in, h->tags, sizeof(h->tags));
		fuzz_ascii(in, h->description, sizeof(h->description));
		fuzz_ascii(in, h->family, sizeof(h->family));
		fuzz_ascii(in, h->severity, sizeof(h->severity));
		h->string_count = fuzz_range(in, EXS_HIT_STRINGS_MAX);
		for (unsigned j = 0; j < h->string_count; j++) {
			struct exs_hit_string *s = &h->strings[j];
			const uint8_t *p;
			fuzz_ascii(in, s->id, sizeof(s->id));
			s->offset = fuzz_u64(in);
			s->length = fuzz_u32(in);
			s->excerpt_len = (uint32_t)fuzz_bytes(in, EXS_EXCERPT_MAX, &p);
			memcpy(s->excerpt, p, s->excerpt_len);
		}
	}
	return hits;
}

/* The change records added so far: a path has at most one (kind). */
struct change_seen {
	char path[300];
	size_t len;
	enum exs_finding_kind kind;
};
static struct change_seen changes_seen[FINDINGS_MAX];
static size_t changes_seen_n;

static int is_change_kind(enum exs_finding_kind k)
{
	return k >= EXS_FINDING_CHANGED && k <= EXS_FINDING_REMOVED;
}

/* 0 when path already has a change record of another kind. */
static int change_allowed(enum exs_finding_kind kind, const char *path,
			  size_t len)
{
	if (!is_change_kind(kind))
		return 1;
	for (size_t i = 0; i < changes_seen_n; i++)
		if (changes_seen[i].len == len &&
		    memcmp(changes_seen[i].path, path, len) == 0)
			return changes_seen[i].kind == kind;
	if (changes_seen_n < FINDINGS_MAX) {
		struct change_seen *c = &changes_seen[changes_seen_n++];
		memcpy(c->path, path, len);
		c->len = len;
		c->kind = kind;
	}
	return 1;
}

static void take_finding(struct fuzz_in *in, struct exs_run *run,
			 size_t *total)
{
	struct exs_finding f;
	const uint8_t *p;
	memset(&f, 0, sizeof(f));
	f.kind = (enum exs_finding_kind)fuzz_range(in, EXS_FINDING_KIND_COUNT - 1);
	size_t len = fuzz_bytes(in, 255, &p);
	/* Changes may come by the hundred, as on patch day. */
	unsigned copies = 1;
	if (f.kind >= EXS_FINDING_CHANGED && f.kind <= EXS_FINDING_REMOVED)
		copies += fuzz_u8(in);
	f.has_old = f.kind == EXS_FINDING_CHANGED || f.kind == EXS_FINDING_REMOVED;
	f.has_new = f.kind != EXS_FINDING_REMOVED && f.kind != EXS_FINDING_ERROR;
	if (f.has_old)
		take_record(in, &f.old_rec);
	if (f.has_new)
		take_record(in, &f.new_rec);
	f.changed = fuzz_u8(in);
	f.timestomp = f.changed & 1;
	char message[128];
	if (f.kind == EXS_FINDING_ERROR) {
		f.status = (int)fuzz_u8(in) - 2; /* unknown codes too */
		f.os_code = (long)(int32_t)fuzz_u32(in);
		f.op = ops[fuzz_range(in, sizeof(ops) / sizeof(*ops) - 1)];
		fuzz_ascii(in, message, sizeof(message));
	}
	int with_hits = f.kind <= EXS_FINDING_SUSPICIOUS;
	for (unsigned c = 0; c < copies && *total < FINDINGS_MAX; c++) {
		char path[300];
		memcpy(path, p, len);
		size_t n = len;
		if (c)
			n += (size_t)snprintf(path + len, sizeof(path) - len,
					      "/%u", c);
		f.path = path;
		f.path_len = n;
		f.message = NULL;
		if (!change_allowed(f.kind, path, n))
			continue;
		if (f.kind == EXS_FINDING_ERROR && message[0]) {
			f.message = malloc(strlen(message) + 1);
			FUZZ_CHECK(f.message, "harness out of memory");
			strcpy(f.message, message);
		}
		f.hits = with_hits ? take_hits(in, &f.hit_count) : NULL;
		if (!with_hits)
			f.hit_count = 0;
		exs_build_scan_path(&run->build, path, n);
		FUZZ_CHECK(exs_run_add(run, &f) == EXS_OK, "exs_run_add failed");
		(*total)++;
	}
}

static void take_generations(struct fuzz_in *in, struct exs_run *run)
{
	size_t n = fuzz_range(in, GENERATIONS_MAX);
	if (!n)
		return;
	run->generations = calloc(n, sizeof(*run->generations));
	FUZZ_CHECK(run->generations, "harness out of memory");
	run->generation_count = n;
	for (size_t i = 0; i < n; i++) {
		struct exs_generation *g = &run->generations[i];
		g->id = (int64_t)fuzz_u64(in);
		fuzz_ascii(in, g->created, sizeof(g->created));
		fuzz_ascii(in, g->note, sizeof(g->note));
		fuzz_ascii(in, g->host, sizeof(g->host));
		fuzz_ascii(in, g->tool_version, sizeof(g->tool_version));
		fuzz_ascii(in, g->exchange_build, sizeof(g->exchange_build));
		fuzz_ascii(in, g->rules_digest, sizeof(g->rules_digest));
		fuzz_ascii(in, g->config_digest, sizeof(g->config_digest));
		g->file_count = fuzz_u64(in);
		fuzz_ascii(in, g->seal, sizeof(g->seal));
	}
}

/* ---- Checking the JSON ---------------------------------------------------- */

/* What exs_json_string promises for bytes: valid UTF-8 kept, each other
 * byte U+FFFD. */
static void replaced_form(const uint8_t *s, size_t len, struct fuzz_out *out)
{
	uint32_t cp;
	out->len = 0;
	fuzz_out_write(out, "", 0);
	for (size_t i = 0; i < len;) {
		size_t n = fuzz_utf8_decode(s + i, len - i, &cp);
		if (n) {
			fuzz_out_write(out, (const char *)s + i, n);
			i += n;
		} else {
			fuzz_out_write(out, "\xEF\xBF\xBD", 3);
			i++;
		}
	}
}

/* Some string in the document is exactly text. */
static int document_has_string(const struct fuzz_json *v, const char *text)
{
	if (v->type == FUZZ_JSON_STRING)
		return fuzz_json_is_bytes(v, text, strlen(text));
	if (v->type != FUZZ_JSON_ARRAY && v->type != FUZZ_JSON_OBJECT)
		return 0;
	for (size_t i = 0; i < v->count; i++)
		if (document_has_string(&v->items[i], text))
			return 1;
	return 0;
}

/* A path and its base64 twin, as the README promises for findings. */
static void check_path_pair(const struct fuzz_json *obj, const char *what,
			    const char *path, size_t len)
{
	const struct fuzz_json *plain = fuzz_json_get(obj, "path");
	const struct fuzz_json *b64 = fuzz_json_get(obj, "path_b64");
	FUZZ_CHECK(plain && plain->type == FUZZ_JSON_STRING, "%s has no path",
		   what);
	if (fuzz_utf8_valid((const uint8_t *)path, len)) {
		FUZZ_CHECK(fuzz_json_is_bytes(plain, path, len),
			   "%s: path '%.*s' comes back as '%s'", what,
			   (int)len, path, plain->text);
		FUZZ_CHECK(!b64, "%s: path_b64 beside a valid UTF-8 path", what);
		return;
	}
	FUZZ_CHECK(b64, "%s: no path_b64 for a path that is not UTF-8", what);
	char *want = fuzz_base64((const uint8_t *)path, len);
	FUZZ_CHECK(fuzz_json_is_bytes(b64, want, strlen(want)),
		   "%s: path_b64 '%s', the bytes are '%s'", what,
		   b64->type == FUZZ_JSON_STRING ? b64->text : "?", want);
	free(want);
	struct fuzz_out r = { 0 };
	replaced_form((const uint8_t *)path, len, &r);
	FUZZ_CHECK(fuzz_json_is_bytes(plain, r.data, r.len),
		   "%s: path is not the bytes with U+FFFD for invalid ones",
		   what);
	fuzz_out_free(&r);
}

/* A name outside findings (root, baseline, manifest). Valid UTF-8 must
 * come back exactly; other bytes (issue 12 item 7) somewhere in base64. */
static void check_name(const struct fuzz_json *doc, const struct fuzz_json *v,
		       const char *what, const char *name)
{
	size_t len = strlen(name);
	FUZZ_CHECK(v && v->type == FUZZ_JSON_STRING, "%s missing", what);
	if (fuzz_utf8_valid((const uint8_t *)name, len)) {
		FUZZ_CHECK(fuzz_json_is_bytes(v, name, len), "%s '%s' comes back "
			   "as '%s'", what, name, v->text);
		return;
	}
	char *want = fuzz_base64((const uint8_t *)name, len);
	FUZZ_CHECK(document_has_string(doc, want), "%s is not UTF-8 and its "
		   "bytes (%s) are nowhere in the report", what, want);
	free(want);
}

static void check_list(const struct fuzz_json *doc, const char *key,
		       const struct exs_strlist *list)
{
	const struct fuzz_json *arr = fuzz_json_get(doc, key);
	FUZZ_CHECK(arr && arr->type == FUZZ_JSON_ARRAY &&
		   arr->count == list->count, "%s: %zu items, the run has %zu",
		   key, arr ? arr->count : 0, list->count);
	for (size_t i = 0; i < list->count; i++)
		check_name(doc, &arr->items[i], key, list->items[i]);
}

struct order_ctx {
	const struct fuzz_json *findings;
	size_t next;
	/* the reference numbering: each path's entry, numbered in the order
	 * paths first appear; each trace a number of its own */
	char seen_path[FINDINGS_MAX][300];
	size_t seen_len[FINDINGS_MAX];
	uint64_t seen_number[FINDINGS_MAX];
	size_t nseen;
	uint64_t entries;
};

static uint64_t reference_entry(struct order_ctx *o, const struct exs_finding *f)
{
	/* Events are entries of their own: a log line, a config entry. */
	if (f->kind == EXS_FINDING_EXPLOIT_TRACE ||
	    f->kind == EXS_FINDING_REGISTRATION)
		return ++o->entries;
	for (size_t i = 0; i < o->nseen; i++)
		if (o->seen_len[i] == f->path_len &&
		    memcmp(o->seen_path[i], f->path, f->path_len) == 0)
			return o->seen_number[i];
	FUZZ_CHECK(o->nseen < FINDINGS_MAX && f->path_len <= 300,
		   "harness: too many paths");
	memcpy(o->seen_path[o->nseen], f->path, f->path_len);
	o->seen_len[o->nseen] = f->path_len;
	o->seen_number[o->nseen] = ++o->entries;
	return o->seen_number[o->nseen++];
}

static int check_finding(void *ctx, const struct exs_finding *f)
{
	struct order_ctx *o = ctx;
	char what[64];
	FUZZ_CHECK(o->next < o->findings->count, "more findings than the "
		   "report has (%zu)", o->findings->count);
	const struct fuzz_json *item = &o->findings->items[o->next];
	snprintf(what, sizeof(what), "finding %zu", o->next);
	o->next++;
	const struct fuzz_json *kind = fuzz_json_get(item, "kind");
	const char *name = exs_finding_kind_name(f->kind);
	FUZZ_CHECK(fuzz_json_is_bytes(kind, name, strlen(name)),
		   "%s: kind is not '%s'", what, name);
	check_path_pair(item, what, f->path, f->path_len);
	char number[32];
	snprintf(number, sizeof(number), "%" PRIu64, reference_entry(o, f));
	const struct fuzz_json *file = fuzz_json_get(item, "file");
	FUZZ_CHECK(file && file->type == FUZZ_JSON_NUMBER &&
		   !strcmp(file->text, number), "%s: file is %s, its entry is %s",
		   what, file ? file->text : "missing", number);
	if (f->kind <= EXS_FINDING_SUSPICIOUS) {
		const struct fuzz_json *m = fuzz_json_get(item, "matches");
		FUZZ_CHECK(m && m->type == FUZZ_JSON_ARRAY &&
			   m->count == f->hit_count, "%s: matches", what);
		for (size_t i = 0; i < f->hit_count; i++) {
			const struct fuzz_json *s =
				fuzz_json_get(&m->items[i], "strings");
			FUZZ_CHECK(s && s->type == FUZZ_JSON_ARRAY &&
				   s->count == f->hits[i].string_count,
				   "%s: strings of match %zu", what, i);
			for (size_t j = 0; j < s->count; j++) {
				const struct exs_hit_string *hs =
					&f->hits[i].strings[j];
				struct fuzz_out r = { 0 };
				replaced_form(hs->excerpt, hs->excerpt_len, &r);
				FUZZ_CHECK(fuzz_json_is_bytes(
					   fuzz_json_get(&s->items[j], "excerpt"),
					   r.data, r.len),
					   "%s: excerpt %zu.%zu", what, i, j);
				fuzz_out_free(&r);
			}
		}
	}
	return 0;
}

static void check_count(const struct fuzz_json *counts, const char *key,
			uint64_t want)
{
	char text[32];
	snprintf(text, sizeof(text), "%" PRIu64, want);
	const struct fuzz_json *v = fuzz_json_get(counts, key);
	FUZZ_CHECK(v && v->type == FUZZ_JSON_NUMBER && !strcmp(v->text, text),
		   "counts.%s is not %s", key, text);
}

static void check_json(const struct exs_run *run, const struct fuzz_out *out)
{
	const char *why = NULL;
	size_t at = 0;
	struct fuzz_json *doc = fuzz_json_parse(out->data, out->len, &why, &at);
	FUZZ_CHECK(doc, "the report is not JSON: %s at byte %zu: %.*s", why, at,
		   (int)(out->len - at < 40 ? out->len - at : 40), out->data + at);
	FUZZ_CHECK(doc->type == FUZZ_JSON_OBJECT, "the report is not an object");
	FUZZ_CHECK(out->len && out->data[out->len - 1] == '\n',
		   "the report does not end with a newline");

	const struct fuzz_json *findings = fuzz_json_get(doc, "findings");
	FUZZ_CHECK(findings && findings->type == FUZZ_JSON_ARRAY,
		   "no findings array");
	static struct order_ctx order;
	memset(&order, 0, sizeof(order));
	order.findings = findings;
	FUZZ_CHECK(exs_run_each_finding(run, check_finding, &order) == EXS_OK,
		   "exs_run_each_finding failed");
	FUZZ_CHECK(order.next == findings->count, "the report has %zu "
		   "findings, the run %zu", findings->count, order.next);

	const struct fuzz_json *skipped = fuzz_json_get(doc, "skipped");
	FUZZ_CHECK(skipped && skipped->type == FUZZ_JSON_ARRAY &&
		   skipped->count == run->skipped_listed, "skipped list");
	for (size_t i = 0; i < run->skipped_listed; i++) {
		const struct exs_skipped *s = &run->skipped_list[i];
		const char *node = exs_node_name(s->node);
		FUZZ_CHECK(fuzz_json_is_bytes(fuzz_json_get(&skipped->items[i],
							    "node"),
					      node, strlen(node)),
			   "skipped %zu: node is not '%s'", i, node);
		check_path_pair(&skipped->items[i], "skipped", s->path,
				s->path_len);
	}

	const struct fuzz_json *counts = fuzz_json_get(doc, "counts");
	check_count(counts, "added", run->counts[EXS_FINDING_ADDED]);
	check_count(counts, "removed", run->counts[EXS_FINDING_REMOVED]);
	check_count(counts, "changed", run->counts[EXS_FINDING_CHANGED]);
	check_count(counts, "webshell", run->counts[EXS_FINDING_WEBSHELL]);
	check_count(counts, "suspicious", run->counts[EXS_FINDING_SUSPICIOUS]);
	check_count(counts, "error", run->counts[EXS_FINDING_ERROR]);
	check_count(counts, "skipped", run->skipped);
	check_count(counts, "entries", order.entries);
	const struct fuzz_json *code = fuzz_json_get(doc, "exit_code");
	char text[16];
	snprintf(text, sizeof(text), "%d", run->exit_code);
	FUZZ_CHECK(code && !strcmp(code->text, text), "exit_code");

	check_list(doc, "roots", run->roots);
	check_list(doc, "web_roots", run->web_roots);
	const struct fuzz_json *baseline = fuzz_json_get(doc, "baseline");
	FUZZ_CHECK(!baseline == !run->baseline_path, "baseline object");
	if (run->baseline_path)
		check_name(doc, fuzz_json_get(baseline, "path"), "baseline.path",
			   run->baseline_path);
	if (run->against)
		check_name(doc, fuzz_json_get(doc, "against"), "against",
			   run->against);
	fuzz_json_free(doc);
}

/* ---- Checking the NDJSON ---------------------------------------------------- */

static const struct fuzz_json *get_path(const struct fuzz_json *v,
					const char *const *keys)
{
	for (; *keys && v; keys++)
		v = v->type == FUZZ_JSON_ARRAY ? (v->count ? &v->items[0] : NULL)
					       : fuzz_json_get(v, *keys);
	return v;
}

static int json_int_is(const struct fuzz_json *v, long long want)
{
	char text[32];
	snprintf(text, sizeof(text), "%lld", want);
	return v && v->type == FUZZ_JSON_NUMBER && !strcmp(v->text, text);
}

/* plain holds the bytes, or their replaced form beside an exact twin. */
static void check_nd_bytes(const struct fuzz_json *plain,
			   const struct fuzz_json *b64, const char *what,
			   const void *bytes, size_t len)
{
	FUZZ_CHECK(plain && plain->type == FUZZ_JSON_STRING, "%s missing", what);
	if (fuzz_utf8_valid(bytes, len)) {
		FUZZ_CHECK(fuzz_json_is_bytes(plain, bytes, len),
			   "%s: '%s' is not the bytes", what, plain->text);
		FUZZ_CHECK(!b64, "%s: a _b64 twin beside valid UTF-8", what);
		return;
	}
	FUZZ_CHECK(b64, "%s: no _b64 twin for bytes that are not UTF-8", what);
	char *want = fuzz_base64(bytes, len);
	FUZZ_CHECK(fuzz_json_is_bytes(b64, want, strlen(want)),
		   "%s: _b64 is not the bytes (%s)", what, want);
	free(want);
	struct fuzz_out r = { 0 };
	replaced_form(bytes, len, &r);
	FUZZ_CHECK(fuzz_json_is_bytes(plain, r.data, r.len),
		   "%s: not the bytes with U+FFFD for invalid ones", what);
	fuzz_out_free(&r);
}

struct nd_ctx {
	const struct fuzz_out *out;
	size_t at;          /* the next line's first byte */
	size_t line;
	struct fuzz_json *rec;
};

/* Parses the next line into c->rec (an object), or fails. */
static const struct fuzz_json *nd_next(struct nd_ctx *c, const char *what)
{
	fuzz_json_free(c->rec);
	c->rec = NULL;
	FUZZ_CHECK(c->at < c->out->len, "NDJSON: no line for %s", what);
	const char *start = c->out->data + c->at;
	const char *nl = memchr(start, '\n', c->out->len - c->at);
	FUZZ_CHECK(nl, "NDJSON: line %zu does not end with a newline", c->line);
	const char *why = NULL;
	size_t at = 0, len = (size_t)(nl - start);
	c->rec = fuzz_json_parse(start, len, &why, &at);
	FUZZ_CHECK(c->rec, "NDJSON line %zu (%s) is not JSON: %s at byte %zu: "
		   "%.*s", c->line, what, why, at,
		   (int)(len - at < 40 ? len - at : 40), start + at);
	FUZZ_CHECK(c->rec->type == FUZZ_JSON_OBJECT, "NDJSON line %zu is not "
		   "an object", c->line);
	c->at += len + 1;
	c->line++;
	return c->rec;
}

static void nd_record(const struct fuzz_json *rec, const char *what,
		      const char *record, const char *path, size_t len)
{
	const struct fuzz_json *x = fuzz_json_get(rec, "exsweep");
	FUZZ_CHECK(x && x->type == FUZZ_JSON_OBJECT, "%s: no exsweep object",
		   what);
	FUZZ_CHECK(fuzz_json_is_bytes(fuzz_json_get(x, "record"), record,
				      strlen(record)),
		   "%s: exsweep.record is not '%s'", what, record);
	static const char *const ecs_path[] = { "file", "path", NULL };
	static const char *const ocsf_path[] = { "evidences", "0", "file",
						 "path", NULL };
	int ocsf = fuzz_json_get(rec, "class_uid") != NULL;
	if (ocsf) {
		const struct fuzz_json *c = fuzz_json_get(rec, "class_uid");
		const struct fuzz_json *a = fuzz_json_get(rec, "activity_id");
		const struct fuzz_json *t = fuzz_json_get(rec, "type_uid");
		FUZZ_CHECK(c && a && t && c->type == FUZZ_JSON_NUMBER &&
			   a->type == FUZZ_JSON_NUMBER &&
			   json_int_is(t, atoll(c->text) * 100 + atoll(a->text)),
			   "%s: type_uid is not class_uid * 100 + activity_id",
			   what);
	} else {
		FUZZ_CHECK(fuzz_json_get(rec, "@timestamp"), "%s: no @timestamp",
			   what);
	}
	if (path)
		check_nd_bytes(get_path(rec, ocsf ? ocsf_path : ecs_path),
			       fuzz_json_get(x, "path_b64"), what, path, len);
}

static int nd_finding(void *ctx, const struct exs_finding *f)
{
	struct nd_ctx *c = ctx;
	char what[64];
	snprintf(what, sizeof(what), "%s finding",
		 exs_finding_kind_name(f->kind));
	switch (f->kind) {
	case EXS_FINDING_WEBSHELL:
	case EXS_FINDING_SUSPICIOUS:
	case EXS_FINDING_EXPLOIT_TRACE: {
		size_t n = f->kind == EXS_FINDING_EXPLOIT_TRACE || !f->hit_count
				   ? 1 : f->hit_count;
		for (size_t i = 0; i < n; i++) {
			const struct fuzz_json *rec = nd_next(c, what);
			FUZZ_CHECK(json_int_is(fuzz_json_get(rec, "class_uid"),
					       2004), "%s: not class 2004", what);
			nd_record(rec, what, "finding", f->path, f->path_len);
			if (f->kind == EXS_FINDING_EXPLOIT_TRACE || !f->hit_count)
				continue;
			static const char *const strings[] = {
				"evidences", "0", "data", "strings", NULL };
			const struct fuzz_json *s = get_path(rec, strings);
			const struct exs_hit *h = &f->hits[i];
			FUZZ_CHECK(s && s->type == FUZZ_JSON_ARRAY &&
				   s->count == h->string_count,
				   "%s: evidence strings of hit %zu", what, i);
			for (size_t j = 0; j < s->count; j++)
				check_nd_bytes(fuzz_json_get(&s->items[j], "excerpt"),
					       fuzz_json_get(&s->items[j],
							     "excerpt_b64"),
					       "excerpt", h->strings[j].excerpt,
					       h->strings[j].excerpt_len);
		}
		break;
	}
	case EXS_FINDING_CHANGED:
	case EXS_FINDING_ADDED:
	case EXS_FINDING_REMOVED:
		nd_record(nd_next(c, what), what, "change", f->path, f->path_len);
		break;
	case EXS_FINDING_REGISTRATION:
		/* An ECS file event of the config file, the entry under
		 * exsweep.registration. */
		nd_record(nd_next(c, what), what, "registration", f->path,
			  f->path_len);
		break;
	default:
		nd_record(nd_next(c, what), what, "error", f->path, f->path_len);
		break;
	}
	return 0;
}

static void check_ndjson(const struct exs_run *run, const struct fuzz_out *out)
{
	struct nd_ctx c = { out, 0, 1, NULL };
	FUZZ_CHECK(out->len && out->data[out->len - 1] == '\n',
		   "the NDJSON report does not end with a newline");
	FUZZ_CHECK(exs_run_each_finding(run, nd_finding, &c) == EXS_OK,
		   "exs_run_each_finding failed");
	for (size_t i = 0; i < run->skipped_listed; i++) {
		const struct exs_skipped *s = &run->skipped_list[i];
		nd_record(nd_next(&c, "skipped"), "skipped", "skipped", s->path,
			  s->path_len);
	}
	const struct fuzz_json *rec = nd_next(&c, "the run");
	FUZZ_CHECK(json_int_is(fuzz_json_get(rec, "class_uid"), 6007),
		   "the last line is not the Scan Activity (class 6007)");
	nd_record(rec, "the run", "summary", NULL, 0);
	const struct fuzz_json *x = fuzz_json_get(rec, "exsweep");
	FUZZ_CHECK(json_int_is(fuzz_json_get(x, "exit_code"), run->exit_code),
		   "the run's exsweep.exit_code");
	FUZZ_CHECK(c.at == out->len, "NDJSON: %zu bytes after the run's line",
		   out->len - c.at);
	fuzz_json_free(c.rec);
}

/* ---- Checking the summary ------------------------------------------------- */

static int bidi_or_separator(uint32_t cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x2028 || cp == 0x2029;
}

static void check_text(const struct fuzz_out *out)
{
	const uint8_t *s = (const uint8_t *)out->data;
	FUZZ_CHECK(out->len && s[out->len - 1] == '\n',
		   "the summary does not end with a newline");
	for (size_t i = 0; i < out->len;) {
		uint32_t cp;
		size_t n = fuzz_utf8_decode(s + i, out->len - i, &cp);
		FUZZ_CHECK(n, "the summary is not UTF-8 at byte %zu", i);
		FUZZ_CHECK(cp == '\n' || (cp >= 0x20 && cp != 0x7F &&
					  !(cp >= 0x80 && cp <= 0x9F)),
			   "the summary holds control U+%04X at byte %zu",
			   (unsigned)cp, i);
		/* Issue 12 item 7 */
		FUZZ_CHECK(!bidi_or_separator(cp),
			   "the summary holds U+%04X at byte %zu", (unsigned)cp, i);
		i += n;
	}
}

/* ---- Checking the HTML ------------------------------------------------------ */

static int html_tag_allowed(const char *name, size_t n)
{
	static const char *const tags[] = {
		"!DOCTYPE", "html", "head", "meta", "title", "style", "body",
		"header", "h1", "h2", "h3", "p", "section", "table", "tr", "th",
		"td", "span", "br", "code", "pre", "article", "div", "b", "ul",
		"li", "details", "summary", "footer", NULL,
	};
	for (int i = 0; tags[i]; i++)
		if (strlen(tags[i]) == n && !memcmp(tags[i], name, n))
			return 1;
	return 0;
}

static void check_html_markup(const struct fuzz_out *out)
{
	static const char *const refs[] = { "&amp;", "&lt;", "&gt;", "&quot;",
					    "&#39;", "&rarr;", "&middot;", NULL };
	const char *s = out->data;
	size_t len = out->len;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = fuzz_utf8_decode((const uint8_t *)s + i, len - i, &cp);
		FUZZ_CHECK(n, "the HTML is not UTF-8 at byte %zu", i);
		FUZZ_CHECK(cp == '\n' || (cp >= 0x20 && cp != 0x7F &&
					  !(cp >= 0x80 && cp <= 0x9F)),
			   "the HTML holds control U+%04X at byte %zu",
			   (unsigned)cp, i);
		FUZZ_CHECK(!bidi_or_separator(cp),
			   "the HTML holds U+%04X at byte %zu", (unsigned)cp, i);
		i += n;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '>')
			FUZZ_CHECK(0, "a '>' outside a tag at byte %zu: %.*s", i,
				   (int)(i < 40 ? i : 40), s + (i < 40 ? 0 : i - 40));
		if (s[i] == '&') {
			int ok = 0;
			for (int r = 0; refs[r] && !ok; r++)
				ok = !strncmp(s + i, refs[r], strlen(refs[r]));
			FUZZ_CHECK(ok, "a '&' that is no reference at byte %zu: %.*s",
				   i, (int)(len - i < 12 ? len - i : 12), s + i);
		}
		if (s[i] != '<')
			continue;
		size_t end = i + 1;
		while (end < len && s[end] != '>')
			end++;
		FUZZ_CHECK(end < len, "a '<' with no '>' at byte %zu", i);
		size_t name = i + 1 + (s[i + 1] == '/');
		size_t name_end = name;
		while (name_end < end && s[name_end] != ' ')
			name_end++;
		FUZZ_CHECK(html_tag_allowed(s + name, name_end - name),
			   "a tag the writer does not write at byte %zu: %.*s", i,
			   (int)(end - i + 1 < 60 ? end - i + 1 : 60), s + i);
		for (size_t k = i + 1; k < end; k++)
			FUZZ_CHECK(s[k] != '<' && s[k] != '&' &&
				   (unsigned char)s[k] >= 0x20 &&
				   (unsigned char)s[k] < 0x7F,
				   "data inside a tag at byte %zu: %.*s", k,
				   (int)(end - i + 1 < 80 ? end - i + 1 : 80), s + i);
		i = end;
	}
	static const char tail[] = "</html>\n";
	FUZZ_CHECK(len >= sizeof(tail) - 1 &&
		   !memcmp(s + len - (sizeof(tail) - 1), tail, sizeof(tail) - 1),
		   "the HTML does not end with </html>");
}

/* Printable ASCII paths of webshell and suspicious records (listed in
 * full, never cut) show as the harness's own escaping of them. */
static int check_html_path(void *ctx, const struct exs_finding *f)
{
	const struct fuzz_out *out = ctx;
	if (f->kind > EXS_FINDING_SUSPICIOUS || !f->path_len)
		return 0;
	for (size_t i = 0; i < f->path_len; i++)
		if (f->path[i] < 0x20 || f->path[i] > 0x7E)
			return 0;
	struct fuzz_out want = { 0 };
	fuzz_out_write(&want, "", 0);
	for (size_t i = 0; i < f->path_len; i++) {
		char c = f->path[i];
		const char *r = c == '&' ? "&amp;" : c == '<' ? "&lt;" :
				c == '>' ? "&gt;" : c == '"' ? "&quot;" :
				c == '\'' ? "&#39;" : NULL;
		if (r)
			fuzz_out_write(&want, r, strlen(r));
		else
			fuzz_out_write(&want, &c, 1);
	}
	int found = 0;
	for (const char *at = out->data, *end = out->data + out->len;
	     !found && (size_t)(end - at) >= want.len;) {
		at = memchr(at, want.data[0], (size_t)(end - at) - want.len + 1);
		if (!at)
			break;
		found = !memcmp(at, want.data, want.len);
		at++;
	}
	FUZZ_CHECK(found,
		   "the HTML does not show the path '%.*s'", (int)f->path_len,
		   f->path);
	fuzz_out_free(&want);
	return 0;
}

/* ---- The harness ---------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct exs_run run;
	struct exs_strlist roots = { 0 }, web_roots = { 0 };
	char baseline_path[256], against[256];
	memset(&run, 0, sizeof(run));

	unsigned flags = fuzz_u8(&in);
	int verbose = flags & 1;
	run.command = commands[fuzz_range(&in, 3)];
	fuzz_ascii(&in, run.host, sizeof(run.host));
	/* Both times come from the platform's wall clock a moment apart (a
	 * clock step may even put the end first), never from a file: any
	 * date from 1970 to 2116, and a run of up to about 25 days either
	 * way. Arbitrary 64-bit values overflow the duration, which no run
	 * can have (regressions/report/clock-extremes). */
	run.started_ns = (int64_t)(fuzz_u64(&in) >> 2);
	run.finished_ns = run.started_ns + (int64_t)(int32_t)fuzz_u32(&in) * 1000000;
	take_list(&in, &roots);
	take_list(&in, &web_roots);
	run.roots = &roots;
	run.web_roots = &web_roots;
	fuzz_text(&in, baseline_path, sizeof(baseline_path), 1);
	fuzz_text(&in, against, sizeof(against), 1);
	if (flags & 2) {
		run.baseline_path = baseline_path;
		fuzz_ascii(&in, run.baseline_created, sizeof(run.baseline_created));
		run.baseline_files = fuzz_u64(&in);
		run.baseline_schema = (int)fuzz_range(&in, 3);
		take_generations(&in, &run);
	}
	if (flags & 4)
		run.against = against;
	run.rules_changed = (int)fuzz_range(&in, 2) - 1;
	run.config_changed = (int)fuzz_range(&in, 2) - 1;
	run.new_generation = (int64_t)fuzz_u64(&in);
	run.files = fuzz_u64(&in);
	run.bytes = fuzz_u64(&in);
	unsigned warnings = fuzz_range(&in, 3);
	for (unsigned i = 0; i < warnings; i++) {
		char w[128];
		fuzz_ascii(&in, w, sizeof(w));
		FUZZ_CHECK(!exs_strlist_add_str(&run.warnings, w), "out of memory");
	}
	unsigned skipped = fuzz_range(&in, SKIPPED_MAX);
	for (unsigned i = 0; i < skipped; i++) {
		const uint8_t *p;
		enum exs_node node = (enum exs_node)fuzz_range(&in, 8);
		size_t len = fuzz_bytes(&in, 255, &p);
		FUZZ_CHECK(exs_run_add_skipped(&run, (const char *)p, len, node) ==
			   EXS_OK, "exs_run_add_skipped failed");
	}
	size_t total = 0;
	changes_seen_n = 0;
	while (in.len && total < FINDINGS_MAX)
		take_finding(&in, &run, &total);
	run.exit_code = exs_run_finding_bits(&run);
	exs_run_sort(&run);

	struct fuzz_out json = { 0 }, text = { 0 }, nd = { 0 };
	struct exs_sink json_sink = { fuzz_out_write, &json };
	struct exs_sink text_sink = { fuzz_out_write, &text };
	struct exs_sink nd_sink = { fuzz_out_write, &nd };
#ifndef FUZZ_NDJSON_ONLY
	FUZZ_CHECK(exs_report_json(&run, &json_sink) == EXS_OK,
		   "exs_report_json failed");
	check_json(&run, &json);
	FUZZ_CHECK(exs_report_text(&run, &text_sink, verbose) == EXS_OK,
		   "exs_report_text failed");
	check_text(&text);
	struct fuzz_out page = { 0 };
	struct exs_sink html_sink = { fuzz_out_write, &page };
	FUZZ_CHECK(exs_report_html(&run, &html_sink) == EXS_OK,
		   "exs_report_html failed");
	check_html_markup(&page);
	FUZZ_CHECK(exs_run_each_finding(&run, check_html_path, &page) == EXS_OK,
		   "exs_run_each_finding failed");
	fuzz_out_free(&page);
#else
	(void)json_sink;
	(void)text_sink;
	(void)verbose;
	(void)check_json;
	(void)check_text;
	(void)check_html_markup;
	(void)check_html_path;
#endif
	FUZZ_CHECK(exs_report_ndjson(&run, (flags & 8) != 0, &nd_sink) == EXS_OK,
		   "exs_report_ndjson failed");
	check_ndjson(&run, &nd);

	fuzz_out_free(&json);
	fuzz_out_free(&text);
	fuzz_out_free(&nd);
	exs_run_free(&run);
	exs_strlist_free(&roots);
	exs_strlist_free(&web_roots);
	return 0;
}
