/*
 * China Chopper-style evaluators written in C#/VB.NET: the JScript.NET
 * engine driven from C#, and reflection that invokes types or methods
 * named by the request.  Part of exsweep, see README.md.
 */

private rule ExSweep_CSharp_User_Input
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

rule ExSweep_JScript_Engine_From_CSharp
{
    meta:
        description = "C#/VB.NET code evaluating request data with the JScript.NET engine (Microsoft.JScript Eval.JScriptEvaluate/VsaEngine)"
        family = "chopper"
        severity = "high"
        reference = "https://www.mandiant.com/resources/blog/breaking-down-the-china-chopper-web-shell-part-ii"
        author = "exsweep"
    strings:
        $e1 = "JScriptEvaluate"
        $e2 = "VsaEngine.CreateEngine"
    condition:
        ($e1 or $e2) and ExSweep_CSharp_User_Input
}

rule ExSweep_CSharp_Reflection_Invoke_Request
{
    meta:
        description = "ASP.NET code that resolves a type/method/COM object by a name taken from the request and invokes it (Type.GetType/GetMethod/InvokeMember/GetTypeFromProgID of request input)"
        family = "chopper"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        $r1 = /Type\.GetType(FromProgID|FromCLSID)?\s*\(\s*(HttpContext\.Current\.|context\.|Context\.)?Request\s*[\[\(.]/
        $r2 = /\.(GetMethod|InvokeMember|GetProperty)\s*\(\s*(HttpContext\.Current\.|context\.|Context\.)?Request\s*[\[\(.]/
        $r3 = /Activator\.CreateInstance\s*\(\s*Type\.GetType(FromProgID)?\s*\(\s*[^;)]{0,40}Request\s*[\[\(.]/
    condition:
        any of them
}
