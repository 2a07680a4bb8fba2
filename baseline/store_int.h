/* store_int.h -- what store.c and generations.c share about a baseline
 * handle. Not for use outside baseline/.
 */
#ifndef EXS_STORE_INT_H
#define EXS_STORE_INT_H

#include <sqlite3.h>

#include "hash.h"
#include "keyset.h"
#include "store.h"


struct exs_store {
	const struct exs_platform *plat;
	sqlite3 *db;
	char *path;      /* the baseline */
	char *tmp_path;  /* PATH.new while building, NULL when reading */
	int schema;      /* 1 or 2 */
	int text_paths;  /* some paths are stored as TEXT, not BLOB (see store.c) */
	int64_t gen;     /* reading: the newest generation; building: the new one */
	sqlite3_stmt *insert;
	sqlite3_stmt *retire;
	sqlite3_stmt *insert_verdict;   /* prepared on first use */
	sqlite3_stmt *insert_signature; /* likewise */
	unsigned pending;       /* rows in the open transaction */
	int in_transaction;
	uint64_t count;
	/* Paths walked (exs_store_mark_seen): their keys, when there is no
	 * index to mark (index.c). */
	struct exs_keyset seen;
	uint64_t seen_found;  /* distinct marks that a lookup found */
	struct exs_sha256 *key_sha;     /* for the keys, made on first use */
	struct exs_store_index *index;  /* index.c; NULL: lookups use SQL */
	int want_index;                 /* the seal check builds it */
	/* exs_store_load_verdicts: the SHA-256s known clean under
	 * verdict_digest. */
	struct exs_keyset clean;
	char *verdict_digest;           /* NULL: nothing loaded */
};

/* The 128-bit key of a path (hash.h, exs_sha256_key), with s->key_sha. */
int exs_store_key(struct exs_store *s, const char *path, size_t len,
		  unsigned char key[16], struct exs_error *err);

/* index.c: begun for rows current rows, one add per current row (from the
 * seal check), ended: kept only when complete. */
int exs_store_index_begin(struct exs_store *s, uint64_t rows);
void exs_store_index_add(struct exs_store *s, const char *path, size_t len,
			 const struct exs_record *rec);
void exs_store_index_end(struct exs_store *s);
void exs_store_index_free(struct exs_store_index *x);
/* The seen mark of a current row: -1 with no index (the keyset holds the
 * marks then), 0 for a path that is no current row, 1 marked now, 2
 * marked before. marked: 1 when the path is a row and marked. */
int exs_store_index_mark(struct exs_store *s, const unsigned char path_key[16]);
int exs_store_index_marked(const struct exs_store *s,
			   const unsigned char path_key[16]);
int exs_store_index_probe(const struct exs_store *s,
			  const unsigned char path_key[16],
			  const unsigned char rec_key[16]);
void exs_store_row_to_record(sqlite3_stmt *st, int col,
			     struct exs_record *out);

/* The condition on files.path for one path bound as a BLOB at ?1: a path
 * stored as TEXT (text_paths) holds the same bytes but never equals a
 * BLOB in SQLite, so it is looked up in both storage classes. Both are
 * equality tests on the primary key's first column: two index probes at
 * worst, never a scan. */
#define EXS_STORE_PATH_IS(s) \
	((s)->text_paths ? "path IN (?1, CAST(?1 AS TEXT))" : "path=?1")
/* The filter that picks a file row of the newest generation. */
#define EXS_STORE_CURRENT(s) ((s)->schema >= 2 ? " AND gen_to IS NULL" : "")

int exs_store_db_fail(struct exs_error *err, int status, sqlite3 *db,
		      const char *op, const char *path);
int exs_store_is_corrupt_code(int rc);
int exs_store_exec(sqlite3 *db, const char *sql, const char *path,
		   struct exs_error *err);
int exs_store_begin_batch(struct exs_store *s, struct exs_error *err);
/* Runs a bound insert once and resets it: EXS_OK, or EXS_NOSPACE /
 * EXS_BASELINE with SQLite's message at path. */
int exs_store_step_done(struct exs_store *s, sqlite3_stmt *st,
			const char *path, struct exs_error *err);
int exs_store_end_batch(struct exs_store *s, struct exs_error *err);
char *exs_store_concat(const char *a, const char *b);
void exs_store_free(struct exs_store *s);
/* The text of the first column of the first row of sql (one text arg). */
int exs_store_query_text(sqlite3 *db, const char *sql, const char *arg,
			 char *buf, size_t cap, int *sqlite_rc);
/* Opens the schema-2 statements of a store being built. */
int exs_store_prepare_build(struct exs_store *s, struct exs_error *err);
/* Writes the generation row, seals, marks complete; the file stays open. */
int exs_store_finish_generation(struct exs_store *s,
				struct exs_generation *gen,
				const unsigned char *key, size_t key_len,
				struct exs_error *err);
/* Seals and syncs PATH.new, closes replaced (the open baseline at PATH,
 * or NULL), and renames PATH.new over PATH; frees s and replaced. */
int exs_store_swap_in(struct exs_store *s, struct exs_store *replaced,
		      const unsigned char *key, size_t key_len,
		      struct exs_error *err);
void exs_store_row_to_record(sqlite3_stmt *st, int col,
			     struct exs_record *out);

/* Copies a baseline file byte for byte into a new private file. */
int exs_store_copy_file(const struct exs_platform *plat, const char *src,
			const char *dst, struct exs_error *err);

extern const char exs_store_schema_sql[];

#endif
