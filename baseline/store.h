/* store.h -- the baseline: a SQLite database of file records, kept as a
 * series of generations.
 *
 * The store knows nothing of walking, hashing or YARA: it keeps records keyed
 * by path bytes, a few meta values (roots, creation), and one row per
 * generation (created, note, host, tool version, Exchange build, digests of
 * the rules and the configuration, file count, seal). A file row is valid
 * from generation gen_from to gen_to (NULL: still current), so a generation
 * costs only its changes and every earlier one can be told again.
 *
 * Schema 2 is the one written. A schema-1 baseline (one generation, no
 * generation table, no seal) is read by check as generation 1 and migrated
 * when update copies it.
 *
 * Writing (init, update) never touches an existing baseline: the new one is
 * built in "PATH.new" beside it (update starts from a copy made through the
 * platform) and swapped in with one atomic rename after it has been sealed
 * and synced to disk, so a crash or kill -9 at any moment leaves the old
 * baseline intact and usable, at worst with a stale PATH.new that the next
 * run removes. A baseline is complete only when its meta "complete" row is
 * set, in the last transaction before the swap.
 *
 * Reading (check) opens the database read-only, verifies the schema version,
 * the completion mark, SQLite's quick_check and the row count, and then
 * (exs_store_verify_seal) the HMAC seal over the whole content. Removed
 * files are found by marking every walked path as seen (a set in memory)
 * and listing the current paths not seen.
 */
#ifndef EXS_STORE_H
#define EXS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "record.h"
#include "registration.h"
#include "signature.h"

#define EXS_STORE_SCHEMA_VERSION 2

#define EXS_GEN_TEXT_MAX 256

/* One generation (one row of the generations table). */
struct exs_generation {
	int64_t id;
	char created[40];                 /* "2026-11-23T18:49:11Z" */
	char note[EXS_GEN_TEXT_MAX];
	char host[EXS_GEN_TEXT_MAX];
	char tool_version[32];
	char exchange_build[32];          /* "15.2.1118.7", "" if unknown */
	char rules_digest[65];            /* hex SHA-256 */
	char config_digest[65];
	uint64_t file_count;
	char seal[65];                    /* hex HMAC-SHA256, "" if unsealed */
};

struct exs_store;
struct exs_store_reader;

/* Starts a new baseline to replace path (which need not exist). EXS_EXISTS if
 * path exists and force is 0. */
int exs_store_create(const struct exs_platform *plat, const char *path,
		     int force, struct exs_store **out, struct exs_error *err);
int exs_store_set_meta(struct exs_store *s, const char *key,
		       const char *value, struct exs_error *err);
/* Adds one record; writes are batched into large transactions. */
int exs_store_add(struct exs_store *s, const char *path, size_t path_len,
		  const struct exs_record *rec, struct exs_error *err);
/* Records generation gen (id, file_count and seal are filled in), seals the
 * whole baseline with key, marks it complete, syncs it and atomically
 * replaces the old one. Frees s whether it succeeds or not; on failure the
 * old baseline is kept. */
int exs_store_commit(struct exs_store *s, struct exs_generation *gen,
		     const unsigned char *key, size_t key_len,
		     struct exs_error *err);
/* Drops the baseline being built; the old one is untouched. Frees s. */
void exs_store_abort(struct exs_store *s);

/* Opens an existing baseline for check. EXS_BASELINE (os_code ENOENT-like,
 * op "open") if it does not exist; EXS_CORRUPT if it is not a complete
 * exsweep baseline of a known schema, with the reason in err->detail. */
int exs_store_open(const struct exs_platform *plat, const char *path,
		   struct exs_store **out, struct exs_error *err);
/* 1 or 2. A schema-1 baseline carries no seal; exs_store_open refuses one
 * that says schema 1 but has anything only a sealed baseline has (EXS_SEAL:
 * a rewritten schema_version), and its readers reuse no YARA verdict. */
int exs_store_schema(struct exs_store *s);
/* Recomputes the seal over the whole content and compares it with the
 * newest generation's: EXS_SEAL when they differ or it is missing, and for
 * a schema-1 baseline, which has none. */
int exs_store_verify_seal(struct exs_store *s, const unsigned char *key,
			  size_t key_len, struct exs_error *err);
/* The seal over the current content (hex), whatever is recorded. */
int exs_store_compute_seal(struct exs_store *s, const unsigned char *key,
			   size_t key_len, char *hex, struct exs_error *err);
/* Every generation, oldest first (malloc'd; a schema-1 baseline gives one
 * made from its meta values). */
int exs_store_generations(struct exs_store *s, struct exs_generation **out,
			  size_t *count, struct exs_error *err);
/* Calls fn for every row ever recorded for path, oldest first; gen_to is 0
 * for a row that is still current. */
int exs_store_path_history(struct exs_store *s, const char *path,
			   size_t path_len,
			   int (*fn)(void *ctx, int64_t gen_from, int64_t gen_to,
				     const struct exs_record *rec),
			   void *ctx, struct exs_error *err);

/* Starts the next generation of the verified baseline src: copies its file
 * to PATH.new through the platform, migrates it to schema 2 if needed, and
 * returns a store to apply changes to. src stays open for lookups. */
int exs_store_begin_update(struct exs_store *src, struct exs_store **out,
			   struct exs_error *err);
/* exs_store_commit for s from exs_store_begin_update(src): also closes
 * and frees src, the baseline being replaced, after s is sealed and synced
 * and before the rename. Windows cannot rename over a file that is still
 * open without delete sharing, and SQLite opens none with it; the caller's
 * lock file keeps other runs out meanwhile. Frees s and src whether it
 * succeeds or not; on failure the old baseline is kept. */
int exs_store_commit_update(struct exs_store *s, struct exs_store *src,
			    struct exs_generation *gen,
			    const unsigned char *key, size_t key_len,
			    struct exs_error *err);
/* Accepts rec as path's record in the new generation: the row that was
 * current (if any) ends with the previous generation. */
int exs_store_accept(struct exs_store *s, const char *path, size_t path_len,
		     const struct exs_record *rec, struct exs_error *err);
/* Ends path's current row with the previous generation (a removed file). */
int exs_store_retire(struct exs_store *s, const char *path, size_t path_len,
		     struct exs_error *err);

/* A meta value, "" when absent. */
int exs_store_get_meta(struct exs_store *s, const char *key, char *buf,
		       size_t cap);
uint64_t exs_store_count(struct exs_store *s);

/* A reader for lookups from one thread. */
int exs_store_reader_open(struct exs_store *s, struct exs_store_reader **out,
			  struct exs_error *err);
/* *found is 1 and *out filled when path is in the baseline. */
int exs_store_lookup(struct exs_store_reader *r, const char *path,
		     size_t path_len, struct exs_record *out, int *found,
		     struct exs_error *err);
void exs_store_reader_close(struct exs_store_reader *r);

/* A quicker question for a file already hashed, from the rows the seal
 * check read (index.c): is path_key's path a current row, and is rec_key
 * its record's key (hash.h)? EXS_PROBE_UNKNOWN when there is no index
 * (a baseline not sealed): then ask exs_store_lookup. On EXS_PROBE_DIFFERS
 * exs_store_lookup tells what differs. */
enum {
	EXS_PROBE_UNKNOWN,
	EXS_PROBE_ABSENT,
	EXS_PROBE_SAME,
	EXS_PROBE_DIFFERS,
};
int exs_store_probe(struct exs_store_reader *r,
		    const unsigned char path_key[16],
		    const unsigned char rec_key[16]);
/* Marks a path by its key, as exs_store_mark_seen does by its bytes. */
int exs_store_mark_seen_key(struct exs_store *s, const unsigned char key[16],
			    int in_baseline, struct exs_error *err);

/* Marks a walked path as seen (from one thread only); in_baseline says
 * that a lookup (exs_store_lookup) found it. When every current row was
 * found so, exs_store_each_unseen knows there is nothing to list without
 * reading the rows again. */
int exs_store_mark_seen(struct exs_store *s, const char *path,
			size_t path_len, int in_baseline,
			struct exs_error *err);
/* Calls fn for every baseline record whose path was not marked seen and for
 * which keep(ctx, path, len) returns nonzero (keep may be NULL). A nonzero
 * return from fn stops the iteration and is returned. */
int exs_store_each_unseen(struct exs_store *s,
			  int (*keep)(void *ctx, const char *path, size_t len),
			  int (*fn)(void *ctx, const char *path, size_t len,
				    const struct exs_record *rec),
			  void *ctx, struct exs_error *err);
void exs_store_close(struct exs_store *s);

/* YARA verdicts (see store.c): records that these bytes were scanned clean
 * by the rule set with this digest (init and update), and asks it (check,
 * from a worker's reader; 0 when unknown or when the baseline has none). */
int exs_store_add_verdict(struct exs_store *s,
			  const unsigned char sha256[EXS_SHA256_LEN],
			  const char *rules_digest, struct exs_error *err);
/* Reads every verdict of rules_digest into memory once (before the readers
 * share the store), so that exs_store_known_clean with that digest asks no
 * SQL; without verdicts (schema 1, no table) it leaves nothing loaded. */
int exs_store_load_verdicts(struct exs_store *s, const char *rules_digest,
			    struct exs_error *err);
int exs_store_known_clean(struct exs_store_reader *r,
			  const unsigned char sha256[EXS_SHA256_LEN],
			  const char *rules_digest);

/* Signatures (see store.c): the Authenticode verdict of a PE image's bytes
 * under the trust store with digest trust (hex SHA-256 of the trust blob),
 * recorded by init and update (a status of EXS_SIG_NONE is not recorded),
 * and asked by SHA-256 from a reader: 1 and *out filled when the baseline
 * knows these bytes under that trust store (trust NULL: under any, the
 * latest recorded), else 0 (also for a baseline without the table). With
 * exs_sig_vouched (inspect/pe_policy.h) this answers "is this record's
 * image validly signed by a vouched signer". */
int exs_store_add_signature(struct exs_store *s,
			    const unsigned char sha256[EXS_SHA256_LEN],
			    const char *trust, const struct exs_signature *sig,
			    struct exs_error *err);
int exs_store_signature(struct exs_store_reader *r,
			const unsigned char sha256[EXS_SHA256_LEN],
			const char *trust, struct exs_signature *out);

/* ---- Log read positions (baseline/logpos.c) ----------------------------------
 * Where the log pass stopped in each log file, so that a scheduled run reads
 * only what is new. Kept in the baseline file, under its file seal (so an
 * attacker who moves a position past his own lines breaks the seal), but
 * outside the content seal: a position is not part of any generation, and
 * the generation seals that left the host in reports stay what they were.
 * A logs-only table: never compared, never baselined. */
struct exs_store_logpos {
	const char *path;
	uint64_t size, offset, line;
	unsigned char head[32];        /* SHA-256 of the first head_len bytes */
	uint32_t head_len;
	const char *fields;            /* #Fields: line in force, or NULL */
};
/* Calls fn for every remembered position (none in an older baseline). */
int exs_store_each_log_position(struct exs_store *s,
				int (*fn)(void *ctx,
					  const struct exs_store_logpos *p),
				void *ctx, struct exs_error *err);
/* Replaces the remembered positions with rows[0..count): a copy of the
 * verified baseline is made, the table rewritten, the file sealed again
 * with key and swapped in, as update does (a crash keeps the old file).
 * Takes src over: it is closed, whatever the outcome (just before the
 * rename on success, which Windows refuses over an open database), so the
 * caller saves positions when it is done reading the baseline and never
 * touches src again. The caller holds the baseline lock. EXS_UNSUPPORTED for a schema-1 baseline (run update
 * first). */
int exs_store_save_log_positions(struct exs_store *src,
				 const struct exs_store_logpos *rows,
				 size_t count, const unsigned char *key,
				 size_t key_len, struct exs_error *err);

/* SQLite's version as linked ("3.40.1"). */
const char *exs_store_library_version(void);

/* Configuration registrations (registrations.c), kept by the SHA-256 of
 * the config file's bytes. add: init and update, into the store being
 * built (bytes already recorded are left as they are). lookup: *known is 0
 * when these bytes were never read (or the baseline predates the table);
 * *out is malloc'd. has: whether the table exists. */
int exs_store_add_registrations(struct exs_store *s,
				const unsigned char sha256[EXS_SHA256_LEN],
				const struct exs_registration *r, size_t n,
				struct exs_error *err);
int exs_store_registrations(struct exs_store *s,
			    const unsigned char sha256[EXS_SHA256_LEN],
			    struct exs_registration **out, size_t *count,
			    int *known, struct exs_error *err);
int exs_store_has_registrations(struct exs_store *s);

#endif
