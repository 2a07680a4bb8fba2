/* logpos.c -- the log pass's read positions in the baseline (store.h).
 *
 * One table, log_positions(path BLOB PRIMARY KEY, size, offset, line,
 * head BLOB, head_len, fields), created on the first save. Saving never
 * writes into the baseline in place: like update, it copies the verified
 * file to PATH.new, rewrites the table there, seals the whole file again
 * (exs_seal_file through exs_store_swap_in) and renames it over the old
 * one, so a crash or kill -9 at any point leaves a sealed baseline: the
 * old positions or the new ones, never a file whose seal fails. The open
 * baseline is handed over and closed just before that rename (after the
 * copy is sealed and synced): Windows refuses to rename over a file SQLite
 * holds open (it opens without FILE_SHARE_DELETE), as update's swap does.
 */
#include <stdlib.h>
#include <string.h>

#include "seal.h"
#include "store_int.h"

static const char table_sql[] =
	"CREATE TABLE IF NOT EXISTS log_positions(path BLOB PRIMARY KEY,"
	" size INTEGER NOT NULL, offset INTEGER NOT NULL, line INTEGER NOT NULL,"
	" head BLOB NOT NULL, head_len INTEGER NOT NULL, fields TEXT)";

int exs_store_each_log_position(struct exs_store *s,
				int (*fn)(void *ctx,
					  const struct exs_store_logpos *p),
				void *ctx, struct exs_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT path, size, offset, line, head,"
			       " head_len, fields FROM log_positions", -1, &st,
			       NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return EXS_OK;       /* a baseline from before positions */
	}
	int rc = EXS_OK, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct exs_store_logpos p;
		memset(&p, 0, sizeof(p));
		int pl = sqlite3_column_bytes(st, 0);
		const void *pb = sqlite3_column_blob(st, 0);
		char *path = malloc((size_t)pl + 1);
		if (!path) {
			rc = exs_fail(err, EXS_NOMEM, 0, "malloc", s->path);
			break;
		}
		if (pl)
			memcpy(path, pb, (size_t)pl);
		path[pl] = '\0';
		p.path = path;
		p.size = (uint64_t)sqlite3_column_int64(st, 1);
		p.offset = (uint64_t)sqlite3_column_int64(st, 2);
		p.line = (uint64_t)sqlite3_column_int64(st, 3);
		if (sqlite3_column_bytes(st, 4) == 32)
			memcpy(p.head, sqlite3_column_blob(st, 4), 32);
		int64_t hl = sqlite3_column_int64(st, 5);
		p.head_len = hl < 0 || hl > 65536 ? 0 : (uint32_t)hl;
		p.fields = (const char *)sqlite3_column_text(st, 6);
		rc = fn(ctx, &p);
		free(path);
	}
	sqlite3_finalize(st);
	return rc;
}

int exs_store_save_log_positions(struct exs_store *src,
				 const struct exs_store_logpos *rows,
				 size_t count, const unsigned char *key,
				 size_t key_len, struct exs_error *err)
{
	const struct exs_platform *plat = src->plat;
	struct exs_error ignored;
	int rc;
	if (src->schema < 2) {
		rc = exs_failf(err, EXS_UNSUPPORTED, 0, "log positions", src->path,
			       "a schema-1 baseline keeps no log positions "
			       "(run 'exsweep update' once)");
		exs_store_close(src);
		return rc;
	}
	struct exs_store *s = calloc(1, sizeof(*s));
	if (!s) {
		rc = exs_fail(err, EXS_NOMEM, 0, "malloc", src->path);
		exs_store_close(src);
		return rc;
	}
	s->plat = plat;
	s->schema = src->schema;
	s->path = exs_store_concat(src->path, "");
	s->tmp_path = exs_store_concat(src->path, ".new");
	if (!s->path || !s->tmp_path) {
		rc = exs_fail(err, EXS_NOMEM, 0, "malloc", src->path);
		exs_store_free(s);
		exs_store_close(src);
		return rc;
	}
	plat->file_remove(s->tmp_path, &ignored);
	rc = exs_store_copy_file(plat, src->path, s->tmp_path, err);
	if (rc) {
		plat->file_remove(s->tmp_path, &ignored);
		exs_store_free(s);
		exs_store_close(src);
		return rc;
	}
	if (sqlite3_open_v2(s->tmp_path, &s->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = exs_store_db_fail(err, EXS_BASELINE, s->db, "sqlite3_open",
				       s->tmp_path);
		exs_store_abort(s);
		exs_store_close(src);
		return rc;
	}
	rc = exs_store_exec(s->db, "PRAGMA journal_mode=OFF;"
			    " PRAGMA synchronous=OFF;", s->tmp_path, err);
	if (!rc)
		rc = exs_store_exec(s->db, table_sql, s->tmp_path, err);
	if (!rc)
		rc = exs_store_exec(s->db, "BEGIN; DELETE FROM log_positions",
				    s->tmp_path, err);
	sqlite3_stmt *ins = NULL;
	if (!rc && sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO log_positions"
				      " VALUES(?,?,?,?,?,?,?)", -1, &ins,
				      NULL) != SQLITE_OK)
		rc = exs_store_db_fail(err, EXS_BASELINE, s->db, "sqlite3_prepare",
				       s->tmp_path);
	for (size_t i = 0; !rc && i < count; i++) {
		const struct exs_store_logpos *p = &rows[i];
		sqlite3_reset(ins);
		sqlite3_bind_blob(ins, 1, p->path, (int)strlen(p->path),
				  SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, (sqlite3_int64)p->size);
		sqlite3_bind_int64(ins, 3, (sqlite3_int64)p->offset);
		sqlite3_bind_int64(ins, 4, (sqlite3_int64)p->line);
		sqlite3_bind_blob(ins, 5, p->head, 32, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 6, p->head_len);
		if (p->fields)
			sqlite3_bind_text(ins, 7, p->fields, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, 7);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = exs_store_db_fail(err, EXS_BASELINE, s->db,
					       "sqlite3_step", s->tmp_path);
	}
	sqlite3_finalize(ins);
	if (!rc)
		rc = exs_store_exec(s->db, "COMMIT", s->tmp_path, err);
	if (rc) {
		exs_store_abort(s);
		exs_store_close(src);
		return rc;
	}
	/* src, the baseline being replaced, is closed inside, after the copy
	 * is sealed and synced and before the rename. */
	return exs_store_swap_in(s, src, key, key_len, err);
}
