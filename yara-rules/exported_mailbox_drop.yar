/*
 * Webshells written through Exchange mailbox/file export (ProxyShell PST
 * drops) and script appended to binary files (images, other binaries).
 * Part of exsweep, see README.md.
 */

rule ExSweep_PST_Export_Script_Drop
{
    meta:
        description = "Outlook PST (mailbox export) file that contains server-side script: ProxyShell New-MailboxExportRequest webshell drop"
        family = "exported_mailbox"
        severity = "high"
        reference = "https://www.mandiant.com/resources/blog/pst-want-shell-proxyshell-exploiting-microsoft-exchange-servers"
        author = "exsweep"
    strings:
        $s1 = /<script[^>]{0,120}runat\s*=\s*["']?server/ nocase
        $s2 = /<%\s*@\s*(Page|WebHandler|WebService|Language)\b/ nocase
        $s3 = /<%\s*(eval|execute|response\.|if\s|var\s|set\s)/ nocase
        $k1 = /\b(eval|execute)\b/ nocase
        $k2 = /Request\b/ nocase
    condition:
        uint32(0) == 0x4E444221 and any of ($s*) and any of ($k*)
}

rule ExSweep_Binary_Header_Server_Script
{
    meta:
        description = "File with a binary/image header (PST, GIF, PNG, JPEG, other non-text) followed by server-side script that evaluates or executes request input"
        family = "exported_mailbox"
        severity = "high"
        reference = "https://www.mandiant.com/resources/blog/pst-want-shell-proxyshell-exploiting-microsoft-exchange-servers"
        author = "exsweep"
    strings:
        $s1 = /<script[^>]{0,120}runat\s*=\s*["']?server/ nocase
        $s2 = /<%\s*@\s*(Page|WebHandler|WebService|Language|codepage)\b/ nocase
        $s3 = /<%\s*(eval|execute|response\.|if\s|dim\s|set\s|on\s+error|var\s|try)/ nocase
        $k1 = /\b(eval|execute|executeglobal)[\s(]/ nocase
        $k2 = /Process\s*\.\s*Start|ProcessStartInfo|wscript\.shell|Assembly\s*\.\s*Load|\.SaveAs\s*\(|CreateTextFile|SaveToFile/ nocase
        $in = /Request\s*(\.\s*(Item|Form|QueryString|Params|Cookies|Headers)\s*)?[\[\(]/ nocase
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
        and any of ($s*) and any of ($k*) and $in
}
