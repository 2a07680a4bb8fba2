/* test_gate.c -- detect/gate.c: each marker in each encoding, the near
 * misses beside them, the text/binary boundary and the PE check. */
#include "test.h"

#include <stdlib.h>

#include "gate.h"

static unsigned scan(const void *p, size_t n)
{
	/* An exact-size copy, so that the sanitizer build sees any overread. */
	unsigned char *c = malloc(n ? n : 1);
	if (!c)
		abort();
	if (n)
		memcpy(c, p, n);
	unsigned g = exs_gate_scan(c, n);
	/* The SIMD filter finds what the plain search finds, no more. */
	unsigned plain = exs_gate_scan_scalar(c, n);
	if (g != plain) {
		fprintf(stderr, "the SIMD filter says %#x, the plain search "
			"%#x\n", g, plain);
		abort();
	}
	free(c);
	return g;
}

#define SCRIPT(lit) (scan(lit, sizeof(lit) - 1) & EXS_GATE_SCRIPT)

/* s encoded as UTF-16 or UTF-32 (ASCII only), little- or big-endian. */
static size_t widen(const char *s, unsigned width, int be, unsigned char *out)
{
	size_t k = 0;
	for (; *s; s++)
		for (unsigned i = 0; i < width; i++)
			out[k++] = (unsigned char)((be ? i == width - 1 : i == 0) ? *s : 0);
	return k;
}

static void test_markers_single_byte(void)
{
	ASSERT_TRUE(SCRIPT("<%@ Page Language=\"C#\" %>"));
	ASSERT_TRUE(SCRIPT("<html><% Response.Write(1) %></html>"));
	ASSERT_TRUE(SCRIPT("<script RunAt=\"server\">x</script>"));
	ASSERT_TRUE(SCRIPT("using SYSTEM.WEB;"));
	ASSERT_TRUE(SCRIPT("<remove fileExtension=\".CONFIG\" />"));
	ASSERT_TRUE(SCRIPT("+ADw-%eval request(1)%+AD4-"));
	ASSERT_TRUE(SCRIPT("<%")); /* a text file: <% alone */
	ASSERT_TRUE(!(SCRIPT("if Request(\"k\")<>\"\" then ExecuteGlobal Request(\"k\")")));
	ASSERT_TRUE(!(SCRIPT("<html><body>% <b>runa t</b> System Web .config'</body>")));
	ASSERT_TRUE(!(SCRIPT("")));
	ASSERT_EQ(exs_gate_scan(NULL, 0), 0u);
}

static void test_markers_binary(void)
{
	/* A NUL in the first 4 KiB: <% needs a directive or 8 characters of
	 * text (ASCII or UTF-8) after it. */
	ASSERT_TRUE(SCRIPT("\x00<%@"));
	ASSERT_TRUE(SCRIPT("\x00<%eval req"));
	ASSERT_TRUE(!(SCRIPT("\x00<%eval re")));
	ASSERT_TRUE(!(SCRIPT("\x00<%\x01\x02\x03\x04\x05\x06\x07\x08\x09")));
	ASSERT_TRUE(SCRIPT("\x00<%\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87" "ab"
			   "\xc3\xa9\xf0\x9f\x98\x80" "c"));
	ASSERT_TRUE(!(SCRIPT("\x00<%\xe4\xb8\xad\xe6\x96\x87\xc3\x28" "abcdef"))); /* bad UTF-8 */
	ASSERT_TRUE(!(SCRIPT("\x00<%abcdef\xe4\xb8")));  /* cut sequence at the end */
	ASSERT_TRUE(SCRIPT("\x89PNG\r\n\x1a\n\x00\x00runat=server"));

	/* The text head is exactly EXS_GATE_TEXT_HEAD bytes. */
	size_t n = EXS_GATE_TEXT_HEAD + 8;
	unsigned char *b = malloc(n);
	ASSERT_TRUE(b != NULL);
	memset(b, 'A', n);
	memcpy(b + n - 3, "<%x", 3);
	b[EXS_GATE_TEXT_HEAD - 1] = 0;   /* inside the head: binary */
	ASSERT_TRUE(!(scan(b, n) & EXS_GATE_SCRIPT));
	b[EXS_GATE_TEXT_HEAD - 1] = 'A';
	b[EXS_GATE_TEXT_HEAD] = 0;       /* past the head: text */
	ASSERT_TRUE(scan(b, n) & EXS_GATE_SCRIPT);
	free(b);
}

static void test_markers_wide(void)
{
	static const char *const yes[] = {
		"<%@ Page %>", "<p runat=server>", "System.Web", "path=\"web.config\"",
		"<%=1%>",
	};
	unsigned char buf[256];
	for (unsigned w = 2; w <= 4; w += 2) {
		for (int be = 0; be <= 1; be++) {
			for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
				size_t n = widen(yes[i], w, be, buf);
				ASSERT_TRUE(scan(buf, n) & EXS_GATE_SCRIPT);
			}
			size_t n = widen("eval(Request.Item[\"x\"])", w, be, buf);
			ASSERT_TRUE(!(scan(buf, n) & EXS_GATE_SCRIPT));
		}
	}
	/* A word whose last character is the last byte (UTF-16BE, no
	 * trailing zero) and one cut short. */
	size_t n = widen("runat", 2, 1, buf);
	ASSERT_TRUE(scan(buf, n) & EXS_GATE_SCRIPT);
	ASSERT_TRUE(!(scan(buf, n - 1) & EXS_GATE_SCRIPT));
}

static void test_pe(void)
{
	unsigned char pe[0x48];
	memset(pe, 0, sizeof(pe));
	pe[0] = 'M';
	pe[1] = 'Z';
	pe[0x3C] = 0x40;
	memcpy(pe + 0x40, "PE\0\0", 4);
	ASSERT_TRUE(scan(pe, sizeof(pe)) & EXS_GATE_PE);
	ASSERT_TRUE(scan(pe, 0x44) & EXS_GATE_PE);
	ASSERT_TRUE(!(scan(pe, 0x43) & EXS_GATE_PE));   /* signature cut */
	pe[0x3F] = 0xFF;                              /* e_lfanew far away */
	ASSERT_TRUE(!(scan(pe, sizeof(pe)) & EXS_GATE_PE));
	pe[0x3F] = 0;
	pe[0x41] = 'X';
	ASSERT_TRUE(!(scan(pe, sizeof(pe)) & EXS_GATE_PE));
	ASSERT_TRUE(!(SCRIPT("MZ") || (scan("MZ", 2) & EXS_GATE_PE)));
}

static void test_server_extensions(void)
{
	ASSERT_TRUE(exs_gate_server_extension(".asp"));
	ASSERT_TRUE(exs_gate_server_extension(".ASPX"));
	ASSERT_TRUE(exs_gate_server_extension(".Inc"));
	ASSERT_TRUE(exs_gate_server_extension(".cs"));
	ASSERT_TRUE(!exs_gate_server_extension(".as"));
	ASSERT_TRUE(!exs_gate_server_extension(".aspxx"));
	ASSERT_TRUE(!exs_gate_server_extension("asp"));
	ASSERT_TRUE(!exs_gate_server_extension(".js"));
	ASSERT_TRUE(!exs_gate_server_extension(".png"));
	ASSERT_TRUE(!exs_gate_server_extension(""));
	ASSERT_TRUE(!exs_gate_server_extension(NULL));
}

/* The extensions of ExSweep_Server_Code's condition (server_code.yar, the
 * path given by meson) are exactly exs_gate_server_extensions, in order. */
static const char *rule_path;

static void test_rule_lists_the_same_extensions(void)
{
	FILE *f = fopen(rule_path, "rb");
	ASSERT_TRUE(f != NULL);
	if (!f)
		return;
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	const char *lead = "extension matches /^\\.(";
	char *p = strstr(text, lead);
	ASSERT_TRUE(p != NULL);
	if (!p)
		return;
	p += strlen(lead);
	char *end = strstr(p, ")$/i");
	ASSERT_TRUE(end != NULL);
	if (!end)
		return;
	*end = '\0';
	size_t i = 0;
	for (char *tok = strtok(p, "|"); tok; tok = strtok(NULL, "|"), i++) {
		ASSERT_TRUE(exs_gate_server_extensions[i] != NULL);
		if (!exs_gate_server_extensions[i])
			return;
		ASSERT_STR_EQ(tok, exs_gate_server_extensions[i]);
	}
	ASSERT_TRUE(exs_gate_server_extensions[i] == NULL);
}

int main(int argc, char **argv)
{
	RUN(test_markers_single_byte);
	RUN(test_markers_binary);
	RUN(test_markers_wide);
	RUN(test_pe);
	RUN(test_server_extensions);
	rule_path = argc > 1 ? argv[1] : "yara-rules/server_code.yar";
	RUN(test_rule_lists_the_same_extensions);
	return TEST_EXIT();
}
