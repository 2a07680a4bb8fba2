/* cmd_config.c -- `exsweep config [--sample]`: print the effective
 * configuration (defaults, then the file, then options), or the commented
 * sample that documents every key. */
#include "cli.h"

static int write_out(void *ctx, const char *text, size_t len)
{
	struct exs_cli *cli = ctx;
	return cli->plat->stream_write(EXS_STDOUT, text, len);
}

int exs_cmd_config(struct exs_cli *cli)
{
	if (cli->sample)
		return exs_config_write_sample(write_out, cli) ? EXS_EXIT_IO
							       : EXS_EXIT_CLEAN;
	struct exs_error err;
	exs_error_clear(&err);
	int rc = exs_cli_load_config(cli, &err);
	if (rc)
		return exs_cli_fail(cli, &err);
	return exs_config_dump(&cli->cfg, write_out, cli) ? EXS_EXIT_IO
							  : EXS_EXIT_CLEAN;
}
