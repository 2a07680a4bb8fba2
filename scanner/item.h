/* item.h -- one path travelling through the sweep pipeline.
 *
 * The walker creates an item for every entry worth reporting: a regular file
 * (which a worker then hashes and scans), a node that is skipped (link, FIFO,
 * socket, device) or a folder that could not be listed. The collector on the
 * main thread receives it, turns it into records and findings, and frees it.
 * Items live only while in flight, so memory does not grow with the tree.
 */
#ifndef EXS_ITEM_H
#define EXS_ITEM_H

#include <stddef.h>

#include "finding.h"
#include "record.h"
#include "registration.h"
#include "signature.h"

enum exs_item_kind { EXS_ITEM_FILE, EXS_ITEM_SKIPPED, EXS_ITEM_ERROR };

struct exs_item {
	enum exs_item_kind kind;
	char *path;                  /* owned */
	size_t path_len;
	int is_web;                  /* inside a web root */
	enum exs_node node;          /* for skipped items */
	int status;                  /* EXS_OK, or why the file was not read */
	struct exs_error err;
	struct exs_record rec;       /* when status == EXS_OK */
	int has_old;                 /* check: the baseline knows this path */
	struct exs_record old_rec;
	int has_path_key;            /* path_key is set (hash.h) */
	unsigned char path_key[16];
	unsigned diff;               /* check: exs_record_diff(old, new) */
	int scanned;                 /* YARA ran over the content */
	int content_shared;          /* the clean verdict of identical bytes
					(this run's, or the baseline's)
					stood for content judges */
	int verdict_reused;          /* check: the baseline knew these bytes
					clean under these rules: not rescanned */
	int scan_status;             /* EXS_OK or why the scan failed */
	struct exs_error scan_err;
	struct exs_hit *hits;        /* owned; a collector may take them */
	size_t hit_count;
	struct exs_hit *suspicious;  /* heuristic hits, owned likewise */
	size_t suspicious_count;
	/* An IIS or Exchange configuration file whose registrations were read
	 * (inspect/registration.h): config_read is 1 and regs owned. */
	int config_read;
	struct exs_registration *regs;
	size_t reg_count;
	struct exs_signature sig;    /* a PE image's Authenticode verdict;
					sig.status EXS_SIG_NONE otherwise */
};

struct exs_item *exs_item_new(const char *path, size_t len);
void exs_item_free(struct exs_item *item);

#endif
