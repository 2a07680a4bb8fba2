/* spill.c -- the temporary table of report rows (see spill.h). */
#include "spill.h"

#include <stdlib.h>

#include <sqlite3.h>

/* Enough to keep the index's upper levels and the pages being appended in
 * memory; everything else lives in the temporary file. */
#define SPILL_CACHE_KIB 2048

struct exs_spill {
	sqlite3 *db;
	sqlite3_stmt *insert;
	sqlite3_stmt *lookup;   /* exs_spill_each_at, prepared on first use */
	int in_transaction;
	sqlite3_int64 seq;
};

static int spill_fail(struct exs_error *err, sqlite3 *db, const char *op)
{
	return exs_failf(err, EXS_IO, 0, op, NULL,
			 "temporary report table: %s",
			 db ? sqlite3_errmsg(db) : "out of memory");
}

static int spill_exec(struct exs_spill *s, const char *sql,
		      struct exs_error *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return spill_fail(err, s->db, "sqlite3_exec");
	return EXS_OK;
}

int exs_spill_open(struct exs_spill **out, struct exs_error *err)
{
	*out = NULL;
	struct exs_spill *s = calloc(1, sizeof(*s));
	if (!s)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	/* An empty name: a private database in a temporary file that SQLite
	 * removes on close. */
	if (sqlite3_open_v2("", &s->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		int rc = spill_fail(err, s->db, "sqlite3_open");
		exs_spill_close(s);
		return rc;
	}
	char pragmas[160];
	sqlite3_snprintf((int)sizeof(pragmas), pragmas,
			 "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
			 "PRAGMA temp_store=FILE; PRAGMA cache_size=-%d;",
			 SPILL_CACHE_KIB);
	int rc = spill_exec(s, pragmas, err);
	if (!rc)
		rc = spill_exec(s, "CREATE TABLE r(seq INTEGER PRIMARY KEY, "
				"kind INTEGER, path BLOB, row BLOB); "
				"CREATE INDEX r_order ON r(kind, path, seq);", err);
	if (!rc && sqlite3_prepare_v2(s->db, "INSERT INTO r(seq, kind, "
				      "path, row) VALUES(?, ?, ?, ?)", -1,
				      &s->insert, NULL) != SQLITE_OK)
		rc = spill_fail(err, s->db, "sqlite3_prepare");
	if (rc) {
		exs_spill_close(s);
		return rc;
	}
	*out = s;
	return EXS_OK;
}

int exs_spill_put(struct exs_spill *s, int kind, const char *path,
		  size_t path_len, const void *row, size_t row_len,
		  struct exs_error *err)
{
	/* One transaction for all the rows up to the next read: a commit
	 * per row would cost a write per row. */
	if (!s->in_transaction) {
		int rc = spill_exec(s, "BEGIN", err);
		if (rc)
			return rc;
		s->in_transaction = 1;
	}
	sqlite3_stmt *st = s->insert;
	sqlite3_bind_int64(st, 1, ++s->seq);
	sqlite3_bind_int(st, 2, kind);
	/* Zero-length blobs must not bind as NULL (which sorts apart). */
	sqlite3_bind_blob64(st, 3, path_len ? path : "", path_len,
			    SQLITE_STATIC);
	sqlite3_bind_blob64(st, 4, row, row_len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return spill_fail(err, s->db, "sqlite3_step");
	return EXS_OK;
}

int exs_spill_each(struct exs_spill *s, exs_spill_fn fn, void *ctx,
		   struct exs_error *err)
{
	if (s->in_transaction) {
		int rc = spill_exec(s, "COMMIT", err);
		if (rc)
			return rc;
		s->in_transaction = 0;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT row FROM r INDEXED BY r_order "
			       "ORDER BY kind, path, seq", -1, &st,
			       NULL) != SQLITE_OK)
		return spill_fail(err, s->db, "sqlite3_prepare");
	int rc = EXS_OK, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const void *row = sqlite3_column_blob(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		rc = fn(ctx, row, len);
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = spill_fail(err, s->db, "sqlite3_step");
	sqlite3_finalize(st);
	return rc;
}

int exs_spill_each_at(struct exs_spill *s, int kind, const char *path,
		      size_t path_len, exs_spill_fn fn, void *ctx,
		      struct exs_error *err)
{
	if (!s->lookup &&
	    sqlite3_prepare_v2(s->db, "SELECT row FROM r INDEXED BY r_order "
			       "WHERE kind = ? AND path = ? ORDER BY seq", -1,
			       &s->lookup, NULL) != SQLITE_OK)
		return spill_fail(err, s->db, "sqlite3_prepare");
	sqlite3_stmt *st = s->lookup;
	sqlite3_bind_int(st, 1, kind);
	sqlite3_bind_blob64(st, 2, path_len ? path : "", path_len,
			    SQLITE_STATIC);
	int rc = EXS_OK, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const void *row = sqlite3_column_blob(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		rc = fn(ctx, row, len);
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = spill_fail(err, s->db, "sqlite3_step");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

void exs_spill_close(struct exs_spill *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->lookup);
	sqlite3_finalize(s->insert);
	sqlite3_close(s->db);
	free(s);
}
