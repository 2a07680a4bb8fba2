/* sweep_setup.c -- the steps init, check and scan share before and after
 * their sweep: deciding roots, compiling excludes, running the pipeline.
 */
#include <stdio.h>
#include <string.h>

#include "baseline_cli.h"
#include "buf.h"
#include "judge.h"
#include "path.h"
#include "cli.h"
#include "sweep_setup.h"

#include "authenticode.h"
#include "hash.h"
#include "trust_cli.h"

/* A root or web root the admin named on the command line must be there and
 * readable: a typo (or a name the shell mangled) would otherwise walk
 * nothing and exit 0 with one error finding, a silent miss. So must one the
 * configuration file names when init records the baseline: a typo there
 * would record a baseline without that folder and exit 0, and every later
 * check would compare against that. In check and scan configured roots stay
 * error findings, so that one missing folder does not stop a scheduled
 * check (a folder the baseline holds shows as removed files); built-in and
 * discovered roots stay error findings everywhere (an Edge Transport server
 * has no web roots). Links and other nodes are listed as skipped later. */
static int check_given_path(const struct exs_platform *plat, const char *path,
			    const char *what, const char *config,
			    struct exs_error *err)
{
	struct exs_stat st;
	int rc = plat->path_stat(path, &st, err);
	if (!rc && st.node == EXS_NODE_DIR) {
		struct exs_dir *d;
		rc = plat->dir_open(path, &d, err);
		if (!rc)
			plat->dir_close(d);
	} else if (!rc && st.node == EXS_NODE_FILE) {
		struct exs_file *f;
		rc = plat->file_open_read(path, &f, err);
		if (!rc)
			plat->file_close(f);
	}
	if (rc == EXS_NOMEM)
		return rc;
	if (rc) {
		char why[EXS_ERROR_DETAIL_MAX];
		snprintf(why, sizeof(why), "%s",
			 err->detail[0] ? err->detail : exs_strerror(rc));
		return exs_failf(err, EXS_USAGE, err->os_code, err->op, NULL,
				 "cannot read %s '%s'%s%s%s: %s", what, path,
				 config ? " (named in '" : "", config ? config : "",
				 config ? "')" : "", why);
	}
	return EXS_OK;
}

/* check_given_path on the first n items of list. */
static int check_given_paths(const struct exs_platform *plat,
			     const struct exs_strlist *list, size_t n,
			     const char *what, const char *config,
			     struct exs_error *err)
{
	int rc = EXS_OK;
	for (size_t i = 0; !rc && i < n && i < list->count; i++)
		rc = check_given_path(plat, list->items[i], what, config, err);
	return rc;
}

int exs_setup_begin(struct exs_cli *cli, struct exs_setup *st,
		    const struct exs_strlist *fallback_roots,
		    const struct exs_strlist *fallback_web_roots,
		    struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	const struct exs_strlist *roots = cli->args.count ? &cli->args
							  : &cli->cfg.roots;
	if (!roots->count && fallback_roots)
		roots = fallback_roots;
	st->web_roots = cli->cfg.web_roots.count || !fallback_web_roots
				? &cli->cfg.web_roots : fallback_web_roots;
	st->roots = roots;
	if (!roots->count && !st->web_roots->count)
		return exs_failf(err, EXS_USAGE, 0, NULL, NULL,
				 "no roots to walk: give them on the command "
				 "line or as [scan] root in the configuration");
	int rc = check_given_paths(plat, &cli->args, cli->args.count,
				   st->scan_paths_only ? "path" : "root", NULL,
				   err);
	if (!rc)
		rc = check_given_paths(plat, &cli->web_roots,
				       cli->web_roots.count, "web root", NULL,
				       err);
	const char *config = cli->cfg.source;
	if (!rc && st->configured_must_exist && config) {
		/* Roots on the command line replace the file's. */
		rc = check_given_paths(plat, &cli->cfg.roots,
				       cli->args.count ? 0 : cli->file_roots,
				       "root", config, err);
		if (!rc)
			rc = check_given_paths(plat, &cli->cfg.web_roots,
					       cli->file_web_roots, "web root",
					       config, err);
	}
	if (rc)
		return rc;
	/* scan PATH... walks only those paths: the web roots still say
	 * which files are web-facing, but are not walked themselves. */
	rc = exs_walk_roots(roots, st->scan_paths_only ? NULL : st->web_roots,
			    plat, &st->walk_roots);
	if (rc)
		return exs_fail(err, rc, 0, "malloc", NULL);
	return exs_excludes_init(&st->excludes, &cli->cfg.excludes,
				 cli->cfg.default_excludes ? exs_default_excludes
							   : NULL,
				 st->web_roots, plat, err);
}

void exs_setup_end(struct exs_setup *st)
{
	exs_excludes_free(&st->excludes);
	exs_strlist_free(&st->walk_roots);
}

int exs_setup_sweep(struct exs_cli *cli, struct exs_setup *st,
		    struct exs_run *run, enum exs_sweep_mode mode,
		    struct exs_rules *rules, struct exs_store *baseline,
		    int (*collect)(void *ctx, struct exs_item *item), void *ctx,
		    struct exs_error *err)
{
	struct exs_sweep sw = {
		.plat = cli->plat,
		.mode = mode,
		.roots = &st->walk_roots,
		.web_roots = st->web_roots,
		.excludes = &st->excludes,
		.max_depth = cli->cfg.max_depth,
		.threads = exs_cli_threads(cli),
		.yara_max_size = cli->cfg.yara_max_size,
		.yara_timeout = cli->cfg.yara_timeout,
		.rules = rules,
		.sandbox = cli->cfg.sandbox && !cli->no_sandbox,
		.sandbox_user = cli->cfg.sandbox_user,
		.sandbox_memory = cli->cfg.sandbox_memory +
				  2 * cli->cfg.yara_max_size,
		.rules_digest = rules ? exs_rules_digest(rules) : NULL,
		.reuse_verdicts = !cli->rescan,
		.gate = (cli->cfg.gate ? EXS_ENGINE_GATE : 0) |
			(cli->cfg.gate_extra_rules ? EXS_ENGINE_GATE_EXTRA : 0),
		.baseline = baseline,
		.collect = collect,
		.progress = exs_cli_progress,
		.ctx = ctx,
	};
	run->roots = &st->walk_roots;
	run->web_roots = st->web_roots;
	struct exs_heuristics *heuristics = NULL;
	struct exs_buf trust;
	exs_buf_init(&trust, EXS_TRUST_BLOB_MAX + 4096);
	int rc = exs_cli_trust_blob(cli, &trust, err);
	if (rc) {
		exs_buf_free(&trust);
		return rc;
	}
	sw.trust_blob = (const unsigned char *)trust.data;
	sw.trust_len = trust.len;
	unsigned char digest[32];
	exs_sha256_buffer(trust.len ? trust.data : "", trust.len, digest);
	exs_hex(digest, sizeof(digest), cli->trust_digest);
	sw.trust_digest = cli->trust_digest;
	sw.no_catalogs = cli->image != NULL;
	sw.signers = &cli->cfg.trust_signers;
	rc = exs_heuristics_load(cli->plat->path_separator, &heuristics, err);
	if (rc) {
		exs_buf_free(&trust);
		return rc;
	}
	sw.heuristics = heuristics;
	/* check and update walk what the baseline holds, give or take the
	 * changes: the progress line can say how far along it is. */
	cli->progress_total = mode == EXS_SWEEP_CHECK ? run->baseline_files : 0;
	cli->sweep = &sw;
	rc = exs_sweep_run(&sw, err);
	cli->sweep = NULL;
	cli->progress_total = 0;
	exs_heuristics_free(heuristics);
	exs_buf_free(&trust);
	run->files = sw.files;
	run->bytes = sw.bytes;
	run->scanned = sw.scanned;
	run->reused = sw.reused;
	run->shared = sw.shared;
	return rc;
}

int exs_setup_parent_dir(struct exs_cli *cli, const char *path,
			 struct exs_error *err)
{
	const char *sep = strrchr(path, cli->plat->path_separator);
	if (!sep || sep == path)
		return EXS_OK;
	struct exs_buf dir;
	exs_buf_init(&dir, 65536);
	exs_buf_append(&dir, path, (size_t)(sep - path));
	int rc = dir.failed ? exs_fail(err, EXS_NOMEM, 0, "malloc", path)
			    : cli->plat->dir_create(dir.data, EXS_CREATE_PRIVATE,
						    err);
	exs_buf_free(&dir);
	return rc;
}

int exs_setup_covers(const struct exs_cli *cli, const struct exs_setup *st,
		     const struct exs_strlist *unreadable_dirs,
		     const char *path, size_t len)
{
	char sep = cli->plat->path_separator;
	int ci = cli->plat->case_insensitive;
	int walked = 0;
	for (size_t i = 0; i < st->walk_roots.count && !walked; i++)
		walked = exs_path_within(path, len, st->walk_roots.items[i],
					 strlen(st->walk_roots.items[i]), sep, ci);
	if (!walked)
		return 0;
	for (size_t i = 0; unreadable_dirs && i < unreadable_dirs->count; i++)
		if (exs_path_within(path, len, unreadable_dirs->items[i],
				    strlen(unreadable_dirs->items[i]), sep, ci))
			return 0;
	return !exs_excludes_match_ancestor(&st->excludes, path, len);
}

int exs_setup_from_baseline(struct exs_cli *cli, struct exs_setup *st,
			    struct exs_run *run, const char *command,
			    struct exs_rules *rules, struct exs_store *store,
			    struct exs_strlist *base_roots,
			    struct exs_strlist *base_web,
			    struct exs_error *err)
{
	if (exs_cli_baseline_list(store, "root", base_roots) ||
	    exs_cli_baseline_list(store, "web_root", base_web))
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	int rc = exs_setup_begin(cli, st, base_roots, base_web, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < run->warnings.count; i++)
		exs_cli_print_text(cli, EXS_STDERR, "", run->warnings.items[i]);
	exs_cli_start_run(cli, run, command, rules);
	run->baseline_path = cli->cfg.baseline_path;
	run->baseline_files = exs_store_count(store);
	exs_store_get_meta(store, "created", run->baseline_created,
			   sizeof(run->baseline_created));
	exs_cli_compare_digests(cli, run, rules);
	return EXS_OK;
}

int exs_setup_collect_seen(struct exs_run *run, struct exs_store *store,
			   struct exs_strlist *unreadable_dirs,
			   struct exs_item *item, int *readable,
			   struct exs_error *err)
{
	int rc = exs_cli_collect_common(run, item, readable);
	if (!rc && item->kind == EXS_ITEM_ERROR)
		rc = exs_strlist_add(unreadable_dirs, item->path,
				     item->path_len);
	if (rc)
		return exs_fail(err, rc, 0, "collect", item->path);
	exs_build_scan_path(&run->build, item->path, item->path_len);
	if (item->kind != EXS_ITEM_FILE) {
		*readable = 0;
		return EXS_OK;
	}
	/* Read or not, a file that is there is not removed. */
	if (item->has_path_key)
		return exs_store_mark_seen_key(store, item->path_key,
					       item->has_old, err);
	return exs_store_mark_seen(store, item->path, item->path_len,
				   item->has_old, err);
}
