/* cmd_scan.c -- `exsweep scan [PATH...]`: the sweep after patching, when no
 * baseline from before exists. YARA over every file of the given paths, or
 * of the configured web roots and the configuration folders discovery found
 * (inetsrv\config, TransportRoles\Shared, the Framework Config folders).
 * No baseline is read or written.
 */
#include <string.h>

#include "cli.h"
#include "logs_cli.h"
#include "registrations_cli.h"
#include "sweep_setup.h"

struct scan_ctx {
	struct exs_cli *cli; /* first: the progress callback reads it */
	struct exs_run *run;
	struct exs_error *err;
	struct exs_reg_cli regs;
};

static int scan_collect(void *ctx, struct exs_item *item)
{
	struct scan_ctx *c = ctx;
	int readable;
	/* A configuration file's registrations, judged without a baseline. */
	int rc = exs_reg_cli_item(&c->regs, c->run, item, c->err);
	if (rc)
		return rc;
	rc = exs_cli_collect_common(c->run, item, &readable);
	return rc ? exs_fail(c->err, rc, 0, "collect", item->path) : EXS_OK;
}

int exs_cmd_scan(struct exs_cli *cli)
{
	struct exs_error err;
	struct exs_run run;
	struct exs_setup st;
	struct exs_rules *rules = NULL;
	struct exs_collect *collect = NULL;
	memset(&run, 0, sizeof(run));
	memset(&st, 0, sizeof(st));
	exs_error_clear(&err);

	int rc = exs_cli_load_config(cli, &err);
	if (!rc)
		rc = exs_cli_load_rules(cli, 0, &run.warnings, &rules, &err);
	if (!rc) {
		/* Without PATHs, scan walks the web roots only; with PATHs,
		 * only the PATHs. */
		if (!cli->args.count) {
			exs_strlist_clear(&cli->cfg.roots);
			/* and the folders of IIS's and Exchange's
			 * configuration, for their registrations */
			const struct exs_strlist *cr = &cli->discovery.config_roots;
			for (size_t i = 0; !rc && i < cr->count; i++)
				if (exs_strlist_add_str(&cli->cfg.roots,
							cr->items[i]))
					rc = exs_fail(&err, EXS_NOMEM, 0,
						      "malloc", NULL);
		}
		st.scan_paths_only = cli->args.count > 0;
		rc = exs_setup_begin(cli, &st, NULL, NULL, &err);
	}
	if (!rc)
		rc = exs_collect_begin(cli, &st.walk_roots, st.web_roots,
				       &collect, &err);
	if (!rc) {
		for (size_t i = 0; i < run.warnings.count; i++)
			exs_cli_print_text(cli, EXS_STDERR, "", run.warnings.items[i]);
		exs_cli_start_run(cli, &run, "scan", rules);
		struct scan_ctx ctx = { .cli = cli, .run = &run, .err = &err };
		exs_reg_cli_init(&ctx.regs, cli, NULL, NULL);
		rc = exs_setup_sweep(cli, &st, &run, EXS_SWEEP_SCAN, rules, NULL,
				     scan_collect, &ctx, &err);
		/* --logs: traces, and who requested what the scan found. */
		if (!rc && cli->logs)
			rc = exs_cli_log_pass(cli, &run, NULL, NULL, &err);
	}
	int code = rc ? exs_cli_fail(cli, &err) : exs_cli_finish(cli, &run);
	/* --collect: the findings' files into the case folder. */
	if (!rc)
		code = exs_collect_run(cli, collect, &run, NULL, code);
	exs_collect_free(collect);
	exs_setup_end(&st);
	exs_rules_free(rules);
	exs_run_free(&run);
	return code;
}
