/* config.h -- exsweep's settings: built-in defaults, then the INI file, then
 * the command line, in that order.
 *
 * The keys live in one table, config.def (section, key, type, default, bounds,
 * help). The INI parser (through inih), the commented sample exsweep.ini, the
 * `exsweep config` dump and the documentation of --help all come from it.
 * An unknown section or key, or a bad value, is an error "FILE:LINE: message"
 * (status EXS_CONFIG) and nothing is half-applied. Every configuration the
 * loader or exs_config_set can produce dumps to a file that loads back to
 * the same configuration (and dumps the same).
 */
#ifndef EXS_CONFIG_H
#define EXS_CONFIG_H

#include <stdint.h>

#include "platform.h"
#include "strlist.h"

struct exs_config {
	/* [scan] */
	struct exs_strlist roots;      /* folders walked by init and check */
	struct exs_strlist web_roots;  /* web-facing folders: always YARA-scanned */
	struct exs_strlist excludes;   /* the admin's own exclude patterns */
	int default_excludes;          /* apply the built-in Exchange excludes */
	unsigned threads;              /* 0: one worker per core */
	unsigned max_depth;            /* deepest folder level walked */
	int gate;                      /* built-in rules on marked files only */
	int low_priority;              /* lowest CPU and I/O priority */
	/* [yara] */
	uint64_t yara_max_size;        /* larger files are hashed, not scanned */
	unsigned yara_timeout;         /* seconds per file */
	char *rules_dir;               /* extra rules folder, NULL if none */
	int gate_extra_rules;          /* the extra rules gated too */
	/* [baseline] */
	char *baseline_path;
	char *baseline_key;            /* the seal key file */
	/* [logs] */
	struct exs_strlist log_dirs;   /* empty: derived from IIS and V15 */
	uint64_t log_budget;           /* bytes per log pass, 0: no cap */
	char *iis_config;              /* applicationHost.config, NULL: found */
	/* [provenance] */
	char *provenance_reference;    /* a clean server's export, NULL: none */
	/* [trust] */
	char *trust_ca_file;           /* PEM/DER certificates, NULL: none */
	char *trust_ca_dir;            /* a folder of them, NULL: none */
	struct exs_strlist trust_signers; /* vouched signer names */
	/* [report] */
	char *report_dir;              /* NULL: no dated report file */
	struct exs_strlist report_formats; /* "json", "ndjson" */
	/* [sandbox] */
	int sandbox;                   /* judge files in sandboxed workers */
	char *sandbox_user;            /* the workers' account (root only) */
	uint64_t sandbox_memory;       /* a worker's memory, beyond its buffers */

	char *source;                  /* the file these came from, NULL if none */
};

/* The built-in Exchange excludes, as patterns (see exs_pattern_match in
 * path.h). They never apply inside a web root. NULL-terminated. */
extern const char *const exs_default_excludes[];

/* Fills cfg with the built-in defaults for this platform. */
int exs_config_init(struct exs_config *cfg, const struct exs_platform *plat,
		    struct exs_error *err);

/* Reads an INI file over the current values. List keys (root, web_root,
 * exclude) given in the file replace the defaults' lists, and repeat to add
 * more. The file is read through the platform layer. On error cfg keeps the
 * values it had before the call. */
int exs_config_load(struct exs_config *cfg, const struct exs_platform *plat,
		    const char *path, struct exs_error *err);

/* Same, from a buffer; name is used in error messages ("name:LINE: ..."). */
int exs_config_load_buffer(struct exs_config *cfg, const char *name,
			   const char *text, size_t len, struct exs_error *err);

/* Sets one value as a line "name = value" in [section] of a file would,
 * except that a list key gets one more item (the command line adds to
 * lists): the same checks (a bad value, an exclude pattern that does not
 * compile, a value too long), and also no line break and valid UTF-8, so
 * that every value exsweep holds is one the dump can write and a load read
 * back. EXS_CONFIG with where ("option '-x'") and the reason; EXS_NOMEM. */
int exs_config_set(struct exs_config *cfg, const char *section,
		   const char *name, const char *value, const char *where,
		   struct exs_error *err);

/* Parses "123", "64K", "16M", "2G" (powers of 1024). */
int exs_config_parse_size(const char *text, uint64_t *out);

/* Writes the effective configuration as INI text through the callback,
 * one call per chunk. */
int exs_config_dump(const struct exs_config *cfg,
		    int (*write)(void *ctx, const char *text, size_t len),
		    void *ctx);

/* Writes the commented sample configuration (every key with its help and
 * default) through the callback: the source of exsweep.ini. */
int exs_config_write_sample(int (*write)(void *ctx, const char *text,
					 size_t len),
			    void *ctx);

void exs_config_free(struct exs_config *cfg);

#endif
