/* cmd_check.c -- `exsweep check [ROOT...]`: walk and hash again, compare
 * with the baseline, YARA-scan web-root files and every added or changed
 * file (AIDE's --check).
 *
 * A path is "removed" only when the baseline has it, it lies under a root
 * that was walked, no exclude covers it, and its folder could be listed: a
 * folder the walk could not read is an error, not a mass deletion.
 */
#include <stdio.h>
#include <string.h>

#include "baseline_cli.h"
#include "cli.h"
#include "logs_cli.h"
#include "path.h"
#include "provenance_cli.h"
#include "store.h"
#include "registrations_cli.h"
#include "sweep_setup.h"

struct check_ctx {
	struct exs_cli *cli; /* first: the progress callback reads it */
	struct exs_run *run;
	struct exs_store *store;
	struct exs_setup *setup;
	struct exs_strlist unreadable_dirs;
	struct exs_prov *prov;
	struct exs_error *err;
	struct exs_reg_cli regs;
};

static int check_collect(void *ctx, struct exs_item *item)
{
	struct check_ctx *c = ctx;
	int readable;
	/* Registrations added, removed or changed, before the item's
	 * suspicious hits are collected. */
	int rc = exs_reg_cli_item(&c->regs, c->run, item, c->err);
	if (rc)
		return rc;
	rc = exs_setup_collect_seen(c->run, c->store, &c->unreadable_dirs,
					item, &readable, c->err);
	if (rc || !readable)
		return rc;
	if (exs_cli_prov_see(c->prov, item))
		return exs_fail(c->err, EXS_NOMEM, 0, "collect", item->path);
	struct exs_finding f;
	memset(&f, 0, sizeof(f));
	f.path = item->path;
	f.path_len = item->path_len;
	f.has_new = 1;
	f.new_rec = item->rec;
	if (!item->has_old) {
		f.kind = EXS_FINDING_ADDED;
	} else if (item->diff) {
		f.kind = EXS_FINDING_CHANGED;
		f.has_old = 1;
		f.old_rec = item->old_rec;
		f.changed = item->diff;
		f.timestomp = exs_record_is_timestomp(item->diff);
	} else {
		return EXS_OK;
	}
	/* A compilation cache churns with every page compiled: its files
	 * are judged (their webshell and suspicious findings stand), but
	 * their comings and goings are only counted. */
	if (exs_discover_is_volatile(item->path, item->path_len,
				     c->cli->plat->path_separator)) {
		c->run->volatile_churn++;
		return EXS_OK;
	}
	int added = exs_run_add(c->run, &f);
	if (added)
		return exs_fail(c->err, added, 0, "collect", item->path);
	return EXS_OK;
}

static int keep_unseen(void *ctx, const char *path, size_t len)
{
	struct check_ctx *c = ctx;
	return exs_setup_covers(c->cli, c->setup, &c->unreadable_dirs, path, len);
}

static int report_removed(void *ctx, const char *path, size_t len,
			  const struct exs_record *rec)
{
	struct check_ctx *c = ctx;
	if (exs_discover_is_volatile(path, len, c->cli->plat->path_separator)) {
		c->run->volatile_churn++;
		return EXS_OK;
	}
	int added = exs_cli_add_removed(c->run, path, len, rec, c->err);
	if (added)
		return added;
	return exs_reg_cli_removed(&c->regs, c->run, path, len, rec, c->err);
}

struct open_ctx {
	struct exs_cli *cli;
	struct exs_run *run;
	struct exs_store **store;
	struct exs_key *key;
};

static int open_baseline(void *ctx, struct exs_error *err)
{
	struct open_ctx *c = ctx;
	return exs_cli_open_baseline(c->cli, c->run, c->store, c->key, err);
}

int exs_cmd_check(struct exs_cli *cli)
{
	struct exs_error err;
	struct exs_run run;
	struct exs_setup st;
	struct exs_rules *rules = NULL;
	struct exs_store *store = NULL;
	struct exs_file *lock = NULL;
	struct exs_strlist base_roots = { 0 }, base_web = { 0 };
	struct check_ctx ctx;
	struct exs_key key;
	struct exs_collect *collect = NULL;
	struct exs_prov *prov = NULL;
	if (cli->against)
		return exs_cmd_check_against(cli);
	memset(&run, 0, sizeof(run));
	memset(&st, 0, sizeof(st));
	memset(&ctx, 0, sizeof(ctx));
	memset(&key, 0, sizeof(key));
	exs_error_clear(&err);

	int rc = exs_cli_load_config(cli, &err);
	struct open_ctx oc = { cli, &run, &store, cli->logs ? &key : NULL };
	if (!rc)
		rc = exs_cli_rules_beside(cli, &run, open_baseline, &oc, &rules,
					  &err);
	const char *path = cli->cfg.baseline_path;
	if (!rc)
		rc = exs_cli_lock(cli, path, &lock, &err);
	if (!rc)
		rc = exs_setup_from_baseline(cli, &st, &run, "check", rules, store,
					     &base_roots, &base_web, &err);
	if (!rc)
		rc = exs_collect_begin(cli, &st.walk_roots, st.web_roots,
				       &collect, &err);
	/* The reference is read before anything is walked. */
	if (!rc)
		rc = exs_cli_prov_begin(cli, &st.walk_roots, st.web_roots, &run,
					&prov, &err);
	if (rc)
		goto out;
	ctx = (struct check_ctx){ .cli = cli, .run = &run, .store = store,
				  .setup = &st, .prov = prov, .err = &err };
	exs_reg_cli_init(&ctx.regs, cli, store, NULL);
	rc = exs_setup_sweep(cli, &st, &run, EXS_SWEEP_CHECK, rules, store,
			     check_collect, &ctx, &err);
	if (!rc)
		rc = exs_store_each_unseen(store, keep_unseen, report_removed,
					   &ctx, &err);
	/* Vouched for or not: every change, once the whole tree is seen. */
	if (!rc)
		rc = exs_cli_prov_finish(&run, prov, NULL, NULL, &err);
	/* --logs: exploitation traces, and who requested each finding. */
	if (!rc && cli->logs)
		rc = exs_cli_log_pass(cli, &run, &store, &key, &err);
out:;
	int code = rc ? exs_cli_fail(cli, &err) : exs_cli_finish(cli, &run);
	/* --collect: the findings' files into the case folder. */
	if (!rc)
		code = exs_collect_run(cli, collect, &run, store, code);
	exs_collect_free(collect);
	exs_prov_free(prov);
	exs_store_close(store);
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
