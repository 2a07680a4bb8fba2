/* group.h -- one entry per file: the records of a run, grouped by path.
 *
 * A run collects records, one per thing a judge or the baseline says: a
 * planted webshell is a webshell record (the YARA rules), a suspicious
 * record (the heuristics) and an added record (the baseline), three records
 * about one file. People read one story per file, so the summary and the
 * HTML report show entries: a path with its change (added, changed or
 * removed: a path has at most one) and every verdict and error about it,
 * the most severe kind first. An exploitation trace is an entry of its own:
 * its path is a log file, and each of its lines is one event.
 *
 * Entries come in the report order of their most severe record (the order
 * of exs_run_each_finding, leaving out the records that join an earlier
 * entry) and are numbered from 1 in that order; the JSON report gives each
 * record the number of its entry ("file"). Memory does not grow with the
 * tree: the grouper remembers one path per entry that can still gain
 * records (one with a webshell or suspicious record, or a change with an
 * error), never one per changed file, and finds an entry's other records
 * by lookup (exs_run_each_at), not by holding the run.
 */
#ifndef EXS_GROUP_H
#define EXS_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "run.h"

/* Numbers records in report order (exs_group_each and the JSON writer). */
struct exs_group_slot;
struct exs_grouper {
	const struct exs_run *run;
	uint64_t entries;                /* numbers handed out so far */
	struct exs_group_slot *slots;    /* open addressing, by path */
	size_t cap, used;
	int has_prev;                    /* the previous non-trace record */
	enum exs_finding_kind prev_kind;
	char *prev_path;
	size_t prev_len, prev_cap;
	uint64_t prev_number;
};

void exs_grouper_init(struct exs_grouper *g, const struct exs_run *run);
/* Takes the next record in report order: *number is its entry's number,
 * *opens 1 when it is the entry's first (most severe) record. Returns
 * EXS_OK, EXS_NOMEM, or what a lookup in the temporary table returned. */
int exs_grouper_next(struct exs_grouper *g, const struct exs_finding *f,
		     uint64_t *number, int *opens);
void exs_grouper_free(struct exs_grouper *g);

/* An entry's records past this many are counted, not listed (a path has
 * at most one record per judge and one change; errors add a few). */
#define EXS_ENTRY_RECORDS_MAX 16

struct exs_entry {
	uint64_t number;                 /* from 1, in report order */
	enum exs_finding_kind kind;      /* of records[0], the most severe */
	const char *path;                /* bytes */
	size_t path_len;
	const struct exs_finding *records[EXS_ENTRY_RECORDS_MAX];
	size_t count;                    /* records listed */
	size_t not_listed;               /* past EXS_ENTRY_RECORDS_MAX */
	const struct exs_finding *change; /* changed/added/removed, or NULL */
};

/* Calls fn for every entry in order. e and its records are valid only
 * during the call. fn returns EXS_RUN_STOP to end early (then EXS_OK);
 * another nonzero return ends the walk and is returned. */
typedef int (*exs_entry_fn)(void *ctx, const struct exs_entry *e);
int exs_group_each(const struct exs_run *run, exs_entry_fn fn, void *ctx);

/* How much an entry needs a look, for the HTML report's headline. */
enum exs_severity {
	EXS_SEVERITY_CRITICAL = 0,       /* a webshell */
	EXS_SEVERITY_HIGH,               /* suspicious; an exploitation trace */
	EXS_SEVERITY_MEDIUM,             /* a change the patch-day overview
					    lists first, a timestomp; a
					    medium trace */
	EXS_SEVERITY_LOW,                /* any other change */
	EXS_SEVERITY_INFO,               /* a file that could not be read */
	EXS_SEVERITY_COUNT
};
const char *exs_severity_name(enum exs_severity s);
/* The severity of an entry whose most severe record is f. */
enum exs_severity exs_group_severity(const struct exs_run *run,
				     const struct exs_finding *f);

/* Counts entries: all of them, by the kind of their most severe record,
 * and by severity (each may be NULL). */
struct exs_group_counts {
	uint64_t entries;
	uint64_t by_kind[EXS_FINDING_KIND_COUNT];
	uint64_t by_severity[EXS_SEVERITY_COUNT];
	uint64_t by_kind_severity[EXS_FINDING_KIND_COUNT][EXS_SEVERITY_COUNT];
};
int exs_group_count(const struct exs_run *run, struct exs_group_counts *out);

#endif
