/* w3c.c -- the #Fields:-driven line parser for W3C and Exchange CSV logs
 * (see w3c.h).
 *
 * Speed matters (logs run to gigabytes a day on a busy front end): a data
 * line is split only up to the last column that plays a role, with memchr
 * doing the scanning, and nothing is decoded here; the trace matcher
 * decodes the few fields it looks at, and only when a cheap test passed.
 */
#include "w3c.h"

#include <string.h>

struct role_name {
	const char *name;
	enum exs_log_role role;
};

/* Column names, compared without ASCII case. IIS's W3C names first, then
 * the names Exchange's CSV logs use for the same things. */
static const struct role_name role_names[] = {
	{ "date", EXS_LR_DATE },
	{ "time", EXS_LR_TIME },
	{ "c-ip", EXS_LR_CLIENT },
	{ "cs(x-forwarded-for)", EXS_LR_FORWARDED },
	{ "x-forwarded-for", EXS_LR_FORWARDED },
	{ "cs-method", EXS_LR_METHOD },
	{ "cs-uri-stem", EXS_LR_STEM },
	{ "cs-uri-query", EXS_LR_QUERY },
	{ "sc-status", EXS_LR_STATUS },
	{ "cs(user-agent)", EXS_LR_AGENT },
	{ "cs(cookie)", EXS_LR_COOKIE },
	{ "cs-username", EXS_LR_USER },
	{ "cs-bytes", EXS_LR_IN_BYTES },
	{ "sc-bytes", EXS_LR_OUT_BYTES },
	{ "cs-host", EXS_LR_HOST },
	{ "cs(host)", EXS_LR_HOST },
	/* Exchange CSV logs */
	{ "datetime", EXS_LR_DATETIME },
	{ "date-time", EXS_LR_DATETIME },
	{ "clientipaddress", EXS_LR_CLIENT },
	{ "clientip", EXS_LR_CLIENT },
	{ "client-ip", EXS_LR_CLIENT },
	{ "method", EXS_LR_METHOD },
	{ "httpmethod", EXS_LR_METHOD },
	{ "urlstem", EXS_LR_STEM },
	{ "uristem", EXS_LR_STEM },
	{ "urlquery", EXS_LR_QUERY },
	{ "httpstatus", EXS_LR_STATUS },
	{ "statuscode", EXS_LR_STATUS },
	{ "useragent", EXS_LR_AGENT },
	{ "authenticateduser", EXS_LR_USER },
	{ "user", EXS_LR_USER },
	{ "requestbytes", EXS_LR_IN_BYTES },
	{ "responsebytes", EXS_LR_OUT_BYTES },
	{ "anchormailbox", EXS_LR_ANCHOR },
	{ "backendcookie", EXS_LR_BACKEND_COOKIE },
	{ "urlhost", EXS_LR_HOST },
	{ "url", EXS_LR_URL },
	{ "uri", EXS_LR_URL },
	{ "requesturl", EXS_LR_URL },
	{ "cmdlet", EXS_LR_CMDLET },
	{ "cmdletname", EXS_LR_CMDLET },
	{ "parameters", EXS_LR_PARAMS },
	{ "timestamp", EXS_LR_DATETIME },
	{ "genericinfo", EXS_LR_INFO },
	{ "eventdata", EXS_LR_INFO },
	{ "data", EXS_LR_INFO },
	{ "activitycontextdata", EXS_LR_INFO },
};

static const char *const role_labels[EXS_LR_COUNT] = {
	"date", "time", "datetime", "client", "forwarded", "method", "stem",
	"query", "status", "agent", "cookie", "user", "in_bytes", "out_bytes",
	"anchor", "backend_cookie", "host", "url", "cmdlet", "params", "info",
};

const char *exs_log_role_name(enum exs_log_role role)
{
	return (unsigned)role < EXS_LR_COUNT ? role_labels[role] : "unknown";
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int name_is(const char *p, size_t n, const char *name)
{
	size_t k = strlen(name);
	if (n != k)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)p[i]) != name[i])
			return 0;
	return 1;
}

static int role_of(const char *p, size_t n)
{
	for (size_t i = 0; i < sizeof(role_names) / sizeof(*role_names); i++)
		if (name_is(p, n, role_names[i].name))
			return (int)role_names[i].role;
	return -1;
}

void exs_logparser_init(struct exs_logparser *p)
{
	memset(p, 0, sizeof(*p));
	memset(p->role, -1, sizeof(p->role));
}

static void reset_columns(struct exs_logparser *p)
{
	memset(p->role, -1, sizeof(p->role));
	p->columns = 0;
	p->last_role_column = 0;
	p->assumed = 0;
}

static void add_column(struct exs_logparser *p, const char *name, size_t n)
{
	if (p->columns >= EXS_LOG_MAX_COLUMNS)
		return;
	while (n && (name[0] == ' ' || name[0] == '"')) {
		name++;
		n--;
	}
	while (n && (name[n - 1] == ' ' || name[n - 1] == '"'))
		n--;
	int r = role_of(name, n);
	if (r >= 0) {
		/* The first column of a role wins: a header that names a role
		 * twice cannot move it. */
		for (unsigned i = 0; i < p->columns; i++)
			if (p->role[i] == r)
				r = -1;
	}
	p->role[p->columns] = (signed char)r;
	if (r >= 0)
		p->last_role_column = p->columns;
	p->columns++;
}

/* "#Fields: a b c" (W3C) or "#Fields: a,b,c" (CSV). A header without any
 * name leaves the parser without columns: data lines are then bad until
 * the next header. */
static void parse_fields(struct exs_logparser *p, const char *s, size_t n)
{
	reset_columns(p);
	p->headers++;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	int csv = memchr(s, ',', n) != NULL;
	p->format = csv ? EXS_LOG_CSV : EXS_LOG_W3C;
	char sep = csv ? ',' : ' ';
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != sep)
			j++;
		if (j > i || csv)
			add_column(p, s + i, j - i);
		i = j + 1;
	}
	if (!p->columns)
		p->format = EXS_LOG_NONE;
}

void exs_logparser_assume_iis(struct exs_logparser *p)
{
	static const char defaults[] =
		"date time s-ip cs-method cs-uri-stem cs-uri-query s-port "
		"cs-username c-ip cs(User-Agent) cs(Referer) sc-status "
		"sc-substatus sc-win32-status time-taken";
	parse_fields(p, defaults, sizeof(defaults) - 1);
	p->headers--;
	p->assumed = 1;
}

static int header_is(const char *line, size_t len, const char *tag,
		     size_t *skip)
{
	size_t k = strlen(tag);
	if (len < k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (lower((unsigned char)line[i]) != lower((unsigned char)tag[i]))
			return 0;
	*skip = k;
	return 1;
}

static void header(struct exs_logparser *p, const char *line, size_t len)
{
	size_t k;
	if (header_is(line, len, "#Fields:", &k)) {
		parse_fields(p, line + k, len - k);
	} else if (header_is(line, len, "#Log-type:", &k)) {
		line += k;
		len -= k;
		while (len && *line == ' ') {
			line++;
			len--;
		}
		size_t n = len < sizeof(p->log_type) - 1 ? len : sizeof(p->log_type) - 1;
		memcpy(p->log_type, line, n);
		p->log_type[n] = '\0';
	}
}

static void set_field(struct exs_logparser *p, struct exs_logreq *out,
		      unsigned col, const char *s, size_t n)
{
	int r = col < EXS_LOG_MAX_COLUMNS ? p->role[col] : -1;
	if (r < 0)
		return;
	if (n == 1 && s[0] == '-')
		n = 0;
	out->f[r].p = s;
	out->f[r].n = n;
}

/* W3C: space-separated values. IIS writes spaces inside a value as '+',
 * but a custom field may be quoted ("a b"): then the value runs to the
 * closing quote that is followed by a space or the end. */
/* The first space at or after i (n when none), eight bytes at a time: the
 * per-byte loop's branch is what a log pass spends its time on. A byte is
 * a space when (x ^ 0x20...) has a zero byte there; the zero test below is
 * exact per byte (no borrow crosses bytes). */
static size_t next_space(const char *s, size_t i, size_t n)
{
	const uint64_t ones7 = 0x7f7f7f7f7f7f7f7full;
	while (i + 8 <= n) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		uint64_t x = w ^ 0x2020202020202020ull;
		uint64_t t = ~(((x & ones7) + ones7) | x) & 0x8080808080808080ull;
		if (t) {
			/* Lowest address first: the byte order of the load. */
			unsigned k;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			k = (unsigned)__builtin_clzll(t) / 8;
#else
			k = (unsigned)__builtin_ctzll(t) / 8;
#endif
			return i + k;
		}
		i += 8;
	}
	while (i < n && s[i] != ' ')
		i++;
	return i;
}

static void split_w3c(struct exs_logparser *p, const char *s, size_t n,
		      struct exs_logreq *out)
{
	size_t i = 0;
	for (unsigned col = 0; col <= p->last_role_column && i <= n; col++) {
		if (i < n && s[i] == '"') {
			size_t j = i + 1;
			for (;;) {
				const char *q = j < n ? memchr(s + j, '"', n - j) : NULL;
				if (!q) {
					j = n;
					break;
				}
				j = (size_t)(q - s);
				if (j + 1 >= n || s[j + 1] == ' ')
					break;
				j++;
			}
			set_field(p, out, col, s + i + 1, j > i + 1 ? j - i - 1 : 0);
			i = j + 2;
			continue;
		}
		size_t j = next_space(s, i, n);
		if (p->role[col] >= 0)
			set_field(p, out, col, s + i, j - i);
		i = j + 1;
	}
}

/* CSV: comma-separated, a value in double quotes may hold commas and ""
 * for a quote. The slice keeps the inner text as written (with "" pairs):
 * the matchers look for shapes, not exact strings. */
static void split_csv(struct exs_logparser *p, const char *s, size_t n,
		      struct exs_logreq *out)
{
	size_t i = 0;
	for (unsigned col = 0; col <= p->last_role_column && i <= n; col++) {
		if (i < n && s[i] == '"') {
			size_t j = i + 1;
			while (j < n) {
				const char *q = memchr(s + j, '"', n - j);
				if (!q) {
					j = n;
					break;
				}
				j = (size_t)(q - s);
				if (j + 1 < n && s[j + 1] == '"') {
					j += 2;
					continue;
				}
				break;
			}
			set_field(p, out, col, s + i + 1, j > i + 1 ? j - i - 1 : 0);
			/* Skip to the comma after the closing quote. */
			const char *c = j < n ? memchr(s + j, ',', n - j) : NULL;
			i = c ? (size_t)(c - s) + 1 : n + 1;
			continue;
		}
		const char *c = i < n ? memchr(s + i, ',', n - i) : NULL;
		size_t j = c ? (size_t)(c - s) : n;
		set_field(p, out, col, s + i, j - i);
		i = j + 1;
	}
}

int exs_logparser_line(struct exs_logparser *p, const char *line, size_t len,
		       struct exs_logreq *out)
{
	p->line++;
	if (len && line[len - 1] == '\r')
		len--;
	if (!len)
		return 0;
	if (line[0] == '#') {
		header(p, line, len);
		return 0;
	}
	if (p->format == EXS_LOG_NONE) {
		/* Data before any header: IIS always writes one, so it was cut
		 * away. A line that starts like an IIS date is read with the
		 * default columns, so removing the header hides nothing. */
		if (p->headers == 0 && len > 10 && line[4] == '-' &&
		    line[7] == '-' && line[10] == ' ')
			exs_logparser_assume_iis(p);
		else {
			p->bad++;
			return 0;
		}
	}
	memset(out, 0, sizeof(*out));
	out->line = p->line;
	if (p->format == EXS_LOG_W3C) {
		out->w3c = 1;
		split_w3c(p, line, len, out);
	} else {
		split_csv(p, line, len, out);
	}
	out->time_ns = -1;           /* parsed when asked (exs_logreq_time) */
	if (!out->f[EXS_LR_STEM].n && !out->f[EXS_LR_URL].n &&
	    !out->f[EXS_LR_CMDLET].n && !out->f[EXS_LR_INFO].n &&
	    !out->f[EXS_LR_PARAMS].n) {
		p->bad++;
		return 0;
	}
	p->requests++;
	return 1;
}

/* ---- Times ------------------------------------------------------------- */

int64_t exs_logreq_time(struct exs_logreq *r)
{
	if (r->time_ns != -1)
		return r->time_ns;
	const struct exs_slice *dt = &r->f[EXS_LR_DATETIME];
	if (dt->n)
		r->time_ns = exs_log_parse_time(dt->p, dt->n, NULL, 0);
	else if (r->f[EXS_LR_DATE].n)
		r->time_ns = exs_log_parse_time(r->f[EXS_LR_DATE].p,
						r->f[EXS_LR_DATE].n,
						r->f[EXS_LR_TIME].p,
						r->f[EXS_LR_TIME].n);
	else
		r->time_ns = 0;
	return r->time_ns;
}

static int digits(const char *s, size_t n, size_t at, size_t count, int *out)
{
	int v = 0;
	if (at + count > n)
		return -1;
	for (size_t i = at; i < at + count; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t civil_ns(int y, int mo, int d, int h, int mi, int s)
{
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return 0;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	/* Nanoseconds in 64 bits reach 1677-09-21 to 2262-04-11: a year
	 * outside that (any 4 digits can be written) is no time, not an
	 * overflow. */
	if (secs < INT64_MIN / 1000000000 || secs > INT64_MAX / 1000000000)
		return 0;
	return secs * 1000000000;
}

int64_t exs_log_parse_time(const char *date, size_t dn, const char *time,
			   size_t tn)
{
	int y, mo, d, h = 0, mi = 0, s = 0;
	if (digits(date, dn, 0, 4, &y) || dn < 10 || date[4] != '-' ||
	    digits(date, dn, 5, 2, &mo) || date[7] != '-' ||
	    digits(date, dn, 8, 2, &d))
		return 0;
	if (!time && dn >= 19 && (date[10] == 'T' || date[10] == ' ')) {
		time = date + 11;
		tn = dn - 11;
	}
	if (time && (digits(time, tn, 0, 2, &h) || tn < 8 || time[2] != ':' ||
		     digits(time, tn, 3, 2, &mi) || time[5] != ':' ||
		     digits(time, tn, 6, 2, &s)))
		return 0;
	return civil_ns(y, mo, d, h, mi, s);
}

int exs_log_parse_since(const char *text, int64_t *out)
{
	size_t n = strlen(text);
	if (n != 10 && n != 19 && !(n == 20 && text[19] == 'Z'))
		return -1;
	int64_t t = exs_log_parse_time(text, n, n == 10 ? "00:00:00" : NULL,
				       n == 10 ? 8 : 0);
	if (!t)
		return -1;
	*out = t;
	return 0;
}
