/* readfile.c -- see readfile.h. */
#include "readfile.h"

#define READ_STEP (64u << 10)

static int too_large(struct exs_error *err, const char *path, const char *what,
		     const struct exs_buf *out)
{
	return exs_failf(err, EXS_LIMIT, 0, "read", path,
			 "%s is larger than %llu bytes", what,
			 (unsigned long long)out->limit);
}

int exs_open_regular(const struct exs_platform *plat, const char *path,
		     struct exs_file **out, struct exs_stat *st,
		     struct exs_error *err)
{
	struct exs_stat own;
	if (!st)
		st = &own;
	int rc = plat->file_open_read(path, out, err);
	if (rc)
		return rc;
	rc = plat->file_stat(*out, st, err);
	if (!rc && st->node != EXS_NODE_FILE)
		rc = exs_fail(err, EXS_NOTREG, 0, "open", path);
	if (rc) {
		plat->file_close(*out);
		*out = NULL;
	}
	return rc;
}

int exs_read_regular(const struct exs_platform *plat, const char *path,
		     const char *what, struct exs_buf *out,
		     struct exs_error *err)
{
	struct exs_file *f;
	struct exs_stat st;
	int rc = exs_open_regular(plat, path, &f, &st, err);
	if (rc)
		return rc;
	if (st.size > out->limit - out->len)
		rc = too_large(err, path, what, out);
	while (!rc) {
		size_t room = out->limit - out->len, got = 0;
		if (room == 0) {
			/* Full: anything more is past the limit. */
			char probe;
			rc = plat->file_read(f, &probe, 1, &got, err);
			if (!rc && got)
				rc = too_large(err, path, what, out);
			break;
		}
		size_t step = room < READ_STEP ? room : READ_STEP;
		if (exs_buf_reserve(out, step)) {
			rc = exs_fail(err, out->failed, 0, "malloc", path);
			break;
		}
		rc = plat->file_read(f, out->data + out->len, step, &got, err);
		if (rc || got == 0)
			break;
		out->len += got;
		out->data[out->len] = '\0'; /* buf.h: NUL-terminated; reserved */
	}
	plat->file_close(f);
	return rc;
}
