/* test_code.c -- detect/code: decoding, extraction, the tokenisers, the
 * normaliser and the verdicts of the flow analysis on small inputs. */
#include "test.h"

#include <stdlib.h>

#include "code.h"
#include "internal.h"

/* Lexes and normalises text in lang; renders the tokens as
 * "IDENT 'str' 12 op ;" into out. */
static void norm(const char *text, enum code_lang lang, char *out, size_t cap)
{
	struct code_unit u = { 0 };
	code_lex(&u, (const unsigned char *)text, 0, strlen(text), lang, 1, UINT32_MAX, 0);
	code_normalise(&u);
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < u.count && k + 8 < cap; i++) {
		const struct code_tok *t = &u.tok[i];
		const char *v = u.arena + t->val;
		int n;
		if (t->type == T_STR)
			n = snprintf(out + k, cap - k, "'%s' ", v);
		else if (t->type == T_NUM)
			n = snprintf(out + k, cap - k, "%llu ", (unsigned long long)t->num);
		else if (t->type == T_EOS)
			n = snprintf(out + k, cap - k, "; ");
		else
			n = snprintf(out + k, cap - k, "%s ", v);
		if (n < 0 || (size_t)n >= cap - k)
			break;
		k += (size_t)n;
	}
	if (k)
		out[k - 1] = '\0';
	code_unit_free(&u);
}

static void test_lex_c_family(void)
{
	char out[512];
	norm("a = \"x\\u0041\\x42\\n\" /* c */ + b; // d\n", LANG_C, out, sizeof(out));
	ASSERT_STR_EQ(out, "a = 'xAB\n' + b ;");
	norm("\\u0065val(x)", LANG_JS, out, sizeof(out));
	ASSERT_STR_EQ(out, "eval ( x ) ;");
	norm("s = @\"C:\\a\"\"b\"; r = /a\"b/g;", LANG_C, out, sizeof(out));
	ASSERT_STR_EQ(out, "s = 'C:\\a\"b' ; r = '/a\"b/g' ;");
	norm("x = 0x41 + 'unterminated", LANG_JS, out, sizeof(out));
	ASSERT_STR_EQ(out, "x = 65 + 'unterminated' ;");
}

static void test_lex_vb_family(void)
{
	char out[512];
	norm("Dim s : s = \"a\"\"b\" ' note\nREM more\nIf x Then y = &H41", LANG_VB, out, sizeof(out));
	ASSERT_STR_EQ(out, "Dim s ; s = 'a\"b' ; If x Then ; y = 65 ;");
	norm("x = a & _\n  b\r\ny = 1", LANG_VB, out, sizeof(out));
	ASSERT_STR_EQ(out, "x = a & b ; y = 1 ;");
}

static void test_fold(void)
{
	char out[512];
	norm("x = \"ev\" + \"al\";", LANG_JS, out, sizeof(out));
	ASSERT_STR_EQ(out, "x = 'eval' ;");
	norm("x = Chr(69) & ChrW(&H78) & Chr(100 + 1) & \"c\"", LANG_VB, out, sizeof(out));
	ASSERT_STR_EQ(out, "x = 'Exec' ;");
	norm("x = String.fromCharCode(101, 118, 97, 108);", LANG_JS, out, sizeof(out));
	ASSERT_STR_EQ(out, "x = 'eval' ;");
	norm("x = (char)101 + \"v\";", LANG_C, out, sizeof(out));
	ASSERT_STR_EQ(out, "x = 'ev' ;");
	norm("x = StrReverse(\"llehS.tpircSW\")", LANG_VB, out, sizeof(out));
	ASSERT_STR_EQ(out, "x = 'WScript.Shell' ;");
	norm("x = unescape(\"%65%76%u0061l\");", LANG_JS, out, sizeof(out));
	ASSERT_STR_EQ(out, "x = 'eval' ;");
	norm("x = \"lave\".split(\"\").reverse().join(\"\");", LANG_JS, out, sizeof(out));
	ASSERT_STR_EQ(out, "x = 'eval' ;");
	norm("x = [\"ev\", \"al\"].join(\"\");", LANG_JS, out, sizeof(out));
	ASSERT_STR_EQ(out, "x = 'eval' ;");
	norm("x = Replace(\"eXvXal\", \"X\", \"\")", LANG_VB, out, sizeof(out));
	ASSERT_STR_EQ(out, "x = 'eval' ;");
	norm("x = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(\"ZXZhbA==\"));",
	     LANG_C, out, sizeof(out));
	ASSERT_STR_EQ(out, "x = 'eval' ;");
	norm("this[\"ev\" + \"al\"](y);", LANG_JS, out, sizeof(out));
	ASSERT_STR_EQ(out, "this . eval ( y ) ;");
	norm("x = new string(\"lave\".Reverse().ToArray());", LANG_C, out, sizeof(out));
	ASSERT_STR_EQ(out, "x = 'eval' ;");
}

static void test_relex(void)
{
	char out[512];
	/* code in an evaluated literal is lexed again, inside eval( ) */
	norm("Execute(\"Execute Request(\"\"a\"\")\")", LANG_VB, out, sizeof(out));
	ASSERT_TRUE(strstr(out, "; eval ( Execute Request ( 'a' ) ) ;") != NULL);
	/* base64 that decodes to code is appended */
	norm("x = Dec(\"RXhlY3V0ZSBSZXF1ZXN0KCJiIik=\")", LANG_VB, out, sizeof(out));
	ASSERT_TRUE(strstr(out, "Execute Request ( 'b' )") != NULL);
}

static const char *first_rule(const char *text, const char *name)
{
	static struct exs_code_result r;
	exs_code_analyse((const unsigned char *)text, strlen(text), name, strlen(name), &r);
	return r.count ? r.findings[0].rule : "";
}

static void test_extract_and_flow(void)
{
	ASSERT_STR_EQ(first_rule("<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"a\"],\"unsafe\");%>",
				 "x.aspx"), "code.request_to_eval");
	ASSERT_STR_EQ(first_rule("<SCRIPT runat='Server' LANGUAGE=\"JScript\">eval(Request.Form(\"a\"))</SCRIPT>",
				 "x.aspx"), "code.request_to_eval");
	/* client-side script and data binding are not server code */
	ASSERT_STR_EQ(first_rule("<script>eval(Request.Form)</script>", "x.aspx"), "");
	ASSERT_STR_EQ(first_rule("<%# Eval(\"Name\") %>", "x.aspx"), "");
	ASSERT_STR_EQ(first_rule("eval(Request.Item['a'])", "x.js"), "");
	/* a handler is code after its directive */
	ASSERT_STR_EQ(first_rule("<%@ WebHandler Language=\"C#\" Class=\"H\" %>\nclass H { void P(HttpContext c) {"
				 " System.Diagnostics.Process.Start(c.Request[\"x\"]); } }", "h.ashx"),
		      "code.request_to_process");
	/* constants only */
	ASSERT_STR_EQ(first_rule("<% System.Diagnostics.Process.Start(\"ipconfig\"); %>", "x.aspx"), "");
	/* server code after an image header, in a .txt */
	ASSERT_STR_EQ(first_rule("GIF89a\x01\x02<% Execute Request(\"a\") %>", "x.txt"),
		      "code.request_to_eval");
}

static void test_utf16(void)
{
	const char *page = "<% Execute Request(\"z\") %>";
	size_t n = strlen(page);
	unsigned char le[128], be[128];
	le[0] = 0xFF, le[1] = 0xFE;
	for (size_t i = 0; i < n; i++) {
		le[2 + 2 * i] = (unsigned char)page[i], le[3 + 2 * i] = 0;
		be[2 * i] = 0, be[2 * i + 1] = (unsigned char)page[i];
	}
	struct exs_code_result r;
	exs_code_analyse(le, 2 + 2 * n, "a.asp", 5, &r);
	ASSERT_EQ(r.count, 1);
	ASSERT_STR_EQ(r.findings[0].rule, "code.request_to_eval");
	ASSERT_EQ(r.findings[0].sink_offset, 2 + 2 * 3); /* "Execute" in the original bytes */
	exs_code_analyse(be, 2 * n, "a.asp", 5, &r);
	ASSERT_EQ(r.count, 1);
}

static void test_explanation(void)
{
	struct exs_code_result r;
	const char *page = "<%@ Page Language=\"C#\" %>\n<script runat=\"server\">\nvoid Page_Load() {\n"
			   "  string c = Request.Headers[\"X-Img\"];\n"
			   "  var p = new System.Diagnostics.ProcessStartInfo();\n"
			   "  p.FileName = c;\n}\n</script>\n";
	exs_code_analyse((const unsigned char *)page, strlen(page), "a.aspx", 6, &r);
	ASSERT_EQ(r.count, 1);
	ASSERT_STR_EQ(r.findings[0].explanation,
		      "Request.Headers[\"X-Img\"] (line 4) -> c (line 4) -> ProcessStartInfo.FileName (line 6)");
	ASSERT_EQ(r.findings[0].source_line, 4);
	ASSERT_EQ(r.findings[0].sink_line, 6);
}

int main(void)
{
	RUN(test_lex_c_family);
	RUN(test_lex_vb_family);
	RUN(test_fold);
	RUN(test_relex);
	RUN(test_extract_and_flow);
	RUN(test_utf16);
	RUN(test_explanation);
	return TEST_EXIT();
}
