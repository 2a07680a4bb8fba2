/* patchday.h -- the summary's provenance parts (patchday.c),
 * called by the text writer (text.c) and the grouping (group.c).
 */
#ifndef EXS_REPORT_PATCHDAY_H
#define EXS_REPORT_PATCHDAY_H

#include "buf.h"
#include "run.h"

/* "look first": the changes no one vouched for, most telling first, cut
 * at 50 lines. EXS_OK, or the status of reading the findings. */
int exs_report_text_look_first(struct exs_buf *b, const struct exs_run *run);
/* "provenance: N vouched for (...); M not vouched for (...)" and the
 * reference, when provenance ran and there were changes. */
void exs_report_text_provenance(struct exs_buf *b, const struct exs_run *run);
/* The shipped pages that changed while the build did not, when any. */
int exs_report_text_emphasis(struct exs_buf *b, const struct exs_run *run);

#endif
