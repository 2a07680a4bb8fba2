/* platform_win32.c -- the Win32 exs_platform table, the error map, and the
 * process and machine calls (clocks, console, environment, places).
 *
 * Divisions: the error map, the process and the machine, the table. Files,
 * directories and threads live in fs_win32.c, dir_win32.c and thread_win32.c;
 * names in utf16.c and path_win32.c (platform_win32.h has the whole layout).
 */
#include "platform_win32.h"

#include <psapi.h>
#include <shellapi.h>
#include <shlobj.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Codes newer than the mingw-w64 headers in use. */
#ifndef ERROR_STOPPED_ON_SYMLINK
#define ERROR_STOPPED_ON_SYMLINK 681L
#endif
#ifndef ERROR_DISK_QUOTA_EXCEEDED
#define ERROR_DISK_QUOTA_EXCEEDED 1295L
#endif
#ifndef ERROR_PROCESS_MODE_ALREADY_BACKGROUND
#define ERROR_PROCESS_MODE_ALREADY_BACKGROUND 402L
#endif

/* -- The error map ------------------------------------------------------------ */

/* Win32 codes that mean something to exsweep; the rest are EXS_IO, and the
 * raw code always travels in err->os_code (libuv's src/win/error.c keeps the
 * same pair). */
static const struct {
	DWORD code;
	int status;
} error_map[] = {
	{ ERROR_FILE_NOT_FOUND, EXS_NOENT },
	{ ERROR_PATH_NOT_FOUND, EXS_NOENT },
	{ ERROR_INVALID_DRIVE, EXS_NOENT },
	{ ERROR_BAD_NETPATH, EXS_NOENT },
	{ ERROR_BAD_NET_NAME, EXS_NOENT },
	{ ERROR_BAD_PATHNAME, EXS_NOENT },
	{ ERROR_DELETE_PENDING, EXS_NOENT }, /* vanishing: as good as gone */
	{ ERROR_ENVVAR_NOT_FOUND, EXS_NOENT },
	{ ERROR_ACCESS_DENIED, EXS_ACCESS },
	{ ERROR_PRIVILEGE_NOT_HELD, EXS_ACCESS },
	{ ERROR_WRITE_PROTECT, EXS_ACCESS },
	{ ERROR_NETWORK_ACCESS_DENIED, EXS_ACCESS },
	{ ERROR_CANT_ACCESS_FILE, EXS_ACCESS },
	{ ERROR_SHARING_VIOLATION, EXS_BUSY },
	{ ERROR_LOCK_VIOLATION, EXS_BUSY },
	{ ERROR_BUSY, EXS_BUSY },
	{ ERROR_PIPE_BUSY, EXS_BUSY },
	{ ERROR_DISK_FULL, EXS_NOSPACE },
	{ ERROR_HANDLE_DISK_FULL, EXS_NOSPACE },
	{ ERROR_DISK_QUOTA_EXCEEDED, EXS_NOSPACE },
	{ ERROR_FILE_EXISTS, EXS_EXISTS },
	{ ERROR_ALREADY_EXISTS, EXS_EXISTS },
	{ ERROR_NOT_ENOUGH_MEMORY, EXS_NOMEM },
	{ ERROR_OUTOFMEMORY, EXS_NOMEM },
	{ ERROR_NO_SYSTEM_RESOURCES, EXS_NOMEM },
	{ ERROR_COMMITMENT_LIMIT, EXS_NOMEM },
	{ ERROR_DIRECTORY, EXS_NOTDIR },
	{ ERROR_NO_UNICODE_TRANSLATION, EXS_CHARSET },
	/* A name NTFS cannot hold ('<', '|', a ':' that names no stream):
	 * nothing can exist there, but "no such file" would send the admin
	 * looking for a file that was never possible. */
	{ ERROR_INVALID_NAME, EXS_BADNAME },
	{ ERROR_FILENAME_EXCED_RANGE, EXS_LIMIT },
	{ ERROR_BUFFER_OVERFLOW, EXS_LIMIT },
	{ ERROR_INSUFFICIENT_BUFFER, EXS_LIMIT },
	{ ERROR_TOO_MANY_OPEN_FILES, EXS_LIMIT },
	{ ERROR_CANT_RESOLVE_FILENAME, EXS_ISLINK },
	{ ERROR_STOPPED_ON_SYMLINK, EXS_ISLINK },
	{ ERROR_NOT_SUPPORTED, EXS_UNSUPPORTED },
	{ ERROR_INVALID_FUNCTION, EXS_UNSUPPORTED },
	{ ERROR_CALL_NOT_IMPLEMENTED, EXS_UNSUPPORTED },
	{ ERROR_INVALID_PARAMETER, EXS_INVAL },
	{ ERROR_INVALID_HANDLE, EXS_INVAL },
	{ ERROR_TIMEOUT, EXS_TIMEOUT },
	{ WAIT_TIMEOUT, EXS_TIMEOUT },
};

int exs_win32_status(DWORD code)
{
	for (size_t i = 0; i < sizeof(error_map) / sizeof(error_map[0]); i++)
		if (error_map[i].code == code)
			return error_map[i].status;
	return EXS_IO;
}

int exs_win32_fail(struct exs_error *err, DWORD code, const char *op,
		   const char *where)
{
	return exs_fail(err, exs_win32_status(code), (long)code, op, where);
}

int64_t exs_win32_filetime_to_ns(uint64_t ticks)
{
	/* 100 ns ticks from 1601-01-01 to 1970-01-01. */
	const int64_t unix_epoch_ticks = 116444736000000000;
	if (ticks > (uint64_t)INT64_MAX)
		return INT64_MAX;
	int64_t since_1970 = (int64_t)ticks - unix_epoch_ticks;
	if (since_1970 > INT64_MAX / 100)
		return INT64_MAX;
	if (since_1970 < INT64_MIN / 100)
		return INT64_MIN;
	return since_1970 * 100;
}

/* -- The process and the machine ---------------------------------------------- */

static void copy_cut(char *buf, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (!cap)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static unsigned win32_cpu_count(void)
{
	/* Every group: a machine with more than 64 logical CPUs has several,
	 * and GetSystemInfo would count only this process's group. */
	DWORD n = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
	if (n == 0) {
		SYSTEM_INFO info;
		GetSystemInfo(&info);
		n = info.dwNumberOfProcessors;
	}
	return n ? (unsigned)n : 1;
}

static int64_t win32_clock_monotonic_ns(void)
{
	LARGE_INTEGER count, frequency;
	QueryPerformanceCounter(&count);
	QueryPerformanceFrequency(&frequency);
	int64_t c = count.QuadPart, f = frequency.QuadPart;
	/* Split so that count * 10^9 cannot overflow after long uptimes. */
	return (c / f) * 1000000000 + (c % f) * 1000000000 / f;
}

/* GetSystemTimePreciseAsFileTime exists from Windows 8 / Server 2012; the
 * build targets 0x0601, so it is looked up once and the coarse (~15 ms)
 * GetSystemTimeAsFileTime stands in where it is missing. */
static VOID(WINAPI *precise_time)(LPFILETIME);
static INIT_ONCE precise_time_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK find_precise_time(PINIT_ONCE once, PVOID param,
				       PVOID *context)
{
	(void)once;
	(void)param;
	(void)context;
	HMODULE kernel32 = GetModuleHandleW(L"kernel32.dll");
	FARPROC fn = kernel32 ? GetProcAddress(kernel32,
					       "GetSystemTimePreciseAsFileTime")
			      : NULL;
	/* Through void (*)(void), the one type GCC lets any function
	 * pointer be cast to without -Wcast-function-type. */
	precise_time = (VOID(WINAPI *)(LPFILETIME))(void (*)(void))fn;
	return TRUE;
}

static int64_t win32_clock_wall_ns(void)
{
	FILETIME now;
	InitOnceExecuteOnce(&precise_time_once, find_precise_time, NULL, NULL);
	if (precise_time)
		precise_time(&now);
	else
		GetSystemTimeAsFileTime(&now);
	return exs_win32_filetime_to_ns(((uint64_t)now.dwHighDateTime << 32) |
					now.dwLowDateTime);
}

static void win32_host_name(char *buf, size_t cap)
{
	wchar_t name[256];
	DWORD size = sizeof(name) / sizeof(name[0]);
	size_t len;
	if (!GetComputerNameExW(ComputerNameDnsHostname, name, &size) ||
	    exs_win32_utf16_to_wtf8(name, size, buf, cap, &len) ||
	    len == 0)
		copy_cut(buf, cap, "unknown");
}

static HANDLE std_handle(enum exs_stream stream)
{
	return GetStdHandle(stream == EXS_STDERR ? STD_ERROR_HANDLE
						 : STD_OUTPUT_HANDLE);
}

static int win32_is_terminal(enum exs_stream stream)
{
	DWORD mode;
	HANDLE h = std_handle(stream);
	return h && h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode);
}

/* A console shows UTF-16; bytes written to it would be read in the console's
 * code page and come out garbled. Invalid input (text, not a path) becomes
 * U+FFFD rather than an error: a sequence split across two calls shows as
 * two of those, so callers write whole lines. */
static int write_console(HANDLE h, const unsigned char *p, size_t len)
{
	wchar_t units[1024];
	size_t n = 0, i = 0;
	while (i < len) {
		uint32_t cp;
		size_t used = exs_win32_wtf8_decode(p + i, len - i, &cp);
		if (!used) {
			cp = 0xFFFD;
			used = 1;
		}
		i += used;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			units[n++] = (wchar_t)(0xD800 + (cp >> 10));
			units[n++] = (wchar_t)(0xDC00 + (cp & 0x3FF));
		} else {
			units[n++] = (wchar_t)cp;
		}
		if (n + 2 > sizeof(units) / sizeof(units[0]) || i == len) {
			size_t off = 0;
			while (off < n) {
				DWORD written = 0;
				if (!WriteConsoleW(h, units + off,
						   (DWORD)(n - off), &written,
						   NULL) ||
				    written == 0)
					return EXS_IO;
				off += written;
			}
			n = 0;
		}
	}
	return EXS_OK;
}

static int win32_stream_write(enum exs_stream stream, const void *buf,
			      size_t len)
{
	HANDLE h = std_handle(stream);
	DWORD mode;
	if (!h || h == INVALID_HANDLE_VALUE)
		return EXS_IO; /* a service or task without standard handles */
	if (GetConsoleMode(h, &mode))
		return write_console(h, buf, len);
	/* A pipe or file gets the UTF-8 bytes as they are. */
	const unsigned char *p = buf;
	while (len > 0) {
		DWORD chunk = len > (1u << 30) ? (1u << 30) : (DWORD)len;
		DWORD done = 0;
		if (!WriteFile(h, p, chunk, &done, NULL) || done == 0)
			return EXS_IO;
		p += done;
		len -= done;
	}
	return EXS_OK;
}

/* The value of a variable as malloc'd UTF-16 in *out and its length. */
static int env_get_wide(const wchar_t *name, wchar_t **out, size_t *out_len)
{
	DWORD size = 256;
	wchar_t *value = NULL;
	*out = NULL;
	for (;;) {
		wchar_t *grown = realloc(value, size * sizeof(wchar_t));
		if (!grown) {
			free(value);
			return EXS_NOMEM;
		}
		value = grown;
		/* An empty variable returns 0 too: only the error tells. */
		SetLastError(NO_ERROR);
		DWORD got = GetEnvironmentVariableW(name, value, size);
		if (got == 0) {
			DWORD code = GetLastError();
			if (code != NO_ERROR) {
				free(value);
				return exs_win32_status(code);
			}
			value[0] = 0;
		}
		if (got < size) {
			*out = value;
			*out_len = got;
			return EXS_OK;
		}
		size = got; /* too small: got is the size it needs */
	}
}

static int win32_env_get(const char *name, char *buf, size_t cap)
{
	wchar_t *wname, *value;
	size_t value_len, len;
	int rc = exs_win32_wtf8_to_utf16_alloc(name, &wname);
	if (rc)
		return rc;
	rc = env_get_wide(wname, &value, &value_len);
	free(wname);
	if (rc)
		return rc;
	rc = exs_win32_utf16_to_wtf8(value, value_len, buf, cap, &len);
	free(value);
	return rc;
}

/* %ProgramData% (C:\ProgramData), from the shell's known folder, which the
 * environment of a scheduled task cannot move; the variable and then the
 * stock path are fallbacks. Returns a malloc'd string or NULL. */
static wchar_t *program_data_dir(void)
{
	wchar_t *known = NULL, *copy = NULL;
	size_t len;
	if (SHGetKnownFolderPath(&FOLDERID_ProgramData, 0, NULL, &known) ==
	    S_OK) {
		len = wcslen(known);
		copy = malloc((len + 1) * sizeof(wchar_t));
		if (copy)
			memcpy(copy, known, (len + 1) * sizeof(wchar_t));
	}
	CoTaskMemFree(known);
	if (copy)
		return copy;
	if (env_get_wide(L"ProgramData", &copy, &len) == EXS_OK && len > 0)
		return copy;
	free(copy);
	static const wchar_t stock[] = L"C:\\ProgramData";
	copy = malloc(sizeof(stock));
	if (copy)
		memcpy(copy, stock, sizeof(stock));
	return copy;
}

static int win32_place(enum exs_place which, char *buf, size_t cap,
		       struct exs_error *err)
{
	const wchar_t *tail = which == EXS_PLACE_CONFIG_FILE
				      ? L"\\exsweep\\exsweep.ini"
				      : L"\\exsweep";
	wchar_t *base = program_data_dir();
	if (!base)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	size_t base_len = wcslen(base), tail_len = wcslen(tail), len;
	wchar_t *full = malloc((base_len + tail_len + 1) * sizeof(wchar_t));
	if (!full) {
		free(base);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	}
	memcpy(full, base, base_len * sizeof(wchar_t));
	memcpy(full + base_len, tail, (tail_len + 1) * sizeof(wchar_t));
	free(base);
	int rc = exs_win32_utf16_to_wtf8(full, base_len + tail_len, buf, cap,
					 &len);
	free(full);
	if (rc)
		return exs_fail(err, rc, 0, "place", NULL);
	return EXS_OK;
}

static int win32_set_low_priority(struct exs_error *err)
{
	/* Background mode lowers the I/O and memory priority as well as the
	 * CPU's, which is what keeps a daytime scan from slowing Exchange. */
	if (SetPriorityClass(GetCurrentProcess(),
			     PROCESS_MODE_BACKGROUND_BEGIN))
		return EXS_OK;
	DWORD code = GetLastError();
	if (code == ERROR_PROCESS_MODE_ALREADY_BACKGROUND)
		return EXS_OK;
	/* Where background mode is refused (wine, some job objects), a lower
	 * CPU priority is still worth having. */
	if (SetPriorityClass(GetCurrentProcess(), IDLE_PRIORITY_CLASS))
		return EXS_OK;
	return exs_win32_fail(err, GetLastError(), "SetPriorityClass", NULL);
}

static uint64_t win32_peak_rss(void)
{
	PROCESS_MEMORY_COUNTERS counters;
	memset(&counters, 0, sizeof(counters));
	counters.cb = sizeof(counters);
	if (!GetProcessMemoryInfo(GetCurrentProcess(), &counters,
				  sizeof(counters)))
		return 0;
	return counters.PeakWorkingSetSize;
}

int exs_win32_args_from_command_line(const wchar_t *command_line,
				     int *out_argc, char ***out_argv)
{
	int argc = 0;
	*out_argc = 0;
	*out_argv = NULL;
	wchar_t **wargv = CommandLineToArgvW(command_line, &argc);
	if (!wargv)
		return GetLastError() == ERROR_NOT_ENOUGH_MEMORY ? EXS_NOMEM
								 : EXS_INVAL;
	/* One block: argc + 1 pointers, then every string, so that the
	 * caller frees (or keeps) a single allocation. */
	size_t bytes = ((size_t)argc + 1) * sizeof(char *), len;
	int rc = EXS_OK;
	for (int i = 0; !rc && i < argc; i++) {
		rc = exs_win32_utf16_to_wtf8(wargv[i], wcslen(wargv[i]), NULL,
					     0, &len);
		bytes += len + 1;
	}
	char **argv = rc ? NULL : malloc(bytes);
	if (!rc && !argv)
		rc = EXS_NOMEM;
	char *text = argv ? (char *)(argv + argc + 1) : NULL;
	for (int i = 0; !rc && i < argc; i++) {
		size_t room = bytes - (size_t)(text - (char *)argv);
		rc = exs_win32_utf16_to_wtf8(wargv[i], wcslen(wargv[i]), text,
					     room, &len);
		argv[i] = text;
		text += len + 1;
	}
	LocalFree(wargv);
	if (rc) {
		free(argv);
		return rc;
	}
	argv[argc] = NULL;
	*out_argc = argc;
	*out_argv = argv;
	return EXS_OK;
}

/* main's argv is the ANSI code page's; the UTF-16 command line is what the
 * admin typed. The block is kept until the process exits. */
static int win32_process_args(int argc, char **argv, int *out_argc,
			      char ***out_argv, struct exs_error *err)
{
	(void)argc;
	(void)argv;
	int rc = exs_win32_args_from_command_line(GetCommandLineW(), out_argc,
						  out_argv);
	if (rc)
		return exs_fail(err, rc, (long)GetLastError(),
				"CommandLineToArgvW", NULL);
	return EXS_OK;
}

/* -- The table ------------------------------------------------------------------ */

static const struct exs_platform win32_platform = {
	.name = "win32",
	.path_separator = '\\',
	.path_separators = "\\/",
	.path_drives = 1,
	.case_insensitive = 1,
	.path_spelling = exs_win32_path_spelling,

	.file_open_read = exs_win32_file_open_read,
	.file_stat = exs_win32_file_stat,
	.file_read = exs_win32_file_read,
	.file_seek = exs_win32_file_seek,
	.catalog_verify = exs_win32_catalog_verify,
	.file_security = exs_win32_file_security,
	.file_open_evidence = exs_win32_file_open_evidence,
	.file_close = exs_win32_file_close,
	.path_stat = exs_win32_path_stat,

	.file_create = exs_win32_file_create,
	.file_write = exs_win32_file_write,
	.file_sync = exs_win32_file_sync,
	.file_replace = exs_win32_file_replace,
	.file_remove = exs_win32_file_remove,
	.dir_create = exs_win32_dir_create,
	.file_lock = exs_win32_file_lock,

	.dir_open = exs_win32_dir_open,
	.dir_next = exs_win32_dir_next,
	.dir_close = exs_win32_dir_close,

	.thread_create = exs_win32_thread_create,
	.thread_join = exs_win32_thread_join,
	.mutex_create = exs_win32_mutex_create,
	.mutex_lock = exs_win32_mutex_lock,
	.mutex_unlock = exs_win32_mutex_unlock,
	.mutex_destroy = exs_win32_mutex_destroy,
	.cond_create = exs_win32_cond_create,
	.cond_wait = exs_win32_cond_wait,
	.cond_timed_wait = exs_win32_cond_timed_wait,
	.cond_signal = exs_win32_cond_signal,
	.cond_broadcast = exs_win32_cond_broadcast,
	.cond_destroy = exs_win32_cond_destroy,

	.cpu_count = win32_cpu_count,
	.clock_monotonic_ns = win32_clock_monotonic_ns,
	.clock_wall_ns = win32_clock_wall_ns,
	.host_name = win32_host_name,
	.is_terminal = win32_is_terminal,
	.stream_write = win32_stream_write,
	.env_get = win32_env_get,
	.place = win32_place,
	.set_low_priority = win32_set_low_priority,
	.peak_rss = win32_peak_rss,
	.process_args = win32_process_args,
	.exchange_install_path = exs_win32_exchange_install_path,
	.iis_wwwroot = exs_win32_iis_wwwroot,
	.event_report = exs_win32_event_report,
	.file_streams = exs_win32_file_streams,
	.worker_start = exs_win32_worker_start,
	.worker_send = exs_win32_worker_send,
	.worker_recv = exs_win32_worker_recv,
	.worker_stop = exs_win32_worker_stop,
	.shared_create = exs_win32_shared_create,
	.shared_free = exs_win32_shared_free,
	.channel_shared = exs_win32_channel_shared,
	.sandbox_enter = exs_win32_sandbox_enter,
	.channel_read = exs_win32_channel_read,
	.channel_write = exs_win32_channel_write,
};

const struct exs_platform *exs_platform_native(void)
{
	return &win32_platform;
}
