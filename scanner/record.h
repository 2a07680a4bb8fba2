/* record.h -- what exsweep records about one file, and how two records differ.
 *
 * A record is the platform's stat of the open handle plus the SHA-256 of the
 * bytes read through that same handle, plus a digest of the file's access
 * control where the platform has one. The baseline stores records; check
 * compares the stored record with a fresh one.
 */
#ifndef EXS_RECORD_H
#define EXS_RECORD_H

#include <stdint.h>

#include "platform.h"

#define EXS_SHA256_LEN 32

struct exs_record {
	struct exs_stat st;
	unsigned char sha256[EXS_SHA256_LEN];
	int has_security;                     /* security_sha256 is set */
	unsigned char security_sha256[EXS_SHA256_LEN];
};

/* Attribute bits, in report order. */
enum exs_attr {
	EXS_ATTR_SHA256   = 1u << 0,
	EXS_ATTR_SIZE     = 1u << 1,
	EXS_ATTR_MTIME    = 1u << 2,
	EXS_ATTR_CTIME    = 1u << 3,
	EXS_ATTR_MODE     = 1u << 4,
	EXS_ATTR_OWNER    = 1u << 5,
	EXS_ATTR_FILE_ID  = 1u << 6,  /* replaced by another file (inode) */
	EXS_ATTR_SECURITY = 1u << 7,  /* ACL digest */
};
#define EXS_ATTR_COUNT 8

/* Which attributes differ between old and new (0: the same file). */
unsigned exs_record_diff(const struct exs_record *old_rec,
			 const struct exs_record *new_rec);

/* The content changed but the modification time did not: a timestomp. */
int exs_record_is_timestomp(unsigned diff);

/* JSON/report name of one attribute bit ("sha256", "mtime", ...). */
const char *exs_attr_name(unsigned bit);

#endif
