/* registrations_cli.h -- what init, check, update and scan do with the
 * registrations of the configuration files they walk (registrations_cli.c).
 */
#ifndef EXS_REGISTRATIONS_CLI_H
#define EXS_REGISTRATIONS_CLI_H

#include "cli.h"
#include "item.h"
#include "regcheck.h"
#include "run.h"
#include "store.h"

struct exs_reg_cli {
	struct exs_reg_places places;
	struct exs_store *old;   /* check, update: the baseline compared with */
	struct exs_store *out;   /* init, update: the baseline being written */
	int old_has_table;       /* old keeps registrations at all */
};

/* Places from what discovery found (--image or the host). */
void exs_reg_cli_init(struct exs_reg_cli *rc, struct exs_cli *cli,
		      struct exs_store *old, struct exs_store *out);

/* For a walked item whose registrations were read: records them in out;
 * with a baseline, reports each registration added, removed or changed
 * (EXS_FINDING_REGISTRATION) against what the baseline read from the
 * file's earlier bytes; and judges the new or changed ones (all of them
 * without a baseline), adding a suspicious hit to the item for each one
 * exs_reg_assess has reasons against, so that update refuses the file
 * like any suspicious one. Call before the item is collected. */
int exs_reg_cli_item(struct exs_reg_cli *rc, struct exs_run *run,
		     struct exs_item *item, struct exs_error *err);

/* check: a removed configuration file's registrations, reported removed. */
int exs_reg_cli_removed(struct exs_reg_cli *rc, struct exs_run *run,
			const char *path, size_t len,
			const struct exs_record *rec, struct exs_error *err);

#endif
