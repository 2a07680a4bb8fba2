/* logscan.c -- the log pass's reading side (see logscan.h).
 *
 * Divisions: the position set; discovery; the line assembler (chunks in,
 * lines out, the long-line cut); one file (positions, gzip); the threads.
 */
#include "logscan.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "hash.h"

/* ---- Positions ----------------------------------------------------------- */

struct exs_logpos *exs_logpos_find_sorted(struct exs_logpos_set *set,
					  const char *path)
{
	size_t lo = 0, hi = set->sorted;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(set->items[mid].path, path);
		if (!c)
			return &set->items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct exs_logpos *exs_logpos_find(struct exs_logpos_set *set,
				   const char *path)
{
	if (!set)
		return NULL;
	struct exs_logpos *p = exs_logpos_find_sorted(set, path);
	for (size_t i = set->sorted; !p && i < set->count; i++)
		if (strcmp(set->items[i].path, path) == 0)
			p = &set->items[i];
	return p;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct exs_logpos *)a)->path,
		      ((const struct exs_logpos *)b)->path);
}

void exs_logpos_sort(struct exs_logpos_set *set)
{
	if (set->count > 1)
		qsort(set->items, set->count, sizeof(*set->items), by_path);
	set->sorted = set->count;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int exs_logpos_keep_only(struct exs_logpos_set *set,
			 const struct exs_strlist *files)
{
	char **names = malloc((files->count ? files->count : 1) * sizeof(*names));
	if (!names)
		return EXS_NOMEM;
	if (files->count) {
		memcpy(names, files->items, files->count * sizeof(*names));
		qsort(names, files->count, sizeof(*names), by_string);
	}
	size_t kept = 0;
	for (size_t i = 0; i < set->count; i++) {
		const char *p = set->items[i].path;
		if (bsearch(&p, names, files->count, sizeof(*names), by_string)) {
			set->items[kept++] = set->items[i];
		} else {
			free(set->items[i].path);
			free(set->items[i].fields);
		}
	}
	set->count = kept;
	free(names);
	exs_logpos_sort(set);
	return EXS_OK;
}

static char *dup_str(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *c = malloc(n + 1);
	if (c)
		memcpy(c, s, n + 1);
	return c;
}

static int put(struct exs_logpos_set *set, const struct exs_logpos *p,
	       int search)
{
	struct exs_logpos *dst = search ? exs_logpos_find(set, p->path) : NULL;
	char *path = dup_str(p->path);
	char *fields = p->fields ? dup_str(p->fields) : NULL;
	if (!path || (p->fields && !fields)) {
		free(path);
		free(fields);
		return EXS_NOMEM;
	}
	if (!dst) {
		if (set->count == set->cap) {
			size_t cap = set->cap ? set->cap * 2 : 64;
			struct exs_logpos *grown =
				realloc(set->items, cap * sizeof(*grown));
			if (!grown) {
				free(path);
				free(fields);
				return EXS_NOMEM;
			}
			set->items = grown;
			set->cap = cap;
		}
		dst = &set->items[set->count++];
	} else {
		free(dst->path);
		free(dst->fields);
	}
	*dst = *p;
	dst->path = path;
	dst->fields = fields;
	return EXS_OK;
}

int exs_logpos_put(struct exs_logpos_set *set, const struct exs_logpos *p)
{
	return put(set, p, 1);
}

int exs_logpos_append(struct exs_logpos_set *set, const struct exs_logpos *p)
{
	return put(set, p, 0);
}

void exs_logpos_free(struct exs_logpos_set *set)
{
	for (size_t i = 0; i < set->count; i++) {
		free(set->items[i].path);
		free(set->items[i].fields);
	}
	free(set->items);
	memset(set, 0, sizeof(*set));
}

/* ---- Discovery ------------------------------------------------------------- */

static int join(const char *dir, const char *name, size_t nlen, char sep,
		char **out)
{
	size_t dl = strlen(dir);
	int has_sep = dl && (dir[dl - 1] == '/' || dir[dl - 1] == sep);
	char *p = malloc(dl + 1 + nlen + 1);
	if (!p)
		return EXS_NOMEM;
	memcpy(p, dir, dl);
	size_t o = dl;
	if (!has_sep)
		p[o++] = sep;
	memcpy(p + o, name, nlen);
	p[o + nlen] = '\0';
	*out = p;
	return EXS_OK;
}

static int walk_dir(const struct exs_platform *plat, const char *dir,
		    unsigned depth, struct exs_strlist *files,
		    exs_logscan_error_fn on_error, void *ctx)
{
	struct exs_dir *d;
	struct exs_error e;
	exs_error_clear(&e);
	if (depth > EXS_LOG_DEPTH_MAX) {
		exs_fail(&e, EXS_LIMIT, 0, "dir_open", dir);
		if (on_error)
			on_error(ctx, dir, &e);
		return EXS_OK;
	}
	int rc = plat->dir_open(dir, &d, &e);
	if (rc) {
		if (on_error && rc != EXS_NOENT)
			on_error(ctx, dir, &e);
		return rc == EXS_NOMEM ? rc : EXS_OK;
	}
	struct exs_strlist subdirs = { 0 };
	for (;;) {
		struct exs_dirent ent;
		rc = plat->dir_next(d, &ent, &e);
		if (rc) {
			if (on_error)
				on_error(ctx, dir, &e);
			rc = EXS_OK;
			break;
		}
		if (!ent.name)
			break;
		char *path;
		if (join(dir, ent.name, ent.name_len, plat->path_separator, &path)) {
			rc = EXS_NOMEM;
			break;
		}
		enum exs_node node = ent.node;
		if (node == EXS_NODE_UNKNOWN) {
			struct exs_stat st;
			node = plat->path_stat(path, &st, &e) ? EXS_NODE_UNKNOWN : st.node;
		}
		if (node == EXS_NODE_FILE && files->count < EXS_LOG_FILES_MAX)
			rc = exs_strlist_add_str(files, path);
		else if (node == EXS_NODE_DIR)
			rc = exs_strlist_add_str(&subdirs, path);
		free(path);
		if (rc)
			break;
	}
	plat->dir_close(d);
	for (size_t i = 0; !rc && i < subdirs.count; i++)
		rc = walk_dir(plat, subdirs.items[i], depth + 1, files, on_error, ctx);
	exs_strlist_free(&subdirs);
	return rc;
}

int exs_logscan_discover(const struct exs_platform *plat,
			 const struct exs_strlist *roots,
			 struct exs_strlist *files,
			 exs_logscan_error_fn on_error, void *ctx,
			 struct exs_error *err)
{
	for (size_t i = 0; i < roots->count; i++) {
		struct exs_stat st;
		struct exs_error e;
		exs_error_clear(&e);
		if (plat->path_stat(roots->items[i], &st, &e))
			continue;            /* a log folder that is not there */
		int rc;
		if (st.node == EXS_NODE_FILE)
			rc = exs_strlist_add_str(files, roots->items[i]);
		else if (st.node == EXS_NODE_DIR)
			rc = walk_dir(plat, roots->items[i], 0, files, on_error, ctx);
		else
			continue;            /* a link, a device: never followed */
		if (rc)
			return exs_fail(err, rc, 0, "discover", roots->items[i]);
	}
	return EXS_OK;
}

/* ---- The line assembler ------------------------------------------------------ */

struct reader {
	struct exs_logparser parser;
	struct exs_trace_scratch scratch;
	char *carry;                 /* a line split across chunks */
	size_t carry_n;
	int skipping;                /* inside a line longer than the cap */
	uint64_t consumed;           /* stream bytes fed */
	uint64_t line_end;           /* stream offset after the last full line */
	char fields[EXS_LOG_FIELDS_MAX];
	size_t fields_n;
	int gz_cut;                  /* a gzip log stopped by the budget */
	/* the pass */
	const char *file;
	unsigned worker;
	int64_t since_ns;
	int match_traces;
	exs_logscan_fn fn;
	void *ctx;
	int stop;                    /* the callback's nonzero return */
	struct exs_logscan_stats st;
};

static void line(struct reader *r, const char *s, size_t n)
{
	struct exs_logreq req;
	r->st.lines++;
	/* The header in force, for a later run that starts after it. */
	if (n >= 8 && s[0] == '#' && (s[1] | 0x20) == 'f' && (s[2] | 0x20) == 'i' &&
	    (s[3] | 0x20) == 'e' && (s[4] | 0x20) == 'l' && (s[5] | 0x20) == 'd' &&
	    (s[6] | 0x20) == 's' && s[7] == ':') {
		size_t k = n;
		if (k && s[k - 1] == '\r')
			k--;
		if (k < sizeof(r->fields)) {
			memcpy(r->fields, s, k);
			r->fields_n = k;
		} else {
			r->fields_n = 0;  /* too long to keep: never a stale one */
		}
	}
	if (!exs_logparser_line(&r->parser, s, n, &req))
		return;
	if (r->since_ns) {
		int64_t t = exs_logreq_time(&req);
		if (t && t < r->since_ns)
			return;
	}
	r->st.requests++;
	const struct exs_technique *hits[EXS_TRACE_MATCH_MAX];
	size_t nh = 0;
	if (r->match_traces)
		nh = exs_traces_match(&req, &r->scratch, hits);
	else
		r->scratch.stem_n = exs_trace_decode(req.f[EXS_LR_STEM].p,
						     req.f[EXS_LR_STEM].n, 0,
						     r->scratch.stem,
						     sizeof(r->scratch.stem));
	if (r->fn) {
		int rc = r->fn(r->ctx, r->worker, r->file, &req, &r->scratch,
			       hits, nh);
		if (rc)
			r->stop = rc;
	}
}

static void feed(struct reader *r, const char *data, size_t n)
{
	const char *p = data, *end = data + n;
	while (p < end && !r->stop) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t piece = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (r->skipping) {
			if (nl) {
				r->skipping = 0;
				r->line_end = r->consumed + (uint64_t)(nl + 1 - data);
			}
		} else if (r->carry_n || !nl) {
			if (r->carry_n + piece > EXS_LOG_LINE_MAX) {
				/* Too long: drop what was kept and the rest of
				 * the line, up to its newline. */
				r->st.overlong++;
				r->parser.line++;
				r->carry_n = 0;
				if (!nl)
					r->skipping = 1;
				else
					r->line_end = r->consumed + (uint64_t)(nl + 1 - data);
			} else {
				memcpy(r->carry + r->carry_n, p, piece);
				r->carry_n += piece;
				if (nl) {
					line(r, r->carry, r->carry_n);
					r->carry_n = 0;
					r->line_end = r->consumed + (uint64_t)(nl + 1 - data);
				}
			}
		} else if (piece > EXS_LOG_LINE_MAX) {
			r->st.overlong++;
			r->parser.line++;
			r->line_end = r->consumed + (uint64_t)(nl + 1 - data);
		} else {
			line(r, p, piece);
			r->line_end = r->consumed + (uint64_t)(nl + 1 - data);
		}
		p = nl ? nl + 1 : end;
	}
	r->consumed += n;
}

/* End of the stream: a last line without a newline counts (a rotated
 * log's end), but the position stays before it, so that a line IIS is
 * still writing is read whole next time. */
static void finish(struct reader *r)
{
	if (r->carry_n && !r->stop)
		line(r, r->carry, r->carry_n);
	r->carry_n = 0;
	r->skipping = 0;
}

static int reader_init(struct reader *r)
{
	memset(r, 0, sizeof(*r));
	exs_logparser_init(&r->parser);
	r->carry = malloc(EXS_LOG_LINE_MAX);
	return r->carry ? EXS_OK : EXS_NOMEM;
}

static void reader_reset(struct reader *r)
{
	char *carry = r->carry;
	const char *file = r->file;
	unsigned worker = r->worker;
	int64_t since = r->since_ns;
	int mt = r->match_traces;
	exs_logscan_fn fn = r->fn;
	void *ctx = r->ctx;
	struct exs_logscan_stats st = r->st;
	memset(r, 0, offsetof(struct reader, file));
	exs_logparser_init(&r->parser);
	r->carry = carry;
	r->file = file;
	r->worker = worker;
	r->since_ns = since;
	r->match_traces = mt;
	r->fn = fn;
	r->ctx = ctx;
	r->st = st;
}

int exs_logscan_buffer(const char *data, size_t len, int match_traces,
		       exs_logscan_fn fn, void *ctx,
		       struct exs_logscan_stats *stats)
{
	struct reader *r = malloc(sizeof(*r));
	if (!r || reader_init(r)) {
		free(r);
		return EXS_NOMEM;
	}
	r->file = "buffer";
	r->match_traces = match_traces;
	r->fn = fn;
	r->ctx = ctx;
	/* In pieces, as a file would come, so the carry path is exercised. */
	size_t piece = 4096;
	for (size_t off = 0; off < len && !r->stop; off += piece)
		feed(r, data + off, len - off < piece ? len - off : piece);
	finish(r);
	int rc = r->stop;
	r->st.bytes = len;
	r->st.bad = r->parser.bad;
	if (stats)
		*stats = r->st;
	free(r->carry);
	free(r);
	return rc;
}

/* ---- One file ------------------------------------------------------------------ */

struct pass {
	struct exs_logscan *ls;
	const struct exs_strlist *files;
	struct exs_logpos *results;  /* one per file */
	struct exs_mutex *mutex;
	size_t next;                 /* next file index */
	uint64_t budget_left;
	int stop;                    /* a callback or memory stopped the pass */
	int rc;
};

/* Bytes this thread may read next: at most want, less when the budget is
 * nearly spent; 0 when it is. */
static size_t take_budget(struct pass *ps, size_t want)
{
	if (!ps->ls->budget)
		return want;
	const struct exs_platform *plat = ps->ls->plat;
	plat->mutex_lock(ps->mutex);
	size_t got = ps->budget_left < want ? (size_t)ps->budget_left : want;
	ps->budget_left -= got;
	if (!got)
		ps->ls->stats.budget_hit = 1;
	plat->mutex_unlock(ps->mutex);
	return got;
}

static int read_full(const struct exs_platform *plat, struct exs_file *f,
		     char *buf, size_t cap, size_t *got, struct exs_error *err)
{
	*got = 0;
	while (*got < cap) {
		size_t n;
		int rc = plat->file_read(f, buf + *got, cap - *got, &n, err);
		if (rc)
			return rc;
		if (!n)
			break;
		*got += n;
	}
	return EXS_OK;
}

/* Inflates the rest of a gzip stream (head already read into buf). */
static int read_gz(struct pass *ps, struct reader *r, struct exs_file *f,
		   char *buf, size_t have, uint64_t compressed,
		   struct exs_error *err)
{
	const struct exs_platform *plat = ps->ls->plat;
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return exs_fail(err, EXS_NOMEM, 0, "inflateInit2", r->file);
	char *out = malloc(EXS_LOG_READ_CHUNK);
	char *in = buf;
	int rc = out ? EXS_OK : exs_fail(err, EXS_NOMEM, 0, "malloc", r->file);
	uint64_t inflated = 0;
	uint64_t cap = compressed * EXS_LOG_GZ_RATIO + (64u << 20);
	z.next_in = (unsigned char *)in;
	z.avail_in = (unsigned)have;
	int eof = 0;
	while (!rc && !r->stop) {
		if (!z.avail_in && !eof) {
			size_t n = 0;
			rc = plat->file_read(f, in, EXS_LOG_READ_CHUNK, &n, err);
			if (rc)
				break;
			eof = n == 0;
			z.next_in = (unsigned char *)in;
			z.avail_in = (unsigned)n;
		}
		size_t room = take_budget(ps, EXS_LOG_READ_CHUNK);
		if (!room) {
			/* A gzip log is read whole or again next time. */
			r->st.budget_left_files++;
			r->gz_cut = 1;
			break;
		}
		z.next_out = (unsigned char *)out;
		z.avail_out = (unsigned)room;
		int zr = inflate(&z, Z_NO_FLUSH);
		size_t made = room - z.avail_out;
		if (made < room && ps->ls->budget) {
			/* Give back what this round did not use. */
			plat->mutex_lock(ps->mutex);
			ps->budget_left += room - made;
			plat->mutex_unlock(ps->mutex);
		}
		inflated += made;
		if (inflated > cap) {
			rc = exs_failf(err, EXS_LIMIT, 0, "inflate", r->file,
				       "gzip log inflates beyond %u times its size",
				       EXS_LOG_GZ_RATIO);
			break;
		}
		feed(r, out, made);
		if (zr == Z_STREAM_END) {
			/* Concatenated members (gzip -c a >> b.gz). */
			if (!z.avail_in && eof)
				break;
			if (!z.avail_in) {
				size_t n = 0;
				rc = plat->file_read(f, in, EXS_LOG_READ_CHUNK, &n, err);
				if (rc || !n)
					break;
				z.next_in = (unsigned char *)in;
				z.avail_in = (unsigned)n;
			}
			inflateReset(&z);
		} else if (zr == Z_BUF_ERROR && !z.avail_in && eof) {
			rc = exs_failf(err, EXS_IO, 0, "inflate", r->file,
				       "gzip log is truncated");
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			rc = exs_failf(err, EXS_IO, 0, "inflate", r->file,
				       "gzip log is damaged: %s",
				       z.msg ? z.msg : "inflate failed");
		}
	}
	finish(r);
	inflateEnd(&z);
	free(out);
	return rc;
}

/* Reads from the file's current position to its end (or the budget). */
static int read_rest(struct pass *ps, struct reader *r, struct exs_file *f,
		     char *buf, struct exs_error *err)
{
	const struct exs_platform *plat = ps->ls->plat;
	int rc = EXS_OK;
	while (!rc && !r->stop) {
		size_t n, want = take_budget(ps, EXS_LOG_READ_CHUNK);
		if (!want) {
			r->st.budget_left_files++;
			break;
		}
		rc = read_full(plat, f, buf, want, &n, err);
		if (rc || !n)
			break;
		r->st.bytes += n;
		feed(r, buf, n);
		if (n < want)
			break;
	}
	return rc;
}

static int one_file(struct pass *ps, struct reader *r, size_t index,
		    char *buf, struct exs_error *err)
{
	struct exs_logscan *ls = ps->ls;
	const struct exs_platform *plat = ls->plat;
	const char *path = ps->files->items[index];
	struct exs_logpos *res = &ps->results[index];
	struct exs_file *f;
	struct exs_stat st;
	reader_reset(r);
	r->file = path;
	int rc = plat->file_open_read(path, &f, err);
	if (rc)
		return rc;
	rc = plat->file_stat(f, &st, err);
	if (!rc && st.node != EXS_NODE_FILE)
		rc = exs_fail(err, EXS_NOTREG, 0, "open", path);
	if (rc) {
		plat->file_close(f);
		return rc;
	}
	struct exs_logpos *old = ls->positions ? exs_logpos_find(ls->positions, path) : NULL;
	if (ls->since_ns && st.mtime_ns && st.mtime_ns < ls->since_ns) {
		/* Older than --since: not read, and what is remembered of it
		 * stays as it was. */
		r->st.skipped_old++;
		plat->file_close(f);
		return EXS_OK;
	}
	size_t head_n;
	if (!take_budget(ps, EXS_LOG_HEAD_MAX)) {
		r->st.budget_left_files++;
		plat->file_close(f);
		return EXS_OK;
	}
	rc = read_full(plat, f, buf, EXS_LOG_HEAD_MAX, &head_n, err);
	if (rc) {
		plat->file_close(f);
		return rc;
	}
	res->path = (char *)path;    /* borrowed until the merge */
	res->seen = 1;
	r->st.files++;
	int gz = head_n >= 2 && (unsigned char)buf[0] == 0x1f &&
		 (unsigned char)buf[1] == 0x8b;
	/* Is this the file read last time? Same first bytes, not shorter. */
	int same = 0;
	if (old && old->head_len <= head_n && st.size >= old->offset) {
		unsigned char d[32];
		exs_sha256_buffer(buf, old->head_len, d);
		same = memcmp(d, old->head, 32) == 0;
	}
	/* The head recorded is the one compared next time: keep the old,
	 * shorter one while the file is the same. */
	if (same) {
		res->head_len = old->head_len;
		memcpy(res->head, old->head, 32);
	} else {
		res->head_len = (uint32_t)head_n;
		exs_sha256_buffer(buf, head_n, res->head);
	}
	res->size = st.size;
	if (old && !same)
		r->st.restarted++;
	/* Unchanged: no byte past the position. A gzip log that grew (one
	 * more member) is read again whole: its bytes cannot be resumed. */
	if (same && st.size == old->offset) {
		r->st.unchanged++;
		res->offset = old->offset;
		res->line = old->line;
		res->fields = old->fields ? dup_str(old->fields) : NULL;
		plat->file_close(f);
		return EXS_OK;
	}
	r->st.bytes += head_n;
	if (gz) {
		r->st.gz_files++;
		rc = read_gz(ps, r, f, buf, head_n, st.size, err);
		res->offset = st.size;
		res->line = r->parser.line;
		if (r->gz_cut) {
			/* Not done: remember what was known before, if anything. */
			res->seen = 0;
		}
		plat->file_close(f);
		return rc;
	}
	uint64_t base = 0;
	if (same) {
		/* Resume: the columns in force there, then the new bytes. */
		r->st.resumed++;
		if (old->fields) {
			struct exs_logreq ignored;
			exs_logparser_line(&r->parser, old->fields,
					   strlen(old->fields), &ignored);
			size_t k = strlen(old->fields);
			memcpy(r->fields, old->fields, k);
			r->fields_n = k;
		}
		r->parser.line = old->line;
		r->st.lines = 0;
		/* Start one byte early, as if inside a line too long to keep:
		 * if that byte is the newline before offset, the skip ends at
		 * once; if the last run stopped inside an overlong line, the
		 * rest of it is skipped rather than read as a line. */
		uint64_t from = old->offset ? old->offset - 1 : 0;
		r->skipping = old->offset > 0;
		base = from;
		if (from <= head_n) {
			feed(r, buf + from, head_n - (size_t)from);
		} else if (plat->file_seek) {
			rc = plat->file_seek(f, from, err);
		} else {
			/* No seek in this platform table: read and drop. */
			uint64_t at = head_n;
			while (!rc && at < from) {
				size_t n, cap = from - at < EXS_LOG_READ_CHUNK
					? (size_t)(from - at) : EXS_LOG_READ_CHUNK;
				rc = plat->file_read(f, buf, cap, &n, err);
				if (!n)
					break;
				at += n;
			}
		}
	} else {
		feed(r, buf, head_n);
	}
	if (!rc)
		rc = read_rest(ps, r, f, buf, err);
	/* A last line without its newline is read now, but the position stays
	 * before it, so that a line IIS is still writing is read whole next
	 * time (and reported once more: a trace twice beats a trace lost). */
	/* Inside an overlong line the position may stop mid-line (the next
	 * run skips the rest), so that a budget smaller than the line still
	 * moves on. */
	uint64_t end = r->skipping ? r->consumed : r->line_end;
	uint64_t lines_done = r->parser.line;
	if (r->carry_n)
		finish(r);
	res->offset = base + end;
	res->line = lines_done;
	if (r->fields_n) {
		r->fields[r->fields_n < sizeof(r->fields) ? r->fields_n
			  : sizeof(r->fields) - 1] = '\0';
		res->fields = dup_str(r->fields);
	}
	plat->file_close(f);
	return rc;
}

/* ---- The threads ------------------------------------------------------------------ */

struct worker {
	struct pass *ps;
	unsigned index;
	struct reader r;
	char *buf;
	struct exs_thread *thread;
};

static void add_stats(struct exs_logscan_stats *to,
		      const struct exs_logscan_stats *from)
{
	to->files += from->files;
	to->gz_files += from->gz_files;
	to->bytes += from->bytes;
	to->lines += from->lines;
	to->requests += from->requests;
	to->bad += from->bad;
	to->overlong += from->overlong;
	to->resumed += from->resumed;
	to->restarted += from->restarted;
	to->unchanged += from->unchanged;
	to->skipped_old += from->skipped_old;
	to->budget_left_files += from->budget_left_files;
}

static void work(void *arg)
{
	struct worker *w = arg;
	struct pass *ps = w->ps;
	const struct exs_platform *plat = ps->ls->plat;
	for (;;) {
		plat->mutex_lock(ps->mutex);
		size_t i = ps->stop ? ps->files->count : ps->next++;
		plat->mutex_unlock(ps->mutex);
		if (i >= ps->files->count)
			break;
		struct exs_error e;
		exs_error_clear(&e);
		uint64_t bad_before = w->r.st.bad;
		int rc = one_file(ps, &w->r, i, w->buf, &e);
		w->r.st.bad = bad_before + w->r.parser.bad;
		if (w->r.stop) {
			plat->mutex_lock(ps->mutex);
			ps->stop = 1;
			if (!ps->rc)
				ps->rc = w->r.stop;
			plat->mutex_unlock(ps->mutex);
		} else if (rc == EXS_NOMEM) {
			plat->mutex_lock(ps->mutex);
			ps->stop = 1;
			ps->rc = EXS_NOMEM;
			plat->mutex_unlock(ps->mutex);
		} else if (rc && ps->ls->on_error) {
			plat->mutex_lock(ps->mutex);
			ps->ls->on_error(ps->ls->ctx, ps->files->items[i], &e);
			plat->mutex_unlock(ps->mutex);
		}
	}
}

int exs_logscan_run(struct exs_logscan *ls, const struct exs_strlist *files,
		    struct exs_error *err)
{
	const struct exs_platform *plat = ls->plat;
	struct pass ps;
	memset(&ps, 0, sizeof(ps));
	memset(&ls->stats, 0, sizeof(ls->stats));
	if (!files->count)
		return EXS_OK;
	ps.ls = ls;
	ps.files = files;
	ps.budget_left = ls->budget;
	unsigned n = ls->threads ? ls->threads : 1;
	if (n > 32)
		n = 32;
	if (n > files->count)
		n = (unsigned)files->count;
	ps.results = calloc(files->count, sizeof(*ps.results));
	struct worker *ws = calloc(n, sizeof(*ws));
	int rc = EXS_OK;
	if (!ps.results || !ws)
		rc = exs_fail(err, EXS_NOMEM, 0, "malloc", "log pass");
	if (!rc)
		rc = plat->mutex_create(&ps.mutex, err);
	unsigned started = 0;
	for (unsigned i = 0; !rc && i < n; i++) {
		ws[i].ps = &ps;
		ws[i].index = i;
		ws[i].buf = malloc(EXS_LOG_READ_CHUNK);
		if (!ws[i].buf || reader_init(&ws[i].r)) {
			rc = exs_fail(err, EXS_NOMEM, 0, "malloc", "log pass");
			break;
		}
		ws[i].r.worker = i;
		ws[i].r.since_ns = ls->since_ns;
		ws[i].r.match_traces = ls->match_traces;
		ws[i].r.fn = ls->fn;
		ws[i].r.ctx = ls->ctx;
	}
	/* One thread works on the caller's; the others are started. */
	for (unsigned i = 1; !rc && i < n; i++) {
		if (plat->thread_create(&ws[i].thread, work, &ws[i], err)) {
			rc = err->status ? err->status : EXS_INTERNAL;
			break;
		}
		started = i;
	}
	if (!rc)
		work(&ws[0]);
	else if (ps.mutex) {
		plat->mutex_lock(ps.mutex);
		ps.stop = 1;
		plat->mutex_unlock(ps.mutex);
	}
	for (unsigned i = 1; i <= started; i++)
		plat->thread_join(ws[i].thread);
	for (unsigned i = 0; ws && i < n; i++) {
		add_stats(&ls->stats, &ws[i].r.st);
		free(ws[i].buf);
		free(ws[i].r.carry);
	}
	free(ws);
	if (!rc && ps.rc)
		rc = ps.rc == EXS_NOMEM ? exs_fail(err, EXS_NOMEM, 0, "malloc",
						   "log pass") : ps.rc;
	/* What each file's position is now. */
	for (size_t i = 0; ps.results && i < files->count; i++) {
		struct exs_logpos *res = &ps.results[i];
		/* Files are distinct: what the sorted part does not hold is
		 * new, and appended without a search. */
		if (!rc && res->seen && ls->positions) {
			struct exs_logpos *old = exs_logpos_find_sorted(ls->positions,
									res->path);
			int put_rc = old ? exs_logpos_put(ls->positions, res)
					 : exs_logpos_append(ls->positions, res);
			if (put_rc)
				rc = exs_fail(err, EXS_NOMEM, 0, "malloc", "log pass");
		}
		free(res->fields);
	}
	if (ls->positions)
		exs_logpos_sort(ls->positions);
	free(ps.results);
	if (ps.mutex)
		plat->mutex_destroy(ps.mutex);
	return rc;
}
