/* path.h -- functions on path byte strings: spelling, joining, containment
 * and exclude patterns. No I/O, except exs_path_canonical, which asks the
 * platform how an existing path is spelt.
 *
 * Every path that enters from the admin (roots, web roots, the command
 * line's ROOT and PATH arguments, --accept) goes through exs_path_canonical
 * once, in the command layer, so that the walk, the baseline keys and every
 * comparison see one spelling of each file: the platform's separator, no
 * doubled separators or "." names, no trailing separator, and on Windows
 * the absolute path with each existing name as the directory lists it.
 *
 * Paths are compared as bytes, or with ASCII case folding where the platform
 * is case-insensitive (Windows; also every exclude pattern, because Exchange
 * folder names are Windows names even on a mounted image).
 */
#ifndef EXS_PATH_H
#define EXS_PATH_H

#include <stddef.h>

#include "platform.h"

/* Writes the lexical normal form of in (len bytes) to out, which has room
 * for len + 2 bytes, and returns its length (out is NUL-terminated). Each
 * byte of seps becomes sep; runs of separators become one; "." names go;
 * a trailing separator goes. With drives (Windows): a leading pair of
 * separators stays (\\server\share, \\?\, \\.\ and its "."), and so does
 * the separator of a drive root ("C:\", since "C:" is another folder).
 * "" stays ""; "." and "./" become ".". ".." is left alone: only the
 * file system knows what it climbs to. */
size_t exs_path_normalise(const char *in, size_t len, const char *seps,
			  char sep, int drives, char *out);

/* The one spelling of a path the admin gave (see the top of this file):
 * exs_path_normalise with the platform's rules, then the platform's
 * path_spelling when it has one. *out is malloc'd. A path the platform
 * cannot spell (not there, an invalid name) keeps its normal form: opening
 * it reports the error later. Returns EXS_OK or EXS_NOMEM. */
int exs_path_canonical(const struct exs_platform *plat, const char *in,
		       char **out, struct exs_error *err);

/* 1 when a and b are the same path bytes, ASCII case folded when
 * case_insensitive. */
int exs_path_equal(const char *a, size_t a_len, const char *b, size_t b_len,
		   int case_insensitive);

/* A compiled exclude pattern. Syntax: components separated by '/' or '\';
 * '*' matches any run of bytes within one component, '?' one byte, '**' any
 * number of whole components. A pattern that starts with a separator or a
 * drive ("C:") is anchored at the start of the path; any other pattern
 * matches the end of a path on component boundaries, so "V15/Logging"
 * matches "/mnt/c/Program Files/.../V15/Logging". Matching ignores ASCII
 * case. Matching takes time linear in the path's depth (times the pattern's
 * length) and applies at any depth. */
#define EXS_PATTERN_MAX_PARTS 4096 /* components of one pattern */

struct exs_pattern {
	char *text;       /* the pattern as written */
	char **parts;     /* components; "**" kept as is */
	size_t count;
	int anchored;
};

/* EXS_OK; EXS_INVAL when the text has no component; EXS_LIMIT when it has
 * more than EXS_PATTERN_MAX_PARTS; EXS_NOMEM. */
int exs_pattern_compile(const char *text, struct exs_pattern *out);
void exs_pattern_free(struct exs_pattern *p);
/* 1 when path (len bytes, components separated by sep) matches. */
int exs_pattern_match(const struct exs_pattern *p, const char *path,
		      size_t len, char sep);

/* 1 when the pattern matches path or one of its ancestors: a file inside
 * an excluded folder. */
int exs_pattern_match_ancestor(const struct exs_pattern *p, const char *path,
			       size_t len, char sep);

/* Calls fn(ctx, end) for each prefix path[0..end) that the pattern matches
 * and that ends with a component (path[end] is the separator or end is
 * len), shortest first, in one pass over the path. Stops when fn returns
 * non-zero and returns that; 0 otherwise. */
int exs_pattern_each_prefix(const struct exs_pattern *p, const char *path,
			    size_t len, char sep,
			    int (*fn)(void *ctx, size_t end), void *ctx);

/* 1 when path is root itself or lies below it. A trailing separator on root
 * is ignored. case_insensitive folds ASCII case. */
int exs_path_within(const char *path, size_t path_len, const char *root,
		    size_t root_len, char sep, int case_insensitive);

/* Length of root without its trailing separators (but "/" stays "/"). */
size_t exs_path_trim(const char *root, size_t len, char sep);

/* The last component of path, and its extension without the dot, lowercased
 * into ext (cap bytes; "" when none). */
const char *exs_path_basename(const char *path, size_t len, char sep,
			      size_t *base_len);
void exs_path_extension(const char *base, size_t base_len, char *ext,
			size_t cap);

#endif
