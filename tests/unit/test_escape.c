/* test_escape.c -- UTF-8 validation, JSON strings, base64, terminal text and HTML.
 *
 * These renderings carry hostile file names into reports, so every case is
 * checked byte for byte: a JSON string that is one byte off is either
 * invalid JSON or a path that no longer round-trips, and a terminal line
 * that lets a control byte through lets a file name forge report lines.
 */
#include <stdlib.h>

#include "escape.h"
#include "status.h"
#include "test.h"

#define LIMIT (1u << 20)

/* Renders in[0..inlen) with fn and compares the result with the exact
 * expected bytes (a string literal; its length is taken with sizeof). */
#define CHECK_RENDER(render, in, inlen, expected)                           \
	do {                                                                \
		struct exs_buf b_;                                          \
		exs_buf_init(&b_, LIMIT);                                   \
		render;                                                     \
		size_t want_ = sizeof(expected) - 1;                        \
		int ok_ = b_.failed == EXS_OK && b_.len == want_ &&         \
			  (want_ == 0 || memcmp(b_.data, expected, want_) == 0); \
		if (!ok_) {                                                 \
			fprintf(stderr, "got %zu bytes: ", b_.len);         \
			for (size_t k_ = 0; k_ < b_.len; k_++)              \
				fprintf(stderr, "%02x ",                    \
					(unsigned char)b_.data[k_]);        \
			fprintf(stderr, "\n");                              \
		}                                                           \
		exs_buf_free(&b_);                                          \
		ASSERT_TRUE(ok_);                                           \
		(void)(in);                                                 \
		(void)(inlen);                                              \
	} while (0)

#define CHECK_JSON(in, expected, want_replaced)                             \
	do {                                                                \
		int r_ = -1;                                                \
		CHECK_RENDER(r_ = exs_json_string(&b_, in, sizeof(in) - 1), \
			     in, sizeof(in) - 1, expected);                 \
		ASSERT_EQ(r_, want_replaced);                               \
	} while (0)

#define CHECK_TEXT(in, expected)                                            \
	CHECK_RENDER(exs_text_escape(&b_, in, sizeof(in) - 1), in,          \
		     sizeof(in) - 1, expected)

#define SEQ(lit) exs_utf8_sequence((const unsigned char *)(lit), sizeof(lit) - 1)
#define VALID(lit) exs_utf8_valid(lit, sizeof(lit) - 1)

/* ---- UTF-8 -------------------------------------------------------------- */

static void test_utf8_valid_sequences(void)
{
	ASSERT_EQ(SEQ("A"), 1);
	ASSERT_EQ(SEQ("\x7f"), 1);
	ASSERT_EQ(SEQ("\xc2\x80"), 2);           /* U+0080, smallest 2-byte */
	ASSERT_EQ(SEQ("\xc3\xa9"), 2);           /* é */
	ASSERT_EQ(SEQ("\xdf\xbf"), 2);           /* U+07FF */
	ASSERT_EQ(SEQ("\xe0\xa0\x80"), 3);       /* U+0800, smallest 3-byte */
	ASSERT_EQ(SEQ("\xe2\x82\xac"), 3);       /* € */
	ASSERT_EQ(SEQ("\xed\x9f\xbf"), 3);       /* U+D7FF, just below surrogates */
	ASSERT_EQ(SEQ("\xee\x80\x80"), 3);       /* U+E000, just above them */
	ASSERT_EQ(SEQ("\xef\xbf\xbf"), 3);       /* U+FFFF */
	ASSERT_EQ(SEQ("\xf0\x90\x80\x80"), 4);   /* U+10000 */
	ASSERT_EQ(SEQ("\xf0\x9f\x98\x80"), 4);   /* emoji */
	ASSERT_EQ(SEQ("\xf4\x8f\xbf\xbf"), 4);   /* U+10FFFF, the last one */
	/* Only the sequence at the start counts; what follows is not read. */
	ASSERT_EQ(SEQ("\xc3\xa9\xff"), 2);
	ASSERT_TRUE(VALID(""));
	ASSERT_TRUE(VALID("plain ascii"));
	ASSERT_TRUE(VALID("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
}

static void test_utf8_overlong(void)
{
	ASSERT_EQ(SEQ("\xc0\x80"), 0);            /* NUL in two bytes */
	ASSERT_EQ(SEQ("\xc1\xbf"), 0);            /* U+007F in two bytes */
	ASSERT_EQ(SEQ("\xe0\x80\x80"), 0);        /* NUL in three */
	ASSERT_EQ(SEQ("\xe0\x9f\xbf"), 0);        /* U+07FF in three */
	ASSERT_EQ(SEQ("\xf0\x80\x80\x80"), 0);    /* NUL in four */
	ASSERT_EQ(SEQ("\xf0\x8f\xbf\xbf"), 0);    /* U+FFFF in four */
	/* The classic directory traversal: "/" as C0 AF. */
	ASSERT_TRUE(!VALID("..\xc0\xaf.."));
}

static void test_utf8_surrogates_and_range(void)
{
	ASSERT_EQ(SEQ("\xed\xa0\x80"), 0);       /* U+D800 */
	ASSERT_EQ(SEQ("\xed\xbf\xbf"), 0);       /* U+DFFF */
	ASSERT_EQ(SEQ("\xf4\x90\x80\x80"), 0);   /* U+110000 */
	ASSERT_EQ(SEQ("\xf5\x80\x80\x80"), 0);   /* lead byte past F4 */
	ASSERT_EQ(SEQ("\xff"), 0);
	ASSERT_EQ(SEQ("\xfe"), 0);
	/* A CESU-8 / WTF-8 surrogate pair is not UTF-8 either. */
	ASSERT_TRUE(!VALID("\xed\xa0\xbd\xed\xb8\x80"));
}

static void test_utf8_truncated_and_continuation(void)
{
	ASSERT_EQ(SEQ("\xc3"), 0);
	ASSERT_EQ(SEQ("\xe2\x82"), 0);
	ASSERT_EQ(SEQ("\xf0\x9f\x98"), 0);
	/* The length limit is honoured even when valid bytes follow. */
	ASSERT_EQ(exs_utf8_sequence((const unsigned char *)"\xe2\x82\xac", 2), 0);
	ASSERT_EQ(SEQ("\x80"), 0);
	ASSERT_EQ(SEQ("\xbf"), 0);
	/* A lead byte followed by a non-continuation byte. */
	ASSERT_EQ(SEQ("\xc3\x41"), 0);
	ASSERT_EQ(SEQ("\xe2\x82\x41"), 0);
	ASSERT_EQ(SEQ("\xf0\x9f\x98\xc0"), 0);
	ASSERT_TRUE(!VALID("abc\xc3"));
	ASSERT_TRUE(!VALID("\x80" "abc"));
	ASSERT_TRUE(!VALID("ab\xe2\x82" "c"));
}

/* ---- JSON --------------------------------------------------------------- */

static void test_json_specials(void)
{
	CHECK_JSON("", "\"\"", 0);
	CHECK_JSON("plain", "\"plain\"", 0);
	CHECK_JSON("a\"b", "\"a\\\"b\"", 0);
	CHECK_JSON("C:\\inetpub", "\"C:\\\\inetpub\"", 0);
	CHECK_JSON("/", "\"/\"", 0);   /* '/' may stay as is */
	CHECK_JSON("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"", 0);
}

static void test_json_control_chars(void)
{
	CHECK_JSON("\x01", "\"\\u0001\"", 0);
	CHECK_JSON("\x1f", "\"\\u001f\"", 0);
	CHECK_JSON("\x7f", "\"\\u007f\"", 0);
	CHECK_JSON("\x1b[2J", "\"\\u001b[2J\"", 0);
	/* An embedded NUL must not end the string. */
	CHECK_JSON("a\0b", "\"a\\u0000b\"", 0);
	CHECK_JSON("\x0b", "\"\\u000b\"", 0);
	CHECK_JSON(" ~", "\" ~\"", 0);  /* 0x20 and 0x7e are plain */
}

static void test_json_utf8_kept(void)
{
	CHECK_JSON("caf\xc3\xa9", "\"caf\xc3\xa9\"", 0);
	CHECK_JSON("\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xe2\x82\xac\xf0\x9f\x98\x80\"",
		   0);
	CHECK_JSON("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"", 0);
}

static void test_json_invalid_replaced(void)
{
	/* Each byte that is not part of valid UTF-8 becomes one U+FFFD. */
	CHECK_JSON("a\xff" "b", "\"a\xef\xbf\xbd" "b\"", 1);
	CHECK_JSON("\xc0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\"", 1);
	CHECK_JSON("\xed\xa0\x80",
		   "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"", 1);
	CHECK_JSON("\xf4\x90\x80\x80",
		   "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"", 1);
	/* Truncated at the end: the valid prefix is kept, the rest replaced. */
	CHECK_JSON("ok\xe2\x82", "\"ok\xef\xbf\xbd\xef\xbf\xbd\"", 1);
	/* A valid sequence right after an invalid byte survives intact. */
	CHECK_JSON("\x80\xc3\xa9", "\"\xef\xbf\xbd\xc3\xa9\"", 1);
	/* Escapes and replacements mix. */
	CHECK_JSON("\xfe\n\"", "\"\xef\xbf\xbd\\n\\\"\"", 1);
}

static void test_json_full_buffer(void)
{
	struct exs_buf b;
	exs_buf_init(&b, 4);
	exs_json_string(&b, "abcdef", 6);
	ASSERT_EQ(b.failed, EXS_LIMIT);
	ASSERT_TRUE(b.len <= 4);
	exs_buf_free(&b);
}

/* ---- Base64 ------------------------------------------------------------- */

static void test_base64_rfc4648(void)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob",
					     "fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v",
					     "Zm9vYg==", "Zm9vYmE=",
					     "Zm9vYmFy" };
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		struct exs_buf b;
		exs_buf_init(&b, LIMIT);
		exs_base64(&b, (const unsigned char *)plain[i], strlen(plain[i]));
		int ok = b.failed == EXS_OK && b.len == strlen(coded[i]) &&
			 (b.len == 0 || memcmp(b.data, coded[i], b.len) == 0);
		exs_buf_free(&b);
		if (!ok)
			fprintf(stderr, "encoding \"%s\"\n", plain[i]);
		ASSERT_TRUE(ok);

		unsigned char out[16];
		long n = exs_base64_decode(coded[i], strlen(coded[i]), out,
					   sizeof(out));
		ASSERT_EQ(n, (long)strlen(plain[i]));
		ASSERT_MEM_EQ(out, plain[i], (size_t)n);
	}
}

static void test_base64_all_bytes(void)
{
	unsigned char all[256], back[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	/* Every length, so that each padding case meets every byte value. */
	for (size_t len = 0; len <= 256; len++) {
		struct exs_buf b;
		exs_buf_init(&b, LIMIT);
		exs_base64(&b, all + (256 - len), len);
		ASSERT_EQ(b.failed, EXS_OK);
		ASSERT_EQ(b.len, (len + 2) / 3 * 4);
		for (size_t k = 0; k < b.len; k++) {
			char c = b.data[k];
			int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				 (c >= '0' && c <= '9') || c == '+' || c == '/' ||
				 c == '=';
			ASSERT_TRUE(ok);
		}
		long n = exs_base64_decode(b.data ? b.data : "", b.len, back,
					   sizeof(back));
		exs_buf_free(&b);
		ASSERT_EQ(n, (long)len);
		ASSERT_MEM_EQ(back, all + (256 - len), len);
	}
}

static void test_base64_decode_rejects(void)
{
	unsigned char out[8];
	ASSERT_EQ(exs_base64_decode("Zm9v!", 5, out, sizeof(out)), -1);
	ASSERT_EQ(exs_base64_decode("Zm 9v", 5, out, sizeof(out)), -1);
	/* An embedded NUL is not a base64 character. */
	ASSERT_EQ(exs_base64_decode("Zm\0v", 4, out, sizeof(out)), -1);
	/* Output larger than the caller's buffer. */
	ASSERT_EQ(exs_base64_decode("Zm9vYmFy", 8, out, 5), -1);
	ASSERT_EQ(exs_base64_decode("Zm9vYmFy", 8, out, 6), 6);
}

/* ---- Terminal text ------------------------------------------------------ */

static void test_text_escape(void)
{
	CHECK_TEXT("", "");
	CHECK_TEXT("plain text", "plain text");
	CHECK_TEXT("a\nb", "a\\nb");
	CHECK_TEXT("a\r\tb", "a\\r\\tb");
	CHECK_TEXT("\xff", "\\xff");
	CHECK_TEXT("x\xc0\x80y", "x\\xc0\\x80y");
	CHECK_TEXT("\x1b[2J", "\\x1b[2J");
	CHECK_TEXT("\x7f", "\\x7f");
	CHECK_TEXT("a\0b", "a\\x00b");
	CHECK_TEXT("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		   "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	CHECK_TEXT("ok\xe2\x82", "ok\\xe2\\x82");
	/* Backslash and quote are printable: text output does not escape
	 * them (only JSON does). */
	CHECK_TEXT("C:\\x \"y\"", "C:\\x \"y\"");
}

static void test_text_escape_c1_controls(void)
{
	/* U+0080..U+009F are valid UTF-8 but control characters: a terminal
	 * in UTF-8 mode acts on U+009B as CSI, just as on ESC [. They must
	 * be escaped like C0 controls, byte by byte. */
	CHECK_TEXT("\xc2\x9b" "2J", "\\xc2\\x9b2J");
	CHECK_TEXT("a\xc2\x85" "b", "a\\xc2\\x85b");   /* NEL: a line break */
	CHECK_TEXT("\xc2\x80", "\\xc2\\x80");
	CHECK_TEXT("\xc2\x9f", "\\xc2\\x9f");
	/* U+00A0 onwards are printable and stay. */
	CHECK_TEXT("\xc2\xa0\xc2\xa9", "\xc2\xa0\xc2\xa9");
}

static void test_text_escape_invisible(void)
{
	/* Characters that reorder or hide text are shown by code point: a
	 * right-to-left override makes "invoice\u202egpj.aspx" look like
	 * "invoicexpsa.jpg" on screen. */
	CHECK_TEXT("invoice\xe2\x80\xaegpj.aspx", "invoice\\u202egpj.aspx");
	CHECK_TEXT("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
		   "\\u202a\\u202b\\u202c\\u202d");           /* embeddings */
	CHECK_TEXT("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
		   "\\u2066\\u2067\\u2068\\u2069");           /* isolates */
	CHECK_TEXT("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
		   "\\u200e\\u200f\\u061c");                    /* marks */
	CHECK_TEXT("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c",
		   "a\\u2028b\\u2029c");          /* line, paragraph separator */
	CHECK_TEXT("\xe2\x80\x8b\xe2\x80\x8c\xe2\x80\x8d\xe2\x81\xa0",
		   "\\u200b\\u200c\\u200d\\u2060");           /* zero width */
	CHECK_TEXT("\xef\xbb\xbf" "x\xc2\xad", "\\ufeffx\\u00ad"); /* BOM, SHY */
	CHECK_TEXT("\xe3\x85\xa4\xef\xbe\xa0\xe1\x85\x9f",
		   "\\u3164\\uffa0\\u115f");                    /* fillers */
	CHECK_TEXT("\xef\xb8\x8f\xef\xbf\xb9\xef\xbf\xbe\xef\xbf\xbf",
		   "\\ufe0f\\ufff9\\ufffe\\uffff");
	/* Above the BMP: tags, and a plane's last two noncharacters. */
	CHECK_TEXT("\xf3\xa0\x81\x81\xf3\xa0\x80\x81",
		   "\\U000e0041\\U000e0001");
	CHECK_TEXT("\xf0\x9f\xbf\xbe\xf4\x8f\xbf\xbf",
		   "\\U0001fffe\\U0010ffff");
	/* Their neighbours are ordinary characters and stay. */
	CHECK_TEXT("\xe2\x80\x90\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\x9f",
		   "\xe2\x80\x90\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\x9f");
	CHECK_TEXT("\xef\xbf\xbd\xef\xbf\xbc\xf0\x9f\x98\x80",
		   "\xef\xbf\xbd\xef\xbf\xbc\xf0\x9f\x98\x80");
	CHECK_TEXT("\xd8\xa7\xd9\x84\xd8\xb9", "\xd8\xa7\xd9\x84\xd8\xb9"); /* Arabic */
}

#define CHECK_HTML(in, expected)                                            \
	CHECK_RENDER(exs_html_escape(&b_, in, sizeof(in) - 1), in,          \
		     sizeof(in) - 1, expected)

/* HTML: markup characters become references, and everything the
 * terminal form escapes stays escaped (no raw invalid byte, control or
 * disguising character reaches the page). */
static void test_html_escape(void)
{
	CHECK_HTML("", "");
	CHECK_HTML("logon.aspx", "logon.aspx");
	CHECK_HTML("<img src=x onerror=alert(1)>.aspx",
		   "&lt;img src=x onerror=alert(1)&gt;.aspx");
	CHECK_HTML("</script><script>", "&lt;/script&gt;&lt;script&gt;");
	CHECK_HTML("a&b \"q\" 'r'", "a&amp;b &quot;q&quot; &#39;r&#39;");
	CHECK_HTML("&lt;", "&amp;lt;");
	CHECK_HTML("\xff<", "\\xff&lt;");
	CHECK_HTML("a\nb\x00", "a\\nb\\x00");
	CHECK_HTML("inv\xe2\x80\xaegpj.aspx", "inv\\u202egpj.aspx");
	CHECK_HTML("caf\xc3\xa9", "caf\xc3\xa9");
}

int main(void)
{
	RUN(test_utf8_valid_sequences);
	RUN(test_utf8_overlong);
	RUN(test_utf8_surrogates_and_range);
	RUN(test_utf8_truncated_and_continuation);
	RUN(test_json_specials);
	RUN(test_json_control_chars);
	RUN(test_json_utf8_kept);
	RUN(test_json_invalid_replaced);
	RUN(test_json_full_buffer);
	RUN(test_base64_rfc4648);
	RUN(test_base64_all_bytes);
	RUN(test_base64_decode_rejects);
	RUN(test_text_escape);
	RUN(test_text_escape_c1_controls);
	RUN(test_text_escape_invisible);
	RUN(test_html_escape);
	return TEST_EXIT();
}
