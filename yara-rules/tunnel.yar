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
        $sock1 = /new\s+(System\.Net\.Sockets\.)?(Socket|TcpClient)\s*\(/ nocase ascii wide
        $sock2 = /\(\s*Socket\s*\)\s*(context\.|HttpContext\.Current\.)?(Session|Application)\s*\[/ nocase ascii wide
        $sess = /(Session|Application)\s*\[[^\]]{1,40}\]\s*=/ nocase ascii wide
        $c1 = "\"CONNECT\"" ascii wide
        $c2 = "\"DISCONNECT\"" ascii wide
        $c3 = "\"FORWARD\"" ascii wide
        $c4 = "\"READ\"" ascii wide
        $in1 = /Request\s*\.\s*(InputStream|BinaryRead|ContentLength|TotalBytes)\b/ nocase ascii wide
        $in2 = /Request\s*\.\s*(Headers|QueryString|Form)\b/ nocase ascii wide
        $out = /Response\s*\.\s*(BinaryWrite|OutputStream)\b/ nocase ascii wide
        $net = /\.(Connect|Send|Receive)\s*\(/ ascii wide
    condition:
        ($sock1 or $sock2) and $net and any of ($in*) and
        ( $sock2 or ($sess and 2 of ($c*)) or (3 of ($c*)) or ($sess and $out) )
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
        $wr = /WebRequest\s*\.\s*Create\s*\(/ ascii wide
        $m = /\.Method\s*=\s*(context\.|HttpContext\.Current\.)?Request\s*\.\s*HttpMethod/ nocase ascii wide
        $h = /foreach\s*\(\s*(var|string)\s+\w+\s+in\s+(context\.|httpRequest\.|HttpContext\.Current\.)?Request\s*\.\s*Headers/ nocase ascii wide
        $h2 = /foreach\s*\(\s*(var|string)\s+\w+\s+in\s+\w{1,20}\.Headers\s*\)/ nocase ascii wide
        $b = /\.GetRequestStream\s*\(/ ascii wide
        $i = /\.InputStream\b/ ascii wide
        $s = "System.Net.Sockets" ascii wide
    condition:
        $wr and $b and $i and ($m or $h or $h2) and $s
}
