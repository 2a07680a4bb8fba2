/* test_seal.c -- the seal's canonical encoding and HMAC (baseline/seal.c),
 * and the Exchange build parser (scanner/exchange_build.c).
 */
#include "test.h"

#include "buf.h"
#include "exchange_build.h"
#include "seal.h"

static const unsigned char key32[32] = { 1, 2, 3 };

/* RFC 4231 test case 2's key and message, after the magic: the MAC is
 * plain HMAC-SHA256 (value from python's hmac module). */
static void test_hmac_vector(void)
{
	struct exs_seal *s;
	char hex[65];
	struct exs_buf trace;
	exs_buf_init(&trace, 1 << 16);
	ASSERT_EQ(exs_seal_begin((const unsigned char *)"Jefe", 4, &trace, &s), 0);
	ASSERT_EQ(trace.len, 15u);
	ASSERT_MEM_EQ(trace.data, "exsweep-seal/1\n", 15);
	exs_seal_raw(s, "what do ya want for nothing?", 28);
	ASSERT_EQ(exs_seal_finish(s, hex), 0);
	ASSERT_STR_EQ(hex, "aa7ab42ba1757ab8c76254a2b35bb22e65616c23b198d53c0206a096cc2a4f32");
	exs_buf_free(&trace);
}

static void encode(struct exs_buf *trace, char *hex, const char *a,
		   const char *b)
{
	struct exs_seal *s;
	exs_buf_reset(trace);
	if (exs_seal_begin(key32, sizeof(key32), trace, &s))
		return;
	exs_seal_section(s, "files");
	exs_seal_row(s, 2);
	exs_seal_text(s, a, strlen(a));
	exs_seal_text(s, b, strlen(b));
	exs_seal_finish(s, hex);
}

static void test_canonical_bytes(void)
{
	struct exs_buf t;
	char hex[65];
	exs_buf_init(&t, 1 << 16);
	encode(&t, hex, "ab", "c");
	static const unsigned char want[] =
		"exsweep-seal/1\n"
		"S\0\0\0\0\0\0\0\5files"
		"R\0\0\0\0\0\0\0\2"
		"T\0\0\0\0\0\0\0\2ab"
		"T\0\0\0\0\0\0\0\1c";
	ASSERT_EQ(t.len, sizeof(want) - 1);
	ASSERT_MEM_EQ(t.data, want, sizeof(want) - 1);
	exs_buf_free(&t);
}

/* Moving a boundary between values changes the bytes and the MAC. */
static void test_canonical_injective(void)
{
	struct exs_buf t;
	char h1[65], h2[65];
	exs_buf_init(&t, 1 << 16);
	encode(&t, h1, "ab", "c");
	encode(&t, h2, "a", "bc");
	ASSERT_TRUE(strcmp(h1, h2) != 0);
	encode(&t, h2, "ab", "c");
	ASSERT_STR_EQ(h1, h2);
	ASSERT_TRUE(exs_seal_equal(h1, h2));
	h2[10] ^= 1;
	ASSERT_TRUE(!exs_seal_equal(h1, h2));
	exs_buf_free(&t);
}

static void test_types_distinct(void)
{
	struct exs_buf t1, t2;
	struct exs_seal *s;
	exs_buf_init(&t1, 1 << 16);
	exs_buf_init(&t2, 1 << 16);
	ASSERT_EQ(exs_seal_begin(key32, 32, &t1, &s), 0);
	exs_seal_text(s, "1", 1);
	exs_seal_free(s);
	ASSERT_EQ(exs_seal_begin(key32, 32, &t2, &s), 0);
	exs_seal_blob(s, "1", 1);
	exs_seal_free(s);
	ASSERT_TRUE(t1.len == t2.len && memcmp(t1.data, t2.data, t1.len) != 0);
	exs_buf_reset(&t1);
	ASSERT_EQ(exs_seal_begin(key32, 32, &t1, &s), 0);
	exs_seal_int(s, -2);
	exs_seal_null(s);
	exs_seal_free(s);
	ASSERT_EQ(t1.len, 15u + 9 + 1);
	ASSERT_MEM_EQ(t1.data + 15, "I\xff\xff\xff\xff\xff\xff\xff\xfeN", 10);
	exs_buf_free(&t1);
	exs_buf_free(&t2);
}

static void test_key_changes_mac(void)
{
	struct exs_seal *s;
	char h1[65], h2[65];
	unsigned char other[32] = { 9 };
	ASSERT_EQ(exs_seal_begin(key32, 32, NULL, &s), 0);
	exs_seal_int(s, 7);
	ASSERT_EQ(exs_seal_finish(s, h1), 0);
	ASSERT_EQ(exs_seal_begin(other, 32, NULL, &s), 0);
	exs_seal_int(s, 7);
	ASSERT_EQ(exs_seal_finish(s, h2), 0);
	ASSERT_TRUE(strcmp(h1, h2) != 0);
}

static void test_build(void)
{
	struct exs_build b = { 0, { 0, 0, 0, 0 } };
	char text[32];
	const char *p1 = "C:\\V15\\ClientAccess\\Owa\\prem\\15.2.1118.7\\x.js";
	const char *p2 = "/V15/FrontEnd/HttpProxy/owa/auth/15.2.1258.12/y.css";
	const char *p3 = "/V15/15.2.999.1x/15.1.2507.6/z";
	ASSERT_EQ(exs_build_scan_path(&b, p1, strlen(p1)), 1);
	exs_build_format(&b, text, sizeof(text));
	ASSERT_STR_EQ(text, "15.2.1118.7");
	ASSERT_EQ(exs_build_scan_path(&b, p2, strlen(p2)), 1);
	ASSERT_EQ(exs_build_scan_path(&b, p3, strlen(p3)), 0);
	exs_build_format(&b, text, sizeof(text));
	ASSERT_STR_EQ(text, "15.2.1258.12");
	struct exs_build v;
	ASSERT_EQ(exs_build_parse("16.0.1.2", 8, &v), -1);
	ASSERT_EQ(exs_build_parse("15.0.1", 6, &v), -1);
	ASSERT_EQ(exs_build_parse("15.0.1.2", 8, &v), 0);
}

int main(void)
{
	RUN(test_hmac_vector);
	RUN(test_canonical_bytes);
	RUN(test_canonical_injective);
	RUN(test_types_distinct);
	RUN(test_key_changes_mac);
	RUN(test_build);
	return TEST_EXIT();
}
