/* sweep_setup.h -- shared set-up of init, check and scan (sweep_setup.c). */
#ifndef EXS_SWEEP_SETUP_H
#define EXS_SWEEP_SETUP_H

#include "cli.h"
#include "sweep.h"
#include "walk.h"

struct exs_setup {
	const struct exs_strlist *roots;      /* as asked */
	const struct exs_strlist *web_roots;
	struct exs_strlist walk_roots;        /* deduplicated, with web roots */
	struct exs_excludes excludes;
	int scan_paths_only;                  /* set before exs_setup_begin */
	int configured_must_exist;            /* init: as above */
};

/* Roots: the command line's, else the config's, else the fallback (the
 * ones recorded in the baseline). */
int exs_setup_begin(struct exs_cli *cli, struct exs_setup *st,
		    const struct exs_strlist *fallback_roots,
		    const struct exs_strlist *fallback_web_roots,
		    struct exs_error *err);
void exs_setup_end(struct exs_setup *st);
/* check and update, once the baseline is open (and locked): the roots it
 * recorded at init (the fallback when neither the command line nor the
 * config names any, kept in base_roots and base_web, which the caller frees
 * after the sweep), the set-up over them, the rule warnings on stderr, and
 * the run started with the baseline's fields and digest comparison. */
int exs_setup_from_baseline(struct exs_cli *cli, struct exs_setup *st,
			    struct exs_run *run, const char *command,
			    struct exs_rules *rules, struct exs_store *store,
			    struct exs_strlist *base_roots,
			    struct exs_strlist *base_web,
			    struct exs_error *err);
int exs_setup_sweep(struct exs_cli *cli, struct exs_setup *st,
		    struct exs_run *run, enum exs_sweep_mode mode,
		    struct exs_rules *rules, struct exs_store *baseline,
		    int (*collect)(void *ctx, struct exs_item *item), void *ctx,
		    struct exs_error *err);
/* 1 when a baseline path lies in what this sweep looked at: under a walked
 * root, not excluded, and not below a folder that could not be listed. A
 * baseline path outside that is neither removed nor kept: it was not seen. */
int exs_setup_covers(const struct exs_cli *cli, const struct exs_setup *st,
		     const struct exs_strlist *unreadable_dirs,
		     const char *path, size_t len);
/* check and update, for each walked item: what every sweep records
 * (exs_cli_collect_common), the folders that could not be listed (kept in
 * unreadable_dirs for exs_setup_covers), the Exchange build seen in the
 * path, and, for a file, its mark as seen in the baseline so it is not
 * reported removed. *readable is 1 only for a file that was read. */
int exs_setup_collect_seen(struct exs_run *run, struct exs_store *store,
			   struct exs_strlist *unreadable_dirs,
			   struct exs_item *item, int *readable,
			   struct exs_error *err);
/* Creates the folder that will hold path (private), if missing. */
int exs_setup_parent_dir(struct exs_cli *cli, const char *path,
			 struct exs_error *err);

#endif
