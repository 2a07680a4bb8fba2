/* provenance.c -- vouched for or not: the rules of provenance.h.
 *
 * Three sources of trust, each narrow:
 *  - the reference export: a manifest, read as strictly as check --against
 *    reads one (the same record parser), sorted and looked up by its
 *    root-relative key; it vouches only for its own build;
 *  - the build's own copies: Exchange puts the build-numbered folder in
 *    several places (Owa\prem\15.x, owa\auth\15.x, ecp\15.x); a file below
 *    the new build's folder whose bytes equal the same relative path below
 *    that build's folder elsewhere is the update's own. Only on a build
 *    change: otherwise an attacker's edit of two copies would vouch for
 *    itself. Kept as 64-bit FNV-1a hashes of (build/suffix) and of the
 *    prefix plus the SHA-256: a crafted hash collision buys nothing an
 *    identical copy would not;
 *  - the signature check (exs_signed_fn), for PE images only: their bytes
 *    are compiled code, a reference match of a binary says less than a
 *    Microsoft signature, and so the design leaves them to it.
 * Whatever no source vouches for is not vouched for, with the reason.
 */
#include "provenance.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "manifest.h"
#include "path.h"
#include "rules.h"

extern const struct exs_rule_source exs_builtin_shipped_pages[];
extern const size_t exs_builtin_shipped_pages_count;

struct ref_entry {
	const char *key;
	size_t key_len;
	uint64_t size;
	unsigned char sha256[EXS_SHA256_LEN];
	size_t line;
};

struct copy_entry {
	uint64_t key;      /* FNV-1a of "BUILD/suffix" */
	uint64_t prefix;   /* FNV-1a of the folders above the build folder */
	unsigned char sha256[EXS_SHA256_LEN];
};

struct shipped {
	struct exs_pattern folder;
	char **names;      /* lower case */
	size_t count;
};

struct exs_prov {
	struct exs_prov_config cfg;
	struct shipped *shipped;
	size_t shipped_count;
	char *ref_text;
	struct ref_entry *refs;
	size_t ref_count;
	int has_ref, use_ref;
	char ref_build[32];
	struct copy_entry *copies;
	size_t copy_count, copy_cap;
	int copies_full, copies_sorted;
	struct exs_build now, base;
	int build_changed;
	char now_text[32];
	struct exs_buf key;
};

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int equal_ci(const char *a, size_t al, const char *b)
{
	size_t bl = strlen(b);
	if (al != bl)
		return 0;
	for (size_t i = 0; i < al; i++)
		if (lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

static int is_sep(const struct exs_prov *p, char c)
{
	/* '/' always: the tests' trees and mounted images spell it so on
	 * POSIX; '\\' too on Windows. */
	return c == p->cfg.sep || c == '/';
}

/* ---- The shipped pages -------------------------------------------------- */

static void free_shipped(struct shipped *s)
{
	exs_pattern_free(&s->folder);
	for (size_t i = 0; i < s->count; i++)
		free(s->names[i]);
	free(s->names);
}

/* "FOLDER-PATTERN<TAB>name,name,..." */
static int parse_shipped(struct shipped *s, char *line)
{
	char *tab = strchr(line, '\t');
	if (!tab)
		return EXS_INVAL;
	*tab = '\0';
	if (exs_pattern_compile(line, &s->folder))
		return EXS_INVAL;
	for (char *q = tab + 1; *q;) {
		size_t n = strcspn(q, ",");
		char **grown = realloc(s->names, (s->count + 1) * sizeof(*grown));
		char *name = n ? malloc(n + 1) : NULL;
		if (grown)
			s->names = grown;
		if (!grown || !name) {
			free(name);
			return n ? EXS_NOMEM : EXS_INVAL;
		}
		for (size_t i = 0; i < n; i++)
			name[i] = lower(q[i]);
		name[n] = '\0';
		s->names[s->count++] = name;
		q += n;
		if (*q == ',')
			q++;
	}
	return s->count ? EXS_OK : EXS_INVAL;
}

static int load_shipped(struct exs_prov *p, struct exs_error *err)
{
	for (size_t f = 0; f < exs_builtin_shipped_pages_count; f++) {
		const struct exs_rule_source *src = &exs_builtin_shipped_pages[f];
		const char *q = src->text, *end = src->text + src->len;
		unsigned lineno = 0;
		while (q < end) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			size_t n = nl ? (size_t)(nl - q) : (size_t)(end - q);
			char line[1024];
			lineno++;
			if (n >= sizeof(line))
				return exs_failf(err, EXS_INTERNAL, 0, "parse",
						 src->name, "line %u too long",
						 lineno);
			memcpy(line, q, n);
			line[n] = '\0';
			if (n && line[n - 1] == '\r')
				line[n - 1] = '\0';
			q += n + (nl ? 1 : 0);
			if (!line[0] || line[0] == '#')
				continue;
			struct shipped *grown = realloc(p->shipped,
				(p->shipped_count + 1) * sizeof(*grown));
			if (!grown)
				return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
			p->shipped = grown;
			struct shipped *s = &p->shipped[p->shipped_count];
			memset(s, 0, sizeof(*s));
			int rc = parse_shipped(s, line);
			if (rc) {
				free_shipped(s);
				return rc == EXS_NOMEM
					? exs_fail(err, rc, 0, "malloc", NULL)
					: exs_failf(err, EXS_INTERNAL, 0, "parse",
						    src->name, "line %u: expected "
						    "FOLDER<TAB>NAME,...", lineno);
			}
			p->shipped_count++;
		}
	}
	return EXS_OK;
}

static int is_shipped(const struct exs_prov *p, const char *path, size_t len)
{
	size_t base = len;
	while (base && !is_sep(p, path[base - 1]))
		base--;
	if (!base)
		return 0;
	const char *name = path + base;
	size_t name_len = len - base;
	for (size_t i = 0; i < p->shipped_count; i++) {
		const struct shipped *s = &p->shipped[i];
		int named = 0;
		for (size_t k = 0; k < s->count && !named; k++)
			named = equal_ci(name, name_len, s->names[k]);
		if (named && exs_pattern_match(&s->folder, path, base - 1,
					       p->cfg.sep))
			return 1;
	}
	return 0;
}

/* ---- Opening ------------------------------------------------------------ */

int exs_prov_open(struct exs_prov **out, const struct exs_prov_config *cfg,
		  struct exs_error *err)
{
	struct exs_prov *p = calloc(1, sizeof(*p));
	if (!p) {
		/* The context owns signed_ctx from here on, failing or not. */
		if (cfg->signed_free)
			cfg->signed_free(cfg->signed_ctx);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	}
	p->cfg = *cfg;
	exs_buf_init(&p->key, 1u << 20);
	int rc = load_shipped(p, err);
	if (rc) {
		exs_prov_free(p);
		return rc;
	}
	*out = p;
	return EXS_OK;
}

void *exs_prov_signed_ctx(struct exs_prov *p)
{
	return p ? p->cfg.signed_ctx : NULL;
}

void exs_prov_free(struct exs_prov *p)
{
	if (!p)
		return;
	if (p->cfg.signed_free)
		p->cfg.signed_free(p->cfg.signed_ctx);
	for (size_t i = 0; i < p->shipped_count; i++)
		free_shipped(&p->shipped[i]);
	free(p->shipped);
	free(p->ref_text);
	free(p->refs);
	free(p->copies);
	exs_buf_free(&p->key);
	free(p);
}

/* ---- The reference ------------------------------------------------------ */

static int compare_keys(const char *a, size_t al, const char *b, size_t bl,
			int fold)
{
	size_t n = al < bl ? al : bl;
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (fold) {
			x = (unsigned char)lower((char)x);
			y = (unsigned char)lower((char)y);
		}
		if (x != y)
			return x < y ? -1 : 1;
	}
	return al < bl ? -1 : al > bl;
}

static int fold_for_sort; /* qsort has no context; one sort at a time */

static int compare_refs(const void *pa, const void *pb)
{
	const struct ref_entry *a = pa, *b = pb;
	int c = compare_keys(a->key, a->key_len, b->key, b->key_len,
			     fold_for_sort);
	return c ? c : a->line < b->line ? -1 : a->line > b->line;
}

static int ref_fail(struct exs_error *err, const char *name, size_t line,
		    const char *why, const char *what)
{
	char where[EXS_ERROR_WHERE_MAX];
	/* %lu: mingw checks formats against msvcrt's printf */
	snprintf(where, sizeof(where), "%s:%lu", name, (unsigned long)line);
	return exs_failf(err, EXS_USAGE, 0, "parse", where,
			 "%s reference manifest%s%s", why, what ? ": " : "",
			 what ? what : "");
}

/* The header's "exchange_build=" field, if any, into p->ref_build. */
static void header_build(struct exs_prov *p, const char *line, size_t len)
{
	static const char field[] = "\texchange_build=";
	size_t fl = sizeof(field) - 1;
	for (size_t i = 0; i + fl <= len; i++) {
		if (memcmp(line + i, field, fl) != 0)
			continue;
		size_t v = i + fl, e = v;
		while (e < len && line[e] != '\t' && line[e] != '\r')
			e++;
		struct exs_build b;
		if (exs_build_parse(line + v, e - v, &b) == 0)
			exs_build_format(&b, p->ref_build, sizeof(p->ref_build));
		return;
	}
}

int exs_prov_load_reference(struct exs_prov *p, const char *name,
			    const char *text, size_t len,
			    struct exs_error *err)
{
	size_t magic = strlen(EXS_MANIFEST_MAGIC);
	if (len < magic || memcmp(text, EXS_MANIFEST_MAGIC, magic) != 0 ||
	    (len > magic && text[magic] != '\t' && text[magic] != '\n' &&
	     text[magic] != '\r'))
		return ref_fail(err, name, 1, "not an exsweep", "no '"
				EXS_MANIFEST_MAGIC "' header");
	free(p->ref_text);
	free(p->refs);
	p->refs = NULL;
	p->ref_count = 0;
	p->ref_build[0] = '\0';
	p->ref_text = malloc(len ? len : 1);
	if (!p->ref_text)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", name);
	memcpy(p->ref_text, text, len);
	size_t cap = 0, line_no = 0;
	const char *q = p->ref_text, *end = p->ref_text + len;
	while (q < end) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		const char *line = q, *line_end = nl ? nl : end;
		q = nl ? nl + 1 : end;
		line_no++;
		if (line_no == 1)
			header_build(p, line, (size_t)(line_end - line));
		if (line == line_end || *line == '#' ||
		    (line_end - line == 1 && *line == '\r'))
			continue;
		struct exs_manifest_record rec;
		const char *why;
		if (exs_manifest_parse_record(line, (size_t)(line_end - line),
					      p->cfg.sep, &rec, &why))
			return ref_fail(err, name, line_no, "malformed record "
					"in the", why);
		if (p->ref_count == EXS_PROV_REFERENCE_MAX)
			return ref_fail(err, name, line_no, "too many records "
					"in the", NULL);
		if (p->ref_count == cap) {
			cap = cap ? cap * 2 : 1024;
			struct ref_entry *grown = realloc(p->refs,
							  cap * sizeof(*grown));
			if (!grown)
				return exs_fail(err, EXS_NOMEM, 0, "malloc", name);
			p->refs = grown;
		}
		struct ref_entry *e = &p->refs[p->ref_count++];
		e->key = rec.key;
		e->key_len = rec.key_len;
		e->size = rec.size;
		memcpy(e->sha256, rec.sha256, EXS_SHA256_LEN);
		e->line = line_no;
	}
	fold_for_sort = p->cfg.case_insensitive;
	if (p->ref_count > 1)
		qsort(p->refs, p->ref_count, sizeof(*p->refs), compare_refs);
	/* One record per path, as check --against demands: a second one
	 * would shadow the first. */
	for (size_t i = 1; i < p->ref_count; i++) {
		const struct ref_entry *a = &p->refs[i - 1], *b = &p->refs[i];
		if (compare_keys(a->key, a->key_len, b->key, b->key_len,
				 p->cfg.case_insensitive) == 0)
			return ref_fail(err, name, b->line, "a path listed twice "
					"in the", "a manifest lists each path "
					"once");
	}
	p->has_ref = p->use_ref = 1;
	return EXS_OK;
}

const char *exs_prov_reference_build(const struct exs_prov *p)
{
	return p->ref_build;
}

size_t exs_prov_reference_count(const struct exs_prov *p)
{
	return p->has_ref ? p->ref_count : 0;
}

void exs_prov_use_reference(struct exs_prov *p, int use)
{
	p->use_ref = p->has_ref && use;
}

static const struct ref_entry *ref_find(const struct exs_prov *p,
					const char *key, size_t len)
{
	size_t lo = 0, hi = p->ref_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = compare_keys(p->refs[mid].key, p->refs[mid].key_len, key,
				     len, p->cfg.case_insensitive);
		if (c == 0)
			return &p->refs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- The build's own copies --------------------------------------------- */

static uint64_t fnv(uint64_t h, const char *s, size_t n, int fold)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)(fold ? lower(s[i]) : s[i]);
		h *= 1099511628211ull;
	}
	return h;
}

#define FNV_BASIS 14695981039346656037ull

/* The first component of path that names a build ("15.2.1258.12"):
 * [*start, *end). 0 when there is none. */
static int build_component(const struct exs_prov *p, const char *path,
			   size_t len, size_t *start, size_t *end)
{
	size_t s = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && !is_sep(p, path[i]))
			continue;
		struct exs_build b;
		if (i - s >= 9 && path[s] == '1' && path[s + 1] == '5' &&
		    exs_build_parse(path + s, i - s, &b) == 0 && i < len) {
			*start = s;
			*end = i;
			return 1;
		}
		s = i + 1;
	}
	return 0;
}

/* The entry of a path below a build folder: "BUILD/suffix" and the
 * prefix, hashed; separators of either kind hash as '/'. */
static int copy_entry_of(const struct exs_prov *p, const char *path,
			 size_t len, struct copy_entry *e, size_t *bstart,
			 size_t *bend)
{
	if (!build_component(p, path, len, bstart, bend))
		return 0;
	int fold = p->cfg.case_insensitive;
	e->prefix = fnv(FNV_BASIS, path, *bstart, fold);
	uint64_t h = FNV_BASIS;
	for (size_t i = *bstart; i < len; i++) {
		char c = is_sep(p, path[i]) ? '/' : path[i];
		h = fnv(h, &c, 1, fold);
	}
	e->key = h;
	return 1;
}

int exs_prov_see(struct exs_prov *p, const char *path, size_t len,
		 const unsigned char sha256[32])
{
	struct copy_entry e;
	size_t bs, be;
	if (p->copies_full || !copy_entry_of(p, path, len, &e, &bs, &be))
		return EXS_OK;
	if (p->copy_count == EXS_PROV_COPIES_MAX) {
		p->copies_full = 1;
		return EXS_OK;
	}
	if (p->copy_count == p->copy_cap) {
		size_t cap = p->copy_cap ? p->copy_cap * 2 : 1024;
		struct copy_entry *grown = realloc(p->copies, cap * sizeof(*grown));
		if (!grown)
			return EXS_NOMEM;
		p->copies = grown;
		p->copy_cap = cap;
	}
	memcpy(e.sha256, sha256, EXS_SHA256_LEN);
	p->copies[p->copy_count++] = e;
	p->copies_sorted = 0;
	return EXS_OK;
}

static int compare_copies(const void *pa, const void *pb)
{
	const struct copy_entry *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	int c = memcmp(a->sha256, b->sha256, EXS_SHA256_LEN);
	if (c)
		return c;
	return a->prefix < b->prefix ? -1 : a->prefix > b->prefix;
}

void exs_prov_seal_walk(struct exs_prov *p, const struct exs_build *now,
			const struct exs_build *base)
{
	p->now = *now;
	p->base = *base;
	p->build_changed = now->found && base->found &&
			   exs_build_compare(now, base) > 0;
	exs_build_format(now, p->now_text, sizeof(p->now_text));
	if (p->copy_count > 1 && !p->copies_sorted)
		qsort(p->copies, p->copy_count, sizeof(*p->copies),
		      compare_copies);
	p->copies_sorted = 1;
}

/* 1 when path lies below the new build's folder and the same relative
 * path below that build's folder elsewhere holds the same bytes. */
static int build_copy(const struct exs_prov *p, const struct exs_finding *f)
{
	struct copy_entry e;
	size_t bs, be;
	if (!p->build_changed || !p->copies_sorted ||
	    !copy_entry_of(p, f->path, f->path_len, &e, &bs, &be) ||
	    !equal_ci(f->path + bs, be - bs, p->now_text))
		return 0;
	memcpy(e.sha256, f->new_rec.sha256, EXS_SHA256_LEN);
	/* The first entry with this key and these bytes, then every prefix. */
	size_t lo = 0, hi = p->copy_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct copy_entry *m = &p->copies[mid];
		int c = m->key != e.key ? (m->key < e.key ? -1 : 1)
					: memcmp(m->sha256, e.sha256,
						 EXS_SHA256_LEN);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < p->copy_count; i++) {
		const struct copy_entry *m = &p->copies[i];
		if (m->key != e.key || memcmp(m->sha256, e.sha256,
					      EXS_SHA256_LEN) != 0)
			break;
		if (m->prefix != e.prefix)
			return 1;
	}
	return 0;
}

/* ---- Deciding ----------------------------------------------------------- */

static const char *extension(const struct exs_prov *p, const char *path,
			     size_t len, size_t *ext_len)
{
	size_t i = len;
	while (i && path[i - 1] != '.' && !is_sep(p, path[i - 1]))
		i--;
	if (!i || path[i - 1] != '.') {
		*ext_len = 0;
		return path + len;
	}
	*ext_len = len - i;
	return path + i;
}

int exs_prov_is_image(const char *path, size_t len)
{
	static const char *const images[] = { "dll", "exe", "sys", "ocx",
		"cpl", "drv", "scr", "efi", NULL };
	size_t i = len;
	while (i && path[i - 1] != '.' && path[i - 1] != '/' &&
	       path[i - 1] != '\\')
		i--;
	if (!i || path[i - 1] != '.')
		return 0;
	for (size_t k = 0; images[k]; k++)
		if (equal_ci(path + i, len - i, images[k]))
			return 1;
	return 0;
}

static int in_web_root(const struct exs_prov *p, const char *path, size_t len)
{
	const struct exs_strlist *w = p->cfg.web_roots;
	for (size_t i = 0; w && i < w->count; i++)
		if (exs_path_within(path, len, w->items[i], strlen(w->items[i]),
				    p->cfg.sep, p->cfg.case_insensitive))
			return 1;
	return 0;
}

/* The folder directly holding path is named "auth". */
static int in_auth_folder(const struct exs_prov *p, const char *path,
			  size_t len)
{
	size_t e = len;
	while (e && !is_sep(p, path[e - 1]))
		e--;
	if (!e)
		return 0;
	size_t s = --e;
	while (s && !is_sep(p, path[s - 1]))
		s--;
	return equal_ci(path + s, e - s, "auth");
}

static void set(struct exs_finding *f, unsigned why)
{
	f->prov.why = (unsigned char)why;
	f->prov.vouch = exs_prov_why_vouches(why) ? EXS_VOUCH_YES : EXS_VOUCH_NO;
}

int exs_prov_decide(struct exs_prov *p, struct exs_finding *f)
{
	memset(&f->prov, 0, sizeof(f->prov));
	if (f->kind != EXS_FINDING_ADDED && f->kind != EXS_FINDING_CHANGED &&
	    f->kind != EXS_FINDING_REMOVED)
		return EXS_OK;
	f->prov.shipped = (unsigned char)is_shipped(p, f->path, f->path_len);
	f->prov.emphasis = f->prov.shipped && !p->build_changed;
	const struct ref_entry *ref = NULL;
	int ref_usable = p->use_ref;
	if (ref_usable) {
		exs_buf_reset(&p->key);
		if (exs_manifest_key(&p->key, p->cfg.walk_roots, f->path,
				     f->path_len, p->cfg.sep,
				     p->cfg.case_insensitive) == 0) {
			if (p->key.failed)
				return EXS_NOMEM;
			ref = ref_find(p, p->key.data, p->key.len);
		}
	}
	if (f->kind == EXS_FINDING_REMOVED) {
		set(f, !ref_usable ? EXS_WHY_NO_REFERENCE
			: ref ? EXS_WHY_KEPT_IN_REFERENCE
			      : EXS_WHY_GONE_IN_REFERENCE);
		return EXS_OK;
	}
	size_t ext_len;
	const char *ext = extension(p, f->path, f->path_len, &ext_len);
	if ((equal_ci(ext, ext_len, "txt") || equal_ci(ext, ext_len, "log")) &&
	    in_web_root(p, f->path, f->path_len)) {
		set(f, EXS_WHY_TEXT_IN_WEB);
		return EXS_OK;
	}
	if (f->kind == EXS_FINDING_ADDED &&
	    in_auth_folder(p, f->path, f->path_len)) {
		set(f, EXS_WHY_NEW_IN_AUTH);
		return EXS_OK;
	}
	if (exs_prov_is_image(f->path, f->path_len)) {
		int s = -1;
		if (p->cfg.signed_fn)
			s = p->cfg.signed_fn(p->cfg.signed_ctx, f, f->prov.signer,
					     sizeof(f->prov.signer));
		f->prov.signer[sizeof(f->prov.signer) - 1] = '\0';
		if (s != 1)
			f->prov.signer[0] = '\0';
		set(f, s == 1 ? EXS_WHY_SIGNED : s == 0 ? EXS_WHY_NOT_SIGNED
							: EXS_WHY_SIGNATURE_UNKNOWN);
		return EXS_OK;
	}
	if (ref) {
		int same = ref->size == f->new_rec.st.size &&
			   memcmp(ref->sha256, f->new_rec.sha256,
				  EXS_SHA256_LEN) == 0;
		set(f, same ? EXS_WHY_REFERENCE : EXS_WHY_DIFFERS);
		return EXS_OK;
	}
	if (build_copy(p, f)) {
		set(f, EXS_WHY_BUILD_COPY);
		return EXS_OK;
	}
	set(f, ref_usable ? EXS_WHY_NOT_IN_REFERENCE : EXS_WHY_NO_REFERENCE);
	return EXS_OK;
}

/* ---- Names -------------------------------------------------------------- */

static const struct {
	const char *name, *text;
	int vouches;
} whys[EXS_WHY_COUNT] = {
	[EXS_WHY_NONE] = { "none", "not judged", 0 },
	[EXS_WHY_REFERENCE] = { "reference",
		"identical to the reference export's file", 1 },
	[EXS_WHY_BUILD_COPY] = { "build_copy",
		"identical to its copy in the new build's other folders", 1 },
	[EXS_WHY_SIGNED] = { "signature",
		"validly signed by a vouched signer", 1 },
	[EXS_WHY_GONE_IN_REFERENCE] = { "removed_in_reference",
		"removed here and absent from the reference export too", 1 },
	[EXS_WHY_SIGNATURE_UNKNOWN] = { "signature_unknown",
		"PE image whose signature is not checked", 0 },
	[EXS_WHY_NOT_SIGNED] = { "not_signed",
		"PE image not signed by a vouched signer", 0 },
	[EXS_WHY_DIFFERS] = { "differs_from_reference",
		"differs from the reference export's file", 0 },
	[EXS_WHY_NOT_IN_REFERENCE] = { "not_in_reference",
		"not in the reference export", 0 },
	[EXS_WHY_NO_REFERENCE] = { "no_reference",
		"no reference export to compare with", 0 },
	[EXS_WHY_NEW_IN_AUTH] = { "new_in_auth_folder",
		"a new file in an auth folder", 0 },
	[EXS_WHY_TEXT_IN_WEB] = { "text_in_web_folder",
		"a .txt or .log file in a web folder", 0 },
	[EXS_WHY_KEPT_IN_REFERENCE] = { "still_in_reference",
		"removed, but the reference export has it", 0 },
};

const char *exs_prov_why_name(unsigned why)
{
	return why < EXS_WHY_COUNT ? whys[why].name : "unknown";
}

const char *exs_prov_why_text(unsigned why)
{
	return why < EXS_WHY_COUNT ? whys[why].text : "unknown";
}

int exs_prov_why_vouches(unsigned why)
{
	return why < EXS_WHY_COUNT && whys[why].vouches;
}
