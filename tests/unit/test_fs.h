/* test_fs.h -- scratch files and folders for unit tests, through the platform.
 *
 * Everything here goes through exs_platform_native(), so a test that uses it
 * runs unchanged on POSIX and, under wine, on the win32 table. The one
 * exception is removing an emptied folder: the platform has no dir_remove
 * (the core never deletes folders), so tmp_remove_tree uses ISO C remove(),
 * which removes empty folders on POSIX and leaves them on Windows (harmless
 * litter in %TEMP%).
 */
#ifndef EXS_TEST_FS_H
#define EXS_TEST_FS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

#define TMP_PATH_MAX 8192

/* Joins dir and name with the platform separator into out (cap bytes). */
static inline void tmp_join(const struct exs_platform *plat, const char *dir,
			    const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s%c%s", dir, plat->path_separator, name);
}

/* Copies a path written with '/' into out with the platform separator. */
static inline void tmp_native(const struct exs_platform *plat, const char *in,
			      char *out, size_t cap)
{
	size_t i = 0;
	for (; in[i] && i + 1 < cap; i++)
		out[i] = in[i] == '/' ? plat->path_separator : in[i];
	out[i] = '\0';
}

/* Makes a fresh private folder "exsweep-TAG-N" under $TMPDIR (or %TEMP%,
 * or /tmp). Returns EXS_OK or the platform's status. */
static inline int tmp_make_dir(const struct exs_platform *plat,
			       const char *tag, char *out, size_t cap)
{
	char base[1024];
	if (plat->env_get("TMPDIR", base, sizeof(base)) != EXS_OK &&
	    plat->env_get("TEMP", base, sizeof(base)) != EXS_OK)
		snprintf(base, sizeof(base), "/tmp");
	/* Clocks and a stack address tell concurrent runs apart. */
	unsigned long long seed =
		(unsigned long long)plat->clock_wall_ns() ^
		((unsigned long long)plat->clock_monotonic_ns() << 17) ^
		(unsigned long long)(size_t)&seed;
	for (int attempt = 0; attempt < 100; attempt++) {
		char name[128];
		snprintf(name, sizeof(name), "exsweep-%s-%llx", tag,
			 (seed + (unsigned long long)attempt) & 0xffffffffffULL);
		tmp_join(plat, base, name, out, cap);
		struct exs_stat st;
		struct exs_error err;
		if (plat->path_stat(out, &st, &err) != EXS_NOENT)
			continue;
		return plat->dir_create(out, EXS_CREATE_PRIVATE, &err);
	}
	return EXS_EXISTS;
}

/* Writes len bytes to path, replacing what was there. */
static inline int tmp_write(const struct exs_platform *plat, const char *path,
			    const void *data, size_t len)
{
	struct exs_file *f;
	struct exs_error err;
	int rc = plat->file_create(path, EXS_CREATE_TRUNCATE, &f, &err);
	if (rc)
		return rc;
	rc = len ? plat->file_write(f, data, len, &err) : EXS_OK;
	plat->file_close(f);
	return rc;
}

/* Reads all of path into a malloc'd buffer (*out, *len). */
static inline int tmp_read(const struct exs_platform *plat, const char *path,
			   unsigned char **out, size_t *len)
{
	struct exs_file *f;
	struct exs_error err;
	int rc = plat->file_open_read(path, &f, &err);
	if (rc)
		return rc;
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			rc = EXS_NOMEM;
			break;
		}
		if (n == cap) {
			unsigned char *grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				buf = NULL;
				continue;
			}
			buf = grown;
			cap *= 2;
		}
		size_t got = 0;
		rc = plat->file_read(f, buf + n, cap - n, &got, &err);
		if (rc || got == 0)
			break;
		n += got;
	}
	plat->file_close(f);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return EXS_OK;
}

/* 1 when path exists (as anything, links not followed). */
static inline int tmp_exists(const struct exs_platform *plat, const char *path)
{
	struct exs_stat st;
	struct exs_error err;
	return plat->path_stat(path, &st, &err) == EXS_OK;
}

/* Removes path and, for a folder, everything below it (links are removed,
 * never followed). Best effort: cleanup must not fail a test. */
static inline void tmp_remove_tree(const struct exs_platform *plat,
				   const char *path)
{
	struct exs_stat st;
	struct exs_error err;
	if (plat->path_stat(path, &st, &err) != EXS_OK)
		return;
	if (st.node != EXS_NODE_DIR) {
		plat->file_remove(path, &err);
		return;
	}
	/* List first, then recurse: the listing stays closed while its
	 * entries are removed. */
	char **names = NULL;
	size_t count = 0, cap = 0;
	struct exs_dir *d;
	if (plat->dir_open(path, &d, &err) == EXS_OK) {
		struct exs_dirent e;
		while (plat->dir_next(d, &e, &err) == EXS_OK && e.name) {
			if (count == cap) {
				cap = cap ? cap * 2 : 16;
				char **grown = realloc(names, cap * sizeof(*names));
				if (!grown)
					break;
				names = grown;
			}
			char *child = malloc(TMP_PATH_MAX);
			if (!child)
				break;
			tmp_join(plat, path, e.name, child, TMP_PATH_MAX);
			names[count++] = child;
		}
		plat->dir_close(d);
	}
	for (size_t i = 0; i < count; i++) {
		tmp_remove_tree(plat, names[i]);
		free(names[i]);
	}
	free(names);
	remove(path);
}

#endif
