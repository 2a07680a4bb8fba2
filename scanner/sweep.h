/* sweep.h -- the pipeline shared by init, check and scan: one walker thread,
 * N worker threads that read each file once, and the collector on the
 * calling thread.
 *
 *   walker --(bounded job queue)--> workers --(bounded result queue)--> collector
 *
 * A worker opens the file through the platform (no follow, no block), checks
 * its type on the handle, and reads it once: the same bytes feed SHA-256 and,
 * when the file is in YARA's scope and not larger than the YARA limit, the
 * YARA scan. In check mode the worker also looks the path up in the baseline
 * (one reader per worker) so that it knows whether an unchanged non-web file
 * needs scanning at all.
 */
#ifndef EXS_SWEEP_H
#define EXS_SWEEP_H

#include <stdint.h>

#include "item.h"
#include "platform.h"
#include "heuristics.h"
#include "rules.h"
#include "store.h"
#include "walk.h"

enum exs_sweep_mode {
	EXS_SWEEP_INIT,   /* hash everything, scan web files */
	EXS_SWEEP_CHECK,  /* hash, compare, scan web and added/changed files */
	EXS_SWEEP_SCAN,   /* scan (and hash) everything */
};

struct exs_progress {
	uint64_t files;
	uint64_t bytes;
	int64_t elapsed_ns;
};

struct exs_sweep {
	const struct exs_platform *plat;
	enum exs_sweep_mode mode;
	const struct exs_strlist *roots;     /* as from exs_walk_roots */
	const struct exs_strlist *web_roots;
	const struct exs_excludes *excludes;
	unsigned max_depth;
	unsigned threads;                    /* >= 1 */
	uint64_t yara_max_size;
	unsigned yara_timeout;
	struct exs_rules *rules;             /* NULL: no YARA */
	const struct exs_heuristics *heuristics; /* NULL: none */
	/* YARA and the heuristics run in sandboxed worker processes, one per
	 * thread (judge.h), unless sandbox is 0 (--no-sandbox). */
	int sandbox;
	const char *sandbox_user;            /* [sandbox] user */
	uint64_t sandbox_memory;             /* [sandbox] memory_limit */
	struct exs_store *baseline;          /* check mode */
	/* PE images (by name, up to yara_max_size) are judged for their
	 * Authenticode signature against this trust store (judge.h), and
	 * the PE heuristics (inspect/pe_policy.h) run over the verdict with
	 * these vouched signers: in scan for every image, in check for added
	 * and changed ones (init records the verdicts only). */
	const unsigned char *trust_blob;
	size_t trust_len;
	/* Its digest: in check, an unchanged image whose verdict the baseline
	 * holds under the same trust store is not judged again. */
	const char *trust_digest;
	/* 1: do not ask the system's catalogs (platform catalog_verify) about
	 * unsigned images: --image, whose catalogs are not this host's. */
	int no_catalogs;
	const struct exs_strlist *signers;
	/* The rule set's digest. In check, an unchanged web file whose bytes
	 * the baseline knows clean under this digest is not scanned again
	 * (reuse_verdicts); init and update record such verdicts. */
	const char *rules_digest;
	int reuse_verdicts;
	/* EXS_ENGINE_GATE* bits (judge.h): which files the built-in rules, the
	 * code analysis and the extra rules skip. */
	unsigned gate;
	/* Called on the calling thread for each item; it may take item->hits
	 * (set them NULL). A nonzero return stops the sweep and is returned. */
	int (*collect)(void *ctx, struct exs_item *item);
	/* Called on the calling thread about four times a second; may be NULL. */
	void (*progress)(void *ctx, const struct exs_progress *p);
	void *ctx;
	/* Filled by the run. */
	uint64_t files, bytes, scanned, reused;
	uint64_t shared;    /* judged with the clean verdict of identical bytes
			       (this run's, or the baseline's) */
	unsigned long long dirs, excluded;
	struct exs_sweep_images *images;  /* the run's: exs_sweep_judge_image */
};

int exs_sweep_run(struct exs_sweep *s, struct exs_error *err);

/* For the collect callback only (the calling thread, during the run): the
 * Authenticode verdict of the image at path, a file the walk need not
 * have met (a configuration's registration names it). The privileged side
 * opens it as the workers do (no link followed) and reads it; a judge of
 * the collector's own, started on first use, parses the bytes, sandboxed
 * like the workers'; an unsigned image is then asked of the system's
 * catalogs as the workers do. Verdicts are kept by path for the run.
 * Returns EXS_OK with out->status set (EXS_SIG_NONE: not a PE image), or
 * the reason it could not tell: EXS_UNSUPPORTED without a judge (no rules:
 * --no-yara), EXS_LIMIT past [yara] max_file_size, the open's or read's
 * error, EXS_WORKER when the judge failed. */
int exs_sweep_judge_image(struct exs_sweep *s, const char *path,
			  struct exs_signature *out, struct exs_error *err);

#endif
