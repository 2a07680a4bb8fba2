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

/* Lowercase hex, 64 characters plus NUL. */
void exs_hex(const unsigned char *p, size_t n, char *out);

/* The crypto library as it reports itself ("OpenSSL 3.0.15 3 Sep 2024"). */
const char *exs_hash_library_version(void);

#endif
