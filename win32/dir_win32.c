/* dir_win32.c -- listing a directory with FindFirstFileExW.
 *
 * A listing never enters a junction, symlink or mount point: dir_open refuses
 * one (EXS_ISLINK) and dir_next reports any entry with
 * FILE_ATTRIBUTE_REPARSE_POINT as EXS_NODE_LINK, which the walk does not
 * descend. Names come back in WTF-8, so a name with an unpaired surrogate can
 * be opened again exactly as it was listed.
 */
#include "platform_win32.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* The longest name FindFirstFileExW returns is MAX_PATH - 1 UTF-16 units;
 * each takes at most 3 WTF-8 bytes (a pair takes 4 for 2 units). */
#define DIR_NAME_MAX (MAX_PATH * 3 + 1)

struct exs_dir {
	HANDLE find;    /* INVALID_HANDLE_VALUE once the listing has ended */
	int pending;    /* data holds FindFirstFileExW's entry, not yet given */
	WIN32_FIND_DATAW data;
	char name[DIR_NAME_MAX];
	char path[];    /* the caller's path, for error messages */
};

int exs_win32_dir_open(const char *path, struct exs_dir **out,
		       struct exs_error *err)
{
	wchar_t *wpath;
	*out = NULL;
	int rc = exs_win32_path_to_wide(path, &wpath, err);
	if (rc)
		return rc;

	/* FindFirstFileExW would list a junction's target: look first. A
	 * junction swapped in between this look and the listing would still
	 * be listed; closing that window means listing through a handle
	 * opened with OPEN_REPARSE_POINT (GetFileInformationByHandleEx with
	 * FileIdBothDirectoryInfo), a later step. */
	DWORD attributes = GetFileAttributesW(wpath);
	if (attributes == INVALID_FILE_ATTRIBUTES) {
		DWORD code = GetLastError();
		free(wpath);
		return exs_win32_fail(err, code, "GetFileAttributesW", path);
	}
	if (attributes & FILE_ATTRIBUTE_REPARSE_POINT) {
		free(wpath);
		return exs_fail(err, EXS_ISLINK, 0, "GetFileAttributesW", path);
	}
	if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
		free(wpath);
		return exs_fail(err, EXS_NOTDIR, ERROR_DIRECTORY,
				"GetFileAttributesW", path);
	}

	size_t wlen = wcslen(wpath);
	wchar_t *pattern = malloc((wlen + 3) * sizeof(wchar_t));
	size_t path_len = strlen(path);
	struct exs_dir *d = malloc(sizeof(*d) + path_len + 1);
	if (!pattern || !d) {
		free(pattern);
		free(d);
		free(wpath);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	}
	memcpy(pattern, wpath, wlen * sizeof(wchar_t));
	if (wlen == 0 || pattern[wlen - 1] != L'\\')
		pattern[wlen++] = L'\\';
	pattern[wlen++] = L'*';
	pattern[wlen] = 0;
	free(wpath);
	memcpy(d->path, path, path_len + 1);
	d->pending = 1;

	/* Basic info skips the 8.3 short names; large fetch asks for bigger
	 * batches per kernel call, which matters in Exchange's big folders. */
	d->find = FindFirstFileExW(pattern, FindExInfoBasic, &d->data,
				   FindExSearchNameMatch, NULL,
				   FIND_FIRST_EX_LARGE_FETCH);
	DWORD code = GetLastError();
	free(pattern);
	if (d->find == INVALID_HANDLE_VALUE && code != ERROR_FILE_NOT_FOUND) {
		free(d);
		return exs_win32_fail(err, code, "FindFirstFileExW", path);
	}
	/* ERROR_FILE_NOT_FOUND: an empty root directory, with no "." or "..":
	 * the listing is simply empty. */
	*out = d;
	return EXS_OK;
}

int exs_win32_dir_next(struct exs_dir *d, struct exs_dirent *out,
		       struct exs_error *err)
{
	out->name = NULL;
	out->name_len = 0;
	out->node = EXS_NODE_UNKNOWN;
	for (;;) {
		if (d->find == INVALID_HANDLE_VALUE)
			return EXS_OK;
		if (!d->pending && !FindNextFileW(d->find, &d->data)) {
			DWORD code = GetLastError();
			FindClose(d->find);
			d->find = INVALID_HANDLE_VALUE;
			if (code == ERROR_NO_MORE_FILES)
				return EXS_OK;
			return exs_win32_fail(err, code, "FindNextFileW",
					      d->path);
		}
		d->pending = 0;

		const wchar_t *name = d->data.cFileName;
		if (name[0] == L'.' &&
		    (name[1] == 0 || (name[1] == L'.' && name[2] == 0)))
			continue;
		size_t len;
		if (exs_win32_utf16_to_wtf8(name, wcslen(name), d->name,
					    sizeof(d->name), &len))
			return exs_fail(err, EXS_LIMIT, 0, "FindNextFileW",
					d->path);
		DWORD attributes = d->data.dwFileAttributes;
		out->name = d->name;
		out->name_len = len;
		if (attributes & FILE_ATTRIBUTE_REPARSE_POINT)
			out->node = EXS_NODE_LINK;
		else if (attributes & FILE_ATTRIBUTE_DIRECTORY)
			out->node = EXS_NODE_DIR;
		else
			out->node = EXS_NODE_FILE;
		return EXS_OK;
	}
}

void exs_win32_dir_close(struct exs_dir *d)
{
	if (!d)
		return;
	if (d->find != INVALID_HANDLE_VALUE)
		FindClose(d->find);
	free(d);
}
