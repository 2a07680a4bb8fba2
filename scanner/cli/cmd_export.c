/* cmd_export.c -- `exsweep export [-o FILE]`: the current generation of the
 * baseline as a portable manifest (manifest.h, README "The manifest"), to
 * compare a clean server with a suspect one (`check --against`).
 *
 * The baseline is verified (seal included) before a byte is written.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "baseline_cli.h"
#include "buf.h"
#include "hash.h"
#include "manifest.h"
#include "walk.h"

struct export_ctx {
	struct exs_cli *cli;
	const struct exs_strlist *roots;
	struct exs_buf buf;
	struct exs_file *file;      /* NULL: stdout */
	struct exs_error *err;
	int status;
};

static int flush(struct export_ctx *c, int force)
{
	if (c->buf.failed)
		return exs_fail(c->err, EXS_NOMEM, 0, "export", NULL);
	if (!force && c->buf.len < (1u << 20))
		return EXS_OK;
	int rc = EXS_OK;
	if (c->file)
		rc = c->cli->plat->file_write(c->file, c->buf.data, c->buf.len,
					      c->err);
	else if (c->buf.len && c->cli->plat->stream_write(EXS_STDOUT, c->buf.data,
							  c->buf.len))
		rc = exs_fail(c->err, EXS_IO, 0, "write", "standard output");
	exs_buf_reset(&c->buf);
	return rc;
}

static int export_row(void *ctx, const char *path, size_t len,
		      const struct exs_record *rec)
{
	struct export_ctx *c = ctx;
	struct exs_buf *b = &c->buf;
	char sep = c->cli->plat->path_separator;
	if (exs_manifest_key(b, c->roots, path, len, sep, 0))
		return EXS_OK; /* outside the recorded roots: not portable */
	char hex[2 * EXS_SHA256_LEN + 1], sec[2 * EXS_SHA256_LEN + 1] = "-";
	exs_hex(rec->sha256, EXS_SHA256_LEN, hex);
	if (rec->has_security)
		exs_hex(rec->security_sha256, EXS_SHA256_LEN, sec);
	exs_buf_printf(b, "\t%" PRIu64 "\t%s\t%" PRIu32 "\t%" PRId64 "\t%" PRId64
		       "\t", rec->st.size, hex, rec->st.mode, rec->st.mtime_ns,
		       rec->st.ctime_ns);
	exs_manifest_escape(b, rec->st.owner, strlen(rec->st.owner), '\0');
	exs_buf_printf(b, "\t%" PRIu64 "\t%s\n", rec->st.file_id, sec);
	return flush(c, 0);
}

int exs_cmd_export(struct exs_cli *cli)
{
	struct exs_error err;
	struct exs_run run;
	struct exs_store *store = NULL;
	struct exs_strlist roots = { 0 }, web = { 0 }, walk = { 0 };
	struct export_ctx c;
	memset(&run, 0, sizeof(run));
	memset(&c, 0, sizeof(c));
	exs_error_clear(&err);
	c.cli = cli;
	c.err = &err;
	c.roots = &walk;
	exs_buf_init(&c.buf, 64u << 20);
	const struct exs_platform *plat = cli->plat;

	int rc = exs_cli_load_config(cli, &err);
	if (!rc)
		rc = exs_cli_open_baseline(cli, &run, &store, NULL, &err);
	if (!rc && (exs_cli_baseline_list(store, "root", &roots) ||
		    exs_cli_baseline_list(store, "web_root", &web) ||
		    exs_walk_roots(&roots, &web, plat, &walk)))
		rc = exs_fail(&err, EXS_NOMEM, 0, "malloc", NULL);
	if (!rc && cli->output && strcmp(cli->output, "-") != 0)
		rc = plat->file_create(cli->output, EXS_CREATE_TRUNCATE, &c.file,
				       &err);
	if (!rc) {
		const struct exs_generation *g = exs_run_generation(&run);
		exs_buf_puts(&c.buf, EXS_MANIFEST_MAGIC "\thost=");
		if (g)
			exs_manifest_escape(&c.buf, g->host, strlen(g->host), '\0');
		exs_buf_printf(&c.buf, "\tgeneration=%" PRId64 "\tcreated=%s"
			       "\texchange_build=%s\tseal=%s\n",
			       g ? g->id : 0, g ? g->created : "",
			       g && g->exchange_build[0] ? g->exchange_build : "-",
			       g && g->seal[0] ? g->seal : "-");
		for (size_t i = 0; i < walk.count; i++) {
			char name[EXS_MANIFEST_NAME_MAX];
			exs_manifest_root_name(&walk, i, plat->path_separator,
					       name, sizeof(name));
			exs_buf_printf(&c.buf, "#root\t%s:\t", name);
			exs_manifest_escape(&c.buf, walk.items[i],
					    strlen(walk.items[i]), '\0');
			exs_buf_putc(&c.buf, '\n');
		}
		exs_buf_puts(&c.buf, "#fields\tpath\tsize\tsha256\tmode\tmtime_ns"
			     "\tctime_ns\towner\tfile_id\tsecurity_sha256\n");
		rc = exs_store_each_unseen(store, NULL, export_row, &c, &err);
	}
	if (!rc)
		rc = flush(&c, 1);
	if (!rc && c.file)
		rc = plat->file_sync(c.file, &err);
	if (c.file)
		plat->file_close(c.file);
	int code = rc ? exs_cli_fail(cli, &err) : EXS_EXIT_CLEAN;
	exs_buf_free(&c.buf);
	exs_store_close(store);
	exs_strlist_free(&roots);
	exs_strlist_free(&web);
	exs_strlist_free(&walk);
	exs_run_free(&run);
	return code;
}
