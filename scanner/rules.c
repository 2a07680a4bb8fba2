/* rules.c -- compiling YARA rules and scanning buffers (see rules.h).
 *
 * libyara reports compile errors through a callback that does not know which
 * of our strings it is compiling, so the callback context carries the name
 * of the file being added and the messages are stamped "FILE:LINE: ...".
 *
 * The built-in rules and the extra rules are separate compiled sets
 * (rules.h, EXS_RULESET_*), so that the gate can spare a file the built-in
 * rules while the admin's rules still run on it; the built-in global rule is
 * a set of its own (SLOT_GATE below). They travel to the scan worker as one
 * blob: for each set a u64 (little-endian) length and its libyara stream, a
 * zero length for a set that is absent.
 */
#include "rules.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yara.h>

#include "buf.h"
#include "hash.h"
#include "path.h"
#include "readfile.h"

#define EXTRA_RULE_FILE_MAX (16u << 20)

/* The compiled sets, one slot per EXS_RULESET_*, except that BUILTIN's
 * slot (SLOT_GATE) holds the built-in global rule ExSweep_Server_Code alone,
 * made an ordinary rule, and VIEW's the other built-in rules: scanning
 * "BUILTIN" is the gate rule, then VIEW when it matched, which is what the
 * global rule means to libyara (no rule of its namespace matches unless it
 * does), with the built-in rules compiled once instead of twice. */
#define SLOT_GATE EXS_RULESET_BUILTIN
/* Listing and hit order: the built-in rules, then the extra ones. */
static const int slot_order[] = { SLOT_GATE, EXS_RULESET_VIEW,
				  EXS_RULESET_EXTRA };
_Static_assert(sizeof(slot_order) / sizeof(*slot_order) == EXS_RULESETS,
	       "every slot is listed");

struct exs_rules {
	YR_RULES *yr[EXS_RULESETS];     /* NULL: the set is empty */
	unsigned builtin_files;
	unsigned extra_files;
	unsigned rule_count;
	char digest[2 * EXS_SHA256_LEN + 1]; /* of the rule texts compiled */
};

struct exs_scanner {
	YR_SCANNER *yr[EXS_RULESETS];
	/* Filled by the match callback during one scan. */
	struct exs_hit *hits;
	size_t count, cap;
	int failed;
	int probing;       /* scanning SLOT_GATE: a match is noted, not a hit */
	int gate_open;     /* the gate rule matched */
};

static const char *const external_names[] = {
	"filename", "filepath", "extension", "filetype", "owner",
};

int exs_rules_library_init(struct exs_error *err)
{
	int rc = yr_initialize();
	if (rc != ERROR_SUCCESS)
		return exs_failf(err, EXS_RULES, rc, "yr_initialize", NULL,
				 "cannot initialise libyara (error %d)", rc);
	return EXS_OK;
}

void exs_rules_library_finish(void)
{
	yr_finalize();
}

/* ---- Compiling ---------------------------------------------------------- */

struct compile_ctx {
	const char *file;          /* name stamped on messages */
	int errors;
	char first_where[EXS_ERROR_WHERE_MAX];
	char first_message[EXS_ERROR_DETAIL_MAX];
	struct exs_strlist *messages; /* every error and warning, may be NULL */
};

static void compile_callback(int level, const char *file_name, int line,
			     const YR_RULE *rule, const char *message,
			     void *user_data)
{
	(void)file_name;
	(void)rule;
	struct compile_ctx *c = user_data;
	char where[EXS_ERROR_WHERE_MAX];
	snprintf(where, sizeof(where), "%s:%d", c->file ? c->file : "(rules)",
		 line);
	int is_error = level == YARA_ERROR_LEVEL_ERROR;
	if (is_error && c->errors++ == 0) {
		snprintf(c->first_where, sizeof(c->first_where), "%s", where);
		snprintf(c->first_message, sizeof(c->first_message), "%s",
			 message);
	}
	if (c->messages) {
		char line_text[EXS_ERROR_WHERE_MAX + EXS_ERROR_DETAIL_MAX + 16];
		snprintf(line_text, sizeof(line_text), "%s: %s%s", where,
			 is_error ? "" : "warning: ", message);
		exs_strlist_add_str(c->messages, line_text);
	}
}

static const char *refuse_include(const char *include_name,
				  const char *calling_file,
				  const char *calling_ns, void *user_data)
{
	/* Includes would make libyara open files by itself, outside the
	 * platform layer and its no-follow rules: refused. The compiler then
	 * reports "can't open include file" at the include's line. */
	(void)include_name;
	(void)calling_file;
	(void)calling_ns;
	(void)user_data;
	return NULL;
}

static int new_compiler(YR_COMPILER **out, struct compile_ctx *ctx)
{
	YR_COMPILER *c;
	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		return EXS_NOMEM;
	yr_compiler_set_callback(c, compile_callback, ctx);
	yr_compiler_set_include_callback(c, refuse_include, NULL, NULL);
	for (size_t i = 0; i < sizeof(external_names) / sizeof(*external_names);
	     i++) {
		if (yr_compiler_define_string_variable(c, external_names[i], "") !=
		    ERROR_SUCCESS) {
			yr_compiler_destroy(c);
			return EXS_NOMEM;
		}
	}
	*out = c;
	return EXS_OK;
}

struct rule_file {
	char *name;   /* path, for messages */
	char *ns;     /* namespace: the file's base name */
	char *text;   /* NUL-terminated */
};

static int read_rule_file(const struct exs_platform *plat, const char *path,
			  struct exs_buf *out, struct exs_error *err)
{
	exs_buf_init(out, EXTRA_RULE_FILE_MAX);
	int rc = exs_read_regular(plat, path, "the rule file", out, err);
	if (!rc && !out->data)
		exs_buf_putc(out, '\0'), out->len = 0; /* empty file */
	if (rc)
		exs_buf_free(out);
	return rc;
}

static int has_rule_extension(const char *name, size_t len)
{
	char ext[8];
	exs_path_extension(name, len, ext, sizeof(ext));
	return strcmp(ext, "yar") == 0 || strcmp(ext, "yara") == 0;
}

static int cmp_rule_files(const void *a, const void *b)
{
	return strcmp(((const struct rule_file *)a)->name,
		      ((const struct rule_file *)b)->name);
}

static void free_rule_files(struct rule_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].ns);
		free(files[i].text);
	}
	free(files);
}

/* Lists and reads the rule files of dir, sorted by name. */
static int read_extra_dir(const struct exs_platform *plat, const char *dir,
			  struct rule_file **out, size_t *count,
			  struct exs_error *err)
{
	struct exs_dir *d;
	int rc = plat->dir_open(dir, &d, err);
	if (rc)
		return rc;
	struct rule_file *files = NULL;
	size_t n = 0, cap = 0;
	struct exs_dirent e;
	while (!(rc = plat->dir_next(d, &e, err)) && e.name) {
		if (e.node != EXS_NODE_FILE || !has_rule_extension(e.name, e.name_len))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct rule_file *grown = realloc(files, cap * sizeof(*files));
			if (!grown) {
				rc = exs_fail(err, EXS_NOMEM, 0, "malloc", dir);
				break;
			}
			files = grown;
		}
		struct exs_buf path;
		exs_buf_init(&path, 65536);
		exs_buf_puts(&path, dir);
		exs_buf_putc(&path, plat->path_separator);
		exs_buf_append(&path, e.name, e.name_len);
		char *ns = malloc(e.name_len + 1);
		if (path.failed || !ns) {
			exs_buf_free(&path);
			free(ns);
			rc = exs_fail(err, EXS_NOMEM, 0, "malloc", dir);
			break;
		}
		memcpy(ns, e.name, e.name_len);
		ns[e.name_len] = '\0';
		files[n].name = path.data;
		files[n].ns = ns;
		files[n].text = NULL;
		n++;
	}
	plat->dir_close(d);
	for (size_t i = 0; !rc && i < n; i++) {
		struct exs_buf text;
		rc = read_rule_file(plat, files[i].name, &text, err);
		if (!rc)
			files[i].text = text.data;
	}
	if (rc) {
		free_rule_files(files, n);
		return rc;
	}
	if (n)
		qsort(files, n, sizeof(*files), cmp_rule_files);
	*out = files;
	*count = n;
	return EXS_OK;
}

/* Compiles text alone, to learn whether it is sound before it can poison the
 * real compiler (a libyara compiler cannot be used after an error). */
static int test_compile(const char *name, const char *ns, const char *text,
			struct exs_strlist *messages, struct compile_ctx *out)
{
	YR_COMPILER *c;
	memset(out, 0, sizeof(*out));
	out->file = name;
	out->messages = messages;
	if (new_compiler(&c, out))
		return EXS_NOMEM;
	yr_compiler_add_string(c, text, ns);
	yr_compiler_destroy(c);
	return out->errors ? EXS_RULES : EXS_OK;
}

static unsigned count_rules(const struct exs_rules *r)
{
	unsigned n = 0;
	for (int k = 0; k < EXS_RULESETS; k++) {
		const YR_RULE *rule;
		if (r->yr[k])
			yr_rules_foreach(r->yr[k], rule) n++;
	}
	return n;
}

/* Each text enters the rules digest with its length first, so that the
 * boundaries between files count. */
static void digest_text(struct exs_sha256 *sha, const char *text, size_t len)
{
	unsigned char n[8];
	for (int i = 0; i < 8; i++)
		n[i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
	exs_sha256_update(sha, n, sizeof(n));
	exs_sha256_update(sha, text, len);
}

/* yr_compiler_get_rules hands over the compiler's arena, whose buffers grew
 * by doubling while the rules were added: about 25 MiB for the built-in
 * sets, of which a few are used. A round trip through the serialised form
 * (what the workers load anyway) leaves arenas of the rules' own size, so
 * the parent, which holds the rules for the whole run, keeps that much less
 * (bench/run's RSS column). */
static int compact(struct exs_rules *r, struct exs_error *err)
{
	struct exs_buf blob;
	exs_buf_init(&blob, EXS_RULES_BLOB_MAX);
	struct exs_rules *tight = NULL;
	int rc = exs_rules_save(r, &blob, err);
	if (!rc)
		rc = exs_rules_from_blob(blob.data, blob.len, &tight, err);
	exs_buf_free(&blob);
	if (rc)
		return rc;
	for (int k = 0; k < EXS_RULESETS; k++) {
		if (r->yr[k])
			yr_rules_destroy(r->yr[k]);
		r->yr[k] = tight->yr[k];
		tight->yr[k] = NULL;
	}
	exs_rules_free(tight);
	return EXS_OK;
}

/* The built-in global rule (EXS_RULES_GATE_FILE) as an ordinary rule that
 * reports its match: "global private rule" becomes "rule", on the same line,
 * so that messages keep their line numbers. */
static int plain_gate_rule(const char *text, char **out, struct exs_error *err)
{
	static const char global[] = "global private rule";
	const char *at = strstr(text, global);
	if (!at || strstr(at + 1, global))
		return exs_failf(err, EXS_RULES, 0, "compile", EXS_RULES_GATE_FILE,
				 "expected exactly one '%s'", global);
	size_t head = (size_t)(at - text), skip = strlen("global private ");
	size_t n = strlen(text);
	char *p = malloc(n - skip + 1);
	if (!p)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	memcpy(p, text, head);
	memcpy(p + head, at + skip, n - head - skip + 1);
	*out = p;
	return EXS_OK;
}

int exs_rules_load(const struct exs_platform *plat, const char *extra_dir,
		   int strict, struct exs_strlist *warnings,
		   struct exs_rules **out, struct exs_error *err)
{
	struct exs_rules *r = calloc(1, sizeof(*r));
	if (!r)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	struct compile_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.messages = warnings;
	YR_COMPILER *c;                  /* the global rule, made plain */
	if (new_compiler(&c, &ctx)) {
		free(r);
		return exs_fail(err, EXS_NOMEM, 0, "yr_compiler_create", NULL);
	}
	YR_COMPILER *cx = NULL;          /* the extra rules, when there are */
	YR_COMPILER *cv = NULL;          /* the other built-in rules */
	if (new_compiler(&cv, &ctx)) {
		yr_compiler_destroy(c);
		free(r);
		return exs_fail(err, EXS_NOMEM, 0, "yr_compiler_create", NULL);
	}
	struct exs_sha256 *sha = NULL;
	if (exs_sha256_create(&sha) || exs_sha256_begin(sha)) {
		exs_sha256_free(sha);
		yr_compiler_destroy(c);
		yr_compiler_destroy(cv);
		free(r);
		return exs_fail(err, EXS_NOMEM, 0, "sha256", NULL);
	}
	int rc = EXS_OK;
	int have_gate = 0;
	digest_text(sha, EXS_JUDGES_VERSION, strlen(EXS_JUDGES_VERSION));
	for (size_t i = 0; i < exs_builtin_rule_count; i++) {
		const char *text = exs_builtin_rules[i].text;
		digest_text(sha, text, strlen(text));
		ctx.file = exs_builtin_rules[i].name;
		if (strcmp(exs_builtin_rules[i].name, EXS_RULES_GATE_FILE) == 0) {
			char *plain = NULL;
			rc = plain_gate_rule(text, &plain, err);
			if (rc)
				break;
			yr_compiler_add_string(c, plain, "exsweep");
			free(plain);
			have_gate = 1;
		} else {
			yr_compiler_add_string(cv, text, "exsweep");
		}
		if (ctx.errors) {
			rc = exs_failf(err, EXS_RULES, 0, "compile", ctx.first_where,
				       "%s", ctx.first_message);
			break;
		}
		r->builtin_files++;
	}
	if (!rc && !have_gate)
		rc = exs_failf(err, EXS_RULES, 0, "compile", EXS_RULES_GATE_FILE,
			       "the built-in rules have no %s",
			       EXS_RULES_GATE_FILE);

	struct rule_file *files = NULL;
	size_t nfiles = 0;
	if (!rc && extra_dir && extra_dir[0])
		rc = read_extra_dir(plat, extra_dir, &files, &nfiles, err);
	for (size_t i = 0; !rc && i < nfiles; i++) {
		struct compile_ctx probe;
		/* Errors of the probe go to the warnings; a sound file is
		 * then compiled for real without repeating its warnings. */
		if (test_compile(files[i].name, files[i].ns, files[i].text,
				 warnings, &probe)) {
			if (strict) {
				rc = exs_failf(err, EXS_RULES, 0, "compile",
					       probe.first_where, "%s",
					       probe.first_message);
				break;
			}
			if (warnings) {
				char line[EXS_ERROR_WHERE_MAX + 64];
				snprintf(line, sizeof(line),
					 "%s: warning: rule file skipped",
					 files[i].name);
				exs_strlist_add_str(warnings, line);
			}
			continue;
		}
		digest_text(sha, files[i].text, strlen(files[i].text));
		if (!cx && new_compiler(&cx, &ctx)) {
			rc = exs_fail(err, EXS_NOMEM, 0, "yr_compiler_create", NULL);
			break;
		}
		ctx.file = files[i].name;
		ctx.messages = NULL;
		yr_compiler_add_string(cx, files[i].text, files[i].ns);
		ctx.messages = warnings;
		if (ctx.errors) {
			rc = exs_failf(err, EXS_RULES, 0, "compile", ctx.first_where,
				       "%s", ctx.first_message);
			break;
		}
		r->extra_files++;
	}
	free_rule_files(files, nfiles);
	unsigned char md[EXS_SHA256_LEN];
	exs_sha256_finish(sha, md);
	exs_sha256_free(sha);
	exs_hex(md, sizeof(md), r->digest);
	if (!rc && (yr_compiler_get_rules(c, &r->yr[EXS_RULESET_BUILTIN]) !=
			    ERROR_SUCCESS ||
		    yr_compiler_get_rules(cv, &r->yr[EXS_RULESET_VIEW]) !=
			    ERROR_SUCCESS ||
		    (cx && yr_compiler_get_rules(cx, &r->yr[EXS_RULESET_EXTRA]) !=
				   ERROR_SUCCESS)))
		rc = exs_fail(err, EXS_NOMEM, 0, "yr_compiler_get_rules", NULL);
	yr_compiler_destroy(c);
	yr_compiler_destroy(cv);
	if (cx)
		yr_compiler_destroy(cx);
	if (rc) {
		exs_rules_free(r);
		return rc;
	}
	rc = compact(r, err);
	if (rc) {
		exs_rules_free(r);
		return rc;
	}
	r->rule_count = count_rules(r);
	*out = r;
	return EXS_OK;
}

unsigned exs_rules_builtin_files(const struct exs_rules *r) { return r->builtin_files; }
unsigned exs_rules_extra_files(const struct exs_rules *r) { return r->extra_files; }
unsigned exs_rules_count(const struct exs_rules *r) { return r->rule_count; }
const char *exs_rules_digest(const struct exs_rules *r) { return r->digest; }

const char *exs_rules_engine_version(void) { return "libyara " YR_VERSION; }

static const char *meta_string(const YR_RULE *rule, const char *key)
{
	const YR_META *meta;
	yr_rule_metas_foreach(rule, meta)
	{
		if (meta->type == META_TYPE_STRING &&
		    strcmp(meta->identifier, key) == 0)
			return meta->string;
	}
	return "";
}

static void join_tags(const YR_RULE *rule, char *buf, size_t cap)
{
	const char *tag;
	size_t n = 0;
	buf[0] = '\0';
	yr_rule_tags_foreach(rule, tag)
	{
		int w = snprintf(buf + n, cap - n, "%s%s", n ? " " : "", tag);
		if (w < 0 || (size_t)w >= cap - n)
			break;
		n += (size_t)w;
	}
}

int exs_rules_each(const struct exs_rules *r,
		   int (*fn)(void *ctx, const char *ns, const char *name,
			     const char *tags, const char *description),
		   void *ctx)
{
	for (size_t o = 0; o < EXS_RULESETS; o++) {
		const YR_RULE *rule;
		int k = slot_order[o];
		if (!r->yr[k])
			continue;
		yr_rules_foreach(r->yr[k], rule)
		{
			char tags[256];
			join_tags(rule, tags, sizeof(tags));
			int rc = fn(ctx, rule->ns->name, rule->identifier, tags,
				    meta_string(rule, "description"));
			if (rc)
				return rc;
		}
	}
	return EXS_OK;
}

void exs_rules_free(struct exs_rules *r)
{
	if (!r)
		return;
	for (int k = 0; k < EXS_RULESETS; k++)
		if (r->yr[k])
			yr_rules_destroy(r->yr[k]);
	free(r);
}

/* ---- Scanning ----------------------------------------------------------- */

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static int record_hit(struct exs_scanner *s, YR_SCAN_CONTEXT *context,
		      const YR_RULE *rule)
{
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;
		struct exs_hit *grown = realloc(s->hits, cap * sizeof(*grown));
		if (!grown) {
			s->failed = EXS_NOMEM;
			return CALLBACK_ABORT;
		}
		s->hits = grown;
		s->cap = cap;
	}
	struct exs_hit *h = &s->hits[s->count++];
	memset(h, 0, sizeof(*h));
	copy_str(h->rule, sizeof(h->rule), rule->identifier);
	copy_str(h->ns, sizeof(h->ns), rule->ns->name);
	join_tags(rule, h->tags, sizeof(h->tags));
	copy_str(h->description, sizeof(h->description),
		 meta_string(rule, "description"));
	copy_str(h->family, sizeof(h->family), meta_string(rule, "family"));
	copy_str(h->severity, sizeof(h->severity), meta_string(rule, "severity"));
	const YR_STRING *string;
	yr_rule_strings_foreach(rule, string)
	{
		if (h->string_count == EXS_HIT_STRINGS_MAX)
			break;
		/* libyara hands out YR_MATCH records from an unaligned arena,
		 * so each is copied out before its fields are read (reading
		 * them in place is undefined behaviour, as UBSan reports). */
		const YR_MATCH *at = context->matches[string->idx].head;
		YR_MATCH m;
		for (; at; at = m.next) {
			memcpy(&m, at, sizeof(m));
			if (!m.is_private)
				break;
		}
		if (!at)
			continue;
		/* The first match of each string is enough. */
		struct exs_hit_string *hs = &h->strings[h->string_count++];
		copy_str(hs->id, sizeof(hs->id), string->identifier);
		hs->offset = (uint64_t)(m.base + m.offset);
		hs->length = (uint32_t)m.match_length;
		size_t n = m.data_length > 0 ? (size_t)m.data_length : 0;
		if (n > EXS_EXCERPT_MAX)
			n = EXS_EXCERPT_MAX;
		if (n)
			memcpy(hs->excerpt, m.data, n);
		hs->excerpt_len = (uint32_t)n;
	}
	return CALLBACK_CONTINUE;
}

static int scan_callback(YR_SCAN_CONTEXT *context, int message,
			 void *message_data, void *user_data)
{
	struct exs_scanner *s = user_data;
	if (message == CALLBACK_MSG_RULE_MATCHING && s->probing) {
		s->gate_open = 1;
		return CALLBACK_CONTINUE;
	}
	if (message == CALLBACK_MSG_RULE_MATCHING)
		return record_hit(s, context, message_data);
	return CALLBACK_CONTINUE;
}

int exs_scanner_create(struct exs_rules *r, unsigned timeout_s,
		       struct exs_scanner **out, struct exs_error *err)
{
	struct exs_scanner *s = calloc(1, sizeof(*s));
	if (!s)
		return exs_fail(err, EXS_NOMEM, 0, "yr_scanner_create", NULL);
	for (int k = 0; k < EXS_RULESETS; k++) {
		if (!r->yr[k])
			continue;
		if (yr_scanner_create(r->yr[k], &s->yr[k]) != ERROR_SUCCESS) {
			exs_scanner_free(s);
			return exs_fail(err, EXS_NOMEM, 0, "yr_scanner_create", NULL);
		}
		yr_scanner_set_timeout(s->yr[k], (int)timeout_s);
		yr_scanner_set_flags(s->yr[k], SCAN_FLAGS_REPORT_RULES_MATCHING);
		yr_scanner_set_callback(s->yr[k], scan_callback, s);
	}
	*out = s;
	return EXS_OK;
}

int exs_scanner_scan(struct exs_scanner *s, const unsigned char *data,
		     size_t len, const struct exs_scan_vars *vars,
		     struct exs_hit **hits, size_t *count,
		     struct exs_error *err)
{
	return exs_scanner_scan_sets(s, EXS_RULESETS_ALL, data, len, vars, hits,
				     count, err);
}

static void define_vars(YR_SCANNER *yr, const char *const *values)
{
	for (size_t i = 0; i < sizeof(external_names) / sizeof(*external_names);
	     i++)
		yr_scanner_define_string_variable(yr, external_names[i],
						  values[i] ? values[i] : "");
}

int exs_scanner_scan_sets(struct exs_scanner *s, unsigned sets,
			  const unsigned char *data, size_t len,
			  const struct exs_scan_vars *vars,
			  struct exs_hit **hits, size_t *count,
			  struct exs_error *err)
{
	const char *values[] = {
		vars->filename, vars->filepath, vars->extension, vars->filetype,
		vars->owner,
	};
	s->hits = NULL;
	s->count = s->cap = 0;
	s->failed = 0;
	/* An empty buffer is a valid scan: rules on filename may match. */
	static const unsigned char empty[1];
	const unsigned char *buf = len ? data : empty;
	/* BUILTIN is the gate rule, then VIEW when it matched. */
	unsigned view = sets & EXS_RULESET(EXS_RULESET_VIEW);
	int rc = ERROR_SUCCESS;
	if ((sets & EXS_RULESET(EXS_RULESET_BUILTIN)) && s->yr[SLOT_GATE]) {
		define_vars(s->yr[SLOT_GATE], values);
		s->probing = 1;
		s->gate_open = 0;
		rc = yr_scanner_scan_mem(s->yr[SLOT_GATE], buf, len);
		s->probing = 0;
		if (rc == ERROR_SUCCESS && s->gate_open)
			view = 1;
	}
	if (rc == ERROR_SUCCESS && view && s->yr[EXS_RULESET_VIEW]) {
		define_vars(s->yr[EXS_RULESET_VIEW], values);
		rc = yr_scanner_scan_mem(s->yr[EXS_RULESET_VIEW], buf, len);
	}
	if (rc == ERROR_SUCCESS && !s->failed &&
	    (sets & EXS_RULESET(EXS_RULESET_EXTRA)) && s->yr[EXS_RULESET_EXTRA]) {
		define_vars(s->yr[EXS_RULESET_EXTRA], values);
		rc = yr_scanner_scan_mem(s->yr[EXS_RULESET_EXTRA], buf, len);
	}
	*hits = s->hits;
	*count = s->count;
	s->hits = NULL;
	s->count = s->cap = 0;
	if (s->failed)
		return exs_fail(err, s->failed, 0, "yr_scanner_scan_mem",
				vars->filepath);
	if (rc == ERROR_SCAN_TIMEOUT)
		return exs_failf(err, EXS_TIMEOUT, rc, "yr_scanner_scan_mem",
				 vars->filepath, "YARA scan timed out");
	if (rc != ERROR_SUCCESS)
		return exs_failf(err, EXS_IO, rc, "yr_scanner_scan_mem",
				 vars->filepath, "YARA scan failed (error %d)", rc);
	return EXS_OK;
}

void exs_scanner_free(struct exs_scanner *s)
{
	if (!s)
		return;
	for (int k = 0; k < EXS_RULESETS; k++)
		if (s->yr[k])
			yr_scanner_destroy(s->yr[k]);
	free(s->hits);
	free(s);
}

/* ---- Handing compiled rules to the scan worker ------------------------- */

struct blob_stream {
	struct exs_buf *out;       /* saving */
	const unsigned char *p;    /* loading */
	size_t left;
};

static size_t blob_write(const void *ptr, size_t size, size_t count,
			 void *user_data)
{
	struct blob_stream *s = user_data;
	if (size && count > SIZE_MAX / size)
		return 0;
	return exs_buf_append(s->out, ptr, size * count) ? 0 : count;
}

static size_t blob_read(void *ptr, size_t size, size_t count, void *user_data)
{
	struct blob_stream *s = user_data;
	if (!size || count > SIZE_MAX / size || size * count > s->left)
		return 0;
	memcpy(ptr, s->p, size * count);
	s->p += size * count;
	s->left -= size * count;
	return count;
}

int exs_rules_save(const struct exs_rules *r, struct exs_buf *out,
		   struct exs_error *err)
{
	for (int k = 0; k < EXS_RULESETS; k++) {
		size_t at = out->len;
		unsigned char n[8] = { 0 };
		exs_buf_append(out, n, sizeof(n));
		int rc = ERROR_SUCCESS;
		if (r->yr[k] && !out->failed) {
			struct blob_stream s = { .out = out };
			YR_STREAM stream = { .user_data = &s, .write = blob_write };
			rc = yr_rules_save_stream(r->yr[k], &stream);
		}
		if (rc != ERROR_SUCCESS || out->failed)
			return exs_failf(err, out->failed ? out->failed : EXS_RULES,
					 rc, "yr_rules_save_stream", NULL,
					 "cannot serialise the compiled rules");
		uint64_t len = (uint64_t)(out->len - at - sizeof(n));
		for (int i = 0; i < 8; i++)
			out->data[at + (size_t)i] = (char)(unsigned char)(len >> (8 * i));
	}
	return EXS_OK;
}

int exs_rules_from_blob(const void *data, size_t len, struct exs_rules **out,
			struct exs_error *err)
{
	struct exs_rules *r = calloc(1, sizeof(*r));
	if (!r)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	const unsigned char *p = data;
	size_t left = len;
	for (int k = 0; k < EXS_RULESETS; k++) {
		uint64_t n = 0;
		if (left < 8) {
			exs_rules_free(r);
			return exs_failf(err, EXS_RULES, 0, "yr_rules_load_stream",
					 NULL, "the compiled rules are truncated");
		}
		for (int i = 0; i < 8; i++)
			n |= (uint64_t)p[i] << (8 * i);
		p += 8;
		left -= 8;
		if (n > left) {
			exs_rules_free(r);
			return exs_failf(err, EXS_RULES, 0, "yr_rules_load_stream",
					 NULL, "the compiled rules are truncated");
		}
		if (!n)
			continue;
		struct blob_stream s = { .p = p, .left = (size_t)n };
		YR_STREAM stream = { .user_data = &s, .read = blob_read };
		int rc = yr_rules_load_stream(&stream, &r->yr[k]);
		if (rc != ERROR_SUCCESS) {
			exs_rules_free(r);
			return exs_failf(err, EXS_RULES, rc, "yr_rules_load_stream",
					 NULL, "cannot load the compiled rules "
					 "(error %d)", rc);
		}
		p += n;
		left -= (size_t)n;
	}
	r->rule_count = count_rules(r);
	*out = r;
	return EXS_OK;
}
