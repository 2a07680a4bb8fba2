/* logs_cli.h -- the log pass as the commands run it (logs_cli.c): `logs`,
 * and `check --logs` / `scan --logs` after their sweep.
 */
#ifndef EXS_LOGS_CLI_H
#define EXS_LOGS_CLI_H

#include "baseline_cli.h"
#include "cli.h"
#include "store.h"

/* Trace findings kept per run; more are counted (run->logs.traces_dropped). */
#define EXS_LOG_TRACES_MAX 10000

/* Reads the logs into run: exploit_trace findings, and for each webshell,
 * suspicious and removed finding already in run, who requested it. With a
 *store (opened, verified and locked by the caller) and its key, read
 * positions are taken from it and saved back into a re-sealed copy swapped
 * in for it; saving closes the baseline and sets *store to NULL (Windows
 * cannot rename over an open database), so the caller reads nothing from
 * the baseline after this and closes *store only if it is still set.
 * store may be NULL, or point at NULL. Returns EXS_OK or a fatal status in
 * err; files that cannot be read are error findings. */
int exs_cli_log_pass(struct exs_cli *cli, struct exs_run *run,
		     struct exs_store **store, const struct exs_key *key,
		     struct exs_error *err);

#endif
