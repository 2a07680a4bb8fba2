/* provenance_cli.c -- provenance in check and update: reading the reference
 * export (--reference, [provenance] reference), feeding the walk to the
 * build-copy rule, and judging every added, changed and removed finding
 * once the walk is done (scanner/provenance.h decides; this file reads
 * files and counts).
 *
 * The reference is read before anything is walked, so a bad one stops the
 * run (exit 16, FILE:LINE) before any work, like check --against. It is
 * another server's data: read through the platform, never executed,
 * parsed strictly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pe_policy.h"
#include "provenance_cli.h"

#define REFERENCE_MAX (1ull << 31)

/* ---- Signatures ------------------------------------------------------------
 * "A changed or added PE validly signed by Microsoft is vouched for": the
 * worker judged each image's Authenticode signature as the sweep read it
 * (item->sig, inspect/authenticode.h); this table keeps only the verdict of
 * each image's bytes, by SHA-256, for provenance to ask once the walk is
 * done (exs_signed_fn). 32 bytes and the signer's name per PE image. */

struct sig_seen {
	unsigned char sha256[EXS_SHA256_LEN];
	int vouched;
	char signer[EXS_SIG_SIGNER_MAX];
};

struct sig_table {
	const struct exs_strlist *signers;   /* [trust] signer */
	struct sig_seen *items;
	size_t count, cap;
	int sorted;
};

static int compare_seen(const void *a, const void *b)
{
	return memcmp(((const struct sig_seen *)a)->sha256,
		      ((const struct sig_seen *)b)->sha256, EXS_SHA256_LEN);
}

static void sig_table_free(void *ctx)
{
	struct sig_table *t = ctx;
	if (t)
		free(t->items);
	free(t);
}

static int sig_table_add(struct sig_table *t, const struct exs_item *item)
{
	if (item->sig.status == EXS_SIG_NONE)
		return EXS_OK;
	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct sig_seen *grown = realloc(t->items, cap * sizeof(*grown));
		if (!grown)
			return EXS_NOMEM;
		t->items = grown;
		t->cap = cap;
	}
	struct sig_seen *s = &t->items[t->count++];
	memcpy(s->sha256, item->rec.sha256, EXS_SHA256_LEN);
	s->vouched = exs_sig_vouched(&item->sig, t->signers);
	snprintf(s->signer, sizeof(s->signer), "%s", item->sig.signer);
	t->sorted = 0;
	return EXS_OK;
}

/* exs_signed_fn: 1 vouched (signer copied), 0 not, -1 not judged (larger
 * than max_file_size, unreadable, or not read as a PE image). */
static int sig_table_signed(void *ctx, const struct exs_finding *f,
			    char *signer, size_t cap)
{
	struct sig_table *t = ctx;
	if (!f->has_new || !t->count)
		return -1;
	if (!t->sorted) {
		qsort(t->items, t->count, sizeof(*t->items), compare_seen);
		t->sorted = 1;
	}
	struct sig_seen key;
	memcpy(key.sha256, f->new_rec.sha256, EXS_SHA256_LEN);
	const struct sig_seen *s = bsearch(&key, t->items, t->count,
					   sizeof(*t->items), compare_seen);
	if (!s)
		return -1;
	if (s->vouched && cap)
		snprintf(signer, cap, "%s", s->signer);
	return s->vouched;
}

const char *exs_cli_reference_path(const struct exs_cli *cli)
{
	if (cli->reference)
		return cli->reference[0] ? cli->reference : NULL;
	return cli->cfg.provenance_reference;
}

int exs_cli_prov_begin(struct exs_cli *cli, const struct exs_strlist *walk_roots,
		       const struct exs_strlist *web_roots, struct exs_run *run,
		       struct exs_prov **out, struct exs_error *err)
{
	struct exs_prov_config pc = {
		.sep = cli->plat->path_separator,
		.case_insensitive = cli->plat->case_insensitive,
		.walk_roots = walk_roots,
		.web_roots = web_roots,
		.signed_fn = sig_table_signed,
		.signed_free = sig_table_free,
	};
	struct sig_table *table = calloc(1, sizeof(*table));
	if (!table)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	table->signers = &cli->cfg.trust_signers;
	pc.signed_ctx = table;
	int rc = exs_prov_open(out, &pc, err);
	const char *path = exs_cli_reference_path(cli);
	run->provenance.ran = 1;
	run->provenance.vouched_only = cli->vouched_only;
	if (rc || !path)
		return rc;
	struct exs_buf text;
	exs_buf_init(&text, REFERENCE_MAX);
	rc = exs_cli_read_file(cli, path, "the reference manifest", &text, err);
	if (!rc)
		rc = exs_prov_load_reference(*out, path, text.data ? text.data : "",
					     text.len, err);
	exs_buf_free(&text);
	if (!rc) {
		run->provenance.reference = path;
		snprintf(run->provenance.reference_build,
			 sizeof(run->provenance.reference_build), "%s",
			 exs_prov_reference_build(*out));
	}
	return rc;
}

int exs_cli_prov_see(struct exs_prov *p, const struct exs_item *item)
{
	if (!p || item->kind != EXS_ITEM_FILE || item->status)
		return EXS_OK;
	int rc = sig_table_add(exs_prov_signed_ctx(p), item);
	return rc ? rc : exs_prov_see(p, item->path, item->path_len,
				      item->rec.sha256);
}

struct judge_ctx {
	struct exs_prov *prov;
	struct exs_run *run;
	exs_prov_after_fn after;
	void *ctx;
};

static int judge_one(void *ctx, struct exs_finding *f)
{
	struct judge_ctx *j = ctx;
	if (f->kind != EXS_FINDING_ADDED && f->kind != EXS_FINDING_CHANGED &&
	    f->kind != EXS_FINDING_REMOVED)
		return EXS_OK;
	int rc = exs_prov_decide(j->prov, f);
	if (rc)
		return rc;
	struct exs_prov_summary *s = &j->run->provenance;
	s->by[f->prov.why < EXS_WHY_COUNT ? f->prov.why : 0]++;
	if (f->prov.vouch == EXS_VOUCH_YES)
		s->vouched++;
	else
		s->not_vouched++;
	if (f->prov.emphasis)
		s->emphasized++;
	if (!j->after)
		return EXS_OK;
	int r = j->after(j->ctx, f);
	if (r == EXS_OK)
		s->kept++;
	return r; /* EXS_RUN_DROP: taken in, so no longer reported */
}

int exs_cli_prov_finish(struct exs_run *run, struct exs_prov *p,
			exs_prov_after_fn after, void *ctx,
			struct exs_error *err)
{
	if (!p)
		return EXS_OK;
	const struct exs_generation *g = exs_run_generation(run);
	struct exs_build base = { 0, { 0, 0, 0, 0 } };
	if (g && g->exchange_build[0])
		exs_build_parse(g->exchange_build, strlen(g->exchange_build),
				&base);
	exs_prov_seal_walk(p, &run->build, &base);
	struct exs_prov_summary *s = &run->provenance;
	char now[32];
	exs_build_format(&run->build, now, sizeof(now));
	s->reference_used = s->reference != NULL;
	if (s->reference && s->reference_build[0] && now[0] &&
	    strcmp(s->reference_build, now) != 0) {
		/* Another build's files differ by design: they vouch for
		 * nothing here, and say why. */
		s->reference_used = 0;
		char line[EXS_ERROR_WHERE_MAX + 200];
		snprintf(line, sizeof(line), "reference '%s' is of Exchange "
			 "build %s, this tree of %s: it vouches for nothing",
			 s->reference, s->reference_build, now);
		if (exs_strlist_add_str(&run->warnings, line))
			return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	}
	exs_prov_use_reference(p, s->reference_used);
	struct judge_ctx j = { p, run, after, ctx };
	int rc = exs_run_rewrite(run, judge_one, &j);
	if (rc && !err->status)
		exs_fail(err, rc, 0, "provenance", NULL);
	return rc;
}
