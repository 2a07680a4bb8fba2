/* registrations.c -- the registrations of IIS and Exchange configuration
 * files in the baseline (store.h), by the SHA-256 of the file's bytes.
 *
 *   registrations(sha256 BLOB, ord INTEGER, kind, flags, line, scope, name,
 *                 path, image, type, extra, PRIMARY KEY(sha256, ord))
 *
 * The registrations are a function of the bytes (the reader is
 * deterministic), so, like YARA verdicts, they are kept by content: a file
 * row's sha256 finds them, in every generation. Row ord 0 (kind 0, line =
 * the number of registrations) marks bytes that were read, so that a file
 * with no registration is told from one never read. The table is created
 * IF NOT EXISTS on the first write (init, update): a baseline from before
 * it opens and verifies as it did, and its config files are then simply
 * not compared. The content seal covers the table whenever it exists
 * (generations.c); the file seal covers every byte anyway.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static const char table_sql[] =
	"CREATE TABLE IF NOT EXISTS registrations(sha256 BLOB NOT NULL,"
	" ord INTEGER NOT NULL, kind INTEGER NOT NULL, flags INTEGER NOT NULL,"
	" line INTEGER NOT NULL, scope TEXT NOT NULL, name TEXT NOT NULL,"
	" path TEXT NOT NULL, image TEXT NOT NULL, type TEXT NOT NULL,"
	" extra TEXT NOT NULL, PRIMARY KEY(sha256, ord)) WITHOUT ROWID";

int exs_store_has_registrations(struct exs_store *s)
{
	sqlite3_stmt *st = NULL;
	int found = sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master "
				       "WHERE type='table' AND "
				       "name='registrations'", -1, &st,
				       NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

int exs_store_add_registrations(struct exs_store *s,
				const unsigned char sha256[EXS_SHA256_LEN],
				const struct exs_registration *r, size_t n,
				struct exs_error *err)
{
	const char *path = s->tmp_path ? s->tmp_path : s->path;
	int rc = exs_store_exec(s->db, table_sql, path, err);
	if (!rc)
		rc = exs_store_begin_batch(s, err);
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO registrations "
			       "VALUES(?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL))
		return exs_store_db_fail(err, EXS_BASELINE, s->db,
					 "sqlite3_prepare", path);
	/* The marker row: these bytes were read, n registrations. */
	sqlite3_bind_blob(st, 1, sha256, EXS_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, 0);
	sqlite3_bind_int(st, 3, 0);
	sqlite3_bind_int(st, 4, 0);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)n);
	for (int c = 6; c <= 11; c++)
		sqlite3_bind_text(st, c, "", 0, SQLITE_STATIC);
	rc = exs_store_step_done(s, st, path, err);
	/* Already known bytes (the same web.config in many folders): the
	 * marker was there, and so are the rows. */
	if (!rc && sqlite3_changes(s->db) == 0)
		n = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		const struct exs_registration *g = &r[i];
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
		sqlite3_bind_int(st, 3, (int)g->kind);
		sqlite3_bind_int(st, 4, (int)g->flags);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)g->line);
		sqlite3_bind_text(st, 6, g->scope, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, g->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, g->path, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, g->image, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, g->type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, g->extra, -1, SQLITE_STATIC);
		rc = exs_store_step_done(s, st, path, err);
	}
	sqlite3_finalize(st);
	if (!rc && ++s->pending >= 4096)
		rc = exs_store_end_batch(s, err);
	return rc;
}

/* Copies a column's text into a field of cap bytes; what does not fit or
 * holds a NUL (a baseline edited by hand would not pass the seal, but the
 * reader is careful anyway) is cut. */
static void column_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	size_t n = t ? strlen((const char *)t) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

int exs_store_registrations(struct exs_store *s,
			    const unsigned char sha256[EXS_SHA256_LEN],
			    struct exs_registration **out, size_t *count,
			    int *known, struct exs_error *err)
{
	*out = NULL;
	*count = 0;
	*known = 0;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT ord, kind, flags, line, scope,"
			       " name, path, image, type, extra FROM "
			       "registrations WHERE sha256=? ORDER BY ord", -1,
			       &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return EXS_OK;        /* a baseline from before registrations */
	}
	sqlite3_bind_blob(st, 1, sha256, EXS_SHA256_LEN, SQLITE_STATIC);
	int rc = EXS_OK, step;
	size_t cap = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) == 0) {
			*known = 1;
			continue;
		}
		if (*count >= EXS_REG_MAX)
			break;
		if (*count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct exs_registration *n =
				realloc(*out, ncap * sizeof(*n));
			if (!n) {
				rc = exs_fail(err, EXS_NOMEM, 0, "malloc", s->path);
				break;
			}
			*out = n;
			cap = ncap;
		}
		struct exs_registration *g = &(*out)[(*count)++];
		memset(g, 0, sizeof(*g));
		g->kind = (uint32_t)sqlite3_column_int(st, 1);
		g->flags = (uint32_t)sqlite3_column_int(st, 2);
		g->line = (uint64_t)sqlite3_column_int64(st, 3);
		column_text(st, 4, g->scope, sizeof(g->scope));
		column_text(st, 5, g->name, sizeof(g->name));
		column_text(st, 6, g->path, sizeof(g->path));
		column_text(st, 7, g->image, sizeof(g->image));
		column_text(st, 8, g->type, sizeof(g->type));
		column_text(st, 9, g->extra, sizeof(g->extra));
	}
	if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = exs_store_db_fail(err, EXS_BASELINE, s->db, "sqlite3_step",
				       s->path);
	sqlite3_finalize(st);
	if (rc) {
		free(*out);
		*out = NULL;
		*count = 0;
		*known = 0;
	}
	return rc;
}
