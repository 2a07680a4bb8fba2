/* run.c -- collecting findings and skipped nodes of a run (see run.h). */
#include "run.h"

#include <stdlib.h>
#include <string.h>

const char *exs_finding_kind_name(enum exs_finding_kind kind)
{
	switch (kind) {
	case EXS_FINDING_WEBSHELL: return "webshell";
	case EXS_FINDING_SUSPICIOUS: return "suspicious";
	case EXS_FINDING_CHANGED: return "changed";
	case EXS_FINDING_ADDED: return "added";
	case EXS_FINDING_REMOVED: return "removed";
	case EXS_FINDING_ERROR: return "error";
	case EXS_FINDING_EXPLOIT_TRACE: return "exploit_trace";
	case EXS_FINDING_REGISTRATION: return "registration";
	default: return "unknown";
	}
}

const struct exs_generation *exs_run_generation(const struct exs_run *run)
{
	return run->generation_count
		? &run->generations[run->generation_count - 1] : NULL;
}

const char *exs_node_name(enum exs_node node)
{
	switch (node) {
	case EXS_NODE_FILE: return "file";
	case EXS_NODE_DIR: return "dir";
	case EXS_NODE_LINK: return "link";
	case EXS_NODE_FIFO: return "fifo";
	case EXS_NODE_SOCKET: return "socket";
	case EXS_NODE_DEVICE: return "device";
	default: return "unknown";
	}
}

/* A finding as one row of the temporary table: the struct (its pointers
 * cleared), then the path, the message and the hits. The same process
 * reads it back, so the layout need not be portable; `op` points to a
 * static string and stays valid. */
struct packed_head {
	struct exs_finding f;
	size_t message_len;
};

static int spill_put(struct exs_spill *spill, const struct exs_finding *f)
{
	struct packed_head h;
	memset(&h, 0, sizeof(h));
	h.f = *f;
	h.f.path = NULL;
	h.f.message = NULL;
	h.f.hits = NULL;
	h.message_len = f->message ? strlen(f->message) : 0;
	size_t hits_len = f->hit_count * sizeof(*f->hits);
	size_t len = sizeof(h) + f->path_len + h.message_len + hits_len;
	unsigned char *row = malloc(len);
	if (!row)
		return EXS_NOMEM;
	unsigned char *p = row;
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	memcpy(p, f->path, f->path_len);
	p += f->path_len;
	if (h.message_len)
		memcpy(p, f->message, h.message_len);
	p += h.message_len;
	if (hits_len)
		memcpy(p, f->hits, hits_len);
	struct exs_error err;
	exs_error_clear(&err);
	int rc = exs_spill_put(spill, f->kind, f->path, f->path_len, row,
			       len, &err);
	free(row);
	return rc;
}

static int spill_one(struct exs_run *run, const struct exs_finding *f)
{
	return spill_put(run->spill, f);
}

/* Moves the findings held in memory into a new temporary table. */
static int start_spill(struct exs_run *run)
{
	struct exs_error err;
	exs_error_clear(&err);
	int rc = exs_spill_open(&run->spill, &err);
	for (size_t i = 0; !rc && i < run->finding_count; i++)
		rc = spill_one(run, &run->findings[i]);
	if (rc) {
		exs_spill_close(run->spill);
		run->spill = NULL;
		return rc;
	}
	for (size_t i = 0; i < run->finding_count; i++) {
		free(run->findings[i].path);
		free(run->findings[i].message);
		free(run->findings[i].hits);
	}
	free(run->findings);
	run->findings = NULL;
	run->finding_cap = 0;
	return EXS_OK;
}

int exs_run_add(struct exs_run *run, const struct exs_finding *f)
{
	if (!run->spill && run->finding_count == EXS_FINDINGS_IN_MEMORY) {
		int rc = start_spill(run);
		if (rc)
			return rc;
	}
	if (run->spill) {
		int rc = spill_one(run, f);
		if (rc)
			return rc;
		/* Taken over, as in memory: the row holds copies. */
		free(f->message);
		free(f->hits);
		run->finding_count++;
		run->counts[f->kind]++;
		return EXS_OK;
	}
	if (run->finding_count == run->finding_cap) {
		size_t cap = run->finding_cap ? run->finding_cap * 2 : 64;
		struct exs_finding *grown =
			realloc(run->findings, cap * sizeof(*grown));
		if (!grown)
			return EXS_NOMEM;
		run->findings = grown;
		run->finding_cap = cap;
	}
	char *path = malloc(f->path_len + 1);
	if (!path)
		return EXS_NOMEM;
	memcpy(path, f->path, f->path_len);
	path[f->path_len] = '\0';
	struct exs_finding *dst = &run->findings[run->finding_count++];
	*dst = *f;
	dst->path = path;
	run->counts[f->kind]++;
	return EXS_OK;
}

static int compare_bytes(const char *a, size_t al, const char *b, size_t bl);

struct unpack_ctx {
	exs_finding_fn fn;
	void *ctx;
};

static int unpack_row(void *ctx, const void *row, size_t len)
{
	struct unpack_ctx *u = ctx;
	struct packed_head h;
	if (len < sizeof(h))
		return EXS_INTERNAL;
	memcpy(&h, row, sizeof(h));
	size_t hits_len = h.f.hit_count * sizeof(*h.f.hits);
	if (len != sizeof(h) + h.f.path_len + h.message_len + hits_len)
		return EXS_INTERNAL;
	const char *p = (const char *)row + sizeof(h);
	/* The path and the message need a terminating NUL and the hits their
	 * alignment: one copy of the variable part. */
	char *copy = malloc(h.f.path_len + 1 + h.message_len + 1);
	struct exs_hit *hits = hits_len ? malloc(hits_len) : NULL;
	if (!copy || (hits_len && !hits)) {
		free(copy);
		free(hits);
		return EXS_NOMEM;
	}
	memcpy(copy, p, h.f.path_len);
	copy[h.f.path_len] = '\0';
	p += h.f.path_len;
	char *message = copy + h.f.path_len + 1;
	memcpy(message, p, h.message_len);
	message[h.message_len] = '\0';
	p += h.message_len;
	if (hits_len)
		memcpy(hits, p, hits_len);
	h.f.path = copy;
	h.f.message = h.message_len ? message : NULL;
	h.f.hits = hits;
	int rc = u->fn(u->ctx, &h.f);
	free(copy);
	free(hits);
	return rc;
}

int exs_run_each_finding(const struct exs_run *run, exs_finding_fn fn,
			 void *ctx)
{
	if (run->spill) {
		struct unpack_ctx u = { fn, ctx };
		struct exs_error err;
		exs_error_clear(&err);
		int rc = exs_spill_each(run->spill, unpack_row, &u, &err);
		return rc == EXS_RUN_STOP ? EXS_OK : rc;
	}
	for (size_t i = 0; i < run->finding_count; i++) {
		int rc = fn(ctx, &run->findings[i]);
		if (rc)
			return rc == EXS_RUN_STOP ? EXS_OK : rc;
	}
	return EXS_OK;
}

int exs_run_each_at(const struct exs_run *run, enum exs_finding_kind kind,
		    const char *path, size_t len, exs_finding_fn fn, void *ctx)
{
	if (run->spill) {
		struct unpack_ctx u = { fn, ctx };
		struct exs_error err;
		exs_error_clear(&err);
		int rc = exs_spill_each_at(run->spill, (int)kind, path, len,
					   unpack_row, &u, &err);
		return rc == EXS_RUN_STOP ? EXS_OK : rc;
	}
	/* Sorted by (kind, path bytes): the first finding not below
	 * (kind, path), then every one equal to it. */
	size_t lo = 0, hi = run->finding_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct exs_finding *m = &run->findings[mid];
		int below = m->kind != kind ? m->kind < kind
			: compare_bytes(m->path, m->path_len, path, len) < 0;
		if (below)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < run->finding_count; i++) {
		const struct exs_finding *m = &run->findings[i];
		if (m->kind != kind || m->path_len != len ||
		    (len && memcmp(m->path, path, len) != 0))
			break;
		int rc = fn(ctx, m);
		if (rc)
			return rc == EXS_RUN_STOP ? EXS_OK : rc;
	}
	return EXS_OK;
}

struct rewrite_ctx {
	struct exs_run *run;
	struct exs_spill *dst;
	int (*fn)(void *ctx, struct exs_finding *f);
	void *ctx;
};

static void drop_counts(struct exs_run *run, const struct exs_finding *f)
{
	run->counts[f->kind]--;
	run->finding_count--;
}

static int rewrite_row(void *ctx, const struct exs_finding *f)
{
	struct rewrite_ctx *r = ctx;
	/* unpack_row hands over its own copy: changing it changes nothing
	 * else. */
	struct exs_finding *m = (struct exs_finding *)f;
	int rc = r->fn(r->ctx, m);
	if (rc == EXS_RUN_DROP) {
		drop_counts(r->run, m);
		return EXS_OK;
	}
	return rc ? rc : spill_put(r->dst, m);
}

int exs_run_rewrite(struct exs_run *run,
		    int (*fn)(void *ctx, struct exs_finding *f), void *ctx)
{
	if (run->spill) {
		struct exs_error err;
		exs_error_clear(&err);
		struct rewrite_ctx r = { run, NULL, fn, ctx };
		int rc = exs_spill_open(&r.dst, &err);
		if (rc)
			return rc;
		rc = exs_run_each_finding(run, rewrite_row, &r);
		if (rc) {
			exs_spill_close(r.dst);
			return rc;
		}
		exs_spill_close(run->spill);
		run->spill = r.dst;
		return EXS_OK;
	}
	size_t kept = 0;
	int rc = EXS_OK;
	for (size_t i = 0; i < run->finding_count; i++) {
		struct exs_finding *f = &run->findings[i];
		int r = rc ? EXS_OK : fn(ctx, f);
		if (r == EXS_RUN_DROP) {
			run->counts[f->kind]--;
			free(f->path);
			free(f->message);
			free(f->hits);
			continue;
		}
		if (r)
			rc = r;
		run->findings[kept++] = *f;
	}
	run->finding_count = kept;
	return rc;
}

int exs_run_add_skipped(struct exs_run *run, const char *path, size_t len,
			enum exs_node node)
{
	run->skipped++;
	if (run->skipped_listed == EXS_SKIPPED_LIST_MAX)
		return EXS_OK;
	if (!run->skipped_list) {
		run->skipped_list = calloc(EXS_SKIPPED_LIST_MAX,
					   sizeof(*run->skipped_list));
		if (!run->skipped_list)
			return EXS_NOMEM;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return EXS_NOMEM;
	memcpy(copy, path, len);
	copy[len] = '\0';
	run->skipped_list[run->skipped_listed++] =
		(struct exs_skipped){ copy, len, node };
	return EXS_OK;
}

int exs_run_add_signature(struct exs_run *run, const char *path, size_t len,
			  const struct exs_signature *sig)
{
	if (sig->status <= EXS_SIG_NONE || sig->status > EXS_SIG_STATUS_MAX)
		return EXS_OK;
	run->sig_counts[sig->status]++;
	run->sig_total++;
	if (run->sig_listed == EXS_SIGNATURES_LIST_MAX)
		return EXS_OK;
	if (run->sig_listed == run->sig_cap) {
		size_t cap = run->sig_cap ? run->sig_cap * 2 : 64;
		struct exs_sig_entry *grown = realloc(run->signatures,
						      cap * sizeof(*grown));
		if (!grown)
			return EXS_NOMEM;
		run->signatures = grown;
		run->sig_cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return EXS_NOMEM;
	memcpy(copy, path, len);
	copy[len] = '\0';
	run->signatures[run->sig_listed++] =
		(struct exs_sig_entry){ copy, len, *sig };
	return EXS_OK;
}

static int compare_bytes(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	if (c)
		return c;
	return al < bl ? -1 : al > bl;
}

static int compare_findings(const void *pa, const void *pb)
{
	const struct exs_finding *a = pa, *b = pb;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	int c = compare_bytes(a->path, a->path_len, b->path, b->path_len);
	if (c || (a->kind != EXS_FINDING_EXPLOIT_TRACE &&
		  a->kind != EXS_FINDING_REGISTRATION))
		return c;
	/* Traces of one log file, registrations of one config file, in the
	 * order of their lines. */
	return a->trace.line < b->trace.line ? -1 : a->trace.line > b->trace.line;
}

static int compare_skipped(const void *pa, const void *pb)
{
	const struct exs_skipped *a = pa, *b = pb;
	return compare_bytes(a->path, a->path_len, b->path, b->path_len);
}

static int compare_signatures(const void *pa, const void *pb)
{
	const struct exs_sig_entry *a = pa, *b = pb;
	return compare_bytes(a->path, a->path_len, b->path, b->path_len);
}

void exs_run_sort(struct exs_run *run)
{
	/* The temporary table is read back in order through its index. */
	if (!run->spill && run->finding_count > 1)
		qsort(run->findings, run->finding_count, sizeof(*run->findings),
		      compare_findings);
	if (run->skipped_listed > 1)
		qsort(run->skipped_list, run->skipped_listed,
		      sizeof(*run->skipped_list), compare_skipped);
	if (run->sig_listed > 1)
		qsort(run->signatures, run->sig_listed,
		      sizeof(*run->signatures), compare_signatures);
}

int exs_run_finding_bits(const struct exs_run *run)
{
	int bits = 0;
	if (run->counts[EXS_FINDING_ADDED])
		bits |= 1;
	if (run->counts[EXS_FINDING_REMOVED])
		bits |= 2;
	/* A registration added, removed or changed is a change too: its
	 * config file shows as changed (or added, removed) beside it. */
	if (run->counts[EXS_FINDING_CHANGED] ||
	    run->counts[EXS_FINDING_REGISTRATION])
		bits |= 4;
	/* Suspicious findings share the webshell bit: a scheduled task must
	 * not stay silent about a script where none belongs. */
	if (run->counts[EXS_FINDING_WEBSHELL] || run->counts[EXS_FINDING_SUSPICIOUS])
		bits |= 8;
	/* So do exploitation traces: the attack that left no file is no
	 * smaller than the one that did. */
	if (run->counts[EXS_FINDING_EXPLOIT_TRACE])
		bits |= 8;
	return bits;
}

const struct exs_url_hits *exs_run_url_hits(const struct exs_run *run,
					    const char *path, size_t len)
{
	for (size_t i = 0; i < run->url_hit_count; i++)
		if (run->url_hits[i].path_len == len &&
		    memcmp(run->url_hits[i].path, path, len) == 0)
			return &run->url_hits[i];
	return NULL;
}

void exs_run_free(struct exs_run *run)
{
	for (size_t i = 0; i < run->url_hit_count; i++)
		free(run->url_hits[i].path);
	free(run->url_hits);
	run->url_hits = NULL;
	run->url_hit_count = 0;
	/* Spilled findings live in the table only. */
	for (size_t i = 0; run->findings && i < run->finding_count; i++) {
		free(run->findings[i].path);
		free(run->findings[i].message);
		free(run->findings[i].hits);
	}
	free(run->findings);
	exs_spill_close(run->spill);
	run->spill = NULL;
	for (size_t i = 0; i < run->skipped_listed; i++)
		free(run->skipped_list[i].path);
	free(run->skipped_list);
	for (size_t i = 0; i < run->sig_listed; i++)
		free(run->signatures[i].path);
	free(run->signatures);
	run->signatures = NULL;
	run->sig_listed = run->sig_cap = 0;
	exs_strlist_free(&run->warnings);
	free(run->generations);
	run->generations = NULL;
	run->generation_count = 0;
	run->findings = NULL;
	run->skipped_list = NULL;
	run->finding_count = run->finding_cap = run->skipped_listed = 0;
}
