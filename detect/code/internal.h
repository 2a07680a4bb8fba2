/* internal.h -- the data the stages of detect/code hand to each other.
 *
 * text:     the decoded file, one byte per code unit (non-ASCII units
 *           become 0x80, an identifier byte), with the map back to the
 *           original offsets (base + stride * index).
 * segments: the server code spans of the text and their language family.
 * tokens:   one array per file; token text lives in one arena. Identifiers
 *           keep their spelling (compare with code_tok_is, ignoring case).
 */
#ifndef EXS_CODE_INTERNAL_H
#define EXS_CODE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "code.h"

enum code_lang { LANG_C = 0, LANG_VB = 1, LANG_JS = 2 }; /* C#, VB.NET/VBScript, JScript */

struct code_text {
	unsigned char *t;     /* owned, NUL-terminated */
	size_t n;
	size_t base, stride;  /* original offset = base + stride * i */
};

struct code_segment {
	size_t start, end;    /* in text */
	enum code_lang lang;
};

#define CODE_SEGMENTS_MAX 4096

struct code_segments {
	struct code_segment *v;
	size_t count, cap;
	char controls[64][48]; /* ids of server controls (txtCmd) */
	unsigned control_count;
};

enum code_tok_type { T_IDENT = 1, T_STR, T_NUM, T_OP, T_EOS };

#define F_DECODED 1u   /* produced by de-obfuscation */
#define F_FOLDED  2u   /* a literal built from several */

struct code_tok {
	uint8_t type, lang, flags, depth;
	uint32_t line;
	uint32_t off;         /* in text */
	uint32_t val, vlen;   /* in arena */
	uint64_t num;
};

struct code_unit {
	struct code_tok *tok;
	size_t count, cap;
	char *arena;
	size_t alen, acap;
	size_t decoded;       /* bytes re-lexed so far */
	int truncated;
	int nomem;
};

/* extract.c */
int code_text_decode(const unsigned char *data, size_t len, struct code_text *out);
int code_extract(const struct code_text *txt, const char *ext,
		 struct code_segments *segs);
void code_segments_free(struct code_segments *segs);

/* lex.c: appends the tokens of t[start, end) to u; line is the line of
 * t[start]; every token gets off = off_base when off_base != UINT32_MAX
 * (decoded text: its offsets mean nothing in the file). */
void code_lex(struct code_unit *u, const unsigned char *t, size_t start,
	      size_t end, enum code_lang lang, uint32_t line,
	      uint32_t off_base, unsigned depth);
uint32_t code_arena_put(struct code_unit *u, const void *p, size_t n);
int code_tok_push(struct code_unit *u, const struct code_tok *t);
void code_unit_free(struct code_unit *u);

static inline const char *code_tok_text(const struct code_unit *u,
					const struct code_tok *t)
{
	return u->arena + t->val;
}
/* Does the token's text equal word (lowercase ASCII), ignoring case? */
int code_tok_is(const struct code_unit *u, const struct code_tok *t,
		const char *word);
/* Does the token's text contain word (lowercase ASCII), ignoring case? */
int code_tok_has(const struct code_unit *u, const struct code_tok *t,
		 const char *word);

/* normalise.c: folds u in place; decoded code is lexed and appended. */
void code_normalise(struct code_unit *u);

/* flow.c */
void code_flow(struct code_unit *u, const struct code_segments *segs,
	       const struct code_text *txt, struct exs_code_result *out);

#endif
