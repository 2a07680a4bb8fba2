/* authenticode.h -- the Authenticode signature of a PE image, checked with
 * OpenSSL: the image digest as Authenticode defines it, the WIN_CERTIFICATE
 * walk, the PKCS#7 SignedData and its SpcIndirectDataContent, the chain to
 * a configured trust store, the signer's name and an RFC 3161 timestamp.
 *
 * It parses hostile bytes (the image, its PKCS#7), so it runs inside the
 * sandboxed judge worker (judge.h); the trust store is built there from
 * certificates the parent read before the worker entered its sandbox
 * (exs_trust_from_blob). The result is plain data (signature.h).
 */
#ifndef EXS_AUTHENTICODE_H
#define EXS_AUTHENTICODE_H

#include <stddef.h>
#include <stdint.h>

#include "pe.h"
#include "signature.h"

#define EXS_AUTH_CERT_ENTRIES_MAX 64  /* WIN_CERTIFICATE entries walked */
#define EXS_TRUST_BLOB_MAX (16u << 20)

/* The trust store: the certificates of [trust] ca_file and ca_dir. */
struct exs_trust;

/* A blob is a sequence of (u32 little-endian length, file bytes) records,
 * each file PEM (any number of certificates) or one DER certificate; an
 * empty blob is an empty store (nothing chains). On a record that holds no
 * certificate, EXS_PE_MALFORMED-like failure: returns -1 with why naming
 * the record's index; 0 on success. */
int exs_trust_from_blob(const unsigned char *blob, size_t len,
			struct exs_trust **out, char *why, size_t cap);
/* The number of certificates a single file's bytes hold (0: none). */
int exs_trust_count_certs(const unsigned char *p, size_t n);
void exs_trust_free(struct exs_trust *t);

/* Judges data[0..len) into *out (always filled; EXS_SIG_NONE when it is
 * not a PE image). trust may be NULL: nothing chains then. */
void exs_authenticode_check(const unsigned char *data, size_t len,
			    const struct exs_trust *trust,
			    struct exs_signature *out);

/* The Authenticode image digest of a parsed image with the named digest
 * ("sha1", "sha256", ...) into md (at least 64 bytes); 0 on success, -1
 * with why when the image's layout cannot be hashed (a section or the
 * certificate table outside the file, headers that overlap). */
int exs_authenticode_digest(const struct exs_pe *pe, const char *digest,
			    unsigned char *md, unsigned *md_len, char *why,
			    size_t cap);

#endif
