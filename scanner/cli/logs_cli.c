/* logs_cli.c -- the log pass of a run (logs_cli.h).
 *
 * Steps: where the logs are (the command line, [logs] dir, or the IIS
 * sites of applicationHost.config and V15\Logging); which files; the trace
 * pass (from the remembered positions, within --since and the budget); the
 * positions saved back into the baseline; then, when the run has webshell,
 * suspicious or removed findings, the who-hit passes over the whole logs
 * (a shell found today was often first requested weeks ago, in lines an
 * earlier scheduled run has already read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hits.h"
#include "iis_sites.h"
#include "logs_cli.h"
#include "logscan.h"

struct pending_trace {
	const struct exs_technique *t;
	char *file;
	char *request;
	size_t request_len;
	struct exs_trace_info info;
};

struct pass_ctx {
	const struct exs_platform *plat;
	struct exs_mutex *mutex;
	struct pending_trace *traces;
	size_t count, cap;
	uint64_t dropped;
	int nomem;
	struct exs_strlist error_paths;
	struct exs_error *errors;    /* parallel to error_paths */
	size_t error_cap;
};

static void path_join(char *out, size_t cap, const char *a, const char *b,
		      char sep)
{
	size_t al = strlen(a);
	int has = al && (a[al - 1] == '/' || a[al - 1] == sep);
	snprintf(out, cap, "%s%s%s", a, has ? "" : (char[]){ sep, 0 }, b);
	for (char *c = out + al; *c; c++)
		if (*c == '/' || *c == '\\')
			*c = sep;
}

/* The folder the configured drive letters and %SystemDrive% stand for. */
static void drive_root(struct exs_cli *cli, char *out, size_t cap)
{
	if (cli->image) {
		snprintf(out, cap, "%s", cli->image);
		size_t n = strlen(out);
		while (n > 1 && (out[n - 1] == '/' || out[n - 1] == '\\'))
			out[--n] = '\0';
		return;
	}
	if (cli->plat->env_get("SystemDrive", out, cap) == EXS_OK && out[0])
		return;
	snprintf(out, cap, "%s", cli->plat->path_separator == '\\' ? "C:" : "");
}

static int read_small_file(const struct exs_platform *plat, const char *path,
			   char **data, size_t *len)
{
	struct exs_file *f;
	struct exs_error e;
	struct exs_stat st;
	*data = NULL;
	*len = 0;
	if (plat->file_open_read(path, &f, &e))
		return -1;
	if (plat->file_stat(f, &st, &e) || st.node != EXS_NODE_FILE ||
	    st.size > EXS_IIS_CONFIG_MAX) {
		plat->file_close(f);
		return -1;
	}
	char *buf = malloc((size_t)st.size + 1);
	size_t got = 0;
	while (buf && got < st.size) {
		size_t n;
		if (plat->file_read(f, buf + got, (size_t)st.size - got, &n, &e) || !n)
			break;
		got += n;
	}
	plat->file_close(f);
	if (!buf)
		return -1;
	*data = buf;
	*len = got;
	return 0;
}

/* applicationHost.config: [logs] iis_config, the image's, or %windir%'s;
 * without one, the stock Exchange layout under the discovered folders. */
static int load_iis(struct exs_cli *cli, struct exs_iis_config *iis,
		    const char *root)
{
	const struct exs_platform *plat = cli->plat;
	char path[4096] = "";
	char sep = plat->path_separator;
	if (cli->cfg.iis_config && cli->cfg.iis_config[0])
		snprintf(path, sizeof(path), "%s", cli->cfg.iis_config);
	else if (cli->image)
		path_join(path, sizeof(path), root,
			  "Windows/System32/inetsrv/config/applicationHost.config", sep);
	else {
		char windir[2048];
		if (plat->env_get("windir", windir, sizeof(windir)) == EXS_OK)
			path_join(path, sizeof(path), windir,
				  "System32/inetsrv/config/applicationHost.config", sep);
	}
	char *xml = NULL;
	size_t len = 0;
	if (path[0] && read_small_file(plat, path, &xml, &len) == 0) {
		int rc = exs_iis_parse(xml, len, iis);
		free(xml);
		if (rc)
			return EXS_NOMEM;
		if (iis->site_count)
			return EXS_OK;
		exs_iis_free(iis);
	}
	/* The stock layout: drive-relative, as the config would say it. */
	return exs_iis_stock(iis, cli->discovery.install[0]
			     ? cli->discovery.install
			     : "%SystemDrive%\\Program Files\\Microsoft\\Exchange Server\\V15",
			     cli->discovery.wwwroot[0] ? cli->discovery.wwwroot
			     : "%SystemDrive%\\inetpub\\wwwroot", sep)
		? EXS_NOMEM : EXS_OK;
}

/* The default log folders: each site's W3SVC<id> under its log folder, and
 * Exchange's own protocol logs. */
static int default_log_dirs(struct exs_cli *cli, const struct exs_iis_config *iis,
			    const char *root, struct exs_strlist *out)
{
	char sep = cli->plat->path_separator;
	char dir[4096], local[4096], site_dir[4200];
	for (unsigned i = 0; i < iis->site_count; i++) {
		const char *d = iis->sites[i].log_dir[0] ? iis->sites[i].log_dir
							 : iis->default_log_dir;
		if (exs_iis_local_path(d, root, sep, local, sizeof(local)))
			continue;
		snprintf(dir, sizeof(dir), "W3SVC%lu", iis->sites[i].id);
		path_join(site_dir, sizeof(site_dir), local, dir, sep);
		if (exs_strlist_add_str(out, site_dir))
			return EXS_NOMEM;
	}
	static const char *const exchange[] = {
		"Logging/HttpProxy", "Logging/ECP/Server", "Logging/OAB",
		"Logging/CmdletInfra",
	};
	const char *install = cli->discovery.install;
	for (size_t i = 0; install[0] && i < sizeof(exchange) / sizeof(*exchange); i++) {
		path_join(dir, sizeof(dir), install, exchange[i], sep);
		if (exs_strlist_add_str(out, dir))
			return EXS_NOMEM;
	}
	return EXS_OK;
}

/* ---- The callbacks ----------------------------------------------------------- */

static void put_slice(struct exs_buf *b, const char *label,
		      const struct exs_slice *s)
{
	if (!s->n)
		return;
	if (label)
		exs_buf_printf(b, " [%s: ", label);
	exs_buf_append(b, s->p, s->n);
	if (label)
		exs_buf_putc(b, ']');
}

static void copy_slice(char *dst, size_t cap, const struct exs_slice *s)
{
	size_t n = s->n < cap - 1 ? s->n : cap - 1;
	if (n)          /* an empty slice may have no bytes at all (p NULL) */
		memcpy(dst, s->p, n);
	dst[n] = '\0';
}

static int on_trace(void *ctx, unsigned worker, const char *file,
		    struct exs_logreq *r, struct exs_trace_scratch *s,
		    const struct exs_technique *const *hits, size_t hit_count)
{
	struct pass_ctx *c = ctx;
	(void)worker;
	(void)s;
	if (!hit_count)
		return EXS_OK;
	/* The request as logged (bounded). */
	struct exs_buf b;
	exs_buf_init(&b, 2048);
	const struct exs_slice *m = &r->f[EXS_LR_METHOD];
	if (m->n) {
		exs_buf_append(&b, m->p, m->n);
		exs_buf_putc(&b, ' ');
	}
	put_slice(&b, NULL, r->f[EXS_LR_STEM].n ? &r->f[EXS_LR_STEM] : &r->f[EXS_LR_URL]);
	if (r->f[EXS_LR_QUERY].n) {
		exs_buf_putc(&b, '?');
		put_slice(&b, NULL, &r->f[EXS_LR_QUERY]);
	}
	put_slice(&b, "Cookie", &r->f[EXS_LR_COOKIE]);
	put_slice(&b, "BackEndCookie", &r->f[EXS_LR_BACKEND_COOKIE]);
	put_slice(&b, "AnchorMailbox", &r->f[EXS_LR_ANCHOR]);
	put_slice(&b, "Cmdlet", &r->f[EXS_LR_CMDLET]);
	put_slice(&b, "Parameters", &r->f[EXS_LR_PARAMS]);
	put_slice(&b, "Data", &r->f[EXS_LR_INFO]);
	put_slice(&b, "X-Forwarded-For", &r->f[EXS_LR_FORWARDED]);
	/* A buffer that hit its cap keeps what fit. */
	struct exs_trace_info info;
	memset(&info, 0, sizeof(info));
	info.line = r->line;
	info.time_ns = exs_logreq_time(r);
	copy_slice(info.client, sizeof(info.client), &r->f[EXS_LR_CLIENT]);
	copy_slice(info.user, sizeof(info.user), &r->f[EXS_LR_USER]);
	if (r->f[EXS_LR_STATUS].n && r->f[EXS_LR_STATUS].n < 8) {
		char st[8];
		copy_slice(st, sizeof(st), &r->f[EXS_LR_STATUS]);
		info.http_status = atoi(st);
	}
	c->plat->mutex_lock(c->mutex);
	for (size_t i = 0; i < hit_count; i++) {
		if (c->count >= EXS_LOG_TRACES_MAX) {
			c->dropped++;
			continue;
		}
		if (c->count == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 64;
			struct pending_trace *g = realloc(c->traces, cap * sizeof(*g));
			if (!g) {
				c->nomem = 1;
				break;
			}
			c->traces = g;
			c->cap = cap;
		}
		struct pending_trace *t = &c->traces[c->count];
		size_t fl = strlen(file);
		t->file = malloc(fl + 1);
		t->request = malloc(b.len + 1);
		if (!t->file || !t->request) {
			free(t->file);
			free(t->request);
			c->nomem = 1;
			break;
		}
		memcpy(t->file, file, fl + 1);
		if (b.len)
			memcpy(t->request, b.data, b.len);
		t->request[b.len] = '\0';
		t->request_len = b.len;
		t->t = hits[i];
		t->info = info;
		c->count++;
	}
	c->plat->mutex_unlock(c->mutex);
	exs_buf_free(&b);
	return c->nomem ? EXS_NOMEM : EXS_OK;
}

/* The first pass: traces, and the requests to the findings' files. */
struct both_ctx {
	struct pass_ctx *pc;
	struct exs_hits *hits;
};

static int on_both(void *ctx, unsigned worker, const char *file,
		   struct exs_logreq *r, struct exs_trace_scratch *s,
		   const struct exs_technique *const *hits, size_t hit_count)
{
	struct both_ctx *b = ctx;
	int rc = on_trace(b->pc, worker, file, r, s, hits, hit_count);
	if (!rc)
		rc = exs_hits_request(b->hits, worker, file, r, s, hits, hit_count);
	return rc;
}

static void on_error(void *ctx, const char *path, const struct exs_error *err)
{
	struct pass_ctx *c = ctx;
	/* Called with the pass's lock held; ours guards the list. */
	c->plat->mutex_lock(c->mutex);
	if (c->error_paths.count < 10000 && !c->nomem) {
		if (c->error_paths.count == c->error_cap) {
			size_t cap = c->error_cap ? c->error_cap * 2 : 16;
			struct exs_error *g = realloc(c->errors, cap * sizeof(*g));
			if (g) {
				c->errors = g;
				c->error_cap = cap;
			}
		}
		if (c->error_paths.count < c->error_cap &&
		    exs_strlist_add_str(&c->error_paths, path) == EXS_OK)
			c->errors[c->error_paths.count - 1] = *err;
	}
	c->plat->mutex_unlock(c->mutex);
}

static int by_file_line(const void *pa, const void *pb)
{
	const struct pending_trace *a = pa, *b = pb;
	int c = strcmp(a->file, b->file);
	if (c)
		return c;
	if (a->info.line != b->info.line)
		return a->info.line < b->info.line ? -1 : 1;
	return strcmp(a->t->id, b->t->id);
}

static int add_traces(struct exs_run *run, struct pass_ctx *c)
{
	int rc = EXS_OK;
	if (c->count > 1)    /* no traces: c->traces is NULL */
		qsort(c->traces, c->count, sizeof(*c->traces), by_file_line);
	for (size_t i = 0; i < c->count; i++) {
		struct pending_trace *t = &c->traces[i];
		if (rc) {
			free(t->request);
			free(t->file);
			continue;
		}
		struct exs_hit *hit = calloc(1, sizeof(*hit));
		if (!hit) {
			rc = EXS_NOMEM;
			free(t->request);
			free(t->file);
			continue;
		}
		snprintf(hit->rule, sizeof(hit->rule), "%s", t->t->id);
		snprintf(hit->ns, sizeof(hit->ns), "logs");
		snprintf(hit->description, sizeof(hit->description), "%s",
			 t->t->description);
		snprintf(hit->family, sizeof(hit->family), "%s", t->t->family);
		snprintf(hit->severity, sizeof(hit->severity), "%s", t->t->severity);
		struct exs_finding f;
		memset(&f, 0, sizeof(f));
		f.kind = EXS_FINDING_EXPLOIT_TRACE;
		f.path = t->file;
		f.path_len = strlen(t->file);
		f.message = t->request;
		f.hits = hit;
		f.hit_count = 1;
		f.trace = t->info;
		rc = exs_run_add(run, &f);
		if (rc) {
			free(hit);
			free(t->request);
		}
		free(t->file);
	}
	c->count = 0;
	return rc;
}

static int add_errors(struct exs_run *run, struct pass_ctx *c)
{
	int rc = EXS_OK;
	for (size_t i = 0; !rc && i < c->error_paths.count; i++)
		rc = exs_cli_add_error(run, c->error_paths.items[i],
				       strlen(c->error_paths.items[i]),
				       &c->errors[i]);
	exs_strlist_clear(&c->error_paths);
	return rc;
}

static void on_error_both(void *ctx, const char *path,
			  const struct exs_error *err)
{
	struct both_ctx *b = ctx;
	on_error(b->pc, path, err);
}

/* ---- Positions ------------------------------------------------------------------ */

static int load_position(void *ctx, const struct exs_store_logpos *p)
{
	struct exs_logpos_set *set = ctx;
	struct exs_logpos lp;
	memset(&lp, 0, sizeof(lp));
	lp.path = (char *)p->path;
	lp.size = p->size;
	lp.offset = p->offset;
	lp.line = p->line;
	memcpy(lp.head, p->head, 32);
	lp.head_len = p->head_len;
	lp.fields = (char *)p->fields;
	/* Paths are the table's primary key: distinct. */
	return exs_logpos_append(set, &lp);
}

/* Saves the positions into a re-sealed copy of the baseline and closes the
 * open one (*store is NULL afterwards, whatever the outcome): on Windows the
 * copy cannot be renamed over a file SQLite still holds. */
static int save_positions(struct exs_store **store, const struct exs_key *key,
			  struct exs_logpos_set *set, struct exs_error *err)
{
	struct exs_store_logpos *rows = calloc(set->count ? set->count : 1,
					       sizeof(*rows));
	if (!rows) {
		exs_store_close(*store);
		*store = NULL;
		return exs_fail(err, EXS_NOMEM, 0, "malloc", "log positions");
	}
	for (size_t i = 0; i < set->count; i++) {
		const struct exs_logpos *p = &set->items[i];
		rows[i] = (struct exs_store_logpos){ p->path, p->size, p->offset,
			p->line, { 0 }, p->head_len, p->fields };
		memcpy(rows[i].head, p->head, 32);
	}
	int rc = exs_store_save_log_positions(*store, rows, set->count,
					      key->bytes, key->len, err);
	*store = NULL;
	free(rows);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Overlapping roots (a folder and its parent) list a file twice: read once. */
static void unique_files(struct exs_strlist *files)
{
	if (files->count < 2)
		return;
	qsort(files->items, files->count, sizeof(*files->items), by_name);
	size_t k = 1;
	for (size_t i = 1; i < files->count; i++) {
		if (strcmp(files->items[i], files->items[k - 1]) == 0)
			free(files->items[i]);
		else
			files->items[k++] = files->items[i];
	}
	files->count = k;
}

/* ---- The pass ------------------------------------------------------------------------ */

static int parse_budget(struct exs_cli *cli, uint64_t *out, struct exs_error *err)
{
	*out = cli->cfg.log_budget;
	if (cli->log_budget && exs_config_parse_size(cli->log_budget, out))
		return exs_failf(err, EXS_USAGE, 0, "--log-budget", cli->log_budget,
				 "invalid --log-budget '%s': expected bytes, or a "
				 "number followed by K, M or G", cli->log_budget);
	/* Room for a whole line and a file's head: below that a run could
	 * stop before the end of a line, every time. */
	if (*out && *out < 2 * EXS_LOG_LINE_MAX)
		*out = 2 * EXS_LOG_LINE_MAX;
	return EXS_OK;
}

static void add_stats(struct exs_log_summary *sum, const struct exs_logscan_stats *st)
{
	sum->files += st->files;
	sum->gz_files += st->gz_files;
	sum->bytes += st->bytes;
	sum->lines += st->lines;
	sum->requests += st->requests;
	sum->bad_lines += st->bad;
	sum->overlong += st->overlong;
	sum->resumed += st->resumed;
	sum->restarted += st->restarted;
	sum->unchanged += st->unchanged;
	sum->skipped_old += st->skipped_old;
	sum->unread_files += st->budget_left_files;
	sum->budget_hit |= st->budget_hit;
}

struct target_ctx {
	struct exs_hits *hits;
	int rc;
	unsigned added;
};

static int add_target(void *ctx, const struct exs_finding *f)
{
	struct target_ctx *t = ctx;
	if (f->kind != EXS_FINDING_WEBSHELL && f->kind != EXS_FINDING_SUSPICIOUS &&
	    f->kind != EXS_FINDING_REMOVED)
		return EXS_OK;
	int mapped;
	int rc = exs_hits_add_target(t->hits, f->path, f->path_len,
				     f->kind != EXS_FINDING_REMOVED, &mapped);
	if (rc == EXS_LIMIT)
		return EXS_RUN_STOP;
	if (rc) {
		t->rc = rc;
		return EXS_RUN_STOP;
	}
	t->added += (unsigned)mapped;
	return EXS_OK;
}

int exs_cli_log_pass(struct exs_cli *cli, struct exs_run *run,
		     struct exs_store **storep, const struct exs_key *key,
		     struct exs_error *err)
{
	struct exs_store *store = storep ? *storep : NULL;
	const struct exs_platform *plat = cli->plat;
	struct exs_iis_config iis;
	struct exs_strlist roots = { 0 }, files = { 0 };
	struct exs_logpos_set positions = { 0 };
	struct pass_ctx pc;
	struct exs_hits *hits = NULL;
	char root[4096];
	int64_t t0 = plat->clock_monotonic_ns();
	memset(&pc, 0, sizeof(pc));
	memset(&iis, 0, sizeof(iis));
	pc.plat = plat;
	run->logs.ran = 1;
	uint64_t budget;
	int rc = parse_budget(cli, &budget, err);
	int64_t since = 0;
	if (!rc && cli->since && exs_log_parse_since(cli->since, &since))
		rc = exs_failf(err, EXS_USAGE, 0, "--since", cli->since,
			       "invalid --since '%s': expected YYYY-MM-DD or "
			       "YYYY-MM-DDTHH:MM:SS (UTC)", cli->since);
	run->logs.since_ns = since;
	drive_root(cli, root, sizeof(root));
	if (!rc && load_iis(cli, &iis, root))
		rc = exs_fail(err, EXS_NOMEM, 0, "malloc", "applicationHost.config");
	/* Where: `logs PATH...`, --log-dir, [logs] dir, or the defaults. */
	const struct exs_strlist *asked = NULL;
	if (!strcmp(cli->command, "logs") && cli->args.count)
		asked = &cli->args;
	else if (cli->log_dirs.count)
		asked = &cli->log_dirs;
	else if (cli->cfg.log_dirs.count)
		asked = &cli->cfg.log_dirs;
	for (size_t i = 0; !rc && asked && i < asked->count; i++)
		if (exs_strlist_add_str(&roots, asked->items[i]))
			rc = exs_fail(err, EXS_NOMEM, 0, "malloc", "log roots");
	if (!rc && !asked && default_log_dirs(cli, &iis, root, &roots))
		rc = exs_fail(err, EXS_NOMEM, 0, "malloc", "log roots");
	if (!rc)
		rc = plat->mutex_create(&pc.mutex, err);
	if (!rc)
		rc = exs_logscan_discover(plat, &roots, &files, on_error, &pc, err);
	if (!rc)
		unique_files(&files);
	if (!rc && store && !cli->from_start)
		rc = exs_store_each_log_position(store, load_position, &positions, err);
	if (rc)
		goto out;
	exs_logpos_sort(&positions);
	run->logs.positions = store != NULL;

	/* Whose requests to count: the webshell, suspicious and removed
	 * findings already in the run. */
	if (exs_hits_create(plat, &iis, root, &hits)) {
		rc = exs_fail(err, EXS_NOMEM, 0, "malloc", "hits");
		goto out;
	}
	exs_run_sort(run);
	struct target_ctx tc = { hits, 0, 0 };
	exs_run_each_finding(run, add_target, &tc);
	if (tc.rc) {
		rc = exs_fail(err, tc.rc, 0, "malloc", "hits");
		goto out;
	}
	exs_hits_watch_missing(hits);

	/* The trace pass: only what is new since the last run; it counts the
	 * requests to the targets on the way. */
	struct both_ctx both = { &pc, hits };
	struct exs_logscan ls;
	memset(&ls, 0, sizeof(ls));
	ls.plat = plat;
	ls.threads = exs_cli_threads(cli);
	ls.since_ns = since;
	ls.budget = budget;
	ls.positions = &positions;
	ls.match_traces = 1;
	ls.fn = on_both;
	ls.on_error = on_error_both;
	ls.ctx = &both;
	rc = exs_logscan_run(&ls, &files, err);
	add_stats(&run->logs, &ls.stats);
	run->logs.traces_dropped = pc.dropped;
	int partial = ls.stats.resumed || ls.stats.unchanged || ls.stats.budget_hit;
	if (!rc)
		rc = add_traces(run, &pc);
	if (rc)
		goto out;
	if (!rc && exs_logpos_keep_only(&positions, &files))
		rc = exs_fail(err, EXS_NOMEM, 0, "malloc", "log positions");
	if (rc)
		goto out;
	/* The last use of the baseline: saving hands it over (closed). */
	if (store && key) {
		rc = save_positions(storep, key, &positions, err);
		store = NULL;
		if (rc == EXS_UNSUPPORTED) {
			char msg[512];
			exs_error_format(err, msg, sizeof(msg));
			exs_strlist_add_str(&run->warnings, msg);
			exs_error_clear(err);
			run->logs.positions = 0;
			rc = EXS_OK;
		} else if (rc) {
			goto out;
		}
	}
	if (run->logs.budget_hit) {
		char msg[256];
		snprintf(msg, sizeof(msg), "log budget of %llu bytes reached: %llu "
			 "log files not read to their end; the next run goes on "
			 "from there", (unsigned long long)budget,
			 (unsigned long long)run->logs.unread_files);
		exs_strlist_add_str(&run->warnings, msg);
	}
	if (pc.dropped) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%llu more exploit traces not listed "
			 "(at most %d per run)", (unsigned long long)pc.dropped,
			 EXS_LOG_TRACES_MAX);
		exs_strlist_add_str(&run->warnings, msg);
	}

	/* Who requested the findings needs every log, not only the new lines
	 * (a shell found today was often first requested weeks ago): when the
	 * trace pass read only part of them, count again over all. */
	if (tc.added && partial) {
		struct exs_hits *full;
		if (exs_hits_create(plat, &iis, root, &full)) {
			rc = exs_fail(err, EXS_NOMEM, 0, "malloc", "hits");
			goto out;
		}
		exs_hits_free(hits);
		hits = full;
		tc = (struct target_ctx){ hits, 0, 0 };
		exs_run_each_finding(run, add_target, &tc);
		exs_hits_watch_missing(hits);
		memset(&ls, 0, sizeof(ls));
		ls.plat = plat;
		ls.threads = exs_cli_threads(cli);
		ls.since_ns = since;
		ls.budget = budget;
		ls.fn = exs_hits_request;
		ls.ctx = hits;
		rc = exs_logscan_run(&ls, &files, err);
	}
	if (!rc && exs_hits_begin_context(hits)) {
		memset(&ls, 0, sizeof(ls));
		ls.plat = plat;
		ls.threads = exs_cli_threads(cli);
		ls.since_ns = since;
		ls.budget = budget;
		ls.fn = exs_hits_context;
		ls.ctx = hits;
		rc = exs_logscan_run(&ls, &files, err);
	}
	if (!rc && exs_hits_export(hits, &run->url_hits, &run->url_hit_count))
		rc = exs_fail(err, EXS_NOMEM, 0, "malloc", "hits");
	if (!rc)
		rc = add_errors(run, &pc);
out:
	run->logs.seconds = (double)(plat->clock_monotonic_ns() - t0) / 1e9;
	for (size_t i = 0; i < pc.count; i++) {
		free(pc.traces[i].file);
		free(pc.traces[i].request);
	}
	free(pc.traces);
	free(pc.errors);
	exs_strlist_free(&pc.error_paths);
	if (pc.mutex)
		plat->mutex_destroy(pc.mutex);
	exs_hits_free(hits);
	exs_iis_free(&iis);
	exs_logpos_free(&positions);
	exs_strlist_free(&roots);
	exs_strlist_free(&files);
	return rc;
}
