/* flow.c -- from request input to dangerous sinks, inside one file.
 *
 * A light, flow-insensitive taint analysis over the normalised tokens:
 *   sources  every Request member however reached (Request, Context.Request,
 *            HttpContext.Current.Request, a variable holding it), the Text
 *            or Value of a server control declared in the page, values
 *            stored in Session/Application from those, and what a helper
 *            function returns or a parameter receives from them;
 *   moves    assignments (=, +=, &=, Set, Dim), foreach/For Each, string
 *            building (Append, Add, Push, Insert), return values, call
 *            arguments to parameters; repeated until nothing changes
 *            (at most FLOW_PASSES passes);
 *   kinds    what an object is (a WScript.Shell, a ProcessStartInfo, an
 *            ADODB.Stream...) from its constructor or ProgID, also when the
 *            name was spelled with char codes or reflection strings;
 *   sinks    the table below: a method, constructor or property, the kinds
 *            it needs, which argument matters and how tainted it must be.
 * Numeric conversions (CInt, int.Parse, Convert.ToInt32) stop taint; so do
 * Request members that are not attacker text (Count, Length, the
 * application's own paths). Sinks fed only constants stay quiet.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>

#define FLOW_PASSES 5
#define STATEMENT_MAX 512
#define NAMES_MAX 16384 /* a power of two; allocated when first needed */

/* taint flags */
#define TF_REQ    1u   /* attacker text or bytes */
#define TF_UPLOAD 2u   /* an uploaded file (its bytes or its client name) */
#define TF_CRED   4u   /* a password field */
#define TF_UNB    8u   /* not inside fixed text: the whole value, or its start */

/* object kinds */
enum {
	K_PROCESS = 1u << 0, K_PSI = 1u << 1, K_WSHELL = 1u << 2, K_WMI = 1u << 3,
	K_PS = 1u << 4, K_SCRIPTCTL = 1u << 5, K_SQLCONN = 1u << 6,
	K_SQLCMD = 1u << 7, K_FILEW = 1u << 8, K_FILE = 1u << 9,
	K_ADOSTREAM = 1u << 10, K_FSO = 1u << 11, K_DIR = 1u << 12,
	K_NET = 1u << 13, K_SOCKET = 1u << 14, K_LDAP = 1u << 15,
	K_XSLT = 1u << 16, K_ASM = 1u << 17, K_RESPONSE = 1u << 18,
	K_SCRIPTPATH = 1u << 19, K_EVALALIAS = 1u << 20, K_ADOCONN = 1u << 21,
	K_TEXTSTREAM = 1u << 22,
};

struct kindword {
	const char *word;
	unsigned kind;
	int in_string;    /* 1: a substring of a literal; 0: an identifier
			     (a type: not after obj.); 2: an identifier, also
			     as a member (context.Response, p.StartInfo) */
};

static const struct kindword kindwords[] = {
	{ "process", K_PROCESS, 0 }, { "diagnostics.process", K_PROCESS, 1 },
	{ "processstartinfo", K_PSI, 0 }, { "startinfo", K_PSI, 2 },
	{ "processstartinfo", K_PSI, 1 },
	{ "wscript.shell", K_WSHELL, 1 }, { "shell.application", K_WSHELL, 1 },
	{ "72c24dd5-d70a-438b-8a42-98424b88afb8", K_WSHELL, 1 },
	{ "13709620-c279-11ce-a49e-444553540000", K_WSHELL, 1 },
	{ "winmgmts", K_WMI, 1 }, { "win32_process", K_WMI, 1 },
	{ "managementclass", K_WMI, 0 }, { "managementobject", K_WMI, 0 },
	{ "powershell", K_PS, 0 }, { "runspacefactory", K_PS, 0 },
	{ "runspace", K_PS, 0 }, { "pipeline", K_PS, 0 },
	{ "runspaceinvoke", K_PS, 0 }, { "management.automation", K_PS, 1 },
	{ "scriptcontrol", K_SCRIPTCTL, 1 }, { "scriptcontrol", K_SCRIPTCTL, 0 },
	{ "sqlconnection", K_SQLCONN, 0 }, { "oledbconnection", K_SQLCONN, 0 },
	{ "odbcconnection", K_SQLCONN, 0 }, { "mysqlconnection", K_SQLCONN, 0 },
	{ "oracleconnection", K_SQLCONN, 0 }, { "sqlceconnection", K_SQLCONN, 0 },
	{ "adodb.connection", K_ADOCONN | K_SQLCONN, 1 },
	{ "sqlcommand", K_SQLCMD, 0 }, { "oledbcommand", K_SQLCMD, 0 },
	{ "odbccommand", K_SQLCMD, 0 }, { "sqldataadapter", K_SQLCMD, 0 },
	{ "oledbdataadapter", K_SQLCMD, 0 }, { "odbcdataadapter", K_SQLCMD, 0 },
	{ "mysqlcommand", K_SQLCMD, 0 }, { "createcommand", K_SQLCMD, 2 },
	{ "adodb.recordset", K_SQLCMD, 1 }, { "adodb.command", K_SQLCMD, 1 },
	{ "filestream", K_FILEW, 0 }, { "streamwriter", K_FILEW, 0 },
	{ "binarywriter", K_FILEW, 0 }, { "fileinfo", K_FILEW | K_DIR, 0 },
	{ "file", K_FILE, 0 }, { "adodb.stream", K_ADOSTREAM, 1 },
	{ "filesystemobject", K_FSO, 1 }, { "filesystemobject", K_FSO, 0 },
	{ "createtextfile", K_TEXTSTREAM, 2 }, { "opentextfile", K_TEXTSTREAM, 2 },
	{ "directory", K_DIR, 0 }, { "directoryinfo", K_DIR, 0 },
	{ "webclient", K_NET, 0 }, { "webrequest", K_NET, 0 },
	{ "httpwebrequest", K_NET, 0 }, { "httpclient", K_NET, 0 },
	{ "ftpwebrequest", K_NET, 0 }, { "xmlhttp", K_NET, 1 },
	{ "winhttp", K_NET, 1 },
	{ "socket", K_SOCKET, 0 }, { "tcpclient", K_SOCKET, 0 },
	{ "udpclient", K_SOCKET, 0 }, { "tcplistener", K_SOCKET, 0 },
	{ "system.net.sockets", K_SOCKET, 1 },
	{ "directorysearcher", K_LDAP, 0 }, { "directoryentry", K_LDAP, 0 },
	{ "xslcompiledtransform", K_XSLT, 0 }, { "xsltransform", K_XSLT, 0 },
	{ "domdocument", K_XSLT, 1 }, { "xsltemplate", K_XSLT, 1 },
	{ "assembly", K_ASM, 0 }, { "type", K_ASM, 0 }, { "appdomain", K_ASM, 0 },
	{ "gettype", K_ASM, 0 }, { "getmethod", K_ASM, 0 },
	{ "activator", K_ASM, 0 }, { "methodinfo", K_ASM, 0 },
	{ "getmethods", K_ASM, 0 }, { "invokemember", K_ASM, 0 },
	{ "response", K_RESPONSE, 2 },
	{ NULL, 0, 0 },
};

static const char *const script_exts[] = {
	".aspx", ".asp", ".ashx", ".asmx", ".asa", ".cer", ".ascx", ".config",
	".svc", ".soap", ".asax", ".master", ".cshtml", NULL,
};

enum sink_class {
	C_EVAL, C_PROCESS, C_CODELOAD, C_FILEWRITE, C_DROPPER, C_FILEREAD,
	C_SOCKET, C_HTTP, C_SQLCONN, C_SQL, C_LDAP, C_CRED, C_EMBEDDED,
	C_SECRET, C_COUNT
};

static const struct {
	const char *rule;
	enum exs_code_severity sev;
	const char *what;
} classes[C_COUNT] = {
	[C_EVAL] = { "code.request_to_eval", EXS_CODE_WEBSHELL, "evaluates request data as code" },
	[C_PROCESS] = { "code.request_to_process", EXS_CODE_WEBSHELL, "starts a process from request data" },
	[C_CODELOAD] = { "code.request_to_code_load", EXS_CODE_WEBSHELL, "loads or compiles code named or supplied by the request" },
	[C_FILEWRITE] = { "code.request_to_file_write", EXS_CODE_WEBSHELL, "writes, copies or deletes a file at a request-chosen path" },
	[C_DROPPER] = { "code.request_to_script_file", EXS_CODE_WEBSHELL, "writes request data into a server script file" },
	[C_FILEREAD] = { "code.request_to_file_read", EXS_CODE_SUSPICIOUS, "reads or lists a request-chosen path" },
	[C_SOCKET] = { "code.request_to_socket", EXS_CODE_WEBSHELL, "opens a socket to a request-chosen host (tunnel)" },
	[C_HTTP] = { "code.request_to_http", EXS_CODE_SUSPICIOUS, "fetches a request-chosen URL (proxy)" },
	[C_SQLCONN] = { "code.request_to_sql_connection", EXS_CODE_WEBSHELL, "connects to a database with a request connection string" },
	[C_SQL] = { "code.request_to_sql", EXS_CODE_WEBSHELL, "runs SQL text taken whole from the request" },
	[C_LDAP] = { "code.request_to_ldap", EXS_CODE_SUSPICIOUS, "queries the directory with a request filter or path" },
	[C_CRED] = { "code.credential_theft", EXS_CODE_WEBSHELL, "writes a logon password to a file or sends it off the host" },
	[C_SECRET] = { "code.request_to_config_secret", EXS_CODE_SUSPICIOUS, "reads a connection string named by the request" },
	[C_EMBEDDED] = { "code.embedded_assembly", EXS_CODE_SUSPICIOUS, "loads an assembly embedded in the page" },
};

enum how { H_CALL, H_CTOR, H_PROP, H_RECV };
enum policy { P_ANY, P_FULL, P_NOPREFIX, P_CRED };
#define DOT_ANY 0
#define DOT_YES 1
#define DOT_NO 2

struct sink {
	const char *name;
	unsigned kinds;       /* 0: the name alone */
	enum how how;
	int dot;
	int arg;              /* -1: all arguments */
	enum policy policy;
	enum sink_class cls;
	const char *label;
};

static const struct sink sinks[] = {
	{ "eval", 0, H_CALL, DOT_NO, -1, P_ANY, C_EVAL, "eval" },
	{ "execute", 0, H_CALL, DOT_NO, -1, P_ANY, C_EVAL, "Execute" },
	{ "executeglobal", 0, H_CALL, DOT_NO, -1, P_ANY, C_EVAL, "ExecuteGlobal" },
	{ "jscriptevaluate", 0, H_CALL, DOT_ANY, -1, P_ANY, C_EVAL, "Eval.JScriptEvaluate" },
	{ "eval", K_SCRIPTCTL, H_CALL, DOT_YES, -1, P_ANY, C_EVAL, "ScriptControl.Eval" },
	{ "executestatement", K_SCRIPTCTL, H_CALL, DOT_YES, -1, P_ANY, C_EVAL, "ScriptControl.ExecuteStatement" },
	{ "addcode", K_SCRIPTCTL, H_CALL, DOT_YES, -1, P_ANY, C_EVAL, "ScriptControl.AddCode" },
	{ "run", K_SCRIPTCTL, H_CALL, DOT_YES, -1, P_ANY, C_EVAL, "ScriptControl.Run" },
	{ "evaluateasync", 0, H_CALL, DOT_YES, -1, P_ANY, C_EVAL, "CSharpScript.EvaluateAsync" },
	{ "runasync", 0, H_CALL, DOT_YES, -1, P_ANY, C_EVAL, "CSharpScript.RunAsync" },

	{ "start", K_PROCESS | K_PSI, H_CALL, DOT_YES, -1, P_ANY, C_PROCESS, "Process.Start" },
	{ "start", K_PROCESS | K_PSI, H_RECV, DOT_YES, -1, P_ANY, C_PROCESS, "Process.Start" },
	{ "processstartinfo", 0, H_CTOR, DOT_ANY, -1, P_ANY, C_PROCESS, "ProcessStartInfo" },
	{ "filename", K_PSI | K_PROCESS, H_PROP, DOT_ANY, -1, P_ANY, C_PROCESS, "ProcessStartInfo.FileName" },
	{ "arguments", K_PSI | K_PROCESS, H_PROP, DOT_ANY, -1, P_ANY, C_PROCESS, "ProcessStartInfo.Arguments" },
	{ "run", K_WSHELL, H_CALL, DOT_YES, -1, P_ANY, C_PROCESS, "WScript.Shell.Run" },
	{ "exec", K_WSHELL, H_CALL, DOT_YES, -1, P_ANY, C_PROCESS, "WScript.Shell.Exec" },
	{ "shellexecute", K_WSHELL, H_CALL, DOT_YES, -1, P_ANY, C_PROCESS, "Shell.Application.ShellExecute" },
	{ "create", K_WMI, H_CALL, DOT_YES, -1, P_ANY, C_PROCESS, "Win32_Process.Create" },
	{ "invokemethod", K_WMI, H_CALL, DOT_YES, -1, P_ANY, C_PROCESS, "Win32_Process.Create" },
	{ "addscript", K_PS, H_CALL, DOT_YES, -1, P_ANY, C_PROCESS, "PowerShell.AddScript" },
	{ "addcommand", K_PS, H_CALL, DOT_YES, -1, P_ANY, C_PROCESS, "PowerShell.AddCommand" },
	{ "createpipeline", K_PS, H_CALL, DOT_YES, -1, P_ANY, C_PROCESS, "Runspace.CreatePipeline" },
	{ "addargument", K_PS, H_CALL, DOT_YES, -1, P_ANY, C_PROCESS, "PowerShell.AddArgument" },
	{ "add", K_PS, H_CALL, DOT_YES, -1, P_ANY, C_PROCESS, "Pipeline.Commands.Add" },
	{ "createprocess", 0, H_CALL, DOT_ANY, -1, P_ANY, C_PROCESS, "CreateProcess" },
	{ "createprocessa", 0, H_CALL, DOT_ANY, -1, P_ANY, C_PROCESS, "CreateProcess" },
	{ "createprocessw", 0, H_CALL, DOT_ANY, -1, P_ANY, C_PROCESS, "CreateProcess" },
	{ "winexec", 0, H_CALL, DOT_ANY, -1, P_ANY, C_PROCESS, "WinExec" },
	{ "invoke", K_PROCESS | K_PSI | K_WSHELL, H_CALL, DOT_YES, -1, P_ANY, C_PROCESS, "reflected Process.Start" },
	{ "invokemember", K_PROCESS | K_WSHELL, H_CALL, DOT_YES, -1, P_ANY, C_PROCESS, "reflected Process.Start" },

	{ "load", K_ASM, H_CALL, DOT_YES, 0, P_ANY, C_CODELOAD, "Assembly.Load" },
	{ "loadfrom", K_ASM, H_CALL, DOT_YES, 0, P_ANY, C_CODELOAD, "Assembly.LoadFrom" },
	{ "loadfile", K_ASM, H_CALL, DOT_YES, 0, P_ANY, C_CODELOAD, "Assembly.LoadFile" },
	{ "unsafeloadfrom", K_ASM, H_CALL, DOT_YES, 0, P_ANY, C_CODELOAD, "Assembly.UnsafeLoadFrom" },
	{ "createinstance", K_ASM, H_CALL, DOT_YES, -1, P_FULL, C_CODELOAD, "CreateInstance" },
	{ "createinstancefrom", K_ASM, H_CALL, DOT_YES, -1, P_FULL, C_CODELOAD, "CreateInstanceFrom" },
	{ "invokemember", K_ASM, H_CALL, DOT_YES, 0, P_FULL, C_CODELOAD, "Type.InvokeMember" },
	{ "getmethod", K_ASM, H_CALL, DOT_YES, 0, P_FULL, C_CODELOAD, "Type.GetMethod" },
	{ "gettype", K_ASM, H_CALL, DOT_YES, 0, P_FULL, C_CODELOAD, "GetType" },
	{ "invoke", K_ASM, H_CALL, DOT_YES, -1, P_FULL, C_CODELOAD, "MethodInfo.Invoke" },
	{ "compileassemblyfromsource", 0, H_CALL, DOT_YES, -1, P_ANY, C_CODELOAD, "CodeDomProvider.CompileAssemblyFromSource" },
	{ "compileassemblyfromdom", 0, H_CALL, DOT_YES, -1, P_ANY, C_CODELOAD, "CodeDomProvider.CompileAssemblyFromDom" },
	{ "compileassemblyfromfile", 0, H_CALL, DOT_YES, -1, P_FULL, C_CODELOAD, "CodeDomProvider.CompileAssemblyFromFile" },
	{ "getcompiledtype", 0, H_CALL, DOT_YES, -1, P_FULL, C_CODELOAD, "BuildManager.GetCompiledType" },
	{ "createinstancefromvirtualpath", 0, H_CALL, DOT_YES, -1, P_FULL, C_CODELOAD, "BuildManager.CreateInstanceFromVirtualPath" },
	{ "getcompiledassembly", 0, H_CALL, DOT_YES, -1, P_FULL, C_CODELOAD, "BuildManager.GetCompiledAssembly" },
	{ "dynamicmethod", 0, H_CTOR, DOT_ANY, -1, P_FULL, C_CODELOAD, "DynamicMethod" },

	{ "saveas", 0, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "SaveAs" },
	{ "writealltext", K_FILE, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "File.WriteAllText" },
	{ "writeallbytes", K_FILE, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "File.WriteAllBytes" },
	{ "writealllines", K_FILE, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "File.WriteAllLines" },
	{ "appendalltext", K_FILE, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "File.AppendAllText" },
	{ "create", K_FILE, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "File.Create" },
	{ "createtext", K_FILE, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "File.CreateText" },
	{ "open", K_FILE, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "File.Open" },
	{ "openwrite", K_FILE, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "File.OpenWrite" },
	{ "copy", K_FILE, H_CALL, DOT_YES, -1, P_NOPREFIX, C_FILEWRITE, "File.Copy" },
	{ "move", K_FILE | K_DIR, H_CALL, DOT_YES, -1, P_NOPREFIX, C_FILEWRITE, "File.Move" },
	{ "delete", K_FILE | K_DIR, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "File.Delete" },
	{ "createdirectory", K_DIR, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "Directory.CreateDirectory" },
	{ "filestream", 0, H_CTOR, DOT_ANY, 0, P_NOPREFIX, C_FILEWRITE, "FileStream(path)" },
	{ "streamwriter", 0, H_CTOR, DOT_ANY, 0, P_NOPREFIX, C_FILEWRITE, "StreamWriter(path)" },
	{ "savetofile", K_ADOSTREAM, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "ADODB.Stream.SaveToFile" },
	{ "createtextfile", K_FSO, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "FileSystemObject.CreateTextFile" },
	{ "copyfile", K_FSO, H_CALL, DOT_YES, -1, P_NOPREFIX, C_FILEWRITE, "FileSystemObject.CopyFile" },
	{ "movefile", K_FSO, H_CALL, DOT_YES, -1, P_NOPREFIX, C_FILEWRITE, "FileSystemObject.MoveFile" },
	{ "deletefile", K_FSO, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "FileSystemObject.DeleteFile" },
	{ "deletefolder", K_FSO, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "FileSystemObject.DeleteFolder" },
	{ "copyfolder", K_FSO, H_CALL, DOT_YES, -1, P_NOPREFIX, C_FILEWRITE, "FileSystemObject.CopyFolder" },
	{ "movefolder", K_FSO, H_CALL, DOT_YES, -1, P_NOPREFIX, C_FILEWRITE, "FileSystemObject.MoveFolder" },
	{ "createfolder", K_FSO, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEWRITE, "FileSystemObject.CreateFolder" },
	{ "downloadfile", K_NET, H_CALL, DOT_YES, 1, P_NOPREFIX, C_FILEWRITE, "WebClient.DownloadFile" },

	{ "opentextfile", K_FSO, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEREAD, "FileSystemObject.OpenTextFile" },
	{ "getfolder", K_FSO, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEREAD, "FileSystemObject.GetFolder" },
	{ "getfile", K_FSO, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEREAD, "FileSystemObject.GetFile" },
	{ "loadfromfile", K_ADOSTREAM, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEREAD, "ADODB.Stream.LoadFromFile" },
	{ "getfiles", K_DIR, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEREAD, "Directory.GetFiles" },
	{ "getdirectories", K_DIR, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEREAD, "Directory.GetDirectories" },
	{ "enumeratefiles", K_DIR, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEREAD, "Directory.EnumerateFiles" },
	{ "getfilesystementries", K_DIR, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEREAD, "Directory.GetFileSystemEntries" },
	{ "directoryinfo", 0, H_CTOR, DOT_ANY, 0, P_NOPREFIX, C_FILEREAD, "DirectoryInfo(path)" },
	{ "readalltext", K_FILE, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEREAD, "File.ReadAllText" },
	{ "readallbytes", K_FILE, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEREAD, "File.ReadAllBytes" },
	{ "openread", K_FILE, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEREAD, "File.OpenRead" },
	{ "writefile", K_RESPONSE, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEREAD, "Response.WriteFile" },
	{ "transmitfile", K_RESPONSE, H_CALL, DOT_YES, 0, P_NOPREFIX, C_FILEREAD, "Response.TransmitFile" },

	{ "socket", 0, H_CTOR, DOT_ANY, -1, P_FULL, C_SOCKET, "Socket" },
	{ "bind", K_SOCKET, H_CALL, DOT_YES, -1, P_FULL, C_SOCKET, "Socket.Bind" },
	{ "createobject", 0, H_CALL, DOT_ANY, 0, P_FULL, C_CODELOAD, "CreateObject(request ProgID)" },
	{ "activexobject", 0, H_CTOR, DOT_ANY, 0, P_FULL, C_CODELOAD, "ActiveXObject(request ProgID)" },
	{ "tcpclient", 0, H_CTOR, DOT_ANY, -1, P_FULL, C_SOCKET, "TcpClient(host)" },
	{ "connect", K_SOCKET, H_CALL, DOT_YES, -1, P_FULL, C_SOCKET, "Socket.Connect" },
	{ "beginconnect", K_SOCKET, H_CALL, DOT_YES, -1, P_FULL, C_SOCKET, "Socket.BeginConnect" },
	{ "create", K_NET, H_CALL, DOT_YES, 0, P_NOPREFIX, C_HTTP, "WebRequest.Create" },
	{ "downloadstring", K_NET, H_CALL, DOT_YES, 0, P_NOPREFIX, C_HTTP, "WebClient.DownloadString" },
	{ "downloaddata", K_NET, H_CALL, DOT_YES, 0, P_NOPREFIX, C_HTTP, "WebClient.DownloadData" },
	{ "openread", K_NET, H_CALL, DOT_YES, 0, P_NOPREFIX, C_HTTP, "WebClient.OpenRead" },
	{ "getstringasync", K_NET, H_CALL, DOT_YES, 0, P_NOPREFIX, C_HTTP, "HttpClient.GetStringAsync" },
	{ "getasync", K_NET, H_CALL, DOT_YES, 0, P_NOPREFIX, C_HTTP, "HttpClient.GetAsync" },
	{ "open", K_NET, H_CALL, DOT_YES, 1, P_NOPREFIX, C_HTTP, "XMLHTTP.open" },

	{ "load", K_XSLT, H_CALL, DOT_YES, -1, P_ANY, C_CODELOAD, "XslCompiledTransform.Load (script enabled)" },
	{ "loadxml", K_XSLT, H_CALL, DOT_YES, -1, P_ANY, C_CODELOAD, "XSL stylesheet load (script enabled)" },
	{ "transformnode", 0, H_CALL, DOT_YES, -1, P_ANY, C_CODELOAD, "MSXML transformNode" },
	{ "sqlconnection", 0, H_CTOR, DOT_ANY, 0, P_ANY, C_SQLCONN, "SqlConnection(connection string)" },
	{ "oledbconnection", 0, H_CTOR, DOT_ANY, 0, P_ANY, C_SQLCONN, "OleDbConnection(connection string)" },
	{ "odbcconnection", 0, H_CTOR, DOT_ANY, 0, P_ANY, C_SQLCONN, "OdbcConnection(connection string)" },
	{ "mysqlconnection", 0, H_CTOR, DOT_ANY, 0, P_ANY, C_SQLCONN, "MySqlConnection(connection string)" },
	{ "connectionstring", K_SQLCONN, H_PROP, DOT_ANY, -1, P_ANY, C_SQLCONN, "Connection.ConnectionString" },
	{ "open", K_ADOCONN, H_CALL, DOT_YES, 0, P_ANY, C_SQLCONN, "ADODB.Connection.Open" },
	{ "activeconnection", K_SQLCMD, H_PROP, DOT_ANY, -1, P_NOPREFIX, C_SQLCONN, "ADODB.ActiveConnection" },
	{ "execute", K_ADOCONN | K_SQLCMD, H_CALL, DOT_YES, 0, P_NOPREFIX, C_SQL, "Connection.Execute" },
	{ "open", K_SQLCMD, H_CALL, DOT_YES, 0, P_NOPREFIX, C_SQL, "Recordset.Open" },
	{ "sqlcommand", 0, H_CTOR, DOT_ANY, 0, P_NOPREFIX, C_SQL, "SqlCommand(sql)" },
	{ "oledbcommand", 0, H_CTOR, DOT_ANY, 0, P_NOPREFIX, C_SQL, "OleDbCommand(sql)" },
	{ "odbccommand", 0, H_CTOR, DOT_ANY, 0, P_NOPREFIX, C_SQL, "OdbcCommand(sql)" },
	{ "sqldataadapter", 0, H_CTOR, DOT_ANY, 0, P_NOPREFIX, C_SQL, "SqlDataAdapter(sql)" },
	{ "oledbdataadapter", 0, H_CTOR, DOT_ANY, 0, P_NOPREFIX, C_SQL, "OleDbDataAdapter(sql)" },
	{ "commandtext", K_SQLCMD | K_SQLCONN, H_PROP, DOT_ANY, -1, P_NOPREFIX, C_SQL, "Command.CommandText" },
	{ "directorysearcher", 0, H_CTOR, DOT_ANY, -1, P_NOPREFIX, C_LDAP, "DirectorySearcher(filter)" },
	{ "filter", K_LDAP, H_PROP, DOT_ANY, -1, P_NOPREFIX, C_LDAP, "DirectorySearcher.Filter" },
	{ "directoryentry", 0, H_CTOR, DOT_ANY, 0, P_NOPREFIX, C_LDAP, "DirectoryEntry(path)" },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL },
};

/* Request members that are not attacker text. */
static const char *const request_safe[] = {
	"count", "length", "contentlength", "totalbytes", "isauthenticated",
	"issecureconnection", "islocal", "applicationpath", "physicalapplicationpath",
	"physicalpath", "mappath", "filepath", "currentexecutionfilepath",
	"apprelativecurrentexecutionfilepath", "path", "url", "httpmethod",
	"requesttype", "browser", "useragent", "userhostaddress", "userhostname",
	"urlreferrer", "rawurl", "contenttype", "contentencoding", "acceptlanguage",
	"userlanguages", "isajaxrequest", "logonuseridentity", "clientcertificate",
	"requestcontext", "unvalidated", "rewrittenurl", "applicationpath", NULL,
};

static const char *const control_members[] = {
	"text", "value", "selectedvalue", "innertext", "innerhtml", "postedfile",
	"filebytes", "filecontent", "filename", "selecteditem", NULL,
};

static const char *const killers[] = {
	"cint", "clng", "cdbl", "csng", "cbool", "cbyte", "ccur", "isnumeric",
	"parse", "tryparse", "toint32", "toint64", "toint16", "todouble",
	"toboolean", "todecimal", "isnullorempty", "isnullorwhitespace",
	"containskey", "htmlencode", "urlencode", "htmlattributeencode",
	"len", "isdate", "equals", "compare", "startswith", "endswith",
	"contains", "indexof", "instr", "ismatch", NULL,
};

struct name_entry {
	char name[64];
	uint32_t hash;
	unsigned taint, kinds;
	uint32_t line, off;
	char src[96];       /* the source, as written */
	uint32_t src_line;
	uint64_t src_off;
};

struct func {
	char name[64];
	uint32_t hash;
	char params[8][48];
	unsigned nparams;
};

/* What the tables say about one token, computed once per file. */
#define A_REQUEST   1u
#define A_KILLER    2u
#define A_REQSAFE   4u
#define A_SESSION   8u
#define A_THISME    16u
#define A_CONTROL   32u
#define A_CTRLMEMB  64u
#define A_DOT       128u
#define A_DECODED   256u
#define A_FUNCWORD  512u   /* function, sub */
#define A_NEW       1024u
#define A_CTLWORD   2048u  /* control_words */
#define A_BUILDER   4096u
#define A_NOTFUNC   8192u
#define A_DECL      16384u
#define A_NAMESPACE 32768u
#define A_MEMBERKIND 65536u
#define A_INIT      131072u /* a brace of an initializer: new T[] { ... } */
#define A_BRACE     262144u /* { or } */
#define A_XSLTWORD  524288u /* enablescript, trustedxslt, xsltsettings */

struct tokinfo {
	uint32_t hash;            /* of the lowercase identifier */
	uint32_t kinds;
	uint32_t attr;
	const struct word *word;  /* its entry in the word table, or NULL */
};

struct word {
	char w[40];
	uint32_t kinds;
	uint32_t attr;
	uint8_t nsinks;
	uint8_t sinks[5];   /* indexes into sinks[] */
};

struct flow {
	struct tokinfo *ti;
	const struct word_table *words;
	struct code_unit *u;
	const struct code_segments *segs;
	const struct code_text *txt;
	struct exs_code_result *out;
	struct name_entry *names;  /* open addressing, names_cap slots */
	size_t names_cap;
	uint64_t name_bloom[16];   /* bit (hash & 1023) of every name held */
	uint64_t func_bloom;       /* likewise for function names */
	uint64_t control_bloom;    /* likewise for server control ids */
	uint32_t control_hash[64];
	const char *func;          /* the function being walked, "" outside */
	char func_key[34];         /* "function/" as locals are keyed */
	uint32_t func_state;       /* FNV state after func_key */
	int scoped;                /* some "function/name" entries exist */
	size_t name_count;
	struct func *funcs;
	size_t nfuncs, capfuncs;
	int changed;
	int report;
	unsigned long work;
	int xslt_script;
	unsigned found_classes;
};

/* What a region of tokens carries. */
struct taint_info {
	unsigned taint, kinds;
	int decoded;
	char src[96];
	uint32_t src_line;
	uint64_t src_off;
	char via[48];
	uint32_t via_line;
};

static unsigned char lc(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static int is_op(const struct code_unit *u, const struct code_tok *t, const char *op)
{
	return t->type == T_OP && strcmp(u->arena + t->val, op) == 0;
}


/* ---- Names --------------------------------------------------------------- */

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ lc((unsigned char)*s)) * 16777619u;
	return h;
}

static void key_of(char *key, size_t cap, const char *prefix, const char *s, size_t n)
{
	size_t k = 0;
	for (; prefix && *prefix && k + 1 < cap; prefix++)
		key[k++] = *prefix;
	for (size_t i = 0; i < n && k + 1 < cap; i++)
		key[k++] = (char)lc((unsigned char)s[i]);
	key[k] = '\0';
}

static struct name_entry *lookup_h(struct flow *fl, const char *key, uint32_t hash,
				   int create);

static struct name_entry *lookup(struct flow *fl, const char *key, int create)
{
	char k[64];
	size_t n = strnlen(key, sizeof(k) - 1);
	memcpy(k, key, n);
	k[n] = '\0';
	if (create && memchr(k, '/', n))
		fl->scoped = 1;
	return lookup_h(fl, k, hash_name(k), create);
}

static struct name_entry *lookup_h(struct flow *fl, const char *key, uint32_t hash,
				   int create)
{
	if (!create && !(fl->name_bloom[(hash >> 6) & 15] & (1ull << (hash & 63))))
		return NULL;
	if (!fl->names && !create)
		return NULL;
	if (create && (fl->name_count + 1) * 2 > fl->names_cap) {
		/* grow (or create) the table: 64 slots first, at most NAMES_MAX */
		size_t cap = fl->names_cap ? fl->names_cap * 2 : 64;
		if (cap > NAMES_MAX) {
			if (!fl->names)
				return NULL;
			create = 0;
		} else {
			struct name_entry *v = calloc(cap, sizeof(*v));
			if (!v)
				return NULL;
			for (size_t i = 0; i < fl->names_cap; i++) {
				const struct name_entry *e = &fl->names[i];
				if (!e->name[0])
					continue;
				size_t at = e->hash & (cap - 1);
				while (v[at].name[0])
					at = (at + 1) & (cap - 1);
				v[at] = *e;
			}
			free(fl->names);
			fl->names = v;
			fl->names_cap = cap;
		}
	}
	size_t mask = fl->names_cap - 1;
	for (size_t probe = 0, h = hash & mask; probe < fl->names_cap; probe++) {
		struct name_entry *e = &fl->names[(h + probe) & mask];
		if (!e->name[0]) {
			if (!create)
				return NULL;
			snprintf(e->name, sizeof(e->name), "%s", key);
			e->hash = hash;
			fl->name_count++;
			fl->name_bloom[(hash >> 6) & 15] |= 1ull << (hash & 63);
			return e;
		}
		if (e->hash == hash && strcmp(e->name, key) == 0)
			return e;
	}
	return NULL;
}

static const struct name_entry *tok_entry(struct flow *fl, const struct code_tok *t)
{
	size_t i = (size_t)(t - fl->u->tok);
	if (fl->func[0] && fl->scoped) {
		/* FNV over "function/name" continued from the function's state:
		 * the bloom filter answers most lookups without a key */
		uint32_t h = fl->func_state;
		size_t n = t->vlen < 31 ? t->vlen : 31;
		const char *v = fl->u->arena + t->val;
		for (size_t k = 0; k < n; k++)
			h = (h ^ lc((unsigned char)v[k])) * 16777619u;
		if (fl->name_bloom[(h >> 6) & 15] & (1ull << (h & 63))) {
			char key[64];
			size_t fn = strlen(fl->func_key);
			memcpy(key, fl->func_key, fn);
			key_of(key + fn, n + 1, NULL, v, n);
			const struct name_entry *e = lookup_h(fl, key, h, 0);
			if (e)
				return e;
		}
	}
	if (!(fl->name_bloom[(fl->ti[i].hash >> 6) & 15] & (1ull << (fl->ti[i].hash & 63))))
		return NULL;
	char key[64];
	key_of(key, sizeof(key), NULL, fl->u->arena + t->val, t->vlen);
	return lookup_h(fl, key, fl->ti[i].hash, 0);
}

static void mark(struct flow *fl, const char *key, const struct taint_info *ti,
		 const struct code_tok *at)
{
	if (!key[0] || (!ti->taint && !ti->kinds))
		return;
	struct name_entry *e = lookup(fl, key, 1);
	if (!e)
		return;
	unsigned t = e->taint | ti->taint, k = e->kinds | ti->kinds;
	if (t == e->taint && k == e->kinds)
		return;
	if (!e->taint && ti->taint) {
		snprintf(e->src, sizeof(e->src), "%s", ti->src);
		e->src_line = ti->src_line;
		e->src_off = ti->src_off;
		e->line = at->line;
		e->off = at->off;
	}
	e->taint = t;
	e->kinds = k;
	fl->changed = 1;
}

/* ---- Describing ----------------------------------------------------------- */

static uint64_t orig_off(const struct flow *fl, const struct code_tok *t)
{
	return fl->txt->base + fl->txt->stride * (uint64_t)t->off;
}

static void append(char *dst, size_t cap, const char *s, size_t n)
{
	size_t k = strlen(dst);
	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[k++] = (c < 32 || c == 127) ? ' ' : (char)c;
	}
	dst[k] = '\0';
}

/* Renders tokens [a, b) compactly into dst. */
static void render(const struct code_unit *u, size_t a, size_t b, char *dst,
		   size_t cap)
{
	dst[0] = '\0';
	int prev_word = 0;
	for (size_t i = a; i < b && strlen(dst) + 2 < cap; i++) {
		const struct code_tok *t = &u->tok[i];
		if (t->type == T_EOS)
			continue;
		int word = t->type == T_IDENT || t->type == T_NUM;
		if (word && prev_word)
			append(dst, cap, " ", 1);
		if (t->type == T_STR) {
			append(dst, cap, "\"", 1);
			append(dst, cap, u->arena + t->val, t->vlen > 40 ? 40 : t->vlen);
			append(dst, cap, t->vlen > 40 ? "...\"" : "\"", t->vlen > 40 ? 4 : 1);
		} else {
			append(dst, cap, u->arena + t->val, t->vlen);
		}
		prev_word = word;
	}
}

/* The source starting at token i (Request): Request.Form["cmd"]. Returns
 * the index after it. */
static size_t describe_source(const struct code_unit *u, size_t i, size_t end,
			      char *dst, size_t cap)
{
	dst[0] = '\0';
	append(dst, cap, u->arena + u->tok[i].val, u->tok[i].vlen);
	size_t k = i + 1;
	for (int parts = 0; parts < 4 && k < end; parts++) {
		const struct code_tok *t = &u->tok[k];
		if (is_op(u, t, ".") && k + 1 < end && u->tok[k + 1].type == T_IDENT) {
			append(dst, cap, ".", 1);
			append(dst, cap, u->arena + u->tok[k + 1].val, u->tok[k + 1].vlen);
			k += 2;
		} else if ((is_op(u, t, "[") || is_op(u, t, "(")) && k + 2 < end &&
			   (u->tok[k + 1].type == T_STR || u->tok[k + 1].type == T_NUM) &&
			   (is_op(u, &u->tok[k + 2], "]") || is_op(u, &u->tok[k + 2], ")"))) {
			const struct code_tok *s = &u->tok[k + 1];
			append(dst, cap, u->arena + t->val, 1);
			if (s->type == T_STR)
				append(dst, cap, "\"", 1);
			append(dst, cap, u->arena + s->val, s->vlen > 32 ? 32 : s->vlen);
			if (s->type == T_STR)
				append(dst, cap, "\"", 1);
			append(dst, cap, u->arena + u->tok[k + 2].val, 1);
			k += 3;
		} else {
			break;
		}
	}
	return k;
}


static const char *const not_functions[] = {
	"if", "while", "for", "foreach", "switch", "using", "lock", "catch",
	"return", "new", "else", "elseif", "do", "select", "case", "typeof",
	"sizeof", "nameof", "fixed", "checked", "unchecked", "when", NULL,
};

static const char *const decl_words[] = {
	"var", "dim", "set", "let", "const", "private", "public", "protected",
	"static", "readonly", "shared", "friend", "internal", "redim", "preserve",
	NULL,
};

static const char *const control_words[] = {
	"if", "elseif", "while", "until", "case", "select", "loop", "return",
	"do", "for", "foreach", "switch", "catch", "using", "lock", "when", NULL,
};

static const char *const builders[] = {
	"append", "appendline", "appendformat", "add", "push", "insert",
	"concat", "addrange", "write", "setvalue", "loadxml", NULL,
};

static const char *const namespaces[] = {
	"system", "io", "diagnostics", "net", "sockets", "data", "sqlclient",
	"oledb", "odbc", "reflection", "directoryservices", "management",
	"automation", "runspaces", "web", "xml", "xsl", "codedom", "compiler",
	"csharp", "microsoft", "visualbasic", "jscript", "runtime",
	"interopservices", "text", "emit", "compilation", "hosting", "http",
	"mysqlclient", "oracleclient", "server", "scripting", "wscript", NULL,
};

/* ---- Classifying tokens once ------------------------------------------------ */

#define WORDS_MAX 1024 /* a power of two */

/* The word table is the same for every file: built once per process by
 * the first caller, while the others wait (a C11 atomic, no OS call). */
struct word_table {
	struct word v[WORDS_MAX];
	size_t count;
};

static struct word_table word_table;
static atomic_int word_table_state; /* 0 empty, 1 building, 2 ready */

static struct word *word_slot(struct word_table *wt, const char *w, uint32_t h,
			      int create)
{
	for (size_t probe = 0, at = h & (WORDS_MAX - 1); probe < WORDS_MAX; probe++) {
		struct word *x = &wt->v[(at + probe) & (WORDS_MAX - 1)];
		if (!x->w[0]) {
			if (!create || wt->count * 2 >= WORDS_MAX)
				return NULL;
			size_t n = strlen(w);
			if (n >= sizeof(x->w))
				return NULL;
			memcpy(x->w, w, n + 1);
			wt->count++;
			return x;
		}
		if (strcmp(x->w, w) == 0)
			return x;
	}
	return NULL;
}

static void add_word(struct word_table *wt, const char *w, uint32_t kinds,
		     uint32_t attr)
{
	struct word *x = word_slot(wt, w, hash_name(w), 1);
	if (x) {
		x->kinds |= kinds;
		x->attr |= attr;
	}
}

static void add_words(struct word_table *wt, const char *const *list, uint32_t attr)
{
	for (; *list; list++)
		add_word(wt, *list, 0, attr);
}

static void build_words(struct word_table *wt)
{
	for (const struct kindword *k = kindwords; k->word; k++)
		if (k->in_string != 1)
			add_word(wt, k->word, k->kind, k->in_string == 2 ? A_MEMBERKIND : 0);
	add_words(wt, killers, A_KILLER);
	add_words(wt, request_safe, A_REQSAFE);
	add_words(wt, control_members, A_CTRLMEMB);
	add_words(wt, control_words, A_CTLWORD);
	add_words(wt, builders, A_BUILDER);
	add_words(wt, not_functions, A_NOTFUNC);
	add_words(wt, decl_words, A_DECL);
	add_words(wt, namespaces, A_NAMESPACE);
	add_word(wt, "enablescript", 0, A_XSLTWORD);
	add_word(wt, "trustedxslt", 0, A_XSLTWORD);
	add_word(wt, "xsltsettings", 0, A_XSLTWORD);
	add_word(wt, "function", 0, A_FUNCWORD);
	add_word(wt, "sub", 0, A_FUNCWORD);
	add_word(wt, "new", 0, A_NEW);
	add_word(wt, "request", 0, A_REQUEST);
	add_word(wt, "session", 0, A_SESSION);
	add_word(wt, "application", 0, A_SESSION);
	add_word(wt, "this", 0, A_THISME);
	add_word(wt, "me", 0, A_THISME);
	for (size_t i = 0; sinks[i].name && i < 256; i++) {
		struct word *x = word_slot(wt, sinks[i].name, hash_name(sinks[i].name), 1);
		if (x && x->nsinks < sizeof(x->sinks))
			x->sinks[x->nsinks++] = (uint8_t)i;
	}
}

static const struct word_table *words(void)
{
	int expected = 0;
	if (atomic_load(&word_table_state) != 2) {
		if (atomic_compare_exchange_strong(&word_table_state, &expected, 1)) {
			build_words(&word_table);
			atomic_store(&word_table_state, 2);
		}
		while (atomic_load(&word_table_state) != 2)
			; /* another thread is building it: microseconds */
	}
	return &word_table;
}

static int is_control_id(const struct flow *fl, const struct code_tok *t, uint32_t hash)
{
	for (unsigned i = 0; i < fl->segs->control_count; i++)
		if (fl->control_hash[i] == hash && code_tok_is(fl->u, t, fl->segs->controls[i]))
			return 1;
	return 0;
}

static void classify(struct flow *fl)
{
	struct code_unit *u = fl->u;
	for (size_t i = 0; i < u->count; i++) {
		const struct code_tok *t = &u->tok[i];
		struct tokinfo *x = &fl->ti[i];
		memset(x, 0, sizeof(*x));
		if (t->flags & F_DECODED)
			x->attr |= A_DECODED;
		if (t->type == T_OP && t->vlen == 1) {
			char c = u->arena[t->val];
			if (c == '.')
				x->attr |= A_DOT;
			else if (c == '{' || c == '}')
				x->attr |= A_BRACE;
			continue;
		}
		if (t->type == T_STR) {
			if (t->vlen >= 6) {
				/* one lowercase copy, then strstr per word */
				char low[4096];
				size_t n = t->vlen < sizeof(low) - 1 ? t->vlen : sizeof(low) - 1;
				key_of(low, n + 1, NULL, u->arena + t->val, n);
				for (const struct kindword *k = kindwords; k->word; k++)
					if (k->in_string && strstr(low, k->word))
						x->kinds |= k->kind;
				if (strstr(low, "msxsl:script"))
					fl->xslt_script = 1;
			}
			for (int e = 0; script_exts[e]; e++) {
				size_t n = strlen(script_exts[e]);
				if (t->vlen >= n) {
					char tail[16];
					key_of(tail, sizeof(tail), NULL,
					       u->arena + t->val + t->vlen - n, n);
					if (strcmp(tail, script_exts[e]) == 0)
						x->kinds |= K_SCRIPTPATH;
				}
			}
			continue;
		}
		if (t->type != T_IDENT)
			continue;
		char k[64];
		key_of(k, sizeof(k), NULL, u->arena + t->val, t->vlen);
		x->hash = hash_name(k);
		if (t->vlen >= 40)
			continue;
		const struct word *w = word_slot((struct word_table *)fl->words, k, x->hash, 0);
		if (w) {
			x->kinds = w->kinds;
			x->attr |= w->attr;
			x->word = w;
			/* settings.Directory is a property, System.IO.Directory a type */
			if (x->kinds && i >= 2 && (fl->ti[i - 1].attr & A_DOT) &&
			    !(fl->ti[i - 2].attr & A_NAMESPACE) && !(x->attr & A_MEMBERKIND))
				x->kinds = 0;
		}
		if ((fl->control_bloom & (1ull << (x->hash & 63))) && is_control_id(fl, t, x->hash))
			x->attr |= A_CONTROL;
		if ((x->attr & A_XSLTWORD) &&
		    (!code_tok_is(u, t, "xsltsettings") ||
		     (i + 2 < u->count && code_tok_is(u, &u->tok[i + 2], "true"))))
			fl->xslt_script = 1;
	}
}

/* ---- Taint of a region ------------------------------------------------------ */

static void set_source(struct taint_info *ti, const char *src, uint32_t line,
		       uint64_t off, unsigned taint)
{
	if (!ti->taint || (ti->taint == TF_UPLOAD && taint & TF_REQ)) {
		snprintf(ti->src, sizeof(ti->src), "%s", src);
		ti->src_line = line;
		ti->src_off = off;
	}
	ti->taint |= taint;
}

static int key_is_cred(const char *s, size_t n)
{
	char k[64];
	key_of(k, sizeof(k), NULL, s, n);
	return strstr(k, "pass") || strstr(k, "pwd") || strstr(k, "passwd");
}

static size_t skip_group(const struct code_unit *u, size_t i, size_t end)
{
	/* i at '(' or '['; returns the index after the matching closer */
	int depth = 0;
	for (; i < end; i++) {
		const struct code_tok *t = &u->tok[i];
		if (is_op(u, t, "(") || is_op(u, t, "["))
			depth++;
		else if (is_op(u, t, ")") || is_op(u, t, "]")) {
			if (--depth <= 0)
				return i + 1;
		}
	}
	return end;
}

static void region_taint(struct flow *fl, size_t a, size_t b, struct taint_info *ti)
{
	struct code_unit *u = fl->u;
	const struct tokinfo *inf = fl->ti;
	ti->taint = ti->kinds = 0;
	ti->decoded = 0;
	ti->src[0] = ti->via[0] = '\0';
	ti->src_line = ti->via_line = 0;
	ti->src_off = 0;
	for (size_t i = a; i < b; i++) {
		fl->work++;
		const struct code_tok *t = &u->tok[i];
		unsigned attr = inf[i].attr;
		if (attr & A_DECODED)
			ti->decoded = 1;
		ti->kinds |= inf[i].kinds;
		if (t->type != T_IDENT)
			continue;
		int after_dot = i > a && (inf[i - 1].attr & A_DOT);
		int next_open = i + 1 < b && is_op(u, &u->tok[i + 1], "(");
		if (next_open && (attr & A_KILLER)) {
			i = skip_group(u, i + 1, b) - 1;
			continue;
		}
		if ((attr & A_REQUEST) && !(i + 1 < b && is_op(u, &u->tok[i + 1], "=")) &&
		    (t->lang == LANG_VB || memcmp(u->arena + t->val, "Request", 7) == 0)) {
			unsigned taint = TF_REQ | TF_UNB;
			if (i + 2 < b && (inf[i + 1].attr & A_DOT)) {
				const struct code_tok *m = &u->tok[i + 2];
				if (inf[i + 2].attr & A_REQSAFE) {
					i += 2;
					continue;
				}
				if (code_tok_is(u, m, "files"))
					taint = TF_UPLOAD;
				if (code_tok_is(u, m, "servervariables") && i + 4 < b &&
				    u->tok[i + 4].type == T_STR) {
					char k[32];
					key_of(k, sizeof(k), NULL, u->arena + u->tok[i + 4].val,
					       u->tok[i + 4].vlen);
					if (strncmp(k, "http_", 5) != 0 || !strcmp(k, "http_host") ||
					    !strcmp(k, "http_user_agent") || !strcmp(k, "http_referer") ||
					    !strcmp(k, "http_accept_language"))
						continue;
				}
			}
			char src[96];
			size_t after = describe_source(u, i, b, src, sizeof(src));
			for (size_t k = i + 1; k < after; k++)
				if (u->tok[k].type == T_STR &&
				    key_is_cred(u->arena + u->tok[k].val, u->tok[k].vlen))
					taint |= TF_CRED;
			set_source(ti, src, t->line, orig_off(fl, t), taint);
			continue;
		}
		if ((attr & A_CONTROL) && !after_dot && i + 2 < b && (inf[i + 1].attr & A_DOT) &&
		    (inf[i + 2].attr & A_CTRLMEMB)) {
			char src[96] = "";
			append(src, sizeof(src), u->arena + t->val, t->vlen);
			append(src, sizeof(src), ".", 1);
			append(src, sizeof(src), u->arena + u->tok[i + 2].val, u->tok[i + 2].vlen);
			unsigned taint = TF_REQ | TF_UNB;
			const struct code_tok *m = &u->tok[i + 2];
			if (code_tok_is(u, m, "postedfile") || code_tok_is(u, m, "filebytes") ||
			    code_tok_is(u, m, "filecontent") || code_tok_is(u, m, "filename"))
				taint = TF_UPLOAD;
			if (key_is_cred(u->arena + t->val, t->vlen))
				taint |= TF_CRED;
			set_source(ti, src, t->line, orig_off(fl, t), taint);
			i += 2;
			continue;
		}
		if ((attr & A_SESSION) && !after_dot) {
			size_t k = i + 1;
			if (k + 1 < b && (inf[k].attr & A_DOT) &&
			    (code_tok_is(u, &u->tok[k + 1], "item") ||
			     code_tok_is(u, &u->tok[k + 1], "contents")))
				k += 2;
			char key[64] = "";
			if (k + 1 < b && (is_op(u, &u->tok[k], "(") || is_op(u, &u->tok[k], "["))) {
				if (u->tok[k + 1].type == T_STR)
					key_of(key, sizeof(key), "session:", u->arena + u->tok[k + 1].val,
					       u->tok[k + 1].vlen);
				else
					snprintf(key, sizeof(key), "session:*");
			}
			const struct name_entry *e = key[0] ? lookup(fl, key, 0) : NULL;
			if (!e && key[0])
				e = lookup(fl, "session:*", 0);
			if (e && (e->taint || e->kinds)) {
				set_source(ti, e->src, e->src_line, e->src_off, e->taint);
				ti->kinds |= e->kinds;
				if (!ti->via[0]) {
					snprintf(ti->via, sizeof(ti->via), "%s", code_tok_text(u, t));
					ti->via_line = e->line;
				}
			}
			continue;
		}
		if (after_dot && !(i >= a + 2 && (inf[i - 2].attr & A_THISME)))
			continue;
		if (!fl->name_count)
			continue;
		const struct name_entry *e = tok_entry(fl, t);
		if (e && (e->taint || e->kinds)) {
			if (e->taint)
				set_source(ti, e->src, e->src_line, e->src_off, e->taint);
			ti->kinds |= e->kinds;
			if (e->taint && !ti->via[0]) {
				snprintf(ti->via, sizeof(ti->via), "%s", code_tok_text(u, t));
				ti->via_line = e->line;
			}
		}
	}
}

/* ---- Functions -------------------------------------------------------------- */


static struct func *find_func(struct flow *fl, const struct code_tok *t)
{
	size_t i = (size_t)(t - fl->u->tok);
	uint32_t h = fl->ti[i].hash;
	if (!(fl->func_bloom & (1ull << (h & 63))))
		return NULL;
	for (size_t k = 0; k < fl->nfuncs; k++)
		if (fl->funcs[k].hash == h && code_tok_is(fl->u, t, fl->funcs[k].name))
			return &fl->funcs[k];
	return NULL;
}

/* Records a definition NAME ( params ) at index i (the name). */
static struct func *define(struct flow *fl, size_t i, size_t end, int vb)
{
	struct code_unit *u = fl->u;
	if (fl->nfuncs == fl->capfuncs) {
		if (fl->capfuncs >= 4096)
			return NULL;
		size_t cap = fl->capfuncs ? fl->capfuncs * 2 : 32;
		struct func *v = realloc(fl->funcs, cap * sizeof(*v));
		if (!v)
			return NULL;
		fl->funcs = v;
		fl->capfuncs = cap;
	}
	struct func *f = &fl->funcs[fl->nfuncs++];
	memset(f, 0, sizeof(*f));
	key_of(f->name, sizeof(f->name), NULL, u->arena + u->tok[i].val, u->tok[i].vlen);
	f->hash = fl->ti[i].hash;
	fl->func_bloom |= 1ull << (f->hash & 63);
	size_t k = i + 2, last = 0;
	int depth = 0, in_default = 0, took = 0;
	for (; k < end; k++) {
		const struct code_tok *t = &u->tok[k];
		if (is_op(u, t, "(") || is_op(u, t, "[") || is_op(u, t, "<"))
			depth++;
		else if (is_op(u, t, ")") || is_op(u, t, "]") || is_op(u, t, ">")) {
			if (depth-- == 0)
				break;
		} else if (depth == 0 && is_op(u, t, ",")) {
			if (last && f->nparams < 8)
				key_of(f->params[f->nparams++], 48, NULL,
				       u->arena + u->tok[last].val, u->tok[last].vlen);
			last = 0, in_default = 0, took = 0;
		} else if (depth == 0 && is_op(u, t, "=")) {
			in_default = 1;
		} else if (depth == 0 && !vb && is_op(u, t, ":")) {
			took = 1; /* JScript.NET: name : Type */
		} else if (depth == 0 && t->type == T_IDENT && !in_default) {
			if (vb) {
				if (code_tok_is(u, t, "byval") || code_tok_is(u, t, "byref") ||
				    code_tok_is(u, t, "optional") || code_tok_is(u, t, "paramarray"))
					continue;
				if (code_tok_is(u, t, "as"))
					took = 1;
				else if (!took)
					last = k;
			} else if (!took) {
				last = k;
			}
		}
	}
	if (last && f->nparams < 8)
		key_of(f->params[f->nparams++], 48, NULL, u->arena + u->tok[last].val,
		       u->tok[last].vlen);
	return f;
}

/* ---- Findings --------------------------------------------------------------- */

static void report(struct flow *fl, enum sink_class cls, const struct sink *s,
		   const struct taint_info *ti, size_t at, size_t a, size_t b)
{
	struct exs_code_result *out = fl->out;
	if (fl->found_classes & (1u << cls))
		return;
	fl->found_classes |= 1u << cls;
	if (out->count == EXS_CODE_FINDINGS_MAX)
		return;
	struct code_unit *u = fl->u;
	const struct code_tok *t = &u->tok[at];
	struct exs_code_finding *f = &out->findings[out->count++];
	memset(f, 0, sizeof(*f));
	f->severity = classes[cls].sev;
	snprintf(f->rule, sizeof(f->rule), "%s", classes[cls].rule);
	f->sink_line = t->line;
	f->sink_offset = orig_off(fl, t);
	f->source_line = ti->src_line;
	f->source_offset = ti->src_off;
	int decoded = ti->decoded;
	for (size_t i = a; i < b; i++)
		if (u->tok[i].flags & (F_DECODED | F_FOLDED))
			decoded = 1;
	f->deobfuscated = decoded;
	const char *label = s ? s->label : "Assembly.Load";
	if (cls == C_EMBEDDED)
		snprintf(f->explanation, sizeof(f->explanation),
			 "%s: embedded MZ image (line %u)", label, t->line);
	else if (ti->via[0] && ti->via_line)
		snprintf(f->explanation, sizeof(f->explanation),
			 "%s (line %u) -> %s (line %u) -> %s (line %u)", ti->src,
			 ti->src_line, ti->via, ti->via_line, label, t->line);
	else
		snprintf(f->explanation, sizeof(f->explanation),
			 "%s (line %u) -> %s (line %u)", ti->src, ti->src_line, label,
			 t->line);
	if (decoded)
		render(u, a, b, f->normalised, sizeof(f->normalised));
}

/* The argument region of the call whose name is at i: [*ra, *rb). */
static int call_args(const struct code_unit *u, size_t i, size_t b, int vb,
		     size_t *ra, size_t *rb)
{
	if (i + 1 < b && is_op(u, &u->tok[i + 1], "(")) {
		*ra = i + 2;
		*rb = skip_group(u, i + 1, b) - 1;
		if (*rb < *ra)
			*rb = *ra;
		return 1;
	}
	if (vb && i + 1 < b && !is_op(u, &u->tok[i + 1], "=") &&
	    !is_op(u, &u->tok[i + 1], ".")) {
		*ra = i + 1;
		*rb = b;
		return 1;
	}
	return 0;
}

/* Narrows [a, b) to its argument number n (0-based). */
static int nth_arg(const struct code_unit *u, size_t *a, size_t *b, int n)
{
	int depth = 0, idx = 0;
	size_t start = *a;
	for (size_t i = *a; i < *b; i++) {
		const struct code_tok *t = &u->tok[i];
		if (is_op(u, t, "(") || is_op(u, t, "[") || is_op(u, t, "{"))
			depth++;
		else if (is_op(u, t, ")") || is_op(u, t, "]") || is_op(u, t, "}"))
			depth--;
		else if (depth == 0 && is_op(u, t, ",")) {
			if (idx == n) {
				*a = start;
				*b = i;
				return 1;
			}
			idx++;
			start = i + 1;
		}
	}
	if (idx == n) {
		*a = start;
		return *b > start;
	}
	return 0;
}

static const char *const prefix_skip[] = {
	"server", "path", "me", "this", "httpcontext", "current", "context",
	"mappath", "combine", "new", "uri", "system", "io", "string", "format",
	"concat", "cstr", "tostring", "trim", NULL,
};

/* Is the value [a, b) request data inside fixed text: does it start with
 * a literal longer than a drive or a slash ("uploads/", "SELECT ... "), or
 * with an operand that carries no request data (a configured folder)? */
static int literal_prefix(struct flow *fl, size_t a, size_t b)
{
	struct code_unit *u = fl->u;
	size_t i = a;
	for (; i < b; i++) {
		const struct code_tok *t = &u->tok[i];
		int skip = is_op(u, t, "(") || is_op(u, t, ".");
		for (int k = 0; !skip && prefix_skip[k]; k++)
			skip = code_tok_is(u, t, prefix_skip[k]);
		if (!skip)
			break;
	}
	if (i >= b)
		return 0;
	if (u->tok[i].type == T_STR)
		return u->tok[i].vlen > 3;
	if (code_tok_is(u, &u->tok[i], "appdomain") ||
	    code_tok_is(u, &u->tok[i], "hostingenvironment"))
		return 1;
	/* the first operand */
	size_t e = i;
	int depth = 0;
	for (; e < b; e++) {
		const struct code_tok *t = &u->tok[e];
		if (is_op(u, t, "(") || is_op(u, t, "["))
			depth++;
		else if (is_op(u, t, ")") || is_op(u, t, "]")) {
			if (--depth < 0)
				break;
		} else if (depth == 0 && (is_op(u, t, "+") || is_op(u, t, "&") ||
					  is_op(u, t, ",")))
			break;
	}
	if (e == b)
		return 0; /* one operand: the whole value */
	struct taint_info first;
	region_taint(fl, i, e, &first);
	return !(first.taint & TF_REQ);
}

static int policy_ok(struct flow *fl, enum policy p, const struct taint_info *ti,
		     size_t a, size_t b)
{
	switch (p) {
	case P_ANY: return ti->taint != 0;
	case P_FULL: return (ti->taint & TF_REQ) != 0;
	case P_NOPREFIX:
		return (ti->taint & TF_REQ) && (ti->taint & TF_UNB) &&
		       !literal_prefix(fl, a, b);
	case P_CRED: return (ti->taint & TF_CRED) != 0;
	}
	return 0;
}

/* The kinds of the object a method is called on: the chain before the dot
 * at i - 1 (sh in sh.Run, CreateObject("WScript.Shell") in ...Run). */
static unsigned receiver_kinds(struct flow *fl, size_t a, size_t i)
{
	struct code_unit *u = fl->u;
	if (i < a + 2)
		return 0;
	size_t k = i - 1; /* the dot */
	while (k > a) {
		const struct code_tok *p = &u->tok[k - 1];
		if (p->type == T_IDENT || p->type == T_STR || is_op(u, p, ".")) {
			k--;
		} else if (is_op(u, p, ")") || is_op(u, p, "]")) {
			int depth = 0;
			size_t m = k - 1;
			for (;;) {
				const struct code_tok *x = &u->tok[m];
				if (is_op(u, x, ")") || is_op(u, x, "]"))
					depth++;
				else if ((is_op(u, x, "(") || is_op(u, x, "[")) && --depth == 0)
					break;
				if (m == a)
					break;
				m--;
			}
			if (depth != 0)
				break;
			k = m;
		} else {
			break;
		}
	}
	struct taint_info ti;
	region_taint(fl, k, i - 1, &ti);
	return ti.kinds;
}

static int mentions_mappath(const struct code_unit *u, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		if (code_tok_is(u, &u->tok[i], "mappath"))
			return 1;
	return 0;
}

static void check_sinks(struct flow *fl, size_t a, size_t b, unsigned ctx_kinds)
{
	struct code_unit *u = fl->u;
	struct taint_info all;
	region_taint(fl, a, b, &all);
	unsigned kinds = all.kinds | ctx_kinds;
	for (size_t i = a; i < b; i++) {
		const struct code_tok *t = &u->tok[i];
		if (t->type != T_IDENT)
			continue;
		int vb = t->lang == LANG_VB;
		int after_dot = i > a && is_op(u, &u->tok[i - 1], ".");
		int after_new = i > a && (fl->ti[i - 1].attr & A_NEW);
		/* eval reached through this/window/self */
		int global_recv = after_dot && i >= a + 2 &&
			(code_tok_is(u, &u->tok[i - 2], "this") ||
			 code_tok_is(u, &u->tok[i - 2], "window") ||
			 code_tok_is(u, &u->tok[i - 2], "self") ||
			 code_tok_is(u, &u->tok[i - 2], "globalthis"));
		/* new Function(x) in JScript */
		if (!vb && strcmp(code_tok_text(u, t), "Function") == 0 &&
		    (after_new || (i + 1 < b && is_op(u, &u->tok[i + 1], "(")))) {
			size_t ra, rb;
			if (call_args(u, i, b, 0, &ra, &rb)) {
				struct taint_info ti;
				region_taint(fl, ra, rb, &ti);
				if (ti.taint) {
					static const struct sink fn = { "function", 0, H_CALL, DOT_ANY, -1, P_ANY, C_EVAL, "new Function" };
					report(fl, C_EVAL, &fn, &ti, i, a, b);
				}
			}
		}
		/* an alias of eval called */
		if (!after_dot && i + 1 < b && is_op(u, &u->tok[i + 1], "(")) {
			const struct name_entry *e = tok_entry(fl, t);
			if (e && (e->kinds & K_EVALALIAS)) {
				size_t ra = 0, rb = 0;
				call_args(u, i, b, 0, &ra, &rb);
				struct taint_info ti;
				region_taint(fl, ra, rb, &ti);
				if (ti.taint) {
					static const struct sink al = { "alias", 0, H_CALL, DOT_ANY, -1, P_ANY, C_EVAL, "eval (aliased)" };
					report(fl, C_EVAL, &al, &ti, i, a, b);
				}
			}
		}
		const struct word *w = fl->ti[i].word;
		for (unsigned si = 0; w && si < w->nsinks; si++) {
			const struct sink *s = &sinks[w->sinks[si]];
			fl->work++;
			if (s->kinds) {
				/* a method's object kind comes from its receiver, a
				 * property's from its receiver or the initializer */
				unsigned rk = after_dot ? receiver_kinds(fl, a, i) : kinds;
				if (!((rk | ctx_kinds) & s->kinds))
					continue;
			}
			if (s->cls == C_EVAL && s->kinds == 0 &&
			    (code_tok_is(u, t, "execute") || code_tok_is(u, t, "executeglobal")) &&
			    !vb)
				continue; /* C# and JScript have no Execute statement */
			if (s->cls == C_EVAL && code_tok_is(u, t, "eval") && t->lang == LANG_C)
				continue; /* C# has no eval: a method of the page */
			if (s->dot == DOT_YES && !after_dot)
				continue;
			if (s->dot == DOT_NO && after_dot && !global_recv)
				continue;
			if (s->how == H_CTOR && !after_new) {
				/* new System.Data.SqlClient.SqlConnection( */
				size_t k = i;
				while (k >= a + 2 && (fl->ti[k - 1].attr & A_DOT) &&
				       u->tok[k - 2].type == T_IDENT)
					k -= 2;
				if (!(k > a && (fl->ti[k - 1].attr & A_NEW)))
					continue;
			}
			size_t ra = 0, rb = 0;
			if (s->how == H_PROP) {
				if (!(i + 1 < b && (is_op(u, &u->tok[i + 1], "=") ||
						    is_op(u, &u->tok[i + 1], "+=") ||
						    is_op(u, &u->tok[i + 1], "&="))))
					continue;
				ra = i + 2;
				rb = ra;
				int depth = 0;
				while (rb < b) {
					const struct code_tok *x = &u->tok[rb];
					if (is_op(u, x, "(") || is_op(u, x, "["))
						depth++;
					else if (is_op(u, x, ")") || is_op(u, x, "]"))
						depth--;
					else if (depth == 0 && is_op(u, x, ","))
						break;
					if (depth < 0)
						break;
					rb++;
				}
			} else if (s->how == H_RECV) {
				size_t k = i - 1;
				while (k > a && (u->tok[k - 1].type == T_IDENT ||
						 is_op(u, &u->tok[k - 1], ".") ||
						 is_op(u, &u->tok[k - 1], ")") ||
						 is_op(u, &u->tok[k - 1], "]")))
					k--;
				ra = k;
				rb = i - 1;
			} else if (!call_args(u, i, b, vb, &ra, &rb)) {
				continue;
			}
			if (s->arg >= 0 && s->how != H_PROP && s->how != H_RECV &&
			    !nth_arg(u, &ra, &rb, s->arg))
				continue;
			struct taint_info ti;
			if (s->arg < 0 && s->policy == P_NOPREFIX && s->how != H_PROP) {
				/* any one argument that is request data as a whole */
				int hit = 0;
				for (int n = 0; n < 8 && !hit; n++) {
					size_t pa = ra, pb = rb;
					if (!nth_arg(u, &pa, &pb, n))
						break;
					region_taint(fl, pa, pb, &ti);
					if (policy_ok(fl, s->policy, &ti, pa, pb)) {
						ra = pa, rb = pb;
						hit = 1;
					}
				}
				if (!hit)
					continue;
			}
			region_taint(fl, ra, rb, &ti);
			/* content into a script file, or a password anywhere it leaves */
			if (s->cls == C_FILEWRITE || s->cls == C_HTTP) {
				size_t ca = 0, cb = 0;
				if (s->how != H_PROP && call_args(u, i, b, vb, &ca, &cb)) {
					struct taint_info whole;
					region_taint(fl, ca, cb, &whole);
					if (whole.taint & TF_CRED)
						report(fl, C_CRED, s, &whole, i, a, b);
					if (s->cls == C_FILEWRITE && (whole.kinds & K_SCRIPTPATH) &&
					    (whole.taint & TF_REQ))
						report(fl, C_DROPPER, s, &whole, i, a, b);
				}
			}
			if (!policy_ok(fl, s->policy, &ti, ra, rb))
				continue;
			if (s->cls == C_FILEREAD && mentions_mappath(u, ra, rb))
				continue; /* inside the application's own folders */
			if (s->cls == C_CODELOAD && s->kinds == K_XSLT && !fl->xslt_script)
				continue; /* a stylesheet without script is data */
			report(fl, s->cls, s, &ti, i, a, b);
		}
		/* writes of request content into an object bound to a script path,
		 * and passwords written anywhere */
		if (after_dot && (code_tok_is(u, t, "write") || code_tok_is(u, t, "writeline") ||
				  code_tok_is(u, t, "writetext") || code_tok_is(u, t, "copyto") ||
				  code_tok_is(u, t, "send") || code_tok_is(u, t, "uploadstring") ||
				  code_tok_is(u, t, "uploaddata") || code_tok_is(u, t, "uploadvalues"))) {
			size_t ra, rb;
			if (!call_args(u, i, b, vb, &ra, &rb))
				continue;
			struct taint_info ti;
			region_taint(fl, a, b, &ti);
			unsigned k2 = ti.kinds | ctx_kinds;
			int outward = k2 & (K_FILEW | K_ADOSTREAM | K_TEXTSTREAM | K_NET | K_FILE | K_SOCKET);
			if (outward && (ti.taint & TF_CRED))
				report(fl, C_CRED, NULL, &ti, i, a, b);
			if ((k2 & K_SCRIPTPATH) && (k2 & (K_FILEW | K_ADOSTREAM | K_TEXTSTREAM)) &&
			    (ti.taint & (TF_REQ | TF_UPLOAD))) {
				static const struct sink wr = { "write", 0, H_CALL, DOT_YES, -1, P_ANY, C_DROPPER, "write to a server script file" };
				report(fl, C_DROPPER, &wr, &ti, i, a, b);
			}
		}
		/* ConfigurationManager.ConnectionStrings[request] */
		if (code_tok_is(u, t, "connectionstrings") && i + 1 < b &&
		    (is_op(u, &u->tok[i + 1], "[") || (vb && is_op(u, &u->tok[i + 1], "(")))) {
			size_t end = skip_group(u, i + 1, b);
			struct taint_info ti;
			region_taint(fl, i + 2, end > i + 2 ? end - 1 : i + 2, &ti);
			if (ti.taint & TF_REQ) {
				static const struct sink cs = { "connectionstrings", 0, H_CALL, DOT_ANY, -1, P_FULL, C_SECRET, "ConfigurationManager.ConnectionStrings[name]" };
				report(fl, C_SECRET, &cs, &ti, i, a, b);
			}
		}
		/* Assembly.Load of an embedded image */
		if (after_dot && code_tok_is(u, t, "load") && (kinds & K_ASM) &&
		    i + 2 < b && is_op(u, &u->tok[i + 1], "(") && u->tok[i + 2].type == T_STR &&
		    u->tok[i + 2].vlen > 64 && memcmp(u->arena + u->tok[i + 2].val, "MZ", 2) == 0) {
			struct taint_info none;
			memset(&none, 0, sizeof(none));
			report(fl, C_EMBEDDED, NULL, &none, i, a, b);
		}
	}
}

/* ---- Statements ------------------------------------------------------------- */


/* The name an assignment's left side [a, eq) binds; key out. Also reports
 * whether the left side was a member (psi.FileName =). */
/* Locals and parameters are named "function/name", so that two functions'
 * variables of one name do not meet; everything else is global. A use
 * inside a function finds its local first. */
/* "function/name", each part cut at 31 bytes, into out[64]. */
static void join_key(char out[64], const char *a, const char *b)
{
	size_t na = strnlen(a, 31), nb = strnlen(b, 31);
	memcpy(out, a, na);
	out[na] = '/';
	memcpy(out + na + 1, b, nb);
	out[na + 1 + nb] = '\0';
}

static void var_key(struct flow *fl, const char *name, int decl, char *out, size_t cap)
{
	if (fl->func[0] && strncmp(name, "session:", 8) != 0) {
		char k[64];
		join_key(k, fl->func, name);
		if (decl || lookup(fl, k, 0)) {
			memcpy(out, k, cap < sizeof(k) ? cap : sizeof(k));
			out[cap - 1] = '\0';
			return;
		}
	}
	size_t n = strnlen(name, cap - 1);
	memcpy(out, name, n);
	out[n] = '\0';
}

static int assign_target(struct flow *fl, size_t a, size_t eq, char *key, size_t cap)
{
	struct code_unit *u = fl->u;
	key[0] = '\0';
	if (eq == a)
		return 0;
	int decl = code_tok_is(u, &u->tok[a], "dim") || code_tok_is(u, &u->tok[a], "var") ||
		   code_tok_is(u, &u->tok[a], "let") || code_tok_is(u, &u->tok[a], "const");
	if (u->tok[a].lang != LANG_VB && eq >= a + 2 && u->tok[eq - 1].type == T_IDENT) {
		const struct code_tok *p = &u->tok[eq - 2];
		if (p->type == T_IDENT || is_op(u, p, ">") || is_op(u, p, "]") || is_op(u, p, "?"))
			decl = 1;
	}
	const struct code_tok *last = &u->tok[eq - 1];
	/* Session("k") = / Session["k"] = */
	if ((is_op(u, last, ")") || is_op(u, last, "]")) && eq >= a + 4 &&
	    (code_tok_is(u, &u->tok[a], "session") || code_tok_is(u, &u->tok[a], "application"))) {
		size_t k = a + 1;
		if (k + 1 < eq && is_op(u, &u->tok[k], ".")) k += 2;
		if (k + 1 < eq && u->tok[k + 1].type == T_STR)
			key_of(key, cap, "session:", u->arena + u->tok[k + 1].val, u->tok[k + 1].vlen);
		else
			snprintf(key, cap, "session:*");
		return 0;
	}
	/* VB: Dim x As String = ... */
	for (size_t i = a; i + 1 < eq; i++)
		if (u->tok[i].lang == LANG_VB && code_tok_is(u, &u->tok[i + 1], "as") &&
		    u->tok[i].type == T_IDENT) {
			key_of(key, cap, NULL, u->arena + u->tok[i].val, u->tok[i].vlen);
			return 1;
		}
	/* a.b.c = : the root object */
	size_t first = a;
	while (first < eq && u->tok[first].type == T_IDENT && (fl->ti[first].attr & A_DECL))
		first++;
	if (first + 1 < eq && is_op(u, &u->tok[first + 1], ".") && u->tok[first].type == T_IDENT) {
		if ((code_tok_is(u, &u->tok[first], "this") || code_tok_is(u, &u->tok[first], "me")) &&
		    first + 2 < eq) {
			key_of(key, cap, NULL, u->arena + u->tok[first + 2].val, u->tok[first + 2].vlen);
			return 0;
		}
		key_of(key, cap, NULL, u->arena + u->tok[first].val, u->tok[first].vlen);
		return 0;
	}
	/* a[i] = */
	if (is_op(u, last, "]") || is_op(u, last, ")")) {
		if (u->tok[first].type == T_IDENT)
			key_of(key, cap, NULL, u->arena + u->tok[first].val, u->tok[first].vlen);
		return 0;
	}
	if (last->type == T_IDENT)
		key_of(key, cap, NULL, u->arena + last->val, last->vlen);
	return decl;
}



static void statement(struct flow *fl, size_t a, size_t b, const char *func,
		      unsigned ctx_kinds)
{
	struct code_unit *u = fl->u;
	if (a >= b)
		return;
	/* control heads: skip "if (...)" and friends, keep the body */
	const struct code_tok *t0 = &u->tok[a];
	if (t0->lang != LANG_VB && (fl->ti[a].attr & A_CTLWORD) && a + 1 < b &&
	    is_op(u, &u->tok[a + 1], "(")) {
		size_t after = skip_group(u, a + 1, b);
		/* foreach (var x in coll) / for (var k in coll) */
		if (code_tok_is(u, t0, "foreach") || code_tok_is(u, t0, "for")) {
			for (size_t k = a + 2; k + 1 < after; k++)
				if (code_tok_is(u, &u->tok[k], "in") && u->tok[k - 1].type == T_IDENT) {
					struct taint_info ti;
					region_taint(fl, k + 1, after, &ti);
					char name[64], key[64];
					key_of(name, sizeof(name), NULL, u->arena + u->tok[k - 1].val,
					       u->tok[k - 1].vlen);
					var_key(fl, name, 1, key, sizeof(key));
					mark(fl, key, &ti, &u->tok[k - 1]);
					break;
				}
		}
		if (code_tok_is(u, t0, "using") || code_tok_is(u, t0, "for"))
			statement(fl, a + 2, after - 1, func, ctx_kinds);
		if (fl->report)
			check_sinks(fl, a, after, ctx_kinds);
		statement(fl, after, b, func, ctx_kinds);
		return;
	}
	if (t0->type == T_IDENT && code_tok_is(u, t0, "else")) {
		statement(fl, a + 1, b, func, ctx_kinds);
		return;
	}
	if (fl->report)
		check_sinks(fl, a, b, ctx_kinds);
	/* VB: Dim x As New T (no '=') */
	if (t0->lang == LANG_VB && a + 4 < b + 1 && (code_tok_is(u, t0, "dim") ||
	    (fl->ti[a].attr & A_DECL))) {
		for (size_t k = a + 1; k + 2 < b; k++)
			if (u->tok[k].type == T_IDENT && code_tok_is(u, &u->tok[k + 1], "as") &&
			    (fl->ti[k + 2].attr & A_NEW)) {
				struct taint_info ti;
				region_taint(fl, k + 3, b, &ti);
				char name[64], key[64];
				key_of(name, sizeof(name), NULL, u->arena + u->tok[k].val, u->tok[k].vlen);
				var_key(fl, name, 1, key, sizeof(key));
				mark(fl, key, &ti, &u->tok[k]);
				break;
			}
	}
	/* VB For Each x In coll */
	if (t0->lang == LANG_VB && code_tok_is(u, t0, "for") && a + 3 < b &&
	    code_tok_is(u, &u->tok[a + 1], "each")) {
		for (size_t k = a + 2; k + 1 < b; k++)
			if (code_tok_is(u, &u->tok[k + 1], "in")) {
				struct taint_info ti;
				region_taint(fl, k + 2, b, &ti);
				char name[64], key[64];
				key_of(name, sizeof(name), NULL, u->arena + u->tok[k].val, u->tok[k].vlen);
				var_key(fl, name, 0, key, sizeof(key));
				mark(fl, key, &ti, &u->tok[k]);
				break;
			}
		return;
	}
	/* return EXPR taints the function */
	if (code_tok_is(u, t0, "return") && func && func[0]) {
		struct taint_info ti;
		region_taint(fl, a + 1, b, &ti);
		ti.kinds = 0;
		mark(fl, func, &ti, t0);
	}
	/* calls: tainted arguments taint the parameters; builders taint their
	 * receiver */
	for (size_t i = a; i < b; i++) {
		const struct code_tok *t = &u->tok[i];
		if (t->type != T_IDENT)
			continue;
		int open = i + 1 < b && is_op(u, &u->tok[i + 1], "(");
		int vbcall = t->lang == LANG_VB && i == a && i + 1 < b &&
			     !is_op(u, &u->tok[i + 1], "=") && !is_op(u, &u->tok[i + 1], ".");
		int vbmethod = t->lang == LANG_VB && !open && i >= a + 2 && i + 1 < b &&
			       is_op(u, &u->tok[i - 1], ".") && (fl->ti[i].attr & A_BUILDER);
		if (!open && !vbcall && !vbmethod)
			continue;
		struct func *f = (i == a || !is_op(u, &u->tok[i - 1], ".")) ? find_func(fl, t) : NULL;
		size_t ra, rb;
		if (f && call_args(u, i, b, t->lang == LANG_VB, &ra, &rb)) {
			for (unsigned p = 0; p < f->nparams; p++) {
				size_t pa = ra, pb = rb;
				if (!nth_arg(u, &pa, &pb, (int)p))
					break;
				struct taint_info ti;
				region_taint(fl, pa, pb, &ti);
				char key[64];
				join_key(key, f->name, f->params[p]);
				mark(fl, key, &ti, t);
			}
		}
		int vbargs = t->lang == LANG_VB && i + 1 < b && !is_op(u, &u->tok[i + 1], "=") &&
			     !is_op(u, &u->tok[i + 1], ".") && !open;
		if ((open || vbargs) && i >= a + 2 && is_op(u, &u->tok[i - 1], ".") &&
		    (fl->ti[i].attr & A_BUILDER) &&
		    !code_tok_is(u, &u->tok[i - 2], "response") && u->tok[i - 2].type == T_IDENT) {
			size_t k = i - 2;
			while (k >= a + 2 && is_op(u, &u->tok[k - 1], ".") && u->tok[k - 2].type == T_IDENT)
				k -= 2;
			call_args(u, i, b, vbargs, &ra, &rb);
			struct taint_info ti;
			region_taint(fl, ra, rb, &ti);
			ti.taint &= ~TF_UNB; /* appended to what was there */
			char name[64], key[64];
			key_of(name, sizeof(name), NULL, u->arena + u->tok[k].val, u->tok[k].vlen);
			var_key(fl, name, 0, key, sizeof(key));
			if (!code_tok_is(u, &u->tok[k], "request") && !code_tok_is(u, &u->tok[k], "session"))
				mark(fl, key, &ti, t);
		}
	}
	/* assignments */
	if (t0->lang == LANG_VB && (fl->ti[a].attr & A_CTLWORD))
		return;
	int depth = 0;
	for (size_t i = a; i < b; i++) {
		const struct code_tok *t = &u->tok[i];
		if (is_op(u, t, "(") || is_op(u, t, "["))
			depth++;
		else if (is_op(u, t, ")") || is_op(u, t, "]"))
			depth--;
		else if (depth == 0 && (is_op(u, t, "=") || is_op(u, t, "+=") ||
					is_op(u, t, "&="))) {
			char name[64], key[64];
			int decl = assign_target(fl, a, i, name, sizeof(name));
			var_key(fl, name, decl, key, sizeof(key));
			struct taint_info ti;
			region_taint(fl, i + 1, b, &ti);
			if (i + 2 == b && u->tok[i + 1].type == T_IDENT &&
			    code_tok_is(u, &u->tok[i + 1], "eval"))
				ti.kinds |= K_EVALALIAS;
			if ((ti.taint & TF_UNB) &&
			    (!is_op(u, t, "=") || literal_prefix(fl, i + 1, b)))
				ti.taint &= ~TF_UNB;
			ti.kinds &= ~(unsigned)(K_RESPONSE);
			mark(fl, key, &ti, t);
			/* a = b = c: the rest is handled as its own assignment */
			statement(fl, i + 1, b, func, ctx_kinds);
			return;
		}
	}
}

/* A web service method's parameters come from the request too:
 * [WebMethod] / <WebMethod()> / [OperationContract] / WebMethodAttribute
 * before the name at i. */
static void web_method_params(struct flow *fl, size_t a, size_t i, const struct func *f)
{
	struct code_unit *u = fl->u;
	int web = 0;
	for (size_t k = a; k < i && !web; k++)
		web = code_tok_is(u, &u->tok[k], "webmethod") ||
		      code_tok_is(u, &u->tok[k], "webmethodattribute") ||
		      code_tok_is(u, &u->tok[k], "operationcontract") ||
		      code_tok_is(u, &u->tok[k], "webinvoke") ||
		      code_tok_is(u, &u->tok[k], "webget");
	if (!web || !f)
		return;
	for (unsigned p = 0; p < f->nparams; p++) {
		struct taint_info ti;
		memset(&ti, 0, sizeof(ti));
		ti.taint = TF_REQ | TF_UNB;
		snprintf(ti.src, sizeof(ti.src), "WebMethod parameter %s", f->params[p]);
		ti.src_line = u->tok[i].line;
		ti.src_off = orig_off(fl, &u->tok[i]);
		char key[64];
		join_key(key, f->name, f->params[p]);
		mark(fl, key, &ti, &u->tok[i]);
	}
}

static int is_boundary(const struct flow *fl, size_t i)
{
	if (fl->u->tok[i].type == T_EOS)
		return 1;
	return (fl->ti[i].attr & (A_BRACE | A_INIT)) == A_BRACE;
}

/* Marks the braces of array and object initializers (new T[] { .. },
 * new T { A = b }, = { .. }), which belong to their statement. */
static void mark_initializers(struct flow *fl)
{
	struct code_unit *u = fl->u;
	unsigned char stack[256];
	size_t depth = 0, last_boundary = 0;
	for (size_t i = 0; i < u->count; i++) {
		const struct code_tok *t = &u->tok[i];
		if (t->type == T_EOS) {
			last_boundary = i;
			continue;
		}
		if (t->type != T_OP || t->vlen != 1)
			continue;
		char c = u->arena[t->val];
		if (c == '{') {
			int init = 0;
			if (i > 0) {
				const struct code_tok *p = &u->tok[i - 1];
				if (is_op(u, p, "]") || is_op(u, p, "=") || is_op(u, p, ",") ||
				    is_op(u, p, "(") || code_tok_is(u, p, "return"))
					init = 1;
				else if (p->type == T_IDENT || is_op(u, p, ")"))
					for (size_t k = i; k-- > last_boundary && k + 16 > i;)
						if (fl->ti[k].attr & A_NEW) {
							init = 1;
							break;
						}
			}
			if (depth < sizeof(stack))
				stack[depth] = (unsigned char)init;
			depth++;
			if (init)
				fl->ti[i].attr |= A_INIT;
			else
				last_boundary = i;
		} else if (c == '}') {
			if (depth) {
				depth--;
				if (depth < sizeof(stack) && stack[depth])
					fl->ti[i].attr |= A_INIT;
				else
					last_boundary = i;
			}
		}
	}
}

/* One pass over every statement. Tracks the enclosing function (for
 * return) and the kind of an object initializer ({ FileName = ... }). */
static void pass(struct flow *fl)
{
	struct code_unit *u = fl->u;
	char func[64] = "";
	int func_depth = -1, depth = 0;
	unsigned ctx[64] = { 0 };
	size_t a = 0;
	for (size_t i = 0; i <= u->count; i++) {
		if (fl->work > EXS_CODE_WORK_MAX) {
			fl->out->truncated = 1;
			return;
		}
		/* a statement longer than STATEMENT_MAX tokens is cut, so that
		 * the work per statement stays bounded */
		if (i < u->count && !is_boundary(fl, i) && i - a < STATEMENT_MAX)
			continue;
		size_t b = i;
		if (a < b) {
			const struct code_tok *t0 = &u->tok[a];
			/* definitions */
			for (size_t k = a; k + 1 < b; k++) {
				const struct code_tok *t = &u->tok[k];
				int vbdef = t->lang == LANG_VB &&
					(fl->ti[k].attr & A_FUNCWORD) &&
					!(k > a && code_tok_is(u, &u->tok[k - 1], "end")) &&
					!(k > a && code_tok_is(u, &u->tok[k - 1], "exit"));
				int jsdef = t->lang != LANG_VB && (fl->ti[k].attr & A_FUNCWORD) &&
					u->tok[k + 1].type == T_IDENT;
				if ((vbdef || jsdef) && u->tok[k + 1].type == T_IDENT) {
					key_of(func, sizeof(func), NULL, u->arena + u->tok[k + 1].val,
					       u->tok[k + 1].vlen);
					func_depth = depth;
					if (!fl->report && k + 2 < b && is_op(u, &u->tok[k + 2], "(") &&
					    !find_func(fl, &u->tok[k + 1]))
						web_method_params(fl, a, k + 1,
								  define(fl, k + 1, b, vbdef));
					break;
				}
			}
			if (t0->lang == LANG_VB && code_tok_is(u, t0, "end") && a + 1 < b &&
			    (code_tok_is(u, &u->tok[a + 1], "function") ||
			     code_tok_is(u, &u->tok[a + 1], "sub")))
				func[0] = '\0';
			/* C#: NAME ( params ) { */
			if (t0->lang != LANG_VB && i < u->count && is_op(u, &u->tok[i], "{") &&
			    is_op(u, &u->tok[b - 1], ")")) {
				size_t open = b - 1;
				int d = 0;
				for (size_t k = b; k-- > a;) {
					if (is_op(u, &u->tok[k], ")")) d++;
					else if (is_op(u, &u->tok[k], "(") && --d == 0) {
						open = k;
						break;
					}
				}
				if (open > a && u->tok[open - 1].type == T_IDENT &&
				    !(fl->ti[open - 1].attr & A_NOTFUNC) &&
				    !(fl->ti[a].attr & A_NOTFUNC) && open - 1 > a) {
					key_of(func, sizeof(func), NULL, u->arena + u->tok[open - 1].val,
					       u->tok[open - 1].vlen);
					func_depth = depth;
					if (!fl->report && !find_func(fl, &u->tok[open - 1]))
						web_method_params(fl, a, open - 1,
								  define(fl, open - 1, b, 0));
				}
			}
			{
				size_t fn = strnlen(func, 31);
				memcpy(fl->func_key, func, fn);
				fl->func_key[fn] = '/';
				fl->func_key[fn + 1] = '\0';
				fl->func_state = 2166136261u;
				for (size_t k = 0; k <= fn; k++)
					fl->func_state = (fl->func_state ^ lc((unsigned char)fl->func_key[k])) *
							 16777619u;
			}
			fl->func = func;
			statement(fl, a, b, func, depth > 0 && depth <= 64 ? ctx[depth - 1] : 0);
		}
		if (i < u->count && is_op(u, &u->tok[i], "{")) {
			unsigned k = 0;
			/* new X { ... }: an initializer of X */
			if (b > a) {
				size_t s = b - 1;
				if (is_op(u, &u->tok[s], ")")) {
					int d = 0;
					while (s > a) {
						if (is_op(u, &u->tok[s], ")")) d++;
						else if (is_op(u, &u->tok[s], "(") && --d == 0)
							break;
						s--;
					}
					s = s > a ? s - 1 : s;
				}
				if (s > a && (fl->ti[s - 1].attr & A_NEW)) {
					struct taint_info ti;
					region_taint(fl, s, s + 1, &ti);
					k = ti.kinds;
				}
			}
			if (depth < 64)
				ctx[depth] = k | (depth > 0 ? ctx[depth - 1] : 0);
			depth++;
		} else if (i < u->count && is_op(u, &u->tok[i], "}")) {
			if (depth > 0)
				depth--;
			if (depth == func_depth) {
				func[0] = '\0';
				func_depth = -1;
			}
		}
		a = i + 1;
	}
}

void code_flow(struct code_unit *u, const struct code_segments *segs,
	       const struct code_text *txt, struct exs_code_result *out)
{
	struct flow fl = { 0 };
	fl.u = u;
	fl.segs = segs;
	fl.txt = txt;
	fl.out = out;
	fl.func = "";
	fl.ti = malloc((u->count + 1) * sizeof(*fl.ti));
	fl.words = words();
	for (unsigned i = 0; i < segs->control_count; i++) {
		char k[64];
		key_of(k, sizeof(k), NULL, segs->controls[i], strlen(segs->controls[i]));
		fl.control_hash[i] = hash_name(k);
		fl.control_bloom |= 1ull << (fl.control_hash[i] & 63);
	}
	if (!fl.ti)
		return;
	classify(&fl);
	mark_initializers(&fl);
	for (int p = 0; p < FLOW_PASSES; p++) {
		fl.changed = 0;
		pass(&fl);
		if (!fl.changed || out->truncated)
			break;
	}
	fl.report = 1;
	pass(&fl);
	free(fl.names);
	free(fl.funcs);
	free(fl.ti);
}
