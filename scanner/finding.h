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
	EXS_FINDING_EXPLOIT_TRACE, /* a log line shaped like an attack request;
				      appended, so earlier kinds keep their
				      numbers (Event Log IDs 1001 + kind) */
	EXS_FINDING_REGISTRATION,  /* an IIS or Exchange configuration entry
				      added, removed or changed: path is the
				      config file, trace.line its line, the
				      message its fields (inspect/regfinding.h) */
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

/* Where an exploit_trace was seen (the finding's path is the log file, its
 * message the request, hits[0] the technique: rule = technique id, family
 * = the CVE family, description = what the shape means). */
struct exs_trace_info {
	uint64_t line;                  /* 1-based line of the log file */
	int64_t time_ns;                /* 0 when the line has no time */
	char client[64];                /* client address as logged */
	char user[128];                 /* authenticated user, "" if none */
	int http_status;                /* 0 when not logged */
};

/* Who vouches for an added, changed or removed file (provenance.h). Plain
 * bytes, no pointers: the finding is copied whole into the spill table. */
enum exs_vouch { EXS_VOUCH_NONE = 0, EXS_VOUCH_YES, EXS_VOUCH_NO };
enum exs_vouch_why {
	EXS_WHY_NONE = 0,
	/* vouched for */
	EXS_WHY_REFERENCE,        /* identical to the reference export's file */
	EXS_WHY_BUILD_COPY,       /* identical to its copy in the build's other
				     folders */
	EXS_WHY_SIGNED,           /* validly signed by a vouched signer */
	EXS_WHY_GONE_IN_REFERENCE, /* removed; the reference lacks it too */
	/* not vouched for */
	EXS_WHY_SIGNATURE_UNKNOWN, /* a PE image, signature not checked */
	EXS_WHY_NOT_SIGNED,       /* a PE image not signed by a vouched signer */
	EXS_WHY_DIFFERS,          /* the reference has other bytes */
	EXS_WHY_NOT_IN_REFERENCE, /* the reference does not have it */
	EXS_WHY_NO_REFERENCE,     /* no reference export to compare with */
	EXS_WHY_NEW_IN_AUTH,      /* a new file directly in an auth folder */
	EXS_WHY_TEXT_IN_WEB,      /* a .txt or .log file in a web folder */
	EXS_WHY_KEPT_IN_REFERENCE, /* removed; the reference still has it */
	EXS_WHY_COUNT
};
#define EXS_SIGNER_MAX 96

struct exs_provenance {
	unsigned char vouch;            /* enum exs_vouch */
	unsigned char why;              /* enum exs_vouch_why */
	unsigned char shipped;          /* a page Exchange ships that attackers
					   edit (shipped_pages.tsv) */
	unsigned char emphasis;         /* shipped, and changed while the
					   Exchange build did not */
	char signer[EXS_SIGNER_MAX];    /* EXS_WHY_SIGNED: who */
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
	/* exploit_trace findings */
	struct exs_trace_info trace;
	/* added, changed and removed findings of check (provenance.h) */
	struct exs_provenance prov;
};

const char *exs_finding_kind_name(enum exs_finding_kind kind);

#endif
