/* sandbox_win32.c -- the scan worker's process boundary on Windows: starting
 * it with no rights, talking to it, and its own checks (see platform.h and
 * scanner/judge.h).
 *
 * Divisions: the token, the job, the channel, starting, the parent's I/O,
 * stopping, the worker's side.
 *
 * The worker is exsweep.exe itself (GetModuleFileNameW), started with:
 *  - a restricted copy of exsweep's token: every privilege removed
 *    (DISABLE_MAX_PRIVILEGE), the user SID and every group but Everyone,
 *    Users, Authenticated Users and the logon session made deny-only, so
 *    that what only SYSTEM or Administrators may open (the baseline, its
 *    key, the report folder) is closed to it; and low integrity, so that it
 *    can write to nothing at medium integrity or above (every file and
 *    object by default);
 *  - suspended, then put in a job object (kill on close, one active
 *    process, a committed-memory limit, no breakaway, UI limits) before
 *    its first instruction runs;
 *  - two inherited handles, listed in PROC_THREAD_ATTRIBUTE_HANDLE_LIST so
 *    that no other handle of exsweep leaks into it: its end of a private
 *    duplex named pipe (stdin), and a FILE_MAP_READ-only handle to the
 *    section the parent copies each file's bytes into; stdout and stderr
 *    none; an empty environment.
 * The parent's end is overlapped, so every exchange has a deadline. Windows
 * has no system-call filter: the worker can still open what the ACLs let a
 * low-integrity Everyone/Users token read, and create sockets. Wine runs
 * all of this but enforces neither tokens nor integrity levels.
 */
#include "platform_win32.h"

#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct exs_shared {
	HANDLE section;   /* full access, the parent's */
	HANDLE readonly;  /* FILE_MAP_READ only, inheritable: the workers' */
	void *addr;
	size_t size;
};

struct exs_worker {
	HANDLE process;
	HANDLE job;
	HANDLE pipe;      /* the parent's end, overlapped */
	HANDLE event;     /* for the overlapped operations */
};

static int sandbox_fail(struct exs_error *err, const char *op, const char *what)
{
	DWORD code = GetLastError();
	return exs_failf(err, EXS_SANDBOX, (long)code, op, NULL,
			 "%s (Windows error %lu)", what, (unsigned long)code);
}

/* ---- The token ------------------------------------------------------------ */

static int keep_group(const SID_AND_ATTRIBUTES *g)
{
	static const char *const kept[] = {
		"S-1-1-0",       /* Everyone */
		"S-1-5-32-545",  /* BUILTIN\Users */
		"S-1-5-11",      /* Authenticated Users */
	};
	if (g->Attributes & SE_GROUP_LOGON_ID)
		return 1;
	for (size_t i = 0; i < sizeof(kept) / sizeof(*kept); i++) {
		PSID sid = NULL;
		if (!ConvertStringSidToSidA(kept[i], &sid))
			continue;
		int same = EqualSid(sid, g->Sid) != 0;
		LocalFree(sid);
		if (same)
			return 1;
	}
	return 0;
}

/* A restricted, low-integrity primary token derived from our own. */
static int make_token(HANDLE *out, struct exs_error *err)
{
	HANDLE self = NULL, restricted = NULL;
	TOKEN_USER *user = NULL;
	TOKEN_GROUPS *groups = NULL;
	SID_AND_ATTRIBUTES *deny = NULL;
	PSID low = NULL;
	int rc = EXS_OK;
	DWORD n = 0;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY |
			      TOKEN_ASSIGN_PRIMARY | TOKEN_ADJUST_DEFAULT, &self)) {
		rc = sandbox_fail(err, "OpenProcessToken", "cannot read exsweep's token");
		goto out;
	}
	GetTokenInformation(self, TokenUser, NULL, 0, &n);
	user = malloc(n ? n : 1);
	if (!user || !GetTokenInformation(self, TokenUser, user, n, &n)) {
		rc = sandbox_fail(err, "GetTokenInformation", "cannot read the token's user");
		goto out;
	}
	n = 0;
	GetTokenInformation(self, TokenGroups, NULL, 0, &n);
	groups = malloc(n ? n : 1);
	if (!groups || !GetTokenInformation(self, TokenGroups, groups, n, &n)) {
		rc = sandbox_fail(err, "GetTokenInformation", "cannot read the token's groups");
		goto out;
	}
	deny = calloc(groups->GroupCount + 1, sizeof(*deny));
	if (!deny) {
		rc = exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
		goto out;
	}
	DWORD count = 0;
	deny[count++].Sid = user->User.Sid;
	for (DWORD i = 0; i < groups->GroupCount; i++)
		if (!keep_group(&groups->Groups[i]) &&
		    !(groups->Groups[i].Attributes & SE_GROUP_INTEGRITY))
			deny[count++].Sid = groups->Groups[i].Sid;
	if (!CreateRestrictedToken(self, DISABLE_MAX_PRIVILEGE, count, deny, 0,
				   NULL, 0, NULL, &restricted)) {
		rc = sandbox_fail(err, "CreateRestrictedToken",
				  "cannot create the worker's restricted token");
		goto out;
	}
	if (!ConvertStringSidToSidA("S-1-16-4096", &low)) {
		rc = sandbox_fail(err, "ConvertStringSidToSid", "no low integrity SID");
		goto out;
	}
	TOKEN_MANDATORY_LABEL label = { { low, SE_GROUP_INTEGRITY } };
	if (!SetTokenInformation(restricted, TokenIntegrityLevel, &label,
				 sizeof(label) + GetLengthSid(low))) {
		rc = sandbox_fail(err, "SetTokenInformation",
				  "cannot lower the worker's integrity level");
		goto out;
	}
	*out = restricted;
	restricted = NULL;
out:
	if (restricted)
		CloseHandle(restricted);
	if (self)
		CloseHandle(self);
	if (low)
		LocalFree(low);
	free(deny);
	free(groups);
	free(user);
	return rc;
}

/* ---- The job ----------------------------------------------------------------- */

static int make_job(uint64_t memory, HANDLE *out, struct exs_error *err)
{
	HANDLE job = CreateJobObjectW(NULL, NULL);
	if (!job)
		return sandbox_fail(err, "CreateJobObjectW", "cannot create a job object");
	JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
	memset(&lim, 0, sizeof(lim));
	lim.BasicLimitInformation.LimitFlags =
		JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_ACTIVE_PROCESS |
		JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
	lim.BasicLimitInformation.ActiveProcessLimit = 1;
	if (memory) {
		lim.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_PROCESS_MEMORY;
		lim.ProcessMemoryLimit = (SIZE_T)memory;
	}
	JOBOBJECT_BASIC_UI_RESTRICTIONS ui = {
		JOB_OBJECT_UILIMIT_DESKTOP | JOB_OBJECT_UILIMIT_DISPLAYSETTINGS |
		JOB_OBJECT_UILIMIT_EXITWINDOWS | JOB_OBJECT_UILIMIT_GLOBALATOMS |
		JOB_OBJECT_UILIMIT_HANDLES | JOB_OBJECT_UILIMIT_READCLIPBOARD |
		JOB_OBJECT_UILIMIT_SYSTEMPARAMETERS | JOB_OBJECT_UILIMIT_WRITECLIPBOARD
	};
	if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &lim,
				     sizeof(lim)) ||
	    !SetInformationJobObject(job, JobObjectBasicUIRestrictions, &ui,
				     sizeof(ui))) {
		int rc = sandbox_fail(err, "SetInformationJobObject",
				      "cannot limit the worker's job");
		CloseHandle(job);
		return rc;
	}
	*out = job;
	return EXS_OK;
}

/* ---- The channel --------------------------------------------------------------- */

/* A private duplex byte pipe: the parent's end overlapped, the child's end
 * inheritable. One instance, a random name, the creator's default DACL and
 * no remote clients, so nobody else can take the child's place. */
static int make_pipe(HANDLE *parent, HANDLE *child, struct exs_error *err)
{
	static volatile LONG counter;
	wchar_t name[128];
	LARGE_INTEGER t;
	QueryPerformanceCounter(&t);
	_snwprintf(name, sizeof(name) / sizeof(*name),
		   L"\\\\.\\pipe\\exsweep-worker-%lu-%ld-%llx",
		   (unsigned long)GetCurrentProcessId(),
		   (long)InterlockedIncrement(&counter),
		   (unsigned long long)t.QuadPart);
	name[sizeof(name) / sizeof(*name) - 1] = L'\0';
	HANDLE p = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED |
				    FILE_FLAG_FIRST_PIPE_INSTANCE,
				    PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT |
				    PIPE_REJECT_REMOTE_CLIENTS,
				    1, 1u << 20, 1u << 20, 0, NULL);
	if (p == INVALID_HANDLE_VALUE)
		return sandbox_fail(err, "CreateNamedPipeW", "cannot create the worker's pipe");
	SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
	HANDLE c = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, &sa,
			       OPEN_EXISTING, 0, NULL);
	if (c == INVALID_HANDLE_VALUE) {
		int rc = sandbox_fail(err, "CreateFileW", "cannot open the worker's pipe");
		CloseHandle(p);
		return rc;
	}
	*parent = p;
	*child = c;
	return EXS_OK;
}

/* ---- Shared memory ---------------------------------------------------------------- */

/* A pagefile-backed section mapped writable here; the workers inherit a
 * handle that grants FILE_MAP_READ only, and their deny-only, low-integrity
 * token cannot open the unnamed section for more. */
int exs_win32_shared_create(size_t size, struct exs_shared **out, void **addr,
			    struct exs_error *err)
{
	struct exs_shared *sh = calloc(1, sizeof(*sh));
	if (!sh)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	sh->size = size;
	sh->section = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE,
					 (DWORD)((uint64_t)size >> 32),
					 (DWORD)size, NULL);
	if (sh->section)
		sh->addr = MapViewOfFile(sh->section, FILE_MAP_WRITE, 0, 0, size);
	if (!sh->section || !sh->addr ||
	    !DuplicateHandle(GetCurrentProcess(), sh->section, GetCurrentProcess(),
			     &sh->readonly, FILE_MAP_READ, TRUE, 0)) {
		int rc = exs_failf(err, EXS_UNSUPPORTED, (long)GetLastError(),
				   "CreateFileMappingW", NULL,
				   "no shared memory for the worker");
		exs_win32_shared_free(sh);
		return rc;
	}
	*out = sh;
	*addr = sh->addr;
	return EXS_OK;
}

void exs_win32_shared_free(struct exs_shared *sh)
{
	if (!sh)
		return;
	if (sh->addr)
		UnmapViewOfFile(sh->addr);
	if (sh->readonly)
		CloseHandle(sh->readonly);
	if (sh->section)
		CloseHandle(sh->section);
	free(sh);
}

/* ---- Starting ------------------------------------------------------------------- */

int exs_win32_worker_start(const char *user, uint64_t memory,
			   struct exs_shared *shared, struct exs_worker **out,
			   struct exs_error *err)
{
	(void)user; /* POSIX only: here the token is restricted instead */
	wchar_t *exe = malloc(EXS_WIN32_PATH_MAX * sizeof(wchar_t));
	wchar_t *cmd = malloc((EXS_WIN32_PATH_MAX + 128) * sizeof(wchar_t));
	struct exs_worker *w = calloc(1, sizeof(*w));
	HANDLE token = NULL, child = NULL;
	LPPROC_THREAD_ATTRIBUTE_LIST attrs = NULL;
	int rc = EXS_OK;
	if (!exe || !cmd || !w) {
		rc = exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
		goto out;
	}
	DWORD n = GetModuleFileNameW(NULL, exe, EXS_WIN32_PATH_MAX);
	if (n == 0 || n >= EXS_WIN32_PATH_MAX) {
		rc = sandbox_fail(err, "GetModuleFileNameW", "cannot find exsweep.exe");
		goto out;
	}
	/* Inherited handles keep their values: the worker finds the shared
	 * section's by the number on its command line. */
	_snwprintf(cmd, EXS_WIN32_PATH_MAX + 128,
		   L"\"%ls\" --sandbox-worker 1,%llu,%llu,%llu", exe,
		   (unsigned long long)memory,
		   shared ? (unsigned long long)(uintptr_t)shared->readonly : 0ull,
		   shared ? (unsigned long long)shared->size : 0ull);
	cmd[EXS_WIN32_PATH_MAX + 127] = L'\0';
	if ((rc = make_token(&token, err)) || (rc = make_job(memory, &w->job, err)) ||
	    (rc = make_pipe(&w->pipe, &child, err)))
		goto out;
	w->event = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (!w->event) {
		rc = sandbox_fail(err, "CreateEventW", "cannot create an event");
		goto out;
	}
	HANDLE inherit[2] = { child, shared ? shared->readonly : NULL };
	SIZE_T size = 0;
	InitializeProcThreadAttributeList(NULL, 1, 0, &size);
	attrs = malloc(size);
	if (!attrs || !InitializeProcThreadAttributeList(attrs, 1, 0, &size) ||
	    !UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
				       inherit, (shared ? 2 : 1) * sizeof(HANDLE),
				       NULL, NULL)) {
		free(attrs);
		attrs = NULL;
		rc = sandbox_fail(err, "UpdateProcThreadAttribute",
				  "cannot limit the worker's handles");
		goto out;
	}
	STARTUPINFOEXW si;
	memset(&si, 0, sizeof(si));
	si.StartupInfo.cb = sizeof(si);
	si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
	si.StartupInfo.hStdInput = child;
	si.StartupInfo.hStdOutput = NULL;
	si.StartupInfo.hStdError = NULL;
	si.lpAttributeList = attrs;
	static wchar_t empty_env[2] = { 0, 0 };
	PROCESS_INFORMATION pi;
	if (!CreateProcessAsUserW(token, exe, cmd, NULL, NULL, TRUE,
				  CREATE_SUSPENDED | EXTENDED_STARTUPINFO_PRESENT |
				  CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT,
				  empty_env, NULL, &si.StartupInfo, &pi)) {
		rc = sandbox_fail(err, "CreateProcessAsUserW", "cannot start the scan worker");
		goto out;
	}
	if (!AssignProcessToJobObject(w->job, pi.hProcess)) {
		rc = sandbox_fail(err, "AssignProcessToJobObject",
				  "cannot put the worker in its job");
		TerminateProcess(pi.hProcess, 1);
		CloseHandle(pi.hThread);
		CloseHandle(pi.hProcess);
		goto out;
	}
	ResumeThread(pi.hThread);
	CloseHandle(pi.hThread);
	w->process = pi.hProcess;
	*out = w;
	w = NULL;
out:
	if (attrs) {
		DeleteProcThreadAttributeList(attrs);
		free(attrs);
	}
	if (child)
		CloseHandle(child);
	if (token)
		CloseHandle(token);
	if (w) {
		if (w->pipe)
			CloseHandle(w->pipe);
		if (w->job)
			CloseHandle(w->job);
		if (w->event)
			CloseHandle(w->event);
		free(w);
	}
	free(exe);
	free(cmd);
	return rc;
}

/* ---- The parent's I/O ------------------------------------------------------------ */

static DWORD ms_until(int64_t deadline_ns)
{
	/* The core's clock, so that its deadlines mean the same here. */
	int64_t now = exs_platform_native()->clock_monotonic_ns();
	if (now >= deadline_ns)
		return 0;
	int64_t ms = (deadline_ns - now + 999999) / 1000000;
	return ms > 0x7fffffff ? 0x7fffffff : (DWORD)ms;
}

/* One overlapped read or write of at most len bytes; *done gets how many. */
static int transfer(struct exs_worker *w, int writing, void *buf, DWORD len,
		    DWORD *done, int64_t deadline_ns, struct exs_error *err)
{
	OVERLAPPED ov;
	memset(&ov, 0, sizeof(ov));
	ResetEvent(w->event);
	ov.hEvent = w->event;
	BOOL ok = writing ? WriteFile(w->pipe, buf, len, NULL, &ov)
			  : ReadFile(w->pipe, buf, len, NULL, &ov);
	DWORD code = ok ? ERROR_SUCCESS : GetLastError();
	if (!ok && code != ERROR_IO_PENDING)
		return exs_failf(err, EXS_WORKER, (long)code, writing ? "WriteFile"
								      : "ReadFile",
				 NULL, "the worker closed its channel");
	if (!ok && WaitForSingleObject(w->event, ms_until(deadline_ns)) !=
			   WAIT_OBJECT_0) {
		CancelIoEx(w->pipe, &ov);
		GetOverlappedResult(w->pipe, &ov, done, TRUE);
		return exs_fail(err, EXS_TIMEOUT, 0, "WaitForSingleObject", NULL);
	}
	if (!GetOverlappedResult(w->pipe, &ov, done, FALSE) || *done == 0)
		return exs_failf(err, EXS_WORKER, (long)GetLastError(),
				 "GetOverlappedResult", NULL,
				 "the worker closed its channel");
	return EXS_OK;
}

int exs_win32_worker_send(struct exs_worker *w, const void *buf, size_t len,
			  int64_t deadline_ns, struct exs_error *err)
{
	const char *p = buf;
	while (len) {
		DWORD chunk = len > (1u << 20) ? (1u << 20) : (DWORD)len, done = 0;
		int rc = transfer(w, 1, (void *)p, chunk, &done, deadline_ns, err);
		if (rc)
			return rc;
		p += done;
		len -= done;
	}
	return EXS_OK;
}

int exs_win32_worker_recv(struct exs_worker *w, void *buf, size_t len,
			  int64_t deadline_ns, struct exs_error *err)
{
	char *p = buf;
	while (len) {
		DWORD chunk = len > (1u << 20) ? (1u << 20) : (DWORD)len, done = 0;
		int rc = transfer(w, 0, p, chunk, &done, deadline_ns, err);
		if (rc)
			return rc;
		p += done;
		len -= done;
	}
	return EXS_OK;
}

/* ---- Stopping --------------------------------------------------------------------- */

void exs_win32_worker_stop(struct exs_worker *w, char *why, size_t cap)
{
	if (!w)
		return;
	CloseHandle(w->pipe);
	int killed = 0;
	if (WaitForSingleObject(w->process, 500) != WAIT_OBJECT_0) {
		TerminateJobObject(w->job, 1);
		WaitForSingleObject(w->process, 5000);
		killed = 1;
	}
	DWORD code = 0;
	GetExitCodeProcess(w->process, &code);
	if (why && cap) {
		if (killed)
			snprintf(why, cap, "did not stop and was killed");
		else if (code == 0xC0000005u)
			snprintf(why, cap, "ended with an access violation (0xC0000005)");
		else if (code >= 0xC0000000u)
			snprintf(why, cap, "ended with exception 0x%08lX",
				 (unsigned long)code);
		else
			snprintf(why, cap, "exited with status %lu", (unsigned long)code);
	}
	CloseHandle(w->process);
	CloseHandle(w->job); /* kill on close */
	CloseHandle(w->event);
	free(w);
}

/* ---- The worker's side -------------------------------------------------------------- */

static HANDLE channel = INVALID_HANDLE_VALUE;

/* Forbids code generation in this process where Windows has the policy
 * (8.1 and later); looked up at run time, so older systems and wine run on. */
static void forbid_dynamic_code(void)
{
	typedef BOOL(WINAPI * set_policy_fn)(int, PVOID, SIZE_T);
	HMODULE k32 = GetModuleHandleW(L"kernel32.dll");
	set_policy_fn set_policy = k32 ? (set_policy_fn)(void (*)(void))
					 GetProcAddress(k32, "SetProcessMitigationPolicy")
				       : NULL;
	if (!set_policy)
		return;
	DWORD flags = 1; /* ProhibitDynamicCode */
	set_policy(2 /* ProcessDynamicCodePolicy */, &flags, sizeof(flags));
}

static const void *shared_addr;
static size_t shared_size;

int exs_win32_channel_shared(const void **addr, size_t *size)
{
	if (!shared_addr)
		return EXS_NOENT;
	*addr = shared_addr;
	*size = shared_size;
	return EXS_OK;
}

int exs_win32_sandbox_enter(const char *arg, struct exs_error *err)
{
	unsigned long long memory = 0, section = 0, size = 0;
	if (!arg || sscanf(arg, "1,%llu,%llu,%llu", &memory, &section, &size) != 3)
		return exs_failf(err, EXS_SANDBOX, 0, "sandbox", NULL,
				 "invalid worker argument");
	if (section && size) {
		HANDLE h = (HANDLE)(uintptr_t)section;
		const void *p = MapViewOfFile(h, FILE_MAP_READ, 0, 0, (SIZE_T)size);
		if (!p)
			return sandbox_fail(err, "MapViewOfFile",
					    "cannot map the shared buffer");
		CloseHandle(h);
		shared_addr = p;
		shared_size = (size_t)size;
	}
	HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
	if (in == NULL || in == INVALID_HANDLE_VALUE || GetFileType(in) != FILE_TYPE_PIPE)
		return exs_failf(err, EXS_SANDBOX, 0, "GetStdHandle", NULL,
				 "the worker's stdin is not its channel");
	channel = in;
	/* Check what the parent promised, before anything is parsed. */
	/* The token's own DACL grants the user SID, now deny-only: opening it
	 * is refused, so the query goes through the pseudo-handle of the
	 * process token (GetCurrentProcessToken, Windows 8), which needs no
	 * access check, where the open fails. */
	HANDLE token = NULL;
	int opened = OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token) != 0;
	if (!opened)
		token = (HANDLE)(LONG_PTR)-4;
	unsigned char buf[256];
	DWORD n = 0;
	int rc = EXS_OK;
	if (!GetTokenInformation(token, TokenIntegrityLevel, buf, sizeof(buf), &n)) {
		rc = sandbox_fail(err, "GetTokenInformation", "cannot read the integrity level");
	} else {
		TOKEN_MANDATORY_LABEL *label = (TOKEN_MANDATORY_LABEL *)(void *)buf;
		PUCHAR count = GetSidSubAuthorityCount(label->Label.Sid);
		DWORD level = *GetSidSubAuthority(label->Label.Sid, *count - 1);
		if (level > SECURITY_MANDATORY_LOW_RID)
			rc = exs_failf(err, EXS_SANDBOX, 0, "sandbox", NULL,
				       "the worker runs at integrity level 0x%lx, "
				       "not low", (unsigned long)level);
	}
	if (opened)
		CloseHandle(token);
	BOOL in_job = FALSE;
	if (!rc && (!IsProcessInJob(GetCurrentProcess(), NULL, &in_job) || !in_job))
		rc = exs_failf(err, EXS_SANDBOX, 0, "IsProcessInJob", NULL,
			       "the worker is not in its job object");
	if (!rc)
		forbid_dynamic_code();
	return rc;
}

int exs_win32_channel_read(void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		DWORD chunk = len - got > (1u << 20) ? (1u << 20) : (DWORD)(len - got);
		DWORD n = 0;
		if (!ReadFile(channel, p + got, chunk, &n, NULL) || n == 0)
			return got == 0 ? EXS_NOENT : EXS_IO;
		got += n;
	}
	return EXS_OK;
}

int exs_win32_channel_write(const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		DWORD chunk = len > (1u << 20) ? (1u << 20) : (DWORD)len, n = 0;
		if (!WriteFile(channel, p, chunk, &n, NULL) || n == 0)
			return EXS_IO;
		p += n;
		len -= n;
	}
	return EXS_OK;
}
