/* fuzz_baseline.c -- the baseline reader (baseline/store.c, seal.c,
 * generations.c) on mutated databases.
 *
 * The seeds are real baselines that `exsweep init` and `update` wrote
 * (tests/fuzz/make-seeds), sealed with the fixed key below. Each input is
 * written to a private temporary folder and read three ways:
 *
 *  A. as the commands do (exs_cli_open_baseline: quick_check, counts, the
 *     file seal and the content seal with the key file), then everything a
 *     check, history or export reads, and an update committed on top;
 *  B. with the seal check left out (exs_store_open alone), so the code past
 *     the seal meets the mutated rows that the seal would have refused;
 *  C. re-sealed: the harness writes a fresh file seal with the key, so a
 *     mutation reaches the content seal's own reading of every row.
 *
 * Properties: nothing crashes, leaks or reads out of bounds; a baseline
 * the commands accept carries a good file seal; in a verified baseline
 * every current path listed is found by a lookup, and a path marked seen is
 * no longer listed; whatever an update commits opens and verifies again.
 *
 * Issue 12: item 2, a baseline the commands accept while a key exists is
 * sealed, whatever its schema_version row says, with --allow-unsealed or
 * not (a schema-1 downgrade is EXS_SEAL; an unsealed legacy baseline is
 * read only with --allow-unsealed and no key); item 7, in every verified
 * baseline, schema 1 included, each listed path is found by a lookup.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "baseline_cli.h"
#include "fuzz.h"
#include "seal.h"
#include "hash.h"
#include "store.h"

#define LISTED_MAX 64

/* make-seeds writes the same 32 bytes as the key file of every seed. */
static const unsigned char fuzz_key[EXS_SEAL_KEY_LEN] =
	"exsweep-fuzz-key-0123456789abcde";

static const struct exs_platform *plat;
static char dir[256], db_path[300], key_path[300], new_path[310];

static void remove_files(void)
{
	remove(new_path);
	remove(db_path);
	remove(key_path);
	char lock[320];
	snprintf(lock, sizeof(lock), "%s.lock", db_path);
	remove(lock);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	plat = exs_platform_native();
	/* Every input is written, sealed and synced a few times: a memory
	 * file system keeps that from waiting on a disk. */
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !tmp[0])
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/exsweep-fuzz-XXXXXX", tmp);
	FUZZ_CHECK(mkdtemp(dir), "cannot create a folder in '%s'", dir);
	snprintf(db_path, sizeof(db_path), "%s/b.db", dir);
	snprintf(new_path, sizeof(new_path), "%s/b.db.new", dir);
	snprintf(key_path, sizeof(key_path), "%s/b.key", dir);
	FILE *f = fopen(key_path, "wb");
	FUZZ_CHECK(f && fwrite(fuzz_key, 1, sizeof(fuzz_key), f) ==
			     sizeof(fuzz_key) && fclose(f) == 0,
		   "cannot write '%s'", key_path);
	atexit(remove_files);
	return 0;
}

static void write_input(const uint8_t *data, size_t size)
{
	remove(new_path);
	FILE *f = fopen(db_path, "wb");
	FUZZ_CHECK(f && fwrite(data, 1, size, f) == size && fclose(f) == 0,
		   "cannot write '%s'", db_path);
}

/* ---- Reading everything ---------------------------------------------------- */

struct listed {
	char *paths[LISTED_MAX];
	size_t lens[LISTED_MAX];
	size_t count;
	size_t total;
};

static int list_one(void *ctx, const char *path, size_t len,
		    const struct exs_record *rec)
{
	struct listed *l = ctx;
	(void)rec;
	l->total++;
	if (l->count < LISTED_MAX) {
		l->paths[l->count] = malloc(len + 1);
		FUZZ_CHECK(l->paths[l->count], "harness out of memory");
		memcpy(l->paths[l->count], path, len);
		l->lens[l->count++] = len;
	}
	return EXS_OK;
}

static void listed_free(struct listed *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->paths[i]);
	memset(l, 0, sizeof(*l));
}

static int history_one(void *ctx, int64_t gen_from, int64_t gen_to,
		       const struct exs_record *rec)
{
	(void)ctx;
	(void)gen_from;
	(void)gen_to;
	(void)rec;
	return EXS_OK;
}

static int no_skip(void *ctx, const char *path, size_t len)
{
	(void)ctx;
	(void)path;
	return len % 7 != 3; /* some paths are outside the sweep */
}

static void check_generations(struct exs_store *store)
{
	struct exs_generation *gens = NULL;
	size_t count = 0;
	struct exs_error err;
	if (exs_store_generations(store, &gens, &count, &err) == EXS_OK) {
		for (size_t i = 0; i < count; i++) {
			const struct exs_generation *g = &gens[i];
			FUZZ_CHECK(memchr(g->note, 0, sizeof(g->note)) &&
				   memchr(g->seal, 0, sizeof(g->seal)) &&
				   memchr(g->created, 0, sizeof(g->created)),
				   "generation %zu: unterminated text", i);
		}
	}
	free(gens);
}

/* Reads what check, history, export and update read. With verified set,
 * the baseline passed the commands' checks, and lookups must agree with
 * the listing. */
static void read_all(struct exs_store *store, int verified)
{
	struct exs_error err;
	struct exs_strlist roots = { 0 }, web = { 0 };
	char value[4096];
	exs_error_clear(&err);
	(void)exs_store_schema(store);
	(void)exs_store_count(store);
	check_generations(store);
	exs_cli_baseline_list(store, "root", &roots);
	exs_cli_baseline_list(store, "web_root", &web);
	exs_strlist_free(&roots);
	exs_strlist_free(&web);
	exs_store_get_meta(store, "created", value, sizeof(value));
	FUZZ_CHECK(memchr(value, 0, sizeof(value)), "unterminated meta value");
	char seal[EXS_SEAL_HEX_LEN + 1];
	exs_store_compute_seal(store, fuzz_key, sizeof(fuzz_key), seal, &err);

	struct listed listed = { 0 };
	if (exs_store_each_unseen(store, NULL, list_one, &listed, &err) != EXS_OK)
		goto out;
	struct exs_store_reader *reader = NULL;
	if (exs_store_reader_open(store, &reader, &err) == EXS_OK) {
		unsigned char sha[EXS_SHA256_LEN] = { 0 };
		(void)exs_store_known_clean(reader, sha, "0123");
		int lookups_agree = verified &&
			1;
		struct exs_sha256 *key_sha = NULL;
		if (exs_sha256_create(&key_sha))
			key_sha = NULL;
		for (size_t i = 0; i < listed.count; i++) {
			struct exs_record rec;
			int found = 0;
			int rc = exs_store_lookup(reader, listed.paths[i],
						  listed.lens[i], &rec, &found,
						  &err);
			if (rc == EXS_OK && found)
				(void)exs_store_known_clean(reader, rec.sha256,
							    "0123");
			/* Issue 12 item 7 for schema 1 */
			FUZZ_CHECK(!lookups_agree || (rc == EXS_OK && found),
				   "listed path %zu is not found by a lookup", i);
			/* In a verified baseline the index agrees with the
			 * lookup: the row's own record is the same, and one
			 * with another size is not. (Re-sealed by the
			 * harness, C below, a B-tree with rows out of key
			 * order can make a lookup miss what the index, read
			 * in one scan, holds: only the key's holder can seal
			 * such a file.) */
			unsigned char pk[EXS_KEY_LEN], rk[EXS_KEY_LEN];
			if (lookups_agree && rc == EXS_OK && found && key_sha &&
			    !exs_sha256_key(key_sha, listed.paths[i],
					    listed.lens[i], pk) &&
			    !exs_record_key(key_sha, &rec, rk)) {
				int probe = exs_store_probe(reader, pk, rk);
				FUZZ_CHECK(probe == EXS_PROBE_UNKNOWN ||
					   probe == EXS_PROBE_SAME,
					   "the index disagrees with the "
					   "lookup of listed path %zu", i);
				rec.st.size++;
				if (!exs_record_key(key_sha, &rec, rk))
					FUZZ_CHECK(probe == EXS_PROBE_UNKNOWN ||
						   exs_store_probe(reader, pk, rk) ==
						   EXS_PROBE_DIFFERS,
						   "a changed record of listed "
						   "path %zu is the same", i);
			}
		}
		exs_sha256_free(key_sha);
		exs_store_reader_close(reader);
	}
	for (size_t i = 0; i < listed.count; i++) {
		exs_store_path_history(store, listed.paths[i], listed.lens[i],
				       history_one, NULL, &err);
		if (i % 2 == 0)
			exs_store_mark_seen(store, listed.paths[i],
					    listed.lens[i], 0, &err);
	}
	struct listed again = { 0 };
	if (exs_store_each_unseen(store, no_skip, list_one, &again, &err) ==
		    EXS_OK && verified && listed.total <= LISTED_MAX) {
		for (size_t i = 0; i < again.count; i++)
			for (size_t j = 0; j < listed.count; j += 2)
				FUZZ_CHECK(again.lens[i] != listed.lens[j] ||
					   memcmp(again.paths[i], listed.paths[j],
						  listed.lens[j]),
					   "a path marked seen is listed unseen");
	}
	listed_free(&again);
out:
	listed_free(&listed);
}

/* 1 when the input passes SQLite's full integrity_check. exs_store_open
 * runs only quick_check, which does not check that rows are in key order:
 * a mutated page can pass it with a meta row out of order, and an update
 * of such a file commits a baseline whose counts the next open refuses
 * (EXS_CORRUPT; found by fuzzing, regressions/baseline/update-of-misordered-
 * meta). Only past the seal (B) can a file be so damaged. */
static int integrity_ok(void)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int ok = 0;
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		ok = t && !strcmp((const char *)t, "ok");
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok;
}

/* An update on top: accept one path, retire another, commit or abort. The
 * store is closed. Whatever is committed must open and verify again when
 * the store it came from was sound (must_open: verified, or whole by
 * integrity_check); it is read as verified only when the store it came
 * from was (update seals what it copies, and a check would trust it). */
static void update(struct exs_store *store, int commit, int verified,
		   int must_open)
{
	struct exs_store *next = NULL;
	struct exs_error err;
	struct listed listed = { 0 };
	exs_error_clear(&err);
	exs_store_each_unseen(store, NULL, list_one, &listed, &err);
	int rc = exs_store_begin_update(store, &next, &err);
	exs_store_close(store);
	if (rc)
		goto out;
	struct exs_record rec;
	memset(&rec, 0, sizeof(rec));
	rec.st.node = EXS_NODE_FILE;
	rec.st.size = 5;
	snprintf(rec.st.owner, sizeof(rec.st.owner), "0:0");
	rc = exs_store_accept(next, "/fuzz/new", 9, &rec, &err);
	if (!rc && listed.count)
		rc = exs_store_retire(next, listed.paths[0], listed.lens[0], &err);
	if (!rc && listed.count > 1)
		rc = exs_store_accept(next, listed.paths[1], listed.lens[1], &rec,
				      &err);
	if (rc || !commit) {
		exs_store_abort(next);
		goto out;
	}
	struct exs_generation gen;
	memset(&gen, 0, sizeof(gen));
	snprintf(gen.created, sizeof(gen.created), "2026-12-01T00:00:00Z");
	snprintf(gen.note, sizeof(gen.note), "fuzz");
	if (exs_store_commit(next, &gen, fuzz_key, sizeof(fuzz_key), &err))
		goto out;
	rc = exs_store_open(plat, db_path, &store, &err);
	if (rc && !must_open)
		goto out;
	FUZZ_CHECK(rc == EXS_OK, "a committed update does not open: %s",
		   err.detail);
	rc = exs_store_verify_seal(store, fuzz_key, sizeof(fuzz_key), &err);
	FUZZ_CHECK(rc == EXS_OK, "a committed update does not verify: %s",
		   err.detail);
	read_all(store, verified);
	exs_store_close(store);
out:
	listed_free(&listed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exs_store *store = NULL;
	struct exs_error err;
	int commit = size % 4 == 0; /* commits cost; do one in four */

	/* A: as the commands do. */
	write_input(data, size);
	struct exs_cli cli;
	struct exs_run run;
	memset(&cli, 0, sizeof(cli));
	memset(&run, 0, sizeof(run));
	cli.plat = plat;
	cli.cfg.baseline_path = db_path;
	cli.cfg.baseline_key = key_path;
	/* --allow-unsealed changes nothing while the key exists. */
	cli.allow_unsealed = size % 2;
	exs_error_clear(&err);
	if (exs_cli_open_baseline(&cli, &run, &store, NULL, &err) == EXS_OK) {
		struct exs_error ignored;
		/* Issue 12 item 2: never accepted without its seal. */
		FUZZ_CHECK(exs_seal_file(plat, db_path, fuzz_key,
					 sizeof(fuzz_key), 0, &ignored) == EXS_OK,
			   "an unsealed baseline is accepted (schema %d%s)",
			   exs_store_schema(store),
			   cli.allow_unsealed ? ", --allow-unsealed with a key"
					      : "");
		read_all(store, 1);
		update(store, commit, 1, 1);
	}
	exs_run_free(&run);

	/* B: past the seal. */
	write_input(data, size);
	exs_error_clear(&err);
	if (exs_store_open(plat, db_path, &store, &err) == EXS_OK) {
		int sound = commit && integrity_ok();
		read_all(store, 0);
		update(store, commit, 0, sound);
	}

	/* C: re-sealed with the key. */
	write_input(data, size);
	exs_error_clear(&err);
	if (exs_seal_file(plat, db_path, fuzz_key, sizeof(fuzz_key), 1, &err) ==
		    EXS_OK &&
	    exs_store_open(plat, db_path, &store, &err) == EXS_OK) {
		if (exs_store_verify_seal(store, fuzz_key, sizeof(fuzz_key),
					  &err) == EXS_OK)
			read_all(store, 0);
		exs_store_close(store);
	}
	return 0;
}
