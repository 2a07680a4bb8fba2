/* fuzz_ndjson.c -- the NDJSON report (report/ndjson.c) alone: the report
 * harness (fuzz_report.c, whose input format and NDJSON checks it shares)
 * without the JSON report and the summary, so that libFuzzer spends its
 * time, and grows its corpus, on the ECS and OCSF records: every line one
 * strict JSON object, one per verdict, change, error and skipped node in
 * report order, the run last, every path and excerpt with its exact bytes.
 */
#define FUZZ_NDJSON_ONLY 1
#include "fuzz_report.c"
