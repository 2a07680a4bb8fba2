/* hash.c -- SHA-256 through OpenSSL EVP (see hash.h).
 *
 * The digest is fetched once per context with EVP_MD_fetch where available
 * (OpenSSL 3): EVP_sha256() would look the implementation up again on each
 * EVP_DigestInit_ex, a measurable cost over a hundred thousand small files.
 */
#include "hash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/crypto.h>

#include "status.h"

struct exs_sha256 {
	EVP_MD_CTX *ctx;
	EVP_MD *md; /* fetched (OpenSSL 3) or NULL */
};

static const EVP_MD *sha256_md(struct exs_sha256 *h)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	if (!h->md)
		h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (h->md)
		return h->md;
#else
	(void)h;
#endif
	return EVP_sha256();
}

int exs_sha256_create(struct exs_sha256 **out)
{
	struct exs_sha256 *h = calloc(1, sizeof(*h));
	if (!h)
		return EXS_NOMEM;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx) {
		free(h);
		return EXS_NOMEM;
	}
	*out = h;
	return EXS_OK;
}

int exs_sha256_begin(struct exs_sha256 *h)
{
	return EVP_DigestInit_ex(h->ctx, sha256_md(h), NULL) == 1 ? EXS_OK
								   : EXS_INTERNAL;
}

int exs_sha256_update(struct exs_sha256 *h, const void *p, size_t n)
{
	return EVP_DigestUpdate(h->ctx, p, n) == 1 ? EXS_OK : EXS_INTERNAL;
}

int exs_sha256_finish(struct exs_sha256 *h, unsigned char out[EXS_SHA256_LEN])
{
	unsigned int len = 0;
	if (EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != EXS_SHA256_LEN)
		return EXS_INTERNAL;
	return EXS_OK;
}

void exs_sha256_free(struct exs_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	EVP_MD_free(h->md);
#endif
	free(h);
}

int exs_sha256_buffer(const void *p, size_t n,
		      unsigned char out[EXS_SHA256_LEN])
{
	struct exs_sha256 *h;
	int rc = exs_sha256_create(&h);
	if (rc)
		return rc;
	rc = exs_sha256_begin(h);
	if (!rc)
		rc = exs_sha256_update(h, p, n);
	if (!rc)
		rc = exs_sha256_finish(h, out);
	exs_sha256_free(h);
	return rc;
}

int exs_sha256_key(struct exs_sha256 *h, const void *p, size_t n,
		   unsigned char out[EXS_KEY_LEN])
{
	unsigned char md[EXS_SHA256_LEN];
	int rc = exs_sha256_begin(h);
	if (!rc)
		rc = exs_sha256_update(h, p, n);
	if (!rc)
		rc = exs_sha256_finish(h, md);
	if (!rc)
		memcpy(out, md, EXS_KEY_LEN);
	return rc;
}

static unsigned char *put_le(unsigned char *at, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		*at++ = (unsigned char)(v >> (8 * i));
	return at;
}

int exs_record_key(struct exs_sha256 *h, const struct exs_record *r,
		   unsigned char out[EXS_KEY_LEN])
{
	static const char tag[] = "exsweep-record/1";
	unsigned char b[sizeof(tag) + 64 + EXS_OWNER_MAX + 2 * EXS_SHA256_LEN + 8];
	unsigned char *at = b;
	memcpy(at, tag, sizeof(tag));
	at += sizeof(tag);
	size_t owner = strnlen(r->st.owner, EXS_OWNER_MAX);
	at = put_le(at, (uint64_t)r->st.node, 4);
	at = put_le(at, r->st.size, 8);
	at = put_le(at, (uint64_t)r->st.mtime_ns, 8);
	at = put_le(at, (uint64_t)r->st.ctime_ns, 8);
	at = put_le(at, r->st.mode, 4);
	at = put_le(at, r->st.volume_id, 8);
	at = put_le(at, r->st.file_id, 8);
	at = put_le(at, r->st.link_count, 4);
	at = put_le(at, owner, 4);
	memcpy(at, r->st.owner, owner);
	at += owner;
	memcpy(at, r->sha256, EXS_SHA256_LEN);
	at += EXS_SHA256_LEN;
	*at++ = r->has_security ? 1 : 0;
	if (r->has_security) {
		memcpy(at, r->security_sha256, EXS_SHA256_LEN);
		at += EXS_SHA256_LEN;
	}
	return exs_sha256_key(h, b, (size_t)(at - b), out);
}

void exs_hex(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

const char *exs_hash_library_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}
