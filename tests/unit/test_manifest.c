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

int main(void)
{
	RUN(test_escape);
	RUN(test_unescape_bad);
	RUN(test_keys);
	return TEST_EXIT();
}
