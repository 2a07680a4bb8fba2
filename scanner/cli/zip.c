/* zip.c -- the ZIP writer of zip.h: local headers, deflate (zlib, raw
 * stream), data descriptors and the central directory, written through the
 * platform layer. All numbers little-endian, as APPNOTE 4.4 says.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "zip.h"

#define ZIP_CHUNK (1u << 20)
#define ZIP_MEMBERS_MAX 65535u
#define ZIP_U32_MAX 0xFFFFFFFFu

struct zip_member {
	char *name;
	uint32_t crc, csize, usize, offset;
};

struct exs_zip {
	const struct exs_platform *plat;
	char *path;
	struct exs_file *f;
	uint64_t offset;            /* bytes written so far */
	uint16_t dos_time, dos_date;
	struct zip_member *members;
	size_t count, cap;
	unsigned char *in, *out;
};

static void le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void le32(unsigned char *p, uint32_t v)
{
	le16(p, v & 0xFFFF);
	le16(p + 2, v >> 16);
}

/* MS-DOS date and time (local to nobody: the UTC wall clock), from 1980. */
static void dos_stamp(int64_t ns, uint16_t *t, uint16_t *d)
{
	int64_t s = ns / 1000000000;
	if (s < 315532800) /* 1980-01-01 */
		s = 315532800;
	int64_t days = s / 86400, rem = s % 86400;
	/* civil_from_days (Howard Hinnant's algorithm, public domain). */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;
	if (mm <= 2)
		y++;
	if (y > 2107)
		y = 2107;
	*d = (uint16_t)(((y - 1980) << 9) | (mm << 5) | dd);
	*t = (uint16_t)(((rem / 3600) << 11) | (((rem / 60) % 60) << 5) |
			((rem % 60) / 2));
}

static int zwrite(struct exs_zip *z, const void *p, size_t n,
		  struct exs_error *err)
{
	if (z->offset + n > ZIP_U32_MAX)
		return exs_fail(err, EXS_LIMIT, 0, "zip (4 GiB without ZIP64)",
				z->path);
	int rc = z->plat->file_write(z->f, p, n, err);
	if (!rc)
		z->offset += n;
	return rc;
}

int exs_zip_create(const struct exs_platform *plat, const char *path,
		   int64_t time_ns, struct exs_zip **out,
		   struct exs_error *err)
{
	struct exs_zip *z = calloc(1, sizeof(*z));
	if (!z)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	z->plat = plat;
	z->path = strdup(path);
	z->in = malloc(ZIP_CHUNK);
	z->out = malloc(ZIP_CHUNK);
	if (!z->path || !z->in || !z->out) {
		exs_zip_abort(z);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	}
	dos_stamp(time_ns, &z->dos_time, &z->dos_date);
	int rc = plat->file_create(path, EXS_CREATE_EXCLUSIVE | EXS_CREATE_PRIVATE,
				   &z->f, err);
	if (rc) {
		z->f = NULL;
		free(z->path);
		z->path = NULL; /* nothing of ours to remove */
		exs_zip_abort(z);
		return rc;
	}
	*out = z;
	return EXS_OK;
}

/* Deflates what the source holds into the archive. */
static int deflate_file(struct exs_zip *z, struct exs_file *src,
			const char *path, struct zip_member *m,
			struct exs_error *err)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return exs_fail(err, EXS_NOMEM, 0, "deflateInit2", path);
	uLong crc = crc32(0L, Z_NULL, 0);
	uint64_t usize = 0, csize = 0;
	int rc = EXS_OK, flush = Z_NO_FLUSH;
	while (!rc && flush != Z_FINISH) {
		size_t got = 0;
		rc = z->plat->file_read(src, z->in, ZIP_CHUNK, &got, err);
		if (rc)
			break;
		if (!got)
			flush = Z_FINISH;
		usize += got;
		if (usize > ZIP_U32_MAX) {
			rc = exs_fail(err, EXS_LIMIT, 0,
				      "zip (a member of 4 GiB without ZIP64)",
				      path);
			break;
		}
		crc = crc32(crc, z->in, (uInt)got);
		zs.next_in = z->in;
		zs.avail_in = (uInt)got;
		do {
			zs.next_out = z->out;
			zs.avail_out = ZIP_CHUNK;
			int zr = deflate(&zs, flush);
			if (zr == Z_STREAM_ERROR) {
				rc = exs_fail(err, EXS_INTERNAL, 0, "deflate",
					      path);
				break;
			}
			size_t have = ZIP_CHUNK - zs.avail_out;
			csize += have;
			if (have)
				rc = zwrite(z, z->out, have, err);
		} while (!rc && zs.avail_out == 0);
	}
	deflateEnd(&zs);
	m->crc = (uint32_t)crc;
	m->usize = (uint32_t)usize;
	m->csize = (uint32_t)csize;
	return rc;
}

int exs_zip_add_file(struct exs_zip *z, const char *name, const char *src,
		     struct exs_error *err)
{
	size_t name_len = strlen(name);
	if (z->count >= ZIP_MEMBERS_MAX || name_len > 0xFFFF)
		return exs_fail(err, EXS_LIMIT, 0,
				"zip (65535 members without ZIP64)", src);
	if (z->count == z->cap) {
		size_t ncap = z->cap ? z->cap * 2 : 64;
		struct zip_member *g = realloc(z->members, ncap * sizeof(*g));
		if (!g)
			return exs_fail(err, EXS_NOMEM, 0, "malloc", src);
		z->members = g;
		z->cap = ncap;
	}
	struct zip_member *m = &z->members[z->count];
	memset(m, 0, sizeof(*m));
	m->name = strdup(name);
	if (!m->name)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", src);
	z->count++;
	if (z->offset > ZIP_U32_MAX)
		return exs_fail(err, EXS_LIMIT, 0, "zip (4 GiB without ZIP64)",
				z->path);
	m->offset = (uint32_t)z->offset;

	struct exs_file *f;
	int rc = z->plat->file_open_read(src, &f, err);
	if (rc)
		return rc;
	unsigned char h[30];
	le32(h, 0x04034b50);
	le16(h + 4, 20);          /* version needed: 2.0 (deflate) */
	le16(h + 6, 0x0808);      /* bit 3: data descriptor; bit 11: UTF-8 */
	le16(h + 8, 8);           /* deflate */
	le16(h + 10, z->dos_time);
	le16(h + 12, z->dos_date);
	le32(h + 14, 0);          /* crc, sizes: in the descriptor */
	le32(h + 18, 0);
	le32(h + 22, 0);
	le16(h + 26, (unsigned)name_len);
	le16(h + 28, 0);
	rc = zwrite(z, h, sizeof(h), err);
	if (!rc)
		rc = zwrite(z, name, name_len, err);
	if (!rc)
		rc = deflate_file(z, f, src, m, err);
	z->plat->file_close(f);
	if (rc)
		return rc;
	unsigned char dd[16];
	le32(dd, 0x08074b50);
	le32(dd + 4, m->crc);
	le32(dd + 8, m->csize);
	le32(dd + 12, m->usize);
	return zwrite(z, dd, sizeof(dd), err);
}

int exs_zip_finish(struct exs_zip *z, struct exs_error *err)
{
	int rc = EXS_OK;
	uint64_t cd_start = z->offset;
	for (size_t i = 0; !rc && i < z->count; i++) {
		const struct zip_member *m = &z->members[i];
		size_t nl = strlen(m->name);
		unsigned char h[46];
		le32(h, 0x02014b50);
		le16(h + 4, 20);      /* made by: MS-DOS, 2.0 */
		le16(h + 6, 20);
		le16(h + 8, 0x0808);
		le16(h + 10, 8);
		le16(h + 12, z->dos_time);
		le16(h + 14, z->dos_date);
		le32(h + 16, m->crc);
		le32(h + 20, m->csize);
		le32(h + 24, m->usize);
		le16(h + 28, (unsigned)nl);
		le16(h + 30, 0);      /* extra */
		le16(h + 32, 0);      /* comment */
		le16(h + 34, 0);      /* disk */
		le16(h + 36, 0);      /* internal attributes */
		le32(h + 38, 0);      /* external attributes */
		le32(h + 42, m->offset);
		rc = zwrite(z, h, sizeof(h), err);
		if (!rc)
			rc = zwrite(z, m->name, nl, err);
	}
	if (!rc) {
		unsigned char e[22];
		le32(e, 0x06054b50);
		le16(e + 4, 0);
		le16(e + 6, 0);
		le16(e + 8, (unsigned)z->count);
		le16(e + 10, (unsigned)z->count);
		le32(e + 12, (uint32_t)(z->offset - cd_start));
		le32(e + 16, (uint32_t)cd_start);
		le16(e + 20, 0);
		rc = zwrite(z, e, sizeof(e), err);
	}
	if (!rc)
		rc = z->plat->file_sync(z->f, err);
	if (rc) {
		exs_zip_abort(z);
		return rc;
	}
	z->plat->file_close(z->f);
	z->f = NULL;
	free(z->path);
	z->path = NULL;
	exs_zip_abort(z);
	return EXS_OK;
}

void exs_zip_abort(struct exs_zip *z)
{
	if (!z)
		return;
	if (z->f) {
		struct exs_error ignored;
		z->plat->file_close(z->f);
		if (z->path)
			z->plat->file_remove(z->path, &ignored);
	}
	for (size_t i = 0; i < z->count; i++)
		free(z->members[i].name);
	free(z->members);
	free(z->in);
	free(z->out);
	free(z->path);
	free(z);
}
