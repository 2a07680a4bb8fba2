/* test_readfile.c -- scanner/readfile.c: a whole regular file into a bounded
 * buffer, through the native platform (so the same test runs under wine): the
 * limit exactly met and missed by one byte, an empty file, appending after
 * what the buffer holds, a folder and a missing path refused. */
#include "test.h"

#include "readfile.h"
#include "status.h"
#include "test_fs.h"

static const struct exs_platform *plat;
static char tmp[TMP_PATH_MAX];

static void path_of(const char *name, char *out)
{
	tmp_join(plat, tmp, name, out, TMP_PATH_MAX);
}

static void test_limit_is_exact(void)
{
	char p[TMP_PATH_MAX];
	path_of("ten.bin", p);
	ASSERT_EQ(tmp_write(plat, p, "0123456789", 10), EXS_OK);
	struct exs_error err;
	struct exs_buf b;
	exs_buf_init(&b, 10);
	ASSERT_EQ(exs_read_regular(plat, p, "the file", &b, &err), EXS_OK);
	ASSERT_EQ(b.len, 10u);
	ASSERT_MEM_EQ(b.data, "0123456789", 10);
	ASSERT_EQ(b.data[10], '\0');
	exs_buf_free(&b);

	exs_buf_init(&b, 9);
	exs_error_clear(&err);
	ASSERT_EQ(exs_read_regular(plat, p, "the file", &b, &err), EXS_LIMIT);
	ASSERT_TRUE(strstr(err.detail, "the file is larger than 9 bytes") != NULL);
	exs_buf_free(&b);
}

static void test_empty_and_append(void)
{
	char p[TMP_PATH_MAX], q[TMP_PATH_MAX];
	path_of("empty.bin", p);
	path_of("tail.bin", q);
	ASSERT_EQ(tmp_write(plat, p, "", 0), EXS_OK);
	ASSERT_EQ(tmp_write(plat, q, "tail", 4), EXS_OK);
	struct exs_error err;
	struct exs_buf b;
	exs_buf_init(&b, 8);
	ASSERT_EQ(exs_read_regular(plat, p, "x", &b, &err), EXS_OK);
	ASSERT_EQ(b.len, 0u);
	ASSERT_EQ(exs_buf_puts(&b, "head"), EXS_OK);
	ASSERT_EQ(exs_read_regular(plat, q, "x", &b, &err), EXS_OK);
	ASSERT_EQ(b.len, 8u);
	ASSERT_TRUE(strcmp(b.data, "headtail") == 0);
	/* Full: one more byte anywhere is past the limit. */
	ASSERT_EQ(exs_read_regular(plat, q, "x", &b, &err), EXS_LIMIT);
	exs_buf_free(&b);
}

static void test_refusals(void)
{
	char d[TMP_PATH_MAX], m[TMP_PATH_MAX];
	path_of("folder", d);
	path_of("missing.bin", m);
	struct exs_error err;
	ASSERT_EQ(plat->dir_create(d, 0, &err), EXS_OK);
	struct exs_buf b;
	exs_buf_init(&b, 1024);
	int rc = exs_read_regular(plat, d, "x", &b, &err);
	ASSERT_TRUE(rc != EXS_OK);
	ASSERT_EQ(b.len, 0u);
	ASSERT_EQ(exs_read_regular(plat, m, "x", &b, &err), EXS_NOENT);
	exs_buf_free(&b);
}

int main(void)
{
	plat = exs_platform_native();
	if (tmp_make_dir(plat, "readfile", tmp, sizeof(tmp)) != EXS_OK) {
		fprintf(stderr, "cannot make a scratch folder\n");
		return 1;
	}
	RUN(test_limit_is_exact);
	RUN(test_empty_and_append);
	RUN(test_refusals);
	tmp_remove_tree(plat, tmp);
	return TEST_EXIT();
}
