/* provenance.h -- who vouches for a change: the split of patch day.
 *
 * After a cumulative update `check` reports hundreds of changed pages and
 * thousands of changed binaries; the one an attacker edited drowns in them.
 * Provenance sorts every added, changed or removed file into two groups:
 *
 *   vouched for      a PE image validly signed by a vouched signer (the
 *                    signature check plugs in here: exs_signed_fn); a page,
 *                    script or data file identical (size and SHA-256) to
 *                    the same build's file in a reference export taken on
 *                    a clean server; a file under the new build's folder
 *                    identical to the same file in that build's other
 *                    folders (Exchange installs the build folder in several
 *                    places); a removed file the reference lacks too.
 *   not vouched for  everything else, and always: a .txt or .log file in a
 *                    web folder, a new file directly in an auth folder, a
 *                    page that differs from the reference.
 *
 * The shipped pages attackers edit (heuristics/shipped_pages.tsv: logon.aspx,
 * flogon.js, errorFE.aspx and their kin) are marked, and emphasised when
 * they change while the Exchange build does not.
 *
 * The verdict is data on the finding (struct exs_provenance), formatted by
 * the report writers. Nothing here reads a file: the reference's bytes are
 * handed in, so this is OS-free and fuzzed (tests/fuzz/fuzz_provenance.c).
 */
#ifndef EXS_PROVENANCE_H
#define EXS_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>

#include "exchange_build.h"
#include "finding.h"
#include "status.h"
#include "strlist.h"

/* Files under a version folder remembered for the build-copy rule; past
 * this the rule vouches for nothing more (never for less than it should
 * not). 48 bytes each. */
#define EXS_PROV_COPIES_MAX (1u << 19)
/* Reference records: a manifest of a whole server has ~100,000. */
#define EXS_PROV_REFERENCE_MAX (1u << 23)

struct exs_prov;

/* The signature check of a PE image (the authenticode judge): 1 when f's
 * image is validly signed by a vouched signer (its name in signer), 0 when
 * it is not (unsigned, bad signature, another signer), -1 when the status
 * is not known. NULL in exs_prov_config: every image is "signature
 * unknown", not vouched for. */
typedef int (*exs_signed_fn)(void *ctx, const struct exs_finding *f,
			     char *signer, size_t cap);

struct exs_prov_config {
	char sep;                            /* the platform's separator */
	int case_insensitive;                /* Windows: names fold ASCII case */
	const struct exs_strlist *walk_roots; /* manifest keys are relative to them */
	const struct exs_strlist *web_roots;
	exs_signed_fn signed_fn;
	void *signed_ctx;
	void (*signed_free)(void *ctx);      /* frees signed_ctx with the rest
						(exs_prov_open owns it, even
						when it fails) */
};

/* Loads the shipped-pages table (built in). The lists are borrowed and
 * must outlive the context. */
int exs_prov_open(struct exs_prov **out, const struct exs_prov_config *cfg,
		  struct exs_error *err);
void exs_prov_free(struct exs_prov *p);
/* The signed_ctx the context was opened with. */
void *exs_prov_signed_ctx(struct exs_prov *p);

/* Takes the text of a reference manifest (an `export`; the format of
 * README "The manifest", read as strictly as check --against reads it).
 * name is for messages: a bad record is EXS_USAGE at "NAME:LINE". The text
 * is copied. */
int exs_prov_load_reference(struct exs_prov *p, const char *name,
			    const char *text, size_t len,
			    struct exs_error *err);
/* The reference's exchange_build= ("" when it names none) and its
 * record count. */
const char *exs_prov_reference_build(const struct exs_prov *p);
size_t exs_prov_reference_count(const struct exs_prov *p);
/* Whether the reference may vouch for this tree: it was loaded and its
 * build is the tree's (or one of them is unknown). 0 turns it off for
 * the run (the caller warns). */
void exs_prov_use_reference(struct exs_prov *p, int use);

/* Every file the walk read, for the build-copy rule. Returns EXS_OK or
 * EXS_NOMEM; past EXS_PROV_COPIES_MAX files are ignored. */
int exs_prov_see(struct exs_prov *p, const char *path, size_t len,
		 const unsigned char sha256[32]);
/* Call once after the walk, before exs_prov_decide. now is the tree's
 * build, base the baseline generation's (not found when unknown). */
void exs_prov_seal_walk(struct exs_prov *p, const struct exs_build *now,
			const struct exs_build *base);

/* Fills f->prov for an added, changed or removed finding (others are left
 * with vouch EXS_VOUCH_NONE). EXS_OK or EXS_NOMEM. */
int exs_prov_decide(struct exs_prov *p, struct exs_finding *f);

/* "reference", "build_copy", ...: the JSON names (README). */
const char *exs_prov_why_name(unsigned why);
/* "identical to the reference export's file": for the summary. */
const char *exs_prov_why_text(unsigned why);
/* 1 for a reason that vouches. */
int exs_prov_why_vouches(unsigned why);
/* 1 for a name whose extension says PE image (.dll, .exe, .sys, ...). */
int exs_prov_is_image(const char *path, size_t len);

#endif
