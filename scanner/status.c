/* status.c -- messages and names of status codes, and filling struct exs_error.
 *
 * The tables come from status.def so that the enum, the messages and the names
 * can never drift apart.
 */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct status_entry {
	int value;
	const char *name;
	const char *message;
};

static const struct status_entry status_table[] = {
#define EXS_STATUS(name, value, message) { value, "EXS_" #name, message },
#include "status.def"
#undef EXS_STATUS
};

static const struct status_entry *status_lookup(int status)
{
	for (size_t i = 0; i < sizeof(status_table) / sizeof(status_table[0]); i++)
		if (status_table[i].value == status)
			return &status_table[i];
	return NULL;
}

const char *exs_strerror(int status)
{
	const struct status_entry *e = status_lookup(status);
	return e ? e->message : "unknown status";
}

const char *exs_status_name(int status)
{
	const struct status_entry *e = status_lookup(status);
	return e ? e->name : "EXS_UNKNOWN";
}

void exs_error_clear(struct exs_error *err)
{
	if (!err)
		return;
	err->status = EXS_OK;
	err->os_code = 0;
	err->op = "";
	err->where[0] = '\0';
	err->detail[0] = '\0';
}

static void copy_cut(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

int exs_fail(struct exs_error *err, int status, long os_code, const char *op,
	     const char *where)
{
	if (err) {
		/* where may point into err itself (a caller passing
		 * err->where on): copy it aside before overwriting. */
		char where_copy[EXS_ERROR_WHERE_MAX];
		copy_cut(where_copy, sizeof(where_copy), where);
		err->status = status;
		err->os_code = os_code;
		err->op = op ? op : "";
		memcpy(err->where, where_copy, sizeof(err->where));
		err->detail[0] = '\0';
	}
	return status;
}

int exs_failf(struct exs_error *err, int status, long os_code, const char *op,
	      const char *where, const char *detail_fmt, ...)
{
	/* The arguments may point into err (err->detail, err->where): format
	 * the detail first, then fill err. */
	char detail[EXS_ERROR_DETAIL_MAX] = "";
	if (detail_fmt) {
		va_list ap;
		va_start(ap, detail_fmt);
		vsnprintf(detail, sizeof(detail), detail_fmt, ap);
		va_end(ap);
	}
	exs_fail(err, status, os_code, op, where);
	if (err)
		memcpy(err->detail, detail, sizeof(err->detail));
	return status;
}

void exs_error_format(const struct exs_error *err, char *buf, size_t cap)
{
	if (!cap)
		return;
	if (!err) {
		snprintf(buf, cap, "unknown error");
		return;
	}
	const char *msg = err->detail[0] ? err->detail : exs_strerror(err->status);
	if (err->status == EXS_CONFIG || err->status == EXS_RULES ||
	    err->status == EXS_USAGE) {
		/* Located messages: "FILE:LINE: message", or the message alone. */
		if (err->where[0])
			snprintf(buf, cap, "%s: %s", err->where, msg);
		else
			snprintf(buf, cap, "%s", msg);
		return;
	}
	int n;
	if (err->where[0])
		n = snprintf(buf, cap, "'%s': %s", err->where, msg);
	else
		n = snprintf(buf, cap, "%s", msg);
	if (n < 0 || (size_t)n >= cap)
		return;
	if (err->op && err->op[0]) {
		if (err->os_code)
			snprintf(buf + n, cap - (size_t)n, " (%s, os error %ld)",
				 err->op, err->os_code);
		else
			snprintf(buf + n, cap - (size_t)n, " (%s)", err->op);
	}
}
