/*
 * The gate of the built-in rules: a global rule, so that no rule of the
 * built-in set (one namespace) matches a file without a marker of server
 * code. ASP and ASP.NET execute only what stands in a <% %> block, a
 * <script runat="server"> element or after a directive; compiled server
 * code (App_Code, code-behind) names System.Web; a web.config makes .config
 * files run only by naming them. exsweep's gate (detect/gate.c) looks for a
 * superset of these markers before YARA runs at all and skips the built-in
 * rules on files that have none: this rule is what makes that skip change
 * no verdict. Part of exsweep, see README.md ("What the gate skips").
 */

global private rule ExSweep_Server_Code
{
    meta:
        description = "Helper (global): the file holds a marker of server code (<% block or directive, <% in a text file, runat, System.Web, a .config attribute), in UTF-8, UTF-16 or UTF-32"
        family = "helper"
        severity = "medium"
        reference = "https://learn.microsoft.com/en-us/previous-versions/aspnet/k6xeyd4z(v=vs.100)"
        author = "exsweep"
    strings:
        $dir = "<%@"
        // in a text file (no NUL byte in its first 4 KiB: any ASCII-compatible
        // code page, GBK or Shift-JIS included), "<%" alone
        $pct = "<%"
        // a block: "<%" and eight characters of text (ASCII or UTF-8)
        $blk = /<%([\t\n\r\x20-\x7e]|[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf][\x80-\xbf]|[\xf0-\xf4][\x80-\xbf][\x80-\xbf][\x80-\xbf]){8}/
        $u16le = { 3C 00 25 00 }
        $u16be = { 00 3C 00 25 }
        $u32le = { 3C 00 00 00 25 00 00 00 }
        $u32be = { 00 00 00 3C 00 00 00 25 }
        // wide also matches the UTF-16BE spelling (a word's bytes 00 w 00 o ...
        // are those of its LE spelling shifted by one), but at the very end of a file
        $run = "runat" nocase ascii wide
        $web = "System.Web" nocase ascii wide
        $cfg = ".config\"" nocase ascii wide
    condition:
        // a file ASP/ASP.NET runs as raw code when another page names it
        // (<script runat="server" src=...>, #include, CodeFile, App_Code) or
        // maps its extension to a script engine: detect/gate.c's list
        extension matches /^\.(asa|asax|ascx|ashx|asmx|asp|aspx|axd|cdx|cer|cs|cshtml|inc|master|skin|svc|vb|vbhtml)$/i or
        any of ($dir, $blk, $u*, $run, $web, $cfg) or
        ($pct and not for any i in (0..4095) : (i < filesize and uint8(i) == 0))
}
