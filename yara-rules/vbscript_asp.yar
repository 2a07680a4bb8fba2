/*
 * Classic ASP (VBScript) webshells: Execute/Eval of request data through
 * variables, sessions, decoders and script engines, and encoded script.
 * Part of exsweep, see README.md.
 */

private rule ExSweep_VBS_Exec_Statement
{
    meta:
        description = "Helper: the VBScript Execute/ExecuteGlobal/Eval statement (not a method such as conn.Execute)"
        family = "helper"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        // preceded by a blank, ':', '(', '>' or '%' (as in <%execute ...), never by '.'
        $sink = /[\s:(>%](eval|execute(global)?)[ \t(]{1,4}[a-z_(]/ nocase
    condition:
        $sink
}

private rule ExSweep_VBS_Syntax
{
    meta:
        description = "Helper: VBScript-only syntax, so C#/JavaScript methods named execute() do not count"
        family = "helper"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        $vbs1 = /\bEnd (Function|Sub|If|Class)\b/ nocase
        $vbs2 = "On Error Resume Next" nocase
        $vbs3 = "Server.CreateObject(\"" nocase
    condition:
        any of them
}

rule ExSweep_ASP_Execute_Request_Indirect
{
    meta:
        description = "Classic ASP that stores request input in a variable or session and runs it with Execute/ExecuteGlobal/Eval"
        family = "chopper"
        severity = "high"
        reference = "https://www.mandiant.com/resources/blog/breaking-down-the-china-chopper-web-shell-part-i"
        author = "exsweep"
    strings:
        // x = request("p") / x = Trim(Request.Form("p"))
        $src = /[a-z_]\w{0,20} ?= ?(trim\()?request(\.(item|form|querystring|cookies))? ?\(/ nocase
        // session("k") = request("p")
        $src_sess = /session\("[^"\r\n]{1,30}"\)\s?=\s?request[\(.]/ nocase
        // Execute x / eval(x) / ExecuteGlobal x as a statement of its own
        $sink_var = /[\s:(>%](eval|execute(global)?)[ \t(]{1,3}[a-z_]\w{0,24}\)?[ \t]*[\r\n:%']/ nocase
        $sink_sess1 = "execute session(" nocase
        $sink_sess2 = "execute(session(" nocase
        $sink_sess3 = "executeglobal session(" nocase
        $sink_sess4 = "executeglobal(session(" nocase
        $sink_sess5 = "eval(session(" nocase
        $sink_sess6 = "eval session(" nocase
    condition:
        ($src and $sink_var) or (($src or $src_sess) and any of ($sink_sess*))
}

rule ExSweep_ASP_Execute_Decoded
{
    meta:
        description = "Classic ASP that runs decoded/deobfuscated text with Execute/ExecuteGlobal/Eval (reversed, unescaped, chr-decoded or ciphered script)"
        family = "obfuscation"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1027/"
        author = "exsweep"
    strings:
        // Execute(StrReverse(...)), Execute(unescape(...)), Execute(Replace(...)), Eval(Chr(...)...)
        $direct = /[\s:(>%](eval|execute(global)?)[ \t(]{1,4}(strreverse|unescape|replace|chrw?|decode\w{0,20}|decrypt\w{0,20})\s*\(/ nocase
        // Execute fn(...): runs whatever a (decoder) function returns, e.g. Execute(DeAsc("%119%136..."))
        $fncall = /[\s:(>%](execute(global)?)[ \t(]{1,4}[a-z_]\w{0,30}\s*\(/ nocase
        // reversed keywords: "tseuqer" (request), "etucexe" (execute), "llehs.tpircsw"
        $rev_req = "tseuqer" nocase
        $rev_exec = "etucexe" nocase
        $rev_wsh = "llehs.tpircsw" nocase
        // decoder loops: Chr(Str(i)-18), Chr(Asc(Mid(s,i,1)) Xor k), Chr(CLng("&H" & ...))
        $dec1 = /chrw?\([a-z_]\w{0,20}\([a-z_]\w{0,10}\) ?[-+] ?\d/ nocase
        $dec2a = "chr(ascb(midb(" nocase
        $dec2b = "chr(asc(mid(" nocase
        $dec3 = /chrw?\s*\(\s*(clng|cint)\s*\(\s*"&h"/ nocase
        // character-by-character decoders and filler removal: Mid(s,i,1), Replace(s,"0","")
        $dec4 = /mid\([a-z_]\w{0,20}, ?[a-z_]\w{0,5}, ?1\)/ nocase
    condition:
        $direct or
        (ExSweep_VBS_Syntax and
         ($fncall or (ExSweep_VBS_Exec_Statement and (any of ($rev_*) or any of ($dec*)))))
}

rule ExSweep_ASP_Execute_Remote_Code
{
    meta:
        description = "Classic ASP that downloads script text over HTTP (XMLHTTP/WinHttp) and runs it with Execute/ExecuteGlobal (remote-controlled webshell)"
        family = "chopper"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        $h1 = "XMLHTTP" nocase
        $h2 = "WinHttp.WinHttpRequest" nocase
        $r1 = ".responseBody" nocase
        $r2 = ".responseText" nocase
    condition:
        any of ($h*) and any of ($r*) and ExSweep_VBS_Exec_Statement and ExSweep_VBS_Syntax
}

rule ExSweep_ASP_ScriptControl_Request
{
    meta:
        description = "Classic ASP that hands request data or the ASP intrinsic objects to another script engine (MSScriptControl AddCode/ExecuteStatement, custom runners)"
        family = "chopper"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        $obj = "ScriptControl" nocase
        $call1 = ".AddCode" nocase
        $call2 = ".ExecuteStatement" nocase
        $call3 = ".Eval" nocase
        $call4 = ".Run" nocase
        $req1 = "request(" nocase
        $req2 = "request.form" nocase
        $req3 = "request.querystring" nocase
        $req4 = "Request.Item"
        // the Request object handed to a script engine: .AddObject "request", Request
        $expose = /\.AddObject[ \t(]{1,4}[^,\r\n]{1,60},\s*request\b/ nocase

        // all ASP intrinsic objects handed over: o.Run "x",Server,Response,Request,Application,Session
        $intr1 = "Server,Response,Request,Application,Session" nocase
        $intr2 = "Application,Request,Response,Server,Session" nocase
        $intr3 = "Server, Response, Request, Application, Session" nocase
    condition:
        ($obj and any of ($call*) and any of ($req*)) or ($expose and ($call1 or $call2)) or any of ($intr*)
}

rule ExSweep_ASP_UTF7_Codepage
{
    meta:
        description = "ASP page declaring the UTF-7 code page (65000) to hide script from filters"
        family = "obfuscation"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1027/"
        author = "exsweep"
    strings:
        $cp1 = "codepage=65000" nocase
        $cp2 = "codepage = 65000" nocase
        $cp3 = "codepage=\"65000\"" nocase
        $cp4 = "codepage='65000'" nocase
    condition:
        any of them
}

rule ExSweep_ASP_Encoded_Script
{
    meta:
        description = "Server-side script encoded with the Microsoft Script Encoder (VBScript.Encode/JScript.Encode), used to hide webshells"
        family = "obfuscation"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1027/"
        author = "exsweep"
    strings:
        $lang1 = /<%\s*@[^%>]{0,120}language\s*=\s*["']?\s*(vbscript|jscript)\.encode/ nocase
        $lang2 = "script.encode\"" nocase
        $marker = "#@~^"
    condition:
        $lang1 or ($lang2 and $marker)
}

rule ExSweep_ASP_Embedded_PE_Dropper
{
    meta:
        description = "Server-side script that builds a Windows executable (MZ header) from character codes or hex to drop it to disk"
        family = "dropper"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1027/"
        author = "exsweep"
    strings:
        $mz_chr = /chrw?\(\s*77\s*\)\s*[&+]\s*chrw?\(\s*90\s*\)\s*[&+]\s*chrw?\(\s*144\s*\)/ nocase
        $mz_hex = "\"4d5a900003000000040000" nocase
        $w1 = "SaveToFile" nocase
        $w2 = "CreateTextFile" nocase
        $w3 = "OpenTextFile" nocase
        $w4 = "WriteAllBytes" nocase
    condition:
        any of ($mz*) and any of ($w*)
}
