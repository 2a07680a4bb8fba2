/* cli.h -- the exsweep command: options, the command table and what the
 * commands share (loading config and rules, picking roots, writing reports,
 * the progress line, the exit code).
 *
 * Only this layer prints, and only exs_cli_main's caller exits: the library
 * below returns statuses and struct exs_error.
 */
#ifndef EXS_CLI_H
#define EXS_CLI_H

#include "buf.h"
#include "compiler.h"
#include "config.h"
#include "discover.h"
#include "platform.h"
#include "rules.h"
#include "run.h"
#include "strlist.h"
#include "sweep.h"

/* Exit codes (README, "Exit codes"). Bits 1..8 combine; 16 and up are
 * fatal and distinct. Append only. */
enum exs_exit {
	EXS_EXIT_CLEAN = 0,
	EXS_EXIT_ADDED = 1,
	EXS_EXIT_REMOVED = 2,
	EXS_EXIT_CHANGED = 4,
	EXS_EXIT_WEBSHELL = 8,
	EXS_EXIT_USAGE = 16,
	EXS_EXIT_RULES = 17,
	EXS_EXIT_BASELINE_MISSING = 18,
	EXS_EXIT_BASELINE_CORRUPT = 19,
	EXS_EXIT_IO = 20,
	EXS_EXIT_LOCKED = 21,
	EXS_EXIT_BASELINE_EXISTS = 22,
	EXS_EXIT_INTERNAL = 23,
	EXS_EXIT_SEAL = 24,            /* baseline seal does not match */
	EXS_EXIT_NOKEY = 25,           /* baseline key missing or unreadable */
	EXS_EXIT_SANDBOX = 26,         /* the scan worker's sandbox failed */
	EXS_EXIT_CASE = 27,            /* a case folder does not verify */
};

struct exs_cli {
	const struct exs_platform *plat;
	const char *command;
	/* options */
	const char *config_path;     /* NULL: the platform default */
	const char *baseline_path;
	const char *json_path;
	const char *html_path;       /* --html FILE: the HTML report */
	const char *ndjson_path;     /* --ndjson FILE: ECS/OCSF, one per line */
	const char *rules_dir;
	const char *image;           /* --image DIR: a mounted system drive */
	struct exs_strlist args;     /* ROOTs / PATHs after the command */
	struct exs_strlist web_roots;
	struct exs_strlist excludes;
	long threads;                /* -1: from config */
	int force, quiet, no_progress, verbose, sample, low_priority;
	int rescan;                  /* --rescan: reuse no YARA verdict */
	int allow_unsealed;          /* --allow-unsealed: read a schema-1 baseline */
	int event_log;               /* --event-log: findings to the system log */
	int no_sandbox;              /* --no-sandbox: judge files in-process */
	const char *note;            /* update --note */
	struct exs_strlist accepts;  /* update --accept PATH */
	const char *against;         /* check --against MANIFEST */
	const char *reference;       /* check, update --reference EXPORT */
	int vouched_only;            /* update --vouched-only */
	const char *output;          /* export -o FILE */
	int logs;                    /* check/scan --logs: add the log pass */
	const char *since;           /* --since DATE */
	const char *log_budget;      /* --log-budget SIZE */
	struct exs_strlist log_dirs; /* --log-dir DIR */
	int from_start;              /* --from-start: ignore read positions */
	const char *collect_dir;     /* check/scan --collect CASE */
	const char *zip_path;        /* collect --zip FILE */
	/* state */
	struct exs_config cfg;
	struct exs_discovery discovery; /* what exs_cli_load_config found */
	int roots_from_config;       /* the config file set root or web_root */
	size_t file_roots;           /* the first cfg.roots the file named */
	size_t file_web_roots;       /* the first cfg.web_roots it named */
	char trust_digest[65];       /* SHA-256 of the run's trust store
					(trust_cli.c), set by the sweep set-up */
	int progress_shown;
	uint64_t progress_total;     /* files the sweep will see, 0 unknown
					(check and update: the baseline's) */
	/* The sweep being run (exs_setup_sweep), for what collect callbacks
	 * ask of it (exs_sweep_judge_image); NULL outside a run. */
	struct exs_sweep *sweep;
};

int exs_cli_main(int argc, char **argv, const struct exs_platform *plat);

/* Commands, one file each. They return an exit code. */
int exs_cmd_init(struct exs_cli *cli);
int exs_cmd_check(struct exs_cli *cli);
int exs_cmd_scan(struct exs_cli *cli);
int exs_cmd_rules(struct exs_cli *cli);
int exs_cmd_config(struct exs_cli *cli);
int exs_cmd_info(struct exs_cli *cli);
int exs_cmd_update(struct exs_cli *cli);
int exs_cmd_history(struct exs_cli *cli);
int exs_cmd_export(struct exs_cli *cli);
int exs_cmd_check_against(struct exs_cli *cli);  /* check --against */
int exs_cmd_logs(struct exs_cli *cli);
int exs_cmd_collect(struct exs_cli *cli);       /* verify a case folder */

/* Evidence collection (cmd_collect.c). begin, once the configuration is
 * loaded and before anything is walked: refuses a case folder inside the
 * folders the run walks (walked, web_roots), loads the seal key and
 * creates the case folder (new or empty); *out stays NULL without
 * --collect. run,
 * after exs_cli_finish with its exit code: copies every finding's file
 * into the case, writes the manifest, the report, SHA256SUMS and the seal
 * (store, may be NULL, gives the baseline's records); returns the exit
 * code, or an I/O one when the case could not be written. */
struct exs_collect;
struct exs_store;
int exs_collect_begin(struct exs_cli *cli, const struct exs_strlist *walked,
		      const struct exs_strlist *web_roots,
		      struct exs_collect **out, struct exs_error *err);
int exs_collect_run(struct exs_cli *cli, struct exs_collect *c,
		    struct exs_run *run, struct exs_store *store, int code);
void exs_collect_free(struct exs_collect *c);

/* Shared helpers (common.c). */
int exs_cli_exit_for(int status);
/* Prints err on stderr in git's grammar and returns its exit code. */
int exs_cli_fail(struct exs_cli *cli, const struct exs_error *err);
/* Prints prefix, then text through exs_text_escape (a message that quotes
 * a file name or a rule's text), then a newline. */
void exs_cli_print_text(struct exs_cli *cli, enum exs_stream s,
			const char *prefix, const char *text);
void exs_cli_print(struct exs_cli *cli, enum exs_stream s, const char *fmt, ...)
	EXS_PRINTF(3, 4);
/* Loads the config file and applies the command-line options over it.
 * Roots come from, in rising order: the built-in defaults, what discovery
 * finds (the platform's registry or environment, or --image), the config
 * file's root and web_root keys, the command line. */
int exs_cli_load_config(struct exs_cli *cli, struct exs_error *err);
int exs_cli_load_rules(struct exs_cli *cli, int strict,
		       struct exs_strlist *warnings, struct exs_rules **out,
		       struct exs_error *err);

/* exs_cli_load_rules on a thread of its own while fn runs in the caller's
 * (check and update: fn opens the baseline and verifies its seal; neither
 * needs the other, and each costs tens of milliseconds before the sweep can
 * start). When both fail, the rules' error is the one returned, as when
 * they ran in turn; the rules' warnings come before those fn adds to
 * run->warnings. Without a thread, the rules compile first. */
int exs_cli_rules_beside(struct exs_cli *cli, struct exs_run *run,
			 int (*fn)(void *ctx, struct exs_error *err), void *ctx,
			 struct exs_rules **rules, struct exs_error *err);
unsigned exs_cli_threads(const struct exs_cli *cli);
void exs_cli_progress(void *ctx, const struct exs_progress *p);
void exs_cli_progress_end(struct exs_cli *cli);
/* Writes the JSON report (--json or the report folder) and the summary;
 * returns the run's exit code, or an I/O exit code. */
int exs_cli_finish(struct exs_cli *cli, struct exs_run *run);
/* Reads all of path into text (whose limit caps it): EXS_USAGE "cannot
 * read WHAT: why" when it cannot be read, naming path. */
int exs_cli_read_file(struct exs_cli *cli, const char *path, const char *what,
		      struct exs_buf *text, struct exs_error *err);
/* Takes the baseline lock: PATH.lock, held until *lock is closed. */
int exs_cli_lock(struct exs_cli *cli, const char *baseline,
		 struct exs_file **lock, struct exs_error *err);
/* A removed finding for a path the baseline records as rec; a failure is
 * also in err, at "collect" on path. */
int exs_cli_add_removed(struct exs_run *run, const char *path, size_t len,
			const struct exs_record *rec, struct exs_error *err);
/* An error finding built from an error. */
int exs_cli_add_error(struct exs_run *run, const char *path, size_t len,
		      const struct exs_error *err);

/* 1 when YARA and the heuristics ran over the item's bytes and found
 * nothing: a verdict init and update record (ask before
 * exs_cli_collect_common takes the hits away). */
int exs_cli_scanned_clean(const struct exs_item *item);
/* Fills the run's header: command, host, start time, rules counts. */
void exs_cli_start_run(struct exs_cli *cli, struct exs_run *run,
		       const char *command, const struct exs_rules *rules);
/* What every sweep does with an item: skipped nodes, walk and read errors,
 * YARA hits and scan errors become findings. Returns EXS_OK or EXS_NOMEM;
 * *readable tells whether the item is a file that was read. */
int exs_cli_collect_common(struct exs_run *run, struct exs_item *item,
			   int *readable);



#endif
