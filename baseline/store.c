/* store.c -- the baseline as a SQLite database (see store.h).
 *
 * Divisions: helpers, building a new baseline, opening and verifying one,
 * per-thread lookups, seen-marking and the removed-files query. Generations
 * (update, migration, history) and the seal live in generations.c.
 *
 * Building uses journal_mode=OFF and synchronous=OFF: the file is private
 * until the final rename, a crash only leaves a stale PATH.new, and the
 * whole file is fsynced once before it is swapped in. That makes init as
 * fast as SQLite can append, without giving up the crash guarantee.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "hash.h"
#include "seal.h"
#include "store_int.h"

#define BATCH_ROWS 20000

struct exs_store_reader {
	const struct exs_store *store;
	sqlite3 *db;
	sqlite3_stmt *lookup;
	sqlite3_stmt *verdict;  /* NULL when the baseline has no verdicts */
	sqlite3_stmt *signature; /* NULL when it has no signatures table */
};

/* Schema 2. A file row is valid from generation gen_from to gen_to
 * inclusive; gen_to is NULL while the row is current. */
const char exs_store_schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE TABLE generations("
	" id INTEGER PRIMARY KEY,"
	" created TEXT NOT NULL,"
	" note TEXT NOT NULL,"
	" host TEXT NOT NULL,"
	" tool_version TEXT NOT NULL,"
	" exchange_build TEXT NOT NULL,"
	" rules_digest TEXT NOT NULL,"
	" config_digest TEXT NOT NULL,"
	" file_count INTEGER NOT NULL,"
	" seal TEXT NOT NULL);"
	"CREATE TABLE files("
	" path BLOB NOT NULL,"
	" gen_from INTEGER NOT NULL,"
	" gen_to INTEGER,"
	" node INTEGER NOT NULL,"
	" size INTEGER NOT NULL,"
	" mtime_ns INTEGER NOT NULL,"
	" ctime_ns INTEGER NOT NULL,"
	" mode INTEGER NOT NULL,"
	" owner TEXT NOT NULL,"
	" volume_id INTEGER NOT NULL,"
	" file_id INTEGER NOT NULL,"
	" link_count INTEGER NOT NULL,"
	" sha256 BLOB NOT NULL,"
	" security_sha256 BLOB,"
	" PRIMARY KEY(path, gen_from)"
	") WITHOUT ROWID;";

/* ---- Helpers ------------------------------------------------------------ */

int exs_store_db_fail(struct exs_error *err, int status, sqlite3 *db,
		      const char *op, const char *path)
{
	/* SQLite's result codes are not OS error numbers: keep them in the
	 * message, not in os_code. */
	return exs_failf(err, status, 0, op, path, "%s (sqlite error %d)",
			 db ? sqlite3_errmsg(db) : "sqlite error",
			 db ? sqlite3_extended_errcode(db) : 0);
}

/* SQLite result codes that mean the file is not a sound database. */
int exs_store_is_corrupt_code(int rc)
{
	rc &= 0xFF;
	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB ||
	       rc == SQLITE_FORMAT || rc == SQLITE_EMPTY;
}

char *exs_store_concat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);
	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb + 1);
	}
	return s;
}

int exs_store_exec(sqlite3 *db, const char *sql, const char *path,
		   struct exs_error *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		int status = exs_store_is_corrupt_code(rc) ? EXS_CORRUPT :
			     (rc & 0xFF) == SQLITE_FULL ? EXS_NOSPACE : EXS_BASELINE;
		exs_failf(err, status, 0, "sqlite3_exec", path,
			  "%s (sqlite error %d)", msg ? msg : sqlite3_errstr(rc), rc);
		sqlite3_free(msg);
		return status;
	}
	return EXS_OK;
}

void exs_store_free(struct exs_store *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->insert);
	exs_keyset_free(&s->seen);
	exs_sha256_free(s->key_sha);
	exs_store_index_free(s->index);
	exs_keyset_free(&s->clean);
	free(s->verdict_digest);
	sqlite3_finalize(s->retire);
	sqlite3_finalize(s->insert_verdict);
	sqlite3_finalize(s->insert_signature);
	sqlite3_close(s->db);
	free(s->path);
	free(s->tmp_path);
	free(s);
}

/* ---- Building a new baseline -------------------------------------------- */

int exs_store_create(const struct exs_platform *plat, const char *path,
		     int force, struct exs_store **out, struct exs_error *err)
{
	struct exs_stat st;
	struct exs_error ignored;
	if (plat->path_stat(path, &st, &ignored) == EXS_OK && !force)
		return exs_failf(err, EXS_EXISTS, 0, "create", path,
				 "a baseline already exists (use --force to "
				 "replace it)");

	struct exs_store *s = calloc(1, sizeof(*s));
	if (!s)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	s->plat = plat;
	s->path = exs_store_concat(path, "");
	s->tmp_path = exs_store_concat(path, ".new");
	if (!s->path || !s->tmp_path) {
		exs_store_free(s);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	}
	/* A PATH.new left by a killed run is garbage: start afresh. */
	plat->file_remove(s->tmp_path, &ignored);

	/* Create the file through the platform first, so that it is private
	 * (root/SYSTEM only) before SQLite writes a byte into it. */
	struct exs_file *f;
	int rc = plat->file_create(s->tmp_path,
				   EXS_CREATE_EXCLUSIVE | EXS_CREATE_PRIVATE, &f,
				   err);
	if (rc) {
		exs_store_free(s);
		return rc;
	}
	plat->file_close(f);

	rc = sqlite3_open_v2(s->tmp_path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		exs_store_db_fail(err, EXS_BASELINE, s->db, "sqlite3_open", s->tmp_path);
		plat->file_remove(s->tmp_path, &ignored);
		exs_store_free(s);
		return EXS_BASELINE;
	}
	s->schema = EXS_STORE_SCHEMA_VERSION;
	s->gen = 1;
	/* Room at the end of each page for the file seal (seal.h). */
	int reserve = EXS_SEAL_FILE_RESERVE;
	sqlite3_file_control(s->db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
	rc = exs_store_exec(s->db, exs_store_schema_sql, s->tmp_path, err);
	if (!rc)
		rc = exs_store_prepare_build(s, err);
	if (rc) {
		exs_store_abort(s);
		return rc;
	}
	char version[16];
	snprintf(version, sizeof(version), "%d", EXS_STORE_SCHEMA_VERSION);
	rc = exs_store_set_meta(s, "schema_version", version, err);
	if (rc) {
		exs_store_abort(s);
		return rc;
	}
	*out = s;
	return EXS_OK;
}

int exs_store_prepare_build(struct exs_store *s, struct exs_error *err)
{
	int rc = exs_store_exec(s->db, "PRAGMA journal_mode=OFF;"
				" PRAGMA synchronous=OFF;"
				" PRAGMA locking_mode=EXCLUSIVE;", s->tmp_path, err);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(s->db,
			"INSERT OR REPLACE INTO files VALUES"
			"(?,?,NULL,?,?,?,?,?,?,?,?,?,?,?)", -1, &s->insert, NULL) ||
	    sqlite3_prepare_v2(s->db,
			"UPDATE files SET gen_to=? WHERE path=? AND gen_to IS NULL",
			-1, &s->retire, NULL))
		return exs_store_db_fail(err, EXS_BASELINE, s->db,
					 "sqlite3_prepare", s->tmp_path);
	return EXS_OK;
}

int exs_store_set_meta(struct exs_store *s, const char *key,
		       const char *value, struct exs_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			"INSERT OR REPLACE INTO meta VALUES(?,?)", -1, &st, NULL))
		return exs_store_db_fail(err, EXS_BASELINE, s->db, "sqlite3_prepare",
			       s->tmp_path);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return exs_store_db_fail(err, (rc & 0xFF) == SQLITE_FULL ? EXS_NOSPACE
							       : EXS_BASELINE,
			       s->db, "sqlite3_step", s->tmp_path);
	return EXS_OK;
}

int exs_store_begin_batch(struct exs_store *s, struct exs_error *err)
{
	if (s->in_transaction)
		return EXS_OK;
	int rc = exs_store_exec(s->db, "BEGIN", s->tmp_path, err);
	if (!rc)
		s->in_transaction = 1;
	s->pending = 0;
	return rc;
}

int exs_store_end_batch(struct exs_store *s, struct exs_error *err)
{
	if (!s->in_transaction)
		return EXS_OK;
	s->in_transaction = 0;
	return exs_store_exec(s->db, "COMMIT", s->tmp_path ? s->tmp_path : s->path, err);
}

int exs_store_add(struct exs_store *s, const char *path, size_t path_len,
		  const struct exs_record *rec, struct exs_error *err)
{
	int rc = exs_store_begin_batch(s, err);
	if (rc)
		return rc;
	sqlite3_stmt *st = s->insert;
	sqlite3_bind_blob(st, 1, path, (int)path_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, s->gen);
	sqlite3_bind_int(st, 3, (int)rec->st.node);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)rec->st.size);
	sqlite3_bind_int64(st, 5, rec->st.mtime_ns);
	sqlite3_bind_int64(st, 6, rec->st.ctime_ns);
	sqlite3_bind_int64(st, 7, rec->st.mode);
	sqlite3_bind_text(st, 8, rec->st.owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)rec->st.volume_id);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)rec->st.file_id);
	sqlite3_bind_int64(st, 11, rec->st.link_count);
	sqlite3_bind_blob(st, 12, rec->sha256, EXS_SHA256_LEN, SQLITE_STATIC);
	if (rec->has_security)
		sqlite3_bind_blob(st, 13, rec->security_sha256, EXS_SHA256_LEN,
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 13);
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (step != SQLITE_DONE)
		return exs_store_db_fail(err, (step & 0xFF) == SQLITE_FULL ? EXS_NOSPACE
								 : EXS_BASELINE,
			       s->db, "sqlite3_step", s->tmp_path);
	s->count++;
	if (++s->pending >= BATCH_ROWS)
		return exs_store_end_batch(s, err);
	return EXS_OK;
}

int exs_store_commit(struct exs_store *s, struct exs_generation *gen,
		     const unsigned char *key, size_t key_len,
		     struct exs_error *err)
{
	int rc = exs_store_finish_generation(s, gen, key, key_len, err);
	if (rc) {
		exs_store_abort(s);
		return rc;
	}
	return exs_store_swap_in(s, NULL, key, key_len, err);
}

int exs_store_swap_in(struct exs_store *s, struct exs_store *replaced,
		      const unsigned char *key, size_t key_len,
		      struct exs_error *err)
{
	const struct exs_platform *plat = s->plat;
	struct exs_error ignored;
	sqlite3_finalize(s->insert);
	s->insert = NULL;
	sqlite3_finalize(s->retire);
	s->retire = NULL;
	sqlite3_finalize(s->insert_verdict);
	sqlite3_finalize(s->insert_signature);
	s->insert_verdict = NULL;
	s->insert_signature = NULL;
	if (sqlite3_close(s->db) != SQLITE_OK) {
		int rc = exs_store_db_fail(err, EXS_BASELINE, s->db,
					   "sqlite3_close", s->tmp_path);
		exs_store_abort(s);
		exs_store_close(replaced);
		return rc;
	}
	s->db = NULL;

	/* Durable before visible: seal the file's bytes and sync them
	 * (exs_seal_file), then rename over the old baseline, then sync the
	 * directory (inside file_replace). The old baseline is closed only
	 * now, when nothing is left to read from it: until the rename it is
	 * intact on disk whether or not it is open. */
	int rc = exs_seal_file(plat, s->tmp_path, key, key_len, 1, err);
	exs_store_close(replaced);
	if (!rc)
		rc = plat->file_replace(s->tmp_path, s->path, err);
	if (rc)
		plat->file_remove(s->tmp_path, &ignored);
	exs_store_free(s);
	return rc;
}

void exs_store_abort(struct exs_store *s)
{
	if (!s)
		return;
	struct exs_error ignored;
	sqlite3_finalize(s->insert);
	s->insert = NULL;
	sqlite3_finalize(s->retire);
	s->retire = NULL;
	sqlite3_finalize(s->insert_verdict);
	sqlite3_finalize(s->insert_signature);
	s->insert_verdict = NULL;
	s->insert_signature = NULL;
	sqlite3_close(s->db);
	s->db = NULL;
	if (s->tmp_path)
		s->plat->file_remove(s->tmp_path, &ignored);
	exs_store_free(s);
}

/* ---- Opening and verifying ---------------------------------------------- */

int exs_store_query_text(sqlite3 *db, const char *sql, const char *arg,
			 char *buf, size_t cap, int *sqlite_rc)
{
	sqlite3_stmt *st = NULL;
	buf[0] = '\0';
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		if (arg)
			sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(st, 0);
			snprintf(buf, cap, "%s", t ? (const char *)t : "");
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	*sqlite_rc = rc;
	return rc == SQLITE_OK ? EXS_OK : EXS_BASELINE;
}

static int open_db(const char *path, sqlite3 **db, struct exs_error *err)
{
	int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY |
						   SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		int status = exs_store_db_fail(err, EXS_CORRUPT, *db, "sqlite3_open", path);
		sqlite3_close(*db);
		*db = NULL;
		return status;
	}
	sqlite3_busy_timeout(*db, 5000);
	return EXS_OK;
}

/* A baseline that says schema 1 must look like one: schema 1 had no
 * generations, no generation range on its file rows and no room for a file
 * seal. One that has any of these was written by a sealing exsweep and had
 * its schema_version (an unsealed meta value) rewritten to skip the seal. */
static int verify_legacy_shape(struct exs_store *s, struct exs_error *err)
{
	char buf[64];
	int rc;
	const char *sign = NULL;
	exs_store_query_text(s->db, "SELECT count(*) FROM sqlite_master WHERE "
			     "type='table' AND name='generations'", NULL, buf,
			     sizeof(buf), &rc);
	if (rc || strcmp(buf, "0") != 0)
		sign = "a generations table";
	if (!sign) {
		exs_store_query_text(s->db, "SELECT count(*) FROM "
				     "pragma_table_info('files') WHERE name IN "
				     "('gen_from','gen_to')", NULL, buf,
				     sizeof(buf), &rc);
		if (rc || strcmp(buf, "0") != 0)
			sign = "generation ranges on its file rows";
	}
	if (!sign) {
		int reserve = -1; /* negative: only ask */
		if (sqlite3_file_control(s->db, "main",
					 SQLITE_FCNTL_RESERVE_BYTES,
					 &reserve) != SQLITE_OK ||
		    reserve >= EXS_SEAL_FILE_RESERVE)
			sign = "room reserved for a file seal";
	}
	if (sign)
		return exs_failf(err, EXS_SEAL, 0, "schema", s->path,
				 "baseline seal does not match: it says schema "
				 "1 (unsealed) but has %s, as only a sealed "
				 "baseline does: tampered (its schema version "
				 "was rewritten to skip the seal)", sign);
	return EXS_OK;
}

static int verify(struct exs_store *s, struct exs_error *err)
{
	char buf[256];
	int rc;
	/* quick_check reads every page: a truncated or damaged file fails
	 * here rather than half-way through a comparison. */
	if (exs_store_query_text(s->db, "PRAGMA quick_check", NULL, buf, sizeof(buf), &rc) ||
	    strcmp(buf, "ok") != 0)
		return exs_failf(err, EXS_CORRUPT, 0, "quick_check", s->path,
				 "baseline is corrupt: %s",
				 rc ? sqlite3_errstr(rc) : buf);
	if (exs_store_query_text(s->db, "SELECT value FROM meta WHERE key=?",
		       "schema_version", buf, sizeof(buf), &rc))
		return exs_failf(err, EXS_CORRUPT, 0, "sqlite3_step", s->path,
				 "not an exsweep baseline: %s", sqlite3_errstr(rc));
	/* Exactly a known number: atoi would take "1x" or " 1" for 1. */
	s->schema = 0;
	for (int v = 1; v <= EXS_STORE_SCHEMA_VERSION; v++) {
		char known[16];
		snprintf(known, sizeof(known), "%d", v);
		if (strcmp(buf, known) == 0)
			s->schema = v;
	}
	if (s->schema < 1 || s->schema > EXS_STORE_SCHEMA_VERSION)
		return exs_failf(err, EXS_CORRUPT, 0, "schema", s->path,
				 "unknown baseline schema version '%s' "
				 "(this exsweep reads versions 1 to %d)", buf,
				 EXS_STORE_SCHEMA_VERSION);
	if (s->schema == 1 && (rc = verify_legacy_shape(s, err)))
		return rc;
	exs_store_query_text(s->db, "SELECT value FROM meta WHERE key=?", "complete", buf,
		   sizeof(buf), &rc);
	if (strcmp(buf, "1") != 0)
		return exs_failf(err, EXS_CORRUPT, 0, "schema", s->path,
				 "baseline is incomplete (its init did not "
				 "finish)");
	exs_store_query_text(s->db, "SELECT value FROM meta WHERE key=?", "file_count",
		   buf, sizeof(buf), &rc);
	unsigned long long expected = strtoull(buf, NULL, 10);
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM files WHERE 1%s",
		 EXS_STORE_CURRENT(s));
	exs_store_query_text(s->db, sql, NULL, buf, sizeof(buf), &rc);
	s->count = strtoull(buf, NULL, 10);
	if (rc || s->count != expected)
		return exs_failf(err, EXS_CORRUPT, 0, "count", s->path,
				 "baseline holds %llu files but recorded %llu",
				 (unsigned long long)s->count, expected);
	/* Paths are written as BLOBs, but a baseline from an older exsweep may
	 * hold them as TEXT, which equals no BLOB: then every lookup must try
	 * both. SQLite orders TEXT before BLOB, so the first row by path tells
	 * (one index probe). */
	exs_store_query_text(s->db, "SELECT typeof(path) FROM files ORDER BY path"
			     " LIMIT 1", NULL, buf, sizeof(buf), &rc);
	s->text_paths = !rc && buf[0] && strcmp(buf, "blob") != 0;
	s->gen = 1;
	if (s->schema >= 2) {
		exs_store_query_text(s->db, "SELECT max(id) FROM generations",
				     NULL, buf, sizeof(buf), &rc);
		s->gen = strtoll(buf, NULL, 10);
		if (rc || s->gen < 1)
			return exs_failf(err, EXS_SEAL, 0, "seal", s->path,
					 "baseline has no generation, so no "
					 "seal: tampered or damaged");
	}
	return EXS_OK;
}

int exs_store_schema(struct exs_store *s)
{
	return s->schema;
}

int exs_store_open(const struct exs_platform *plat, const char *path,
		   struct exs_store **out, struct exs_error *err)
{
	struct exs_stat st;
	int rc = plat->path_stat(path, &st, err);
	if (rc == EXS_NOENT)
		return exs_failf(err, EXS_BASELINE, err->os_code, "open", path,
				 "baseline not found (run 'exsweep init' "
				 "first)");
	if (rc)
		return rc;
	if (st.node != EXS_NODE_FILE)
		return exs_failf(err, EXS_CORRUPT, 0, "open", path,
				 "baseline is not a regular file");
	struct exs_store *s = calloc(1, sizeof(*s));
	if (!s)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	s->plat = plat;
	s->path = exs_store_concat(path, "");
	if (!s->path) {
		exs_store_free(s);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	}
	rc = open_db(path, &s->db, err);
	if (!rc)
		rc = verify(s, err);
	if (rc) {
		exs_store_free(s);
		return rc;
	}
	*out = s;
	return EXS_OK;
}

int exs_store_get_meta(struct exs_store *s, const char *key, char *buf,
		       size_t cap)
{
	int rc;
	return exs_store_query_text(s->db, "SELECT value FROM meta WHERE key=?", key, buf,
			  cap, &rc);
}

uint64_t exs_store_count(struct exs_store *s)
{
	return s->count;
}

void exs_store_close(struct exs_store *s)
{
	if (!s)
		return;
	if (s->in_transaction) {
		struct exs_error ignored;
		exs_store_end_batch(s, &ignored);
	}
	exs_store_free(s);
}

/* ---- Per-thread lookups ------------------------------------------------- */

int exs_store_reader_open(struct exs_store *s, struct exs_store_reader **out,
			  struct exs_error *err)
{
	struct exs_store_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", s->path);
	r->store = s;
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "SELECT node,size,mtime_ns,ctime_ns,mode,owner,volume_id,"
		 "file_id,link_count,sha256,security_sha256"
		 " FROM files WHERE %s%s", EXS_STORE_PATH_IS(s),
		 EXS_STORE_CURRENT(s));
	int rc = open_db(s->path, &r->db, err);
	/* Take the shared lock once and keep it: otherwise every lookup is
	 * its own read transaction, and SQLite locks and unlocks the file
	 * (fcntl), looks for a hot journal (access) and rereads the change
	 * counter on each one, several syscalls per walked file. The
	 * baseline is read-only during a check (exsweep's lock file keeps
	 * other runs out, and init only ever replaces it by rename). */
	if (!rc)
		rc = exs_store_exec(r->db, "PRAGMA locking_mode=EXCLUSIVE", s->path, err);
	if (!rc && sqlite3_prepare_v2(r->db, sql, -1, &r->lookup, NULL))
		rc = exs_store_db_fail(err, EXS_CORRUPT, r->db, "sqlite3_prepare", s->path);
	/* Baselines made before verdicts were kept have no such table: then
	 * every web file is simply scanned. So is every file of an unsealed
	 * (schema 1) baseline: a verdict is worth only the seal over it. */
	if (!rc && s->schema >= 2 && sqlite3_prepare_v2(r->db, "SELECT 1 FROM verdicts WHERE "
				      "sha256=? AND rules=?", -1, &r->verdict,
				      NULL) != SQLITE_OK) {
		sqlite3_finalize(r->verdict);
		r->verdict = NULL;
	}
	if (!rc && s->schema >= 2 && sqlite3_prepare_v2(r->db, "SELECT status,"
				      "signer,digest,signed_at FROM signatures"
				      " WHERE sha256=?1 AND (?2 IS NULL OR "
				      "trust=?2) ORDER BY rowid DESC LIMIT 1",
				      -1, &r->signature,
				      NULL) != SQLITE_OK) {
		sqlite3_finalize(r->signature);
		r->signature = NULL;
	}
	if (rc) {
		exs_store_reader_close(r);
		return rc;
	}
	*out = r;
	return EXS_OK;
}

void exs_store_row_to_record(sqlite3_stmt *st, int col,
			     struct exs_record *out)
{
	memset(out, 0, sizeof(*out));
	out->st.node = (enum exs_node)sqlite3_column_int(st, col + 0);
	out->st.size = (uint64_t)sqlite3_column_int64(st, col + 1);
	out->st.mtime_ns = sqlite3_column_int64(st, col + 2);
	out->st.ctime_ns = sqlite3_column_int64(st, col + 3);
	out->st.mode = (uint32_t)sqlite3_column_int64(st, col + 4);
	const unsigned char *owner = sqlite3_column_text(st, col + 5);
	snprintf(out->st.owner, sizeof(out->st.owner), "%s",
		 owner ? (const char *)owner : "");
	out->st.volume_id = (uint64_t)sqlite3_column_int64(st, col + 6);
	out->st.file_id = (uint64_t)sqlite3_column_int64(st, col + 7);
	out->st.link_count = (uint32_t)sqlite3_column_int64(st, col + 8);
	const void *h = sqlite3_column_blob(st, col + 9);
	if (h && sqlite3_column_bytes(st, col + 9) == EXS_SHA256_LEN)
		memcpy(out->sha256, h, EXS_SHA256_LEN);
	const void *sec = sqlite3_column_blob(st, col + 10);
	if (sec && sqlite3_column_bytes(st, col + 10) == EXS_SHA256_LEN) {
		memcpy(out->security_sha256, sec, EXS_SHA256_LEN);
		out->has_security = 1;
	}
}

int exs_store_lookup(struct exs_store_reader *r, const char *path,
		     size_t path_len, struct exs_record *out, int *found,
		     struct exs_error *err)
{
	sqlite3_stmt *st = r->lookup;
	sqlite3_bind_blob(st, 1, path, (int)path_len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*found = 0;
	if (rc == SQLITE_ROW) {
		exs_store_row_to_record(st, 0, out);
		*found = 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return exs_store_db_fail(err, exs_store_is_corrupt_code(rc) ? EXS_CORRUPT : EXS_BASELINE,
			       r->db, "sqlite3_step", sqlite3_db_filename(r->db, NULL));
	return EXS_OK;
}

int exs_store_probe(struct exs_store_reader *r,
		    const unsigned char path_key[16],
		    const unsigned char rec_key[16])
{
	return exs_store_index_probe(r->store, path_key, rec_key);
}

void exs_store_reader_close(struct exs_store_reader *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->lookup);
	sqlite3_finalize(r->verdict);
	sqlite3_finalize(r->signature);
	sqlite3_close(r->db);
	free(r);
}

int exs_store_step_done(struct exs_store *s, sqlite3_stmt *st,
			const char *path, struct exs_error *err)
{
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return exs_store_db_fail(err, (step & 0xFF) == SQLITE_FULL
					 ? EXS_NOSPACE : EXS_BASELINE,
					 s->db, "sqlite3_step", path);
	return EXS_OK;
}

/* ---- Seen marks and removed files ---------------------------------------
 *
 * The removed files are the current rows whose path no walk marked seen.
 * A mark is a byte in the row's slot of the index (index.c) when there is
 * one; otherwise the path's SHA-256 cut to 128 bits, in an open-addressing
 * set in memory: 16 bytes a file, where a temporary table's B-tree inserts,
 * each comparing long paths that share their first 60 bytes or so, cost
 * 5% of a check's CPU. A walked path can hide a removed one only by
 * sharing its key, which takes a second preimage of SHA-256's first 128
 * bits; the keys are uniform, so no crafted name makes the probes long. */

int exs_store_key(struct exs_store *s, const char *path, size_t len,
		  unsigned char key[16], struct exs_error *err)
{
	if (!s->key_sha && exs_sha256_create(&s->key_sha))
		return exs_fail(err, EXS_NOMEM, 0, "malloc", s->path);
	if (exs_sha256_key(s->key_sha, path, len, key))
		return exs_fail(err, EXS_INTERNAL, 0, "SHA-256", s->path);
	return EXS_OK;
}

int exs_store_mark_seen(struct exs_store *s, const char *path,
			size_t path_len, int in_baseline,
			struct exs_error *err)
{
	unsigned char key[16];
	int rc = exs_store_key(s, path, path_len, key, err);
	return rc ? rc : exs_store_mark_seen_key(s, key, in_baseline, err);
}

int exs_store_mark_seen_key(struct exs_store *s, const unsigned char key[16],
			    int in_baseline, struct exs_error *err)
{
	int marked = exs_store_index_mark(s, key);
	if (marked >= 0) {
		/* With the index, a row's slot holds its mark and the other
		 * paths need none. */
		s->seen_found += marked == 1;
		return EXS_OK;
	}
	s->seen.width = 16; /* the set is made on the first mark */
	int added = exs_keyset_add(&s->seen, key);
	if (added < 0)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", s->path);
	/* A path walked twice (a root inside another) counts once. */
	s->seen_found += added && in_baseline;
	return EXS_OK;
}

int exs_store_each_unseen(struct exs_store *s,
			  int (*keep)(void *ctx, const char *path, size_t len),
			  int (*fn)(void *ctx, const char *path, size_t len,
				    const struct exs_record *rec),
			  void *ctx, struct exs_error *err)
{
	int rc = exs_store_end_batch(s, err);
	if (rc)
		return rc;
	/* Distinct paths found by lookups map to distinct current rows: as
	 * many as there are rows means each row's path was walked. */
	if (s->seen_found == s->count)
		return EXS_OK;
	sqlite3_stmt *st = NULL;
	char sql[320];
	/* Listed in the order of their bytes; a TEXT path is compared by
	 * them too. */
	const char *path_col = s->text_paths ? "CAST(path AS BLOB)" : "path";
	snprintf(sql, sizeof(sql),
		 "SELECT path,node,size,mtime_ns,ctime_ns,mode,owner,"
		 "volume_id,file_id,link_count,sha256,security_sha256"
		 " FROM files WHERE 1%s ORDER BY %s", EXS_STORE_CURRENT(s),
		 path_col);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
		return exs_store_db_fail(err, EXS_BASELINE, s->db, "sqlite3_prepare", s->path);
	int step;
	rc = EXS_OK;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = sqlite3_column_blob(st, 0);
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		if (!path)
			path = "";
		unsigned char key[16];
		rc = exs_store_key(s, path, len, key, err);
		if (rc)
			break;
		if (s->index ? exs_store_index_marked(s, key)
			     : s->seen.width && exs_keyset_has(&s->seen, key))
			continue; /* marked */
		if (keep && !keep(ctx, path, len))
			continue;
		struct exs_record rec;
		exs_store_row_to_record(st, 1, &rec);
		rc = fn(ctx, path, len, &rec);
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = exs_store_db_fail(err, exs_store_is_corrupt_code(step) ? EXS_CORRUPT : EXS_BASELINE,
			     s->db, "sqlite3_step", s->path);
	sqlite3_finalize(st);
	return rc;
}

/* ---- YARA verdicts ------------------------------------------------------
 *
 * A verdict says: these exact bytes (SHA-256) were YARA-scanned, with the
 * heuristics, by the rule set with this digest, and nothing was found.
 * check reuses it for an unchanged web file instead of scanning the same
 * bytes with the same rules again, which would find the same nothing; new
 * rules (built-in or extra) have another digest and scan everything anew.
 * Verdicts are written by init and update only, inside the sealed file. */

static const char verdicts_sql[] =
	"CREATE TABLE IF NOT EXISTS verdicts(sha256 BLOB NOT NULL,"
	" rules TEXT NOT NULL, PRIMARY KEY(sha256, rules)) WITHOUT ROWID";

int exs_store_add_verdict(struct exs_store *s,
			  const unsigned char sha256[EXS_SHA256_LEN],
			  const char *rules_digest, struct exs_error *err)
{
	const char *path = s->tmp_path ? s->tmp_path : s->path;
	int rc;
	if (!s->insert_verdict) {
		rc = exs_store_exec(s->db, verdicts_sql, path, err);
		if (rc)
			return rc;
		if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO verdicts "
				       "VALUES(?,?)", -1, &s->insert_verdict,
				       NULL))
			return exs_store_db_fail(err, EXS_BASELINE, s->db,
						 "sqlite3_prepare", path);
	}
	rc = exs_store_begin_batch(s, err);
	if (rc)
		return rc;
	sqlite3_stmt *st = s->insert_verdict;
	sqlite3_bind_blob(st, 1, sha256, EXS_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rules_digest, -1, SQLITE_STATIC);
	rc = exs_store_step_done(s, st, path, err);
	if (!rc && ++s->pending >= BATCH_ROWS)
		rc = exs_store_end_batch(s, err);
	return rc;
}

int exs_store_load_verdicts(struct exs_store *s, const char *rules_digest,
			    struct exs_error *err)
{
	if (s->schema < 2 || !rules_digest || !rules_digest[0] ||
	    s->verdict_digest)
		return EXS_OK;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT sha256 FROM verdicts WHERE rules=?",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return EXS_OK; /* a baseline from before verdicts */
	}
	sqlite3_bind_text(st, 1, rules_digest, -1, SQLITE_STATIC);
	/* Kept as the first 128 bits: content that passes for a clean one
	 * takes a second preimage of them, and the set is half the size. */
	struct exs_keyset clean = { .width = EXS_KEY_LEN };
	int step = SQLITE_DONE, rc = EXS_OK;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *h = sqlite3_column_blob(st, 0);
		/* Another length equals no file's hash. */
		if (h && sqlite3_column_bytes(st, 0) == EXS_SHA256_LEN &&
		    exs_keyset_add(&clean, h) < 0)
			rc = exs_fail(err, EXS_NOMEM, 0, "malloc", s->path);
	}
	if (!rc && step != SQLITE_DONE)
		rc = exs_store_db_fail(err, exs_store_is_corrupt_code(step)
					? EXS_CORRUPT : EXS_BASELINE,
				       s->db, "sqlite3_step", s->path);
	sqlite3_finalize(st);
	char *digest = rc ? NULL : exs_store_concat(rules_digest, "");
	if (!rc && !digest)
		rc = exs_fail(err, EXS_NOMEM, 0, "malloc", s->path);
	if (rc) {
		exs_keyset_free(&clean);
		return rc;
	}
	s->clean = clean;
	s->verdict_digest = digest;
	return EXS_OK;
}

int exs_store_known_clean(struct exs_store_reader *r,
			  const unsigned char sha256[EXS_SHA256_LEN],
			  const char *rules_digest)
{
	if (!r->verdict || !rules_digest || !rules_digest[0])
		return 0;
	const struct exs_store *s = r->store;
	if (s->verdict_digest && !strcmp(s->verdict_digest, rules_digest))
		return exs_keyset_has(&s->clean, sha256);
	sqlite3_bind_blob(r->verdict, 1, sha256, EXS_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_text(r->verdict, 2, rules_digest, -1, SQLITE_STATIC);
	int found = sqlite3_step(r->verdict) == SQLITE_ROW;
	sqlite3_reset(r->verdict);
	return found;
}

/* ---- Signatures -----------------------------------------------------------
 *
 * The Authenticode verdict of each PE image's bytes (signature.h), keyed by
 * SHA-256 and the trust store's digest: status, signer, digest and
 * timestamp. Written by init and update,
 * read by check and by the provenance of patch day (exs_store_signature).
 * The table is created on first use (IF NOT EXISTS), so baselines made
 * before it still open and verify; where it exists the content seal covers
 * it (generations.c). */

static const char signatures_sql[] =
	"CREATE TABLE IF NOT EXISTS signatures(sha256 BLOB NOT NULL,"
	" trust TEXT NOT NULL, status INTEGER NOT NULL, signer TEXT NOT NULL,"
	" digest TEXT NOT NULL, signed_at INTEGER NOT NULL,"
	" UNIQUE(sha256, trust))";

int exs_store_add_signature(struct exs_store *s,
			    const unsigned char sha256[EXS_SHA256_LEN],
			    const char *trust, const struct exs_signature *sig,
			    struct exs_error *err)
{
	if (sig->status <= EXS_SIG_NONE || sig->status > EXS_SIG_STATUS_MAX)
		return EXS_OK;
	const char *path = s->tmp_path ? s->tmp_path : s->path;
	int rc;
	if (!s->insert_signature) {
		rc = exs_store_exec(s->db, signatures_sql, path, err);
		if (rc)
			return rc;
		if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO signatures"
				       " (sha256,trust,status,signer,digest,"
				       "signed_at) VALUES(?,?,?,?,?,?)", -1,
				       &s->insert_signature, NULL))
			return exs_store_db_fail(err, EXS_BASELINE, s->db,
						 "sqlite3_prepare", path);
	}
	rc = exs_store_begin_batch(s, err);
	if (rc)
		return rc;
	sqlite3_stmt *st = s->insert_signature;
	sqlite3_bind_blob(st, 1, sha256, EXS_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, trust ? trust : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, sig->status);
	sqlite3_bind_text(st, 4, sig->signer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, sig->digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, sig->timestamped ? sig->signed_at : 0);
	rc = exs_store_step_done(s, st, path, err);
	if (!rc && ++s->pending >= BATCH_ROWS)
		rc = exs_store_end_batch(s, err);
	return rc;
}

int exs_store_signature(struct exs_store_reader *r,
			const unsigned char sha256[EXS_SHA256_LEN],
			const char *trust, struct exs_signature *out)
{
	memset(out, 0, sizeof(*out));
	if (!r->signature)
		return 0;
	sqlite3_bind_blob(r->signature, 1, sha256, EXS_SHA256_LEN,
			  SQLITE_STATIC);
	if (trust)
		sqlite3_bind_text(r->signature, 2, trust, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(r->signature, 2);
	int found = sqlite3_step(r->signature) == SQLITE_ROW;
	if (found) {
		int status = sqlite3_column_int(r->signature, 0);
		const unsigned char *signer = sqlite3_column_text(r->signature, 1);
		const unsigned char *digest = sqlite3_column_text(r->signature, 2);
		int64_t at = sqlite3_column_int64(r->signature, 3);
		if (status <= EXS_SIG_NONE || status > EXS_SIG_STATUS_MAX) {
			found = 0;
		} else {
			out->status = status;
			snprintf(out->signer, sizeof(out->signer), "%s",
				 signer ? (const char *)signer : "");
			snprintf(out->digest, sizeof(out->digest), "%s",
				 digest ? (const char *)digest : "");
			out->timestamped = at > 0;
			out->signed_at = at > 0 ? at : 0;
		}
	}
	sqlite3_reset(r->signature);
	return found;
}

const char *exs_store_library_version(void)
{
	return sqlite3_libversion();
}
