/* extract.c -- decoding a file and finding its server code as IIS would.
 *
 * Decoding: a UTF-8 BOM is skipped; UTF-16 (BOM, or no BOM but a zero byte
 * in most odd or even positions of the first KiB) is narrowed to one byte
 * per code unit, so that offsets map back by a stride. Anything else passes
 * through as bytes (legacy code pages keep their ASCII keywords).
 *
 * Extraction: <%@ directives (Language=, WebHandler/WebService/ServiceHost:
 * the rest of the file is code), <%-- --%> comments skipped, <% %>, <%= %>,
 * <%# %>, <%: %> blocks, and <script runat=server> in any case, quoting and
 * attribute order, with its language= attribute. .cs and .vb files (App_Code)
 * are code throughout. The same search runs whatever the extension says, so
 * a page after a GIF, PST or PNG header, in a .txt, .log or .config (the OAB
 * ExternalUrl), is found too.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static unsigned char lc(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static int starts_ci(const unsigned char *p, const unsigned char *end,
		     const char *w)
{
	for (; *w; w++, p++)
		if (p >= end || lc(*p) != (unsigned char)*w)
			return 0;
	return 1;
}

static const unsigned char *find_ci(const unsigned char *p,
				    const unsigned char *end, const char *w)
{
	size_t n = strlen(w);
	unsigned char f = (unsigned char)w[0];
	unsigned char F = (f >= 'a' && f <= 'z') ? (unsigned char)(f - 32) : f;
	for (; p + n <= end; p++) {
		if (*p != f && *p != F) {
			const unsigned char *a = memchr(p, f, (size_t)(end - p));
			const unsigned char *b = F != f ? memchr(p, F, (size_t)(end - p)) : NULL;
			const unsigned char *c = !a ? b : !b ? a : (a < b ? a : b);
			if (!c || c + n > end)
				return NULL;
			p = c;
		}
		if (starts_ci(p, end, w))
			return p;
	}
	return NULL;
}

/* ---- Decoding ------------------------------------------------------------ */

int code_text_decode(const unsigned char *data, size_t len, struct code_text *out)
{
	memset(out, 0, sizeof(*out));
	int utf16 = 0; /* 1 LE, 2 BE */
	size_t base = 0;
	if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
		base = 3;
	} else if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
		utf16 = 1, base = 2;
	} else if (len >= 2 && data[0] == 0xFE && data[1] == 0xFF) {
		utf16 = 2, base = 2;
	} else if (len >= 8) {
		size_t n = len < 1024 ? len : 1024, zodd = 0, zeven = 0;
		for (size_t i = 0; i + 1 < n; i += 2) {
			zeven += data[i] == 0;
			zodd += data[i + 1] == 0;
		}
		size_t pairs = n / 2;
		if (zodd * 10 >= pairs * 7 && zeven * 10 < pairs)
			utf16 = 1;
		else if (zeven * 10 >= pairs * 7 && zodd * 10 < pairs)
			utf16 = 2;
	}
	size_t n = utf16 ? (len - base) / 2 : len - base;
	out->t = malloc(n + 1);
	if (!out->t)
		return -1;
	if (utf16) {
		for (size_t i = 0; i < n; i++) {
			unsigned lo = data[base + 2 * i], hi = data[base + 2 * i + 1];
			unsigned u = utf16 == 1 ? (hi << 8 | lo) : (lo << 8 | hi);
			out->t[i] = u < 0x80 ? (unsigned char)u : 0x80;
		}
	} else {
		memcpy(out->t, data + base, n);
	}
	out->t[n] = '\0';
	out->n = n;
	out->base = base;
	out->stride = utf16 ? 2 : 1;
	return 0;
}

/* ---- Segments ------------------------------------------------------------ */

void code_segments_free(struct code_segments *segs)
{
	free(segs->v);
	segs->v = NULL;
	segs->count = segs->cap = 0;
}

/* Binary bytes after a "<%" in an image or a DLL are not code: a segment
 * whose first 256 bytes hold more than 8 control characters is dropped. */
static int looks_binary(const unsigned char *p, size_t n)
{
	size_t ctl = 0;
	if (n > 256)
		n = 256;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c < 9 || (c > 13 && c < 32) || c == 127)
			ctl++;
	}
	return ctl > 8;
}

static int add_segment(struct code_segments *s, size_t start, size_t end,
		       enum code_lang lang)
{
	if (end <= start)
		return 0;
	if (s->count == CODE_SEGMENTS_MAX)
		return 0;
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct code_segment *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->count++] = (struct code_segment){ start, end, lang };
	return 0;
}

/* The value of attribute name (lowercase) in the tag [p, end): copied
 * lowercased into val. Returns 1 when present. */
static int attr_value(const unsigned char *p, const unsigned char *end,
		      const char *name, char *val, size_t cap)
{
	size_t n = strlen(name);
	for (const unsigned char *q = p; (q = find_ci(q, end, name)) != NULL; q++) {
		unsigned char before = q > p ? q[-1] : ' ';
		if (before != ' ' && before != '\t' && before != '\r' &&
		    before != '\n' && before != '"' && before != '\'' && before != '@')
			continue;
		const unsigned char *r = q + n;
		while (r < end && (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n'))
			r++;
		if (r >= end || *r != '=')
			continue;
		r++;
		while (r < end && (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n'))
			r++;
		unsigned char quote = 0;
		if (r < end && (*r == '"' || *r == '\''))
			quote = *r++;
		size_t k = 0;
		while (r < end && k + 1 < cap) {
			if (quote ? *r == quote
				  : (*r == ' ' || *r == '\t' || *r == '>' ||
				     *r == '\r' || *r == '\n' || *r == '%' || *r == '/'))
				break;
			val[k++] = (char)lc(*r++);
		}
		val[k] = '\0';
		return 1;
	}
	return 0;
}

static int lang_of(const char *v, enum code_lang *lang)
{
	if (strstr(v, "vb") || strstr(v, "visualbasic"))
		*lang = LANG_VB;
	else if (strstr(v, "js") || strstr(v, "jscript") || strstr(v, "javascript") ||
		 strstr(v, "ecmascript"))
		*lang = LANG_JS;
	else if (strstr(v, "c#") || strstr(v, "cs"))
		*lang = LANG_C;
	else
		return 0;
	return 1;
}

static const char *const classic_ext[] = {
	"asp", "asa", "cer", "cdx", "inc", "htr", "stm", NULL,
};

static int in_list(const char *const *l, const char *e)
{
	for (; *l; l++)
		if (strcmp(*l, e) == 0)
			return 1;
	return 0;
}

/* A guess for files whose extension says nothing: VBScript has Dim, Set,
 * End If and no semicolons. */
static enum code_lang guess_lang(const unsigned char *p, const unsigned char *end)
{
	size_t semis = 0, vb = 0, braces = 0;
	const unsigned char *lim = end - p > 4096 ? p + 4096 : end;
	for (const unsigned char *q = p; q < lim; q++) {
		if (*q == ';')
			semis++;
		else if (*q == '{')
			braces++;
		else if ((q == p || q[-1] == ' ' || q[-1] == '\n' || q[-1] == '\t' ||
			  q[-1] == ':' || q[-1] == '%') &&
			 (starts_ci(q, lim, "dim ") || starts_ci(q, lim, "set ") ||
			  starts_ci(q, lim, "end if") || starts_ci(q, lim, "response.write \"") ||
			  starts_ci(q, lim, "next\n") || starts_ci(q, lim, "wend")))
			vb += 2;
		else if (*q == '&' && q + 1 < lim && q[1] == ' ')
			vb++;
	}
	return vb > semis || (semis == 0 && braces == 0) ? LANG_VB : LANG_JS;
}

static void note_control(struct code_segments *s, const unsigned char *tag,
			 const unsigned char *tag_end)
{
	char id[48];
	if (s->control_count == 64 || !attr_value(tag, tag_end, "id", id, sizeof(id)) ||
	    !id[0])
		return;
	memcpy(s->controls[s->control_count++], id, sizeof(id));
}

int code_extract(const struct code_text *txt, const char *ext,
		 struct code_segments *s)
{
	const unsigned char *t = txt->t, *end = txt->t + txt->n;
	int classic = in_list(classic_ext, ext);
	if (strcmp(ext, "cs") == 0 || strcmp(ext, "vb") == 0)
		return add_segment(s, 0, txt->n, ext[0] == 'v' ? LANG_VB : LANG_C);
	int have_lang = 0;
	enum code_lang lang = classic ? LANG_VB : LANG_C;
	if (strcmp(ext, "vbhtml") == 0)
		lang = LANG_VB, have_lang = 1;
	int known = classic || strcmp(ext, "aspx") == 0 || strcmp(ext, "ascx") == 0 ||
		    strcmp(ext, "ashx") == 0 || strcmp(ext, "asmx") == 0 ||
		    strcmp(ext, "asax") == 0 || strcmp(ext, "master") == 0 ||
		    strcmp(ext, "svc") == 0;
	const unsigned char *p = t;
	while (p < end) {
		const unsigned char *lt = memchr(p, '<', (size_t)(end - p));
		if (!lt)
			break;
		if (lt + 1 < end && lt[1] == '%') {
			const unsigned char *body = lt + 2;
			if (starts_ci(body, end, "--")) {
				const unsigned char *c = find_ci(body + 2, end, "--%>");
				p = c ? c + 4 : end;
				continue;
			}
			const unsigned char *close = find_ci(body, end, "%>");
			const unsigned char *stop = close ? close : end;
			if (body < end && *body == '@') {
				char v[64];
				if (attr_value(body, stop, "language", v, sizeof(v)) &&
				    lang_of(v, &lang))
					have_lang = 1;
				const unsigned char *q = body + 1;
				while (q < stop && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
					q++;
				if (starts_ci(q, stop, "webhandler") || starts_ci(q, stop, "webservice") ||
				    starts_ci(q, stop, "servicehost")) {
					size_t from = (size_t)((close ? close + 2 : end) - t);
					/* later directives and blocks belong to the code */
					return add_segment(s, from, txt->n, lang);
				}
				p = close ? close + 2 : end;
				continue;
			}
			if (!have_lang && !known) {
				lang = guess_lang(body, stop);
				have_lang = 1;
			}
			if (body < end && (*body == '=' || *body == '#' || *body == ':' ||
					   *body == '$'))
				body++;
			if (looks_binary(body, (size_t)(stop - body))) {
				p = lt + 2;
				continue;
			}
			if (add_segment(s, (size_t)(body - t), (size_t)(stop - t), lang))
				return -1;
			p = close ? close + 2 : end;
			continue;
		}
		if (starts_ci(lt, end, "<script")) {
			const unsigned char *gt = memchr(lt, '>', (size_t)(end - lt));
			if (!gt)
				break;
			char v[64];
			if (attr_value(lt + 7, gt, "runat", v, sizeof(v)) &&
			    strcmp(v, "server") == 0) {
				enum code_lang l = lang;
				if (attr_value(lt + 7, gt, "language", v, sizeof(v)) ||
				    attr_value(lt + 7, gt, "type", v, sizeof(v)))
					lang_of(v, &l);
				else if (!have_lang && !known)
					l = guess_lang(gt + 1, end);
				const unsigned char *c = find_ci(gt + 1, end, "</script");
				if (looks_binary(gt + 1, (size_t)((c ? c : end) - (gt + 1)))) {
					p = gt + 1;
					continue;
				}
				if (add_segment(s, (size_t)(gt + 1 - t),
						(size_t)((c ? c : end) - t), l))
					return -1;
				p = c ? c + 8 : end;
				continue;
			}
			p = gt + 1;
			continue;
		}
		if (lt + 1 < end && ((lt[1] | 0x20) >= 'a' && (lt[1] | 0x20) <= 'z')) {
			const unsigned char *gt = memchr(lt, '>', (size_t)(end - lt));
			const unsigned char *lim = gt ? gt : end;
			if (lim - lt < 1024) {
				char v[16];
				if (attr_value(lt + 1, lim, "runat", v, sizeof(v)) &&
				    strcmp(v, "server") == 0)
					note_control(s, lt + 1, lim);
			}
		}
		p = lt + 1;
	}
	return 0;
}
