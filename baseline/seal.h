/* seal.h -- tamper evidence for the baseline: HMAC-SHA256 over a canonical
 * serialisation of its content, keyed by a secret kept apart from it.
 *
 * The canonical form is a stream of typed values, each self-delimiting, so
 * that no two different contents serialise to the same bytes:
 *
 *   'S' len:u64be name        a section ("meta", "generations", "files")
 *   'R' n:u64be               a row of n values follows
 *   'I' v:i64be               an integer
 *   'F' v:u64be               a float, as its IEEE 754 bits
 *   'T' len:u64be bytes       text
 *   'B' len:u64be bytes       a blob
 *   'N'                       NULL
 *
 * preceded by the magic "exsweep-seal/1\n". What goes into the stream, in
 * which order, is the store's business (store.c, exs_store_compute_seal);
 * this file only encodes and MACs, and loads or creates the key file.
 */
#ifndef EXS_SEAL_H
#define EXS_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "platform.h"

#define EXS_SEAL_KEY_LEN 32        /* what init creates */
#define EXS_SEAL_KEY_MAX 1024      /* what a key file may hold */
#define EXS_SEAL_HEX_LEN 64

struct exs_seal;

/* Starts a seal keyed by key (len bytes). When trace is not NULL every
 * canonical byte is also appended to it (tests). EXS_NOMEM or EXS_INTERNAL
 * (OpenSSL refused). */
int exs_seal_begin(const unsigned char *key, size_t len, struct exs_buf *trace,
		   struct exs_seal **out);
void exs_seal_section(struct exs_seal *s, const char *name);
void exs_seal_row(struct exs_seal *s, uint64_t values);
void exs_seal_int(struct exs_seal *s, int64_t v);
void exs_seal_float(struct exs_seal *s, double v);
void exs_seal_text(struct exs_seal *s, const void *p, size_t n);
void exs_seal_blob(struct exs_seal *s, const void *p, size_t n);
void exs_seal_null(struct exs_seal *s);
/* Raw bytes, outside the canonical grammar (tests: HMAC vectors). */
void exs_seal_raw(struct exs_seal *s, const void *p, size_t n);
/* Writes the MAC as 64 lowercase hex digits and a NUL, and frees s.
 * Returns EXS_OK or EXS_INTERNAL. */
int exs_seal_finish(struct exs_seal *s, char hex[EXS_SEAL_HEX_LEN + 1]);
void exs_seal_free(struct exs_seal *s);

/* 1 when the two hex seals are equal (compared in constant time). */
int exs_seal_equal(const char *a, const char *b);

/* Reads the key file (at most EXS_SEAL_KEY_MAX bytes, at least 16). A
 * missing or unreadable file is EXS_NOKEY, with a message naming the path. */
int exs_seal_key_load(const struct exs_platform *plat, const char *path,
		      unsigned char *key, size_t *len, struct exs_error *err);
/* Creates the key file with EXS_SEAL_KEY_LEN random bytes, private and
 * exclusive, if it does not exist yet (then *created is 1). */
int exs_seal_key_create(const struct exs_platform *plat, const char *path,
			int *created, struct exs_error *err);


/* ---- The file seal -------------------------------------------------------
 * Beside the content seal (a digest of what the tables say), the database
 * file as a whole carries an HMAC over all of its bytes, stored in the 32
 * bytes SQLite reserves at the end of page 1 (which count as zero for the
 * MAC). It catches what the content seal cannot: a flipped byte in unused
 * page space or in a page no query reads. */
#define EXS_SEAL_FILE_RESERVE 32

/* Computes the file MAC of path and writes it into page 1 (write != 0), or
 * compares it with the one there (write == 0): EXS_SEAL when they differ or
 * the file reserves no room for one. */
int exs_seal_file(const struct exs_platform *plat, const char *path,
		  const unsigned char *key, size_t key_len, int write,
		  struct exs_error *err);
#endif
