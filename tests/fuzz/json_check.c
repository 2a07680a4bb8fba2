/* json_check.c -- the strict JSON parser of json_check.h: recursive
 * descent over the text, building a small tree. Deliberately independent
 * of scanner/escape.c, whose output it judges.
 */
#include "json_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define JSON_DEPTH_MAX 64

struct parser {
	const unsigned char *s;
	size_t len, pos;
	const char *why;
};

static int fail(struct parser *p, const char *why)
{
	if (!p->why)
		p->why = why;
	return -1;
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static void free_value(struct fuzz_json *v)
{
	free(v->text);
	for (size_t i = 0; i < v->count; i++) {
		if (v->items)
			free_value(&v->items[i]);
		if (v->keys)
			free_value(&v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	memset(v, 0, sizeof(*v));
}

void fuzz_json_free(struct fuzz_json *doc)
{
	if (!doc)
		return;
	free_value(doc);
	free(doc);
}

static void put_byte(struct fuzz_json *v, size_t *cap, unsigned char c)
{
	if (v->len + 2 > *cap) {
		*cap = *cap ? *cap * 2 : 32;
		char *grown = realloc(v->text, *cap);
		FUZZ_CHECK(grown, "harness out of memory");
		v->text = grown;
	}
	v->text[v->len++] = (char)c;
	v->text[v->len] = '\0';
}

static void put_code_point(struct fuzz_json *v, size_t *cap, uint32_t cp)
{
	if (cp < 0x80) {
		put_byte(v, cap, (unsigned char)cp);
	} else if (cp < 0x800) {
		put_byte(v, cap, (unsigned char)(0xC0 | cp >> 6));
		put_byte(v, cap, (unsigned char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		put_byte(v, cap, (unsigned char)(0xE0 | cp >> 12));
		put_byte(v, cap, (unsigned char)(0x80 | (cp >> 6 & 0x3F)));
		put_byte(v, cap, (unsigned char)(0x80 | (cp & 0x3F)));
	} else {
		put_byte(v, cap, (unsigned char)(0xF0 | cp >> 18));
		put_byte(v, cap, (unsigned char)(0x80 | (cp >> 12 & 0x3F)));
		put_byte(v, cap, (unsigned char)(0x80 | (cp >> 6 & 0x3F)));
		put_byte(v, cap, (unsigned char)(0x80 | (cp & 0x3F)));
	}
}

static int hex4(struct parser *p, uint32_t *out)
{
	uint32_t v = 0;
	if (p->len - p->pos < 4)
		return fail(p, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		unsigned char c = p->s[p->pos++];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return fail(p, "bad hex digit in \\u escape");
	}
	*out = v;
	return 0;
}

static int parse_string(struct parser *p, struct fuzz_json *v)
{
	size_t cap = 0;
	v->type = FUZZ_JSON_STRING;
	put_byte(v, &cap, 0); /* a string, even an empty one, has text */
	v->len = 0;
	p->pos++; /* the opening quote */
	for (;;) {
		if (p->pos >= p->len)
			return fail(p, "unterminated string");
		unsigned char c = p->s[p->pos];
		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c < 0x20)
			return fail(p, "raw control character in string");
		if (c >= 0x80) {
			uint32_t cp;
			size_t n = fuzz_utf8_decode(p->s + p->pos, p->len - p->pos,
						    &cp);
			if (!n)
				return fail(p, "invalid UTF-8 in string");
			for (size_t i = 0; i < n; i++)
				put_byte(v, &cap, p->s[p->pos + i]);
			p->pos += n;
			continue;
		}
		p->pos++;
		if (c != '\\') {
			put_byte(v, &cap, c);
			continue;
		}
		if (p->pos >= p->len)
			return fail(p, "truncated escape");
		c = p->s[p->pos++];
		switch (c) {
		case '"': put_byte(v, &cap, '"'); break;
		case '\\': put_byte(v, &cap, '\\'); break;
		case '/': put_byte(v, &cap, '/'); break;
		case 'b': put_byte(v, &cap, '\b'); break;
		case 'f': put_byte(v, &cap, '\f'); break;
		case 'n': put_byte(v, &cap, '\n'); break;
		case 'r': put_byte(v, &cap, '\r'); break;
		case 't': put_byte(v, &cap, '\t'); break;
		case 'u': {
			uint32_t cp, low;
			if (hex4(p, &cp))
				return -1;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return fail(p, "unpaired low surrogate");
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (p->len - p->pos < 2 || p->s[p->pos] != '\\' ||
				    p->s[p->pos + 1] != 'u')
					return fail(p, "unpaired high surrogate");
				p->pos += 2;
				if (hex4(p, &low))
					return -1;
				if (low < 0xDC00 || low > 0xDFFF)
					return fail(p, "unpaired high surrogate");
				cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
			}
			put_code_point(v, &cap, cp);
			break;
		}
		default:
			return fail(p, "unknown escape");
		}
	}
}

static int digits(struct parser *p)
{
	size_t start = p->pos;
	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		p->pos++;
	return p->pos > start ? 0 : fail(p, "digit expected");
}

static int parse_number(struct parser *p, struct fuzz_json *v)
{
	size_t start = p->pos;
	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '0')
		p->pos++;
	else if (digits(p))
		return -1;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (digits(p))
			return -1;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (digits(p))
			return -1;
	}
	v->type = FUZZ_JSON_NUMBER;
	v->len = p->pos - start;
	v->text = malloc(v->len + 1);
	FUZZ_CHECK(v->text, "harness out of memory");
	memcpy(v->text, p->s + start, v->len);
	v->text[v->len] = '\0';
	return 0;
}

static int parse_value(struct parser *p, struct fuzz_json *v, int depth);

static int grow(struct fuzz_json *v, size_t *cap, int with_keys)
{
	if (v->count < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 8;
	struct fuzz_json *items = realloc(v->items, *cap * sizeof(*items));
	FUZZ_CHECK(items, "harness out of memory");
	v->items = items;
	if (with_keys) {
		struct fuzz_json *keys = realloc(v->keys, *cap * sizeof(*keys));
		FUZZ_CHECK(keys, "harness out of memory");
		v->keys = keys;
	}
	return 0;
}

static int parse_container(struct parser *p, struct fuzz_json *v, int depth)
{
	int object = p->s[p->pos] == '{';
	char close = object ? '}' : ']';
	size_t cap = 0;
	v->type = object ? FUZZ_JSON_OBJECT : FUZZ_JSON_ARRAY;
	p->pos++;
	skip_space(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		grow(v, &cap, object);
		struct fuzz_json *item = &v->items[v->count];
		memset(item, 0, sizeof(*item));
		if (object) {
			struct fuzz_json *key = &v->keys[v->count];
			memset(key, 0, sizeof(*key));
			skip_space(p);
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return fail(p, "member name expected");
			v->count++; /* counted now so that it is freed */
			if (parse_string(p, key))
				return -1;
			for (size_t i = 0; i + 1 < v->count; i++)
				if (v->keys[i].len == key->len &&
				    !memcmp(v->keys[i].text, key->text, key->len))
					return fail(p, "duplicate member name");
			skip_space(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
				return fail(p, "':' expected");
			p->pos++;
		} else {
			v->count++;
		}
		if (parse_value(p, item, depth + 1))
			return -1;
		skip_space(p);
		if (p->pos >= p->len)
			return fail(p, "unterminated container");
		if (p->s[p->pos] == close) {
			p->pos++;
			return 0;
		}
		if (p->s[p->pos] != ',')
			return fail(p, "',' expected");
		p->pos++;
	}
}

static int literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return fail(p, "unknown literal");
	p->pos += n;
	return 0;
}

static int parse_value(struct parser *p, struct fuzz_json *v, int depth)
{
	if (depth > JSON_DEPTH_MAX)
		return fail(p, "nested too deeply");
	skip_space(p);
	if (p->pos >= p->len)
		return fail(p, "value expected");
	unsigned char c = p->s[p->pos];
	switch (c) {
	case '{':
	case '[':
		return parse_container(p, v, depth);
	case '"':
		return parse_string(p, v);
	case 't':
		v->type = FUZZ_JSON_BOOL;
		v->boolean = 1;
		return literal(p, "true");
	case 'f':
		v->type = FUZZ_JSON_BOOL;
		return literal(p, "false");
	case 'n':
		v->type = FUZZ_JSON_NULL;
		return literal(p, "null");
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_number(p, v);
		return fail(p, "value expected");
	}
}

struct fuzz_json *fuzz_json_parse(const char *text, size_t len,
				  const char **why, size_t *at)
{
	struct parser p = { (const unsigned char *)text, len, 0, NULL };
	struct fuzz_json *doc = calloc(1, sizeof(*doc));
	FUZZ_CHECK(doc, "harness out of memory");
	int rc = parse_value(&p, doc, 0);
	if (!rc) {
		skip_space(&p);
		if (p.pos != p.len)
			rc = fail(&p, "text after the value");
	}
	if (rc) {
		*why = p.why;
		*at = p.pos;
		fuzz_json_free(doc);
		return NULL;
	}
	return doc;
}

const struct fuzz_json *fuzz_json_get(const struct fuzz_json *obj,
				      const char *key)
{
	if (!obj || obj->type != FUZZ_JSON_OBJECT)
		return NULL;
	size_t n = strlen(key);
	for (size_t i = 0; i < obj->count; i++)
		if (obj->keys[i].len == n && !memcmp(obj->keys[i].text, key, n))
			return &obj->items[i];
	return NULL;
}

int fuzz_json_is_bytes(const struct fuzz_json *v, const void *s, size_t len)
{
	return v && v->type == FUZZ_JSON_STRING && v->len == len &&
	       (len == 0 || !memcmp(v->text, s, len));
}
