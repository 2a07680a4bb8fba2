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
        // connection string pieces concatenated with variables/input: "server="+ip+";uid="+user
        $cs1 = /(server|data source|uid|user id|pwd|password)\s*=\s*["']\s*(\+|&)\s*[^;\r\n]{1,80}(\+|&)\s*["']\s*;?\s*(database|initial catalog|uid|user id|pwd|password)\s*=/ nocase ascii wide
        $cs2 = /ConnectionString\s*=\s*[\w.]{1,40}\.Text\b/ nocase ascii wide
        $cs3 = /new\s+(System\.Data\.(SqlClient|OleDb)\.)?(SqlConnection|OleDbConnection)\s*\(\s*(Request\s*[\[\(.]|[\w.]{1,40}\.Text\b)/ nocase ascii wide
        $cs4 = /(user id|uid|password|pwd)\s*=\s*["']\s*&\s*(trim\s*\(\s*)?request/ nocase
        // SQL text from input, or a whole table dumped by name
        $q1 = /new\s+(System\.Data\.(SqlClient|OleDb)\.)?(SqlCommand|OleDbCommand|SqlDataAdapter|OleDbDataAdapter)\s*\(\s*(Request\s*[\[\(.]|[\w.]{1,40}\.Text\b|\w{1,40}\s*,)/ nocase ascii wide
        $q2 = /CommandText\s*=\s*(Request\s*[\[\(.]|[\w.]{1,40}\.Text\b)/ nocase ascii wide
        $q3 = /"select\s+\*\s+from\s+"\s*(\+|&)/ nocase ascii wide
        $q4 = /\.execute\s*\(?\s*(request|[a-z_]\w{0,30}\s*(\)|\r|\n|:))/ nocase
        $in1 = /request\s*(\.\s*(item|form|querystring|cookies|params)\s*)?[\(\[]/ nocase ascii wide
        $in2 = /<asp:TextBox\b/ nocase ascii wide
    condition:
        any of ($cs*) and any of ($q*) and any of ($in*)
}
