/*
 * Command execution webshells: cmd.exe/powershell started from request
 * input in ASP.NET (C#, VB.NET) and classic ASP, WMI process creation,
 * P/Invoke CreateProcess, PowerShell runspaces, SQL Server xp_cmdshell,
 * Serv-U local administration abuse.  Part of exsweep, see README.md.
 */

private rule ExSweep_Cmd_User_Input
{
    meta:
        description = "Helper: input from the HTTP request (Request collections, raw body) or a server-side text box"
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

rule ExSweep_ASPX_Process_Request
{
    meta:
        description = "ASP.NET page/handler that starts cmd.exe or powershell (Process/ProcessStartInfo) with input from the request or a form field"
        family = "cmd"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        $proc1 = "ProcessStartInfo"
        $proc2 = "Process.Start"
        $proc3 = "new Process("
        $proc6 = "New Process("
        $proc4 = "Diagnostics.Process("
        $proc5 = "StartInfo."
        $sh1 = "cmd.exe" nocase
        $sh2 = "powershell" nocase
        $sh3 = "\"cmd\"" nocase
        $sh4 = "\"/c " nocase
        $sh5 = "'/c " nocase
        $sh6 = "StandardInput.Write"
        // the process fed straight from the request
        $flow1 = /StartInfo\.(FileName|Arguments)\s?=\s?[^;\r\n]{0,60}Request\s*[\[\(.]/ nocase
        $flow3 = /\.Arguments\s?=\s?[^;\r\n]{0,60}Request\s*[\[\(.]/ nocase
        $flow2 = /(Process\s*\.\s*Start|new\s+(System\.Diagnostics\.)?ProcessStartInfo)\s*\([^;]{0,80}Request\s*[\[\(.]/ nocase
        // the command line arrives base64-encoded: Process.Start(..., Encoding.GetString(Convert.FromBase64String(input)))
        $b64 = "FromBase64String("
    condition:
        any of ($flow*) or
        (any of ($proc*) and (any of ($sh*) or $b64) and ExSweep_Cmd_User_Input)
}

rule ExSweep_ASP_WScript_Shell_Exec
{
    meta:
        description = "Classic ASP/ASP.NET that runs commands through WScript.Shell or Shell.Application (Exec/Run/ShellExecute) with request input"
        family = "cmd"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        $o1 = "wscript.shell" nocase
        $o2 = "shell.application" nocase
        $o3 = "72C24DD5-D70A-438B-8A42-98424B88AFB8" nocase  // WScript.Shell CLSID
        $o4 = "F935DC22-1CF0-11D0-ADB9-00C04FD58A0B" nocase  // WshShell CLSID
        $o5 = "13709620-C279-11CE-A49E-444553540000" nocase  // Shell.Application CLSID
        $x1 = ".exec" nocase
        $x2 = ".run" nocase
        $x3 = ".shellexecute" nocase
    condition:
        any of ($o*) and any of ($x*) and ExSweep_Cmd_User_Input
}

rule ExSweep_WMI_Process_Create
{
    meta:
        description = "Server-side script that creates processes through WMI Win32_Process.Create with request input"
        family = "cmd"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1047/"
        author = "exsweep"
    strings:
        $w = "Win32_Process" nocase
        $c1 = ".Create" nocase
        $c2 = "\"Create\"" nocase
    condition:
        $w and any of ($c*) and ExSweep_Cmd_User_Input
}

rule ExSweep_PowerShell_Runspace_Request
{
    meta:
        description = "ASP.NET code hosting a PowerShell runspace/pipeline that runs script taken from the request"
        family = "cmd"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1059/001/"
        author = "exsweep"
    strings:
        $r1 = "RunspaceFactory.CreateRunspace"
        $r2 = "PowerShell.Create("
        $s1 = ".AddScript("
        $s2 = ".AddCommand("
        $s3 = ".CreatePipeline("
    condition:
        any of ($r*) and any of ($s*) and ExSweep_Cmd_User_Input
}

rule ExSweep_ASPX_PInvoke_CreateProcess
{
    meta:
        description = "ASP.NET page importing CreateProcess/WinExec from kernel32/advapi32 through P/Invoke and feeding it request input"
        family = "cmd"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1106/"
        author = "exsweep"
    strings:
        $imp1 = "DllImport(\"kernel32" nocase
        $imp2 = "DllImport(\"advapi32" nocase
        $fn1 = "CreateProcess"
        $fn2 = "WinExec("
    condition:
        any of ($imp*) and any of ($fn*) and ExSweep_Cmd_User_Input
}

rule ExSweep_SQL_Command_Exec
{
    meta:
        description = "Server-side script that runs OS commands or COM objects through SQL Server (xp_cmdshell, sp_OACreate) with request input"
        family = "cmd"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/001/"
        author = "exsweep"
    strings:
        $x1 = "xp_cmdshell" nocase
        $x2 = "sp_oacreate" nocase
        $x3 = "sp_addextendedproc" nocase
        $db1 = "adodb.connection" nocase
        $db2 = "SqlConnection" nocase
        $db3 = "OleDbConnection" nocase
        $db4 = "OdbcConnection" nocase
    condition:
        any of ($x*) and any of ($db*) and ExSweep_Cmd_User_Input
}

rule ExSweep_ServU_Local_Admin_Abuse
{
    meta:
        description = "Script that drives the Serv-U local administration port (SITE MAINTENANCE/-SETUSERSETUP) to create a privileged FTP user and run commands"
        family = "cmd"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1068/"
        author = "exsweep"
    strings:
        $a = "-SETUSERSETUP" nocase
        $b = "SITE MAINTENANCE" nocase
        $c = "-DELETEDOMAIN" nocase
    condition:
        2 of them
}
