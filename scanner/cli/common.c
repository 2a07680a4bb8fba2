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
#include "path.h"

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
	if (!rc && (!same_list(&roots_before, &cli->cfg.roots) ||
		    !same_list(&web_before, &cli->cfg.web_roots))) {
		cli->roots_from_config = 1;
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
	if (!rc && cli->low_priority)
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

unsigned exs_cli_threads(const struct exs_cli *cli)
{
	unsigned n = cli->cfg.threads ? cli->cfg.threads : cli->plat->cpu_count();
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
	exs_cli_print(cli, EXS_STDERR,
		      "\r%llu files, %.1f MiB, %.1f MiB/s, %.1f s   ",
		      (unsigned long long)p->files, mib,
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

static int write_json_file(struct exs_cli *cli, const struct exs_run *run,
			   const char *path, struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	struct file_sink fs = { plat, NULL, err };
	int rc = plat->file_create(path, EXS_CREATE_TRUNCATE, &fs.f, err);
	if (rc)
		return rc;
	struct exs_sink sink = { write_file, &fs };
	rc = exs_report_json(run, &sink);
	if (!rc)
		rc = plat->file_sync(fs.f, err);
	plat->file_close(fs.f);
	if (rc && !err->where[0])
		exs_fail(err, rc, 0, "write", path);
	return rc;
}

/* The dated report name in the report folder. */
static int report_dir_path(struct exs_cli *cli, const struct exs_run *run,
			   struct exs_buf *out)
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
	exs_buf_printf(out, "exsweep-%s-%s.json", run->command, compact);
	return out->failed;
}

/* ---- The event log ---------------------------------------------------------
 * With --event-log, where the platform has a system log (Windows): one
 * summary event, then one event per finding, in report order (webshells
 * first), at most EVENT_FINDINGS_MAX of them and then a note. The IDs are
 * documented in README ("Windows"); they are a contract with the admins'
 * alert rules, so never renumber them. */
#define EVENT_SUMMARY 1000
#define EVENT_FINDING_BASE 1001 /* + enum exs_finding_kind: 1001..1006 */
#define EVENT_FINDINGS_MAX 50

struct event_ctx {
	const struct exs_platform *plat;
	struct exs_buf *msg;
	size_t left, logged;
};

/* One Event Log entry per finding, for the first few. */
static int event_finding(void *ctx, const struct exs_finding *f)
{
	struct event_ctx *e = ctx;
	if (e->logged == e->left)
		return EXS_RUN_STOP; /* enough: the report has the rest */
	e->logged++;
	struct exs_buf *msg = e->msg;
	exs_buf_reset(msg);
	exs_buf_printf(msg, "%s: ", exs_finding_kind_name(f->kind));
	/* Names are bytes; the log takes text. */
	exs_text_escape(msg, f->path, f->path_len);
	if (f->kind == EXS_FINDING_ERROR && f->message) {
		exs_buf_puts(msg, ": ");
		exs_text_escape(msg, f->message, strlen(f->message));
	}
	if (f->kind == EXS_FINDING_CHANGED && f->timestomp)
		exs_buf_puts(msg, " (timestomp)");
	if (f->kind == EXS_FINDING_EXPLOIT_TRACE && f->hit_count) {
		exs_buf_printf(msg, ":%llu: ", (unsigned long long)f->trace.line);
		exs_text_escape(msg, f->hits[0].rule, strlen(f->hits[0].rule));
		exs_buf_puts(msg, " from ");
		exs_text_escape(msg, f->trace.client, strlen(f->trace.client));
	}
	if (msg->failed)
		return EXS_RUN_STOP;
	e->plat->event_report(f->kind == EXS_FINDING_WEBSHELL
				      ? EXS_EVENT_ERROR : EXS_EVENT_WARNING,
			      EVENT_FINDING_BASE + (unsigned)f->kind, msg->data);
	return EXS_OK;
}

static void report_events(struct exs_cli *cli, const struct exs_run *run)
{
	const struct exs_platform *plat = cli->plat;
	if (!cli->event_log || !plat->event_report)
		return;
	struct exs_buf msg;
	exs_buf_init(&msg, 65536);
	exs_buf_printf(&msg, "exsweep %s: %llu files", run->command,
		       (unsigned long long)run->files);
	for (int k = 0; k < EXS_FINDING_KIND_COUNT; k++)
		exs_buf_printf(&msg, ", %llu %s",
			       (unsigned long long)run->counts[k],
			       exs_finding_kind_name((enum exs_finding_kind)k));
	exs_buf_printf(&msg, "; exit code %d", run->exit_code);
	int severity = run->finding_count ? EXS_EVENT_WARNING
					  : EXS_EVENT_INFORMATION;
	if (msg.failed ||
	    plat->event_report(severity, EVENT_SUMMARY, msg.data) != EXS_OK) {
		/* EXS_UNSUPPORTED (POSIX) or no log: the report still stands. */
		exs_buf_free(&msg);
		return;
	}
	size_t n = run->finding_count < EVENT_FINDINGS_MAX
			   ? run->finding_count : EVENT_FINDINGS_MAX;
	struct event_ctx ev = { plat, &msg, n, 0 };
	exs_run_each_finding(run, event_finding, &ev);
	if (run->finding_count > n) {
		exs_buf_reset(&msg);
		exs_buf_printf(&msg, "%lu more findings not logged; see the "
			       "report", (unsigned long)(run->finding_count - n));
		if (!msg.failed)
			plat->event_report(EXS_EVENT_WARNING, EVENT_SUMMARY,
					   msg.data);
	}
	exs_buf_free(&msg);
}

int exs_cli_finish(struct exs_cli *cli, struct exs_run *run)
{
	struct exs_error err;
	exs_error_clear(&err);
	exs_cli_progress_end(cli);
	exs_run_sort(run);
	run->finished_ns = cli->plat->clock_wall_ns();
	run->exit_code = exs_run_finding_bits(run);
	int json_to_stdout = cli->json_path && strcmp(cli->json_path, "-") == 0;
	int rc = EXS_OK;
	if (json_to_stdout) {
		struct exs_sink sink = { write_stream, cli };
		rc = exs_report_json(run, &sink);
		if (rc)
			exs_fail(&err, rc, 0, "write", "standard output");
	} else if (cli->json_path) {
		rc = write_json_file(cli, run, cli->json_path, &err);
	}
	if (!rc && cli->cfg.report_dir && cli->cfg.report_dir[0]) {
		struct exs_buf path;
		exs_buf_init(&path, 65536);
		rc = cli->plat->dir_create(cli->cfg.report_dir, EXS_CREATE_PRIVATE,
					   &err);
		if (!rc && report_dir_path(cli, run, &path))
			rc = exs_fail(&err, EXS_NOMEM, 0, "malloc", NULL);
		if (!rc)
			rc = write_json_file(cli, run, path.data, &err);
		exs_buf_free(&path);
	}
	if (!cli->quiet && !json_to_stdout) {
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
