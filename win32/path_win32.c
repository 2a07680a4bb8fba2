/* path_win32.c -- from a caller's path to the verbatim path Win32 is given.
 *
 * Callers write paths the way people do (C:\inetpub, C:/inetpub, ..\x,
 * \\server\share\x); every Win32 call here gets the verbatim form instead:
 * \\?\C:\inetpub or \\?\UNC\server\share\x. The prefix lifts the 260-unit
 * MAX_PATH limit (Exchange trees exceed it) and tells Win32 to take each name
 * as it is. Because Win32 then no longer interprets the path, this file does
 * what it would have done: '/' becomes '\', a relative path is put under the
 * current directory, "." is dropped and ".." removes the previous name.
 *
 * It does so itself rather than with GetFullPathNameW on the whole path,
 * because GetFullPathNameW also strips trailing dots and spaces from names:
 * "shell.aspx." is a different NTFS file from "shell.aspx", reachable only in
 * verbatim form, and a scanner must open exactly the file it listed.
 * GetFullPathNameW is used only to find the directory a relative path starts
 * from. ".." is applied by name, as Win32 does; it never climbs above the
 * drive or the share, and since exsweep never follows links, by-name is also
 * what the walk means.
 */
#include "platform_win32.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static const wchar_t verbatim_prefix[] = L"\\\\?\\";
static const wchar_t verbatim_unc_prefix[] = L"\\\\?\\UNC\\";

static int is_drive_letter(wchar_t c)
{
	return (c >= L'A' && c <= L'Z') || (c >= L'a' && c <= L'z');
}

/* \\?\x, \\.\x (devices, pipes) and \??\x are already in the form the kernel
 * takes; they pass through untouched. */
static int is_verbatim(const wchar_t *p)
{
	return (p[0] == L'\\' && p[1] == L'\\' &&
		(p[2] == L'?' || p[2] == L'.') && p[3] == L'\\') ||
	       (p[0] == L'\\' && p[1] == L'?' && p[2] == L'?' &&
		p[3] == L'\\');
}

static int is_unc(const wchar_t *p)
{
	return p[0] == L'\\' && p[1] == L'\\';
}

static int is_drive_absolute(const wchar_t *p)
{
	return is_drive_letter(p[0]) && p[1] == L':' && p[2] == L'\\';
}

/* Builds the verbatim path from an absolute one (C:\... or \\server\share...)
 * into a malloc'd buffer. */
static int normalise_absolute(const wchar_t *abs, const char *path,
			      wchar_t **out, struct exs_error *err)
{
	size_t len = wcslen(abs);
	/* The result never outgrows the input plus the longer prefix plus a
	 * root separator. */
	wchar_t *res = malloc((len + 16) * sizeof(wchar_t));
	if (!res)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);

	size_t n;
	const wchar_t *rest;
	if (is_unc(abs)) {
		n = wcslen(verbatim_unc_prefix);
		memcpy(res, verbatim_unc_prefix, n * sizeof(wchar_t));
		/* \\server\share is the root: both names must be there. */
		const wchar_t *server = abs + 2;
		const wchar_t *server_end = wcschr(server, L'\\');
		const wchar_t *share = server_end ? server_end + 1 : NULL;
		const wchar_t *share_end = share ? share : NULL;
		while (share_end && *share_end && *share_end != L'\\')
			share_end++;
		if (!server_end || server_end == server || !share ||
		    share_end == share) {
			free(res);
			return exs_failf(err, EXS_INVAL, 0, "path", path,
					 "a UNC path needs \\\\server\\share");
		}
		size_t root_len = (size_t)(share_end - server);
		memcpy(res + n, server, root_len * sizeof(wchar_t));
		n += root_len;
		rest = share_end;
	} else {
		n = wcslen(verbatim_prefix);
		memcpy(res, verbatim_prefix, n * sizeof(wchar_t));
		res[n++] = (wchar_t)(abs[0] >= L'a' && abs[0] <= L'z'
					     ? abs[0] - L'a' + L'A'
					     : abs[0]);
		res[n++] = L':';
		rest = abs + 2;
	}

	/* Each kept name is appended as "\name"; ".." cuts back to the
	 * previous '\' but never into the root. */
	size_t root_end = n;
	const wchar_t *p = rest;
	while (*p) {
		while (*p == L'\\')
			p++;
		if (!*p)
			break;
		const wchar_t *name = p;
		while (*p && *p != L'\\')
			p++;
		size_t name_len = (size_t)(p - name);
		if (name_len == 1 && name[0] == L'.')
			continue;
		if (name_len == 2 && name[0] == L'.' && name[1] == L'.') {
			while (n > root_end && res[n - 1] != L'\\')
				n--;
			if (n > root_end)
				n--;
			continue;
		}
		res[n++] = L'\\';
		memcpy(res + n, name, name_len * sizeof(wchar_t));
		n += name_len;
	}
	if (n == root_end)
		res[n++] = L'\\'; /* the root directory itself: C:\ */
	res[n] = 0;

	if (n > EXS_WIN32_PATH_MAX) {
		free(res);
		return exs_fail(err, EXS_LIMIT, ERROR_FILENAME_EXCED_RANGE,
				"path", path);
	}
	*out = res;
	return EXS_OK;
}

/* The absolute directory a relative path starts from: the current directory
 * for "x", the current drive's root for "\x", drive D's current directory for
 * "D:x". GetFullPathNameW is given only that spec, never the caller's names. */
static int base_directory(const wchar_t *spec, const char *path,
			  wchar_t **out, struct exs_error *err)
{
	DWORD need = GetFullPathNameW(spec, 0, NULL, NULL);
	*out = NULL;
	for (;;) {
		if (need == 0)
			return exs_win32_fail(err, GetLastError(),
					      "GetFullPathNameW", path);
		wchar_t *buf = malloc(need * sizeof(wchar_t));
		if (!buf)
			return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
		DWORD got = GetFullPathNameW(spec, need, buf, NULL);
		if (got > 0 && got < need) {
			*out = buf;
			return EXS_OK;
		}
		free(buf);
		/* The current directory changed in between: try again with
		 * the new size (0 ends the loop as a failure). */
		need = got;
	}
}

int exs_win32_path_to_wide(const char *path, wchar_t **out,
			   struct exs_error *err)
{
	*out = NULL;
	if (!path[0])
		return exs_fail(err, EXS_NOENT, ERROR_PATH_NOT_FOUND, "path",
				path);

	wchar_t *raw;
	int rc = exs_win32_wtf8_to_utf16_alloc(path, &raw);
	if (rc == EXS_CHARSET)
		return exs_fail(err, rc, ERROR_NO_UNICODE_TRANSLATION,
				"wtf8_to_utf16", path);
	if (rc)
		return exs_fail(err, rc, 0, "malloc", path);
	for (wchar_t *p = raw; *p; p++)
		if (*p == L'/')
			*p = L'\\';

	if (is_verbatim(raw)) {
		if (wcslen(raw) > EXS_WIN32_PATH_MAX) {
			free(raw);
			return exs_fail(err, EXS_LIMIT,
					ERROR_FILENAME_EXCED_RANGE, "path",
					path);
		}
		*out = raw;
		return EXS_OK;
	}
	if (is_unc(raw) || is_drive_absolute(raw)) {
		rc = normalise_absolute(raw, path, out, err);
		free(raw);
		return rc;
	}

	/* Relative: find where it starts, then join and normalise. */
	const wchar_t *spec, *rest;
	wchar_t drive_spec[3];
	if (is_drive_letter(raw[0]) && raw[1] == L':') {
		drive_spec[0] = raw[0];
		drive_spec[1] = L':';
		drive_spec[2] = 0;
		spec = drive_spec;
		rest = raw + 2;
	} else if (raw[0] == L'\\') {
		spec = L"\\";
		rest = raw + 1;
	} else {
		spec = L".";
		rest = raw;
	}
	wchar_t *base = NULL;
	rc = base_directory(spec, path, &base, err);
	if (rc) {
		free(raw);
		return rc;
	}
	size_t base_len = wcslen(base), rest_len = wcslen(rest);
	wchar_t *joined = malloc((base_len + rest_len + 2) * sizeof(wchar_t));
	if (!joined) {
		free(base);
		free(raw);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	}
	memcpy(joined, base, base_len * sizeof(wchar_t));
	joined[base_len] = L'\\';
	memcpy(joined + base_len + 1, rest, (rest_len + 1) * sizeof(wchar_t));
	free(base);
	free(raw);

	if (is_verbatim(joined)) {
		/* The current directory was itself set in verbatim form;
		 * Win32 did not interpret it, so neither do we. */
		*out = joined;
		return EXS_OK;
	}
	if (!is_unc(joined) && !is_drive_absolute(joined)) {
		free(joined);
		return exs_fail(err, EXS_INVAL, 0, "GetFullPathNameW", path);
	}
	rc = normalise_absolute(joined, path, out, err);
	free(joined);
	return rc;
}

/* -- The recorded spelling ------------------------------------------------- */

/* Where the first name after the root starts in a verbatim path:
 * \\?\C:\a -> 'a', \\?\UNC\server\share\a -> 'a'; 0 for a form whose
 * root this file does not take apart (\\.\, \??\, volume GUIDs). */
static size_t names_start(const wchar_t *w)
{
	if (wcsncmp(w, verbatim_unc_prefix, wcslen(verbatim_unc_prefix)) == 0) {
		size_t i = wcslen(verbatim_unc_prefix);
		for (int names = 2; names > 0 && w[i]; names--) {
			while (w[i] && w[i] != L'\\')
				i++;
			if (w[i])
				i++;
		}
		return i;
	}
	if (wcsncmp(w, verbatim_prefix, 4) == 0 && is_drive_letter(w[4]) &&
	    w[5] == L':' && w[6] == L'\\')
		return 7;
	return 0;
}

/* Replaces each name of the verbatim path w that exists with the name its
 * directory lists, from the root down; stops at the first that is not
 * there (the rest stays as written). A listed name of the same length
 * (another case) is written in place; the long name of an 8.3 alias
 * (PROGRA~1) needs a new buffer, which replaces *w. */
static int respell(wchar_t **w, const char *path, struct exs_error *err)
{
	size_t i = names_start(*w);
	if (!i)
		return EXS_OK;
	while ((*w)[i]) {
		size_t end = i;
		while ((*w)[end] && (*w)[end] != L'\\')
			end++;
		/* Wildcards would make FindFirstFileW list other names; NTFS
		 * holds none, so such a name cannot exist anyway. A ':' names
		 * a stream, which FindFirstFileW does not list. */
		int plain = end > i;
		for (size_t k = i; plain && k < end; k++)
			plain = (*w)[k] != L'*' && (*w)[k] != L'?' &&
				(*w)[k] != L':';
		if (!plain)
			return EXS_OK;
		wchar_t saved = (*w)[end];
		(*w)[end] = 0;
		WIN32_FIND_DATAW data;
		HANDLE h = FindFirstFileExW(*w, FindExInfoBasic, &data,
					    FindExSearchNameMatch, NULL, 0);
		(*w)[end] = saved;
		if (h == INVALID_HANDLE_VALUE)
			return EXS_OK; /* not there: the rest as written */
		FindClose(h);
		size_t old_len = end - i, new_len = wcslen(data.cFileName);
		if (new_len != old_len) {
			size_t total = wcslen(*w);
			wchar_t *grown = malloc((total - old_len + new_len + 1) *
						sizeof(wchar_t));
			if (!grown)
				return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
			memcpy(grown, *w, i * sizeof(wchar_t));
			memcpy(grown + i, data.cFileName, new_len * sizeof(wchar_t));
			memcpy(grown + i + new_len, *w + end,
			       (total - end + 1) * sizeof(wchar_t));
			free(*w);
			*w = grown;
			end = i + new_len;
		} else {
			memcpy(*w + i, data.cFileName, new_len * sizeof(wchar_t));
		}
		i = (*w)[end] ? end + 1 : end;
	}
	return EXS_OK;
}

int exs_win32_path_spelling(const char *path, char *buf, size_t cap,
			    struct exs_error *err)
{
	wchar_t *w;
	int rc = exs_win32_path_to_wide(path, &w, err);
	if (rc)
		return rc;
	rc = respell(&w, path, err);
	if (rc) {
		free(w);
		return rc;
	}
	/* Give back the form people write unless they wrote the verbatim
	 * one: \\?\C:\x -> C:\x, \\?\UNC\s\x -> \\s\x. */
	const wchar_t *shown = w;
	int was_verbatim = (path[0] == '\\' || path[0] == '/') &&
			   (path[1] == '\\' || path[1] == '/') &&
			   (path[2] == '?' || path[2] == '.');
	size_t unc_len = wcslen(verbatim_unc_prefix);
	if (!was_verbatim && wcsncmp(w, verbatim_unc_prefix, unc_len) == 0) {
		w[unc_len - 2] = L'\\'; /* ...UNC\s -> \\s */
		shown = w + unc_len - 2;
	} else if (!was_verbatim && names_start(w) == 7) {
		shown = w + 4;
	}
	size_t len;
	rc = exs_win32_utf16_to_wtf8(shown, wcslen(shown), buf, cap, &len);
	free(w);
	if (rc)
		return exs_fail(err, rc, 0, "path_spelling", path);
	return EXS_OK;
}
