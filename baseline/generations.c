/* generations.c -- the baseline as a series of generations (see store.h):
 * writing a generation row and sealing, verifying the seal, reading the
 * generations and one path's story, and update: copy, migrate, apply.
 *
 * Divisions: the seal, finishing a generation, reading generations and
 * history, starting an update (copy and schema-1 migration), applying
 * changes.
 *
 * The seal of the newest generation is an HMAC over, in this order: every
 * meta row by key, every generation row by id (the newest one's own seal
 * left out, as NULL, since it is what is being computed), every file row by
 * (path, gen_from), each column as SQLite stores it (seal.h gives the
 * encoding). Older generations keep the seal they were given when they were
 * newest: that value left the host in that run's report, and is covered,
 * as a column of its generation row, by every later seal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seal.h"
#include "store_int.h"

#define COPY_CHUNK (1u << 20)

/* ---- The seal ------------------------------------------------------------- */

static int seal_query(struct exs_store *s, struct exs_seal *seal,
		      const char *section, const char *sql,
		      struct exs_error *err)
{
	sqlite3_stmt *st = NULL;
	const char *where = s->tmp_path ? s->tmp_path : s->path;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
		return exs_store_db_fail(err, EXS_CORRUPT, s->db,
					 "sqlite3_prepare", where);
	exs_seal_section(seal, section);
	int n = sqlite3_column_count(st), step;
	/* The file rows, read here anyway, fill the index for check's
	 * lookups (index.c) when their columns are the ones it knows. */
	int index = s->want_index && s->index && !strcmp(section, "files") &&
		    n == 14 && !strcmp(sqlite3_column_name(st, 0), "path") &&
		    !strcmp(sqlite3_column_name(st, 2), "gen_to") &&
		    !strcmp(sqlite3_column_name(st, 3), "node") &&
		    !strcmp(sqlite3_column_name(st, 13), "security_sha256");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (index && sqlite3_column_type(st, 2) == SQLITE_NULL) {
			struct exs_record rec;
			const void *path = sqlite3_column_blob(st, 0);
			size_t len = (size_t)sqlite3_column_bytes(st, 0);
			exs_store_row_to_record(st, 3, &rec);
			exs_store_index_add(s, path ? path : "", len, &rec);
		}
		exs_seal_row(seal, (uint64_t)n);
		for (int i = 0; i < n; i++) {
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER:
				exs_seal_int(seal, sqlite3_column_int64(st, i));
				break;
			case SQLITE_FLOAT:
				exs_seal_float(seal, sqlite3_column_double(st, i));
				break;
			case SQLITE_TEXT:
				exs_seal_text(seal, sqlite3_column_text(st, i),
					      (size_t)sqlite3_column_bytes(st, i));
				break;
			case SQLITE_BLOB:
				exs_seal_blob(seal, sqlite3_column_blob(st, i),
					      (size_t)sqlite3_column_bytes(st, i));
				break;
			default:
				exs_seal_null(seal);
				break;
			}
		}
	}
	int rc = EXS_OK;
	if (step != SQLITE_DONE)
		rc = exs_store_db_fail(err, exs_store_is_corrupt_code(step)
					? EXS_CORRUPT : EXS_BASELINE,
				       s->db, "sqlite3_step", where);
	sqlite3_finalize(st);
	return rc;
}

int exs_store_compute_seal(struct exs_store *s, const unsigned char *key,
			   size_t key_len, char *hex, struct exs_error *err)
{
	struct exs_seal *seal;
	const char *where = s->tmp_path ? s->tmp_path : s->path;
	int rc = exs_seal_begin(key, key_len, NULL, &seal);
	if (rc)
		return exs_fail(err, rc, 0, "HMAC", where);
	rc = seal_query(s, seal, "meta",
			"SELECT key,value FROM meta ORDER BY key", err);
	if (!rc)
		rc = seal_query(s, seal, "generations",
			"SELECT id,created,note,host,tool_version,exchange_build,"
			"rules_digest,config_digest,file_count,"
			"CASE WHEN id=(SELECT max(id) FROM generations)"
			" THEN NULL ELSE seal END"
			" FROM generations ORDER BY id", err);
	if (!rc)
		rc = seal_query(s, seal, "files",
			"SELECT * FROM files ORDER BY path, gen_from", err);
	/* Configuration registrations, in baselines that have them: a
	 * baseline sealed before the table existed keeps its seal. */
	if (!rc && exs_store_has_registrations(s))
		rc = seal_query(s, seal, "registrations",
			"SELECT * FROM registrations ORDER BY sha256, ord", err);
	/* Signatures (store.c) only where the table exists, so that a
	 * baseline from before it keeps the seal it was given. */
	char one[8];
	int sqlite_rc;
	if (!rc && exs_store_query_text(s->db, "SELECT 1 FROM sqlite_master "
					"WHERE type='table' AND name="
					"'signatures'", NULL, one, sizeof(one),
					&sqlite_rc) == EXS_OK && one[0] == '1')
		rc = seal_query(s, seal, "signatures",
			"SELECT sha256,trust,status,signer,digest,signed_at"
			" FROM signatures ORDER BY sha256, trust", err);
	if (rc) {
		exs_seal_free(seal);
		return rc;
	}
	if (exs_seal_finish(seal, hex))
		return exs_fail(err, EXS_INTERNAL, 0, "HMAC", where);
	return EXS_OK;
}

int exs_store_verify_seal(struct exs_store *s, const unsigned char *key,
			  size_t key_len, struct exs_error *err)
{
	/* An unsealed baseline does not verify: reading one anyway is the
	 * caller's explicit choice (--allow-unsealed), never a default. */
	if (s->schema < 2)
		return exs_failf(err, EXS_SEAL, 0, "seal", s->path,
				 "baseline seal does not match: a schema-1 "
				 "baseline carries no seal");
	int file_rc = exs_seal_file(s->plat, s->path, key, key_len, 0, err);
	if (file_rc)
		return file_rc;
	char recorded[128], computed[EXS_SEAL_HEX_LEN + 1], sql[96];
	int sqlite_rc;
	snprintf(sql, sizeof(sql), "SELECT seal FROM generations WHERE id=%lld",
		 (long long)s->gen);
	exs_store_query_text(s->db, sql, NULL, recorded, sizeof(recorded),
			     &sqlite_rc);
	/* The seal check reads every current row: it leaves them indexed
	 * (index.c), unless there is no memory for it. */
	s->want_index = s->schema >= 2 && !s->tmp_path &&
			exs_store_index_begin(s, s->count) == EXS_OK;
	int rc = exs_store_compute_seal(s, key, key_len, computed, err);
	if (s->want_index)
		exs_store_index_end(s);
	s->want_index = 0;
	if (!rc && !recorded[0])
		rc = exs_failf(err, EXS_SEAL, 0, "seal", s->path,
			       "baseline seal does not match: generation "
			       "%lld carries no seal (tampered or damaged)",
			       (long long)s->gen);
	else if (!rc && !exs_seal_equal(recorded, computed))
		rc = exs_failf(err, EXS_SEAL, 0, "seal", s->path,
			       "baseline seal does not match: the content "
			       "differs from what generation %lld sealed "
			       "(%.16s...), or the key is not the one it was "
			       "sealed with: tampered or damaged",
			       (long long)s->gen, recorded);
	if (rc) {
		/* Rows that failed the seal answer nothing. */
		exs_store_index_free(s->index);
		s->index = NULL;
	}
	return rc;
}

/* ---- Finishing a generation ---------------------------------------------- */

static int bind_step(struct exs_store *s, sqlite3_stmt *st,
		     struct exs_error *err)
{
	int step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return exs_store_db_fail(err, (step & 0xFF) == SQLITE_FULL
					 ? EXS_NOSPACE : EXS_BASELINE,
					 s->db, "sqlite3_step", s->tmp_path);
	return EXS_OK;
}

int exs_store_finish_generation(struct exs_store *s,
				struct exs_generation *gen,
				const unsigned char *key, size_t key_len,
				struct exs_error *err)
{
	char buf[64];
	int sqlite_rc;
	int rc = exs_store_end_batch(s, err);
	if (!rc)
		rc = exs_store_begin_batch(s, err);
	if (rc)
		return rc;
	exs_store_query_text(s->db,
			     "SELECT count(*) FROM files WHERE gen_to IS NULL",
			     NULL, buf, sizeof(buf), &sqlite_rc);
	gen->id = s->gen;
	gen->file_count = strtoull(buf, NULL, 10);
	gen->seal[0] = '\0';
	rc = exs_store_set_meta(s, "file_count", buf, err);
	if (!rc)
		rc = exs_store_set_meta(s, "complete", "1", err);
	sqlite3_stmt *st = NULL;
	if (!rc && sqlite3_prepare_v2(s->db,
			"INSERT INTO generations VALUES(?,?,?,?,?,?,?,?,?,'')",
			-1, &st, NULL))
		rc = exs_store_db_fail(err, EXS_BASELINE, s->db,
				       "sqlite3_prepare", s->tmp_path);
	if (!rc) {
		sqlite3_bind_int64(st, 1, gen->id);
		sqlite3_bind_text(st, 2, gen->created, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, gen->note, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, gen->host, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, gen->tool_version, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, gen->exchange_build, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, gen->rules_digest, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, gen->config_digest, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, (sqlite3_int64)gen->file_count);
		rc = bind_step(s, st, err);
	}
	if (!rc)
		rc = exs_store_end_batch(s, err);
	if (!rc)
		rc = exs_store_compute_seal(s, key, key_len, gen->seal, err);
	if (!rc && sqlite3_prepare_v2(s->db,
			"UPDATE generations SET seal=? WHERE id=?", -1, &st, NULL))
		rc = exs_store_db_fail(err, EXS_BASELINE, s->db,
				       "sqlite3_prepare", s->tmp_path);
	if (!rc) {
		sqlite3_bind_text(st, 1, gen->seal, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, gen->id);
		rc = bind_step(s, st, err);
	}
	return rc;
}

/* ---- Reading generations and history -------------------------------------- */

static void column_copy(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

int exs_store_generations(struct exs_store *s, struct exs_generation **out,
			  size_t *count, struct exs_error *err)
{
	*out = NULL;
	*count = 0;
	if (s->schema < 2) {
		struct exs_generation *g = calloc(1, sizeof(*g));
		if (!g)
			return exs_fail(err, EXS_NOMEM, 0, "malloc", s->path);
		g->id = 1;
		exs_store_get_meta(s, "created", g->created, sizeof(g->created));
		exs_store_get_meta(s, "host", g->host, sizeof(g->host));
		exs_store_get_meta(s, "tool_version", g->tool_version,
				   sizeof(g->tool_version));
		snprintf(g->note, sizeof(g->note), "schema 1 baseline, unsealed");
		g->file_count = s->count;
		*out = g;
		*count = 1;
		return EXS_OK;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			"SELECT id,created,note,host,tool_version,exchange_build,"
			"rules_digest,config_digest,file_count,seal"
			" FROM generations ORDER BY id", -1, &st, NULL))
		return exs_store_db_fail(err, EXS_CORRUPT, s->db,
					 "sqlite3_prepare", s->path);
	size_t cap = 0;
	int step, rc = EXS_OK;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (*count == cap) {
			cap = cap ? cap * 2 : 8;
			struct exs_generation *grown =
				realloc(*out, cap * sizeof(**out));
			if (!grown) {
				rc = exs_fail(err, EXS_NOMEM, 0, "malloc", s->path);
				break;
			}
			*out = grown;
		}
		struct exs_generation *g = &(*out)[(*count)++];
		memset(g, 0, sizeof(*g));
		g->id = sqlite3_column_int64(st, 0);
		column_copy(st, 1, g->created, sizeof(g->created));
		column_copy(st, 2, g->note, sizeof(g->note));
		column_copy(st, 3, g->host, sizeof(g->host));
		column_copy(st, 4, g->tool_version, sizeof(g->tool_version));
		column_copy(st, 5, g->exchange_build, sizeof(g->exchange_build));
		column_copy(st, 6, g->rules_digest, sizeof(g->rules_digest));
		column_copy(st, 7, g->config_digest, sizeof(g->config_digest));
		g->file_count = (uint64_t)sqlite3_column_int64(st, 8);
		column_copy(st, 9, g->seal, sizeof(g->seal));
	}
	if (!rc && step != SQLITE_DONE)
		rc = exs_store_db_fail(err, EXS_CORRUPT, s->db, "sqlite3_step",
				       s->path);
	sqlite3_finalize(st);
	if (rc) {
		free(*out);
		*out = NULL;
		*count = 0;
	}
	return rc;
}

static int path_history_query(struct exs_store *s, const char *sql,
			      const char *path, size_t path_len,
			      int (*fn)(void *ctx, int64_t gen_from,
					int64_t gen_to,
					const struct exs_record *rec),
			      void *ctx, int *rows, struct exs_error *err)
{
	sqlite3_stmt *st = NULL;
	*rows = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
		return exs_store_db_fail(err, EXS_CORRUPT, s->db,
					 "sqlite3_prepare", s->path);
	sqlite3_bind_blob(st, 1, path, (int)path_len, SQLITE_STATIC);
	int step = SQLITE_DONE, rc = EXS_OK;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct exs_record rec;
		exs_store_row_to_record(st, 2, &rec);
		(*rows)++;
		rc = fn(ctx, sqlite3_column_int64(st, 0),
			sqlite3_column_int64(st, 1), &rec);
	}
	if (!rc && step != SQLITE_DONE)
		rc = exs_store_db_fail(err, EXS_CORRUPT, s->db, "sqlite3_step",
				       s->path);
	sqlite3_finalize(st);
	return rc;
}

int exs_store_path_history(struct exs_store *s, const char *path,
			   size_t path_len,
			   int (*fn)(void *ctx, int64_t gen_from, int64_t gen_to,
				     const struct exs_record *rec),
			   void *ctx, struct exs_error *err)
{
	char sql[320];
	snprintf(sql, sizeof(sql), s->schema >= 2
		 ? "SELECT gen_from,coalesce(gen_to,0),node,size,mtime_ns,"
		   "ctime_ns,mode,owner,volume_id,file_id,link_count,sha256,"
		   "security_sha256 FROM files WHERE %s ORDER BY gen_from"
		 : "SELECT 1,0,node,size,mtime_ns,ctime_ns,mode,owner,volume_id,"
		   "file_id,link_count,sha256,security_sha256"
		   " FROM files WHERE %s", EXS_STORE_PATH_IS(s));
	int rows = 0;
	int rc = path_history_query(s, sql, path, path_len, fn, ctx, &rows, err);
	if (rc || rows || !s->plat->case_insensitive)
		return rc;
	/* Where names ignore case, a file that is gone (so its spelling could
	 * not be taken from its folder) is still found when typed in another
	 * case: ASCII folding, as every other comparison of paths does. */
	const char *folded = s->schema >= 2
		? "SELECT gen_from,coalesce(gen_to,0),node,size,mtime_ns,"
		  "ctime_ns,mode,owner,volume_id,file_id,link_count,sha256,"
		  "security_sha256 FROM files WHERE lower(CAST(path AS TEXT))="
		  "lower(CAST(?1 AS TEXT)) ORDER BY gen_from, path"
		: "SELECT 1,0,node,size,mtime_ns,ctime_ns,mode,owner,volume_id,"
		  "file_id,link_count,sha256,security_sha256 FROM files WHERE"
		  " lower(CAST(path AS TEXT))=lower(CAST(?1 AS TEXT))";
	return path_history_query(s, folded, path, path_len, fn, ctx, &rows,
				  err);
}

/* ---- Starting an update ----------------------------------------------------- */

/* Copies the verified baseline byte for byte through the platform, into a
 * private file that did not exist before. */
static int copy_file(const struct exs_platform *plat, const char *src,
		     const char *dst, struct exs_error *err)
{
	unsigned char *chunk = malloc(COPY_CHUNK);
	if (!chunk)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", src);
	struct exs_file *in = NULL, *out = NULL;
	int rc = plat->file_open_read(src, &in, err);
	if (!rc)
		rc = plat->file_create(dst, EXS_CREATE_EXCLUSIVE |
				       EXS_CREATE_PRIVATE, &out, err);
	while (!rc) {
		size_t got = 0;
		rc = plat->file_read(in, chunk, COPY_CHUNK, &got, err);
		if (rc || !got)
			break;
		rc = plat->file_write(out, chunk, got, err);
	}
	if (in)
		plat->file_close(in);
	if (out)
		plat->file_close(out);
	free(chunk);
	return rc;
}

int exs_store_copy_file(const struct exs_platform *plat, const char *src,
			const char *dst, struct exs_error *err)
{
	return copy_file(plat, src, dst, err);
}

/* Schema 1 -> 2: the files table gains its generation range, every file
 * becomes part of generation 1, and generation 1 gets a row (unsealed: a
 * schema-1 baseline never had a seal). */
static int migrate_v1(struct exs_store *s, struct exs_error *err)
{
	int rc = exs_store_exec(s->db,
		"BEGIN;"
		"ALTER TABLE meta RENAME TO meta_v1;"
		"ALTER TABLE files RENAME TO files_v1;", s->tmp_path, err);
	if (!rc)
		rc = exs_store_exec(s->db, exs_store_schema_sql, s->tmp_path, err);
	if (!rc)
		rc = exs_store_exec(s->db,
			"INSERT INTO meta SELECT key,value FROM meta_v1;"
			"UPDATE meta SET value='2' WHERE key='schema_version';"
			/* Paths become BLOBs whatever an old version stored
			 * them as: the bytes are the same, and only BLOBs
			 * match the lookups. */
			"INSERT INTO files SELECT CAST(path AS BLOB),1,NULL,"
			"node,size,mtime_ns,"
			"ctime_ns,mode,owner,volume_id,file_id,link_count,sha256,"
			"security_sha256 FROM files_v1;"
			"INSERT INTO generations VALUES(1,"
			" coalesce((SELECT value FROM meta WHERE key='created'),''),"
			" 'schema 1 baseline, migrated',"
			" coalesce((SELECT value FROM meta WHERE key='host'),''),"
			" coalesce((SELECT value FROM meta WHERE key='tool_version'),''),"
			" '', '', '', (SELECT count(*) FROM files), '');"
			"DROP TABLE meta_v1; DROP TABLE files_v1;"
			"COMMIT;", s->tmp_path, err);
	return rc;
}

int exs_store_begin_update(struct exs_store *src, struct exs_store **out,
			   struct exs_error *err)
{
	const struct exs_platform *plat = src->plat;
	struct exs_error ignored;
	struct exs_store *s = calloc(1, sizeof(*s));
	if (!s)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", src->path);
	s->plat = plat;
	s->path = exs_store_concat(src->path, "");
	s->tmp_path = exs_store_concat(src->path, ".new");
	if (!s->path || !s->tmp_path) {
		exs_store_free(s);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", src->path);
	}
	/* A PATH.new left by a killed run is garbage: start afresh. */
	plat->file_remove(s->tmp_path, &ignored);
	int rc = copy_file(plat, src->path, s->tmp_path, err);
	if (rc) {
		plat->file_remove(s->tmp_path, &ignored);
		exs_store_free(s);
		return rc;
	}
	if (sqlite3_open_v2(s->tmp_path, &s->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = exs_store_db_fail(err, EXS_BASELINE, s->db, "sqlite3_open",
				       s->tmp_path);
		exs_store_abort(s);
		return rc;
	}
	s->schema = EXS_STORE_SCHEMA_VERSION;
	s->gen = src->gen + 1;
	rc = exs_store_exec(s->db, "PRAGMA journal_mode=OFF;"
			    " PRAGMA synchronous=OFF;", s->tmp_path, err);
	if (!rc && src->schema < 2)
		rc = migrate_v1(s, err);
	else if (!rc && src->text_paths)
		/* A schema-2 baseline migrated from TEXT paths before they
		 * were cast: the new generation's rows are BLOBs like all
		 * others, so that retiring a row finds it. */
		rc = exs_store_exec(s->db, "UPDATE files SET"
				    " path=CAST(path AS BLOB)"
				    " WHERE typeof(path)='text'", s->tmp_path, err);
	if (!rc && src->schema < 2) {
		/* Make room for the file seal (seal.h): VACUUM rewrites every
		 * page with the new reserve. */
		int reserve = EXS_SEAL_FILE_RESERVE;
		sqlite3_file_control(s->db, "main", SQLITE_FCNTL_RESERVE_BYTES,
				     &reserve);
		rc = exs_store_exec(s->db, "VACUUM", s->tmp_path, err);
	}
	if (!rc)
		rc = exs_store_prepare_build(s, err);
	if (!rc)
		rc = exs_store_set_meta(s, "complete", "0", err);
	if (rc) {
		exs_store_abort(s);
		return rc;
	}
	*out = s;
	return EXS_OK;
}

int exs_store_commit_update(struct exs_store *s, struct exs_store *src,
			    struct exs_generation *gen,
			    const unsigned char *key, size_t key_len,
			    struct exs_error *err)
{
	int rc = exs_store_finish_generation(s, gen, key, key_len, err);
	if (rc) {
		exs_store_abort(s);
		exs_store_close(src);
		return rc;
	}
	return exs_store_swap_in(s, src, key, key_len, err);
}

/* ---- Applying changes -------------------------------------------------------- */

int exs_store_retire(struct exs_store *s, const char *path, size_t path_len,
		     struct exs_error *err)
{
	int rc = exs_store_begin_batch(s, err);
	if (rc)
		return rc;
	sqlite3_bind_int64(s->retire, 1, s->gen - 1);
	sqlite3_bind_blob(s->retire, 2, path, (int)path_len, SQLITE_STATIC);
	int step = sqlite3_step(s->retire);
	sqlite3_reset(s->retire);
	if (step != SQLITE_DONE)
		return exs_store_db_fail(err, (step & 0xFF) == SQLITE_FULL
					 ? EXS_NOSPACE : EXS_BASELINE,
					 s->db, "sqlite3_step", s->tmp_path);
	return EXS_OK;
}

int exs_store_accept(struct exs_store *s, const char *path, size_t path_len,
		     const struct exs_record *rec, struct exs_error *err)
{
	int rc = exs_store_retire(s, path, path_len, err);
	if (!rc)
		rc = exs_store_add(s, path, path_len, rec, err);
	return rc;
}
