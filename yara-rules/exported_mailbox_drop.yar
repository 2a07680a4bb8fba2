/*
 * Webshells written through Exchange mailbox/file export (ProxyShell PST
 * drops) and script appended to binary files (images, other binaries).
 * Part of exsweep, see README.md.
 */

private rule ExSweep_Drop_Server_Script
{
    meta:
        description = "Helper: server-side script markers (runat=server script block, ASP/ASP.NET directive or inline eval/execute block)"
        family = "helper"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        $s1 = "runat=server" nocase
        $s1q = "runat=\"server" nocase
        $s1a = "runat='server" nocase
        $s2 = "<%@ Page" nocase
        $s3 = "<%@Page" nocase
        $s4 = "<%@ WebHandler" nocase
        $s5 = "<%@language" nocase
        $s5s = "<%@ language" nocase
        $s5c = "<%@codepage" nocase
        $s5cs = "<%@ codepage" nocase
        $s6 = "<%eval" nocase
        $s6s = "<% eval" nocase
        $s6x = "<%execute" nocase
        $s6xs = "<% execute" nocase
    condition:
        any of them
}

rule ExSweep_PST_Export_Script_Drop
{
    meta:
        description = "Outlook PST (mailbox export) file that contains server-side script: ProxyShell New-MailboxExportRequest webshell drop"
        family = "exported_mailbox"
        severity = "high"
        reference = "https://www.mandiant.com/resources/blog/pst-want-shell-proxyshell-exploiting-microsoft-exchange-servers"
        author = "exsweep"
    strings:
        $k1 = "eval" nocase
        $k2 = "execute" nocase
        $k3 = "Request" nocase
    condition:
        uint32(0) == 0x4E444221 and ExSweep_Drop_Server_Script and any of ($k*)
}

rule ExSweep_Binary_Header_Server_Script
{
    meta:
        description = "File with a binary/image header (PST, GIF, PNG, JPEG, other non-text) followed by server-side script that evaluates, executes or writes request input"
        family = "exported_mailbox"
        severity = "high"
        reference = "https://www.mandiant.com/resources/blog/pst-want-shell-proxyshell-exploiting-microsoft-exchange-servers"
        author = "exsweep"
    strings:
        $k1 = "eval(" nocase
        $k2 = "eval " nocase
        $k3 = "execute(" nocase
        $k4 = "execute " nocase
        $k5 = "Process.Start" nocase
        $k6 = "ProcessStartInfo" nocase
        $k7 = "wscript.shell" nocase
        $k8 = "Assembly.Load" nocase
        $k9 = ".SaveAs(" nocase
        $k10 = "CreateTextFile" nocase
        $k11 = "SaveToFile" nocase
        $in = "Request" nocase
    condition:
        (
            uint32(0) == 0x4E444221 or                      // !BDN  PST
            uint32(0) == 0x38464947 or                      // GIF8
            uint32(0) == 0x474E5089 or                      // \x89PNG
            (uint16(0) == 0xD8FF and uint8(2) == 0xFF) or   // JPEG
            uint16(0) == 0x5A4D or                          // MZ
            uint32(0) == 0xE011CFD0 or                      // OLE2 (msg/doc)
            uint8(0) < 0x09 or (uint8(0) > 0x0D and uint8(0) < 0x20)
        )
        and ExSweep_Drop_Server_Script and any of ($k*) and $in
}
