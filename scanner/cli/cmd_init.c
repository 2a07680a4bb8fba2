/* cmd_init.c -- `exsweep init [ROOT...]`: record every file under the roots
 * in a new baseline (AIDE's --init).
 *
 * The new baseline is built beside the old one and swapped in only when
 * complete (baseline/store.c), so a failed or killed init changes nothing.
 * Web-root files are YARA-scanned on the way: a baseline that quietly
 * records a webshell as "known good" would hide it forever.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "store.h"
#include "sweep_setup.h"

struct init_ctx {
	struct exs_cli *cli; /* first: the progress callback reads it */
	struct exs_run *run;
	struct exs_store *store;
	struct exs_error *err;
};

static int init_collect(void *ctx, struct exs_item *item)
{
	struct init_ctx *c = ctx;
	int readable;
	int rc = exs_cli_collect_common(c->run, item, &readable);
	if (rc)
		return exs_fail(c->err, rc, 0, "collect", item->path);
	if (readable)
		return exs_store_add(c->store, item->path, item->path_len,
				     &item->rec, c->err);
	return EXS_OK;
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
	memset(&run, 0, sizeof(run));
	memset(&st, 0, sizeof(st));
	exs_error_clear(&err);

	int rc = exs_cli_load_config(cli, &err);
	if (!rc)
		rc = exs_cli_load_rules(cli, 0, &run.warnings, &rules, &err);
	if (!rc)
		rc = exs_setup_begin(cli, &st, NULL, NULL, &err);
	const char *path = cli->cfg.baseline_path;
	if (!rc)
		rc = exs_setup_parent_dir(cli, path, &err);
	if (!rc)
		rc = exs_cli_lock(cli, path, &lock, &err);
	if (!rc)
		rc = exs_store_create(cli->plat, path, cli->force, &store, &err);
	if (rc)
		goto out;
	for (size_t i = 0; i < run.warnings.count; i++)
		exs_cli_print(cli, EXS_STDERR, "%s\n", run.warnings.items[i]);

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

	struct init_ctx ctx = { cli, &run, store, &err };
	if (!rc)
		rc = exs_setup_sweep(cli, &st, &run, EXS_SWEEP_INIT, rules, NULL,
				     init_collect, &ctx, &err);
	if (rc) {
		exs_store_abort(store);
		store = NULL;
		goto out;
	}
	run.baseline_files = run.files;
	rc = exs_store_commit(store, &err);
	store = NULL;
out:;
	int code = rc ? exs_cli_fail(cli, &err) : exs_cli_finish(cli, &run);
	if (store)
		exs_store_abort(store);
	if (lock)
		cli->plat->file_close(lock);
	exs_setup_end(&st);
	exs_rules_free(rules);
	exs_run_free(&run);
	return code;
}
