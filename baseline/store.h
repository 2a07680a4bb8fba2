/* store.h -- the baseline: a SQLite database of file records.
 *
 * The store knows nothing of walking, hashing or YARA: it keeps records keyed
 * by path bytes, and a few meta values (schema version, tool version, host,
 * roots, creation time).
 *
 * Writing (init) never touches an existing baseline: the new one is built in
 * "PATH.new" beside it and swapped in with one atomic rename after it has been
 * synced to disk, so a crash or kill -9 at any moment leaves the old baseline
 * intact and usable, at worst with a stale PATH.new that the next init removes.
 * A baseline is complete only when its meta "complete" row is set, which
 * happens in the last transaction before the swap.
 *
 * Reading (check) opens the database read-only, verifies the schema version,
 * the completion mark and SQLite's quick_check, and hands out per-thread
 * readers for lookups. Removed files are found by marking every walked path
 * as seen (in a temporary table) and listing the baseline paths not seen.
 */
#ifndef EXS_STORE_H
#define EXS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "record.h"

#define EXS_STORE_SCHEMA_VERSION 1

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
/* Marks the baseline complete, syncs it and atomically replaces the old one.
 * Frees s whether it succeeds or not; on failure the old baseline is kept. */
int exs_store_commit(struct exs_store *s, struct exs_error *err);
/* Drops the baseline being built; the old one is untouched. Frees s. */
void exs_store_abort(struct exs_store *s);

/* Opens an existing baseline for check. EXS_BASELINE (os_code ENOENT-like,
 * op "open") if it does not exist; EXS_CORRUPT if it is not a complete
 * exsweep baseline of a known schema, with the reason in err->detail. */
int exs_store_open(const struct exs_platform *plat, const char *path,
		   struct exs_store **out, struct exs_error *err);
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

/* Marks a walked path as seen (from one thread only). */
int exs_store_mark_seen(struct exs_store *s, const char *path,
			size_t path_len, struct exs_error *err);
/* Calls fn for every baseline record whose path was not marked seen and for
 * which keep(ctx, path, len) returns nonzero (keep may be NULL). A nonzero
 * return from fn stops the iteration and is returned. */
int exs_store_each_unseen(struct exs_store *s,
			  int (*keep)(void *ctx, const char *path, size_t len),
			  int (*fn)(void *ctx, const char *path, size_t len,
				    const struct exs_record *rec),
			  void *ctx, struct exs_error *err);
void exs_store_close(struct exs_store *s);

#endif
