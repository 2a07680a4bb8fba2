/*
 * Reconnaissance tools served as web pages: raw-socket packet sniffers and
 * registry browsers driven by request input.  Part of exsweep, see
 * README.md.
 */

rule ExSweep_ASPX_Raw_Socket_Sniffer
{
    meta:
        description = "ASP.NET page opening a raw socket in promiscuous mode (SocketType.Raw + IOControl ReceiveAll/SIO_RCVALL) to sniff the server's traffic"
        family = "recon"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1040/"
        author = "exsweep"
    strings:
        $raw = "SocketType.Raw"
        $rcv1 = "ReceiveAll"
        $rcv2 = "RCVALL" nocase
        $ioc = "IOControl("
    condition:
        $raw and any of ($rcv*, $ioc)
}

rule ExSweep_ASPX_Registry_Browser
{
    meta:
        description = "ASP.NET page that walks several registry hives and lists subkeys chosen by the request or a form field (registry browser webshell)"
        family = "recon"
        severity = "high"
        reference = "https://attack.mitre.org/techniques/T1012/"
        author = "exsweep"
    strings:
        $h1 = "Registry.LocalMachine"
        $h2 = "Registry.Users"
        $h3 = "Registry.ClassesRoot"
        $h4 = "Registry.CurrentUser"
        $h5 = "Registry.CurrentConfig"
        $k1 = "GetSubKeyNames"
        $k2 = "OpenSubKey"
        $in1 = "Request["
        $in2 = "Request.Form"
        $in3 = "Request.QueryString"
        $in4 = "<asp:TextBox" nocase
        $in5 = ".Text"
    condition:
        3 of ($h*) and any of ($k*) and any of ($in*)
}
