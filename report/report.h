/* report.h -- the report writers beside the JSON report and the summary
 * (declared in run.h, where the commands have always found them): the HTML
 * report, and what the writers share with each other.
 */
#ifndef EXS_REPORT_H
#define EXS_REPORT_H

#include "run.h"

/* The HTML report (README, "The HTML report"): one self-contained page,
 * written through out in pieces. */
int exs_report_html(const struct exs_run *run, const struct exs_sink *out);

/* 1 when f is one of the changes the patch-day overview lists first
 * (report/text.c owns the selection). */
int exs_report_look_first(const struct exs_run *run,
			  const struct exs_finding *f);

#endif
