/* test_platform_win32.c -- what only the Win32 backend has to get right.
 *
 * Sets up cases with Win32 directly (names Win32 cannot get through WTF-8 by
 * accident, files held without sharing, junctions, alternate data streams),
 * then checks what exs_platform_native() makes of them. Runs under wine in
 * the cross build; a case wine cannot set up prints "SKIP name: reason" and
 * passes, and needs a real Windows Server to be proven.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <winioctl.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "platform.h"
#include "path.h"
#include "platform_win32.h"
#include "status.h"
#include "test.h"

#define PATH_CAP 4096

static const struct exs_platform *P;
static char base[PATH_CAP]; /* where root lives; junction targets go here */
static char root[PATH_CAP]; /* this run's directory, removed at the end */
static int skipped;

#define SKIP(...)                                                           \
	do {                                                                \
		printf("SKIP %s: ", __func__);                              \
		printf(__VA_ARGS__);                                        \
		printf("\n");                                               \
		skipped++;                                                  \
		return;                                                     \
	} while (0)

static void join(char *out, const char *dir, const char *name)
{
	snprintf(out, PATH_CAP, "%s\\%s", dir, name);
}

/* The verbatim UTF-16 path for a WTF-8 one (malloc'd), through the code
 * under test; the cases below check it separately. */
static wchar_t *wide(const char *path)
{
	wchar_t *w = NULL;
	struct exs_error err;
	if (exs_win32_path_to_wide(path, &w, &err))
		return NULL;
	return w;
}

static int write_text(const char *path, unsigned flags, const char *text)
{
	struct exs_file *f;
	struct exs_error err;
	int rc = P->file_create(path, flags, &f, &err);
	if (rc)
		return rc;
	rc = P->file_write(f, text, strlen(text), &err);
	P->file_close(f);
	return rc;
}

static int read_text(const char *path, char *buf, size_t cap, size_t *len)
{
	struct exs_file *f;
	struct exs_error err;
	size_t got;
	int rc = P->file_open_read(path, &f, &err);
	*len = 0;
	if (rc)
		return rc;
	do {
		rc = P->file_read(f, buf + *len, cap - 1 - *len, &got, &err);
		*len += got;
	} while (!rc && got > 0 && *len < cap - 1);
	buf[*len] = '\0';
	P->file_close(f);
	return rc;
}

static int stat_file(const char *path, struct exs_stat *st)
{
	struct exs_file *f;
	struct exs_error err;
	int rc = P->file_open_read(path, &f, &err);
	if (rc)
		return rc;
	rc = P->file_stat(f, st, &err);
	P->file_close(f);
	return rc;
}

/* The node dir_next gives name in dir; -1 if absent, -2 if unlistable. */
static int listed_node(const char *dir, const char *name)
{
	struct exs_dir *d;
	struct exs_dirent ent;
	struct exs_error err;
	int node = -1;
	if (P->dir_open(dir, &d, &err))
		return -2;
	while (P->dir_next(d, &ent, &err) == EXS_OK && ent.name)
		if (strcmp(ent.name, name) == 0)
			node = (int)ent.node;
	P->dir_close(d);
	return node;
}

static int win32_write(const wchar_t *wpath, const char *text)
{
	HANDLE h = CreateFileW(wpath, GENERIC_WRITE, 0, NULL, CREATE_NEW,
			       FILE_ATTRIBUTE_NORMAL, NULL);
	DWORD done;
	if (h == INVALID_HANDLE_VALUE)
		return 0;
	BOOL ok = WriteFile(h, text, (DWORD)strlen(text), &done, NULL);
	CloseHandle(h);
	return ok;
}

static uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

/* Removes a tree through Win32, removing (never entering) reparse points. */
static void delete_tree(const wchar_t *dir)
{
	size_t len = wcslen(dir);
	wchar_t *pattern = malloc((len + 3) * sizeof(wchar_t));
	WIN32_FIND_DATAW data;
	swprintf(pattern, len + 3, L"%ls\\*", dir);
	HANDLE find = FindFirstFileW(pattern, &data);
	free(pattern);
	if (find != INVALID_HANDLE_VALUE) {
		do {
			const wchar_t *n = data.cFileName;
			if (!wcscmp(n, L".") || !wcscmp(n, L".."))
				continue;
			size_t child_len = len + wcslen(n) + 2;
			wchar_t *child = malloc(child_len * sizeof(wchar_t));
			swprintf(child, child_len, L"%ls\\%ls", dir, n);
			DWORD a = data.dwFileAttributes;
			if ((a & FILE_ATTRIBUTE_DIRECTORY) &&
			    !(a & FILE_ATTRIBUTE_REPARSE_POINT))
				delete_tree(child);
			else if (a & FILE_ATTRIBUTE_DIRECTORY)
				RemoveDirectoryW(child);
			else
				DeleteFileW(child);
			free(child);
		} while (FindNextFileW(find, &data));
		FindClose(find);
	}
	RemoveDirectoryW(dir);
}

/* -- Names ---------------------------------------------------------------- */

static void test_wtf8_conversions(void)
{
	/* lone lead, lone trail, a real pair, and BMP text */
	const wchar_t lone[] = { L'a', 0xD800, L'b', 0xDC00, 0xD83D, 0xDE00,
				 0x6F22, 0 };
	const char lone_wtf8[] = "a\xED\xA0\x80" "b\xED\xB0\x80"
				 "\xF0\x9F\x98\x80\xE6\xBC\xA2";
	char bytes[64];
	wchar_t units[64];
	size_t len;
	ASSERT_EQ(exs_win32_utf16_to_wtf8(lone, wcslen(lone), bytes,
					  sizeof(bytes), &len),
		  EXS_OK);
	ASSERT_EQ(len, strlen(lone_wtf8));
	ASSERT_STR_EQ(bytes, lone_wtf8);
	ASSERT_EQ(exs_win32_wtf8_to_utf16(bytes, len, units, 64, &len),
		  EXS_OK);
	ASSERT_EQ(len, wcslen(lone));
	ASSERT_MEM_EQ(units, lone, sizeof(lone));
	/* Not WTF-8: each must be refused, not guessed at. */
	static const char *bad[] = {
		"\xFF",                     /* never in UTF-8 */
		"\xC0\xAF",                 /* overlong '/' */
		"\xE0\x80\xAF",             /* overlong '/' */
		"\xF4\x90\x80\x80",         /* past U+10FFFF */
		"\xED\xA0\xBD\xED\xB8\x80", /* a pair spelt as two halves */
		"\xE6\xBC",                 /* cut short */
		"\x80",                     /* continuation first */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_EQ(exs_win32_wtf8_to_utf16(bad[i], strlen(bad[i]),
						  units, 64, &len),
			  EXS_CHARSET);
	/* Too small a buffer is a limit, not an overflow. */
	ASSERT_EQ(exs_win32_utf16_to_wtf8(lone, wcslen(lone), bytes, 4, &len),
		  EXS_LIMIT);
}

static void test_invalid_wtf8_path_is_charset(void)
{
	char path[PATH_CAP];
	struct exs_file *f;
	struct exs_error err;
	join(path, root, "bad\xFF.aspx");
	ASSERT_EQ(P->file_open_read(path, &f, &err), EXS_CHARSET);
	ASSERT_STR_EQ(err.where, path);
	ASSERT_EQ(P->file_create(path, EXS_CREATE_EXCLUSIVE, &f, &err),
		  EXS_CHARSET);
	join(path, root, "pair\xED\xA0\xBD\xED\xB8\x80");
	ASSERT_EQ(P->file_open_read(path, &f, &err), EXS_CHARSET);
}

static void test_verbatim_paths(void)
{
	wchar_t *w;
	struct exs_error err;
	ASSERT_TRUE((w = wide("C:/inetpub/./wwwroot/../wwwroot//aspnet_client/"))
		    != NULL);
	ASSERT_TRUE(wcscmp(w, L"\\\\?\\C:\\inetpub\\wwwroot\\aspnet_client") ==
		    0);
	free(w);
	ASSERT_TRUE((w = wide("c:\\..\\..")) != NULL);
	ASSERT_TRUE(wcscmp(w, L"\\\\?\\C:\\") == 0);
	free(w);
	ASSERT_TRUE((w = wide("\\\\mail01\\c$\\Program Files\\x.aspx.")) !=
		    NULL);
	ASSERT_TRUE(wcscmp(w, L"\\\\?\\UNC\\mail01\\c$\\Program Files\\"
			      L"x.aspx.") == 0);
	free(w);
	ASSERT_TRUE((w = wide("//mail01/share/../..")) != NULL);
	ASSERT_TRUE(wcscmp(w, L"\\\\?\\UNC\\mail01\\share\\") == 0);
	free(w);
	ASSERT_TRUE((w = wide("\\\\?\\C:\\as\\is\\.")) != NULL);
	ASSERT_TRUE(wcscmp(w, L"\\\\?\\C:\\as\\is\\.") == 0);
	free(w);
	ASSERT_EQ(exs_win32_path_to_wide("\\\\server-only", &w, &err),
		  EXS_INVAL);
	ASSERT_EQ(exs_win32_path_to_wide("", &w, &err), EXS_NOENT);
}

static void test_relative_path(void)
{
	char path[PATH_CAP], buf[32];
	wchar_t old_cwd[MAX_PATH];
	size_t len;
	wchar_t *wroot = wide(root);
	ASSERT_TRUE(wroot != NULL);
	ASSERT_TRUE(GetCurrentDirectoryW(MAX_PATH, old_cwd) > 0);
	/* SetCurrentDirectoryW does not take \\?\ before Windows 10. */
	int moved = SetCurrentDirectoryW(wroot + 4);
	free(wroot);
	ASSERT_TRUE(moved);
	int rc = write_text("relative.txt", EXS_CREATE_EXCLUSIVE, "rel");
	int rc2 = read_text("sub-that-is-not-there\\..\\relative.txt", buf,
			    sizeof(buf), &len);
	SetCurrentDirectoryW(old_cwd);
	ASSERT_EQ(rc, EXS_OK);
	ASSERT_EQ(rc2, EXS_OK);
	ASSERT_STR_EQ(buf, "rel");
	join(path, root, "relative.txt");
	ASSERT_EQ(read_text(path, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "rel");
}

static void test_unicode_names(void)
{
	static const struct {
		const char *utf8;
		const wchar_t utf16[16];
	} names[] = {
		{ "\xE6\xBC\xA2\xE5\xAD\x97.aspx", /* 漢字.aspx */
		  { 0x6F22, 0x5B57, L'.', L'a', L's', L'p', L'x', 0 } },
		{ "\xF0\x9F\x98\x80.txt", /* emoji, a surrogate pair */
		  { 0xD83D, 0xDE00, L'.', L't', L'x', L't', 0 } },
		{ "\xC3\x9Cml\xC3\xA4ut.config", /* Ümläut.config */
		  { 0xDC, L'm', L'l', 0xE4, L'u', L't', L'.', L'c', L'o',
		    L'n', L'f', L'i', L'g', 0 } },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[PATH_CAP], buf[32];
		size_t len;
		join(path, root, names[i].utf8);
		ASSERT_EQ(write_text(path, EXS_CREATE_EXCLUSIVE, names[i].utf8),
			  EXS_OK);
		ASSERT_EQ(listed_node(root, names[i].utf8), EXS_NODE_FILE);
		ASSERT_EQ(read_text(path, buf, sizeof(buf), &len), EXS_OK);
		ASSERT_STR_EQ(buf, names[i].utf8);

		/* Win32 sees the intended UTF-16 name, not mojibake. */
		wchar_t *wroot = wide(root);
		wchar_t full[PATH_CAP];
		swprintf(full, PATH_CAP, L"%ls\\%ls", wroot, names[i].utf16);
		free(wroot);
		ASSERT_TRUE(GetFileAttributesW(full) != INVALID_FILE_ATTRIBUTES);
	}
}

static void test_unpaired_surrogate_round_trips(void)
{
	/* lone lead surrogate in the middle, lone trail at the start */
	static const wchar_t lead_name[] = { L'l', L'o', L'n', L'e', 0xD800,
					     L'.', L'a', L's', L'p', L'x', 0 };
	static const wchar_t trail_name[] = { 0xDC00, L'x', 0 };
	static const char lead_wtf8[] = "lone\xED\xA0\x80.aspx";
	static const char trail_wtf8[] = "\xED\xB0\x80x";
	wchar_t *wroot = wide(root);
	wchar_t full[PATH_CAP];
	ASSERT_TRUE(wroot != NULL);
	swprintf(full, PATH_CAP, L"%ls\\%ls", wroot, lead_name);
	int made = win32_write(full, "lead");
	swprintf(full, PATH_CAP, L"%ls\\%ls", wroot, trail_name);
	made = made && win32_write(full, "trail");
	free(wroot);
	if (!made)
		SKIP("CreateFileW refused a lone surrogate (error %lu)",
		     (unsigned long)GetLastError());
	if (listed_node(root, lead_wtf8) == -1)
		SKIP("the file system did not keep the lone surrogate");

	char path[PATH_CAP], buf[32];
	size_t len;
	ASSERT_EQ(listed_node(root, lead_wtf8), EXS_NODE_FILE);
	ASSERT_EQ(listed_node(root, trail_wtf8), EXS_NODE_FILE);
	join(path, root, lead_wtf8);
	ASSERT_EQ(read_text(path, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "lead");
	join(path, root, trail_wtf8);
	ASSERT_EQ(read_text(path, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "trail");
}

static void test_trailing_dot_name_is_its_own_file(void)
{
	char dotted[PATH_CAP], plain[PATH_CAP], buf[32];
	size_t len;
	join(dotted, root, "shell.aspx.");
	join(plain, root, "shell.aspx");
	ASSERT_EQ(write_text(plain, EXS_CREATE_EXCLUSIVE, "plain"), EXS_OK);
	int rc = write_text(dotted, EXS_CREATE_EXCLUSIVE, "dotted");
	if (rc == EXS_EXISTS)
		SKIP("the file system strips trailing dots even from \\\\?\\ "
		     "paths");
	ASSERT_EQ(rc, EXS_OK);
	ASSERT_EQ(listed_node(root, "shell.aspx."), EXS_NODE_FILE);
	ASSERT_EQ(read_text(dotted, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "dotted");
	ASSERT_EQ(read_text(plain, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "plain");
}

/* -- Long paths ------------------------------------------------------------- */

static void test_path_longer_than_max_path(void)
{
	char deep[PATH_CAP], file[PATH_CAP], buf[32];
	struct exs_error err;
	struct exs_stat st;
	size_t len;
	const char *part = "an-exchange-owa-prem-resources-folder-with-a-long-"
			   "name-0123456789";
	snprintf(deep, sizeof(deep), "%s", root);
	for (int i = 0; i < 6; i++) {
		size_t n = strlen(deep);
		snprintf(deep + n, sizeof(deep) - n, "\\%d%s", i, part);
	}
	ASSERT_TRUE(strlen(deep) > 400);
	ASSERT_EQ(P->dir_create(deep, 0, &err), EXS_OK);
	join(file, deep, "default.aspx");
	ASSERT_TRUE(strlen(file) > MAX_PATH);
	ASSERT_EQ(write_text(file, EXS_CREATE_EXCLUSIVE, "deep inside"),
		  EXS_OK);
	ASSERT_EQ(listed_node(deep, "default.aspx"), EXS_NODE_FILE);
	ASSERT_EQ(read_text(file, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "deep inside");
	ASSERT_EQ(P->path_stat(file, &st, &err), EXS_OK);
	ASSERT_EQ(st.node, EXS_NODE_FILE);
	ASSERT_EQ(st.size, 11);
	ASSERT_EQ(stat_file(file, &st), EXS_OK);
	ASSERT_EQ(st.size, 11);
	/* Forward slashes reach the same file. */
	for (char *p = file; *p; p++)
		if (*p == '\\')
			*p = '/';
	ASSERT_EQ(read_text(file, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "deep inside");
}

/* -- Busy files, locks, pipes ----------------------------------------------- */

static void test_unshared_file_is_busy(void)
{
	char path[PATH_CAP];
	struct exs_file *f = NULL;
	struct exs_error err;
	struct exs_stat st;
	join(path, root, "held.edb");
	ASSERT_EQ(write_text(path, EXS_CREATE_EXCLUSIVE, "database"), EXS_OK);
	wchar_t *w = wide(path);
	HANDLE holder = CreateFileW(w, GENERIC_READ, 0 /* no sharing */, NULL,
				    OPEN_EXISTING, 0, NULL);
	free(w);
	ASSERT_TRUE(holder != INVALID_HANDLE_VALUE);

	int64_t start = P->clock_monotonic_ns();
	int rc = P->file_open_read(path, &f, &err);
	int64_t waited = P->clock_monotonic_ns() - start;
	int stat_rc = P->path_stat(path, &st, &err);
	CloseHandle(holder);
	ASSERT_EQ(rc, EXS_BUSY);
	ASSERT_TRUE(f == NULL);
	ASSERT_EQ(err.os_code, ERROR_SHARING_VIOLATION);
	ASSERT_STR_EQ(err.op, "CreateFileW");
	ASSERT_STR_EQ(err.where, path);
	ASSERT_TRUE(waited >= 100 * 1000000LL); /* it did retry */
	/* Attributes are not subject to sharing: the stat still works. */
	ASSERT_EQ(stat_rc, EXS_OK);
	ASSERT_EQ(st.size, 8);
	/* Released: readable again. */
	ASSERT_EQ(P->file_open_read(path, &f, &err), EXS_OK);
	P->file_close(f);
}

static void test_lock_conflict_is_locked(void)
{
	char path[PATH_CAP], buf[32];
	struct exs_file *first, *second;
	struct exs_error err;
	size_t len;
	join(path, root, "run.lock");
	ASSERT_EQ(write_text(path, EXS_CREATE_EXCLUSIVE, "pid 42"), EXS_OK);
	ASSERT_EQ(P->file_create(path, 0, &first, &err), EXS_OK);
	ASSERT_EQ(P->file_lock(first, &err), EXS_OK);
	ASSERT_EQ(P->file_create(path, 0, &second, &err), EXS_OK);
	int rc = P->file_lock(second, &err);
	/* The lock is advisory: the content stays readable. */
	int read_rc = read_text(path, buf, sizeof(buf), &len);
	P->file_close(first);
	int after = P->file_lock(second, &err);
	P->file_close(second);
	ASSERT_EQ(rc, EXS_LOCKED);
	ASSERT_EQ(read_rc, EXS_OK);
	ASSERT_STR_EQ(buf, "pid 42");
	ASSERT_EQ(after, EXS_OK);
}

static void test_pipe_is_not_regular(void)
{
	char path[PATH_CAP];
	struct exs_file *f = NULL;
	struct exs_error err;
	snprintf(path, sizeof(path), "\\\\.\\pipe\\exsweep-test-%lu",
		 (unsigned long)GetCurrentProcessId());
	wchar_t *w = wide(path);
	HANDLE server = CreateNamedPipeW(w, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE,
					 1, 64, 64, 0, NULL);
	free(w);
	ASSERT_TRUE(server != INVALID_HANDLE_VALUE);
	int rc = P->file_open_read(path, &f, &err);
	CloseHandle(server);
	ASSERT_EQ(rc, EXS_NOTREG);
	ASSERT_TRUE(f == NULL);
}

static void test_missing_file_codes(void)
{
	char path[PATH_CAP];
	struct exs_file *f;
	struct exs_error err;
	join(path, root, "absent.aspx");
	ASSERT_EQ(P->file_open_read(path, &f, &err), EXS_NOENT);
	ASSERT_EQ(err.os_code, ERROR_FILE_NOT_FOUND);
	ASSERT_STR_EQ(err.op, "CreateFileW");
	ASSERT_STR_EQ(err.where, path);
	join(path, root, "absent-dir\\x.aspx");
	ASSERT_EQ(P->file_open_read(path, &f, &err), EXS_NOENT);
	ASSERT_EQ(err.os_code, ERROR_PATH_NOT_FOUND);
}

/* Arguments come from the UTF-16 command line, not the ANSI argv: CJK,
 * emoji, accents and even a lone surrogate arrive as WTF-8, split by the
 * rules of CommandLineToArgvW (quotes, backslashes before a quote). */
static void test_command_line_is_utf16(void)
{
	int argc;
	char **argv;
	ASSERT_EQ(exs_win32_args_from_command_line(
			  L"exsweep.exe scan \"C:\\\u65e5\u672c\\\U0001F600 "
			  L"\u00e9\" -j \u00e9.json \"a\\\"b\" x\xD800y",
			  &argc, &argv),
		  EXS_OK);
	ASSERT_EQ(argc, 7);
	ASSERT_STR_EQ(argv[0], "exsweep.exe");
	ASSERT_STR_EQ(argv[1], "scan");
	ASSERT_STR_EQ(argv[2], "C:\\\xe6\x97\xa5\xe6\x9c\xac\\"
			       "\xf0\x9f\x98\x80 \xc3\xa9");
	ASSERT_STR_EQ(argv[3], "-j");
	ASSERT_STR_EQ(argv[4], "\xc3\xa9.json");
	ASSERT_STR_EQ(argv[5], "a\"b");
	ASSERT_STR_EQ(argv[6], "x\xed\xa0\x80y");
	ASSERT_TRUE(argv[7] == NULL);
	free(argv);

	/* The table's entry ignores the ANSI argv it is given. */
	char *ansi[] = { "exsweep.exe", "C:\\??\\?", NULL };
	struct exs_error err;
	ASSERT_EQ(P->process_args(2, ansi, &argc, &argv, &err), EXS_OK);
	ASSERT_TRUE(argc >= 1);
	ASSERT_TRUE(argv != ansi);
	ASSERT_TRUE(argv[argc] == NULL);
}

/* One file, one key: however a root is typed ('/' or '\\', any case), it
 * is recorded as the directory lists it; a missing tail stays as typed. */
static void test_path_spelling(void)
{
	char dir[PATH_CAP], file[PATH_CAP], typed[PATH_CAP], want[PATH_CAP];
	char got[PATH_CAP];
	struct exs_error err;
	join(dir, root, "Bin");
	ASSERT_EQ(P->dir_create(dir, 0, &err), EXS_OK);
	join(dir, root, "Bin\\Sub");
	ASSERT_EQ(P->dir_create(dir, 0, &err), EXS_OK);
	join(file, dir, "a.dll");
	ASSERT_EQ(write_text(file, EXS_CREATE_TRUNCATE, "MZ"), EXS_OK);

	char spelt_root[PATH_CAP];
	ASSERT_EQ(P->path_spelling(root, spelt_root, sizeof(spelt_root), &err),
		  EXS_OK);
	snprintf(typed, sizeof(typed), "%s/bin/SUB/A.DLL", root);
	for (char *p = typed; *p; p++)
		if (*p == '\\')
			*p = '/';
	char *canonical = NULL;
	ASSERT_EQ(exs_path_canonical(P, typed, &canonical, &err), EXS_OK);
	snprintf(want, sizeof(want), "%s\\Bin\\Sub\\a.dll", spelt_root);
	ASSERT_STR_EQ(canonical, want);
	free(canonical);

	snprintf(typed, sizeof(typed), "%s\\BIN\\Gone\\X.aspx\\", root);
	ASSERT_EQ(exs_path_canonical(P, typed, &canonical, &err), EXS_OK);
	snprintf(want, sizeof(want), "%s\\Bin\\Gone\\X.aspx", spelt_root);
	ASSERT_STR_EQ(canonical, want);
	free(canonical);

	/* The verbatim form the admin wrote stays verbatim. */
	snprintf(typed, sizeof(typed), "\\\\?\\%s\\bin", spelt_root);
	ASSERT_EQ(P->path_spelling(typed, got, sizeof(got), &err), EXS_OK);
	snprintf(want, sizeof(want), "\\\\?\\%s\\Bin", spelt_root);
	ASSERT_STR_EQ(got, want);
}

/* ERROR_INVALID_NAME (123) is a name NTFS cannot hold, which no file will
 * ever have: its own status, not "no such file or directory". */
static void test_invalid_name_is_badname(void)
{
	char path[PATH_CAP];
	struct exs_file *f = NULL;
	struct exs_error err;
	struct exs_stat st;
	join(path, root, "bad|name<x>.aspx");
	ASSERT_EQ(P->file_open_read(path, &f, &err), EXS_BADNAME);
	ASSERT_EQ(err.os_code, ERROR_INVALID_NAME);
	ASSERT_TRUE(f == NULL);
	ASSERT_EQ(P->path_stat(path, &st, &err), EXS_BADNAME);
	ASSERT_STR_EQ(exs_strerror(EXS_BADNAME), "invalid file name");
	ASSERT_STR_EQ(exs_status_name(EXS_BADNAME), "EXS_BADNAME");
}

/* -- Reparse points ---------------------------------------------------------- */

/* The mount-point reparse buffer that makes a junction (documented in the
 * Windows driver kit as REPARSE_DATA_BUFFER). */
struct mount_point_buffer {
	DWORD tag;
	WORD data_length;
	WORD reserved;
	WORD substitute_offset;
	WORD substitute_length;
	WORD print_offset;
	WORD print_length;
	WCHAR names[2048];
};

static int make_junction(const wchar_t *link, const wchar_t *target)
{
	struct mount_point_buffer b;
	size_t target_len = wcslen(target);
	/* The substitute name is an NT path; the target is verbatim. */
	if (target_len + 1 > 1000 || wcsncmp(target, L"\\\\?\\", 4) != 0)
		return 0;
	memset(&b, 0, sizeof(b));
	swprintf(b.names, 1024, L"\\??\\%ls", target + 4);
	size_t substitute_len = wcslen(b.names);
	wcscpy(b.names + substitute_len + 1, target + 4);
	size_t print_len = wcslen(target + 4);
	b.tag = IO_REPARSE_TAG_MOUNT_POINT;
	b.substitute_offset = 0;
	b.substitute_length = (WORD)(substitute_len * sizeof(WCHAR));
	b.print_offset = (WORD)((substitute_len + 1) * sizeof(WCHAR));
	b.print_length = (WORD)(print_len * sizeof(WCHAR));
	b.data_length = (WORD)(4 * sizeof(WORD) +
			       (substitute_len + print_len + 2) * sizeof(WCHAR));

	if (!CreateDirectoryW(link, NULL))
		return 0;
	HANDLE h = CreateFileW(link, GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
			       FILE_FLAG_BACKUP_SEMANTICS |
				       FILE_FLAG_OPEN_REPARSE_POINT,
			       NULL);
	DWORD returned;
	BOOL ok = h != INVALID_HANDLE_VALUE &&
		  DeviceIoControl(h, FSCTL_SET_REPARSE_POINT, &b,
				  (DWORD)(8 + b.data_length), NULL, 0,
				  &returned, NULL);
	if (h != INVALID_HANDLE_VALUE)
		CloseHandle(h);
	if (!ok)
		RemoveDirectoryW(link);
	return ok;
}

static void test_junction_is_reported_not_followed(void)
{
	char target[PATH_CAP], outside[PATH_CAP], link[PATH_CAP];
	struct exs_error err;
	struct exs_stat st;
	struct exs_dir *d = NULL;
	struct exs_file *f = NULL;
	const char *how;

	snprintf(target, sizeof(target), "%s-outside", root);
	ASSERT_EQ(P->dir_create(target, 0, &err), EXS_OK);
	join(outside, target, "outside.aspx");
	ASSERT_EQ(write_text(outside, EXS_CREATE_EXCLUSIVE, "outside"),
		  EXS_OK);
	wchar_t *wtarget = wide(target);
	join(link, root, "aspnet_client");
	wchar_t *wlink = wide(link);
	ASSERT_TRUE(wtarget && wlink);

	how = "junction (FSCTL_SET_REPARSE_POINT)";
	int made = make_junction(wlink, wtarget);
	DWORD junction_error = made ? 0 : GetLastError();
	if (!made) {
		how = "directory symlink (CreateSymbolicLinkW)";
		made = CreateSymbolicLinkW(wlink, wtarget,
					   SYMBOLIC_LINK_FLAG_DIRECTORY |
						   0x2 /* unprivileged */);
	}
	DWORD attributes = made ? GetFileAttributesW(wlink)
				: INVALID_FILE_ATTRIBUTES;
	free(wtarget);
	free(wlink);
	if (!made || attributes == INVALID_FILE_ATTRIBUTES ||
	    !(attributes & FILE_ATTRIBUTE_REPARSE_POINT))
		SKIP("neither a junction (error %lu) nor a directory symlink "
		     "could be made here",
		     (unsigned long)junction_error);
	printf("# made a %s\n", how);

	ASSERT_EQ(listed_node(root, "aspnet_client"), EXS_NODE_LINK);
	ASSERT_EQ(P->dir_open(link, &d, &err), EXS_ISLINK);
	ASSERT_TRUE(d == NULL);
	ASSERT_STR_EQ(err.where, link);
	ASSERT_EQ(P->file_open_read(link, &f, &err), EXS_ISLINK);
	ASSERT_TRUE(f == NULL);
	ASSERT_EQ(P->path_stat(link, &st, &err), EXS_OK);
	ASSERT_EQ(st.node, EXS_NODE_LINK);
	ASSERT_TRUE(st.mode & FILE_ATTRIBUTE_REPARSE_POINT);
	/* dir_create must not accept it as the directory it asked for. */
	ASSERT_EQ(P->dir_create(link, 0, &err), EXS_ISLINK);
}

/* -- Identity and streams ------------------------------------------------------ */

static void test_file_ids(void)
{
	char a[PATH_CAP], b[PATH_CAP], c[PATH_CAP];
	struct exs_stat sa, sb, sc;
	join(a, root, "id-a.aspx");
	join(b, root, "id-b.aspx");
	join(c, root, "id-renamed.aspx");
	ASSERT_EQ(write_text(a, EXS_CREATE_EXCLUSIVE, "a"), EXS_OK);
	ASSERT_EQ(write_text(b, EXS_CREATE_EXCLUSIVE, "b"), EXS_OK);
	ASSERT_EQ(stat_file(a, &sa), EXS_OK);
	ASSERT_EQ(stat_file(b, &sb), EXS_OK);
	ASSERT_TRUE(sa.file_id != 0);
	ASSERT_TRUE(sa.file_id != sb.file_id);
	ASSERT_EQ(sa.volume_id, sb.volume_id);

	wchar_t *wa = wide(a), *wc = wide(c);
	BOOL moved = MoveFileW(wa, wc);
	free(wa);
	free(wc);
	ASSERT_TRUE(moved);
	ASSERT_EQ(stat_file(c, &sc), EXS_OK);
	ASSERT_EQ(sc.file_id, sa.file_id);
	ASSERT_EQ(sc.volume_id, sa.volume_id);
	ASSERT_EQ(sc.mtime_ns, sa.mtime_ns);
	if (sc.owner[0])
		ASSERT_TRUE(strncmp(sc.owner, "S-1-", 4) == 0);
	else
		printf("# no owner SID on this file system\n");
}

struct stream_list {
	unsigned count;
	char first[64];
};

static int collect_stream(void *ctx, const char *name, size_t len)
{
	struct stream_list *l = ctx;
	if (l->count++ == 0 && len < sizeof(l->first)) {
		memcpy(l->first, name, len);
		l->first[len] = '\0';
	}
	return 0;
}

static void test_alternate_data_stream(void)
{
	char main_path[PATH_CAP], stream_path[PATH_CAP], buf[64];
	struct exs_stat st;
	size_t len;
	join(main_path, root, "file.aspx");
	snprintf(stream_path, sizeof(stream_path), "%s:hidden", main_path);
	ASSERT_EQ(write_text(main_path, EXS_CREATE_EXCLUSIVE, "main stream"),
		  EXS_OK);
	ASSERT_EQ(read_text(main_path, buf, sizeof(buf), &len), EXS_OK);
	uint64_t before = fnv1a(buf, len);

	int rc = write_text(stream_path, EXS_CREATE_EXCLUSIVE,
			    "<%@ Page Language=\"C#\" %>");
	if (rc != EXS_OK)
		SKIP("cannot create an alternate data stream (%s)",
		     exs_status_name(rc));
	if (listed_node(root, "file.aspx:hidden") != -1)
		SKIP("no alternate data streams: \"file.aspx:hidden\" became "
		     "a file of its own");

	ASSERT_EQ(read_text(stream_path, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "<%@ Page Language=\"C#\" %>");
	ASSERT_EQ(read_text(main_path, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "main stream");
	ASSERT_EQ(fnv1a(buf, len), before);
	ASSERT_EQ(stat_file(main_path, &st), EXS_OK);
	ASSERT_EQ(st.size, 11);

	/* The stream is listed, by the name that opens it again. */
	struct stream_list names = { 0 };
	struct exs_error err;
	rc = P->file_streams(main_path, collect_stream, &names, &err);
	if (rc == EXS_UNSUPPORTED)
		SKIP("FindFirstStreamW is not implemented here");
	ASSERT_EQ(rc, EXS_OK);
	ASSERT_EQ(names.count, 1);
	ASSERT_STR_EQ(names.first, ":hidden");
}

/* -- Security ------------------------------------------------------------------ */

static void test_private_file_acl(void)
{
	char path[PATH_CAP], sddl[4096];
	struct exs_file *f;
	struct exs_error err;
	size_t len = 0;
	join(path, root, "baseline.db");
	ASSERT_EQ(P->file_create(path,
				 EXS_CREATE_EXCLUSIVE | EXS_CREATE_PRIVATE, &f,
				 &err),
		  EXS_OK);
	int rc = P->file_security(f, sddl, sizeof(sddl), &len, &err);
	char tiny[4];
	int tiny_rc = P->file_security(f, tiny, sizeof(tiny), &len, &err);
	P->file_close(f);
	/* An existing directory asked to be private is made so, not
	 * refused: the second call finds it there. */
	char dir[PATH_CAP];
	join(dir, root, "data-dir");
	ASSERT_EQ(P->dir_create(dir, EXS_CREATE_PRIVATE, &err), EXS_OK);
	ASSERT_EQ(P->dir_create(dir, EXS_CREATE_PRIVATE, &err), EXS_OK);
	if (rc != EXS_OK)
		SKIP("no security descriptor on this file system (%s)",
		     exs_status_name(rc));
	printf("# private file SDDL: %s\n", sddl);
	ASSERT_EQ(tiny_rc, EXS_LIMIT);
	/* Wine makes a DACL up from the Unix mode bits (SYSTEM and the
	 * owner); only Administrators' ACE shows that ours was kept. */
	if (!strstr(sddl, "(A;;FA;;;BA)"))
		SKIP("the file system did not keep the DACL it was given");
	ASSERT_TRUE(strstr(sddl, "D:P") != NULL);
	ASSERT_TRUE(strstr(sddl, "(A;;FA;;;SY)") != NULL);
	ASSERT_TRUE(strstr(sddl, ";WD)") == NULL); /* nothing for Everyone */
	ASSERT_TRUE(strstr(sddl, ";BU)") == NULL); /* nor for Users */
}

static void test_place_is_under_program_data(void)
{
	char buf[PATH_CAP];
	struct exs_error err;
	ASSERT_EQ(P->place(EXS_PLACE_CONFIG_FILE, buf, sizeof(buf), &err),
		  EXS_OK);
	printf("# config file: %s\n", buf);
	ASSERT_TRUE(strstr(buf, "\\exsweep\\exsweep.ini") != NULL);
	ASSERT_EQ(P->place(EXS_PLACE_DATA_DIR, buf, sizeof(buf), &err),
		  EXS_OK);
	size_t len = strlen(buf);
	ASSERT_TRUE(len > 8 && strcmp(buf + len - 8, "\\exsweep") == 0);
	ASSERT_EQ(P->case_insensitive, 1);
	ASSERT_EQ(P->path_separator, '\\');
}

static int make_root(void)
{
	static const char *vars[] = { "EXS_TEST_TMPDIR", "TEMP", "TMP" };
	struct exs_error err;
	snprintf(base, sizeof(base), "C:\\Windows\\Temp");
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (P->env_get(vars[i], base, sizeof(base)) == EXS_OK &&
		    base[0])
			break;
	snprintf(root, sizeof(root), "%s\\exsweep-win32-%lld", base,
		 (long long)P->clock_wall_ns());
	int rc = P->dir_create(root, 0, &err);
	if (rc) {
		char msg[2048];
		exs_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "cannot create test directory: %s\n", msg);
	}
	return rc;
}

static void remove_root(void)
{
	char outside[PATH_CAP];
	wchar_t *w = wide(root);
	if (w) {
		delete_tree(w);
		free(w);
	}
	snprintf(outside, sizeof(outside), "%s-outside", root);
	if ((w = wide(outside)) != NULL) {
		delete_tree(w);
		free(w);
	}
}

int main(void)
{
	P = exs_platform_native();
	if (make_root())
		return 1;
	printf("# working in %s\n", root);

	RUN(test_wtf8_conversions);
	RUN(test_command_line_is_utf16);
	RUN(test_invalid_wtf8_path_is_charset);
	RUN(test_verbatim_paths);
	RUN(test_relative_path);
	RUN(test_path_spelling);
	RUN(test_unicode_names);
	RUN(test_unpaired_surrogate_round_trips);
	RUN(test_trailing_dot_name_is_its_own_file);
	RUN(test_path_longer_than_max_path);
	RUN(test_unshared_file_is_busy);
	RUN(test_lock_conflict_is_locked);
	RUN(test_pipe_is_not_regular);
	RUN(test_missing_file_codes);
	RUN(test_invalid_name_is_badname);
	RUN(test_junction_is_reported_not_followed);
	RUN(test_file_ids);
	RUN(test_alternate_data_stream);
	RUN(test_private_file_acl);
	RUN(test_place_is_under_program_data);

	remove_root();
	printf("# %d skipped (they need a real Windows Server)\n", skipped);
	return TEST_EXIT();
}
