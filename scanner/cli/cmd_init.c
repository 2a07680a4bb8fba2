/* cmd_init.c -- `exsweep init [ROOT...]`: record every file under the roots
 * in a new baseline (AIDE's --init).
 *
 * The new baseline is built beside the old one and swapped in only when
 * complete (baseline/store.c), so a failed or killed init changes nothing.
 * Web-root files are YARA-scanned on the way: a baseline that quietly
 * records a webshell as "known good" would hide it forever.
 *
 * init also creates the seal key (32 random bytes, private) when it is
 * missing, and seals generation 1 with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline_cli.h"
#include "cli.h"
#include "store.h"
#include "registrations_cli.h"
#include "sweep_setup.h"

struct init_ctx {
	struct exs_cli *cli; /* first: the progress callback reads it */
	struct exs_run *run;
	struct exs_store *store;
	struct exs_error *err;
	const char *rules_digest;
	struct exs_reg_cli *regs;
};

static int init_collect(void *ctx, struct exs_item *item)
{
	struct init_ctx *c = ctx;
	int readable;
	int clean = exs_cli_scanned_clean(item);
	/* Configuration registrations: recorded, and judged as scan does. */
	int rc = exs_reg_cli_item(c->regs, c->run, item, c->err);
	if (rc)
		return rc;
	rc = exs_cli_collect_common(c->run, item, &readable);
	if (rc)
		return exs_fail(c->err, rc, 0, "collect", item->path);
	exs_build_scan_path(&c->run->build, item->path, item->path_len);
	if (!readable)
		return EXS_OK;
	rc = exs_store_add(c->store, item->path, item->path_len, &item->rec,
			   c->err);
	if (!rc)
		rc = exs_store_add_signature(c->store, item->rec.sha256,
					     c->cli->trust_digest, &item->sig,
					     c->err);
	if (!rc && clean && c->rules_digest)
		rc = exs_store_add_verdict(c->store, item->rec.sha256,
					   c->rules_digest, c->err);
	return rc;
}

static int record_list(struct exs_store *store, const char *prefix,
		       const struct exs_strlist *list, struct exs_error *err)
{
	char key[64];
	int rc = EXS_OK;
	for (size_t i = 0; !rc && i < list->count; i++) {
		snprintf(key, sizeof(key), "%s.%zu", prefix, i);
		rc = exs_store_set_meta(store, key, list->items[i], err);
	}
	return rc;
}

int exs_cmd_init(struct exs_cli *cli)
{
	struct exs_error err;
	struct exs_run run;
	struct exs_setup st;
	struct exs_rules *rules = NULL;
	struct exs_store *store = NULL;
	struct exs_file *lock = NULL;
	struct exs_key key;
	struct exs_generation gen;
	int key_created = 0;
	key.len = 0;
	memset(&run, 0, sizeof(run));
	memset(&st, 0, sizeof(st));
	exs_error_clear(&err);

	int rc = exs_cli_load_config(cli, &err);
	if (!rc)
		rc = exs_cli_load_rules(cli, 0, &run.warnings, &rules, &err);
	st.configured_must_exist = 1;
	if (!rc)
		rc = exs_setup_begin(cli, &st, NULL, NULL, &err);
	const char *path = cli->cfg.baseline_path;
	if (!rc)
		rc = exs_setup_parent_dir(cli, path, &err);
	if (!rc)
		rc = exs_cli_lock(cli, path, &lock, &err);
	if (!rc)
		rc = exs_store_create(cli->plat, path, cli->force, &store, &err);
	if (!rc)
		rc = exs_setup_parent_dir(cli, cli->cfg.baseline_key, &err);
	if (!rc)
		rc = exs_seal_key_create(cli->plat, cli->cfg.baseline_key,
					 &key_created, &err);
	if (!rc)
		rc = exs_seal_key_load(cli->plat, cli->cfg.baseline_key,
				       key.bytes, &key.len, &err);
	if (rc)
		goto out;
	for (size_t i = 0; i < run.warnings.count; i++)
		exs_cli_print_text(cli, EXS_STDERR, "", run.warnings.items[i]);

	exs_cli_start_run(cli, &run, "init", rules);
	run.baseline_path = path;
	char created[40];
	exs_format_time(run.started_ns, created, sizeof(created));
	snprintf(run.baseline_created, sizeof(run.baseline_created), "%s",
		 created);
	rc = exs_store_set_meta(store, "tool_version", EXS_VERSION, &err);
	if (!rc)
		rc = exs_store_set_meta(store, "created", created, &err);
	if (!rc)
		rc = exs_store_set_meta(store, "host", run.host, &err);
	if (!rc)
		rc = record_list(store, "root", st.roots, &err);
	if (!rc)
		rc = record_list(store, "web_root", st.web_roots, &err);

	struct exs_reg_cli regs;
	exs_reg_cli_init(&regs, cli, NULL, store);
	struct init_ctx ctx = { cli, &run, store, &err,
				rules ? exs_rules_digest(rules) : NULL, &regs };
	if (!rc)
		rc = exs_setup_sweep(cli, &st, &run, EXS_SWEEP_INIT, rules, NULL,
				     init_collect, &ctx, &err);
	if (rc) {
		exs_store_abort(store);
		store = NULL;
		goto out;
	}
	exs_cli_generation_info(cli, &run, rules, "init", &gen);
	rc = exs_store_commit(store, &gen, key.bytes, key.len, &err);
	store = NULL;
	if (!rc) {
		run.baseline_files = gen.file_count;
		run.baseline_schema = EXS_STORE_SCHEMA_VERSION;
		run.new_generation = gen.id;
		run.generations = malloc(sizeof(gen));
		if (run.generations) {
			run.generations[0] = gen;
			run.generation_count = 1;
		}
		if (key_created && !cli->quiet)
			exs_cli_print(cli, EXS_STDERR, "exsweep: created the "
				      "baseline key '%s': keep it apart from the "
				      "baseline\n", cli->cfg.baseline_key);
	}
out:;
	int code = rc ? exs_cli_fail(cli, &err) : exs_cli_finish(cli, &run);
	if (store)
		exs_store_abort(store);
	if (lock)
		cli->plat->file_close(lock);
	exs_setup_end(&st);
	exs_rules_free(rules);
	exs_run_free(&run);
	memset(&key, 0, sizeof(key));
	return code;
}
