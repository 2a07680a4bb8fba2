/* hits.h -- who requested a file: from a finding's path to its URL (IIS
 * sites and virtual directories), and from the logs to first and last
 * request, counts, client addresses, methods, statuses, agents, sizes, and
 * what else those clients asked for in the same window.
 *
 * Two passes over the logs: exs_hits_request counts the requests to every
 * target; exs_hits_context (only when some target was requested) counts
 * the other URLs its top clients requested from an hour before its first
 * request to an hour after its last. Both are exs_logscan_fn callbacks and
 * may run on many threads. Memory is bounded: at most EXS_HITS_TARGETS_MAX
 * targets and EXS_HITS_TABLE entries per counted list; what does not fit
 * is counted, not kept.
 */
#ifndef EXS_HITS_H
#define EXS_HITS_H

#include <stddef.h>

#include "iis_sites.h"
#include "logscan.h"
#include "platform.h"
#include "run.h"

#define EXS_HITS_TARGETS_MAX 256
#define EXS_HITS_TABLE 256
#define EXS_HITS_WINDOW_NS (3600LL * 1000000000LL)

struct exs_hits;

/* drive_root replaces %SystemDrive% and drive letters of configured paths
 * (the --image folder, or "C:"); sep is the platform's separator. The
 * config is copied. */
int exs_hits_create(const struct exs_platform *plat,
		    const struct exs_iis_config *iis, const char *drive_root,
		    struct exs_hits **out);
/* Adds a file to look for (on_disk 0 for a removed file). Returns EXS_OK when it maps to a URL (*mapped
 * 1), EXS_OK with *mapped 0 when no virtual directory serves it, EXS_LIMIT
 * past EXS_HITS_TARGETS_MAX, EXS_NOMEM. */
int exs_hits_add_target(struct exs_hits *h, const char *path, size_t len,
			int on_disk, int *mapped);
/* Also report script pages (.aspx, .ashx, .asmx, .asp, ...) requested with
 * a 2xx status below aspnet_client or an auth folder whose file is not on
 * disk: a webshell deleted after use. */
void exs_hits_watch_missing(struct exs_hits *h);

int exs_hits_request(void *ctx, unsigned worker, const char *file,
		     struct exs_logreq *r, struct exs_trace_scratch *s,
		     const struct exs_technique *const *hits, size_t hit_count);
/* 1 when a target was requested: the context pass is worth its time.
 * Prepares it (the client sets). */
int exs_hits_begin_context(struct exs_hits *h);
int exs_hits_context(void *ctx, unsigned worker, const char *file,
		     struct exs_logreq *r, struct exs_trace_scratch *s,
		     const struct exs_technique *const *hits, size_t hit_count);

/* The requested targets, as the report shows them (malloc'd array, paths
 * owned by it). */
int exs_hits_export(struct exs_hits *h, struct exs_url_hits **out,
		    size_t *count);
/* The URL a path maps to ("" when none) and the site's label. */
int exs_hits_url_of(struct exs_hits *h, const char *path, size_t len,
		    char *url, size_t cap);
void exs_hits_free(struct exs_hits *h);

#endif
