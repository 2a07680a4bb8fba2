/* run.h -- everything a report says about one run: what was asked, what
 * was walked, what was found. Commands fill it; report writers read it.
 */
#ifndef EXS_RUN_H
#define EXS_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "exchange_build.h"
#include "finding.h"
#include "signature.h"
#include "platform.h"
#include "spill.h"
#include "store.h"
#include "strlist.h"

#define EXS_SKIPPED_LIST_MAX 10000

struct exs_skipped {
	char *path;
	size_t path_len;
	enum exs_node node;
};

/* The Authenticode verdict of one PE image the run read (inspect/). */
#define EXS_SIGNATURES_LIST_MAX 100000
struct exs_sig_entry {
	char *path;
	size_t path_len;
	struct exs_signature sig;
};

/* Who requested one file, from the logs (logs/hits.c): for a webshell,
 * suspicious or removed finding, or a script page requested with success
 * that is no longer on disk. Bounded: top lists are cut at EXS_URL_TOP. */
#define EXS_URL_TOP 10
#define EXS_URL_VALUE_MAX 256
struct exs_url_count {
	char value[EXS_URL_VALUE_MAX];   /* as logged, cut */
	uint64_t count;
};
struct exs_url_hits {
	char *path;                      /* owned: the file's path */
	size_t path_len;
	char url[1024];                  /* "/owa/auth/x.aspx" */
	char site[128];                  /* "Default Web Site (W3SVC1)" */
	int on_disk;                     /* 0: requested, but no file there */
	int orphan;                      /* 1: no finding names it (a script
					    page requested with success whose
					    file is gone) */
	uint64_t count;
	int64_t first_ns, last_ns;
	char first_log[512], last_log[512];
	uint64_t first_line, last_line;
	uint64_t distinct_clients;       /* at least; more past the table */
	struct exs_url_count clients[EXS_URL_TOP];
	struct exs_url_count methods[EXS_URL_TOP];
	struct exs_url_count statuses[EXS_URL_TOP];
	struct exs_url_count agents[EXS_URL_TOP];
	struct exs_url_count other_urls[2 * EXS_URL_TOP]; /* same clients, window */
	unsigned n_clients, n_methods, n_statuses, n_agents, n_other_urls;
	uint64_t in_bytes, out_bytes, max_in_bytes, max_out_bytes;
	int has_in_bytes, has_out_bytes;
};

/* What the log pass read (check --logs, scan --logs, logs). */
struct exs_log_summary {
	int ran;
	uint64_t files, gz_files, bytes, lines, requests, bad_lines, overlong;
	uint64_t resumed, restarted, unchanged, skipped_old, unread_files;
	int budget_hit;
	uint64_t traces_dropped;         /* past the cap on trace findings */
	int64_t since_ns;                /* 0: none */
	int positions;                   /* positions were read and saved */
	double seconds;
};

/* What provenance made of the changes (provenance.h): counts per reason. */
struct exs_prov_summary {
	int ran;
	const char *reference;           /* the reference export, or NULL */
	char reference_build[32];        /* its exchange_build, "" if none */
	int reference_used;              /* 0: of another build, not used */
	int vouched_only;                /* update --vouched-only */
	uint64_t by[EXS_WHY_COUNT];      /* findings per enum exs_vouch_why */
	uint64_t vouched, not_vouched, emphasized;
	uint64_t kept;                   /* update --vouched-only: not taken */
};

struct exs_run {
	const char *command;             /* "init", "check", "scan" */
	char host[256];
	int64_t started_ns, finished_ns;
	const struct exs_strlist *roots;
	const struct exs_strlist *web_roots;
	const char *baseline_path;       /* NULL for scan */
	char baseline_created[64];
	uint64_t baseline_files;
	unsigned rules_builtin, rules_extra, rule_count;
	uint64_t files, bytes, scanned;
	uint64_t reused;                 /* check: verdicts reused, not rescanned */
	uint64_t shared;                 /* judged with an identical file's
					    clean verdict (sweep.c) */
	uint64_t volatile_churn;         /* check: files added, changed or
					    removed in a compilation cache
					    (Temporary ASP.NET Files), judged
					    but not listed */
	uint64_t skipped;                /* all of them */
	struct exs_skipped *skipped_list; /* the first EXS_SKIPPED_LIST_MAX */
	size_t skipped_listed;
	uint64_t counts[EXS_FINDING_KIND_COUNT];
	/* The findings: in memory while they are few, then all of them in a
	 * temporary table (spill.h), so that memory does not grow with the
	 * tree. Read them with exs_run_each_finding. */
	struct exs_finding *findings;
	size_t finding_count, finding_cap;
	struct exs_spill *spill;
	struct exs_strlist warnings;     /* rule warnings and the like */
	int exit_code;
	/* The baseline's generations (owned), oldest first; the newest is the
	 * one compared with. Their seals go into every report. */
	struct exs_generation *generations;
	size_t generation_count;
	int baseline_schema;             /* 1: unsealed; 0: no baseline */
	int rules_changed, config_changed; /* since the newest generation;
					      -1 unknown */
	struct exs_build build;          /* the Exchange build of the tree
					    walked (exchange_build.h) */
	const char *against;             /* check --against MANIFEST */
	/* update: what the new generation took in, and what it refused */
	int64_t new_generation;          /* 0 if none was written */
	uint64_t accepted_added, accepted_changed, accepted_removed;
	uint64_t refused;
	/* provenance of the changes (check, update --vouched-only) */
	struct exs_prov_summary provenance;
	/* PE images and their signatures: counts by status (all of them) and
	 * the first EXS_SIGNATURES_LIST_MAX entries, sorted by path */
	uint64_t sig_counts[EXS_SIG_STATUS_MAX + 1];
	uint64_t sig_total;
	struct exs_sig_entry *signatures;
	size_t sig_listed, sig_cap;
	/* the log pass */
	struct exs_log_summary logs;
	struct exs_url_hits *url_hits;   /* owned, url_hit_count of them */
	size_t url_hit_count;
};

/* The log requests of path (a finding's), NULL if none were looked up. */
const struct exs_url_hits *exs_run_url_hits(const struct exs_run *run,
					    const char *path, size_t len);

/* Findings kept in memory before they all move to the temporary table. */
#define EXS_FINDINGS_IN_MEMORY 4096

/* Appends a finding (copied; path copied; hits and message taken over).
 * Returns EXS_OK, EXS_NOMEM, or EXS_IO when the temporary table failed. */
int exs_run_add(struct exs_run *run, const struct exs_finding *f);
int exs_run_add_skipped(struct exs_run *run, const char *path, size_t len,
			enum exs_node node);
/* Records the signature verdict of one image (status not EXS_SIG_NONE). */
int exs_run_add_signature(struct exs_run *run, const char *path, size_t len,
			  const struct exs_signature *sig);
/* Sorts findings into report order: by kind, then by path bytes. */
void exs_run_sort(struct exs_run *run);
/* Calls fn for every finding in report order (after exs_run_sort). f and
 * everything it points to are valid only during the call. fn returns
 * EXS_RUN_STOP to end the walk early (the walk then returns EXS_OK); any
 * other nonzero return stops the walk and is returned, and so is a failure
 * to read the temporary table (EXS_IO). */
#define EXS_RUN_STOP (-1)
typedef int (*exs_finding_fn)(void *ctx, const struct exs_finding *f);
int exs_run_each_finding(const struct exs_run *run, exs_finding_fn fn,
			 void *ctx);
/* Calls fn for every finding of one kind and path, in report order (a
 * lookup: a binary search, or the temporary table's index). May be called
 * from inside the fn of exs_run_each_finding. */
int exs_run_each_at(const struct exs_run *run, enum exs_finding_kind kind,
		    const char *path, size_t len, exs_finding_fn fn, void *ctx);
/* Calls fn for every finding (in the order they are kept) with a finding
 * it may change in place (not its kind, path or pointers); fn returns
 * EXS_OK to keep it, EXS_RUN_DROP to drop it (counts follow), or an error
 * status, which stops the walk and is returned. The spilled findings are
 * written anew. EXS_OK, EXS_NOMEM, EXS_IO or fn's status. */
#define EXS_RUN_DROP (-2)
int exs_run_rewrite(struct exs_run *run,
		    int (*fn)(void *ctx, struct exs_finding *f), void *ctx);
/* The AIDE-style bits: 1 added, 2 removed, 4 changed, 8 webshell. */
int exs_run_finding_bits(const struct exs_run *run);
void exs_run_free(struct exs_run *run);

const char *exs_node_name(enum exs_node node);

/* Where report text goes: a file, stdout, or a buffer in tests. */
struct exs_sink {
	int (*write)(void *ctx, const char *text, size_t len);
	void *ctx;
};

/* The JSON report (README, "The JSON report"). */
int exs_report_json(const struct exs_run *run, const struct exs_sink *out);
/* The NDJSON report (report/ndjson.c, README "The NDJSON report"): ECS
 * file events, OCSF Detection Findings and an OCSF Scan Activity, one per
 * line. windows: records hold Windows file attributes and SIDs and paths
 * split at '\\' (the platform's separator). */
int exs_report_ndjson(const struct exs_run *run, int windows,
		      const struct exs_sink *out);
/* The human summary, findings first. verbose lists every finding; otherwise
 * long lists are cut with a "... N more" line. */
int exs_report_text(const struct exs_run *run, const struct exs_sink *out,
		    int verbose);

/* The newest generation, NULL without a baseline. */
const struct exs_generation *exs_run_generation(const struct exs_run *run);

/* "2026-11-23T18:49:11Z" */
void exs_format_time(int64_t ns, char *buf, size_t cap);
/* The same from seconds since 1970 (any int64: no multiply by 1e9). */
void exs_format_time_s(int64_t secs, char *buf, size_t cap);

#endif
