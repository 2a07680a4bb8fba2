/* regfinding.h -- a registration finding's fields, carried in the finding's
 * message so that findings past the in-memory limit spill to the temporary
 * table (baseline/spill.c) like any other: the fields are joined with the
 * unit separator 0x1F, which no field can hold (the parent turns every
 * control character a worker sends into '?', and the pack refuses one).
 * The config line travels in finding.trace.line.
 */
#ifndef EXS_REGFINDING_H
#define EXS_REGFINDING_H

#include "regcheck.h"
#include "registration.h"

enum exs_regf_field {
	EXS_REGF_CHANGE,      /* "added", "removed", "changed" */
	EXS_REGF_KIND,        /* exs_reg_kind_name */
	EXS_REGF_SCOPE,
	EXS_REGF_NAME,
	EXS_REGF_PATH,
	EXS_REGF_IMAGE,
	EXS_REGF_TYPE,
	EXS_REGF_EXTRA,
	EXS_REGF_OLD_IMAGE,   /* changed only */
	EXS_REGF_OLD_TYPE,
	EXS_REGF_OLD_EXTRA,
	EXS_REGF_RESOLVED,    /* the local path of the image looked at */
	EXS_REGF_EXISTS,      /* "1", "0", "" not looked at */
	EXS_REGF_WHY,         /* reasons for suspicion, "" if none */
	EXS_REGF_COUNT
};

/* The message of a registration finding (malloc'd), or NULL when out of
 * memory. old is the earlier value of a changed entry, v (may be NULL) what
 * exs_reg_assess said of now. */
char *exs_reg_finding_pack(const char *change,
			   const struct exs_registration *now,
			   const struct exs_registration *old,
			   const struct exs_reg_verdict *v);

struct exs_reg_fields {
	char *copy;                         /* owned */
	const char *f[EXS_REGF_COUNT];      /* never NULL after unpack */
};

/* Splits a message (any bytes: missing fields are ""). EXS_OK or
 * EXS_NOMEM; free with exs_reg_fields_free. */
int exs_reg_finding_unpack(const char *message, struct exs_reg_fields *out);
void exs_reg_fields_free(struct exs_reg_fields *f);

/* 1 when the message's reasons field (EXS_REGF_WHY) is not empty: the
 * registration is suspicious on its own. No allocation. */
int exs_reg_finding_suspicious(const char *message);

#endif
