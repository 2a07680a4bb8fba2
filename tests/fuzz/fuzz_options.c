/* fuzz_options.c -- the command line parser (scanner/cli/cli.c) on
 * arbitrary argument vectors.
 *
 * Input: the arguments after argv[0], separated by NUL bytes. The harness
 * links the real cli.c and exs_cli_main, but supplies the commands itself:
 * each command checks what the parser handed it and returns, so nothing is
 * walked or written. Properties: the exit code is 0 (help, version, a
 * command), 16 (usage) or 23 (out of memory); a command runs only with its
 * own name; every option value points into the argument strings; --threads
 * is -1 or 0..32; the flags (--logs, --from-start, --no-sandbox,
 * --allow-unsealed, ...) are 0 or 1.
 *
 * An option that takes a value and stands last with none (issue 12 item 3)
 * is exit 16 and runs no command (exit 0 only when --help or --version
 * came before it): a reference walk of the arguments (value options consume the
 * next one, "--" ends the options) says when that is the case. The hidden
 * worker mode is reached only as "exsweep --sandbox-worker ARG".
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
	check_value("--html", cli->html_path);
	check_value("--ndjson", cli->ndjson_path);
	check_value("--rules-dir", cli->rules_dir);
	check_value("--image", cli->image);
	check_value("--note", cli->note);
	check_value("--against", cli->against);
	check_value("--reference", cli->reference);
	check_value("--output", cli->output);
	check_value("--since", cli->since);
	check_value("--log-budget", cli->log_budget);
	check_value("--collect", cli->collect_dir);
	check_value("--zip", cli->zip_path);
	check_list("--log-dir", &cli->log_dirs);
	FUZZ_CHECK(cli->logs <= 1 && cli->from_start <= 1 &&
		   cli->no_sandbox <= 1 && cli->allow_unsealed <= 1 &&
		   cli->logs >= 0 && cli->from_start >= 0 &&
		   cli->no_sandbox >= 0 && cli->allow_unsealed >= 0 &&
		   (cli->vouched_only == 0 || cli->vouched_only == 1),
		   "a flag is neither 0 nor 1");
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
COMMAND(exs_cmd_collect, "collect")

/* --version names the libraries; the parser's harness links none. */
const char *exs_rules_engine_version(void) { return "libyara"; }
const char *exs_hash_library_version(void) { return "crypto"; }
const char *exs_store_library_version(void) { return "sqlite"; }

/* The hidden worker mode: only "exsweep --sandbox-worker ARG" reaches it. */
static int worker_expected;

int exs_judge_worker_main(const struct exs_platform *worker_plat,
			  const char *arg)
{
	FUZZ_CHECK(worker_expected, "the option parser started the sandbox "
		   "worker");
	FUZZ_CHECK(worker_plat == &plat && arg, "the worker got no argument");
	expected_command = "--sandbox-worker";
	return EXS_EXIT_CLEAN;
}

/* ---- The harness ---------------------------------------------------------- */

static int takes_value(const char *arg)
{
	static const char *const options[] = {
		"-c", "--config", "-b", "--baseline", "-j", "--json", "-r",
		"--rules-dir", "--image", "-w", "--web-root", "-x", "--exclude",
		"-p", "--threads", "--note", "--accept", "--against", "-o",
		"--output", "--since", "--log-budget", "--log-dir", "--html",
		"--collect", "--zip", "--ndjson", "--reference", NULL,
	};
	for (int i = 0; options[i]; i++)
		if (!strcmp(arg, options[i]))
			return 1;
	return 0;
}

/* The reference walk: 1 when the last argument is an option that takes a
 * value and has none; *help when -h/--help/-V/--version comes before it. */
static int missing_value(char **argv, int argc, int *help)
{
	*help = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			return 0;
		if (!strcmp(a, "-h") || !strcmp(a, "--help") ||
		    !strcmp(a, "-V") || !strcmp(a, "--version"))
			*help = 1;
		if (takes_value(a)) {
			if (i == argc - 1)
				return 1;
			i++;
		}
	}
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

	worker_expected = argc == 3 && !strcmp(argv[1], "--sandbox-worker");
	int help;
	int missing = !worker_expected && missing_value(argv, argc, &help);
	int code = exs_cli_main(argc, argv, &plat);
	if (missing) {
		FUZZ_CHECK(!expected_command, "'%s' stands last with no value, "
			   "yet command '%s' ran", argv[argc - 1],
			   expected_command);
		FUZZ_CHECK(code == EXS_EXIT_USAGE ||
			   (help && code == EXS_EXIT_CLEAN),
			   "'%s' stands last with no value: exit %d",
			   argv[argc - 1], code);
	}
	FUZZ_CHECK(code == EXS_EXIT_CLEAN || code == EXS_EXIT_USAGE ||
		   code == EXS_EXIT_INTERNAL, "exit code %d", code);
	FUZZ_CHECK(code != EXS_EXIT_CLEAN || expected_command ||
		   argc > 1, "exit 0 with no command and no arguments");
	free(buf);
	return 0;
}
