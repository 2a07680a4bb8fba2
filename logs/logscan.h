/* logscan.h -- reading log files: discovery, streaming, positions, gzip,
 * the byte budget and the worker threads (the log pass).
 *
 * A pass reads a list of files on N threads, one file at a time per
 * thread, in 1 MiB reads; lines are cut at EXS_LOG_LINE_MAX bytes (the
 * rest of a longer line is skipped and counted, never buffered), so memory
 * is the same for a 1 KiB log and a 100 GiB one. Each parsed request goes
 * to the pass's callback on the worker's thread.
 *
 * Positions: for each file the pass may start at a remembered offset (a
 * line boundary) when the file still starts with the same bytes and is not
 * shorter than it was; otherwise (rotated, truncated, replaced) it reads
 * from the start. After the pass every file's new offset is in the set,
 * ready to be stored (baseline/logpos.c). Gzip files (by their magic bytes,
 * not their name) are read whole, through zlib, unless unchanged.
 */
#ifndef EXS_LOGSCAN_H
#define EXS_LOGSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "strlist.h"
#include "traces.h"
#include "w3c.h"

#define EXS_LOG_LINE_MAX (64u * 1024)   /* longer lines are skipped */
#define EXS_LOG_READ_CHUNK (1u << 20)
#define EXS_LOG_HEAD_MAX 1024           /* bytes digested to know a file */
#define EXS_LOG_DEPTH_MAX 16            /* folder depth under a log root */
#define EXS_LOG_FILES_MAX 200000        /* files per pass */
#define EXS_LOG_FIELDS_MAX 4096         /* a remembered #Fields: line */
#define EXS_LOG_GZ_RATIO 1000           /* inflated bytes per compressed */

struct exs_logpos {
	char *path;              /* owned, NUL-terminated */
	uint64_t size;           /* size when last read */
	uint64_t offset;         /* next run starts here (a line boundary) */
	uint64_t line;           /* lines before offset */
	unsigned char head[32];  /* SHA-256 of the first head_len bytes */
	uint32_t head_len;
	char *fields;            /* the #Fields: line in force at offset */
	int seen;                /* this pass looked at the file */
};

struct exs_logpos_set {
	struct exs_logpos *items;
	size_t count, cap;
	size_t sorted;           /* items[0..sorted) are in path order */
};

/* Binary search over the sorted part, then the few added since. */
struct exs_logpos *exs_logpos_find(struct exs_logpos_set *set,
				   const char *path);
/* Puts every item in path order (exs_logscan_run does after its merge). */
void exs_logpos_sort(struct exs_logpos_set *set);
/* Drops the positions of files not in files (deleted logs): the table
 * stays the size of the log folders. */
int exs_logpos_keep_only(struct exs_logpos_set *set,
			 const struct exs_strlist *files);
/* Adds (copies) or replaces; EXS_NOMEM. */
int exs_logpos_put(struct exs_logpos_set *set, const struct exs_logpos *p);
/* Adds (copies) a path known not to be in the set yet, without a search. */
int exs_logpos_append(struct exs_logpos_set *set, const struct exs_logpos *p);
/* The binary search alone (the sorted part). */
struct exs_logpos *exs_logpos_find_sorted(struct exs_logpos_set *set,
					  const char *path);
void exs_logpos_free(struct exs_logpos_set *set);

/* One parsed request, on a worker thread. file is the log's path, worker
 * the thread's index (0..threads-1). s holds the decoded path and query
 * (traces.h) when the pass matched traces. Return nonzero to stop. */
typedef int (*exs_logscan_fn)(void *ctx, unsigned worker, const char *file,
			      struct exs_logreq *r,
			      struct exs_trace_scratch *s,
			      const struct exs_technique *const *hits,
			      size_t hit_count);

struct exs_logscan_stats {
	uint64_t files, gz_files, bytes, lines, requests, bad, overlong;
	uint64_t resumed, restarted, unchanged, skipped_old;
	uint64_t budget_left_files;   /* files not (fully) read: budget */
	int budget_hit;
};

/* One file that could not be read. */
typedef void (*exs_logscan_error_fn)(void *ctx, const char *path,
				     const struct exs_error *err);

struct exs_logscan {
	const struct exs_platform *plat;
	unsigned threads;            /* 1..32 */
	int64_t since_ns;            /* 0: all; lines before are skipped */
	uint64_t budget;             /* bytes read in this pass; 0: no cap */
	struct exs_logpos_set *positions; /* NULL: every file from its start */
	int match_traces;            /* run exs_traces_match on every line */
	exs_logscan_fn fn;
	exs_logscan_error_fn on_error;
	void *ctx;
	struct exs_logscan_stats stats;  /* out */
};

/* Finds the regular files under each root (a file root is taken as is),
 * depth at most EXS_LOG_DEPTH_MAX, without following links. Folders and
 * files that cannot be read go to on_error. Names are not filtered: a log
 * folder is read whole, whatever an attacker named a file in it. */
int exs_logscan_discover(const struct exs_platform *plat,
			 const struct exs_strlist *roots,
			 struct exs_strlist *files,
			 exs_logscan_error_fn on_error, void *ctx,
			 struct exs_error *err);

/* Reads every file of the list. Returns EXS_OK (files that could not be
 * read went to on_error), EXS_NOMEM, or what the callback returned. */
int exs_logscan_run(struct exs_logscan *ls, const struct exs_strlist *files,
		    struct exs_error *err);

/* Reads one buffer as a whole log (fuzzing, unit tests): the same line
 * cutting and parsing as a file, one thread. Returns the callback's
 * nonzero value or EXS_OK. */
int exs_logscan_buffer(const char *data, size_t len, int match_traces,
		       exs_logscan_fn fn, void *ctx,
		       struct exs_logscan_stats *stats);

#endif
