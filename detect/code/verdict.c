/* verdict.c -- findings of detect/code as exsweep hits.
 *
 * One exs_hit per finding, namespace "code": rule code.request_to_*,
 * description the explanation (source -> sink with lines), strings $source
 * and $sink at their original offsets (excerpts of the original bytes) and,
 * when de-obfuscation was needed, $normalised with the normalised sink
 * statement as its excerpt. Webshell-grade findings go to *webshell, the
 * others to *suspicious.
 */
#include "verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code.h"

static void add_string(struct exs_hit *h, const char *id, uint64_t off,
		       const unsigned char *text, size_t n)
{
	if (h->string_count == EXS_HIT_STRINGS_MAX)
		return;
	struct exs_hit_string *s = &h->strings[h->string_count++];
	snprintf(s->id, sizeof(s->id), "%s", id);
	s->offset = off;
	if (n > EXS_EXCERPT_MAX)
		n = EXS_EXCERPT_MAX;
	s->length = (uint32_t)n;
	memcpy(s->excerpt, text, n);
	s->excerpt_len = (uint32_t)n;
}

/* Up to 48 bytes of the original file at off, cut at the line's end. */
static size_t excerpt(const unsigned char *data, size_t len, uint64_t off,
		      const unsigned char **p)
{
	if (off >= len) {
		*p = data;
		return 0;
	}
	*p = data + off;
	size_t n = 0;
	while (off + n < len && n < 48 && data[off + n] != '\n' && data[off + n] != '\r')
		n++;
	return n;
}

static int push(struct exs_hit **hits, size_t *count, const struct exs_code_finding *f,
		const unsigned char *data, size_t len)
{
	struct exs_hit *grown = realloc(*hits, (*count + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	*hits = grown;
	struct exs_hit *h = &grown[(*count)++];
	memset(h, 0, sizeof(*h));
	snprintf(h->rule, sizeof(h->rule), "%s", f->rule);
	snprintf(h->ns, sizeof(h->ns), "code");
	snprintf(h->description, sizeof(h->description), "%s", f->explanation);
	snprintf(h->family, sizeof(h->family), "code");
	snprintf(h->severity, sizeof(h->severity), "%s",
		 f->severity == EXS_CODE_WEBSHELL ? "high" : "medium");
	const unsigned char *p;
	size_t n;
	if (f->source_line) {
		n = excerpt(data, len, f->source_offset, &p);
		add_string(h, "$source", f->source_offset, p, n);
	}
	n = excerpt(data, len, f->sink_offset, &p);
	add_string(h, "$sink", f->sink_offset, p, n);
	if (f->deobfuscated && f->normalised[0])
		add_string(h, "$normalised", f->sink_offset,
			   (const unsigned char *)f->normalised, strlen(f->normalised));
	return 0;
}

int exs_code_check(const char *path, size_t path_len, const unsigned char *data,
		   size_t len, struct exs_hit **webshell, size_t *webshell_count,
		   struct exs_hit **suspicious, size_t *suspicious_count)
{
	struct exs_code_result r;
	int rc = exs_code_analyse(data, len, path, path_len, &r);
	for (unsigned i = 0; i < r.count; i++) {
		const struct exs_code_finding *f = &r.findings[i];
		if (f->severity == EXS_CODE_WEBSHELL
			    ? push(webshell, webshell_count, f, data, len)
			    : push(suspicious, suspicious_count, f, data, len))
			return -1;
	}
	return rc;
}
