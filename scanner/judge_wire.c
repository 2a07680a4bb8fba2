/* judge_wire.c -- encoding and, above all, distrustful decoding of the
 * messages between exsweep and its scan worker (see judge_wire.h).
 *
 * Divisions: writing, the reader, statuses, verdicts.
 */
#include "judge_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void exs_verdict_free(struct exs_verdict *v)
{
	for (size_t k = 0; k <= EXS_VERDICT_KIND_MAX; k++) {
		free(v->part[k].hits);
		v->part[k].hits = NULL;
		v->part[k].count = 0;
		free(v->part[k].regs);
		v->part[k].regs = NULL;
		v->part[k].reg_count = 0;
		v->part[k].present = 0;
	}
}

const char *exs_sig_status_name(int status)
{
	static const char *const names[] = {
		"none", "signed", "unsigned", "bad_digest", "bad_signature",
		"untrusted", "expired", "malformed", "catalog",
	};
	if (status < 0 || status > EXS_SIG_STATUS_MAX)
		return "none";
	return names[status];
}

/* ---- Writing -------------------------------------------------------------- */

void exs_wire_u8(struct exs_buf *b, unsigned v)
{
	unsigned char c = (unsigned char)v;
	exs_buf_append(b, &c, 1);
}

void exs_wire_u32(struct exs_buf *b, uint32_t v)
{
	unsigned char c[4];
	for (int i = 0; i < 4; i++)
		c[i] = (unsigned char)(v >> (8 * i));
	exs_buf_append(b, c, sizeof(c));
}

void exs_wire_u64(struct exs_buf *b, uint64_t v)
{
	exs_wire_u32(b, (uint32_t)v);
	exs_wire_u32(b, (uint32_t)(v >> 32));
}

void exs_wire_bytes(struct exs_buf *b, const void *p, size_t n)
{
	if (n > UINT32_MAX) {
		b->failed = EXS_LIMIT;
		return;
	}
	exs_wire_u32(b, (uint32_t)n);
	if (n)
		exs_buf_append(b, p, n);
}

void exs_wire_str(struct exs_buf *b, const char *s)
{
	s = s ? s : "";
	exs_wire_bytes(b, s, strlen(s));
}

void exs_wire_begin(struct exs_buf *b, uint32_t type)
{
	exs_buf_reset(b);
	exs_wire_u32(b, type);
	exs_wire_u32(b, 0);
}

int exs_wire_end(struct exs_buf *b)
{
	return exs_wire_end_extra(b, 0);
}

int exs_wire_end_extra(struct exs_buf *b, size_t extra)
{
	if (b->failed)
		return b->failed;
	if (b->len < EXS_WIRE_HEADER ||
	    b->len - EXS_WIRE_HEADER > UINT32_MAX - (uint64_t)extra ||
	    extra > UINT32_MAX)
		return EXS_LIMIT;
	uint32_t n = (uint32_t)(b->len - EXS_WIRE_HEADER + extra);
	for (int i = 0; i < 4; i++)
		b->data[4 + i] = (char)(unsigned char)(n >> (8 * i));
	return EXS_OK;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int exs_wire_header(const unsigned char hdr[EXS_WIRE_HEADER], uint32_t expect,
		    uint32_t max, uint32_t *len)
{
	*len = le32(hdr + 4);
	if (le32(hdr) != expect || *len > max)
		return EXS_WORKER;
	return EXS_OK;
}

void exs_wire_hits(struct exs_buf *b, const struct exs_hit *h, size_t n)
{
	exs_wire_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		exs_wire_str(b, h[i].rule);
		exs_wire_str(b, h[i].ns);
		exs_wire_str(b, h[i].tags);
		exs_wire_str(b, h[i].description);
		exs_wire_str(b, h[i].family);
		exs_wire_str(b, h[i].severity);
		exs_wire_u32(b, h[i].string_count);
		for (unsigned s = 0; s < h[i].string_count &&
				     s < EXS_HIT_STRINGS_MAX; s++) {
			const struct exs_hit_string *hs = &h[i].strings[s];
			exs_wire_str(b, hs->id);
			exs_wire_u64(b, hs->offset);
			exs_wire_u32(b, hs->length);
			exs_wire_bytes(b, hs->excerpt, hs->excerpt_len);
		}
	}
}

/* Registrations (EXS_VERDICT_CONFIG sections), at most EXS_REG_MAX. */
static void exs_wire_regs(struct exs_buf *b, const struct exs_registration *r,
			  size_t n)
{
	n = n < EXS_REG_MAX ? n : EXS_REG_MAX;
	exs_wire_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		exs_wire_u32(b, r[i].kind);
		exs_wire_u32(b, r[i].flags);
		exs_wire_u64(b, r[i].line);
		exs_wire_str(b, r[i].scope);
		exs_wire_str(b, r[i].name);
		exs_wire_str(b, r[i].path);
		exs_wire_str(b, r[i].image);
		exs_wire_str(b, r[i].type);
		exs_wire_str(b, r[i].extra);
	}
}

/* ---- The reader ------------------------------------------------------------ */

void exs_wire_reader_init(struct exs_wire_reader *r, const void *p, size_t n)
{
	r->p = p;
	r->end = r->p + n;
	r->failed = 0;
}

static const unsigned char *take(struct exs_wire_reader *r, size_t n)
{
	if (r->failed || (size_t)(r->end - r->p) < n) {
		r->failed = 1;
		return NULL;
	}
	const unsigned char *at = r->p;
	r->p += n;
	return at;
}

unsigned exs_wire_get_u8(struct exs_wire_reader *r)
{
	const unsigned char *p = take(r, 1);
	return p ? p[0] : 0;
}

uint32_t exs_wire_get_u32(struct exs_wire_reader *r)
{
	const unsigned char *p = take(r, 4);
	return p ? le32(p) : 0;
}

uint64_t exs_wire_get_u64(struct exs_wire_reader *r)
{
	uint64_t lo = exs_wire_get_u32(r);
	uint64_t hi = exs_wire_get_u32(r);
	return lo | hi << 32;
}

const unsigned char *exs_wire_get_bytes(struct exs_wire_reader *r, size_t max,
					size_t *n)
{
	uint32_t len = exs_wire_get_u32(r);
	*n = 0;
	if (r->failed || len > max) {
		r->failed = 1;
		return NULL;
	}
	const unsigned char *p = take(r, len);
	if (p)
		*n = len;
	return p;
}

void exs_wire_get_str(struct exs_wire_reader *r, char *dst, size_t cap)
{
	size_t n;
	const unsigned char *p = exs_wire_get_bytes(r, cap - 1, &n);
	dst[0] = '\0';
	if (!p)
		return;
	if (memchr(p, '\0', n)) {
		r->failed = 1;
		return;
	}
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* Text from the worker reaches terminals and logs: control characters
 * (a compromised worker's escape sequences) become '?'. Excerpts are bytes
 * and are escaped by the report writers instead. */
static void neutralise(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
}

/* ---- Statuses -------------------------------------------------------------- */

static int known_status(uint32_t s)
{
	switch (s) {
#define EXS_STATUS(name, value, message) case value:
#include "status.def"
#undef EXS_STATUS
		return 1;
	}
	return 0;
}

void exs_wire_put_status(struct exs_buf *b, uint32_t type, int status,
			 const char *detail)
{
	exs_wire_begin(b, type);
	exs_wire_u32(b, (uint32_t)status);
	exs_wire_str(b, detail);
}

int exs_wire_get_status(const void *payload, size_t len, int *status,
			char *detail, size_t cap)
{
	struct exs_wire_reader r;
	exs_wire_reader_init(&r, payload, len);
	uint32_t s = exs_wire_get_u32(&r);
	exs_wire_get_str(&r, detail, cap);
	if (r.failed || r.p != r.end || !known_status(s))
		return EXS_WORKER;
	neutralise(detail);
	*status = (int)s;
	return EXS_OK;
}

/* ---- Verdicts --------------------------------------------------------------- */

int exs_wire_encode_verdict(struct exs_buf *b, const struct exs_verdict *v)
{
	uint32_t sections = 0;
	for (size_t k = 1; k <= EXS_VERDICT_KIND_MAX; k++)
		sections += v->part[k].present ? 1 : 0;
	exs_wire_begin(b, EXS_WIRE_VERDICT);
	exs_wire_u64(b, v->id);
	exs_wire_u32(b, sections);
	for (size_t k = 1; k <= EXS_VERDICT_KIND_MAX; k++) {
		const struct exs_verdict_part *p = &v->part[k];
		if (!p->present)
			continue;
		size_t n = p->count < EXS_WIRE_HITS_MAX ? p->count
							: EXS_WIRE_HITS_MAX;
		exs_wire_u32(b, (uint32_t)k);
		exs_wire_u32(b, (uint32_t)p->status);
		exs_wire_str(b, p->detail);
		if (k == EXS_VERDICT_SIGNATURE) {
			exs_wire_u32(b, (uint32_t)p->sig.status);
			exs_wire_str(b, p->sig.signer);
			exs_wire_str(b, p->sig.digest);
			exs_wire_u32(b, p->sig.timestamped ? 1 : 0);
			exs_wire_u64(b, (uint64_t)p->sig.signed_at);
			exs_wire_u32(b, p->sig.dotnet ? 1 : 0);
			exs_wire_str(b, p->sig.detail);
			continue;
		}
		exs_wire_hits(b, p->hits, n);
		if (k == EXS_VERDICT_CONFIG)
			exs_wire_regs(b, p->regs, p->reg_count);
	}
	return exs_wire_end(b);
}

/* One hit string; its offset and excerpt must lie in, and equal, data. */
static int get_hit_string(struct exs_wire_reader *r, struct exs_hit_string *hs,
			  const unsigned char *data, size_t data_len)
{
	exs_wire_get_str(r, hs->id, sizeof(hs->id));
	hs->offset = exs_wire_get_u64(r);
	hs->length = exs_wire_get_u32(r);
	size_t n;
	const unsigned char *ex = exs_wire_get_bytes(r, EXS_EXCERPT_MAX, &n);
	if (r->failed)
		return EXS_WORKER;
	if (hs->offset > data_len || hs->length > data_len - hs->offset ||
	    n > data_len - hs->offset ||
	    (n && memcmp(ex, data + hs->offset, n) != 0))
		return EXS_WORKER;
	memcpy(hs->excerpt, ex, n);
	hs->excerpt_len = (uint32_t)n;
	neutralise(hs->id);
	return EXS_OK;
}

static int get_hits(struct exs_wire_reader *r, struct exs_verdict_part *p,
		    const unsigned char *data, size_t data_len,
		    const char **why)
{
	uint32_t n = exs_wire_get_u32(r);
	if (r->failed || n > EXS_WIRE_HITS_MAX) {
		*why = "bad hit count";
		return EXS_WORKER;
	}
	/* Each hit takes at least 28 bytes on the wire: a count that the
	 * payload cannot hold is refused before anything is allocated. */
	if ((size_t)n * 28 > (size_t)(r->end - r->p)) {
		*why = "hit count larger than the message";
		return EXS_WORKER;
	}
	if (!n)
		return EXS_OK;
	p->hits = calloc(n, sizeof(*p->hits));
	if (!p->hits) {
		*why = "out of memory";
		return EXS_NOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct exs_hit *h = &p->hits[i];
		exs_wire_get_str(r, h->rule, sizeof(h->rule));
		exs_wire_get_str(r, h->ns, sizeof(h->ns));
		exs_wire_get_str(r, h->tags, sizeof(h->tags));
		exs_wire_get_str(r, h->description, sizeof(h->description));
		exs_wire_get_str(r, h->family, sizeof(h->family));
		exs_wire_get_str(r, h->severity, sizeof(h->severity));
		uint32_t strings = exs_wire_get_u32(r);
		if (r->failed || !h->rule[0] || strings > EXS_HIT_STRINGS_MAX) {
			*why = "malformed hit";
			return EXS_WORKER;
		}
		h->string_count = strings;
		neutralise(h->rule);
		neutralise(h->ns);
		neutralise(h->tags);
		neutralise(h->description);
		neutralise(h->family);
		neutralise(h->severity);
		for (uint32_t s = 0; s < strings; s++)
			if (get_hit_string(r, &h->strings[s], data, data_len)) {
				*why = "match outside the file or excerpt "
				       "that is not the file's bytes";
				return EXS_WORKER;
			}
		p->count = i + 1;
	}
	return EXS_OK;
}

/* The registrations of a CONFIG section, as hostile as the rest: a count
 * within EXS_REG_MAX and within what the message can hold, known kinds and
 * flags, every string within its field and without NUL; control characters
 * are neutralised, since these strings reach terminals and the Event Log. */
static int get_regs(struct exs_wire_reader *r, struct exs_verdict_part *p,
		    const char **why)
{
	uint32_t n = exs_wire_get_u32(r);
	if (r->failed || n > EXS_REG_MAX) {
		*why = "bad registration count";
		return EXS_WORKER;
	}
	/* Each registration takes at least 40 bytes on the wire. */
	if ((size_t)n * 40 > (size_t)(r->end - r->p)) {
		*why = "registration count larger than the message";
		return EXS_WORKER;
	}
	if (!n)
		return EXS_OK;
	p->regs = calloc(n, sizeof(*p->regs));
	if (!p->regs) {
		*why = "out of memory";
		return EXS_NOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct exs_registration *g = &p->regs[i];
		g->kind = exs_wire_get_u32(r);
		g->flags = exs_wire_get_u32(r);
		g->line = exs_wire_get_u64(r);
		exs_wire_get_str(r, g->scope, sizeof(g->scope));
		exs_wire_get_str(r, g->name, sizeof(g->name));
		exs_wire_get_str(r, g->path, sizeof(g->path));
		exs_wire_get_str(r, g->image, sizeof(g->image));
		exs_wire_get_str(r, g->type, sizeof(g->type));
		exs_wire_get_str(r, g->extra, sizeof(g->extra));
		if (r->failed || g->kind < 1 || g->kind > EXS_REG_KIND_MAX ||
		    (g->flags & ~EXS_REG_TRUNCATED)) {
			*why = "malformed registration";
			return EXS_WORKER;
		}
		neutralise(g->scope);
		neutralise(g->name);
		neutralise(g->path);
		neutralise(g->image);
		neutralise(g->type);
		neutralise(g->extra);
		p->reg_count = i + 1;
	}
	return EXS_OK;
}

/* The signature section's body: a status the parent knows, strings that fit
 * their fields (and a digest name it knows), flags that are flags. */
static int get_signature(struct exs_wire_reader *r, struct exs_signature *sig,
			 const char **why)
{
	uint32_t status = exs_wire_get_u32(r);
	exs_wire_get_str(r, sig->signer, sizeof(sig->signer));
	exs_wire_get_str(r, sig->digest, sizeof(sig->digest));
	uint32_t ts = exs_wire_get_u32(r);
	uint64_t at = exs_wire_get_u64(r);
	uint32_t dotnet = exs_wire_get_u32(r);
	exs_wire_get_str(r, sig->detail, sizeof(sig->detail));
	static const char *const digests[] = { "", "sha1", "sha256", "sha384",
					       "sha512" };
	int digest_known = 0;
	for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
		digest_known |= strcmp(sig->digest, digests[i]) == 0;
	if (r->failed || status > EXS_SIG_STATUS_MAX || ts > 1 || dotnet > 1 ||
	    !digest_known || at > EXS_SIG_TIME_MAX || (!ts && at)) {
		*why = "malformed signature section";
		return EXS_WORKER;
	}
	sig->status = (int)status;
	sig->timestamped = (int)ts;
	sig->signed_at = (int64_t)at;
	sig->dotnet = (int)dotnet;
	neutralise(sig->signer);
	neutralise(sig->detail);
	return EXS_OK;
}

int exs_wire_decode_verdict(const void *payload, size_t len, uint64_t id,
			    unsigned want, const unsigned char *data,
			    size_t data_len, struct exs_verdict *out,
			    struct exs_error *err)
{
	memset(out, 0, sizeof(*out));
	struct exs_wire_reader r;
	exs_wire_reader_init(&r, payload, len);
	const char *why = NULL;
	int rc = EXS_OK;
	out->id = exs_wire_get_u64(&r);
	uint32_t sections = exs_wire_get_u32(&r);
	if (r.failed)
		why = "truncated header";
	else if (out->id != id)
		why = "reply to another request";
	else if (sections > EXS_VERDICT_KIND_MAX)
		why = "too many sections";
	for (uint32_t i = 0; !why && i < sections; i++) {
		uint32_t kind = exs_wire_get_u32(&r);
		uint32_t status = exs_wire_get_u32(&r);
		if (r.failed) {
			why = "truncated section";
			break;
		}
		if (kind < 1 || kind > EXS_VERDICT_KIND_MAX ||
		    !(want & EXS_WANT(kind)) || out->part[kind].present) {
			why = "section not asked for";
			break;
		}
		if (!known_status(status)) {
			why = "unknown status";
			break;
		}
		struct exs_verdict_part *p = &out->part[kind];
		p->present = 1;
		p->status = (int)status;
		exs_wire_get_str(&r, p->detail, sizeof(p->detail));
		if (r.failed) {
			why = "malformed detail";
			break;
		}
		neutralise(p->detail);
		if (kind == EXS_VERDICT_SIGNATURE) {
			rc = get_signature(&r, &p->sig, &why);
		} else {
			rc = get_hits(&r, p, data, data_len, &why);
			if (!why && kind == EXS_VERDICT_CONFIG) {
				if (p->count)
					why = "hits in a config section";
				else
					rc = get_regs(&r, p, &why);
			}
		}
	}
	if (!why && r.p != r.end)
		why = "trailing bytes";
	for (size_t k = 1; !why && k <= EXS_VERDICT_KIND_MAX; k++)
		if ((want & EXS_WANT(k)) && !out->part[k].present)
			why = "a section asked for is missing";
	if (!why)
		return EXS_OK;
	exs_verdict_free(out);
	if (rc == EXS_NOMEM)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	return exs_failf(err, EXS_WORKER, 0, "sandbox", NULL,
			 "the scan worker sent a malformed verdict (%s)", why);
}
