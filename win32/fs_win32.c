/* fs_win32.c -- files and their security, through Win32 handles.
 *
 * Divisions: shared helpers (retries, handles), reading files, attributes
 * and security, writing files, creating directories. Listing directories is
 * in dir_win32.c.
 *
 * Rules this file keeps, because the tree it reads may be hostile and is
 * always busy (IIS, Exchange services and antivirus hold files open):
 *  - Every open shares READ|WRITE|DELETE, so exsweep never stops IIS from
 *    writing, renaming or deleting a file it is reading; a sharing violation
 *    (someone else opened without sharing) is retried briefly, then EXS_BUSY.
 *  - Every open passes FILE_FLAG_OPEN_REPARSE_POINT and refuses the handle if
 *    it is a reparse point: junctions, symlinks and mount points are reported,
 *    never followed, and attributes are read from the handle that is hashed.
 *    Any reparse point counts as a link, also those that are not names
 *    (deduplicated, WOF-compressed or cloud placeholder files): they are
 *    reported as links rather than hashed, until the walk learns to read
 *    them by tag (IsReparseTagNameSurrogate).
 *  - FILE_FLAG_BACKUP_SEMANTICS lets a process that holds SeBackupPrivilege
 *    (SYSTEM, a scheduled task) read past ACLs, and opens directories.
 */
#include "platform_win32.h"

#include <aclapi.h>
#include <sddl.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define SHARE_ALL (FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)

/* A sharing or lock violation usually lasts milliseconds (antivirus, backup,
 * an IIS compile). SQLite's os_win.c retries 10 times with a growing delay;
 * a scanner meets files that stay locked (open databases) far more often, so
 * it gives up sooner: 10+20+30+40+50 ms, then EXS_BUSY. */
#define RETRY_COUNT 5
#define RETRY_STEP_MS 10

/* Windows byte-range locks are mandatory: locking the data would make other
 * processes' reads fail. file_lock therefore locks one byte far past any real
 * end of file, a token that only other lockers notice (SQLite locks bytes past
 * 1 GiB for the same reason). The offset is 2^62. */
#define LOCK_OFFSET_HIGH 0x40000000u

/* GetFileInformationByHandleEx's FileIdInfo (Windows 8 / Server 2012). Its
 * declarations need _WIN32_WINNT >= 0x0602 and exsweep targets 0x0601, so
 * the class number and layout are written out here. */
#define FILE_ID_INFO_CLASS ((FILE_INFO_BY_HANDLE_CLASS)18)
struct file_id_info_128 {
	ULONGLONG volume_serial_number;
	BYTE file_id[16];
};

struct exs_file {
	HANDLE handle;
	int locked;     /* file_lock holds the lock byte; file_close frees it */
	char path[];    /* the caller's path, for error messages */
};

/* -- Shared helpers --------------------------------------------------------- */

/* Whether a failed call is worth another try; sleeps first when it is.
 * ACCESS_DENIED is transient only for renames (antivirus holding a file it
 * just saw written, as SQLite found); on open it is usually a real ACL. */
static int sleep_before_retry(DWORD code, unsigned attempt,
			      int access_denied_is_transient)
{
	int transient = code == ERROR_SHARING_VIOLATION ||
			code == ERROR_LOCK_VIOLATION ||
			(access_denied_is_transient &&
			 code == ERROR_ACCESS_DENIED);
	if (!transient || attempt >= RETRY_COUNT)
		return 0;
	Sleep(RETRY_STEP_MS * (attempt + 1));
	return 1;
}

/* Opens or creates wpath. *out is INVALID_HANDLE_VALUE whenever the result
 * is not EXS_OK, so a caller's cleanup may test it without tracking which
 * path failed (GCC 12 at -O3 cannot see that exs_win32_fail never returns
 * EXS_OK, and flags the handle as maybe-uninitialised otherwise). */
static int create_file(const wchar_t *wpath, DWORD access, DWORD disposition,
		       DWORD flags, SECURITY_ATTRIBUTES *security,
		       const char *path, HANDLE *out, struct exs_error *err)
{
	*out = INVALID_HANDLE_VALUE;
	for (unsigned attempt = 0;; attempt++) {
		HANDLE h = CreateFileW(wpath, access, SHARE_ALL, security,
				       disposition, flags, NULL);
		if (h != INVALID_HANDLE_VALUE) {
			*out = h;
			return EXS_OK;
		}
		DWORD code = GetLastError();
		if (!sleep_before_retry(code, attempt, 0))
			return exs_win32_fail(err, code, "CreateFileW", path);
	}
}

static int file_wrap(HANDLE h, const char *path, struct exs_file **out,
		     struct exs_error *err)
{
	size_t path_len = strlen(path);
	struct exs_file *f = malloc(sizeof(*f) + path_len + 1);
	if (!f) {
		CloseHandle(h);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	}
	f->handle = h;
	f->locked = 0;
	memcpy(f->path, path, path_len + 1);
	*out = f;
	return EXS_OK;
}

/* Refuses a handle that is not a plain disk file or directory: a reparse
 * point (EXS_ISLINK) or a pipe or device (EXS_NOTREG). */
static int check_plain_handle(HANDLE h, const char *path,
			      struct exs_error *err)
{
	/* FILE_TYPE_UNKNOWN is also a failure, told apart only by the error,
	 * which CreateFileW may have left set (ERROR_ALREADY_EXISTS). */
	SetLastError(NO_ERROR);
	DWORD type = GetFileType(h);
	if (type != FILE_TYPE_DISK) {
		DWORD code = type == FILE_TYPE_UNKNOWN ? GetLastError() : 0;
		if (code != NO_ERROR)
			return exs_win32_fail(err, code, "GetFileType", path);
		return exs_fail(err, EXS_NOTREG, 0, "GetFileType", path);
	}
	BY_HANDLE_FILE_INFORMATION info;
	if (!GetFileInformationByHandle(h, &info))
		return exs_win32_fail(err, GetLastError(),
				      "GetFileInformationByHandle", path);
	if (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
		return exs_fail(err, EXS_ISLINK, 0,
				"GetFileInformationByHandle", path);
	return EXS_OK;
}

/* A security descriptor that gives full control to SYSTEM and the
 * Administrators group only, and inherits nothing from the parent (the "P"),
 * so a permissive ProgramData ACL does not leak into the baseline. Directory
 * ACEs are inherited by what is created inside (OICI). */
static int private_security(int for_directory, SECURITY_ATTRIBUTES *sa,
			    PSECURITY_DESCRIPTOR *sd, const char *path,
			    struct exs_error *err)
{
	const wchar_t *sddl = for_directory
		? L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
		: L"D:P(A;;FA;;;SY)(A;;FA;;;BA)";
	*sd = NULL;
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
		    sddl, SDDL_REVISION_1, sd, NULL))
		return exs_win32_fail(
			err, GetLastError(),
			"ConvertStringSecurityDescriptorToSecurityDescriptorW",
			path);
	sa->nLength = sizeof(*sa);
	sa->lpSecurityDescriptor = *sd;
	sa->bInheritHandle = FALSE;
	return EXS_OK;
}

/* Puts the DACL of a private_security descriptor on an object that already
 * existed, which CreateFileW and CreateDirectoryW leave as they found it:
 * whoever made C:\ProgramData\exsweep first (any user may) must not keep
 * write access to the baseline beside it. The handle needs WRITE_DAC. The
 * owner is left alone; an owner can always take write access back, so a
 * hostile owner is for the caller to notice. */
static int apply_private_dacl(HANDLE h, PSECURITY_DESCRIPTOR sd,
			      const char *path, struct exs_error *err)
{
	BOOL present = FALSE, defaulted = FALSE;
	PACL dacl = NULL;
	if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted))
		return exs_win32_fail(err, GetLastError(),
				      "GetSecurityDescriptorDacl", path);
	DWORD code = SetSecurityInfo(h, SE_FILE_OBJECT,
				     DACL_SECURITY_INFORMATION |
					     PROTECTED_DACL_SECURITY_INFORMATION,
				     NULL, NULL, dacl, NULL);
	if (code != ERROR_SUCCESS)
		return exs_win32_fail(err, code, "SetSecurityInfo", path);
	return EXS_OK;
}

/* -- Reading files ----------------------------------------------------------- */

int exs_win32_file_open_read(const char *path, struct exs_file **out,
			     struct exs_error *err)
{
	const DWORD flags = FILE_FLAG_OPEN_REPARSE_POINT |
			    FILE_FLAG_BACKUP_SEMANTICS |
			    FILE_FLAG_SEQUENTIAL_SCAN;
	wchar_t *wpath;
	HANDLE h = INVALID_HANDLE_VALUE;

	*out = NULL;
	int rc = exs_win32_path_to_wide(path, &wpath, err);
	if (rc)
		return rc;
	/* GENERIC_READ includes READ_CONTROL, which file_stat needs for the
	 * owner. An ACL may grant the data but not the ACL: then read the
	 * data anyway, and only the owner and security stay unknown. */
	rc = create_file(wpath, GENERIC_READ, OPEN_EXISTING, flags, NULL, path,
			 &h, err);
	if (rc == EXS_ACCESS)
		rc = create_file(wpath,
				 FILE_READ_DATA | FILE_READ_ATTRIBUTES |
					 SYNCHRONIZE,
				 OPEN_EXISTING, flags, NULL, path, &h, err);
	free(wpath);
	if (rc)
		return rc;
	rc = check_plain_handle(h, path, err);
	if (rc) {
		CloseHandle(h);
		return rc;
	}
	return file_wrap(h, path, out, err);
}

/* SeBackupPrivilege, enabled once for the process when its token holds it
 * (SYSTEM and administrators do, disabled): with it, an open with
 * FILE_FLAG_BACKUP_SEMANTICS reads past the file's ACL. Without it the
 * opens below are ordinary ones. */
static void enable_backup_privilege(void)
{
	static LONG done;
	if (InterlockedExchange(&done, 1))
		return;
	HANDLE token;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES,
			      &token))
		return;
	TOKEN_PRIVILEGES tp;
	tp.PrivilegeCount = 1;
	tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
	if (LookupPrivilegeValueW(NULL, L"SeBackupPrivilege",
				  &tp.Privileges[0].Luid))
		AdjustTokenPrivileges(token, FALSE, &tp, 0, NULL, NULL);
	CloseHandle(token);
}

/* The evidence copy's open (platform.h): backup semantics as every read
 * here, plus FILE_WRITE_ATTRIBUTES when the ACL grants it, which is what
 * SetFileTime needs to tell NTFS that this handle's reads must not move
 * the last-access time (a FILETIME of 0xFFFFFFFF:0xFFFFFFFF). No data or
 * time is written. */
int exs_win32_file_open_evidence(const char *path, struct exs_file **out,
				 struct exs_evidence_times *times,
				 struct exs_error *err)
{
	const DWORD flags = FILE_FLAG_OPEN_REPARSE_POINT |
			    FILE_FLAG_BACKUP_SEMANTICS |
			    FILE_FLAG_SEQUENTIAL_SCAN;
	wchar_t *wpath;
	HANDLE h = INVALID_HANDLE_VALUE;

	*out = NULL;
	memset(times, 0, sizeof(*times));
	enable_backup_privilege();
	int rc = exs_win32_path_to_wide(path, &wpath, err);
	if (rc)
		return rc;
	int may_keep_atime = 1;
	rc = create_file(wpath, GENERIC_READ | FILE_WRITE_ATTRIBUTES,
			 OPEN_EXISTING, flags, NULL, path, &h, err);
	if (rc == EXS_ACCESS) {
		may_keep_atime = 0;
		rc = create_file(wpath, GENERIC_READ, OPEN_EXISTING, flags,
				 NULL, path, &h, err);
	}
	if (rc == EXS_ACCESS)
		rc = create_file(wpath,
				 FILE_READ_DATA | FILE_READ_ATTRIBUTES |
					 SYNCHRONIZE,
				 OPEN_EXISTING, flags, NULL, path, &h, err);
	free(wpath);
	if (rc)
		return rc;
	rc = check_plain_handle(h, path, err);
	if (rc) {
		CloseHandle(h);
		return rc;
	}
	BY_HANDLE_FILE_INFORMATION info;
	if (GetFileInformationByHandle(h, &info)) {
		times->atime_ns = exs_win32_filetime_to_ns(
			((uint64_t)info.ftLastAccessTime.dwHighDateTime << 32) |
			info.ftLastAccessTime.dwLowDateTime);
		times->btime_ns = exs_win32_filetime_to_ns(
			((uint64_t)info.ftCreationTime.dwHighDateTime << 32) |
			info.ftCreationTime.dwLowDateTime);
	}
	if (may_keep_atime) {
		FILETIME keep = { 0xFFFFFFFFu, 0xFFFFFFFFu };
		times->atime_kept = SetFileTime(h, NULL, &keep, NULL) != 0;
	}
	return file_wrap(h, path, out, err);
}

int exs_win32_file_read(struct exs_file *f, void *buf, size_t cap,
			size_t *got, struct exs_error *err)
{
	/* ReadFile counts in DWORDs; a shorter read is fine for the caller. */
	DWORD want = cap > (1u << 30) ? (1u << 30) : (DWORD)cap;
	*got = 0;
	for (unsigned attempt = 0;; attempt++) {
		DWORD done = 0;
		if (ReadFile(f->handle, buf, want, &done, NULL)) {
			*got = done;
			return EXS_OK;
		}
		DWORD code = GetLastError();
		if (code == ERROR_HANDLE_EOF || code == ERROR_BROKEN_PIPE)
			return EXS_OK;
		/* Another process's byte-range lock on this region. */
		if (!sleep_before_retry(code, attempt, 0))
			return exs_win32_fail(err, code, "ReadFile", f->path);
	}
}

int exs_win32_file_seek(struct exs_file *f, uint64_t offset,
			struct exs_error *err)
{
	LARGE_INTEGER to;
	if (offset > (uint64_t)INT64_MAX)
		return exs_fail(err, EXS_INVAL, 0, "SetFilePointerEx", f->path);
	to.QuadPart = (LONGLONG)offset;
	if (!SetFilePointerEx(f->handle, to, NULL, FILE_BEGIN))
		return exs_win32_fail(err, GetLastError(), "SetFilePointerEx",
				      f->path);
	return EXS_OK;
}

void exs_win32_file_close(struct exs_file *f)
{
	if (!f)
		return;
	if (f->locked) {
		/* Closing releases locks too, but "when resources allow";
		 * unlocking first frees it for the next run at once. */
		OVERLAPPED ov;
		memset(&ov, 0, sizeof(ov));
		ov.OffsetHigh = LOCK_OFFSET_HIGH;
		UnlockFileEx(f->handle, 0, 1, 0, &ov);
	}
	CloseHandle(f->handle);
	free(f);
}

/* -- Attributes and security -------------------------------------------------- */

/* The owner SID as text ("S-1-5-18"), or "" when the handle lacks
 * READ_CONTROL or the file system keeps no owner: not an error. */
static void read_owner(HANDLE h, char *buf, size_t cap)
{
	PSID owner = NULL;
	PSECURITY_DESCRIPTOR sd = NULL;
	wchar_t *text = NULL;
	size_t len;

	buf[0] = '\0';
	if (GetSecurityInfo(h, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION,
			    &owner, NULL, NULL, NULL, &sd) != ERROR_SUCCESS)
		return;
	if (owner && ConvertSidToStringSidW(owner, &text)) {
		if (exs_win32_utf16_to_wtf8(text, wcslen(text), buf, cap,
					    &len))
			buf[0] = '\0';
		LocalFree(text);
	}
	LocalFree(sd);
}

static uint64_t read_le64(const BYTE *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static int stat_handle(HANDLE h, const char *path, struct exs_stat *out,
		       struct exs_error *err)
{
	memset(out, 0, sizeof(*out));

	DWORD type = GetFileType(h);
	if (type == FILE_TYPE_PIPE || type == FILE_TYPE_CHAR) {
		out->node = type == FILE_TYPE_PIPE ? EXS_NODE_FIFO
						   : EXS_NODE_DEVICE;
		return EXS_OK;
	}

	BY_HANDLE_FILE_INFORMATION info;
	if (!GetFileInformationByHandle(h, &info))
		return exs_win32_fail(err, GetLastError(),
				      "GetFileInformationByHandle", path);
	out->mode = info.dwFileAttributes;
	if (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
		out->node = EXS_NODE_LINK;
	else if (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
		out->node = EXS_NODE_DIR;
	else
		out->node = EXS_NODE_FILE;
	out->size = ((uint64_t)info.nFileSizeHigh << 32) | info.nFileSizeLow;
	out->mtime_ns = exs_win32_filetime_to_ns(
		((uint64_t)info.ftLastWriteTime.dwHighDateTime << 32) |
		info.ftLastWriteTime.dwLowDateTime);
	out->link_count = info.nNumberOfLinks;

	/* ChangeTime moves on any data or metadata change, and SetFileTime,
	 * which most timestomping uses to fake LastWriteTime, cannot set it. */
	FILE_BASIC_INFO basic;
	if (GetFileInformationByHandleEx(h, FileBasicInfo, &basic,
					 sizeof(basic)))
		out->ctime_ns = exs_win32_filetime_to_ns(
			(uint64_t)basic.ChangeTime.QuadPart);
	else
		out->ctime_ns = out->mtime_ns;

	/* ReFS file IDs are 128 bits and the 64-bit index may repeat there;
	 * NTFS IDs fit in the low half. A 128-bit ID is folded into 64 bits,
	 * which keeps it stable and, in practice, unique. */
	struct file_id_info_128 id;
	if (GetFileInformationByHandleEx(h, FILE_ID_INFO_CLASS, &id,
					 sizeof(id))) {
		uint64_t low = read_le64(id.file_id);
		uint64_t high = read_le64(id.file_id + 8);
		out->volume_id = id.volume_serial_number;
		out->file_id = high ? low ^ (high * 0x9E3779B97F4A7C15u) : low;
	} else {
		out->volume_id = info.dwVolumeSerialNumber;
		out->file_id = ((uint64_t)info.nFileIndexHigh << 32) |
			       info.nFileIndexLow;
	}

	read_owner(h, out->owner, sizeof(out->owner));
	return EXS_OK;
}

int exs_win32_file_stat(struct exs_file *f, struct exs_stat *out,
			struct exs_error *err)
{
	return stat_handle(f->handle, f->path, out, err);
}

int exs_win32_file_security(struct exs_file *f, char *buf, size_t cap,
			    size_t *len, struct exs_error *err)
{
	const SECURITY_INFORMATION what = OWNER_SECURITY_INFORMATION |
					  GROUP_SECURITY_INFORMATION |
					  DACL_SECURITY_INFORMATION;
	PSECURITY_DESCRIPTOR sd = NULL;
	wchar_t *text = NULL;

	*len = 0;
	DWORD code = GetSecurityInfo(f->handle, SE_FILE_OBJECT, what, NULL,
				     NULL, NULL, NULL, &sd);
	if (code != ERROR_SUCCESS)
		return exs_win32_fail(err, code, "GetSecurityInfo", f->path);
	if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(
		    sd, SDDL_REVISION_1, what, &text, NULL)) {
		code = GetLastError();
		LocalFree(sd);
		return exs_win32_fail(
			err, code,
			"ConvertSecurityDescriptorToStringSecurityDescriptorW",
			f->path);
	}
	int rc = exs_win32_utf16_to_wtf8(text, wcslen(text), buf, cap, len);
	LocalFree(text);
	LocalFree(sd);
	if (rc)
		return exs_fail(err, rc, 0, "file_security", f->path);
	return EXS_OK;
}

int exs_win32_path_stat(const char *path, struct exs_stat *out,
			struct exs_error *err)
{
	/* Attribute access never conflicts with share modes, so even a file
	 * opened without sharing can be stat'ed. READ_CONTROL (for the owner)
	 * may be denied where attributes are not: ask for less, then nothing
	 * (access 0 still allows GetFileInformationByHandle). */
	static const DWORD access_tries[] = {
		FILE_READ_ATTRIBUTES | READ_CONTROL, FILE_READ_ATTRIBUTES, 0,
	};
	wchar_t *wpath;
	HANDLE h = INVALID_HANDLE_VALUE;

	int rc = exs_win32_path_to_wide(path, &wpath, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(access_tries) / sizeof(access_tries[0]);
	     i++) {
		rc = create_file(wpath, access_tries[i], OPEN_EXISTING,
				 FILE_FLAG_OPEN_REPARSE_POINT |
					 FILE_FLAG_BACKUP_SEMANTICS,
				 NULL, path, &h, err);
		if (rc != EXS_ACCESS)
			break;
	}
	free(wpath);
	if (rc)
		return rc;
	rc = stat_handle(h, path, out, err);
	CloseHandle(h);
	return rc;
}

/* -- Writing files ------------------------------------------------------------ */

int exs_win32_file_create(const char *path, unsigned flags,
			  struct exs_file **out, struct exs_error *err)
{
	SECURITY_ATTRIBUTES sa, *security = NULL;
	PSECURITY_DESCRIPTOR sd = NULL;
	DWORD access = GENERIC_READ | GENERIC_WRITE;
	DWORD disposition = (flags & EXS_CREATE_EXCLUSIVE) ? CREATE_NEW
			    : (flags & EXS_CREATE_TRUNCATE) ? CREATE_ALWAYS
							    : OPEN_ALWAYS;
	wchar_t *wpath;
	HANDLE h = INVALID_HANDLE_VALUE;

	*out = NULL;
	int rc = exs_win32_path_to_wide(path, &wpath, err);
	if (rc)
		return rc;
	if (flags & EXS_CREATE_PRIVATE) {
		rc = private_security(0, &sa, &sd, path, err);
		if (rc) {
			free(wpath);
			return rc;
		}
		security = &sa;
		access |= WRITE_DAC;
	}
	/* OPEN_REPARSE_POINT: a symlink planted where exsweep (as SYSTEM)
	 * writes its baseline must not redirect the write elsewhere. */
	rc = create_file(wpath, access, disposition,
			 FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT,
			 security, path, &h, err);
	DWORD create_code = GetLastError();
	free(wpath);
	if (rc == EXS_OK)
		rc = check_plain_handle(h, path, err);
	/* CreateFileW ignores the descriptor when the file already existed. */
	if (rc == EXS_OK && security && create_code == ERROR_ALREADY_EXISTS)
		rc = apply_private_dacl(h, sd, path, err);
	LocalFree(sd);
	if (rc) {
		if (h != INVALID_HANDLE_VALUE)
			CloseHandle(h);
		return rc;
	}
	return file_wrap(h, path, out, err);
}

int exs_win32_file_write(struct exs_file *f, const void *buf, size_t len,
			 struct exs_error *err)
{
	const unsigned char *p = buf;
	while (len > 0) {
		DWORD chunk = len > (1u << 30) ? (1u << 30) : (DWORD)len;
		DWORD done = 0;
		if (!WriteFile(f->handle, p, chunk, &done, NULL))
			return exs_win32_fail(err, GetLastError(), "WriteFile",
					      f->path);
		if (done == 0)
			return exs_fail(err, EXS_IO, 0, "WriteFile", f->path);
		p += done;
		len -= done;
	}
	return EXS_OK;
}

int exs_win32_file_sync(struct exs_file *f, struct exs_error *err)
{
	if (!FlushFileBuffers(f->handle))
		return exs_win32_fail(err, GetLastError(), "FlushFileBuffers",
				      f->path);
	return EXS_OK;
}

int exs_win32_file_replace(const char *src, const char *dest,
			   struct exs_error *err)
{
	wchar_t *wsrc, *wdest;
	int rc = exs_win32_path_to_wide(src, &wsrc, err);
	if (rc)
		return rc;
	rc = exs_win32_path_to_wide(dest, &wdest, err);
	if (rc) {
		free(wsrc);
		return rc;
	}
	/* WRITE_THROUGH: MoveFileExW returns only once the rename is on
	 * disk, the job fsync of the directory does on POSIX. */
	for (unsigned attempt = 0;; attempt++) {
		if (MoveFileExW(wsrc, wdest,
				MOVEFILE_REPLACE_EXISTING |
					MOVEFILE_WRITE_THROUGH))
			break;
		DWORD code = GetLastError();
		if (!sleep_before_retry(code, attempt, 1)) {
			rc = exs_win32_fail(err, code, "MoveFileExW", dest);
			break;
		}
	}
	free(wsrc);
	free(wdest);
	return rc;
}

int exs_win32_file_remove(const char *path, struct exs_error *err)
{
	wchar_t *wpath;
	int rc = exs_win32_path_to_wide(path, &wpath, err);
	if (rc)
		return rc;
	for (unsigned attempt = 0;; attempt++) {
		if (DeleteFileW(wpath))
			break;
		DWORD code = GetLastError();
		if (!sleep_before_retry(code, attempt, 0)) {
			rc = exs_win32_fail(err, code, "DeleteFileW", path);
			break;
		}
	}
	free(wpath);
	return rc;
}

int exs_win32_file_lock(struct exs_file *f, struct exs_error *err)
{
	OVERLAPPED ov;
	if (f->locked)
		return EXS_OK;
	memset(&ov, 0, sizeof(ov));
	ov.OffsetHigh = LOCK_OFFSET_HIGH;
	if (!LockFileEx(f->handle,
			LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0,
			1, 0, &ov)) {
		DWORD code = GetLastError();
		if (code == ERROR_LOCK_VIOLATION || code == ERROR_IO_PENDING)
			return exs_fail(err, EXS_LOCKED, code, "LockFileEx",
					f->path);
		return exs_win32_fail(err, code, "LockFileEx", f->path);
	}
	f->locked = 1;
	return EXS_OK;
}

/* -- Creating directories ---------------------------------------------------------- */

/* Where the first name after the root starts in a verbatim path:
 * \\?\C:\a -> 'a', \\?\UNC\server\share\a -> 'a', \\?\Volume{..}\a -> 'a'. */
static size_t verbatim_root_end(const wchar_t *w)
{
	size_t i = 4, names = 1;
	if (wcsncmp(w, L"\\\\?\\UNC\\", 8) == 0) {
		i = 8;
		names = 2;
	}
	while (names > 0 && w[i]) {
		while (w[i] && w[i] != L'\\')
			i++;
		if (w[i])
			i++;
		names--;
	}
	return i;
}

/* dir_create found path already there: fine if it is a directory, as with
 * mkdir -p, and then made private when asked; not if it is a file or a
 * junction someone put there. private_sd is NULL unless asked. */
static int check_existing_directory(const wchar_t *wpath,
				    PSECURITY_DESCRIPTOR private_sd,
				    const char *path, struct exs_error *err)
{
	HANDLE h;
	DWORD access = private_sd ? READ_CONTROL | WRITE_DAC
				  : FILE_READ_ATTRIBUTES;
	int rc = create_file(wpath, access, OPEN_EXISTING,
			     FILE_FLAG_BACKUP_SEMANTICS |
				     FILE_FLAG_OPEN_REPARSE_POINT,
			     NULL, path, &h, err);
	if (rc)
		return rc;
	BY_HANDLE_FILE_INFORMATION info;
	if (!GetFileInformationByHandle(h, &info))
		rc = exs_win32_fail(err, GetLastError(),
				    "GetFileInformationByHandle", path);
	else if (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
		rc = exs_fail(err, EXS_ISLINK, 0, "CreateDirectoryW", path);
	else if (!(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
		rc = exs_fail(err, EXS_EXISTS, ERROR_ALREADY_EXISTS,
			      "CreateDirectoryW", path);
	else if (private_sd)
		rc = apply_private_dacl(h, private_sd, path, err);
	CloseHandle(h);
	return rc;
}

static int create_one_directory(wchar_t *wpath, size_t cut,
				SECURITY_ATTRIBUTES *security, DWORD *code)
{
	wchar_t saved = wpath[cut];
	wpath[cut] = 0;
	BOOL ok = CreateDirectoryW(wpath, security);
	*code = ok ? NO_ERROR : GetLastError();
	wpath[cut] = saved;
	return ok || *code == ERROR_ALREADY_EXISTS;
}

int exs_win32_dir_create(const char *path, unsigned flags,
			 struct exs_error *err)
{
	SECURITY_ATTRIBUTES sa, *security = NULL;
	PSECURITY_DESCRIPTOR sd = NULL;
	wchar_t *wpath;
	DWORD code = NO_ERROR;

	int rc = exs_win32_path_to_wide(path, &wpath, err);
	if (rc)
		return rc;
	if (flags & EXS_CREATE_PRIVATE) {
		rc = private_security(1, &sa, &sd, path, err);
		if (rc) {
			free(wpath);
			return rc;
		}
		security = &sa;
	}

	/* Climb from the full path to the deepest ancestor that exists (most
	 * calls stop at once), then create downwards from there. */
	size_t len = wcslen(wpath), root_end = verbatim_root_end(wpath);
	size_t cut = len;
	while (!create_one_directory(wpath, cut, security, &code)) {
		if (code != ERROR_PATH_NOT_FOUND || cut <= root_end)
			goto fail;
		size_t up = cut - 1;
		while (up > root_end && wpath[up] != L'\\')
			up--;
		if (up <= root_end)
			goto fail;
		cut = up;
	}
	while (cut < len) {
		cut++;
		while (cut < len && wpath[cut] != L'\\')
			cut++;
		if (!create_one_directory(wpath, cut, security, &code))
			goto fail;
	}
	if (code == ERROR_ALREADY_EXISTS)
		rc = check_existing_directory(wpath, sd, path, err);
	LocalFree(sd);
	free(wpath);
	return rc;

fail:
	LocalFree(sd);
	free(wpath);
	return exs_win32_fail(err, code, "CreateDirectoryW", path);
}
