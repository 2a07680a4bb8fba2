/* report.h -- the report writers beside the JSON report and the summary
 * (declared in run.h, where the commands have always found them): the HTML
 * report, and what the writers share with each other.
 */
#ifndef EXS_REPORT_H
#define EXS_REPORT_H

#include "buf.h"
#include "run.h"

/* The HTML report (README, "The HTML report"): one self-contained page,
 * written through out in pieces. */
int exs_report_html(const struct exs_run *run, const struct exs_sink *out);

/* The writers' output: buf goes through out once it holds at least at
 * bytes, or whatever it holds when force; the first failure (of the buffer
 * or of out) is kept in *status, and nothing is written after it. */
void exs_report_flush(struct exs_buf *buf, const struct exs_sink *out,
		      int *status, int force, size_t at);

/* 1 when f is one of the changes the patch-day overview lists first
 * (report/text.c owns the selection). */
int exs_report_look_first(const struct exs_run *run,
			  const struct exs_finding *f);

#endif
