/* test_readfile.c -- scanner/readfile.c: a whole regular file into a bounded
 * buffer, through the native platform (so the same test runs under wine): the
 * limit exactly met and missed by one byte, an empty file, appending after
 * what the buffer holds, a folder and a missing path refused; and the
 * aligned buffers (buf.h) the sweep reads into: 64-byte aligned through
 * every growth, with their bytes and limit kept. */
#include "test.h"

#include <stdint.h>

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

static int is_aligned(const struct exs_buf *b)
{
	return b->data && (uintptr_t)b->data % EXS_BUF_ALIGN == 0;
}

static void test_aligned_buffer(void)
{
	char p[TMP_PATH_MAX];
	path_of("big.bin", p);
	enum { BIG = 300000 };
	static char bytes[BIG];
	for (size_t i = 0; i < BIG; i++)
		bytes[i] = (char)(i * 7 + i / 251);
	ASSERT_EQ(tmp_write(plat, p, bytes, BIG), EXS_OK);
	struct exs_error err;
	struct exs_buf b;
	exs_buf_init_aligned(&b, 3 * BIG);
	/* Small first, then grown many times by the read and appends: the
	 * start stays aligned and nothing before it is lost. */
	ASSERT_EQ(exs_buf_puts(&b, "head"), EXS_OK);
	ASSERT_TRUE(is_aligned(&b));
	ASSERT_EQ(exs_read_regular(plat, p, "x", &b, &err), EXS_OK);
	ASSERT_TRUE(is_aligned(&b));
	ASSERT_EQ(b.len, 4u + BIG);
	ASSERT_MEM_EQ(b.data, "head", 4);
	ASSERT_MEM_EQ(b.data + 4, bytes, BIG);
	ASSERT_EQ(b.data[b.len], '\0');
	for (int i = 0; i < 40; i++)
		ASSERT_EQ(exs_buf_printf(&b, "%d,", i), EXS_OK);
	ASSERT_TRUE(is_aligned(&b));
	ASSERT_MEM_EQ(b.data + 4, bytes, BIG);
	ASSERT_MEM_EQ(b.data + 4 + BIG, "0,1,2,", 6);
	/* Reset keeps the memory, aligned; the limit still holds. */
	exs_buf_reset(&b);
	ASSERT_TRUE(is_aligned(&b));
	ASSERT_EQ(b.len, 0u);
	ASSERT_EQ(exs_buf_reserve(&b, 3 * BIG + 1), EXS_LIMIT);
	exs_buf_free(&b);
	ASSERT_TRUE(b.data == NULL);
	/* A reserve before any byte, as the sweep does. */
	exs_buf_init_aligned(&b, 1 << 20);
	ASSERT_EQ(exs_buf_reserve(&b, 1 << 20), EXS_OK);
	ASSERT_TRUE(is_aligned(&b));
	/* Exactly that (and the NUL): a file's size, not the next power of
	 * two, which would double a worker's memory for an 8 MiB file. */
	ASSERT_EQ(b.cap, (1u << 20) + 1);
	/* Reset and reserved for a larger file: exact again, still aligned;
	 * then appends past it double as before. */
	exs_buf_reset(&b);
	b.limit = 8u << 20;
	ASSERT_EQ(exs_buf_reserve(&b, 3u << 20), EXS_OK);
	ASSERT_TRUE(is_aligned(&b));
	ASSERT_EQ(b.cap, (3u << 20) + 1);
	memset(b.data, 'a', (3u << 20) + 1);
	b.len = 3u << 20;
	b.data[b.len] = '\0';
	ASSERT_EQ(exs_buf_putc(&b, 'x'), EXS_OK);
	ASSERT_TRUE(is_aligned(&b));
	ASSERT_EQ(b.cap, (6u << 20) + 2);
	exs_buf_free(&b);
	/* The same policy for a plain buffer. */
	exs_buf_init(&b, 1 << 20);
	ASSERT_EQ(exs_buf_puts(&b, "ab"), EXS_OK);
	ASSERT_EQ(b.cap, 256u);
	ASSERT_EQ(exs_buf_reserve(&b, 100000), EXS_OK);
	ASSERT_EQ(b.cap, 100003u);
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
	RUN(test_aligned_buffer);
	tmp_remove_tree(plat, tmp);
	return TEST_EXIT();
}
