/*
 * Socket tunnels and HTTP forwarders (reGeorg, Neo-reGeorg and similar)
 * served from a web page.  Part of exsweep, see README.md.
 */

rule ExSweep_Socket_Tunnel
{
    meta:
        description = "ASP.NET page/handler that opens TCP sockets for the client and relays request bodies over them (reGeorg-style tunnel)"
        family = "tunnel"
        severity = "high"
        reference = "https://github.com/sensepost/reGeorg"
        author = "exsweep"
    strings:
        $sock1 = "new Socket(" nocase
        $sock3 = "Sockets.Socket(" nocase
        $sock4 = "TcpClient(" nocase
        $sock2 = "(Socket)Session[" nocase
        $sock5 = "(Socket)context.Session[" nocase
        $sock6 = "(Socket)HttpContext.Current.Session[" nocase
        $sock7 = "(Socket)Application[" nocase
        $sess1 = "Session[" nocase
        $sess2 = "Application[" nocase
        $c1 = "\"CONNECT\""
        $c2 = "\"DISCONNECT\""
        $c3 = "\"FORWARD\""
        $c4 = "\"READ\""
        $in1 = "Request.InputStream" nocase
        $in2 = "Request.BinaryRead" nocase
        $in3 = "Request.ContentLength" nocase
        $in4 = "Request.TotalBytes" nocase
        $in5 = "Request.Headers" nocase
        $in6 = "Request.QueryString" nocase
        $in7 = "Request.Form" nocase
        $out1 = "Response.BinaryWrite" nocase
        $out2 = "Response.OutputStream" nocase
        $net1 = ".Connect("
        $net2 = ".Send("
        $net3 = ".Receive("
    condition:
        any of ($sock*) and any of ($net*) and any of ($in*) and
        ( any of ($sock2, $sock5, $sock6, $sock7) or (any of ($sess*) and 2 of ($c*)) or (3 of ($c*)) or (any of ($sess*) and any of ($out*)) )
}

rule ExSweep_HTTP_Forwarder
{
    meta:
        description = "Web handler that forwards the incoming request (method, headers, body) to a URL it receives, an HTTP pivot (Neo-reGeorg style)"
        family = "tunnel"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1090/"
        author = "exsweep"
    strings:
        $wr = "WebRequest.Create("
        $m = /\.Method\s*=\s*(context\.|HttpContext\.Current\.)?Request\s*\.\s*HttpMethod/ nocase
        $h = /foreach\s*\(\s*(var|string)\s+\w+\s+in\s+(context\.|httpRequest\.|HttpContext\.Current\.)?Request\s*\.\s*Headers/ nocase
        $h2 = /foreach\s*\(\s*(var|string)\s+\w+\s+in\s+\w{1,20}\.Headers\s*\)/ nocase
        $b = ".GetRequestStream("
        $i = ".InputStream"
        $s = "System.Net.Sockets"
    condition:
        $wr and $b and $i and ($m or $h or $h2) and $s
}
