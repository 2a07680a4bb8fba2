/* text.c -- the human summary on stdout: one entry per file, worst first.
 *
 * The records of a run are grouped by file (group.h): a planted webshell
 * is one WEBSHELL entry with its rules, its heuristics and its change, not
 * three lines, and the headline counts files.
 *
 * Names, and every other string that comes from outside (messages,
 * warnings, rule descriptions, generation notes), are shown through
 * exs_text_escape, so a file called "a\nWEBSHELL  x" shows as one line
 * with a visible \n and cannot forge a line of the summary, and one with a
 * right-to-left override shows \u202e instead of reading backwards. Long
 * lists are cut per kind (webshells never are): after a cumulative update
 * the JSON report carries the thousands of changed binaries, the terminal
 * only a taste of them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "group.h"
#include "patchday.h"
#include "regfinding.h"
#include "report.h"
#include "run.h"

#define LIST_CUT 50
#define SIGNATURES_CUT 10 /* images not signed, named in the summary */
#define PATCH_DAY 200   /* changes from which the summary groups them */
#define TOP_FOLDERS 10
#define PATCH_DAY_CUT 10 /* per kind, after the patch-day overview */

static const char *const kind_labels[EXS_FINDING_KIND_COUNT] = {
	"WEBSHELL", "SUSPECT", "CHANGED", "ADDED", "REMOVED", "ERROR", "TRACE",
	"CONFIG",
};

/* One registration finding: the config file and line, the change, the
 * entry and what it points to (the JSON report has every field). */
static void registration_line(struct exs_buf *b, const struct exs_finding *f)
{
	struct exs_reg_fields r;
	if (exs_reg_finding_unpack(f->message, &r)) {
		b->failed = EXS_NOMEM;
		return;
	}
	exs_buf_printf(b, "%-9s ", "CONFIG");
	exs_text_escape(b, f->path, f->path_len);
	exs_buf_printf(b, ":%llu\n          ", (unsigned long long)f->trace.line);
	exs_text_escape(b, r.f[EXS_REGF_CHANGE], strlen(r.f[EXS_REGF_CHANGE]));
	exs_buf_putc(b, ' ');
	exs_text_escape(b, r.f[EXS_REGF_KIND], strlen(r.f[EXS_REGF_KIND]));
	exs_buf_puts(b, " '");
	exs_text_escape(b, r.f[EXS_REGF_NAME], strlen(r.f[EXS_REGF_NAME]));
	exs_buf_putc(b, '\'');
	if (r.f[EXS_REGF_SCOPE][0]) {
		exs_buf_puts(b, " in '");
		exs_text_escape(b, r.f[EXS_REGF_SCOPE], strlen(r.f[EXS_REGF_SCOPE]));
		exs_buf_putc(b, '\'');
	}
	const char *what = r.f[EXS_REGF_IMAGE][0] ? r.f[EXS_REGF_IMAGE]
						  : r.f[EXS_REGF_TYPE];
	const char *was = r.f[EXS_REGF_IMAGE][0] ? r.f[EXS_REGF_OLD_IMAGE]
						 : r.f[EXS_REGF_OLD_TYPE];
	if (strcmp(r.f[EXS_REGF_CHANGE], "changed") == 0 && strcmp(was, what)) {
		exs_buf_puts(b, ": ");
		exs_text_escape(b, was, strlen(was));
		exs_buf_puts(b, " -> ");
		exs_text_escape(b, what, strlen(what));
	} else if (what[0]) {
		exs_buf_puts(b, " -> ");
		exs_text_escape(b, what, strlen(what));
	}
	if (r.f[EXS_REGF_PATH][0] && strcmp(r.f[EXS_REGF_PATH],
					    r.f[EXS_REGF_NAME])) {
		exs_buf_puts(b, " (path ");
		exs_text_escape(b, r.f[EXS_REGF_PATH], strlen(r.f[EXS_REGF_PATH]));
		exs_buf_putc(b, ')');
	}
	if (r.f[EXS_REGF_WHY][0]) {
		exs_buf_puts(b, "\n          suspicious: ");
		exs_text_escape(b, r.f[EXS_REGF_WHY], strlen(r.f[EXS_REGF_WHY]));
	}
	exs_buf_putc(b, '\n');
	exs_reg_fields_free(&r);
}

static void human_bytes(uint64_t n, char *buf, size_t cap)
{
	const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	unsigned u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, cap, "%" PRIu64 " B", n);
	else
		snprintf(buf, cap, "%.1f %s", v, units[u]);
}

/* Every string that did not come from this file goes through here. */
static void text(struct exs_buf *b, const char *s)
{
	exs_text_escape(b, s, strlen(s));
}

static void count_list(struct exs_buf *b, const char *label,
		       const struct exs_url_count *items, unsigned n,
		       unsigned cut)
{
	if (!n)
		return;
	exs_buf_printf(b, "            %s: ", label);
	for (unsigned i = 0; i < n && i < cut; i++) {
		if (i)
			exs_buf_puts(b, ", ");
		text(b, items[i].value);
		exs_buf_printf(b, " (%" PRIu64 ")", items[i].count);
	}
	exs_buf_putc(b, '\n');
}

/* Who requested the file, from the logs. */
static void request_lines(struct exs_buf *b, const struct exs_url_hits *h)
{
	char first[40], last[40];
	exs_format_time(h->first_ns, first, sizeof(first));
	exs_format_time(h->last_ns, last, sizeof(last));
	exs_buf_printf(b, "          requested %" PRIu64 " time%s as ", h->count,
		       h->count == 1 ? "" : "s");
	text(b, h->url);
	exs_buf_puts(b, " (");
	text(b, h->site);
	exs_buf_printf(b, ")%s%s\n", h->on_disk ? "" : ", file no longer on disk",
		       h->count ? "" : " in the logs read");
	if (!h->count)
		return;
	if (h->first_ns) {
		exs_buf_printf(b, "            first %s (", first);
		text(b, h->first_log);
		exs_buf_printf(b, ":%" PRIu64 "), last %s (", h->first_line, last);
		text(b, h->last_log);
		exs_buf_printf(b, ":%" PRIu64 ")\n", h->last_line);
	}
	exs_buf_printf(b, "            %" PRIu64 " client address%s\n",
		       h->distinct_clients, h->distinct_clients == 1 ? "" : "es");
	count_list(b, "clients", h->clients, h->n_clients, 5);
	count_list(b, "methods", h->methods, h->n_methods, 5);
	count_list(b, "statuses", h->statuses, h->n_statuses, 5);
	count_list(b, "user agents", h->agents, h->n_agents, 3);
	if (h->has_in_bytes || h->has_out_bytes)
		exs_buf_printf(b, "            bytes in %" PRIu64 " (max %" PRIu64
			       "), out %" PRIu64 " (max %" PRIu64 ")\n",
			       h->in_bytes, h->max_in_bytes, h->out_bytes,
			       h->max_out_bytes);
	count_list(b, "the same clients also requested", h->other_urls,
		   h->n_other_urls, 8);
}

static void trace_line(struct exs_buf *b, const struct exs_finding *f)
{
	const struct exs_hit *h = f->hit_count ? &f->hits[0] : NULL;
	char t[40] = "no time";
	if (f->trace.time_ns)
		exs_format_time(f->trace.time_ns, t, sizeof(t));
	exs_buf_printf(b, "%-9s ", kind_labels[f->kind]);
	text(b, h ? h->rule : "");
	exs_buf_puts(b, " (");
	text(b, h ? h->family : "");
	exs_buf_puts(b, ")\n          ");
	exs_text_escape(b, f->path, f->path_len);
	exs_buf_printf(b, ":%" PRIu64 " at %s from ", f->trace.line, t);
	text(b, f->trace.client[0] ? f->trace.client : "-");
	if (f->trace.user[0]) {
		exs_buf_puts(b, " as ");
		text(b, f->trace.user);
	}
	if (f->trace.http_status)
		exs_buf_printf(b, ", status %d", f->trace.http_status);
	exs_buf_puts(b, "\n          ");
	/* The request, cut for the terminal; the JSON report has it whole. */
	const char *req = f->message ? f->message : "";
	size_t n = strlen(req);
	exs_text_escape(b, req, n > 300 ? 300 : n);
	if (n > 300)
		exs_buf_puts(b, "...");
	exs_buf_putc(b, '\n');
}

/* The rules and heuristics of a webshell or suspicious record, with the
 * strings they matched; note names the record's kind when it is not the
 * entry's own (a webshell's heuristics). */
static void hit_lines(struct exs_buf *b, const struct exs_finding *f,
		      const char *note)
{
	for (size_t i = 0; i < f->hit_count; i++) {
		const struct exs_hit *h = &f->hits[i];
		exs_buf_puts(b, "          rule ");
		text(b, h->rule);
		if (note)
			exs_buf_printf(b, " (%s)", note);
		if (h->description[0]) {
			exs_buf_puts(b, ": ");
			text(b, h->description);
		}
		exs_buf_putc(b, '\n');
		for (unsigned j = 0; j < h->string_count && j < 3; j++) {
			const struct exs_hit_string *s = &h->strings[j];
			exs_buf_printf(b, "            %s at offset %" PRIu64
				       ": \"", s->id, s->offset);
			exs_text_escape(b, (const char *)s->excerpt,
					s->excerpt_len);
			exs_buf_puts(b, "\"\n");
		}
	}
}

/* "  (sha256 size)" and the timestomp warning of a changed record. */
static void change_detail(struct exs_buf *b, const struct exs_finding *f)
{
	exs_buf_puts(b, "  (");
	for (unsigned bit = 1, n = 0; bit < (1u << EXS_ATTR_COUNT); bit <<= 1)
		if (f->changed & bit)
			exs_buf_printf(b, "%s%s", n++ ? " " : "",
				       exs_attr_name(bit));
	exs_buf_puts(b, ")");
	if (f->timestomp)
		exs_buf_puts(b, "  TIMESTOMP: content changed, "
				"modification time did not");
}

static void finding_line_of(struct exs_buf *b, const struct exs_finding *f)
{
	exs_buf_printf(b, "%-9s ", kind_labels[f->kind]);
	exs_text_escape(b, f->path, f->path_len);
	switch (f->kind) {
	case EXS_FINDING_WEBSHELL:
	case EXS_FINDING_SUSPICIOUS:
		exs_buf_putc(b, '\n');
		hit_lines(b, f, NULL);
		return;
	case EXS_FINDING_CHANGED:
		change_detail(b, f);
		break;
	case EXS_FINDING_ERROR:
		exs_buf_puts(b, ": ");
		text(b, f->message ? f->message : exs_strerror(f->status));
		break;
	default:
		break;
	}
	exs_buf_putc(b, '\n');
}

struct folder_count {
	enum exs_finding_kind kind;
	const char *path;
	size_t len;
	size_t count;
};

static size_t folder_len(const struct exs_finding *f)
{
	size_t n = f->path_len;
	while (n && f->path[n - 1] != '/' && f->path[n - 1] != '\\')
		n--;
	return n ? n - 1 : 0;
}

static int compare_folders(const void *pa, const void *pb)
{
	const struct folder_count *a = pa, *b = pb;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	int c = memcmp(a->path, b->path, a->len < b->len ? a->len : b->len);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

struct folder_runs {
	struct folder_count *items;  /* paths owned */
	size_t count, cap;
	int failed;
};

static int gather_folder(void *ctx, const struct exs_finding *f)
{
	struct folder_runs *r = ctx;
	if (r->failed || f->kind < EXS_FINDING_CHANGED ||
	    f->kind > EXS_FINDING_REMOVED)
		return EXS_OK;
	size_t len = folder_len(f);
	struct folder_count *last = r->count ? &r->items[r->count - 1] : NULL;
	if (last && last->kind == f->kind && last->len == len &&
	    memcmp(last->path, f->path, len) == 0) {
		last->count++;
		return EXS_OK;
	}
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct folder_count *grown =
			realloc(r->items, cap * sizeof(*grown));
		if (!grown) {
			r->failed = 1; /* the overview is a courtesy */
			return EXS_OK;
		}
		r->items = grown;
		r->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy) {
		r->failed = 1;
		return EXS_OK;
	}
	memcpy(copy, f->path, len);
	copy[len] = '\0';
	r->items[r->count++] = (struct folder_count){ f->kind, copy, len, 1 };
	return EXS_OK;
}

/* Patch day: group the changes by folder, the ones to look at first on
 * top, and say when it looks like a cumulative update. */
static void patch_day(struct exs_buf *b, const struct exs_run *run)
{
	uint64_t changes = run->counts[EXS_FINDING_ADDED] +
			   run->counts[EXS_FINDING_CHANGED] +
			   run->counts[EXS_FINDING_REMOVED];
	const struct exs_generation *g = exs_run_generation(run);
	struct exs_build base = { 0, { 0, 0, 0, 0 } };
	if (g && g->exchange_build[0])
		exs_build_parse(g->exchange_build, strlen(g->exchange_build),
				&base);
	char now[32];
	exs_build_format(&run->build, now, sizeof(now));
	if (exs_build_compare(&run->build, &base) > 0 && base.found)
		exs_buf_printf(b, "this looks like an Exchange cumulative or "
			       "security update: build %s -> %s\n",
			       g->exchange_build, now);
	struct folder_count top[TOP_FOLDERS];
	size_t ntop = 0;
	exs_buf_printf(b, "%" PRIu64 " changes\n", changes);
	/* What was vouched for and by what, then what was not (provenance,
	 * patchday.c). */
	exs_report_text_provenance(b, run);
	exs_report_text_look_first(b, run);
	/* Top folders: gather (kind, folder, count) of every run of changes
	 * in the same folder, sort them so equal folders are adjacent (the
	 * findings' own path order is not enough: a subfolder's files sort
	 * between its parent's), and add up the counts, keeping the largest.
	 * One entry per run of files, not per file: findings may be many more
	 * than memory should hold (they can live in a temporary table). */
	struct folder_runs fr = { NULL, 0, 0, 0 };
	exs_run_each_finding(run, gather_folder, &fr);
	struct folder_count *all = fr.items;
	size_t nall = fr.count;
	if (nall > 1)
		qsort(all, nall, sizeof(*all), compare_folders);
	for (size_t i = 0; i < nall;) {
		size_t j = i, total = 0;
		while (j < nall && compare_folders(&all[i], &all[j]) == 0)
			total += all[j++].count;
		struct folder_count fc = all[i];
		fc.count = total;
		size_t k;
		if (ntop < TOP_FOLDERS)
			k = ntop++;
		else if (fc.count > top[TOP_FOLDERS - 1].count)
			k = TOP_FOLDERS - 1;
		else
			k = TOP_FOLDERS;
		if (k < TOP_FOLDERS) {
			top[k] = fc;
			for (; k > 0 && top[k].count > top[k - 1].count; k--) {
				struct folder_count t = top[k];
				top[k] = top[k - 1];
				top[k - 1] = t;
			}
		}
		i = j;
	}
	exs_buf_puts(b, "top folders:\n");
	for (size_t i = 0; i < ntop; i++) {
		exs_buf_printf(b, "  %6lu %-8s ", (unsigned long)top[i].count,
			       exs_finding_kind_name(top[i].kind));
		exs_text_escape(b, top[i].path, top[i].len);
		exs_buf_putc(b, '\n');
	}
	for (size_t i = 0; i < nall; i++)
		free((char *)all[i].path);
	free(all);
}

/* What the baseline was: its generation and seal (so the seal leaves the
 * host with the summary too), and what changed beside the files. */
static void baseline_lines(struct exs_buf *b, const struct exs_run *run)
{
	const struct exs_generation *g = exs_run_generation(run);
	char now[32];
	exs_build_format(&run->build, now, sizeof(now));
	if (g) {
		exs_buf_printf(b, "baseline: generation %" PRId64 " of ", g->id);
		text(b, g->created);
		exs_buf_puts(b, " (");
		text(b, g->note[0] ? g->note : "no note");
		exs_buf_puts(b, "), seal ");
		text(b, g->seal[0] ? g->seal : "none (unsealed)");
		exs_buf_putc(b, '\n');
	}
	if (run->new_generation && run->command &&
	    strcmp(run->command, "update") == 0)
		exs_buf_printf(b, "update: generation %" PRId64 " accepts %" PRIu64
			       " added, %" PRIu64 " changed, %" PRIu64
			       " removed; %" PRIu64 " not accepted\n",
			       run->new_generation, run->accepted_added,
			       run->accepted_changed, run->accepted_removed,
			       run->refused);
	if (run->new_generation && run->provenance.vouched_only)
		exs_buf_printf(b, "update --vouched-only: %" PRIu64 " changes "
			       "not vouched for keep their old records and "
			       "stay reported\n", run->provenance.kept);
	if (g && g->exchange_build[0] && now[0] &&
	    strcmp(g->exchange_build, now) != 0)
		exs_buf_printf(b, "exchange build: baseline %s, host now %s\n",
			       g->exchange_build, now);
	if (run->rules_changed > 0)
		exs_buf_puts(b, "rules changed since the baseline generation\n");
	if (run->config_changed > 0)
		exs_buf_puts(b, "configuration changed since the baseline "
			     "generation\n");
}

/* One entry: the file and everything said about it, most severe first. A
 * webshell or suspicious file gets its verdicts with their evidence, its
 * change and its errors; a change or an error keeps its one line of old,
 * and the errors of the same file follow it. */
static void entry_lines(struct exs_buf *b, const struct exs_run *run,
			const struct exs_entry *e)
{
	const struct exs_finding *head = e->records[0];
	if (head->kind == EXS_FINDING_EXPLOIT_TRACE) {
		trace_line(b, head);
		return;
	}
	if (head->kind == EXS_FINDING_REGISTRATION) {
		registration_line(b, head);
		return;
	}
	int removed = head->kind == EXS_FINDING_REMOVED;
	if (head->kind <= EXS_FINDING_SUSPICIOUS) {
		exs_buf_printf(b, "%-9s ", kind_labels[head->kind]);
		exs_text_escape(b, e->path, e->path_len);
		for (size_t i = 1; i < e->count; i++)
			exs_buf_printf(b, "%s%s", i == 1 ? "  (also " : ", ",
				       exs_finding_kind_name(e->records[i]->kind));
		exs_buf_puts(b, e->count > 1 ? ")\n" : "\n");
		for (size_t i = 0; i < e->count; i++) {
			const struct exs_finding *r = e->records[i];
			if (r->kind <= EXS_FINDING_SUSPICIOUS)
				hit_lines(b, r, r->kind != head->kind
					  ? exs_finding_kind_name(r->kind) : NULL);
		}
		if (e->change) {
			exs_buf_printf(b, "          %s",
				       exs_finding_kind_name(e->change->kind));
			if (e->change->kind == EXS_FINDING_CHANGED)
				change_detail(b, e->change);
			exs_buf_putc(b, '\n');
			removed = e->change->kind == EXS_FINDING_REMOVED;
		}
	} else {
		finding_line_of(b, head);
	}
	for (size_t i = 1; i < e->count; i++) {
		const struct exs_finding *r = e->records[i];
		if (r->kind != EXS_FINDING_ERROR)
			continue;
		exs_buf_puts(b, "          error: ");
		text(b, r->message ? r->message : exs_strerror(r->status));
		exs_buf_putc(b, '\n');
	}
	if (e->not_listed)
		exs_buf_printf(b, "          ... and %zu more records (all in the "
			       "JSON report)\n", e->not_listed);
	if (head->kind <= EXS_FINDING_SUSPICIOUS || removed) {
		const struct exs_url_hits *h =
			exs_run_url_hits(run, e->path, e->path_len);
		if (h)
			request_lines(b, h);
	}
}

/* The summary's sections, filled by one pass over the entries. */
struct text_ctx {
	const struct exs_run *run;
	struct exs_buf threats, traces, regs, lists;
	size_t cut;
	uint64_t shown[EXS_FINDING_KIND_COUNT]; /* entries, by their kind */
	uint64_t entries, traces_n, regs_n;
};

static int text_entry(void *ctx, const struct exs_entry *e)
{
	struct text_ctx *t = ctx;
	t->entries++;
	uint64_t n = t->shown[e->kind]++;
	if (e->kind <= EXS_FINDING_SUSPICIOUS) {
		/* Webshells and suspicious files always in full. */
		entry_lines(&t->threats, t->run, e);
	} else if (e->kind == EXS_FINDING_EXPLOIT_TRACE) {
		t->traces_n++;
		if (n < t->cut)
			entry_lines(&t->traces, t->run, e);
	} else if (e->kind == EXS_FINDING_REGISTRATION) {
		/* The extension points of IIS and Exchange matter more than
		 * the files around them: listed before the changes. */
		t->regs_n++;
		if (n < t->cut)
			entry_lines(&t->regs, t->run, e);
	} else if (n < t->cut) {
		entry_lines(&t->lists, t->run, e);
	}
	return EXS_OK;
}

static void append_buf(struct exs_buf *b, const struct exs_buf *part)
{
	if (part->failed && !b->failed)
		b->failed = part->failed;
	if (part->len)
		exs_buf_append(b, part->data, part->len);
}

/* The PE images read and their signatures: counts, then each one that is
 * not signed (embedded or by a catalog). */
static void signature_lines(struct exs_buf *b, const struct exs_run *run,
			    size_t cut)
{
	if (!run->sig_total)
		return;
	exs_buf_printf(b, "signatures: %" PRIu64 " PE images:", run->sig_total);
	const char *sep = " ";
	for (int k = EXS_SIG_NONE + 1; k <= EXS_SIG_STATUS_MAX; k++) {
		if (!run->sig_counts[k])
			continue;
		exs_buf_printf(b, "%s%" PRIu64 " %s", sep, run->sig_counts[k],
			       exs_sig_status_name(k));
		sep = ", ";
	}
	exs_buf_putc(b, '\n');
	/* A few by name (the JSON report has every one): on a server with
	 * no trust store every image is "untrusted". */
	if (cut != (size_t)-1 && cut > SIGNATURES_CUT)
		cut = SIGNATURES_CUT;
	size_t shown = 0, more = 0;
	for (size_t i = 0; i < run->sig_listed; i++) {
		const struct exs_sig_entry *e = &run->signatures[i];
		if (e->sig.status == EXS_SIG_SIGNED ||
		    e->sig.status == EXS_SIG_CATALOG)
			continue;
		if (shown++ >= cut) {
			more++;
			continue;
		}
		exs_buf_printf(b, "  %-13s ", exs_sig_status_name(e->sig.status));
		exs_text_escape(b, e->path, e->path_len);
		if (e->sig.signer[0]) {
			exs_buf_puts(b, " (signer ");
			text(b, e->sig.signer);
			exs_buf_puts(b, ")");
		}
		exs_buf_putc(b, '\n');
	}
	if (more)
		exs_buf_printf(b, "  ... and %zu more images not signed "
			       "(all in the JSON report)\n", more);
}

int exs_report_text(const struct exs_run *run, const struct exs_sink *out,
		    int verbose)
{
	struct exs_buf b;
	exs_buf_init(&b, 64u << 20);
	char size[32];
	human_bytes(run->bytes, size, sizeof(size));
	double secs = (double)(run->finished_ns - run->started_ns) / 1e9;
	/* Webshells and suspicious files always come first and in full. On
	 * patch day the overview of the thousands of changes comes next, and
	 * only a short taste of each list after it. */
	uint64_t changes = run->counts[EXS_FINDING_ADDED] +
			   run->counts[EXS_FINDING_CHANGED] +
			   run->counts[EXS_FINDING_REMOVED];
	int patch = changes >= PATCH_DAY;
	struct text_ctx t;
	memset(&t, 0, sizeof(t));
	t.run = run;
	t.cut = verbose ? (size_t)-1 : patch ? PATCH_DAY_CUT : LIST_CUT;
	exs_buf_init(&t.threats, 32u << 20);
	exs_buf_init(&t.traces, 8u << 20);
	exs_buf_init(&t.regs, 8u << 20);
	exs_buf_init(&t.lists, 16u << 20);
	int rc = exs_group_each(run, text_entry, &t);
	/* The headline counts files (entries), not records: a planted
	 * webshell is one file, whatever number of judges spoke of it;
	 * traces and registrations are events, counted apart. */
	uint64_t files_with = t.entries - t.traces_n - t.regs_n;
	if (run->command && strcmp(run->command, "logs") == 0) {
		/* The log pass alone walks no tree: say what it read. */
		human_bytes(run->logs.bytes, size, sizeof(size));
		exs_buf_printf(&b, "exsweep logs on %s: %" PRIu64 " finding%s in %"
			       PRIu64 " log files (%s), %.2f s\n", run->host,
			       t.entries, t.entries == 1 ? "" : "s",
			       run->logs.files, size, secs);
	} else {
		exs_buf_printf(&b, "exsweep %s on %s: %" PRIu64 " file%s with "
			       "findings (%zu record%s", run->command, run->host,
			       files_with, files_with == 1 ? "" : "s",
			       run->finding_count,
			       run->finding_count == 1 ? "" : "s");
		if (t.traces_n)
			exs_buf_printf(&b, ", %" PRIu64 " exploit trace%s",
				       t.traces_n, t.traces_n == 1 ? "" : "s");
		if (t.regs_n)
			exs_buf_printf(&b, ", %" PRIu64 " registration%s",
				       t.regs_n, t.regs_n == 1 ? "" : "s");
		exs_buf_printf(&b, ") in %" PRIu64 " files (%s), %.2f s\n",
			       run->files, size, secs);
	}
	append_buf(&b, &t.threats);
	append_buf(&b, &t.traces);
	append_buf(&b, &t.regs);
	for (size_t i = 0; i < run->url_hit_count; i++) {
		const struct exs_url_hits *h = &run->url_hits[i];
		if (!h->orphan)
			continue;
		exs_buf_puts(&b, "GONE      ");
		text(&b, h->path);
		exs_buf_puts(&b, "\n");
		request_lines(&b, h);
	}
	if (!rc)
		rc = exs_report_text_emphasis(&b, run);
	if (patch)
		patch_day(&b, run);
	else if (changes)
		exs_report_text_provenance(&b, run);
	append_buf(&b, &t.lists);
	for (int k = EXS_FINDING_SUSPICIOUS + 1; k < EXS_FINDING_KIND_COUNT; k++)
		if (t.shown[k] > t.cut)
			exs_buf_printf(&b, "          ... and %" PRIu64 " more %s "
				       "(all in the JSON report)\n",
				       t.shown[k] - t.cut,
				       exs_finding_kind_name((enum exs_finding_kind)k));
	exs_buf_free(&t.threats);
	exs_buf_free(&t.traces);
	exs_buf_free(&t.regs);
	exs_buf_free(&t.lists);
	for (size_t i = 0; i < run->warnings.count; i++) {
		exs_buf_puts(&b, "warning: ");
		text(&b, run->warnings.items[i]);
		exs_buf_putc(&b, '\n');
	}
	baseline_lines(&b, run);
	signature_lines(&b, run, t.cut);
	if (run->logs.ran) {
		char lsize[32];
		human_bytes(run->logs.bytes, lsize, sizeof(lsize));
		exs_buf_printf(&b, "logs: %" PRIu64 " files (%" PRIu64 " gzip), %s, %"
			       PRIu64 " requests in %.2f s; %" PRIu64 " resumed, %"
			       PRIu64 " unchanged, %" PRIu64 " rotated or truncated; %"
			       PRIu64 " unusable and %" PRIu64 " overlong lines; %"
			       PRIu64 " exploit traces\n",
			       run->logs.files, run->logs.gz_files, lsize,
			       run->logs.requests, run->logs.seconds,
			       run->logs.resumed, run->logs.unchanged,
			       run->logs.restarted, run->logs.bad_lines,
			       run->logs.overlong,
			       run->counts[EXS_FINDING_EXPLOIT_TRACE]);
	}
	exs_buf_printf(&b, "summary: %" PRIu64 " webshell, %" PRIu64
		       " suspicious, %" PRIu64 " changed, %" PRIu64 " added, %" PRIu64 " removed, %"
		       PRIu64 " errors, %" PRIu64 " skipped (links, FIFOs, "
		       "devices)",
		       run->counts[EXS_FINDING_WEBSHELL],
		       run->counts[EXS_FINDING_SUSPICIOUS],
		       run->counts[EXS_FINDING_CHANGED],
		       run->counts[EXS_FINDING_ADDED],
		       run->counts[EXS_FINDING_REMOVED],
		       run->counts[EXS_FINDING_ERROR], run->skipped);
	if (run->logs.ran)
		exs_buf_printf(&b, ", %" PRIu64 " exploit traces",
			       run->counts[EXS_FINDING_EXPLOIT_TRACE]);
	if (run->counts[EXS_FINDING_REGISTRATION])
		exs_buf_printf(&b, ", %" PRIu64 " registrations added, removed "
			       "or changed",
			       run->counts[EXS_FINDING_REGISTRATION]);
	if (run->volatile_churn)
		exs_buf_printf(&b, ", %" PRIu64 " changes in Temporary ASP.NET "
			       "Files (judged, not listed)", run->volatile_churn);
	exs_buf_printf(&b, "; exit code %d\n", run->exit_code);
	if (!rc)
		rc = b.failed;
	if (!rc)
		rc = out->write(out->ctx, b.data, b.len);
	exs_buf_free(&b);
	return rc;
}
