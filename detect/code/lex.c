/* lex.c -- tokenisers for the two families of server languages.
 *
 * C family (C#, JScript, JScript.NET): // and block comments, "..." and
 * '...' with escapes decoded (\n, \xHH, \uHHHH, \u{H..}, octal), C# @"..."
 * verbatim strings, JS regex literals, \uHHHH escapes inside identifiers.
 * VB family (VB.NET, VBScript): ' and REM comments, "..." with "", line
 * continuations, &H/&O numbers, statements ended by newline, ':' and Then.
 *
 * Unterminated strings and comments end at the segment's end. Every loop
 * advances at least one byte, and the token array and arena are capped
 * (EXS_CODE_TOKENS_MAX, EXS_CODE_ARENA_MAX): past a cap the unit is marked
 * truncated and lexing stops.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static unsigned char lc(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

int code_tok_is(const struct code_unit *u, const struct code_tok *t,
		const char *word)
{
	if (t->type != T_IDENT && t->type != T_STR)
		return 0;
	const char *s = u->arena + t->val;
	if (!t->vlen || lc((unsigned char)s[0]) != (unsigned char)word[0])
		return 0;
	size_t n = strlen(word);
	if (t->vlen != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lc((unsigned char)s[i]) != (unsigned char)word[i])
			return 0;
	return 1;
}

int code_tok_has(const struct code_unit *u, const struct code_tok *t,
		 const char *word)
{
	if (t->type != T_IDENT && t->type != T_STR)
		return 0;
	const char *s = u->arena + t->val;
	size_t n = strlen(word);
	if (t->vlen < n || n == 0)
		return 0;
	for (size_t i = 0; i + n <= t->vlen; i++) {
		size_t k = 0;
		while (k < n && lc((unsigned char)s[i + k]) == (unsigned char)word[k])
			k++;
		if (k == n)
			return 1;
	}
	return 0;
}

void code_unit_free(struct code_unit *u)
{
	free(u->tok);
	free(u->arena);
	memset(u, 0, sizeof(*u));
}

uint32_t code_arena_put(struct code_unit *u, const void *p, size_t n)
{
	if (u->alen + n + 1 > EXS_CODE_ARENA_MAX) {
		u->truncated = 1;
		return UINT32_MAX;
	}
	if (u->alen + n + 1 > u->acap) {
		size_t cap = u->acap ? u->acap : 4096;
		while (cap < u->alen + n + 1)
			cap *= 2;
		char *a = realloc(u->arena, cap);
		if (!a) {
			u->nomem = 1;
			return UINT32_MAX;
		}
		u->arena = a;
		u->acap = cap;
	}
	uint32_t at = (uint32_t)u->alen;
	if (n)
		memcpy(u->arena + at, p, n);
	u->arena[at + n] = '\0';
	u->alen += n + 1;
	return at;
}

int code_tok_push(struct code_unit *u, const struct code_tok *t)
{
	if (u->count == EXS_CODE_TOKENS_MAX) {
		u->truncated = 1;
		return -1;
	}
	if (u->count == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 256;
		struct code_tok *v = realloc(u->tok, cap * sizeof(*v));
		if (!v) {
			u->nomem = 1;
			return -1;
		}
		u->tok = v;
		u->cap = cap;
	}
	u->tok[u->count++] = *t;
	return 0;
}

/* A growable scratch for one token's value. */
struct scratch {
	char small[256];
	char *p;
	size_t n, cap;
};

static void sc_init(struct scratch *s)
{
	s->p = s->small;
	s->n = 0;
	s->cap = sizeof(s->small);
}

static int sc_put(struct scratch *s, unsigned char c)
{
	if (s->n == s->cap) {
		if (s->cap >= EXS_CODE_ARENA_MAX)
			return -1;
		size_t cap = s->cap * 2;
		char *p = s->p == s->small ? malloc(cap) : realloc(s->p, cap);
		if (!p)
			return -1;
		if (s->p == s->small)
			memcpy(p, s->small, s->n);
		s->p = p;
		s->cap = cap;
	}
	s->p[s->n++] = (char)c;
	return 0;
}

static void sc_utf8(struct scratch *s, uint32_t cp)
{
	if (cp < 0x80) {
		sc_put(s, (unsigned char)cp);
	} else if (cp < 0x800) {
		sc_put(s, (unsigned char)(0xC0 | cp >> 6));
		sc_put(s, (unsigned char)(0x80 | (cp & 0x3F)));
	} else {
		if (cp > 0xFFFF)
			cp = 0xFFFD;
		sc_put(s, (unsigned char)(0xE0 | cp >> 12));
		sc_put(s, (unsigned char)(0x80 | ((cp >> 6) & 0x3F)));
		sc_put(s, (unsigned char)(0x80 | (cp & 0x3F)));
	}
}

static void sc_free(struct scratch *s)
{
	if (s->p != s->small)
		free(s->p);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lc(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == '$' || c >= 0x80;
}

static int is_ident(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

struct lexer {
	struct code_unit *u;
	const unsigned char *t, *p, *end;
	enum code_lang lang;
	uint32_t line, off_base;
	unsigned depth;
	int stop;
};

static void emit(struct lexer *lx, enum code_tok_type type,
		 const unsigned char *at, const char *val, size_t vlen,
		 uint64_t num)
{
	if (lx->stop)
		return;
	struct code_tok tok = { 0 };
	tok.type = (uint8_t)type;
	tok.lang = (uint8_t)lx->lang;
	tok.depth = (uint8_t)lx->depth;
	tok.flags = lx->depth ? F_DECODED : 0;
	tok.line = lx->line;
	tok.off = lx->off_base != UINT32_MAX ? lx->off_base : (uint32_t)(at - lx->t);
	tok.num = num;
	tok.val = code_arena_put(lx->u, val, vlen);
	tok.vlen = (uint32_t)vlen;
	if (tok.val == UINT32_MAX || code_tok_push(lx->u, &tok))
		lx->stop = 1;
}

static void emit_eos(struct lexer *lx, const unsigned char *at)
{
	struct code_unit *u = lx->u;
	if (u->count && u->tok[u->count - 1].type == T_EOS)
		return;
	emit(lx, T_EOS, at, "", 0, 0);
}

static const char *const ops3[] = { "===", "!==", "<<=", ">>=", NULL };
static const char *const ops2[] = {
	"==", "!=", "<=", ">=", "=>", "+=", "-=", "*=", "/=", "&=", "|=",
	"^=", "&&", "||", "++", "--", "::", "??", "->", "<<", ">>", "<>",
	":=", NULL,
};

static void lex_op(struct lexer *lx)
{
	const unsigned char *p = lx->p;
	size_t left = (size_t)(lx->end - p);
	if (left < 2 || !strchr("=&|+-<>:?!*/^", p[1]) || p[1] == 0) {
		emit(lx, T_OP, p, (const char *)p, 1, 0);
		lx->p++;
		return;
	}
	for (int k = 0; ops3[k]; k++)
		if (left >= 3 && memcmp(p, ops3[k], 3) == 0) {
			emit(lx, T_OP, p, (const char *)p, 3, 0);
			lx->p += 3;
			return;
		}
	for (int k = 0; ops2[k]; k++)
		if (left >= 2 && memcmp(p, ops2[k], 2) == 0) {
			if (lx->lang != LANG_VB && (memcmp(p, "<>", 2) == 0 ||
						   memcmp(p, ":=", 2) == 0))
				continue;
			emit(lx, T_OP, p, (const char *)p, 2, 0);
			lx->p += 2;
			return;
		}
	emit(lx, T_OP, p, (const char *)p, 1, 0);
	lx->p++;
}

static void lex_number(struct lexer *lx)
{
	const unsigned char *s = lx->p, *p = lx->p, *end = lx->end;
	uint64_t v = 0;
	if (p + 1 < end && p[0] == '0' && (p[1] | 0x20) == 'x') {
		p += 2;
		while (p < end && hexval(*p) >= 0)
			v = v * 16 + (uint64_t)hexval(*p++);
	} else if (p + 1 < end && p[0] == '&' && (p[1] | 0x20) == 'h') {
		p += 2;
		while (p < end && hexval(*p) >= 0)
			v = v * 16 + (uint64_t)hexval(*p++);
	} else if (p + 1 < end && p[0] == '&' && (p[1] | 0x20) == 'o') {
		p += 2;
		while (p < end && *p >= '0' && *p <= '7')
			v = v * 8 + (uint64_t)(*p++ - '0');
	} else {
		while (p < end && *p >= '0' && *p <= '9')
			v = v * 10 + (uint64_t)(*p++ - '0');
		if (p < end && *p == '.' && p + 1 < end && p[1] >= '0' && p[1] <= '9')
			for (p++; p < end && *p >= '0' && *p <= '9'; p++)
				;
	}
	while (p < end && (is_ident(*p) || *p == '&' || *p == '%' || *p == '#' ||
			   *p == '!' || *p == '@') && !(*p == '&' && p + 1 < end && p[1] == ' '))
		p++;
	if (p == s)
		p++;
	emit(lx, T_NUM, s, (const char *)s, (size_t)(p - s), v);
	lx->p = p;
}

/* C-family string with escapes; p at the quote. */
static void lex_c_string(struct lexer *lx, int verbatim)
{
	const unsigned char *s = lx->p, *p = lx->p, *end = lx->end;
	unsigned char q = *p++;
	struct scratch sc;
	sc_init(&sc);
	while (p < end) {
		unsigned char c = *p;
		if (c == q) {
			if (verbatim && p + 1 < end && p[1] == q) {
				sc_put(&sc, q);
				p += 2;
				continue;
			}
			p++;
			break;
		}
		if (c == '\n') {
			lx->line++;
			if (!verbatim && lx->lang != LANG_VB && q != '`') {
				/* an unterminated literal ends at its line */
				break;
			}
		}
		if (c == '\\' && !verbatim && p + 1 < end) {
			unsigned char e = p[1];
			p += 2;
			switch (e) {
			case 'n': sc_put(&sc, '\n'); break;
			case 't': sc_put(&sc, '\t'); break;
			case 'r': sc_put(&sc, '\r'); break;
			case '0': case '1': case '2': case '3':
			case '4': case '5': case '6': case '7': {
				unsigned v = (unsigned)(e - '0');
				for (int k = 0; k < 2 && p < end && *p >= '0' && *p <= '7'; k++)
					v = v * 8 + (unsigned)(*p++ - '0');
				sc_utf8(&sc, v & 0xFF);
				break;
			}
			case 'x': {
				unsigned v = 0;
				int k = 0;
				while (k < 4 && p < end && hexval(*p) >= 0) {
					v = v * 16 + (unsigned)hexval(*p++);
					k++;
				}
				sc_utf8(&sc, v);
				break;
			}
			case 'u': {
				unsigned v = 0;
				if (p < end && *p == '{') {
					p++;
					for (int k = 0; k < 6 && p < end && hexval(*p) >= 0; k++)
						v = v * 16 + (unsigned)hexval(*p++);
					if (p < end && *p == '}')
						p++;
				} else {
					for (int k = 0; k < 4 && p < end && hexval(*p) >= 0; k++)
						v = v * 16 + (unsigned)hexval(*p++);
				}
				sc_utf8(&sc, v);
				break;
			}
			case '\n':
				lx->line++;
				break;
			default:
				sc_put(&sc, e);
			}
			continue;
		}
		sc_put(&sc, c);
		p++;
	}
	emit(lx, T_STR, s, sc.p, sc.n, 0);
	sc_free(&sc);
	lx->p = p;
}

static void lex_vb_string(struct lexer *lx)
{
	const unsigned char *s = lx->p, *p = lx->p + 1, *end = lx->end;
	struct scratch sc;
	sc_init(&sc);
	while (p < end) {
		if (*p == '"') {
			if (p + 1 < end && p[1] == '"') {
				sc_put(&sc, '"');
				p += 2;
				continue;
			}
			p++;
			break;
		}
		if (*p == '\n') /* VB literals never span lines */
			break;
		sc_put(&sc, *p++);
	}
	emit(lx, T_STR, s, sc.p, sc.n, 0);
	sc_free(&sc);
	lx->p = p;
}

/* Identifier, with \uHHHH escapes (C family) decoded. */
static void lex_ident(struct lexer *lx)
{
	const unsigned char *s = lx->p, *p = lx->p, *end = lx->end;
	/* the common case: plain identifier bytes, emitted from the source */
	{
		const unsigned char *q = *p == '@' ? p + 1 : p;
		const unsigned char *st = q;
		while (q < end && is_ident(*q))
			q++;
		if (q > st && !(q < end && *q == '\\')) {
			emit(lx, T_IDENT, s, (const char *)st, (size_t)(q - st), 0);
			lx->p = q;
			return;
		}
	}
	struct scratch sc;
	sc_init(&sc);
	int escaped = 0;
	if (*p == '@')
		p++;
	while (p < end) {
		if (is_ident(*p)) {
			sc_put(&sc, *p++);
		} else if (lx->lang != LANG_VB && *p == '\\' && p + 5 < end + 0 &&
			   p[1] == 'u') {
			unsigned v = 0;
			const unsigned char *q = p + 2;
			int k = 0;
			for (; k < 4 && q < end && hexval(*q) >= 0; k++)
				v = v * 16 + (unsigned)hexval(*q++);
			if (k < 4)
				break;
			sc_utf8(&sc, v);
			escaped = 1;
			p = q;
		} else {
			break;
		}
	}
	if (p == s)
		p++;
	size_t before = lx->u->count;
	emit(lx, T_IDENT, s, sc.p, sc.n, 0);
	if (lx->u->count > before && escaped)
		lx->u->tok[before].flags |= F_DECODED; /* \u0065val */
	sc_free(&sc);
	lx->p = p;
}

/* Can a '/' here start a regex literal (JS)? */
static int regex_allowed(const struct code_unit *u, size_t first)
{
	if (u->count == first)
		return 1;
	const struct code_tok *t = &u->tok[u->count - 1];
	if (t->type == T_OP) {
		const char *v = u->arena + t->val;
		return !(v[0] == ')' || v[0] == ']' || v[0] == '}');
	}
	if (t->type == T_IDENT)
		return code_tok_is(u, t, "return") || code_tok_is(u, t, "typeof");
	return t->type == T_EOS;
}

static void lex_c(struct lexer *lx, size_t first)
{
	while (lx->p < lx->end && !lx->stop) {
		const unsigned char *p = lx->p, *end = lx->end;
		unsigned char c = *p;
		if (c == '\n') {
			lx->line++;
			lx->p++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == 0) {
			lx->p++;
		} else if (c == '/' && p + 1 < end && p[1] == '/') {
			const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
			lx->p = nl ? nl : end;
		} else if (c == '/' && p + 1 < end && p[1] == '*') {
			const unsigned char *q = p + 2;
			while (q + 1 < end && !(q[0] == '*' && q[1] == '/')) {
				if (*q == '\n')
					lx->line++;
				q++;
			}
			lx->p = q + 1 < end ? q + 2 : end;
		} else if (c == '"' || c == '\'' || c == '`') {
			lex_c_string(lx, 0);
		} else if ((c == '@' || c == '$') && p + 1 < end && p[1] == '"') {
			lx->p++;
			lex_c_string(lx, c == '@');
		} else if (c == '$' && p + 2 < end && p[1] == '@' && p[2] == '"') {
			lx->p += 2;
			lex_c_string(lx, 1);
		} else if (c == '/' && regex_allowed(lx->u, first)) {
			const unsigned char *q = p + 1;
			int cls = 0;
			while (q < end && *q != '\n') {
				if (*q == '\\' && q + 1 < end) {
					q += 2;
					continue;
				}
				if (*q == '[')
					cls = 1;
				else if (*q == ']')
					cls = 0;
				else if (*q == '/' && !cls)
					break;
				q++;
			}
			if (q < end && *q == '/') {
				q++;
				while (q < end && is_ident(*q))
					q++;
				emit(lx, T_STR, p, (const char *)p, (size_t)(q - p), 0);
				lx->p = q;
			} else {
				lex_op(lx);
			}
		} else if (c >= '0' && c <= '9') {
			lex_number(lx);
		} else if (is_ident_start(c) || c == '@' ||
			   (c == '\\' && p + 1 < end && p[1] == 'u')) {
			lex_ident(lx);
		} else if (c == ';') {
			emit_eos(lx, p);
			lx->p++;
		} else {
			lex_op(lx);
		}
	}
}

static int at_statement_start(const struct code_unit *u, size_t first)
{
	return u->count == first || u->tok[u->count - 1].type == T_EOS;
}

static void lex_vb(struct lexer *lx, size_t first)
{
	while (lx->p < lx->end && !lx->stop) {
		const unsigned char *p = lx->p, *end = lx->end;
		unsigned char c = *p;
		if (c == '\n') {
			emit_eos(lx, p);
			lx->line++;
			lx->p++;
		} else if (c == '\r' && !(p + 1 < end && p[1] == '\n')) {
			/* a lone CR ends a VBScript line too */
			emit_eos(lx, p);
			lx->p++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0) {
			lx->p++;
		} else if (c == '_' && (p + 1 >= end || p[1] == ' ' || p[1] == '\t' ||
				       p[1] == '\r' || p[1] == '\n')) {
			/* a continuation: skip to the next line */
			const unsigned char *q = p + 1;
			while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
				q++;
			if (q < end && *q == '\n') {
				lx->line++;
				lx->p = q + 1;
			} else {
				lex_ident(lx);
			}
		} else if (c == '\'' ||
			   (at_statement_start(lx->u, first) && end - p >= 4 &&
			    lc(p[0]) == 'r' && lc(p[1]) == 'e' && lc(p[2]) == 'm' &&
			    (p[3] == ' ' || p[3] == '\t'))) {
			const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
			lx->p = nl ? nl : end;
		} else if (c == '"') {
			lex_vb_string(lx);
		} else if ((c >= '0' && c <= '9') ||
			   (c == '&' && p + 2 < end && (lc(p[1]) == 'h' || lc(p[1]) == 'o') &&
			    hexval(p[2]) >= 0)) {
			lex_number(lx);
		} else if (c == '[' && p + 1 < end && is_ident_start(p[1])) {
			const unsigned char *q = p + 1;
			while (q < end && is_ident(*q))
				q++;
			if (q < end && *q == ']') {
				emit(lx, T_IDENT, p + 1, (const char *)p + 1, (size_t)(q - p - 1), 0);
				lx->p = q + 1;
			} else {
				lex_op(lx);
			}
		} else if (is_ident_start(c)) {
			lex_ident(lx);
			struct code_unit *u = lx->u;
			if (u->count && (code_tok_is(u, &u->tok[u->count - 1], "then") ||
					 code_tok_is(u, &u->tok[u->count - 1], "else")))
				emit_eos(lx, lx->p);
		} else if (c == ':' && !(p + 1 < end && p[1] == '=')) {
			emit_eos(lx, p);
			lx->p++;
		} else {
			lex_op(lx);
		}
	}
}

void code_lex(struct code_unit *u, const unsigned char *t, size_t start,
	      size_t end, enum code_lang lang, uint32_t line,
	      uint32_t off_base, unsigned depth)
{
	if (u->truncated || u->nomem)
		return;
	struct lexer lx = { u, t, t + start, t + end, lang, line, off_base, depth, 0 };
	size_t first = u->count;
	if (lang == LANG_VB)
		lex_vb(&lx, first);
	else
		lex_c(&lx, first);
	emit_eos(&lx, t + end);
}
