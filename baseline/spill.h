/* spill.h -- a private, temporary, on-disk table of report rows, read back
 * in (kind, path) order.
 *
 * A check after a cumulative update reports tens of thousands of changed
 * and added files; the report lists them sorted, so they must be kept until
 * the end of the run. Kept in memory they would make the peak memory grow
 * with the tree. Past a few thousand, run.c moves them here instead: a
 * SQLite database with no name, which SQLite creates in the temporary
 * folder, never journals and deletes when it is closed. Its page cache is
 * bounded, and an index on (kind, path, order of arrival) gives the report
 * order without sorting in memory.
 *
 * Rows are opaque bytes to the spill; run.c packs and unpacks them.
 */
#ifndef EXS_SPILL_H
#define EXS_SPILL_H

#include <stddef.h>

#include "status.h"

struct exs_spill;

int exs_spill_open(struct exs_spill **out, struct exs_error *err);

/* Stores one row. path orders rows of the same kind (bytes, then length). */
int exs_spill_put(struct exs_spill *s, int kind, const char *path,
		  size_t path_len, const void *row, size_t row_len,
		  struct exs_error *err);

/* Calls fn for every row in (kind, path, arrival) order. row is valid only
 * during the call. A nonzero return of fn stops the walk and is returned. */
typedef int (*exs_spill_fn)(void *ctx, const void *row, size_t row_len);
int exs_spill_each(struct exs_spill *s, exs_spill_fn fn, void *ctx,
		   struct exs_error *err);

/* Calls fn for every row of one kind and path, in arrival order (through
 * the index: a lookup, not a walk). May be called from inside the fn of
 * exs_spill_each. */
int exs_spill_each_at(struct exs_spill *s, int kind, const char *path,
		      size_t path_len, exs_spill_fn fn, void *ctx,
		      struct exs_error *err);

/* Closes and deletes the table. NULL is fine. */
void exs_spill_close(struct exs_spill *s);

#endif
