/* cmd_against.c -- `exsweep check --against MANIFEST [ROOT...]`: compare
 * this host with another server's export instead of the baseline.
 *
 * Content only: a file is added, removed or changed by its path relative to
 * its symbolic root, its size and its SHA-256. Times, owners and file IDs
 * differ between servers and are ignored. Web-root files are YARA-scanned
 * and judged by the heuristics as in init.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "manifest.h"
#include "sweep_setup.h"

#define MANIFEST_MAX (1ull << 31)

struct entry {
	const char *key;
	size_t key_len;
	uint64_t size;
	unsigned char sha256[EXS_SHA256_LEN];
	size_t line;       /* in the manifest, for messages */
	int seen;
};

struct against_ctx {
	struct exs_cli *cli; /* first: the progress callback reads it */
	struct exs_run *run;
	struct exs_setup *setup;
	struct entry *entries;
	size_t count;
	struct exs_buf key;
	struct exs_error *err;
};

/* Keys compare as bytes, or with ASCII case folded on a case-insensitive
 * platform. The manifest's text is never folded in place: a removed file is
 * reported under the key as written, in its own case. */
static int fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int compare_keys(const char *a, size_t al, const char *b, size_t bl,
			int case_insensitive)
{
	size_t n = al < bl ? al : bl;
	for (size_t i = 0; i < n; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (case_insensitive) {
			x = fold(x);
			y = fold(y);
		}
		if (x != y)
			return x < y ? -1 : 1;
	}
	return al < bl ? -1 : al > bl;
}

static int compare_entries(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = compare_keys(a->key, a->key_len, b->key, b->key_len, 0);
	/* Equal keys in file order, so a duplicate is told the same way
	 * whatever qsort does. */
	return c ? c : a->line < b->line ? -1 : a->line > b->line;
}

static int compare_entries_folded(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = compare_keys(a->key, a->key_len, b->key, b->key_len, 1);
	return c ? c : a->line < b->line ? -1 : a->line > b->line;
}

EXS_PRINTF(4, 5)
static int manifest_fail(struct exs_error *err, const char *path,
			 size_t line, const char *fmt, ...)
{
	char where[EXS_ERROR_WHERE_MAX], detail[EXS_ERROR_DETAIL_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	/* %lu, not %zu: mingw checks formats against msvcrt's printf */
	snprintf(where, sizeof(where), "%s:%lu", path, (unsigned long)line);
	return exs_failf(err, EXS_USAGE, 0, "parse", where, "%s", detail);
}

/* Two records for one path cannot both be compared: refuse the manifest
 * rather than report one of them removed. Entries are sorted by key, then
 * line; the duplicate reported is the one that comes first in the file. */
static int refuse_duplicates(const struct against_ctx *c, const char *path,
			     int folded, struct exs_error *err)
{
	const struct entry *dup = NULL, *first = NULL;
	size_t group = 0; /* first entry of the run of equal keys */
	for (size_t i = 1; i < c->count; i++) {
		const struct entry *g = &c->entries[group], *b = &c->entries[i];
		if (compare_keys(g->key, g->key_len, b->key, b->key_len,
				 folded)) {
			group = i;
			continue;
		}
		if (!dup || b->line < dup->line) {
			dup = b;
			first = g;
		}
	}
	if (!dup)
		return EXS_OK;
	return manifest_fail(err, path, dup->line, "duplicate record for "
			     "'%.*s'%s (first at line %lu): a manifest lists "
			     "each path once", (int)(dup->key_len > 200 ? 200
						     : dup->key_len),
			     dup->key, folded ? ", names compared without case"
					      : "",
			     (unsigned long)first->line);
}

/* Reads the manifest into text (kept: entries point into it). */
static int load_manifest(struct exs_cli *cli, struct exs_buf *text,
			 struct against_ctx *c, struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	const char *path = cli->against;
	int rc = exs_cli_read_file(cli, path, "manifest", text, err);
	if (rc)
		return rc;
	if (text->len < strlen(EXS_MANIFEST_MAGIC) ||
	    memcmp(text->data, EXS_MANIFEST_MAGIC, strlen(EXS_MANIFEST_MAGIC)))
		return exs_failf(err, EXS_USAGE, 0, "read", path,
				 "not an exsweep manifest (no '%s' header)",
				 EXS_MANIFEST_MAGIC);
	/* The magic is a whole first field: "#exsweep-manifest/10" is not it. */
	size_t magic = strlen(EXS_MANIFEST_MAGIC);
	if (text->len > magic && text->data[magic] != '\t' &&
	    text->data[magic] != '\n' && text->data[magic] != '\r')
		return manifest_fail(err, path, 1, "not an exsweep manifest "
				     "of version 1 (the header is not '%s')",
				     EXS_MANIFEST_MAGIC);
	size_t cap = 0, line_no = 0;
	char *p = text->data, *end = text->data + text->len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line = p, *line_end = nl ? nl : end;
		p = nl ? nl + 1 : end;
		line_no++;
		if (line == line_end || *line == '#' ||
		    (line_end - line == 1 && *line == '\r'))
			continue;
		struct exs_manifest_record rec;
		const char *why;
		if (exs_manifest_parse_record(line, (size_t)(line_end - line),
					      plat->path_separator, &rec, &why))
			return manifest_fail(err, path, line_no,
					     "malformed manifest record: %s",
					     why);
		struct entry e;
		memset(&e, 0, sizeof(e));
		e.key = rec.key;
		e.key_len = rec.key_len;
		e.size = rec.size;
		memcpy(e.sha256, rec.sha256, EXS_SHA256_LEN);
		e.line = line_no;
		if (c->count == cap) {
			cap = cap ? cap * 2 : 1024;
			struct entry *grown = realloc(c->entries, cap * sizeof(*grown));
			if (!grown)
				return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
			c->entries = grown;
		}
		c->entries[c->count++] = e;
	}
	if (c->count > 1)
		qsort(c->entries, c->count, sizeof(*c->entries),
		      plat->case_insensitive ? compare_entries_folded
					     : compare_entries);
	return refuse_duplicates(c, path, plat->case_insensitive, err);
}

static struct entry *find(struct against_ctx *c, const char *key, size_t len)
{
	int ci = c->cli->plat->case_insensitive;
	size_t lo = 0, hi = c->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = compare_keys(c->entries[mid].key, c->entries[mid].key_len,
				       key, len, ci);
		if (cmp == 0)
			return &c->entries[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int against_collect(void *ctx, struct exs_item *item)
{
	struct against_ctx *c = ctx;
	const struct exs_platform *plat = c->cli->plat;
	int readable;
	int rc = exs_cli_collect_common(c->run, item, &readable);
	if (rc)
		return exs_fail(c->err, rc, 0, "collect", item->path);
	exs_build_scan_path(&c->run->build, item->path, item->path_len);
	if (item->kind != EXS_ITEM_FILE || !readable)
		return EXS_OK;
	exs_buf_reset(&c->key);
	if (exs_manifest_key(&c->key, &c->setup->walk_roots, item->path,
			     item->path_len, plat->path_separator,
			     plat->case_insensitive) || c->key.failed)
		return EXS_OK;
	struct entry *e = find(c, c->key.data, c->key.len);
	struct exs_finding f;
	memset(&f, 0, sizeof(f));
	f.path = item->path;
	f.path_len = item->path_len;
	f.has_new = 1;
	f.new_rec = item->rec;
	if (!e) {
		f.kind = EXS_FINDING_ADDED;
	} else {
		e->seen = 1;
		if (e->size == item->rec.st.size &&
		    memcmp(e->sha256, item->rec.sha256, EXS_SHA256_LEN) == 0)
			return EXS_OK;
		f.kind = EXS_FINDING_CHANGED;
		f.has_old = 1;
		f.old_rec.st.size = e->size;
		memcpy(f.old_rec.sha256, e->sha256, EXS_SHA256_LEN);
		f.changed = EXS_ATTR_SHA256 |
			    (e->size != item->rec.st.size ? EXS_ATTR_SIZE : 0);
	}
	int added = exs_run_add(c->run, &f);
	if (added)
		return exs_fail(c->err, added, 0, "collect", item->path);
	return EXS_OK;
}

/* A manifest path as a local one when its root is walked here, else as
 * written ("ROOT1:/x/y"). */
static int report_removed(struct against_ctx *c, const struct entry *e)
{
	const struct exs_platform *plat = c->cli->plat;
	const struct exs_strlist *roots = &c->setup->walk_roots;
	struct exs_buf path;
	exs_buf_init(&path, 1u << 20);
	const char *colon = memchr(e->key, ':', e->key_len);
	int mapped = 0;
	for (size_t i = 0; colon && i < roots->count && !mapped; i++) {
		char name[EXS_MANIFEST_NAME_MAX];
		exs_manifest_root_name(roots, i, plat->path_separator, name,
				       sizeof(name));
		size_t n = strlen(name);
		int same = n == (size_t)(colon - e->key);
		for (size_t k = 0; same && k < n; k++) {
			char a = name[k], b = e->key[k];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (char)(b - 'A' + 'a');
			same = a == b;
		}
		if (!same)
			continue;
		size_t rl = strlen(roots->items[i]);
		while (rl > 1 && roots->items[i][rl - 1] == plat->path_separator)
			rl--;
		exs_buf_append(&path, roots->items[i], rl);
		const char *rel = colon + 1;
		/* The key's '/' after the name is the separator below the
		 * root; a root such as "/" already ends with one. */
		if (rl && roots->items[i][rl - 1] == plat->path_separator)
			rel++;
		if (exs_manifest_unescape(&path, rel,
					  e->key_len - (size_t)(rel - e->key),
					  plat->path_separator) == 0)
			mapped = 1;
	}
	if (!mapped) {
		exs_buf_reset(&path);
		exs_buf_append(&path, e->key, e->key_len);
	}
	struct exs_finding f;
	memset(&f, 0, sizeof(f));
	f.kind = EXS_FINDING_REMOVED;
	f.path = path.data ? path.data : (char *)"";
	f.path_len = path.len;
	f.has_old = 1;
	f.old_rec.st.size = e->size;
	memcpy(f.old_rec.sha256, e->sha256, EXS_SHA256_LEN);
	int rc = path.failed ? EXS_NOMEM : exs_run_add(c->run, &f);
	exs_buf_free(&path);
	return rc ? exs_fail(c->err, EXS_NOMEM, 0, "collect", NULL) : EXS_OK;
}

int exs_cmd_check_against(struct exs_cli *cli)
{
	struct exs_error err;
	struct exs_run run;
	struct exs_setup st;
	struct exs_rules *rules = NULL;
	struct exs_buf text;
	struct against_ctx ctx;
	struct exs_collect *collect = NULL;
	memset(&run, 0, sizeof(run));
	memset(&st, 0, sizeof(st));
	memset(&ctx, 0, sizeof(ctx));
	exs_error_clear(&err);
	exs_buf_init(&text, MANIFEST_MAX);
	exs_buf_init(&ctx.key, 1u << 20);

	int rc = exs_cli_load_config(cli, &err);
	if (!rc)
		rc = exs_cli_load_rules(cli, 0, &run.warnings, &rules, &err);
	if (!rc)
		rc = load_manifest(cli, &text, &ctx, &err);
	if (!rc)
		rc = exs_setup_begin(cli, &st, NULL, NULL, &err);
	if (!rc)
		rc = exs_collect_begin(cli, &st.walk_roots, st.web_roots,
				       &collect, &err);
	if (rc)
		goto out;
	for (size_t i = 0; i < run.warnings.count; i++)
		exs_cli_print_text(cli, EXS_STDERR, "", run.warnings.items[i]);
	exs_cli_start_run(cli, &run, "check", rules);
	run.against = cli->against;
	ctx.cli = cli;
	ctx.run = &run;
	ctx.setup = &st;
	ctx.err = &err;
	rc = exs_setup_sweep(cli, &st, &run, EXS_SWEEP_INIT, rules, NULL,
			     against_collect, &ctx, &err);
	for (size_t i = 0; !rc && i < ctx.count; i++)
		if (!ctx.entries[i].seen)
			rc = report_removed(&ctx, &ctx.entries[i]);
out:;
	int code = rc ? exs_cli_fail(cli, &err) : exs_cli_finish(cli, &run);
	/* --collect: the findings' files into the case folder (no baseline
	 * records: the other server's manifest is not one). */
	if (!rc)
		code = exs_collect_run(cli, collect, &run, NULL, code);
	exs_collect_free(collect);
	free(ctx.entries);
	exs_buf_free(&ctx.key);
	exs_buf_free(&text);
	exs_setup_end(&st);
	exs_rules_free(rules);
	exs_run_free(&run);
	return code;
}
