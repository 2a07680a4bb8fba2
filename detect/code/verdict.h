/* verdict.h -- detect/code findings as exsweep hits (see verdict.c). */
#ifndef EXS_CODE_VERDICT_H
#define EXS_CODE_VERDICT_H

#include <stddef.h>

#include "finding.h"
#include "rules.h"

/* Analyses one file's bytes and appends its findings to *webshell or
 * *suspicious (realloc'd, owned by the caller). With a scanner, when the
 * code needed de-obfuscation, the YARA rules also run over the normalised
 * view: a rule that matches there and not in the raw bytes is a webshell
 * hit in namespace "normalised", its strings mapped back to the original
 * line. Returns 0, or -1 when memory ran out. */
int exs_code_check(const char *path, size_t path_len, const unsigned char *data,
		   size_t len, struct exs_scanner *scanner,
		   struct exs_hit **webshell, size_t *webshell_count,
		   struct exs_hit **suspicious, size_t *suspicious_count);

#endif
