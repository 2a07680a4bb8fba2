/* platform_win32.h -- what the files of the Win32 platform layer share.
 *
 * Private to win32/: the core sees only scanner/platform.h. The layer is split
 * like libuv's src/win: utf16.c converts names (WTF-8 inside, UTF-16 at the
 * boundary), path_win32.c turns a caller's path into the verbatim \\?\ form,
 * fs_win32.c does files, security and dir_create, dir_win32.c directory
 * listings, thread_win32.c threads and locks, and platform_win32.c the
 * process, the machine, the error map and the exs_platform table that points
 * at all of them.
 *
 * Only the wide-character ("W") Win32 API is used: the ANSI one would lose
 * every name outside the current code page.
 */
#ifndef EXS_PLATFORM_WIN32_H
#define EXS_PLATFORM_WIN32_H

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stddef.h>
#include <stdint.h>

#include "platform.h"
#include "status.h"

/* The longest path the kernel accepts in verbatim form, in UTF-16 units
 * (a UNICODE_STRING holds at most 32767 of them). */
#define EXS_WIN32_PATH_MAX 32767

/* -- utf16.c ------------------------------------------------------------- */

/* Decodes one WTF-8 code point at s (len >= 1 bytes available). Returns the
 * number of bytes it used (1 to 4) and sets *code_point, or returns 0 when s
 * does not start with a well-formed sequence. Surrogate code points (U+D800
 * to U+DFFF) are accepted, as WTF-8 allows; pairing is checked by the caller
 * of this function, exs_win32_wtf8_to_utf16. */
size_t exs_win32_wtf8_decode(const unsigned char *s, size_t len,
			     uint32_t *code_point);

/* Converts len bytes of WTF-8 to UTF-16. With out == NULL only counts. Sets
 * *out_len to the number of UTF-16 units (without a terminator) and, when out
 * is given, writes them and a terminating 0, so cap must exceed *out_len.
 * Returns EXS_OK, EXS_CHARSET (not WTF-8) or EXS_LIMIT (cap too small). */
int exs_win32_wtf8_to_utf16(const char *s, size_t len, wchar_t *out,
			    size_t cap, size_t *out_len);

/* Converts len UTF-16 units to WTF-8: pairs become 4-byte UTF-8, unpaired
 * surrogates their 3-byte generalised form, so nothing is lost. With
 * out == NULL only counts. Writes a terminating NUL, so cap must exceed
 * *out_len. Returns EXS_OK or EXS_LIMIT. */
int exs_win32_utf16_to_wtf8(const wchar_t *s, size_t len, char *out,
			    size_t cap, size_t *out_len);

/* Converts a NUL-terminated WTF-8 string to a malloc'd UTF-16 one.
 * Returns EXS_OK, EXS_CHARSET or EXS_NOMEM. */
int exs_win32_wtf8_to_utf16_alloc(const char *s, wchar_t **out);

/* -- catalog_win32.c ------------------------------------------------------ */

struct exs_signature;
/* platform.h's catalog_verify: WinVerifyTrust over the catalog that lists
 * path's hash. EXS_OK with out->status EXS_SIG_CATALOG; EXS_NOENT when no
 * catalog vouches; EXS_INVAL/EXS_IO when the file cannot be opened. */
int exs_win32_catalog_verify(const char *path, struct exs_signature *out);

/* -- path_win32.c -------------------------------------------------------- */

/* Turns a caller's WTF-8 path into the verbatim UTF-16 path given to Win32:
 * '/' becomes '\', a relative path is made absolute, "." and ".." are applied,
 * and \\?\ (or \\?\UNC\ for \\server\share) is put in front, which lifts the
 * 260-character limit and stops Win32 from rewriting names. *out is malloc'd
 * and freed by the caller. On failure fills *err (where = path) and returns
 * EXS_CHARSET, EXS_NOENT (empty path), EXS_INVAL (\\server without a share),
 * EXS_LIMIT (longer than the kernel takes) or EXS_NOMEM. */
int exs_win32_path_to_wide(const char *path, wchar_t **out,
			   struct exs_error *err);

/* The recorded spelling of path (exs_platform.path_spelling): absolute, and
 * each name that exists as FindFirstFileW lists it, so C:/program files and
 * C:\PROGRA~1 both become C:\Program Files. Verbatim input stays verbatim;
 * other paths lose the \\?\ that path_to_wide adds. */
int exs_win32_path_spelling(const char *path, char *buf, size_t cap,
			    struct exs_error *err);

/* -- platform_win32.c: the error map -------------------------------------- */

/* The EXS_* status for a Win32 error code (GetLastError()). */
int exs_win32_status(DWORD code);

/* exs_fail with the status mapped from code and os_code = code. */
int exs_win32_fail(struct exs_error *err, DWORD code, const char *op,
		   const char *where);

/* -- platform_win32.c: the command line ------------------------------------ */

/* Splits a UTF-16 command line as CommandLineToArgvW does and converts each
 * argument to WTF-8 (an unpaired surrogate survives). *out_argv is one
 * malloc'd block (the pointers, a NULL, then the strings) for the caller to
 * free. EXS_NOMEM, or EXS_INVAL when Win32 cannot split the line. */
int exs_win32_args_from_command_line(const wchar_t *command_line,
				     int *out_argc, char ***out_argv);

/* FILETIME ticks (100 ns since 1601) to ns since 1970, clamped to int64. */
int64_t exs_win32_filetime_to_ns(uint64_t ticks);

/* -- streams_win32.c ------------------------------------------------------ */

int exs_win32_file_streams(const char *path,
			   int (*fn)(void *ctx, const char *name, size_t len),
			   void *ctx, struct exs_error *err);

/* -- fs_win32.c ---------------------------------------------------------- */

int exs_win32_file_open_read(const char *path, struct exs_file **out,
			     struct exs_error *err);
int exs_win32_file_stat(struct exs_file *f, struct exs_stat *out,
			struct exs_error *err);
int exs_win32_file_open_evidence(const char *path, struct exs_file **out,
				 struct exs_evidence_times *times,
				 struct exs_error *err);
int exs_win32_file_read(struct exs_file *f, void *buf, size_t cap,
			size_t *got, struct exs_error *err);
int exs_win32_file_seek(struct exs_file *f, uint64_t offset,
			struct exs_error *err);
int exs_win32_file_security(struct exs_file *f, char *buf, size_t cap,
			    size_t *len, struct exs_error *err);
void exs_win32_file_close(struct exs_file *f);
int exs_win32_path_stat(const char *path, struct exs_stat *out,
			struct exs_error *err);
int exs_win32_file_create(const char *path, unsigned flags,
			  struct exs_file **out, struct exs_error *err);
int exs_win32_file_write(struct exs_file *f, const void *buf, size_t len,
			 struct exs_error *err);
int exs_win32_file_sync(struct exs_file *f, struct exs_error *err);
int exs_win32_file_replace(const char *src, const char *dest,
			   struct exs_error *err);
int exs_win32_file_remove(const char *path, struct exs_error *err);
int exs_win32_dir_create(const char *path, unsigned flags,
			 struct exs_error *err);
int exs_win32_file_lock(struct exs_file *f, struct exs_error *err);

/* -- dir_win32.c --------------------------------------------------------- */

int exs_win32_dir_open(const char *path, struct exs_dir **out,
		       struct exs_error *err);
int exs_win32_dir_next(struct exs_dir *d, struct exs_dirent *out,
		       struct exs_error *err);
void exs_win32_dir_close(struct exs_dir *d);

/* -- thread_win32.c ------------------------------------------------------ */

int exs_win32_thread_create(struct exs_thread **out, void (*fn)(void *),
			    void *arg, struct exs_error *err);
void exs_win32_thread_join(struct exs_thread *t);
int exs_win32_mutex_create(struct exs_mutex **out, struct exs_error *err);
void exs_win32_mutex_lock(struct exs_mutex *m);
void exs_win32_mutex_unlock(struct exs_mutex *m);
void exs_win32_mutex_destroy(struct exs_mutex *m);
int exs_win32_cond_create(struct exs_cond **out, struct exs_error *err);
void exs_win32_cond_wait(struct exs_cond *c, struct exs_mutex *m);
int exs_win32_cond_timed_wait(struct exs_cond *c, struct exs_mutex *m,
			      unsigned timeout_ms);
void exs_win32_cond_signal(struct exs_cond *c);
void exs_win32_cond_broadcast(struct exs_cond *c);
void exs_win32_cond_destroy(struct exs_cond *c);

/* -- registry_win32.c, eventlog_win32.c: Exchange and IIS; the event log --- */

int exs_win32_exchange_install_path(char *buf, size_t cap,
				    struct exs_error *err);
int exs_win32_iis_wwwroot(char *buf, size_t cap, struct exs_error *err);
/* One event in the Application log, source "exsweep": the message and
 * the fields' values as insertion strings (eventlog_win32.c). */
int exs_win32_event_report(const struct exs_event *ev);

/* -- sandbox_win32.c: the scan worker's process boundary ------------------ */

int exs_win32_worker_start(const char *user, uint64_t memory,
			   struct exs_shared *shared, struct exs_worker **out,
			   struct exs_error *err);
int exs_win32_worker_send(struct exs_worker *w, const void *buf, size_t len,
			  int64_t deadline_ns, struct exs_error *err);
int exs_win32_worker_recv(struct exs_worker *w, void *buf, size_t len,
			  int64_t deadline_ns, struct exs_error *err);
void exs_win32_worker_stop(struct exs_worker *w, char *why, size_t cap);
int exs_win32_shared_create(size_t size, struct exs_shared **out, void **addr,
			    struct exs_error *err);
void exs_win32_shared_free(struct exs_shared *sh);
int exs_win32_channel_shared(const void **addr, size_t *size);
int exs_win32_sandbox_enter(const char *arg, struct exs_error *err);
int exs_win32_channel_read(void *buf, size_t len);
int exs_win32_channel_write(const void *buf, size_t len);

#endif
