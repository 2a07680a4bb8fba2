/* main.c -- exsweep on the fault-injecting platform, for the e2e tests.
 *
 * The same CLI as the real binary; only the platform table differs (see
 * fault_platform.c for EXSWEEP_FAULTS). Exits 99 when the fault rules are
 * malformed, a code exsweep itself never uses.
 */
#include "cli/cli.h"
#include "fault_platform.h"

int main(int argc, char **argv)
{
	const struct exs_platform *plat = fault_platform();

	struct exs_error err;
	char **args;
	int count;
	if (!plat)
		return 99;
	if (plat->process_args(argc, argv, &count, &args, &err) != EXS_OK)
		return EXS_EXIT_INTERNAL;
	return exs_cli_main(count, args, plat);
}
