/* judge.h -- judging a file's bytes (the YARA rules and the heuristics; later
 * the code analysis and the PE and config parsers) in a sandboxed worker
 * process, so that a parser bug an attacker's file triggers cannot be
 * turned against the host.
 *
 *   sweep worker thread                       scan worker process
 *   opens, reads, hashes the file    JUDGE    no rights: unprivileged user,
 *   (the privileged side) ---------------->   no files, no network, a
 *                                  <--------  system-call filter; runs the
 *   checks the verdict as hostile  VERDICT    judges over the bytes
 *
 * Each sweep worker thread owns one exs_judge and so one worker process,
 * which keeps the pipeline's parallelism. The parent compiles the rules and
 * sends them once per worker start (judge_wire.h has the messages). A worker
 * that crashes, is killed, overruns its time (the YARA timeout plus
 * EXS_JUDGE_MARGIN_S) or sends a malformed reply is stopped; that file gets
 * an EXS_WORKER error, and the next file starts a new worker.
 *
 * Without the sandbox (exs_judge_config.sandbox == 0, the --no-sandbox
 * option) the same judges run in-process, as before the sandbox existed.
 */
#ifndef EXS_JUDGE_H
#define EXS_JUDGE_H

#include <stddef.h>
#include <stdint.h>

#include "heuristics.h"
#include "judge_wire.h"
#include "platform.h"
#include "rules.h"

#define EXS_JUDGE_MARGIN_S 5u   /* beyond the YARA timeout, per file */
#define EXS_JUDGE_START_S 30u   /* for a worker to start and load rules */

struct exs_judge_config {
	const struct exs_platform *plat;
	struct exs_rules *rules;        /* NULL: no YARA */
	const struct exs_heuristics *heuristics; /* in-process only: the
						    worker loads its own */
	unsigned yara_timeout;          /* seconds */
	uint64_t max_size;              /* largest file judged */
	int sandbox;                    /* 1: worker processes */
	const char *user;               /* account of the workers (root) */
	uint64_t memory;                /* memory limit of a worker */
	unsigned gate;                  /* EXS_ENGINE_GATE* bits */
	/* The Authenticode judge's trust store (authenticode.h's blob), read
	 * by the parent from [trust] ca_file/ca_dir; sent in INIT. */
	const unsigned char *trust_blob;
	size_t trust_len;
};

struct exs_judge_request {
	unsigned want;                  /* EXS_WANT(kind) bits */
	const char *path;
	size_t path_len;
	struct exs_judge_vars vars;     /* YARA's external variables */
	const unsigned char *data;
	size_t len;
};

/* What one run shares between its judges: the configuration and, when
 * sandboxed, the serialised rules. */
struct exs_judges;
int exs_judges_create(const struct exs_judge_config *cfg,
		      struct exs_judges **out, struct exs_error *err);
void exs_judges_free(struct exs_judges *js);

/* One judge per thread. Sandboxed, it starts its worker now: EXS_SANDBOX
 * when the sandbox cannot be set up (the run should stop). */
struct exs_judge;
int exs_judge_create(struct exs_judges *js, struct exs_judge **out,
		     struct exs_error *err);
/* n judges at once (out[0..n-1]; all NULL on failure): the workers are all
 * spawned before the first is waited for, so they start up side by side. */
int exs_judge_create_n(struct exs_judges *js, struct exs_judge **out,
		       unsigned n, struct exs_error *err);
/* Judges one file into *v (the caller frees it with exs_verdict_free).
 * EXS_WORKER when the worker failed on this file: err says how (crashed,
 * killed, timed out, malformed reply, could not be restarted) and *v is
 * empty. */
int exs_judge_run(struct exs_judge *j, const struct exs_judge_request *rq,
		  struct exs_verdict *v, struct exs_error *err);
/* Stops the worker (if any) and frees the judge. */
void exs_judge_free(struct exs_judge *j);

/* ---- The judges themselves, shared by both sides ------------------------- */

/* The gate (detect/gate.h, [scan] gate): the built-in rules and the code
 * analysis only on files with server-code markers; with _EXTRA ([yara]
 * gate_extra_rules) the extra rules too. */
#define EXS_ENGINE_GATE 1u
#define EXS_ENGINE_GATE_EXTRA 2u

struct exs_trust;
struct exs_engine {
	struct exs_scanner *scanner;             /* NULL: no YARA */
	const struct exs_heuristics *heuristics; /* NULL: none */
	unsigned gate;                           /* EXS_ENGINE_GATE* bits */
	const struct exs_trust *trust;           /* NULL: nothing chains */
};

/* Runs what rq->want asks for into *v; never fails as a whole (each part
 * carries its own status). */
void exs_engine_judge(struct exs_engine *e, const struct exs_judge_request *rq,
		      struct exs_verdict *v);

/* The hidden worker mode: `exsweep --sandbox-worker ARG`. Enters the
 * sandbox, then serves requests on the channel until the parent closes it.
 * Returns the process's exit code. */
int exs_judge_worker_main(const struct exs_platform *plat, const char *arg);

/* Tests only: a function that every judgement also calls, inside the worker
 * when sandboxed, which can add hits to part (tests/sandbox/ sets one that
 * tries to open a file, a socket, to crash or to hang when a file asks it
 * to). Never set by the exsweep binary, which so has no such code. */
typedef void (*exs_judge_test_hook)(const unsigned char *data, size_t len,
				    struct exs_verdict_part *part);
void exs_judge_set_test_hook(exs_judge_test_hook fn);

#endif
