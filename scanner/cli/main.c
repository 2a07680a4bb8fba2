/* main.c -- the exsweep executable: the command layer over the native
 * platform. Tests link the same command layer over a fault-injecting
 * platform instead (tests/fault/).
 *
 * The arguments come from the platform, not from argv as the C runtime
 * built it: on Windows that argv is in the ANSI code page and has already
 * lost every name outside it (see process_args in platform.h). */
#include "cli.h"

int main(int argc, char **argv)
{
	const struct exs_platform *plat = exs_platform_native();
	struct exs_error err;
	char **args;
	int count;
	exs_error_clear(&err);
	if (plat->process_args(argc, argv, &count, &args, &err) != EXS_OK) {
		static const char msg[] =
			"exsweep: cannot read the command line\n";
		plat->stream_write(EXS_STDERR, msg, sizeof(msg) - 1);
		return EXS_EXIT_INTERNAL;
	}
	return exs_cli_main(count, args, plat);
}
