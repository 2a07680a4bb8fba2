/* record.c -- comparing two records of the same path (see record.h).
 *
 * ctime is compared but reported on its own: on POSIX it moves on any
 * metadata change, so it is the one attribute a timestomping attacker cannot
 * set back without changing the clock.
 */
#include "record.h"

#include <string.h>

unsigned exs_record_diff(const struct exs_record *o, const struct exs_record *n)
{
	unsigned d = 0;
	if (memcmp(o->sha256, n->sha256, EXS_SHA256_LEN) != 0)
		d |= EXS_ATTR_SHA256;
	if (o->st.size != n->st.size)
		d |= EXS_ATTR_SIZE;
	if (o->st.mtime_ns != n->st.mtime_ns)
		d |= EXS_ATTR_MTIME;
	if (o->st.ctime_ns != n->st.ctime_ns)
		d |= EXS_ATTR_CTIME;
	if (o->st.mode != n->st.mode)
		d |= EXS_ATTR_MODE;
	if (strcmp(o->st.owner, n->st.owner) != 0)
		d |= EXS_ATTR_OWNER;
	/* The volume id is not compared: st_dev can change across reboots and
	 * remounts of an image, which would flag every file. */
	if (o->st.file_id != n->st.file_id)
		d |= EXS_ATTR_FILE_ID;
	if (o->has_security != n->has_security ||
	    (o->has_security &&
	     memcmp(o->security_sha256, n->security_sha256, EXS_SHA256_LEN) != 0))
		d |= EXS_ATTR_SECURITY;
	return d;
}

int exs_record_is_timestomp(unsigned diff)
{
	return (diff & EXS_ATTR_SHA256) && !(diff & EXS_ATTR_MTIME);
}

const char *exs_attr_name(unsigned bit)
{
	switch (bit) {
	case EXS_ATTR_SHA256: return "sha256";
	case EXS_ATTR_SIZE: return "size";
	case EXS_ATTR_MTIME: return "mtime";
	case EXS_ATTR_CTIME: return "ctime";
	case EXS_ATTR_MODE: return "mode";
	case EXS_ATTR_OWNER: return "owner";
	case EXS_ATTR_FILE_ID: return "file_id";
	case EXS_ATTR_SECURITY: return "security";
	default: return "unknown";
	}
}
