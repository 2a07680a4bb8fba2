/* seal.c -- the canonical encoding, HMAC-SHA256 and the key file (seal.h).
 *
 * OpenSSL 3's EVP_MAC interface does the HMAC; RAND_bytes makes the key.
 * The key file is read and written through the platform only, so that it is
 * created private (root/SYSTEM) and never follows a link.
 */
#include "seal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "hash.h"

/* The canonical encoding comes in pieces of a few bytes (a tag and a u64
 * per column), and each EVP_MAC_update goes through the provider's
 * dispatch: sealing a baseline row by row cost more than hashing its bytes.
 * The pieces gather in pending and go to the MAC a few KiB at a time; the
 * MAC sees the same bytes either way. */
#define SEAL_PENDING 4096

struct exs_seal {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	struct exs_buf *trace;
	int failed;
	size_t pending_len;
	unsigned char pending[SEAL_PENDING];
};

static void flush_pending(struct exs_seal *s)
{
	if (s->pending_len && !s->failed &&
	    EVP_MAC_update(s->ctx, s->pending, s->pending_len) != 1)
		s->failed = 1;
	s->pending_len = 0;
}

static const char magic[] = "exsweep-seal/1\n";

void exs_seal_raw(struct exs_seal *s, const void *p, size_t n)
{
	if (!n)
		return;
	if (s->pending_len + n > SEAL_PENDING)
		flush_pending(s);
	if (n <= SEAL_PENDING) {
		memcpy(s->pending + s->pending_len, p, n);
		s->pending_len += n;
	} else if (!s->failed && EVP_MAC_update(s->ctx, p, n) != 1) {
		s->failed = 1;
	}
	if (s->trace)
		exs_buf_append(s->trace, p, n);
}

int exs_seal_begin(const unsigned char *key, size_t len, struct exs_buf *trace,
		   struct exs_seal **out)
{
	struct exs_seal *s = calloc(1, sizeof(*s));
	if (!s)
		return EXS_NOMEM;
	s->trace = trace;
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	s->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	s->ctx = s->mac ? EVP_MAC_CTX_new(s->mac) : NULL;
	if (!s->ctx || EVP_MAC_init(s->ctx, key, len, params) != 1) {
		exs_seal_free(s);
		return EXS_INTERNAL;
	}
	exs_seal_raw(s, magic, sizeof(magic) - 1);
	*out = s;
	return EXS_OK;
}

static void put_u64(struct exs_seal *s, char tag, uint64_t v)
{
	unsigned char b[9];
	b[0] = (unsigned char)tag;
	for (int i = 0; i < 8; i++)
		b[1 + i] = (unsigned char)(v >> (56 - 8 * i));
	exs_seal_raw(s, b, sizeof(b));
}

void exs_seal_section(struct exs_seal *s, const char *name)
{
	size_t n = strlen(name);
	put_u64(s, 'S', n);
	exs_seal_raw(s, name, n);
}

void exs_seal_row(struct exs_seal *s, uint64_t values) { put_u64(s, 'R', values); }
void exs_seal_int(struct exs_seal *s, int64_t v) { put_u64(s, 'I', (uint64_t)v); }

void exs_seal_float(struct exs_seal *s, double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof(bits));
	put_u64(s, 'F', bits);
}

void exs_seal_text(struct exs_seal *s, const void *p, size_t n)
{
	put_u64(s, 'T', n);
	exs_seal_raw(s, p, n);
}

void exs_seal_blob(struct exs_seal *s, const void *p, size_t n)
{
	put_u64(s, 'B', n);
	exs_seal_raw(s, p, n);
}

void exs_seal_null(struct exs_seal *s) { exs_seal_raw(s, "N", 1); }

int exs_seal_finish(struct exs_seal *s, char hex[EXS_SEAL_HEX_LEN + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t n = 0;
	int rc = EXS_OK;
	flush_pending(s);
	if (s->failed || EVP_MAC_final(s->ctx, mac, &n, sizeof(mac)) != 1 ||
	    n != EXS_SEAL_HEX_LEN / 2)
		rc = EXS_INTERNAL;
	else
		exs_hex(mac, n, hex);
	exs_seal_free(s);
	return rc;
}

void exs_seal_free(struct exs_seal *s)
{
	if (!s)
		return;
	EVP_MAC_CTX_free(s->ctx);
	EVP_MAC_free(s->mac);
	free(s);
}

int exs_seal_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb || la != EXS_SEAL_HEX_LEN)
		return 0;
	unsigned char diff = 0;
	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* ---- The key file --------------------------------------------------------- */

int exs_seal_key_load(const struct exs_platform *plat, const char *path,
		      unsigned char *key, size_t *len, struct exs_error *err)
{
	struct exs_file *f;
	int rc = plat->file_open_read(path, &f, err);
	if (rc == EXS_NOENT)
		return exs_failf(err, EXS_NOKEY, err->os_code, "open", path,
				 "baseline key not found: the seal cannot be "
				 "checked without it (restore it, or run "
				 "'exsweep init --force' to start over)");
	if (rc)
		return exs_failf(err, EXS_NOKEY, err->os_code, "open", path,
				 "cannot read baseline key: %s",
				 err->detail[0] ? err->detail : exs_strerror(rc));
	size_t total = 0;
	for (;;) {
		size_t got = 0;
		if (total == EXS_SEAL_KEY_MAX) {
			unsigned char extra;
			rc = plat->file_read(f, &extra, 1, &got, err);
			if (!rc && got)
				rc = exs_failf(err, EXS_NOKEY, 0, "read", path,
					       "baseline key is longer than %d "
					       "bytes", EXS_SEAL_KEY_MAX);
			break;
		}
		rc = plat->file_read(f, key + total, EXS_SEAL_KEY_MAX - total,
				     &got, err);
		if (rc || !got)
			break;
		total += got;
	}
	plat->file_close(f);
	if (!rc && total < 16)
		rc = exs_failf(err, EXS_NOKEY, 0, "read", path,
			       "baseline key is too short (%lu bytes)",
			       (unsigned long)total);
	*len = total;
	return rc;
}

int exs_seal_key_create(const struct exs_platform *plat, const char *path,
			int *created, struct exs_error *err)
{
	struct exs_stat st;
	struct exs_error ignored;
	*created = 0;
	if (plat->path_stat(path, &st, &ignored) == EXS_OK)
		return EXS_OK;
	unsigned char key[EXS_SEAL_KEY_LEN];
	if (RAND_bytes(key, sizeof(key)) != 1)
		return exs_fail(err, EXS_INTERNAL, 0, "RAND_bytes", path);
	struct exs_file *f;
	int rc = plat->file_create(path, EXS_CREATE_PRIVATE | EXS_CREATE_EXCLUSIVE,
				   &f, err);
	if (rc) {
		memset(key, 0, sizeof(key));
		return rc;
	}
	rc = plat->file_write(f, key, sizeof(key), err);
	if (!rc)
		rc = plat->file_sync(f, err);
	plat->file_close(f);
	memset(key, 0, sizeof(key));
	if (rc)
		plat->file_remove(path, &ignored);
	else
		*created = 1;
	return rc;
}

/* ---- The file seal ---------------------------------------------------------- */

#define FILE_CHUNK (1u << 20)

int exs_seal_file(const struct exs_platform *plat, const char *path,
		  const unsigned char *key, size_t key_len, int write,
		  struct exs_error *err)
{
	unsigned char *chunk = malloc(FILE_CHUNK);
	unsigned char *page1 = malloc(65536);
	struct exs_seal *seal = NULL;
	struct exs_file *f = NULL;
	if (!chunk || !page1 || exs_seal_begin(key, key_len, NULL, &seal)) {
		free(chunk);
		free(page1);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	}
	int rc = plat->file_open_read(path, &f, err);
	uint64_t offset = 0, page_size = 0, mac_at = 0;
	size_t page1_len = 0;
	unsigned char stored[EXS_SEAL_FILE_RESERVE];
	while (!rc) {
		size_t got = 0;
		rc = plat->file_read(f, chunk, FILE_CHUNK, &got, err);
		if (rc || !got)
			break;
		if (offset == 0) {
			/* The SQLite header: page size at 16, reserve at 20. */
			if (got < 100) {
				rc = exs_failf(err, EXS_CORRUPT, 0, "read", path,
					       "baseline is truncated");
				break;
			}
			page_size = (uint64_t)chunk[16] << 8 | chunk[17];
			if (page_size == 1)
				page_size = 65536;
			if (page_size < 512 || chunk[20] < EXS_SEAL_FILE_RESERVE) {
				rc = exs_failf(err, EXS_SEAL, 0, "seal", path,
					       "baseline seal does not match: "
					       "the file carries no file seal "
					       "(tampered or damaged)");
				break;
			}
			mac_at = page_size - EXS_SEAL_FILE_RESERVE;
		}
		/* Keep page 1 and its stored MAC; the MAC bytes count as 0.
		 * Only page 1 is looked at byte by byte. */
		size_t in_page1 = offset >= page_size ? 0
				  : (size_t)(page_size - offset < got
					     ? page_size - offset : got);
		for (size_t i = 0; i < in_page1; i++) {
			uint64_t at = offset + i;
			if (page1_len < 65536)
				page1[page1_len++] = chunk[i];
			if (at >= mac_at) {
				stored[at - mac_at] = chunk[i];
				chunk[i] = 0;
			}
		}
		exs_seal_raw(seal, chunk, got);
		offset += got;
	}
	if (f)
		plat->file_close(f);
	char hex[EXS_SEAL_HEX_LEN + 1];
	if (!rc && offset < page_size)
		rc = exs_failf(err, EXS_CORRUPT, 0, "read", path,
			       "baseline is truncated");
	if (!rc && exs_seal_finish(seal, hex))
		rc = exs_fail(err, EXS_INTERNAL, 0, "HMAC", path);
	else if (rc)
		exs_seal_free(seal);
	seal = NULL;
	unsigned char mac[EXS_SEAL_FILE_RESERVE];
	for (size_t i = 0; !rc && i < sizeof(mac); i++) {
		unsigned hi = (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0'
						       : hex[2 * i] - 'a' + 10);
		unsigned lo = (unsigned)(hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0'
							       : hex[2 * i + 1] - 'a' + 10);
		mac[i] = (unsigned char)(hi << 4 | lo);
	}
	if (!rc && !write) {
		unsigned char diff = 0;
		for (size_t i = 0; i < sizeof(mac); i++)
			diff |= (unsigned char)(mac[i] ^ stored[i]);
		if (diff)
			rc = exs_failf(err, EXS_SEAL, 0, "seal", path,
				       "baseline seal does not match: the file "
				       "was altered outside exsweep (its bytes "
				       "differ from what was sealed), or the key "
				       "is not the one it was sealed with");
	}
	if (!rc && write) {
		/* Rewrite page 1 in place with the MAC in its reserved bytes. */
		memcpy(page1 + mac_at, mac, sizeof(mac));
		rc = plat->file_create(path, 0, &f, err);
		if (!rc) {
			rc = plat->file_write(f, page1, page1_len, err);
			if (!rc)
				rc = plat->file_sync(f, err);
			plat->file_close(f);
		}
	}
	free(chunk);
	free(page1);
	return rc;
}
