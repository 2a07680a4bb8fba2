/* hash.h -- SHA-256 through OpenSSL's EVP interface.
 *
 * One context per worker, reused file after file (exs_sha256_begin resets
 * it), so hashing allocates nothing per file.
 */
#ifndef EXS_HASH_H
#define EXS_HASH_H

#include <stddef.h>

#include "record.h"

struct exs_sha256;

int exs_sha256_create(struct exs_sha256 **out);
int exs_sha256_begin(struct exs_sha256 *h);
int exs_sha256_update(struct exs_sha256 *h, const void *p, size_t n);
int exs_sha256_finish(struct exs_sha256 *h, unsigned char out[EXS_SHA256_LEN]);
void exs_sha256_free(struct exs_sha256 *h);

/* One-shot digest of a buffer. */
int exs_sha256_buffer(const void *p, size_t n,
		      unsigned char out[EXS_SHA256_LEN]);

/* Keys of 128 bits, the first half of a SHA-256, made with the context h
 * (begun anew): of a path (the baseline's seen marks and index), and of a
 * record, every field of it in a fixed encoding, so that equal keys mean
 * equal records (store.h, exs_store_probe). */
#define EXS_KEY_LEN 16
int exs_sha256_key(struct exs_sha256 *h, const void *p, size_t n,
		   unsigned char out[EXS_KEY_LEN]);
int exs_record_key(struct exs_sha256 *h, const struct exs_record *r,
		   unsigned char out[EXS_KEY_LEN]);

/* Lowercase hex, 64 characters plus NUL. */
void exs_hex(const unsigned char *p, size_t n, char *out);

/* The crypto library as it reports itself ("OpenSSL 3.0.15 3 Sep 2024"). */
const char *exs_hash_library_version(void);

#endif
