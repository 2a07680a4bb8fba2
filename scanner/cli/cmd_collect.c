/* cmd_collect.c -- evidence collection: `check --collect CASE` and `scan
 * --collect CASE` copy every finding's file into a sealed case folder, and
 * `exsweep collect [--zip FILE] CASE` verifies one (and packs it).
 *
 * What a responder handing files to a lab expects (KAPE's and THOR's
 * collections, Loki-RS's file dumps): the original untouched, the copy
 * byte-exact with its hash checked against what was written, the file's
 * metadata beside it, a manifest that says which finding brought it in,
 * and a seal that shows the case was not edited since. So:
 *  - each path with a webshell, suspicious, changed or added finding is
 *    copied once (with every alternate data stream on Windows), through
 *    file_open_evidence: no access-time update where the platform allows,
 *    backup semantics on Windows; removed files get a manifest entry with
 *    the baseline's record, and nothing else;
 *  - the copy is read back and hashed again: the manifest's SHA-256 is
 *    that of the bytes on the case's disk, and says whether they are the
 *    bytes the scan judged;
 *  - nothing in the scanned tree is deleted, moved, renamed or changed;
 *  - the copies' names are made safe (case.h) and the original name is
 *    kept in the manifest as JSON with its exact bytes in base64.
 * Copy failures of single files (gone, locked) are recorded in the
 * manifest and warned about; a failure to write the case is exit 20.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "cli.h"
#include "escape.h"
#include "hash.h"
#include "path.h"
#include "readfile.h"
#include "seal.h"
#include "zip.h"

#define COPY_CHUNK (1u << 20)
#define SECURITY_MAX 65536
#define MANIFEST_FLUSH (1u << 20)
/* Small files of a case read whole (SEAL). */
#define SEAL_FILE_MAX 256

struct exs_collect {
	const char *dir;
	unsigned char key[EXS_SEAL_KEY_MAX];
	size_t key_len;
	struct exs_buf path;             /* scratch: a path inside the case */
	unsigned char *chunk;
	struct exs_sha256 *sha;
	/* SHA256SUMS lines, as written (sorted before sealing) */
	struct exs_case_entry *entries;
	size_t entry_count, entry_cap;
	/* the manifest, streamed */
	struct exs_file *manifest;
	struct exs_buf json;
	uint64_t copied, streams, not_copied, recorded;
};

/* A finding kept for the case: the run's walk hands them out one at a
 * time, by kind; the case groups them by path. */
struct gathered {
	char *path;
	size_t len;
	size_t seq;
	enum exs_finding_kind kind;
	unsigned changed;
	int timestomp;
	char *rules;                     /* NUL-separated rule names */
	size_t rules_len;
	int has_new, has_old;
	struct exs_record new_rec, old_rec;
};

struct gather {
	struct gathered *list;
	size_t count, cap;
};

/* ---- Small helpers --------------------------------------------------------- */

static int case_path(struct exs_collect *c, const struct exs_platform *plat,
		     const char *name)
{
	exs_buf_reset(&c->path);
	exs_buf_puts(&c->path, c->dir);
	exs_buf_putc(&c->path, plat->path_separator);
	for (const char *p = name; *p; p++)
		exs_buf_putc(&c->path, *p == '/' ? plat->path_separator : *p);
	return c->path.failed ? EXS_NOMEM : EXS_OK;
}

static void json_key_string(struct exs_buf *b, const char *key, const char *s,
			    size_t len)
{
	exs_buf_printf(b, "\"%s\": ", key);
	if (exs_json_string(b, s, len)) {
		exs_buf_printf(b, ", \"%s_b64\": \"", key);
		exs_base64(b, (const unsigned char *)s, len);
		exs_buf_putc(b, '"');
	}
}

static void json_time(struct exs_buf *b, const char *key, int64_t ns)
{
	char t[40];
	exs_format_time(ns, t, sizeof(t));
	exs_buf_printf(b, ", \"%s\": \"%s\", \"%s_ns\": %lld", key, t, key,
		       (long long)ns);
}

static void json_hex(struct exs_buf *b, const char *key,
		     const unsigned char *p)
{
	char hex[2 * EXS_SHA256_LEN + 1];
	exs_hex(p, EXS_SHA256_LEN, hex);
	exs_buf_printf(b, ", \"%s\": \"%s\"", key, hex);
}

/* A record as the JSON report writes ATTRS. */
static void json_record(struct exs_buf *b, const struct exs_record *r)
{
	exs_buf_printf(b, "{\"size\": %llu", (unsigned long long)r->st.size);
	json_time(b, "mtime", r->st.mtime_ns);
	json_time(b, "ctime", r->st.ctime_ns);
	exs_buf_printf(b, ", \"mode\": %lu, ", (unsigned long)r->st.mode);
	json_key_string(b, "owner", r->st.owner, strlen(r->st.owner));
	exs_buf_printf(b, ", \"volume_id\": %llu, \"file_id\": %llu",
		       (unsigned long long)r->st.volume_id,
		       (unsigned long long)r->st.file_id);
	json_hex(b, "sha256", r->sha256);
	if (r->has_security)
		json_hex(b, "security_sha256", r->security_sha256);
	exs_buf_putc(b, '}');
}

static int flush_json(struct exs_collect *c, const struct exs_platform *plat,
		      int force, struct exs_error *err)
{
	if (c->json.failed)
		return exs_fail(err, c->json.failed, 0, "write", c->dir);
	if (!force && c->json.len < MANIFEST_FLUSH)
		return EXS_OK;
	int rc = plat->file_write(c->manifest, c->json.data, c->json.len, err);
	exs_buf_reset(&c->json);
	return rc;
}

static int add_entry(struct exs_collect *c, const char *name,
		     const unsigned char sha[EXS_SHA256_LEN],
		     struct exs_error *err)
{
	if (c->entry_count >= EXS_CASE_ENTRIES_MAX)
		return exs_fail(err, EXS_LIMIT, 0, "collect", c->dir);
	if (c->entry_count == c->entry_cap) {
		size_t ncap = c->entry_cap ? c->entry_cap * 2 : 64;
		struct exs_case_entry *g = realloc(c->entries, ncap * sizeof(*g));
		if (!g)
			return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
		c->entries = g;
		c->entry_cap = ncap;
	}
	struct exs_case_entry *e = &c->entries[c->entry_count++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	memcpy(e->sha256, sha, EXS_SHA256_LEN);
	return EXS_OK;
}

/* Hashes the file at path (a copy in the case), and tells its length. */
static int hash_file(const struct exs_platform *plat, struct exs_sha256 *sha,
		     unsigned char *chunk, const char *path,
		     unsigned char out[EXS_SHA256_LEN], uint64_t *size,
		     struct exs_error *err)
{
	struct exs_file *f;
	int rc = exs_open_regular(plat, path, &f, NULL, err);
	if (rc)
		return rc;
	*size = 0;
	exs_sha256_begin(sha);
	while (!rc) {
		size_t got = 0;
		rc = plat->file_read(f, chunk, COPY_CHUNK, &got, err);
		if (rc || !got)
			break;
		*size += got;
		exs_sha256_update(sha, chunk, got);
	}
	plat->file_close(f);
	if (!rc && exs_sha256_finish(sha, out))
		rc = exs_fail(err, EXS_INTERNAL, 0, "sha256", path);
	return rc;
}

/* ---- Copying one file ------------------------------------------------------ */

struct copy {
	int opened;                       /* the source was opened */
	int written;                      /* a copy file exists */
	struct exs_stat st;
	struct exs_evidence_times times;
	int has_times;
	char security[SECURITY_MAX];
	size_t security_len;
	int has_security;
	unsigned char sha256[EXS_SHA256_LEN]; /* of the copy as read back */
	uint64_t bytes;
	struct exs_error src_err;         /* a failure on the source side */
};

/* Copies src to the case file name. A failure reading the source is the
 * entry's (cp->src_err, EXS_OK returned); a failure writing the case is
 * returned. */
static int copy_file(struct exs_collect *c, const struct exs_platform *plat,
		     const char *src, const char *name, struct copy *cp,
		     struct exs_error *err)
{
	struct exs_file *in = NULL, *out = NULL;
	memset(cp, 0, sizeof(*cp));
	exs_error_clear(&cp->src_err);
	int rc;
	if (plat->file_open_evidence) {
		rc = plat->file_open_evidence(src, &in, &cp->times, &cp->src_err);
		cp->has_times = 1;
	} else {
		rc = plat->file_open_read(src, &in, &cp->src_err);
	}
	if (rc)
		return EXS_OK;
	cp->opened = 1;
	rc = plat->file_stat(in, &cp->st, &cp->src_err);
	if (!rc && cp->st.node != EXS_NODE_FILE)
		rc = exs_fail(&cp->src_err, EXS_NOTREG, 0, "open", src);
	if (rc) {
		plat->file_close(in);
		return EXS_OK;
	}
	if (plat->file_security) {
		struct exs_error ignored;
		if (plat->file_security(in, cp->security, sizeof(cp->security) - 1,
					&cp->security_len, &ignored) == EXS_OK)
			cp->has_security = 1;
	}
	rc = case_path(c, plat, name);
	if (rc) {
		plat->file_close(in);
		return exs_fail(err, rc, 0, "malloc", NULL);
	}
	rc = plat->file_create(c->path.data,
			       EXS_CREATE_EXCLUSIVE | EXS_CREATE_PRIVATE, &out,
			       err);
	if (rc) {
		plat->file_close(in);
		return rc;
	}
	cp->written = 1;
	for (;;) {
		size_t got = 0;
		if (plat->file_read(in, c->chunk, COPY_CHUNK, &got,
				    &cp->src_err) != EXS_OK || !got)
			break;
		rc = plat->file_write(out, c->chunk, got, err);
		if (rc)
			break;
	}
	plat->file_close(in);
	if (!rc)
		rc = plat->file_sync(out, err);
	plat->file_close(out);
	if (rc)
		return rc;
	/* The hash of record is that of the bytes now in the case. */
	rc = hash_file(plat, c->sha, c->chunk, c->path.data, cp->sha256,
		       &cp->bytes, err);
	if (rc)
		return rc;
	char entry[EXS_CASE_ENTRY_NAME_MAX + 1];
	snprintf(entry, sizeof(entry), "%s", name);
	return add_entry(c, entry, cp->sha256, err);
}

static void json_copy(struct exs_buf *b, const struct copy *cp,
		      const char *name)
{
	if (cp->written) {
		exs_buf_printf(b, ", \"copy\": \"%s\"", name);
		json_hex(b, "sha256", cp->sha256);
		exs_buf_printf(b, ", \"bytes\": %llu",
			       (unsigned long long)cp->bytes);
		exs_buf_printf(b, ", \"complete\": %s",
			       cp->src_err.status == EXS_OK &&
					       cp->bytes == cp->st.size
				       ? "true"
				       : "false");
	} else {
		exs_buf_puts(b, ", \"copy\": null");
	}
	if (cp->opened && cp->src_err.status == EXS_OK) {
		const struct exs_stat *st = &cp->st;
		exs_buf_printf(b, ", \"size\": %llu",
			       (unsigned long long)st->size);
		json_time(b, "mtime", st->mtime_ns);
		json_time(b, "ctime", st->ctime_ns);
		if (cp->has_times && cp->times.atime_ns)
			json_time(b, "atime", cp->times.atime_ns);
		if (cp->has_times && cp->times.btime_ns)
			json_time(b, "created", cp->times.btime_ns);
		exs_buf_printf(b, ", \"atime_kept\": %s",
			       cp->has_times && cp->times.atime_kept ? "true"
								     : "false");
		exs_buf_printf(b, ", \"mode\": %lu, ", (unsigned long)st->mode);
		json_key_string(b, "owner", st->owner, strlen(st->owner));
		exs_buf_printf(b, ", \"volume_id\": %llu, \"file_id\": %llu, "
				  "\"links\": %lu",
			       (unsigned long long)st->volume_id,
			       (unsigned long long)st->file_id,
			       (unsigned long)st->link_count);
		if (cp->has_security) {
			exs_buf_puts(b, ", ");
			json_key_string(b, "security", cp->security,
					cp->security_len);
		}
	}
	if (cp->src_err.status != EXS_OK) {
		char msg[EXS_ERROR_WHERE_MAX + EXS_ERROR_DETAIL_MAX + 128];
		exs_error_format(&cp->src_err, msg, sizeof(msg));
		exs_buf_printf(b, ", \"error\": {\"status\": \"%s\", \"op\": \"%s\", "
				  "\"os_code\": %ld, ",
			       exs_status_name(cp->src_err.status),
			       cp->src_err.op ? cp->src_err.op : "",
			       cp->src_err.os_code);
		json_key_string(b, "message", msg, strlen(msg));
		exs_buf_putc(b, '}');
	}
}

/* ---- Gathering the run's findings ------------------------------------------ */

static int gather_one(void *ctx, const struct exs_finding *f)
{
	struct gather *g = ctx;
	if (f->kind != EXS_FINDING_WEBSHELL && f->kind != EXS_FINDING_SUSPICIOUS &&
	    f->kind != EXS_FINDING_CHANGED && f->kind != EXS_FINDING_ADDED &&
	    f->kind != EXS_FINDING_REMOVED)
		return EXS_OK;
	if (g->count == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 64;
		struct gathered *n = realloc(g->list, ncap * sizeof(*n));
		if (!n)
			return EXS_NOMEM;
		g->list = n;
		g->cap = ncap;
	}
	struct gathered *e = &g->list[g->count];
	memset(e, 0, sizeof(*e));
	e->path = malloc(f->path_len + 1);
	size_t rules_len = 0;
	for (size_t i = 0; i < f->hit_count; i++)
		rules_len += strnlen(f->hits[i].rule, sizeof(f->hits[i].rule)) + 1;
	e->rules = rules_len ? malloc(rules_len) : NULL;
	if (!e->path || (rules_len && !e->rules)) {
		free(e->path);
		free(e->rules);
		return EXS_NOMEM;
	}
	memcpy(e->path, f->path, f->path_len);
	e->path[f->path_len] = '\0';
	e->len = f->path_len;
	e->seq = g->count;
	e->kind = f->kind;
	e->changed = f->changed;
	e->timestomp = f->timestomp;
	size_t at = 0;
	for (size_t i = 0; i < f->hit_count; i++) {
		size_t n = strnlen(f->hits[i].rule, sizeof(f->hits[i].rule));
		memcpy(e->rules + at, f->hits[i].rule, n);
		e->rules[at + n] = '\0';
		at += n + 1;
	}
	e->rules_len = rules_len;
	e->has_new = f->has_new;
	e->new_rec = f->new_rec;
	e->has_old = f->has_old;
	e->old_rec = f->old_rec;
	g->count++;
	return EXS_OK;
}

static int by_path(const void *a, const void *b)
{
	const struct gathered *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int d = memcmp(x->path, y->path, n);
	if (d)
		return d;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void gather_free(struct gather *g)
{
	for (size_t i = 0; i < g->count; i++) {
		free(g->list[i].path);
		free(g->list[i].rules);
	}
	free(g->list);
}

/* ---- Streams ---------------------------------------------------------------- */

static int stream_name(void *ctx, const char *name, size_t len)
{
	return exs_strlist_add(ctx, name, len);
}

/* ---- One manifest entry ----------------------------------------------------- */

static void warn_not_copied(struct exs_cli *cli, const struct exs_error *e)
{
	char msg[EXS_ERROR_WHERE_MAX + EXS_ERROR_DETAIL_MAX + 128];
	exs_error_format(e, msg, sizeof(msg));
	exs_cli_progress_end(cli);
	exs_cli_print_text(cli, EXS_STDERR, "exsweep: collect: not copied: ", msg);
}

static int collect_path(struct exs_cli *cli, struct exs_collect *c,
			struct exs_store_reader *reader,
			const struct gathered *group, size_t n, uint64_t index,
			struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	struct exs_buf *b = &c->json;
	const struct gathered *first = &group[0];
	int on_disk = 0;
	for (size_t i = 0; i < n; i++)
		if (group[i].kind != EXS_FINDING_REMOVED)
			on_disk = 1;

	exs_buf_puts(b, index > 1 ? ",\n    " : "\n    ");
	exs_buf_printf(b, "{\"id\": %llu, ", (unsigned long long)index);
	json_key_string(b, "path", first->path, first->len);
	exs_buf_puts(b, ", \"findings\": [");
	for (size_t i = 0; i < n; i++) {
		const struct gathered *g = &group[i];
		exs_buf_printf(b, "%s{\"kind\": \"%s\"", i ? ", " : "",
			       exs_finding_kind_name(g->kind));
		if (g->rules_len) {
			exs_buf_puts(b, ", \"rules\": [");
			size_t at = 0, k = 0;
			while (at < g->rules_len) {
				size_t rl = strlen(g->rules + at);
				exs_buf_puts(b, k++ ? ", " : "");
				exs_json_string(b, g->rules + at, rl);
				at += rl + 1;
			}
			exs_buf_putc(b, ']');
		}
		if (g->kind == EXS_FINDING_CHANGED) {
			exs_buf_puts(b, ", \"changed\": [");
			unsigned k = 0;
			for (unsigned bit = 1; bit < (1u << EXS_ATTR_COUNT); bit <<= 1)
				if (g->changed & bit)
					exs_buf_printf(b, "%s\"%s\"", k++ ? ", " : "",
						       exs_attr_name(bit));
			exs_buf_printf(b, "], \"timestomp\": %s",
				       g->timestomp ? "true" : "false");
		}
		exs_buf_putc(b, '}');
	}
	exs_buf_putc(b, ']');

	/* What the run saw of the file, to compare the copy with. */
	const struct exs_record *seen = NULL;
	for (size_t i = 0; i < n && !seen; i++)
		if (group[i].has_new)
			seen = &group[i].new_rec;

	if (on_disk) {
		char name[EXS_CASE_NAME_MAX + 1];
		char entry[EXS_CASE_ENTRY_NAME_MAX + 1];
		exs_case_safe_name(index, first->path, first->len, 0, NULL, 0,
				   name);
		snprintf(entry, sizeof(entry), "files/%s", name);
		struct copy *cp = malloc(sizeof(*cp));
		if (!cp)
			return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
		int rc = copy_file(c, plat, first->path, entry, cp, err);
		if (rc) {
			free(cp);
			return rc;
		}
		json_copy(b, cp, entry);
		if (cp->written && seen)
			exs_buf_printf(b, ", \"same_as_scanned\": %s",
				       memcmp(seen->sha256, cp->sha256,
					      EXS_SHA256_LEN) == 0 &&
						       cp->src_err.status == EXS_OK
					       ? "true"
					       : "false");
		if (cp->written)
			c->copied++;
		else
			c->not_copied++;
		if (cp->src_err.status != EXS_OK)
			warn_not_copied(cli, &cp->src_err);
		free(cp);

		/* Alternate data streams (Windows), each copied beside it. */
		struct exs_strlist names = { 0 };
		if (plat->file_streams) {
			struct exs_error serr;
			exs_error_clear(&serr);
			int s = plat->file_streams(first->path, stream_name,
						   &names, &serr);
			if (s == EXS_NOMEM) {
				exs_strlist_free(&names);
				return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
			}
		}
		exs_buf_puts(b, ", \"streams\": [");
		for (size_t k = 0; k < names.count; k++) {
			const char *sn = names.items[k];
			size_t sl = strlen(sn);
			struct exs_buf sp;
			exs_buf_init(&sp, 1u << 16);
			exs_buf_append(&sp, first->path, first->len);
			exs_buf_append(&sp, sn, sl);
			exs_case_safe_name(index, first->path, first->len,
					   (unsigned)k + 1, sn, sl, name);
			snprintf(entry, sizeof(entry), "files/%s", name);
			cp = malloc(sizeof(*cp));
			rc = !cp || sp.failed ? exs_fail(err, EXS_NOMEM, 0, "malloc",
							 NULL)
					      : copy_file(c, plat, sp.data, entry,
							  cp, err);
			exs_buf_free(&sp);
			if (rc) {
				free(cp);
				exs_strlist_free(&names);
				return rc;
			}
			exs_buf_puts(b, k ? ", {" : "{");
			json_key_string(b, "name", sn, sl);
			json_copy(b, cp, entry);
			exs_buf_putc(b, '}');
			if (cp->written)
				c->streams++;
			if (cp->src_err.status != EXS_OK)
				warn_not_copied(cli, &cp->src_err);
			free(cp);
		}
		exs_buf_putc(b, ']');
		exs_strlist_free(&names);
	} else {
		exs_buf_puts(b, ", \"copy\": null");
		c->recorded++;
	}

	/* The baseline's last known record of the path. */
	struct exs_record known;
	int found = 0;
	if (reader) {
		struct exs_error lerr;
		if (exs_store_lookup(reader, first->path, first->len, &known,
				     &found, &lerr) != EXS_OK)
			found = 0;
	}
	for (size_t i = 0; i < n && !found; i++)
		if (group[i].has_old) {
			known = group[i].old_rec;
			found = 1;
		}
	exs_buf_puts(b, ", \"baseline\": ");
	if (found)
		json_record(b, &known);
	else
		exs_buf_puts(b, "null");
	exs_buf_putc(b, '}');
	return flush_json(c, plat, 0, err);
}

/* ---- The case: begin, write, seal ------------------------------------------- */

void exs_collect_free(struct exs_collect *c)
{
	if (!c)
		return;
	memset(c->key, 0, sizeof(c->key));
	exs_buf_free(&c->path);
	exs_buf_free(&c->json);
	exs_sha256_free(c->sha);
	free(c->chunk);
	free(c->entries);
	free(c);
}

/* The case folder's spellings to compare with the roots: as canonical
 * (absolute on Windows), and on POSIX, when it was given relative, joined
 * to $PWD once $PWD is seen to be the current folder. */
static int case_spellings(const struct exs_platform *plat, const char *dir,
			  struct exs_strlist *out, struct exs_error *err)
{
	char *canon = NULL;
	int rc = exs_path_canonical(plat, dir, &canon, err);
	if (rc)
		return rc;
	rc = exs_strlist_add_str(out, canon);
	int absolute = canon[0] == plat->path_separator ||
		       (plat->path_drives && canon[0] && canon[1] == ':');
	free(canon);
	if (rc || absolute)
		return rc ? exs_fail(err, EXS_NOMEM, 0, "malloc", NULL) : EXS_OK;
	char pwd[4096];
	struct exs_stat here, there;
	struct exs_error ignored;
	if (plat->env_get("PWD", pwd, sizeof(pwd)) != EXS_OK ||
	    pwd[0] != plat->path_separator ||
	    plat->path_stat(".", &here, &ignored) != EXS_OK ||
	    plat->path_stat(pwd, &there, &ignored) != EXS_OK ||
	    here.volume_id != there.volume_id || here.file_id != there.file_id)
		return EXS_OK; /* cannot tell: the textual form only */
	struct exs_buf joined;
	exs_buf_init(&joined, sizeof(pwd) + strlen(dir) + 2);
	exs_buf_puts(&joined, pwd);
	exs_buf_putc(&joined, plat->path_separator);
	exs_buf_puts(&joined, dir);
	rc = joined.failed ? EXS_NOMEM : exs_path_canonical(plat, joined.data,
							  &canon, err);
	exs_buf_free(&joined);
	if (!rc) {
		rc = exs_strlist_add_str(out, canon);
		free(canon);
	}
	return rc ? exs_fail(err, EXS_NOMEM, 0, "malloc", NULL) : EXS_OK;
}

/* A case inside a walked folder is refused: its copies would be walked
 * next time (and reported added), and inside a web root IIS would serve
 * them: a webshell's copy would run. */
static int case_outside_roots(struct exs_cli *cli, const char *dir,
			      const struct exs_strlist *walked,
			      const struct exs_strlist *web_roots,
			      struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	struct exs_strlist spell = { 0 };
	int rc = case_spellings(plat, dir, &spell, err);
	for (size_t k = 0; !rc && k < 2; k++) {
		const struct exs_strlist *list = k ? walked : web_roots;
		for (size_t i = 0; !rc && list && i < list->count; i++) {
			const char *r = list->items[i];
			for (size_t j = 0; !rc && j < spell.count; j++) {
				if (!exs_path_within(spell.items[j],
						     strlen(spell.items[j]), r,
						     strlen(r), plat->path_separator,
						     plat->case_insensitive))
					continue;
				rc = exs_failf(err, EXS_USAGE, 0, "--collect", dir,
					       k ? "the case folder lies inside the "
						   "walked folder %s: the next run "
						   "would walk its copies"
						 : "the case folder lies inside the "
						   "web root %s: IIS would serve its "
						   "copies (a webshell's copy would "
						   "run)",
					       r);
			}
		}
	}
	exs_strlist_free(&spell);
	return rc;
}

int exs_collect_begin(struct exs_cli *cli, const struct exs_strlist *walked,
		      const struct exs_strlist *web_roots,
		      struct exs_collect **out, struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	*out = NULL;
	if (!cli->collect_dir)
		return EXS_OK;
	struct exs_collect *c = calloc(1, sizeof(*c));
	if (!c)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	c->dir = cli->collect_dir;
	exs_buf_init(&c->path, 1u << 16);
	exs_buf_init(&c->json, (size_t)1 << 30);
	c->chunk = malloc(COPY_CHUNK);
	if (!c->chunk || exs_sha256_create(&c->sha)) {
		exs_collect_free(c);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	}
	/* The seal needs the key before anything is walked. */
	int rc = case_outside_roots(cli, c->dir, walked, web_roots, err);
	if (!rc)
		rc = exs_seal_key_load(plat, cli->cfg.baseline_key, c->key,
				       &c->key_len, err);
	/* A new case folder, or an empty one: a case is never added to. */
	if (!rc)
		rc = plat->dir_create(c->dir, EXS_CREATE_PRIVATE, err);
	if (!rc) {
		struct exs_dir *d;
		rc = plat->dir_open(c->dir, &d, err);
		if (!rc) {
			struct exs_dirent de;
			rc = plat->dir_next(d, &de, err);
			if (!rc && de.name)
				rc = exs_failf(err, EXS_USAGE, 0, "--collect",
					       c->dir,
					       "the case folder is not empty "
					       "(a case is written once, into a "
					       "new or empty folder)");
			plat->dir_close(d);
		}
	}
	if (!rc)
		rc = case_path(c, plat, "files") ? exs_fail(err, EXS_NOMEM, 0,
							    "malloc", NULL)
						 : plat->dir_create(c->path.data,
								    EXS_CREATE_PRIVATE,
								    err);
	if (rc) {
		exs_collect_free(c);
		return rc;
	}
	*out = c;
	return EXS_OK;
}

static int by_entry_name(const void *a, const void *b)
{
	return strcmp(((const struct exs_case_entry *)a)->name,
		      ((const struct exs_case_entry *)b)->name);
}

struct file_sink {
	const struct exs_platform *plat;
	struct exs_file *f;
	struct exs_error *err;
};

static int write_to_file(void *ctx, const char *text, size_t len)
{
	struct file_sink *s = ctx;
	return s->plat->file_write(s->f, text, len, s->err);
}

/* Writes small text as a new file of the case. */
static int write_case_file(struct exs_collect *c,
			   const struct exs_platform *plat, const char *name,
			   const char *text, size_t len, struct exs_error *err)
{
	struct exs_file *f;
	if (case_path(c, plat, name))
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	int rc = plat->file_create(c->path.data,
				   EXS_CREATE_EXCLUSIVE | EXS_CREATE_PRIVATE, &f,
				   err);
	if (rc)
		return rc;
	rc = plat->file_write(f, text, len, err);
	if (!rc)
		rc = plat->file_sync(f, err);
	plat->file_close(f);
	return rc;
}

/* Hashes a file the case wrote and lists it. */
static int list_case_file(struct exs_collect *c,
			  const struct exs_platform *plat, const char *name,
			  struct exs_error *err)
{
	unsigned char sha[EXS_SHA256_LEN];
	uint64_t size;
	if (case_path(c, plat, name))
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	int rc = hash_file(plat, c->sha, c->chunk, c->path.data, sha, &size, err);
	return rc ? rc : add_entry(c, name, sha, err);
}

static int write_case(struct exs_cli *cli, struct exs_collect *c,
		      struct exs_run *run, struct exs_store *store,
		      char seal[65], struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	struct gather g = { 0 };
	struct exs_store_reader *reader = NULL;
	int rc = exs_run_each_finding(run, gather_one, &g);
	if (rc) {
		gather_free(&g);
		return exs_fail(err, rc, 0, "collect", c->dir);
	}
	qsort(g.list, g.count, sizeof(*g.list), by_path);
	if (store && exs_store_reader_open(store, &reader, err) != EXS_OK)
		reader = NULL; /* the records then come from the findings */

	if (case_path(c, plat, "manifest.json"))
		rc = exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	if (!rc)
		rc = plat->file_create(c->path.data,
				       EXS_CREATE_EXCLUSIVE | EXS_CREATE_PRIVATE,
				       &c->manifest, err);
	if (!rc) {
		char t[40];
		const struct exs_generation *gen = exs_run_generation(run);
		struct exs_buf *b = &c->json;
		exs_format_time(plat->clock_wall_ns(), t, sizeof(t));
		exs_buf_printf(b, "{\n  \"schema\": \"%s\",\n  \"tool\": "
				  "{\"name\": \"exsweep\", \"version\": \"%s\"},\n"
				  "  \"command\": \"%s\",\n  \"created\": \"%s\",\n  ",
			       EXS_CASE_SCHEMA, EXS_VERSION, run->command, t);
		json_key_string(b, "host", run->host, strlen(run->host));
		exs_buf_puts(b, ",\n  ");
		json_key_string(b, "case", c->dir, strlen(c->dir));
		exs_buf_puts(b, ",\n  \"baseline\": ");
		if (run->baseline_path && gen) {
			exs_buf_puts(b, "{");
			json_key_string(b, "path", run->baseline_path,
					strlen(run->baseline_path));
			exs_buf_printf(b, ", \"generation\": %lld, \"seal\": \"%s\"}",
				       (long long)gen->id, gen->seal);
		} else {
			exs_buf_puts(b, "null");
		}
		exs_buf_puts(b, ",\n  \"report\": \"report.json\",\n  \"entries\": [");
	}
	uint64_t index = 0;
	for (size_t i = 0; !rc && i < g.count;) {
		size_t j = i + 1;
		while (j < g.count && g.list[j].len == g.list[i].len &&
		       memcmp(g.list[j].path, g.list[i].path, g.list[i].len) == 0)
			j++;
		rc = collect_path(cli, c, reader, &g.list[i], j - i, ++index, err);
		i = j;
	}
	exs_store_reader_close(reader);
	gather_free(&g);
	if (!rc) {
		exs_buf_printf(&c->json,
			       "%s],\n  \"counts\": {\"entries\": %llu, \"copied\": %llu, "
			       "\"streams\": %llu, \"not_copied\": %llu, "
			       "\"recorded_only\": %llu}\n}\n",
			       index ? "\n  " : "", (unsigned long long)index,
			       (unsigned long long)c->copied,
			       (unsigned long long)c->streams,
			       (unsigned long long)c->not_copied,
			       (unsigned long long)c->recorded);
		rc = flush_json(c, plat, 1, err);
	}
	if (!rc)
		rc = plat->file_sync(c->manifest, err);
	if (c->manifest)
		plat->file_close(c->manifest);
	c->manifest = NULL;
	if (!rc)
		rc = list_case_file(c, plat, "manifest.json", err);

	/* The run's JSON report, as --json writes it. */
	if (!rc && case_path(c, plat, "report.json"))
		rc = exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	if (!rc) {
		struct file_sink fs = { plat, NULL, err };
		rc = plat->file_create(c->path.data,
				       EXS_CREATE_EXCLUSIVE | EXS_CREATE_PRIVATE,
				       &fs.f, err);
		if (!rc) {
			struct exs_sink sink = { write_to_file, &fs };
			rc = exs_report_json(run, &sink);
			if (!rc)
				rc = plat->file_sync(fs.f, err);
			plat->file_close(fs.f);
			if (rc && !err->where[0])
				exs_fail(err, rc, 0, "write", c->dir);
		}
	}
	if (!rc)
		rc = list_case_file(c, plat, "report.json", err);

	/* SHA256SUMS, then the seal over it. */
	if (!rc) {
		qsort(c->entries, c->entry_count, sizeof(*c->entries),
		      by_entry_name);
		struct exs_buf sums;
		exs_buf_init(&sums, EXS_CASE_SUMS_BYTES_MAX);
		for (size_t i = 0; i < c->entry_count; i++)
			exs_case_sums_line(&sums, &c->entries[i]);
		rc = sums.failed ? exs_fail(err, sums.failed, 0, "collect", c->dir)
				 : write_case_file(c, plat, "SHA256SUMS", sums.data,
						   sums.len, err);
		exs_buf_free(&sums);
	}
	if (!rc && exs_case_seal(c->key, c->key_len, c->entries,
				 c->entry_count, seal))
		rc = exs_fail(err, EXS_INTERNAL, 0, "seal", c->dir);
	if (!rc) {
		char text[EXS_CASE_SEAL_LEN + 1];
		snprintf(text, sizeof(text), "%s%s\n", EXS_CASE_SEAL_PREFIX, seal);
		rc = write_case_file(c, plat, "SEAL", text, strlen(text), err);
	}
	return rc;
}

int exs_collect_run(struct exs_cli *cli, struct exs_collect *c,
		    struct exs_run *run, struct exs_store *store, int code)
{
	if (!c || code >= EXS_EXIT_USAGE)
		return code;
	struct exs_error err;
	char seal[65];
	exs_error_clear(&err);
	int rc = write_case(cli, c, run, store, seal, &err);
	if (rc)
		return exs_cli_fail(cli, &err);
	if (!cli->quiet) {
		struct exs_buf b;
		exs_buf_init(&b, 1u << 16);
		exs_buf_printf(&b, "evidence: %llu file%s and %llu stream%s copied, "
				  "%llu not copied, %llu removed file%s recorded, in ",
			       (unsigned long long)c->copied,
			       c->copied == 1 ? "" : "s",
			       (unsigned long long)c->streams,
			       c->streams == 1 ? "" : "s",
			       (unsigned long long)c->not_copied,
			       (unsigned long long)c->recorded,
			       c->recorded == 1 ? "" : "s");
		exs_text_escape(&b, c->dir, strlen(c->dir));
		exs_buf_printf(&b, "\nevidence seal: %s\n", seal);
		if (!b.failed)
			cli->plat->stream_write(EXS_STDOUT, b.data, b.len);
		exs_buf_free(&b);
	}
	return code;
}

/* ---- exsweep collect CASE: verifying a case folder -------------------------- */

/* Reads a whole file of at most cap bytes into *out (malloc'd). */
static int read_whole(const struct exs_platform *plat, const char *path,
		      size_t cap, char **out, size_t *len,
		      struct exs_error *err)
{
	*out = NULL;
	*len = 0;
	struct exs_buf b;
	exs_buf_init(&b, cap);
	int rc = exs_read_regular(plat, path, "the file", &b, err);
	if (rc) {
		exs_buf_free(&b);
		return rc;
	}
	*out = b.data ? b.data : calloc(1, 1);
	*len = b.len;
	return *out ? EXS_OK : exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
}

struct verify {
	struct exs_cli *cli;
	struct exs_collect *c;
	unsigned long problems;
};

static void problem(struct verify *v, const char *name, const char *what)
{
	struct exs_buf b;
	exs_buf_init(&b, 1u << 16);
	exs_text_escape(&b, v->c->dir, strlen(v->c->dir));
	exs_buf_putc(&b, v->cli->plat->path_separator);
	exs_text_escape(&b, name, strlen(name));
	exs_buf_printf(&b, ": %s\n", what);
	if (!b.failed) {
		v->cli->plat->stream_write(EXS_STDERR, "exsweep: ", 9);
		v->cli->plat->stream_write(EXS_STDERR, b.data, b.len);
	}
	exs_buf_free(&b);
	v->problems++;
}

static int listed(const struct exs_case_entry *e, size_t n, const char *name)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(e[mid].name, name);
		if (!d)
			return 1;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Files in the case that SHA256SUMS does not list: in the folder itself
 * only the case's own names, in files/ only listed copies. */
static int unlisted(struct verify *v, const struct exs_case_entry *e, size_t n,
		    const char *sub, struct exs_error *err)
{
	const struct exs_platform *plat = v->cli->plat;
	struct exs_collect *c = v->c;
	int rc = sub ? case_path(c, plat, sub) : EXS_OK;
	if (rc)
		return exs_fail(err, rc, 0, "malloc", NULL);
	struct exs_dir *d;
	rc = plat->dir_open(sub ? c->path.data : c->dir, &d, err);
	if (rc == EXS_NOENT && sub) {
		/* its copies were each named missing already */
		problem(v, sub, "the folder is missing");
		exs_error_clear(err);
		return EXS_OK;
	}
	if (rc)
		return rc;
	for (;;) {
		struct exs_dirent de;
		rc = plat->dir_next(d, &de, err);
		if (rc || !de.name)
			break;
		char name[EXS_CASE_ENTRY_NAME_MAX + 1];
		int ok = 0;
		if (!memchr(de.name, '\0', de.name_len) &&
		    de.name_len <= EXS_CASE_NAME_MAX) {
			snprintf(name, sizeof(name), "%s%.*s", sub ? "files/" : "",
				 (int)de.name_len, de.name);
			if (sub)
				ok = de.node == EXS_NODE_FILE && listed(e, n, name);
			else if (strcmp(name, "files") == 0)
				ok = de.node == EXS_NODE_DIR;
			else
				ok = (strcmp(name, "SEAL") == 0 ||
				      strcmp(name, "SHA256SUMS") == 0 ||
				      listed(e, n, name)) &&
				     de.node == EXS_NODE_FILE;
		}
		if (!ok) {
			struct exs_buf nb;
			exs_buf_init(&nb, 1u << 16);
			if (sub)
				exs_buf_puts(&nb, "files/");
			exs_buf_append(&nb, de.name, de.name_len);
			if (!nb.failed)
				problem(v, nb.data,
					"not listed in SHA256SUMS (added to the "
					"case after it was sealed)");
			exs_buf_free(&nb);
		}
	}
	plat->dir_close(d);
	return rc;
}

static int verify_case(struct exs_cli *cli, struct exs_collect *c,
		       struct verify *v, size_t *files, char seal_hex[65],
		       struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	char *text = NULL;
	size_t len = 0;
	char want[65];
	if (case_path(c, plat, "SEAL"))
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	int rc = read_whole(plat, c->path.data, SEAL_FILE_MAX, &text, &len, err);
	if (rc)
		return rc;
	rc = exs_case_seal_parse(text, len, want);
	free(text);
	if (rc)
		return exs_failf(err, EXS_SEAL, 0, "read", c->path.data,
				 "not a case seal ('%shex')", EXS_CASE_SEAL_PREFIX);
	if (case_path(c, plat, "SHA256SUMS"))
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	rc = read_whole(plat, c->path.data, EXS_CASE_SUMS_BYTES_MAX, &text, &len,
			err);
	if (rc)
		return rc;
	struct exs_case_entry *e = NULL;
	size_t n = 0, line = 0;
	char why[128];
	rc = exs_case_sums_parse(text, len, &e, &n, &line, why, sizeof(why));
	free(text);
	if (rc == EXS_NOMEM)
		return exs_fail(err, rc, 0, "malloc", NULL);
	if (rc) {
		char where[EXS_ERROR_WHERE_MAX];
		snprintf(where, sizeof(where), "%s:%zu", c->path.data, line);
		return exs_failf(err, EXS_SEAL, 0, "read", where, "%s", why);
	}
	char got[65];
	rc = exs_case_seal(c->key, c->key_len, e, n, got);
	if (rc) {
		free(e);
		return exs_fail(err, EXS_INTERNAL, 0, "seal", c->dir);
	}
	if (!exs_seal_equal(got, want)) {
		free(e);
		return exs_failf(err, EXS_SEAL, 0, "verify", c->dir,
				 "the seal does not match SHA256SUMS: the case "
				 "was edited, damaged, or sealed with another "
				 "key");
	}
	memcpy(seal_hex, want, 65);
	if (!listed(e, n, "manifest.json"))
		problem(v, "manifest.json", "missing from SHA256SUMS");
	if (!listed(e, n, "report.json"))
		problem(v, "report.json", "missing from SHA256SUMS");
	for (size_t i = 0; i < n; i++) {
		unsigned char sha[EXS_SHA256_LEN];
		uint64_t size;
		struct exs_error ferr;
		exs_error_clear(&ferr);
		if (case_path(c, plat, e[i].name)) {
			free(e);
			return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
		}
		int h = hash_file(plat, c->sha, c->chunk, c->path.data, sha, &size,
				  &ferr);
		if (h == EXS_NOMEM) {
			free(e);
			return exs_fail(err, h, 0, "malloc", NULL);
		}
		if (h) {
			char msg[EXS_ERROR_WHERE_MAX + EXS_ERROR_DETAIL_MAX + 64];
			exs_error_format(&ferr, msg, sizeof(msg));
			problem(v, e[i].name, msg);
		} else if (memcmp(sha, e[i].sha256, EXS_SHA256_LEN) != 0) {
			problem(v, e[i].name,
				"its SHA-256 is not the one SHA256SUMS lists "
				"(changed after the case was sealed)");
		}
	}
	rc = unlisted(v, e, n, NULL, err);
	if (!rc)
		rc = unlisted(v, e, n, "files", err);
	*files = n;
	free(e);
	return rc;
}

static int zip_case(struct exs_cli *cli, struct exs_collect *c,
		    struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	char *text = NULL;
	size_t len = 0;
	if (case_path(c, plat, "SHA256SUMS"))
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	int rc = read_whole(plat, c->path.data, EXS_CASE_SUMS_BYTES_MAX, &text,
			    &len, err);
	if (rc)
		return rc;
	struct exs_case_entry *e = NULL;
	size_t n = 0, line = 0;
	char why[128];
	rc = exs_case_sums_parse(text, len, &e, &n, &line, why, sizeof(why));
	free(text);
	if (rc)
		return exs_fail(err, rc, 0, "read", c->path.data);
	struct exs_zip *z;
	rc = exs_zip_create(plat, cli->zip_path, plat->clock_wall_ns(), &z, err);
	if (rc == EXS_EXISTS)
		rc = exs_failf(err, EXS_USAGE, 0, "--zip", cli->zip_path,
			       "the file exists (a zip is never written over)");
	const char *own[] = { "SEAL", "SHA256SUMS" };
	for (size_t i = 0; !rc && i < 2 + n; i++) {
		const char *name = i < 2 ? own[i] : e[i - 2].name;
		if (case_path(c, plat, name))
			rc = exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
		else
			rc = exs_zip_add_file(z, name, c->path.data, err);
		if (rc)
			exs_zip_abort(z);
	}
	if (!rc)
		rc = exs_zip_finish(z, err);
	free(e);
	return rc;
}

int exs_cmd_collect(struct exs_cli *cli)
{
	struct exs_error err;
	exs_error_clear(&err);
	if (cli->args.count != 1) {
		exs_cli_print(cli, EXS_STDERR,
			      "exsweep: collect: name one case folder "
			      "(written by check --collect or scan --collect)\n");
		return EXS_EXIT_USAGE;
	}
	if (cli->collect_dir) {
		exs_cli_print(cli, EXS_STDERR,
			      "exsweep: collect: --collect is for check and scan; "
			      "collect verifies a case folder\n");
		return EXS_EXIT_USAGE;
	}
	/* The configuration's roots take the arguments over: keep the case's
	 * name apart first. */
	char *dir = strdup(cli->args.items[0]);
	struct exs_collect *c = calloc(1, sizeof(*c));
	if (!c || !dir) {
		free(c);
		free(dir);
		return EXS_EXIT_INTERNAL;
	}
	c->dir = dir;
	exs_buf_init(&c->path, 1u << 16);
	exs_buf_init(&c->json, 1u << 16);
	c->chunk = malloc(COPY_CHUNK);
	int rc = !c->chunk || exs_sha256_create(&c->sha)
			 ? exs_fail(&err, EXS_NOMEM, 0, "malloc", NULL)
			 : exs_cli_load_config(cli, &err);
	if (!rc)
		rc = exs_seal_key_load(cli->plat, cli->cfg.baseline_key, c->key,
				       &c->key_len, &err);
	struct verify v = { cli, c, 0 };
	size_t files = 0;
	char seal[65] = "";
	if (!rc)
		rc = verify_case(cli, c, &v, &files, seal, &err);
	int code;
	if (rc == EXS_SEAL) {
		char msg[EXS_ERROR_WHERE_MAX + EXS_ERROR_DETAIL_MAX + 128];
		exs_error_format(&err, msg, sizeof(msg));
		exs_cli_print_text(cli, EXS_STDERR, "exsweep: ", msg);
		code = EXS_EXIT_CASE;
	} else if (rc) {
		code = exs_cli_fail(cli, &err);
	} else if (v.problems) {
		exs_cli_print(cli, EXS_STDERR,
			      "exsweep: the case does not verify: %lu problem%s\n",
			      v.problems, v.problems == 1 ? "" : "s");
		code = EXS_EXIT_CASE;
	} else {
		code = EXS_EXIT_CLEAN;
		if (cli->zip_path) {
			rc = zip_case(cli, c, &err);
			if (rc)
				code = exs_cli_fail(cli, &err);
		}
		if (!rc && !cli->quiet) {
			struct exs_buf b;
			exs_buf_init(&b, 1u << 16);
			exs_buf_puts(&b, "case ");
			exs_text_escape(&b, c->dir, strlen(c->dir));
			exs_buf_printf(&b, ": %zu files match SHA256SUMS, and the "
					  "seal matches: %s\n", files, seal);
			if (cli->zip_path) {
				exs_buf_puts(&b, "zip: ");
				exs_text_escape(&b, cli->zip_path,
						strlen(cli->zip_path));
				exs_buf_putc(&b, '\n');
			}
			if (!b.failed)
				cli->plat->stream_write(EXS_STDOUT, b.data, b.len);
			exs_buf_free(&b);
		}
	}
	exs_collect_free(c);
	free(dir);
	return code;
}
