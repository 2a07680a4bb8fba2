/* walk.c -- the tree walker and exclude rules (see walk.h). */
#include "walk.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* ---- Items -------------------------------------------------------------- */

struct exs_item *exs_item_new(const char *path, size_t len)
{
	struct exs_item *item = calloc(1, sizeof(*item));
	char *copy = malloc(len + 1);
	if (!item || !copy) {
		free(item);
		free(copy);
		return NULL;
	}
	memcpy(copy, path, len);
	copy[len] = '\0';
	item->path = copy;
	item->path_len = len;
	return item;
}

void exs_item_free(struct exs_item *item)
{
	if (!item)
		return;
	free(item->path);
	free(item->hits);
	free(item->suspicious);
	free(item->regs);
	free(item);
}

/* ---- Excludes ----------------------------------------------------------- */

static int compile_list(const char *const *texts, size_t n,
			struct exs_pattern **out, size_t *count,
			struct exs_error *err)
{
	*out = NULL;
	*count = 0;
	if (!n)
		return EXS_OK;
	struct exs_pattern *p = calloc(n, sizeof(*p));
	if (!p)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	for (size_t i = 0; i < n; i++) {
		int rc = exs_pattern_compile(texts[i], &p[i]);
		if (rc) {
			for (size_t j = 0; j < i; j++)
				exs_pattern_free(&p[j]);
			free(p);
			return exs_failf(err, rc == EXS_NOMEM ? EXS_NOMEM : EXS_CONFIG,
					 0, "exclude", NULL,
					 "invalid exclude pattern '%s'", texts[i]);
		}
	}
	*out = p;
	*count = n;
	return EXS_OK;
}

int exs_excludes_init(struct exs_excludes *x, const struct exs_strlist *user,
		      const char *const *builtin,
		      const struct exs_strlist *web_roots,
		      const struct exs_platform *plat, struct exs_error *err)
{
	memset(x, 0, sizeof(*x));
	x->web_roots = web_roots;
	x->sep = plat->path_separator;
	x->case_insensitive = plat->case_insensitive;
	int rc = compile_list((const char *const *)user->items, user->count,
			      &x->user, &x->user_count, err);
	if (rc)
		return rc;
	size_t nb = 0;
	while (builtin && builtin[nb])
		nb++;
	rc = compile_list(builtin, nb, &x->builtin, &x->builtin_count, err);
	if (rc)
		exs_excludes_free(x);
	return rc;
}

void exs_excludes_free(struct exs_excludes *x)
{
	for (size_t i = 0; i < x->user_count; i++)
		exs_pattern_free(&x->user[i]);
	for (size_t i = 0; i < x->builtin_count; i++)
		exs_pattern_free(&x->builtin[i]);
	free(x->user);
	free(x->builtin);
	memset(x, 0, sizeof(*x));
}

int exs_in_web_root(const struct exs_strlist *web_roots, const char *path,
		    size_t len, char sep, int case_insensitive)
{
	for (size_t i = 0; web_roots && i < web_roots->count; i++)
		if (exs_path_within(path, len, web_roots->items[i],
				    strlen(web_roots->items[i]), sep,
				    case_insensitive))
			return 1;
	return 0;
}

/* A web root lies inside path (or is path): the built-in excludes must not
 * prune it. */
static int holds_web_root(const struct exs_excludes *x, const char *path,
			  size_t len)
{
	for (size_t i = 0; x->web_roots && i < x->web_roots->count; i++) {
		const char *w = x->web_roots->items[i];
		if (exs_path_within(w, strlen(w), path, len, x->sep,
				    x->case_insensitive))
			return 1;
	}
	return 0;
}

int exs_excludes_match(const struct exs_excludes *x, const char *path,
		       size_t len, int is_dir)
{
	for (size_t i = 0; i < x->user_count; i++)
		if (exs_pattern_match(&x->user[i], path, len, x->sep))
			return 1;
	/* The built-in patterns name folders; files are never matched by
	 * them, which also keeps the per-file cost down. */
	if (!is_dir || !x->builtin_count)
		return 0;
	int hit = 0;
	for (size_t i = 0; i < x->builtin_count && !hit; i++)
		hit = exs_pattern_match(&x->builtin[i], path, len, x->sep);
	if (!hit)
		return 0;
	return !exs_in_web_root(x->web_roots, path, len, x->sep,
				x->case_insensitive) &&
	       !holds_web_root(x, path, len);
}

struct folder_ctx {
	const struct exs_excludes *x;
	const char *path;
	size_t len;
};

/* A folder above the entry that a built-in pattern names: excluded unless
 * it is in a web root or holds one. */
static int builtin_folder(void *ctx, size_t end)
{
	const struct folder_ctx *c = ctx;
	if (end >= c->len)
		return 0; /* the entry itself, not a folder above it */
	return !exs_in_web_root(c->x->web_roots, c->path, end, c->x->sep,
				c->x->case_insensitive) &&
	       !holds_web_root(c->x, c->path, end);
}

int exs_excludes_match_ancestor(const struct exs_excludes *x, const char *path,
				size_t len)
{
	for (size_t i = 0; i < x->user_count; i++)
		if (exs_pattern_match_ancestor(&x->user[i], path, len, x->sep))
			return 1;
	/* Judge each folder above the entry exactly as the walk did when it
	 * decided whether to prune it: a built-in pattern counts only for a
	 * folder that is neither in a web root nor holds one. Testing the
	 * whole path at once would call a file below such a folder excluded
	 * although the walk visits it, and its removal would go unreported.
	 * One pass per pattern finds every folder it names, so a path
	 * thousands of folders deep costs its length, not its square. */
	struct folder_ctx c = { x, path, len };
	for (size_t i = 0; i < x->builtin_count; i++)
		if (exs_pattern_each_prefix(&x->builtin[i], path, len, x->sep,
					    builtin_folder, &c))
			return 1;
	return 0;
}

/* ---- Roots -------------------------------------------------------------- */

static int inside_other(const struct exs_strlist *list, size_t self,
			const char *path, char sep, int ci)
{
	size_t len = strlen(path);
	for (size_t i = 0; i < list->count; i++) {
		if (i == self)
			continue;
		const char *o = list->items[i];
		size_t olen = strlen(o);
		if (!exs_path_within(path, len, o, olen, sep, ci))
			continue;
		/* Equal roots: keep the first only. */
		if (exs_path_trim(o, olen, sep) == exs_path_trim(path, len, sep) &&
		    i > self)
			continue;
		return 1;
	}
	return 0;
}

int exs_walk_roots(const struct exs_strlist *roots,
		   const struct exs_strlist *web_roots,
		   const struct exs_platform *plat, struct exs_strlist *out)
{
	struct exs_strlist all = { 0 };
	char sep = plat->path_separator;
	int ci = plat->case_insensitive;
	int rc = EXS_OK;
	for (size_t i = 0; !rc && i < roots->count; i++)
		rc = exs_strlist_add(&all, roots->items[i],
				     exs_path_trim(roots->items[i],
						   strlen(roots->items[i]), sep));
	for (size_t i = 0; !rc && web_roots && i < web_roots->count; i++)
		rc = exs_strlist_add(&all, web_roots->items[i],
				     exs_path_trim(web_roots->items[i],
						   strlen(web_roots->items[i]), sep));
	for (size_t i = 0; !rc && i < all.count; i++)
		if (!inside_other(&all, i, all.items[i], sep, ci))
			rc = exs_strlist_add_str(out, all.items[i]);
	exs_strlist_free(&all);
	return rc;
}

/* ---- Walking ------------------------------------------------------------ */

struct pending {
	char *path;
	size_t len;
	unsigned depth;
	int is_web;
};

struct stack {
	struct pending *items;
	size_t count, cap;
};

static int stack_push(struct stack *s, const char *path, size_t len,
		      unsigned depth, int is_web)
{
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct pending *grown = realloc(s->items, cap * sizeof(*grown));
		if (!grown)
			return EXS_NOMEM;
		s->items = grown;
		s->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return EXS_NOMEM;
	memcpy(copy, path, len);
	copy[len] = '\0';
	s->items[s->count++] = (struct pending){ copy, len, depth, is_web };
	return EXS_OK;
}

static int emit_simple(struct exs_walk *w, enum exs_item_kind kind,
		       const char *path, size_t len, int is_web,
		       enum exs_node node, const struct exs_error *err)
{
	struct exs_item *item = exs_item_new(path, len);
	if (!item)
		return EXS_NOMEM;
	item->kind = kind;
	item->is_web = is_web;
	item->node = node;
	if (err) {
		item->status = err->status;
		item->err = *err;
	}
	return w->emit(w->ctx, item);
}

static int emit_file(struct exs_walk *w, const char *path, size_t len,
		     int is_web)
{
	struct exs_item *item = exs_item_new(path, len);
	if (!item)
		return EXS_NOMEM;
	item->kind = EXS_ITEM_FILE;
	item->is_web = is_web;
	item->node = EXS_NODE_FILE;
	return w->emit(w->ctx, item);
}

struct stream_ctx {
	struct exs_walk *w;
	const char *path;
	size_t len;
	int is_web;
};

/* One alternate data stream of a web file: walked like a file of its own,
 * "logon.aspx:x", so it is hashed, recorded and YARA-scanned. */
static int emit_stream(void *ctx, const char *name, size_t len)
{
	struct stream_ctx *c = ctx;
	struct exs_buf path;
	exs_buf_init(&path, c->len + len + 1);
	exs_buf_append(&path, c->path, c->len);
	exs_buf_append(&path, name, len);
	int rc = path.failed ? EXS_NOMEM
			     : emit_file(c->w, path.data, path.len, c->is_web);
	exs_buf_free(&path);
	return rc;
}

/* Emits a file, and in web roots each of its alternate data streams. */
static int emit_file_and_streams(struct exs_walk *w, const char *path,
				 size_t len, int is_web)
{
	int rc = emit_file(w, path, len, is_web);
	if (rc || !is_web || !w->plat->file_streams)
		return rc;
	struct stream_ctx c = { w, path, len, is_web };
	struct exs_error err;
	rc = w->plat->file_streams(path, emit_stream, &c, &err);
	if (rc == EXS_NOMEM || rc == EXS_INVAL)
		return rc; /* out of memory, or the sweep was cancelled */
	if (rc && rc != EXS_UNSUPPORTED)
		return emit_simple(w, EXS_ITEM_ERROR, path, len, is_web,
				   EXS_NODE_FILE, &err);
	return EXS_OK;
}

/* Lists one folder: files are emitted, folders pushed. */
static int walk_dir(struct exs_walk *w, struct stack *st,
		    const struct pending *dir, struct exs_buf *child)
{
	const struct exs_platform *plat = w->plat;
	char sep = plat->path_separator;
	struct exs_error err;
	struct exs_dir *d;
	int rc = plat->dir_open(dir->path, &d, &err);
	if (rc == EXS_ISLINK)
		return emit_simple(w, EXS_ITEM_SKIPPED, dir->path, dir->len,
				   dir->is_web, EXS_NODE_LINK, NULL);
	if (rc)
		return emit_simple(w, EXS_ITEM_ERROR, dir->path, dir->len,
				   dir->is_web, EXS_NODE_DIR, &err);
	w->dirs++;
	struct exs_dirent e;
	int status = EXS_OK;
	while (!status) {
		rc = plat->dir_next(d, &e, &err);
		if (rc) {
			status = emit_simple(w, EXS_ITEM_ERROR, dir->path, dir->len,
					     dir->is_web, EXS_NODE_DIR, &err);
			break;
		}
		if (!e.name)
			break;
		exs_buf_reset(child);
		exs_buf_append(child, dir->path, dir->len);
		if (!dir->len || dir->path[dir->len - 1] != sep)
			exs_buf_putc(child, sep);
		exs_buf_append(child, e.name, e.name_len);
		if (child->failed) {
			struct exs_error lim;
			exs_failf(&lim, EXS_LIMIT, 0, "walk", dir->path,
				  "path too long below this folder");
			status = emit_simple(w, EXS_ITEM_ERROR, dir->path,
					     dir->len, dir->is_web, EXS_NODE_DIR,
					     &lim);
			exs_buf_reset(child);
			continue;
		}
		enum exs_node node = e.node;
		if (node == EXS_NODE_UNKNOWN) {
			struct exs_stat sst;
			if (plat->path_stat(child->data, &sst, &err) == EXS_OK)
				node = sst.node;
		}
		int is_web = dir->is_web ||
			     exs_in_web_root(w->web_roots, child->data, child->len,
					     sep, plat->case_insensitive);
		switch (node) {
		case EXS_NODE_DIR:
			if (exs_excludes_match(w->excludes, child->data,
					       child->len, 1)) {
				w->excluded++;
				break;
			}
			if (dir->depth + 1 > w->max_depth) {
				struct exs_error deep;
				exs_failf(&deep, EXS_LIMIT, 0, "walk", child->data,
					  "folder deeper than max_depth (%u): "
					  "not walked", w->max_depth);
				status = emit_simple(w, EXS_ITEM_ERROR, child->data,
						     child->len, is_web,
						     EXS_NODE_DIR, &deep);
				break;
			}
			if (stack_push(st, child->data, child->len,
				       dir->depth + 1, is_web))
				status = EXS_NOMEM;
			break;
		case EXS_NODE_FILE:
			if (exs_excludes_match(w->excludes, child->data,
					       child->len, 0)) {
				w->excluded++;
				break;
			}
			status = emit_file_and_streams(w, child->data, child->len,
						       is_web);
			break;
		default:
			status = emit_simple(w, EXS_ITEM_SKIPPED, child->data,
					     child->len, is_web, node, NULL);
		}
	}
	plat->dir_close(d);
	return status;
}

static int walk_root(struct exs_walk *w, const char *root,
		     struct exs_buf *child)
{
	const struct exs_platform *plat = w->plat;
	size_t len = strlen(root);
	int is_web = exs_in_web_root(w->web_roots, root, len,
				     plat->path_separator, plat->case_insensitive);
	struct exs_error err;
	struct exs_stat st;
	int rc = plat->path_stat(root, &st, &err);
	if (rc)
		return emit_simple(w, EXS_ITEM_ERROR, root, len, is_web,
				   EXS_NODE_UNKNOWN, &err);
	if (st.node == EXS_NODE_FILE)
		return emit_file(w, root, len, is_web);
	if (st.node != EXS_NODE_DIR)
		return emit_simple(w, EXS_ITEM_SKIPPED, root, len, is_web,
				   st.node, NULL);

	struct stack stack = { 0 };
	int status = stack_push(&stack, root, len, 0, is_web);
	while (!status && stack.count) {
		struct pending dir = stack.items[--stack.count];
		status = walk_dir(w, &stack, &dir, child);
		free(dir.path);
	}
	while (stack.count)
		free(stack.items[--stack.count].path);
	free(stack.items);
	return status;
}

int exs_walk_run(struct exs_walk *w)
{
	struct exs_buf child;
	/* Longer than any path a platform accepts (\\?\ allows 32767 UTF-16
	 * units, which is at most about 98 KiB of UTF-8). */
	exs_buf_init(&child, 128 * 1024);
	int status = EXS_OK;
	for (size_t i = 0; !status && i < w->roots->count; i++)
		status = walk_root(w, w->roots->items[i], &child);
	exs_buf_free(&child);
	return status;
}
