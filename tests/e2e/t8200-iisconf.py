#!/usr/bin/env python3
"""t8200-iisconf -- the registrations of IIS and Exchange configuration files
(issue 14): applicationHost.config, web.config, agents.config and
fetagents.config read with expat inside the judge worker, kept in the
baseline, compared by check and judged by scan.

Each test builds a mounted "system drive" (--image) in the shape of an
Exchange 2019 server: Windows/System32/inetsrv with applicationHost.config
and the module images it names, the GAC, the V15 install with web.configs,
bin folders and TransportRoles/Shared/agents.config, and inetpub. The
configuration files are written here, entry by entry, as Exchange and IIS
write theirs (a subset of their entries). The four plants of the issue are a
malicious global module, a managed module whose assembly sits in a web
folder's bin, a handler mapping of .log to asp.dll, and a new transport agent:
each must be found by check after init (a registration finding naming the
entry, the file, the line and the image) and by scan alone (a suspicious
finding).

    t8200-iisconf.py EXSWEEP
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq  # noqa: E402

tests = lib.Tests()

V15 = "Program Files/Microsoft/Exchange Server/V15"
V15_WIN = "C:\\Program Files\\Microsoft\\Exchange Server\\V15"
INETSRV = "Windows/System32/inetsrv"
MS_TOKEN = "31bf3856ad364e35"

NATIVE_MODULES = [
    ("HttpLoggingModule", "loghttp.dll"), ("UriCacheModule", "cachuri.dll"),
    ("FileCacheModule", "cachfile.dll"), ("TokenCacheModule", "cachtokn.dll"),
    ("StaticCompressionModule", "compstat.dll"),
    ("DefaultDocumentModule", "defdoc.dll"), ("StaticFileModule", "static.dll"),
    ("AnonymousAuthenticationModule", "authanon.dll"),
    ("WindowsAuthenticationModule", "authsspi.dll"),
    ("RequestFilteringModule", "modrqflt.dll"),
    ("CustomErrorModule", "custerr.dll"), ("IsapiModule", "isapi.dll"),
    ("IsapiFilterModule", "filter.dll"), ("RewriteModule", "rewrite.dll"),
]


def pe(name):
    """Bytes standing for a module image (the registration checks look at
    where it is, not inside)."""
    return b"MZ\x90\x00" + name.encode() * 40


def application_host(extra_modules="", extra_handlers=""):
    mods = "".join(
        f'      <add name="{n}" image="%windir%\\System32\\inetsrv\\{d}" />\n'
        for n, d in NATIVE_MODULES)
    mods += ('      <add name="ManagedEngineV4.0_64bit" image="%windir%\\System32\\'
             'inetsrv\\..\\..\\Microsoft.NET\\Framework64\\v4.0.30319\\webengine4.dll"'
             ' preCondition="integratedMode,runtimeVersionv4.0,bitness64" />\n')
    mods += (f'      <add name="exppw" image="{V15_WIN}\\ClientAccess\\Owa\\auth\\'
             'exppw.dll" />\n')
    mods += (f'      <add name="kerbauth" image="{V15_WIN}\\Bin\\kerbauth.dll"'
             ' preCondition="bitness64" />\n')
    fe = f"{V15_WIN}\\FrontEnd\\HttpProxy"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!--
    IIS configuration sections.
    For schema documentation, see %windir%\\system32\\inetsrv\\config\\schema\\IIS_schema.xml.
-->
<configuration>
  <system.applicationHost>
    <applicationPools>
      <add name="DefaultAppPool" />
      <add name="MSExchangeOWAAppPool" managedRuntimeVersion="v4.0" />
    </applicationPools>
    <sites>
      <site name="Default Web Site" id="1" serverAutoStart="true">
        <application path="/">
          <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />
        </application>
        <application path="/owa" applicationPool="MSExchangeOWAAppPool">
          <virtualDirectory path="/" physicalPath="{fe}\\owa" />
        </application>
        <application path="/ecp" applicationPool="MSExchangeECPAppPool">
          <virtualDirectory path="/" physicalPath="{fe}\\ecp" />
        </application>
        <bindings>
          <binding protocol="https" bindingInformation="*:443:" />
        </bindings>
      </site>
      <site name="Exchange Back End" id="2">
        <application path="/owa" applicationPool="MSExchangeOWAAppPool">
          <virtualDirectory path="/" physicalPath="{V15_WIN}\\ClientAccess\\Owa" />
        </application>
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <globalModules>
{mods}{extra_modules}    </globalModules>
    <isapiFilters>
      <filter name="ASP.Net_4.0_64bit" path="%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\aspnet_filter.dll" enabled="true" preCondition="bitness64,runtimeVersionv4.0" />
    </isapiFilters>
    <handlers accessPolicy="Read, Script">
      <add name="ASPClassic" path="*.asp" verb="GET,HEAD,POST" modules="IsapiModule" scriptProcessor="%windir%\\system32\\inetsrv\\asp.dll" resourceType="File" />
      <add name="PageHandlerFactory-Integrated-4.0" path="*.aspx" verb="GET,HEAD,POST,DEBUG" type="System.Web.UI.PageHandlerFactory" preCondition="integratedMode,runtimeVersionv4.0" />
      <add name="SimpleHandlerFactory-Integrated-4.0" path="*.ashx" verb="GET,HEAD,POST,DEBUG" type="System.Web.UI.SimpleHandlerFactory" preCondition="integratedMode,runtimeVersionv4.0" />
{extra_handlers}      <add name="StaticFile" path="*" verb="*" modules="StaticFileModule,DefaultDocumentModule" resourceType="Either" requireAccess="Read" />
    </handlers>
    <modules>
      <add name="DefaultDocumentModule" lockItem="true" />
      <add name="FormsAuthentication" type="System.Web.Security.FormsAuthenticationModule" preCondition="managedHandler" />
      <add name="UrlRoutingModule-4.0" type="System.Web.Routing.UrlRoutingModule" preCondition="managedHandler,runtimeVersionv4.0" />
    </modules>
  </system.webServer>
  <location path="Default Web Site/owa">
    <system.webServer>
      <handlers>
        <add name="OwaHandler" path="*.owa" verb="*" type="Microsoft.Exchange.HttpProxy.OwaProxyRequestHandler, Microsoft.Exchange.FrontEndHttpProxy, Version=15.0.0.0, Culture=neutral, PublicKeyToken={MS_TOKEN}" />
      </handlers>
    </system.webServer>
  </location>
</configuration>
"""


def owa_web_config(extra_modules="", extra_handlers=""):
    return f"""<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <system.web>
    <compilation defaultLanguage="c#" debug="false" targetFramework="4.7.2" />
    <machineKey validationKey="AutoGenerate,IsolateApps" decryptionKey="AutoGenerate,IsolateApps" validation="HMACSHA256" decryption="AES" />
    <httpRuntime maxRequestLength="35000" />
  </system.web>
  <system.webServer>
    <modules>
      <add name="OwaModule" type="Microsoft.Exchange.Clients.Owa2.Server.Core.OwaModule, Microsoft.Exchange.Clients.Owa2.Server, Version=15.0.0.0, Culture=neutral, PublicKeyToken={MS_TOKEN}" />
      <add name="Exchange.Authentication" type="Microsoft.Exchange.Security.Authentication.BackendRehydrationModule, Microsoft.Exchange.Security, Version=15.0.0.0, Culture=neutral, PublicKeyToken={MS_TOKEN}" />
{extra_modules}    </modules>
    <handlers>
      <add name="OwaEventHandler" path="*.owa" verb="*" type="Microsoft.Exchange.Clients.Owa2.Server.Core.OwaEventHandler, Microsoft.Exchange.Clients.Owa2.Server, Version=15.0.0.0, Culture=neutral, PublicKeyToken={MS_TOKEN}" preCondition="integratedMode" />
{extra_handlers}    </handlers>
  </system.webServer>
</configuration>
"""


def agents_config(extra=""):
    agents = [
        ("Transport Rule Agent", "Microsoft.Exchange.Data.Transport.Routing.RoutingAgentFactory",
         "Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.TransportRuleAgentFactory",
         "agents\\Rule\\Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.dll"),
        ("Malware Agent", "Microsoft.Exchange.Data.Transport.Routing.RoutingAgentFactory",
         "Microsoft.Exchange.Transport.Agent.Malware.MalwareAgentFactory",
         "agents\\Antimalware\\Microsoft.Exchange.Transport.Agent.Malware.dll"),
    ]
    rows = "".join(
        f'      <agent name="{n}" baseType="{b}" classFactory="{c}" '
        f'assemblyPath="{V15_WIN}\\TransportRoles\\{a}" enabled="true" />\n'
        for n, b, c, a in agents)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<configuration version="1.0">
  <mexRuntime>
    <monitoring>
      <messageSnapshot enabled="true" maxMessageSize="10MB" />
    </monitoring>
    <agentList>
{rows}{extra}    </agentList>
    <settings />
  </mexRuntime>
</configuration>
"""


def fetagents_config():
    return f"""<?xml version="1.0" encoding="utf-8"?>
<configuration version="1.0">
  <mexRuntime>
    <agentList>
      <agent name="Transport Rule Agent" baseType="Microsoft.Exchange.Data.Transport.Routing.RoutingAgentFactory" classFactory="Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.TransportRuleAgentFactory" assemblyPath="{V15_WIN}\\TransportRoles\\agents\\Rule\\Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.dll" enabled="true" />
    </agentList>
  </mexRuntime>
</configuration>
"""


class Server:
    """A clean image under env.dir/img, and the plants of the issue."""

    def __init__(self, env):
        self.env = env
        self.img = os.path.join(env.dir, "img")
        w = self.write
        w(f"{INETSRV}/config/applicationHost.config", application_host())
        for _, dll in NATIVE_MODULES:
            w(f"{INETSRV}/{dll}", pe(dll))
        w(f"{INETSRV}/asp.dll", pe("asp.dll"))
        w("Windows/Microsoft.NET/Framework64/v4.0.30319/webengine4.dll", pe("webengine4"))
        w("Windows/Microsoft.NET/Framework64/v4.0.30319/aspnet_filter.dll", pe("filter"))
        w("Windows/Microsoft.NET/assembly/GAC_MSIL/Microsoft.Exchange.Security/"
          f"v4.0_15.0.0.0__{MS_TOKEN}/Microsoft.Exchange.Security.dll", pe("sec"))
        w(f"{V15}/Bin/kerbauth.dll", pe("kerbauth"))
        w(f"{V15}/ClientAccess/Owa/auth/exppw.dll", pe("exppw"))
        w(f"{V15}/ClientAccess/Owa/web.config", owa_web_config())
        w(f"{V15}/ClientAccess/Owa/bin/Microsoft.Exchange.Clients.Owa2.Server.dll", pe("owa2"))
        w(f"{V15}/FrontEnd/HttpProxy/owa/web.config", owa_web_config())
        w(f"{V15}/FrontEnd/HttpProxy/owa/auth/logon.aspx", lib.benign_aspx("Logon"))
        w(f"{V15}/TransportRoles/Shared/agents.config", agents_config())
        w(f"{V15}/TransportRoles/Shared/fetagents.config", fetagents_config())
        w(f"{V15}/TransportRoles/agents/Rule/"
          "Microsoft.Exchange.MessagingPolicies.TransportRuleAgent.dll", pe("rule"))
        w(f"{V15}/TransportRoles/agents/Antimalware/"
          "Microsoft.Exchange.Transport.Agent.Malware.dll", pe("malware"))
        w("inetpub/wwwroot/iisstart.htm", b"<html><body>IIS</body></html>\r\n")
        w("inetpub/wwwroot/aspnet_client/system_web/4_0_30319/.keep", b"")
        base = os.path.join(env.dir, "state")
        n = env.native
        env.write_config(text="\n".join([
            "; t8200: the roots come from --image", "[baseline]",
            f"path = {n(os.path.join(base, 'baseline.db'))}",
            f"key = {n(os.path.join(base, 'baseline.key'))}", ""]))

    def path(self, rel):
        return os.path.join(self.img, rel)

    def write(self, rel, data):
        full = self.path(rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.utime(full, ns=(lib.OLD_MTIME_NS, lib.OLD_MTIME_NS))

    def run(self, command, *args, **kw):
        return self.env.run(command, "--image", self.img, *args, **kw)

    # The four plants of the issue. Each returns (config file, entry name,
    # line of the entry, what the image or type names).

    def plant_global_module(self):
        """A native module outside the Windows and Exchange folders (the
        shape of the IIS backdoors ESET described)."""
        self.write("ProgramData/Microsoft/Crypto/RSA/iiscache.dll", pe("backdoor"))
        entry = ('      <add name="IisCacheModule" image="C:\\ProgramData\\Microsoft\\'
                 'Crypto\\RSA\\iiscache.dll" preCondition="bitness64" />\n')
        text = application_host(extra_modules=entry)
        rel = f"{INETSRV}/config/applicationHost.config"
        self.write(rel, text)
        return rel, "IisCacheModule", line_of(text, "IisCacheModule"), "iiscache.dll"

    def plant_managed_module(self):
        """A managed module from a private (not strong-named) assembly in the
        OWA folder's bin (Owowa's shape)."""
        rel_dir = f"{V15}/FrontEnd/HttpProxy/owa"
        self.write(f"{rel_dir}/bin/OwaAuthHelper.dll", pe("owowa"))
        entry = ('      <add name="ExtendedProtectionModule" '
                 'type="OwaAuthHelper.ExtendedProtection, OwaAuthHelper" />\n')
        text = owa_web_config(extra_modules=entry)
        self.write(f"{rel_dir}/web.config", text)
        return (f"{rel_dir}/web.config", "ExtendedProtectionModule",
                line_of(text, "ExtendedProtectionModule"), "OwaAuthHelper")

    def plant_log_handler(self):
        """.log mapped to asp.dll in the back end's OWA web.config."""
        entry = ('      <add name="LogViewer" path="*.log" verb="*" modules="IsapiModule" '
                 'scriptProcessor="%windir%\\system32\\inetsrv\\asp.dll" '
                 'resourceType="Unspecified" />\n')
        rel = f"{V15}/ClientAccess/Owa/web.config"
        text = owa_web_config(extra_handlers=entry)
        self.write(rel, text)
        return rel, "LogViewer", line_of(text, "LogViewer"), "asp.dll"

    def plant_agent(self):
        """A new transport agent whose assembly is outside the Exchange
        folders (LightNeuron's shape)."""
        self.write("Windows/ServiceProfiles/NetworkService/msexchtrans.dll", pe("ln"))
        entry = ('      <agent name="Exchange Message Filter Agent" '
                 'baseType="Microsoft.Exchange.Data.Transport.Smtp.SmtpReceiveAgentFactory" '
                 'classFactory="Microsoft.Exchange.Transport.Agent.Filter.FilterAgentFactory" '
                 'assemblyPath="C:\\Windows\\ServiceProfiles\\NetworkService\\msexchtrans.dll" '
                 'enabled="true" />\n')
        rel = f"{V15}/TransportRoles/Shared/agents.config"
        text = agents_config(extra=entry)
        self.write(rel, text)
        return rel, "Exchange Message Filter Agent", \
            line_of(text, "Exchange Message Filter Agent"), "msexchtrans.dll"

    def plant_all(self):
        return [self.plant_global_module(), self.plant_managed_module(),
                self.plant_log_handler(), self.plant_agent()]


def line_of(text, needle):
    for i, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def registrations(report):
    return [f for f in report["findings"] if f["kind"] == "registration"]


def suspicious_rules(report):
    """{config path: [hit description, ...]} of the config.* hits."""
    out = {}
    for f in report["findings"]:
        if f["kind"] != "suspicious":
            continue
        for m in f.get("matches", []):
            if m.get("rule", "").startswith("config."):
                out.setdefault(f["path"], []).append(
                    m.get("rule", "") + " " + m.get("meta", {}).get("description", ""))
    return out


@tests.case
def test_clean_server_is_quiet(env):
    srv = Server(env)
    r = srv.run("scan")
    eq(suspicious_rules(r.report), {}, "config hits on a clean server's scan")
    eq(r.rc, 0, "scan exit status on a clean server")
    r = srv.run("init")
    eq(suspicious_rules(r.report), {}, "config hits on a clean server's init")
    r = srv.run("check")
    eq(r.rc, 0, "check exit status on the unchanged server")
    eq(registrations(r.report), [], "registration findings without a change")


@tests.case
def test_check_after_init_finds_each_plant(env):
    srv = Server(env)
    srv.run("init")
    plants = srv.plant_all()
    r = srv.run("check")
    regs = registrations(r.report)
    eq(r.report["counts"].get("registration"), len(regs), "counts.registration")
    hits = suspicious_rules(r.report)
    for rel, name, line, image in plants:
        path = srv.path(rel)
        found = [f for f in regs if f["path"] == path and f["entry"]["name"] == name]
        eq(len(found), 1, f"registration findings for {name}")
        f = found[0]
        eq(f["change"], "added", f"{name}: change")
        eq(f["line"], line, f"{name}: line in {rel}")
        where = f["entry"]["image"] + f["entry"]["type"]
        check(image in where, f"{name}: the entry names {image}: {f['entry']!r}")
        check(f["suspicious"], f"{name}: the added entry is judged suspicious: {f!r}")
        check(any(name in h for h in hits.get(path, [])),
              f"{name}: a suspicious config hit on {rel}: {hits!r}")
    # Nothing else of the files moved: only the four entries.
    eq(len(regs), 4, f"registration findings {[(f['entry']['name']) for f in regs]}")
    kinds = {f["entry"]["name"]: f["entry"]["kind"] for f in regs}
    eq(kinds, {"IisCacheModule": "global_module", "ExtendedProtectionModule": "managed_module",
               "LogViewer": "handler", "Exchange Message Filter Agent": "transport_agent"},
       "entry kinds")
    check(r.rc & 4 and r.rc & 8, f"exit status has bits 4 and 8: {r.rc}")
    text = r.out.decode("utf-8", "replace")
    check("CONFIG" in text and "IisCacheModule" in text,
          "the summary lists the registrations")
    # The other writers carry them too: NDJSON records with the entry, the
    # HTML report a card per entry.
    html = os.path.join(env.dir, "report.html")
    r2 = srv.run("check", "--ndjson", "-", "--html", env.native(html),
                 json_report=False, expect_rc=r.rc)
    lines = [json.loads(l) for l in r2.out.replace(b"\r\n", b"\n").splitlines() if l]
    nd = [l["exsweep"]["registration"] for l in lines
          if l.get("exsweep", {}).get("kind") == "registration"]
    eq(sorted(x["name"] for x in nd), sorted(kinds), "NDJSON registration records")
    check(all(x["change"] == "added" and x["suspicious"] for x in nd),
          f"NDJSON registrations are added and suspicious: {nd!r}")
    with open(html, "rb") as f:
        page = f.read().decode("utf-8", "replace")
    check(all(name in page for name in kinds) and "CONFIG" in page,
          "the HTML report shows every registration")


@tests.case
def test_scan_alone_finds_each_plant(env):
    srv = Server(env)
    plants = srv.plant_all()
    r = srv.run("scan")
    hits = suspicious_rules(r.report)
    want = {"IisCacheModule": "outside the Windows and Exchange folders",
            "ExtendedProtectionModule": "not strong-named",
            "LogViewer": "a data extension mapped to a script engine",
            "Exchange Message Filter Agent": "outside the Exchange folders"}
    for rel, name, line, image in plants:
        got = [h for h in hits.get(srv.path(rel), []) if f"'{name}'" in h]
        eq(len(got), 1, f"scan: suspicious hits for {name} in {rel}: {hits!r}")
        check(f"line {line}:" in got[0], f"{name}: the hit names line {line}: {got[0]}")
        check(want[name] in got[0], f"{name}: says why ({want[name]}): {got[0]}")
    eq(sum(len(v) for v in hits.values()), 4, f"only the plants are suspicious: {hits!r}")
    eq(r.rc, 8, "scan exit status")


@tests.case
def test_changed_removed_and_missing_images(env):
    srv = Server(env)
    srv.run("init")
    # The Malware Agent disappears, the URI cache module now loads a DLL that
    # is not there, and the machineKey gets a fixed key.
    text = agents_config().replace(
        next(line for line in agents_config().split("\n") if "Malware Agent" in line) + "\n", "")
    srv.write(f"{V15}/TransportRoles/Shared/agents.config", text)
    srv.write(f"{INETSRV}/config/applicationHost.config",
              application_host().replace("cachuri.dll", "cachurl.dll"))
    key = "9F1C6C2B8E4D7A30B5C7E9F1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5"
    srv.write(f"{V15}/FrontEnd/HttpProxy/owa/web.config",
              owa_web_config().replace('validationKey="AutoGenerate,IsolateApps"',
                                       f'validationKey="{key}"'))
    r = srv.run("check")
    regs = {f["entry"]["name"]: f for f in registrations(r.report)}
    eq(sorted(regs), ["Malware Agent", "UriCacheModule", "machineKey"], "entries reported")
    eq(regs["Malware Agent"]["change"], "removed", "the agent's change")
    u = regs["UriCacheModule"]
    eq(u["change"], "changed", "the module's change")
    check(u["old"]["image"].endswith("cachuri.dll") and u["entry"]["image"].endswith("cachurl.dll"),
          f"old and new image: {u!r}")
    eq(u["image_exists"], False, "the new image does not exist")
    check("does not exist" in (u["suspicious"] or ""), f"why: {u['suspicious']!r}")
    m = regs["machineKey"]
    check(key not in m["entry"]["extra"] and "sha256:" in m["entry"]["extra"],
          f"the key is recorded as a digest, never itself: {m['entry']['extra']!r}")
    check(key.encode() not in open(os.path.join(env.dir, "state", "baseline.db"), "rb").read(),
          "the baseline does not hold the key")
    # A removed config file: its registrations are reported removed.
    os.unlink(srv.path(f"{V15}/TransportRoles/Shared/fetagents.config"))
    r = srv.run("check")
    gone = [f for f in registrations(r.report) if f["change"] == "removed" and
            f["path"].endswith("fetagents.config")]
    eq(len(gone), 1, "registrations of the removed fetagents.config")
    # update accepts the changes (none is suspicious but the missing image,
    # which is refused until --accept'ed): afterwards check is quiet.
    r = srv.run("update", "--accept", srv.path(f"{INETSRV}/config/applicationHost.config"))
    r = srv.run("check")
    eq(registrations(r.report), [], "registrations after update")


@tests.case
def test_hostile_configs(env):
    srv = Server(env)
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<configuration>&b;</configuration>\n')
    srv.write(f"{V15}/FrontEnd/HttpProxy/owa/web.config", bomb)
    external = ('<?xml version="1.0"?>\n<!DOCTYPE c SYSTEM "\\\\attacker\\share\\x.dtd">\n'
                '<configuration/>\n')
    srv.write(f"{V15}/ClientAccess/Owa/web.config", external)
    srv.write(f"{V15}/TransportRoles/Shared/agents.config",
              "<configuration>" + "<a>" * 5000 + "</a>" * 5000 + "</configuration>")
    srv.write(f"{V15}/TransportRoles/Shared/fetagents.config", "<configuration><agent name='x'")
    r = srv.run("scan")
    errors = {f["path"]: f["message"] for f in r.report["findings"] if f["kind"] == "error"}
    for rel, why in ((f"{V15}/FrontEnd/HttpProxy/owa/web.config", "line 2: a DOCTYPE"),
                     (f"{V15}/ClientAccess/Owa/web.config", "line 2: a DOCTYPE"),
                     (f"{V15}/TransportRoles/Shared/agents.config", "nested deeper"),
                     (f"{V15}/TransportRoles/Shared/fetagents.config", "not well-formed")):
        msg = errors.get(srv.path(rel), "")
        check(why in msg, f"{rel}: error naming {why!r}: {msg!r}")


@tests.case
def test_compilation_cache_churn_is_judged_not_listed(env):
    srv = Server(env)
    tmp = "Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/owa/5f3a/9c1d"
    srv.write(f"{tmp}/App_Web_logon.aspx.cdcab7d2.dll", pe("compiled1"))
    srv.write(f"{tmp}/logon.aspx.cdcab7d2.compiled", b"<preserve/>")
    srv.run("init")
    os.unlink(srv.path(f"{tmp}/logon.aspx.cdcab7d2.compiled"))
    srv.write(f"{tmp}/App_Web_logon.aspx.cdcab7d2.dll", pe("compiled2"))
    srv.write(f"{tmp}/App_Web_errorfe.aspx.1a2b3c4d.dll", pe("compiled3"))
    # A page dropped into the cache is still judged.
    srv.write(f"{tmp}/x.aspx", lib.CHOPPER_PREFIX + lib.CHOPPER)
    r = srv.run("check")
    listed = [f for f in r.report["findings"] if "Temporary ASP.NET Files" in f["path"]
              and f["kind"] in ("added", "changed", "removed")]
    eq(listed, [], "churn in the compilation cache listed")
    eq(r.report["counts"].get("volatile_churn"), 4, "counts.volatile_churn")
    judged = [f for f in r.report["findings"] if f["path"].endswith("/x.aspx")]
    check(any(f["kind"] == "webshell" for f in judged), f"the dropped page is judged: {judged!r}")


@tests.case
def test_default_coverage_under_image(env):
    srv = Server(env)
    r = srv.run("init")
    roots = r.report["roots"]
    for rel in (INETSRV, "Windows/Microsoft.NET/assembly"):
        check(srv.path(rel) in roots, f"{rel} is a default root: {roots!r}")
    db = os.path.join(env.dir, "state", "baseline.db")
    import sqlite3
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM registrations WHERE ord > 0").fetchone()[0]
    con.close()
    check(n > 30, f"registrations recorded in the baseline: {n}")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
