/*
 * Webshells that compile or interpret code received in the request at
 * runtime: CodeDom providers, Roslyn scripting, XSLT script blocks.
 * Part of exsweep, see README.md.
 */

private rule ExSweep_Compile_User_Input
{
    meta:
        description = "Helper: input from the HTTP request (Request collections, raw body), a server-side text box or web method arguments"
        family = "helper"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        $in1a = "Request[" nocase
        $in1b = "Request(" nocase
        $in1c = "Request [" nocase
        $in1d = "Request (" nocase
        $in1e = "Request.Form" nocase
        $in1f = "Request.QueryString" nocase
        $in1g = "Request.Item" nocase
        $in1h = "Request.Params" nocase
        $in1i = "Request.Cookies" nocase
        $in1j = "Request.Headers" nocase
        $in1k = "Request.InputStream" nocase
        $in1l = "Request.BinaryRead" nocase
        $in1m = "Request.Files" nocase
        $in2 = "<asp:TextBox"
        $in3 = "[WebMethod"
    condition:
        any of them
}

rule ExSweep_CodeDom_Compile_Request
{
    meta:
        description = "ASP.NET code compiling source from the request with CodeDom (CompileAssemblyFromSource) and running it"
        family = "runtime_compile"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1027/004/"
        author = "exsweep"
    strings:
        $p1 = "CodeProvider"
        $p2 = "CodeDomProvider.CreateProvider"
        $c1 = "CompileAssemblyFromSource"
        $c2 = "CompileAssemblyFromDom"
        $c3 = ".CreateCompiler("
        $r1 = "CSharpScript."
    condition:
        ((any of ($p*) and any of ($c*)) or $r1) and ExSweep_Compile_User_Input
}

rule ExSweep_XSLT_Script_Request
{
    meta:
        description = "Server-side code that runs an XSLT stylesheet with an msxsl:script block (compiled C#/JScript) together with request input or process execution, or enables XSLT script on a stylesheet decoded from input"
        family = "runtime_compile"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1220/"
        author = "exsweep"
    strings:
        $xs = "msxsl:script" nocase
        $t1 = "XslCompiledTransform"
        $t2 = "XslTransform"
        $t3 = "EnableScript"
        $t4 = "transformNode(" nocase
        $t5 = "DOMDocument" nocase
        $t6 = "Microsoft.XMLDOM" nocase
        $px1 = "Process.Start"
        $px2 = "ProcessStartInfo"
        $px3 = "wscript.shell" nocase
        // script enabled on a stylesheet that is decoded at run time (not shipped with the site)
        $en1 = "EnableScript = true"
        $en2 = "EnableScript=true"
        $en3 = "XsltSettings(true"
        $en4 = "XsltSettings(false, true)"
        $b64 = "FromBase64String("
    condition:
        ($xs and any of ($t*) and (any of ($px*) or ExSweep_Compile_User_Input)) or
        ($t1 and any of ($en*) and $b64 and ExSweep_Compile_User_Input)
}
