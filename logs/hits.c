/* hits.c -- URLs of findings and who requested them (see hits.h).
 *
 * A target's URL is found by the longest virtual directory whose physical
 * folder holds the path (compared without ASCII case, either separator),
 * so a finding under FrontEnd\HttpProxy\owa\auth maps to /owa/auth/... on
 * the front-end site, one under ClientAccess\Owa to the back end's. A log
 * under a W3SVC<id> folder counts only for its own site; Exchange's own
 * logs count for any.
 *
 * The request callback is on the hot path of the log pass: a filter built
 * before the pass (a bitmap of URL hashes, never written during it) lets a
 * request to anything else through with one hash of its decoded path and
 * no lock.
 */
#include "hits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct counter {
	char value[EXS_URL_VALUE_MAX];
	uint64_t count;
};

struct table {
	struct counter *items;       /* EXS_HITS_TABLE, allocated on first use */
	unsigned n;
	uint64_t others;             /* values that did not fit */
};

struct target {
	struct exs_url_hits out;
	char key[1024];              /* lower-cased URL */
	size_t key_n;
	unsigned long site_id;       /* 0: any */
	struct table clients, methods, statuses, agents, others;
};

#define FILTER_BITS (1u << 16)

struct exs_hits {
	const struct exs_platform *plat;
	struct exs_iis_config iis;
	char drive_root[EXS_IIS_PATH_MAX];
	struct target *targets;      /* EXS_HITS_TARGETS_MAX */
	unsigned count;
	unsigned mapped;             /* targets from findings: set before a
					pass, read without the lock during it */
	unsigned char filter[FILTER_BITS / 8];
	int watch_missing;
	struct exs_mutex *mutex;
	/* missing-page lookups already done (lower-cased URL hashes) */
	uint64_t *checked;
	unsigned checked_n;
	/* the context pass: hashes of the clients to follow */
	unsigned char client_filter[FILTER_BITS / 8];
};

#define CHECKED_MAX 4096

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static void bit_set(unsigned char *f, uint64_t h)
{
	unsigned b = (unsigned)(h & (FILTER_BITS - 1));
	f[b >> 3] |= (unsigned char)(1u << (b & 7));
}

static int bit_get(const unsigned char *f, uint64_t h)
{
	unsigned b = (unsigned)(h & (FILTER_BITS - 1));
	return (f[b >> 3] >> (b & 7)) & 1;
}

int exs_hits_create(const struct exs_platform *plat,
		    const struct exs_iis_config *iis, const char *drive_root,
		    struct exs_hits **out)
{
	struct exs_hits *h = calloc(1, sizeof(*h));
	if (!h)
		return EXS_NOMEM;
	h->plat = plat;
	h->iis = *iis;
	h->iis.vdirs = NULL;
	if (iis->vdir_count) {
		h->iis.vdirs = malloc(iis->vdir_count * sizeof(*iis->vdirs));
		if (!h->iis.vdirs) {
			free(h);
			return EXS_NOMEM;
		}
		memcpy(h->iis.vdirs, iis->vdirs, iis->vdir_count * sizeof(*iis->vdirs));
		/* Physical folders as they are opened here. */
		for (unsigned i = 0; i < h->iis.vdir_count; i++) {
			char local[EXS_IIS_PATH_MAX];
			if (!exs_iis_local_path(h->iis.vdirs[i].physical, drive_root,
						plat->path_separator, local,
						sizeof(local)))
				snprintf(h->iis.vdirs[i].physical,
					 sizeof(h->iis.vdirs[i].physical), "%s", local);
		}
	}
	snprintf(h->drive_root, sizeof(h->drive_root), "%s", drive_root);
	h->targets = calloc(EXS_HITS_TARGETS_MAX, sizeof(*h->targets));
	int rc = h->targets ? EXS_OK : EXS_NOMEM;
	struct exs_error err;
	if (!rc && plat->mutex_create(&h->mutex, &err))
		rc = EXS_NOMEM;
	if (rc) {
		exs_hits_free(h);
		return rc;
	}
	*out = h;
	return EXS_OK;
}

void exs_hits_free(struct exs_hits *h)
{
	if (!h)
		return;
	for (unsigned i = 0; h->targets && i < h->count; i++) {
		struct target *t = &h->targets[i];
		free(t->out.path);
		free(t->clients.items);
		free(t->methods.items);
		free(t->statuses.items);
		free(t->agents.items);
		free(t->others.items);
	}
	free(h->targets);
	free(h->iis.vdirs);
	free(h->checked);
	if (h->mutex)
		h->plat->mutex_destroy(h->mutex);
	free(h);
}

void exs_hits_watch_missing(struct exs_hits *h)
{
	h->watch_missing = 1;
}

static int fold(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 'a';
	return c == '\\' ? '/' : c;
}

/* path lies in folder (folded compare); *rest gets what follows. */
static int under(const char *path, size_t len, const char *folder,
		 size_t *rest)
{
	size_t fl = strlen(folder);
	while (fl && (folder[fl - 1] == '/' || folder[fl - 1] == '\\'))
		fl--;
	if (!fl || len < fl)
		return 0;
	for (size_t i = 0; i < fl; i++)
		if (fold((unsigned char)path[i]) != fold((unsigned char)folder[i]))
			return 0;
	if (len > fl && path[fl] != '/' && path[fl] != '\\')
		return 0;
	*rest = fl;
	return 1;
}

/* The vdir serving path (the longest physical folder), and the URL. */
static const struct exs_iis_vdir *map_path(const struct exs_hits *h,
					   const char *path, size_t len,
					   char *url, size_t cap)
{
	const struct exs_iis_vdir *best = NULL;
	size_t best_len = 0, rest = 0;
	for (unsigned i = 0; i < h->iis.vdir_count; i++) {
		size_t r;
		if (under(path, len, h->iis.vdirs[i].physical, &r) && r >= best_len) {
			best = &h->iis.vdirs[i];
			best_len = r;
			rest = r;
		}
	}
	if (!best)
		return NULL;
	size_t o = (size_t)snprintf(url, cap, "%s", strcmp(best->url, "/") ? best->url : "");
	for (size_t i = rest; i < len && o + 1 < cap; i++)
		url[o++] = path[i] == '\\' ? '/' : path[i];
	url[o < cap ? o : cap - 1] = '\0';
	if (!url[0])
		snprintf(url, cap, "/");
	return best;
}

int exs_hits_url_of(struct exs_hits *h, const char *path, size_t len,
		    char *url, size_t cap)
{
	url[0] = '\0';
	return map_path(h, path, len, url, cap) ? 1 : 0;
}

static int new_target(struct exs_hits *h, const char *path, size_t len,
		      const char *url, unsigned long site_id,
		      const char *site_name, int on_disk, struct target **out)
{
	if (h->count >= EXS_HITS_TARGETS_MAX)
		return EXS_LIMIT;
	struct target *t = &h->targets[h->count];
	memset(t, 0, sizeof(*t));
	t->out.path = malloc(len + 1);
	if (!t->out.path)
		return EXS_NOMEM;
	memcpy(t->out.path, path, len);
	t->out.path[len] = '\0';
	t->out.path_len = len;
	t->out.on_disk = on_disk;
	snprintf(t->out.url, sizeof(t->out.url), "%s", url);
	if (site_name[0])
		snprintf(t->out.site, sizeof(t->out.site), "%s (W3SVC%lu)",
			 site_name, site_id);
	else
		snprintf(t->out.site, sizeof(t->out.site), "W3SVC%lu", site_id);
	t->site_id = site_id;
	size_t k = strlen(url);
	t->key_n = k < sizeof(t->key) ? k : sizeof(t->key) - 1;
	for (size_t i = 0; i < t->key_n; i++)
		t->key[i] = (char)fold((unsigned char)url[i]);
	h->count++;
	*out = t;
	return EXS_OK;
}

int exs_hits_add_target(struct exs_hits *h, const char *path, size_t len,
			int on_disk, int *mapped)
{
	char url[1024];
	*mapped = 0;
	const struct exs_iis_vdir *v = map_path(h, path, len, url, sizeof(url));
	if (!v)
		return EXS_OK;
	const struct exs_iis_site *site = &h->iis.sites[v->site];
	struct target *t;
	int rc = new_target(h, path, len, url, site->id, site->name, on_disk, &t);
	if (rc)
		return rc;
	bit_set(h->filter, hash(t->key, t->key_n));
	h->mapped++;
	*mapped = 1;
	return EXS_OK;
}

/* ---- Counting ------------------------------------------------------------ */

static void count(struct table *t, const char *v, size_t n, int plus)
{
	if (!t->items) {
		t->items = calloc(EXS_HITS_TABLE, sizeof(*t->items));
		if (!t->items) {
			t->others++;
			return;
		}
	}
	char val[EXS_URL_VALUE_MAX];
	if (n >= sizeof(val))
		n = sizeof(val) - 1;
	for (size_t i = 0; i < n; i++)
		val[i] = plus && v[i] == '+' ? ' ' : v[i];
	val[n] = '\0';
	for (unsigned i = 0; i < t->n; i++)
		if (strcmp(t->items[i].value, val) == 0 &&
		    strlen(t->items[i].value) == n) {
			t->items[i].count++;
			return;
		}
	if (t->n == EXS_HITS_TABLE) {
		t->others++;
		return;
	}
	memcpy(t->items[t->n].value, val, n + 1);
	t->items[t->n].count = 1;
	t->n++;
}

static int site_of_log(const char *file)
{
	const char *p = file;
	while ((p = strchr(p, 'W')) != NULL) {
		if (strncmp(p, "W3SVC", 5) == 0 && p[5] >= '0' && p[5] <= '9')
			return (int)strtol(p + 5, NULL, 10);
		p++;
	}
	/* lower-case folder names on a case-sensitive image */
	p = file;
	while ((p = strchr(p, 'w')) != NULL) {
		if (strncmp(p, "w3svc", 5) == 0 && p[5] >= '0' && p[5] <= '9')
			return (int)strtol(p + 5, NULL, 10);
		p++;
	}
	return 0;
}

static void record(struct target *t, const char *file,
		   struct exs_logreq *r)
{
	struct exs_url_hits *o = &t->out;
	o->count++;
	exs_logreq_time(r);
	if (r->time_ns && (!o->first_ns || r->time_ns < o->first_ns)) {
		o->first_ns = r->time_ns;
		snprintf(o->first_log, sizeof(o->first_log), "%s", file);
		o->first_line = r->line;
	}
	if (r->time_ns && r->time_ns >= o->last_ns) {
		o->last_ns = r->time_ns;
		snprintf(o->last_log, sizeof(o->last_log), "%s", file);
		o->last_line = r->line;
	}
	const struct exs_slice *c = &r->f[EXS_LR_CLIENT];
	count(&t->clients, c->n ? c->p : "-", c->n ? c->n : 1, 0);
	const struct exs_slice *m = &r->f[EXS_LR_METHOD];
	count(&t->methods, m->n ? m->p : "-", m->n ? m->n : 1, 0);
	const struct exs_slice *s = &r->f[EXS_LR_STATUS];
	count(&t->statuses, s->n ? s->p : "-", s->n ? s->n : 1, 0);
	const struct exs_slice *a = &r->f[EXS_LR_AGENT];
	count(&t->agents, a->n ? a->p : "-", a->n ? a->n : 1, r->w3c);
	const struct exs_slice *in = &r->f[EXS_LR_IN_BYTES];
	if (in->n) {
		uint64_t v = strtoull(in->p, NULL, 10);
		o->has_in_bytes = 1;
		o->in_bytes += v;
		if (v > o->max_in_bytes)
			o->max_in_bytes = v;
	}
	const struct exs_slice *out = &r->f[EXS_LR_OUT_BYTES];
	if (out->n) {
		uint64_t v = strtoull(out->p, NULL, 10);
		o->has_out_bytes = 1;
		o->out_bytes += v;
		if (v > o->max_out_bytes)
			o->max_out_bytes = v;
	}
}

static int contains(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			return 1;
	return 0;
}

static int script_page(const char *s, size_t n)
{
	/* The extension after the last dot, at most 6 bytes. */
	size_t d = n;
	while (d && n - d < 8 && s[d - 1] != '.' && s[d - 1] != '/')
		d--;
	if (!d || s[d - 1] != '.')
		return 0;
	static const char *const exts[] = { "aspx", "ashx", "asmx", "asp",
		"asa", "cer", "cshtml", "soap", "rem", NULL };
	size_t k = n - d;
	for (size_t i = 0; exts[i]; i++)
		if (strlen(exts[i]) == k && memcmp(s + d, exts[i], k) == 0)
			return 1;
	return 0;
}

/* A script page requested with success below aspnet_client or an auth
 * folder: is its file there? (Called with the lock held.) */
static void check_missing(struct exs_hits *h, const char *file,
			  struct exs_logreq *r,
			  const struct exs_trace_scratch *s, uint64_t key)
{
	for (unsigned i = 0; i < h->checked_n; i++)
		if (h->checked[i] == key)
			return;
	if (h->checked_n >= CHECKED_MAX)
		return;
	if (!h->checked) {
		h->checked = malloc(CHECKED_MAX * sizeof(*h->checked));
		if (!h->checked)
			return;
	}
	h->checked[h->checked_n++] = key;
	int site = site_of_log(file);
	/* The longest URL prefix among the site's virtual directories. */
	const struct exs_iis_vdir *best = NULL;
	size_t best_len = 0;
	for (unsigned i = 0; i < h->iis.vdir_count; i++) {
		const struct exs_iis_vdir *v = &h->iis.vdirs[i];
		if (site && h->iis.sites[v->site].id != (unsigned long)site)
			continue;
		size_t k = strcmp(v->url, "/") ? strlen(v->url) : 0;
		if (k > s->stem_n || k < best_len + (best ? 1 : 0))
			continue;
		int ok = 1;
		for (size_t j = 0; j < k && ok; j++)
			ok = fold((unsigned char)v->url[j]) == s->stem[j];
		if (ok && (k == s->stem_n || s->stem[k] == '/')) {
			best = v;
			best_len = k;
		}
	}
	if (!best)
		return;
	char path[2048];
	int n = snprintf(path, sizeof(path), "%s", best->physical);
	for (size_t j = best_len; j < s->stem_n && (size_t)n + 1 < sizeof(path); j++) {
		char c = s->stem[j];
		if (c == '/')
			c = h->plat->path_separator;
		if (c == '\0' || (c == '.' && j + 1 < s->stem_n && s->stem[j + 1] == '.'))
			return;      /* no traversal, no NUL: not a file name */
		path[n++] = c;
	}
	path[n] = '\0';
	struct exs_stat st;
	struct exs_error e;
	if (h->plat->path_stat(path, &st, &e) != EXS_NOENT)
		return;
	/* Only where the folder is there: a page of a folder this host does
	 * not have (another layout, a proxied path) says nothing. */
	size_t dl = (size_t)n;
	while (dl && path[dl - 1] != h->plat->path_separator)
		dl--;
	if (dl < 2)
		return;
	path[dl - 1] = '\0';
	int dir = h->plat->path_stat(path, &st, &e) == EXS_OK &&
		  st.node == EXS_NODE_DIR;
	path[dl - 1] = h->plat->path_separator;
	if (!dir)
		return;
	char url[1024];
	snprintf(url, sizeof(url), "%.*s", (int)s->stem_n, s->stem);
	struct target *t;
	const struct exs_iis_site *si = &h->iis.sites[best->site];
	if (new_target(h, path, (size_t)n, url, si->id, si->name, 0, &t) == EXS_OK) {
		t->out.orphan = 1;
		record(t, file, r);
	}
	(void)r;
}

int exs_hits_request(void *ctx, unsigned worker, const char *file,
		     struct exs_logreq *r, struct exs_trace_scratch *s,
		     const struct exs_technique *const *hits, size_t hit_count)
{
	struct exs_hits *h = ctx;
	(void)worker;
	(void)hits;
	(void)hit_count;
	if (!s->stem_n)
		return EXS_OK;
	int page = h->watch_missing && script_page(s->stem, s->stem_n);
	if (!h->mapped && !page)
		return EXS_OK;
	uint64_t key = hash(s->stem, s->stem_n);
	int known = bit_get(h->filter, key);
	int missing = 0;
	if (!known && page) {
		const struct exs_slice *st = &r->f[EXS_LR_STATUS];
		missing = st->n == 3 && st->p[0] == '2' &&
			  (contains(s->stem, s->stem_n, "/aspnet_client/") ||
			   contains(s->stem, s->stem_n, "/auth/"));
	}
	if (!known && !missing)
		return EXS_OK;
	h->plat->mutex_lock(h->mutex);
	int site = 0, found = 0;
	for (unsigned i = 0; i < h->count; i++) {
		struct target *t = &h->targets[i];
		if (t->key_n != s->stem_n || memcmp(t->key, s->stem, s->stem_n))
			continue;
		if (!site)
			site = site_of_log(file);
		if (site && t->site_id && t->site_id != (unsigned long)site)
			continue;
		record(t, file, r);
		found = 1;
	}
	if (!found && missing)
		check_missing(h, file, r, s, key);
	h->plat->mutex_unlock(h->mutex);
	return EXS_OK;
}

/* ---- The context pass ------------------------------------------------------ */

int exs_hits_begin_context(struct exs_hits *h)
{
	int any = 0;
	memset(h->client_filter, 0, sizeof(h->client_filter));
	for (unsigned i = 0; i < h->count; i++) {
		struct target *t = &h->targets[i];
		if (!t->out.count || !t->clients.items)
			continue;
		any = 1;
		for (unsigned j = 0; j < t->clients.n; j++) {
			const char *v = t->clients.items[j].value;
			bit_set(h->client_filter, hash(v, strlen(v)));
		}
	}
	return any;
}

static int in_table(const struct table *t, const char *v, size_t n)
{
	for (unsigned i = 0; t->items && i < t->n; i++)
		if (strlen(t->items[i].value) == n &&
		    memcmp(t->items[i].value, v, n) == 0)
			return 1;
	return 0;
}

int exs_hits_context(void *ctx, unsigned worker, const char *file,
		     struct exs_logreq *r, struct exs_trace_scratch *s,
		     const struct exs_technique *const *hits, size_t hit_count)
{
	struct exs_hits *h = ctx;
	(void)worker;
	(void)file;
	(void)hits;
	(void)hit_count;
	const struct exs_slice *c = &r->f[EXS_LR_CLIENT];
	if (!c->n || !s->stem_n)
		return EXS_OK;
	size_t cn = c->n < EXS_URL_VALUE_MAX - 1 ? c->n : EXS_URL_VALUE_MAX - 1;
	if (!bit_get(h->client_filter, hash(c->p, cn)))
		return EXS_OK;
	exs_logreq_time(r);
	h->plat->mutex_lock(h->mutex);
	for (unsigned i = 0; i < h->count; i++) {
		struct target *t = &h->targets[i];
		if (!t->out.count || !in_table(&t->clients, c->p, cn))
			continue;
		if (r->time_ns && t->out.first_ns &&
		    (r->time_ns < t->out.first_ns - EXS_HITS_WINDOW_NS ||
		     r->time_ns > t->out.last_ns + EXS_HITS_WINDOW_NS))
			continue;
		if (t->key_n == s->stem_n && memcmp(t->key, s->stem, s->stem_n) == 0)
			continue;
		count(&t->others, s->stem, s->stem_n, 0);
	}
	h->plat->mutex_unlock(h->mutex);
	return EXS_OK;
}

/* ---- The report's form ------------------------------------------------------- */

static int by_count(const void *pa, const void *pb)
{
	const struct counter *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->value, b->value);
}

static unsigned top(struct table *t, struct exs_url_count *out, unsigned cap)
{
	if (!t->items)
		return 0;
	qsort(t->items, t->n, sizeof(*t->items), by_count);
	unsigned n = t->n < cap ? t->n : cap;
	for (unsigned i = 0; i < n; i++) {
		memcpy(out[i].value, t->items[i].value, sizeof(out[i].value));
		out[i].count = t->items[i].count;
	}
	return n;
}

int exs_hits_export(struct exs_hits *h, struct exs_url_hits **out,
		    size_t *count_out)
{
	*out = NULL;
	*count_out = 0;
	/* Every finding's target, requested or not ("never requested in
	 * the logs read" is an answer too); a missing page only if it was. */
	size_t n = 0;
	for (unsigned i = 0; i < h->count; i++)
		n += h->targets[i].out.count > 0 || !h->targets[i].out.orphan;
	if (!n)
		return EXS_OK;
	struct exs_url_hits *a = calloc(n, sizeof(*a));
	if (!a)
		return EXS_NOMEM;
	size_t k = 0;
	for (unsigned i = 0; i < h->count; i++) {
		struct target *t = &h->targets[i];
		if (!t->out.count && t->out.orphan)
			continue;
		struct exs_url_hits *o = &a[k];
		*o = t->out;
		o->path = malloc(t->out.path_len + 1);
		if (!o->path) {
			for (size_t j = 0; j < k; j++)
				free(a[j].path);
			free(a);
			return EXS_NOMEM;
		}
		memcpy(o->path, t->out.path, t->out.path_len + 1);
		o->distinct_clients = t->clients.n + t->clients.others;
		o->n_clients = top(&t->clients, o->clients, EXS_URL_TOP);
		o->n_methods = top(&t->methods, o->methods, EXS_URL_TOP);
		o->n_statuses = top(&t->statuses, o->statuses, EXS_URL_TOP);
		o->n_agents = top(&t->agents, o->agents, EXS_URL_TOP);
		o->n_other_urls = top(&t->others, o->other_urls, 2 * EXS_URL_TOP);
		k++;
	}
	*out = a;
	*count_out = k;
	return EXS_OK;
}
