/* cmd_logs.c -- `exsweep logs [PATH...]`: the log pass alone. Reads the IIS
 * and Exchange logs (PATHs, --log-dir, [logs] dir, or every site's and
 * V15\Logging's) for exploitation traces. With a baseline at the
 * configured path, the read positions kept in it are used and saved, so a
 * scheduled run reads only what is new; without one, every log is read
 * whole and nothing is remembered.
 */
#include <string.h>

#include "baseline_cli.h"
#include "cli.h"
#include "logs_cli.h"

int exs_cmd_logs(struct exs_cli *cli)
{
	struct exs_error err;
	struct exs_run run;
	struct exs_store *store = NULL;
	struct exs_file *lock = NULL;
	struct exs_key key;
	memset(&run, 0, sizeof(run));
	memset(&key, 0, sizeof(key));
	exs_error_clear(&err);
	int rc = exs_cli_load_config(cli, &err);
	if (!rc) {
		struct exs_stat st;
		struct exs_error ignored;
		const char *path = cli->cfg.baseline_path;
		if (path && cli->plat->path_stat(path, &st, &ignored) == EXS_OK) {
			rc = exs_cli_open_baseline(cli, &run, &store, &key, &err);
			if (!rc)
				rc = exs_cli_lock(cli, path, &lock, &err);
		} else {
			exs_strlist_add_str(&run.warnings, "no baseline: logs are "
					    "read whole and read positions are not "
					    "remembered (run 'exsweep init' first)");
		}
	}
	if (!rc) {
		exs_cli_start_run(cli, &run, "logs", NULL);
		rc = exs_cli_log_pass(cli, &run, &store, store ? &key : NULL, &err);
	}
	int code = rc ? exs_cli_fail(cli, &err) : exs_cli_finish(cli, &run);
	exs_store_close(store);
	if (lock)
		cli->plat->file_close(lock);
	memset(&key, 0, sizeof(key));
	exs_run_free(&run);
	return code;
}
