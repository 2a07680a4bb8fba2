/* readfile.h -- one whole regular file into a buffer, through the platform.
 *
 * Rule files, the images a configuration names and the like are read whole
 * by the privileged side before anything parses them. The open never follows
 * a link and never blocks on a FIFO (platform.h); a node that is not a
 * regular file is refused; the buffer's own limit (buf.h) bounds the read,
 * checked against the file's size first and again while reading, since the
 * file may grow under the reader. One copy of that logic, so that every
 * reader refuses the same things the same way.
 */
#ifndef EXS_READFILE_H
#define EXS_READFILE_H

#include "buf.h"
#include "platform.h"

/* Opens path for reading (platform.h's file_open_read: no link followed, no
 * FIFO waited on) and refuses (EXS_NOTREG, closed) a node that is not a
 * regular file. st, when not NULL, gets the file's attributes. */
int exs_open_regular(const struct exs_platform *plat, const char *path,
		     struct exs_file **out, struct exs_stat *st,
		     struct exs_error *err);

/* Appends the bytes of the regular file at path to out. Returns EXS_OK;
 * the open's or read's error; EXS_NOTREG for a node that is not a regular
 * file; EXS_LIMIT (detail: "<what> is larger than N bytes") when the file
 * does not fit out's limit. out stays NUL-terminated (buf.h). On error out
 * may hold part of the file. */
int exs_read_regular(const struct exs_platform *plat, const char *path,
		     const char *what, struct exs_buf *out,
		     struct exs_error *err);

#endif
