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
        $in1 = /request\s*(\.\s*(item|form|querystring|params|cookies|headers)\s*)?[\[\(]/ nocase ascii wide
        $in2 = /request\s*\.\s*(form|querystring|headers|params|cookies)\s*\.\s*get\s*\(/ nocase ascii wide
        $in3 = /request\s*\.\s*(inputstream|binaryread|files)\b/ nocase ascii wide
        $in4 = /<asp:textbox\b/ nocase ascii wide
        $in5 = /\[\s*WebMethod\b/ ascii wide
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
        $s1 = /\.SaveAs\s*\([^;\r\n]{0,120}Request\s*(\.\s*(Item|Form|QueryString|Params|Cookies|Headers)\s*)?[\[\(]/ nocase ascii wide
        $s2 = /\.SaveAs\s*\([^;\r\n]{0,120}\.(Text|Value)\b/ nocase ascii wide
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
        $w1 = /(WriteAllBytes|WriteAllText|AppendAllText)\s*\([^;]{0,120}Request\s*(\.\s*(Item|Form|QueryString|Params|Cookies|Headers)\s*)?[\[\(]/ nocase ascii wide
        $w2 = /new\s+(System\.IO\.)?(StreamWriter|FileStream)\s*\(\s*(Server\.MapPath\s*\()?\s*Request\s*(\.\s*(Item|Form|QueryString|Params)\s*)?[\[\(]/ nocase ascii wide
        $w3 = /(WriteAllBytes|WriteAllText)\s*\([^;]{0,120}FromBase64String\s*\(/ nocase ascii wide
        $w4 = /(WriteAllBytes|WriteAllText|AppendAllText|SaveAs)\s*\(\s*(Server\.MapPath\s*\()?\s*(context\.|HttpContext\.Current\.)?Request\s*(\.\s*(Item|Form|QueryString|Params)\s*)?[\[\(]/ nocase ascii wide
    condition:
        $w1 or $w2 or $w4 or ($w3 and ExSweep_FMU_User_Input)
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
        $fso1 = "FileSystemObject" nocase ascii wide
        $fso2 = /"scr"\s*&\s*"ipt|"script"\s*&\s*"ing|"scripting\."\s*&|"scripting"\s*&\s*"\./ nocase
        $fso3 = "0D43FE01-F093-11CF-8940-00A0C9054228" nocase ascii wide
        $ct = /\.(CreateTextFile|OpenTextFile)\s*[\( ]/ nocase ascii wide
        $wr = /\.write(line)?\b/ nocase ascii wide
        $st = "ADODB.Stream" nocase ascii wide
        $st2 = /\.SaveToFile\b/ nocase ascii wide
        $st3 = /\.writetext\b/ nocase ascii wide
        $br = /request\s*\.\s*BinaryRead\s*\(/ nocase ascii wide
    condition:
        ExSweep_FMU_User_Input and
        ( (any of ($fso*) and $ct and $wr) or ($st and $st2 and ($st3 or $br)) )
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
        $h1 = /(Microsoft|MSXML2)\.(Server)?XMLHTTP/ nocase ascii wide
        $h2 = "WinHttp.WinHttpRequest" nocase ascii wide
        $s1 = "ADODB.Stream" nocase ascii wide
        $s2 = /\.SaveToFile\b/ nocase ascii wide
        $s3 = /\.(ResponseBody|responseStream)\b/ nocase ascii wide
        $n1 = /\.DownloadFile\s*\(/ ascii wide
        $n2 = /new\s+(System\.Net\.)?WebClient\s*\(/ nocase ascii wide
    condition:
        (any of ($h*) and $s1 and $s2 and $s3) or
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
        $fso1 = "FileSystemObject" nocase ascii wide
        $fso2 = /"scr"\s*&\s*"ipt|"script"\s*&\s*"ing|"scripting\."\s*&|"scripting"\s*&\s*"\./ nocase
        $fso3 = "0D43FE01-F093-11CF-8940-00A0C9054228" nocase ascii wide
        $op1 = /\.DeleteFile\b/ nocase ascii wide
        $op2 = /\.DeleteFolder\b/ nocase ascii wide
        $op3 = /\.CopyFile\b/ nocase ascii wide
        $op4 = /\.MoveFile\b/ nocase ascii wide
        $op5 = /\.CreateFolder\b/ nocase ascii wide
        $op6 = /\.GetFolder\b/ nocase ascii wide
        $op7 = /\.Drives\b/ nocase ascii wide
        $op8 = /\.(CreateTextFile|OpenTextFile)\b/ nocase ascii wide
        $op9 = /\.SaveToFile\b/ nocase ascii wide
        $op10 = /\.Attributes\s*=/ nocase ascii wide
        $op11 = /wscript\.shell|shell\.application/ nocase ascii wide
        $op12 = /\.(MoveFolder|CopyFolder)\b/ nocase ascii wide
        $op13 = /Request\s*\.\s*BinaryRead\b/ nocase ascii wide
        $op14 = /\.DateLastModified\s*=|\.ParseName\b|\.ModifyDate\s*=/ nocase ascii wide
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
        $op1 = /Directory\s*\.\s*GetLogicalDrives|DriveInfo\s*\.\s*GetDrives|Environment\s*\.\s*GetLogicalDrives/ ascii wide
        $op2 = /File\s*\.\s*Delete\s*\(/ ascii wide
        $op3 = /Directory\s*\.\s*Delete\s*\(/ ascii wide
        $op4 = /(File|Directory)\s*\.\s*Move\s*\(/ ascii wide
        $op5 = /File\s*\.\s*Copy\s*\(/ ascii wide
        $op6 = /\.SaveAs\s*\(/ ascii wide
        $op7 = /ProcessStartInfo|Process\s*\.\s*Start\s*\(/ ascii wide
        $op8 = "cmd.exe" nocase ascii wide
        $op9 = /(File|Directory)\s*\.\s*Set(Creation|LastWrite|LastAccess)Time/ ascii wide
        $op10 = /\.Attributes\s*=/ ascii wide
        $op11 = /new\s+(System\.Data\.SqlClient\.)?(SqlConnection|OleDbConnection|OdbcConnection)\s*\(/ nocase ascii wide
        $op12 = /Registry\s*\.\s*(LocalMachine|CurrentUser)|RegistryKey\b/ ascii wide
        $op13 = /TransmitFile\s*\(|WriteFile\s*\(/ ascii wide
        $op14 = /new\s+(System\.Net\.Sockets\.)?(TcpClient|Socket)\s*\(/ nocase ascii wide
        $op15 = /Directory\s*\.\s*CreateDirectory\s*\(/ ascii wide
        $op16 = /WindowsIdentity\s*\.\s*GetCurrent|Win32_/ ascii wide
    condition:
        ExSweep_FMU_User_Input and 6 of ($op*)
}
