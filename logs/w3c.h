/* w3c.h -- one line of an IIS W3C log or an Exchange CSV log, as fields.
 *
 * Both formats announce their columns in a "#Fields:" header: IIS separates
 * the names (and the values) with spaces, Exchange's protocol logs
 * (HttpProxy, ECP, OAB, CmdletInfra) with commas. The parser learns the
 * column order from each file's header, so field order, missing optional
 * fields and extra fields do not matter; it maps the columns it knows to
 * one role each (struct exs_logreq) and ignores the rest.
 *
 * The parser never copies or allocates: a request's fields are slices of
 * the line it was given, valid while the line is. Hostile bytes (NUL,
 * invalid UTF-8, quotes that never close, a header of a thousand names)
 * are data: at most EXS_LOG_MAX_COLUMNS columns count, and nothing reads
 * past the line's length.
 */
#ifndef EXS_W3C_H
#define EXS_W3C_H

#include <stddef.h>
#include <stdint.h>

#define EXS_LOG_MAX_COLUMNS 128

/* The roles a column can play; names in w3c.c. */
enum exs_log_role {
	EXS_LR_DATE = 0,     /* W3C date */
	EXS_LR_TIME,         /* W3C time */
	EXS_LR_DATETIME,     /* CSV DateTime (ISO 8601) */
	EXS_LR_CLIENT,       /* c-ip, ClientIpAddress */
	EXS_LR_FORWARDED,    /* X-Forwarded-For */
	EXS_LR_METHOD,
	EXS_LR_STEM,         /* cs-uri-stem, UrlStem */
	EXS_LR_QUERY,        /* cs-uri-query, UrlQuery */
	EXS_LR_STATUS,       /* sc-status, HttpStatus */
	EXS_LR_AGENT,        /* cs(User-Agent), UserAgent */
	EXS_LR_COOKIE,       /* cs(Cookie) */
	EXS_LR_USER,         /* cs-username, AuthenticatedUser */
	EXS_LR_IN_BYTES,     /* cs-bytes, RequestBytes */
	EXS_LR_OUT_BYTES,    /* sc-bytes, ResponseBytes */
	EXS_LR_ANCHOR,       /* HttpProxy AnchorMailbox */
	EXS_LR_BACKEND_COOKIE, /* HttpProxy BackEndCookie */
	EXS_LR_HOST,         /* cs-host, UrlHost */
	EXS_LR_URL,          /* a whole URL (CmdletInfra, some CSV logs) */
	EXS_LR_CMDLET,       /* ECP: the cmdlet run */
	EXS_LR_PARAMS,       /* ECP: its parameters */
	EXS_LR_INFO,         /* GenericInfo and the like: key=value;... */
	EXS_LR_COUNT
};

enum exs_log_format {
	EXS_LOG_NONE = 0,    /* no #Fields: seen yet */
	EXS_LOG_W3C,
	EXS_LOG_CSV,
};

struct exs_slice {
	const char *p;
	size_t n;
};

/* One request: a slice per role (n == 0 when the column is absent or
 * "-"), the line number, and the time when the line carries one. */
struct exs_logreq {
	struct exs_slice f[EXS_LR_COUNT];
	uint64_t line;
	int64_t time_ns;     /* -1 until exs_logreq_time; then 0 when absent
				or unparsable */
	int w3c;             /* '+' in agent, cookie and user means space */
};

struct exs_logparser {
	enum exs_log_format format;
	signed char role[EXS_LOG_MAX_COLUMNS]; /* column -> role, -1 none */
	unsigned columns;
	unsigned last_role_column;   /* columns past it need not be split */
	int assumed;                 /* W3C columns assumed: no #Fields: */
	char log_type[48];           /* "#Log-type:" value, cut */
	uint64_t line;               /* lines seen */
	uint64_t requests;           /* lines that gave a request */
	uint64_t bad;                /* data lines that could not be used */
	uint64_t headers;            /* #Fields: lines (a new one per restart) */
};

void exs_logparser_init(struct exs_logparser *p);
/* Parses one line without its terminator (a final '\r' is ignored).
 * Returns 1 and fills *out for a request, 0 for a header, a blank line or
 * a line that cannot be used (counted in bad). */
int exs_logparser_line(struct exs_logparser *p, const char *line, size_t len,
		       struct exs_logreq *out);
/* Applies IIS's default W3C columns (used when data comes before any
 * #Fields: header, as after a header was cut away). */
void exs_logparser_assume_iis(struct exs_logparser *p);

/* The request's time (ns since 1970 UTC, 0 if none), parsed on first use:
 * most lines never need it. */
int64_t exs_logreq_time(struct exs_logreq *r);

/* "2026-11-01" + "12:34:56" or "2026-11-01T12:34:56.123Z" -> ns since
 * 1970 UTC; 0 when it is not such a time, or one that 64-bit nanoseconds
 * cannot hold (before 1677-09-21, after 2262-04-11). */
int64_t exs_log_parse_time(const char *date, size_t dn, const char *time,
			   size_t tn);
/* "2026-11-01", "2026-11-01T12:34:56", "2026-11-01 12:34:56" (UTC). Returns
 * 0 and *out on success, -1 if it is none of those. */
int exs_log_parse_since(const char *text, int64_t *out);

const char *exs_log_role_name(enum exs_log_role role);

#endif
