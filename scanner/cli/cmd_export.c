/* cmd_export.c -- placeholder until the manifest lands. */
#include "cli.h"

int exs_cmd_export(struct exs_cli *cli)
{
	exs_cli_print(cli, EXS_STDERR, "exsweep: export is not available yet\n");
	return EXS_EXIT_USAGE;
}
