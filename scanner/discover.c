/* discover.c -- the install folder and web roots of Exchange, from the
 * platform (registry, environment) or from a mounted image.
 *
 * Everything the OS knows comes through struct exs_platform; the rest is
 * string work, so the unit test drives it with a fake table (both path
 * separators). See discover.h for what is derived.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "discover.h"

/* The folders under %windir% that hold IIS's and .NET's extension points,
 * walked when they exist. */
static const char *const windows_folders[][6] = {
	{ "System32", "inetsrv", NULL },
	{ "Microsoft.NET", "assembly", NULL },
	{ "assembly", NULL },
	{ "Microsoft.NET", "Framework64", "v4.0.30319", "Config", NULL },
	{ "Microsoft.NET", "Framework", "v4.0.30319", "Config", NULL },
	{ "Microsoft.NET", "Framework64", "v4.0.30319",
	  "Temporary ASP.NET Files", NULL },
	{ "Microsoft.NET", "Framework", "v4.0.30319", "Temporary ASP.NET Files",
	  NULL },
};

/* The stock web root, for a Windows host whose IIS does not say. */
#define STOCK_WWWROOT "C:\\inetpub\\wwwroot"

const char *exs_discover_source_name(enum exs_discover_source source)
{
	switch (source) {
	case EXS_DISCOVER_REGISTRY: return "registry";
	case EXS_DISCOVER_ENV: return "env";
	case EXS_DISCOVER_IMAGE: return "--image";
	case EXS_DISCOVER_CONFIG: return "config";
	case EXS_DISCOVER_NONE: break;
	}
	return "none";
}

static int is_separator(char c, char separator)
{
	return c == '/' || c == separator;
}

/* Length of path without its final separators, keeping a root as it is:
 * "/" and "C:\" stay, since "C:" alone means the current folder on C:. */
static size_t trimmed_length(const char *path, char separator)
{
	size_t len = strlen(path);
	size_t keep = len >= 3 && path[1] == ':' ? 3 : 1;
	while (len > keep && is_separator(path[len - 1], separator))
		len--;
	return len;
}

/* Copies path without final separators into out (cap bytes). Returns 0, or
 * -1 when it does not fit. */
static int copy_trimmed(char *out, size_t cap, const char *path,
			char separator)
{
	size_t len = trimmed_length(path, separator);
	if (len >= cap)
		return -1;
	memcpy(out, path, len);
	out[len] = '\0';
	return 0;
}

/* Adds base + separator + each of the NULL-terminated names. */
static int add_joined(struct exs_strlist *list, char separator,
		      const char *base, size_t base_len, const char *const *names)
{
	struct exs_buf b;
	exs_buf_init(&b, 2 * EXS_DISCOVER_PATH_MAX);
	exs_buf_append(&b, base, base_len);
	for (; *names; names++) {
		if (!b.len || !is_separator(b.data[b.len - 1], separator))
			exs_buf_putc(&b, separator);
		exs_buf_puts(&b, *names);
	}
	int rc = b.failed ? EXS_NOMEM : exs_strlist_add(list, b.data, b.len);
	exs_buf_free(&b);
	return rc ? EXS_NOMEM : EXS_OK;
}

int exs_discover_derive(char separator, const char *install,
			const char *wwwroot, struct exs_strlist *roots,
			struct exs_strlist *web_roots)
{
	static const char *const httpproxy[] = { "FrontEnd", "HttpProxy", NULL };
	static const char *const client_access[] = { "ClientAccess", NULL };
	static const char *const none[] = { NULL };
	int rc = EXS_OK;
	if (install && install[0]) {
		size_t len = trimmed_length(install, separator);
		rc = add_joined(roots, separator, install, len, none);
		if (!rc)
			rc = add_joined(web_roots, separator, install, len,
					httpproxy);
		if (!rc)
			rc = add_joined(web_roots, separator, install, len,
					client_access);
	}
	if (!rc && wwwroot && wwwroot[0]) {
		size_t len = trimmed_length(wwwroot, separator);
		/* inetpub is the folder that holds wwwroot: logs, temp and
		 * custerr live beside it. */
		size_t parent = len;
		while (parent > 0 && !is_separator(wwwroot[parent - 1], separator))
			parent--;
		while (parent > 1 && is_separator(wwwroot[parent - 1], separator))
			parent--;
		/* "C:" alone is a drive, not a folder to walk. */
		int drive_only = parent == 2 && wwwroot[1] == ':';
		if (parent > 0 && parent < len && !drive_only &&
		    !is_separator(wwwroot[parent - 1], separator))
			rc = add_joined(roots, separator, wwwroot, parent, none);
		if (!rc)
			rc = add_joined(web_roots, separator, wwwroot, len, none);
	}
	return rc;
}

void exs_discovery_free(struct exs_discovery *d)
{
	exs_strlist_free(&d->roots);
	exs_strlist_free(&d->web_roots);
	exs_strlist_free(&d->config_roots);
}

static void discovery_reset(struct exs_discovery *d)
{
	memset(d, 0, sizeof(*d));
}

static int discovery_derive(const struct exs_platform *plat,
			    struct exs_discovery *d, struct exs_error *err)
{
	if (exs_discover_derive(plat->path_separator, d->install, d->wwwroot,
				&d->roots, &d->web_roots)) {
		exs_discovery_free(d);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	}
	return EXS_OK;
}

static int add_windows_folders(const struct exs_platform *plat,
			       struct exs_discovery *out, struct exs_error *err);

int exs_discover_native(const struct exs_platform *plat,
			struct exs_discovery *out, struct exs_error *err)
{
	char raw[EXS_DISCOVER_PATH_MAX];
	struct exs_error ignored;
	discovery_reset(out);
	if (!plat->exchange_install_path ||
	    plat->exchange_install_path(raw, sizeof(raw), &ignored) != EXS_OK ||
	    !raw[0] ||
	    copy_trimmed(out->install, sizeof(out->install), raw,
			 plat->path_separator))
		out->install[0] = '\0';
	if (plat->iis_wwwroot &&
	    plat->iis_wwwroot(raw, sizeof(raw), &ignored) == EXS_OK && raw[0] &&
	    !copy_trimmed(out->wwwroot, sizeof(out->wwwroot), raw,
			  plat->path_separator))
		out->wwwroot_found = 1;
	if (plat->path_separator == '\\' && plat->env_get &&
	    (plat->env_get("windir", raw, sizeof(raw)) == EXS_OK ||
	     plat->env_get("SystemRoot", raw, sizeof(raw)) == EXS_OK) &&
	    raw[0])
		copy_trimmed(out->windir, sizeof(out->windir), raw,
			     plat->path_separator);
	if (!out->install[0] && !out->wwwroot_found)
		return EXS_OK; /* nothing found: the built-in defaults stand */
	/* The platform does not say which source answered. POSIX has only
	 * the variable; Win32 asks the registry first, and Setup sets the
	 * variable to the same folder, so there it is taken as the registry. */
	if (out->install[0])
		out->source = plat->path_separator == '/' ? EXS_DISCOVER_ENV
							  : EXS_DISCOVER_REGISTRY;
	if (!out->wwwroot_found && plat->path_separator == '\\')
		snprintf(out->wwwroot, sizeof(out->wwwroot), "%s",
			 STOCK_WWWROOT);
	int rc = discovery_derive(plat, out, err);
	if (!rc)
		rc = add_windows_folders(plat, out, err);
	return rc;
}

/* -- Images: names in any case ----------------------------------------------- */

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int same_name_ignoring_case(const char *a, size_t a_len, const char *b)
{
	size_t b_len = strlen(b);
	if (a_len != b_len)
		return 0;
	for (size_t i = 0; i < a_len; i++)
		if (ascii_lower((unsigned char)a[i]) !=
		    ascii_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static int is_directory(const struct exs_platform *plat, const char *path)
{
	struct exs_stat st;
	struct exs_error ignored;
	return plat->path_stat(path, &st, &ignored) == EXS_OK &&
	       st.node == EXS_NODE_DIR;
}

/* Finds the folder name under dir (cap bytes, holding a path): first as
 * spelt, then in any ASCII case by listing dir. Appends separator and the
 * name as found to dir. Returns EXS_OK, EXS_NOENT or EXS_NOMEM/EXS_LIMIT. */
static int descend(const struct exs_platform *plat, char *dir, size_t cap,
		   const char *name)
{
	size_t len = strlen(dir);
	size_t name_len = strlen(name);
	/* A root ("/", "C:\") already ends with its separator. */
	int has_separator = len && is_separator(dir[len - 1],
						plat->path_separator);
	size_t name_at = has_separator ? len : len + 1;
	if (name_at + name_len >= cap)
		return EXS_LIMIT;
	dir[len] = plat->path_separator;
	memcpy(dir + name_at, name, name_len + 1);
	if (is_directory(plat, dir))
		return EXS_OK;
	dir[name_at] = '\0';
	if (!has_separator)
		dir[len] = '\0';

	struct exs_dir *d;
	struct exs_error ignored;
	if (plat->dir_open(dir, &d, &ignored) != EXS_OK)
		return EXS_NOENT;
	int rc = EXS_NOENT;
	struct exs_dirent e;
	while (plat->dir_next(d, &e, &ignored) == EXS_OK && e.name) {
		/* A link in a hostile image is not followed: skip it. */
		if (e.node != EXS_NODE_DIR && e.node != EXS_NODE_UNKNOWN)
			continue;
		if (!same_name_ignoring_case(e.name, e.name_len, name))
			continue;
		if (name_at + e.name_len >= cap) {
			rc = EXS_LIMIT;
			break;
		}
		dir[len] = plat->path_separator;
		memcpy(dir + name_at, e.name, e.name_len);
		dir[name_at + e.name_len] = '\0';
		if (e.node == EXS_NODE_DIR || is_directory(plat, dir)) {
			rc = EXS_OK;
			break;
		}
		dir[name_at] = '\0';
		if (!has_separator)
			dir[len] = '\0';
	}
	plat->dir_close(d);
	return rc;
}

/* base + names, each found in any case; on EXS_NOENT out holds the stock
 * spelling, for messages and fallbacks. */
static int resolve(const struct exs_platform *plat, const char *base,
		   const char *const *names, char *out, size_t cap)
{
	const char *const *n;
	if (copy_trimmed(out, cap, base, plat->path_separator))
		return EXS_LIMIT;
	for (n = names; *n; n++) {
		int rc = descend(plat, out, cap, *n);
		if (rc == EXS_NOENT)
			break;
		if (rc)
			return rc;
	}
	if (!*n)
		return EXS_OK;
	/* Not there: spell the rest as stock. */
	for (; *n; n++) {
		size_t len = strlen(out);
		int n_written;
		if (len && is_separator(out[len - 1], plat->path_separator))
			n_written = snprintf(out + len, cap - len, "%s", *n);
		else
			n_written = snprintf(out + len, cap - len, "%c%s",
					     plat->path_separator, *n);
		if (n_written < 0 || (size_t)n_written >= cap - len)
			return EXS_LIMIT;
	}
	return EXS_NOENT;
}

/* The IIS and .NET folders under out->windir that exist, as roots. */
static int add_windows_folders(const struct exs_platform *plat,
			       struct exs_discovery *out, struct exs_error *err)
{
	static const char *const config_folders[][6] = {
		{ "System32", "inetsrv", "config", NULL },
		{ "Microsoft.NET", "Framework64", "v4.0.30319", "Config", NULL },
		{ "Microsoft.NET", "Framework", "v4.0.30319", "Config", NULL },
	};
	static const char *const shared[] = { "TransportRoles", "Shared", NULL };
	char found[EXS_DISCOVER_PATH_MAX];
	int rc = EXS_OK;
	if (out->install[0] &&
	    resolve(plat, out->install, shared, found, sizeof(found)) == EXS_OK)
		rc = exs_strlist_add_str(&out->config_roots, found);
	for (size_t i = 0; !rc && out->windir[0] &&
			   i < sizeof(windows_folders) / sizeof(windows_folders[0]);
	     i++)
		if (resolve(plat, out->windir, windows_folders[i], found,
			    sizeof(found)) == EXS_OK)
			rc = exs_strlist_add_str(&out->roots, found);
	for (size_t i = 0; !rc && out->windir[0] &&
			   i < sizeof(config_folders) / sizeof(config_folders[0]);
	     i++)
		if (resolve(plat, out->windir, config_folders[i], found,
			    sizeof(found)) == EXS_OK)
			rc = exs_strlist_add_str(&out->config_roots, found);
	if (rc) {
		exs_discovery_free(out);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	}
	return EXS_OK;
}

int exs_discover_is_volatile(const char *path, size_t len, char separator)
{
	static const char name[] = "temporary asp.net files";
	size_t n = sizeof(name) - 1;
	for (size_t i = 0; i + n <= len; i++) {
		if (i && !is_separator(path[i - 1], separator))
			continue;
		if (i + n < len && !is_separator(path[i + n], separator))
			continue;
		size_t k = 0;
		while (k < n && ascii_lower((unsigned char)path[i + k]) == name[k])
			k++;
		if (k == n)
			return 1;
	}
	return 0;
}

int exs_discover_image(const struct exs_platform *plat, const char *dir,
		       struct exs_discovery *out, struct exs_error *err)
{
	static const char *const v15[] = { "Program Files", "Microsoft",
					   "Exchange Server", "V15", NULL };
	static const char *const wwwroot[] = { "inetpub", "wwwroot", NULL };
	static const char *const httpproxy[] = { "FrontEnd", "HttpProxy", NULL };
	static const char *const client_access[] = { "ClientAccess", NULL };
	discovery_reset(out);
	out->source = EXS_DISCOVER_IMAGE;
	int rc = resolve(plat, dir, v15, out->install, sizeof(out->install));
	if (rc == EXS_NOENT)
		return exs_failf(err, EXS_USAGE, 0, NULL, NULL,
				 "no Exchange install in image '%s': cannot "
				 "find '%s'", dir, out->install);
	if (rc == EXS_LIMIT)
		return exs_failf(err, EXS_USAGE, 0, NULL, NULL,
				 "image path '%s' is too long", dir);
	rc = resolve(plat, dir, wwwroot, out->wwwroot, sizeof(out->wwwroot));
	if (rc && rc != EXS_NOENT)
		return exs_failf(err, EXS_USAGE, 0, NULL, NULL,
				 "image path '%s' is too long", dir);
	out->wwwroot_found = rc == EXS_OK;
	rc = discovery_derive(plat, out, err);
	if (rc)
		return rc;
	/* FrontEnd\HttpProxy and ClientAccess as the image spells them. */
	const char *const *under[] = { httpproxy, client_access };
	for (size_t i = 0; i < 2 && i + 1 < out->web_roots.count; i++) {
		char found[EXS_DISCOVER_PATH_MAX];
		if (resolve(plat, out->install, under[i], found,
			    sizeof(found)) != EXS_OK)
			continue;
		char *copy = malloc(strlen(found) + 1);
		if (!copy) {
			exs_discovery_free(out);
			return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
		}
		strcpy(copy, found);
		free(out->web_roots.items[i]);
		out->web_roots.items[i] = copy;
	}
	/* %windir% of the image, and IIS's and .NET's folders under it. */
	static const char *const windows[] = { "Windows", NULL };
	if (resolve(plat, dir, windows, out->windir, sizeof(out->windir)) !=
	    EXS_OK)
		out->windir[0] = '\0';
	return add_windows_folders(plat, out, err);
}
