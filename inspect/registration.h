/* registration.h -- what IIS and Exchange configuration registers: the
 * extension points attackers have used since 2021 (native IIS modules and
 * ISAPI filters, managed modules and handlers, handler mappings, virtual
 * directories, transport agents) and the machineKey.
 *
 * A registration is plain data: the worker's config parsers (iis_config.c,
 * agents_config.c) produce them from a file's bytes, judge_wire.c carries
 * them to the parent in their own verdict section, the baseline keeps them
 * by the config file's SHA-256 (store.h), and regcheck.c judges them on the
 * privileged side, where it knows the Windows and Exchange folders.
 *
 * Identity (what `check` matches old and new by): kind, scope, name, path.
 * Value (what makes a match "changed"): image, type, extra. The line is
 * where it stands now and is reported, never compared.
 */
#ifndef EXS_REGISTRATION_H
#define EXS_REGISTRATION_H

#include <stddef.h>
#include <stdint.h>

/* Append only: the numbers are stored in baselines. */
enum exs_reg_kind {
	EXS_REG_GLOBAL_MODULE = 1, /* system.webServer/globalModules/add: image */
	EXS_REG_ISAPI_FILTER = 2,  /* isapiFilters/filter: path */
	EXS_REG_MODULE = 3,        /* modules/add, httpModules/add: type */
	EXS_REG_HANDLER = 4,       /* handlers/add, httpHandlers/add */
	EXS_REG_VIRTUAL_DIR = 5,   /* site/application/virtualDirectory */
	EXS_REG_TRANSPORT_AGENT = 6, /* agents.config agent: assemblyPath */
	EXS_REG_MACHINE_KEY = 7,   /* system.web/machineKey (keys as digests) */
	EXS_REG_KIND_MAX = 7
};

/* Field sizes, NUL included. A value longer than its field is cut and the
 * registration carries EXS_REG_TRUNCATED (itself a reason for suspicion:
 * a padded path could hide its real end). */
#define EXS_REG_SHORT 256
#define EXS_REG_LONG 520
/* The most registrations read from one file; more is an error naming the
 * file, so padding cannot push an entry out of sight unnoticed. */
#define EXS_REG_MAX 2048

#define EXS_REG_TRUNCATED 1u

struct exs_registration {
	uint32_t kind;                  /* enum exs_reg_kind */
	uint32_t flags;                 /* EXS_REG_* */
	uint64_t line;                  /* 1-based */
	char scope[EXS_REG_SHORT];      /* <location path>, or the site */
	char name[EXS_REG_SHORT];       /* the entry's name */
	char path[EXS_REG_SHORT];       /* handler: request path ("*.log");
					   virtual directory: URL path */
	char image[EXS_REG_LONG];       /* image, path, scriptProcessor,
					   assemblyPath or physicalPath, as
					   written */
	char type[EXS_REG_LONG];        /* managed type; agent classFactory */
	char extra[EXS_REG_LONG];       /* "key=value" pairs: preCondition,
					   modules, verb, baseType, enabled;
					   machineKey settings */
};

/* "global_module", "isapi_filter", "managed_module", "handler",
 * "virtual_directory", "transport_agent", "machine_key"; "unknown". */
const char *exs_reg_kind_name(uint32_t kind);

/* Copies src into a field of cap bytes; sets EXS_REG_TRUNCATED in r when it
 * does not fit. */
void exs_reg_set(struct exs_registration *r, char *field, size_t cap,
		 const char *src);

/* Whether a and b are the same entry (kind, scope, name, path), and whether
 * its value differs. */
int exs_reg_same_entry(const struct exs_registration *a,
		       const struct exs_registration *b);
int exs_reg_same_value(const struct exs_registration *a,
		       const struct exs_registration *b);

/* Whether name (a file's base name) is one the config parsers read:
 * applicationHost.config, web.config, agents.config, fetagents.config, in
 * any ASCII case. */
int exs_reg_is_config_name(const char *name, size_t len);
/* Whether the file at path is one to read: web.config, agents.config and
 * fetagents.config anywhere, applicationHost.config only in a folder named
 * config (inetsrv\config), not the snapshots IIS keeps in
 * inetpub\history\CFGHISTORY_n, which would report every registration
 * again with each snapshot. */
int exs_reg_is_config_path(const char *path, size_t len, char sep);

/* Parses one configuration file's bytes into registrations (malloc'd; the
 * caller frees *out). EXS_OK; EXS_INVAL or EXS_LIMIT with *line and why
 * saying where and what (the file is not well-formed, has a DOCTYPE, nests
 * too deep, or registers more than EXS_REG_MAX entries); EXS_NOMEM. */
int exs_config_registrations(const unsigned char *data, size_t len,
			     struct exs_registration **out, size_t *count,
			     uint64_t *line, char *why, size_t why_cap);

#endif
