/* cmd_update.c -- `exsweep update [--note TEXT] [--accept PATH]...`: accept
 * the tree as it is now as a new generation of the baseline, keeping every
 * earlier one (AIDE's --update).
 *
 * Nothing is accepted unseen: the sweep runs as check does, so every added
 * or changed file is YARA-scanned and judged by the heuristics first. A file
 * with a webshell or suspicious finding stays out of the new generation (it
 * keeps showing as added or changed) unless named with --accept.
 *
 * With --vouched-only, a change no provenance vouches for (provenance.h) is
 * not taken either: it keeps its old record (or none, when added; or stays,
 * when removed) in the new generation and so is reported again by the next
 * check, while the vouched changes are taken. They are judged once the
 * whole tree is seen (the build-copy rule needs it), from the findings the
 * sweep collected, which hold the new records.
 *
 * The new generation is built on a copy of the baseline (PATH.new) and
 * swapped in when sealed and synced: a killed update leaves the previous
 * generation intact, sealed and usable. The baseline lock is taken first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline_cli.h"
#include "cli.h"
#include "path.h"
#include "provenance_cli.h"
#include "registrations_cli.h"
#include "sweep_setup.h"

struct update_ctx {
	struct exs_cli *cli; /* first: the progress callback reads it */
	struct exs_run *run;
	struct exs_store *src, *dst;
	struct exs_setup *setup;
	struct exs_strlist unreadable_dirs;
	struct exs_error *err;
	const char *rules_digest;
	struct exs_prov *prov;             /* --vouched-only */
	struct exs_reg_cli regs;
};

/* --vouched-only: a change waits as a finding until provenance judges it. */
static int hold(struct update_ctx *c, const struct exs_item *item)
{
	struct exs_finding f;
	memset(&f, 0, sizeof(f));
	f.kind = item->has_old ? EXS_FINDING_CHANGED : EXS_FINDING_ADDED;
	f.path = item->path;
	f.path_len = item->path_len;
	f.has_new = 1;
	f.new_rec = item->rec;
	if (item->has_old) {
		f.has_old = 1;
		f.old_rec = item->old_rec;
		f.changed = item->diff;
		f.timestomp = exs_record_is_timestomp(item->diff);
	}
	int rc = exs_run_add(c->run, &f);
	return rc ? exs_fail(c->err, rc, 0, "collect", item->path) : EXS_OK;
}

static int is_accepted(const struct exs_cli *cli, const char *path, size_t len)
{
	for (size_t i = 0; i < cli->accepts.count; i++)
		if (exs_path_equal(cli->accepts.items[i],
				   strlen(cli->accepts.items[i]), path, len,
				   cli->plat->case_insensitive))
			return 1;
	return 0;
}

static int refuse(struct update_ctx *c, struct exs_item *item,
		  const char *why)
{
	char line[EXS_ERROR_WHERE_MAX + 160];
	snprintf(line, sizeof(line), "not accepted: '%.*s' (%s; accept it "
		 "with --accept PATH after review)",
		 (int)(item->path_len < EXS_ERROR_WHERE_MAX ? item->path_len
							    : EXS_ERROR_WHERE_MAX),
		 item->path, why);
	c->run->refused++;
	return exs_strlist_add_str(&c->run->warnings, line);
}

static int update_collect(void *ctx, struct exs_item *item)
{
	struct update_ctx *c = ctx;
	/* Registrations: recorded in the new generation, compared with the
	 * old one; a suspicious one flags its config file. */
	int rc = exs_reg_cli_item(&c->regs, c->run, item, c->err);
	if (rc)
		return rc;
	/* Judged before exs_cli_collect_common takes the hits away. */
	int flagged = item->hit_count || item->suspicious_count;
	int clean = exs_cli_scanned_clean(item);
	int scan_failed = item->scan_status && item->scan_status != EXS_LIMIT;
	int readable;
	rc = exs_setup_collect_seen(c->run, c->src, &c->unreadable_dirs,
					item, &readable, c->err);
	/* Whatever is accepted or kept, bytes scanned clean are remembered. */
	if (!rc && clean && c->rules_digest)
		rc = exs_store_add_verdict(c->dst, item->rec.sha256,
					   c->rules_digest, c->err);
	if (!rc && readable && exs_cli_prov_see(c->prov, item))
		rc = exs_fail(c->err, EXS_NOMEM, 0, "collect", item->path);
	/* So is each image's signature verdict (inspect/authenticode.h). */
	if (!rc && readable)
		rc = exs_store_add_signature(c->dst, item->rec.sha256,
					     c->cli->trust_digest, &item->sig,
					     c->err);
	if (rc || !readable || (item->has_old && !item->diff))
		return rc;
	if ((flagged || scan_failed) &&
	    !is_accepted(c->cli, item->path, item->path_len)) {
		if (refuse(c, item, flagged ? "webshell or suspicious finding"
					    : "could not be YARA-scanned"))
			return exs_fail(c->err, EXS_NOMEM, 0, "collect", NULL);
		return EXS_OK;
	}
	if (c->prov && !is_accepted(c->cli, item->path, item->path_len))
		return hold(c, item);
	rc = exs_store_accept(c->dst, item->path, item->path_len, &item->rec,
			      c->err);
	if (!rc) {
		if (item->has_old)
			c->run->accepted_changed++;
		else
			c->run->accepted_added++;
	}
	return rc;
}

/* --vouched-only, after the walk: the vouched changes go in. */
static int take_vouched(void *ctx, struct exs_finding *f)
{
	struct update_ctx *c = ctx;
	if (f->prov.vouch != EXS_VOUCH_YES)
		return EXS_OK;
	int rc;
	if (f->kind == EXS_FINDING_REMOVED) {
		rc = exs_store_retire(c->dst, f->path, f->path_len, c->err);
		if (!rc)
			c->run->accepted_removed++;
	} else {
		rc = exs_store_accept(c->dst, f->path, f->path_len, &f->new_rec,
				      c->err);
		if (!rc && f->kind == EXS_FINDING_CHANGED)
			c->run->accepted_changed++;
		else if (!rc)
			c->run->accepted_added++;
	}
	return rc ? rc : EXS_RUN_DROP;
}

static int keep_unseen(void *ctx, const char *path, size_t len)
{
	struct update_ctx *c = ctx;
	return exs_setup_covers(c->cli, c->setup, &c->unreadable_dirs, path, len);
}

static int retire_removed(void *ctx, const char *path, size_t len,
			  const struct exs_record *rec)
{
	struct update_ctx *c = ctx;
	if (c->prov && !is_accepted(c->cli, path, len))
		return exs_cli_add_removed(c->run, path, len, rec, c->err);
	int rc = exs_store_retire(c->dst, path, len, c->err);
	if (!rc)
		c->run->accepted_removed++;
	if (!rc)
		rc = exs_reg_cli_removed(&c->regs, c->run, path, len, rec,
					 c->err);
	return rc;
}

struct lock_open_ctx {
	struct exs_cli *cli;
	struct exs_run *run;
	struct exs_file **lock;
	struct exs_store **src;
	struct exs_key *key;
};

/* While the rules compile (exs_cli_rules_beside). */
static int lock_and_open(void *ctx, struct exs_error *err)
{
	struct lock_open_ctx *c = ctx;
	int rc = exs_cli_lock(c->cli, c->cli->cfg.baseline_path, c->lock, err);
	if (!rc)
		rc = exs_cli_open_baseline(c->cli, c->run, c->src, c->key, err);
	return rc;
}

int exs_cmd_update(struct exs_cli *cli)
{
	struct exs_error err;
	struct exs_run run;
	struct exs_setup st;
	struct exs_rules *rules = NULL;
	struct exs_store *src = NULL, *dst = NULL;
	struct exs_file *lock = NULL;
	struct exs_strlist base_roots = { 0 }, base_web = { 0 };
	struct exs_key key;
	struct exs_generation gen;
	struct update_ctx ctx;
	struct exs_prov *prov = NULL;
	memset(&run, 0, sizeof(run));
	memset(&st, 0, sizeof(st));
	memset(&ctx, 0, sizeof(ctx));
	key.len = 0;
	exs_error_clear(&err);

	int rc = exs_cli_load_config(cli, &err);
	struct lock_open_ctx oc = { cli, &run, &lock, &src, &key };
	if (!rc)
		rc = exs_cli_rules_beside(cli, &run, lock_and_open, &oc, &rules,
					  &err);
	if (!rc && !key.len) {
		/* A schema-1 baseline is sealed for the first time. */
		int created;
		rc = exs_seal_key_create(cli->plat, cli->cfg.baseline_key,
					 &created, &err);
		if (!rc)
			rc = exs_seal_key_load(cli->plat, cli->cfg.baseline_key,
					       key.bytes, &key.len, &err);
	}
	if (!rc)
		rc = exs_setup_from_baseline(cli, &st, &run, "update", rules, src,
					     &base_roots, &base_web, &err);
	if (!rc && cli->vouched_only)
		rc = exs_cli_prov_begin(cli, &st.walk_roots, st.web_roots, &run,
					&prov, &err);
	if (!rc)
		rc = exs_store_begin_update(src, &dst, &err);
	if (rc)
		goto out;
	ctx = (struct update_ctx){ .cli = cli, .run = &run, .src = src,
				   .dst = dst, .setup = &st, .err = &err,
				   .prov = prov,
				   .rules_digest = rules ? exs_rules_digest(rules)
							 : NULL };
	exs_reg_cli_init(&ctx.regs, cli, src, dst);
	rc = exs_setup_sweep(cli, &st, &run, EXS_SWEEP_CHECK, rules, src,
			     update_collect, &ctx, &err);
	if (!rc)
		rc = exs_store_each_unseen(src, keep_unseen, retire_removed,
					   &ctx, &err);
	if (!rc)
		rc = exs_cli_prov_finish(&run, prov, take_vouched, &ctx,
					 &err);
	if (rc)
		goto out;
	exs_cli_generation_info(cli, &run, rules, cli->note ? cli->note
				: cli->vouched_only ? "update --vouched-only"
						    : "update", &gen);
	/* src, the baseline being replaced, is closed inside, just before the
	 * rename (Windows refuses to rename over an open database). */
	rc = exs_store_commit_update(dst, src, &gen, key.bytes, key.len, &err);
	dst = NULL;
	src = NULL;
	if (!rc) {
		struct exs_generation *grown = realloc(run.generations,
			(run.generation_count + 1) * sizeof(*grown));
		if (grown) {
			grown[run.generation_count++] = gen;
			run.generations = grown;
		}
		run.new_generation = gen.id;
		run.baseline_files = gen.file_count;
	}
out:;
	int code = rc ? exs_cli_fail(cli, &err) : exs_cli_finish(cli, &run);
	if (dst)
		exs_store_abort(dst);
	exs_prov_free(prov);
	exs_store_close(src);
	if (lock)
		cli->plat->file_close(lock);
	exs_strlist_free(&ctx.unreadable_dirs);
	exs_strlist_free(&base_roots);
	exs_strlist_free(&base_web);
	exs_setup_end(&st);
	exs_rules_free(rules);
	exs_run_free(&run);
	memset(&key, 0, sizeof(key));
	return code;
}
