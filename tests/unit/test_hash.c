/* test_hash.c -- SHA-256 against the FIPS 180-2 vectors, streaming and the
 * reuse of one context across files.
 *
 * Workers reuse one context file after file and feed it whatever sizes the
 * reads return, so the vectors are checked one-shot, in uneven chunks and
 * through a context that has already hashed (or half-hashed) something.
 */
#include <stdlib.h>

#include "hash.h"
#include "status.h"
#include "test.h"

static const char abc448[] =
	"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

#define D_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define D_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define D_448 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define D_MILLION "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

static void hex_of(const unsigned char d[EXS_SHA256_LEN], char out[65])
{
	exs_hex(d, EXS_SHA256_LEN, out);
}

static void test_hex(void)
{
	static const unsigned char bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(bytes) + 1];
	memset(out, 'X', sizeof(out));
	exs_hex(bytes, sizeof(bytes), out);
	ASSERT_STR_EQ(out, "00017f80abff");
	out[0] = 'X';
	exs_hex(bytes, 0, out);
	ASSERT_STR_EQ(out, "");
}

static void test_vectors_one_shot(void)
{
	unsigned char d[EXS_SHA256_LEN];
	char hex[65];
	ASSERT_EQ(exs_sha256_buffer("", 0, d), EXS_OK);
	hex_of(d, hex);
	ASSERT_STR_EQ(hex, D_EMPTY);
	ASSERT_EQ(exs_sha256_buffer("abc", 3, d), EXS_OK);
	hex_of(d, hex);
	ASSERT_STR_EQ(hex, D_ABC);
	ASSERT_EQ(exs_sha256_buffer(abc448, strlen(abc448), d), EXS_OK);
	hex_of(d, hex);
	ASSERT_STR_EQ(hex, D_448);
}

static void test_million_a_uneven_chunks(void)
{
	enum { TOTAL = 1000000 };
	char *a = malloc(TOTAL);
	ASSERT_TRUE(a != NULL);
	memset(a, 'a', TOTAL);
	struct exs_sha256 *h;
	ASSERT_EQ(exs_sha256_create(&h), EXS_OK);
	ASSERT_EQ(exs_sha256_begin(h), EXS_OK);
	/* Chunk sizes from 0 to 1000 in a scrambled order, so that block
	 * boundaries (64 bytes) fall everywhere inside a chunk. */
	size_t done = 0, step = 0;
	int rc = EXS_OK;
	while (done < TOTAL && !rc) {
		size_t n = (step * 7919u + 13u) % 1001u;
		step++;
		if (n > TOTAL - done)
			n = TOTAL - done;
		rc = exs_sha256_update(h, a + done, n);
		done += n;
	}
	unsigned char d[EXS_SHA256_LEN];
	char hex[65];
	if (!rc)
		rc = exs_sha256_finish(h, d);
	exs_sha256_free(h);
	ASSERT_EQ(rc, EXS_OK);
	hex_of(d, hex);
	ASSERT_STR_EQ(hex, D_MILLION);
	/* And in one piece, for good measure. */
	ASSERT_EQ(exs_sha256_buffer(a, TOTAL, d), EXS_OK);
	free(a);
	hex_of(d, hex);
	ASSERT_STR_EQ(hex, D_MILLION);
}

/* Hashes len bytes of p through h in 3-byte steps. */
static int feed(struct exs_sha256 *h, const char *p, size_t len,
		unsigned char d[EXS_SHA256_LEN])
{
	int rc = exs_sha256_begin(h);
	for (size_t i = 0; !rc && i < len; i += 3)
		rc = exs_sha256_update(h, p + i, len - i < 3 ? len - i : 3);
	return rc ? rc : exs_sha256_finish(h, d);
}

static void test_context_reuse(void)
{
	struct exs_sha256 *h;
	unsigned char d[EXS_SHA256_LEN];
	char hex[65];
	ASSERT_EQ(exs_sha256_create(&h), EXS_OK);
	/* The same context, file after file, in an order that would expose
	 * state carried over from the previous file. */
	static const char *const input[] = { "abc", "", abc448, "abc", "" };
	static const char *const want[] = { D_ABC, D_EMPTY, D_448, D_ABC,
					    D_EMPTY };
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < 5; i++) {
			ASSERT_EQ(feed(h, input[i], strlen(input[i]), d), EXS_OK);
			hex_of(d, hex);
			ASSERT_STR_EQ(hex, want[i]);
		}
	}
	/* A file abandoned half-way (read error) must not leak into the next:
	 * begin resets the context. */
	ASSERT_EQ(exs_sha256_begin(h), EXS_OK);
	ASSERT_EQ(exs_sha256_update(h, "garbage", 7), EXS_OK);
	ASSERT_EQ(feed(h, "abc", 3, d), EXS_OK);
	hex_of(d, hex);
	ASSERT_STR_EQ(hex, D_ABC);
	exs_sha256_free(h);
	exs_sha256_free(NULL);
}

static void test_two_contexts_interleaved(void)
{
	/* Two workers' contexts must not share state. */
	struct exs_sha256 *x, *y;
	unsigned char dx[EXS_SHA256_LEN], dy[EXS_SHA256_LEN];
	char hex[65];
	ASSERT_EQ(exs_sha256_create(&x), EXS_OK);
	ASSERT_EQ(exs_sha256_create(&y), EXS_OK);
	ASSERT_EQ(exs_sha256_begin(x), EXS_OK);
	ASSERT_EQ(exs_sha256_begin(y), EXS_OK);
	ASSERT_EQ(exs_sha256_update(x, "ab", 2), EXS_OK);
	ASSERT_EQ(exs_sha256_update(y, abc448, 20), EXS_OK);
	ASSERT_EQ(exs_sha256_update(x, "c", 1), EXS_OK);
	ASSERT_EQ(exs_sha256_update(y, abc448 + 20, strlen(abc448) - 20), EXS_OK);
	ASSERT_EQ(exs_sha256_finish(x, dx), EXS_OK);
	ASSERT_EQ(exs_sha256_finish(y, dy), EXS_OK);
	exs_sha256_free(x);
	exs_sha256_free(y);
	hex_of(dx, hex);
	ASSERT_STR_EQ(hex, D_ABC);
	hex_of(dy, hex);
	ASSERT_STR_EQ(hex, D_448);
}

int main(void)
{
	RUN(test_hex);
	RUN(test_vectors_one_shot);
	RUN(test_million_a_uneven_chunks);
	RUN(test_context_reuse);
	RUN(test_two_contexts_interleaved);
	return TEST_EXIT();
}
