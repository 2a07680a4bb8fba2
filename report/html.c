/* html.c -- the HTML report: one self-contained page for people (README,
 * "The HTML report").
 *
 * The page is read on an admin's workstation, offline, and it quotes bytes
 * an attacker chose (file names, matched excerpts, log lines), so:
 * - nothing is fetched: no script at all, no font, image or stylesheet
 *   link; a Content-Security-Policy meta tag allows only the page's own
 *   style block (by its SHA-256) and nothing else, so even markup that got
 *   in could not run or load anything;
 * - every string from outside this file goes through exs_html_escape
 *   (escape.c): the terminal form's escapes (invalid UTF-8 and controls as
 *   \xNN, disguising characters as \uXXXX) with & < > " ' as references.
 *   No data is ever written inside a tag: attributes hold only this file's
 *   class names and entry numbers. tests/fuzz/fuzz_report.c checks that no
 *   '<' but this file's own tags reaches the page.
 *
 * Top to bottom: the verdict and the run; the counts of files by severity;
 * the facts (Exchange build, baseline generation and seal, rules, roots);
 * the files to look at first with their evidence (matched strings, the
 * code analysis's source-to-sink explanation, who requested the file);
 * the changes grouped by folder (the patch-day view); everything else
 * collapsed in <details>. Like the JSON writer it streams through a sink
 * in 64 KiB pieces, and long lists are cut with a note (the JSON report
 * has every record).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regfinding.h"
#include "buf.h"
#include "escape.h"
#include "group.h"
#include "hash.h"
#include "report.h"
#include "run.h"

#define FLUSH_AT (64u * 1024)
#define LOOK_FIRST_CUT 1000   /* medium entries listed in "Look first" */
#define REST_CUT 2000         /* entries per kind in the collapsed lists */
#define FOLDERS_CUT 200       /* rows of the folder table */
#define STRINGS_CUT 8         /* matched strings per rule */

/* The page's only style. Its SHA-256 goes into the CSP, so a style block
 * that did not come from here would not apply either. */
static const char style[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:70em;"
	"padding:0 1em 3em;color:#1b1b1b;background:#fff}"
	"h1{margin:0;font-size:1.6em}h2{border-bottom:2px solid #ddd;"
	"padding-bottom:.2em;margin-top:1.8em}h3{margin:.2em 0;font-size:1.05em;"
	"word-break:break-all}"
	".verdict{padding:1em 1.2em;margin:1em 0;border-radius:6px;color:#fff}"
	".verdict p{margin:.3em 0 0}"
	".v-critical{background:#a50e0e}.v-high{background:#c2410c}"
	".v-medium{background:#a16207}.v-low{background:#1d4ed8}"
	".v-info{background:#4b5563}.v-clean{background:#15803d}"
	"table{border-collapse:collapse;margin:.5em 0}"
	"th,td{text-align:left;vertical-align:top;padding:.2em .6em;"
	"border-bottom:1px solid #eee}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}"
	".path,code,pre{font-family:ui-monospace,Consolas,monospace;"
	"word-break:break-all}"
	"pre{white-space:pre-wrap;background:#f6f6f6;padding:.4em;margin:.3em 0}"
	".entry{border:1px solid #ddd;border-left:6px solid #999;"
	"border-radius:4px;padding:.5em .8em;margin:.8em 0}"
	".s-critical{border-left-color:#a50e0e}.s-high{border-left-color:#c2410c}"
	".s-medium{border-left-color:#a16207}.s-low{border-left-color:#1d4ed8}"
	".s-info{border-left-color:#4b5563}"
	".badge{display:inline-block;padding:0 .45em;border-radius:3px;"
	"color:#fff;background:#555;font-size:.85em;margin-right:.4em}"
	".b-critical{background:#a50e0e}.b-high{background:#c2410c}"
	".b-medium{background:#a16207}.b-low{background:#1d4ed8}"
	".b-info{background:#4b5563}"
	".also,.muted{color:#555}.rule{font-weight:600}"
	".flow{background:#fff7e6;padding:.2em .4em}"
	".stomp{color:#a50e0e;font-weight:600}"
	"details{margin:.6em 0}summary{cursor:pointer;font-weight:600}"
	"ul.files{list-style:none;padding-left:.5em}ul.files li{margin:.15em 0}"
	"footer{margin-top:3em;color:#666;font-size:.9em}";

static const char *const kind_labels[EXS_FINDING_KIND_COUNT] = {
	"WEBSHELL", "SUSPECT", "CHANGED", "ADDED", "REMOVED", "ERROR", "TRACE",
	"CONFIG",
};

struct writer {
	struct exs_buf buf;
	const struct exs_sink *out;
	int status;
	const struct exs_run *run;
};

static void flush(struct writer *w, int force)
{
	exs_report_flush(&w->buf, w->out, &w->status, force, FLUSH_AT);
}

/* This file's own markup. */
static void put(struct writer *w, const char *s) { exs_buf_puts(&w->buf, s); }

/* Everything else. */
static void esc(struct writer *w, const char *s, size_t len)
{
	exs_html_escape(&w->buf, s, len);
}

static void esc_str(struct writer *w, const char *s)
{
	if (s)
		esc(w, s, strlen(s));
}

static void put_time(struct writer *w, int64_t ns)
{
	char t[40];
	exs_format_time(ns, t, sizeof(t));
	esc_str(w, t);
}

/* ---- The head of the page ----------------------------------------------- */

static void csp(struct writer *w)
{
	unsigned char digest[EXS_SHA256_LEN];
	put(w, "<meta http-equiv=\"Content-Security-Policy\" content=\""
	       "default-src 'none'; style-src 'sha256-");
	if (exs_sha256_buffer(style, sizeof(style) - 1, digest) == EXS_OK)
		exs_base64(&w->buf, digest, sizeof(digest));
	put(w, "'; img-src 'none'; font-src 'none'; connect-src 'none'; "
	       "script-src 'none'; base-uri 'none'; form-action 'none'\">\n");
}

static const char *verdict_class(const struct exs_group_counts *c)
{
	if (c->by_severity[EXS_SEVERITY_CRITICAL])
		return "v-critical";
	if (c->by_severity[EXS_SEVERITY_HIGH])
		return "v-high";
	if (c->by_severity[EXS_SEVERITY_MEDIUM])
		return "v-medium";
	if (c->by_severity[EXS_SEVERITY_LOW])
		return "v-low";
	if (c->by_severity[EXS_SEVERITY_INFO])
		return "v-info";
	return "v-clean";
}

static const char *verdict_text(const struct exs_run *run,
				const struct exs_group_counts *c)
{
	if (c->by_kind[EXS_FINDING_WEBSHELL])
		return "Webshell found";
	if (c->by_kind[EXS_FINDING_SUSPICIOUS] && run->counts[EXS_FINDING_EXPLOIT_TRACE])
		return "Suspicious files and exploitation traces found";
	if (c->by_kind[EXS_FINDING_SUSPICIOUS])
		return "Suspicious files found";
	if (run->counts[EXS_FINDING_EXPLOIT_TRACE])
		return "Exploitation traces found in the logs";
	if (c->by_severity[EXS_SEVERITY_MEDIUM] || c->by_severity[EXS_SEVERITY_LOW])
		return "Files changed";
	if (c->by_severity[EXS_SEVERITY_INFO])
		return "Nothing found, but some files could not be read";
	return "Nothing found";
}

static void fact(struct writer *w, const char *name, const char *value)
{
	put(w, "<tr><th>");
	put(w, name);
	put(w, "</th><td>");
	esc_str(w, value);
	put(w, "</td></tr>\n");
}

static void list_fact(struct writer *w, const char *name,
		      const struct exs_strlist *list)
{
	put(w, "<tr><th>");
	put(w, name);
	put(w, "</th><td>");
	for (size_t i = 0; list && i < list->count; i++) {
		if (i)
			put(w, "<br>");
		put(w, "<span class=\"path\">");
		esc_str(w, list->items[i]);
		put(w, "</span>");
	}
	if (!list || !list->count)
		put(w, "none");
	put(w, "</td></tr>\n");
}

static void baseline_facts(struct writer *w, const struct exs_run *run)
{
	const struct exs_generation *g = exs_run_generation(run);
	if (!run->baseline_path) {
		fact(w, "Baseline", "none (this command reads no baseline)");
		return;
	}
	put(w, "<tr><th>Baseline</th><td><span class=\"path\">");
	esc_str(w, run->baseline_path);
	put(w, "</span>");
	if (g) {
		exs_buf_printf(&w->buf, "<br>generation %" PRId64 " of ", g->id);
		esc_str(w, g->created);
		put(w, " (");
		esc_str(w, g->note[0] ? g->note : "no note");
		exs_buf_printf(&w->buf, "), %" PRIu64 " files", g->file_count);
	}
	put(w, "</td></tr>\n<tr><th>Seal</th><td>");
	if (run->baseline_schema >= 2 && g && g->seal[0]) {
		put(w, "sealed and verified before use: <code>");
		esc_str(w, g->seal);
		put(w, "</code>");
	} else if (run->baseline_schema == 1) {
		put(w, "<span class=\"stomp\">unsealed</span> (a schema-1 "
		       "baseline read with --allow-unsealed: not verified)");
	} else {
		put(w, "none");
	}
	put(w, "</td></tr>\n");
	if (run->rules_changed > 0)
		fact(w, "Rules", "changed since the baseline generation");
	if (run->config_changed > 0)
		fact(w, "Configuration", "changed since the baseline generation");
	if (run->new_generation && run->command &&
	    strcmp(run->command, "update") == 0) {
		put(w, "<tr><th>Update</th><td>");
		exs_buf_printf(&w->buf, "generation %" PRId64 " accepts %" PRIu64
			       " added, %" PRIu64 " changed, %" PRIu64 " removed; %"
			       PRIu64 " not accepted", run->new_generation,
			       run->accepted_added, run->accepted_changed,
			       run->accepted_removed, run->refused);
		put(w, "</td></tr>\n");
	}
}

static void head(struct writer *w, const struct exs_run *run,
		 const struct exs_group_counts *c)
{
	put(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
	csp(w);
	put(w, "<meta name=\"referrer\" content=\"no-referrer\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width\">\n<title>exsweep ");
	esc_str(w, run->command);
	put(w, " on ");
	esc_str(w, run->host);
	put(w, ": ");
	put(w, verdict_text(run, c));
	put(w, "</title>\n<style>");
	put(w, style);
	put(w, "</style>\n</head>\n<body>\n");

	uint64_t records = run->finding_count;
	uint64_t traces = run->counts[EXS_FINDING_EXPLOIT_TRACE];
	uint64_t files = c->entries - traces;
	exs_buf_printf(&w->buf, "<header class=\"verdict %s\">\n<h1>%s</h1>\n<p>",
		       verdict_class(c), verdict_text(run, c));
	exs_buf_printf(&w->buf, "%" PRIu64 " file%s with findings (%" PRIu64
		       " record%s)", files, files == 1 ? "" : "s", records,
		       records == 1 ? "" : "s");
	if (traces)
		exs_buf_printf(&w->buf, ", %" PRIu64 " exploitation trace%s",
			       traces, traces == 1 ? "" : "s");
	put(w, "</p>\n<p>exsweep ");
	esc_str(w, run->command);
	put(w, " on ");
	esc_str(w, run->host);
	put(w, ", ");
	put_time(w, run->started_ns);
	exs_buf_printf(&w->buf, ", %.2f s; exit code %d</p>\n</header>\n",
		       (double)(run->finished_ns - run->started_ns) / 1e9,
		       run->exit_code);

	put(w, "<section id=\"counts\">\n<h2>Files by severity</h2>\n<table>\n"
	       "<tr><th>severity</th><th>files</th><th>what</th></tr>\n");
	static const char *const what[EXS_SEVERITY_COUNT] = {
		"webshells (a rule or the code analysis)",
		"suspicious files (heuristics), exploitation traces",
		"new or changed scripts and configs in web folders, timestomps",
		"other changes",
		"files that could not be read",
	};
	for (int s = 0; s < EXS_SEVERITY_COUNT; s++)
		exs_buf_printf(&w->buf, "<tr><td><span class=\"badge b-%s\">%s"
			       "</span></td><td class=\"n\">%" PRIu64 "</td><td>%s"
			       "</td></tr>\n", exs_severity_name((enum exs_severity)s),
			       exs_severity_name((enum exs_severity)s),
			       c->by_severity[s], what[s]);
	put(w, "</table>\n<p class=\"muted\">Records by kind:");
	for (int k = 0; k < EXS_FINDING_KIND_COUNT; k++)
		exs_buf_printf(&w->buf, "%s %" PRIu64 " %s", k ? "," : "",
			       run->counts[k],
			       exs_finding_kind_name((enum exs_finding_kind)k));
	exs_buf_printf(&w->buf, "; %" PRIu64 " skipped (links, FIFOs, devices)"
		       "</p>\n</section>\n", run->skipped);

	put(w, "<section id=\"run\">\n<h2>The run</h2>\n<table>\n");
	char build[32];
	exs_build_format(&run->build, build, sizeof(build));
	const struct exs_generation *g = exs_run_generation(run);
	put(w, "<tr><th>Exchange build</th><td>");
	esc_str(w, build[0] ? build : "not found");
	if (g && g->exchange_build[0] && strcmp(g->exchange_build, build) != 0) {
		put(w, " (the baseline: ");
		esc_str(w, g->exchange_build);
		put(w, ")");
	}
	put(w, "</td></tr>\n");
	baseline_facts(w, run);
	if (run->against) {
		put(w, "<tr><th>Compared with</th><td><span class=\"path\">");
		esc_str(w, run->against);
		put(w, "</span></td></tr>\n");
	}
	char human[64];
	snprintf(human, sizeof(human), "%" PRIu64 " (%" PRIu64 " bytes), %" PRIu64
		 " scanned, %" PRIu64 " known clean", run->files, run->bytes,
		 run->scanned, run->reused);
	fact(w, "Files walked", human);
	snprintf(human, sizeof(human), "%u built-in files, %u extra, %u rules",
		 run->rules_builtin, run->rules_extra, run->rule_count);
	fact(w, "Rules", human);
	list_fact(w, "Roots", run->roots);
	list_fact(w, "Web roots", run->web_roots);
	fact(w, "Tool", "exsweep " EXS_VERSION);
	put(w, "</table>\n");
	if (run->warnings.count) {
		put(w, "<h3>Warnings</h3>\n<ul>\n");
		for (size_t i = 0; i < run->warnings.count; i++) {
			put(w, "<li>");
			esc_str(w, run->warnings.items[i]);
			put(w, "</li>\n");
		}
		put(w, "</ul>\n");
	}
	put(w, "</section>\n");
	flush(w, 0);
}

/* ---- One entry ------------------------------------------------------------ */

static void attrs_line(struct writer *w, const char *label,
		       const struct exs_record *r)
{
	char hex[2 * EXS_SHA256_LEN + 1];
	exs_hex(r->sha256, EXS_SHA256_LEN, hex);
	put(w, "<tr><th>");
	put(w, label);
	exs_buf_printf(&w->buf, "</th><td class=\"n\">%" PRIu64 "</td><td>",
		       r->st.size);
	put_time(w, r->st.mtime_ns);
	put(w, "</td><td>");
	esc_str(w, r->st.owner);
	exs_buf_printf(&w->buf, "</td><td><code>%s</code></td></tr>\n", hex);
}

static void change_block(struct writer *w, const struct exs_finding *f)
{
	put(w, "<div class=\"change\"><p><b>");
	put(w, exs_finding_kind_name(f->kind));
	put(w, "</b>");
	if (f->kind == EXS_FINDING_CHANGED) {
		put(w, ": ");
		for (unsigned bit = 1, n = 0; bit < (1u << EXS_ATTR_COUNT); bit <<= 1)
			if (f->changed & bit) {
				put(w, n++ ? ", " : "");
				put(w, exs_attr_name(bit));
			}
		if (f->timestomp)
			put(w, " <span class=\"stomp\">TIMESTOMP: the content "
			       "changed, the modification time did not</span>");
	}
	put(w, "</p>\n<table><tr><th></th><th>size</th><th>modified</th>"
	       "<th>owner</th><th>SHA-256</th></tr>\n");
	if (f->has_old)
		attrs_line(w, "before", &f->old_rec);
	if (f->has_new)
		attrs_line(w, f->has_old ? "now" : "file", &f->new_rec);
	put(w, "</table></div>\n");
}

static int is_code_rule(const struct exs_hit *h)
{
	return strcmp(h->ns, "code") == 0 || strncmp(h->rule, "code.", 5) == 0;
}

static void hits_block(struct writer *w, const struct exs_finding *f)
{
	for (size_t i = 0; i < f->hit_count; i++) {
		const struct exs_hit *h = &f->hits[i];
		put(w, "<div class=\"hit\"><p><span class=\"badge b-");
		put(w, f->kind == EXS_FINDING_WEBSHELL ? "critical" : "high");
		put(w, "\">");
		put(w, exs_finding_kind_name(f->kind));
		put(w, "</span><span class=\"rule\">");
		esc_str(w, h->rule);
		put(w, "</span>");
		if (h->ns[0]) {
			put(w, " <span class=\"muted\">(");
			esc_str(w, h->ns);
			put(w, ")</span>");
		}
		if (h->severity[0]) {
			put(w, " <span class=\"muted\">severity ");
			esc_str(w, h->severity);
			put(w, "</span>");
		}
		put(w, "</p>\n");
		if (h->description[0]) {
			/* The code analysis explains itself: source -> sink. */
			put(w, is_code_rule(h) ? "<p class=\"flow\">Source to sink: "
					       : "<p>");
			esc_str(w, h->description);
			put(w, "</p>\n");
		}
		if (h->string_count) {
			put(w, "<table class=\"strings\"><tr><th>string</th>"
			       "<th>offset</th><th>length</th><th>matched bytes"
			       "</th></tr>\n");
			for (unsigned j = 0; j < h->string_count && j < STRINGS_CUT; j++) {
				const struct exs_hit_string *s = &h->strings[j];
				put(w, "<tr><td><code>");
				esc_str(w, s->id);
				exs_buf_printf(&w->buf, "</code></td><td class=\"n\">%"
					       PRIu64 "</td><td class=\"n\">%" PRIu32
					       "</td><td><code>", s->offset, s->length);
				esc(w, (const char *)s->excerpt, s->excerpt_len);
				put(w, "</code></td></tr>\n");
			}
			put(w, "</table>\n");
		}
		put(w, "</div>\n");
	}
}

static void count_items(struct writer *w, const char *label,
			const struct exs_url_count *items, unsigned n)
{
	if (!n)
		return;
	put(w, "<tr><th>");
	put(w, label);
	put(w, "</th><td>");
	for (unsigned i = 0; i < n; i++) {
		if (i)
			put(w, ", ");
		put(w, "<code>");
		esc_str(w, items[i].value);
		exs_buf_printf(&w->buf, "</code> (%" PRIu64 ")", items[i].count);
	}
	put(w, "</td></tr>\n");
}

/* Who requested the file, from the log pass. */
static void requests_block(struct writer *w, const struct exs_url_hits *h)
{
	put(w, "<div class=\"requests\"><p><b>Log activity</b>: requested ");
	exs_buf_printf(&w->buf, "%" PRIu64 " time%s as <code>", h->count,
		       h->count == 1 ? "" : "s");
	esc_str(w, h->url);
	put(w, "</code> (");
	esc_str(w, h->site);
	put(w, h->on_disk ? ")" : "), the file is no longer on disk");
	put(w, h->count ? "</p>\n" : " in the logs read</p>\n");
	if (!h->count) {
		put(w, "</div>\n");
		return;
	}
	put(w, "<table>\n");
	if (h->first_ns) {
		put(w, "<tr><th>first</th><td>");
		put_time(w, h->first_ns);
		put(w, " <span class=\"path\">");
		esc_str(w, h->first_log);
		exs_buf_printf(&w->buf, "</span>:%" PRIu64 "</td></tr>\n<tr><th>last"
			       "</th><td>", h->first_line);
		put_time(w, h->last_ns);
		put(w, " <span class=\"path\">");
		esc_str(w, h->last_log);
		exs_buf_printf(&w->buf, "</span>:%" PRIu64 "</td></tr>\n",
			       h->last_line);
	}
	exs_buf_printf(&w->buf, "<tr><th>client addresses</th><td>%" PRIu64
		       "</td></tr>\n", h->distinct_clients);
	count_items(w, "clients", h->clients, h->n_clients);
	count_items(w, "methods", h->methods, h->n_methods);
	count_items(w, "statuses", h->statuses, h->n_statuses);
	count_items(w, "user agents", h->agents, h->n_agents);
	if (h->has_in_bytes || h->has_out_bytes)
		exs_buf_printf(&w->buf, "<tr><th>bytes</th><td>in %" PRIu64
			       " (max %" PRIu64 "), out %" PRIu64 " (max %" PRIu64
			       ")</td></tr>\n", h->in_bytes, h->max_in_bytes,
			       h->out_bytes, h->max_out_bytes);
	count_items(w, "the same clients also requested", h->other_urls,
		    h->n_other_urls);
	put(w, "</table></div>\n");
}

/* A configuration entry added, removed or changed, at its config line. */
static void registration_block(struct writer *w, const struct exs_finding *f)
{
	struct exs_reg_fields r;
	if (exs_reg_finding_unpack(f->message, &r)) {
		w->status = EXS_NOMEM;
		return;
	}
	exs_buf_printf(&w->buf, "<p>line %llu: <b>",
		       (unsigned long long)f->trace.line);
	esc_str(w, r.f[EXS_REGF_CHANGE]);
	put(w, "</b> ");
	esc_str(w, r.f[EXS_REGF_KIND]);
	put(w, " <span class=\"rule\">");
	esc_str(w, r.f[EXS_REGF_NAME]);
	put(w, "</span>");
	const char *what = r.f[EXS_REGF_IMAGE][0] ? r.f[EXS_REGF_IMAGE]
						  : r.f[EXS_REGF_TYPE];
	if (what[0]) {
		put(w, " &rarr; ");
		esc_str(w, what);
	}
	put(w, "</p>\n");
	if (r.f[EXS_REGF_WHY][0]) {
		put(w, "<p><b>suspicious</b>: ");
		esc_str(w, r.f[EXS_REGF_WHY]);
		put(w, "</p>\n");
	}
	exs_reg_fields_free(&r);
}

static void trace_block(struct writer *w, const struct exs_finding *f)
{
	const struct exs_hit *h = f->hit_count ? &f->hits[0] : NULL;
	put(w, "<p><span class=\"rule\">");
	esc_str(w, h ? h->rule : "");
	put(w, "</span> <span class=\"muted\">");
	esc_str(w, h ? h->family : "");
	put(w, "</span></p>\n");
	if (h && h->description[0]) {
		put(w, "<p>");
		esc_str(w, h->description);
		put(w, "</p>\n");
	}
	put(w, "<table>\n<tr><th>log line</th><td><span class=\"path\">");
	esc(w, f->path, f->path_len);
	exs_buf_printf(&w->buf, "</span>:%" PRIu64 "</td></tr>\n<tr><th>time</th>"
		       "<td>", f->trace.line);
	if (f->trace.time_ns)
		put_time(w, f->trace.time_ns);
	else
		put(w, "not logged");
	put(w, "</td></tr>\n<tr><th>client</th><td>");
	esc_str(w, f->trace.client[0] ? f->trace.client : "-");
	if (f->trace.user[0]) {
		put(w, " as ");
		esc_str(w, f->trace.user);
	}
	if (f->trace.http_status)
		exs_buf_printf(&w->buf, ", status %d", f->trace.http_status);
	put(w, "</td></tr>\n</table>\n<pre>");
	esc_str(w, f->message ? f->message : "");
	put(w, "</pre>\n");
}

static void entry_block(struct writer *w, const struct exs_entry *e)
{
	const struct exs_finding *head_rec = e->records[0];
	const char *sev = exs_severity_name(exs_group_severity(w->run, head_rec));
	exs_buf_printf(&w->buf, "<article class=\"entry s-%s\" id=\"f%" PRIu64
		       "\">\n<h3><span class=\"badge b-%s\">%s</span>"
		       "<span class=\"path\">", sev, e->number, sev,
		       kind_labels[e->kind]);
	esc(w, e->path, e->path_len);
	put(w, "</span></h3>\n");
	if (e->count > 1) {
		put(w, "<p class=\"also\">also ");
		for (size_t i = 1; i < e->count; i++) {
			put(w, i > 1 ? ", " : "");
			put(w, exs_finding_kind_name(e->records[i]->kind));
		}
		put(w, "</p>\n");
	}
	if (e->kind == EXS_FINDING_EXPLOIT_TRACE) {
		trace_block(w, head_rec);
		put(w, "</article>\n");
		return;
	}
	if (e->kind == EXS_FINDING_REGISTRATION) {
		registration_block(w, head_rec);
		put(w, "</article>\n");
		return;
	}
	for (size_t i = 0; i < e->count; i++)
		if (e->records[i]->kind <= EXS_FINDING_SUSPICIOUS)
			hits_block(w, e->records[i]);
	if (e->change)
		change_block(w, e->change);
	for (size_t i = 0; i < e->count; i++) {
		const struct exs_finding *r = e->records[i];
		if (r->kind != EXS_FINDING_ERROR)
			continue;
		put(w, "<p><b>could not be read</b>: ");
		esc_str(w, r->message ? r->message : exs_strerror(r->status));
		put(w, " <span class=\"muted\">(");
		esc_str(w, exs_status_name(r->status));
		if (r->op && r->op[0]) {
			put(w, ", ");
			esc_str(w, r->op);
		}
		put(w, ")</span></p>\n");
	}
	if (e->not_listed)
		exs_buf_printf(&w->buf, "<p class=\"muted\">%zu more records in the "
			       "JSON report</p>\n", e->not_listed);
	int removed = e->change && e->change->kind == EXS_FINDING_REMOVED;
	if (e->kind <= EXS_FINDING_SUSPICIOUS || removed) {
		const struct exs_url_hits *h =
			exs_run_url_hits(w->run, e->path, e->path_len);
		if (h)
			requests_block(w, h);
	}
	put(w, "</article>\n");
}

/* One line of a collapsed list. */
static void entry_line(struct writer *w, const struct exs_entry *e)
{
	exs_buf_printf(&w->buf, "<li id=\"f%" PRIu64 "\"><span class=\"badge "
		       "b-%s\">%s</span><span class=\"path\">", e->number,
		       exs_severity_name(exs_group_severity(w->run, e->records[0])),
		       kind_labels[e->kind]);
	esc(w, e->path, e->path_len);
	put(w, "</span>");
	const struct exs_finding *f = e->records[0];
	if (f->kind == EXS_FINDING_CHANGED) {
		put(w, " <span class=\"muted\">(");
		for (unsigned bit = 1, n = 0; bit < (1u << EXS_ATTR_COUNT); bit <<= 1)
			if (f->changed & bit) {
				put(w, n++ ? ", " : "");
				put(w, exs_attr_name(bit));
			}
		put(w, ")</span>");
	} else if (f->kind == EXS_FINDING_ERROR) {
		put(w, ": ");
		esc_str(w, f->message ? f->message : exs_strerror(f->status));
	}
	for (size_t i = 1; i < e->count; i++) {
		const struct exs_finding *r = e->records[i];
		if (r->kind != EXS_FINDING_ERROR)
			continue;
		put(w, "; could not be read: ");
		esc_str(w, r->message ? r->message : exs_strerror(r->status));
	}
	put(w, "</li>\n");
}

/* ---- Sections --------------------------------------------------------------- */

struct pass {
	struct writer *w;
	uint64_t medium_shown, medium_cut;
	/* the rest: one list per kind, filled in one pass */
	struct exs_buf lists[EXS_FINDING_KIND_COUNT];
	uint64_t shown[EXS_FINDING_KIND_COUNT];
};

static int look_first_entry(void *ctx, const struct exs_entry *e)
{
	struct pass *p = ctx;
	enum exs_severity s = exs_group_severity(p->w->run, e->records[0]);
	if (s > EXS_SEVERITY_MEDIUM)
		return EXS_OK;
	if (s == EXS_SEVERITY_MEDIUM && p->medium_shown++ >= LOOK_FIRST_CUT) {
		p->medium_cut++;
		return EXS_OK;
	}
	entry_block(p->w, e);
	flush(p->w, 0);
	return p->w->status;
}

static int rest_entry(void *ctx, const struct exs_entry *e)
{
	struct pass *p = ctx;
	enum exs_severity s = exs_group_severity(p->w->run, e->records[0]);
	if (s <= EXS_SEVERITY_MEDIUM || p->shown[e->kind]++ >= REST_CUT)
		return EXS_OK;
	/* The line goes to its kind's list, which the writer's buffer
	 * lends itself to for a moment. */
	struct exs_buf keep = p->w->buf;
	p->w->buf = p->lists[e->kind];
	entry_line(p->w, e);
	p->lists[e->kind] = p->w->buf;
	p->w->buf = keep;
	return EXS_OK;
}

/* The patch-day view: changes by folder. Runs of one folder are gathered
 * as the records stream by (a subfolder's files sort between its
 * parent's, so a folder can have several runs), then sorted and added up:
 * memory is one row per run of files, never one per file. */
struct folder_row {
	char *path;
	size_t len;
	uint64_t n[3];            /* changed, added, removed */
};

struct folders {
	struct folder_row *rows;
	size_t count, cap;
	int failed;
};

static size_t folder_len(const char *p, size_t n)
{
	while (n && p[n - 1] != '/' && p[n - 1] != '\\')
		n--;
	return n ? n - 1 : 0;
}

static int gather(void *ctx, const struct exs_finding *f)
{
	struct folders *fs = ctx;
	if (fs->failed || f->kind < EXS_FINDING_CHANGED ||
	    f->kind > EXS_FINDING_REMOVED)
		return EXS_OK;
	size_t len = folder_len(f->path, f->path_len);
	int k = (int)f->kind - EXS_FINDING_CHANGED;
	struct folder_row *last = fs->count ? &fs->rows[fs->count - 1] : NULL;
	if (last && last->len == len && memcmp(last->path, f->path, len) == 0) {
		last->n[k]++;
		return EXS_OK;
	}
	if (fs->count == fs->cap) {
		size_t cap = fs->cap ? 2 * fs->cap : 256;
		struct folder_row *grown = realloc(fs->rows, cap * sizeof(*grown));
		if (!grown) {
			fs->failed = 1;
			return EXS_OK;
		}
		fs->rows = grown;
		fs->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy) {
		fs->failed = 1;
		return EXS_OK;
	}
	memcpy(copy, f->path, len);
	copy[len] = '\0';
	struct folder_row *r = &fs->rows[fs->count++];
	memset(r, 0, sizeof(*r));
	r->path = copy;
	r->len = len;
	r->n[k] = 1;
	return EXS_OK;
}

static int by_path(const void *pa, const void *pb)
{
	const struct folder_row *a = pa, *b = pb;
	int c = memcmp(a->path, b->path, a->len < b->len ? a->len : b->len);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static uint64_t row_total(const struct folder_row *r)
{
	return r->n[0] + r->n[1] + r->n[2];
}

static int by_total(const void *pa, const void *pb)
{
	const struct folder_row *a = pa, *b = pb;
	uint64_t ta = row_total(a), tb = row_total(b);
	if (ta != tb)
		return ta > tb ? -1 : 1;
	return by_path(pa, pb);
}

static void folders_section(struct writer *w, const struct exs_run *run)
{
	uint64_t changes = run->counts[EXS_FINDING_CHANGED] +
			   run->counts[EXS_FINDING_ADDED] +
			   run->counts[EXS_FINDING_REMOVED];
	put(w, "<section id=\"folders\">\n<h2>Changes by folder</h2>\n");
	const struct exs_generation *g = exs_run_generation(run);
	struct exs_build base = { 0, { 0, 0, 0, 0 } };
	if (g && g->exchange_build[0])
		exs_build_parse(g->exchange_build, strlen(g->exchange_build), &base);
	if (base.found && exs_build_compare(&run->build, &base) > 0) {
		char now[32];
		exs_build_format(&run->build, now, sizeof(now));
		put(w, "<p><b>This looks like an Exchange cumulative or security "
		       "update</b>: build ");
		esc_str(w, g->exchange_build);
		put(w, " &rarr; ");
		esc_str(w, now);
		put(w, "</p>\n");
	}
	if (!changes) {
		put(w, "<p>No file was added, changed or removed.</p>\n</section>\n");
		return;
	}
	struct folders fs = { NULL, 0, 0, 0 };
	exs_run_each_finding(run, gather, &fs);
	size_t n = 0;
	if (fs.count > 1)
		qsort(fs.rows, fs.count, sizeof(*fs.rows), by_path);
	for (size_t i = 0; i < fs.count; i++) {
		if (n && by_path(&fs.rows[n - 1], &fs.rows[i]) == 0) {
			for (int k = 0; k < 3; k++)
				fs.rows[n - 1].n[k] += fs.rows[i].n[k];
			free(fs.rows[i].path);
			continue;
		}
		fs.rows[n++] = fs.rows[i];
	}
	if (n > 1)
		qsort(fs.rows, n, sizeof(*fs.rows), by_total);
	exs_buf_printf(&w->buf, "<p>%" PRIu64 " changes in %zu folders%s.</p>\n",
		       changes, n, n > FOLDERS_CUT ? ", the busiest first" : "");
	put(w, "<table>\n<tr><th>folder</th><th>changed</th><th>added</th>"
	       "<th>removed</th></tr>\n");
	for (size_t i = 0; i < n && i < FOLDERS_CUT; i++) {
		put(w, "<tr><td><span class=\"path\">");
		esc(w, fs.rows[i].path, fs.rows[i].len);
		exs_buf_printf(&w->buf, "</span></td><td class=\"n\">%" PRIu64
			       "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%"
			       PRIu64 "</td></tr>\n", fs.rows[i].n[0],
			       fs.rows[i].n[1], fs.rows[i].n[2]);
		flush(w, 0);
	}
	put(w, "</table>\n");
	if (n > FOLDERS_CUT)
		exs_buf_printf(&w->buf, "<p class=\"muted\">%zu more folders</p>\n",
			       n - FOLDERS_CUT);
	if (fs.failed)
		put(w, "<p class=\"muted\">Out of memory: the table is "
		       "incomplete.</p>\n");
	for (size_t i = 0; i < n; i++)
		free(fs.rows[i].path);
	free(fs.rows);
	put(w, "</section>\n");
}

static void gone_section(struct writer *w, const struct exs_run *run)
{
	for (size_t i = 0; i < run->url_hit_count; i++) {
		const struct exs_url_hits *h = &run->url_hits[i];
		if (!h->orphan)
			continue;
		put(w, "<article class=\"entry s-high\">\n<h3><span class=\"badge "
		       "b-high\">GONE</span><span class=\"path\">");
		esc(w, h->path, h->path_len);
		put(w, "</span></h3>\n<p>A script page requested with success "
		       "whose file is not on disk: a shell used and deleted?</p>\n");
		requests_block(w, h);
		put(w, "</article>\n");
		flush(w, 0);
	}
}

int exs_report_html(const struct exs_run *run, const struct exs_sink *out)
{
	struct writer w = { .out = out, .run = run };
	exs_buf_init(&w.buf, 16u << 20);
	struct exs_group_counts c;
	int rc = exs_group_count(run, &c);
	if (rc) {
		exs_buf_free(&w.buf);
		return rc;
	}
	head(&w, run, &c);

	put(&w, "<section id=\"look-first\">\n<h2>Look first</h2>\n");
	struct pass p;
	memset(&p, 0, sizeof(p));
	p.w = &w;
	uint64_t first = c.by_severity[EXS_SEVERITY_CRITICAL] +
			 c.by_severity[EXS_SEVERITY_HIGH] +
			 c.by_severity[EXS_SEVERITY_MEDIUM];
	if (!first)
		put(&w, "<p>Nothing needs a look first: no webshell, no suspicious "
			"file, no exploitation trace, no new or changed script or "
			"configuration in a web folder.</p>\n");
	else
		rc = exs_group_each(run, look_first_entry, &p);
	if (p.medium_cut)
		exs_buf_printf(&w.buf, "<p class=\"muted\">%" PRIu64 " more such "
			       "changes in the JSON report</p>\n", p.medium_cut);
	gone_section(&w, run);
	put(&w, "</section>\n");
	flush(&w, 0);

	folders_section(&w, run);

	put(&w, "<section id=\"rest\">\n<h2>Everything else</h2>\n");
	uint64_t rest = c.by_severity[EXS_SEVERITY_LOW] +
			c.by_severity[EXS_SEVERITY_INFO];
	if (!rest)
		put(&w, "<p>Nothing else.</p>\n");
	memset(&p, 0, sizeof(p));
	p.w = &w;
	for (int k = 0; k < EXS_FINDING_KIND_COUNT; k++)
		exs_buf_init(&p.lists[k], 4u << 20);
	if (!rc && rest)
		rc = exs_group_each(run, rest_entry, &p);
	for (int k = EXS_FINDING_CHANGED; !rc && k <= EXS_FINDING_ERROR; k++) {
		uint64_t n = c.by_kind_severity[k][EXS_SEVERITY_LOW] +
			     c.by_kind_severity[k][EXS_SEVERITY_INFO];
		if (!n)
			continue;
		exs_buf_printf(&w.buf, "<details>\n<summary>%" PRIu64 " %s %s"
			       "</summary>\n<ul class=\"files\">\n", n,
			       k == EXS_FINDING_ERROR ? "unreadable" :
			       exs_finding_kind_name((enum exs_finding_kind)k),
			       n == 1 ? "file" : "files");
		if (p.lists[k].failed && !w.status)
			w.status = p.lists[k].failed;
		if (p.lists[k].len)
			exs_buf_append(&w.buf, p.lists[k].data, p.lists[k].len);
		put(&w, "</ul>\n");
		if (n > REST_CUT)
			exs_buf_printf(&w.buf, "<p class=\"muted\">%" PRIu64 " more "
				       "in the JSON report</p>\n", n - REST_CUT);
		put(&w, "</details>\n");
		flush(&w, 0);
	}
	for (int k = 0; k < EXS_FINDING_KIND_COUNT; k++)
		exs_buf_free(&p.lists[k]);
	put(&w, "</section>\n<footer>exsweep " EXS_VERSION " &middot; entries "
		"are numbered as in the JSON report's <code>file</code> field, "
		"which has every record.</footer>\n</body>\n</html>\n");
	if (rc && !w.status)
		w.status = rc;
	flush(&w, 1);
	exs_buf_free(&w.buf);
	return w.status;
}
