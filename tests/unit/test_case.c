/* test_case.c -- the case folder's formats (scanner/cli/case.c): safe names
 * for hostile file names, SHA256SUMS written and read back strictly, the
 * seal; and the ZIP writer (scanner/cli/zip.c), read back here with zlib's
 * inflate and CRC-32 as an unzip would.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "test.h"
#include "test_fs.h"

#include "case.h"
#include "zip.h"

static int safe(const char *name)
{
	char full[EXS_CASE_ENTRY_NAME_MAX + 16];
	snprintf(full, sizeof(full), "files/%s", name);
	return exs_case_name_ok(full, strlen(full));
}

static void test_safe_names(void)
{
	char out[EXS_CASE_NAME_MAX + 1];
	exs_case_safe_name(1, "/srv/x/web/owa/logon.aspx", 25, 0, NULL, 0, out);
	ASSERT_STR_EQ(out, "000001-logon.aspx");
	exs_case_safe_name(2, "C:\\inetpub\\wwwroot\\a b.aspx", 27, 0, NULL, 0, out);
	ASSERT_STR_EQ(out, "000002-a_b.aspx");
	/* A newline, invalid UTF-8, a bidi override: one '_' per byte. */
	exs_case_safe_name(3, "/w/a\nb\xff\xe2\x80\xae.aspx", 15, 0, NULL, 0, out);
	ASSERT_STR_EQ(out, "000003-a_b____.aspx");
	/* Dots that mean something: "..", a leading dot, a final dot. */
	exs_case_safe_name(4, "/w/..", 5, 0, NULL, 0, out);
	ASSERT_STR_EQ(out, "000004-__");
	exs_case_safe_name(5, "/w/.hidden.", 11, 0, NULL, 0, out);
	ASSERT_STR_EQ(out, "000005-_hidden_");
	/* Reserved device names are never a whole name. */
	exs_case_safe_name(6, "/w/CON", 6, 0, NULL, 0, out);
	ASSERT_STR_EQ(out, "000006-CON");
	/* No last name at all. */
	exs_case_safe_name(7, "/w/", 3, 0, NULL, 0, out);
	ASSERT_STR_EQ(out, "000007-unnamed");
	/* A stream: its number and its name after the file's. */
	exs_case_safe_name(8, "C:\\w\\logon.aspx", 15, 2, ":x:y", 4, out);
	ASSERT_STR_EQ(out, "000008-logon.aspx.s2-x_y");
	exs_case_safe_name(8, "C:\\w\\logon.aspx", 15, 3, ":", 1, out);
	ASSERT_STR_EQ(out, "000008-logon.aspx.s3-_");
	/* Long names are cut to EXS_CASE_NAME_MAX, the stream kept. */
	char longname[600];
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "/w/", 3);
	exs_case_safe_name(9, longname, sizeof(longname), 1, ":s", 2, out);
	ASSERT_EQ(strlen(out), EXS_CASE_NAME_MAX);
	ASSERT_TRUE(strcmp(out + strlen(out) - 5, ".s1-s") == 0);
	exs_case_safe_name(UINT64_MAX, longname, sizeof(longname), 4000000000u,
			   longname, sizeof(longname), out);
	ASSERT_TRUE(strlen(out) <= EXS_CASE_NAME_MAX);
	ASSERT_TRUE(safe(out));
}

static void test_names_a_case_may_list(void)
{
	ASSERT_TRUE(exs_case_name_ok("manifest.json", 13));
	ASSERT_TRUE(exs_case_name_ok("report.json", 11));
	ASSERT_TRUE(exs_case_name_ok("files/000001-a.aspx", 19));
	ASSERT_TRUE(!exs_case_name_ok("files/", 6));
	ASSERT_TRUE(!exs_case_name_ok("SEAL", 4));
	ASSERT_TRUE(!exs_case_name_ok("SHA256SUMS", 10));
	ASSERT_TRUE(!exs_case_name_ok("files/../SEAL", 13));
	ASSERT_TRUE(!exs_case_name_ok("files/1/x", 9));
	ASSERT_TRUE(!exs_case_name_ok("files/1\\x", 9));
	ASSERT_TRUE(!exs_case_name_ok("files/x1", 8));
	ASSERT_TRUE(!exs_case_name_ok("files/1.", 8));
	ASSERT_TRUE(!exs_case_name_ok("/files/1", 8));
	ASSERT_TRUE(!exs_case_name_ok("files/1\0x", 9));
	char big[7 + EXS_CASE_NAME_MAX];
	memcpy(big, "files/", 6);
	memset(big + 6, '1', sizeof(big) - 6);
	ASSERT_TRUE(exs_case_name_ok(big, sizeof(big) - 1));
	ASSERT_TRUE(!exs_case_name_ok(big, sizeof(big)));
}

static const char good_sums[] =
	"0000000000000000000000000000000000000000000000000000000000000001  files/000001-a\n"
	"00000000000000000000000000000000000000000000000000000000000000ff  manifest.json\n"
	"abcdef0000000000000000000000000000000000000000000000000000000000  report.json\n";

static size_t parse_fails(const char *text, char *why, size_t cap)
{
	struct exs_case_entry *e;
	size_t n, line;
	int rc = exs_case_sums_parse(text, strlen(text), &e, &n, &line, why, cap);
	if (rc == EXS_OK) {
		free(e);
		return 0;
	}
	return line;
}

static void test_sums_round_trip(void)
{
	struct exs_case_entry *e;
	size_t n, line;
	char why[128];
	ASSERT_EQ(exs_case_sums_parse(good_sums, strlen(good_sums), &e, &n, &line,
				      why, sizeof(why)), EXS_OK);
	ASSERT_EQ(n, 3);
	ASSERT_STR_EQ(e[1].name, "manifest.json");
	ASSERT_EQ(e[1].sha256[31], 0xff);
	ASSERT_EQ(e[2].sha256[0], 0xab);
	struct exs_buf b;
	exs_buf_init(&b, 1 << 16);
	for (size_t i = 0; i < n; i++)
		exs_case_sums_line(&b, &e[i]);
	ASSERT_EQ(b.len, strlen(good_sums));
	ASSERT_MEM_EQ(b.data, good_sums, b.len);
	exs_buf_free(&b);

	/* The seal covers every name and hash: change one, it moves. */
	static const unsigned char key[32] = { 7 };
	char a[65], c[65];
	ASSERT_EQ(exs_case_seal(key, sizeof(key), e, n, a), EXS_OK);
	e[2].sha256[5] ^= 1;
	ASSERT_EQ(exs_case_seal(key, sizeof(key), e, n, c), EXS_OK);
	ASSERT_TRUE(strcmp(a, c) != 0);
	e[2].sha256[5] ^= 1;
	ASSERT_EQ(exs_case_seal(key, sizeof(key), e, n - 1, c), EXS_OK);
	ASSERT_TRUE(strcmp(a, c) != 0);
	ASSERT_EQ(exs_case_seal(key, sizeof(key), e, n, c), EXS_OK);
	ASSERT_STR_EQ(a, c);
	free(e);

	char seal[EXS_CASE_SEAL_LEN + 1], hex[65];
	snprintf(seal, sizeof(seal), "%s%s\n", EXS_CASE_SEAL_PREFIX, a);
	ASSERT_EQ(exs_case_seal_parse(seal, strlen(seal), hex), EXS_OK);
	ASSERT_STR_EQ(hex, a);
	ASSERT_EQ(exs_case_seal_parse(seal, strlen(seal) - 1, hex), EXS_CORRUPT);
	seal[30] = 'A';
	ASSERT_EQ(exs_case_seal_parse(seal, strlen(seal), hex), EXS_CORRUPT);
}

static void test_sums_refusals(void)
{
	char why[128];
	const char *h = "0000000000000000000000000000000000000000000000000000000000000000";
	char t[1024];
	ASSERT_EQ(parse_fails("", why, sizeof(why)), 0);
	snprintf(t, sizeof(t), "%s  report.json", h);           /* no newline */
	ASSERT_EQ(parse_fails(t, why, sizeof(why)), 1);
	snprintf(t, sizeof(t), "%s  report.json\r\n", h);       /* CR */
	ASSERT_EQ(parse_fails(t, why, sizeof(why)), 1);
	snprintf(t, sizeof(t), "%s report.json\n", h);          /* one space */
	ASSERT_EQ(parse_fails(t, why, sizeof(why)), 1);
	snprintf(t, sizeof(t), "%s *report.json\n", h);         /* binary mark */
	ASSERT_EQ(parse_fails(t, why, sizeof(why)), 1);
	snprintf(t, sizeof(t), "%.63sA  report.json\n", h);     /* upper case */
	ASSERT_EQ(parse_fails(t, why, sizeof(why)), 1);
	ASSERT_TRUE(strstr(why, "hex") != NULL);
	snprintf(t, sizeof(t), "%s  report.json\n%s  ../report.json\n", h, h);
	ASSERT_EQ(parse_fails(t, why, sizeof(why)), 2);
	snprintf(t, sizeof(t), "%s  report.json\n%s  manifest.json\n", h, h);
	ASSERT_EQ(parse_fails(t, why, sizeof(why)), 2);
	ASSERT_TRUE(strstr(why, "order") != NULL);
	snprintf(t, sizeof(t), "%s  report.json\n%s  report.json\n", h, h);
	ASSERT_EQ(parse_fails(t, why, sizeof(why)), 2);
	ASSERT_TRUE(strstr(why, "twice") != NULL);
	snprintf(t, sizeof(t), "%s  files/1/../../x\n", h);
	ASSERT_EQ(parse_fails(t, why, sizeof(why)), 1);
}

/* ---- The zip writer, read back ------------------------------------------- */

static unsigned rd16(const unsigned char *p) { return p[0] | p[1] << 8; }
static uint32_t rd32(const unsigned char *p)
{
	return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *p = malloc((size_t)n + 1);
	if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void write_file(const struct exs_platform *plat, const char *path,
		       const void *data, size_t len)
{
	struct exs_file *f;
	struct exs_error err;
	if (plat->file_create(path, EXS_CREATE_TRUNCATE, &f, &err) == EXS_OK) {
		plat->file_write(f, data, len, &err);
		plat->file_close(f);
	}
}

static void test_zip_reads_back(void)
{
	const struct exs_platform *plat = exs_platform_native();
	char dir[TMP_PATH_MAX], a[TMP_PATH_MAX], b[TMP_PATH_MAX], zp[TMP_PATH_MAX];
	struct exs_error err;
	ASSERT_EQ(tmp_make_dir(plat, "zip", dir, sizeof(dir)), EXS_OK);
	tmp_join(plat, dir, "a", a, sizeof(a));
	tmp_join(plat, dir, "b", b, sizeof(b));
	tmp_join(plat, dir, "case.zip", zp, sizeof(zp));
	/* 3 MiB that compress (several deflate chunks) and an empty file. */
	size_t big_len = 3u << 20;
	unsigned char *big = malloc(big_len);
	ASSERT_TRUE(big != NULL);
	for (size_t i = 0; i < big_len; i++)
		big[i] = (unsigned char)((i * 7) ^ (i >> 9));
	write_file(plat, a, big, big_len);
	write_file(plat, b, "", 0);

	struct exs_zip *z;
	/* 2026-11-23T18:49:12Z */
	ASSERT_EQ(exs_zip_create(plat, zp, 1795459752000000000LL, &z, &err), EXS_OK);
	ASSERT_EQ(exs_zip_add_file(z, "files/000001-a", a, &err), EXS_OK);
	ASSERT_EQ(exs_zip_add_file(z, "report.json", b, &err), EXS_OK);
	ASSERT_EQ(exs_zip_finish(z, &err), EXS_OK);
	/* Never over an existing file. */
	ASSERT_EQ(exs_zip_create(plat, zp, 0, &z, &err), EXS_EXISTS);

	size_t len;
	unsigned char *p = slurp(zp, &len);
	ASSERT_TRUE(p && len > 22);
	const unsigned char *eocd = p + len - 22;
	ASSERT_EQ(rd32(eocd), 0x06054b50);
	ASSERT_EQ(rd16(eocd + 10), 2);
	uint32_t cd = rd32(eocd + 16);
	const char *names[] = { "files/000001-a", "report.json" };
	const unsigned char *want[] = { big, (const unsigned char *)"" };
	size_t want_len[] = { big_len, 0 };
	for (int i = 0; i < 2; i++) {
		const unsigned char *c = p + cd;
		ASSERT_EQ(rd32(c), 0x02014b50);
		ASSERT_EQ(rd16(c + 10), 8);
		ASSERT_EQ(rd16(c + 14), ((2026 - 1980) << 9) | (11 << 5) | 23);
		ASSERT_EQ(rd16(c + 12), (18 << 11) | (49 << 5) | 6);
		size_t nl = rd16(c + 28);
		ASSERT_EQ(nl, strlen(names[i]));
		ASSERT_MEM_EQ(c + 46, names[i], nl);
		uint32_t crc = rd32(c + 16), csize = rd32(c + 20), usize = rd32(c + 24);
		ASSERT_EQ(usize, want_len[i]);
		ASSERT_EQ(crc, crc32(0, want[i], (uInt)want_len[i]));
		const unsigned char *l = p + rd32(c + 42);
		ASSERT_EQ(rd32(l), 0x04034b50);
		ASSERT_EQ(rd16(l + 26), nl);
		const unsigned char *data = l + 30 + nl;
		/* The data descriptor after the data repeats the numbers. */
		const unsigned char *dd = data + csize;
		ASSERT_EQ(rd32(dd), 0x08074b50);
		ASSERT_EQ(rd32(dd + 4), crc);
		ASSERT_EQ(rd32(dd + 12), usize);
		unsigned char *back = malloc(want_len[i] + 1);
		z_stream zs;
		memset(&zs, 0, sizeof(zs));
		ASSERT_EQ(inflateInit2(&zs, -15), Z_OK);
		zs.next_in = (unsigned char *)data;
		zs.avail_in = csize;
		zs.next_out = back;
		zs.avail_out = (uInt)want_len[i] + 1;
		ASSERT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
		ASSERT_EQ(zs.total_out, want_len[i]);
		ASSERT_MEM_EQ(back, want[i], want_len[i]);
		inflateEnd(&zs);
		free(back);
		cd += 46 + (uint32_t)nl;
	}
	free(p);
	free(big);
	tmp_remove_tree(plat, dir);
}

int main(void)
{
	RUN(test_safe_names);
	RUN(test_names_a_case_may_list);
	RUN(test_sums_round_trip);
	RUN(test_sums_refusals);
	RUN(test_zip_reads_back);
	return TEST_EXIT();
}
