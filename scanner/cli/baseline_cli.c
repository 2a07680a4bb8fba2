/* baseline_cli.c -- the baseline as the commands see it (baseline_cli.h).
 *
 * Nothing in a baseline is trusted before its seal is: check, update,
 * history and export all open it here.
 */
#include <stdio.h>
#include <string.h>

#include "baseline_cli.h"
#include "buf.h"
#include "hash.h"
#include "rules.h"

/* A schema-1 baseline has no seal, so nothing in it can be verified. It is
 * read only as the admin's explicit choice (--allow-unsealed), and never
 * where a key exists: init and every update create one, so a host with a
 * key has sealed baselines, and an unsealed one there is a forgery or
 * damage. A choice made is a warning in the summary and the report. */
static int accept_unsealed(struct exs_cli *cli, struct exs_run *run,
			   const char *path, struct exs_error *err)
{
	const char *key = cli->cfg.baseline_key;
	struct exs_stat st;
	struct exs_error ignored;
	if (cli->plat->path_stat(key, &st, &ignored) != EXS_NOENT)
		return exs_failf(err, EXS_SEAL, 0, "seal", path,
				 "baseline seal does not match: the baseline "
				 "says schema 1 and carries no seal, but the "
				 "key '%s' exists, so baselines here are "
				 "sealed: tampered or damaged (restore the "
				 "sealed baseline)", key);
	if (!cli->allow_unsealed)
		return exs_failf(err, EXS_SEAL, 0, "seal", path,
				 "baseline is of schema 1 and carries no seal: "
				 "its content cannot be verified (if it is the "
				 "baseline of an exsweep from before seals, "
				 "read it with --allow-unsealed; 'update "
				 "--allow-unsealed' seals it)");
	char msg[EXS_ERROR_WHERE_MAX + 160];
	snprintf(msg, sizeof(msg), "reading the unsealed schema-1 baseline "
		 "'%s' because of --allow-unsealed: its content is not "
		 "verified and its YARA verdicts are not reused; 'exsweep "
		 "update --allow-unsealed' seals it", path);
	if (exs_strlist_add_str(&run->warnings, msg))
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	return EXS_OK;
}

int exs_cli_open_baseline(struct exs_cli *cli, struct exs_run *run,
			  struct exs_store **out, struct exs_key *key,
			  struct exs_error *err)
{
	struct exs_key local;
	if (!key)
		key = &local;
	const char *path = cli->cfg.baseline_path;
	struct exs_store *store = NULL;
	int rc = exs_store_open(cli->plat, path, &store, err);
	if (rc)
		return rc;
	run->baseline_schema = exs_store_schema(store);
	key->len = 0;
	if (run->baseline_schema >= 2) {
		rc = exs_seal_key_load(cli->plat, cli->cfg.baseline_key,
				       key->bytes, &key->len, err);
		if (!rc)
			rc = exs_store_verify_seal(store, key->bytes, key->len,
						   err);
	} else {
		rc = accept_unsealed(cli, run, path, err);
	}
	if (!rc)
		rc = exs_store_generations(store, &run->generations,
					   &run->generation_count, err);
	if (key == &local)
		memset(&local, 0, sizeof(local));
	if (rc) {
		exs_store_close(store);
		return rc;
	}
	*out = store;
	return EXS_OK;
}

/* Feeds the dump to SHA-256, leaving out comment lines: the dump's first
 * line names the file the settings came from, and reading the same file by
 * another path (cu.ini, ./cu.ini) is no change of configuration. */
struct digest_ctx {
	struct exs_sha256 *sha;
	int at_line_start, in_comment;
};

static int digest_write(void *ctx, const char *text, size_t len)
{
	struct digest_ctx *d = ctx;
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (d->at_line_start)
			d->in_comment = text[i] == ';';
		if (d->in_comment && i > start &&
		    exs_sha256_update(d->sha, text + start, i - start))
			return EXS_NOMEM;
		if (d->in_comment)
			start = i + 1;
		d->at_line_start = text[i] == '\n';
	}
	if (len > start && exs_sha256_update(d->sha, text + start, len - start))
		return EXS_NOMEM;
	return EXS_OK;
}

void exs_cli_config_digest(struct exs_cli *cli, char hex[65])
{
	struct exs_sha256 *sha = NULL;
	unsigned char md[EXS_SHA256_LEN];
	hex[0] = '\0';
	if (exs_sha256_create(&sha) || exs_sha256_begin(sha)) {
		exs_sha256_free(sha);
		return;
	}
	struct digest_ctx d = { sha, 1, 0 };
	if (exs_config_dump(&cli->cfg, digest_write, &d) == EXS_OK &&
	    exs_sha256_finish(sha, md) == EXS_OK)
		exs_hex(md, sizeof(md), hex);
	exs_sha256_free(sha);
}

void exs_cli_generation_info(struct exs_cli *cli, const struct exs_run *run,
			     const struct exs_rules *rules, const char *note,
			     struct exs_generation *gen)
{
	memset(gen, 0, sizeof(*gen));
	exs_format_time(run->started_ns, gen->created, sizeof(gen->created));
	snprintf(gen->note, sizeof(gen->note), "%s", note ? note : "");
	snprintf(gen->host, sizeof(gen->host), "%s", run->host);
	snprintf(gen->tool_version, sizeof(gen->tool_version), "%s (%s)",
		 EXS_VERSION, exs_rules_engine_version());
	exs_build_format(&run->build, gen->exchange_build,
			 sizeof(gen->exchange_build));
	if (rules)
		snprintf(gen->rules_digest, sizeof(gen->rules_digest), "%s",
			 exs_rules_digest(rules));
	exs_cli_config_digest(cli, gen->config_digest);
}

void exs_cli_compare_digests(struct exs_cli *cli, struct exs_run *run,
			     const struct exs_rules *rules)
{
	const struct exs_generation *g = exs_run_generation(run);
	run->rules_changed = run->config_changed = -1;
	if (!g)
		return;
	if (g->rules_digest[0] && rules)
		run->rules_changed =
			strcmp(g->rules_digest, exs_rules_digest(rules)) != 0;
	if (g->config_digest[0]) {
		char hex[65];
		exs_cli_config_digest(cli, hex);
		run->config_changed = strcmp(g->config_digest, hex) != 0;
	}
}

int exs_cli_baseline_list(struct exs_store *store, const char *prefix,
			  struct exs_strlist *out)
{
	char key[64], value[4096];
	for (size_t i = 0;; i++) {
		snprintf(key, sizeof(key), "%s.%zu", prefix, i);
		if (exs_store_get_meta(store, key, value, sizeof(value)) ||
		    !value[0])
			return EXS_OK;
		if (exs_strlist_add_str(out, value))
			return EXS_NOMEM;
	}
}
