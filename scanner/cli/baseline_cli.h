/* baseline_cli.h -- what init, check, update, history and export share about
 * the baseline: the seal key, opening and verifying, the generation record
 * of a run, and the digests of rules and configuration (baseline_cli.c).
 */
#ifndef EXS_BASELINE_CLI_H
#define EXS_BASELINE_CLI_H

#include "cli.h"
#include "seal.h"
#include "store.h"

struct exs_key {
	unsigned char bytes[EXS_SEAL_KEY_MAX];
	size_t len;
};

/* Opens the baseline and verifies it: quick_check and counts, then, for a
 * sealed (schema 2) baseline, the seal with the key file. Fills the run's
 * generations. A schema-1 baseline is read unsealed, with a warning, only
 * with --allow-unsealed and when no key exists (else EXS_SEAL). With
 * key NULL the key is loaded into a local copy. */
int exs_cli_open_baseline(struct exs_cli *cli, struct exs_run *run,
			  struct exs_store **out, struct exs_key *key,
			  struct exs_error *err);
/* The record of a new generation taken by this run. */
void exs_cli_generation_info(struct exs_cli *cli, const struct exs_run *run,
			     const struct exs_rules *rules, const char *note,
			     struct exs_generation *gen);
/* SHA-256 (hex) of the effective configuration (exs_config_dump). */
void exs_cli_config_digest(struct exs_cli *cli, char hex[65]);
/* Sets run->rules_changed and config_changed against the newest
 * generation's digests (-1 when it recorded none). */
void exs_cli_compare_digests(struct exs_cli *cli, struct exs_run *run,
			     const struct exs_rules *rules);

/* The list recorded at init under meta keys PREFIX.0, PREFIX.1, ...
 * ("root", "web_root"). EXS_OK or EXS_NOMEM. */
int exs_cli_baseline_list(struct exs_store *store, const char *prefix,
			  struct exs_strlist *out);

#endif
