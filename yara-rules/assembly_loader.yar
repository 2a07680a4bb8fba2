/*
 * In-memory .NET payload loaders (Behinder, Godzilla, AntSword and similar
 * "encrypted payload" webshells).
 * Part of exsweep, see README.md.
 */

private rule ExSweep_Loader_User_Input
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

rule ExSweep_Assembly_Load_Request
{
    meta:
        description = "ASP.NET code that loads a .NET assembly from request bytes (Assembly.Load of BinaryRead/InputStream/base64 form data), usually decrypted and instantiated"
        family = "assembly_loader"
        severity = "high"
        reference = "https://unit42.paloaltonetworks.com/manageengine-godzilla-nglite-kdcsponge/"
        author = "exsweep"
    strings:
        $l1 = "Assembly.Load"
        $l2 = "GetMethod(\"Load\""
        $l3 = "typeof(System.Reflection.Assembly)"
        $l4 = "typeof(Assembly)"
        $in2 = /FromBase64String\s*\([^;]{0,60}Request/ nocase
        $in4 = "Request.ContentLength"
        $k1 = "CreateDecryptor("
        $k2 = "TransformFinalBlock("
        $k3 = "& 15]"
        $k4 = "&15]"
        $i1 = ".CreateInstance("
        $i2 = "GetMethod(\"CreateInstance\""
    condition:
        (any of ($l*)) and (any of ($in*) or ExSweep_Loader_User_Input) and (any of ($k*) or any of ($i*))
}

rule ExSweep_Assembly_Payload_In_Session
{
    meta:
        description = "ASP.NET code keeping a loaded .NET assembly (payload) in Session/Application state between requests (Godzilla-style)"
        family = "assembly_loader"
        severity = "high"
        reference = "https://unit42.paloaltonetworks.com/manageengine-godzilla-nglite-kdcsponge/"
        author = "exsweep"
    strings:
        $cast1 = "(System.Reflection.Assembly)"
        $cast2 = "(Assembly)"
        $st1 = "Session["
        $st2 = "Application["
        $ld1 = "Assembly.Load"
        $ld2 = "\"Load\""
        $ci = "CreateInstance("
    condition:
        any of ($cast*) and any of ($st*) and any of ($ld*) and $ci
}

rule ExSweep_ASP_BinaryRead_Decrypt_Execute
{
    meta:
        description = "Classic ASP that reads the raw request body, decrypts it (XOR/AES) and executes it (Behinder/AntSword-style ASP server)"
        family = "assembly_loader"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        $br = "Request.BinaryRead" nocase
        $x1a = ") xor " nocase
        $x1b = ")xor" nocase
        $x2a = "ascb(" nocase
        $x2b = "midb(" nocase
        $sink1 = "execute" nocase
        $sink2 = "eval" nocase
    condition:
        $br and any of ($x1*) and any of ($x2*) and any of ($sink*)
}
