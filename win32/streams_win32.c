/* streams_win32.c -- listing a file's alternate data streams.
 *
 * NTFS lets any file carry named data streams beside its content
 * ("logon.aspx:x"); IIS never serves them, but code hidden there is read by
 * loaders attackers plant elsewhere, and a clean Exchange web folder has
 * none. FindFirstStreamW lists them; the main stream ("::$DATA") is left out
 * and the ":$DATA" type suffix dropped, so ":x" is what the caller appends to
 * the path to open the stream.
 */
#include "platform_win32.h"

#include <stdlib.h>
#include <wchar.h>

int exs_win32_file_streams(const char *path,
			   int (*fn)(void *ctx, const char *name, size_t len),
			   void *ctx, struct exs_error *err)
{
	wchar_t *wpath;
	int rc = exs_win32_path_to_wide(path, &wpath, err);
	if (rc)
		return rc;
	WIN32_FIND_STREAM_DATA data;
	HANDLE h = FindFirstStreamW(wpath, FindStreamInfoStandard, &data, 0);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD code = GetLastError();
		free(wpath);
		if (code == ERROR_HANDLE_EOF)
			return EXS_OK; /* only the main stream */
		if (code == ERROR_CALL_NOT_IMPLEMENTED ||
		    code == ERROR_INVALID_FUNCTION ||
		    code == ERROR_NOT_SUPPORTED)
			return exs_fail(err, EXS_UNSUPPORTED, (long)code,
					"FindFirstStreamW", path);
		return exs_win32_fail(err, code, "FindFirstStreamW", path);
	}
	static const wchar_t data_suffix[] = L":$DATA";
	const size_t suffix_len = sizeof(data_suffix) / sizeof(wchar_t) - 1;
	rc = EXS_OK;
	do {
		size_t n = wcslen(data.cStreamName);
		if (n > suffix_len &&
		    wcscmp(data.cStreamName + n - suffix_len, data_suffix) == 0)
			n -= suffix_len;
		if (n <= 1)
			continue; /* "::$DATA", the file's own content */
		char name[4 * MAX_PATH + 64];
		size_t len = 0;
		if (exs_win32_utf16_to_wtf8(data.cStreamName, n, name,
					    sizeof(name), &len) != EXS_OK)
			continue; /* cannot be longer than MAX_PATH + 36 units */
		rc = fn(ctx, name, len);
	} while (!rc && FindNextStreamW(h, &data));
	if (!rc) {
		DWORD code = GetLastError();
		if (code != ERROR_HANDLE_EOF && code != ERROR_SUCCESS)
			rc = exs_win32_fail(err, code, "FindNextStreamW", path);
	}
	FindClose(h);
	free(wpath);
	return rc;
}
