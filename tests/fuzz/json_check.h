/* json_check.h -- a strict JSON parser for the report harness.
 *
 * RFC 8259 and nothing more: no trailing commas, no comments, no leading
 * zeros, raw string bytes must be valid UTF-8 and not controls, \u escapes
 * of surrogates must pair, and (stricter than the RFC, as exsweep promises)
 * no object may repeat a key. Strings are decoded to UTF-8 bytes, so a
 * harness can compare them with the bytes it put in.
 */
#ifndef EXS_FUZZ_JSON_CHECK_H
#define EXS_FUZZ_JSON_CHECK_H

#include <stddef.h>

enum fuzz_json_type {
	FUZZ_JSON_NULL,
	FUZZ_JSON_BOOL,
	FUZZ_JSON_NUMBER,
	FUZZ_JSON_STRING,
	FUZZ_JSON_ARRAY,
	FUZZ_JSON_OBJECT,
};

struct fuzz_json {
	enum fuzz_json_type type;
	char *text;              /* string: decoded bytes; number: as written */
	size_t len;
	int boolean;
	size_t count;            /* array or object members */
	struct fuzz_json *items; /* elements, or member values */
	struct fuzz_json *keys;  /* object member names (strings) */
};

/* Parses the whole of text. Returns NULL on a syntax error, with the reason
 * in *why and the byte offset in *at. */
struct fuzz_json *fuzz_json_parse(const char *text, size_t len,
				  const char **why, size_t *at);
void fuzz_json_free(struct fuzz_json *doc);

/* The member called key of an object, NULL if none (or not an object). */
const struct fuzz_json *fuzz_json_get(const struct fuzz_json *obj,
				      const char *key);
/* 1 when v is a string holding exactly the len bytes at s. */
int fuzz_json_is_bytes(const struct fuzz_json *v, const void *s, size_t len);

#endif
