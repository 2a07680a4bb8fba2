/* code.c -- the pipeline of detect/code: decode, extract, lex, normalise,
 * follow (see code.h). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void extension(const char *name, size_t n, char *ext, size_t cap)
{
	size_t dot = n, start = 0;
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '/' || name[i] == '\\')
			start = i + 1, dot = n;
		else if (name[i] == '.')
			dot = i;
	}
	ext[0] = '\0';
	if (dot == n || dot < start)
		return;
	size_t k = 0;
	for (size_t i = dot + 1; i < n && k + 1 < cap; i++) {
		char c = name[i];
		ext[k++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	ext[k] = '\0';
	/* a name ending in ".txt" after a server extension (x.asp.txt) keeps
	 * the server extension's language */
	if (strcmp(ext, "txt") == 0 || strcmp(ext, "bak") == 0 ||
	    strcmp(ext, "config") == 0 || strcmp(ext, "log") == 0) {
		size_t prev = dot;
		while (prev > start && name[prev - 1] != '.')
			prev--;
		if (prev > start && dot - prev < 8 && dot - prev > 0) {
			char inner[8];
			size_t m = 0;
			for (size_t i = prev; i < dot && m + 1 < sizeof(inner); i++) {
				char c = name[i];
				inner[m++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
			}
			inner[m] = '\0';
			if (!strcmp(inner, "asp") || !strcmp(inner, "aspx") ||
			    !strcmp(inner, "asa") || !strcmp(inner, "ashx") ||
			    !strcmp(inner, "asmx") || !strcmp(inner, "cer"))
				snprintf(ext, cap, "%s", inner);
		}
	}
}

/* Renders the tokens as text for YARA: identifiers and numbers spaced,
 * literals in double quotes, statements ended by ';' (C family) or a
 * newline (VB), a new rendered line whenever the original line changes. */
static void render_view(const struct code_unit *u, const struct code_text *txt,
			struct exs_code_view *v)
{
	size_t cap = 4096, lcap = 64;
	v->text = malloc(cap);
	v->lines = malloc(lcap * sizeof(*v->lines));
	v->offsets = malloc(lcap * sizeof(*v->offsets));
	if (!v->text || !v->lines || !v->offsets)
		goto fail;
	uint32_t line = 0;
	int prev_word = 0;
	for (size_t i = 0; i < u->count; i++) {
		const struct code_tok *t = &u->tok[i];
		const char *s = u->arena + t->val;
		size_t n = t->type == T_STR ? (size_t)t->vlen + 2 : (size_t)t->vlen + 2;
		if (v->len + n + 2 > EXS_CODE_VIEW_MAX)
			break;
		while (v->len + n + 2 > cap) {
			char *p = realloc(v->text, cap * 2);
			if (!p)
				goto fail;
			v->text = p;
			cap *= 2;
		}
		if (t->line != line) {
			if (v->line_count == lcap) {
				uint32_t *l = realloc(v->lines, lcap * 2 * sizeof(*l));
				if (l)
					v->lines = l;
				uint64_t *o = realloc(v->offsets, lcap * 2 * sizeof(*o));
				if (o)
					v->offsets = o;
				if (!l || !o)
					goto fail;
				lcap *= 2;
			}
			if (v->line_count)
				v->text[v->len++] = '\n';
			v->lines[v->line_count] = t->line;
			v->offsets[v->line_count] = txt->base + txt->stride * (uint64_t)t->off;
			v->line_count++;
			line = t->line;
			prev_word = 0;
		}
		int word = t->type == T_IDENT || t->type == T_NUM;
		if (t->type == T_EOS) {
			v->text[v->len++] = t->lang == LANG_VB ? ' ' : ';';
			prev_word = 0;
			continue;
		}
		if (word && prev_word)
			v->text[v->len++] = ' ';
		if (t->type == T_STR)
			v->text[v->len++] = '"';
		memcpy(v->text + v->len, s, t->vlen);
		v->len += t->vlen;
		if (t->type == T_STR)
			v->text[v->len++] = '"';
		prev_word = word;
	}
	return;
fail:
	free(v->text);
	free(v->lines);
	free(v->offsets);
	memset(v, 0, sizeof(*v));
}

void exs_code_result_free(struct exs_code_result *out)
{
	free(out->view.text);
	free(out->view.lines);
	free(out->view.offsets);
	memset(&out->view, 0, sizeof(out->view));
}

static int analyse(const unsigned char *data, size_t len, const char *name,
		   size_t name_len, struct exs_code_result *out, int want_view);

int exs_code_analyse(const unsigned char *data, size_t len, const char *name,
		     size_t name_len, struct exs_code_result *out)
{
	return analyse(data, len, name, name_len, out, 0);
}

int exs_code_analyse_view(const unsigned char *data, size_t len, const char *name,
			  size_t name_len, struct exs_code_result *out)
{
	return analyse(data, len, name, name_len, out, 1);
}

static int analyse(const unsigned char *data, size_t len, const char *name,
		   size_t name_len, struct exs_code_result *out, int want_view)
{
	memset(out, 0, sizeof(*out));
	char ext[16];
	extension(name, name_len, ext, sizeof(ext));
	/* client-side script and style are never server code; nor are
	 * executables and archives (a PE image is not a page) */
	static const char *const never[] = {
		"js", "css", "json", "map", "ts", "dll", "exe", "pdb", "zip", "cab",
		"msi", "woff", "woff2", "ttf", "eot", "otf", "mp4", "mp3", "wasm",
		"nupkg", NULL,
	};
	for (int i = 0; never[i]; i++)
		if (!strcmp(ext, never[i]))
			return 0;
	if (len >= 2 && data[0] == 'M' && data[1] == 'Z')
		return 0;
	if (!memchr(data, '<', len) && strcmp(ext, "cs") && strcmp(ext, "vb")) {
		/* UTF-16 pages have no single '<' byte run either; let the
		 * decoder look before giving up */
		if (len < 4 || (memchr(data, 0, len < 64 ? len : 64) == NULL))
			return 0;
	}
	struct code_text txt;
	if (code_text_decode(data, len, &txt))
		return -1;
	struct code_segments segs = { 0 };
	int rc = code_extract(&txt, ext, &segs);
	out->segments = (unsigned)segs.count;
	if (rc == 0 && segs.count) {
		struct code_unit u = { 0 };
		uint32_t line = 1;
		size_t at = 0;
		for (size_t i = 0; i < segs.count && !u.nomem; i++) {
			const struct code_segment *s = &segs.v[i];
			for (; at < s->start; at++)
				line += txt.t[at] == '\n';
			code_lex(&u, txt.t, s->start, s->end, s->lang, line, UINT32_MAX, 0);
		}
		if (!u.nomem)
			code_normalise(&u);
		if (!u.nomem)
			code_flow(&u, &segs, &txt, out);
		if (!u.nomem && want_view) {
			int decoded = 0;
			for (size_t i = 0; i < u.count && !decoded; i++)
				decoded = (u.tok[i].flags & F_DECODED) != 0;
			if (decoded)
				render_view(&u, &txt, &out->view);
		}
		out->truncated |= u.truncated;
		if (u.nomem)
			rc = -1;
		code_unit_free(&u);
	}
	code_segments_free(&segs);
	free(txt.t);
	return rc ? -1 : 0;
}
