/* finding.h -- one thing a run reports about one path.
 *
 * Findings are collected by the command, sorted (webshells first, then by
 * kind and path bytes) and handed to the report writers. A finding owns its
 * path and its YARA hits.
 */
#ifndef EXS_FINDING_H
#define EXS_FINDING_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* In report order. */
enum exs_finding_kind {
	EXS_FINDING_WEBSHELL = 0,
	EXS_FINDING_SUSPICIOUS,  /* a heuristic, not a rule, fired */
	EXS_FINDING_CHANGED,
	EXS_FINDING_ADDED,
	EXS_FINDING_REMOVED,
	EXS_FINDING_ERROR,
	EXS_FINDING_KIND_COUNT
};

#define EXS_HIT_STRINGS_MAX 8
#define EXS_EXCERPT_MAX 64

struct exs_hit_string {
	char id[64];                    /* "$eval" */
	uint64_t offset;
	uint32_t length;
	uint32_t excerpt_len;
	unsigned char excerpt[EXS_EXCERPT_MAX]; /* the matched bytes, cut */
};

struct exs_hit {
	char rule[128];
	char ns[64];                    /* namespace: "exsweep" or extra file */
	char tags[128];                 /* space-separated */
	char description[256];
	char family[64];
	char severity[16];
	unsigned string_count;
	struct exs_hit_string strings[EXS_HIT_STRINGS_MAX];
};

struct exs_finding {
	enum exs_finding_kind kind;
	char *path;                     /* owned; bytes, not NUL-safe */
	size_t path_len;
	int has_old, has_new;
	struct exs_record old_rec;
	struct exs_record new_rec;
	unsigned changed;               /* EXS_ATTR_* bits (changed) */
	int timestomp;
	/* error findings */
	int status;
	long os_code;
	const char *op;                 /* static string */
	char *message;                  /* owned */
	/* webshell findings */
	struct exs_hit *hits;           /* owned */
	size_t hit_count;
};

const char *exs_finding_kind_name(enum exs_finding_kind kind);

#endif
