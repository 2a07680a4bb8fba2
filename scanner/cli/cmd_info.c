/* cmd_info.c -- `exsweep info`: what discovery found and how, the platform,
 * the worker count and the effective configuration, so that an admin can see
 * which folders a scheduled run will walk before it runs. */
#include "cli.h"

static int write_out(void *ctx, const char *text, size_t len)
{
	struct exs_cli *cli = ctx;
	return cli->plat->stream_write(EXS_STDOUT, text, len);
}

int exs_cmd_info(struct exs_cli *cli)
{
	struct exs_error err;
	exs_error_clear(&err);
	int rc = exs_cli_load_config(cli, &err);
	if (rc)
		return exs_cli_fail(cli, &err);
	const struct exs_discovery *d = &cli->discovery;
	const char *wwwroot_how = d->wwwroot_found
		? (d->source == EXS_DISCOVER_IMAGE ? "--image" : "registry")
		: (d->wwwroot[0] ? "stock" : "none");
	exs_cli_print(cli, EXS_STDOUT,
		      "; exsweep %s\n"
		      "; platform:         %s\n"
		      "; threads:          %u\n"
		      "; exchange install: %s (%s)\n"
		      "; iis wwwroot:      %s (%s)\n"
		      "; roots from:       %s\n",
		      EXS_VERSION, cli->plat->name, exs_cli_threads(cli),
		      d->install[0] ? d->install : "-",
		      exs_discover_source_name(d->install[0] ? d->source
							     : EXS_DISCOVER_NONE),
		      d->wwwroot[0] ? d->wwwroot : "-", wwwroot_how,
		      exs_discover_source_name(cli->roots_from_config
						       ? EXS_DISCOVER_CONFIG
						       : d->source));
	return exs_config_dump(&cli->cfg, write_out, cli) ? EXS_EXIT_IO
							  : EXS_EXIT_CLEAN;
}
