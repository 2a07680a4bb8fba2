/* walk.h -- walking the roots without following anything.
 *
 * The walk is iterative (a stack of pending folders, each listed and closed
 * before its children are opened), so deep trees cost neither stack nor file
 * handles. Links, junctions, FIFOs, sockets and devices are reported as
 * skipped, never opened or followed; a folder deeper than max_depth is an
 * error item. Excluded folders are pruned without being listed.
 *
 * Exclusion: the admin's patterns apply everywhere; the built-in Exchange
 * patterns never apply inside a web root, nor to a folder that contains one,
 * because attackers hid webshells exactly where antivirus exclusions point.
 */
#ifndef EXS_WALK_H
#define EXS_WALK_H

#include "item.h"
#include "path.h"
#include "platform.h"
#include "strlist.h"

struct exs_excludes {
	struct exs_pattern *user;
	size_t user_count;
	struct exs_pattern *builtin;
	size_t builtin_count;
	const struct exs_strlist *web_roots;
	char sep;
	int case_insensitive;
};

/* Compiles the patterns; builtin may be NULL (no built-in excludes). */
int exs_excludes_init(struct exs_excludes *x, const struct exs_strlist *user,
		      const char *const *builtin,
		      const struct exs_strlist *web_roots,
		      const struct exs_platform *plat, struct exs_error *err);
void exs_excludes_free(struct exs_excludes *x);
/* 1 when path (a folder or a file) is excluded. */
int exs_excludes_match(const struct exs_excludes *x, const char *path,
		       size_t len, int is_dir);
/* 1 when path or one of its folders is excluded (for baseline entries). */
int exs_excludes_match_ancestor(const struct exs_excludes *x, const char *path,
				size_t len);
/* 1 when path lies inside one of the web roots. */
int exs_in_web_root(const struct exs_strlist *web_roots, const char *path,
		    size_t len, char sep, int case_insensitive);

/* Reduces roots to those not inside another root, and adds each web root
 * not inside a root: the set of folders to walk. */
int exs_walk_roots(const struct exs_strlist *roots,
		   const struct exs_strlist *web_roots,
		   const struct exs_platform *plat, struct exs_strlist *out);

struct exs_walk {
	const struct exs_platform *plat;
	const struct exs_strlist *roots;      /* from exs_walk_roots */
	const struct exs_strlist *web_roots;
	const struct exs_excludes *excludes;
	unsigned max_depth;
	/* Receives each item; a nonzero return stops the walk. */
	int (*emit)(void *ctx, struct exs_item *item);
	void *ctx;
	unsigned long long dirs, excluded;    /* counts, for the report */
};

/* Walks every root; returns the first nonzero emit result, EXS_NOMEM, or
 * EXS_OK. Unreadable folders are error items, not failures. */
int exs_walk_run(struct exs_walk *w);

#endif
