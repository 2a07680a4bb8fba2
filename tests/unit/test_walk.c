/* test_walk.c -- the walker over a real tree in a scratch folder.
 *
 * The tree is built through the native platform; the nodes the platform
 * cannot create (symlinks, FIFOs) are made with POSIX calls, in this file
 * only and behind #ifndef _WIN32, so the rest also runs under wine.
 *
 * What must hold: each regular file is emitted exactly once; links (to
 * folders, to files, dangling, in a loop) and FIFOs are skipped items and
 * never followed; excludes prune folders without listing them; the built-in
 * Exchange excludes never hide a web root or anything inside one; a folder
 * past max_depth is an error item; and exs_excludes_match_ancestor, which
 * decides which baseline entries count as removed, agrees with the walk.
 */
#include <stdlib.h>

#include "platform.h"
#include "strlist.h"
#include "test.h"
#include "test_fs.h"
#include "walk.h"

#ifndef _WIN32
#include <sys/stat.h>
#include <unistd.h>
#define HAVE_POSIX_NODES 1
#endif

static const struct exs_platform *plat;
static char tmp[TMP_PATH_MAX];

/* ---- Building the tree -------------------------------------------------- */

/* base + sep + rel, with '/' in rel turned into the platform separator. */
static void path_in(const char *base, const char *rel, char *out, size_t cap)
{
	char native[TMP_PATH_MAX];
	tmp_native(plat, rel, native, sizeof(native));
	tmp_join(plat, base, native, out, cap);
}

static int make_dir(const char *base, const char *rel)
{
	char p[TMP_PATH_MAX];
	struct exs_error err;
	path_in(base, rel, p, sizeof(p));
	return plat->dir_create(p, 0, &err);
}

/* Creates base/rel, its folders included, holding its own name. */
static int make_file(const char *base, const char *rel)
{
	char p[TMP_PATH_MAX], dir[TMP_PATH_MAX];
	path_in(base, rel, p, sizeof(p));
	snprintf(dir, sizeof(dir), "%s", p);
	char *cut = strrchr(dir, plat->path_separator);
	if (cut) {
		struct exs_error err;
		*cut = '\0';
		int rc = plat->dir_create(dir, 0, &err);
		if (rc)
			return rc;
	}
	return tmp_write(plat, p, rel, strlen(rel));
}

/* ---- Collecting what the walk emits ------------------------------------- */

struct collected {
	struct exs_item **items;
	size_t count, cap;
	int stop_after;   /* > 0: return 99 from emit after this many */
};

static int collect(void *ctx, struct exs_item *item)
{
	struct collected *c = ctx;
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct exs_item **grown = realloc(c->items, cap * sizeof(*grown));
		if (!grown) {
			exs_item_free(item);
			return EXS_NOMEM;
		}
		c->items = grown;
		c->cap = cap;
	}
	c->items[c->count++] = item;
	if (c->stop_after > 0 && c->count >= (size_t)c->stop_after)
		return 99;
	return 0;
}

static void collected_free(struct collected *c)
{
	for (size_t i = 0; i < c->count; i++)
		exs_item_free(c->items[i]);
	free(c->items);
	memset(c, 0, sizeof(*c));
}

/* The items whose path is base/rel. */
static size_t count_path(const struct collected *c, const char *base,
			 const char *rel, struct exs_item **last)
{
	char p[TMP_PATH_MAX];
	path_in(base, rel, p, sizeof(p));
	size_t n = 0;
	for (size_t i = 0; i < c->count; i++)
		if (c->items[i]->path_len == strlen(p) &&
		    memcmp(c->items[i]->path, p, strlen(p)) == 0) {
			n++;
			if (last)
				*last = c->items[i];
		}
	return n;
}

/* Items whose path lies inside base/rel (rel itself excluded). */
static size_t count_below(const struct collected *c, const char *base,
			  const char *rel)
{
	char p[TMP_PATH_MAX];
	path_in(base, rel, p, sizeof(p));
	size_t len = strlen(p), n = 0;
	for (size_t i = 0; i < c->count; i++)
		if (c->items[i]->path_len > len + 1 &&
		    memcmp(c->items[i]->path, p, len) == 0 &&
		    c->items[i]->path[len] == plat->path_separator)
			n++;
	return n;
}

static size_t count_kind(const struct collected *c, enum exs_item_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < c->count; i++)
		n += c->items[i]->kind == kind;
	return n;
}

/* Runs a walk over roots with the given excludes. */
static int walk(const struct exs_strlist *roots,
		const struct exs_strlist *web_roots,
		const struct exs_excludes *x, unsigned max_depth,
		struct collected *out, struct exs_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->plat = plat;
	w->roots = roots;
	w->web_roots = web_roots;
	w->excludes = x;
	w->max_depth = max_depth;
	w->emit = collect;
	w->ctx = out;
	return exs_walk_run(w);
}

/* ---- The main tree ------------------------------------------------------ */

static const char *const regular_files[] = {
	"a.txt",
	"sub/b.aspx",
	"sub/deep/c.js",
	"plain/V15/keep.txt",
	"plain/V15/LoggingX/q.log",          /* near miss of the pattern */
	"owa/V15/Logging/s.aspx",            /* built-in exclude in a web root */
	"host/V15/Logging/u.log",            /* folder that holds a web root */
	"host/V15/Logging/inner/t.aspx",     /* ...and the web root itself */
};

static const char *const pruned_files[] = {
	"skipme/x.txt",                      /* user exclude, a folder */
	"skipme/deeper/y.aspx",
	"sub/junk.tmp",                      /* user exclude, a file */
	"plain/V15/Logging/p.log",           /* built-in exclude */
	"plain/V15/Logging/sub/p2.log",
	"owa/cache/z.aspx",                  /* user exclude inside a web root */
};

static void test_walk_tree(void)
{
	char root[TMP_PATH_MAX], owa[TMP_PATH_MAX], inner[TMP_PATH_MAX];
	path_in(tmp, "tree", root, sizeof(root));
	for (size_t i = 0; i < sizeof(regular_files) / sizeof(*regular_files); i++)
		ASSERT_EQ(make_file(root, regular_files[i]), EXS_OK);
	for (size_t i = 0; i < sizeof(pruned_files) / sizeof(*pruned_files); i++)
		ASSERT_EQ(make_file(root, pruned_files[i]), EXS_OK);
	ASSERT_EQ(make_dir(root, "empty"), EXS_OK);
#ifdef HAVE_POSIX_NODES
	char p[TMP_PATH_MAX];
	path_in(root, "link_dir", p, sizeof(p));
	ASSERT_EQ(symlink("sub", p), 0);
	path_in(root, "sub/link_up", p, sizeof(p));
	ASSERT_EQ(symlink("..", p), 0);         /* a loop through a link */
	path_in(root, "loop", p, sizeof(p));
	ASSERT_EQ(symlink("loop", p), 0);       /* points at itself */
	path_in(root, "loop_a", p, sizeof(p));
	ASSERT_EQ(symlink("loop_b", p), 0);
	path_in(root, "loop_b", p, sizeof(p));
	ASSERT_EQ(symlink("loop_a", p), 0);
	path_in(root, "link_file", p, sizeof(p));
	ASSERT_EQ(symlink("a.txt", p), 0);
	path_in(root, "dangling", p, sizeof(p));
	ASSERT_EQ(symlink("does-not-exist", p), 0);
	path_in(root, "fifo", p, sizeof(p));
	ASSERT_EQ(mkfifo(p, 0600), 0);
#endif
	path_in(root, "owa", owa, sizeof(owa));
	path_in(root, "host/V15/Logging/inner", inner, sizeof(inner));

	struct exs_strlist user = { 0 }, web = { 0 }, given = { 0 },
			   roots = { 0 };
	ASSERT_EQ(exs_strlist_add_str(&user, "skipme"), EXS_OK);
	ASSERT_EQ(exs_strlist_add_str(&user, "*.tmp"), EXS_OK);
	ASSERT_EQ(exs_strlist_add_str(&user, "owa/cache"), EXS_OK);
	ASSERT_EQ(exs_strlist_add_str(&web, owa), EXS_OK);
	ASSERT_EQ(exs_strlist_add_str(&web, inner), EXS_OK);
	ASSERT_EQ(exs_strlist_add_str(&given, root), EXS_OK);
	/* Both web roots lie inside the root: one walk covers everything. */
	ASSERT_EQ(exs_walk_roots(&given, &web, plat, &roots), EXS_OK);
	ASSERT_EQ(roots.count, 1);
	ASSERT_STR_EQ(roots.items[0], root);

	static const char *const builtin[] = { "V15/Logging", NULL };
	struct exs_excludes x;
	struct exs_error err;
	ASSERT_EQ(exs_excludes_init(&x, &user, builtin, &web, plat, &err), EXS_OK);

	struct collected c = { 0 };
	struct exs_walk w;
	int rc = walk(&roots, &web, &x, 64, &c, &w);
	ASSERT_EQ(rc, EXS_OK);

	/* Every regular file exactly once, as a file item. */
	for (size_t i = 0; i < sizeof(regular_files) / sizeof(*regular_files); i++) {
		struct exs_item *it = NULL;
		size_t n = count_path(&c, root, regular_files[i], &it);
		if (n != 1)
			fprintf(stderr, "%s emitted %zu times\n", regular_files[i], n);
		ASSERT_EQ(n, 1);
		ASSERT_EQ(it->kind, EXS_ITEM_FILE);
		ASSERT_EQ(it->node, EXS_NODE_FILE);
		ASSERT_EQ(it->status, EXS_OK);
	}
	ASSERT_EQ(count_kind(&c, EXS_ITEM_FILE),
		  sizeof(regular_files) / sizeof(*regular_files));
	ASSERT_EQ(count_kind(&c, EXS_ITEM_ERROR), 0);

	/* Files in a web root carry is_web; the folder above one does not. */
	struct exs_item *it = NULL;
	count_path(&c, root, "owa/V15/Logging/s.aspx", &it);
	ASSERT_EQ(it->is_web, 1);
	count_path(&c, root, "host/V15/Logging/inner/t.aspx", &it);
	ASSERT_EQ(it->is_web, 1);
	count_path(&c, root, "host/V15/Logging/u.log", &it);
	ASSERT_EQ(it->is_web, 0);
	count_path(&c, root, "a.txt", &it);
	ASSERT_EQ(it->is_web, 0);

	/* Pruned folders were never listed: nothing inside them appears. */
	for (size_t i = 0; i < sizeof(pruned_files) / sizeof(*pruned_files); i++)
		ASSERT_EQ(count_path(&c, root, pruned_files[i], NULL), 0);
	ASSERT_EQ(count_below(&c, root, "skipme"), 0);
	ASSERT_EQ(count_below(&c, root, "plain/V15/Logging"), 0);
	ASSERT_EQ(count_below(&c, root, "owa/cache"), 0);
	/* skipme, sub/junk.tmp, plain/V15/Logging, owa/cache. */
	ASSERT_EQ(w.excluded, 4);
	/* tree sub sub/deep plain plain/V15 plain/V15/LoggingX owa owa/V15
	 * owa/V15/Logging host host/V15 host/V15/Logging .../inner empty */
	ASSERT_EQ(w.dirs, 14);

#ifdef HAVE_POSIX_NODES
	static const char *const links[] = { "link_dir", "sub/link_up", "loop",
					     "loop_a", "loop_b", "link_file",
					     "dangling" };
	for (size_t i = 0; i < sizeof(links) / sizeof(*links); i++) {
		it = NULL;
		ASSERT_EQ(count_path(&c, root, links[i], &it), 1);
		ASSERT_EQ(it->kind, EXS_ITEM_SKIPPED);
		ASSERT_EQ(it->node, EXS_NODE_LINK);
		/* Never descended into. */
		ASSERT_EQ(count_below(&c, root, links[i]), 0);
	}
	it = NULL;
	ASSERT_EQ(count_path(&c, root, "fifo", &it), 1);
	ASSERT_EQ(it->kind, EXS_ITEM_SKIPPED);
	ASSERT_EQ(it->node, EXS_NODE_FIFO);
	ASSERT_EQ(count_kind(&c, EXS_ITEM_SKIPPED), 8);
	ASSERT_EQ(c.count, sizeof(regular_files) / sizeof(*regular_files) + 8);
#else
	ASSERT_EQ(c.count, sizeof(regular_files) / sizeof(*regular_files));
#endif

	/* check decides which baseline entries may be reported as removed
	 * with exs_excludes_match_ancestor: it must agree with the walk, or a
	 * deleted file that init recorded is silently never reported. */
	for (size_t i = 0; i < sizeof(regular_files) / sizeof(*regular_files); i++) {
		char f[TMP_PATH_MAX];
		path_in(root, regular_files[i], f, sizeof(f));
		int hit = exs_excludes_match_ancestor(&x, f, strlen(f));
		if (hit)
			fprintf(stderr, "walked but excluded for removal: %s\n",
				regular_files[i]);
		ASSERT_EQ(hit, 0);
	}
	for (size_t i = 0; i < sizeof(pruned_files) / sizeof(*pruned_files); i++) {
		char f[TMP_PATH_MAX];
		path_in(root, pruned_files[i], f, sizeof(f));
		ASSERT_EQ(exs_excludes_match_ancestor(&x, f, strlen(f)), 1);
	}

	collected_free(&c);
	exs_excludes_free(&x);
	exs_strlist_free(&user);
	exs_strlist_free(&web);
	exs_strlist_free(&given);
	exs_strlist_free(&roots);
}

static void test_builtin_exclude_match(void)
{
	/* The rules of exs_excludes_match, without a tree. */
	char a[TMP_PATH_MAX], b[TMP_PATH_MAX], webdir[TMP_PATH_MAX];
	tmp_native(plat, "/e/V15/Logging", a, sizeof(a));
	tmp_native(plat, "/web/V15/Logging", b, sizeof(b));
	tmp_native(plat, "/web", webdir, sizeof(webdir));
	struct exs_strlist user = { 0 }, web = { 0 };
	ASSERT_EQ(exs_strlist_add_str(&web, webdir), EXS_OK);
	static const char *const builtin[] = { "V15/Logging", NULL };
	struct exs_excludes x;
	struct exs_error err;
	ASSERT_EQ(exs_excludes_init(&x, &user, builtin, &web, plat, &err), EXS_OK);
	ASSERT_EQ(exs_excludes_match(&x, a, strlen(a), 1), 1);
	/* Built-in patterns name folders: a file of that name is kept. */
	ASSERT_EQ(exs_excludes_match(&x, a, strlen(a), 0), 0);
	ASSERT_EQ(exs_excludes_match(&x, b, strlen(b), 1), 0);
	exs_excludes_free(&x);

	/* No built-in list at all. */
	ASSERT_EQ(exs_excludes_init(&x, &user, NULL, &web, plat, &err), EXS_OK);
	ASSERT_EQ(exs_excludes_match(&x, a, strlen(a), 1), 0);
	exs_excludes_free(&x);

	/* A pattern that cannot compile is a config error naming it. */
	ASSERT_EQ(exs_strlist_add_str(&user, "//"), EXS_OK);
	ASSERT_EQ(exs_excludes_init(&x, &user, builtin, &web, plat, &err),
		  EXS_CONFIG);
	ASSERT_TRUE(strstr(err.detail, "'//'") != NULL);
	exs_strlist_free(&user);
	exs_strlist_free(&web);
}

/* ---- Depth, odd roots, stopping ----------------------------------------- */

static void test_max_depth(void)
{
	char root[TMP_PATH_MAX];
	path_in(tmp, "deep", root, sizeof(root));
	ASSERT_EQ(make_file(root, "top.txt"), EXS_OK);
	ASSERT_EQ(make_file(root, "l1/g.txt"), EXS_OK);
	ASSERT_EQ(make_file(root, "l1/l2/l3/f.txt"), EXS_OK);
	struct exs_strlist roots = { 0 }, none = { 0 };
	ASSERT_EQ(exs_strlist_add_str(&roots, root), EXS_OK);
	struct exs_excludes x;
	struct exs_error err;
	ASSERT_EQ(exs_excludes_init(&x, &none, NULL, NULL, plat, &err), EXS_OK);

	struct collected c = { 0 };
	struct exs_walk w;
	ASSERT_EQ(walk(&roots, NULL, &x, 1, &c, &w), EXS_OK);
	/* The root is depth 0, l1 depth 1; l2 is one too deep. */
	ASSERT_EQ(count_path(&c, root, "top.txt", NULL), 1);
	ASSERT_EQ(count_path(&c, root, "l1/g.txt", NULL), 1);
	struct exs_item *it = NULL;
	ASSERT_EQ(count_path(&c, root, "l1/l2", &it), 1);
	ASSERT_EQ(it->kind, EXS_ITEM_ERROR);
	ASSERT_EQ(it->status, EXS_LIMIT);
	ASSERT_EQ(it->err.status, EXS_LIMIT);
	ASSERT_EQ(it->node, EXS_NODE_DIR);
	ASSERT_TRUE(it->err.detail[0] != '\0');
	ASSERT_EQ(count_below(&c, root, "l1/l2"), 0);
	ASSERT_EQ(c.count, 3);
	collected_free(&c);

	/* max_depth 0: only the root itself is listed. */
	ASSERT_EQ(walk(&roots, NULL, &x, 0, &c, &w), EXS_OK);
	ASSERT_EQ(count_path(&c, root, "top.txt", NULL), 1);
	it = NULL;
	ASSERT_EQ(count_path(&c, root, "l1", &it), 1);
	ASSERT_EQ(it->kind, EXS_ITEM_ERROR);
	ASSERT_EQ(it->status, EXS_LIMIT);
	ASSERT_EQ(c.count, 2);
	collected_free(&c);

	/* Deep enough: everything, no error. */
	ASSERT_EQ(walk(&roots, NULL, &x, 3, &c, &w), EXS_OK);
	ASSERT_EQ(count_kind(&c, EXS_ITEM_FILE), 3);
	ASSERT_EQ(count_kind(&c, EXS_ITEM_ERROR), 0);
	collected_free(&c);

	exs_excludes_free(&x);
	exs_strlist_free(&roots);
}

static void test_odd_roots(void)
{
	char dir[TMP_PATH_MAX], file[TMP_PATH_MAX], missing[TMP_PATH_MAX];
	path_in(tmp, "odd", dir, sizeof(dir));
	ASSERT_EQ(make_file(dir, "only.txt"), EXS_OK);
	path_in(dir, "only.txt", file, sizeof(file));
	path_in(dir, "missing", missing, sizeof(missing));
	struct exs_strlist roots = { 0 }, none = { 0 };
	ASSERT_EQ(exs_strlist_add_str(&roots, file), EXS_OK);
	ASSERT_EQ(exs_strlist_add_str(&roots, missing), EXS_OK);
#ifdef HAVE_POSIX_NODES
	char link[TMP_PATH_MAX];
	path_in(tmp, "odd_link", link, sizeof(link));
	ASSERT_EQ(symlink(dir, link), 0);
	ASSERT_EQ(exs_strlist_add_str(&roots, link), EXS_OK);
#endif
	struct exs_excludes x;
	struct exs_error err;
	ASSERT_EQ(exs_excludes_init(&x, &none, NULL, NULL, plat, &err), EXS_OK);
	struct collected c = { 0 };
	struct exs_walk w;
	ASSERT_EQ(walk(&roots, NULL, &x, 8, &c, &w), EXS_OK);
	/* A root that is a file is that file. */
	ASSERT_EQ(c.items[0]->kind, EXS_ITEM_FILE);
	ASSERT_STR_EQ(c.items[0]->path, file);
	/* A missing root is an error item, and the walk goes on. */
	ASSERT_EQ(c.items[1]->kind, EXS_ITEM_ERROR);
	ASSERT_EQ(c.items[1]->status, EXS_NOENT);
	ASSERT_STR_EQ(c.items[1]->path, missing);
#ifdef HAVE_POSIX_NODES
	/* A root that is a link is skipped, not followed. */
	ASSERT_EQ(c.count, 3);
	ASSERT_EQ(c.items[2]->kind, EXS_ITEM_SKIPPED);
	ASSERT_EQ(c.items[2]->node, EXS_NODE_LINK);
	ASSERT_STR_EQ(c.items[2]->path, link);
#else
	ASSERT_EQ(c.count, 2);
#endif
	collected_free(&c);
	exs_excludes_free(&x);
	exs_strlist_free(&roots);
}

static void test_emit_stops_walk(void)
{
	char root[TMP_PATH_MAX];
	path_in(tmp, "stop", root, sizeof(root));
	for (int i = 0; i < 5; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%d", i);
		ASSERT_EQ(make_file(root, name), EXS_OK);
	}
	struct exs_strlist roots = { 0 }, none = { 0 };
	ASSERT_EQ(exs_strlist_add_str(&roots, root), EXS_OK);
	ASSERT_EQ(exs_strlist_add_str(&roots, root), EXS_OK);
	struct exs_excludes x;
	struct exs_error err;
	ASSERT_EQ(exs_excludes_init(&x, &none, NULL, NULL, plat, &err), EXS_OK);
	struct collected c = { 0 };
	c.stop_after = 2;
	struct exs_walk w;
	ASSERT_EQ(walk(&roots, NULL, &x, 8, &c, &w), 99);
	ASSERT_EQ(c.count, 2);   /* nothing after the stop, no second root */
	collected_free(&c);
	exs_excludes_free(&x);
	exs_strlist_free(&roots);
}

/* ---- Which folders to walk ---------------------------------------------- */

static int add_native(struct exs_strlist *l, const char *posix_path)
{
	char p[TMP_PATH_MAX];
	tmp_native(plat, posix_path, p, sizeof(p));
	return exs_strlist_add_str(l, p);
}

static int has_native(const struct exs_strlist *l, size_t i,
		      const char *posix_path)
{
	char p[TMP_PATH_MAX];
	tmp_native(plat, posix_path, p, sizeof(p));
	return i < l->count && strcmp(l->items[i], p) == 0;
}

static void test_walk_roots(void)
{
	struct exs_strlist roots = { 0 }, web = { 0 }, out = { 0 };
	ASSERT_EQ(add_native(&roots, "/srv/a"), EXS_OK);
	ASSERT_EQ(add_native(&roots, "/srv/a/b"), EXS_OK);   /* inside /srv/a */
	ASSERT_EQ(add_native(&roots, "/srv/a/"), EXS_OK);    /* a duplicate */
	ASSERT_EQ(add_native(&roots, "/srv/ab"), EXS_OK);    /* not inside */
	ASSERT_EQ(add_native(&roots, "/srv/c"), EXS_OK);
	ASSERT_EQ(add_native(&web, "/srv/a/web"), EXS_OK);   /* inside a root */
	ASSERT_EQ(add_native(&web, "/inetpub/wwwroot/"), EXS_OK); /* outside */
	ASSERT_EQ(add_native(&web, "/srv/c"), EXS_OK);       /* equals a root */
	ASSERT_EQ(add_native(&web, "/inetpub/wwwroot/owa"), EXS_OK);
	ASSERT_EQ(add_native(&web, "/inetpub/wwwroot"), EXS_OK);
	ASSERT_EQ(exs_walk_roots(&roots, &web, plat, &out), EXS_OK);
	if (out.count != 4)
		for (size_t i = 0; i < out.count; i++)
			fprintf(stderr, "  walk root %zu: %s\n", i, out.items[i]);
	ASSERT_EQ(out.count, 4);
	ASSERT_TRUE(has_native(&out, 0, "/srv/a"));
	ASSERT_TRUE(has_native(&out, 1, "/srv/ab"));
	ASSERT_TRUE(has_native(&out, 2, "/srv/c"));
	ASSERT_TRUE(has_native(&out, 3, "/inetpub/wwwroot"));
	exs_strlist_free(&out);

	/* "/" swallows everything; no web roots at all is fine. */
	exs_strlist_free(&roots);
	ASSERT_EQ(add_native(&roots, "/srv/x"), EXS_OK);
	ASSERT_EQ(add_native(&roots, "/"), EXS_OK);
	ASSERT_EQ(exs_walk_roots(&roots, &web, plat, &out), EXS_OK);
	ASSERT_EQ(out.count, 1);
	ASSERT_TRUE(has_native(&out, 0, "/"));
	exs_strlist_free(&out);
	ASSERT_EQ(exs_walk_roots(&roots, NULL, plat, &out), EXS_OK);
	ASSERT_EQ(out.count, 1);
	exs_strlist_free(&out);
	exs_strlist_free(&roots);
	exs_strlist_free(&web);
}

int main(void)
{
	plat = exs_platform_native();
	if (tmp_make_dir(plat, "walk", tmp, sizeof(tmp)) != EXS_OK) {
		fprintf(stderr, "cannot make a scratch folder\n");
		return 1;
	}
	RUN(test_walk_tree);
	RUN(test_builtin_exclude_match);
	RUN(test_max_depth);
	RUN(test_odd_roots);
	RUN(test_emit_stops_walk);
	RUN(test_walk_roots);
	tmp_remove_tree(plat, tmp);
	return TEST_EXIT();
}
