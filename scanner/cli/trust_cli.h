/* trust_cli.h -- the Authenticode trust store of a run, read from [trust]
 * ca_file and ca_dir (trust_cli.c). */
#ifndef EXS_TRUST_CLI_H
#define EXS_TRUST_CLI_H

#include "buf.h"
#include "cli.h"

/* Reads the configured certificate files into out as the judge's trust
 * blob (inspect/authenticode.h: u32 length + bytes per file). Nothing
 * configured: an empty blob. A file that cannot be read, holds no
 * certificate, or a total over EXS_TRUST_BLOB_MAX is EXS_CONFIG naming it
 * (exit 16), before any file of the tree is read. */
int exs_cli_trust_blob(struct exs_cli *cli, struct exs_buf *out,
		       struct exs_error *err);

#endif
