/* iis_sites.c -- the sites and virtual directories of applicationHost.config
 * (see iis_sites.h).
 *
 * The scanner walks the document once: comments, processing instructions
 * and CDATA are skipped, every start tag's name and attributes are read
 * (values at most EXS_IIS_PATH_MAX bytes, cut beyond), and a small state
 * says whether we are inside <sites>, a <site>, an <application> or
 * <siteDefaults>. End tags close those states. Nothing is allocated per
 * tag; malformed markup ends the walk with what was read so far.
 */
#include "iis_sites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct attr {
	const char *name;
	size_t name_n;
	const char *value;
	size_t value_n;
};

#define ATTRS_MAX 32

static int ieq(const char *a, size_t n, const char *b)
{
	size_t k = strlen(b);
	if (n != k)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return 1;
}

/* Copies an attribute value, resolving the predefined entities. */
static void copy_value(const struct attr *a, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < a->value_n && o + 1 < cap; i++) {
		char c = a->value[i];
		if (c == '&') {
			static const struct { const char *e; char c; } ents[] = {
				{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
				{ "&quot;", '"' }, { "&apos;", '\'' } };
			for (size_t k = 0; k < 5; k++) {
				size_t el = strlen(ents[k].e);
				if (a->value_n - i >= el &&
				    memcmp(a->value + i, ents[k].e, el) == 0) {
					c = ents[k].c;
					i += el - 1;
					break;
				}
			}
		}
		out[o++] = c;
	}
	out[o] = '\0';
}

static const struct attr *find_attr(const struct attr *as, size_t n,
				    const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (ieq(as[i].name, as[i].name_n, name))
			return &as[i];
	return NULL;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Joins an application path and a vdir path: "/owa" + "/" = "/owa",
 * "/" + "/aspnet_client" = "/aspnet_client". */
static void url_join(const char *app, const char *vdir, char *out, size_t cap)
{
	size_t al = strlen(app);
	while (al && app[al - 1] == '/')
		al--;
	const char *v = vdir;
	while (*v == '/')
		v++;
	if (*v)
		snprintf(out, cap, "%.*s/%s", (int)al, app, v);
	else
		snprintf(out, cap, "%.*s", (int)al, app);
	if (!out[0])
		snprintf(out, cap, "/");
	size_t n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
}

static int add_vdir(struct exs_iis_config *c, unsigned site, const char *url,
		    const char *physical)
{
	if (c->vdir_count >= EXS_IIS_VDIRS_MAX)
		return 0;
	if (!c->vdirs) {
		c->vdirs = calloc(EXS_IIS_VDIRS_MAX, sizeof(*c->vdirs));
		if (!c->vdirs)
			return -1;
	}
	struct exs_iis_vdir *v = &c->vdirs[c->vdir_count++];
	v->site = site;
	snprintf(v->url, sizeof(v->url), "%s", url);
	snprintf(v->physical, sizeof(v->physical), "%s", physical);
	return 0;
}

int exs_iis_parse(const char *xml, size_t len, struct exs_iis_config *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->default_log_dir, sizeof(out->default_log_dir),
		 "%%SystemDrive%%\\inetpub\\logs\\LogFiles");
	int in_sites = 0, in_site = 0, in_defaults = 0;
	char app[EXS_IIS_PATH_MAX] = "/";
	size_t i = 0;
	if (len > EXS_IIS_CONFIG_MAX)
		len = EXS_IIS_CONFIG_MAX;
	while (i < len) {
		const char *lt = memchr(xml + i, '<', len - i);
		if (!lt)
			break;
		i = (size_t)(lt - xml) + 1;
		if (i < len && (xml[i] == '!' || xml[i] == '?')) {
			const char *end = NULL;
			if (len - i >= 3 && memcmp(xml + i, "!--", 3) == 0) {
				for (size_t j = i + 3; j + 2 < len; j++)
					if (memcmp(xml + j, "-->", 3) == 0) {
						end = xml + j + 2;
						break;
					}
			} else if (len - i >= 8 && memcmp(xml + i, "![CDATA[", 8) == 0) {
				for (size_t j = i + 8; j + 2 < len; j++)
					if (memcmp(xml + j, "]]>", 3) == 0) {
						end = xml + j + 2;
						break;
					}
			} else {
				end = memchr(xml + i, '>', len - i);
			}
			if (!end)
				break;
			i = (size_t)(end - xml) + 1;
			continue;
		}
		int closing = i < len && xml[i] == '/';
		if (closing)
			i++;
		size_t ns = i;
		while (i < len && !is_space(xml[i]) && xml[i] != '>' && xml[i] != '/')
			i++;
		const char *name = xml + ns;
		size_t name_n = i - ns;
		struct attr as[ATTRS_MAX];
		size_t na = 0;
		int self_closing = 0;
		/* Attributes up to '>'. */
		while (i < len && xml[i] != '>') {
			if (xml[i] == '/') {
				self_closing = 1;
				i++;
				continue;
			}
			if (is_space(xml[i])) {
				i++;
				continue;
			}
			size_t an = i;
			while (i < len && xml[i] != '=' && !is_space(xml[i]) &&
			       xml[i] != '>' && xml[i] != '/')
				i++;
			size_t an_end = i;
			while (i < len && is_space(xml[i]))
				i++;
			if (i >= len || xml[i] != '=')
				continue;
			i++;
			while (i < len && is_space(xml[i]))
				i++;
			if (i >= len || (xml[i] != '"' && xml[i] != '\''))
				continue;
			char q = xml[i++];
			const char *vend = memchr(xml + i, q, len - i);
			if (!vend) {
				i = len;
				break;
			}
			if (na < ATTRS_MAX)
				as[na++] = (struct attr){ xml + an, an_end - an, xml + i,
							  (size_t)(vend - xml) - i };
			i = (size_t)(vend - xml) + 1;
		}
		if (i >= len)
			break;
		i++; /* '>' */
		if (closing) {
			if (ieq(name, name_n, "sites"))
				in_sites = 0;
			else if (ieq(name, name_n, "site"))
				in_site = 0;
			else if (ieq(name, name_n, "application"))
				snprintf(app, sizeof(app), "/");
			else if (ieq(name, name_n, "siteDefaults"))
				in_defaults = 0;
			continue;
		}
		if (ieq(name, name_n, "sites")) {
			in_sites = !self_closing;
		} else if (in_sites && ieq(name, name_n, "siteDefaults")) {
			in_defaults = !self_closing;
		} else if (in_sites && ieq(name, name_n, "site")) {
			if (out->site_count >= EXS_IIS_SITES_MAX)
				continue;
			struct exs_iis_site *s = &out->sites[out->site_count++];
			memset(s, 0, sizeof(*s));
			const struct attr *a = find_attr(as, na, "id");
			if (a) {
				char tmp[32];
				copy_value(a, tmp, sizeof(tmp));
				s->id = strtoul(tmp, NULL, 10);
			}
			a = find_attr(as, na, "name");
			if (a)
				copy_value(a, s->name, sizeof(s->name));
			in_site = !self_closing;
			snprintf(app, sizeof(app), "/");
		} else if (in_site && ieq(name, name_n, "application")) {
			const struct attr *a = find_attr(as, na, "path");
			if (a)
				copy_value(a, app, sizeof(app));
			else
				snprintf(app, sizeof(app), "/");
			if (self_closing)
				snprintf(app, sizeof(app), "/");
		} else if (in_site && ieq(name, name_n, "virtualDirectory")) {
			const struct attr *p = find_attr(as, na, "path");
			const struct attr *ph = find_attr(as, na, "physicalPath");
			if (!ph)
				continue;
			char vp[EXS_IIS_PATH_MAX] = "/", phys[EXS_IIS_PATH_MAX], url[EXS_IIS_PATH_MAX];
			if (p)
				copy_value(p, vp, sizeof(vp));
			copy_value(ph, phys, sizeof(phys));
			url_join(app, vp, url, sizeof(url));
			if (add_vdir(out, out->site_count - 1, url, phys))
				return -1;
		} else if ((in_site || in_defaults) && ieq(name, name_n, "logFile")) {
			const struct attr *d = find_attr(as, na, "directory");
			if (!d)
				continue;
			if (in_site)
				copy_value(d, out->sites[out->site_count - 1].log_dir,
					   sizeof(out->sites[0].log_dir));
			else
				copy_value(d, out->default_log_dir,
					   sizeof(out->default_log_dir));
		}
	}
	return 0;
}

void exs_iis_free(struct exs_iis_config *cfg)
{
	free(cfg->vdirs);
	cfg->vdirs = NULL;
	cfg->vdir_count = 0;
}

int exs_iis_stock(struct exs_iis_config *out, const char *install,
		  const char *wwwroot, char sep)
{
	static const char *const fe[][2] = {
		{ "/owa", "owa" }, { "/ecp", "ecp" }, { "/EWS", "ews" },
		{ "/Autodiscover", "autodiscover" },
		{ "/Microsoft-Server-ActiveSync", "sync" }, { "/OAB", "oab" },
		{ "/PowerShell", "powershell" }, { "/mapi", "mapi" },
		{ "/Rpc", "rpc" } };
	static const char *const be[][2] = {
		{ "/owa", "Owa" }, { "/ecp", "ecp" }, { "/EWS", "exchweb\\ews" },
		{ "/Autodiscover", "Autodiscover" },
		{ "/Microsoft-Server-ActiveSync", "Sync" }, { "/OAB", "Oab" },
		{ "/PowerShell", "PowerShell" }, { "/mapi", "mapi" },
		{ "/Rpc", "rpc" } };
	memset(out, 0, sizeof(*out));
	snprintf(out->default_log_dir, sizeof(out->default_log_dir),
		 "%%SystemDrive%%\\inetpub\\logs\\LogFiles");
	out->site_count = 2;
	out->sites[0].id = 1;
	snprintf(out->sites[0].name, sizeof(out->sites[0].name), "Default Web Site");
	out->sites[1].id = 2;
	snprintf(out->sites[1].name, sizeof(out->sites[1].name), "Exchange Back End");
	char phys[EXS_IIS_PATH_MAX];
	if (wwwroot && *wwwroot && add_vdir(out, 0, "/", wwwroot))
		return -1;
	for (size_t i = 0; install && *install && i < sizeof(fe) / sizeof(*fe); i++) {
		snprintf(phys, sizeof(phys), "%s%cFrontEnd%cHttpProxy%c%s", install,
			 sep, sep, sep, fe[i][1]);
		if (add_vdir(out, 0, fe[i][0], phys))
			return -1;
		snprintf(phys, sizeof(phys), "%s%cClientAccess%c%s", install, sep,
			 sep, be[i][1]);
		for (char *c = phys; *c; c++)
			if (*c == '\\' || *c == '/')
				*c = sep;
		if (add_vdir(out, 1, be[i][0], phys))
			return -1;
	}
	return 0;
}

int exs_iis_local_path(const char *configured, const char *drive_root,
		       char sep, char *out, size_t cap)
{
	const char *rest = configured;
	const char *prefix = "";
	static const char sd[] = "%systemdrive%";
	if (ieq(configured, strlen(sd) <= strlen(configured) ? strlen(sd) : 0, sd)) {
		prefix = drive_root;
		rest = configured + strlen(sd);
	} else if (((configured[0] >= 'A' && configured[0] <= 'Z') ||
		    (configured[0] >= 'a' && configured[0] <= 'z')) &&
		   configured[1] == ':') {
		prefix = drive_root;
		rest = configured + 2;
	}
	int n = snprintf(out, cap, "%s%s", prefix, rest);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	for (char *c = out + strlen(prefix); *c; c++)
		if (*c == '\\' || *c == '/')
			*c = sep;
	return 0;
}
