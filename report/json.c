/* json.c -- the JSON report (schema "exsweep-report/2", README).
 *
 * Every record says which file entry it belongs to ("file": the entry's
 * number, group.h): the webshell, suspicious and added records of one
 * planted page carry the same number, and counts.entries says how many
 * files (and exploitation traces) the records are about. Schema 2 added
 * those two fields to schema 1's records, which are otherwise unchanged.
 *
 * The document is produced in 64 KiB pieces through a sink, so a report of a
 * hundred thousand findings never sits in memory whole. Every string goes
 * through exs_json_string; when that had to replace bytes, the exact bytes
 * follow as "X_b64" ("path_b64", "roots_b64", "excerpt_b64", ...) so
 * nothing about a hostile name is lost.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "buf.h"
#include "escape.h"
#include "group.h"
#include "hash.h"
#include "provenance.h"
#include "regfinding.h"
#include "run.h"

#define FLUSH_AT (64u * 1024)

struct writer {
	struct exs_buf buf;
	const struct exs_sink *out;
	int status;
};

static void flush(struct writer *w, int force)
{
	exs_report_flush(&w->buf, w->out, &w->status, force, FLUSH_AT);
}

static void put(struct writer *w, const char *s) { exs_buf_puts(&w->buf, s); }

static void key(struct writer *w, const char *k)
{
	exs_buf_printf(&w->buf, "\"%s\":", k);
}

/* "k":"...", and when that lost bytes (invalid UTF-8 became U+FFFD) also
 * "k_b64":"..." with the exact bytes: every string in the report can be
 * taken back to what it was (README, "File names are bytes"). */
static void bytes_field(struct writer *w, const char *k, const char *v,
			size_t len)
{
	key(w, k);
	if (exs_json_string(&w->buf, v, len)) {
		exs_buf_printf(&w->buf, ",\"%s_b64\":\"", k);
		exs_base64(&w->buf, (const unsigned char *)v, len);
		put(w, "\"");
	}
}

static void str_field(struct writer *w, const char *k, const char *v)
{
	bytes_field(w, k, v ? v : "", v ? strlen(v) : 0);
}

static void path_fields(struct writer *w, const char *path, size_t len)
{
	bytes_field(w, "path", path, len);
}

void exs_format_time(int64_t ns, char *buf, size_t cap)
{
	int64_t secs = ns / 1000000000;
	if (ns < 0 && secs * 1000000000 != ns)
		secs--;
	exs_format_time_s(secs, buf, cap);
}

void exs_format_time_s(int64_t secs, char *buf, size_t cap)
{
	/* Any int64 of seconds: the day count below stays far from overflow
	 * (|secs| / 86400 + 719468 < 2^47), and the year fits PRId64. */
	int64_t days = secs / 86400, rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	/* Civil date from days since 1970-01-01 (proleptic Gregorian). */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	snprintf(buf, cap, "%04" PRId64 "-%02" PRId64 "-%02" PRId64
		 "T%02" PRId64 ":%02" PRId64 ":%02" PRId64 "Z",
		 y, m, d, rem / 3600, rem / 60 % 60, rem % 60);
}

static void attrs(struct writer *w, const char *k, const struct exs_record *r)
{
	char t[40], hex[2 * EXS_SHA256_LEN + 1];
	key(w, k);
	exs_buf_printf(&w->buf, "{\"size\":%" PRIu64 ",", r->st.size);
	exs_format_time(r->st.mtime_ns, t, sizeof(t));
	exs_buf_printf(&w->buf, "\"mtime\":\"%s\",\"mtime_ns\":%" PRId64 ",", t,
		       r->st.mtime_ns);
	exs_format_time(r->st.ctime_ns, t, sizeof(t));
	exs_buf_printf(&w->buf, "\"ctime\":\"%s\",\"ctime_ns\":%" PRId64 ",", t,
		       r->st.ctime_ns);
	exs_buf_printf(&w->buf, "\"mode\":%" PRIu32 ",", r->st.mode);
	str_field(w, "owner", r->st.owner);
	exs_buf_printf(&w->buf, ",\"volume_id\":%" PRIu64 ",\"file_id\":%" PRIu64,
		       r->st.volume_id, r->st.file_id);
	exs_hex(r->sha256, EXS_SHA256_LEN, hex);
	exs_buf_printf(&w->buf, ",\"sha256\":\"%s\"", hex);
	if (r->has_security) {
		exs_hex(r->security_sha256, EXS_SHA256_LEN, hex);
		exs_buf_printf(&w->buf, ",\"security_sha256\":\"%s\"", hex);
	}
	put(w, "}");
}

static void hits(struct writer *w, const struct exs_finding *f)
{
	put(w, ",\"matches\":[");
	for (size_t i = 0; i < f->hit_count; i++) {
		const struct exs_hit *h = &f->hits[i];
		put(w, i ? ",{" : "{");
		str_field(w, "rule", h->rule);
		put(w, ",");
		str_field(w, "namespace", h->ns);
		put(w, ",\"tags\":[");
		const char *t = h->tags;
		int first = 1;
		while (*t) {
			size_t n = strcspn(t, " ");
			if (n) {
				if (!first)
					put(w, ",");
				exs_json_string(&w->buf, t, n);
				first = 0;
			}
			t += n;
			while (*t == ' ')
				t++;
		}
		put(w, "],\"meta\":{");
		str_field(w, "description", h->description);
		put(w, ",");
		str_field(w, "family", h->family);
		put(w, ",");
		str_field(w, "severity", h->severity);
		put(w, "},\"strings\":[");
		for (unsigned j = 0; j < h->string_count; j++) {
			const struct exs_hit_string *s = &h->strings[j];
			put(w, j ? ",{" : "{");
			str_field(w, "id", s->id);
			exs_buf_printf(&w->buf, ",\"offset\":%" PRIu64
				       ",\"length\":%" PRIu32 ",",
				       s->offset, s->length);
			bytes_field(w, "excerpt", (const char *)s->excerpt,
				    s->excerpt_len);
			put(w, "}");
		}
		put(w, "]}");
	}
	put(w, "]");
}

static void counts_array(struct writer *w, const char *k,
			 const struct exs_url_count *items, unsigned n)
{
	exs_buf_printf(&w->buf, ",\"%s\":[", k);
	for (unsigned i = 0; i < n; i++) {
		put(w, i ? ",{" : "{");
		str_field(w, "value", items[i].value);
		exs_buf_printf(&w->buf, ",\"count\":%" PRIu64 "}", items[i].count);
	}
	put(w, "]");
}

/* Who requested a file, from the logs (README, "Who requested it"). */
static void requests(struct writer *w, const struct exs_url_hits *h)
{
	char t[40];
	put(w, "{");
	str_field(w, "url", h->url);
	put(w, ",");
	str_field(w, "site", h->site);
	exs_buf_printf(&w->buf, ",\"on_disk\":%s,\"count\":%" PRIu64,
		       h->on_disk ? "true" : "false", h->count);
	if (h->first_ns) {
		exs_format_time(h->first_ns, t, sizeof(t));
		exs_buf_printf(&w->buf, ",\"first\":{\"time\":\"%s\",", t);
		str_field(w, "log", h->first_log);
		exs_buf_printf(&w->buf, ",\"line\":%" PRIu64 "}", h->first_line);
		exs_format_time(h->last_ns, t, sizeof(t));
		exs_buf_printf(&w->buf, ",\"last\":{\"time\":\"%s\",", t);
		str_field(w, "log", h->last_log);
		exs_buf_printf(&w->buf, ",\"line\":%" PRIu64 "}", h->last_line);
	}
	exs_buf_printf(&w->buf, ",\"distinct_clients\":%" PRIu64, h->distinct_clients);
	counts_array(w, "clients", h->clients, h->n_clients);
	counts_array(w, "methods", h->methods, h->n_methods);
	counts_array(w, "statuses", h->statuses, h->n_statuses);
	counts_array(w, "user_agents", h->agents, h->n_agents);
	if (h->has_in_bytes)
		exs_buf_printf(&w->buf, ",\"request_bytes\":{\"total\":%" PRIu64
			       ",\"max\":%" PRIu64 "}", h->in_bytes, h->max_in_bytes);
	if (h->has_out_bytes)
		exs_buf_printf(&w->buf, ",\"response_bytes\":{\"total\":%" PRIu64
			       ",\"max\":%" PRIu64 "}", h->out_bytes, h->max_out_bytes);
	counts_array(w, "same_clients_other_urls", h->other_urls, h->n_other_urls);
	put(w, "}");
}

static void trace(struct writer *w, const struct exs_finding *f)
{
	const struct exs_hit *h = f->hit_count ? &f->hits[0] : NULL;
	char t[40];
	put(w, ",");
	str_field(w, "technique", h ? h->rule : "");
	put(w, ",");
	str_field(w, "family", h ? h->family : "");
	put(w, ",");
	str_field(w, "severity", h ? h->severity : "");
	put(w, ",");
	str_field(w, "description", h ? h->description : "");
	exs_buf_printf(&w->buf, ",\"line\":%" PRIu64, f->trace.line);
	if (f->trace.time_ns) {
		exs_format_time(f->trace.time_ns, t, sizeof(t));
		exs_buf_printf(&w->buf, ",\"time\":\"%s\"", t);
	} else {
		put(w, ",\"time\":null");
	}
	put(w, ",");
	str_field(w, "client", f->trace.client);
	put(w, ",");
	str_field(w, "user", f->trace.user);
	exs_buf_printf(&w->buf, ",\"status\":%d,", f->trace.http_status);
	str_field(w, "request", f->message ? f->message : "");
}

/* Who vouches for a change (provenance.h): data of the finding. */
static void provenance(struct writer *w, const struct exs_provenance *p)
{
	exs_buf_printf(&w->buf, ",\"provenance\":{\"vouched\":%s,",
		       p->vouch == EXS_VOUCH_YES ? "true" : "false");
	str_field(w, "why", exs_prov_why_name(p->why));
	put(w, ",");
	str_field(w, "reason", exs_prov_why_text(p->why));
	if (p->signer[0]) {
		char signer[EXS_SIGNER_MAX + 1];
		memcpy(signer, p->signer, EXS_SIGNER_MAX);
		signer[EXS_SIGNER_MAX] = '\0';
		put(w, ",");
		str_field(w, "signer", signer);
	}
	exs_buf_printf(&w->buf, ",\"shipped_page\":%s,\"emphasis\":%s}",
		       p->shipped ? "true" : "false",
		       p->emphasis ? "true" : "false");
}

/* The run's provenance counts, per reason. */
static void provenance_summary(struct writer *w, const struct exs_run *run)
{
	const struct exs_prov_summary *s = &run->provenance;
	put(w, ",\"provenance\":{");
	if (s->reference) {
		str_field(w, "reference", s->reference);
		put(w, ",");
		str_field(w, "reference_build", s->reference_build);
		exs_buf_printf(&w->buf, ",\"reference_used\":%s,",
			       s->reference_used ? "true" : "false");
	}
	exs_buf_printf(&w->buf, "\"vouched_only\":%s,\"vouched\":%" PRIu64
		       ",\"not_vouched\":%" PRIu64 ",\"emphasized\":%" PRIu64,
		       s->vouched_only ? "true" : "false", s->vouched,
		       s->not_vouched, s->emphasized);
	if (s->vouched_only)
		exs_buf_printf(&w->buf, ",\"kept\":%" PRIu64, s->kept);
	put(w, ",\"by\":{");
	for (unsigned i = 1, n = 0; i < EXS_WHY_COUNT; i++)
		exs_buf_printf(&w->buf, "%s\"%s\":%" PRIu64, n++ ? "," : "",
			       exs_prov_why_name(i), s->by[i]);
	put(w, "}}");
}

/* A registration finding: the entry, where it stands, what it points to
 * and, for a new or changed one with reasons, why it is suspicious. */
static void registration(struct writer *w, const struct exs_finding *f)
{
	struct exs_reg_fields r;
	if (exs_reg_finding_unpack(f->message, &r)) {
		w->buf.failed = EXS_NOMEM;
		return;
	}
	static const char *const entry_keys[] = { "kind", "scope", "name",
						  "path", "image", "type",
						  "extra" };
	put(w, ",");
	str_field(w, "change", r.f[EXS_REGF_CHANGE]);
	exs_buf_printf(&w->buf, ",\"line\":%" PRIu64 ",\"entry\":{",
		       f->trace.line);
	for (int i = 0; i < 7; i++) {
		if (i)
			put(w, ",");
		str_field(w, entry_keys[i], r.f[EXS_REGF_KIND + i]);
	}
	put(w, "}");
	if (strcmp(r.f[EXS_REGF_CHANGE], "changed") == 0) {
		put(w, ",\"old\":{");
		str_field(w, "image", r.f[EXS_REGF_OLD_IMAGE]);
		put(w, ",");
		str_field(w, "type", r.f[EXS_REGF_OLD_TYPE]);
		put(w, ",");
		str_field(w, "extra", r.f[EXS_REGF_OLD_EXTRA]);
		put(w, "}");
	}
	put(w, ",");
	if (r.f[EXS_REGF_RESOLVED][0])
		str_field(w, "image_path", r.f[EXS_REGF_RESOLVED]);
	else
		put(w, "\"image_path\":null");
	exs_buf_printf(&w->buf, ",\"image_exists\":%s",
		       !r.f[EXS_REGF_EXISTS][0] ? "null"
		       : r.f[EXS_REGF_EXISTS][0] == '1' ? "true" : "false");
	put(w, ",");
	if (r.f[EXS_REGF_WHY][0])
		str_field(w, "suspicious", r.f[EXS_REGF_WHY]);
	else
		put(w, "\"suspicious\":null");
	exs_reg_fields_free(&r);
}

static void finding(struct writer *w, const struct exs_finding *f,
		    const struct exs_run *run, uint64_t file)
{
	char hex[2 * EXS_SHA256_LEN + 1];
	put(w, "{");
	str_field(w, "kind", exs_finding_kind_name(f->kind));
	exs_buf_printf(&w->buf, ",\"file\":%" PRIu64 ",", file);
	path_fields(w, f->path, f->path_len);
	switch (f->kind) {
	case EXS_FINDING_WEBSHELL:
	case EXS_FINDING_SUSPICIOUS:
		if (f->has_new) {
			exs_hex(f->new_rec.sha256, EXS_SHA256_LEN, hex);
			exs_buf_printf(&w->buf, ",\"sha256\":\"%s\",\"size\":%" PRIu64,
				       hex, f->new_rec.st.size);
		}
		hits(w, f);
		break;
	case EXS_FINDING_CHANGED:
		put(w, ",\"changed\":[");
		for (unsigned bit = 1, n = 0; bit < (1u << EXS_ATTR_COUNT); bit <<= 1) {
			if (!(f->changed & bit))
				continue;
			exs_buf_printf(&w->buf, "%s\"%s\"", n++ ? "," : "",
				       exs_attr_name(bit));
		}
		exs_buf_printf(&w->buf, "],\"timestomp\":%s,",
			       f->timestomp ? "true" : "false");
		attrs(w, "old", &f->old_rec);
		put(w, ",");
		attrs(w, "new", &f->new_rec);
		break;
	case EXS_FINDING_ADDED:
		put(w, ",");
		attrs(w, "new", &f->new_rec);
		break;
	case EXS_FINDING_REMOVED:
		put(w, ",");
		attrs(w, "old", &f->old_rec);
		break;
	case EXS_FINDING_EXPLOIT_TRACE:
		trace(w, f);
		break;
	case EXS_FINDING_REGISTRATION:
		registration(w, f);
		break;
	case EXS_FINDING_ERROR:
	default:
		put(w, ",");
		str_field(w, "status", exs_status_name(f->status));
		put(w, ",");
		str_field(w, "message", f->message ? f->message
						   : exs_strerror(f->status));
		put(w, ",");
		str_field(w, "op", f->op ? f->op : "");
		exs_buf_printf(&w->buf, ",\"os_code\":%ld", f->os_code);
		break;
	}
	if (f->prov.vouch != EXS_VOUCH_NONE)
		provenance(w, &f->prov);
	const struct exs_url_hits *uh =
		f->kind == EXS_FINDING_WEBSHELL || f->kind == EXS_FINDING_SUSPICIOUS ||
		f->kind == EXS_FINDING_REMOVED
		? exs_run_url_hits(run, f->path, f->path_len) : NULL;
	if (uh) {
		put(w, ",\"requests\":");
		requests(w, uh);
	}
	put(w, "}");
	flush(w, 0);
}

static void tristate(struct writer *w, const char *k, int v)
{
	exs_buf_printf(&w->buf, ",\"%s\":%s", k,
		       v < 0 ? "null" : v ? "true" : "false");
}

/* Generations with their seals, so that they leave the host with the
 * report; digests and build of the newest one. */
static void baseline_fields(struct writer *w, const struct exs_run *run)
{
	const struct exs_generation *cur = exs_run_generation(run);
	exs_buf_printf(&w->buf, ",\"schema\":%d,\"sealed\":%s",
		       run->baseline_schema,
		       run->baseline_schema >= 2 ? "true" : "false");
	if (cur) {
		exs_buf_printf(&w->buf, ",\"generation\":%" PRId64 ",", cur->id);
		str_field(w, "exchange_build", cur->exchange_build);
		put(w, ",");
		str_field(w, "rules_digest", cur->rules_digest);
		put(w, ",");
		str_field(w, "config_digest", cur->config_digest);
	}
	tristate(w, "rules_changed", run->rules_changed);
	tristate(w, "config_changed", run->config_changed);
	if (run->new_generation && !strcmp(run->command, "update"))
		exs_buf_printf(&w->buf, ",\"update\":{\"generation\":%" PRId64
			       ",\"added\":%" PRIu64 ",\"changed\":%" PRIu64
			       ",\"removed\":%" PRIu64 ",\"refused\":%" PRIu64 "}",
			       run->new_generation, run->accepted_added,
			       run->accepted_changed, run->accepted_removed,
			       run->refused);
	put(w, ",\"generations\":[");
	for (size_t i = 0; i < run->generation_count; i++) {
		const struct exs_generation *g = &run->generations[i];
		exs_buf_printf(&w->buf, "%s{\"id\":%" PRId64 ",", i ? "," : "",
			       g->id);
		str_field(w, "created", g->created);
		put(w, ",");
		str_field(w, "note", g->note);
		put(w, ",");
		str_field(w, "host", g->host);
		put(w, ",");
		str_field(w, "exchange_build", g->exchange_build);
		exs_buf_printf(&w->buf, ",\"files\":%" PRIu64 ",", g->file_count);
		str_field(w, "seal", g->seal);
		put(w, "}");
	}
	put(w, "]");
}

/* "k":[...], and when any item is not valid UTF-8 also "k_b64":[...]
 * with every item's exact bytes, in the same order. */
static void string_array(struct writer *w, const char *k,
			 const struct exs_strlist *list)
{
	size_t n = list ? list->count : 0;
	int lossy = 0;
	key(w, k);
	put(w, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(w, ",");
		lossy |= exs_json_string(&w->buf, list->items[i],
					 strlen(list->items[i]));
	}
	put(w, "]");
	if (!lossy)
		return;
	exs_buf_printf(&w->buf, ",\"%s_b64\":[", k);
	for (size_t i = 0; i < n; i++) {
		put(w, i ? ",\"" : "\"");
		exs_base64(&w->buf, (const unsigned char *)list->items[i],
			   strlen(list->items[i]));
		put(w, "\"");
	}
	put(w, "]");
}

struct each_ctx {
	struct writer *w;
	const struct exs_run *run;
	struct exs_grouper g;
	size_t n;
};

static int one_finding(void *ctx, const struct exs_finding *f)
{
	struct each_ctx *e = ctx;
	uint64_t file;
	int opens;
	int rc = exs_grouper_next(&e->g, f, &file, &opens);
	if (rc)
		return rc;
	if (e->n++)
		put(e->w, ",");
	finding(e->w, f, e->run, file);
	return e->w->status;
}

int exs_report_json(const struct exs_run *run, const struct exs_sink *out)
{
	struct writer w = { .out = out };
	char t[40];
	exs_buf_init(&w.buf, 16u << 20);
	struct exs_group_counts groups;
	int grc = exs_group_count(run, &groups);
	put(&w, "{\"schema\":\"exsweep-report/2\",\"tool\":{\"name\":\"exsweep\","
		"\"version\":\"" EXS_VERSION "\"},");
	str_field(&w, "command", run->command);
	put(&w, ",");
	str_field(&w, "host", run->host);
	exs_format_time(run->started_ns, t, sizeof(t));
	exs_buf_printf(&w.buf, ",\"started\":\"%s\"", t);
	exs_format_time(run->finished_ns, t, sizeof(t));
	exs_buf_printf(&w.buf, ",\"finished\":\"%s\",\"duration_ms\":%" PRId64 ",",
		       t, (run->finished_ns - run->started_ns) / 1000000);
	string_array(&w, "roots", run->roots);
	put(&w, ",");
	string_array(&w, "web_roots", run->web_roots);
	char build[32];
	exs_build_format(&run->build, build, sizeof(build));
	put(&w, ",");
	str_field(&w, "exchange_build", build);
	if (run->baseline_path) {
		put(&w, ",\"baseline\":{");
		str_field(&w, "path", run->baseline_path);
		put(&w, ",");
		str_field(&w, "created", run->baseline_created);
		exs_buf_printf(&w.buf, ",\"files\":%" PRIu64, run->baseline_files);
		baseline_fields(&w, run);
		put(&w, "}");
	}
	if (run->against) {
		put(&w, ",");
		str_field(&w, "against", run->against);
	}
	exs_buf_printf(&w.buf, ",\"rules\":{\"builtin\":%u,\"extra\":%u,\"count\":%u}",
		       run->rules_builtin, run->rules_extra, run->rule_count);
	exs_buf_printf(&w.buf,
		       ",\"counts\":{\"files\":%" PRIu64 ",\"bytes\":%" PRIu64
		       ",\"scanned\":%" PRIu64 ",\"scan_reused\":%" PRIu64
		       ",\"scan_shared\":%" PRIu64 ",\"added\":%" PRIu64
		       ",\"removed\":%" PRIu64 ",\"changed\":%" PRIu64
		       ",\"webshell\":%" PRIu64 ",\"suspicious\":%" PRIu64
		       ",\"error\":%" PRIu64 ",\"exploit_trace\":%" PRIu64
		       ",\"registration\":%" PRIu64
		       ",\"volatile_churn\":%" PRIu64
		       ",\"skipped\":%" PRIu64 ",\"entries\":%" PRIu64 "}",
		       run->files, run->bytes, run->scanned, run->reused,
		       run->shared, run->counts[EXS_FINDING_ADDED],
		       run->counts[EXS_FINDING_REMOVED],
		       run->counts[EXS_FINDING_CHANGED],
		       run->counts[EXS_FINDING_WEBSHELL],
		       run->counts[EXS_FINDING_SUSPICIOUS],
		       run->counts[EXS_FINDING_ERROR],
		       run->counts[EXS_FINDING_EXPLOIT_TRACE],
		       run->counts[EXS_FINDING_REGISTRATION],
		       run->volatile_churn, run->skipped, groups.entries);
	if (run->provenance.ran)
		provenance_summary(&w, run);
	if (run->logs.ran) {
		const struct exs_log_summary *l = &run->logs;
		exs_buf_printf(&w.buf, ",\"logs\":{\"files\":%" PRIu64
			       ",\"gz_files\":%" PRIu64 ",\"bytes\":%" PRIu64
			       ",\"lines\":%" PRIu64 ",\"requests\":%" PRIu64
			       ",\"bad_lines\":%" PRIu64 ",\"overlong_lines\":%" PRIu64
			       ",\"resumed\":%" PRIu64 ",\"restarted\":%" PRIu64
			       ",\"unchanged\":%" PRIu64 ",\"older_than_since\":%" PRIu64
			       ",\"unread_files\":%" PRIu64 ",\"budget_reached\":%s"
			       ",\"positions\":%s,\"traces_not_listed\":%" PRIu64
			       ",\"seconds\":%.3f",
			       l->files, l->gz_files, l->bytes, l->lines, l->requests,
			       l->bad_lines, l->overlong, l->resumed, l->restarted,
			       l->unchanged, l->skipped_old, l->unread_files,
			       l->budget_hit ? "true" : "false",
			       l->positions ? "true" : "false", l->traces_dropped,
			       l->seconds);
		if (l->since_ns) {
			exs_format_time(l->since_ns, t, sizeof(t));
			exs_buf_printf(&w.buf, ",\"since\":\"%s\"", t);
		}
		put(&w, "}");
	}
	exs_buf_printf(&w.buf, ",\"exit_code\":%d,", run->exit_code);
	string_array(&w, "warnings", &run->warnings);
	put(&w, ",\"findings\":[");
	struct each_ctx each = { .w = &w, .run = run };
	exs_grouper_init(&each.g, run);
	int rc = grc ? grc : exs_run_each_finding(run, one_finding, &each);
	exs_grouper_free(&each.g);
	if (rc && !w.status)
		w.status = rc;
	put(&w, "],\"requests_without_file\":[");
	size_t shown = 0;
	for (size_t i = 0; i < run->url_hit_count; i++) {
		const struct exs_url_hits *h = &run->url_hits[i];
		if (!h->orphan)
			continue;
		put(&w, shown++ ? ",{" : "{");
		path_fields(&w, h->path, h->path_len);
		put(&w, ",\"requests\":");
		requests(&w, h);
		put(&w, "}");
		flush(&w, 0);
	}
	/* Every PE image's signature (inspect/authenticode.h). */
	put(&w, "],\"signature_counts\":{");
	for (int k = EXS_SIG_NONE + 1; k <= EXS_SIG_STATUS_MAX; k++)
		exs_buf_printf(&w.buf, "%s\"%s\":%" PRIu64, k > 1 ? "," : "",
			       exs_sig_status_name(k), run->sig_counts[k]);
	put(&w, "},\"signatures\":[");
	for (size_t i = 0; i < run->sig_listed; i++) {
		const struct exs_sig_entry *e = &run->signatures[i];
		put(&w, i ? ",{" : "{");
		path_fields(&w, e->path, e->path_len);
		put(&w, ",");
		str_field(&w, "status", exs_sig_status_name(e->sig.status));
		put(&w, ",");
		str_field(&w, "signer", e->sig.signer);
		put(&w, ",");
		str_field(&w, "digest", e->sig.digest);
		put(&w, ",\"timestamp\":");
		if (e->sig.timestamped) {
			char when[64];
			exs_format_time_s(e->sig.signed_at, when, sizeof(when));
			exs_buf_printf(&w.buf, "\"%s\"", when);
		} else {
			put(&w, "null");
		}
		exs_buf_printf(&w.buf, ",\"dotnet\":%s,",
			       e->sig.dotnet ? "true" : "false");
		str_field(&w, "detail", e->sig.detail);
		put(&w, "}");
		flush(&w, 0);
	}
	exs_buf_printf(&w.buf, "],\"signatures_truncated\":%s",
		       run->sig_total > run->sig_listed ? "true" : "false");
	put(&w, ",\"skipped\":[");
	for (size_t i = 0; i < run->skipped_listed; i++) {
		const struct exs_skipped *s = &run->skipped_list[i];
		put(&w, i ? ",{" : "{");
		path_fields(&w, s->path, s->path_len);
		put(&w, ",");
		str_field(&w, "node", exs_node_name(s->node));
		put(&w, "}");
		flush(&w, 0);
	}
	exs_buf_printf(&w.buf, "],\"skipped_truncated\":%s}\n",
		       run->skipped > run->skipped_listed ? "true" : "false");
	flush(&w, 1);
	exs_buf_free(&w.buf);
	return w.status;
}
