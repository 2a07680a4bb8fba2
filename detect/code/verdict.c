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
	/* Every string quotes the file's own bytes (the sandboxed worker's
	 * replies are checked against them); the de-obfuscated text is part of
	 * the explanation instead. */
	if (f->deobfuscated && f->normalised[0]) {
		size_t used = strlen(h->description);
		snprintf(h->description + used, sizeof(h->description) - used,
			 "; normalised: %s", f->normalised);
	}
	return 0;
}

/* The rendered line holding offset off of the view. */
static size_t view_line(const struct exs_code_view *v, uint64_t off)
{
	size_t line = 0;
	for (uint64_t i = 0; i < off && i < v->len; i++)
		line += v->text[i] == '\n';
	return line < v->line_count ? line : v->line_count - 1;
}

/* YARA over the normalised view; new rules only. */
static int scan_view(struct exs_scanner *scanner, const char *path, size_t path_len,
		     const struct exs_code_view *v, const unsigned char *data,
		     size_t len, struct exs_hit **webshell, size_t *webshell_count)
{
	size_t base = 0;
	for (size_t i = 0; i < path_len; i++)
		if (path[i] == '/' || path[i] == '\\')
			base = i + 1;
	char name[256], full[1024], ext[32] = "";
	snprintf(name, sizeof(name), "%.*s", (int)(path_len - base), path + base);
	snprintf(full, sizeof(full), "%.*s", (int)path_len, path);
	const char *dot = strrchr(name, '.');
	if (dot)
		snprintf(ext, sizeof(ext), "%s", dot);
	struct exs_scan_vars vars = { name, full, ext, "", "" };
	struct exs_hit *hits = NULL;
	size_t count = 0;
	struct exs_error err;
	memset(&err, 0, sizeof(err));
	/* The view is code taken out of its blocks: the built-in rules
	 * without their marker gate (rules.h, EXS_RULESET_VIEW). */
	if (exs_scanner_scan_sets(scanner, EXS_RULESETS_VIEW,
				  (const unsigned char *)v->text, v->len, &vars,
				  &hits, &count, &err) != EXS_OK) {
		free(hits);
		return 0; /* the raw scan's verdict stands */
	}
	for (size_t i = 0; i < count; i++) {
		struct exs_hit *h = &hits[i];
		int known = 0;
		for (size_t k = 0; k < *webshell_count && !known; k++)
			known = strcmp((*webshell)[k].rule, h->rule) == 0;
		if (known)
			continue;
		struct exs_hit *grown = realloc(*webshell, (*webshell_count + 1) * sizeof(*grown));
		if (!grown) {
			free(hits);
			return -1;
		}
		*webshell = grown;
		size_t first = h->string_count ? view_line(v, h->strings[0].offset) : 0;
		char desc[sizeof(h->description)];
		if (h->string_count)
			snprintf(desc, sizeof(desc), "in the normalised code (line %u, "
				 "%s \"%.*s\"): %s", v->lines[first], h->strings[0].id,
				 (int)h->strings[0].excerpt_len,
				 (const char *)h->strings[0].excerpt, h->description);
		else
			snprintf(desc, sizeof(desc), "in the normalised code (line %u): %s",
				 v->lines[first], h->description);
		snprintf(h->description, sizeof(h->description), "%s", desc);
		snprintf(h->ns, sizeof(h->ns), "normalised");
		/* Each string points at the start of its original line and
		 * quotes the file's bytes there, not the normalised text. */
		for (unsigned s = 0; s < h->string_count; s++) {
			struct exs_hit_string *hs = &h->strings[s];
			hs->offset = v->offsets[view_line(v, hs->offset)];
			const unsigned char *p;
			size_t n = excerpt(data, len, hs->offset, &p);
			if (n > EXS_EXCERPT_MAX)
				n = EXS_EXCERPT_MAX;
			memcpy(hs->excerpt, p, n);
			hs->excerpt_len = (uint32_t)n;
			hs->length = (uint32_t)n;
		}
		grown[(*webshell_count)++] = *h;
	}
	free(hits);
	return 0;
}

int exs_code_check(const char *path, size_t path_len, const unsigned char *data,
		   size_t len, struct exs_scanner *scanner,
		   struct exs_hit **webshell, size_t *webshell_count,
		   struct exs_hit **suspicious, size_t *suspicious_count)
{
	struct exs_code_result r;
	int rc = scanner ? exs_code_analyse_view(data, len, path, path_len, &r)
			 : exs_code_analyse(data, len, path, path_len, &r);
	for (unsigned i = 0; i < r.count && rc == 0; i++) {
		const struct exs_code_finding *f = &r.findings[i];
		if (f->severity == EXS_CODE_WEBSHELL
			    ? push(webshell, webshell_count, f, data, len)
			    : push(suspicious, suspicious_count, f, data, len))
			rc = -1;
	}
	if (rc == 0 && scanner && r.view.text && r.view.line_count &&
	    scan_view(scanner, path, path_len, &r.view, data, len, webshell,
		      webshell_count))
		rc = -1;
	exs_code_result_free(&r);
	return rc;
}
