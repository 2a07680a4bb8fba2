/*
 * Upload, download-to-disk and file manager webshells: request data or a
 * remote file written to disk, and multi-function file managers.
 * Part of exsweep, see README.md.
 */

private rule ExSweep_FMU_User_Input
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

rule ExSweep_ASPX_Upload_Request_Path
{
    meta:
        description = "ASP.NET upload that saves the posted file to a path chosen by the request (SaveAs(Request...)/SaveAs(textbox))"
        family = "upload"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        $s1 = /\.SaveAs\s*\([^;\r\n]{0,120}Request\s*(\.\s*(Item|Form|QueryString|Params|Cookies|Headers)\s*)?[\[\(]/ nocase
        $s2 = /\.SaveAs\s*\([^;\r\n]{0,120}\.(Text|Value)\b/ nocase
    condition:
        any of them
}

rule ExSweep_ASPX_Write_Request_To_File
{
    meta:
        description = "ASP.NET code writing request data to a file (File.WriteAllBytes/WriteAllText/StreamWriter/FileStream fed by the request)"
        family = "upload"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1105/"
        author = "exsweep"
    strings:
        $w1 = /(WriteAllBytes|WriteAllText|AppendAllText)\s*\([^;]{0,120}Request\s*(\.\s*(Item|Form|QueryString|Params|Cookies|Headers)\s*)?[\[\(]/ nocase
        $w2 = /(StreamWriter|FileStream)\((Server\.MapPath\()?\s?Request\s*(\.\s*(Item|Form|QueryString|Params)\s*)?[\[\(]/ nocase
        $w3 = /(WriteAllBytes|WriteAllText)\s*\([^;]{0,120}FromBase64String\s*\(/ nocase
        // path and content both from form fields: new StreamWriter(txtPath.Text) ... sw.Write(txtBody.Text)
        $t1 = /(StreamWriter|FileStream|FileInfo|CreateText|OpenWrite)\s*\(\s*(this\.)?\w{1,40}\.Text\b/
        $t2 = /\.Write(Line)?\s*\(\s*(this\.)?\w{1,40}\.Text\s*\)/
    condition:
        $w1 or $w2 or ($w3 and ExSweep_FMU_User_Input) or ($t1 and $t2)
}

rule ExSweep_ASP_Write_Request_To_File
{
    meta:
        description = "Classic ASP that writes request data to a file (FileSystemObject CreateTextFile/OpenTextFile or ADODB.Stream SaveToFile)"
        family = "upload"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1105/"
        author = "exsweep"
    strings:
        $fso1 = "FileSystemObject" nocase
        $fso2 = /"scr"\s*&\s*"ipt|"script"\s*&\s*"ing|"scripting\."\s*&|"scripting"\s*&\s*"\./ nocase
        $fso3 = "0D43FE01-F093-11CF-8940-00A0C9054228" nocase
        $ct1 = ".CreateTextFile" nocase
        $ct2 = ".OpenTextFile" nocase
        $wr = ".write" nocase
        $st = "ADODB.Stream" nocase
        $st2 = ".SaveToFile" nocase
        $st3 = ".writetext" nocase
        $br = "Request.BinaryRead" nocase
    condition:
        ExSweep_FMU_User_Input and
        ( (any of ($fso*) and any of ($ct*) and $wr) or ($st and $st2 and ($st3 or $br)) )
}

rule ExSweep_Remote_Download_To_Disk
{
    meta:
        description = "Server-side script downloading a remote file (XMLHTTP/WinHttp/WebClient) and saving it to disk, a webshell dropper"
        family = "upload"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1105/"
        author = "exsweep"
    strings:
        $h1 = "XMLHTTP" nocase
        $h2 = "WinHttp.WinHttpRequest" nocase
        $s1 = "ADODB.Stream" nocase
        $s2 = ".SaveToFile" nocase
        $s3 = ".ResponseBody" nocase
        $s4 = ".responseStream" nocase
        $n1 = ".DownloadFile("
        $n2 = "WebClient("
    condition:
        (any of ($h*) and $s1 and $s2 and ($s3 or $s4)) or
        ($n1 and $n2 and ExSweep_FMU_User_Input)
}

rule ExSweep_ASP_File_Manager
{
    meta:
        description = "Classic ASP multi-function webshell: FileSystemObject/Shell/Stream file operations driven by request parameters"
        family = "filemanager"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        $fso1 = "FileSystemObject" nocase
        $fso2 = /"scr"\s*&\s*"ipt|"script"\s*&\s*"ing|"scripting\."\s*&|"scripting"\s*&\s*"\./ nocase
        $fso3 = "0D43FE01-F093-11CF-8940-00A0C9054228" nocase
        $op1 = ".DeleteFile" nocase
        $op2 = ".DeleteFolder" nocase
        $op3 = ".CopyFile" nocase
        $op4 = ".MoveFile" nocase
        $op5 = ".CreateFolder" nocase
        $op6 = ".GetFolder" nocase
        $op7 = ".Drives" nocase
        $op8 = "TextFile" nocase            // CreateTextFile/OpenTextFile
        $op9 = ".SaveToFile" nocase
        $op10 = ".Attributes" nocase
        $op11 = "wscript.shell" nocase
        $op12 = "shell.application" nocase
        $op13 = "Folder " nocase           // MoveFolder/CopyFolder
        $op14 = "BinaryRead" nocase
        $op15 = ".DateLastModified" nocase
        $op16 = ".LoadFromFile" nocase
        $op17 = "AppendChunk" nocase
    condition:
        any of ($fso*) and ExSweep_FMU_User_Input and 5 of ($op*)
}

rule ExSweep_ASPX_File_Manager
{
    meta:
        description = "ASP.NET multi-function webshell: directory browsing, file delete/move/upload, drives, command or database access driven by request parameters"
        family = "filemanager"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        $op1 = "GetLogicalDrives"
        $op2 = "GetDrives"
        $op3 = "File.Delete"
        $op4 = "Directory.Delete"
        $op5 = "File.Move"
        $op6 = "File.Copy"
        $op7 = ".SaveAs("
        $op8 = "ProcessStartInfo"
        $op9 = "cmd.exe" nocase
        $op10 = "SetCreationTime"
        $op11 = "SetLastWriteTime"
        $op12 = "SqlConnection("
        $op13 = "OleDbConnection("
        $op14 = "RegistryKey"
        $op15 = "TransmitFile("
        $op16 = "TcpClient("
        $op17 = "Directory.CreateDirectory"
        $op18 = "WindowsIdentity"
        $op19 = "Win32_"
        $op20 = ".Attributes ="
    condition:
        ExSweep_FMU_User_Input and 6 of ($op*)
}

rule ExSweep_UTF16_Server_Page
{
    meta:
        description = "UTF-16LE encoded ASP/ASP.NET page (BOM + wide text) with request input and command, file or assembly capabilities; the encoding hides it from byte-pattern scanners"
        family = "obfuscation"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1027/"
        author = "exsweep"
    strings:
        $d1 = "<%@" wide
        $d2 = "runat=" wide
        $in = "Request" wide
        $c1 = "ProcessStartInfo" wide
        $c2 = "cmd.exe" wide
        $c3 = "WScript.Shell" wide
        $c4 = "FileSystemObject" wide
        $c5 = "Assembly.Load" wide
        $c6 = ".SaveAs(" wide
        $c7 = "File.Delete" wide
    condition:
        uint16(0) == 0xFEFF and any of ($d*) and $in and 2 of ($c*)
}

rule ExSweep_Writes_Server_Page
{
    meta:
        description = "Server-side code that creates a script page (.aspx/.asp/.ashx/.asmx/.asa/.cer) on disk, i.e. a webshell dropper or include injector"
        family = "upload"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        $api1 = "CreateText" nocase
        $api2 = "WriteAllText"
        $api3 = "AppendAllText"
        $api4 = "StreamWriter("
        $api5 = "OpenTextFile" nocase
        $api6 = "SaveToFile" nocase
        $api7 = "WriteAllBytes"
        $ext_aspx_d = ".aspx\"" nocase
        $ext_aspx_s = ".aspx'" nocase
        $ext_asp_d = ".asp\"" nocase
        $ext_asp_s = ".asp'" nocase
        $ext_ashx_d = ".ashx\"" nocase
        $ext_ashx_s = ".ashx'" nocase
        $ext_asmx_d = ".asmx\"" nocase
        $ext_asmx_s = ".asmx'" nocase
        $ext_asa_d = ".asa\"" nocase
        $ext_asa_s = ".asa'" nocase
        $ext_cer_d = ".cer\"" nocase
        $ext_cer_s = ".cer'" nocase
        $ext_cdx_d = ".cdx\"" nocase
        $ext_cdx_s = ".cdx'" nocase
    condition:
        // the script-page name is an argument of the write call: within 100 bytes after it
        for any of ($api*) : ( for any i in (1..#) : ( any of ($ext*) in (@[i] .. @[i] + 100) ) )
}
