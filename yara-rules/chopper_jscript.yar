/*
 * China Chopper and other one-line "eval the request" webshells in JScript
 * (ASP.NET JScript.NET pages, classic ASP JScript) and the generic direct
 * form that also covers VBScript.  Part of exsweep, see README.md.
 */

rule ExSweep_Chopper_Eval_Request_Direct
{
    meta:
        description = "Server-side eval/Execute applied directly to HTTP request input (China Chopper style one-liner)"
        family = "chopper"
        severity = "high"
        reference = "https://www.mandiant.com/resources/blog/breaking-down-the-china-chopper-web-shell-part-i"
        author = "exsweep"
    strings:
        // eval(Request.Item["x"],"unsafe") / eval request("x") / Execute(Request.Form("x"))
        $direct = /\b(eval|execute(global)?)[\s\(]{1,8}(System\.Web\.)?(HttpContext\.Current\.|this\.|Page\.|Context\.)?request\s*(\.\s*(item|form|querystring|params|cookies|headers|servervariables)\s*)?[\[\(]/ nocase
    condition:
        $direct
}

rule ExSweep_Chopper_JScript_Eval_Unsafe
{
    meta:
        description = "JScript.NET eval() with the \"unsafe\" option (full trust code evaluation), the China Chopper ASPX server"
        family = "chopper"
        severity = "high"
        reference = "https://www.microsoft.com/en-us/security/blog/2021/03/02/hafnium-targeting-exchange-servers/"
        author = "exsweep"
    strings:
        // eval(x, "unsafe"): "unsafe" (ASCII, typographic UTF-8 or GBK quotes) as the last argument
        $u1 = /[,+]\s*("|'|\xe2\x80[\x9c\x9d]|\xa1[\xb0\xb1])unsafe("|'|\xe2\x80[\x9c\x9d]|\xa1[\xb0\xb1])\s*\)/
        // "unsafe" spelled with escapes: \x75\x6e\x73\x61\x66\x65, \u0075\u006e...
        $u2 = "\\x75\\x6e\\x73\\x61" nocase
        $u3 = "\\u0075\\u006e\\u0073" nocase
        $ev1 = "eval("
        $ev2 = "eval ("
    condition:
        any of ($u*) and any of ($ev*)
}

rule ExSweep_Chopper_JScript_Server_Eval
{
    meta:
        description = "Server-side JScript page that evaluates request data indirectly (variable, alias of eval, two-argument eval)"
        family = "chopper"
        severity = "high"
        reference = "https://www.mandiant.com/resources/blog/breaking-down-the-china-chopper-web-shell-part-ii"
        author = "exsweep"
    strings:
        // <%@ Page Language="Jscript" %>, <%@ LANGUAGE=JavaScript %>
        $ctx1 = /<\s?%\s*@\s*((Page|WebService|WebHandler|Control|Master|Application)\s[^>]{0,80})?Language\s*=\s*[^A-Za-z>]{0,4}(JScript|JS|JavaScript)\b/ nocase
        // <script runat="server" language="JScript">, either attribute order: a
        // JScript language attribute and runat=server a few bytes after the same
        // "<script" (see the condition). Plain strings with a rarely hit regex:
        // a regex anchored on "<script" costs a regex run per client script tag.
        $tag = "<script" nocase
        $lang = /language\s*=\s*[^A-Za-z>]{0,2}(jscript|javascript|js)\b/ nocase
        $run1 = "runat=\"server\"" nocase
        $run2 = "runat=server" nocase
        $run3 = "runat='server'" nocase
        $run4 = "runat = \"server\"" nocase
        $req1 = "Request[" nocase
        $req2 = "Request(" nocase
        $req3 = "Request [" nocase
        $req4 = "Request (" nocase
        $req5 = "Request.Item" nocase
        $req6 = "Request.Form" nocase
        $req7 = "Request.QueryString" nocase
        $req8 = "Request.Params" nocase
        $req9 = "Request.Cookies" nocase
        $req10 = "Request.Headers" nocase
        $ev_call1 = "eval("
        $ev_call2 = "eval ("
        // eval used as a value: {'E': eval}, var f = eval;, return eval
        $ev_alias = /([:=,(]\s*|return\s{1,8})eval\s*[,;})\r\n]/
        // eval(code, option): only JScript.NET takes a second (security) argument
        // eval of decoded text: eval(...FromBase64String(...)), eval(unescape(...))
        $dec1 = "FromBase64String("
        $dec2 = "fromCharCode("
        $dec3 = "unescape("
        $dec4 = "decodeURIComponent("
        // eval inside a JScript.NET web service method: the method arguments are the request
        $wm = "WebMethod"
        $ev_two = /\beval\s*\([\w.$\[\]"'\/* \t-]{1,80},[^);]/
    condition:
        ( $ctx1 or
          for any k in (1..#tag) : ( $lang in (@tag[k] .. @tag[k] + 130) and
                                     any of ($run*) in (@tag[k] .. @tag[k] + 280) ) ) and
        ( $ev_two or (any of ($dec*) and any of ($ev_call*)) or ((any of ($req*) or $wm) and (any of ($ev_call*) or any of ($ev_alias*))) )
}

rule ExSweep_Chopper_Encoded_Keywords
{
    meta:
        description = "Server-side script that spells eval/request/execute/unsafe with character codes or escapes to hide a Chopper-style evaluator"
        family = "chopper"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1027/"
        author = "exsweep"
    strings:
        // "request"/"eval"/"exec" as chr() codes: chr(114)&chr(101)&chr(113)...
        $c_req1 = "chr(114)&chr(101)&chr(113)" nocase
        $c_req2 = "chr(114)+chr(101)+chr(113)" nocase
        $c_req3 = "chr(114) & chr(101) & chr(113)" nocase
        $c_eval1 = "chr(101)&chr(118)&chr(97)&chr(108)" nocase
        $c_eval2 = "chr(101)+chr(118)+chr(97)+chr(108)" nocase
        $c_exec1 = "chr(101)&chr(120)&chr(101)&chr(99)" nocase
        $c_exec2 = "chr(101)+chr(120)+chr(101)+chr(99)" nocase
        // String.fromCharCode(101,118,97,108) (eval) / (114,101,113,117) (requ)
        $f_eval = "fromCharCode(101,118,97,108"
        $f_req = "fromCharCode(114,101,113,117"
        // \u0065\u0076\u0061\u006c (eval), \x65\x76\x61\x6c, ... in JScript identifiers/strings
        $u_eval = "\\u0065\\u0076\\u0061\\u006c" nocase
        $u_req = "\\u0065\\u0071\\u0075\\u0065\\u0073\\u0074" nocase
        $x_eval = "\\x65\\x76\\x61\\x6c" nocase
        $x_req = "\\x65\\x71\\x75\\x65\\x73\\x74" nocase
        // eval/Request split into one-letter string concatenations
        $s_eval1 = "\"e\"+\"v\"+\"a\"+\"l\"" nocase
        $s_eval2 = "\"e\"&\"v\"&\"a\"&\"l\"" nocase
        $s_req1 = "\"r\"+\"e\"+\"q\"+\"u\"" nocase
        $s_req2 = "\"r\"&\"e\"&\"q\"&\"u\"" nocase
        $s_exec1 = "\"e\"+\"x\"+\"e\"+\"c\"" nocase
        $s_exec2 = "\"e\"&\"x\"&\"e\"&\"c\"" nocase
        $sink1 = "eval" nocase
        $sink2 = "execute" nocase
    condition:
        any of ($sink*) and any of ($c_*, $f_*, $u_*, $x_*, $s_*)
}
