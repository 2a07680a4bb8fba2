/* trust_cli.c -- reading the trust store's certificate files (trust_cli.h).
 *
 * The files are the administrator's configuration, not the scanned tree:
 * the privileged side reads them (through the platform, never following a
 * final link), checks that each holds a certificate, and hands the bytes to
 * the judges, whose workers build the X509 store from them after they have
 * entered the sandbox and can open nothing.
 */
#include "trust_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authenticode.h"

#define TRUST_FILE_MAX (4u << 20)
#define TRUST_DIR_FILES_MAX 4096

static int add_file(struct exs_cli *cli, const char *path, struct exs_buf *out,
		    struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	struct exs_file *f;
	int rc = plat->file_open_read(path, &f, err);
	if (rc)
		return exs_failf(err, EXS_CONFIG, err->os_code, "trust", path,
				 "[trust] certificate file cannot be read: %s",
				 exs_strerror(rc));
	struct exs_buf data;
	exs_buf_init(&data, TRUST_FILE_MAX);
	for (;;) {
		if (exs_buf_reserve(&data, 65536)) {
			rc = exs_failf(err, EXS_CONFIG, 0, "trust", path,
				       "[trust] certificate file larger than "
				       "%u bytes", TRUST_FILE_MAX);
			break;
		}
		size_t got = 0;
		rc = plat->file_read(f, data.data + data.len, 65536, &got, err);
		if (rc) {
			rc = exs_failf(err, EXS_CONFIG, err->os_code, "trust",
				       path, "[trust] certificate file cannot "
				       "be read: %s", exs_strerror(rc));
			break;
		}
		if (!got)
			break;
		data.len += got;
	}
	plat->file_close(f);
	if (!rc && exs_trust_count_certs((const unsigned char *)data.data,
					 data.len) < 1)
		rc = exs_failf(err, EXS_CONFIG, 0, "trust", path,
			       "[trust] file holds no PEM or DER certificate");
	if (!rc && out->len + 4 + data.len > EXS_TRUST_BLOB_MAX)
		rc = exs_failf(err, EXS_CONFIG, 0, "trust", path,
			       "[trust] certificates exceed %u bytes in all",
			       EXS_TRUST_BLOB_MAX);
	if (!rc) {
		unsigned char n[4];
		for (int i = 0; i < 4; i++)
			n[i] = (unsigned char)(data.len >> (8 * i));
		exs_buf_append(out, n, 4);
		exs_buf_append(out, data.data, data.len);
		if (out->failed)
			rc = exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	}
	exs_buf_free(&data);
	return rc;
}

static int cert_name(const char *name, size_t n)
{
	static const char *const exts[] = { ".pem", ".crt", ".cer" };
	if (n < 5)
		return 0;
	for (size_t i = 0; i < 3; i++) {
		int same = 1;
		for (size_t k = 0; k < 4; k++) {
			char c = name[n - 4 + k];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			same &= c == exts[i][k];
		}
		if (same)
			return 1;
	}
	return 0;
}

static int add_dir(struct exs_cli *cli, const char *dir, struct exs_buf *out,
		   struct exs_error *err)
{
	const struct exs_platform *plat = cli->plat;
	struct exs_dir *d;
	int rc = plat->dir_open(dir, &d, err);
	if (rc)
		return exs_failf(err, EXS_CONFIG, err->os_code, "trust", dir,
				 "[trust] ca_dir cannot be listed: %s",
				 exs_strerror(rc));
	struct exs_strlist names = { 0 };
	struct exs_dirent e;
	while ((rc = plat->dir_next(d, &e, err)) == EXS_OK && e.name) {
		if (e.node != EXS_NODE_FILE || !cert_name(e.name, e.name_len))
			continue;
		if (names.count == TRUST_DIR_FILES_MAX) {
			rc = exs_failf(err, EXS_CONFIG, 0, "trust", dir,
				       "[trust] ca_dir holds more than %u "
				       "certificate files", TRUST_DIR_FILES_MAX);
			break;
		}
		size_t dl = strlen(dir);
		char *full = malloc(dl + e.name_len + 2);
		if (!full) {
			rc = exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
			break;
		}
		int has_sep = dl && (dir[dl - 1] == plat->path_separator ||
				     dir[dl - 1] == '/');
		snprintf(full, dl + e.name_len + 2, "%s%s%.*s", dir,
			 has_sep ? "" : (plat->path_separator == '\\' ? "\\"
								      : "/"),
			 (int)e.name_len, e.name);
		rc = exs_strlist_add_str(&names, full);
		free(full);
		if (rc) {
			rc = exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
			break;
		}
	}
	plat->dir_close(d);
	if (rc && rc != EXS_CONFIG && rc != EXS_NOMEM)
		rc = exs_failf(err, EXS_CONFIG, err->os_code, "trust", dir,
			       "[trust] ca_dir cannot be listed: %s",
			       exs_strerror(rc));
	for (size_t i = 0; !rc && i < names.count; i++)
		rc = add_file(cli, names.items[i], out, err);
	exs_strlist_free(&names);
	return rc;
}

int exs_cli_trust_blob(struct exs_cli *cli, struct exs_buf *out,
		       struct exs_error *err)
{
	exs_buf_reset(out);
	int rc = EXS_OK;
	if (cli->cfg.trust_ca_file)
		rc = add_file(cli, cli->cfg.trust_ca_file, out, err);
	if (!rc && cli->cfg.trust_ca_dir)
		rc = add_dir(cli, cli->cfg.trust_ca_dir, out, err);
	return rc;
}
