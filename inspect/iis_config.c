/* iis_config.c -- the registrations of IIS configuration files
 * (applicationHost.config and web.config; agents.config and fetagents.config
 * through agents_config.c), read with the expat wrapper (xml.h).
 *
 * Runs inside the sandboxed judge worker over bytes an attacker may have
 * written. The reader keeps no tree: each element start is matched by its
 * own name and its parent's and grandparent's, with the enclosing
 * <location path>, <site name> and <application path> remembered per depth.
 * Only <add>-style entries are recorded; <remove> and <clear> are not (a
 * later version could model inheritance; IIS's own merge order is not
 * reproduced here).
 *
 *   globalModules/add                 name, image, preCondition
 *   isapiFilters/filter               name, path, enabled, preCondition
 *   system.webServer/modules/add      name, type, preCondition
 *   system.web/httpModules/add        name, type
 *   system.webServer/handlers/add     name, path, scriptProcessor, type;
 *                                     modules, verb, preCondition in extra
 *   system.web/httpHandlers/add       path, verb, type
 *   site/application/virtualDirectory site name, application and vdir path,
 *                                     physicalPath
 *   system.web/machineKey             validation, decryption; the keys as
 *                                     SHA-256 digests, never the secrets
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents_config.h"
#include "hash.h"
#include "registration.h"
#include "status.h"
#include "xml.h"

const char *exs_reg_kind_name(uint32_t kind)
{
	switch (kind) {
	case EXS_REG_GLOBAL_MODULE: return "global_module";
	case EXS_REG_ISAPI_FILTER: return "isapi_filter";
	case EXS_REG_MODULE: return "managed_module";
	case EXS_REG_HANDLER: return "handler";
	case EXS_REG_VIRTUAL_DIR: return "virtual_directory";
	case EXS_REG_TRANSPORT_AGENT: return "transport_agent";
	case EXS_REG_MACHINE_KEY: return "machine_key";
	}
	return "unknown";
}

void exs_reg_set(struct exs_registration *r, char *field, size_t cap,
		 const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap) {
		n = cap - 1;
		r->flags |= EXS_REG_TRUNCATED;
	}
	if (n)
		memcpy(field, src, n);
	field[n] = '\0';
}

int exs_reg_same_entry(const struct exs_registration *a,
		       const struct exs_registration *b)
{
	return a->kind == b->kind && strcmp(a->scope, b->scope) == 0 &&
	       strcmp(a->name, b->name) == 0 && strcmp(a->path, b->path) == 0;
}

int exs_reg_same_value(const struct exs_registration *a,
		       const struct exs_registration *b)
{
	return strcmp(a->image, b->image) == 0 &&
	       strcmp(a->type, b->type) == 0 &&
	       strcmp(a->extra, b->extra) == 0 && a->flags == b->flags;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int exs_reg_is_config_name(const char *name, size_t len)
{
	static const char *const names[] = { "applicationhost.config",
					     "web.config", "agents.config",
					     "fetagents.config" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);
		if (n != len)
			continue;
		size_t k = 0;
		while (k < n && lower((unsigned char)name[k]) == names[i][k])
			k++;
		if (k == n)
			return 1;
	}
	return 0;
}

static int is_sep(char c, char sep)
{
	return c == '/' || c == sep;
}

int exs_reg_is_config_path(const char *path, size_t len, char sep)
{
	size_t b = len;
	while (b && !is_sep(path[b - 1], sep))
		b--;
	if (!exs_reg_is_config_name(path + b, len - b))
		return 0;
	if (len - b != strlen("applicationHost.config"))
		return 1;
	/* applicationHost.config: its folder must be "config". */
	size_t e = b;
	while (e && is_sep(path[e - 1], sep))
		e--;
	size_t d = e;
	while (d && !is_sep(path[d - 1], sep))
		d--;
	return e - d == 6 && lower((unsigned char)path[d]) == 'c' &&
	       lower((unsigned char)path[d + 1]) == 'o' &&
	       lower((unsigned char)path[d + 2]) == 'n' &&
	       lower((unsigned char)path[d + 3]) == 'f' &&
	       lower((unsigned char)path[d + 4]) == 'i' &&
	       lower((unsigned char)path[d + 5]) == 'g';
}

/* ---- The reader ------------------------------------------------------------ */

struct reader {
	struct exs_registration *regs;
	size_t count, cap;
	/* Per depth: the <location path>, <site name> or <application path>
	 * an element at that depth carried (cut to EXS_REG_SHORT). */
	char label[EXS_XML_MAX_DEPTH][EXS_REG_SHORT];
};

struct exs_registration *exs_reg_reader_new_entry(void *ctx, uint32_t kind,
						  uint64_t line, int *rc)
{
	struct reader *rd = ctx;
	*rc = EXS_OK;
	if (rd->count >= EXS_REG_MAX) {
		*rc = EXS_LIMIT;
		return NULL;
	}
	if (rd->count == rd->cap) {
		size_t cap = rd->cap ? rd->cap * 2 : 32;
		struct exs_registration *n = realloc(rd->regs, cap * sizeof(*n));
		if (!n) {
			*rc = EXS_NOMEM;
			return NULL;
		}
		rd->regs = n;
		rd->cap = cap;
	}
	struct exs_registration *r = &rd->regs[rd->count++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->line = line;
	return r;
}

/* The innermost enclosing element called name, as a depth, or -1. */
static int enclosing(const char (*stack)[EXS_XML_NAME_MAX], unsigned depth,
		     const char *name)
{
	for (unsigned i = depth; i-- > 0;)
		if (strcmp(stack[i], name) == 0)
			return (int)i;
	return -1;
}

/* "key=value" pairs of the attributes named, those present, blank-separated. */
static void pairs(struct exs_registration *r, const char **attrs,
		  const char *const *names)
{
	char buf[EXS_REG_LONG * 2];
	size_t len = 0;
	buf[0] = '\0';
	for (; *names; names++) {
		const char *v = exs_xml_attr(attrs, *names);
		if (!v)
			continue;
		int n = snprintf(buf + len, sizeof(buf) - len, "%s%s=%s",
				 len ? " " : "", *names, v);
		if (n < 0 || (size_t)n >= sizeof(buf) - len) {
			len = sizeof(buf) - 1;
			break;
		}
		len += (size_t)n;
	}
	exs_reg_set(r, r->extra, sizeof(r->extra), buf);
}

/* A machineKey key: the generation modes as written, a literal key only as
 * the start of its SHA-256 (the baseline and the report must not hold the
 * secret, yet a changed key must show). */
static void key_summary(char *out, size_t cap, const char *name,
			const char *value)
{
	if (!value) {
		out[0] = '\0';
		return;
	}
	if (strncmp(value, "AutoGenerate", 12) == 0) {
		snprintf(out, cap, " %s=%.64s", name, value);
		return;
	}
	unsigned char d[EXS_SHA256_LEN];
	char hex[2 * EXS_SHA256_LEN + 1];
	if (exs_sha256_buffer(value, strlen(value), d) != EXS_OK) {
		snprintf(out, cap, " %s=(set)", name);
		return;
	}
	exs_hex(d, sizeof(d), hex);
	snprintf(out, cap, " %s=sha256:%.16s", name, hex);
}

static int on_start(void *ctx, const char *name, const char **attrs,
		    unsigned depth, const char (*stack)[EXS_XML_NAME_MAX],
		    uint64_t line)
{
	struct reader *rd = ctx;
	const char *parent = depth >= 1 ? stack[depth - 1] : "";
	const char *grand = depth >= 2 ? stack[depth - 2] : "";
	/* Remember what this element names for its descendants. */
	const char *label = NULL;
	if (strcmp(name, "location") == 0)
		label = exs_xml_attr(attrs, "path");
	else if (strcmp(name, "site") == 0)
		label = exs_xml_attr(attrs, "name");
	else if (strcmp(name, "application") == 0)
		label = exs_xml_attr(attrs, "path");
	snprintf(rd->label[depth], EXS_REG_SHORT, "%s", label ? label : "");

	uint32_t kind = 0;
	if (strcmp(name, "add") == 0 && strcmp(parent, "globalModules") == 0)
		kind = EXS_REG_GLOBAL_MODULE;
	else if (strcmp(name, "filter") == 0 &&
		 strcmp(parent, "isapiFilters") == 0)
		kind = EXS_REG_ISAPI_FILTER;
	else if (strcmp(name, "add") == 0 &&
		 ((strcmp(parent, "modules") == 0 &&
		   strcmp(grand, "system.webServer") == 0) ||
		  strcmp(parent, "httpModules") == 0))
		kind = EXS_REG_MODULE;
	else if (strcmp(name, "add") == 0 &&
		 ((strcmp(parent, "handlers") == 0 &&
		   strcmp(grand, "system.webServer") == 0) ||
		  strcmp(parent, "httpHandlers") == 0))
		kind = EXS_REG_HANDLER;
	else if (strcmp(name, "virtualDirectory") == 0 &&
		 strcmp(parent, "application") == 0)
		kind = EXS_REG_VIRTUAL_DIR;
	else if (strcmp(name, "machineKey") == 0 &&
		 strcmp(parent, "system.web") == 0)
		kind = EXS_REG_MACHINE_KEY;
	else if (exs_agents_config_is_agent(name, attrs))
		return exs_agents_config_agent(ctx, attrs, line);
	if (!kind)
		return EXS_OK;

	int rc;
	struct exs_registration *r = exs_reg_reader_new_entry(rd, kind, line,
							      &rc);
	if (!r)
		return rc;
	int loc = enclosing(stack, depth, "location");
	if (loc >= 0)
		exs_reg_set(r, r->scope, sizeof(r->scope), rd->label[loc]);
	switch (kind) {
	case EXS_REG_GLOBAL_MODULE: {
		static const char *const x[] = { "preCondition", NULL };
		exs_reg_set(r, r->name, sizeof(r->name),
			    exs_xml_attr(attrs, "name"));
		exs_reg_set(r, r->image, sizeof(r->image),
			    exs_xml_attr(attrs, "image"));
		pairs(r, attrs, x);
		break;
	}
	case EXS_REG_ISAPI_FILTER: {
		static const char *const x[] = { "enabled", "preCondition",
						 NULL };
		exs_reg_set(r, r->name, sizeof(r->name),
			    exs_xml_attr(attrs, "name"));
		exs_reg_set(r, r->image, sizeof(r->image),
			    exs_xml_attr(attrs, "path"));
		pairs(r, attrs, x);
		break;
	}
	case EXS_REG_MODULE: {
		static const char *const x[] = { "preCondition", NULL };
		exs_reg_set(r, r->name, sizeof(r->name),
			    exs_xml_attr(attrs, "name"));
		exs_reg_set(r, r->type, sizeof(r->type),
			    exs_xml_attr(attrs, "type"));
		pairs(r, attrs, x);
		break;
	}
	case EXS_REG_HANDLER: {
		static const char *const x[] = { "modules", "verb",
						 "resourceType", "preCondition",
						 NULL };
		const char *hname = exs_xml_attr(attrs, "name");
		const char *hpath = exs_xml_attr(attrs, "path");
		exs_reg_set(r, r->name, sizeof(r->name), hname ? hname : hpath);
		exs_reg_set(r, r->path, sizeof(r->path), hpath);
		exs_reg_set(r, r->image, sizeof(r->image),
			    exs_xml_attr(attrs, "scriptProcessor"));
		exs_reg_set(r, r->type, sizeof(r->type),
			    exs_xml_attr(attrs, "type"));
		pairs(r, attrs, x);
		break;
	}
	case EXS_REG_VIRTUAL_DIR: {
		int site = enclosing(stack, depth, "site");
		int app = depth - 1;
		if (site >= 0 && loc < 0)
			exs_reg_set(r, r->scope, sizeof(r->scope),
				    rd->label[site]);
		const char *vpath = exs_xml_attr(attrs, "path");
		char url[EXS_REG_SHORT * 2];
		const char *a = rd->label[app];
		size_t alen = strlen(a);
		/* "/owa" + "/" is "/owa/"; "/" + "/x" is "/x". */
		snprintf(url, sizeof(url), "%.*s%s",
			 (int)(alen && a[alen - 1] == '/' ? alen - 1 : alen), a,
			 vpath ? vpath : "");
		exs_reg_set(r, r->path, sizeof(r->path), url);
		exs_reg_set(r, r->name, sizeof(r->name), url);
		exs_reg_set(r, r->image, sizeof(r->image),
			    exs_xml_attr(attrs, "physicalPath"));
		break;
	}
	case EXS_REG_MACHINE_KEY: {
		char buf[EXS_REG_LONG], vk[96], dk[96];
		const char *val = exs_xml_attr(attrs, "validation");
		const char *dec = exs_xml_attr(attrs, "decryption");
		key_summary(vk, sizeof(vk), "validationKey",
			    exs_xml_attr(attrs, "validationKey"));
		key_summary(dk, sizeof(dk), "decryptionKey",
			    exs_xml_attr(attrs, "decryptionKey"));
		snprintf(buf, sizeof(buf), "validation=%.64s decryption=%.64s%s%s",
			 val ? val : "", dec ? dec : "", vk, dk);
		exs_reg_set(r, r->name, sizeof(r->name), "machineKey");
		exs_reg_set(r, r->extra, sizeof(r->extra), buf);
		break;
	}
	}
	return EXS_OK;
}

int exs_config_registrations(const unsigned char *data, size_t len,
			     struct exs_registration **out, size_t *count,
			     uint64_t *line, char *why, size_t why_cap)
{
	*out = NULL;
	*count = 0;
	*line = 0;
	why[0] = '\0';
	struct reader *rd = calloc(1, sizeof(*rd));
	if (!rd) {
		snprintf(why, why_cap, "out of memory");
		return EXS_NOMEM;
	}
	struct exs_xml_error xe;
	int rc = exs_xml_parse(data, len, on_start, rd, &xe);
	if (rc == EXS_LIMIT && !xe.message[0])
		snprintf(xe.message, sizeof(xe.message),
			 "more than %u registrations", EXS_REG_MAX);
	if (rc == EXS_LIMIT && strcmp(xe.message, "refused by the reader") == 0)
		snprintf(xe.message, sizeof(xe.message),
			 "more than %u registrations", EXS_REG_MAX);
	if (rc) {
		*line = xe.line;
		snprintf(why, why_cap, "%s", xe.message);
		free(rd->regs);
		free(rd);
		return rc;
	}
	*out = rd->regs;
	*count = rd->count;
	free(rd);
	return EXS_OK;
}
