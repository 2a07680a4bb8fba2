/* heuristics.h -- signs of a webshell that YARA rules cannot express: where
 * a file is, and what kind of content hides behind its extension.
 *
 *  location.unexpected_script  a server-side script in a web folder that
 *                              holds none on a clean server, or only a known
 *                              few (heuristics/locations.tsv, embedded)
 *  content.script_in_data      server-side script inside a file whose
 *                              extension says image, log, text or style
 *  content.tiny_eval_page      a tiny server page whose code is little more
 *                              than one dynamic evaluation of request data
 *
 * Results are exs_hit records in namespace "heuristic", reported as kind
 * `suspicious`.
 */
#ifndef EXS_HEURISTICS_H
#define EXS_HEURISTICS_H

#include <stddef.h>

#include "finding.h"
#include "path.h"
#include "rules.h"

struct exs_heuristics;

/* Parses the embedded location table (exs_builtin_locations). Errors name
 * "heuristics/locations.tsv:LINE". */
int exs_heuristics_load(char sep, struct exs_heuristics **out,
			struct exs_error *err);
void exs_heuristics_free(struct exs_heuristics *h);

/* Checks one file. data may be NULL when the content was not kept (then
 * only the location is judged). Appends hits to *hits (realloc'd). */
int exs_heuristics_check(const struct exs_heuristics *h, const char *path,
			 size_t path_len, const unsigned char *data,
			 size_t len, struct exs_hit **hits, size_t *count);

/* Generated at build time from heuristics/locations.tsv. */
extern const struct exs_rule_source exs_builtin_locations[];
extern const size_t exs_builtin_locations_count;

#endif
