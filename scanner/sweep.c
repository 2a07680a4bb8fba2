/* sweep.c -- walker, workers and collector (see sweep.h).
 *
 * Divisions: the clean-content cache, per-worker state, reading one file,
 * the threads, the run.
 *
 * Ownership: an item belongs to whoever holds it; the queues only pass
 * pointers. On cancellation every thread stops at its next queue operation
 * and the run frees what is left in the queues.
 *
 * Items travel in batches of up to BATCH_ITEMS: the walker fills a batch
 * with files, a worker processes the whole batch and passes the same batch
 * on to the collector. Handing over one file at a time cost a lock, a
 * futex wake and usually a context switch per file on each of the two
 * queues, about a sixth of the CPU of a sweep without YARA.
 */
#include "sweep.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gate.h"     /* detect/: is it a PE image at all */
#include "hash.h"
#include "judge.h"
#include "keyset.h"
#include "path.h"
#include "pe_policy.h"  /* inspect/: the PE heuristics */
#include "queue.h"
#include "readfile.h"

#define READ_CHUNK (256u << 10) /* a read and its hash stay in L2 */
#define BATCH_ITEMS 8
#define PREFETCH_BYTES (1u << 20) /* beyond it the kernel's read-ahead */
#define QUEUE_SLOTS (256 / BATCH_ITEMS) /* batches: 256 items in flight */
#define SECURITY_MAX (64u * 1024)
#define MAX_THREADS 32
#define SUFFIX_MAX 32            /* a name's extensions, as a cache key */
#define CACHE_MAX (1u << 20)     /* entries; past this, no more are added */

/* ---- The clean-content cache ----------------------------------------------
 *
 * Exchange ships the same pages and scripts under several build and virtual
 * directory folders, and a cumulative update copies a whole build folder:
 * identical bytes need the content judges (the built-in rules, the code
 * analysis) once per run. The workers share a set of the contents judged
 * clean, keyed by SHA-256 and the name's extensions from the first dot
 * ("aspx", "asp.txt": the code analysis reads them), and a copy is sent
 * with EXS_WANT_RULES_CLEAN | EXS_WANT_CODE_CLEAN; the heuristics and the
 * extra rules, which see the path, still judge it. Only clean verdicts are
 * kept, so nothing a finding needs is ever taken from another path. */

struct clean_cache {
	const struct exs_platform *plat;
	struct exs_mutex *lock;
	struct exs_keyset set;       /* 16-byte content keys */
};

static int cache_has(struct clean_cache *c, const unsigned char *key)
{
	if (!c->lock)
		return 0;
	c->plat->mutex_lock(c->lock);
	int found = exs_keyset_has(&c->set, key);
	c->plat->mutex_unlock(c->lock);
	return found;
}

/* Adds key; out of memory or past CACHE_MAX it is simply not kept. */
static void cache_add(struct clean_cache *c, const unsigned char *key)
{
	if (!c->lock)
		return;
	c->plat->mutex_lock(c->lock);
	if (c->set.used < CACHE_MAX)
		(void)exs_keyset_add(&c->set, key);
	c->plat->mutex_unlock(c->lock);
}

static void clean_cache_free(struct clean_cache *c)
{
	if (c->lock)
		c->plat->mutex_destroy(c->lock);
	exs_keyset_free(&c->set);
}

/* The cache key of a file: the first 128 bits of the SHA-256 of its
 * SHA-256 and its base name's extensions from the first dot, in lower
 * case, made with h. 0 when the name has none that fit. A copy whose key
 * equals a clean content's takes a second preimage of those 128 bits. */
static int content_key(struct exs_sha256 *h,
		       const unsigned char sha256[EXS_SHA256_LEN],
		       const char *base, size_t base_len,
		       unsigned char key[EXS_KEY_LEN])
{
	const char *dot = memchr(base, '.', base_len);
	if (!dot)
		return 0;
	size_t n = base_len - (size_t)(dot + 1 - base);
	if (n > SUFFIX_MAX)
		return 0;
	unsigned char in[EXS_SHA256_LEN + SUFFIX_MAX];
	memcpy(in, sha256, EXS_SHA256_LEN);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)dot[1 + i];
		if (!c)
			return 0;
		in[EXS_SHA256_LEN + i] =
			(unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	return exs_sha256_key(h, in, EXS_SHA256_LEN + n, key) == EXS_OK;
}

struct worker {
	struct exs_sweep *sweep;
	struct clean_cache *clean;  /* shared by the workers */
	struct exs_queue *jobs, *results;
	struct exs_thread *thread;
	struct exs_judge *judge;     /* YARA and the heuristics, sandboxed */
	struct exs_store_reader *reader;
	struct exs_sha256 *sha;
	struct exs_buf data;        /* whole-file buffer for YARA */
	struct exs_buf chunk_buf;   /* aligned (buf.h): owns chunk */
	unsigned char *chunk;       /* streaming buffer for larger files */
	char *security;             /* ACL text from the platform */
};

struct batch {
	unsigned count;
	struct exs_item *items[BATCH_ITEMS];
};

/* Frees the batch and the items still in it. */
static void batch_free(struct batch *b)
{
	if (!b)
		return;
	for (unsigned i = 0; i < b->count; i++)
		exs_item_free(b->items[i]);
	free(b);
}

/* Hands b over to q, or frees it when the sweep was cancelled. */
static int batch_push(struct exs_queue *q, struct batch *b)
{
	if (exs_queue_push(q, b) != EXS_OK) {
		batch_free(b);
		return EXS_INVAL;
	}
	return EXS_OK;
}

/* ---- Reading one file ---------------------------------------------------- */

/* A coarse file type from the first bytes, for the `filetype` external that
 * Loki and THOR rules test. */
static const char *sniff_filetype(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 'M' && p[1] == 'Z')
		return "EXE";
	if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
		return "ZIP";
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return "GIF";
	if (n >= 3 && memcmp(p, "\xFF\xD8\xFF", 3) == 0)
		return "JPEG";
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "PNG";
	if (n >= 4 && memcmp(p, "!BDN", 4) == 0)
		return "PST";
	if (n >= 4 && memcmp(p, "%PDF", 4) == 0)
		return "PDF";
	return "";
}

/* Takes the hits of one part of a verdict into the item. */
static void take_part(struct exs_item *it, struct exs_verdict_part *p,
		      const char *op, struct exs_hit **hits, size_t *count)
{
	if (!p->present)
		return;
	*hits = p->hits;
	*count = p->count;
	p->hits = NULL;
	p->count = 0;
	if (p->status && !it->scan_status)
		it->scan_status = exs_failf(&it->scan_err, p->status, 0, op,
					    it->path, "%s", p->detail);
}

/* YARA's filename and extension variables for a path (ext "" when the name
 * has none, else ".aspx"); returns the name's start, its length in
 * *base_len. */
struct file_names {
	char name[1024];
	char ext[64];
};

static const char *file_names(const struct exs_platform *plat,
			      const char *path, size_t len,
			      struct file_names *out, size_t *base_len)
{
	const char *base = exs_path_basename(path, len, plat->path_separator,
					     base_len);
	size_t n = *base_len < sizeof(out->name) - 1 ? *base_len
						      : sizeof(out->name) - 1;
	memcpy(out->name, base, n);
	out->name[n] = '\0';
	out->ext[0] = '.';
	exs_path_extension(base, *base_len, out->ext + 1, sizeof(out->ext) - 1);
	if (!out->ext[1])
		out->ext[0] = '\0';
	return base;
}

/* An image with no embedded signature: Windows may know it from a system
 * catalog (the privileged side asks; the worker already judged the bytes
 * as data). Not under --image, whose catalogs are not this host's. */
static void ask_catalogs(const struct exs_sweep *s, const char *path,
			 struct exs_signature *sig)
{
	if (sig->status != EXS_SIG_UNSIGNED || !s->plat->catalog_verify ||
	    s->no_catalogs)
		return;
	struct exs_signature cat;
	memset(&cat, 0, sizeof(cat));
	if (s->plat->catalog_verify(path, &cat) == EXS_OK &&
	    cat.status == EXS_SIG_CATALOG) {
		cat.dotnet = sig->dotnet;
		*sig = cat;
	}
}

/* Has the file's bytes judged (sandboxed, unless the run says otherwise):
 * YARA when with_yara, the heuristics when with_heuristics, the config
 * reader when with_config, the Authenticode signature when with_signature;
 * known holds the EXS_WANT_*_CLEAN bits the baseline gives. */
static void judge_file(struct worker *wk, struct exs_item *it, int with_yara,
		       int with_heuristics, int with_config, int with_signature,
		       unsigned known)
{
	const struct exs_platform *plat = wk->sweep->plat;
	struct file_names fn;
	size_t base_len;
	const char *base = file_names(plat, it->path, it->path_len, &fn,
				      &base_len);
	unsigned char key[EXS_KEY_LEN];
	int keyed = with_yara && content_key(wk->sha, it->rec.sha256, base,
					     base_len, key);
	int cached = keyed && cache_has(wk->clean, key);
	if (cached)
		known |= EXS_WANT_RULES_CLEAN | EXS_WANT_CODE_CLEAN;
	it->content_shared = known != 0;
	struct exs_judge_request rq = {
		.want = (with_yara ? EXS_WANT(EXS_VERDICT_YARA) | known : 0) |
			(with_heuristics ? EXS_WANT(EXS_VERDICT_HEURISTICS) : 0) |
			(with_config ? EXS_WANT(EXS_VERDICT_CONFIG) : 0) |
			(with_signature ? EXS_WANT(EXS_VERDICT_SIGNATURE) : 0),
		.path = it->path,
		.path_len = it->path_len,
		.vars = {
			.filename = fn.name,
			.filepath = it->path,
			.extension = fn.ext,
			.filetype = sniff_filetype((const unsigned char *)wk->data.data,
						   wk->data.len),
			.owner = it->rec.st.owner,
		},
		.data = (const unsigned char *)wk->data.data,
		.len = wk->data.len,
	};
	it->scanned = with_yara;
	struct exs_verdict v;
	struct exs_error err;
	exs_error_clear(&err);
	int rc = exs_judge_run(wk->judge, &rq, &v, &err);
	if (rc) {
		/* The worker crashed, hung or lied: an error for this file. */
		it->scan_status = exs_failf(&it->scan_err, rc, err.os_code,
					    err.op ? err.op : "sandbox", it->path,
					    "%s", err.detail[0] ? err.detail
								: exs_strerror(rc));
		return;
	}
	take_part(it, &v.part[EXS_VERDICT_YARA], "yara", &it->hits,
		  &it->hit_count);
	take_part(it, &v.part[EXS_VERDICT_HEURISTICS], "heuristics",
		  &it->suspicious, &it->suspicious_count);
	struct exs_verdict_part *conf = &v.part[EXS_VERDICT_CONFIG];
	if (conf->present && !conf->status) {
		it->config_read = 1;
		it->regs = conf->regs;
		it->reg_count = conf->reg_count;
		conf->regs = NULL;
		conf->reg_count = 0;
	} else if (conf->present && !it->scan_status) {
		it->scan_status = exs_failf(&it->scan_err, conf->status, 0,
					    "config", it->path,
					    "configuration not read: %s",
					    conf->detail);
	}
	if (v.part[EXS_VERDICT_SIGNATURE].present)
		it->sig = v.part[EXS_VERDICT_SIGNATURE].sig;
	exs_verdict_free(&v);
	/* Clean with the heuristics asked too: the whole verdict was empty. */
	if (keyed && with_heuristics && !cached && !it->scan_status &&
	    !it->hit_count && !it->suspicious_count)
		cache_add(wk->clean, key);
}

/* Names the PE judge looks at (their bytes must also start with MZ). */
static int is_pe_name(const struct exs_platform *plat, const char *path,
		      size_t len)
{
	static const char *const exts[] = { "dll", "exe", "sys", "ocx", "cpl",
					    "scr", "drv", "winmd", NULL };
	size_t base_len;
	const char *base = exs_path_basename(path, len, plat->path_separator,
					     &base_len);
	char ext[16];
	exs_path_extension(base, base_len, ext, sizeof(ext));
	for (size_t i = 0; exts[i]; i++)
		if (strcmp(ext, exts[i]) == 0)
			return 1;
	return 0;
}

/* 1 when the folder of path holds a file whose name ends in ".compiled"
 * (ASP.NET's map of a compiled page), listed, never opened. */
static int folder_has_compiled_map(const struct exs_platform *plat,
				   const char *path, size_t len)
{
	size_t base_len;
	exs_path_basename(path, len, plat->path_separator, &base_len);
	if (base_len >= len)
		return 0;
	char *dir = malloc(len - base_len + 1);
	if (!dir)
		return 0;
	size_t n = len - base_len;
	if (n > 1)
		n--; /* the separator before the name */
	memcpy(dir, path, n);
	dir[n] = '\0';
	struct exs_dir *d;
	struct exs_error err;
	int found = 0;
	if (plat->dir_open(dir, &d, &err) == EXS_OK) {
		struct exs_dirent e;
		while (!found && plat->dir_next(d, &e, &err) == EXS_OK && e.name)
			found = e.node == EXS_NODE_FILE && e.name_len > 9 &&
				memcmp(e.name + e.name_len - 9, ".compiled", 9) == 0;
		plat->dir_close(d);
	}
	free(dir);
	return found;
}

/* The PE heuristics over the signature verdict (privileged side: a path
 * and a decoded verdict, no file bytes): in scan for every image, in check
 * for new and changed ones; init only records what it finds. */
static void pe_policy(struct worker *wk, struct exs_item *it)
{
	const struct exs_sweep *s = wk->sweep;
	const struct exs_platform *plat = s->plat;
	if (s->mode == EXS_SWEEP_INIT ||
	    (s->mode == EXS_SWEEP_CHECK && it->has_old && !it->diff))
		return;
	char sep = plat->path_separator;
	int map = exs_pe_is_app_web(it->path, it->path_len, sep) &&
		  exs_pe_in_aspnet_cache(it->path, it->path_len, sep) &&
		  folder_has_compiled_map(plat, it->path, it->path_len);
	if (exs_pe_policy_check(it->path, it->path_len, sep, &it->sig,
				s->signers, s->trust_len != 0, map,
				&it->suspicious,
				&it->suspicious_count) && !it->scan_status)
		it->scan_status = exs_failf(&it->scan_err, EXS_NOMEM, 0,
					    "heuristics", it->path,
					    "out of memory in the PE heuristics");
}

static int wants_scan(const struct exs_sweep *s, const struct exs_item *it)
{
	if (!s->rules)
		return 0;
	switch (s->mode) {
	case EXS_SWEEP_SCAN: return 1;
	case EXS_SWEEP_INIT: return it->is_web;
	case EXS_SWEEP_CHECK: return it->is_web || !it->has_old || it->diff;
	}
	return 0;
}

/* The baseline's record of the file just hashed: has_old, old_rec, diff.
 * The index (store.h, exs_store_probe) answers "not there" and "exactly
 * the same" by itself; a row is looked up only to say what differs.
 * Nonzero (it->status set) when the baseline cannot be read. */
static int compare_old(struct worker *wk, struct exs_item *it)
{
	unsigned char rec_key[EXS_KEY_LEN];
	int probe = EXS_PROBE_UNKNOWN;
	if (!exs_sha256_key(wk->sha, it->path, it->path_len, it->path_key) &&
	    !exs_record_key(wk->sha, &it->rec, rec_key)) {
		it->has_path_key = 1;
		probe = exs_store_probe(wk->reader, it->path_key, rec_key);
	}
	switch (probe) {
	case EXS_PROBE_ABSENT:
		it->has_old = 0;
		return 0;
	case EXS_PROBE_SAME:
		it->has_old = 1;
		it->old_rec = it->rec;
		it->diff = 0;
		return 0;
	}
	it->status = exs_store_lookup(wk->reader, it->path, it->path_len,
				      &it->old_rec, &it->has_old, &it->err);
	if (it->status)
		return 1;
	if (it->has_old)
		it->diff = exs_record_diff(&it->old_rec, &it->rec);
	return 0;
}

/* Opens a listed file, or says in it why not: NULL then. */
static struct exs_file *open_item(const struct exs_platform *plat,
				  struct exs_item *it)
{
	struct exs_file *f = NULL;
	it->status = plat->file_open_read(it->path, &f, &it->err);
	if (it->status == EXS_ISLINK || it->status == EXS_NOTREG) {
		/* Swapped for a link or special node since it was listed. */
		it->kind = EXS_ITEM_SKIPPED;
		it->node = it->status == EXS_ISLINK ? EXS_NODE_LINK : EXS_NODE_UNKNOWN;
		it->status = EXS_OK;
		return NULL;
	}
	return it->status ? NULL : f;
}

/* Reads, hashes, compares and has judged one file that open_item opened;
 * closes f. */
static void process_file(struct worker *wk, struct exs_item *it,
			 struct exs_file *f)
{
	struct exs_sweep *s = wk->sweep;
	const struct exs_platform *plat = s->plat;
	if (!f)
		return;
	struct exs_stat st;
	it->status = plat->file_stat(f, &st, &it->err);
	if (!it->status && st.node != EXS_NODE_FILE) {
		it->kind = EXS_ITEM_SKIPPED;
		it->node = st.node;
		plat->file_close(f);
		return;
	}
	if (it->status) {
		plat->file_close(f);
		return;
	}
	it->rec.st = st;

	/* Keep the bytes in memory only when YARA, the config reader or the
	 * PE judge may need them. */
	int is_config = s->rules && exs_reg_is_config_path(it->path, it->path_len,
							     plat->path_separator);
	int pe_name = s->rules && is_pe_name(plat, it->path, it->path_len);
	int may_scan = s->rules && (s->mode != EXS_SWEEP_INIT || it->is_web ||
				    is_config);
	int buffered = (may_scan || pe_name) && st.size <= s->yara_max_size;
	exs_buf_reset(&wk->data);
	if (buffered && exs_buf_reserve(&wk->data, (size_t)st.size))
		buffered = 0;
	exs_sha256_begin(wk->sha);
	uint64_t total = 0;
	/* Read into the room reserved for the size the file had; the read
	 * that finds the end goes to the chunk, so the buffer holds the size
	 * and no more. A file that grew since its stat is appended from the
	 * chunk while it stays under the limit. */
	for (;;) {
		unsigned char *dst = wk->chunk;
		size_t cap = READ_CHUNK;
		size_t room = buffered ? wk->data.cap - 1 - wk->data.len : 0;
		if (room > s->yara_max_size - wk->data.len)
			room = (size_t)(s->yara_max_size - wk->data.len);
		if (room) {
			cap = room < READ_CHUNK ? room : READ_CHUNK;
			dst = (unsigned char *)wk->data.data + wk->data.len;
		}
		size_t got = 0;
		it->status = plat->file_read(f, dst, cap, &got, &it->err);
		if (it->status || got == 0)
			break;
		exs_sha256_update(wk->sha, dst, got);
		if (dst != wk->chunk)
			wk->data.len += got;
		else if (buffered &&
			 (got > s->yara_max_size - wk->data.len ||
			  exs_buf_append(&wk->data, dst, got)))
			buffered = 0; /* it grew past the limit */
		total += got;
	}
	if (!it->status && plat->file_security) {
		size_t len = 0;
		if (plat->file_security(f, wk->security, SECURITY_MAX, &len,
					&it->err) == EXS_OK) {
			exs_sha256_buffer(wk->security, len, it->rec.security_sha256);
			it->rec.has_security = 1;
		}
		exs_error_clear(&it->err);
	}
	plat->file_close(f);
	if (it->status)
		return;
	exs_sha256_finish(wk->sha, it->rec.sha256);
	it->rec.st.size = total;
	if (s->mode == EXS_SWEEP_CHECK && wk->reader && compare_old(wk, it))
		return;

	int whole = buffered && wk->data.len == total;
	const unsigned char *bytes = (const unsigned char *)wk->data.data;
	/* Bytes that are no PE image at all get no signature verdict from the
	 * judge (EXS_SIG_NONE): they need not be sent. */
	int want_sig = pe_name && whole && wk->judge &&
		       exs_gate_is_pe(bytes, (size_t)total);
	if (want_sig && s->mode == EXS_SWEEP_CHECK && s->reuse_verdicts &&
	    wk->reader && it->has_old && !it->diff &&
	    exs_store_signature(wk->reader, it->rec.sha256, s->trust_digest,
				&it->sig))
		want_sig = 0; /* the same bytes, the same trust store */
	/* Only a file the rules would see is worth a verdict lookup (in check,
	 * unchanged files outside the web roots are never scanned), and one
	 * lookup answers both uses below. */
	int scan = wants_scan(s, it);
	int known_clean = scan && s->reuse_verdicts && wk->reader &&
			  exs_store_known_clean(wk->reader, it->rec.sha256,
						s->rules_digest);
	if (known_clean && s->mode == EXS_SWEEP_CHECK && it->has_old &&
	    !it->diff) {
		it->verdict_reused = 1;
		scan = 0;
	}
	/* A configuration file is read for its registrations whenever its
	 * bytes are new to the run's comparison: always in init and scan, in
	 * check when it is added or changed. */
	int new_bytes = s->mode != EXS_SWEEP_CHECK || !it->has_old || it->diff;
	int with_config = is_config && new_bytes;
	if (with_config && !whole) {
		it->scan_status = exs_failf(&it->scan_err, EXS_LIMIT, 0,
					    "config", it->path,
					    "configuration not read: larger "
					    "than max_file_size (%llu bytes)",
					    (unsigned long long)s->yara_max_size);
		with_config = 0;
	}
	if (scan && !whole) {
		it->scan_status = exs_failf(&it->scan_err, EXS_LIMIT, 0, "scan",
					    it->path,
					    "not YARA-scanned: larger than "
					    "max_file_size (%llu bytes)",
					    (unsigned long long)s->yara_max_size);
		scan = 0;
	}
	if (!scan && !want_sig && !with_config)
		return;
	/* New bytes (an added file, a copy a cumulative update made) the
	 * baseline knows clean under these rules: the built-in rules need not
	 * see them again; the code analysis, which reads the name too, does. */
	unsigned known = scan && known_clean ? EXS_WANT_RULES_CLEAN : 0;
	/* In check, an unchanged file was judged by the heuristics when it
	 * was accepted into the baseline: only new content is. */
	judge_file(wk, it, scan, scan && s->heuristics && new_bytes, with_config,
		   want_sig, known);
	if (want_sig) {
		ask_catalogs(s, it->path, &it->sig);
		pe_policy(wk, it);
	}
}

/* ---- The threads ---------------------------------------------------------- */

static void worker_main(void *arg)
{
	struct worker *wk = arg;
	struct batch *b;
	const struct exs_platform *plat = wk->sweep->plat;
	while ((b = exs_queue_pop(wk->jobs, 0, NULL)) != NULL) {
		/* The whole batch is opened and hinted first: with a cold cache
		 * the disk then has up to BATCH_ITEMS reads a worker in flight
		 * instead of one (platform.h, file_prefetch). */
		struct exs_file *f[BATCH_ITEMS];
		for (unsigned i = 0; i < b->count; i++) {
			f[i] = open_item(plat, b->items[i]);
			if (f[i] && plat->file_prefetch)
				plat->file_prefetch(f[i], PREFETCH_BYTES);
		}
		for (unsigned i = 0; i < b->count; i++)
			process_file(wk, b->items[i], f[i]);
		batch_push(wk->results, b);
	}
	exs_queue_producer_done(wk->results);
}

struct walker {
	struct exs_walk walk;
	struct exs_queue *jobs, *results;
	struct exs_thread *thread;
	struct batch *files;  /* files not yet handed to the workers */
	int status;
};

/* Files wait in w->files until a batch is full; errors and skipped nodes
 * (rare) go to the collector at once, in a batch of their own. Returns
 * EXS_INVAL when the sweep was cancelled, so that the walk stops. */
static int walker_emit(void *ctx, struct exs_item *item)
{
	struct walker *w = ctx;
	int is_file = item->kind == EXS_ITEM_FILE;
	struct batch *b = is_file ? w->files : NULL;
	if (!b && !(b = calloc(1, sizeof(*b)))) {
		exs_item_free(item);
		return EXS_NOMEM;
	}
	b->items[b->count++] = item;
	if (is_file && b->count < BATCH_ITEMS) {
		w->files = b;
		return EXS_OK;
	}
	if (is_file)
		w->files = NULL;
	return batch_push(is_file ? w->jobs : w->results, b);
}

static void walker_main(void *arg)
{
	struct walker *w = arg;
	w->status = exs_walk_run(&w->walk);
	if (w->files) {
		batch_push(w->jobs, w->files); /* the last, partial batch */
		w->files = NULL;
	}
	exs_queue_producer_done(w->jobs);
	exs_queue_producer_done(w->results);
}

/* ---- Images a registration names ----------------------------------------
 *
 * A registration's image (applicationHost.config's global module, an
 * agents.config assembly) is judged for its signature even when no root
 * covers its folder, by a judge the collector owns: the workers' judges
 * belong to their threads. Few images are named (IIS's own modules, a few
 * agents), so verdicts are kept in a plain list, by path. */

struct image_verdict {
	char *path;
	int status;                /* EXS_OK, or why it could not tell */
	struct exs_signature sig;
};

struct exs_sweep_images {
	struct exs_judges *judges; /* NULL: no rules, no judge */
	struct exs_judge *judge;   /* started on first use */
	struct exs_buf data;
	struct image_verdict *list;
	size_t count;
};

static void images_free(struct exs_sweep_images *im)
{
	exs_judge_free(im->judge);
	exs_buf_free(&im->data);
	for (size_t i = 0; i < im->count; i++)
		free(im->list[i].path);
	free(im->list);
}

int exs_sweep_judge_image(struct exs_sweep *s, const char *path,
			  struct exs_signature *out, struct exs_error *err)
{
	struct exs_sweep_images *im = s->images;
	memset(out, 0, sizeof(*out));
	if (!im || !im->judges)
		return exs_failf(err, EXS_UNSUPPORTED, 0, "judge", path,
				 "images are judged only with the rules "
				 "loaded");
	for (size_t i = 0; i < im->count; i++)
		if (strcmp(im->list[i].path, path) == 0) {
			*out = im->list[i].sig;
			return im->list[i].status
				       ? exs_fail(err, im->list[i].status, 0,
						  "judge", path)
				       : EXS_OK;
		}
	struct image_verdict *grown = realloc(im->list,
		(im->count + 1) * sizeof(*grown));
	if (!grown)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	im->list = grown;
	struct image_verdict *iv = &im->list[im->count];
	memset(iv, 0, sizeof(*iv));
	if (!(iv->path = strdup(path)))
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	im->count++;
	exs_buf_reset(&im->data);
	int rc = exs_read_regular(s->plat, path, "the image", &im->data, err);
	if (!rc && !im->judge)
		rc = exs_judge_create(im->judges, &im->judge, err);
	if (!rc && exs_gate_is_pe((const unsigned char *)im->data.data,
				  im->data.len)) {
		struct file_names fn;
		size_t base_len;
		file_names(s->plat, path, strlen(path), &fn, &base_len);
		struct exs_judge_request rq = {
			.want = EXS_WANT(EXS_VERDICT_SIGNATURE),
			.path = path,
			.path_len = strlen(path),
			.vars = { .filename = fn.name, .filepath = path,
				  .extension = fn.ext, .filetype = "pe",
				  .owner = "" },
			.data = (const unsigned char *)im->data.data,
			.len = im->data.len,
		};
		struct exs_verdict v;
		rc = exs_judge_run(im->judge, &rq, &v, err);
		if (!rc) {
			if (v.part[EXS_VERDICT_SIGNATURE].present)
				iv->sig = v.part[EXS_VERDICT_SIGNATURE].sig;
			exs_verdict_free(&v);
		}
	}
	if (!rc)
		ask_catalogs(s, path, &iv->sig);
	iv->status = rc;
	*out = iv->sig;
	return rc;
}

/* ---- The run -------------------------------------------------------------- */

static void free_workers(struct worker *wks, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		exs_judge_free(wks[i].judge);
		exs_store_reader_close(wks[i].reader);
		exs_sha256_free(wks[i].sha);
		exs_buf_free(&wks[i].data);
		exs_buf_free(&wks[i].chunk_buf);
		free(wks[i].security);
	}
	free(wks);
}

/* The worker's buffers and baseline reader; its judge is made with the
 * others' (exs_judge_create_n). */
static int setup_worker(struct exs_sweep *s, struct clean_cache *clean,
			struct worker *wk, struct exs_error *err)
{
	wk->sweep = s;
	wk->clean = clean;
	/* Files are read into these two: aligned (buf.h). */
	exs_buf_init_aligned(&wk->data, (size_t)s->yara_max_size);
	exs_buf_init_aligned(&wk->chunk_buf, READ_CHUNK);
	wk->chunk = exs_buf_reserve(&wk->chunk_buf, READ_CHUNK) ? NULL
			: (unsigned char *)wk->chunk_buf.data;
	wk->security = s->plat->file_security ? malloc(SECURITY_MAX) : NULL;
	if (!wk->chunk || (s->plat->file_security && !wk->security) ||
	    exs_sha256_create(&wk->sha))
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	int rc = EXS_OK;
	if (s->mode == EXS_SWEEP_CHECK && s->baseline)
		rc = exs_store_reader_open(s->baseline, &wk->reader, err);
	return rc;
}

int exs_sweep_run(struct exs_sweep *s, struct exs_error *err)
{
	const struct exs_platform *plat = s->plat;
	unsigned n = s->threads ? s->threads : 1;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	struct worker *wks = calloc(n, sizeof(*wks));
	if (!wks)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	struct walker walker;
	memset(&walker, 0, sizeof(walker));
	int rc = EXS_OK;
	struct exs_judges *judges = NULL;
	/* Without a mutex the cache is off: every copy is judged. */
	struct clean_cache clean = { .plat = plat, .set.width = EXS_KEY_LEN };
	struct exs_error ignored;
	if (plat->mutex_create && plat->mutex_create(&clean.lock, &ignored))
		clean.lock = NULL;
	if (s->rules) {
		struct exs_judge_config jc = {
			.plat = plat,
			.rules = s->rules,
			.heuristics = s->heuristics,
			.yara_timeout = s->yara_timeout,
			.max_size = s->yara_max_size,
			.sandbox = s->sandbox,
			.user = s->sandbox_user,
			.memory = s->sandbox_memory,
			.gate = s->gate,
			.trust_blob = s->trust_blob,
			.trust_len = s->trust_len,
		};
		rc = exs_judges_create(&jc, &judges, err);
	}
	/* The verdicts a check may reuse, in memory before the readers share
	 * the store. */
	if (!rc && s->mode == EXS_SWEEP_CHECK && s->baseline &&
	    s->reuse_verdicts && s->rules_digest)
		rc = exs_store_load_verdicts(s->baseline, s->rules_digest, err);
	for (unsigned i = 0; !rc && i < n; i++)
		rc = setup_worker(s, &clean, &wks[i], err);
	if (!rc && judges) {
		struct exs_judge *made[MAX_THREADS];
		rc = exs_judge_create_n(judges, made, n, err);
		for (unsigned i = 0; !rc && i < n; i++)
			wks[i].judge = made[i];
	}
	if (!rc)
		rc = exs_queue_create(plat, QUEUE_SLOTS, 1, &walker.jobs, err);
	if (!rc)
		rc = exs_queue_create(plat, QUEUE_SLOTS, n + 1, &walker.results, err);
	if (rc) {
		if (walker.jobs)
			exs_queue_free(walker.jobs);
		free_workers(wks, n);
		exs_judges_free(judges);
		clean_cache_free(&clean);
		return rc;
	}
	walker.walk = (struct exs_walk){
		.plat = plat,
		.roots = s->roots,
		.web_roots = s->web_roots,
		.excludes = s->excludes,
		.max_depth = s->max_depth,
		.emit = walker_emit,
		.ctx = &walker,
	};

	unsigned started = 0;
	for (; !rc && started < n; started++) {
		wks[started].jobs = walker.jobs;
		wks[started].results = walker.results;
		rc = plat->thread_create(&wks[started].thread, worker_main,
					 &wks[started], err);
		if (rc)
			break;
	}
	int walker_started = 0;
	if (!rc) {
		rc = plat->thread_create(&walker.thread, walker_main, &walker, err);
		walker_started = !rc;
	}
	if (rc) {
		/* Threads that never started still count as producers. */
		exs_queue_cancel(walker.jobs);
		exs_queue_cancel(walker.results);
	}

	/* The collector. */
	struct exs_sweep_images images = { .judges = judges };
	exs_buf_init_aligned(&images.data, (size_t)s->yara_max_size);
	s->images = &images;
	int64_t start = plat->clock_monotonic_ns();
	int64_t next_progress = start;
	while (!rc) {
		int timed_out = 0;
		struct batch *b = exs_queue_pop(walker.results, 250, &timed_out);
		if (!b && !timed_out)
			break; /* closed and drained */
		for (unsigned i = 0; b && !rc && i < b->count; i++) {
			struct exs_item *it = b->items[i];
			b->items[i] = NULL;
			if (it->kind == EXS_ITEM_FILE && !it->status) {
				s->files++;
				s->bytes += it->rec.st.size;
				s->scanned += it->scanned;
				s->reused += it->verdict_reused;
				s->shared += it->content_shared;
			}
			rc = s->collect(s->ctx, it);
			exs_item_free(it);
		}
		batch_free(b);
		if (rc) {
			exs_queue_cancel(walker.jobs);
			exs_queue_cancel(walker.results);
			break;
		}
		int64_t now = plat->clock_monotonic_ns();
		if (s->progress && now >= next_progress) {
			struct exs_progress p = { s->files, s->bytes, now - start };
			s->progress(s->ctx, &p);
			next_progress = now + 250000000;
		}
	}

	if (walker_started)
		plat->thread_join(walker.thread);
	for (unsigned i = 0; i < started; i++)
		if (wks[i].thread)
			plat->thread_join(wks[i].thread);
	struct batch *left;
	while ((left = exs_queue_drain(walker.jobs)) != NULL)
		batch_free(left);
	while ((left = exs_queue_drain(walker.results)) != NULL)
		batch_free(left);
	if (!rc && walker.status == EXS_NOMEM)
		rc = exs_fail(err, EXS_NOMEM, 0, "walk", NULL);
	s->dirs = walker.walk.dirs;
	s->excluded = walker.walk.excluded;
	if (s->progress) {
		struct exs_progress p = { s->files, s->bytes,
					  plat->clock_monotonic_ns() - start };
		s->progress(s->ctx, &p);
	}
	exs_queue_free(walker.jobs);
	exs_queue_free(walker.results);
	free_workers(wks, n);
	s->images = NULL;
	images_free(&images);
	exs_judges_free(judges);
	clean_cache_free(&clean);
	return rc;
}
