/* heuristics.c -- location and content heuristics (see heuristics.h).
 *
 * The content checks are plain case-insensitive substring searches over a
 * buffer already in memory: they cost a few passes over files that are
 * small by nature (web pages) and never run on what YARA did not scan.
 */
#include "heuristics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct location {
	struct exs_pattern folder;
	char **allowed;   /* lowercase names */
	size_t allowed_count;
};

struct exs_heuristics {
	char sep;
	struct location *locations;
	size_t count;
};

static const char *const script_extensions[] = {
	"aspx", "ashx", "asmx", "asp", "asa", "asax", "cer", "cshtml",
	"vbhtml", "svc", "soap", "cdx", "xamlx", NULL,
};

/* Extensions that promise data, never server code. Not .js: client-side
 * templates legitimately contain "<%=". */
static const char *const data_extensions[] = {
	"png", "gif", "jpg", "jpeg", "bmp", "ico", "tif", "tiff", "webp",
	"log", "txt", "css", NULL,
};

static int in_list(const char *const *list, const char *ext)
{
	for (; *list; list++)
		if (strcmp(*list, ext) == 0)
			return 1;
	return 0;
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* ---- The location table ------------------------------------------------ */

static void free_location(struct location *l)
{
	exs_pattern_free(&l->folder);
	for (size_t i = 0; i < l->allowed_count; i++)
		free(l->allowed[i]);
	free(l->allowed);
}

void exs_heuristics_free(struct exs_heuristics *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->count; i++)
		free_location(&h->locations[i]);
	free(h->locations);
	free(h);
}

static int parse_line(struct location *l, char *line)
{
	char *tab = strchr(line, '\t');
	if (!tab)
		return EXS_INVAL;
	*tab = '\0';
	char *names = tab + 1;
	if (exs_pattern_compile(line, &l->folder))
		return EXS_INVAL;
	if (strcmp(names, "-") == 0)
		return EXS_OK;
	for (char *p = names; *p;) {
		size_t n = strcspn(p, ",");
		char **grown = realloc(l->allowed,
				       (l->allowed_count + 1) * sizeof(char *));
		char *name = malloc(n + 1);
		if (!grown || !name) {
			free(name);
			if (grown)
				l->allowed = grown;
			return EXS_NOMEM;
		}
		l->allowed = grown;
		for (size_t i = 0; i < n; i++)
			name[i] = lower(p[i]);
		name[n] = '\0';
		l->allowed[l->allowed_count++] = name;
		p += n;
		if (*p == ',')
			p++;
	}
	return EXS_OK;
}

int exs_heuristics_load(char sep, struct exs_heuristics **out,
			struct exs_error *err)
{
	struct exs_heuristics *h = calloc(1, sizeof(*h));
	if (!h)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	h->sep = sep;
	for (size_t f = 0; f < exs_builtin_locations_count; f++) {
		const struct exs_rule_source *src = &exs_builtin_locations[f];
		const char *p = src->text, *end = src->text + src->len;
		unsigned lineno = 0;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			lineno++;
			char line[1024];
			if (n >= sizeof(line))
				n = sizeof(line) - 1;
			memcpy(line, p, n);
			line[n] = '\0';
			if (n && line[n - 1] == '\r')
				line[n - 1] = '\0';
			p += n + (nl ? 1 : 0);
			if (!line[0] || line[0] == '#')
				continue;
			struct location *grown = realloc(h->locations,
				(h->count + 1) * sizeof(*grown));
			if (!grown) {
				exs_heuristics_free(h);
				return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
			}
			h->locations = grown;
			struct location *l = &h->locations[h->count];
			memset(l, 0, sizeof(*l));
			int rc = parse_line(l, line);
			if (rc) {
				free_location(l);
				exs_heuristics_free(h);
				char where[256];
				snprintf(where, sizeof(where), "%s:%u", src->name, lineno);
				return exs_failf(err, EXS_RULES, 0, "parse", where,
						 "expected 'FOLDER<TAB>NAMES'");
			}
			h->count++;
		}
	}
	*out = h;
	return EXS_OK;
}

/* ---- Searching ------------------------------------------------------------ */

/* First case-insensitive occurrence of needle (lowercase) in [p, end). */
static const unsigned char *find_ci(const unsigned char *p,
				    const unsigned char *end, const char *needle)
{
	size_t n = strlen(needle);
	if ((size_t)(end - p) < n)
		return NULL;
	const unsigned char *last = end - n;
	char first = needle[0];
	char upper = (first >= 'a' && first <= 'z') ? (char)(first - 32) : first;
	for (; p <= last; p++) {
		const unsigned char *a = memchr(p, first, (size_t)(last - p) + 1);
		const unsigned char *b = upper != first
			? memchr(p, upper, (size_t)(last - p) + 1) : NULL;
		const unsigned char *c = !a ? b : !b ? a : (a < b ? a : b);
		if (!c)
			return NULL;
		size_t i = 1;
		while (i < n && lower((char)c[i]) == needle[i])
			i++;
		if (i == n)
			return c;
		p = c;
	}
	return NULL;
}

static const unsigned char *skip_space(const unsigned char *p,
				       const unsigned char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

struct marker {
	size_t offset, length;
	const char *id;
};

/* Server-side script: a page directive, a server <script> block, or a code
 * block that reads the request or evaluates. */
static int find_server_script(const unsigned char *d, size_t len,
			      struct marker *m)
{
	const unsigned char *end = d + len;
	static const char *const directives[] = {
		"page", "webhandler", "webservice", "import", "assembly",
		"language", "control", NULL,
	};
	for (const unsigned char *p = d; (p = find_ci(p, end, "<%@")) != NULL; p++) {
		const unsigned char *q = skip_space(p + 3, end);
		for (size_t i = 0; directives[i]; i++) {
			size_t n = strlen(directives[i]);
			if ((size_t)(end - q) >= n && find_ci(q, q + n, directives[i]) == q) {
				*m = (struct marker){ (size_t)(p - d),
						      (size_t)(q + n - p), "$directive" };
				return 1;
			}
		}
	}
	for (const unsigned char *p = d; (p = find_ci(p, end, "<script")) != NULL; p++) {
		const unsigned char *lim = end - p > 120 ? p + 120 : end;
		const unsigned char *r = find_ci(p, lim, "runat");
		if (r && find_ci(r, lim, "server")) {
			*m = (struct marker){ (size_t)(p - d), (size_t)(r - p) + 5,
					      "$server_script" };
			return 1;
		}
	}
	static const char *const code[] = { "request", "eval", "execute", NULL };
	for (const unsigned char *p = d; (p = find_ci(p, end, "<%")) != NULL; p++) {
		const unsigned char *lim = end - p > 80 ? p + 80 : end;
		for (size_t i = 0; code[i]; i++) {
			const unsigned char *c = find_ci(p + 2, lim, code[i]);
			if (c) {
				*m = (struct marker){ (size_t)(p - d),
						      (size_t)(c - p) + strlen(code[i]),
						      "$code_block" };
				return 1;
			}
		}
	}
	return 0;
}

/* A dynamic evaluation that is not data binding ("<%# Eval(...)"). */
static int find_eval_sink(const unsigned char *d, size_t len, struct marker *m)
{
	static const char *const sinks[] = {
		"eval(", "eval (", "execute(", "execute ", "executeglobal", ".invoke(",
		"assembly.load", "compileassemblyfromsource", NULL,
	};
	const unsigned char *end = d + len;
	for (size_t i = 0; sinks[i]; i++) {
		for (const unsigned char *p = d; (p = find_ci(p, end, sinks[i])) != NULL; p++) {
			/* eval/execute must be the language's own, not a
			 * method of an object (conn.Execute(sql) runs SQL)
			 * nor part of a longer name (myEval). */
			if (sinks[i][0] != '.' && p > d) {
				unsigned char prev = p[-1];
				if (prev == '.' || prev == '_' ||
				    (prev >= '0' && prev <= '9') ||
				    ((prev | 0x20) >= 'a' && (prev | 0x20) <= 'z'))
					continue;
			}
			const unsigned char *back = p;
			int binding = 0;
			for (int k = 0; k < 8 && back > d; k++) {
				back--;
				if (*back == '#') {
					binding = 1;
					break;
				}
				if (*back != ' ' && *back != '%' && *back != '<')
					break;
			}
			if (binding)
				continue;
			*m = (struct marker){ (size_t)(p - d), strlen(sinks[i]), "$sink" };
			return 1;
		}
	}
	return 0;
}

/* ---- Judging ------------------------------------------------------------ */

static struct exs_hit *new_hit(struct exs_hit **hits, size_t *count,
			       const char *name, const char *description)
{
	struct exs_hit *grown = realloc(*hits, (*count + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	*hits = grown;
	struct exs_hit *h = &grown[(*count)++];
	memset(h, 0, sizeof(*h));
	snprintf(h->rule, sizeof(h->rule), "%s", name);
	snprintf(h->ns, sizeof(h->ns), "heuristic");
	snprintf(h->description, sizeof(h->description), "%s", description);
	snprintf(h->family, sizeof(h->family), "heuristic");
	snprintf(h->severity, sizeof(h->severity), "medium");
	return h;
}

static void add_string(struct exs_hit *h, const struct marker *m,
		       const unsigned char *data, size_t len)
{
	if (h->string_count == EXS_HIT_STRINGS_MAX)
		return;
	struct exs_hit_string *s = &h->strings[h->string_count++];
	snprintf(s->id, sizeof(s->id), "%s", m->id);
	s->offset = m->offset;
	s->length = (uint32_t)m->length;
	size_t n = len - m->offset < EXS_EXCERPT_MAX ? len - m->offset
						      : EXS_EXCERPT_MAX;
	memcpy(s->excerpt, data + m->offset, n);
	s->excerpt_len = (uint32_t)n;
}

static int location_allows(const struct location *l, const char *base,
			   size_t base_len)
{
	for (size_t i = 0; i < l->allowed_count; i++) {
		const char *a = l->allowed[i];
		if (strlen(a) != base_len)
			continue;
		size_t k = 0;
		while (k < base_len && lower(base[k]) == a[k])
			k++;
		if (k == base_len)
			return 1;
	}
	return 0;
}

int exs_heuristics_check(const struct exs_heuristics *h, const char *path,
			 size_t path_len, const unsigned char *data,
			 size_t len, struct exs_hit **hits, size_t *count)
{
	size_t base_len;
	const char *base = exs_path_basename(path, path_len, h->sep, &base_len);
	char ext[16];
	exs_path_extension(base, base_len, ext, sizeof(ext));
	size_t folder_len = (size_t)(base - path);
	if (folder_len)
		folder_len--; /* drop the separator */
	int is_script = in_list(script_extensions, ext);

	if (is_script) {
		for (size_t i = 0; i < h->count; i++) {
			const struct location *l = &h->locations[i];
			if (!exs_pattern_match(&l->folder, path, folder_len, h->sep) ||
			    location_allows(l, base, base_len))
				continue;
			if (!new_hit(hits, count, "location.unexpected_script",
				     "server-side script in a web folder that "
				     "holds none (or only known pages) on a "
				     "clean Exchange server"))
				return EXS_NOMEM;
			break;
		}
	}
	if (!data)
		return EXS_OK;
	struct marker script, sink;
	if (in_list(data_extensions, ext) && find_server_script(data, len, &script)) {
		struct exs_hit *hit = new_hit(hits, count, "content.script_in_data",
			"server-side script inside a file whose extension says "
			"image, log, text or style");
		if (!hit)
			return EXS_NOMEM;
		add_string(hit, &script, data, len);
	}
	if (is_script && len <= 2048 && find_server_script(data, len, &script) &&
	    find_eval_sink(data, len, &sink)) {
		struct marker req;
		const unsigned char *r = find_ci(data, data + len, "request");
		if (r) {
			req = (struct marker){ (size_t)(r - data), 7, "$request" };
			struct exs_hit *hit = new_hit(hits, count,
				"content.tiny_eval_page",
				"tiny server page whose code evaluates request "
				"data dynamically");
			if (!hit)
				return EXS_NOMEM;
			add_string(hit, &script, data, len);
			add_string(hit, &req, data, len);
			add_string(hit, &sink, data, len);
		}
	}
	return EXS_OK;
}
