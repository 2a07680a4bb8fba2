/* fuzz_pe.c -- the PE reader and the Authenticode judge (inspect/) on
 * hostile images, as the sandboxed worker runs them.
 *
 * Input: u16 little-endian n, then n bytes of trust store (the judge's
 * trust blob: u32 length + certificate file records; a blob that does not
 * load means no trust store), then the image. make-seeds writes real PE32
 * and PE32+ images, unsigned and signed with osslsigncode under a test CA
 * (with and without an RFC 3161 timestamp), with that CA as the store.
 *
 * Checked on every input: exs_pe_parse's fields all lie inside the input
 * when it says OK (the checksum, the certificate-table entry, the section
 * table; the table itself when security_fits says so); the verdict is a
 * known status with NUL-terminated strings and no control characters in
 * the signer, a timestamp only with a time in range, "signed" only with a
 * digest name; judging the same bytes twice gives the same verdict; and
 * the verdict, sent as the worker would, is accepted by the parent's
 * decoder unchanged.
 */
#include <string.h>

#include "authenticode.h"
#include "fuzz.h"
#include "judge_wire.h"
#include "pe.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void check_parse(const uint8_t *data, size_t size)
{
	struct exs_pe pe;
	int rc = exs_pe_parse(data, size, &pe);
	FUZZ_CHECK(rc == EXS_PE_OK || rc == EXS_PE_NOT_PE ||
		   rc == EXS_PE_MALFORMED, "status %d", rc);
	if (rc != EXS_PE_OK)
		return;
	FUZZ_CHECK((uint64_t)pe.checksum_offset + 4 <= size, "checksum");
	FUZZ_CHECK(pe.dir_count <= EXS_PE_DIRS_MAX, "dir count");
	FUZZ_CHECK((uint64_t)pe.dir_table_offset + 8u * pe.dir_count <= size,
		   "directories");
	FUZZ_CHECK(!pe.has_security_entry ||
		   (uint64_t)pe.security_entry_offset + 8 <= size, "entry");
	FUZZ_CHECK(!pe.security_fits ||
		   (uint64_t)pe.security_offset + pe.security_size <= size,
		   "table");
	FUZZ_CHECK(pe.sections_read <= EXS_PE_SECTIONS_MAX, "sections");
	FUZZ_CHECK((uint64_t)pe.section_table_offset + 40u * pe.sections_read
		   <= size, "section table");
	for (unsigned i = 0; i < pe.sections_read; i++)
		FUZZ_CHECK(memchr(pe.sections[i].name, '\0', 9) != NULL, "name");
	(void)exs_pe_compute_checksum(&pe);
}

static void check_strings(const struct exs_signature *s)
{
	FUZZ_CHECK(memchr(s->signer, '\0', sizeof(s->signer)) != NULL, "signer");
	FUZZ_CHECK(memchr(s->digest, '\0', sizeof(s->digest)) != NULL, "digest");
	FUZZ_CHECK(memchr(s->detail, '\0', sizeof(s->detail)) != NULL, "detail");
	for (const char *c = s->signer; *c; c++)
		FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f,
			   "control character in the signer");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t n = (size_t)data[0] | (size_t)data[1] << 8;
	if (n > size - 2)
		n = size - 2;
	const uint8_t *img = data + 2 + n;
	size_t len = size - 2 - n;
	struct exs_trust *trust = NULL;
	char why[128];
	if (exs_trust_from_blob(data + 2, n, &trust, why, sizeof(why)))
		trust = NULL;
	check_parse(img, len);

	struct exs_signature a, b;
	exs_authenticode_check(img, len, trust, &a);
	exs_authenticode_check(img, len, trust, &b);
	FUZZ_CHECK(memcmp(&a, &b, sizeof(a)) == 0, "two verdicts differ");
	FUZZ_CHECK(a.status >= EXS_SIG_NONE && a.status <= EXS_SIG_STATUS_MAX,
		   "status %d", a.status);
	FUZZ_CHECK(a.status != EXS_SIG_CATALOG, "catalog from the worker");
	check_strings(&a);
	FUZZ_CHECK(!a.timestamped ||
		   (a.signed_at > 0 && a.signed_at <= (int64_t)EXS_SIG_TIME_MAX),
		   "timestamp %lld", (long long)a.signed_at);
	FUZZ_CHECK(a.timestamped || a.signed_at == 0, "time without timestamp");
	FUZZ_CHECK(a.status != EXS_SIG_SIGNED || a.digest[0], "signed, no digest");

	/* The worker's reply, as the parent decodes it. */
	struct exs_verdict v;
	memset(&v, 0, sizeof(v));
	v.id = 1;
	v.part[EXS_VERDICT_SIGNATURE].present = 1;
	v.part[EXS_VERDICT_SIGNATURE].sig = a;
	struct exs_buf buf;
	exs_buf_init(&buf, EXS_WIRE_REPLY_MAX);
	FUZZ_CHECK(exs_wire_encode_verdict(&buf, &v) == EXS_OK, "encode");
	struct exs_verdict got;
	struct exs_error err;
	exs_error_clear(&err);
	int rc = exs_wire_decode_verdict(buf.data + EXS_WIRE_HEADER,
					 buf.len - EXS_WIRE_HEADER, 1,
					 EXS_WANT(EXS_VERDICT_SIGNATURE), img,
					 len, &got, &err);
	FUZZ_CHECK(rc == EXS_OK, "the parent refused the verdict: %s",
		   err.detail);
	const struct exs_signature *g = &got.part[EXS_VERDICT_SIGNATURE].sig;
	FUZZ_CHECK(g->status == a.status && strcmp(g->signer, a.signer) == 0 &&
		   strcmp(g->digest, a.digest) == 0 &&
		   g->timestamped == a.timestamped &&
		   g->signed_at == a.signed_at && g->dotnet == a.dotnet &&
		   strcmp(g->detail, a.detail) == 0, "verdict changed on the wire");
	exs_verdict_free(&got);
	exs_buf_free(&buf);
	exs_trust_free(trust);
	return 0;
}
