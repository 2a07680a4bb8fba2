/* normalise.c -- undoing the obfuscations webshells use to hide a keyword.
 *
 * Works on the token array in place, as a shift-reduce pass: each token is
 * pushed and the top of the stack is reduced while a rule applies. Every
 * rule replaces tokens by fewer tokens, so the pass is linear and the
 * array never grows:
 *   "ev" + "al", "ev" & "al"              -> "eval"
 *   ("x")                                   -> "x"   (grouping, not a call)
 *   Chr(101), ChrW(&H65), (char)101, String.fromCharCode(101, 118, ...),
 *   Convert.ToChar(101)                     -> "e", "ev..."
 *   unescape("%65"), UrlDecode, decodeURIComponent   -> decoded
 *   StrReverse("lave"), "lave".split("").reverse().join(""),
 *   new string("lave".Reverse().ToArray())  -> "eval"
 *   Replace("eXvXal", "X", ""), "..".replace(a, b)   -> replaced
 *   Convert.FromBase64String("..."), Encoding.X.GetString(...) -> the bytes
 *   String.Concat("a", "b"), ["a","b"].join("")      -> "ab"
 *   this["eval"], window["ev"+"al"]         -> .eval
 * Then literals that hold code (decoded ones, arguments of an evaluation,
 * base64 or hex that decodes to code) are lexed again and appended, each
 * inside `eval( ... )` when an evaluation consumed it, up to
 * EXS_CODE_DECODE_DEPTH levels and EXS_CODE_DECODED_MAX bytes per file.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static int is_op(const struct code_unit *u, const struct code_tok *t, const char *op)
{
	return t->type == T_OP && strcmp(u->arena + t->val, op) == 0;
}

static int any_of(const struct code_unit *u, const struct code_tok *t,
		  const char *const *words)
{
	for (; *words; words++)
		if (code_tok_is(u, t, *words))
			return 1;
	return 0;
}

/* Replaces *t by a string token holding v[0..n). */
static int make_str(struct code_unit *u, struct code_tok *t, const char *v,
		    size_t n, unsigned flags)
{
	uint32_t at = code_arena_put(u, v, n);
	if (at == UINT32_MAX)
		return -1;
	t->type = T_STR;
	t->val = at;
	t->vlen = (uint32_t)n;
	t->flags |= (uint8_t)flags;
	return 0;
}

static size_t put_utf8(char *o, uint64_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp > 0xFFFF)
		cp = 0xFFFD;
	o[0] = (char)(0xE0 | cp >> 12);
	o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

static int hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* %XX and %uXXXX; plus as space when form is set. Output no longer than input. */
static size_t url_decode(const char *s, size_t n, char *o, int form)
{
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] == '%' && i + 5 < n + 0 && (s[i + 1] | 0x20) == 'u' &&
		    hexv((unsigned char)s[i + 2]) >= 0 && hexv((unsigned char)s[i + 3]) >= 0 &&
		    hexv((unsigned char)s[i + 4]) >= 0 && hexv((unsigned char)s[i + 5]) >= 0) {
			unsigned v = 0;
			for (int j = 2; j < 6; j++)
				v = v * 16 + (unsigned)hexv((unsigned char)s[i + j]);
			size_t w = put_utf8(o + k, v);
			k += w; /* 3 bytes at most for 6 in */
			i += 6;
		} else if (s[i] == '%' && i + 2 < n + 0 && hexv((unsigned char)s[i + 1]) >= 0 &&
			   hexv((unsigned char)s[i + 2]) >= 0) {
			o[k++] = (char)(hexv((unsigned char)s[i + 1]) * 16 +
					hexv((unsigned char)s[i + 2]));
			i += 3;
		} else {
			o[k++] = form && s[i] == '+' ? ' ' : s[i];
			i++;
		}
	}
	return k;
}

static int b64v(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+' || c == '-') return 62;
	if (c == '/' || c == '_') return 63;
	return -1;
}

/* Decodes base64 (whitespace ignored); returns the length or -1. */
static long b64_decode(const char *s, size_t n, char *o)
{
	unsigned acc = 0, bits = 0;
	size_t k = 0, seen = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '=' || c == ' ' || c == '\r' || c == '\n' || c == '\t')
			continue;
		int v = b64v(c);
		if (v < 0)
			return -1;
		seen++;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[k++] = (char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return seen ? (long)k : -1;
}

#define CONSTS_MAX 64

/* A variable that holds a literal, as far as the straight-line order of
 * the file says (x = "..." and nothing else since). */
struct constant {
	char name[32];
	struct code_tok value;
};

struct fold {
	struct code_unit *u;
	struct code_tok *v; /* the stack: u->tok + from */
	size_t n;           /* stack height */
	struct constant consts[CONSTS_MAX];
	size_t nconsts;
	size_t stmt;        /* stack index where the statement began */
};

#define TOP(f, k) (&(f)->v[(f)->n - 1 - (k)])

static int tok_str(const struct code_tok *t) { return t->type == T_STR; }

static const char *const qualifiers[] = {
	"system", "text", "encoding", "utf8", "ascii", "unicode", "default",
	"utf7", "utf32", "bigendianunicode", "convert", "string", "strings",
	"microsoft", "visualbasic", "server", "httputility", "window", "this",
	"web", "uri", "globalthis", "self", "interaction", "char", "global",
	"me", "page", "context", "current", "httpcontext", NULL,
};

/* After a call was folded into the string at the top: drops the qualifier
 * chain before it (System.Text.Encoding.UTF8.) and the receiver of an
 * encoding getter (Encoding.GetEncoding(936).). */
static void drop_chain(struct fold *f)
{
	for (int steps = 0; steps < 8 && f->n >= 3; steps++) {
		struct code_tok top = *TOP(f, 0);
		if (!is_op(f->u, TOP(f, 1), "."))
			return;
		struct code_tok *q = TOP(f, 2);
		if (q->type == T_IDENT && any_of(f->u, q, qualifiers)) {
			f->n -= 2;
			*TOP(f, 0) = top;
			continue;
		}
		if (is_op(f->u, q, ")")) {
			/* Encoding.GetEncoding(936). : a balanced group and its name */
			size_t depth = 0, k = 2;
			for (; k < f->n && k < 12; k++) {
				struct code_tok *x = TOP(f, k);
				if (is_op(f->u, x, ")"))
					depth++;
				else if (is_op(f->u, x, "(") && --depth == 0)
					break;
			}
			if (k >= f->n || k >= 12 || k + 1 >= f->n ||
			    !code_tok_is(f->u, TOP(f, k + 1), "getencoding"))
				return;
			f->n -= k + 2;
			*TOP(f, 0) = top;
			f->n += 0;
			continue;
		}
		return;
	}
}

static const char *const charcode_fns[] = {
	"chr", "chrw", "chrb", "fromcharcode", "tochar", "char", "ascw_inv", NULL,
};

/* Reduces NAME ( args ) at the top, the ')' just pushed. Returns 1 when it
 * folded. */
static int reduce_call(struct fold *f)
{
	struct code_unit *u = f->u;
	size_t k = 1, args = 0;
	for (; k < f->n && k < 600; k++) {
		struct code_tok *x = TOP(f, k);
		if (is_op(u, x, "("))
			break;
		if (k % 2 == 1 ? !(x->type == T_STR || x->type == T_NUM)
			       : !is_op(u, x, ","))
			return 0;
		if (k % 2 == 1)
			args++;
	}
	if (k >= f->n || k >= 600 || !is_op(u, TOP(f, k), "("))
		return 0;
	struct code_tok *open = TOP(f, k);
	struct code_tok *name = k + 1 < f->n ? TOP(f, k + 1) : NULL;
	struct code_tok *a0 = args ? TOP(f, k - 1) : NULL;
	int callable = name && (name->type == T_IDENT || is_op(u, name, ")") ||
				is_op(u, name, "]"));
	if (!callable) {
		/* grouping parentheses around one literal */
		if (args == 1 && k == 2) {
			struct code_tok lit = *a0;
			f->n -= 2;
			*TOP(f, 0) = lit;
			return 1;
		}
		return 0;
	}
	if (name->type != T_IDENT)
		return 0;
	(void)open;
	/* all-numeric arguments: character codes */
	if (args && any_of(u, name, charcode_fns)) {
		char buf[3 * 300];
		size_t w = 0;
		for (size_t i = 0; i < args; i++) {
			struct code_tok *a = TOP(f, k - 1 - 2 * i);
			if (a->type != T_NUM)
				return 0;
			w += put_utf8(buf + w, a->num);
		}
		struct code_tok res = *name;
		if (make_str(u, &res, buf, w, F_DECODED))
			return 0;
		f->n -= k + 1;
		*TOP(f, 0) = res;
		drop_chain(f);
		return 1;
	}
	for (size_t i = 0; i < args; i++)
		if (TOP(f, k - 1 - 2 * i)->type != T_STR)
			return 0;
	const char *s = a0 ? u->arena + a0->val : "";
	size_t sn = a0 ? a0->vlen : 0;
	char *buf = NULL;
	size_t w = 0;
	unsigned flags = F_DECODED;
	int ok = 0;
	int method = f->n > k + 2 && is_op(u, TOP(f, k + 2), ".") &&
		     k + 3 < f->n + 0 && f->n >= k + 4 && TOP(f, k + 3)->type == T_STR;
	struct code_tok *recv = method ? TOP(f, k + 3) : NULL;
	if (method) {
		/* "literal".method(args) */
		const char *r = u->arena + recv->val;
		size_t rn = recv->vlen;
		if ((code_tok_is(u, name, "split") || code_tok_is(u, name, "join") ||
		     code_tok_is(u, name, "toarray") || code_tok_is(u, name, "tostring") ||
		     code_tok_is(u, name, "tolower") || code_tok_is(u, name, "tolowercase") ||
		     code_tok_is(u, name, "toupper") || code_tok_is(u, name, "touppercase") ||
		     code_tok_is(u, name, "trim")) && args <= 1 &&
		    (args == 0 || TOP(f, k - 1)->vlen == 0 ||
		     code_tok_is(u, name, "tostring"))) {
			buf = malloc(rn + 1);
			if (buf) {
				memcpy(buf, r, rn);
				w = rn, ok = 1;
			}
		} else if (code_tok_is(u, name, "reverse") && args == 0) {
			buf = malloc(rn + 1);
			if (buf) {
				for (size_t i = 0; i < rn; i++)
					buf[i] = r[rn - 1 - i];
				w = rn, ok = 1;
			}
		} else if (code_tok_is(u, name, "replace") && args == 2) {
			const char *a = u->arena + TOP(f, 3)->val, *b = u->arena + TOP(f, 1)->val;
			size_t an = TOP(f, 3)->vlen, bn = TOP(f, 1)->vlen;
			size_t cap = an && bn > an ? rn / an * bn + rn + 1 : rn + 1;
			buf = an && cap < (4u << 20) ? malloc(cap) : NULL;
			if (buf) {
				for (size_t i = 0; i < rn;) {
					if (i + an <= rn && memcmp(r + i, a, an) == 0) {
						memcpy(buf + w, b, bn);
						w += bn, i += an;
					} else {
						buf[w++] = r[i++];
					}
				}
				ok = 1;
			}
		}
		if (!ok)
			return 0;
		struct code_tok res = *recv;
		int rc = make_str(u, &res, buf, w, flags);
		free(buf);
		if (rc)
			return 0;
		f->n -= k + 3;
		*TOP(f, 0) = res;
		return 1;
	}
	if (args == 1 && (code_tok_is(u, name, "unescape") || code_tok_is(u, name, "decodeuricomponent") ||
			  code_tok_is(u, name, "decodeuri") || code_tok_is(u, name, "urldecode"))) {
		buf = malloc(sn + 1);
		if (buf)
			w = url_decode(s, sn, buf, code_tok_is(u, name, "urldecode")), ok = 1;
	} else if (args == 1 && (code_tok_is(u, name, "strreverse") || code_tok_is(u, name, "reverse"))) {
		buf = malloc(sn + 1);
		if (buf) {
			for (size_t i = 0; i < sn; i++)
				buf[i] = s[sn - 1 - i];
			w = sn, ok = 1;
		}
	} else if (args == 1 && (code_tok_is(u, name, "frombase64string") || code_tok_is(u, name, "atob") ||
				 code_tok_is(u, name, "base64decode"))) {
		buf = malloc(sn + 1);
		long r = buf ? b64_decode(s, sn, buf) : -1;
		if (r >= 0)
			w = (size_t)r, ok = 1;
	} else if (args == 1 && (code_tok_is(u, name, "getstring") || code_tok_is(u, name, "cstr") ||
				 code_tok_is(u, name, "string") || code_tok_is(u, name, "tostring"))) {
		buf = malloc(sn + 1);
		if (buf) {
			memcpy(buf, s, sn);
			w = sn, ok = 1;
		}
		flags = 0;
	} else if (args >= 1 && code_tok_is(u, name, "concat")) {
		size_t total = 0;
		for (size_t i = 0; i < args; i++)
			total += TOP(f, k - 1 - 2 * i)->vlen;
		buf = total < (4u << 20) ? malloc(total + 1) : NULL;
		if (buf) {
			for (size_t i = 0; i < args; i++) {
				struct code_tok *a = TOP(f, k - 1 - 2 * i);
				memcpy(buf + w, u->arena + a->val, a->vlen);
				w += a->vlen;
			}
			ok = 1;
		}
		flags = F_FOLDED;
	} else if (args == 3 && code_tok_is(u, name, "replace")) {
		const char *r = s;
		size_t rn = sn;
		const char *a = u->arena + TOP(f, 3)->val, *b = u->arena + TOP(f, 1)->val;
		size_t an = TOP(f, 3)->vlen, bn = TOP(f, 1)->vlen;
		size_t cap = an && bn > an ? rn / an * bn + rn + 1 : rn + 1;
		buf = an && cap < (4u << 20) ? malloc(cap) : NULL;
		if (buf) {
			for (size_t i = 0; i < rn;) {
				if (i + an <= rn && memcmp(r + i, a, an) == 0) {
					memcpy(buf + w, b, bn);
					w += bn, i += an;
				} else {
					buf[w++] = r[i++];
				}
			}
			ok = 1;
		}
	}
	if (!ok) {
		free(buf);
		return 0;
	}
	/* new string("..") */
	struct code_tok res = *name;
	int rc = make_str(u, &res, buf, w, flags);
	free(buf);
	if (rc)
		return 0;
	int is_new = f->n > k + 2 && code_tok_is(u, TOP(f, k + 2), "new") &&
		     code_tok_is(u, name, "string");
	f->n -= k + 1 + (is_new ? 1 : 0);
	*TOP(f, 0) = res;
	drop_chain(f);
	return 1;
}

/* [ "a", "b" ] . join ( "" )  -> "ab"; the ')' just pushed. */
static int reduce_join(struct fold *f)
{
	struct code_unit *u = f->u;
	if (f->n < 8 || !tok_str(TOP(f, 1)) || !is_op(u, TOP(f, 2), "(") ||
	    !code_tok_is(u, TOP(f, 3), "join") || !is_op(u, TOP(f, 4), ".") ||
	    !is_op(u, TOP(f, 5), "]"))
		return 0;
	size_t k = 6, total = 0, items = 0;
	for (; k < f->n && k < 600; k += 2) {
		if (!tok_str(TOP(f, k)))
			return 0;
		total += TOP(f, k)->vlen;
		items++;
		if (is_op(u, TOP(f, k + 1), "["))
			break;
		if (!is_op(u, TOP(f, k + 1), ","))
			return 0;
	}
	if (k >= f->n || k >= 600 || k + 1 >= f->n)
		return 0;
	const struct code_tok *sep = TOP(f, 1);
	total += sep->vlen * items;
	char *buf = total < (4u << 20) ? malloc(total + 1) : NULL;
	if (!buf)
		return 0;
	size_t w = 0;
	for (size_t i = k; i >= 6; i -= 2) {
		struct code_tok *a = TOP(f, i);
		memcpy(buf + w, u->arena + a->val, a->vlen);
		w += a->vlen;
		if (i > 6) {
			memcpy(buf + w, u->arena + sep->val, sep->vlen);
			w += sep->vlen;
		}
	}
	struct code_tok res = *TOP(f, k);
	int rc = make_str(u, &res, buf, w, F_FOLDED);
	free(buf);
	if (rc)
		return 0;
	f->n -= k + 1;
	*TOP(f, 0) = res;
	return 1;
}

static const char *const hidden_names[] = {
	"eval", "execute", "executeglobal", "function", "constructor", "start",
	"run", "exec", "load", "invoke", "createinstance", "invokemember",
	"getmethod", "createobject", "shellexecute", "savetofile", "addcode",
	"executestatement", NULL,
};

static void reduce(struct fold *f)
{
	struct code_unit *u = f->u;
	for (;;) {
		if (f->n >= 3 && tok_str(TOP(f, 0)) && tok_str(TOP(f, 2)) &&
		    (is_op(u, TOP(f, 1), "+") || is_op(u, TOP(f, 1), "&"))) {
			struct code_tok *a = TOP(f, 2), *b = TOP(f, 0);
			size_t n = (size_t)a->vlen + b->vlen;
			char *buf = malloc(n + 1);
			if (!buf)
				return;
			memcpy(buf, u->arena + a->val, a->vlen);
			memcpy(buf + a->vlen, u->arena + b->val, b->vlen);
			unsigned fl = (a->flags | b->flags | F_FOLDED) & (F_DECODED | F_FOLDED);
			struct code_tok res = *a;
			int rc = make_str(u, &res, buf, n, fl);
			free(buf);
			if (rc)
				return;
			f->n -= 2;
			*TOP(f, 0) = res;
			continue;
		}
		/* (char)101 */
		if (f->n >= 4 && TOP(f, 0)->type == T_NUM && is_op(u, TOP(f, 1), ")") &&
		    code_tok_is(u, TOP(f, 2), "char") && is_op(u, TOP(f, 3), "(")) {
			char buf[4];
			size_t w = put_utf8(buf, TOP(f, 0)->num);
			struct code_tok res = *TOP(f, 0);
			if (make_str(u, &res, buf, w, F_DECODED))
				return;
			f->n -= 3;
			*TOP(f, 0) = res;
			continue;
		}
		/* NUM op NUM inside an argument list (Chr(100+1)) */
		if (f->n >= 4 && TOP(f, 0)->type == T_NUM && TOP(f, 2)->type == T_NUM &&
		    TOP(f, 1)->type == T_OP &&
		    (is_op(u, TOP(f, 3), "(") || is_op(u, TOP(f, 3), ",")) ) {
			uint64_t a = TOP(f, 2)->num, b = TOP(f, 0)->num, r;
			const char *op = u->arena + TOP(f, 1)->val;
			if (!strcmp(op, "+")) r = a + b;
			else if (!strcmp(op, "-")) r = a - b;
			else if (!strcmp(op, "*")) r = a * b;
			else if (!strcmp(op, "^")) r = a ^ b;
			else break;
			struct code_tok res = *TOP(f, 2);
			res.num = r;
			f->n -= 2;
			*TOP(f, 0) = res;
			continue;
		}
		if (f->n >= 2 && is_op(u, TOP(f, 0), ")")) {
			if (reduce_join(f) || reduce_call(f))
				continue;
		}
		/* this["eval"] -> this.eval */
		if (f->n >= 4 && is_op(u, TOP(f, 0), "]") && tok_str(TOP(f, 1)) &&
		    is_op(u, TOP(f, 2), "[") &&
		    (TOP(f, 3)->type == T_IDENT || is_op(u, TOP(f, 3), ")") ||
		     is_op(u, TOP(f, 3), "]")) &&
		    any_of(u, TOP(f, 1), hidden_names)) {
			struct code_tok dot = *TOP(f, 2), id = *TOP(f, 1);
			dot.val = code_arena_put(u, ".", 1);
			if (dot.val == UINT32_MAX)
				return;
			dot.vlen = 1;
			id.type = T_IDENT;
			id.flags |= F_DECODED;
			f->n -= 1;
			*TOP(f, 1) = dot;
			*TOP(f, 0) = id;
			continue;
		}
		break;
	}
}

static struct constant *find_const(struct fold *f, const struct code_tok *t)
{
	if (t->type != T_IDENT || t->vlen >= sizeof(f->consts[0].name))
		return NULL;
	for (size_t i = 0; i < f->nconsts; i++)
		if (code_tok_is(f->u, t, f->consts[i].name))
			return &f->consts[i];
	return NULL;
}

/* At the end of a statement NAME = "literal" remember it; NAME = anything
 * else forgets it. */
static void note_assignment(struct fold *f)
{
	struct code_unit *u = f->u;
	size_t a = f->stmt, n = f->n;
	if (n < a + 3)
		return;
	size_t k = a;
	if (code_tok_is(u, &f->v[k], "dim") || code_tok_is(u, &f->v[k], "var") ||
	    code_tok_is(u, &f->v[k], "set") || code_tok_is(u, &f->v[k], "const") ||
	    code_tok_is(u, &f->v[k], "string"))
		k++;
	if (k + 2 > n || f->v[k].type != T_IDENT || !is_op(u, &f->v[k + 1], "="))
		return;
	struct constant *c = find_const(f, &f->v[k]);
	int literal = n == k + 3 && f->v[k + 2].type == T_STR;
	if (!literal) {
		if (c)
			*c = f->consts[--f->nconsts];
		return;
	}
	if (!c) {
		if (f->nconsts == CONSTS_MAX || f->v[k].vlen >= sizeof(c->name))
			return;
		c = &f->consts[f->nconsts++];
		for (size_t i = 0; i < f->v[k].vlen; i++) {
			char ch = u->arena[f->v[k].val + i];
			c->name[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
		}
		c->name[f->v[k].vlen] = '\0';
	}
	c->value = f->v[k + 2];
}

static const char *const const_users[] = {
	"replace", "strreverse", "unescape", "eval", "execute", "executeglobal",
	"frombase64string", "base64decode", "urldecode", "decodeuricomponent",
	"reverse", "chr", "chrw", "concat", NULL,
};

/* Does a variable pushed next sit where a literal would be decoded or
 * evaluated: an argument of a decoder or of eval, or VB's Execute x? */
static int const_position(struct fold *f)
{
	struct code_unit *u = f->u;
	if (f->n == 0)
		return 0;
	for (size_t k = 0; k < 8 && k < f->n; k++) {
		struct code_tok *t = TOP(f, k);
		if (t->type == T_EOS)
			return 0;
		if (t->type == T_IDENT && any_of(u, t, const_users))
			return k == 0 || is_op(u, TOP(f, k - 1), "(") || is_op(u, TOP(f, k - 1), ",") ||
			       k >= 1;
		if (is_op(u, t, ")") || is_op(u, t, "="))
			return 0;
	}
	return 0;
}

static void fold_range(struct code_unit *u, size_t from)
{
	struct fold f;
	f.nconsts = 0;
	f.n = 0;
	f.stmt = 0;
	f.u = u;
	f.v = u->tok + from;
	size_t total = u->count - from;
	for (size_t r = 0; r < total; r++) {
		struct code_tok t = u->tok[from + r];
		const struct code_tok *next = r + 1 < total ? &u->tok[from + r + 1] : NULL;
		struct constant *c;
		if (t.type == T_IDENT && f.nconsts && (c = find_const(&f, &t)) != NULL &&
		    !(next && (is_op(u, next, "=") || is_op(u, next, "(") || is_op(u, next, "."))) &&
		    const_position(&f)) {
			uint32_t line = t.line, off = t.off;
			t = c->value;
			t.line = line;
			t.off = off;
			t.flags |= F_FOLDED;
		}
		f.v[f.n++] = t;
		if (t.type == T_EOS || is_op(u, &t, "{") || is_op(u, &t, "}")) {
			f.n--;
			note_assignment(&f);
			f.n++;
			f.stmt = f.n;
			continue;
		}
		reduce(&f);
	}
	u->count = from + f.n;
}

/* ---- Decoded code, lexed again ------------------------------------------ */

/* Could this literal be code? An evaluated one needs little (a member
 * access); others need a call, an assignment or a space. */
static int looks_like_code(const char *s, size_t n, int evaluated)
{
	if (n < 6 || (!evaluated && !memchr(s, '(', n) && !memchr(s, '=', n) &&
		      !memchr(s, ' ', n)))
		return 0;
	size_t letters = 0, punct = 0, ctl = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			letters++;
		else if (c == '(' || c == '=' || c == '.' || c == '[' || c == '"')
			punct++;
		else if (c < 9 || (c > 13 && c < 32))
			ctl++;
	}
	return punct && letters * 2 >= n / 2 && ctl * 20 <= n;
}

static int is_base64ish(const char *s, size_t n)
{
	if (n < 16)
		return 0;
	size_t pad = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad || b64v(c) < 0 || c == '-' || c == '_')
			return 0;
	}
	return 1;
}

static int is_hexish(const char *s, size_t n)
{
	if (n < 16 || n % 2)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (hexv((unsigned char)s[i]) < 0)
			return 0;
	return 1;
}

static const char *const eval_names[] = {
	"eval", "execute", "executeglobal", "function", "jscriptevaluate",
	"executestatement", "addcode", NULL,
};

/* Is the string at index i an argument of an evaluation? */
static int in_eval(const struct code_unit *u, size_t i)
{
	for (size_t k = 1; k <= 16 && k <= i; k++) {
		const struct code_tok *t = &u->tok[i - k];
		if (t->type == T_EOS)
			return 0;
		if (t->type == T_IDENT && any_of(u, t, eval_names))
			return 1;
	}
	return 0;
}

static void push_synthetic(struct code_unit *u, const struct code_tok *at,
			   enum code_tok_type type, const char *v)
{
	struct code_tok t = *at;
	t.type = (uint8_t)type;
	t.flags |= F_DECODED;
	t.val = code_arena_put(u, v, strlen(v));
	t.vlen = (uint32_t)strlen(v);
	if (t.val != UINT32_MAX)
		code_tok_push(u, &t);
}

static void relex(struct code_unit *u, size_t i, const char *s, size_t n,
		  int wrap)
{
	struct code_tok at = u->tok[i];
	if (at.depth >= EXS_CODE_DECODE_DEPTH || u->decoded + n > EXS_CODE_DECODED_MAX)
		return;
	u->decoded += n;
	/* lex from a private copy: the arena may move while we push */
	unsigned char *copy = malloc(n + 1);
	if (!copy)
		return;
	memcpy(copy, s, n);
	copy[n] = 0;
	size_t from = u->count;
	push_synthetic(u, &at, T_EOS, "");
	if (wrap) {
		push_synthetic(u, &at, T_IDENT, "eval");
		push_synthetic(u, &at, T_OP, "(");
	}
	enum code_lang lang = (enum code_lang)at.lang;
	if (memchr(copy, ';', n))
		lang = lang == LANG_VB ? LANG_JS : lang;
	size_t before = u->count;
	code_lex(u, copy, 0, n, lang, at.line, at.off, at.depth + 1u);
	for (size_t k = before; k < u->count; k++)
		u->tok[k].flags |= F_DECODED;
	if (wrap) {
		if (u->count > before && u->tok[u->count - 1].type == T_EOS)
			u->count--;
		push_synthetic(u, &at, T_OP, ")");
		push_synthetic(u, &at, T_EOS, "");
	}
	free(copy);
	fold_range(u, from);
}

void code_normalise(struct code_unit *u)
{
	fold_range(u, 0);
	for (size_t i = 0; i < u->count; i++) {
		if (u->truncated || u->nomem)
			return;
		struct code_tok *t = &u->tok[i];
		if (t->type != T_STR || t->vlen < 6)
			continue;
		const char *s = u->arena + t->val;
		size_t n = t->vlen;
		int b64 = is_base64ish(s, n) || is_hexish(s, n);
		if (!b64 && !looks_like_code(s, n, 1))
			continue; /* neither code nor an encoding of it */
		int ev = in_eval(u, i);
		if ((t->flags & F_DECODED) || ev) {
			if (looks_like_code(s, n, ev))
				relex(u, i, s, n, ev);
			continue;
		}
		if (!b64)
			continue;
		{
			char *buf = malloc(n + 1);
			if (!buf)
				return;
			long w = -1;
			if (is_hexish(s, n)) {
				for (size_t k = 0; k < n; k += 2)
					buf[k / 2] = (char)(hexv((unsigned char)s[k]) * 16 +
							    hexv((unsigned char)s[k + 1]));
				w = (long)(n / 2);
			} else {
				w = b64_decode(s, n, buf);
			}
			if (w > 0 && looks_like_code(buf, (size_t)w, ev))
				relex(u, i, buf, (size_t)w, ev);
			free(buf);
		}
	}
}
