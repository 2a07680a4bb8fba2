/*
 * Database client webshells: connect with credentials taken from the
 * request and run arbitrary SQL or dump tables.  Part of exsweep, see
 * README.md.
 */

rule ExSweep_DB_Client_Request_Credentials
{
    meta:
        description = "Server-side page that builds a database connection string from request/form input and runs SQL text also taken from the request (database webshell)"
        family = "sql"
        severity = "medium"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        author = "exsweep"
    strings:
        // connection string pieces concatenated with input: "server="+ip+";uid="+user, or String.Format("...;Password = {2}")
        $cs1a = "\";uid=\"" nocase
        $cs1b = "\";pwd=\"" nocase
        $cs1c = "\";user id=\"" nocase
        $cs1d = "\";password=\"" nocase
        $cs1e = "\";database=\"" nocase
        $cs2 = /(password|pwd) ?= ?\{\d\}/ nocase
        // ConnectionString = txtConn.Text / new SqlConnection(Request[...]) / "User ID=" & Request(...)
        $cs15 = /ConnectionString\s*=\s*[\w.]{1,40}\.Text\b/ nocase
        $cs16 = /(SqlConnection|OleDbConnection)\s*\(\s*(Request\s*[\[\(.]|[\w.]{1,40}\.Text\b)/ nocase
        // "...;uid=" & Request("u") (VBScript), with or without Trim()
        $cs17a = "=\"&request" nocase
        $cs17b = "=\" & request" nocase
        $cs17c = "=\"&trim(request" nocase
        $cs17d = "=\" & trim(request" nocase
        // SQL text from input, or a whole table dumped by name
        $q1 = /(Sql|OleDb|Odbc)(Command|DataAdapter)\s*\(\s*(Request\s*[\[\(.]|[\w.]{1,40}\.Text\b|\w{1,40}\s*,)/ nocase
        $q2 = /CommandText\s*=\s*(Request\s*[\[\(.]|[\w.]{1,40}\.Text\b)/ nocase
        $q3 = /"select\s+\*\s+from\s+"\s*(\+|&)/ nocase
        $q4 = /\.execute\s*\(?\s*(request|[a-z_]\w{0,30}\s*(\)|\r|\n|:))/ nocase
        $in1a = "Request[" nocase
        $in1b = "Request(" nocase
        $in1c = "Request [" nocase
        $in1d = "Request (" nocase
        $in1e = "Request.Form" nocase
        $in1f = "Request.QueryString" nocase
        $in1g = "Request.Item" nocase
        $in1h = "Request.Params" nocase
        $in1i = "Request.Cookies" nocase
        $in2 = "<asp:TextBox"
    condition:
        any of ($cs*) and any of ($q*) and any of ($in*)
}
