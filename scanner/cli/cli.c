/* cli.c -- option parsing and the command table.
 *
 * Options may stand before or after the command, as admins type them
 * (`exsweep check -q` and `exsweep -q check` both work), and AIDE's
 * spellings --init and --check name commands too. The parser is our own:
 * getopt is POSIX and the core reaches no POSIX API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "judge.h"
#include "hash.h"
#include "rules.h"
#include "store.h"

static const char usage_text[] =
"usage: exsweep [OPTIONS] init  [ROOT...]   record every file under the roots in a new baseline\n"
"   or: exsweep [OPTIONS] check [ROOT...]   compare with the baseline; YARA-scan web roots\n"
"                                           and every added or changed file\n"
"   or: exsweep [OPTIONS] check --against MANIFEST [ROOT...]\n"
"                                           compare with another server's export instead\n"
"   or: exsweep [OPTIONS] update [--note TEXT] [--accept PATH]... [--vouched-only] [ROOT...]\n"
"                                           accept the tree as a new baseline generation;\n"
"                                           files with findings only with --accept\n"
"   or: exsweep [OPTIONS] history [PATH...] the generations, and each PATH's story\n"
"   or: exsweep [OPTIONS] export [-o FILE]  write the current generation as a manifest\n"
"   or: exsweep [OPTIONS] scan  [PATH...]   YARA-scan PATHs (default: the web roots and the\n"
"                                           IIS and Exchange config folders), no baseline\n"
"   or: exsweep [OPTIONS] logs  [PATH...]   read the IIS and Exchange logs (default: every\n"
"                                           site's and V15\\Logging's) for exploitation traces\n"
"   or: exsweep [OPTIONS] rules             compile the built-in and extra rules and list them\n"
"   or: exsweep [OPTIONS] config [--sample] print the effective configuration, or a sample\n"
"   or: exsweep [OPTIONS] info              print what discovery found, the platform and\n"
"                                           the effective configuration\n"
"   or: exsweep [OPTIONS] collect [--zip FILE] CASE\n"
"                                           verify a case folder written by --collect\n"
"                                           (seal, every copy's SHA-256); --zip packs it\n"
"   or: exsweep --init | --check | --update AIDE's spellings\n"
"\n"
"options:\n"
"  -c, --config FILE       read FILE instead of the default configuration\n"
"  -b, --baseline FILE     the baseline database\n"
"  -w, --web-root DIR      add a web root (repeatable)\n"
"  -x, --exclude PATTERN   add an exclude pattern (repeatable)\n"
"  -r, --rules-dir DIR     load extra *.yar/*.yara rules from DIR\n"
"      --image DIR         DIR is a mounted Exchange system drive (/mnt/c):\n"
"                          default roots are its V15 and inetpub folders\n"
"  -j, --json FILE         write the JSON report to FILE ('-' for stdout)\n"
"      --html FILE         write the HTML report to FILE ('-' for stdout)\n"
"      --ndjson FILE       write the NDJSON report (ECS and OCSF records, one\n"
"                          per line) to FILE ('-' for stdout)\n"
"  -p, --threads N         worker threads (default: one per core, at most 32)\n"
"  -f, --force             init: replace an existing baseline\n"
"  -q, --quiet             no summary on stdout (scheduled runs)\n"
"  -v, --verbose           list every finding in the summary\n"
"      --no-progress       no progress line, even on a terminal\n"
"      --rescan            check: YARA-scan unchanged web files again even when\n"
"                          the baseline knows their bytes clean under these rules\n"
"      --allow-unsealed    read a schema-1 baseline (from before seals) that\n"
"                          cannot be verified, with a warning; update seals it\n"
"      --low-priority      run at the lowest CPU and I/O priority (scheduled\n"
"                          and daytime runs)\n"
"      --no-sandbox        judge file contents inside this process, not in\n"
"                          sandboxed workers (unsafe: see [sandbox] enabled)\n"
"      --event-log         Windows: also write the summary and findings to the\n"
"                          Application event log (source exsweep)\n"
"      --sample            config: print the commented sample configuration\n"
"      --note TEXT         update: why this generation was taken\n"
"      --accept PATH       update: accept PATH despite a finding (repeatable)\n"
"      --against MANIFEST  check: compare with an exported manifest\n"
"      --reference EXPORT  check, update: a clean server's export of the same\n"
"                          build; changes identical to it are vouched for\n"
"      --vouched-only      update: accept only the changes vouched for; the\n"
"                          rest keep their old records and stay reported\n"
"  -o, --output FILE       export: write the manifest to FILE (default stdout)\n"
"      --logs              check, scan: also read the logs: exploitation traces,\n"
"                          and who requested each finding's file\n"
"      --since DATE        logs: skip lines before DATE (YYYY-MM-DD[THH:MM:SS], UTC)\n"
"      --log-budget SIZE   logs: read at most SIZE bytes of log per pass\n"
"      --log-dir DIR       logs: read DIR (repeatable; replaces the defaults)\n"
"      --from-start        logs: read every log whole, not from where the last\n"
"                          run stopped\n"
"      --collect CASE      check, scan: copy every finding's file into the new\n"
"                          case folder CASE, with a manifest, sealed\n"
"      --zip FILE          collect: also write the verified case as a ZIP file\n"
"  -V, --version           print the version\n"
"  -h, --help              print this help\n"
"\n"
"exit codes: 0 clean; bits 1 added, 2 removed, 4 changed, 8 webshell;\n"
"16 usage or config, 17 rules, 18 baseline missing, 19 baseline corrupt,\n"
"20 I/O, 21 locked by another run, 22 baseline exists (use --force),\n"
"23 internal error, 24 baseline seal does not match (tampered or damaged),\n"
"25 baseline key missing or unreadable, 26 the scan worker's sandbox cannot be\n"
"set up (see --no-sandbox), 27 a case folder does not verify (collect)\n";

struct command {
	const char *name;
	int (*run)(struct exs_cli *cli);
};

static const struct command commands[] = {
	{ "init", exs_cmd_init },
	{ "check", exs_cmd_check },
	{ "scan", exs_cmd_scan },
	{ "rules", exs_cmd_rules },
	{ "config", exs_cmd_config },
	{ "info", exs_cmd_info },
	{ "update", exs_cmd_update },
	{ "history", exs_cmd_history },
	{ "export", exs_cmd_export },
	{ "logs", exs_cmd_logs },
	{ "collect", exs_cmd_collect },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int usage_error(struct exs_cli *cli, const char *fmt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof(msg), fmt, arg);
	exs_cli_print(cli, EXS_STDERR, "exsweep: %s\n", msg);
	exs_cli_print(cli, EXS_STDERR, "try 'exsweep --help'\n");
	return EXS_EXIT_USAGE;
}

/* Matches "-x", "--long" and "--long=value": 1 when arg is this option and,
 * for one that takes a value, *value holds it (from "=value" or the next argv
 * entry, which is consumed); 0 otherwise. An option that takes a value but
 * stands last without one is no match: *missing is set to arg instead, and
 * the caller reports it once no option matched. */
static int match_option(const char *arg, char short_name, const char *long_name,
			int takes_value, int argc, char **argv, int *i,
			const char **value, const char **missing)
{
	size_t ln = strlen(long_name);
	int matched = 0;
	const char *inline_value = NULL;
	if (short_name && arg[0] == '-' && arg[1] == short_name && arg[2] == '\0')
		matched = 1;
	else if (arg[0] == '-' && arg[1] == '-' &&
		 strncmp(arg + 2, long_name, ln) == 0) {
		if (arg[2 + ln] == '\0')
			matched = 1;
		else if (arg[2 + ln] == '=' && takes_value) {
			matched = 1;
			inline_value = arg + 3 + ln;
		}
	}
	if (!matched)
		return 0;
	if (!takes_value)
		return 1;
	if (inline_value) {
		*value = inline_value;
		return 1;
	}
	if (*i + 1 >= argc) {
		*missing = arg;
		return 0;
	}
	*value = argv[++*i];
	return 1;
}

static int parse_threads(const char *v, long *out)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < 0 || n > 32)
		return -1;
	*out = n;
	return 0;
}

static int parse_args(struct exs_cli *cli, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = NULL;
		const char *missing = NULL;
#define OPT(s, l, takes) \
	match_option(a, s, l, takes, argc, argv, &i, &v, &missing)
		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++)
				if (exs_strlist_add_str(&cli->args, argv[i]))
					return EXS_EXIT_INTERNAL;
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			if (!cli->command) {
				if (!find_command(a))
					return usage_error(cli, "unknown command '%s'", a);
				cli->command = a;
			} else if (exs_strlist_add_str(&cli->args, a)) {
				return EXS_EXIT_INTERNAL;
			}
			continue;
		}
		if (OPT(0, "init", 0) || OPT(0, "check", 0) || OPT(0, "update", 0)) {
			const char *name = a + 2;
			if (cli->command && strcmp(cli->command, name) != 0)
				return usage_error(cli, "two commands given ('%s')", a);
			cli->command = name;
		} else if (OPT('h', "help", 0)) {
			exs_cli_print(cli, EXS_STDOUT, "%s", usage_text);
			return -1;
		} else if (OPT('V', "version", 0)) {
			exs_cli_print(cli, EXS_STDOUT, "exsweep %s\n%s, %s, SQLite %s\n",
				      EXS_VERSION, exs_rules_engine_version(),
				      exs_hash_library_version(),
				      exs_store_library_version());
			return -1;
		} else if (OPT('c', "config", 1)) {
			cli->config_path = v;
		} else if (OPT('b', "baseline", 1)) {
			cli->baseline_path = v;
		} else if (OPT('j', "json", 1)) {
			cli->json_path = v;
		} else if (OPT(0, "html", 1)) {
			cli->html_path = v;
		} else if (OPT(0, "ndjson", 1)) {
			cli->ndjson_path = v;
		} else if (OPT('r', "rules-dir", 1)) {
			cli->rules_dir = v;
		} else if (OPT(0, "image", 1)) {
			cli->image = v;
		} else if (OPT('w', "web-root", 1)) {
			if (exs_strlist_add_str(&cli->web_roots, v))
				return EXS_EXIT_INTERNAL;
		} else if (OPT('x', "exclude", 1)) {
			if (exs_strlist_add_str(&cli->excludes, v))
				return EXS_EXIT_INTERNAL;
		} else if (OPT('p', "threads", 1)) {
			if (parse_threads(v, &cli->threads))
				return usage_error(cli, "invalid --threads '%s': "
						   "expected 0 to 32", v);
		} else if (OPT('f', "force", 0)) {
			cli->force = 1;
		} else if (OPT('q', "quiet", 0)) {
			cli->quiet = 1;
		} else if (OPT('v', "verbose", 0)) {
			cli->verbose = 1;
		} else if (OPT(0, "no-progress", 0)) {
			cli->no_progress = 1;
		} else if (OPT(0, "rescan", 0)) {
			cli->rescan = 1;
		} else if (OPT(0, "allow-unsealed", 0)) {
			cli->allow_unsealed = 1;
		} else if (OPT(0, "low-priority", 0)) {
			cli->low_priority = 1;
		} else if (OPT(0, "no-sandbox", 0)) {
			cli->no_sandbox = 1;
		} else if (OPT(0, "event-log", 0)) {
			cli->event_log = 1;
		} else if (OPT(0, "sample", 0)) {
			cli->sample = 1;
		} else if (OPT(0, "note", 1)) {
			cli->note = v;
		} else if (OPT(0, "accept", 1)) {
			if (exs_strlist_add_str(&cli->accepts, v))
				return EXS_EXIT_INTERNAL;
		} else if (OPT(0, "against", 1)) {
			cli->against = v;
		} else if (OPT(0, "reference", 1)) {
			cli->reference = v;
		} else if (OPT(0, "vouched-only", 0)) {
			cli->vouched_only = 1;
		} else if (OPT('o', "output", 1)) {
			cli->output = v;
		} else if (OPT(0, "logs", 0)) {
			cli->logs = 1;
		} else if (OPT(0, "since", 1)) {
			cli->since = v;
		} else if (OPT(0, "log-budget", 1)) {
			cli->log_budget = v;
		} else if (OPT(0, "log-dir", 1)) {
			if (exs_strlist_add_str(&cli->log_dirs, v))
				return EXS_EXIT_INTERNAL;
		} else if (OPT(0, "from-start", 0)) {
			cli->from_start = 1;
		} else if (OPT(0, "collect", 1)) {
			cli->collect_dir = v;
		} else if (OPT(0, "zip", 1)) {
			cli->zip_path = v;
		} else if (missing) {
			return usage_error(cli, "option '%s' needs a value",
					   missing);
		} else {
			return usage_error(cli, "unknown option '%s'", a);
		}
#undef OPT
	}
	/* One report on stdout at most: two would interleave into neither. */
	int on_stdout = (cli->json_path && strcmp(cli->json_path, "-") == 0) +
			(cli->ndjson_path && strcmp(cli->ndjson_path, "-") == 0) +
			(cli->html_path && strcmp(cli->html_path, "-") == 0);
	if (on_stdout > 1)
		return usage_error(cli, "%s", "only one of --json -, --ndjson - "
				   "and --html - can write to standard output");
	return 0;
}

int exs_cli_main(int argc, char **argv, const struct exs_platform *plat)
{
	/* The hidden worker mode (judge.h): exsweep started by itself, with
	 * nothing else on its command line. */
	if (argc == 3 && strcmp(argv[1], "--sandbox-worker") == 0)
		return exs_judge_worker_main(plat, argv[2]);
	struct exs_cli cli;
	memset(&cli, 0, sizeof(cli));
	cli.plat = plat;
	cli.threads = -1;
	int code = parse_args(&cli, argc, argv);
	if (code == 0 && !cli.command) {
		exs_cli_print(&cli, EXS_STDERR, "%s", usage_text);
		code = EXS_EXIT_USAGE;
	}
	if (code == 0) {
		struct exs_error err;
		exs_error_clear(&err);
		if (exs_rules_library_init(&err) != EXS_OK) {
			code = exs_cli_fail(&cli, &err);
		} else {
			code = find_command(cli.command)->run(&cli);
			exs_rules_library_finish();
		}
	}
	if (code < 0)
		code = 0; /* --help, --version */
	exs_config_free(&cli.cfg);
	exs_discovery_free(&cli.discovery);
	exs_strlist_free(&cli.args);
	exs_strlist_free(&cli.web_roots);
	exs_strlist_free(&cli.excludes);
	exs_strlist_free(&cli.accepts);
	exs_strlist_free(&cli.log_dirs);
	return code;
}
