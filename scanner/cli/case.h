/* case.h -- the evidence case folder that `check --collect` and `scan
 * --collect` write and `exsweep collect` verifies (README, "Evidence
 * collection").
 *
 *   CASE/files/NNNNNN-NAME        a copy of a finding's file (NAME made safe)
 *   CASE/files/NNNNNN-NAME.sK-S   a copy of its alternate data stream K (S)
 *   CASE/manifest.json            what was copied from where, with the
 *                                 findings and the baseline's record
 *   CASE/report.json              the run's JSON report
 *   CASE/SHA256SUMS               `sha256sum -c` lines for every file above
 *   CASE/SEAL                     HMAC-SHA256 with the baseline key over the
 *                                 canonical form of SHA256SUMS
 *
 * SHA256SUMS is the one list the seal covers: it names every file of the
 * case with its hash, so the seal covers the manifest and every copy, and
 * standard tools can check the hashes where exsweep is not installed. A
 * case folder may have travelled through hostile hands, so its reader
 * (exs_case_sums_parse) takes only the strict form this file writes: names
 * in the grammar below, 64 lower-case hex digits, lines sorted and unique.
 * This file holds the formats only; reading the tree and writing the case
 * is cmd_collect.c's.
 */
#ifndef EXS_CASE_H
#define EXS_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

#define EXS_CASE_SCHEMA "exsweep-case/1"
/* A copy's name in files/, at most this many bytes: short enough for
 * every file system a case is carried on (255) with room for the case
 * folder's own path under Windows' 260 characters. */
#define EXS_CASE_NAME_MAX 100
/* The longest name a SHA256SUMS line may hold ("files/" + a copy's). */
#define EXS_CASE_ENTRY_NAME_MAX (6 + EXS_CASE_NAME_MAX)
/* SHA256SUMS holds at most this many lines (and bytes: 64 + 2 + name +
 * newline each), whatever a hostile case folder says. */
#define EXS_CASE_ENTRIES_MAX 1000000u
#define EXS_CASE_SUMS_BYTES_MAX \
	((size_t)EXS_CASE_ENTRIES_MAX * (64 + 2 + EXS_CASE_ENTRY_NAME_MAX + 1))
/* The SEAL file: "exsweep-case/1 hmac-sha256 HEX\n". */
#define EXS_CASE_SEAL_PREFIX EXS_CASE_SCHEMA " hmac-sha256 "
#define EXS_CASE_SEAL_LEN (sizeof(EXS_CASE_SEAL_PREFIX) - 1 + 64 + 1)

struct exs_case_entry {
	char name[EXS_CASE_ENTRY_NAME_MAX + 1]; /* "files/000001-x.aspx" */
	unsigned char sha256[EXS_SHA256_LEN];
};

/* The safe file name for the copy of path (the last name in it, after '/'
 * or '\\'), number index, and for stream_len > 0 of its alternate data
 * stream number stream_index, named stream (":x"). Bytes other than ASCII
 * letters, digits, '.', '_' and '-' become '_', and so do a '.' at the end
 * (Windows drops it) and a name's leading dots; the number in front makes
 * every name unique and never a reserved device name (CON, NUL, COM1) nor
 * "." or "..". out gets at most EXS_CASE_NAME_MAX bytes and a NUL. */
void exs_case_safe_name(uint64_t index, const char *path, size_t len,
			unsigned stream_index, const char *stream,
			size_t stream_len, char out[EXS_CASE_NAME_MAX + 1]);

/* 1 when name (len bytes) is one a case may list: "manifest.json",
 * "report.json", or "files/" and a name exs_case_safe_name can write: a
 * digit first, then letters, digits, '.', '_', '-', not ending with '.',
 * at most EXS_CASE_NAME_MAX bytes. */
int exs_case_name_ok(const char *name, size_t len);

/* Appends one SHA256SUMS line. */
void exs_case_sums_line(struct exs_buf *b, const struct exs_case_entry *e);

/* Parses SHA256SUMS (len bytes). On success *out (malloc'd, *count
 * entries, sorted by name) is the caller's. On a malformed text returns
 * EXS_CORRUPT with *line (1-based) and why filled; EXS_LIMIT past
 * EXS_CASE_ENTRIES_MAX lines; EXS_NOMEM. */
int exs_case_sums_parse(const char *text, size_t len,
			struct exs_case_entry **out, size_t *count,
			size_t *line, char *why, size_t why_cap);

/* The seal over entries (sorted as exs_case_sums_parse returns them):
 * HMAC-SHA256 keyed by key over the seal.h canonical stream of section
 * "exsweep-case/1" and one row (name, sha256) per entry. hex gets 64 hex
 * digits and a NUL. EXS_OK, EXS_NOMEM or EXS_INTERNAL. */
int exs_case_seal(const unsigned char *key, size_t key_len,
		  const struct exs_case_entry *entries, size_t count,
		  char hex[65]);

/* Parses the SEAL file's text: EXS_OK with hex filled, or EXS_CORRUPT. */
int exs_case_seal_parse(const char *text, size_t len, char hex[65]);

#endif
