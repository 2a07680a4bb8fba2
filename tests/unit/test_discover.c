/* test_discover.c -- discover.c over a fake platform table: what is derived
 * from an install folder and a wwwroot with either separator, what the
 * platform's answers become, and --image lookups in a fake folder tree whose
 * names differ in case from the stock ones.
 */
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "test.h"

/* -- The fake platform ------------------------------------------------------ */

static const char *fake_install;   /* exchange_install_path's answer */
static const char *fake_wwwroot;   /* iis_wwwroot's answer */
static const char *const *fake_dirs; /* NULL-terminated folder paths */
static char fake_sep;

static int answer(const char *value, char *buf, size_t cap,
		  struct exs_error *err)
{
	if (!value)
		return exs_fail(err, EXS_NOENT, 0, NULL, NULL);
	if (strlen(value) >= cap)
		return exs_fail(err, EXS_LIMIT, 0, NULL, NULL);
	strcpy(buf, value);
	return EXS_OK;
}

static int fake_install_path(char *buf, size_t cap, struct exs_error *err)
{
	return answer(fake_install, buf, cap, err);
}

static int fake_iis_wwwroot(char *buf, size_t cap, struct exs_error *err)
{
	return answer(fake_wwwroot, buf, cap, err);
}

static int fake_env_get(const char *name, char *buf, size_t cap)
{
	(void)name;
	struct exs_error err;
	return answer(fake_install, buf, cap, &err);
}

static int known_dir(const char *path)
{
	for (const char *const *d = fake_dirs; d && *d; d++)
		if (strcmp(*d, path) == 0)
			return 1;
	return 0;
}

static int fake_path_stat(const char *path, struct exs_stat *out,
			  struct exs_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!known_dir(path))
		return exs_fail(err, EXS_NOENT, 0, "stat", path);
	out->node = EXS_NODE_DIR;
	return EXS_OK;
}

struct exs_dir {
	char path[512];
	const char *const *next;
};

static int fake_dir_open(const char *path, struct exs_dir **out,
			 struct exs_error *err)
{
	if (!known_dir(path))
		return exs_fail(err, EXS_NOENT, 0, "opendir", path);
	struct exs_dir *d = calloc(1, sizeof(*d));
	if (!d)
		return EXS_NOMEM;
	strcpy(d->path, path);
	d->next = fake_dirs;
	*out = d;
	return EXS_OK;
}

/* Children are the known folders one separator below the listed one. */
static int fake_dir_next(struct exs_dir *d, struct exs_dirent *out,
			 struct exs_error *err)
{
	(void)err;
	size_t len = strlen(d->path);
	/* "F:\" lists "F:\x"; "/img" lists "/img/x". */
	size_t at = len && d->path[len - 1] == fake_sep ? len : len + 1;
	memset(out, 0, sizeof(*out));
	for (; *d->next; d->next++) {
		const char *p = *d->next;
		if (strncmp(p, d->path, len) != 0 || strlen(p) <= at ||
		    (at > len && p[len] != fake_sep) || strchr(p + at, fake_sep))
			continue;
		out->name = p + at;
		out->name_len = strlen(out->name);
		out->node = EXS_NODE_DIR;
		d->next++;
		return EXS_OK;
	}
	return EXS_OK;
}

static void fake_dir_close(struct exs_dir *d)
{
	free(d);
}

static struct exs_platform fake_windows = {
	.name = "fake-win32",
	.path_separator = '\\',
	.case_insensitive = 1,
	.env_get = fake_env_get,
	.path_stat = fake_path_stat,
	.dir_open = fake_dir_open,
	.dir_next = fake_dir_next,
	.dir_close = fake_dir_close,
	.exchange_install_path = fake_install_path,
	.iis_wwwroot = fake_iis_wwwroot,
};

static struct exs_platform fake_posix = {
	.name = "fake-posix",
	.path_separator = '/',
	.env_get = fake_env_get,
	.path_stat = fake_path_stat,
	.dir_open = fake_dir_open,
	.dir_next = fake_dir_next,
	.dir_close = fake_dir_close,
	.exchange_install_path = fake_install_path,
	.iis_wwwroot = fake_iis_wwwroot,
};

static void set_fake(char sep, const char *install, const char *wwwroot,
		     const char *const *dirs)
{
	fake_sep = sep;
	fake_install = install;
	fake_wwwroot = wwwroot;
	fake_dirs = dirs;
}

#define V15W "E:\\Exchange Server\\V15"

/* -- Derivation --------------------------------------------------------------- */

static void test_derive_backslash(void)
{
	struct exs_strlist roots = { 0 }, web = { 0 };
	ASSERT_EQ(exs_discover_derive('\\', V15W "\\", "D:\\inetpub\\wwwroot",
				      &roots, &web), EXS_OK);
	ASSERT_EQ(roots.count, 2);
	ASSERT_STR_EQ(roots.items[0], V15W);
	ASSERT_STR_EQ(roots.items[1], "D:\\inetpub");
	ASSERT_EQ(web.count, 3);
	ASSERT_STR_EQ(web.items[0], V15W "\\FrontEnd\\HttpProxy");
	ASSERT_STR_EQ(web.items[1], V15W "\\ClientAccess");
	ASSERT_STR_EQ(web.items[2], "D:\\inetpub\\wwwroot");
	exs_strlist_free(&roots);
	exs_strlist_free(&web);
}

static void test_derive_slash(void)
{
	struct exs_strlist roots = { 0 }, web = { 0 };
	ASSERT_EQ(exs_discover_derive('/', "/mnt/c/Exchange/V15//",
				      "/mnt/c/inetpub/wwwroot/", &roots, &web),
		  EXS_OK);
	ASSERT_EQ(roots.count, 2);
	ASSERT_STR_EQ(roots.items[0], "/mnt/c/Exchange/V15");
	ASSERT_STR_EQ(roots.items[1], "/mnt/c/inetpub");
	ASSERT_EQ(web.count, 3);
	ASSERT_STR_EQ(web.items[0], "/mnt/c/Exchange/V15/FrontEnd/HttpProxy");
	ASSERT_STR_EQ(web.items[1], "/mnt/c/Exchange/V15/ClientAccess");
	ASSERT_STR_EQ(web.items[2], "/mnt/c/inetpub/wwwroot");
	exs_strlist_free(&roots);
	exs_strlist_free(&web);
}

static void test_derive_partial(void)
{
	struct exs_strlist roots = { 0 }, web = { 0 };
	/* A wwwroot at the top of a drive has no inetpub folder to walk. */
	ASSERT_EQ(exs_discover_derive('\\', NULL, "D:\\wwwroot", &roots, &web),
		  EXS_OK);
	ASSERT_EQ(roots.count, 0);
	ASSERT_EQ(web.count, 1);
	ASSERT_STR_EQ(web.items[0], "D:\\wwwroot");
	exs_strlist_clear(&web);
	/* '/' separates on a '\' platform too (ExchangeInstallPath by hand). */
	ASSERT_EQ(exs_discover_derive('\\', "E:/V15/", "", &roots, &web),
		  EXS_OK);
	ASSERT_EQ(roots.count, 1);
	ASSERT_STR_EQ(roots.items[0], "E:/V15");
	ASSERT_STR_EQ(web.items[1], "E:/V15\\ClientAccess");
	exs_strlist_free(&roots);
	exs_strlist_free(&web);
}

/* -- The platform's answers ------------------------------------------------------ */

static void test_native_windows(void)
{
	struct exs_discovery d;
	struct exs_error err;
	set_fake('\\', V15W "\\", "D:\\inetpub\\wwwroot", NULL);
	ASSERT_EQ(exs_discover_native(&fake_windows, &d, &err), EXS_OK);
	ASSERT_EQ(d.source, EXS_DISCOVER_REGISTRY);
	ASSERT_STR_EQ(exs_discover_source_name(d.source), "registry");
	ASSERT_STR_EQ(d.install, V15W);
	ASSERT_STR_EQ(d.wwwroot, "D:\\inetpub\\wwwroot");
	ASSERT_EQ(d.roots.count, 2);
	ASSERT_STR_EQ(d.roots.items[1], "D:\\inetpub");
	ASSERT_EQ(d.web_roots.count, 3);
	exs_discovery_free(&d);

	/* IIS silent: the stock wwwroot beside the discovered install. */
	set_fake('\\', V15W, NULL, NULL);
	ASSERT_EQ(exs_discover_native(&fake_windows, &d, &err), EXS_OK);
	ASSERT_EQ(d.wwwroot_found, 0);
	ASSERT_STR_EQ(d.wwwroot, "C:\\inetpub\\wwwroot");
	ASSERT_STR_EQ(d.roots.items[1], "C:\\inetpub");
	exs_discovery_free(&d);
}

static void test_native_posix(void)
{
	struct exs_discovery d;
	struct exs_error err;
	set_fake('/', "/srv/exchange/V15/", NULL, NULL);
	ASSERT_EQ(exs_discover_native(&fake_posix, &d, &err), EXS_OK);
	ASSERT_EQ(d.source, EXS_DISCOVER_ENV);
	ASSERT_EQ(d.roots.count, 1);
	ASSERT_STR_EQ(d.roots.items[0], "/srv/exchange/V15");
	ASSERT_EQ(d.web_roots.count, 2);
	exs_discovery_free(&d);

	set_fake('/', NULL, NULL, NULL);
	ASSERT_EQ(exs_discover_native(&fake_posix, &d, &err), EXS_OK);
	ASSERT_EQ(d.source, EXS_DISCOVER_NONE);
	ASSERT_STR_EQ(exs_discover_source_name(d.source), "none");
	ASSERT_EQ(d.roots.count, 0);
	ASSERT_EQ(d.web_roots.count, 0);
	exs_discovery_free(&d);
}

/* -- Images ---------------------------------------------------------------------- */

static void test_image_exact(void)
{
	static const char *const dirs[] = {
		"/mnt/c",
		"/mnt/c/Program Files",
		"/mnt/c/Program Files/Microsoft",
		"/mnt/c/Program Files/Microsoft/Exchange Server",
		"/mnt/c/Program Files/Microsoft/Exchange Server/V15",
		"/mnt/c/inetpub",
		"/mnt/c/inetpub/wwwroot",
		NULL,
	};
	struct exs_discovery d;
	struct exs_error err;
	set_fake('/', NULL, NULL, dirs);
	ASSERT_EQ(exs_discover_image(&fake_posix, "/mnt/c/", &d, &err), EXS_OK);
	ASSERT_EQ(d.source, EXS_DISCOVER_IMAGE);
	ASSERT_STR_EQ(d.install, dirs[4]);
	ASSERT_EQ(d.roots.count, 2);
	ASSERT_STR_EQ(d.roots.items[0], dirs[4]);
	ASSERT_STR_EQ(d.roots.items[1], "/mnt/c/inetpub");
	ASSERT_EQ(d.web_roots.count, 3);
	ASSERT_STR_EQ(d.web_roots.items[0],
		      "/mnt/c/Program Files/Microsoft/Exchange Server/V15/"
		      "FrontEnd/HttpProxy");
	ASSERT_STR_EQ(d.web_roots.items[1],
		      "/mnt/c/Program Files/Microsoft/Exchange Server/V15/"
		      "ClientAccess");
	ASSERT_STR_EQ(d.web_roots.items[2], "/mnt/c/inetpub/wwwroot");
	exs_discovery_free(&d);
}

static void test_image_any_case(void)
{
	static const char *const dirs[] = {
		"/img",
		"/img/program files",
		"/img/program files/microsoft",
		"/img/program files/microsoft/exchange server",
		"/img/program files/microsoft/exchange server/v15",
		"/img/program files/microsoft/exchange server/v15/frontend",
		"/img/program files/microsoft/exchange server/v15/frontend/httpproxy",
		"/img/Inetpub",
		"/img/Inetpub/WWWRoot",
		NULL,
	};
	struct exs_discovery d;
	struct exs_error err;
	set_fake('/', NULL, NULL, dirs);
	ASSERT_EQ(exs_discover_image(&fake_posix, "/img", &d, &err), EXS_OK);
	ASSERT_STR_EQ(d.install, dirs[4]);
	ASSERT_STR_EQ(d.roots.items[1], "/img/Inetpub");
	ASSERT_STR_EQ(d.web_roots.items[0], dirs[6]);
	/* Not in the image: the stock spelling, which the walk reports. */
	ASSERT_STR_EQ(d.web_roots.items[1], "/img/program files/microsoft/"
		      "exchange server/v15/ClientAccess");
	ASSERT_STR_EQ(d.web_roots.items[2], "/img/Inetpub/WWWRoot");
	exs_discovery_free(&d);
}

/* The image's IIS and .NET folders, in any case, only where they exist;
 * the configuration folders scan walks by default; the compilation cache. */
static void test_image_windows_folders(void)
{
	static const char *const dirs[] = {
		"/img",
		"/img/Program Files",
		"/img/Program Files/Microsoft",
		"/img/Program Files/Microsoft/Exchange Server",
		"/img/Program Files/Microsoft/Exchange Server/V15",
		"/img/Program Files/Microsoft/Exchange Server/V15/TransportRoles",
		"/img/Program Files/Microsoft/Exchange Server/V15/TransportRoles/Shared",
		"/img/WINDOWS",
		"/img/WINDOWS/system32",
		"/img/WINDOWS/system32/inetsrv",
		"/img/WINDOWS/system32/inetsrv/config",
		"/img/WINDOWS/Microsoft.NET",
		"/img/WINDOWS/Microsoft.NET/assembly",
		NULL,
	};
	struct exs_discovery d;
	struct exs_error err;
	set_fake('/', NULL, NULL, dirs);
	ASSERT_EQ(exs_discover_image(&fake_posix, "/img", &d, &err), EXS_OK);
	ASSERT_STR_EQ(d.windir, "/img/WINDOWS");
	ASSERT_EQ(d.roots.count, 4);
	ASSERT_STR_EQ(d.roots.items[2], "/img/WINDOWS/system32/inetsrv");
	ASSERT_STR_EQ(d.roots.items[3], "/img/WINDOWS/Microsoft.NET/assembly");
	ASSERT_EQ(d.config_roots.count, 2);
	ASSERT_STR_EQ(d.config_roots.items[0], dirs[6]);
	ASSERT_STR_EQ(d.config_roots.items[1], dirs[10]);
	exs_discovery_free(&d);
	const char *t = "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\"
			"temporary asp.net files\\owa\\x.dll";
	ASSERT_TRUE(exs_discover_is_volatile(t, strlen(t), '\\'));
	const char *u = "/img/Temporary ASP.NET Files.bak/x";
	ASSERT_TRUE(!exs_discover_is_volatile(u, strlen(u), '/'));
}

static void test_image_backslash(void)
{
	static const char *const dirs[] = {
		"F:\\",
		"F:\\PROGRAM FILES",
		"F:\\PROGRAM FILES\\Microsoft",
		"F:\\PROGRAM FILES\\Microsoft\\Exchange Server",
		"F:\\PROGRAM FILES\\Microsoft\\Exchange Server\\V15",
		NULL,
	};
	struct exs_discovery d;
	struct exs_error err;
	set_fake('\\', NULL, NULL, dirs);
	/* "F:\" keeps its separator; joining must not double it. */
	ASSERT_EQ(exs_discover_image(&fake_windows, "F:\\", &d, &err), EXS_OK);
	ASSERT_STR_EQ(d.install, "F:\\PROGRAM FILES\\Microsoft\\Exchange Server\\V15");
	ASSERT_EQ(d.wwwroot_found, 0);
	ASSERT_STR_EQ(d.roots.items[1], "F:\\inetpub");
	exs_discovery_free(&d);
}

static void test_image_missing(void)
{
	static const char *const dirs[] = {
		"/img", "/img/Program Files", NULL,
	};
	struct exs_discovery d;
	struct exs_error err;
	exs_error_clear(&err);
	set_fake('/', NULL, NULL, dirs);
	ASSERT_EQ(exs_discover_image(&fake_posix, "/img", &d, &err), EXS_USAGE);
	ASSERT_TRUE(strstr(err.detail, "'/img/Program Files/Microsoft/"
				       "Exchange Server/V15'") != NULL);
	exs_discovery_free(&d);
}

int main(void)
{
	RUN(test_derive_backslash);
	RUN(test_derive_slash);
	RUN(test_derive_partial);
	RUN(test_native_windows);
	RUN(test_native_posix);
	RUN(test_image_exact);
	RUN(test_image_any_case);
	RUN(test_image_windows_folders);
	RUN(test_image_backslash);
	RUN(test_image_missing);
	return TEST_EXIT();
}
