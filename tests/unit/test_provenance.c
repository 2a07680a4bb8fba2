/* test_provenance.c -- the rules of scanner/provenance.c on findings made
 * by hand: the reference (strict reading, build, lookups in both cases),
 * the build-copy rule (only on a build change, only between folders), the
 * signature plug point, what is never vouched for, the shipped pages.
 */
#include <stdlib.h>

#include "provenance.h"
#include "test.h"

#define NEW_BUILD "15.2.1258.12"

static const struct exs_strlist *list_of(const char *a, const char *b)
{
	static struct exs_strlist l[4];
	static int next;
	struct exs_strlist *out = &l[next++ % 4];
	exs_strlist_free(out);
	exs_strlist_add_str(out, a);
	if (b)
		exs_strlist_add_str(out, b);
	return out;
}

static void fill_sha(unsigned char sha[32], int seed)
{
	for (int i = 0; i < 32; i++)
		sha[i] = (unsigned char)(seed * 31 + i);
}

static void hex(const unsigned char sha[32], char out[65])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[sha[i] >> 4];
		out[2 * i + 1] = digits[sha[i] & 15];
	}
	out[64] = '\0';
}

static struct exs_finding finding(enum exs_finding_kind kind, const char *path,
				  uint64_t size, int seed)
{
	struct exs_finding f;
	memset(&f, 0, sizeof(f));
	f.kind = kind;
	f.path = (char *)path;
	f.path_len = strlen(path);
	f.has_new = kind != EXS_FINDING_REMOVED;
	f.new_rec.st.size = size;
	fill_sha(f.new_rec.sha256, seed);
	return f;
}

static struct exs_prov *open_posix(exs_signed_fn fn)
{
	struct exs_prov_config cfg = {
		.sep = '/',
		.walk_roots = list_of("/srv/V15", NULL),
		.web_roots = list_of("/srv/V15/ClientAccess", NULL),
		.signed_fn = fn,
	};
	struct exs_prov *p = NULL;
	struct exs_error err;
	exs_error_clear(&err);
	if (exs_prov_open(&p, &cfg, &err))
		return NULL;
	return p;
}

static int load(struct exs_prov *p, const char *text, struct exs_error *err)
{
	exs_error_clear(err);
	return exs_prov_load_reference(p, "ref.tsv", text, strlen(text), err);
}

static const char *reference_text(void)
{
	static char text[2048];
	unsigned char sha[32];
	char h1[65], h2[65], h3[65];
	fill_sha(sha, 1);
	hex(sha, h1);
	fill_sha(sha, 2);
	hex(sha, h2);
	fill_sha(sha, 3);
	hex(sha, h3);
	snprintf(text, sizeof(text),
		 "#exsweep-manifest/1\thost=clean\tgeneration=1\tcreated=x"
		 "\texchange_build=" NEW_BUILD "\tseal=-\n"
		 "#root\tV15:\t%%2Fsrv%%2FV15\n"
		 "V15:/ClientAccess/Owa/auth/logon.aspx\t100\t%s\n"
		 "V15:/ClientAccess/ecp/page.aspx\t200\t%s\n"
		 "V15:/Bin/Microsoft.Exchange.Net.dll\t300\t%s\n"
		 "V15:/ClientAccess/Owa/auth/kept.css\t5\t%s\n",
		 h1, h2, h3, h1);
	return text;
}

static void test_reference_vouches_for_identical_files_only(void)
{
	struct exs_prov *p = open_posix(NULL);
	ASSERT_TRUE(p != NULL);
	struct exs_error err;
	ASSERT_EQ(load(p, reference_text(), &err), EXS_OK);
	ASSERT_STR_EQ(exs_prov_reference_build(p), NEW_BUILD);
	ASSERT_EQ(exs_prov_reference_count(p), 4);
	struct exs_build none = { 0, { 0, 0, 0, 0 } };
	exs_prov_seal_walk(p, &none, &none);
	struct exs_finding f = finding(EXS_FINDING_CHANGED,
		"/srv/V15/ClientAccess/Owa/auth/logon.aspx", 100, 1);
	ASSERT_EQ(exs_prov_decide(p, &f), EXS_OK);
	ASSERT_EQ(f.prov.vouch, EXS_VOUCH_YES);
	ASSERT_EQ(f.prov.why, EXS_WHY_REFERENCE);
	ASSERT_EQ(f.prov.shipped, 1);
	/* No build is known on either side: no build change, emphasis. */
	ASSERT_EQ(f.prov.emphasis, 1);
	/* Same bytes, another size on record: differs. */
	f = finding(EXS_FINDING_CHANGED, "/srv/V15/ClientAccess/ecp/page.aspx", 201, 2);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_DIFFERS);
	ASSERT_EQ(f.prov.vouch, EXS_VOUCH_NO);
	f = finding(EXS_FINDING_CHANGED, "/srv/V15/ClientAccess/ecp/page.aspx", 200, 9);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_DIFFERS);
	ASSERT_EQ(f.prov.shipped, 0);
	f = finding(EXS_FINDING_ADDED, "/srv/V15/ClientAccess/ecp/new.aspx", 200, 2);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_NOT_IN_REFERENCE);
	/* Case matters on POSIX. */
	f = finding(EXS_FINDING_CHANGED, "/srv/V15/ClientAccess/ECP/page.aspx", 200, 2);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_NOT_IN_REFERENCE);
	/* A PE image identical to the reference is left to its signature. */
	f = finding(EXS_FINDING_CHANGED, "/srv/V15/Bin/Microsoft.Exchange.Net.dll", 300, 3);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_SIGNATURE_UNKNOWN);
	/* Removed: vouched when the clean server lacks it too. */
	f = finding(EXS_FINDING_REMOVED, "/srv/V15/ClientAccess/Owa/auth/kept.css", 5, 1);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_KEPT_IN_REFERENCE);
	f = finding(EXS_FINDING_REMOVED, "/srv/V15/ClientAccess/Owa/auth/gone.css", 5, 1);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_GONE_IN_REFERENCE);
	ASSERT_EQ(f.prov.vouch, EXS_VOUCH_YES);
	/* Outside every walk root: no key, not in the reference. */
	f = finding(EXS_FINDING_ADDED, "/elsewhere/page.aspx", 200, 2);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_NOT_IN_REFERENCE);
	/* Turned off (another build): nothing vouched by it. */
	exs_prov_use_reference(p, 0);
	f = finding(EXS_FINDING_CHANGED, "/srv/V15/ClientAccess/Owa/auth/logon.aspx", 100, 1);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_NO_REFERENCE);
	/* Webshell findings are not judged. */
	f = finding(EXS_FINDING_WEBSHELL, "/srv/V15/ClientAccess/ecp/page.aspx", 200, 2);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.vouch, EXS_VOUCH_NONE);
	exs_prov_free(p);
}

static void test_bad_references_are_refused_with_the_line(void)
{
	struct exs_prov *p = open_posix(NULL);
	ASSERT_TRUE(p != NULL);
	struct exs_error err;
	ASSERT_EQ(load(p, "#exsweep-manifest/10\n", &err), EXS_USAGE);
	ASSERT_STR_EQ(err.where, "ref.tsv:1");
	ASSERT_EQ(load(p, "", &err), EXS_USAGE);
	ASSERT_EQ(load(p, "#exsweep-manifest/1\n# c\n\nV15:/a\t1\tzz\n", &err),
		  EXS_USAGE);
	ASSERT_STR_EQ(err.where, "ref.tsv:4");
	ASSERT_EQ(load(p, "#exsweep-manifest/1\nV15:/../a\t1\t"
		       "0000000000000000000000000000000000000000000000000000000000000000\n",
		       &err), EXS_USAGE);
	ASSERT_STR_EQ(err.where, "ref.tsv:2");
	/* A path listed twice: the second line is named. */
	ASSERT_EQ(load(p, "#exsweep-manifest/1\n"
		       "V15:/a\t1\t0000000000000000000000000000000000000000000000000000000000000000\n"
		       "V15:/b\t1\t0000000000000000000000000000000000000000000000000000000000000000\n"
		       "V15:/a\t2\t0000000000000000000000000000000000000000000000000000000000000000\n",
		       &err), EXS_USAGE);
	ASSERT_STR_EQ(err.where, "ref.tsv:4");
	/* A header without a build, CRLF lines. */
	ASSERT_EQ(load(p, "#exsweep-manifest/1\texchange_build=-\r\n"
		       "V15:/a\t1\t0000000000000000000000000000000000000000000000000000000000000000\r\n",
		       &err), EXS_OK);
	ASSERT_STR_EQ(exs_prov_reference_build(p), "");
	ASSERT_EQ(exs_prov_reference_count(p), 1);
	exs_prov_free(p);
}

static void test_copies_in_the_new_build_vouch_on_a_build_change(void)
{
	static const char *const a = "/srv/V15/ClientAccess/Owa/prem/" NEW_BUILD "/scripts/x.js";
	static const char *const b = "/srv/V15/ClientAccess/ecp/" NEW_BUILD "/scripts/x.js";
	static const char *const old = "/srv/V15/ClientAccess/Owa/prem/15.2.1118.7/scripts/y.js";
	static const char *const y = "/srv/V15/ClientAccess/Owa/prem/" NEW_BUILD "/scripts/y.js";
	struct exs_build now, base;
	exs_build_parse(NEW_BUILD, strlen(NEW_BUILD), &now);
	exs_build_parse("15.2.1118.7", 11, &base);
	for (int changed = 0; changed < 2; changed++) {
		struct exs_prov *p = open_posix(NULL);
		ASSERT_TRUE(p != NULL);
		unsigned char sha[32];
		fill_sha(sha, 7);
		ASSERT_EQ(exs_prov_see(p, a, strlen(a), sha), EXS_OK);
		ASSERT_EQ(exs_prov_see(p, b, strlen(b), sha), EXS_OK);
		ASSERT_EQ(exs_prov_see(p, old, strlen(old), sha), EXS_OK);
		ASSERT_EQ(exs_prov_see(p, y, strlen(y), sha), EXS_OK);
		exs_prov_seal_walk(p, &now, changed ? &base : &now);
		struct exs_finding f = finding(EXS_FINDING_ADDED, a, 10, 7);
		exs_prov_decide(p, &f);
		ASSERT_EQ(f.prov.why, changed ? EXS_WHY_BUILD_COPY : EXS_WHY_NO_REFERENCE);
		/* Other bytes than the copy: no. */
		f = finding(EXS_FINDING_ADDED, b, 10, 8);
		exs_prov_decide(p, &f);
		ASSERT_EQ(f.prov.why, EXS_WHY_NO_REFERENCE);
		/* The same name under the old build is no copy in the new. */
		f = finding(EXS_FINDING_ADDED, y, 10, 7);
		exs_prov_decide(p, &f);
		ASSERT_EQ(f.prov.why, EXS_WHY_NO_REFERENCE);
		exs_prov_free(p);
	}
}

static int signer_calls;

static int fake_signature(void *ctx, const struct exs_finding *f, char *signer,
			  size_t cap)
{
	(void)ctx;
	signer_calls++;
	if (strstr(f->path, "good")) {
		snprintf(signer, cap, "Microsoft Corporation");
		return 1;
	}
	snprintf(signer, cap, "left behind");
	return strstr(f->path, "other") ? 0 : -1;
}

static void test_the_signature_check_plugs_in(void)
{
	struct exs_prov *p = open_posix(fake_signature);
	ASSERT_TRUE(p != NULL);
	struct exs_build none = { 0, { 0, 0, 0, 0 } };
	exs_prov_seal_walk(p, &none, &none);
	struct exs_finding f = finding(EXS_FINDING_CHANGED, "/srv/V15/Bin/good.DLL", 1, 1);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_SIGNED);
	ASSERT_STR_EQ(f.prov.signer, "Microsoft Corporation");
	f = finding(EXS_FINDING_ADDED, "/srv/V15/Bin/other.exe", 1, 1);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_NOT_SIGNED);
	ASSERT_STR_EQ(f.prov.signer, "");
	f = finding(EXS_FINDING_ADDED, "/srv/V15/Bin/unknown.sys", 1, 1);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_SIGNATURE_UNKNOWN);
	/* Not an image: never asked. */
	int before = signer_calls;
	f = finding(EXS_FINDING_ADDED, "/srv/V15/Bin/good.dll.config", 1, 1);
	exs_prov_decide(p, &f);
	ASSERT_EQ(signer_calls, before);
	ASSERT_EQ(exs_prov_is_image("x.Dll", 5), 1);
	ASSERT_EQ(exs_prov_is_image("dll", 3), 0);
	ASSERT_EQ(exs_prov_is_image("a.dll/x", 7), 0);
	exs_prov_free(p);
}

static void test_never_vouched_for(void)
{
	struct exs_prov *p = open_posix(NULL);
	ASSERT_TRUE(p != NULL);
	struct exs_error err;
	/* Even with the reference vouching for the bytes. */
	char text[1024];
	unsigned char sha[32];
	char h[65];
	fill_sha(sha, 4);
	hex(sha, h);
	snprintf(text, sizeof(text), "#exsweep-manifest/1\n"
		 "V15:/ClientAccess/Owa/auth/x.log\t1\t%s\n"
		 "V15:/ClientAccess/Owa/auth/new.aspx\t1\t%s\n"
		 "V15:/Bin/notes.TXT\t1\t%s\n", h, h, h);
	ASSERT_EQ(load(p, text, &err), EXS_OK);
	struct exs_build none = { 0, { 0, 0, 0, 0 } };
	exs_prov_seal_walk(p, &none, &none);
	struct exs_finding f = finding(EXS_FINDING_CHANGED,
		"/srv/V15/ClientAccess/Owa/auth/x.log", 1, 4);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_TEXT_IN_WEB);
	f = finding(EXS_FINDING_ADDED, "/srv/V15/ClientAccess/Owa/auth/new.aspx", 1, 4);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_NEW_IN_AUTH);
	/* Changed, not new, in auth: the reference decides. */
	f = finding(EXS_FINDING_CHANGED, "/srv/V15/ClientAccess/Owa/auth/new.aspx", 1, 4);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_REFERENCE);
	/* Below an auth folder, not in it. */
	f = finding(EXS_FINDING_ADDED, "/srv/V15/ClientAccess/Owa/auth/" NEW_BUILD "/a.css", 1, 4);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_NOT_IN_REFERENCE);
	/* A .txt outside the web roots is judged like any file. */
	f = finding(EXS_FINDING_CHANGED, "/srv/V15/Bin/notes.TXT", 1, 4);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_REFERENCE);
	exs_prov_free(p);
}

static void test_shipped_pages(void)
{
	struct exs_prov *p = open_posix(NULL);
	ASSERT_TRUE(p != NULL);
	struct exs_build now, base;
	exs_build_parse(NEW_BUILD, strlen(NEW_BUILD), &now);
	exs_build_parse("15.2.1118.7", 11, &base);
	static const struct { const char *path; int shipped; } cases[] = {
		{ "/srv/V15/FrontEnd/HttpProxy/owa/auth/logon.aspx", 1 },
		{ "/srv/V15/FrontEnd/HttpProxy/owa/auth/LOGON.ASPX", 1 },
		{ "/srv/V15/ClientAccess/Owa/auth/errorFE.aspx", 1 },
		{ "/srv/V15/FrontEnd/HttpProxy/owa/auth/" NEW_BUILD "/scripts/premium/flogon.js", 1 },
		{ "/srv/V15/FrontEnd/HttpProxy/ecp/auth/TimeoutLogout.aspx", 1 },
		{ "/srv/V15/FrontEnd/HttpProxy/owa/logon.aspx", 0 },
		{ "/srv/V15/FrontEnd/HttpProxy/owa/auth/logon.aspx.bak", 0 },
		{ "/srv/V15/FrontEnd/HttpProxy/owa/auth/" NEW_BUILD "/logon.aspx", 0 },
		{ "logon.aspx", 0 },
	};
	for (int changed = 0; changed < 2; changed++) {
		exs_prov_seal_walk(p, &now, changed ? &base : &now);
		for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
			struct exs_finding f = finding(EXS_FINDING_CHANGED,
						       cases[i].path, 1, 1);
			exs_prov_decide(p, &f);
			if (f.prov.shipped != cases[i].shipped)
				TEST_FAIL_("%s: shipped %d", cases[i].path,
					   f.prov.shipped);
			ASSERT_EQ(f.prov.emphasis, cases[i].shipped && !changed);
		}
	}
	exs_prov_free(p);
}

static void test_windows_spelling(void)
{
	struct exs_prov_config cfg = {
		.sep = '\\',
		.case_insensitive = 1,
		.walk_roots = list_of("C:\\Program Files\\Microsoft\\Exchange Server\\V15", NULL),
		.web_roots = list_of("C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess", NULL),
	};
	struct exs_prov *p = NULL;
	struct exs_error err;
	exs_error_clear(&err);
	ASSERT_EQ(exs_prov_open(&p, &cfg, &err), EXS_OK);
	ASSERT_EQ(load(p, reference_text(), &err), EXS_OK);
	struct exs_build none = { 0, { 0, 0, 0, 0 } };
	exs_prov_seal_walk(p, &none, &none);
	struct exs_finding f = finding(EXS_FINDING_CHANGED,
		"C:\\Program Files\\Microsoft\\Exchange Server\\V15\\clientaccess\\OWA\\Auth\\Logon.aspx",
		100, 1);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_REFERENCE);
	ASSERT_EQ(f.prov.shipped, 1);
	f = finding(EXS_FINDING_ADDED,
		"C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\x.Log", 1, 1);
	exs_prov_decide(p, &f);
	ASSERT_EQ(f.prov.why, EXS_WHY_TEXT_IN_WEB);
	exs_prov_free(p);
}

static void test_names(void)
{
	for (unsigned i = 0; i < EXS_WHY_COUNT; i++) {
		ASSERT_TRUE(exs_prov_why_name(i)[0] != '\0');
		ASSERT_TRUE(strcmp(exs_prov_why_text(i), "unknown") != 0);
	}
	ASSERT_STR_EQ(exs_prov_why_name(EXS_WHY_COUNT), "unknown");
	ASSERT_EQ(exs_prov_why_vouches(EXS_WHY_REFERENCE), 1);
	ASSERT_EQ(exs_prov_why_vouches(EXS_WHY_DIFFERS), 0);
	ASSERT_EQ(exs_prov_why_vouches(255), 0);
}

int main(void)
{
	RUN(test_reference_vouches_for_identical_files_only);
	RUN(test_bad_references_are_refused_with_the_line);
	RUN(test_copies_in_the_new_build_vouch_on_a_build_change);
	RUN(test_the_signature_check_plugs_in);
	RUN(test_never_vouched_for);
	RUN(test_shipped_pages);
	RUN(test_windows_spelling);
	RUN(test_names);
	return TEST_EXIT();
}
