/* traces.h -- exploitation that leaves no file: the shapes of the 2021-2022
 * Exchange attack requests, judged on one parsed log line (w3c.h).
 *
 * Each technique is a predicate over the request's fields (path, query,
 * cookies, routing anchor, user, cmdlet), after percent-decoding and ASCII
 * case folding, so the shape is recognised however the client spelled it.
 * Nothing here matches the raw line: a technique names the fields it looks
 * at, and a benign request that merely mentions a word does not fire.
 */
#ifndef EXS_TRACES_H
#define EXS_TRACES_H

#include <stddef.h>

#include "w3c.h"

struct exs_technique {
	const char *id;          /* "proxyshell.autodiscover_powershell" */
	const char *family;      /* "ProxyShell (CVE-2021-34473, ...)" */
	const char *severity;    /* "high", "medium" */
	const char *description; /* what the shape means, one sentence */
};

/* Decoded, lower-cased copies of the fields the techniques read, cut at
 * EXS_TRACE_FIELD_MAX bytes each. One per thread. */
#define EXS_TRACE_FIELD_MAX 4096
struct exs_trace_scratch {
	char stem[EXS_TRACE_FIELD_MAX]; size_t stem_n;
	char query[EXS_TRACE_FIELD_MAX]; size_t query_n;
	char cookie[EXS_TRACE_FIELD_MAX]; size_t cookie_n;
	char other[EXS_TRACE_FIELD_MAX]; size_t other_n;
};

#define EXS_TRACE_MATCH_MAX 4

/* Appends the techniques r shows (at most EXS_TRACE_MATCH_MAX) to out and
 * returns their number. */
size_t exs_traces_match(const struct exs_logreq *r, struct exs_trace_scratch *s,
			const struct exs_technique **out);

/* Decodes %XX (twice, for doubly encoded paths), '+' as space when plus
 * is set, and folds ASCII case, into dst (cap bytes); returns the length. */
size_t exs_trace_decode(const char *src, size_t n, int plus, char *dst,
			size_t cap);

/* Every technique, for the README and tests; *count gets their number. */
const struct exs_technique *exs_traces_all(size_t *count);

#endif
