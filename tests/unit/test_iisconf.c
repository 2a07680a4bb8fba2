/* test_iisconf.c -- the configuration readers (inspect/xml.c, iis_config.c,
 * agents_config.c), the judgement of registrations without a baseline
 * (regcheck.c, with logical places and no disk) and the registration
 * finding's packed fields (regfinding.c).
 */
#include <stdlib.h>
#include <string.h>

#include "regcheck.h"
#include "regfinding.h"
#include "registration.h"
#include "status.h"
#include "test.h"
#include "xml.h"

static struct exs_registration *regs;
static size_t count;
static uint64_t bad_line;
static char why[160];

static int parse(const char *text)
{
	free(regs);
	regs = NULL;
	return exs_config_registrations((const unsigned char *)text,
					strlen(text), &regs, &count, &bad_line,
					why, sizeof(why));
}

static const struct exs_registration *find(const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(regs[i].name, name) == 0)
			return &regs[i];
	return NULL;
}

static void test_application_host(void)
{
	const char *text =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<configuration>\n"
		"  <system.applicationHost>\n"
		"    <sites>\n"
		"      <site name=\"Default Web Site\" id=\"1\">\n"
		"        <application path=\"/owa\">\n"
		"          <virtualDirectory path=\"/\" physicalPath=\"C:\\V15\\owa\" />\n"
		"          <virtualDirectory path=\"/x\" physicalPath=\"D:\\x\" />\n"
		"        </application>\n"
		"      </site>\n"
		"    </sites>\n"
		"  </system.applicationHost>\n"
		"  <system.webServer>\n"
		"    <globalModules>\n"
		"      <add name=\"UriCacheModule\" image=\"%windir%\\System32\\inetsrv\\cachuri.dll\" preCondition=\"bitness64\" />\n"
		"    </globalModules>\n"
		"    <isapiFilters><filter name=\"F\" path=\"C:\\f.dll\" enabled=\"true\" /></isapiFilters>\n"
		"    <handlers>\n"
		"      <add name=\"ASPClassic\" path=\"*.asp\" verb=\"GET\" modules=\"IsapiModule\" scriptProcessor=\"%windir%\\system32\\inetsrv\\asp.dll\" />\n"
		"    </handlers>\n"
		"    <modules><add name=\"M\" type=\"A.B, C\" preCondition=\"managedHandler\" /></modules>\n"
		"    <other><add name=\"NotAModule\" image=\"x\" /></other>\n"
		"  </system.webServer>\n"
		"  <location path=\"Default Web Site/ecp\">\n"
		"    <system.webServer><handlers><add name=\"H\" path=\"*.ecp\" type=\"T, A\" /></handlers></system.webServer>\n"
		"  </location>\n"
		"</configuration>\n";
	ASSERT_EQ(parse(text), EXS_OK);
	ASSERT_EQ(count, 7);
	const struct exs_registration *r = find("UriCacheModule");
	ASSERT_TRUE(r);
	ASSERT_EQ(r->kind, EXS_REG_GLOBAL_MODULE);
	ASSERT_EQ(r->line, 15);
	ASSERT_STR_EQ(r->image, "%windir%\\System32\\inetsrv\\cachuri.dll");
	ASSERT_STR_EQ(r->extra, "preCondition=bitness64");
	r = find("/owa/");
	ASSERT_TRUE(r);
	ASSERT_EQ(r->kind, EXS_REG_VIRTUAL_DIR);
	ASSERT_STR_EQ(r->scope, "Default Web Site");
	ASSERT_STR_EQ(r->image, "C:\\V15\\owa");
	ASSERT_TRUE(find("/owa/x"));
	r = find("ASPClassic");
	ASSERT_TRUE(r);
	ASSERT_STR_EQ(r->path, "*.asp");
	ASSERT_STR_EQ(r->extra, "modules=IsapiModule verb=GET");
	r = find("H");
	ASSERT_TRUE(r);
	ASSERT_STR_EQ(r->scope, "Default Web Site/ecp");
	ASSERT_EQ(find("F")->kind, EXS_REG_ISAPI_FILTER);
	ASSERT_EQ(find("M")->kind, EXS_REG_MODULE);
	ASSERT_TRUE(!find("NotAModule"));
}

static void test_agents_and_machine_key(void)
{
	const char *text =
		"<configuration version=\"1.0\"><mexRuntime><agentList>\n"
		"<agent name=\"A\" baseType=\"B\" classFactory=\"C\" assemblyPath=\"D:\\a.dll\" enabled=\"true\" />\n"
		"<agent name=\"NoPath\" />\n"
		"</agentList></mexRuntime>\n"
		"<system.web><machineKey validationKey=\"0123456789ABCDEF\" decryptionKey=\"AutoGenerate,IsolateApps\" validation=\"SHA1\" /></system.web>\n"
		"</configuration>";
	ASSERT_EQ(parse(text), EXS_OK);
	ASSERT_EQ(count, 2);
	const struct exs_registration *a = find("A");
	ASSERT_TRUE(a);
	ASSERT_EQ(a->kind, EXS_REG_TRANSPORT_AGENT);
	ASSERT_EQ(a->line, 2);
	ASSERT_STR_EQ(a->image, "D:\\a.dll");
	ASSERT_STR_EQ(a->type, "C");
	ASSERT_STR_EQ(a->extra, "baseType=B enabled=true");
	const struct exs_registration *m = find("machineKey");
	ASSERT_TRUE(m);
	ASSERT_TRUE(strstr(m->extra, "validation=SHA1") != NULL);
	ASSERT_TRUE(strstr(m->extra, "decryptionKey=AutoGenerate,IsolateApps"));
	ASSERT_TRUE(strstr(m->extra, "validationKey=sha256:"));
	ASSERT_TRUE(!strstr(m->extra, "0123456789ABCDEF"));
}

static void test_refusals(void)
{
	ASSERT_EQ(parse("<?xml version=\"1.0\"?>\n<!DOCTYPE c [<!ENTITY a \"x\">]>"
			"<configuration>&a;</configuration>"), EXS_INVAL);
	ASSERT_EQ(bad_line, 2);
	ASSERT_TRUE(strstr(why, "DOCTYPE") != NULL);
	ASSERT_EQ(parse("<c><a></c>"), EXS_INVAL);
	ASSERT_TRUE(strstr(why, "not well-formed") != NULL);
	ASSERT_EQ(parse(""), EXS_INVAL);
	/* Depth: 64 levels are read, 65 are not. */
	char deep[65 * 7 + 1];
	size_t n = 0;
	for (int i = 0; i < 64; i++)
		n += (size_t)sprintf(deep + n, "<a>");
	for (int i = 0; i < 64; i++)
		n += (size_t)sprintf(deep + n, "</a>");
	deep[n] = '\0';
	ASSERT_EQ(parse(deep), EXS_OK);
	char *deeper = malloc(66 * 8);
	ASSERT_TRUE(deeper != NULL);
	n = 0;
	for (int i = 0; i < 65; i++)
		n += (size_t)sprintf(deeper + n, "<a>");
	for (int i = 0; i < 65; i++)
		n += (size_t)sprintf(deeper + n, "</a>");
	ASSERT_EQ(parse(deeper), EXS_LIMIT);
	free(deeper);
	/* More registrations than EXS_REG_MAX is an error, not a cut. */
	size_t cap = (EXS_REG_MAX + 2) * 64 + 64;
	char *many = malloc(cap);
	ASSERT_TRUE(many != NULL);
	n = (size_t)sprintf(many, "<c><globalModules>");
	for (int i = 0; i < EXS_REG_MAX + 1; i++)
		n += (size_t)sprintf(many + n, "<add name=\"m%d\" image=\"x\"/>", i);
	sprintf(many + n, "</globalModules></c>");
	ASSERT_EQ(parse(many), EXS_LIMIT);
	ASSERT_TRUE(strstr(why, "registrations") != NULL);
	free(many);
	/* A value longer than its field is cut and flagged. */
	char *longv = malloc(4096);
	ASSERT_TRUE(longv != NULL);
	n = (size_t)sprintf(longv, "<c><globalModules><add name=\"L\" image=\"C:\\");
	memset(longv + n, 'a', 1000);
	n += 1000;
	sprintf(longv + n, ".dll\"/></globalModules></c>");
	ASSERT_EQ(parse(longv), EXS_OK);
	ASSERT_EQ(count, 1);
	ASSERT_EQ(regs[0].flags, EXS_REG_TRUNCATED);
	ASSERT_EQ(strlen(regs[0].image), EXS_REG_LONG - 1);
	free(longv);
}

static void test_config_names(void)
{
	const char *a = "/img/Windows/System32/inetsrv/config/applicationHost.config";
	ASSERT_TRUE(exs_reg_is_config_path(a, strlen(a), '/'));
	const char *h = "C:\\inetpub\\history\\CFGHISTORY_0000000001\\applicationHost.config";
	ASSERT_TRUE(!exs_reg_is_config_path(h, strlen(h), '\\'));
	const char *w = "C:\\x\\WEB.CONFIG";
	ASSERT_TRUE(exs_reg_is_config_path(w, strlen(w), '\\'));
	const char *f = "/x/fetagents.config";
	ASSERT_TRUE(exs_reg_is_config_path(f, strlen(f), '/'));
	const char *o = "/x/web.config.bak";
	ASSERT_TRUE(!exs_reg_is_config_path(o, strlen(o), '/'));
}

static struct exs_reg_places places(void)
{
	struct exs_reg_places pl;
	memset(&pl, 0, sizeof(pl));
	strcpy(pl.windir, "C:\\Windows");
	strcpy(pl.exchange, "C:\\Program Files\\Microsoft\\Exchange Server\\V15");
	strcpy(pl.inetpub, "C:\\inetpub");
	return pl;
}

static unsigned assess(uint32_t kind, const char *image, const char *type,
		       const char *path, const char *extra, const char *config,
		       struct exs_reg_verdict *v)
{
	struct exs_reg_places pl = places();
	struct exs_registration r;
	memset(&r, 0, sizeof(r));
	r.kind = kind;
	snprintf(r.image, sizeof(r.image), "%s", image);
	snprintf(r.type, sizeof(r.type), "%s", type);
	snprintf(r.path, sizeof(r.path), "%s", path);
	snprintf(r.extra, sizeof(r.extra), "%s", extra);
	exs_reg_assess(&pl, config, strlen(config), &r, v);
	return v->reasons;
}

static void test_assess(void)
{
	struct exs_reg_verdict v;
	const char *cfg = "C:\\inetpub\\wwwroot\\web.config";
	ASSERT_EQ(assess(EXS_REG_GLOBAL_MODULE, "%windir%\\System32\\inetsrv\\x.dll",
			 "", "", "", cfg, &v), 0);
	ASSERT_STR_EQ(v.logical, "C:\\Windows\\System32\\inetsrv\\x.dll");
	ASSERT_EQ(assess(EXS_REG_GLOBAL_MODULE, "%windir%\\System32\\inetsrv\\..\\..\\"
			 "Microsoft.NET\\Framework64\\webengine4.dll", "", "", "",
			 cfg, &v), 0);
	ASSERT_STR_EQ(v.logical, "C:\\Windows\\Microsoft.NET\\Framework64\\webengine4.dll");
	ASSERT_EQ(assess(EXS_REG_GLOBAL_MODULE, "c:/programdata/x.dll", "", "", "",
			 cfg, &v), EXS_REGQ_OUTSIDE);
	/* "C:\Windows2" is not in C:\Windows. */
	ASSERT_EQ(assess(EXS_REG_GLOBAL_MODULE, "C:\\Windows2\\x.dll", "", "", "",
			 cfg, &v), EXS_REGQ_OUTSIDE);
	ASSERT_EQ(assess(EXS_REG_GLOBAL_MODULE, "%windir%\\..\\..\\x.dll", "", "", "",
			 cfg, &v), EXS_REGQ_CLIMBS);
	ASSERT_EQ(assess(EXS_REG_ISAPI_FILTER, "\\\\host\\share\\x.dll", "", "", "",
			 cfg, &v), EXS_REGQ_REMOTE);
	ASSERT_EQ(assess(EXS_REG_ISAPI_FILTER, "%TEMP%\\x.dll", "", "", "", cfg, &v),
		  EXS_REGQ_UNPLACED);
	ASSERT_EQ(assess(EXS_REG_ISAPI_FILTER, "x.dll", "", "", "", cfg, &v),
		  EXS_REGQ_UNPLACED);
	ASSERT_EQ(assess(EXS_REG_TRANSPORT_AGENT, "%ExchangeInstallPath%TransportRoles"
			 "\\agents\\a.dll", "", "", "", cfg, &v), 0);
	ASSERT_EQ(assess(EXS_REG_TRANSPORT_AGENT, "C:\\Windows\\a.dll", "", "", "",
			 cfg, &v), EXS_REGQ_OUTSIDE);
	ASSERT_TRUE(strstr(v.why, "outside the Exchange folders") != NULL);
	ASSERT_EQ(assess(EXS_REG_VIRTUAL_DIR, "%SystemDrive%\\inetpub\\wwwroot", "",
			 "/", "", cfg, &v), 0);
	ASSERT_EQ(assess(EXS_REG_VIRTUAL_DIR, "C:\\Users\\Public", "", "/", "",
			 cfg, &v), EXS_REGQ_OUTSIDE);
	/* Handler mappings: a data extension to a script engine. */
	ASSERT_EQ(assess(EXS_REG_HANDLER, "%windir%\\system32\\inetsrv\\asp.dll", "",
			 "*.log", "modules=IsapiModule", cfg, &v),
		  EXS_REGQ_DATA_SCRIPT);
	ASSERT_EQ(assess(EXS_REG_HANDLER, "", "System.Web.UI.PageHandlerFactory",
			 "*.TXT", "", cfg, &v), EXS_REGQ_DATA_SCRIPT);
	ASSERT_EQ(assess(EXS_REG_HANDLER, "", "System.Web.UI.PageHandlerFactory",
			 "*.aspx", "", cfg, &v), 0);
	ASSERT_EQ(assess(EXS_REG_HANDLER, "", "", "*",
			 "modules=StaticFileModule,DefaultDocumentModule", cfg, &v),
		  0);
	ASSERT_EQ(assess(EXS_REG_HANDLER, "", "", "*.jpg",
			 "modules=StaticFileModule,CgiModule", cfg, &v),
		  EXS_REGQ_DATA_SCRIPT);
	/* Managed types: a private assembly is the application's bin\. */
	ASSERT_EQ(assess(EXS_REG_MODULE, "", "A.B, OwaAuth", "", "", cfg, &v),
		  EXS_REGQ_PRIVATE_BIN);
	ASSERT_EQ(assess(EXS_REG_MODULE, "", "A.B, OwaAuth, Version=1.0.0.0, "
			 "Culture=neutral, PublicKeyToken=null", "", "", cfg, &v),
		  EXS_REGQ_PRIVATE_BIN);
	ASSERT_EQ(assess(EXS_REG_MODULE, "", "A.B, Microsoft.Exchange.Net, "
			 "Version=15.0.0.0, Culture=neutral, "
			 "PublicKeyToken=31bf3856ad364e35", "", "", cfg, &v), 0);
	ASSERT_EQ(assess(EXS_REG_MODULE, "", "System.Web.Security.FormsAuthenticationModule",
			 "", "", cfg, &v), 0);
}

static void test_pack(void)
{
	struct exs_registration now, old;
	memset(&now, 0, sizeof(now));
	memset(&old, 0, sizeof(old));
	now.kind = EXS_REG_HANDLER;
	strcpy(now.name, "LogViewer");
	strcpy(now.image, "new\x1f" "image");
	strcpy(old.image, "old");
	struct exs_reg_verdict v;
	memset(&v, 0, sizeof(v));
	v.exists = 0;
	strcpy(v.why, "the image does not exist");
	char *msg = exs_reg_finding_pack("changed", &now, &old, &v);
	ASSERT_TRUE(msg);
	struct exs_reg_fields f;
	ASSERT_EQ(exs_reg_finding_unpack(msg, &f), EXS_OK);
	ASSERT_STR_EQ(f.f[EXS_REGF_CHANGE], "changed");
	ASSERT_STR_EQ(f.f[EXS_REGF_KIND], "handler");
	ASSERT_STR_EQ(f.f[EXS_REGF_NAME], "LogViewer");
	ASSERT_STR_EQ(f.f[EXS_REGF_IMAGE], "new?image");
	ASSERT_STR_EQ(f.f[EXS_REGF_OLD_IMAGE], "old");
	ASSERT_STR_EQ(f.f[EXS_REGF_EXISTS], "0");
	ASSERT_STR_EQ(f.f[EXS_REGF_WHY], "the image does not exist");
	exs_reg_fields_free(&f);
	free(msg);
	/* Any message unpacks: missing fields are empty. */
	ASSERT_EQ(exs_reg_finding_unpack("just text", &f), EXS_OK);
	ASSERT_STR_EQ(f.f[EXS_REGF_CHANGE], "just text");
	ASSERT_STR_EQ(f.f[EXS_REGF_WHY], "");
	exs_reg_fields_free(&f);
	ASSERT_EQ(exs_reg_finding_unpack(NULL, &f), EXS_OK);
	exs_reg_fields_free(&f);
}

int main(void)
{
	RUN(test_application_host);
	RUN(test_agents_and_machine_key);
	RUN(test_refusals);
	RUN(test_config_names);
	RUN(test_assess);
	RUN(test_pack);
	free(regs);
	return TEST_EXIT();
}
