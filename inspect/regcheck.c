/* regcheck.c -- judging registrations without a baseline (see regcheck.h).
 *
 * Divisions: places (logical folders), placing a path, finding it on disk,
 * the checks per kind.
 */
#include "regcheck.h"

#include <stdio.h>
#include <string.h>

#include "status.h"

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int is_sep(char c)
{
	return c == '\\' || c == '/';
}

/* ---- Places ------------------------------------------------------------------ */

/* The logical spelling of a local path: under --image the image folder is
 * the drive C:; natively a Windows path is itself. "" otherwise. */
static void logical_of(const struct exs_reg_places *pl, const char *local,
		       char *out, size_t cap)
{
	out[0] = '\0';
	if (!local || !local[0])
		return;
	const char *rest;
	if (pl->image_root) {
		size_t n = strlen(pl->image_root);
		while (n && is_sep(pl->image_root[n - 1]))
			n--;
		if (strncmp(local, pl->image_root, n) != 0 ||
		    (local[n] && !is_sep(local[n])))
			return;
		rest = local + n;
		if (snprintf(out, cap, "C:%s", rest) >= (int)cap) {
			out[0] = '\0';
			return;
		}
	} else {
		if (!(((local[0] | 0x20) >= 'a' && (local[0] | 0x20) <= 'z') &&
		      local[1] == ':'))
			return;
		if (snprintf(out, cap, "%s", local) >= (int)cap) {
			out[0] = '\0';
			return;
		}
	}
	for (char *p = out; *p; p++)
		if (*p == '/')
			*p = '\\';
	size_t len = strlen(out);
	while (len > 3 && out[len - 1] == '\\')
		out[--len] = '\0';
}

void exs_reg_places_init(struct exs_reg_places *pl,
			 const struct exs_platform *plat, const char *image_root,
			 const char *install, const char *wwwroot)
{
	memset(pl, 0, sizeof(*pl));
	pl->plat = plat;
	pl->image_root = image_root && image_root[0] ? image_root : NULL;
	logical_of(pl, install, pl->exchange, sizeof(pl->exchange));
	char www[EXS_DISCOVER_PATH_MAX];
	logical_of(pl, wwwroot, www, sizeof(www));
	/* inetpub is the folder above wwwroot. */
	char *cut = strrchr(www, '\\');
	if (cut && cut - www > 2) {
		*cut = '\0';
		snprintf(pl->inetpub, sizeof(pl->inetpub), "%s", www);
	}
	if (pl->image_root) {
		snprintf(pl->windir, sizeof(pl->windir), "C:\\Windows");
	} else if (plat && plat->env_get && plat->path_separator == '\\') {
		char buf[EXS_DISCOVER_PATH_MAX];
		if (plat->env_get("windir", buf, sizeof(buf)) == EXS_OK ||
		    plat->env_get("SystemRoot", buf, sizeof(buf)) == EXS_OK)
			logical_of(pl, buf, pl->windir, sizeof(pl->windir));
	}
}

/* ---- Placing a path ------------------------------------------------------------ */

static int same_ci(const char *a, size_t n, const char *b)
{
	if (strlen(b) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* The logical value of %name% (n bytes), or NULL when unknown. */
static const char *variable(const struct exs_reg_places *pl, const char *name,
			    size_t n, char *buf, size_t cap)
{
	if (same_ci(name, n, "windir") || same_ci(name, n, "SystemRoot"))
		return pl->windir[0] ? pl->windir : NULL;
	if (same_ci(name, n, "ExchangeInstallPath")) {
		if (!pl->exchange[0])
			return NULL;
		snprintf(buf, cap, "%s\\", pl->exchange);
		return buf;
	}
	static const struct {
		const char *name, *value;
	} fixed[] = {
		{ "SystemDrive", "C:" },
		{ "ProgramFiles", "C:\\Program Files" },
		{ "ProgramW6432", "C:\\Program Files" },
		{ "ProgramFiles(x86)", "C:\\Program Files (x86)" },
		{ "CommonProgramFiles", "C:\\Program Files\\Common Files" },
		{ "ProgramData", "C:\\ProgramData" },
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (same_ci(name, n, fixed[i].name))
			return fixed[i].value;
	return NULL;
}

/* Places s (as written in the file) in the logical namespace: out gets
 * "C:\a\b". 0 and a reason bit in *reasons when it cannot be placed. */
static int place(const struct exs_reg_places *pl, const char *s, char *out,
		 size_t cap, unsigned *reasons)
{
	char exp[2 * EXS_DISCOVER_PATH_MAX];
	size_t len = 0;
	while (*s == ' ' || *s == '"')
		s++;
	if ((strncmp(s, "\\\\?\\", 4) == 0 || strncmp(s, "\\\\.\\", 4) == 0) &&
	    s[4] && s[5] == ':')
		s += 4;
	if (is_sep(s[0]) && is_sep(s[1])) {
		*reasons |= EXS_REGQ_REMOTE;
		return 0;
	}
	for (const char *p = s; *p && *p != '|' && *p != '"';) {
		if (*p == '%') {
			const char *end = strchr(p + 1, '%');
			char vb[EXS_DISCOVER_PATH_MAX + 2];
			const char *v = end ? variable(pl, p + 1,
						       (size_t)(end - p - 1),
						       vb, sizeof(vb))
					    : NULL;
			if (!v) {
				*reasons |= EXS_REGQ_UNPLACED;
				return 0;
			}
			size_t vn = strlen(v);
			if (len + vn >= sizeof(exp))
				return 0;
			memcpy(exp + len, v, vn);
			len += vn;
			p = end + 1;
			continue;
		}
		if (len + 1 >= sizeof(exp))
			return 0;
		exp[len++] = *p++;
	}
	while (len && exp[len - 1] == ' ')
		len--;
	exp[len] = '\0';
	if (len < 3 || !((exp[0] | 0x20) >= 'a' && (exp[0] | 0x20) <= 'z') ||
	    exp[1] != ':' || !is_sep(exp[2])) {
		if (is_sep(exp[0]) && is_sep(exp[1]))
			*reasons |= EXS_REGQ_REMOTE;
		else
			*reasons |= EXS_REGQ_UNPLACED;
		return 0;
	}
	/* Fold "." and ".." over the components after the drive. */
	size_t starts[512], lens[512], n = 0;
	for (size_t i = 3; i < len;) {
		while (i < len && is_sep(exp[i]))
			i++;
		size_t b = i;
		while (i < len && !is_sep(exp[i]))
			i++;
		size_t cl = i - b;
		if (!cl || (cl == 1 && exp[b] == '.'))
			continue;
		if (cl == 2 && exp[b] == '.' && exp[b + 1] == '.') {
			if (!n) {
				*reasons |= EXS_REGQ_CLIMBS;
				return 0;
			}
			n--;
			continue;
		}
		if (n == sizeof(starts) / sizeof(starts[0]))
			return 0;
		starts[n] = b;
		lens[n++] = cl;
	}
	size_t o = 0;
	if (cap < 4)
		return 0;
	out[o++] = (char)(exp[0] & ~0x20);
	out[o++] = ':';
	for (size_t k = 0; k < n; k++) {
		if (o + 1 + lens[k] >= cap)
			return 0;
		out[o++] = '\\';
		memcpy(out + o, exp + starts[k], lens[k]);
		o += lens[k];
	}
	if (!n)
		out[o++] = '\\';
	out[o] = '\0';
	return 1;
}

/* Whether logical lies in folder (both logical; folder may be ""). */
static int under(const char *logical, const char *folder)
{
	size_t n = strlen(folder);
	if (!n || strlen(logical) < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)logical[i]) !=
		    lower((unsigned char)folder[i]))
			return 0;
	return logical[n] == '\0' || logical[n] == '\\';
}

/* ---- Finding it on disk --------------------------------------------------------- */

/* Appends one name to dir (a local path) as the folder lists it, in any
 * case; a link is never taken. 1 when found. */
static int descend(const struct exs_platform *plat, char *dir, size_t cap,
		   const char *name, size_t name_len, int last)
{
	size_t len = strlen(dir);
	if (len + 1 + name_len >= cap)
		return 0;
	struct exs_stat st;
	struct exs_error ignored;
	dir[len] = plat->path_separator;
	memcpy(dir + len + 1, name, name_len);
	dir[len + 1 + name_len] = '\0';
	enum exs_node want = last ? EXS_NODE_FILE : EXS_NODE_DIR;
	if (plat->path_stat(dir, &st, &ignored) == EXS_OK && st.node == want)
		return 1;
	dir[len] = '\0';
	struct exs_dir *d;
	if (!plat->dir_open || plat->dir_open(dir, &d, &ignored) != EXS_OK)
		return 0;
	int found = 0;
	struct exs_dirent e;
	while (!found && plat->dir_next(d, &e, &ignored) == EXS_OK && e.name) {
		if (e.node == EXS_NODE_LINK || e.name_len != name_len)
			continue;
		size_t i = 0;
		while (i < name_len && lower((unsigned char)e.name[i]) ==
					       lower((unsigned char)name[i]))
			i++;
		if (i != name_len)
			continue;
		dir[len] = plat->path_separator;
		memcpy(dir + len + 1, e.name, name_len);
		dir[len + 1 + name_len] = '\0';
		if (plat->path_stat(dir, &st, &ignored) == EXS_OK &&
		    st.node == want)
			found = 1;
		else
			dir[len] = '\0';
	}
	plat->dir_close(d);
	return found;
}

/* Looks for the file at logical; fills v->image and v->exists. */
static void look(const struct exs_reg_places *pl, const char *logical,
		 struct exs_reg_verdict *v)
{
	const struct exs_platform *plat = pl->plat;
	v->exists = -1;
	if (!plat || !plat->path_stat)
		return;
	if (!pl->image_root) {
		if (plat->path_separator != '\\')
			return;
		struct exs_stat st;
		struct exs_error ignored;
		snprintf(v->image, sizeof(v->image), "%s", logical);
		v->exists = plat->path_stat(logical, &st, &ignored) == EXS_OK &&
			    st.node == EXS_NODE_FILE;
		return;
	}
	char cur[EXS_DISCOVER_PATH_MAX];
	if (snprintf(cur, sizeof(cur), "%s", pl->image_root) >= (int)sizeof(cur))
		return;
	size_t cl = strlen(cur);
	while (cl > 1 && is_sep(cur[cl - 1]))
		cur[--cl] = '\0';
	v->exists = 1;
	for (const char *p = logical + 3; *p;) {
		const char *e = strchr(p, '\\');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!descend(plat, cur, sizeof(cur), p, n, !e)) {
			v->exists = 0;
			/* Spell the rest as written, for the report. */
			size_t at = strlen(cur);
			snprintf(cur + at, sizeof(cur) - at, "%c%s",
				 plat->path_separator, p);
			for (char *q = cur + at; *q; q++)
				if (*q == '\\')
					*q = plat->path_separator;
			break;
		}
		p = e ? e + 1 : p + n;
	}
	snprintf(v->image, sizeof(v->image), "%s", cur);
}

/* ---- The checks per kind --------------------------------------------------------- */

static void say(struct exs_reg_verdict *v, const char *what)
{
	size_t n = strlen(v->why);
	snprintf(v->why + n, sizeof(v->why) - n, "%s%s", n ? "; " : "", what);
}

/* Places and looks for an image; reasons for where it is. where: 0 the
 * Windows or Exchange folders, 1 Exchange only, 2 inetpub or Exchange (a
 * virtual directory: a folder, not looked for). */
static void image_checks(const struct exs_reg_places *pl, const char *written,
			 int where, struct exs_reg_verdict *v)
{
	unsigned r = 0;
	if (!written[0])
		return;
	if (!pl->windir[0] && !pl->exchange[0]) {
		/* Nowhere to place it (POSIX without --image): only a UNC
		 * path can be told. */
		if (is_sep(written[0]) && is_sep(written[1]))
			r |= EXS_REGQ_REMOTE;
		v->reasons |= r;
		return;
	}
	if (!place(pl, written, v->logical, sizeof(v->logical), &r)) {
		v->logical[0] = '\0';
		v->reasons |= r;
		return;
	}
	int ok = where == 1 ? under(v->logical, pl->exchange)
		 : where == 2 ? under(v->logical, pl->exchange) ||
				under(v->logical, pl->inetpub)
			      : under(v->logical, pl->exchange) ||
				under(v->logical, pl->windir);
	if (!ok)
		r |= EXS_REGQ_OUTSIDE;
	if (where != 2) {
		look(pl, v->logical, v);
		if (v->exists == 0)
			r |= EXS_REGQ_MISSING;
		if (v->exists == 1 && pl->signature) {
			enum exs_image_signature s = pl->signature(
				pl->signature_ctx, v->image, v->sig_note,
				sizeof(v->sig_note));
			if (s == EXS_IMAGE_SIG_UNSIGNED ||
			    s == EXS_IMAGE_SIG_BAD || s == EXS_IMAGE_SIG_OTHER)
				r |= EXS_REGQ_SIGNATURE;
			else
				v->sig_note[0] = '\0';
		}
	}
	v->reasons |= r;
}

static int contains_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);
	for (; strlen(s) >= n; s++)
		if (same_ci(s, n, needle))
			return 1;
	return 0;
}

/* The extension of a handler path ("*.log" -> "log"), or NULL. */
static const char *handler_extension(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot || strchr(dot, '\\') || strchr(dot, '/'))
		return NULL;
	return dot + 1;
}

static int is_data_extension(const char *ext)
{
	static const char *const data[] = {
		"txt", "log", "jpg", "jpeg", "png", "gif", "bmp", "ico", "css",
		"js", "xml", "json", "htm", "html", "svg", "woff", "woff2",
		"ttf", "eot", "pdf", "csv", "ini", "dat", "tmp", "bak", "zip",
		"map", "wav", "mp3", "manifest", "xap", "msg", "eml",
	};
	for (size_t i = 0; i < sizeof(data) / sizeof(data[0]); i++)
		if (same_ci(ext, strlen(ext), data[i]))
			return 1;
	return 0;
}

/* A handler that runs code: an ISAPI or CGI executable, or one of
 * ASP.NET's handler factories (pages, .ashx, .asmx, remoting). */
static int is_script_engine(const struct exs_registration *r)
{
	if (r->image[0])
		return 1;
	if (contains_ci(r->type, "HandlerFactory"))
		return 1;
	/* modules=... in extra: the native module that runs the mapping. */
	static const char *const engines[] = { "CgiModule", "FastCgiModule",
					       "IsapiModule" };
	const char *m = strstr(r->extra, "modules=");
	if (!m)
		return 0;
	m += 8;
	size_t n = strcspn(m, " ");
	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++) {
		size_t e = strlen(engines[i]);
		for (size_t k = 0; k + e <= n; k++)
			if (same_ci(m + k, e, engines[i]) &&
			    (k == 0 || m[k - 1] == ',') &&
			    (k + e == n || m[k + e] == ','))
				return 1;
	}
	return 0;
}

/* A managed type "Namespace.Type, Assembly[, Version=..., Culture=...,
 * PublicKeyToken=...]": 1 when it names an assembly without a public key
 * token (not strong-named: ASP.NET loads it from the application's bin\),
 * with the assembly's name in asm (cap bytes). */
static int private_assembly(const char *type, char *asm_name, size_t cap)
{
	const char *comma = strchr(type, ',');
	if (!comma)
		return 0;
	const char *a = comma + 1;
	while (*a == ' ')
		a++;
	size_t n = strcspn(a, ",");
	while (n && a[n - 1] == ' ')
		n--;
	if (!n)
		return 0;
	snprintf(asm_name, cap, "%.*s", (int)n, a);
	const char *tok = NULL;
	for (const char *p = a; strlen(p) >= 15; p++)
		if (same_ci(p, 15, "PublicKeyToken="))
			tok = p + 15;
	if (!tok)
		return 1;
	while (*tok == ' ')
		tok++;
	return same_ci(tok, strcspn(tok, ", "), "null") ||
	       strcspn(tok, ", ") == 0;
}

void exs_reg_assess(const struct exs_reg_places *pl, const char *config,
		    size_t config_len, const struct exs_registration *r,
		    struct exs_reg_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->exists = -1;
	if (r->flags & EXS_REG_TRUNCATED)
		v->reasons |= EXS_REGQ_TRUNCATED;
	switch (r->kind) {
	case EXS_REG_GLOBAL_MODULE:
	case EXS_REG_ISAPI_FILTER:
		image_checks(pl, r->image, 0, v);
		break;
	case EXS_REG_TRANSPORT_AGENT:
		image_checks(pl, r->image, 1, v);
		break;
	case EXS_REG_VIRTUAL_DIR:
		image_checks(pl, r->image, 2, v);
		break;
	case EXS_REG_HANDLER: {
		const char *ext = handler_extension(r->path);
		if (is_script_engine(r) &&
		    ((ext && is_data_extension(ext)) ||
		     strcmp(r->path, "*") == 0 || strcmp(r->path, "*.*") == 0))
			v->reasons |= EXS_REGQ_DATA_SCRIPT;
		image_checks(pl, r->image, 0, v);
	}
		/* A handler's type is a managed type too. */
		/* fall through */
	case EXS_REG_MODULE: {
		char asm_name[EXS_REG_SHORT];
		if (!private_assembly(r->type, asm_name, sizeof(asm_name)))
			break;
		v->reasons |= EXS_REGQ_PRIVATE_BIN;
		/* A web.config's bin\ is beside it: look for the assembly. */
		size_t base = config_len;
		char sep = pl->plat ? pl->plat->path_separator : '\\';
		while (base && !is_sep(config[base - 1]))
			base--;
		if (!base || !pl->plat || v->image[0])
			break;
		if (same_ci(config + base, config_len - base, "web.config")) {
			snprintf(v->image, sizeof(v->image), "%.*sbin%c%s.dll",
				 (int)base, config, sep, asm_name);
			struct exs_stat st;
			struct exs_error ignored;
			v->exists = pl->plat->path_stat(v->image, &st,
							&ignored) == EXS_OK &&
				    st.node == EXS_NODE_FILE;
		}
		break;
	}
	}
	static const struct {
		unsigned bit;
		const char *text;
	} words[] = {
		{ EXS_REGQ_DATA_SCRIPT, "a data extension mapped to a script "
					"engine" },
		{ EXS_REGQ_PRIVATE_BIN, "a managed type from an assembly that "
					"is not strong-named, loaded from the "
					"application's bin folder" },
		{ EXS_REGQ_REMOTE, "a UNC path (not opened)" },
		{ EXS_REGQ_UNPLACED, "a relative path or an unknown variable" },
		{ EXS_REGQ_CLIMBS, "a path that climbs above its drive" },
		{ EXS_REGQ_OUTSIDE, "outside the Windows and Exchange folders" },
		{ EXS_REGQ_MISSING, "the image does not exist" },
		{ EXS_REGQ_SIGNATURE, "an image not signed by Microsoft" },
		{ EXS_REGQ_TRUNCATED, "longer than exsweep records" },
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!(v->reasons & words[i].bit))
			continue;
		if (words[i].bit == EXS_REGQ_OUTSIDE &&
		    r->kind == EXS_REG_TRANSPORT_AGENT)
			say(v, "outside the Exchange folders");
		else if (words[i].bit == EXS_REGQ_OUTSIDE &&
			 r->kind == EXS_REG_VIRTUAL_DIR)
			say(v, "outside inetpub and the Exchange folders");
		else if (words[i].bit == EXS_REGQ_SIGNATURE && v->sig_note[0]) {
			char t[sizeof(v->sig_note) + 48];
			snprintf(t, sizeof(t), "an image not signed by a vouched "
				 "signer (%s)", v->sig_note);
			say(v, t);
		} else
			say(v, words[i].text);
	}
}
