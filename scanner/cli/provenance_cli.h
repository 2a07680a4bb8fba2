/* provenance_cli.h -- provenance in check and update (provenance_cli.c). */
#ifndef EXS_PROVENANCE_CLI_H
#define EXS_PROVENANCE_CLI_H

#include "cli.h"
#include "item.h"
#include "provenance.h"

/* The reference export in effect: --reference (an empty value turns the
 * configured one off), else [provenance] reference; NULL for none. */
const char *exs_cli_reference_path(const struct exs_cli *cli);
/* Opens provenance for a sweep over walk_roots and reads the reference,
 * if one is set: exit 16 (EXS_USAGE, "FILE:LINE: ...") when it cannot be
 * read or is malformed. Marks the run's provenance summary as ran. */
int exs_cli_prov_begin(struct exs_cli *cli, const struct exs_strlist *walk_roots,
		       const struct exs_strlist *web_roots, struct exs_run *run,
		       struct exs_prov **out, struct exs_error *err);
/* Every walked item (a file that was read counts for the build-copy
 * rule). NULL p does nothing. */
int exs_cli_prov_see(struct exs_prov *p, const struct exs_item *item);
/* After the walk: judges every added, changed and removed finding and
 * counts them into run->provenance (all of them, taken in or not). after, when given, sees each judged
 * finding and returns EXS_RUN_DROP to take it out of the report
 * (update --vouched-only accepting it), EXS_OK to keep it, or an error
 * status (err filled). A reference of another build is not used, with a warning. */
typedef int (*exs_prov_after_fn)(void *ctx, struct exs_finding *f);
int exs_cli_prov_finish(struct exs_run *run, struct exs_prov *p,
			exs_prov_after_fn after, void *ctx,
			struct exs_error *err);

#endif
