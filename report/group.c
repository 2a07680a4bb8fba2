/* group.c -- one entry per file (see group.h).
 *
 * Records arrive sorted by (kind, path). A record opens a new entry unless
 * a more severe record of the same path came before it; the grouper knows
 * that without a lookup for the common case because only some entries can
 * gain records later: a path has at most one change (changed, added or
 * removed), so an entry opened by a change gains only errors, and one
 * opened by an error gains nothing. So it remembers the paths of entries
 * opened by a webshell or suspicious record, and of a change when the run
 * has an error for the same path (one lookup per change, and only when
 * there are errors at all). Records of one kind and path follow each other,
 * so the previous record is enough for those.
 */
#include "group.h"

#include <stdlib.h>
#include <string.h>

#include "regfinding.h"
#include "report.h"

struct exs_group_slot {
	char *path;                      /* NULL: empty */
	size_t len;
	uint64_t number;
};

static int is_change(enum exs_finding_kind k)
{
	return k == EXS_FINDING_CHANGED || k == EXS_FINDING_ADDED ||
	       k == EXS_FINDING_REMOVED;
}

/* A record that is an event of its own, never joined to a file's entry:
 * an exploitation trace (a log line) and a registration (a config entry;
 * its path is the config file, which has its own change record). */
static int is_event(enum exs_finding_kind k)
{
	return k == EXS_FINDING_EXPLOIT_TRACE || k == EXS_FINDING_REGISTRATION;
}

static uint64_t hash_path(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;    /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h;
}

void exs_grouper_init(struct exs_grouper *g, const struct exs_run *run)
{
	memset(g, 0, sizeof(*g));
	g->run = run;
}

void exs_grouper_free(struct exs_grouper *g)
{
	for (size_t i = 0; i < g->cap; i++)
		free(g->slots[i].path);
	free(g->slots);
	free(g->prev_path);
	memset(g, 0, sizeof(*g));
}

static struct exs_group_slot *find_slot(struct exs_group_slot *slots,
					size_t cap, const char *p, size_t n)
{
	size_t i = (size_t)(hash_path(p, n) & (cap - 1));
	for (;; i = (i + 1) & (cap - 1)) {
		struct exs_group_slot *s = &slots[i];
		if (!s->path || (s->len == n && memcmp(s->path, p, n) == 0))
			return s;
	}
}

static int remember(struct exs_grouper *g, const char *p, size_t n,
		    uint64_t number)
{
	if (2 * (g->used + 1) > g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 64;
		struct exs_group_slot *grown = calloc(cap, sizeof(*grown));
		if (!grown)
			return EXS_NOMEM;
		for (size_t i = 0; i < g->cap; i++)
			if (g->slots[i].path)
				*find_slot(grown, cap, g->slots[i].path,
					   g->slots[i].len) = g->slots[i];
		free(g->slots);
		g->slots = grown;
		g->cap = cap;
	}
	struct exs_group_slot *s = find_slot(g->slots, g->cap, p, n);
	if (s->path)
		return EXS_OK;
	s->path = malloc(n + 1);
	if (!s->path)
		return EXS_NOMEM;
	memcpy(s->path, p, n);
	s->path[n] = '\0';
	s->len = n;
	s->number = number;
	g->used++;
	return EXS_OK;
}

static int found(void *ctx, const struct exs_finding *f)
{
	(void)f;
	*(int *)ctx = 1;
	return EXS_RUN_STOP;
}

static int set_prev(struct exs_grouper *g, const struct exs_finding *f,
		    uint64_t number)
{
	if (f->path_len + 1 > g->prev_cap) {
		char *grown = realloc(g->prev_path, f->path_len + 1);
		if (!grown)
			return EXS_NOMEM;
		g->prev_path = grown;
		g->prev_cap = f->path_len + 1;
	}
	memcpy(g->prev_path, f->path, f->path_len);
	g->prev_len = f->path_len;
	g->prev_kind = f->kind;
	g->prev_number = number;
	g->has_prev = 1;
	return EXS_OK;
}

int exs_grouper_next(struct exs_grouper *g, const struct exs_finding *f,
		     uint64_t *number, int *opens)
{
	*opens = 0;
	if (is_event(f->kind)) {
		/* One event per log line or config entry. */
		*number = ++g->entries;
		*opens = 1;
		return EXS_OK;
	}
	if (g->has_prev && g->prev_kind == f->kind && g->prev_len == f->path_len &&
	    memcmp(g->prev_path, f->path, f->path_len) == 0) {
		*number = g->prev_number;
		return EXS_OK;
	}
	if (g->cap && f->kind != EXS_FINDING_WEBSHELL) {
		struct exs_group_slot *s =
			find_slot(g->slots, g->cap, f->path, f->path_len);
		if (s->path) {
			*number = s->number;
			return set_prev(g, f, *number);
		}
	}
	*number = ++g->entries;
	*opens = 1;
	int later = f->kind == EXS_FINDING_WEBSHELL ||
		    f->kind == EXS_FINDING_SUSPICIOUS;
	if (!later && is_change(f->kind) && g->run->counts[EXS_FINDING_ERROR]) {
		int rc = exs_run_each_at(g->run, EXS_FINDING_ERROR, f->path,
					 f->path_len, found, &later);
		if (rc)
			return rc;
	}
	if (later) {
		int rc = remember(g, f->path, f->path_len, *number);
		if (rc)
			return rc;
	}
	return set_prev(g, f, *number);
}

/* ---- Entries ------------------------------------------------------------ */

static void free_copy(struct exs_finding *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->message);
	free(c->hits);
	free(c);
}

static struct exs_finding *copy_finding(const struct exs_finding *f)
{
	struct exs_finding *c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	*c = *f;
	c->path = malloc(f->path_len + 1);
	c->message = f->message ? malloc(strlen(f->message) + 1) : NULL;
	c->hits = f->hit_count ? malloc(f->hit_count * sizeof(*f->hits)) : NULL;
	if (!c->path || (f->message && !c->message) ||
	    (f->hit_count && !c->hits)) {
		free_copy(c);
		return NULL;
	}
	memcpy(c->path, f->path, f->path_len);
	c->path[f->path_len] = '\0';
	if (f->message)
		strcpy(c->message, f->message);
	if (f->hit_count)
		memcpy(c->hits, f->hits, f->hit_count * sizeof(*f->hits));
	return c;
}

struct each_state {
	const struct exs_run *run;
	struct exs_grouper g;
	exs_entry_fn fn;
	void *ctx;
	struct exs_entry e;
	struct exs_finding *copies[EXS_ENTRY_RECORDS_MAX];
	size_t ncopies;
	size_t skip;                     /* lookups: the records to pass over */
};

static int add_record(void *ctx, const struct exs_finding *f)
{
	struct each_state *s = ctx;
	if (s->skip) {
		s->skip--;
		return EXS_OK;
	}
	if (s->e.count == EXS_ENTRY_RECORDS_MAX) {
		s->e.not_listed++;
		return EXS_OK;
	}
	struct exs_finding *c = copy_finding(f);
	if (!c)
		return EXS_NOMEM;
	s->copies[s->ncopies++] = c;
	s->e.records[s->e.count++] = c;
	if (!s->e.change && is_change(c->kind))
		s->e.change = c;
	return EXS_OK;
}

static int on_record(void *ctx, const struct exs_finding *f)
{
	struct each_state *s = ctx;
	uint64_t number;
	int opens;
	int rc = exs_grouper_next(&s->g, f, &number, &opens);
	if (rc || !opens)
		return rc;
	const struct exs_run *run = s->run;
	struct exs_entry *e = &s->e;
	memset(e, 0, sizeof(*e));
	e->number = number;
	e->kind = f->kind;
	e->path = f->path;
	e->path_len = f->path_len;
	e->records[e->count++] = f;
	if (is_change(f->kind))
		e->change = f;
	s->ncopies = 0;
	if (!is_event(f->kind)) {
		/* More records of the entry's own kind (rare), except after a
		 * change: one per path. */
		if (!is_change(f->kind) && run->counts[f->kind] > 1) {
			s->skip = 1; /* f itself */
			rc = exs_run_each_at(run, f->kind, f->path, f->path_len,
					     add_record, s);
			s->skip = 0;
		}
		for (int k = (int)f->kind + 1; !rc && k <= EXS_FINDING_ERROR; k++) {
			if (!run->counts[k] ||
			    (is_change(f->kind) && is_change((enum exs_finding_kind)k)))
				continue;
			rc = exs_run_each_at(run, (enum exs_finding_kind)k, f->path,
					     f->path_len, add_record, s);
		}
	}
	if (!rc)
		rc = s->fn(s->ctx, e);
	for (size_t i = 0; i < s->ncopies; i++)
		free_copy(s->copies[i]);
	s->ncopies = 0;
	return rc;
}

int exs_group_each(const struct exs_run *run, exs_entry_fn fn, void *ctx)
{
	struct each_state *s = calloc(1, sizeof(*s));
	if (!s)
		return EXS_NOMEM;
	s->run = run;
	s->fn = fn;
	s->ctx = ctx;
	exs_grouper_init(&s->g, run);
	int rc = exs_run_each_finding(run, on_record, s);
	exs_grouper_free(&s->g);
	free(s);
	return rc;
}

/* ---- Severity and counts ------------------------------------------------- */

const char *exs_severity_name(enum exs_severity s)
{
	switch (s) {
	case EXS_SEVERITY_CRITICAL: return "critical";
	case EXS_SEVERITY_HIGH: return "high";
	case EXS_SEVERITY_MEDIUM: return "medium";
	case EXS_SEVERITY_LOW: return "low";
	case EXS_SEVERITY_INFO: return "info";
	default: return "unknown";
	}
}

enum exs_severity exs_group_severity(const struct exs_run *run,
				     const struct exs_finding *f)
{
	switch (f->kind) {
	case EXS_FINDING_WEBSHELL:
		return EXS_SEVERITY_CRITICAL;
	case EXS_FINDING_SUSPICIOUS:
		return EXS_SEVERITY_HIGH;
	case EXS_FINDING_EXPLOIT_TRACE:
		/* The technique says; medium is a rare admin action too. */
		return f->hit_count && strcmp(f->hits[0].severity, "medium") == 0
			? EXS_SEVERITY_MEDIUM : EXS_SEVERITY_HIGH;
	case EXS_FINDING_REGISTRATION:
		/* An extension point of IIS or Exchange that moved: a look
		 * first, high when it is suspicious on its own (reasons). */
		return exs_reg_finding_suspicious(f->message)
			? EXS_SEVERITY_HIGH : EXS_SEVERITY_MEDIUM;
	case EXS_FINDING_CHANGED:
	case EXS_FINDING_ADDED:
	case EXS_FINDING_REMOVED:
		return (f->kind == EXS_FINDING_CHANGED && f->timestomp) ||
		       exs_report_look_first(run, f)
			? EXS_SEVERITY_MEDIUM : EXS_SEVERITY_LOW;
	case EXS_FINDING_ERROR:
	default:
		return EXS_SEVERITY_INFO;
	}
}

struct count_state {
	struct exs_grouper g;
	struct exs_group_counts *out;
};

static int count_record(void *ctx, const struct exs_finding *f)
{
	struct count_state *s = ctx;
	uint64_t number;
	int opens;
	int rc = exs_grouper_next(&s->g, f, &number, &opens);
	if (rc || !opens)
		return rc;
	s->out->entries++;
	s->out->by_kind[f->kind]++;
	enum exs_severity sev = exs_group_severity(s->g.run, f);
	s->out->by_severity[sev]++;
	s->out->by_kind_severity[f->kind][sev]++;
	return EXS_OK;
}

int exs_group_count(const struct exs_run *run, struct exs_group_counts *out)
{
	struct count_state s;
	memset(out, 0, sizeof(*out));
	s.out = out;
	exs_grouper_init(&s.g, run);
	int rc = exs_run_each_finding(run, count_record, &s);
	exs_grouper_free(&s.g);
	return rc;
}
