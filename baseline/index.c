/* index.c -- the current file rows in memory, for check's lookups (see
 * store.h, exs_store_probe).
 *
 * A check looks every walked path up in the baseline. Through SQLite that
 * is a B-tree descent, a row decoded and copied into a record: about a
 * tenth of a check's CPU, for an answer that is almost always "the same as
 * before". The seal check reads every file row anyway (generations.c), so
 * it leaves behind, for each current row, two 128-bit keys: the path's
 * (the seen marks use the same, store.c) and the record's (every column a
 * lookup returns, exs_record_key). A worker that has hashed a file asks
 * with both: the path is not in the baseline (added), or it is and its
 * record is exactly the one stored (unchanged: the caller needs nothing
 * more), or it is and something differs, and only then does the caller
 * look the row up to say what. Equal keys with different records would
 * take a second preimage of SHA-256's first 128 bits.
 *
 * The same slots hold the seen marks (store.c): a byte a row, set by the
 * collector when a walked path is found, so that the removed files are
 * the rows left unmarked. Paths not in the baseline need no mark.
 *
 * 33 bytes a row, in an open-addressing table sized to the row count and
 * at most 75% full (not rounded up to a power of two, which could double
 * it): 4.4 MiB at 104,000 rows. Built only from a sealed baseline, during
 * the seal check that must pass before anything in it is used. The keys
 * are read-only afterwards, so the workers probe without a lock; the marks
 * are written and read by the collector alone.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

struct exs_store_index {
	struct index_slot {
		unsigned char path[16];
		unsigned char rec[16];
	} *slots;
	unsigned char *marks;  /* one a slot: 1 when its path was walked */
	size_t cap;
	size_t used;
	int broken;      /* out of memory or an unusable row: not used */
};

static const unsigned char zero16[16];

void exs_store_index_free(struct exs_store_index *x)
{
	if (!x)
		return;
	free(x->slots);
	free(x->marks);
	free(x);
}

int exs_store_index_begin(struct exs_store *s, uint64_t rows)
{
	struct exs_store_index *x = calloc(1, sizeof(*x));
	if (!x)
		return EXS_NOMEM;
	/* rows / cap <= 3/4, and room for one more */
	if (rows > ((size_t)-1) / 2 / sizeof(*x->slots)) {
		free(x);
		return EXS_NOMEM;
	}
	size_t cap = (size_t)rows + (size_t)rows / 3 + 64;
	x->slots = calloc(cap, sizeof(*x->slots));
	x->marks = calloc(cap, 1);
	if (!x->slots || !x->marks) {
		exs_store_index_free(x);
		return EXS_NOMEM;
	}
	x->cap = cap;
	exs_store_index_free(s->index);
	s->index = x;
	return EXS_OK;
}

static size_t slot_of(const struct exs_store_index *x,
		      const unsigned char path[16])
{
	uint64_t h;
	memcpy(&h, path, sizeof(h));
	for (size_t i = (size_t)(h % x->cap);; i = i + 1 == x->cap ? 0 : i + 1)
		if (!memcmp(x->slots[i].path, zero16, 16) ||
		    !memcmp(x->slots[i].path, path, 16))
			return i;
}

void exs_store_index_add(struct exs_store *s, const char *path, size_t len,
			 const struct exs_record *rec)
{
	struct exs_store_index *x = s->index;
	if (!x || x->broken)
		return;
	unsigned char key[16], rec_key[16];
	struct exs_error ignored;
	/* A full table means more current rows than counted, and a key of
	 * zeros cannot be told from an empty slot: either way the index
	 * would answer wrongly, so it is not used. */
	if (exs_store_key(s, path, len, key, &ignored) ||
	    !s->key_sha || exs_record_key(s->key_sha, rec, rec_key) ||
	    !memcmp(key, zero16, 16) || (x->used + 1) * 4 > x->cap * 3) {
		x->broken = 1;
		return;
	}
	size_t at = slot_of(x, key);
	if (memcmp(x->slots[at].path, zero16, 16)) {
		x->broken = 1; /* the same path current twice */
		return;
	}
	memcpy(x->slots[at].path, key, 16);
	memcpy(x->slots[at].rec, rec_key, 16);
	x->used++;
}

void exs_store_index_end(struct exs_store *s)
{
	struct exs_store_index *x = s->index;
	/* Every current row must be in it, or "not there" would be wrong. */
	if (x && (x->broken || x->used != s->count)) {
		exs_store_index_free(x);
		s->index = NULL;
	}
}

/* The slot of a current row's path key, or -1: no index, the zero key
 * (never a row's, exs_store_index_add) or no such row. */
static ptrdiff_t row_slot(const struct exs_store_index *x,
			  const unsigned char path_key[16])
{
	if (!x || !memcmp(path_key, zero16, 16))
		return -1;
	size_t at = slot_of(x, path_key);
	return memcmp(x->slots[at].path, zero16, 16) ? (ptrdiff_t)at : -1;
}

int exs_store_index_probe(const struct exs_store *s,
			  const unsigned char path_key[16],
			  const unsigned char rec_key[16])
{
	const struct exs_store_index *x = s->index;
	if (!x || !memcmp(path_key, zero16, 16))
		return EXS_PROBE_UNKNOWN;
	ptrdiff_t at = row_slot(x, path_key);
	if (at < 0)
		return EXS_PROBE_ABSENT;
	return memcmp(x->slots[at].rec, rec_key, 16) ? EXS_PROBE_DIFFERS
						      : EXS_PROBE_SAME;
}

int exs_store_index_mark(struct exs_store *s, const unsigned char path_key[16])
{
	struct exs_store_index *x = s->index;
	if (!x)
		return -1;
	ptrdiff_t at = row_slot(x, path_key);
	if (at < 0)
		return 0;
	if (x->marks[at])
		return 2;
	x->marks[at] = 1;
	return 1;
}

int exs_store_index_marked(const struct exs_store *s,
			   const unsigned char path_key[16])
{
	ptrdiff_t at = row_slot(s->index, path_key);
	return at >= 0 && s->index->marks[at];
}
