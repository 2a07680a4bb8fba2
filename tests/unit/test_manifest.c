/* test_manifest.c -- manifest escaping and root names (scanner/manifest.c). */
#include "test.h"

#include "buf.h"
#include "manifest.h"
#include "strlist.h"

static void round_trip(const char *s, size_t n, char sep, const char *want)
{
	struct exs_buf e, d;
	exs_buf_init(&e, 1 << 16);
	exs_buf_init(&d, 1 << 16);
	exs_manifest_escape(&e, s, n, sep);
	ASSERT_STR_EQ(e.data ? e.data : "", want);
	ASSERT_EQ(exs_manifest_unescape(&d, e.data, e.len, sep), 0);
	ASSERT_EQ(d.len, n);
	ASSERT_MEM_EQ(d.data, s, n);
	exs_buf_free(&e);
	exs_buf_free(&d);
}

static void test_escape(void)
{
	round_trip("a/b c.aspx", 10, '/', "a/b c.aspx");
	round_trip("x\\y\\z", 5, '\\', "x/y/z");
	/* A backslash in a POSIX name is a byte of the name, not a separator. */
	round_trip("a\\b/c", 5, '/', "a%5Cb/c");
	round_trip("t\tn\nr\r%", 7, '/', "t%09n%0Ar%0D%25");
	round_trip("\xff\xfe:\x7f", 4, '/', "%FF%FE%3A%7F");
	round_trip("\0z", 2, '/', "%00z");
}

static void test_unescape_bad(void)
{
	struct exs_buf d;
	exs_buf_init(&d, 1 << 16);
	ASSERT_EQ(exs_manifest_unescape(&d, "%4", 2, '/'), -1);
	ASSERT_EQ(exs_manifest_unescape(&d, "%zz", 3, '/'), -1);
	exs_buf_free(&d);
}

static void test_keys(void)
{
	struct exs_strlist roots = { 0 };
	exs_strlist_add_str(&roots, "D:\\Exchange\\V15");
	exs_strlist_add_str(&roots, "C:\\inetpub\\wwwroot");
	exs_strlist_add_str(&roots, "E:\\other");
	char name[32];
	exs_manifest_root_name(&roots, 0, '\\', name, sizeof(name));
	ASSERT_STR_EQ(name, "V15");
	exs_manifest_root_name(&roots, 1, '\\', name, sizeof(name));
	ASSERT_STR_EQ(name, "WWWROOT");
	exs_manifest_root_name(&roots, 2, '\\', name, sizeof(name));
	ASSERT_STR_EQ(name, "ROOT2");
	struct exs_buf k;
	exs_buf_init(&k, 1 << 16);
	const char *p = "d:\\exchange\\v15\\Bin\\A.dll";
	ASSERT_EQ(exs_manifest_key(&k, &roots, p, strlen(p), '\\', 1), 0);
	ASSERT_STR_EQ(k.data, "v15:/bin/a.dll");
	exs_buf_reset(&k);
	p = "C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx";
	ASSERT_EQ(exs_manifest_key(&k, &roots, p, strlen(p), '\\', 0), 0);
	ASSERT_STR_EQ(k.data, "WWWROOT:/aspnet_client/x.aspx");
	exs_buf_reset(&k);
	p = "F:\\elsewhere";
	ASSERT_EQ(exs_manifest_key(&k, &roots, p, strlen(p), '\\', 0), -1);
	exs_buf_free(&k);
	exs_strlist_free(&roots);
}

static int key_ok(const char *key, char sep)
{
	const char *why = NULL;
	return exs_manifest_check_key(key, strlen(key), sep, &why) == 0;
}

static void test_check_key(void)
{
	ASSERT_TRUE(key_ok("V15:/Bin/Microsoft.Exchange.Net.dll", '/'));
	ASSERT_TRUE(key_ok("ROOT2:/a b/c%25d/%3A%5C%FF", '/'));
	ASSERT_TRUE(key_ok("WWWROOT:/...", '/'));   /* a name of three dots */
	ASSERT_TRUE(key_ok("V15:/.x/..y", '/'));
	/* '\' is a name byte on POSIX, the separator on Windows. */
	ASSERT_TRUE(key_ok("V15:/a%5Cb", '/'));
	ASSERT_TRUE(!key_ok("V15:/a%5C..%5Cb", '\\'));
	static const char *const bad[] = {
		"V15:Bin/x", "V15:", "V15:/", "V15:/a/", "V15://a", "V15:/a//b",
		"V15:/..", "V15:/a/../b", "V15:/.", "V15:/%2E%2E", "V15:/a%2Fb",
		"V15:/a%00", "V15:/a%2f", "V15:/a%4", "V15:/a%", "V15:/a%20b",
		"V15:/a\x01", "V15:/a\xC3\xA9", "V15:/a:b", "V15:/a\\b", ":/x",
		"V 15:/x", "V15/x", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456:/x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		const char *why = NULL;
		if (key_ok(bad[i], '/'))
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
		ASSERT_EQ(exs_manifest_check_key(bad[i], strlen(bad[i]), '/', &why), -1);
		ASSERT_TRUE(why != NULL);
	}
}

/* Every escaped name is a valid key below its root, and reads back. */
static void test_escaped_names_are_valid_keys(void)
{
	struct exs_buf k;
	exs_buf_init(&k, 1 << 16);
	for (unsigned c = 1; c < 256; c++) {
		char name[4] = { 'a', (char)c, 'z', 0 };
		if (c == '/')
			continue;
		exs_buf_reset(&k);
		exs_buf_puts(&k, "V15:/");
		exs_manifest_escape(&k, name, 3, '/');
		const char *why = NULL;
		if (exs_manifest_check_key(k.data, k.len, '/', &why))
			fprintf(stderr, "byte %u: %s\n", c, why);
		ASSERT_EQ(exs_manifest_check_key(k.data, k.len, '/', &why), 0);
	}
	exs_buf_free(&k);
}

static int record(const char *line, struct exs_manifest_record *rec)
{
	const char *why = NULL;
	return exs_manifest_parse_record(line, strlen(line), '/', rec, &why);
}

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_parse_record(void)
{
	struct exs_manifest_record rec;
	ASSERT_EQ(record("V15:/a\t123\t" H64, &rec), 0);
	ASSERT_EQ(rec.size, 123);
	ASSERT_EQ(rec.key_len, 6);
	ASSERT_EQ(rec.sha256[0], 0x01);
	ASSERT_EQ(rec.sha256[31], 0xef);
	ASSERT_EQ(record("V15:/a\t18446744073709551615\t" H64 "\r", &rec), 0);
	ASSERT_TRUE(rec.size == UINT64_MAX);
	ASSERT_EQ(record("V15:/a\t0\t" H64 "\t33188\t-5\t17\t0%3A0\t9\t-", &rec), 0);
	ASSERT_EQ(record("V15:/a\t0\t" H64 "\t1\t2\t3\tS-1-5-18\t4\t" H64, &rec), 0);
	static const char *const bad[] = {
		"V15:/a\t-1\t" H64, "V15:/a\t +5\t" H64, "V15:/a\t+5\t" H64,
		"V15:/a\t5 \t" H64, "V15:/a\t\t" H64, "V15:/a\t0x1\t" H64,
		"V15:/a\t18446744073709551616\t" H64,
		"V15:/a\t1\t" H64 "0", "V15:/a\t1\tABCDEF" H64,
		"V15:/a\t1", "V15:/a\t1\t" H64 "\t1", "V15:/a\t1\t" H64 "\t\t\t\t\t\t\t\t\t",
		"V15:/a\t1\t" H64 "\tx\t2\t3\to\t4\t-",
		"V15:/a\t1\t" H64 "\t1\t--2\t3\to\t4\t-",
		"V15:/a\t1\t" H64 "\t1\t2\t3\to:x\t4\t-",
		"V15:/a\t1\t" H64 "\t1\t2\t3\to\t4\tnone",
		"V15:/a\t1\t" H64 "\t4294967296\t2\t3\to\t4\t-",
		"V15:a\t1\t" H64, "\t1\t" H64, "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (record(bad[i], &rec) == 0)
			fprintf(stderr, "accepted #%zu: '%s'\n", i, bad[i]);
		ASSERT_EQ(record(bad[i], &rec), -1);
	}
	/* Only len bytes are read: a size field cut by the end of the line is
	 * not continued by what follows it in memory. */
	static const char cut[] = "V15:/a\t12\t" H64 "999";
	ASSERT_EQ(exs_manifest_parse_record(cut, sizeof(cut) - 4, '/', &rec,
					    &(const char *){ NULL }), 0);
	ASSERT_EQ(rec.size, 12);
	static const char digits[] = "V15:/a\t\t1234";
	ASSERT_EQ(exs_manifest_parse_record(digits, sizeof(digits) - 3, '/', &rec,
					    &(const char *){ NULL }), -1);
}

int main(void)
{
	RUN(test_escape);
	RUN(test_unescape_bad);
	RUN(test_keys);
	RUN(test_check_key);
	RUN(test_escaped_names_are_valid_keys);
	RUN(test_parse_record);
	return TEST_EXIT();
}
