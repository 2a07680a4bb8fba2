/* exchange_build.h -- the Exchange build a tree was taken on, read from the
 * version-named folders Exchange installs (ClientAccess/Owa/prem/15.2.1118.7,
 * FrontEnd/HttpProxy/owa/auth/15.2.1118.7): the highest 15.x.y.z folder name
 * seen among the paths walked. A cumulative or security update adds a new
 * such folder, so the build moves with the patches.
 */
#ifndef EXS_EXCHANGE_BUILD_H
#define EXS_EXCHANGE_BUILD_H

#include <stddef.h>
#include <stdint.h>

struct exs_build {
	int found;
	uint32_t part[4];
};

/* Parses one name "15.<d>.<d>.<d>" (the whole of s); 0 on success. */
int exs_build_parse(const char *s, size_t len, struct exs_build *out);
/* Raises *b to the highest version-named component of path ('/' or '\\'
 * separated) when one is higher. Returns 1 when b changed. */
int exs_build_scan_path(struct exs_build *b, const char *path, size_t len);
/* <0, 0, >0 like strcmp; not found sorts lowest. */
int exs_build_compare(const struct exs_build *a, const struct exs_build *b);
/* "15.2.1118.7", or "" when not found. */
void exs_build_format(const struct exs_build *b, char *buf, size_t cap);

#endif
