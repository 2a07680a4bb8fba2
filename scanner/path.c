/* path.c -- spelling, joining, containment and exclude patterns (path.h).
 *
 * Pattern matching works on components, never across separators, so "*.log"
 * cannot match "a/b.log" by accident and "**" is the only way to span
 * folders. Matching simulates the pattern as an NFA over the components
 * (see pattern_match), linear in the depth of the path.
 */
#include "path.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

static int is_sep(char c) { return c == '/' || c == '\\'; }

static char fold(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* ---- Spelling ----------------------------------------------------------- */

static int is_one_of(const char *seps, char c)
{
	return c != '\0' && strchr(seps, c) != NULL;
}

size_t exs_path_normalise(const char *in, size_t len, const char *seps,
			  char sep, int drives, char *out)
{
	size_t o = 0, i = 0;
	if (drives && len >= 2 && is_one_of(seps, in[0]) &&
	    is_one_of(seps, in[1])) {
		out[o++] = sep; /* \\server\share, \\?\ verbatim, \\.\ device */
		out[o++] = sep;
		i = 2;
	} else if (len >= 1 && is_one_of(seps, in[0])) {
		out[o++] = sep;
		i = 1;
	}
	size_t root_end = o;
	int first = 1;
	while (i < len) {
		while (i < len && is_one_of(seps, in[i]))
			i++;
		size_t start = i;
		while (i < len && !is_one_of(seps, in[i]))
			i++;
		size_t n = i - start;
		if (n == 0)
			break;
		/* "." names nothing, except the device namespace's \\.\. */
		int keep_dot = first && root_end == 2;
		first = 0;
		if (n == 1 && in[start] == '.' && !keep_dot)
			continue;
		if (o > root_end)
			out[o++] = sep;
		memcpy(out + o, in + start, n);
		o += n;
	}
	/* "C:\" is the root of drive C; "C:" alone its current folder. */
	if (drives && root_end == 0 && o == 2 && out[1] == ':' && len > 2 &&
	    is_one_of(seps, in[2]))
		out[o++] = sep;
	if (o == 0 && len > 0)
		out[o++] = '.';
	out[o] = '\0';
	return o;
}

/* Room for what path_spelling may make of a path: absolute, and as long as
 * the platform allows (Win32: 32767 UTF-16 units, at most 3 bytes each). */
#define SPELLING_EXTRA (3 * 32768)

int exs_path_canonical(const struct exs_platform *plat, const char *in,
		       char **out, struct exs_error *err)
{
	size_t len = strlen(in);
	const char *seps = plat->path_separators ? plat->path_separators : "/";
	*out = NULL;
	char *norm = malloc(len + 2);
	if (!norm)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", in);
	size_t n = exs_path_normalise(in, len, seps, plat->path_separator,
				      plat->path_drives, norm);
	if (!plat->path_spelling || n == 0) {
		*out = norm;
		return EXS_OK;
	}
	size_t cap = n + SPELLING_EXTRA;
	char *spelt = malloc(cap);
	if (!spelt) {
		free(norm);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", in);
	}
	struct exs_error ignored;
	int rc = plat->path_spelling(norm, spelt, cap, &ignored);
	if (rc == EXS_NOMEM) {
		free(norm);
		free(spelt);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", in);
	}
	if (rc) {
		free(spelt);
		*out = norm;
		return EXS_OK;
	}
	free(norm);
	char *fit = realloc(spelt, strlen(spelt) + 1);
	*out = fit ? fit : spelt;
	return EXS_OK;
}

int exs_path_equal(const char *a, size_t a_len, const char *b, size_t b_len,
		   int case_insensitive)
{
	if (a_len != b_len)
		return 0;
	for (size_t i = 0; i < a_len; i++)
		if (case_insensitive ? fold(a[i]) != fold(b[i]) : a[i] != b[i])
			return 0;
	return 1;
}

/* ---- Exclude patterns ---------------------------------------------------- */

void exs_pattern_free(struct exs_pattern *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->count; i++)
		free(p->parts[i]);
	free(p->parts);
	free(p->text);
	memset(p, 0, sizeof(*p));
}

int exs_pattern_compile(const char *text, struct exs_pattern *out)
{
	memset(out, 0, sizeof(*out));
	size_t len = strlen(text);
	out->text = malloc(len + 1);
	out->parts = calloc(len / 2 + 2, sizeof(char *));
	if (!out->text || !out->parts) {
		exs_pattern_free(out);
		return EXS_NOMEM;
	}
	memcpy(out->text, text, len + 1);
	out->anchored = len > 0 && (is_sep(text[0]) ||
		(len >= 2 && text[1] == ':' &&
		 ((text[0] >= 'a' && text[0] <= 'z') ||
		  (text[0] >= 'A' && text[0] <= 'Z'))));
	size_t i = 0;
	while (i < len) {
		while (i < len && is_sep(text[i]))
			i++;
		size_t start = i;
		while (i < len && !is_sep(text[i]))
			i++;
		if (i == start)
			continue;
		char *part = malloc(i - start + 1);
		if (!part) {
			exs_pattern_free(out);
			return EXS_NOMEM;
		}
		memcpy(part, text + start, i - start);
		part[i - start] = '\0';
		out->parts[out->count++] = part;
	}
	if (out->count == 0) {
		exs_pattern_free(out);
		return EXS_INVAL;
	}
	if (out->count > EXS_PATTERN_MAX_PARTS) {
		exs_pattern_free(out);
		return EXS_LIMIT;
	}
	return EXS_OK;
}

/* Glob match of one component: '*' any run, '?' one byte. */
static int glob_component(const char *pat, const char *s, size_t len)
{
	size_t si = 0;
	const char *star = NULL;
	size_t star_si = 0;
	while (si < len) {
		if (*pat == '*') {
			star = pat++;
			star_si = si;
		} else if (*pat && (*pat == '?' || fold(*pat) == fold(s[si]))) {
			pat++;
			si++;
		} else if (star) {
			pat = star + 1;
			si = ++star_si;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* The pattern is a sequence of parts, each one component glob or "**".
 * Matching runs it as a small NFA over the path's components: state j means
 * "parts[0..j) have matched the components read so far", a "**" state loops
 * on any component and also lets the next part start without consuming one.
 * The set of live states is a bitset of count + 1 bits, so each component
 * costs one glob per live state and the whole match is O(parts x path)
 * whatever the nesting of "**" (a backtracking search is exponential in
 * them, and the depth is the attacker's to choose). An unanchored pattern
 * may start at any component: state 0 is added back before each one. */
#define STATE_BITS (sizeof(uint64_t) * 8)
#define STATE_WORDS ((EXS_PATTERN_MAX_PARTS + 1 + STATE_BITS - 1) / STATE_BITS)

static int is_globstar(const char *part)
{
	return part[0] == '*' && part[1] == '*' && part[2] == '\0';
}

static int state_has(const uint64_t *s, size_t j)
{
	return (int)((s[j / STATE_BITS] >> (j % STATE_BITS)) & 1u);
}

static void state_add(uint64_t *s, size_t j)
{
	s[j / STATE_BITS] |= (uint64_t)1 << (j % STATE_BITS);
}

/* Adds the states reachable without consuming a component: past each
 * "**" (which may match nothing). Ascending order follows chains. */
static void close_states(const struct exs_pattern *p, uint64_t *s)
{
	for (size_t j = 0; j < p->count; j++)
		if (state_has(s, j) && is_globstar(p->parts[j]))
			state_add(s, j + 1);
}

/* The states after consuming component c (len bytes) from cur. */
static int step_states(const struct exs_pattern *p, const uint64_t *cur,
		       uint64_t *next, size_t words, const char *c,
		       size_t len)
{
	int any = 0;
	memset(next, 0, words * sizeof(*next));
	for (size_t j = 0; j < p->count; j++) {
		if (!state_has(cur, j))
			continue;
		if (is_globstar(p->parts[j])) {
			state_add(next, j);
			any = 1;
		} else if (glob_component(p->parts[j], c, len)) {
			state_add(next, j + 1);
			any = 1;
		}
	}
	close_states(p, next);
	return any;
}

/* Runs the pattern over path. With fn, calls fn(ctx, end) for each prefix
 * path[0..end) ending with a component that matches, shortest first, and
 * returns what fn returned when that is not 0; without fn, reports whether
 * the whole path matches. */
static int pattern_run(const struct exs_pattern *p, const char *path,
		       size_t len, char sep, int (*fn)(void *ctx, size_t end),
		       void *ctx)
{
	uint64_t a[STATE_WORDS], b[STATE_WORDS], start[STATE_WORDS];
	size_t words = p->count / STATE_BITS + 1;
	if (!p->count || p->count > EXS_PATTERN_MAX_PARTS)
		return 0; /* not a compiled pattern */
	memset(start, 0, words * sizeof(*start));
	state_add(start, 0);
	close_states(p, start);
	uint64_t *cur = a, *next = b;
	memcpy(cur, start, words * sizeof(*cur));
	size_t i = 0;
	while (i < len) {
		while (i < len && path[i] == sep)
			i++;
		size_t from = i;
		while (i < len && path[i] != sep)
			i++;
		if (i == from)
			continue;
		int live = step_states(p, cur, next, words, path + from,
				       i - from);
		uint64_t *t = cur;
		cur = next;
		next = t;
		if (!p->anchored) {
			/* The pattern may also start after this component. */
			for (size_t w = 0; w < words; w++)
				cur[w] |= start[w];
			live = 1;
		}
		if (fn && state_has(cur, p->count)) {
			int rc = fn(ctx, i);
			if (rc)
				return rc;
		}
		if (!live)
			return 0; /* anchored, and nothing can match any more */
	}
	/* With fn every non-empty prefix was offered; a path without
	 * components has none. */
	return fn ? 0 : state_has(cur, p->count);
}

static int stop_at_first(void *ctx, size_t end)
{
	(void)ctx;
	(void)end;
	return 1;
}

int exs_pattern_match(const struct exs_pattern *p, const char *path,
		      size_t len, char sep)
{
	/* The accepting state is entered only by a component that matches
	 * the last part (unless that part is "**"), and a whole-path match
	 * must end there: a path whose last component fails the last part
	 * cannot match. That one glob rejects nearly every path a pattern is
	 * tried on (the walk tries every folder), before the NFA runs. */
	if (p->count && p->count <= EXS_PATTERN_MAX_PARTS &&
	    !is_globstar(p->parts[p->count - 1])) {
		size_t end = len;
		while (end > 0 && path[end - 1] == sep)
			end--;
		size_t from = end;
		while (from > 0 && path[from - 1] != sep)
			from--;
		if (end > from &&
		    !glob_component(p->parts[p->count - 1], path + from, end - from))
			return 0;
	}
	return pattern_run(p, path, len, sep, NULL, NULL);
}

int exs_pattern_match_ancestor(const struct exs_pattern *p, const char *path,
			       size_t len, char sep)
{
	return pattern_run(p, path, len, sep, stop_at_first, NULL);
}

int exs_pattern_each_prefix(const struct exs_pattern *p, const char *path,
			    size_t len, char sep,
			    int (*fn)(void *ctx, size_t end), void *ctx)
{
	return pattern_run(p, path, len, sep, fn, ctx);
}

size_t exs_path_trim(const char *root, size_t len, char sep)
{
	while (len > 1 && root[len - 1] == sep)
		len--;
	return len;
}

int exs_path_within(const char *path, size_t path_len, const char *root,
		    size_t root_len, char sep, int case_insensitive)
{
	root_len = exs_path_trim(root, root_len, sep);
	if (path_len < root_len)
		return 0;
	for (size_t i = 0; i < root_len; i++) {
		char a = path[i], b = root[i];
		if (case_insensitive ? fold(a) != fold(b) : a != b)
			return 0;
	}
	if (path_len == root_len)
		return 1;
	if (root_len == 1 && root[0] == sep)
		return 1; /* everything is within "/" */
	return path[root_len] == sep;
}

const char *exs_path_basename(const char *path, size_t len, char sep,
			      size_t *base_len)
{
	size_t i = len;
	while (i > 0 && path[i - 1] != sep)
		i--;
	*base_len = len - i;
	return path + i;
}

void exs_path_extension(const char *base, size_t base_len, char *ext,
			size_t cap)
{
	if (!cap)
		return; /* no room even for the terminating NUL */
	size_t dot = base_len;
	while (dot > 0 && base[dot - 1] != '.')
		dot--;
	ext[0] = '\0';
	if (dot == 0 || dot == 1) /* no dot, or a leading-dot name */
		return;
	size_t n = base_len - dot;
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		ext[i] = fold(base[dot + i]);
	ext[n] = '\0';
}
