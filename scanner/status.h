/* status.h -- status codes and the error context that travels with them.
 *
 * Every library function returns an int status: EXS_OK (0) or one of the codes
 * in status.def. A function that can fail also takes a struct exs_error * and,
 * on failure, fills it once, at the place that knows the most: the OS code, the
 * call that failed and the path (or "FILE:LINE" for config and rule errors).
 * Callers pass the struct up unchanged; only the command layer prints it.
 * Nothing in the library prints, exits or aborts.
 */
#ifndef EXS_STATUS_H
#define EXS_STATUS_H

#include <stddef.h>

#include "compiler.h"

enum exs_status {
#define EXS_STATUS(name, value, message) EXS_##name = value,
#include "status.def"
#undef EXS_STATUS
};

#define EXS_ERROR_WHERE_MAX 1024
#define EXS_ERROR_DETAIL_MAX 512

struct exs_error {
	int status;                        /* EXS_* */
	long os_code;                      /* errno or GetLastError(); 0 if none */
	const char *op;                    /* static string: "open", "CreateFileW" */
	char where[EXS_ERROR_WHERE_MAX];   /* path, or "FILE:LINE" */
	char detail[EXS_ERROR_DETAIL_MAX]; /* free text, e.g. the OS message */
};

/* Message and symbolic name ("EXS_BUSY") of a status; never NULL. */
const char *exs_strerror(int status);
const char *exs_status_name(int status);

/* Clears *err (status EXS_OK, empty strings). */
void exs_error_clear(struct exs_error *err);

/* Fills *err and returns status, so that a failure path is one line:
 *   return exs_fail(err, EXS_ACCESS, errno, "open", path);
 * err may be NULL. where may be NULL. where is cut to fit, never overflowed. */
int exs_fail(struct exs_error *err, int status, long os_code, const char *op,
	     const char *where);

/* Same as exs_fail, with a printf-style detail message. */
int exs_failf(struct exs_error *err, int status, long os_code, const char *op,
	      const char *where, const char *detail_fmt, ...)
	EXS_PRINTF(6, 7);

/* Renders an error as one line without a trailing newline, in git's grammar:
 *   "cannot open 'C:\x': permission denied (open, os error 13)"
 * or, for config and rule errors whose where is FILE:LINE:
 *   "exsweep.ini:12: unknown key 'thread'" */
void exs_error_format(const struct exs_error *err, char *buf, size_t cap);

#endif
