/* common.c -- what the commands share: messages, exit codes, config and
 * rules loading, the progress line, the baseline lock and writing reports.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "escape.h"
#include "hash.h"
#include "path.h"
#include "regfinding.h"
#include "report.h"

int exs_cli_exit_for(int status)
{
	switch (status) {
	case EXS_OK: return EXS_EXIT_CLEAN;
	case EXS_USAGE:
	case EXS_CONFIG: return EXS_EXIT_USAGE;
	case EXS_RULES: return EXS_EXIT_RULES;
	case EXS_BASELINE: return EXS_EXIT_BASELINE_MISSING;
	case EXS_CORRUPT: return EXS_EXIT_BASELINE_CORRUPT;
	case EXS_LOCKED: return EXS_EXIT_LOCKED;
	case EXS_EXISTS: return EXS_EXIT_BASELINE_EXISTS;
	case EXS_SEAL: return EXS_EXIT_SEAL;
	case EXS_NOKEY: return EXS_EXIT_NOKEY;
	case EXS_SANDBOX: return EXS_EXIT_SANDBOX;
	case EXS_NOMEM:
	case EXS_INTERNAL: return EXS_EXIT_INTERNAL;
	default: return EXS_EXIT_IO;
	}
}

void exs_cli_print(struct exs_cli *cli, enum exs_stream s, const char *fmt, ...)
{
	char small[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		cli->plat->stream_write(s, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (!big)
		return;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	cli->plat->stream_write(s, big, (size_t)n);
	free(big);
}

void exs_cli_print_text(struct exs_cli *cli, enum exs_stream s,
			const char *prefix, const char *text)
{
	struct exs_buf b;
	exs_buf_init(&b, 1u << 20);
	exs_buf_puts(&b, prefix);
	exs_text_escape(&b, text, strlen(text));
	exs_buf_putc(&b, '\n');
	if (!b.failed)
		cli->plat->stream_write(s, b.data, b.len);
	exs_buf_free(&b);
}

int exs_cli_fail(struct exs_cli *cli, const struct exs_error *err)
{
	char msg[EXS_ERROR_WHERE_MAX + EXS_ERROR_DETAIL_MAX + 128];
	exs_cli_progress_end(cli);
	exs_error_format(err, msg, sizeof(msg));
	/* Located errors (config, rules) start with FILE:LINE, as compilers'
	 * do, so editors and scripts can jump to them. The message may quote
	 * a path or a config value: shown escaped, like names in the
	 * summary. */
	if ((err->status == EXS_CONFIG || err->status == EXS_RULES) &&
	    err->where[0])
		exs_cli_print_text(cli, EXS_STDERR, "", msg);
	else
		exs_cli_print_text(cli, EXS_STDERR, "exsweep: ", msg);
	if (err->status == EXS_SANDBOX)
		exs_cli_print(cli, EXS_STDERR, "exsweep: no file was judged; "
			      "--no-sandbox judges files inside this process "
			      "(unsafe: a parser exploit runs with its rights)\n");
	return exs_cli_exit_for(err->status);
}

/* ---- Configuration and rules -------------------------------------------- */

static int replace_list(struct exs_strlist *dst, const struct exs_strlist *src,
			struct exs_error *err)
{
	exs_strlist_clear(dst);
	for (size_t i = 0; i < src->count; i++)
		if (exs_strlist_add_str(dst, src->items[i]))
			return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	return EXS_OK;
}

static int same_list(const struct exs_strlist *a, const struct exs_strlist *b)
{
	if (a->count != b->count)
		return 0;
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->items[i], b->items[i]) != 0)
			return 0;
	return 1;
}

/* Replaces every path of list with its one spelling (exs_path_canonical). */
static int canonical_list(const struct exs_platform *plat,
			  struct exs_strlist *list, struct exs_error *err)
{
	for (size_t i = 0; i < list->count; i++) {
		char *spelt;
		int rc = exs_path_canonical(plat, list->items[i], &spelt, err);
		if (rc)
			return rc;
		free(list->items[i]);
		list->items[i] = spelt;
	}
	return EXS_OK;
}

/* Reads the config file over cli->cfg: -c FILE, or the default file when it
 * exists. */
static int load_config_file(struct exs_cli *cli, struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	int rc;
	char def[1024];
	const char *path = cli->config_path;
	if (!path) {
		/* The default file is optional: without it, built-in defaults. */
		struct exs_stat st;
		struct exs_error ignored;
		if (plat->place(EXS_PLACE_CONFIG_FILE, def, sizeof(def), err) == EXS_OK &&
		    plat->path_stat(def, &st, &ignored) == EXS_OK)
			path = def;
	}
	if (path) {
		rc = exs_config_load(&cli->cfg, plat, path, err);
		if (rc && rc != EXS_CONFIG && rc != EXS_NOMEM) {
			/* Unreadable or missing: a configuration error. */
			char what[EXS_ERROR_DETAIL_MAX];
			snprintf(what, sizeof(what), "cannot read configuration: %s",
				 err->detail[0] ? err->detail : exs_strerror(rc));
			return exs_failf(err, EXS_CONFIG, err->os_code, "open", path,
					 "%s", what);
		}
		if (rc)
			return rc;
	}
	return EXS_OK;
}

int exs_cli_load_config(struct exs_cli *cli, struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	int rc = exs_config_init(&cli->cfg, plat, err);
	if (rc)
		return rc;
	/* Discovered folders replace the built-in defaults; a config file's
	 * first root or web_root line still replaces them in turn. */
	exs_discovery_free(&cli->discovery);
	if (cli->image)
		rc = exs_discover_image(plat, cli->image, &cli->discovery, err);
	else
		rc = exs_discover_native(plat, &cli->discovery, err);
	if (!rc && cli->discovery.roots.count)
		rc = replace_list(&cli->cfg.roots, &cli->discovery.roots, err);
	if (!rc && cli->discovery.web_roots.count)
		rc = replace_list(&cli->cfg.web_roots, &cli->discovery.web_roots,
				  err);
	if (rc)
		return rc;
	struct exs_strlist roots_before = { 0 }, web_before = { 0 };
	rc = replace_list(&roots_before, &cli->cfg.roots, err);
	if (!rc)
		rc = replace_list(&web_before, &cli->cfg.web_roots, err);
	if (!rc)
		rc = load_config_file(cli, err);
	if (!rc) {
		/* The file's lines replace the lists; -w DIR is appended below. */
		cli->file_roots = same_list(&roots_before, &cli->cfg.roots)
					  ? 0 : cli->cfg.roots.count;
		cli->file_web_roots = same_list(&web_before, &cli->cfg.web_roots)
					      ? 0 : cli->cfg.web_roots.count;
		cli->roots_from_config = cli->file_roots || cli->file_web_roots;
	}
	exs_strlist_free(&roots_before);
	exs_strlist_free(&web_before);
	if (rc)
		return rc;
	/* Command-line options override the file, under the file's rules:
	 * what the configuration holds, `exsweep config` can write back. */
	if (cli->baseline_path)
		rc = exs_config_set(&cli->cfg, "baseline", "path",
				    cli->baseline_path, "option '--baseline'",
				    err);
	if (!rc && cli->rules_dir)
		rc = exs_config_set(&cli->cfg, "yara", "rules_dir",
				    cli->rules_dir, "option '--rules-dir'", err);
	if (!rc)
		rc = canonical_list(plat, &cli->web_roots, err);
	for (size_t i = 0; !rc && i < cli->web_roots.count; i++)
		rc = exs_config_set(&cli->cfg, "scan", "web_root",
				    cli->web_roots.items[i],
				    "option '--web-root'", err);
	for (size_t i = 0; !rc && i < cli->excludes.count; i++)
		rc = exs_config_set(&cli->cfg, "scan", "exclude",
				    cli->excludes.items[i], "option '--exclude'",
				    err);
	if (rc)
		return rc;
	if (cli->threads >= 0)
		cli->cfg.threads = (unsigned)cli->threads;
	/* The one place where paths from the admin get their one spelling:
	 * roots and web roots (file, discovery, command line), the ROOT and
	 * PATH arguments and --accept. The walk, the baseline keys and every
	 * comparison after this see '\\' and '/' as one, on Windows each
	 * existing name as its folder lists it. */
	if (!rc)
		rc = canonical_list(plat, &cli->cfg.roots, err);
	if (!rc)
		rc = canonical_list(plat, &cli->cfg.web_roots, err);
	if (!rc)
		rc = canonical_list(plat, &cli->args, err);
	if (!rc)
		rc = canonical_list(plat, &cli->accepts, err);
	if (!rc && (cli->low_priority || cli->cfg.low_priority))
		rc = plat->set_low_priority(err);
	return rc;
}

int exs_cli_load_rules(struct exs_cli *cli, int strict,
		       struct exs_strlist *warnings, struct exs_rules **out,
		       struct exs_error *err)
{
	int rc = exs_rules_load(cli->plat, cli->cfg.rules_dir, strict, warnings,
				out, err);
	if (rc && rc != EXS_RULES && rc != EXS_NOMEM && cli->cfg.rules_dir) {
		/* The extra folder itself is missing or unreadable. */
		char detail[EXS_ERROR_DETAIL_MAX];
		snprintf(detail, sizeof(detail), "cannot read rules folder: %s",
			 err->detail[0] ? err->detail : exs_strerror(rc));
		char where[EXS_ERROR_WHERE_MAX];
		snprintf(where, sizeof(where), "%s", err->where);
		return exs_failf(err, EXS_RULES, err->os_code, "open", where,
				 "%s", detail);
	}
	return rc;
}

struct rules_job {
	struct exs_cli *cli;
	struct exs_strlist warnings;
	struct exs_rules *rules;
	struct exs_error err;
	int rc;
};

static void rules_job_main(void *arg)
{
	struct rules_job *job = arg;
	job->rc = exs_cli_load_rules(job->cli, 0, &job->warnings, &job->rules,
				     &job->err);
}

int exs_cli_rules_beside(struct exs_cli *cli, struct exs_run *run,
			 int (*fn)(void *ctx, struct exs_error *err), void *ctx,
			 struct exs_rules **rules, struct exs_error *err)
{
	struct rules_job job = { .cli = cli };
	exs_error_clear(&job.err);
	struct exs_thread *thread = NULL;
	struct exs_error ignored;
	if (cli->plat->thread_create(&thread, rules_job_main, &job,
				     &ignored) != EXS_OK) {
		thread = NULL;
		rules_job_main(&job);
	}
	/* fn's warnings are kept apart until the rules' are in. */
	struct exs_strlist before = run->warnings;
	memset(&run->warnings, 0, sizeof(run->warnings));
	int fn_rc = job.rc && !thread ? EXS_OK : fn(ctx, err);
	struct exs_strlist added = run->warnings;
	run->warnings = before;
	if (thread)
		cli->plat->thread_join(thread);
	int rc = job.rc;
	if (rc)
		*err = job.err;
	else
		rc = fn_rc;
	const struct exs_strlist *lists[] = { &job.warnings, &added };
	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; !rc && i < lists[l]->count; i++)
			if (exs_strlist_add_str(&run->warnings,
						lists[l]->items[i]))
				rc = exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	exs_strlist_free(&job.warnings);
	exs_strlist_free(&added);
	if (rc) {
		exs_rules_free(job.rules);
		job.rules = NULL;
	}
	*rules = job.rules;
	return rc;
}

unsigned exs_cli_threads(const struct exs_cli *cli)
{
	unsigned n = cli->cfg.threads;
	if (!n) {
		/* One per core; a low-priority run leaves one core to the
		 * server: the lowest priority still shares caches and memory
		 * bandwidth with what it runs beside (bench/run's concurrent
		 * job). An explicit count is taken as given. */
		n = cli->plat->cpu_count();
		if (cli->low_priority || cli->cfg.low_priority)
			n = n > 1 ? n - 1 : 1;
	}
	if (n < 1)
		n = 1;
	return n > 32 ? 32 : n;
}

/* ---- Progress ----------------------------------------------------------- */

void exs_cli_progress(void *ctx, const struct exs_progress *p)
{
	struct exs_cli *cli = *(struct exs_cli **)ctx;
	if (cli->quiet || cli->no_progress || !cli->plat->is_terminal(EXS_STDERR))
		return;
	double secs = (double)p->elapsed_ns / 1e9;
	double mib = (double)p->bytes / (1024.0 * 1024.0);
	char part[96] = "";
	uint64_t total = cli->progress_total;
	if (total) {
		/* The baseline knows how many files there were: percent and the
		 * time left at the rate so far. Added files can take the count
		 * past the total; then the end is near but not known. */
		if (p->files < total && p->files && secs > 0) {
			double left = secs * (double)(total - p->files) /
				      (double)p->files;
			snprintf(part, sizeof(part), " of %llu (%u%%, %.0f s left)",
				 (unsigned long long)total,
				 (unsigned)(100.0 * (double)p->files / (double)total),
				 left + 0.5);
		} else if (p->files < total) {
			snprintf(part, sizeof(part), " of %llu (%u%%)",
				 (unsigned long long)total,
				 (unsigned)(100.0 * (double)p->files / (double)total));
		} else if (p->files == total) {
			snprintf(part, sizeof(part), " of %llu (100%%)",
				 (unsigned long long)total);
		} else {
			snprintf(part, sizeof(part), " of %llu (%llu more than the "
				 "baseline)", (unsigned long long)total,
				 (unsigned long long)(p->files - total));
		}
	}
	exs_cli_print(cli, EXS_STDERR,
		      "\r%llu files%s, %.1f MiB, %.1f MiB/s, %.1f s   ",
		      (unsigned long long)p->files, part, mib,
		      secs > 0 ? mib / secs : 0.0, secs);
	cli->progress_shown = 1;
}

void exs_cli_progress_end(struct exs_cli *cli)
{
	if (cli->progress_shown) {
		exs_cli_print(cli, EXS_STDERR, "\n");
		cli->progress_shown = 0;
	}
}

/* ---- Reading a whole file ------------------------------------------------ */

int exs_cli_read_file(struct exs_cli *cli, const char *path, const char *what,
		      struct exs_buf *text, struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	struct exs_file *f = NULL;
	int rc = plat->file_open_read(path, &f, err);
	while (!rc) {
		size_t got = 0;
		if (exs_buf_reserve(text, 1u << 20)) {
			rc = exs_failf(err, EXS_LIMIT, 0, "read", path,
				       "%s too large", what);
			break;
		}
		rc = plat->file_read(f, text->data + text->len, 1u << 20, &got,
				     err);
		if (rc || !got)
			break;
		text->len += got;
	}
	if (f)
		plat->file_close(f);
	if (rc)
		return exs_failf(err, EXS_USAGE, err->os_code, "open", path,
				 "cannot read %s: %s", what,
				 err->detail[0] ? err->detail : exs_strerror(rc));
	return EXS_OK;
}

/* ---- Lock ----------------------------------------------------------------- */

int exs_cli_lock(struct exs_cli *cli, const char *baseline,
		 struct exs_file **lock, struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	struct exs_buf path;
	exs_buf_init(&path, 65536);
	exs_buf_puts(&path, baseline);
	exs_buf_puts(&path, ".lock");
	if (path.failed) {
		exs_buf_free(&path);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", baseline);
	}
	int rc = plat->file_create(path.data, EXS_CREATE_PRIVATE, lock, err);
	if (!rc) {
		rc = plat->file_lock(*lock, err);
		if (rc) {
			plat->file_close(*lock);
			*lock = NULL;
			if (rc == EXS_LOCKED)
				exs_failf(err, EXS_LOCKED, err->os_code, "lock",
					  path.data, "another exsweep run is "
					  "using this baseline");
		}
	}
	exs_buf_free(&path);
	return rc;
}

/* ---- Findings and reports ------------------------------------------------ */

int exs_cli_add_removed(struct exs_run *run, const char *path, size_t len,
			const struct exs_record *rec, struct exs_error *err)
{
	struct exs_finding f;
	memset(&f, 0, sizeof(f));
	f.kind = EXS_FINDING_REMOVED;
	f.path = (char *)path;
	f.path_len = len;
	f.has_old = 1;
	f.old_rec = *rec;
	int added = exs_run_add(run, &f);
	return added ? exs_fail(err, added, 0, "collect", path) : EXS_OK;
}

int exs_cli_add_error(struct exs_run *run, const char *path, size_t len,
		      const struct exs_error *err)
{
	struct exs_finding f;
	memset(&f, 0, sizeof(f));
	f.kind = EXS_FINDING_ERROR;
	f.path = (char *)path;
	f.path_len = len;
	f.status = err->status;
	f.os_code = err->os_code;
	f.op = err->op;
	const char *text = err->detail[0] ? err->detail : exs_strerror(err->status);
	f.message = malloc(strlen(text) + 1);
	if (!f.message)
		return EXS_NOMEM;
	strcpy(f.message, text);
	int rc = exs_run_add(run, &f);
	if (rc)
		free(f.message);
	return rc;
}

struct file_sink {
	const struct exs_platform *plat;
	struct exs_file *f;
	struct exs_error *err;
};

static int write_file(void *ctx, const char *text, size_t len)
{
	struct file_sink *s = ctx;
	return s->plat->file_write(s->f, text, len, s->err);
}

static int write_stream(void *ctx, const char *text, size_t len)
{
	struct exs_cli *cli = ctx;
	return cli->plat->stream_write(EXS_STDOUT, text, len);
}

/* One writer per report format; the NDJSON one also needs the path
 * convention of the platform. */
enum report_format { FORMAT_JSON, FORMAT_NDJSON, FORMAT_HTML };

static int write_report(struct exs_cli *cli, const struct exs_run *run,
			enum report_format format, const struct exs_sink *sink)
{
	switch (format) {
	case FORMAT_NDJSON:
		return exs_report_ndjson(run, cli->plat->path_separator == '\\',
					 sink);
	case FORMAT_HTML:
		return exs_report_html(run, sink);
	case FORMAT_JSON:
		break;
	}
	return exs_report_json(run, sink);
}

static int write_report_file(struct exs_cli *cli, const struct exs_run *run,
			     const char *path, enum report_format format,
			     struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	struct file_sink fs = { plat, NULL, err };
	int rc = plat->file_create(path, EXS_CREATE_TRUNCATE, &fs.f, err);
	if (rc)
		return rc;
	struct exs_sink sink = { write_file, &fs };
	rc = write_report(cli, run, format, &sink);
	if (!rc)
		rc = plat->file_sync(fs.f, err);
	plat->file_close(fs.f);
	if (rc && !err->where[0])
		exs_fail(err, rc, 0, "write", path);
	return rc;
}

/* The dated report name in the report folder. */
static int report_dir_path(struct exs_cli *cli, const struct exs_run *run,
			   const char *ext, struct exs_buf *out)
{
	char t[40];
	exs_format_time(run->started_ns, t, sizeof(t));
	/* "2026-11-23T18:49:11Z" -> "20261123T184911Z": no ':' on NTFS. */
	char compact[40];
	size_t n = 0;
	for (const char *p = t; *p && n < sizeof(compact) - 1; p++)
		if (*p != '-' && *p != ':')
			compact[n++] = *p;
	compact[n] = '\0';
	exs_buf_puts(out, cli->cfg.report_dir);
	exs_buf_putc(out, cli->plat->path_separator);
	exs_buf_printf(out, "exsweep-%s-%s.%s", run->command, compact, ext);
	return out->failed;
}

/* ---- The event log ---------------------------------------------------------
 * With --event-log, where the platform has a system log (Windows): one
 * summary event, then one event per finding, in report order (webshells
 * first), at most EVENT_FINDINGS_MAX of them and then a note. The IDs and
 * each ID's fields are documented in README ("Windows"); they are a
 * contract with the admins' alert rules and subscriptions, so never
 * renumber or reorder them: append. */
#define EVENT_SUMMARY 1000
#define EVENT_FINDING_BASE 1001 /* + enum exs_finding_kind: 1001..1008 */
#define EVENT_FINDINGS_MAX 50

/* An event being built: the message and the fields' values live in one
 * buffer (NUL-separated), pointed at once it is complete. */
struct event_build {
	struct exs_buf text;
	size_t msg_end;
	const char *names[EXS_EVENT_FIELDS_MAX];
	size_t offs[EXS_EVENT_FIELDS_MAX];
	size_t n;
	struct exs_event_field fields[EXS_EVENT_FIELDS_MAX];
};

static void ev_begin(struct event_build *b)
{
	exs_buf_reset(&b->text);
	b->n = 0;
}

static void ev_end_message(struct event_build *b)
{
	exs_buf_putc(&b->text, '\0');
	b->msg_end = b->text.len;
}

/* Starts field name; its value is what is appended until the next. */
static void ev_field(struct event_build *b, const char *name)
{
	if (b->n && b->n <= EXS_EVENT_FIELDS_MAX)
		exs_buf_putc(&b->text, '\0');
	if (b->n < EXS_EVENT_FIELDS_MAX) {
		b->names[b->n] = name;
		b->offs[b->n] = b->text.len;
	}
	b->n++;
}

static void ev_field_str(struct event_build *b, const char *name,
			 const char *value)
{
	ev_field(b, name);
	exs_buf_puts(&b->text, value);
}

static void ev_field_u64(struct event_build *b, const char *name, uint64_t v)
{
	ev_field(b, name);
	exs_buf_printf(&b->text, "%llu", (unsigned long long)v);
}

/* Names are bytes; the log takes text, escaped as the summary shows it. */
static void ev_field_name(struct event_build *b, const char *name,
			  const char *s, size_t len)
{
	ev_field(b, name);
	exs_text_escape(&b->text, s, len);
}

/* Which generation, seal and Exchange build every event names. */
static void ev_baseline_fields(struct event_build *b, const struct exs_run *run)
{
	const struct exs_generation *g = exs_run_generation(run);
	char build[32];
	ev_field(b, "generation");
	if (g)
		exs_buf_printf(&b->text, "%lld", (long long)g->id);
	ev_field_str(b, "seal", g ? g->seal : "");
	exs_build_format(&run->build, build, sizeof(build));
	ev_field_str(b, "exchange_build", build);
}

static int ev_report(const struct exs_platform *plat, struct event_build *b,
		     int severity, unsigned id)
{
	if (b->n)
		exs_buf_putc(&b->text, '\0');
	if (b->text.failed || b->n > EXS_EVENT_FIELDS_MAX)
		return EXS_NOMEM;
	for (size_t i = 0; i < b->n; i++) {
		b->fields[i].name = b->names[i];
		b->fields[i].value = b->text.data + b->offs[i];
	}
	struct exs_event ev = { severity, id, b->text.data, b->fields, b->n };
	return plat->event_report(&ev);
}

struct event_ctx {
	const struct exs_platform *plat;
	const struct exs_run *run;
	struct event_build *b;
	size_t left, logged;
};

/* A registration's line, change, kind, name, image or type and reasons,
 * for the Event Log message and its detail field. */
static void registration_text(struct exs_buf *msg, const struct exs_finding *f)
{
	struct exs_reg_fields r;
	if (exs_reg_finding_unpack(f->message, &r) != EXS_OK)
		return;
	exs_buf_printf(msg, ":%llu: ", (unsigned long long)f->trace.line);
	for (int i = EXS_REGF_CHANGE; i <= EXS_REGF_NAME; i++) {
		if (i == EXS_REGF_SCOPE)
			continue;
		exs_text_escape(msg, r.f[i], strlen(r.f[i]));
		exs_buf_putc(msg, ' ');
	}
	const char *what = r.f[EXS_REGF_IMAGE][0] ? r.f[EXS_REGF_IMAGE]
						  : r.f[EXS_REGF_TYPE];
	exs_text_escape(msg, what, strlen(what));
	if (r.f[EXS_REGF_WHY][0]) {
		exs_buf_puts(msg, " (suspicious: ");
		exs_text_escape(msg, r.f[EXS_REGF_WHY], strlen(r.f[EXS_REGF_WHY]));
		exs_buf_putc(msg, ')');
	}
	exs_reg_fields_free(&r);
}

/* One Event Log entry per finding, for the first few. */
static int event_finding(void *ctx, const struct exs_finding *f)
{
	struct event_ctx *e = ctx;
	if (e->logged == e->left)
		return EXS_RUN_STOP; /* enough: the report has the rest */
	e->logged++;
	struct event_build *b = e->b;
	struct exs_buf *msg = &b->text;
	const char *kind = exs_finding_kind_name(f->kind);
	const struct exs_hit *h = f->hit_count ? &f->hits[0] : NULL;
	ev_begin(b);
	exs_buf_printf(msg, "%s: ", kind);
	exs_text_escape(msg, f->path, f->path_len);
	if (f->kind == EXS_FINDING_ERROR && f->message) {
		exs_buf_puts(msg, ": ");
		exs_text_escape(msg, f->message, strlen(f->message));
	}
	if (f->kind == EXS_FINDING_CHANGED && f->timestomp)
		exs_buf_puts(msg, " (timestomp)");
	if (f->kind == EXS_FINDING_EXPLOIT_TRACE && h) {
		exs_buf_printf(msg, ":%llu: ", (unsigned long long)f->trace.line);
		exs_text_escape(msg, h->rule, strlen(h->rule));
		exs_buf_puts(msg, " from ");
		exs_text_escape(msg, f->trace.client, strlen(f->trace.client));
	}
	if (f->kind == EXS_FINDING_REGISTRATION)
		registration_text(msg, f);
	ev_end_message(b);

	ev_field_str(b, "kind", kind);
	ev_field_name(b, "path", f->path, f->path_len);
	ev_field(b, "rule");
	if (h)
		exs_text_escape(msg, h->rule, strlen(h->rule));
	ev_field(b, "rules");
	for (size_t i = 0; i < f->hit_count; i++) {
		if (i)
			exs_buf_putc(msg, ' ');
		exs_text_escape(msg, f->hits[i].rule, strlen(f->hits[i].rule));
	}
	ev_field(b, "rule_severity");
	if (h)
		exs_text_escape(msg, h->severity, strlen(h->severity));
	const struct exs_record *r = f->has_new ? &f->new_rec
				   : f->has_old ? &f->old_rec : NULL;
	ev_field(b, "sha256");
	if (r) {
		char hex[2 * EXS_SHA256_LEN + 1];
		exs_hex(r->sha256, EXS_SHA256_LEN, hex);
		exs_buf_puts(msg, hex);
	}
	ev_field(b, "size");
	if (r)
		exs_buf_printf(msg, "%llu", (unsigned long long)r->st.size);
	/* What else the kind has to say, in one field. */
	ev_field(b, "detail");
	if (f->kind == EXS_FINDING_CHANGED) {
		for (unsigned bit = 1, n = 0; bit < (1u << EXS_ATTR_COUNT); bit <<= 1)
			if (f->changed & bit)
				exs_buf_printf(msg, "%s%s", n++ ? " " : "",
					       exs_attr_name(bit));
	} else if (f->kind == EXS_FINDING_ERROR) {
		exs_buf_printf(msg, "%s: ", exs_status_name(f->status));
		const char *text = f->message ? f->message : exs_strerror(f->status);
		exs_text_escape(msg, text, strlen(text));
	} else if (f->kind == EXS_FINDING_EXPLOIT_TRACE) {
		exs_buf_printf(msg, "line %llu from ",
			       (unsigned long long)f->trace.line);
		exs_text_escape(msg, f->trace.client, strlen(f->trace.client));
	} else if (f->kind == EXS_FINDING_REGISTRATION) {
		registration_text(msg, f);
	}
	/* A value of its own, so that a subscription can select on it. */
	ev_field_str(b, "timestomp", f->kind == EXS_FINDING_CHANGED &&
				     f->timestomp ? "timestomp" : "");
	ev_baseline_fields(b, e->run);
	if (msg->failed)
		return EXS_RUN_STOP;
	ev_report(e->plat, b, f->kind == EXS_FINDING_WEBSHELL ? EXS_EVENT_ERROR
							       : EXS_EVENT_WARNING,
		  EVENT_FINDING_BASE + (unsigned)f->kind);
	return EXS_OK;
}

static void report_events(struct exs_cli *cli, const struct exs_run *run)
{
	const struct exs_platform *plat = cli->plat;
	if (!cli->event_log || !plat->event_report)
		return;
	struct event_build b;
	exs_buf_init(&b.text, 1u << 20);
	ev_begin(&b);
	exs_buf_printf(&b.text, "exsweep %s: %llu files", run->command,
		       (unsigned long long)run->files);
	for (int k = 0; k < EXS_FINDING_KIND_COUNT; k++)
		exs_buf_printf(&b.text, ", %llu %s",
			       (unsigned long long)run->counts[k],
			       exs_finding_kind_name((enum exs_finding_kind)k));
	exs_buf_printf(&b.text, "; exit code %d", run->exit_code);
	ev_end_message(&b);
	ev_field_str(&b, "kind", "summary");
	ev_field_str(&b, "command", run->command);
	ev_field_u64(&b, "files", run->files);
	ev_field(&b, "exit_code");
	exs_buf_printf(&b.text, "%d", run->exit_code);
	for (int k = 0; k < EXS_FINDING_KIND_COUNT; k++)
		ev_field_u64(&b, exs_finding_kind_name((enum exs_finding_kind)k),
			     run->counts[k]);
	ev_baseline_fields(&b, run);
	int severity = run->finding_count ? EXS_EVENT_WARNING
					  : EXS_EVENT_INFORMATION;
	if (ev_report(plat, &b, severity, EVENT_SUMMARY) != EXS_OK) {
		/* EXS_UNSUPPORTED (POSIX) or no log: the report still stands. */
		exs_buf_free(&b.text);
		return;
	}
	size_t n = run->finding_count < EVENT_FINDINGS_MAX
			   ? run->finding_count : EVENT_FINDINGS_MAX;
	struct event_ctx ev = { plat, run, &b, n, 0 };
	exs_run_each_finding(run, event_finding, &ev);
	if (run->finding_count > n) {
		ev_begin(&b);
		exs_buf_printf(&b.text, "%lu more findings not logged; see the "
			       "report", (unsigned long)(run->finding_count - n));
		ev_end_message(&b);
		ev_field_str(&b, "kind", "not_logged");
		ev_field_u64(&b, "count", run->finding_count - n);
		ev_report(plat, &b, EXS_EVENT_WARNING, EVENT_SUMMARY);
	}
	exs_buf_free(&b.text);
}

int exs_cli_finish(struct exs_cli *cli, struct exs_run *run)
{
	struct exs_error err;
	exs_error_clear(&err);
	exs_cli_progress_end(cli);
	exs_run_sort(run);
	run->finished_ns = cli->plat->clock_wall_ns();
	run->exit_code = exs_run_finding_bits(run);
	int rc = EXS_OK;
	/* --json FILE, --ndjson FILE, --html FILE; '-' is stdout (and then
	 * no summary). */
	const char *paths[3] = { cli->json_path, cli->ndjson_path,
				 cli->html_path };
	int to_stdout = 0;
	for (int i = 0; !rc && i < 3; i++) {
		enum report_format format = (enum report_format)i;
		if (!paths[i])
			continue;
		if (strcmp(paths[i], "-") == 0) {
			struct exs_sink sink = { write_stream, cli };
			to_stdout = 1;
			rc = write_report(cli, run, format, &sink);
			if (rc)
				exs_fail(&err, rc, 0, "write", "standard output");
		} else {
			rc = write_report_file(cli, run, paths[i], format, &err);
		}
	}
	if (!rc && cli->cfg.report_dir && cli->cfg.report_dir[0]) {
		rc = cli->plat->dir_create(cli->cfg.report_dir, EXS_CREATE_PRIVATE,
					   &err);
		/* [report] format: json, ndjson or both, in the order given;
		 * the HTML report for people always beside them. */
		const struct exs_strlist *formats = &cli->cfg.report_formats;
		for (size_t i = 0; !rc && i <= formats->count; i++) {
			enum report_format format = FORMAT_HTML;
			if (i < formats->count)
				format = strcmp(formats->items[i], "ndjson") == 0
					 ? FORMAT_NDJSON : FORMAT_JSON;
			static const char *const ext[] = { "json", "ndjson",
							   "html" };
			struct exs_buf path;
			exs_buf_init(&path, 65536);
			if (report_dir_path(cli, run, ext[format], &path))
				rc = exs_fail(&err, EXS_NOMEM, 0, "malloc", NULL);
			if (!rc)
				rc = write_report_file(cli, run, path.data,
						       format, &err);
			exs_buf_free(&path);
		}
	}
	if (!cli->quiet && !to_stdout) {
		struct exs_sink sink = { write_stream, cli };
		exs_report_text(run, &sink, cli->verbose);
	}
	report_events(cli, run);
	if (rc)
		return exs_cli_fail(cli, &err);
	return run->exit_code;
}

void exs_cli_start_run(struct exs_cli *cli, struct exs_run *run,
		       const char *command, const struct exs_rules *rules)
{
	run->command = command;
	cli->plat->host_name(run->host, sizeof(run->host));
	run->started_ns = cli->plat->clock_wall_ns();
	if (rules) {
		run->rules_builtin = exs_rules_builtin_files(rules);
		run->rules_extra = exs_rules_extra_files(rules);
		run->rule_count = exs_rules_count(rules);
	}
}

/* A webshell or suspicious finding from an item's hits; the run takes the
 * hits over, so the item's pointer is cleared. */
static int add_hits(struct exs_run *run, const struct exs_item *item,
		    enum exs_finding_kind kind, struct exs_hit **hits,
		    size_t *count)
{
	if (!*count)
		return EXS_OK;
	struct exs_finding f;
	memset(&f, 0, sizeof(f));
	f.kind = kind;
	f.path = item->path;
	f.path_len = item->path_len;
	f.has_new = 1;
	f.new_rec = item->rec;
	f.hits = *hits;
	f.hit_count = *count;
	int rc = exs_run_add(run, &f);
	if (!rc) {
		*hits = NULL;
		*count = 0;
	}
	return rc;
}

int exs_cli_collect_common(struct exs_run *run, struct exs_item *item,
			   int *readable)
{
	*readable = 0;
	switch (item->kind) {
	case EXS_ITEM_SKIPPED:
		return exs_run_add_skipped(run, item->path, item->path_len,
					   item->node);
	case EXS_ITEM_ERROR:
		return exs_cli_add_error(run, item->path, item->path_len,
					 &item->err);
	case EXS_ITEM_FILE:
		break;
	}
	if (item->status)
		return exs_cli_add_error(run, item->path, item->path_len,
					 &item->err);
	*readable = 1;
	int rc = exs_run_add_signature(run, item->path, item->path_len,
				       &item->sig);
	if (!rc)
		rc = add_hits(run, item, EXS_FINDING_WEBSHELL, &item->hits,
			      &item->hit_count);
	if (!rc)
		rc = add_hits(run, item, EXS_FINDING_SUSPICIOUS, &item->suspicious,
			      &item->suspicious_count);
	if (!rc && item->scan_status)
		rc = exs_cli_add_error(run, item->path, item->path_len,
				       &item->scan_err);
	return rc;
}

int exs_cli_scanned_clean(const struct exs_item *item)
{
	return item->kind == EXS_ITEM_FILE && !item->status && item->scanned &&
	       !item->scan_status && !item->hit_count && !item->suspicious_count;
}
