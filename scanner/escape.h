/* escape.h -- rendering arbitrary bytes (file names, excerpts) as JSON
 * strings, base64 and terminal-safe text.
 *
 * File names are bytes, not text: a hostile name may hold newlines, quotes,
 * control characters or invalid UTF-8. The JSON form keeps valid UTF-8,
 * escapes what JSON requires and turns each invalid byte into U+FFFD; the
 * caller adds the exact bytes as base64 when that happened (see README,
 * "File names are bytes"). The text form shows control and invalid bytes as
 * \xNN escapes, and invisible or reordering characters as \uXXXX, so a
 * name can never forge a line of the summary nor disguise itself.
 */
#ifndef EXS_ESCAPE_H
#define EXS_ESCAPE_H

#include <stddef.h>

#include "buf.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if the bytes there
 * are not valid UTF-8 (overlong forms, surrogates and values above
 * U+10FFFF are invalid). */
size_t exs_utf8_sequence(const unsigned char *s, size_t len);
/* 1 when all of s is valid UTF-8. */
int exs_utf8_valid(const char *s, size_t len);

/* Appends s as a quoted JSON string. Returns 1 if any byte was replaced by
 * U+FFFD (the caller should then add the exact bytes), 0 if not; the
 * buffer's failed flag reports a full buffer. */
int exs_json_string(struct exs_buf *b, const char *s, size_t len);
/* Appends standard base64 (RFC 4648, with padding), unquoted. */
void exs_base64(struct exs_buf *b, const unsigned char *s, size_t len);
/* Decodes base64 into out (cap bytes); returns the length or -1. */
long exs_base64_decode(const char *s, size_t len, unsigned char *out,
		       size_t cap);
/* Appends s for a terminal: printable UTF-8 kept, other bytes as \xNN,
 * \n \r \t as such, and characters that are invisible or reorder the
 * text around them (bidirectional controls such as U+202E, U+2028/U+2029,
 * zero-width and other format characters, noncharacters) as \uXXXX or
 * \UXXXXXXXX, so a name shows what it is. */
void exs_text_escape(struct exs_buf *b, const char *s, size_t len);
/* Appends s for HTML, as text or inside a quoted attribute value: what
 * exs_text_escape shows (so invalid UTF-8 and control bytes are visible
 * \xNN, disguising characters \uXXXX), with & < > " ' as character
 * references, so no byte of s can open or close markup. */
void exs_html_escape(struct exs_buf *b, const char *s, size_t len);

#endif
