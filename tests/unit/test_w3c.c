/* test_w3c.c -- the log line parser, the exploitation shapes and the IIS
 * site reader (logs/w3c.c, traces.c, iis_sites.c): field order from each
 * #Fields: header, '-' and '+', quoting, CSV, missing and broken headers,
 * times; each technique on its shape and not on its look-alike; sites,
 * virtual directories and log folders from applicationHost.config. */
#include <stdlib.h>

#include "iis_sites.h"
#include "test.h"
#include "traces.h"
#include "w3c.h"

static int slice_is(struct exs_slice s, const char *v)
{
	return s.n == strlen(v) && memcmp(s.p, v, s.n) == 0;
}

static int parse(struct exs_logparser *p, const char *line, struct exs_logreq *r)
{
	return exs_logparser_line(p, line, strlen(line), r);
}

static void test_fields_in_any_order(void)
{
	struct exs_logparser p;
	struct exs_logreq r;
	exs_logparser_init(&p);
	ASSERT_EQ(parse(&p, "#Fields: c-ip sc-status cs-uri-stem date time cs(User-Agent) cs-method", &r), 0);
	ASSERT_EQ(parse(&p, "10.1.2.3 200 /owa/ 2026-11-01 10:20:30 Mozilla/5.0+(X) GET\r", &r), 1);
	ASSERT_TRUE(slice_is(r.f[EXS_LR_CLIENT], "10.1.2.3"));
	ASSERT_TRUE(slice_is(r.f[EXS_LR_STATUS], "200"));
	ASSERT_TRUE(slice_is(r.f[EXS_LR_STEM], "/owa/"));
	ASSERT_TRUE(slice_is(r.f[EXS_LR_METHOD], "GET"));
	ASSERT_TRUE(slice_is(r.f[EXS_LR_AGENT], "Mozilla/5.0+(X)"));
	ASSERT_EQ(exs_logreq_time(&r), 1793528430LL * 1000000000LL);
	ASSERT_EQ(r.line, 2);
	ASSERT_EQ(r.w3c, 1);
	/* '-' is an absent value; a short line leaves the rest absent. */
	ASSERT_EQ(parse(&p, "- - /ecp/", &r), 1);
	ASSERT_EQ(r.f[EXS_LR_CLIENT].n, 0);
	ASSERT_EQ(r.f[EXS_LR_METHOD].n, 0);
	ASSERT_EQ(exs_logreq_time(&r), 0);
}

static void test_quoted_w3c_value(void)
{
	struct exs_logparser p;
	struct exs_logreq r;
	exs_logparser_init(&p);
	parse(&p, "#Fields: cs-uri-stem cs(User-Agent) c-ip", &r);
	/* A quote closes only where a space or the end follows it. */
	ASSERT_EQ(parse(&p, "/owa/ \"a \"b\"c d\" 10.0.0.1", &r), 1);
	ASSERT_TRUE(slice_is(r.f[EXS_LR_AGENT], "a \"b\"c d"));
	ASSERT_TRUE(slice_is(r.f[EXS_LR_CLIENT], "10.0.0.1"));
	/* A quote that never closes takes the rest of the line, no more. */
	ASSERT_EQ(parse(&p, "/owa/ \"open to the end", &r), 1);
	ASSERT_TRUE(slice_is(r.f[EXS_LR_AGENT], "open to the end"));
	ASSERT_EQ(r.f[EXS_LR_CLIENT].n, 0);
}

static void test_csv_header_and_quotes(void)
{
	struct exs_logparser p;
	struct exs_logreq r;
	exs_logparser_init(&p);
	parse(&p, "#Log-type: HttpProxy Logs", &r);
	ASSERT_STR_EQ(p.log_type, "HttpProxy Logs");
	parse(&p, "#Fields: DateTime,UrlStem,AnchorMailbox,ClientIpAddress,GenericInfo", &r);
	ASSERT_EQ(p.format, EXS_LOG_CSV);
	ASSERT_EQ(parse(&p, "2026-11-01T01:02:03.456Z,/ecp/y.js,\"a,\"\"b\"\"\",1.2.3.4,x", &r), 1);
	ASSERT_TRUE(slice_is(r.f[EXS_LR_STEM], "/ecp/y.js"));
	ASSERT_TRUE(slice_is(r.f[EXS_LR_ANCHOR], "a,\"\"b\"\""));
	ASSERT_TRUE(slice_is(r.f[EXS_LR_CLIENT], "1.2.3.4"));
	ASSERT_EQ(exs_logreq_time(&r), 1793494923LL * 1000000000LL);
	ASSERT_EQ(parse(&p, "2026-11-01T01:02:03Z,\"unterminated,1.2.3.4", &r), 1);
	ASSERT_TRUE(slice_is(r.f[EXS_LR_STEM], "unterminated,1.2.3.4"));
	ASSERT_EQ(r.f[EXS_LR_CLIENT].n, 0);
}

static void test_missing_and_broken_headers(void)
{
	struct exs_logparser p;
	struct exs_logreq r;
	exs_logparser_init(&p);
	/* No header: a line shaped like IIS's is read with its stock columns. */
	ASSERT_EQ(parse(&p, "2026-11-01 00:00:01 10.0.0.5 POST /ecp/y.js - 443 - 1.2.3.4 x - 200 0 0 5", &r), 1);
	ASSERT_EQ(p.assumed, 1);
	ASSERT_TRUE(slice_is(r.f[EXS_LR_CLIENT], "1.2.3.4"));
	ASSERT_TRUE(slice_is(r.f[EXS_LR_STEM], "/ecp/y.js"));
	/* An empty #Fields: leaves no columns: data is bad until the next. */
	parse(&p, "#Fields:", &r);
	ASSERT_EQ(parse(&p, "2026-11-01 00:00:02 a b c", &r), 0);
	ASSERT_TRUE(p.bad >= 1);
	/* A header of many names: the known ones count, at most 128 columns. */
	char big[8192] = "#Fields:";
	for (int i = 0; i < 600; i++)
		strcat(big, " x");
	strcat(big, " cs-uri-stem");
	parse(&p, big, &r);
	ASSERT_EQ(p.columns, EXS_LOG_MAX_COLUMNS);
	ASSERT_EQ(parse(&p, "1 2 3", &r), 0);
	/* A name given twice keeps its first column. */
	parse(&p, "#Fields: cs-uri-stem c-ip cs-uri-stem", &r);
	ASSERT_EQ(parse(&p, "/first 1.1.1.1 /second", &r), 1);
	ASSERT_TRUE(slice_is(r.f[EXS_LR_STEM], "/first"));
	/* NUL bytes are data. */
	const char nul[] = "/a\0b 9.9.9.9";
	ASSERT_EQ(exs_logparser_line(&p, nul, sizeof(nul) - 1, &r), 1);
	ASSERT_EQ(r.f[EXS_LR_STEM].n, 4);
}

static void test_times(void)
{
	int64_t t;
	ASSERT_EQ(exs_log_parse_since("2026-11-01", &t), 0);
	ASSERT_EQ(t, 1793491200LL * 1000000000LL);
	ASSERT_EQ(exs_log_parse_since("2026-11-01T10:00:00", &t), 0);
	ASSERT_EQ(exs_log_parse_since("2026-11-01T10:00:00Z", &t), 0);
	ASSERT_EQ(exs_log_parse_since("yesterday", &t), -1);
	ASSERT_EQ(exs_log_parse_since("2026-13-01", &t), -1);
	ASSERT_EQ(exs_log_parse_time("2026-11-0", 9, NULL, 0), 0);
	/* 64-bit nanoseconds end in 2262 and begin in 1677: years past
	 * either end are no time (they overflowed: fuzz_w3c). */
	ASSERT_EQ(exs_log_parse_time("2262-04-11", 10, "23:47:16", 8),
		  9223372036LL * 1000000000LL);
	ASSERT_EQ(exs_log_parse_time("2262-04-11", 10, "23:47:17", 8), 0);
	ASSERT_EQ(exs_log_parse_time("9999-12-31T23:59:59Z", 20, NULL, 0), 0);
	ASSERT_EQ(exs_log_parse_time("0000-01-01", 10, "00:00:00", 8), 0);
	ASSERT_EQ(exs_log_parse_since("6769-11-01", &t), -1);
}

/* The techniques a W3C line with these stem, query, user and cookie shows. */
static size_t shapes(const char *stem, const char *query, const char *user,
		     const char *cookie, const struct exs_technique **out)
{
	static struct exs_trace_scratch s;
	struct exs_logreq r;
	memset(&r, 0, sizeof(r));
	r.w3c = 1;
	r.f[EXS_LR_STEM] = (struct exs_slice){ stem, strlen(stem) };
	if (query)
		r.f[EXS_LR_QUERY] = (struct exs_slice){ query, strlen(query) };
	if (user)
		r.f[EXS_LR_USER] = (struct exs_slice){ user, strlen(user) };
	if (cookie)
		r.f[EXS_LR_COOKIE] = (struct exs_slice){ cookie, strlen(cookie) };
	return exs_traces_match(&r, &s, out);
}

static int shows(const char *stem, const char *query, const char *user,
		 const char *cookie, const char *technique)
{
	const struct exs_technique *t[EXS_TRACE_MATCH_MAX];
	size_t n = shapes(stem, query, user, cookie, t);
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i]->id, technique) == 0)
			return 1;
	return 0;
}

static size_t count(const char *stem, const char *query, const char *user,
		    const char *cookie)
{
	const struct exs_technique *t[EXS_TRACE_MATCH_MAX];
	return shapes(stem, query, user, cookie, t);
}

static void test_techniques(void)
{
	ASSERT_TRUE(shows("/ecp/y.js", NULL, NULL, NULL, "proxylogon.ecp_root_script"));
	ASSERT_TRUE(shows("/owa/auth/x.js", NULL, NULL,
			  "X-AnonResource=true;+X-AnonResource-Backend=localhost/ecp/default.flt?~3",
			  "proxylogon.backend_cookie_ssrf"));
	ASSERT_TRUE(shows("/ecp/DDI/DDIService.svc/SetObject",
			  "schema=ResetOABVirtualDirectory", "CONTOSO\\a", NULL,
			  "proxylogon.ecp_oab_vdir_write"));
	ASSERT_TRUE(shows("/autodiscover/autodiscover.json",
			  "@x.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@x.com",
			  NULL, NULL, "proxyshell.autodiscover_ssrf"));
	ASSERT_TRUE(shows("/autodiscover/autodiscover.json",
			  "@x.com/powershell/?X-Rps-CAT=Vg&Email=autodiscover/autodiscover.json%3F@x.com",
			  NULL, NULL, "proxyshell.autodiscover_powershell"));
	ASSERT_TRUE(shows("/autodiscover/autodiscover.json",
			  "@x.com/powershell/?X-Rps-CAT=Vg&Email=autodiscover/autodiscover.json%3F@x.com",
			  NULL, NULL, "proxyshell.rps_cat_token"));
	ASSERT_TRUE(shows("/autodiscover/autodiscover.json",
			  "@e.com/owa/&Email=autodiscover/autodiscover.json%3F@e.com&Protocol=XYZ&FooProtocol=Powershell",
			  "CONTOSO\\bob", NULL, "proxynotshell.autodiscover_powershell"));
	/* Encoded twice and in capitals: the same shape. */
	ASSERT_TRUE(shows("/AUTODISCOVER/AutoDiscover.json", "%2540e.com/PowerShell/", NULL,
			  NULL, "proxyshell.autodiscover_powershell"));
	ASSERT_TRUE(shows("/owa/mastermailbox%40outlook.com/powershell", NULL, "CONTOSO\\bob",
			  NULL, "owassrf.owa_powershell"));
	ASSERT_TRUE(shows("/powershell", "X-Rps-CAT=VgEAVAdXaW5k", NULL, NULL,
			  "proxyshell.rps_cat_token"));
}

static void test_look_alikes(void)
{
	ASSERT_EQ(count("/ecp/15.2.1118.7/scripts/microsoft.exchange.ecp.js", NULL, "a", NULL), 0);
	ASSERT_EQ(count("/ecp/", NULL, "a", "X-BEResource=EX02.contoso.local~1942062522"), 0);
	ASSERT_EQ(count("/ecp/DDI/DDIService.svc/GetList", "schema=OABVirtualDirectory", "a", NULL), 0);
	ASSERT_EQ(count("/autodiscover/autodiscover.json/v1.0/alice@contoso.com",
			"Protocol=ActiveSync&RedirectCount=1", NULL, NULL), 0);
	ASSERT_EQ(count("/autodiscover/autodiscover.json",
			"Email=alice%40contoso.com&Protocol=Rest", NULL, NULL), 0);
	ASSERT_EQ(count("/Autodiscover/Autodiscover.xml", NULL, "a", NULL), 0);
	ASSERT_EQ(count("/powershell",
			"serializationLevel=Full;ExchClientVer=15.2.1118.7;clientApplication=ManagementShell",
			"CONTOSO\\admin", NULL), 0);
	ASSERT_EQ(count("/powershell/healthcheck.htm", NULL, NULL, NULL), 0);
	ASSERT_EQ(count("/owa/alice@contoso.com/service.svc", "action=GetItem", "a", NULL), 0);
	ASSERT_EQ(count("/owa/auth/15.2/themes/resources/powershell.png", NULL, NULL, NULL), 0);
	ASSERT_EQ(count("/owa/healthcheck.htm", NULL, NULL, NULL), 0);
	ASSERT_EQ(count("/EWS/Exchange.asmx", NULL, "a", NULL), 0);
}

static void test_ecp_vdir_edit(void)
{
	static struct exs_trace_scratch s;
	const struct exs_technique *t[EXS_TRACE_MATCH_MAX];
	struct exs_logreq r;
	memset(&r, 0, sizeof(r));
	const char *bad = "S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/<script "
			  "language=\"\"JScript\"\" runat=\"\"server\"\">x</script>''";
	r.f[EXS_LR_INFO] = (struct exs_slice){ bad, strlen(bad) };
	ASSERT_EQ(exs_traces_match(&r, &s, t), 1);
	ASSERT_STR_EQ(t[0]->id, "ecp.vdir_url_script");
	const char *good = "S:CMD=Set-OabVirtualDirectory.ExternalUrl=''https://mail.contoso.com/OAB''";
	r.f[EXS_LR_INFO] = (struct exs_slice){ good, strlen(good) };
	ASSERT_EQ(exs_traces_match(&r, &s, t), 0);
	/* The word alone, in another cmdlet, is not the shape. */
	const char *other = "S:CMD=Get-Mailbox.Notes=''Set-OabVirtualDirectory <script> url''";
	r.f[EXS_LR_INFO] = (struct exs_slice){ other, strlen(other) };
	ASSERT_EQ(exs_traces_match(&r, &s, t), 0);
	memset(&r, 0, sizeof(r));
	r.f[EXS_LR_CMDLET] = (struct exs_slice){ "Set-OabVirtualDirectory", 23 };
	const char *par = "-InternalUrl 'http://x/<%eval(Request[\"a\"])%>'";
	r.f[EXS_LR_PARAMS] = (struct exs_slice){ par, strlen(par) };
	ASSERT_EQ(exs_traces_match(&r, &s, t), 1);
}

static void test_decode(void)
{
	char out[64];
	size_t n = exs_trace_decode("/OWA/A%2540B%2fC+D", 18, 1, out, sizeof(out));
	ASSERT_EQ(n, 12);
	ASSERT_MEM_EQ(out, "/owa/a@b/c d", 12);
	n = exs_trace_decode("%4", 2, 0, out, sizeof(out));
	ASSERT_EQ(n, 2);
	n = exs_trace_decode("abcdef", 6, 0, out, 3);
	ASSERT_EQ(n, 3);
}

static void test_iis_sites(void)
{
	const char *xml =
		"<?xml version=\"1.0\"?><configuration><!-- <site id=\"9\"> -->"
		"<system.applicationHost><sites>"
		"<site name=\"Default Web Site\" id=\"1\">"
		"<application path=\"/\"><virtualDirectory path=\"/\" physicalPath=\"%SystemDrive%\\inetpub\\wwwroot\" /></application>"
		"<application path=\"/owa\"><virtualDirectory path=\"/\" physicalPath=\"C:\\Ex\\FrontEnd\\HttpProxy\\owa\" />"
		"<virtualDirectory path=\"/extra\" physicalPath=\"D:\\x &amp; y\" /></application>"
		"<logFile directory=\"E:\\Logs\" /></site>"
		"<site name=\"Exchange Back End\" id=\"2\"/>"
		"<siteDefaults><logFile directory=\"%SystemDrive%\\inetpub\\logs\\LogFiles\" /></siteDefaults>"
		"</sites></system.applicationHost></configuration>";
	struct exs_iis_config c;
	ASSERT_EQ(exs_iis_parse(xml, strlen(xml), &c), 0);
	ASSERT_EQ(c.site_count, 2);
	ASSERT_EQ(c.sites[0].id, 1);
	ASSERT_STR_EQ(c.sites[0].name, "Default Web Site");
	ASSERT_STR_EQ(c.sites[0].log_dir, "E:\\Logs");
	ASSERT_STR_EQ(c.sites[1].log_dir, "");
	ASSERT_STR_EQ(c.default_log_dir, "%SystemDrive%\\inetpub\\logs\\LogFiles");
	ASSERT_EQ(c.vdir_count, 3);
	ASSERT_STR_EQ(c.vdirs[0].url, "/");
	ASSERT_STR_EQ(c.vdirs[1].url, "/owa");
	ASSERT_STR_EQ(c.vdirs[2].url, "/owa/extra");
	ASSERT_STR_EQ(c.vdirs[2].physical, "D:\\x & y");
	char local[256];
	ASSERT_EQ(exs_iis_local_path("%SystemDrive%\\inetpub\\wwwroot", "/mnt/c", '/', local,
				     sizeof(local)), 0);
	ASSERT_STR_EQ(local, "/mnt/c/inetpub/wwwroot");
	ASSERT_EQ(exs_iis_local_path("C:\\Ex\\owa", "/mnt/c", '/', local, sizeof(local)), 0);
	ASSERT_STR_EQ(local, "/mnt/c/Ex/owa");
	exs_iis_free(&c);
	/* Truncated and hostile documents end the walk, never more. */
	for (size_t cut = 0; cut < strlen(xml); cut += 7) {
		ASSERT_EQ(exs_iis_parse(xml, cut, &c), 0);
		exs_iis_free(&c);
	}
}

int main(void)
{
	RUN(test_fields_in_any_order);
	RUN(test_quoted_w3c_value);
	RUN(test_csv_header_and_quotes);
	RUN(test_missing_and_broken_headers);
	RUN(test_times);
	RUN(test_techniques);
	RUN(test_look_alikes);
	RUN(test_ecp_vdir_edit);
	RUN(test_decode);
	RUN(test_iis_sites);
	return TEST_EXIT();
}
