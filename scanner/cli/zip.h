/* zip.h -- writing a ZIP archive (PKWARE APPNOTE 6.3, the classic format
 * without ZIP64), each member deflated by zlib, so that a case folder
 * travels as one file that every unzip and Windows' Explorer open.
 *
 * Members are streamed: a local header with bit 3 set, the deflated bytes,
 * a data descriptor with the CRC-32 and sizes, and at the end the central
 * directory. Without ZIP64 a member and the archive stay below 4 GiB and
 * there are at most 65535 members: past that, EXS_LIMIT names the member.
 */
#ifndef EXS_ZIP_H
#define EXS_ZIP_H

#include <stdint.h>

#include "platform.h"

struct exs_zip;

/* Creates path (which must not exist). dos_time_ns stamps every member
 * (UTC, as the case was sealed). */
int exs_zip_create(const struct exs_platform *plat, const char *path,
		   int64_t time_ns, struct exs_zip **out,
		   struct exs_error *err);
/* Adds the file at src as member name (a relative name with '/'). */
int exs_zip_add_file(struct exs_zip *z, const char *name, const char *src,
		     struct exs_error *err);
/* Writes the central directory, syncs and closes; frees z either way. */
int exs_zip_finish(struct exs_zip *z, struct exs_error *err);
/* Frees z after a failure (the partial file is removed). */
void exs_zip_abort(struct exs_zip *z);

#endif
