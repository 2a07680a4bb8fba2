/* fuzz_options.c -- the command line parser (scanner/cli/cli.c) on
 * arbitrary argument vectors.
 *
 * Input: the arguments after argv[0], separated by NUL bytes. The harness
 * links the real cli.c and exs_cli_main, but supplies the commands itself:
 * each command checks what the parser handed it and returns, so nothing is
 * walked or written. Properties: the exit code is 0 (help, version, a
 * command), 16 (usage) or 23 (out of memory); a command runs only with its
 * own name; every option value points into the argument strings; --threads
 * is -1 or 0..32.
 *
 * Known bug (issue 12 item 3): an option that takes a value, given as the
 * last argument, dereferences NULL. Such inputs are skipped unless
 * fuzz_strict(3).
 */
#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "hash.h"
#include "judge.h"
#include "rules.h"
#include "store.h"
#include "fuzz.h"

#define ARGS_MAX 64

static struct exs_platform plat;
static const char *args_start, *args_end;  /* the argument strings */
static int args_count;
static const char *expected_command;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	plat.name = "fuzz";
	plat.path_separator = '/';
	return 0;
}

/* ---- What cli.c calls besides the parser --------------------------------- */

void exs_cli_print(struct exs_cli *cli, enum exs_stream s, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	(void)cli;
	(void)s;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
}

int exs_cli_fail(struct exs_cli *cli, const struct exs_error *err)
{
	(void)cli;
	(void)err;
	return EXS_EXIT_INTERNAL;
}

int exs_rules_library_init(struct exs_error *err)
{
	(void)err;
	return EXS_OK;
}

void exs_rules_library_finish(void)
{
}

static void check_value(const char *what, const char *v)
{
	if (!v)
		return;
	FUZZ_CHECK(v >= args_start && v < args_end,
		   "%s points outside the arguments", what);
	FUZZ_CHECK(memchr(v, '\0', (size_t)(args_end - v)) != NULL,
		   "%s is not terminated within the arguments", what);
}

static void check_list(const char *what, const struct exs_strlist *list)
{
	FUZZ_CHECK(list->count <= (size_t)args_count, "%s has %zu items from "
		   "%d arguments", what, list->count, args_count);
	for (size_t i = 0; i < list->count; i++)
		FUZZ_CHECK(list->items[i] != NULL, "%s item %zu is NULL", what, i);
}

static int command(struct exs_cli *cli, const char *name)
{
	FUZZ_CHECK(cli->plat == &plat, "command '%s' got another platform", name);
	FUZZ_CHECK(cli->command && !strcmp(cli->command, name),
		   "command '%s' runs for '%s'", name,
		   cli->command ? cli->command : "(none)");
	FUZZ_CHECK(!expected_command, "two commands ran");
	expected_command = name;
	check_value("--config", cli->config_path);
	check_value("--baseline", cli->baseline_path);
	check_value("--json", cli->json_path);
	check_value("--rules-dir", cli->rules_dir);
	check_value("--image", cli->image);
	check_value("--note", cli->note);
	check_value("--against", cli->against);
	check_value("--output", cli->output);
	check_list("arguments", &cli->args);
	check_list("--web-root", &cli->web_roots);
	check_list("--exclude", &cli->excludes);
	check_list("--accept", &cli->accepts);
	FUZZ_CHECK(cli->threads >= -1 && cli->threads <= 32, "--threads %ld",
		   cli->threads);
	return EXS_EXIT_CLEAN;
}

#define COMMAND(fn, name) \
	int fn(struct exs_cli *cli) { return command(cli, name); }
COMMAND(exs_cmd_init, "init")
COMMAND(exs_cmd_check, "check")
COMMAND(exs_cmd_scan, "scan")
COMMAND(exs_cmd_rules, "rules")
COMMAND(exs_cmd_config, "config")
COMMAND(exs_cmd_info, "info")
COMMAND(exs_cmd_update, "update")
COMMAND(exs_cmd_history, "history")
COMMAND(exs_cmd_export, "export")
COMMAND(exs_cmd_logs, "logs")

/* --version names the libraries; the parser's harness links none. */
const char *exs_rules_engine_version(void) { return "libyara"; }
const char *exs_hash_library_version(void) { return "crypto"; }
const char *exs_store_library_version(void) { return "sqlite"; }

/* The hidden worker mode is not the parser's: reaching it is a finding. */
int exs_judge_worker_main(const struct exs_platform *worker_plat,
			  const char *arg)
{
	(void)worker_plat;
	(void)arg;
	FUZZ_CHECK(0, "the option parser started the sandbox worker");
	return EXS_EXIT_INTERNAL;
}

/* ---- The harness ---------------------------------------------------------- */

/* Issue 12 item 3: a value-taking option as the last argument. */
static int item3_input(char **argv, int argc)
{
	static const char *const takes_value[] = {
		"-c", "--config", "-b", "--baseline", "-j", "--json", "-r",
		"--rules-dir", "--image", "-w", "--web-root", "-x", "--exclude",
		"-p", "--threads", "--note", "--accept", "--against", "-o",
		"--output", "--since", "--log-budget", "--log-dir", NULL,
	};
	for (int i = 0; takes_value[i]; i++)
		if (!strcmp(argv[argc - 1], takes_value[i]))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *argv[ARGS_MAX + 2];
	int argc = 0;
	FUZZ_CHECK(buf, "harness out of memory");
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "exsweep";
	for (size_t i = 0; i < size && argc <= ARGS_MAX;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	args_start = buf;
	args_end = buf + size + 1;
	args_count = argc;
	expected_command = NULL;

	if (argc > 1 && !fuzz_strict(3) && item3_input(argv, argc)) {
		free(buf);
		return 0;
	}
	int code = exs_cli_main(argc, argv, &plat);
	FUZZ_CHECK(code == EXS_EXIT_CLEAN || code == EXS_EXIT_USAGE ||
		   code == EXS_EXIT_INTERNAL, "exit code %d", code);
	FUZZ_CHECK(code != EXS_EXIT_CLEAN || expected_command ||
		   argc > 1, "exit 0 with no command and no arguments");
	free(buf);
	return 0;
}
