/* traces.c -- the exploitation techniques as request shapes (traces.h).
 *
 * Order of work per line: the path is decoded first (it is short and every
 * technique but the ECP one starts from it); the query, the cookies and the
 * routing fields only when the path, or the presence of the field, makes a
 * technique possible. A benign line costs one decode of its path and a few
 * comparisons.
 */
#include "traces.h"

#include <string.h>

enum {
	T_BACKEND_COOKIE = 0,
	T_ECP_JS,
	T_SERVERINFO_ANCHOR,
	T_DDI_OAB,
	T_AUTODISCOVER_SSRF,
	T_AUTODISCOVER_PS_ANON,
	T_AUTODISCOVER_PS_AUTH,
	T_RPS_CAT,
	T_OWA_POWERSHELL,
	T_VDIR_SCRIPT,
	T_COUNT
};

#define PROXYLOGON "ProxyLogon (CVE-2021-26855)"
#define PROXYLOGON_WRITE "ProxyLogon (CVE-2021-26855, CVE-2021-27065)"
#define PROXYSHELL "ProxyShell (CVE-2021-34473)"
#define PROXYSHELL_PS "ProxyShell (CVE-2021-34473, CVE-2021-34523, CVE-2021-31207)"
#define PROXYNOTSHELL "ProxyNotShell (CVE-2022-41040, CVE-2022-41082)"
#define OWASSRF "OWASSRF (CVE-2022-41080, CVE-2022-41082)"

static const struct exs_technique techniques[T_COUNT] = {
	[T_BACKEND_COOKIE] = { "proxylogon.backend_cookie_ssrf", PROXYLOGON, "high",
		"an X-AnonResource-Backend or X-BEResource cookie whose server part "
		"carries a path, query, fragment or user part: the front end was "
		"asked to forward the request to a location the caller chose" },
	[T_ECP_JS] = { "proxylogon.ecp_root_script", PROXYLOGON, "high",
		"a .js file requested directly under /ecp/, where ECP serves no "
		"script (its scripts live in versioned folders): the request that "
		"carried the forged back-end cookie" },
	[T_SERVERINFO_ANCHOR] = { "proxylogon.serverinfo_anchor", PROXYLOGON, "high",
		"the front end routed an unauthenticated request on a ServerInfo~ "
		"anchor that names a back-end path" },
	[T_DDI_OAB] = { "proxylogon.ecp_oab_vdir_write", PROXYLOGON_WRITE, "medium",
		"ECP's DDI service asked to set or reset the OAB virtual directory: "
		"the file-write step after the SSRF (also a rare admin action; "
		"confirm in the ECP server log)" },
	[T_AUTODISCOVER_SSRF] = { "proxyshell.autodiscover_ssrf", PROXYSHELL, "high",
		"autodiscover.json whose query points back at autodiscover.json or "
		"starts with '@': the path confusion that lets the front end proxy "
		"to any back-end service" },
	[T_AUTODISCOVER_PS_ANON] = { "proxyshell.autodiscover_powershell", PROXYSHELL_PS,
		"high",
		"autodiscover.json used by an unauthenticated caller to reach the "
		"back end's remote PowerShell" },
	[T_AUTODISCOVER_PS_AUTH] = { "proxynotshell.autodiscover_powershell",
		PROXYNOTSHELL, "high",
		"autodiscover.json used by an authenticated caller to reach the "
		"back end's remote PowerShell" },
	[T_RPS_CAT] = { "proxyshell.rps_cat_token", PROXYSHELL_PS, "high",
		"an X-Rps-CAT access token in the query of a PowerShell request: "
		"the caller supplied the identity remote PowerShell runs as" },
	[T_OWA_POWERSHELL] = { "owassrf.owa_powershell", OWASSRF, "high",
		"remote PowerShell reached through an OWA path (/owa/MAILBOX/powershell)" },
	[T_VDIR_SCRIPT] = { "ecp.vdir_url_script", PROXYLOGON_WRITE, "high",
		"a Set-*VirtualDirectory cmdlet run through ECP with server script "
		"in a URL parameter: the OAB/ECP virtual directory trick that drops "
		"a webshell" },
};

const struct exs_technique *exs_traces_all(size_t *count)
{
	*count = T_COUNT;
	return techniques;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static const unsigned char fold_table[256] = {
#define R(x) x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7
	R(0), R(8), R(16), R(24), R(32), R(40), R(48), R(56),
	64, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 91, 92, 93, 94, 95,
	R(96), R(104), R(112), R(120), R(128), R(136), R(144), R(152), R(160),
	R(168), R(176), R(184), R(192), R(200), R(208), R(216), R(224), R(232),
	R(240), R(248),
#undef R
};

static size_t decode_once(const char *src, size_t n, int plus, char *dst,
			  size_t cap)
{
	size_t o = 0;
	/* Most paths need no decoding: fold them by table until a '%' (or a
	 * '+' that means space) turns up. */
	size_t lim = n < cap ? n : cap;
	while (o < lim) {
		unsigned char c = (unsigned char)src[o];
		if (c == '%' || (c == '+' && plus))
			break;
		dst[o++] = (char)fold_table[c];
	}
	if (o == lim)
		return o;
	for (size_t i = o; i < n && o < cap; i++) {
		int c = (unsigned char)src[i];
		if (c == '%' && i + 2 < n) {
			int h = hexval((unsigned char)src[i + 1]);
			int l = hexval((unsigned char)src[i + 2]);
			if (h >= 0 && l >= 0) {
				c = h * 16 + l;
				i += 2;
			}
		} else if (c == '+' && plus) {
			c = ' ';
		}
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		dst[o++] = (char)c;
	}
	return o;
}

size_t exs_trace_decode(const char *src, size_t n, int plus, char *dst,
			size_t cap)
{
	size_t o = decode_once(src, n, plus, dst, cap);
	/* A second pass for %25XX: decoding in place never grows. */
	if (memchr(dst, '%', o))
		o = decode_once(dst, o, 0, dst, o);
	return o;
}

/* needle is lower case; hay already folded. */
static const char *find(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (k == 0 || n < k)
		return NULL;
	const char *p = hay, *end = hay + n - k + 1;
	while (p < end) {
		p = memchr(p, needle[0], (size_t)(end - p));
		if (!p)
			return NULL;
		if (memcmp(p, needle, k) == 0)
			return p;
		p++;
	}
	return NULL;
}

static int starts_n(const char *s, size_t n, const char *prefix, size_t k)
{
	return n >= k && memcmp(s, prefix, k) == 0;
}
/* With a literal, the length is a constant and memcmp is inlined. */
#define starts(s, n, lit) starts_n((s), (n), (lit), sizeof(lit) - 1)

/* Raw (not yet folded) field contains needle (lower case), any case. */
static int raw_has(const struct exs_slice *f, const char *needle)
{
	size_t k = strlen(needle);
	if (f->n < k)
		return 0;
	for (size_t i = 0; i + k <= f->n; i++) {
		size_t j = 0;
		while (j < k) {
			int c = (unsigned char)f->p[i + j];
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if (c != needle[j])
				break;
			j++;
		}
		if (j == k)
			return 1;
	}
	return 0;
}

/* The server part of a routing cookie value ("server~version" or
 * "server~..."): a host name or address only, on a legitimate request. */
static int cookie_value_is_url(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		if (c == '~' || c == ';' || c == ' ')
			return 0;
		if (c == '/' || c == '?' || c == '#' || c == '@' || c == '\\')
			return 1;
	}
	return 0;
}

/* Any X-AnonResource-Backend= or X-BEResource= cookie in s (folded);
 * *url says whether one of them names a location, not a server. */
static int backend_cookie(const char *s, size_t n, int *url)
{
	static const char *const names[] = { "x-anonresource-backend=",
					     "x-beresource=" };
	int any = 0;
	*url = 0;
	for (size_t k = 0; k < 2; k++) {
		const char *p = s;
		size_t left = n;
		const char *hit;
		while ((hit = find(p, left, names[k])) != NULL) {
			any = 1;
			const char *v = hit + strlen(names[k]);
			size_t vn = (size_t)(s + n - v);
			if (cookie_value_is_url(v, vn))
				*url = 1;
			left = (size_t)(s + n - v);
			p = v;
		}
	}
	return any;
}

/* ECP's own log: the cmdlet and its parameters, either as columns or as
 * the value of a CMD= key inside a key=value data column. */
static int vdir_script(const struct exs_logreq *r, struct exs_trace_scratch *s)
{
	const struct exs_slice *cmd = &r->f[EXS_LR_CMDLET];
	const struct exs_slice *par = &r->f[EXS_LR_PARAMS];
	const struct exs_slice *info = &r->f[EXS_LR_INFO];
	const char *text;
	size_t n;
	if (cmd->n) {
		if (!raw_has(cmd, "set-") || !raw_has(cmd, "virtualdirectory"))
			return 0;
		n = exs_trace_decode(par->p, par->n, 0, s->other, sizeof(s->other));
		text = s->other;
	} else if (info->n && raw_has(info, "cmd=") && raw_has(info, "virtualdirectory")) {
		n = exs_trace_decode(info->p, info->n, 0, s->other, sizeof(s->other));
		const char *c = find(s->other, n, "cmd=");
		while (c && c != s->other && c[-1] != ':' && c[-1] != ';' &&
		       c[-1] != ' ' && c[-1] != ',')
			c = find(c + 4, (size_t)(s->other + n - c - 4), "cmd=");
		if (!c)
			return 0;
		c += 4;
		size_t left = (size_t)(s->other + n - c);
		if (!starts(c, left, "set-"))
			return 0;
		size_t name = 0;
		while (name < left && c[name] != '.' && c[name] != ' ' &&
		       c[name] != ';')
			name++;
		if (!find(c, name, "virtualdirectory"))
			return 0;
		text = c + name;
		n = left - name;
	} else {
		return 0;
	}
	if (!find(text, n, "url"))
		return 0;
	return find(text, n, "<script") || find(text, n, "runat=") ||
	       find(text, n, "<%") || find(text, n, "page_load");
}

/* What the path's segments say, in one pass: where autodiscover.json
 * starts a segment, whether a segment starts with "powershell", and
 * whether OWA's path holds a powershell segment below its first. */
struct shape {
	const char *autodiscover;    /* "autodiscover.json..." segment */
	int powershell;              /* a segment starts with powershell */
	int owa_powershell;          /* /owa/X/.../powershell[/?;] */
	int mentions;                /* "autodiscover" or "powershell" anywhere */
};

static void path_shape(const char *p, size_t n, struct shape *sh)
{
	memset(sh, 0, sizeof(*sh));
	int owa = starts(p, n, "/owa/");
	size_t seg = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		/* segment [seg, i) */
		const char *g = p + seg;
		size_t gl = i - seg;
		if (gl >= 10 && g[0] == 'p' && memcmp(g, "powershell", 10) == 0) {
			sh->powershell = 1;
			if (owa && seg > 5 &&
			    (gl == 10 || g[10] == '?' || g[10] == ';'))
				sh->owa_powershell = 1;
		} else if (gl >= 12 && g[0] == 'a' && memcmp(g, "autodiscover", 12) == 0) {
			sh->mentions = 1;
			if (!sh->autodiscover && gl >= 17 &&
			    memcmp(g + 12, ".json", 5) == 0)
				sh->autodiscover = g;
		}
		seg = i + 1;
	}
	sh->mentions |= sh->powershell;
}

size_t exs_traces_match(const struct exs_logreq *r, struct exs_trace_scratch *s,
			const struct exs_technique **out)
{
	size_t m = 0;
#define HIT(t) do { if (m < EXS_TRACE_MATCH_MAX) out[m++] = &techniques[t]; } while (0)
	const struct exs_slice *stem = &r->f[EXS_LR_STEM];
	const struct exs_slice *url = &r->f[EXS_LR_URL];
	/* A log that records a whole URL instead of a path (CmdletInfra):
	 * its path and query are read from it. */
	if (stem->n)
		s->stem_n = exs_trace_decode(stem->p, stem->n, 0, s->stem,
					     sizeof(s->stem));
	else if (url->n) {
		s->stem_n = exs_trace_decode(url->p, url->n, 0, s->stem,
					     sizeof(s->stem));
		const char *scheme = find(s->stem, s->stem_n, "://");
		if (scheme) {
			const char *path = memchr(scheme + 3, '/',
						  (size_t)(s->stem + s->stem_n - scheme - 3));
			size_t skip = path ? (size_t)(path - s->stem) : s->stem_n;
			memmove(s->stem, s->stem + skip, s->stem_n - skip);
			s->stem_n -= skip;
		}
	} else
		s->stem_n = 0;
	s->query_n = 0;
	const struct exs_slice *q = &r->f[EXS_LR_QUERY];
	/* The query matters to the autodiscover, PowerShell and DDI shapes
	 * only: decoded for those paths (and for whole-URL lines). */
	struct shape sh;
	path_shape(s->stem, s->stem_n, &sh);
	if (q->n && (sh.mentions || starts(s->stem, s->stem_n, "/ecp/ddi/")))
		s->query_n = exs_trace_decode(q->p, q->n, 0, s->query,
					      sizeof(s->query));
	/* The query of a whole-URL line follows its '?'. */
	const char *qm = !stem->n ? memchr(s->stem, '?', s->stem_n) : NULL;
	if (qm && !s->query_n) {
		size_t qn = (size_t)(s->stem + s->stem_n - qm - 1);
		memcpy(s->query, qm + 1, qn);
		s->query_n = qn;
		s->stem_n = (size_t)(qm - s->stem);
		path_shape(s->stem, s->stem_n, &sh);
	}
	const char *p = s->stem;
	size_t n = s->stem_n;
	int authenticated = r->f[EXS_LR_USER].n > 0;

	/* Cookies: the W3C cs(Cookie) column, HttpProxy's BackEndCookie. */
	const struct exs_slice *ck = &r->f[EXS_LR_COOKIE];
	const struct exs_slice *bk = &r->f[EXS_LR_BACKEND_COOKIE];
	int cookie = 0, cookie_url = 0;
	if ((ck->n && (raw_has(ck, "x-beresource") || raw_has(ck, "x-anonresource"))) ||
	    (bk->n && (raw_has(bk, "x-beresource") || raw_has(bk, "x-anonresource")))) {
		const struct exs_slice *c = ck->n ? ck : bk;
		s->cookie_n = exs_trace_decode(c->p, c->n, r->w3c, s->cookie,
					       sizeof(s->cookie));
		cookie = backend_cookie(s->cookie, s->cookie_n, &cookie_url);
	}
	if (cookie_url)
		HIT(T_BACKEND_COOKIE);

	/* /ecp/NAME.js: one segment under /ecp/. */
	if (starts(p, n, "/ecp/") && n > 8 && !memchr(p + 5, '/', n - 5) &&
	    memcmp(p + n - 3, ".js", 3) == 0)
		HIT(T_ECP_JS);

	const struct exs_slice *an = &r->f[EXS_LR_ANCHOR];
	if (an->n > 11 && raw_has(an, "serverinfo~") && !authenticated) {
		char tmp[512];
		size_t tn = exs_trace_decode(an->p, an->n, 0, tmp, sizeof(tmp));
		const char *si = find(tmp, tn, "serverinfo~");
		if (si && memchr(si, '/', (size_t)(tmp + tn - si)))
			HIT(T_SERVERINFO_ANCHOR);
	}

	if (starts(p, n, "/ecp/ddi/ddiservice.svc/setobject") &&
	    (find(s->query, s->query_n, "schema=resetoabvirtualdirectory") ||
	     find(s->query, s->query_n, "schema=oabvirtualdirectory")))
		HIT(T_DDI_OAB);

	const char *ad = sh.autodiscover;
	if (ad) {
		/* What follows autodiscover.json in the path, and the query. */
		const char *rest = ad + 17;
		size_t rest_n = (size_t)(p + n - rest);
		int ps = find(rest, rest_n, "powershell") ||
			 find(s->query, s->query_n, "powershell");
		int self = find(s->query, s->query_n, "autodiscover/autodiscover.json") ||
			   find(s->query, s->query_n, "autodiscover.json?") ||
			   (s->query_n && s->query[0] == '@') ||
			   (rest_n && rest[0] == '@');
		if (ps && (self || find(rest, rest_n, "powershell")))
			HIT(authenticated ? T_AUTODISCOVER_PS_AUTH
					  : T_AUTODISCOVER_PS_ANON);
		else if (self)
			HIT(T_AUTODISCOVER_SSRF);
	}

	if ((sh.powershell || ad) && s->query_n &&
	    find(s->query, s->query_n, "x-rps-cat="))
		HIT(T_RPS_CAT);

	if (sh.owa_powershell)
		HIT(T_OWA_POWERSHELL);

	if (r->f[EXS_LR_CMDLET].n || r->f[EXS_LR_INFO].n)
		if (vdir_script(r, s))
			HIT(T_VDIR_SCRIPT);
#undef HIT
	(void)cookie;
	return m;
}
