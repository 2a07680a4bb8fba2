/*
 * Exchange/IIS configuration abuse: OAB virtual directory ExternalUrl (or
 * InternalUrl) carrying server-side script (CVE-2021-27065, ProxyLogon),
 * web.config files that embed script or make .config files executable.
 * Part of exsweep, see README.md.
 */

rule ExSweep_Exchange_OAB_Url_Script
{
    meta:
        description = "Exchange OAB virtual directory settings whose ExternalUrl/InternalUrl carries server-side script (ProxyLogon CVE-2021-27065 webshell)"
        family = "exchange_oab"
        severity = "high"
        reference = "https://www.microsoft.com/en-us/security/blog/2021/03/02/hafnium-targeting-exchange-servers/"
        author = "exsweep"
    strings:
        $u1 = "ExternalUrl" nocase
        $u2 = "InternalUrl" nocase
        $tag = "<script" nocase
        $run1 = "runat=\"server\"" nocase
        $run2 = "runat=server" nocase
        $run3 = "runat='server'" nocase
        $run4 = "runat=&quot;server&quot;" nocase
    condition:
        // a server script tag starts on the URL's own value, within 400 bytes
        // after the property name (runat within the next 110 bytes of "<script")
        for any i in (1..#u1) : ( for any k in (1..#tag) : ( @tag[k] > @u1[i] and @tag[k] - @u1[i] < 400 and
                                                             any of ($run*) in (@tag[k] .. @tag[k] + 110) ) ) or
        for any i in (1..#u2) : ( for any k in (1..#tag) : ( @tag[k] > @u2[i] and @tag[k] - @u2[i] < 400 and
                                                             any of ($run*) in (@tag[k] .. @tag[k] + 110) ) )
}

rule ExSweep_WebConfig_Embedded_Script
{
    meta:
        description = "web.config/.config file that contains server-side ASP script (executed when the .config is mapped to a script engine)"
        family = "webconfig"
        severity = "high"
        reference = "https://soroush.me/blog/2019/08/uploading-web-config-for-fun-and-profit-2/"
        author = "exsweep"
    strings:
        $cfg = "<configuration" nocase
        // ASP/ASP.NET code: object creation, output, request evaluation, script blocks and directives
        $s1 = "Response.Write" nocase
        $s2 = "CreateObject(" nocase
        $s3 = "wscript.shell" nocase
        $s4 = "Process.Start" nocase
        $s5 = "<%@ Page" nocase
        $s6 = "eval(request" nocase
        $s7 = "eval request" nocase
        $s8 = "eval (request" nocase
        $s9 = "execute(request" nocase
        $s10 = "execute request" nocase
        $s11 = "execute (request" nocase
        $s12 = "runat=server" nocase
        $s13 = "runat=\"server" nocase
        $s14 = "runat='server" nocase
    condition:
        $cfg and any of ($s*)
}

rule ExSweep_WebConfig_Config_Made_Executable
{
    meta:
        description = "web.config that maps *.config to a script engine or un-hides web.config/.config from request filtering so the file runs as a webshell"
        family = "webconfig"
        severity = "high"
        reference = "https://soroush.me/blog/2019/08/uploading-web-config-for-fun-and-profit-2/"
        author = "exsweep"
    strings:
        $cfg = "<configuration" nocase
        $p1 = "path=\"*.config\"" nocase
        $p2 = "path=\".config\"" nocase
        $p3 = "path=\"web.config\"" nocase
        $e1 = "asp.dll" nocase
        $e2 = "PageHandlerFactory" nocase
        $e3 = "SimpleHandlerFactory" nocase
        $r1 = "<remove fileExtension=\".config\"" nocase
        $r2 = "<remove segment=\"web.config\"" nocase
    condition:
        $cfg and ((any of ($p*) and any of ($e*)) or all of ($r*))
}
