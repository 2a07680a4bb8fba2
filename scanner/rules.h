/* rules.h -- the YARA engine: compiling rules once, scanning from many
 * threads.
 *
 * The built-in rules (yara-rules/, one .yar file per family) are compiled into the binary as
 * text at build time, so a scheduled run still works when an attacker
 * deletes or edits the rules folder. Extra rules come from a folder named in
 * the config and are read through the platform layer, never by libyara
 * itself. Each extra file is first compiled on its own: a broken one is
 * skipped with a warning "FILE:LINE: message" (or is an error in strict
 * mode), while a broken built-in rule is always an error.
 *
 * External variables defined for every scan, as Loki and THOR define them so
 * that their rule sets load unchanged: filename, filepath, extension,
 * filetype, owner.
 *
 * The built-in rules and the extra rules are compiled into two sets
 * (EXS_RULESET_BUILTIN, EXS_RULESET_EXTRA), so that a scan can run either
 * or both: detect/gate.h decides when the built-in rules cannot match a
 * file, while the admin's rules, whose needs exsweep cannot know, still run.
 *
 * Threads share the compiled rules and each owns an exs_scanner.
 */
#ifndef EXS_RULES_H
#define EXS_RULES_H

#include <stddef.h>

#include "finding.h"
#include "platform.h"
#include "strlist.h"

struct exs_rule_source {
	const char *name;     /* "yara-rules/chopper.yar" */
	const char *text;
	size_t len;
};

/* Generated at build time from yara-rules/ (rules_builtin.c). */
extern const struct exs_rule_source exs_builtin_rules[];
extern const size_t exs_builtin_rule_count;

struct exs_rules;
struct exs_scanner;

/* BUILTIN is the built-in rules as yara-rules/ spells them, their global
 * rule ExSweep_Server_Code (the gate's twin, yara-rules/server_code.yar)
 * included. VIEW is the same rules without the global rule, for
 * detect/code's normalised view of code already extracted from its blocks,
 * which carries no markers, and for a file whose extension the global rule
 * opens for anyway (.aspx, .ascx, ...: exs_gate_server_extension), on which
 * it gives BUILTIN's verdict without the cost of the global rule's strings.
 * (Compiled, BUILTIN is the global rule alone, then VIEW where it matched:
 * see rules.c.) */
enum {
	EXS_RULESET_BUILTIN = 0, EXS_RULESET_EXTRA = 1, EXS_RULESET_VIEW = 2,
	EXS_RULESETS = 3
};
#define EXS_RULESET(k) (1u << (k))
#define EXS_RULESETS_ALL (EXS_RULESET(EXS_RULESET_BUILTIN) | \
			  EXS_RULESET(EXS_RULESET_EXTRA))
#define EXS_RULESETS_VIEW (EXS_RULESET(EXS_RULESET_VIEW) | \
			   EXS_RULESET(EXS_RULESET_EXTRA))
/* The built-in rule file that holds the global rule. */
#define EXS_RULES_GATE_FILE "yara-rules/server_code.yar"

/* Process-wide libyara set-up and tear-down; call once from main. */
int exs_rules_library_init(struct exs_error *err);
void exs_rules_library_finish(void);

/* Compiles the built-in rules and the .yar and .yara files of extra_dir (NULL:
 * none). Warnings and skipped files are appended to warnings as
 * "FILE:LINE: message" lines. With strict, a broken extra file is an error
 * (EXS_RULES) too; err->where then holds "FILE:LINE". */
int exs_rules_load(const struct exs_platform *plat, const char *extra_dir,
		   int strict, struct exs_strlist *warnings,
		   struct exs_rules **out, struct exs_error *err);

unsigned exs_rules_builtin_files(const struct exs_rules *r);
unsigned exs_rules_extra_files(const struct exs_rules *r);
unsigned exs_rules_count(const struct exs_rules *r);
/* SHA-256 (hex) over the built-in and extra rule texts compiled, in the
 * order they were compiled: the baseline records it, so that a check can
 * say the rules changed since. */
/* The version of the judges that run beside the rules (the heuristics and
 * detect/code's analysis). It enters the rules digest, so clean verdicts
 * recorded by an older analysis are not reused: bump it whenever either
 * can judge the same bytes differently. */
#define EXS_JUDGES_VERSION "heuristics/1 code/1"

const char *exs_rules_digest(const struct exs_rules *r);
/* "libyara 4.5.2": the YARA engine built in, for --version and for the
 * tool version each generation records. */
const char *exs_rules_engine_version(void);

/* Calls fn for each rule; a nonzero return stops and is returned. */
int exs_rules_each(const struct exs_rules *r,
		   int (*fn)(void *ctx, const char *ns, const char *name,
			     const char *tags, const char *description),
		   void *ctx);

void exs_rules_free(struct exs_rules *r);

/* The compiled rules as bytes (yr_rules_save_stream) appended to out, and
 * back: the parent compiles, the sandboxed scan worker, which may open no
 * file, loads them from what the parent sent. A loaded set has no digest
 * and no file counts, only its rules. */
#define EXS_RULES_BLOB_MAX (255u << 20) /* under the worker's INIT_MAX */
struct exs_buf;
int exs_rules_save(const struct exs_rules *r, struct exs_buf *out,
		   struct exs_error *err);
int exs_rules_from_blob(const void *data, size_t len, struct exs_rules **out,
			struct exs_error *err);

/* The per-file values of the external variables. */
struct exs_scan_vars {
	const char *filename;
	const char *filepath;
	const char *extension;
	const char *filetype;
	const char *owner;
};

int exs_scanner_create(struct exs_rules *r, unsigned timeout_s,
		       struct exs_scanner **out, struct exs_error *err);
/* Scans a buffer. On return *hits (malloc'd, owned by the caller) holds
 * *count hits; both are NULL/0 when nothing matched. A timeout or a
 * libyara failure returns an error status with the reason in err. */
int exs_scanner_scan(struct exs_scanner *s, const unsigned char *data,
		     size_t len, const struct exs_scan_vars *vars,
		     struct exs_hit **hits, size_t *count,
		     struct exs_error *err);
/* The same with only the sets in the EXS_RULESET() bits of sets (the hits
 * of all in one list, the built-in rules' first; a set that is empty is
 * skipped). */
int exs_scanner_scan_sets(struct exs_scanner *s, unsigned sets,
			  const unsigned char *data, size_t len,
			  const struct exs_scan_vars *vars,
			  struct exs_hit **hits, size_t *count,
			  struct exs_error *err);
void exs_scanner_free(struct exs_scanner *s);

#endif
