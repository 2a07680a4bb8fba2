/* manifest.h -- the portable manifest that `exsweep export` writes and
 * `exsweep check --against` reads: one server's files, in a form another
 * server can compare with (README, "The manifest").
 *
 * A path is written relative to the walk root it lies under, the root given
 * a symbolic name ("V15:", "WWWROOT:", "ROOT2:"), so that servers installed
 * on other drives or folders compare. Separators become '/'. Every byte
 * that could break a line or a field, or is not printable ASCII, is written
 * as %XX, and so is a '/' or '\' that is part of a name: any name
 * round-trips exactly.
 */
#ifndef EXS_MANIFEST_H
#define EXS_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"
#include "strlist.h"

#define EXS_MANIFEST_MAGIC "#exsweep-manifest/1"
#define EXS_MANIFEST_NAME_MAX 32

/* Appends s with separators sep turned into '/' and the rest escaped. */
void exs_manifest_escape(struct exs_buf *b, const char *s, size_t len,
			 char sep);
/* Appends the bytes s stands for, '/' turned back into sep. Returns 0, or
 * -1 on a malformed %XX. */
int exs_manifest_unescape(struct exs_buf *b, const char *s, size_t len,
			  char sep);
/* The symbolic name of walk root i: "V15", "WWWROOT" for a folder so named
 * (the first one only), else "ROOT<i>". */
void exs_manifest_root_name(const struct exs_strlist *roots, size_t i,
			    char sep, char *name, size_t cap);
/* Appends the manifest key of path: "NAME:/rel/path" for the root it lies
 * under, escaped; ASCII case folded when fold is set (for lookups on a
 * case-insensitive platform). Returns -1 when no root holds path. */
int exs_manifest_key(struct exs_buf *b, const struct exs_strlist *roots,
		     const char *path, size_t len, char sep, int fold);

/* One record line of a manifest, as check --against reads it. */
struct exs_manifest_record {
	const char *key;               /* "NAME:/rel/path", into the line */
	size_t key_len;
	uint64_t size;
	unsigned char sha256[EXS_SHA256_LEN];
};

/* Checks a record's path: a root name of letters and digits, ':', then '/'
 * and components separated by '/'; no empty component, none that is "." or
 * "..", and every byte in the form exs_manifest_escape writes (%XX with
 * upper-case hex only for a byte it escapes, never one that decodes to NUL,
 * '/' or sep). So a key names exactly one path below its root, and one
 * path has exactly one key. Returns 0, or -1 with the reason in *why. */
int exs_manifest_check_key(const char *key, size_t len, char sep,
			   const char **why);

/* Parses one record (the line without its '\n'; a final '\r' is allowed):
 * the 3 fields path, size, sha256, or the 9 export writes (mode, mtime_ns,
 * ctime_ns, owner, file_id, security_sha256 follow; checked, not kept).
 * Numbers are plain decimal digits (no sign, space or "0x"); hashes are 64
 * lower-case hex digits. Never reads outside line[0..len). Returns 0, or -1
 * with the reason in *why. */
int exs_manifest_parse_record(const char *line, size_t len, char sep,
			      struct exs_manifest_record *out,
			      const char **why);

#endif
