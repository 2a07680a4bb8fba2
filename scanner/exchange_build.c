/* exchange_build.c -- the Exchange build from folder names (exchange_build.h).
 *
 * Cheap enough to run on every walked path: a component is looked at only
 * when it starts with "15.".
 */
#include "exchange_build.h"

#include <stdio.h>
#include <string.h>

int exs_build_parse(const char *s, size_t len, struct exs_build *out)
{
	struct exs_build b = { 1, { 0, 0, 0, 0 } };
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part) {
			if (i >= len || s[i] != '.')
				return -1;
			i++;
		}
		size_t digits = 0;
		uint64_t v = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 9) {
			v = v * 10 + (uint64_t)(s[i] - '0');
			i++;
			digits++;
		}
		if (!digits)
			return -1;
		b.part[part] = (uint32_t)v;
	}
	if (i != len || b.part[0] != 15)
		return -1;
	*out = b;
	return 0;
}

int exs_build_compare(const struct exs_build *a, const struct exs_build *b)
{
	if (a->found != b->found)
		return a->found ? 1 : -1;
	for (int i = 0; a->found && i < 4; i++)
		if (a->part[i] != b->part[i])
			return a->part[i] < b->part[i] ? -1 : 1;
	return 0;
}

int exs_build_scan_path(struct exs_build *b, const char *path, size_t len)
{
	int changed = 0;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && path[i] != '/' && path[i] != '\\')
			continue;
		size_t n = i - start;
		if (n >= 9 && path[start] == '1' && path[start + 1] == '5' &&
		    path[start + 2] == '.') {
			struct exs_build v;
			if (exs_build_parse(path + start, n, &v) == 0 &&
			    exs_build_compare(&v, b) > 0) {
				*b = v;
				changed = 1;
			}
		}
		start = i + 1;
	}
	return changed;
}

void exs_build_format(const struct exs_build *b, char *buf, size_t cap)
{
	if (!b->found)
		snprintf(buf, cap, "%s", "");
	else
		snprintf(buf, cap, "%u.%u.%u.%u", (unsigned)b->part[0],
			 (unsigned)b->part[1], (unsigned)b->part[2],
			 (unsigned)b->part[3]);
}
