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
        $u = /(External|Internal)Url["'>\s]{0,4}[:=>][^\r\n]{0,400}(<script|<%)/ nocase ascii wide
    condition:
        $u
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
        $cfg = /<configuration[\s>]/ nocase
        // an ASP statement closed by %> on the same line: <% Response.Write(...) %>, <%eval request("x")%>
        $s1 = /(response\.write|createobject|wscript\.shell|eval|execute|request)\b[^\r\n%]{0,200}%>/ nocase
        $s2 = /<script[^>]{0,80}runat\s*=\s*["']?server/ nocase
    condition:
        $cfg and ($s1 or $s2)
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
        $cfg = /<configuration\b/ nocase
        $h1 = /path\s*=\s*"\*?\.config"[^>]{0,300}(asp\.dll|scriptProcessor|PageHandlerFactory|SimpleHandlerFactory)/ nocase
        $h2 = /(asp\.dll|PageHandlerFactory|SimpleHandlerFactory)[^>]{0,300}path\s*=\s*"\*?\.config"/ nocase
        $r1 = /<remove\s+fileExtension\s*=\s*"\.config"/ nocase
        $r2 = /<remove\s+segment\s*=\s*"web\.config"/ nocase
    condition:
        $cfg and (any of ($h*) or all of ($r*))
}
