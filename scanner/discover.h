/* discover.h -- where Exchange and IIS live, and the roots that follow.
 *
 * The built-in defaults name the stock folders (C:\Program Files\Microsoft\
 * Exchange Server\V15, C:\inetpub), but Exchange is often installed on
 * another drive. This module asks the platform where Setup put it (registry,
 * then the ExchangeInstallPath variable), or maps the stock layout onto a
 * mounted image of a system drive (--image), and derives the roots from that:
 *
 *   roots       the install folder; the inetpub folder (parent of wwwroot)
 *   web roots   INSTALL\FrontEnd\HttpProxy, INSTALL\ClientAccess (Owa, ecp,
 *               Oab, Autodiscover, exchweb), the wwwroot (aspnet_client)
 *   and, where they exist, the extension points of IIS and .NET under
 *   %windir% (EXS_DISCOVER_WINDOWS_FOLDERS): System32\inetsrv (config and
 *   module images), the GAC folders Microsoft.NET\assembly and assembly,
 *   the Framework Config folders (the root web.config) and the Temporary
 *   ASP.NET Files compilation caches (volatile: exs_discover_is_volatile)
 *
 * Paths are joined with the platform's separator. Nothing here touches the
 * OS but through struct exs_platform; a config file's root and web_root keys
 * still win over whatever is discovered (exs_cli_load_config).
 */
#ifndef EXS_DISCOVER_H
#define EXS_DISCOVER_H

#include "platform.h"
#include "strlist.h"

#define EXS_DISCOVER_PATH_MAX 4096

/* How the install folder was found. Names: exs_discover_source_name. */
enum exs_discover_source {
	EXS_DISCOVER_NONE = 0,  /* nothing found: built-in defaults */
	EXS_DISCOVER_REGISTRY,  /* HKLM ...\ExchangeServer\v15\Setup */
	EXS_DISCOVER_ENV,       /* the ExchangeInstallPath variable */
	EXS_DISCOVER_IMAGE,     /* --image DIR */
	EXS_DISCOVER_CONFIG,    /* the config file sets the roots */
};

struct exs_discovery {
	enum exs_discover_source source;
	char install[EXS_DISCOVER_PATH_MAX]; /* "" if unknown; no final separator */
	char wwwroot[EXS_DISCOVER_PATH_MAX]; /* "" if unknown; no final separator */
	int wwwroot_found;                   /* from IIS or the image, not stock */
	char windir[EXS_DISCOVER_PATH_MAX];  /* "" if unknown */
	struct exs_strlist roots;            /* derived; empty if nothing found */
	struct exs_strlist web_roots;
	/* The folders of the configuration files whose registrations are read
	 * (inetsrv\config, the Framework Config folders, TransportRoles\
	 * Shared), where they exist: scan without PATHs walks them beside the
	 * web roots. */
	struct exs_strlist config_roots;
};

/* "none", "registry", "env", "--image", "config". */
const char *exs_discover_source_name(enum exs_discover_source source);

/* Derives roots and web roots from an install folder and an IIS wwwroot,
 * either of which may be NULL or "". Final separators ('/' and separator)
 * are ignored; items are joined with separator. Appends to the lists;
 * returns EXS_OK or EXS_NOMEM. */
int exs_discover_derive(char separator, const char *install,
			const char *wwwroot, struct exs_strlist *roots,
			struct exs_strlist *web_roots);

/* Asks the platform (exchange_install_path, iis_wwwroot) and derives the
 * lists. Finding nothing is not an error: out->source is then NONE and the
 * lists are empty. On a platform with '\' separators a wwwroot that IIS does
 * not report is taken to be the stock C:\inetpub\wwwroot. Returns EXS_OK or
 * EXS_NOMEM. */
int exs_discover_native(const struct exs_platform *plat,
			struct exs_discovery *out, struct exs_error *err);

/* Maps the stock layout onto dir, a mounted Windows system drive: the install
 * folder is dir/Program Files/Microsoft/Exchange Server/V15, or the same names
 * in any ASCII case, found by listing folders; inetpub and wwwroot likewise,
 * falling back to the stock spelling. Returns EXS_OK, EXS_NOMEM, or
 * EXS_USAGE when there is no install folder, with a message naming the path
 * that was looked for. */
int exs_discover_image(const struct exs_platform *plat, const char *dir,
		       struct exs_discovery *out, struct exs_error *err);

void exs_discovery_free(struct exs_discovery *d);

/* Whether path lies in a compilation cache (a "Temporary ASP.NET Files"
 * folder, any case): files there come and go whenever a page is compiled,
 * so check judges them (YARA, heuristics) but does not list their churn as
 * added, changed or removed. */
int exs_discover_is_volatile(const char *path, size_t len, char separator);

#endif
