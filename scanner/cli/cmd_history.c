/* cmd_history.c -- `exsweep history [PATH...]`: the baseline's generations
 * (id, date, note, host, Exchange build, file count, seal) and, for each
 * PATH, that file's story across them: size, SHA-256 and modification time
 * in each generation, and whether it was added, changed or removed there.
 *
 * PATH is matched byte for byte as the reports print it. The seal is
 * verified first, as for check: a history read from a forged baseline
 * would be worse than none.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline_cli.h"
#include "buf.h"
#include "escape.h"
#include "hash.h"

struct version {
	int64_t from, to;          /* to == 0: current */
	struct exs_record rec;
};

struct story {
	struct version *v;
	size_t n, cap;
};

static int add_version(void *ctx, int64_t gen_from, int64_t gen_to,
		       const struct exs_record *rec)
{
	struct story *s = ctx;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct version *grown = realloc(s->v, cap * sizeof(*grown));
		if (!grown)
			return EXS_NOMEM;
		s->v = grown;
		s->cap = cap;
	}
	s->v[s->n++] = (struct version){ gen_from, gen_to, *rec };
	return EXS_OK;
}

static const struct version *valid_at(const struct story *s, int64_t gen)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].from <= gen && (s->v[i].to == 0 || s->v[i].to >= gen))
			return &s->v[i];
	return NULL;
}

static void print_generations(struct exs_cli *cli, const struct exs_run *run)
{
	exs_cli_print(cli, EXS_STDOUT, "%-4s %-20s %-14s %-9s %-16s %s  %s\n",
		      "gen", "created", "exchange", "files", "host", "seal",
		      "note");
	for (size_t i = 0; i < run->generation_count; i++) {
		const struct exs_generation *g = &run->generations[i];
		struct exs_buf note;
		exs_buf_init(&note, 4096);
		exs_text_escape(&note, g->note, strlen(g->note));
		exs_cli_print(cli, EXS_STDOUT,
			      "%-4" PRId64 " %-20s %-14s %-9" PRIu64 " %-16s "
			      "%.16s  %s\n", g->id, g->created,
			      g->exchange_build[0] ? g->exchange_build : "-",
			      g->file_count, g->host,
			      g->seal[0] ? g->seal : "(unsealed)      ",
			      note.data ? note.data : "");
		exs_buf_free(&note);
	}
}

static int print_story(struct exs_cli *cli, struct exs_store *store,
		       const struct exs_run *run, const char *path,
		       struct exs_error *err)
{
	struct story s = { 0 };
	int rc = exs_store_path_history(store, path, strlen(path), add_version,
					&s, err);
	if (rc) {
		free(s.v);
		return rc;
	}
	struct exs_buf b;
	exs_buf_init(&b, 1u << 20);
	exs_buf_puts(&b, "\n");
	exs_text_escape(&b, path, strlen(path));
	exs_buf_puts(&b, s.n ? "\n" : ": never recorded in the baseline\n");
	const struct version *prev = NULL;
	for (size_t i = 0; s.n && i < run->generation_count; i++) {
		int64_t gen = run->generations[i].id;
		const struct version *v = valid_at(&s, gen);
		const char *what = !v ? (prev ? "removed" : "absent")
				 : !prev ? (i == 0 ? "recorded" : "added")
				 : prev != v ? "changed" : "unchanged";
		exs_buf_printf(&b, "  gen %-4" PRId64 " %-9s", gen, what);
		if (v) {
			char hex[2 * EXS_SHA256_LEN + 1], t[40];
			exs_hex(v->rec.sha256, EXS_SHA256_LEN, hex);
			exs_format_time(v->rec.st.mtime_ns, t, sizeof(t));
			exs_buf_printf(&b, " size %-10" PRIu64 " mtime %s sha256 %s",
				       v->rec.st.size, t, hex);
		}
		exs_buf_putc(&b, '\n');
		prev = v;
	}
	if (!b.failed)
		cli->plat->stream_write(EXS_STDOUT, b.data, b.len);
	exs_buf_free(&b);
	free(s.v);
	return EXS_OK;
}

int exs_cmd_history(struct exs_cli *cli)
{
	struct exs_error err;
	struct exs_run run;
	struct exs_store *store = NULL;
	memset(&run, 0, sizeof(run));
	exs_error_clear(&err);
	int rc = exs_cli_load_config(cli, &err);
	if (!rc)
		rc = exs_cli_open_baseline(cli, &run, &store, NULL, &err);
	if (!rc) {
		for (size_t i = 0; i < run.warnings.count; i++)
			exs_cli_print_text(cli, EXS_STDERR, "warning: ",
					   run.warnings.items[i]);
		print_generations(cli, &run);
		for (size_t i = 0; !rc && i < cli->args.count; i++)
			rc = print_story(cli, store, &run, cli->args.items[i],
					 &err);
	}
	int code = rc ? exs_cli_fail(cli, &err) : EXS_EXIT_CLEAN;
	exs_store_close(store);
	exs_run_free(&run);
	return code;
}
