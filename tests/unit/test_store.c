/* test_store.c -- the SQLite baseline, in a scratch folder of the platform.
 *
 * What must hold: a record comes back exactly as it went in, whatever bytes
 * its path holds; an existing baseline is never touched unless --force, and
 * an aborted or crashed init leaves it byte-identical; a stale PATH.new is
 * cleaned up; removed files are exactly the unseen paths, in byte order; and
 * a baseline that is missing, truncated, random, empty, incomplete, of
 * another schema or short of rows is refused with EXS_BASELINE/EXS_CORRUPT
 * and a reason, never half-used.
 *
 * The tests damage baselines with the sqlite3 API directly, as an attacker
 * or a crash would, so this file links sqlite3 itself.
 */
#include <stdint.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "platform.h"
#include "record.h"
#include "store.h"
#include "test.h"

#include "hash.h"
#include "test_fs.h"

static const struct exs_platform *plat;
static char tmp[TMP_PATH_MAX];
static unsigned file_seq;
static int quiet;  /* record_differs stays silent during flip sweeps */

/* A fresh baseline path in the scratch folder. */
static void new_path(char *out, size_t cap)
{
	char name[64];
	snprintf(name, sizeof(name), "baseline-%u.db", ++file_seq);
	tmp_join(plat, tmp, name, out, cap);
}

static void new_suffix(char *out, size_t cap, const char *path,
		       const char *suffix)
{
	snprintf(out, cap, "%s%s", path, suffix);
}

/* ---- Records ------------------------------------------------------------ */

/* Distinct, extreme-valued records: every field differs between seeds and
 * several sit at the edges of their types (unsigned values above INT64_MAX
 * travel through SQLite's signed integers). */
static void make_record(struct exs_record *r, unsigned seed)
{
	memset(r, 0, sizeof(*r));
	r->st.node = EXS_NODE_FILE;
	r->st.size = seed == 1 ? UINT64_MAX : 1000u + seed;
	r->st.mtime_ns = seed == 1 ? INT64_MIN : -1000000000LL * seed; /* < 1970 */
	r->st.ctime_ns = seed == 1 ? INT64_MAX : 1700000000000000000LL + seed;
	r->st.mode = seed == 1 ? UINT32_MAX : 0100600u + seed;
	r->st.volume_id = seed == 1 ? UINT64_MAX : 0x8000000000000000ULL + seed;
	r->st.file_id = 0xFEDCBA9876543210ULL ^ seed;
	r->st.link_count = seed == 1 ? UINT32_MAX : seed;
	if (seed == 1) {
		/* The longest owner the struct holds. */
		memset(r->st.owner, 'S', EXS_OWNER_MAX - 1);
	} else {
		snprintf(r->st.owner, sizeof(r->st.owner), "S-1-5-21-%u-500", seed);
	}
	for (int i = 0; i < EXS_SHA256_LEN; i++) {
		r->sha256[i] = (unsigned char)(seed * 31 + i);
		r->security_sha256[i] = (unsigned char)(seed * 7 + 3 * i);
	}
	/* The whole seed in the digest, so no two records share one. */
	r->sha256[0] = (unsigned char)(seed >> 8);
	r->sha256[1] = (unsigned char)seed;
	r->has_security = seed % 2;
	if (!r->has_security)
		memset(r->security_sha256, 0, sizeof(r->security_sha256));
}

/* 0 when a and b are the same record, field by field; else prints the
 * first difference and returns 1. */
static int record_differs(const struct exs_record *a, const struct exs_record *b)
{
#define FIELD(f)                                                            \
	if (a->f != b->f) {                                                 \
		if (!quiet)                                                 \
			fprintf(stderr, "%s: %llu != %llu\n", #f,           \
				(unsigned long long)a->f,                   \
				(unsigned long long)b->f);                  \
		return 1;                                                   \
	}
	FIELD(st.node)
	FIELD(st.size)
	FIELD(st.mtime_ns)
	FIELD(st.ctime_ns)
	FIELD(st.mode)
	FIELD(st.volume_id)
	FIELD(st.file_id)
	FIELD(st.link_count)
	FIELD(has_security)
#undef FIELD
	if (strcmp(a->st.owner, b->st.owner) != 0) {
		if (!quiet)
			fprintf(stderr, "owner: '%s' != '%s'\n", a->st.owner,
				b->st.owner);
		return 1;
	}
	if (memcmp(a->sha256, b->sha256, EXS_SHA256_LEN) != 0) {
		if (!quiet)
			fprintf(stderr, "sha256 differs\n");
		return 1;
	}
	if (a->has_security &&
	    memcmp(a->security_sha256, b->security_sha256, EXS_SHA256_LEN) != 0) {
		if (!quiet)
			fprintf(stderr, "security_sha256 differs\n");
		return 1;
	}
	return 0;
}

/* The special paths every full baseline holds. */
#define LONG_PATH_LEN 4096
static char long_path[LONG_PATH_LEN];
static const char bad_path[] = "/x/bad\xff\xfe\nname\xc0\xaf.aspx";

struct named {
	const char *path;
	size_t len;
	unsigned seed;
};

static size_t special_paths(struct named out[4])
{
	out[0] = (struct named){ "/x/a.aspx", 9, 1 };
	out[1] = (struct named){ bad_path, sizeof(bad_path) - 1, 2 };
	out[2] = (struct named){ long_path, LONG_PATH_LEN, 3 };
	out[3] = (struct named){ "/x/a", 4, 4 };  /* a prefix of the first */
	return 4;
}

/* The seal key of every baseline these tests build. */
static const unsigned char test_key[32] = "exsweep unit test seal key 0123";

static int commit(struct exs_store *s, struct exs_error *err)
{
	struct exs_generation gen;
	memset(&gen, 0, sizeof(gen));
	snprintf(gen.note, sizeof(gen.note), "unit test");
	return exs_store_commit(s, &gen, test_key, sizeof(test_key), err);
}

/* Creates a baseline at path with the special records plus `bulk` more
 * ("/bulk/NNNNNN", seeds 100...). */
static int build(const char *path, int force, unsigned bulk)
{
	struct exs_store *s;
	struct exs_error err;
	int rc = exs_store_create(plat, path, force, &s, &err);
	if (rc)
		return rc;
	rc = exs_store_set_meta(s, "host", "mail01", &err);
	struct named sp[4];
	size_t n = special_paths(sp);
	for (size_t i = 0; !rc && i < n; i++) {
		struct exs_record r;
		make_record(&r, sp[i].seed);
		rc = exs_store_add(s, sp[i].path, sp[i].len, &r, &err);
	}
	for (unsigned i = 0; !rc && i < bulk; i++) {
		char p[32];
		struct exs_record r;
		snprintf(p, sizeof(p), "/bulk/%06u", i);
		make_record(&r, 100 + i);
		rc = exs_store_add(s, p, strlen(p), &r, &err);
	}
	if (rc) {
		exs_store_abort(s);
		return rc;
	}
	return commit(s, &err);
}

static int same_bytes(const char *path, const unsigned char *want, size_t len)
{
	unsigned char *got;
	size_t got_len;
	if (tmp_read(plat, path, &got, &got_len) != EXS_OK)
		return 0;
	int same = got_len == len && memcmp(got, want, len) == 0;
	free(got);
	return same;
}

static int copy_file(const char *src, const char *dst)
{
	unsigned char *data;
	size_t len;
	int rc = tmp_read(plat, src, &data, &len);
	if (rc)
		return rc;
	rc = tmp_write(plat, dst, data, len);
	free(data);
	return rc;
}

/* Runs SQL on a baseline behind the store's back. */
static int tamper_sql(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "tamper: %s\n", db ? sqlite3_errmsg(db) : "?");
	sqlite3_close(db);
	return rc;
}

/* Opens path, closes it again and returns the status (err says why). */
static int open_status(const char *path, struct exs_error *err)
{
	struct exs_store *s = NULL;
	exs_error_clear(err);
	int rc = exs_store_open(plat, path, &s, err);
	if (rc == EXS_OK)
		exs_store_close(s);
	return rc;
}

/* ---- Round trip --------------------------------------------------------- */

static void test_roundtrip(void)
{
	char path[TMP_PATH_MAX];
	new_path(path, sizeof(path));
	ASSERT_EQ(build(path, 0, 10), EXS_OK);

	struct exs_store *s;
	struct exs_error err;
	ASSERT_EQ(exs_store_open(plat, path, &s, &err), EXS_OK);
	ASSERT_EQ(exs_store_count(s), 14);
	char buf[64];
	exs_store_get_meta(s, "host", buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "mail01");
	exs_store_get_meta(s, "schema_version", buf, sizeof(buf));
	ASSERT_EQ(atoi(buf), EXS_STORE_SCHEMA_VERSION);
	exs_store_get_meta(s, "complete", buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "1");
	exs_store_get_meta(s, "file_count", buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "14");
	exs_store_get_meta(s, "no such key", buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "");

	/* Two readers at once, as two worker threads hold them. */
	struct exs_store_reader *r1, *r2;
	ASSERT_EQ(exs_store_reader_open(s, &r1, &err), EXS_OK);
	ASSERT_EQ(exs_store_reader_open(s, &r2, &err), EXS_OK);
	struct named sp[4];
	size_t n = special_paths(sp);
	for (size_t i = 0; i < n; i++) {
		struct exs_record want, got;
		int found = -1;
		make_record(&want, sp[i].seed);
		memset(&got, 0xAA, sizeof(got));
		ASSERT_EQ(exs_store_lookup(i % 2 ? r1 : r2, sp[i].path, sp[i].len,
					   &got, &found, &err), EXS_OK);
		if (found != 1)
			fprintf(stderr, "special path %zu not found\n", i);
		ASSERT_EQ(found, 1);
		ASSERT_EQ(record_differs(&want, &got), 0);
	}
	struct exs_record want, got;
	int found = -1;
	make_record(&want, 100 + 7);
	ASSERT_EQ(exs_store_lookup(r1, "/bulk/000007", 12, &got, &found, &err),
		  EXS_OK);
	ASSERT_EQ(found, 1);
	ASSERT_EQ(record_differs(&want, &got), 0);

	/* Misses: unknown, a prefix, another case, the bad path without its
	 * newline, the long path one byte short, the empty path. */
	static const struct { const char *p; size_t len; } miss[] = {
		{ "/x/nope", 7 },
		{ "/x/a.asp", 8 },
		{ "/X/A.ASPX", 9 },
		{ "/x/bad\xff\xfename\xc0\xaf.aspx", sizeof(bad_path) - 2 },
		{ "", 0 },
	};
	for (size_t i = 0; i < sizeof(miss) / sizeof(*miss); i++) {
		found = -1;
		ASSERT_EQ(exs_store_lookup(r2, miss[i].p, miss[i].len, &got, &found,
					   &err), EXS_OK);
		ASSERT_EQ(found, 0);
	}
	found = -1;
	ASSERT_EQ(exs_store_lookup(r1, long_path, LONG_PATH_LEN - 1, &got, &found,
				   &err), EXS_OK);
	ASSERT_EQ(found, 0);
	exs_store_reader_close(r1);
	exs_store_reader_close(r2);
	exs_store_close(s);
}

/* ---- Never touching the old baseline ------------------------------------ */

static void test_exists_without_force(void)
{
	char path[TMP_PATH_MAX], fresh[TMP_PATH_MAX];
	new_path(path, sizeof(path));
	new_suffix(fresh, sizeof(fresh), path, ".new");
	ASSERT_EQ(build(path, 0, 3), EXS_OK);
	unsigned char *before;
	size_t len;
	ASSERT_EQ(tmp_read(plat, path, &before, &len), EXS_OK);

	struct exs_store *s = NULL;
	struct exs_error err;
	exs_error_clear(&err);
	ASSERT_EQ(exs_store_create(plat, path, 0, &s, &err), EXS_EXISTS);
	ASSERT_TRUE(s == NULL);
	ASSERT_EQ(err.status, EXS_EXISTS);
	ASSERT_TRUE(strstr(err.detail, "--force") != NULL);
	ASSERT_EQ(build(path, 0, 0), EXS_EXISTS);
	int same = same_bytes(path, before, len);
	free(before);
	ASSERT_TRUE(same);
	ASSERT_EQ(tmp_exists(plat, fresh), 0);
}

static void test_force_replaces(void)
{
	char path[TMP_PATH_MAX], fresh[TMP_PATH_MAX];
	new_path(path, sizeof(path));
	new_suffix(fresh, sizeof(fresh), path, ".new");
	ASSERT_EQ(build(path, 0, 5), EXS_OK);

	struct exs_store *s;
	struct exs_error err;
	struct exs_record r;
	make_record(&r, 42);
	ASSERT_EQ(exs_store_create(plat, path, 1, &s, &err), EXS_OK);
	ASSERT_EQ(exs_store_add(s, "/y/new", 6, &r, &err), EXS_OK);
	ASSERT_EQ(commit(s, &err), EXS_OK);
	ASSERT_EQ(tmp_exists(plat, fresh), 0);

	ASSERT_EQ(exs_store_open(plat, path, &s, &err), EXS_OK);
	ASSERT_EQ(exs_store_count(s), 1);
	struct exs_store_reader *rd;
	ASSERT_EQ(exs_store_reader_open(s, &rd, &err), EXS_OK);
	struct exs_record got;
	int found = -1;
	ASSERT_EQ(exs_store_lookup(rd, "/y/new", 6, &got, &found, &err), EXS_OK);
	ASSERT_EQ(found, 1);
	ASSERT_EQ(record_differs(&r, &got), 0);
	ASSERT_EQ(exs_store_lookup(rd, "/x/a.aspx", 9, &got, &found, &err), EXS_OK);
	ASSERT_EQ(found, 0);   /* the old records are gone, not merged */
	exs_store_reader_close(rd);
	exs_store_close(s);
}

static void test_abort_keeps_old(void)
{
	char path[TMP_PATH_MAX], fresh[TMP_PATH_MAX];
	new_path(path, sizeof(path));
	new_suffix(fresh, sizeof(fresh), path, ".new");
	ASSERT_EQ(build(path, 0, 3), EXS_OK);
	unsigned char *before;
	size_t len;
	ASSERT_EQ(tmp_read(plat, path, &before, &len), EXS_OK);

	struct exs_store *s;
	struct exs_error err;
	int rc = exs_store_create(plat, path, 1, &s, &err);
	/* More rows than one write batch, so PATH.new has really been
	 * written to before the abort. */
	for (unsigned i = 0; !rc && i < 30000; i++) {
		char p[32];
		struct exs_record r;
		snprintf(p, sizeof(p), "/aborted/%06u", i);
		make_record(&r, i + 5);
		rc = exs_store_add(s, p, strlen(p), &r, &err);
	}
	if (!rc) {
		ASSERT_EQ(tmp_exists(plat, fresh), 1);
		exs_store_abort(s);
	}
	int same = same_bytes(path, before, len);
	free(before);
	ASSERT_EQ(rc, EXS_OK);
	ASSERT_TRUE(same);
	ASSERT_EQ(tmp_exists(plat, fresh), 0);
	ASSERT_EQ(open_status(path, &err), EXS_OK);
	exs_store_abort(NULL);
}

static void test_stale_new_removed(void)
{
	char path[TMP_PATH_MAX], fresh[TMP_PATH_MAX];
	struct exs_error err;
	static const char junk[] = "half a baseline from a run killed with -9";

	/* No baseline yet, a stale PATH.new from a crashed first init. */
	new_path(path, sizeof(path));
	new_suffix(fresh, sizeof(fresh), path, ".new");
	ASSERT_EQ(tmp_write(plat, fresh, junk, sizeof(junk)), EXS_OK);
	ASSERT_EQ(build(path, 0, 2), EXS_OK);
	ASSERT_EQ(tmp_exists(plat, fresh), 0);
	ASSERT_EQ(open_status(path, &err), EXS_OK);

	/* A baseline and a stale PATH.new beside it: init --force. */
	ASSERT_EQ(tmp_write(plat, fresh, junk, sizeof(junk)), EXS_OK);
	ASSERT_EQ(build(path, 1, 7), EXS_OK);
	ASSERT_EQ(tmp_exists(plat, fresh), 0);
	struct exs_store *s;
	ASSERT_EQ(exs_store_open(plat, path, &s, &err), EXS_OK);
	ASSERT_EQ(exs_store_count(s), 11);
	exs_store_close(s);
}

/* ---- Seen marks and removed files --------------------------------------- */

struct unseen {
	char paths[16][32];
	size_t lens[16];
	size_t count;
	int stop_at;          /* return 42 when count reaches it */
	int bad_record;
};

static int keep_all_but_ax(void *ctx, const char *path, size_t len)
{
	(void)ctx;
	return !(len == 6 && memcmp(path, "/r/a/x", 6) == 0);
}

static int collect_unseen(void *ctx, const char *path, size_t len,
			  const struct exs_record *rec)
{
	struct unseen *u = ctx;
	if (u->count < 16 && len < 32) {
		memcpy(u->paths[u->count], path, len);
		u->lens[u->count] = len;
	}
	/* Each record is the one stored under that path. */
	struct exs_record want;
	make_record(&want, (unsigned)(len + (unsigned char)path[len - 1]));
	if (record_differs(&want, rec))
		u->bad_record++;
	u->count++;
	if (u->stop_at && u->count == (size_t)u->stop_at)
		return 42;
	return 0;
}

/* Marks paths[from..n-1] and the 25,000 bulk rows seen, as found by a
 * lookup. */
static int mark_found(struct exs_store *s, const char *const *paths, size_t n,
		      size_t from, struct exs_error *err)
{
	int rc = EXS_OK;
	for (size_t i = from; !rc && i < n; i++)
		rc = exs_store_mark_seen(s, paths[i], strlen(paths[i]), 1, err);
	for (unsigned i = 0; !rc && i < 25000; i++) {
		char p[32];
		snprintf(p, sizeof(p), "/bulk/%06u", i);
		rc = exs_store_mark_seen(s, p, strlen(p), 1, err);
	}
	return rc;
}

/* Opens the baseline at path, with the index when indexed: a verified
 * seal leaves it, and the seen marks then live in its slots (index.c);
 * without it they are a set of keys. Both must answer the same. */
static void open_marked(const char *path, int indexed, struct exs_store **s)
{
	struct exs_error err;
	ASSERT_EQ(exs_store_open(plat, path, s, &err), EXS_OK);
	if (indexed)
		ASSERT_EQ(exs_store_verify_seal(*s, test_key, sizeof(test_key),
						&err), EXS_OK);
	/* The index is there exactly when asked for ("/r/c" is a row). */
	struct exs_store_reader *r;
	struct exs_sha256 *h;
	unsigned char pk[EXS_KEY_LEN], rk[EXS_KEY_LEN] = { 1 };
	ASSERT_EQ(exs_sha256_create(&h), EXS_OK);
	ASSERT_EQ(exs_sha256_key(h, "/r/c", 4, pk), EXS_OK);
	exs_sha256_free(h);
	ASSERT_EQ(exs_store_reader_open(*s, &r, &err), EXS_OK);
	ASSERT_EQ(exs_store_probe(r, pk, rk),
		  indexed ? EXS_PROBE_DIFFERS : EXS_PROBE_UNKNOWN);
	exs_store_reader_close(r);
}

static void unseen_case(int indexed)
{
	static const char *const paths[] = { "/r/c", "/r/a", "/r/\xff", "/r/b",
					     "/r/B", "/r/a/x", "/r/a\n" };
	char path[TMP_PATH_MAX];
	new_path(path, sizeof(path));
	struct exs_store *s;
	struct exs_error err;
	ASSERT_EQ(exs_store_create(plat, path, 0, &s, &err), EXS_OK);
	int rc = EXS_OK;
	for (size_t i = 0; !rc && i < sizeof(paths) / sizeof(*paths); i++) {
		struct exs_record r;
		size_t len = strlen(paths[i]);
		make_record(&r, (unsigned)(len + (unsigned char)paths[i][len - 1]));
		rc = exs_store_add(s, paths[i], len, &r, &err);
	}
	/* Enough walked files to cross a write batch while marking. */
	for (unsigned i = 0; !rc && i < 25000; i++) {
		char p[32];
		struct exs_record r;
		snprintf(p, sizeof(p), "/bulk/%06u", i);
		make_record(&r, (unsigned)(strlen(p) + (unsigned char)p[11]));
		rc = exs_store_add(s, p, strlen(p), &r, &err);
	}
	if (rc) {
		exs_store_abort(s);
		ASSERT_EQ(rc, EXS_OK);
	}
	ASSERT_EQ(commit(s, &err), EXS_OK);

	open_marked(path, indexed, &s);
	for (unsigned i = 0; !rc && i < 25000; i++) {
		char p[32];
		snprintf(p, sizeof(p), "/bulk/%06u", i);
		rc = exs_store_mark_seen(s, p, strlen(p), 1, &err);
	}
	if (!rc)
		rc = exs_store_mark_seen(s, "/r/b", 4, 1, &err);
	if (!rc)   /* twice is fine */
		rc = exs_store_mark_seen(s, "/r/b", 4, 1, &err);
	if (!rc)   /* a new file, not in the baseline */
		rc = exs_store_mark_seen(s, "/r/zzz", 6, 0, &err);
	ASSERT_EQ(rc, EXS_OK);

	/* Exactly the unseen paths, in byte order ('B' < 'a' < 0xff; "/r/a"
	 * < "/r/a\n" < "/r/a/x"). */
	static const char *const want[] = { "/r/B", "/r/a", "/r/a\n", "/r/a/x",
					    "/r/c", "/r/\xff" };
	struct unseen u;
	memset(&u, 0, sizeof(u));
	ASSERT_EQ(exs_store_each_unseen(s, NULL, collect_unseen, &u, &err), EXS_OK);
	ASSERT_EQ(u.count, 6);
	ASSERT_EQ(u.bad_record, 0);
	for (size_t i = 0; i < 6; i++) {
		ASSERT_EQ(u.lens[i], strlen(want[i]));
		ASSERT_MEM_EQ(u.paths[i], want[i], u.lens[i]);
	}

	/* keep filters. */
	memset(&u, 0, sizeof(u));
	ASSERT_EQ(exs_store_each_unseen(s, keep_all_but_ax, collect_unseen, &u,
					&err), EXS_OK);
	ASSERT_EQ(u.count, 5);
	ASSERT_MEM_EQ(u.paths[3], "/r/c", 4);

	/* A nonzero return from fn stops and is returned. */
	memset(&u, 0, sizeof(u));
	u.stop_at = 2;
	ASSERT_EQ(exs_store_each_unseen(s, NULL, collect_unseen, &u, &err), 42);
	ASSERT_EQ(u.count, 2);
	exs_store_close(s);

	/* Every row found by a lookup, one path marked twice, a new one not
	 * found: nothing is unseen, and the rows are not read again (a row
	 * would be listed past a broken key: none is). */
	open_marked(path, indexed, &s);
	rc = mark_found(s, paths, sizeof(paths) / sizeof(*paths), 0, &err);
	if (!rc)
		rc = exs_store_mark_seen(s, "/bulk/000007", 12, 1, &err);
	if (!rc)
		rc = exs_store_mark_seen(s, "/r/new", 6, 0, &err);
	ASSERT_EQ(rc, EXS_OK);
	memset(&u, 0, sizeof(u));
	ASSERT_EQ(exs_store_each_unseen(s, NULL, collect_unseen, &u, &err), EXS_OK);
	ASSERT_EQ(u.count, 0);
	exs_store_close(s);
	/* All but the first path found, and that one not walked: listed. */
	open_marked(path, indexed, &s);
	rc = mark_found(s, paths, sizeof(paths) / sizeof(*paths), 1, &err);
	ASSERT_EQ(rc, EXS_OK);
	memset(&u, 0, sizeof(u));
	ASSERT_EQ(exs_store_each_unseen(s, NULL, collect_unseen, &u, &err), EXS_OK);
	ASSERT_EQ(u.count, 1);
	ASSERT_EQ(u.lens[0], strlen(paths[0]));
	ASSERT_MEM_EQ(u.paths[0], paths[0], u.lens[0]);
	exs_store_close(s);

	/* Seen marks belong to one check: a new open starts with none. */
	open_marked(path, indexed, &s);
	memset(&u, 0, sizeof(u));
	u.stop_at = 16;   /* 7 + 25000 unseen: stop early */
	ASSERT_EQ(exs_store_each_unseen(s, NULL, collect_unseen, &u, &err), 42);
	exs_store_close(s);
}

static void test_unseen(void)
{
	unseen_case(0);
	unseen_case(1);
}

/* ---- Paths stored as TEXT ------------------------------------------------
 * exsweep binds paths as BLOBs, but a baseline from an older version may
 * hold them as TEXT, and SQLite never finds a TEXT value equal to a BLOB:
 * every file would show as added and removed. Lookups, seen marks and
 * history must treat both storage classes as the bytes they are. */

static int count_history(void *ctx, int64_t gen_from, int64_t gen_to,
			 const struct exs_record *rec)
{
	(void)gen_from;
	(void)gen_to;
	(void)rec;
	++*(int *)ctx;
	return 0;
}

/* The seed collect_unseen expects for a path. */
static unsigned seed_of(const char *p)
{
	size_t len = strlen(p);
	return (unsigned)(len + (unsigned char)p[len - 1]);
}

/* Copies a database's meta and files tables into a new file, which has none
 * of the bytes exsweep reserves for the file seal, as a schema-1 exsweep
 * (which had no seal) laid its files out. */
static int unreserve(const char *path)
{
	char old[TMP_PATH_MAX + 8];
	snprintf(old, sizeof(old), "%s.v2", path);
	if (rename(path, old))
		return SQLITE_ERROR;
	sqlite3 *db = NULL;
	char *sql = sqlite3_mprintf(
		"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
		" WITHOUT ROWID;"
		"CREATE TABLE files(path BLOB PRIMARY KEY, node INTEGER NOT NULL,"
		" size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns"
		" INTEGER NOT NULL, mode INTEGER NOT NULL, owner TEXT NOT NULL,"
		" volume_id INTEGER NOT NULL, file_id INTEGER NOT NULL,"
		" link_count INTEGER NOT NULL, sha256 BLOB NOT NULL,"
		" security_sha256 BLOB) WITHOUT ROWID;"
		"ATTACH DATABASE %Q AS v2;"
		"INSERT INTO meta SELECT key, value FROM v2.meta;"
		"INSERT INTO files SELECT * FROM v2.files;"
		"DETACH DATABASE v2;", old);
	int rc = sql ? sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
				       SQLITE_OPEN_CREATE, NULL) : SQLITE_NOMEM;
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "unreserve: %s\n", db ? sqlite3_errmsg(db) : "?");
	sqlite3_close(db);
	sqlite3_free(sql);
	remove(old);
	return rc;
}

static void check_text_paths(const char *sql, int legacy)
{
	static const char *const paths[] = { "/r/a", "/r/b", "/r/\xff\xfe",
					     "/r/c.aspx" };
	size_t n = sizeof(paths) / sizeof(*paths);
	char path[TMP_PATH_MAX];
	new_path(path, sizeof(path));
	struct exs_store *s;
	struct exs_error err;
	ASSERT_EQ(exs_store_create(plat, path, 0, &s, &err), EXS_OK);
	int rc = EXS_OK;
	for (size_t i = 0; !rc && i < n; i++) {
		struct exs_record r;
		make_record(&r, seed_of(paths[i]));
		rc = exs_store_add(s, paths[i], strlen(paths[i]), &r, &err);
	}
	if (rc) {
		exs_store_abort(s);
		ASSERT_EQ(rc, EXS_OK);
	}
	ASSERT_EQ(commit(s, &err), EXS_OK);
	ASSERT_EQ(tamper_sql(path, sql), SQLITE_OK);
	if (legacy)
		ASSERT_EQ(unreserve(path), SQLITE_OK);

	ASSERT_EQ(exs_store_open(plat, path, &s, &err), EXS_OK);
	struct exs_store_reader *r;
	rc = exs_store_reader_open(s, &r, &err);
	if (rc) {
		exs_store_close(s);
		ASSERT_EQ(rc, EXS_OK);
	}
	int all_found = 1, all_equal = 1, miss = -1, history = 0;
	for (size_t i = 0; i < n; i++) {
		struct exs_record want, got;
		int found = 0;
		make_record(&want, seed_of(paths[i]));
		if (exs_store_lookup(r, paths[i], strlen(paths[i]), &got, &found,
				     &err) || !found)
			all_found = 0;
		else if (record_differs(&want, &got))
			all_equal = 0;
	}
	struct exs_record got;
	exs_store_lookup(r, "/r/A", 4, &got, &miss, &err);
	exs_store_reader_close(r);
	exs_store_path_history(s, "/r/\xff\xfe", 5, count_history, &history,
			       &err);
	/* Seen: a and the non-UTF-8 one; unseen: b and c.aspx, in order. */
	rc = exs_store_mark_seen(s, "/r/a", 4, 1, &err);
	if (!rc)
		rc = exs_store_mark_seen(s, "/r/\xff\xfe", 5, 1, &err);
	struct unseen u;
	memset(&u, 0, sizeof(u));
	if (!rc)
		rc = exs_store_each_unseen(s, NULL, collect_unseen, &u, &err);
	exs_store_close(s);
	ASSERT_EQ(all_found, 1);
	ASSERT_EQ(all_equal, 1);
	ASSERT_EQ(miss, 0);
	ASSERT_EQ(history, 1);
	ASSERT_EQ(rc, EXS_OK);
	ASSERT_EQ(u.count, 2);
	ASSERT_EQ(u.bad_record, 0);
	ASSERT_EQ(u.lens[0], 4);
	ASSERT_MEM_EQ(u.paths[0], "/r/b", 4);
	ASSERT_EQ(u.lens[1], 9);
	ASSERT_MEM_EQ(u.paths[1], "/r/c.aspx", 9);
}

static void test_text_paths_schema1(void)
{
	/* Schema 1 as the previous exsweep laid it out, paths as TEXT. */
	check_text_paths(
		"CREATE TABLE f1 AS SELECT path,node,size,mtime_ns,ctime_ns,mode,"
		"owner,volume_id,file_id,link_count,sha256,security_sha256"
		" FROM files;"
		"DROP TABLE files; DROP TABLE generations;"
		"CREATE TABLE files(path BLOB PRIMARY KEY, node INTEGER NOT NULL,"
		" size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns"
		" INTEGER NOT NULL, mode INTEGER NOT NULL, owner TEXT NOT NULL,"
		" volume_id INTEGER NOT NULL, file_id INTEGER NOT NULL,"
		" link_count INTEGER NOT NULL, sha256 BLOB NOT NULL,"
		" security_sha256 BLOB) WITHOUT ROWID;"
		"INSERT INTO files SELECT CAST(path AS TEXT),node,size,mtime_ns,"
		"ctime_ns,mode,owner,volume_id,file_id,link_count,sha256,"
		"security_sha256 FROM f1; DROP TABLE f1;"
		"UPDATE meta SET value='1' WHERE key='schema_version';", 1);
}

static void test_text_paths_mixed(void)
{
	/* Some rows TEXT, some BLOB: both found, in one byte order. */
	check_text_paths("UPDATE files SET path=CAST(path AS TEXT)"
			 " WHERE path IN (x'2f722f62', x'2f722ffffe')", 0);
}

/* ---- Refusing bad baselines --------------------------------------------- */

static void test_open_missing(void)
{
	char path[TMP_PATH_MAX];
	struct exs_error err;
	new_path(path, sizeof(path));
	ASSERT_EQ(open_status(path, &err), EXS_BASELINE);
	ASSERT_STR_EQ(err.op, "open");
	ASSERT_TRUE(err.detail[0] != '\0');
	ASSERT_TRUE(strstr(err.where, "baseline-") != NULL);
	/* A folder where the baseline should be. */
	ASSERT_EQ(plat->dir_create(path, 0, &err), EXS_OK);
	ASSERT_EQ(open_status(path, &err), EXS_CORRUPT);
	ASSERT_TRUE(err.detail[0] != '\0');
}

#define ASSERT_CORRUPT(path)                                                \
	do {                                                                \
		struct exs_error e_;                                        \
		int rc_ = open_status(path, &e_);                           \
		if (rc_ != EXS_CORRUPT)                                     \
			fprintf(stderr, "open: %s: %s\n",                   \
				exs_status_name(rc_), e_.detail);           \
		ASSERT_EQ(rc_, EXS_CORRUPT);                                \
		ASSERT_TRUE(e_.detail[0] != '\0');                          \
	} while (0)

static void test_open_damaged_files(void)
{
	char good[TMP_PATH_MAX], bad[TMP_PATH_MAX];
	new_path(good, sizeof(good));
	ASSERT_EQ(build(good, 0, 300), EXS_OK);
	unsigned char *data;
	size_t len;
	ASSERT_EQ(tmp_read(plat, good, &data, &len), EXS_OK);
	ASSERT_TRUE(len >= 8 * 4096);   /* many pages, so "half" means something */

	/* Cut to half: a file copy stopped by a full disk. */
	new_path(bad, sizeof(bad));
	int rc = tmp_write(plat, bad, data, len / 2);
	free(data);
	ASSERT_EQ(rc, EXS_OK);
	ASSERT_CORRUPT(bad);

	/* Random bytes. */
	unsigned char noise[64 * 1024];
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	for (size_t i = 0; i < sizeof(noise); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		noise[i] = (unsigned char)x;
	}
	new_path(bad, sizeof(bad));
	ASSERT_EQ(tmp_write(plat, bad, noise, sizeof(noise)), EXS_OK);
	ASSERT_CORRUPT(bad);

	/* Zero length: SQLite takes it for an empty database. */
	new_path(bad, sizeof(bad));
	ASSERT_EQ(tmp_write(plat, bad, "", 0), EXS_OK);
	ASSERT_CORRUPT(bad);

	/* Some other program's SQLite database. */
	new_path(bad, sizeof(bad));
	ASSERT_EQ(tamper_sql(bad, "CREATE TABLE t(x); INSERT INTO t VALUES(1);"),
		  SQLITE_OK);
	ASSERT_CORRUPT(bad);
}

static void test_open_tampered_meta(void)
{
	char good[TMP_PATH_MAX], bad[TMP_PATH_MAX];
	struct exs_error err;
	new_path(good, sizeof(good));
	ASSERT_EQ(build(good, 0, 20), EXS_OK);

	/* The completion mark is gone: init did not finish. */
	new_path(bad, sizeof(bad));
	ASSERT_EQ(copy_file(good, bad), EXS_OK);
	ASSERT_EQ(tamper_sql(bad, "DELETE FROM meta WHERE key='complete'"),
		  SQLITE_OK);
	ASSERT_CORRUPT(bad);
	open_status(bad, &err);
	ASSERT_TRUE(strstr(err.detail, "incomplete") != NULL);

	/* complete present but not "1". */
	new_path(bad, sizeof(bad));
	ASSERT_EQ(copy_file(good, bad), EXS_OK);
	ASSERT_EQ(tamper_sql(bad, "UPDATE meta SET value='0' WHERE key='complete'"),
		  SQLITE_OK);
	ASSERT_CORRUPT(bad);

	/* A schema this version does not know, and none at all. */
	new_path(bad, sizeof(bad));
	ASSERT_EQ(copy_file(good, bad), EXS_OK);
	ASSERT_EQ(tamper_sql(bad, "UPDATE meta SET value='99' WHERE "
				  "key='schema_version'"), SQLITE_OK);
	ASSERT_CORRUPT(bad);
	open_status(bad, &err);
	ASSERT_TRUE(strstr(err.detail, "schema") != NULL);

	new_path(bad, sizeof(bad));
	ASSERT_EQ(copy_file(good, bad), EXS_OK);
	ASSERT_EQ(tamper_sql(bad, "DELETE FROM meta WHERE key='schema_version'"),
		  SQLITE_OK);
	ASSERT_CORRUPT(bad);

	/* Only the exact number: " 2" and "2x" are not schema 2. */
	new_path(bad, sizeof(bad));
	ASSERT_EQ(copy_file(good, bad), EXS_OK);
	ASSERT_EQ(tamper_sql(bad, "UPDATE meta SET value='2x' WHERE "
				  "key='schema_version'"), SQLITE_OK);
	ASSERT_CORRUPT(bad);

	/* Schema 1 had no seal; a sealed baseline relabelled so is a
	 * downgrade, refused whatever else is done to its shape. */
	new_path(bad, sizeof(bad));
	ASSERT_EQ(copy_file(good, bad), EXS_OK);
	ASSERT_EQ(tamper_sql(bad, "UPDATE meta SET value='1' WHERE "
				  "key='schema_version'"), SQLITE_OK);
	ASSERT_EQ(open_status(bad, &err), EXS_SEAL);
	ASSERT_TRUE(strstr(err.detail, "a generations table") != NULL);
	ASSERT_EQ(tamper_sql(bad, "DROP TABLE generations"), SQLITE_OK);
	ASSERT_EQ(open_status(bad, &err), EXS_SEAL);
	ASSERT_TRUE(strstr(err.detail, "generation ranges") != NULL);
	ASSERT_EQ(tamper_sql(bad, "CREATE TABLE f1 AS SELECT path,node,size,"
				  "mtime_ns,ctime_ns,mode,owner,volume_id,"
				  "file_id,link_count,sha256,security_sha256 "
				  "FROM files; DROP TABLE files; ALTER TABLE f1 "
				  "RENAME TO files; VACUUM"), SQLITE_OK);
	ASSERT_EQ(open_status(bad, &err), EXS_SEAL);
	ASSERT_TRUE(strstr(err.detail, "room reserved for a file seal") != NULL);

	/* A genuine schema-1 shape opens, and does not verify. */
	new_path(bad, sizeof(bad));
	ASSERT_EQ(tamper_sql(bad, "CREATE TABLE meta(key TEXT PRIMARY KEY, value "
				  "TEXT NOT NULL) WITHOUT ROWID; CREATE TABLE "
				  "files(path BLOB PRIMARY KEY, node INTEGER, "
				  "size INTEGER, mtime_ns INTEGER, ctime_ns "
				  "INTEGER, mode INTEGER, owner TEXT, volume_id "
				  "INTEGER, file_id INTEGER, link_count INTEGER, "
				  "sha256 BLOB, security_sha256 BLOB) WITHOUT "
				  "ROWID; INSERT INTO meta VALUES('schema_version',"
				  "'1'),('complete','1'),('file_count','0')"),
		  SQLITE_OK);
	{
		struct exs_store *s = NULL;
		exs_error_clear(&err);
		ASSERT_EQ(exs_store_open(plat, bad, &s, &err), EXS_OK);
		ASSERT_EQ(exs_store_schema(s), 1);
		ASSERT_EQ(exs_store_verify_seal(s, test_key, sizeof(test_key),
						&err), EXS_SEAL);
		exs_store_close(s);
	}

	/* A row deleted behind the store's back: the recorded count tells. */
	new_path(bad, sizeof(bad));
	ASSERT_EQ(copy_file(good, bad), EXS_OK);
	ASSERT_EQ(tamper_sql(bad, "DELETE FROM files WHERE path=CAST('/x/a' AS BLOB)"),
		  SQLITE_OK);
	ASSERT_CORRUPT(bad);

	/* The untouched copy still opens: the checks are not just failing. */
	ASSERT_EQ(open_status(good, &err), EXS_OK);
}

/* ---- Flipped bytes ------------------------------------------------------
 *
 * What SQLite's PRAGMA quick_check (run by exs_store_open) can and cannot see:
 * it walks every b-tree page and checks the structure -- page types, cell
 * pointers and sizes, key order, free lists, overflow chains, NOT NULL -- so
 * a flipped byte in a page header, a cell pointer or a key's framing is
 * EXS_CORRUPT at open. It does not checksum content: a flipped byte inside a
 * record's payload (a sha256 blob, an integer column, path bytes) leaves a
 * well-formed b-tree and is read back changed. In this layout most of the
 * file is payload, and the byte in the middle of the file is such a byte.
 *
 * A random flip there surfaces as a false "changed" (or added + removed)
 * finding, never hides one; what it cannot stop is a deliberate edit that
 * writes the new hash in. The baseline's tamper seal (an HMAC over the
 * records and over every byte of the file) covers that, and the tests below
 * hold it to it.
 */

#define BULK 300

enum flip_outcome {
	FLIP_REFUSED,        /* open: EXS_CORRUPT */
	FLIP_SAME,           /* opens; every lookup identical */
	FLIP_LOOKUP_ERROR,   /* opens; a lookup says EXS_CORRUPT */
	FLIP_SILENT_CHANGE,  /* opens; a lookup differs or misses */
	FLIP_OTHER,          /* any other status: a bug */
};

/* Writes a copy of data with data[off] ^= mask, opens it and looks up every
 * record of build(.., BULK). */
static enum flip_outcome flip_one(const unsigned char *data, size_t len,
				  size_t off, unsigned char mask,
				  struct exs_error *err)
{
	char bad[TMP_PATH_MAX];
	new_path(bad, sizeof(bad));
	unsigned char *copy = malloc(len);
	if (!copy)
		return FLIP_OTHER;
	memcpy(copy, data, len);
	copy[off] ^= mask;
	int rc = tmp_write(plat, bad, copy, len);
	free(copy);
	if (rc)
		return FLIP_OTHER;
	struct exs_store *s = NULL;
	struct exs_store_reader *r = NULL;
	exs_error_clear(err);
	rc = exs_store_open(plat, bad, &s, err);
	enum flip_outcome out = rc == EXS_OK ? FLIP_SAME :
				rc == EXS_CORRUPT ? FLIP_REFUSED : FLIP_OTHER;
	if (out == FLIP_REFUSED && !err->detail[0])
		out = FLIP_OTHER;   /* refused without a reason */
	if (out == FLIP_SAME) {
		/* The seal covers what quick_check cannot see. */
		rc = exs_store_verify_seal(s, test_key, sizeof(test_key), err);
		if (rc)
			out = rc == EXS_SEAL && err->detail[0] ? FLIP_REFUSED
							       : FLIP_OTHER;
	}
	if (out == FLIP_SAME) {
		rc = exs_store_reader_open(s, &r, err);
		if (rc)
			out = rc == EXS_CORRUPT ? FLIP_LOOKUP_ERROR : FLIP_OTHER;
	}
	struct named sp[4];
	special_paths(sp);
	quiet = 1;
	for (unsigned i = 0; r && i < 4 + BULK && out == FLIP_SAME; i++) {
		char p[32];
		struct named n = i < 4 ? sp[i] : (struct named){ p, 12, 100 + i - 4 };
		if (i >= 4)
			snprintf(p, sizeof(p), "/bulk/%06u", i - 4);
		struct exs_record want, got;
		int found = 0;
		make_record(&want, n.seed);
		rc = exs_store_lookup(r, n.path, n.len, &got, &found, err);
		if (rc)
			out = rc == EXS_CORRUPT ? FLIP_LOOKUP_ERROR : FLIP_OTHER;
		else if (!found || record_differs(&want, &got))
			out = FLIP_SILENT_CHANGE;
	}
	quiet = 0;
	exs_store_reader_close(r);
	exs_store_close(s);
	plat->file_remove(bad, err);
	return out;
}

static int build_flip_source(unsigned char **data, size_t *len)
{
	char good[TMP_PATH_MAX];
	new_path(good, sizeof(good));
	int rc = build(good, 0, BULK);
	return rc ? rc : tmp_read(plat, good, data, len);
}

static void test_flip_structure_detected(void)
{
	unsigned char *data;
	size_t len;
	struct exs_error err;
	ASSERT_EQ(build_flip_source(&data, &len), EXS_OK);
	/* The page size from the header (big-endian at offset 16). */
	size_t page = (size_t)data[16] << 8 | data[17];
	ASSERT_TRUE(page >= 512 && len % page == 0);

	/* The magic string: not a database at all. */
	enum flip_outcome o = flip_one(data, len, 0, 0x20, &err);
	ASSERT_EQ(o, FLIP_REFUSED);

	/* The type byte of every b-tree page (after the 100-byte file header
	 * on page 1): an invalid type is refused at open. */
	size_t btree_pages = 0;
	for (size_t off = 0; off < len; off += page) {
		size_t at = off ? off : 100;
		unsigned char t = data[at];
		if (t != 0x02 && t != 0x05 && t != 0x0a && t != 0x0d)
			continue;   /* an overflow or free page */
		btree_pages++;
		o = flip_one(data, len, at, 0xff, &err);
		if (o != FLIP_REFUSED)
			fprintf(stderr, "page type at %zu: outcome %d\n", at, (int)o);
		ASSERT_EQ(o, FLIP_REFUSED);
	}
	ASSERT_TRUE(btree_pages >= 4);   /* schema, meta, files leaves... */

	/* The first cell pointer of every b-tree page (2 bytes after the
	 * 8- or 12-byte page header), pointed past the end of the page. */
	for (size_t off = 0; off < len; off += page) {
		size_t at = off ? off : 100;
		unsigned char t = data[at];
		if (t != 0x02 && t != 0x05 && t != 0x0a && t != 0x0d)
			continue;
		if ((data[at + 3] << 8 | data[at + 4]) == 0)
			continue;   /* no cells */
		size_t ptr = at + (t == 0x02 || t == 0x05 ? 12 : 8);
		o = flip_one(data, len, ptr, 0x80, &err);
		if (o != FLIP_REFUSED)
			fprintf(stderr, "cell pointer at %zu: outcome %d\n", ptr,
				(int)o);
		ASSERT_EQ(o, FLIP_REFUSED);
	}
	free(data);
}

/* Offset of the first occurrence of needle in hay, or -1. */
static long find_bytes(const unsigned char *hay, size_t len,
		       const unsigned char *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return (long)i;
	return -1;
}

static void test_flip_payload_detected(void)
{
	/* What quick_check cannot see (see above): one bit of a stored
	 * sha256. The seal sees it. */
	unsigned char *data;
	size_t len;
	struct exs_error err;
	ASSERT_EQ(build_flip_source(&data, &len), EXS_OK);
	struct exs_record r;
	make_record(&r, 2);    /* the record under bad_path */
	long at = find_bytes(data, len, r.sha256, EXS_SHA256_LEN);
	ASSERT_TRUE(at > 0);
	ASSERT_EQ(find_bytes(data + at + 1, len - (size_t)at - 1, r.sha256,
			     EXS_SHA256_LEN), -1);   /* stored once */
	enum flip_outcome o = flip_one(data, len, (size_t)at + 5, 0x01, &err);
	free(data);
	ASSERT_EQ(o, FLIP_REFUSED);
}

static void test_flip_sweep(void)
{
	/* Bytes all over the file, the middle one included: whatever SQLite
	 * makes of them, the store answers EXS_OK or EXS_CORRUPT (with a
	 * reason), never another status, never a crash or an out-of-bounds
	 * read (run under -Db_sanitize=address,undefined). */
	unsigned char *data;
	size_t len;
	struct exs_error err;
	ASSERT_EQ(build_flip_source(&data, &len), EXS_OK);
	size_t counts[FLIP_OTHER + 1] = { 0 };
	for (size_t off = 0; off < len; off += 97) {
		enum flip_outcome o = flip_one(data, len, off, 0x10, &err);
		counts[o]++;
		if (o == FLIP_OTHER)
			fprintf(stderr, "flip at %zu: %s: %s\n", off,
				exs_status_name(err.status), err.detail);
	}
	/* The middle byte, which here lies in a record's payload. */
	enum flip_outcome mid = flip_one(data, len, len / 2, 0x01, &err);
	counts[mid]++;
	free(data);
	ASSERT_EQ(counts[FLIP_OTHER], 0);
	/* With the seal, every flipped byte is refused: by quick_check or
	 * by the seal over the whole file. */
	ASSERT_EQ(counts[FLIP_SAME] + counts[FLIP_SILENT_CHANGE] +
		  counts[FLIP_LOOKUP_ERROR], 0);
	ASSERT_TRUE(counts[FLIP_REFUSED] > 0);
}

/* ---- The index the seal check leaves (index.c) ---------------------------
 * Every current row answers SAME for its exact record and DIFFERS for any
 * field changed, a path not in the baseline is ABSENT, and nothing answers
 * before the seal was verified (a lookup must be asked then). */
static void test_index_probe(void)
{
	char path[TMP_PATH_MAX];
	new_path(path, sizeof(path));
	ASSERT_EQ(build(path, 0, 3000), EXS_OK);
	struct exs_store *s;
	struct exs_store_reader *r;
	struct exs_sha256 *h;
	struct exs_error err;
	ASSERT_EQ(exs_sha256_create(&h), EXS_OK);
	unsigned char pk[EXS_KEY_LEN], rk[EXS_KEY_LEN];
	struct exs_record rec;
	make_record(&rec, 100 + 17);
	ASSERT_EQ(exs_sha256_key(h, "/bulk/000017", 12, pk), EXS_OK);
	ASSERT_EQ(exs_record_key(h, &rec, rk), EXS_OK);

	/* Opened but not verified: no index. */
	ASSERT_EQ(exs_store_open(plat, path, &s, &err), EXS_OK);
	ASSERT_EQ(exs_store_reader_open(s, &r, &err), EXS_OK);
	ASSERT_EQ(exs_store_probe(r, pk, rk), EXS_PROBE_UNKNOWN);
	exs_store_reader_close(r);
	exs_store_close(s);

	ASSERT_EQ(exs_store_open(plat, path, &s, &err), EXS_OK);
	ASSERT_EQ(exs_store_verify_seal(s, test_key, sizeof(test_key), &err),
		  EXS_OK);
	ASSERT_EQ(exs_store_reader_open(s, &r, &err), EXS_OK);
	ASSERT_EQ(exs_store_probe(r, pk, rk), EXS_PROBE_SAME);
	/* Each field the record key covers. */
	for (int field = 0; field < 12; field++) {
		struct exs_record c = rec;
		switch (field) {
		case 0: c.st.node = EXS_NODE_DIR; break;
		case 1: c.st.size++; break;
		case 2: c.st.mtime_ns++; break;
		case 3: c.st.ctime_ns++; break;
		case 4: c.st.mode ^= 1; break;
		case 5: c.st.owner[0] ^= 1; break;
		case 6: c.st.volume_id++; break;
		case 7: c.st.file_id++; break;
		case 8: c.st.link_count++; break;
		case 9: c.sha256[31] ^= 1; break;
		case 10: c.has_security = !c.has_security; break;
		case 11: c.security_sha256[0] ^= 1; c.has_security = 1;
			 rec.has_security = 1; break;
		}
		unsigned char ck[EXS_KEY_LEN];
		ASSERT_EQ(exs_record_key(h, &c, ck), EXS_OK);
		if (field == 11) {
			/* c differs from the stored record in its flag too. */
			ASSERT_TRUE(memcmp(ck, rk, EXS_KEY_LEN) != 0);
		}
		ASSERT_EQ(exs_store_probe(r, pk, ck), EXS_PROBE_DIFFERS);
	}
	/* Every special row, with its exact record. */
	struct named sp[4];
	size_t n = special_paths(sp);
	for (size_t i = 0; i < n; i++) {
		make_record(&rec, sp[i].seed);
		ASSERT_EQ(exs_sha256_key(h, sp[i].path, sp[i].len, pk), EXS_OK);
		ASSERT_EQ(exs_record_key(h, &rec, rk), EXS_OK);
		ASSERT_EQ(exs_store_probe(r, pk, rk), EXS_PROBE_SAME);
	}
	/* A prefix of a stored path, and one past the bulk rows. */
	ASSERT_EQ(exs_sha256_key(h, "/x/a.asp", 8, pk), EXS_OK);
	ASSERT_EQ(exs_store_probe(r, pk, rk), EXS_PROBE_ABSENT);
	ASSERT_EQ(exs_sha256_key(h, "/bulk/003000", 12, pk), EXS_OK);
	ASSERT_EQ(exs_store_probe(r, pk, rk), EXS_PROBE_ABSENT);
	exs_store_reader_close(r);
	exs_store_close(s);
	exs_sha256_free(h);
}

/* ---- Verdicts in memory (exs_store_load_verdicts) ------------------------
 * Loaded for one rules digest, exs_store_known_clean answers as the SQL
 * does: a hash clean under that digest, not one clean under another only,
 * not an unknown one, the all-zero hash included; another digest still
 * asks SQL. Thousands of verdicts, so the set grows. */
static void test_verdicts_loaded(void)
{
	char path[TMP_PATH_MAX];
	new_path(path, sizeof(path));
	struct exs_store *s;
	struct exs_error err;
	ASSERT_EQ(exs_store_create(plat, path, 0, &s, &err), EXS_OK);
	struct exs_record r;
	make_record(&r, 5);
	int rc = exs_store_add(s, "/v/a", 4, &r, &err);
	unsigned char h[32];
	for (unsigned i = 0; !rc && i < 5000; i++) {
		memset(h, 0, sizeof(h));
		memcpy(h, &i, sizeof(i));
		h[31] = 1;
		rc = exs_store_add_verdict(s, h, i % 2 ? "A" : "B", &err);
	}
	memset(h, 0, sizeof(h));
	if (!rc)
		rc = exs_store_add_verdict(s, h, "A", &err);
	if (rc) {
		exs_store_abort(s);
		ASSERT_EQ(rc, EXS_OK);
	}
	ASSERT_EQ(commit(s, &err), EXS_OK);

	int sql[4][3], mem[4][3];
	for (int pass = 0; pass < 2; pass++) {
		ASSERT_EQ(exs_store_open(plat, path, &s, &err), EXS_OK);
		ASSERT_EQ(exs_store_verify_seal(s, test_key, sizeof(test_key),
						&err), EXS_OK);
		if (pass)
			ASSERT_EQ(exs_store_load_verdicts(s, "A", &err), EXS_OK);
		struct exs_store_reader *rd;
		ASSERT_EQ(exs_store_reader_open(s, &rd, &err), EXS_OK);
		static const char *const digests[3] = { "A", "B", "C" };
		for (unsigned k = 0; k < 4; k++) {
			memset(h, 0, sizeof(h));
			unsigned i = k == 0 ? 4001 : k == 1 ? 4000 : 6001;
			if (k < 3) {
				memcpy(h, &i, sizeof(i));
				h[31] = 1;
			}
			for (int d = 0; d < 3; d++)
				(pass ? mem : sql)[k][d] =
					exs_store_known_clean(rd, h, digests[d]);
		}
		exs_store_reader_close(rd);
		exs_store_close(s);
	}
	/* 4001 is A's, 4000 B's, 6001 nobody's, all-zero A's. */
	ASSERT_EQ(sql[0][0], 1);
	ASSERT_EQ(sql[0][1], 0);
	ASSERT_EQ(sql[1][0], 0);
	ASSERT_EQ(sql[1][1], 1);
	ASSERT_EQ(sql[2][0], 0);
	ASSERT_EQ(sql[3][0], 1);
	for (int k = 0; k < 4; k++)
		for (int d = 0; d < 3; d++)
			ASSERT_EQ(mem[k][d], sql[k][d]);
}

int main(void)
{
	plat = exs_platform_native();
	if (tmp_make_dir(plat, "store", tmp, sizeof(tmp)) != EXS_OK) {
		fprintf(stderr, "cannot make a scratch folder\n");
		return 1;
	}
	memcpy(long_path, "/x/", 3);
	for (size_t i = 3; i < LONG_PATH_LEN; i++)
		long_path[i] = (char)('a' + i % 26);
	RUN(test_roundtrip);
	RUN(test_exists_without_force);
	RUN(test_force_replaces);
	RUN(test_abort_keeps_old);
	RUN(test_stale_new_removed);
	RUN(test_unseen);
	RUN(test_text_paths_schema1);
	RUN(test_text_paths_mixed);
	RUN(test_open_missing);
	RUN(test_open_damaged_files);
	RUN(test_open_tampered_meta);
	RUN(test_flip_structure_detected);
	RUN(test_flip_payload_detected);
	RUN(test_flip_sweep);
	RUN(test_index_probe);
	RUN(test_verdicts_loaded);
	tmp_remove_tree(plat, tmp);
	return TEST_EXIT();
}
