/* main.c -- the exsweep executable: the command layer over the native
 * platform. Tests link the same command layer over a fault-injecting
 * platform instead (tests/fault/). */
#include "cli.h"

int main(int argc, char **argv)
{
	return exs_cli_main(argc, argv, exs_platform_native());
}
