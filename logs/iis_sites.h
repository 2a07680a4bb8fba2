/* iis_sites.h -- IIS sites, their URL space and their log folders, read from
 * applicationHost.config.
 *
 * Only what the log pass needs: each <site>'s id and name, its
 * <application path> and <virtualDirectory path physicalPath> pairs, its
 * <logFile directory>, and <siteDefaults>'s. The reader here is a small,
 * bounded scanner of start tags and attributes (no DTD, no entities but the
 * five predefined, no namespaces), enough for the file IIS writes. It fills
 * struct exs_iis_config and nothing else, so that an expat-based reader of
 * the same file (inspect/, for the modules and handlers) can replace it
 * behind exs_iis_parse without touching its users.
 */
#ifndef EXS_IIS_SITES_H
#define EXS_IIS_SITES_H

#include <stddef.h>

#define EXS_IIS_SITES_MAX 64
#define EXS_IIS_VDIRS_MAX 1024
#define EXS_IIS_PATH_MAX 1024
#define EXS_IIS_CONFIG_MAX (16u << 20)   /* bytes of applicationHost.config */

struct exs_iis_vdir {
	unsigned site;                   /* index into sites */
	char url[EXS_IIS_PATH_MAX];      /* application path + vdir path: "/owa" */
	char physical[EXS_IIS_PATH_MAX]; /* as configured: "%SystemDrive%\..." */
};

struct exs_iis_site {
	unsigned long id;                /* W3SVC<id> */
	char name[128];
	char log_dir[EXS_IIS_PATH_MAX];  /* "" for the default */
};

struct exs_iis_config {
	struct exs_iis_site sites[EXS_IIS_SITES_MAX];
	unsigned site_count;
	struct exs_iis_vdir *vdirs;      /* owned */
	unsigned vdir_count;
	char default_log_dir[EXS_IIS_PATH_MAX]; /* siteDefaults, or IIS's own */
};

/* Parses the document. Returns 0, or -1 when memory ran out. A document
 * that is not applicationHost.config yields no sites. */
int exs_iis_parse(const char *xml, size_t len, struct exs_iis_config *out);
/* The stock layout of an Exchange server (when the file is not there):
 * site 1 with wwwroot and the FrontEnd\HttpProxy folders, site 2 (the back
 * end) with the ClientAccess ones. install and wwwroot are folders, sep the
 * separator to join with. */
int exs_iis_stock(struct exs_iis_config *out, const char *install,
		  const char *wwwroot, char sep);
void exs_iis_free(struct exs_iis_config *cfg);

/* Turns a configured path into one to open: %SystemDrive% (any case) and a
 * leading drive letter become drive_root (the image folder, or "C:"),
 * separators become sep. Returns 0, or -1 if it does not fit in cap. */
int exs_iis_local_path(const char *configured, const char *drive_root,
		       char sep, char *out, size_t cap);

#endif
