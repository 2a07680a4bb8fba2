/* patchday.c -- the parts of the human summary that provenance
 * shapes (patchday.h): the "look first" list of patch day, the
 * counts of what was vouched for and by what, and the shipped pages that
 * changed outside a build change.
 *
 * "Look first" holds only changes no one vouched for, most telling first:
 * shipped pages attackers edit; then pages that differ from the reference,
 * new files in auth folders, .txt/.log files in web folders and images
 * signed by someone else; then server scripts and configs in web folders;
 * then files the reference does not know; last, a few of the PE images
 * whose signature is not checked (there may be thousands). The JSON report
 * has every finding with its reason. Kept apart from text.c so the
 * summary's layout and this selection can change independently.
 */
#include <inttypes.h>
#include <string.h>

#include "escape.h"
#include "provenance.h"
#include "patchday.h"
#include "report.h"

#define LOOK_CUT 50        /* lines in "look first" */
#define LOOK_IMAGES_CUT 10 /* of them, PE images whose signature is unknown */
#define TIERS 5

static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++) {
		char c = s[n - k + i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != suffix[i])
			return 0;
	}
	return 1;
}

static int contains_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (ends_with_ci(s, i + k, needle))
			return 1;
	return 0;
}

/* Server-side scripts and configs in web folders, anything new in
 * aspnet_client, a changed web.config: what mattered first before
 * provenance, and still does among what no one vouched for. */
static int web_script(const struct exs_run *run, const struct exs_finding *f)
{
	static const char *const exts[] = { ".aspx", ".ashx", ".asmx", ".asp",
		".asa", ".asax", ".cer", ".cshtml", ".config", ".svc", NULL };
	if (f->kind != EXS_FINDING_ADDED && f->kind != EXS_FINDING_CHANGED)
		return 0;
	if (f->kind == EXS_FINDING_ADDED &&
	    contains_ci(f->path, f->path_len, "aspnet_client"))
		return 1;
	if (ends_with_ci(f->path, f->path_len, "web.config"))
		return 1;
	int web = 0;
	for (size_t i = 0; run->web_roots && i < run->web_roots->count; i++) {
		const char *r = run->web_roots->items[i];
		size_t rl = strlen(r);
		web |= f->path_len > rl && memcmp(f->path, r, rl) == 0;
	}
	for (size_t i = 0; web && exts[i]; i++)
		if (ends_with_ci(f->path, f->path_len, exts[i]))
			return 1;
	return 0;
}

/* 0 (first) .. TIERS-1, or -1: not in "look first". */
static int tier(const struct exs_run *run, const struct exs_finding *f)
{
	if (f->kind != EXS_FINDING_ADDED && f->kind != EXS_FINDING_CHANGED &&
	    f->kind != EXS_FINDING_REMOVED)
		return -1;
	if (f->prov.vouch == EXS_VOUCH_YES)
		return -1;
	if (f->prov.vouch == EXS_VOUCH_NONE) /* no provenance: check --against */
		return web_script(run, f) ? 2 : -1;
	if (f->prov.shipped)
		return 0;
	switch (f->prov.why) {
	case EXS_WHY_DIFFERS:
	case EXS_WHY_NEW_IN_AUTH:
	case EXS_WHY_TEXT_IN_WEB:
	case EXS_WHY_NOT_SIGNED:
		return 1;
	default:
		break;
	}
	if (web_script(run, f))
		return 2;
	if (f->prov.why == EXS_WHY_NOT_IN_REFERENCE ||
	    f->prov.why == EXS_WHY_KEPT_IN_REFERENCE)
		return 3;
	if (f->prov.why == EXS_WHY_SIGNATURE_UNKNOWN)
		return 4;
	return -1; /* not vouched only for want of a reference: counted */
}

/* The grouping (group.c) ranks an entry "medium" when its change is one
 * "look first" lists: the same predicate, so the summary, the HTML report
 * and the JSON counts agree. */
int exs_report_look_first(const struct exs_run *run,
			  const struct exs_finding *f)
{
	return tier(run, f) >= 0;
}

static void change_line(struct exs_buf *b, const struct exs_finding *f)
{
	exs_buf_printf(b, "  %-8s ", exs_finding_kind_name(f->kind));
	exs_text_escape(b, f->path, f->path_len);
	if (f->prov.vouch != EXS_VOUCH_NONE)
		exs_buf_printf(b, "  (%s%s)", f->prov.vouch == EXS_VOUCH_YES
			       ? "vouched for: " : "",
			       exs_prov_why_text(f->prov.why));
	if (f->prov.emphasis)
		exs_buf_puts(b, "  SHIPPED PAGE, changed outside a build "
			     "change");
	else if (f->prov.shipped)
		exs_buf_puts(b, "  (a shipped page)");
	exs_buf_putc(b, '\n');
}

struct look_ctx {
	struct exs_buf *b;
	const struct exs_run *run;
	int want;                 /* the tier of this pass */
	size_t shown, images, candidates;
};

static int look_line(void *ctx, const struct exs_finding *f)
{
	struct look_ctx *l = ctx;
	int t = tier(l->run, f);
	if (t != l->want)
		return EXS_OK;
	if (l->shown >= LOOK_CUT ||
	    (t == 4 && l->images >= LOOK_IMAGES_CUT))
		return EXS_OK;
	l->shown++;
	if (t == 4)
		l->images++;
	change_line(l->b, f);
	return EXS_OK;
}

static int count_candidate(void *ctx, const struct exs_finding *f)
{
	struct look_ctx *l = ctx;
	if (tier(l->run, f) >= 0)
		l->candidates++;
	return EXS_OK;
}

int exs_report_text_look_first(struct exs_buf *b, const struct exs_run *run)
{
	struct look_ctx l = { b, run, 0, 0, 0, 0 };
	exs_buf_puts(b, run->provenance.ran
		     ? "look first (not vouched for):\n" : "look first at:\n");
	int rc = exs_run_each_finding(run, count_candidate, &l);
	/* One pass per tier: the findings may live in a temporary table,
	 * read in path order. */
	for (int t = 0; !rc && t < TIERS && l.shown < LOOK_CUT; t++) {
		l.want = t;
		rc = exs_run_each_finding(run, look_line, &l);
	}
	if (rc)
		return rc;
	if (!l.shown)
		exs_buf_puts(b, run->provenance.ran
			     ? "  (every change is vouched for, or waits only "
			       "for a reference export)\n"
			     : "  (no new or changed scripts or configs in web "
			       "folders)\n");
	if (l.candidates > l.shown)
		exs_buf_printf(b, "  ... and %" PRIu64 " more not vouched for "
			       "(all in the JSON report, with the reason)\n",
			       (uint64_t)(l.candidates - l.shown));
	return EXS_OK;
}

static void reasons(struct exs_buf *b, const struct exs_prov_summary *s,
		    int vouches)
{
	int n = 0;
	for (unsigned i = 1; i < EXS_WHY_COUNT; i++) {
		if (!s->by[i] || exs_prov_why_vouches(i) != vouches)
			continue;
		exs_buf_printf(b, "%s%s: %" PRIu64, n++ ? "; " : " (",
			       exs_prov_why_text(i), s->by[i]);
	}
	if (n)
		exs_buf_putc(b, ')');
}

void exs_report_text_provenance(struct exs_buf *b, const struct exs_run *run)
{
	const struct exs_prov_summary *s = &run->provenance;
	if (!s->ran || !(s->vouched + s->not_vouched))
		return;
	exs_buf_printf(b, "provenance: %" PRIu64 " vouched for", s->vouched);
	reasons(b, s, 1);
	exs_buf_printf(b, ";\n  %" PRIu64 " not vouched for", s->not_vouched);
	reasons(b, s, 0);
	exs_buf_putc(b, '\n');
	if (s->reference) {
		exs_buf_puts(b, "reference: ");
		exs_text_escape(b, s->reference, strlen(s->reference));
		exs_buf_printf(b, " (build %s)%s\n", s->reference_build[0]
			       ? s->reference_build : "unknown",
			       s->reference_used ? "" : ", not used: another "
			       "build");
	} else if (s->by[EXS_WHY_NO_REFERENCE]) {
		exs_buf_puts(b, "reference: none (--reference EXPORT or "
			     "[provenance] reference: a clean server's export "
			     "of the same build vouches for its pages)\n");
	}
}

static int emphasis_line(void *ctx, const struct exs_finding *f)
{
	if (f->prov.emphasis)
		change_line(ctx, f);
	return EXS_OK;
}

int exs_report_text_emphasis(struct exs_buf *b, const struct exs_run *run)
{
	if (!run->provenance.emphasized)
		return EXS_OK;
	exs_buf_printf(b, "%" PRIu64 " shipped page%s changed outside a build "
		       "change (attackers add credential stealers to these):\n",
		       run->provenance.emphasized,
		       run->provenance.emphasized == 1 ? "" : "s");
	return exs_run_each_finding(run, emphasis_line, b);
}
