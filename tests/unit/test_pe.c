/* test_pe.c -- inspect/: the PE reader on hand-built and broken headers,
 * the Authenticode digest's exclusions, the verdicts that need no signer
 * (unsigned, a certificate table outside the file or followed by bytes, a
 * PKCS#7 that is garbage), the trust blob, and the PE policy (vouched
 * signers, covered folders, App_Web_*.dll). Signed images, made with
 * osslsigncode under a test CA, are the e2e test's (t8300-authenticode).
 */
#include <stdlib.h>

#include "authenticode.h"
#include "pe.h"
#include "pe_policy.h"
#include "test.h"

#define IMG_LEN 0x600

static void put16(unsigned char *p, size_t at, unsigned v)
{
	p[at] = (unsigned char)v;
	p[at + 1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[at + i] = (unsigned char)(v >> (8 * i));
}

/* A PE32+ image: headers 0x200, .text at 0x200 and .data at 0x400, each
 * 0x200 bytes; the optional header at 0x58, data directories at 0xc8. */
static void make_image(unsigned char *p, int pe32plus)
{
	memset(p, 0, IMG_LEN);
	p[0] = 'M';
	p[1] = 'Z';
	put32(p, 0x3c, 0x40);
	memcpy(p + 0x40, "PE\0\0", 4);
	put16(p, 0x44, pe32plus ? 0x8664 : 0x14c);
	put16(p, 0x46, 2);
	unsigned opt_size = pe32plus ? 240 : 224;
	put16(p, 0x54, opt_size);
	put16(p, 0x56, 0x2022);
	size_t opt = 0x58;
	put16(p, opt, pe32plus ? 0x20b : 0x10b);
	put32(p, opt + 60, 0x200);           /* SizeOfHeaders */
	put32(p, opt + 64, 0xdeadbeef);      /* CheckSum */
	put16(p, opt + 68, 3);
	put32(p, opt + (pe32plus ? 108 : 92), 16);
	size_t sect = opt + opt_size;
	memcpy(p + sect, ".text", 5);
	put32(p, sect + 8, 0x200);
	put32(p, sect + 12, 0x1000);
	put32(p, sect + 16, 0x200);
	put32(p, sect + 20, 0x200);
	memcpy(p + sect + 40, ".data", 5);
	put32(p, sect + 48, 0x200);
	put32(p, sect + 52, 0x2000);
	put32(p, sect + 56, 0x200);
	put32(p, sect + 60, 0x400);
	for (size_t i = 0x200; i < IMG_LEN; i++)
		p[i] = (unsigned char)(i * 7);
}

static size_t dir_at(int pe32plus, unsigned k)
{
	return 0x58 + (pe32plus ? 112 : 96) + 8 * k;
}

static void test_parse(void)
{
	unsigned char img[IMG_LEN];
	for (int plus = 0; plus <= 1; plus++) {
		make_image(img, plus);
		struct exs_pe pe;
		ASSERT_EQ(exs_pe_parse(img, sizeof(img), &pe), EXS_PE_OK);
		ASSERT_EQ(pe.pe32plus, plus);
		ASSERT_EQ(pe.sections_read, 2);
		ASSERT_STR_EQ(pe.sections[1].name, ".data");
		ASSERT_EQ(pe.sections[1].raw_offset, 0x400);
		ASSERT_EQ(pe.checksum, 0xdeadbeef);
		ASSERT_EQ(pe.checksum_offset, 0x58 + 64);
		ASSERT_EQ(pe.dir_count, 16);
		ASSERT_EQ(pe.security_entry_offset, dir_at(plus, 4));
		ASSERT_EQ(pe.has_security, 0);
		ASSERT_EQ(pe.is_dotnet, 0);
		put32(img, dir_at(plus, 14), 0x2000);
		put32(img, dir_at(plus, 14) + 4, 72);
		ASSERT_EQ(exs_pe_parse(img, sizeof(img), &pe), EXS_PE_OK);
		ASSERT_EQ(pe.is_dotnet, 1);
	}
}

static void test_not_pe_and_malformed(void)
{
	unsigned char img[IMG_LEN];
	struct exs_pe pe;
	make_image(img, 1);
	ASSERT_EQ(exs_pe_parse((const unsigned char *)"MZ", 2, &pe), EXS_PE_NOT_PE);
	img[1] = 'X';
	ASSERT_EQ(exs_pe_parse(img, sizeof(img), &pe), EXS_PE_NOT_PE);
	make_image(img, 1);
	put32(img, 0x3c, 0xfffffffe);        /* e_lfanew past the end */
	ASSERT_EQ(exs_pe_parse(img, sizeof(img), &pe), EXS_PE_NOT_PE);
	make_image(img, 1);
	put16(img, 0x58, 0x107);             /* ROM image magic */
	ASSERT_EQ(exs_pe_parse(img, sizeof(img), &pe), EXS_PE_MALFORMED);
	make_image(img, 1);
	put16(img, 0x54, 0xffff);            /* optional header too large */
	ASSERT_EQ(exs_pe_parse(img, sizeof(img), &pe), EXS_PE_MALFORMED);
	make_image(img, 1);
	put16(img, 0x46, 0xffff);            /* 65535 sections: capped, and
						the table does not fit */
	ASSERT_EQ(exs_pe_parse(img, sizeof(img), &pe), EXS_PE_MALFORMED);
	make_image(img, 1);
	put32(img, 0x58 + 108, 0xffffffff); /* directories: only what fits */
	ASSERT_EQ(exs_pe_parse(img, sizeof(img), &pe), EXS_PE_OK);
	ASSERT_EQ(pe.dir_count, 16);
	/* Every truncation is refused or read within bounds. */
	make_image(img, 1);
	for (size_t n = 0; n < sizeof(img); n++) {
		int rc = exs_pe_parse(img, n, &pe);
		ASSERT_TRUE(rc == EXS_PE_NOT_PE || rc == EXS_PE_MALFORMED ||
			    n >= 0x58 + 240 + 80);
		struct exs_signature sig;
		exs_authenticode_check(img, n, NULL, &sig);
		ASSERT_TRUE(sig.status == EXS_SIG_NONE ||
			    sig.status == EXS_SIG_MALFORMED ||
			    sig.status == EXS_SIG_UNSIGNED);
	}
}

static void digest(const unsigned char *img, size_t n, unsigned char *md)
{
	struct exs_pe pe;
	char why[128];
	unsigned len = 0;
	if (exs_pe_parse(img, n, &pe) ||
	    exs_authenticode_digest(&pe, "sha256", md, &len, why, sizeof(why)))
		memset(md, 0, 32);
}

/* The checksum, the certificate-table entry and the table itself are left
 * out; everything else counts. */
static void test_digest_exclusions(void)
{
	unsigned char a[IMG_LEN + 16], b[IMG_LEN + 16];
	unsigned char ma[32], mb[32];
	make_image(a, 1);
	digest(a, IMG_LEN, ma);
	unsigned char zero[32] = { 0 };
	ASSERT_TRUE(memcmp(ma, zero, 32) != 0);
	memcpy(b, a, IMG_LEN);
	put32(b, 0x58 + 64, 0x12345678);
	digest(b, IMG_LEN, mb);
	ASSERT_MEM_EQ(ma, mb, 32);
	/* A certificate table of 16 bytes appended at 0x600. */
	memcpy(b, a, IMG_LEN);
	memset(b + IMG_LEN, 0xAB, 16);
	put32(b, dir_at(1, 4), IMG_LEN);
	put32(b, dir_at(1, 4) + 4, 16);
	digest(b, IMG_LEN + 16, mb);
	ASSERT_MEM_EQ(ma, mb, 32);
	memcpy(b, a, IMG_LEN);
	b[0x450] ^= 1;                       /* a byte of .data */
	digest(b, IMG_LEN, mb);
	ASSERT_TRUE(memcmp(ma, mb, 32) != 0);
	memcpy(b, a, IMG_LEN);
	b[0x100] ^= 1;                       /* a header byte */
	digest(b, IMG_LEN, mb);
	ASSERT_TRUE(memcmp(ma, mb, 32) != 0);
	/* A section outside the file cannot be hashed. */
	memcpy(b, a, IMG_LEN);
	put32(b, 0x58 + 240 + 40 + 20, 0x10000);
	struct exs_pe pe;
	ASSERT_EQ(exs_pe_parse(b, IMG_LEN, &pe), EXS_PE_OK);
	char why[128];
	unsigned len;
	ASSERT_EQ(exs_authenticode_digest(&pe, "sha256", mb, &len, why,
					  sizeof(why)), -1);
	ASSERT_TRUE(strstr(why, "section 1") != NULL);
}

static void test_verdicts_without_signer(void)
{
	unsigned char img[IMG_LEN + 64];
	struct exs_signature sig;
	make_image(img, 1);
	exs_authenticode_check(img, IMG_LEN, NULL, &sig);
	ASSERT_EQ(sig.status, EXS_SIG_UNSIGNED);
	/* The table's entry points past the end. */
	put32(img, dir_at(1, 4), IMG_LEN);
	put32(img, dir_at(1, 4) + 4, 64);
	exs_authenticode_check(img, IMG_LEN, NULL, &sig);
	ASSERT_EQ(sig.status, EXS_SIG_BAD_SIGNATURE);
	/* A WIN_CERTIFICATE with garbage for a PKCS#7. */
	memset(img + IMG_LEN, 0x30, 64);
	put32(img, IMG_LEN, 64);
	put16(img, IMG_LEN + 4, 0x0200);
	put16(img, IMG_LEN + 6, 2);
	exs_authenticode_check(img, IMG_LEN + 64, NULL, &sig);
	ASSERT_EQ(sig.status, EXS_SIG_BAD_SIGNATURE);
	ASSERT_STR_EQ(sig.detail, "the PKCS#7 does not parse");
	/* An entry whose length runs past the table. */
	put32(img, IMG_LEN, 4096);
	exs_authenticode_check(img, IMG_LEN + 64, NULL, &sig);
	ASSERT_EQ(sig.status, EXS_SIG_BAD_SIGNATURE);
	/* Bytes after the table: outside what the signature covers. */
	put32(img, dir_at(1, 4) + 4, 32);
	exs_authenticode_check(img, IMG_LEN + 64, NULL, &sig);
	ASSERT_EQ(sig.status, EXS_SIG_BAD_DIGEST);
}

static void test_trust_blob(void)
{
	struct exs_trust *t = NULL;
	char why[128];
	ASSERT_EQ(exs_trust_from_blob(NULL, 0, &t, why, sizeof(why)), 0);
	exs_trust_free(t);
	const unsigned char bad[] = { 5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o' };
	ASSERT_EQ(exs_trust_from_blob(bad, sizeof(bad), &t, why, sizeof(why)), -1);
	ASSERT_STR_EQ(why, "trust record 0 holds no certificate");
	ASSERT_TRUE(t == NULL);
	ASSERT_EQ(exs_trust_from_blob(bad, 3, &t, why, sizeof(why)), -1);
	const unsigned char over[] = { 0xff, 0xff, 0, 0, 'x' };
	ASSERT_EQ(exs_trust_from_blob(over, sizeof(over), &t, why, sizeof(why)), -1);
	ASSERT_EQ(exs_trust_count_certs((const unsigned char *)"-----BEGIN "
					"CERTIFICATE-----\nAAAA\n-----END "
					"CERTIFICATE-----\n", 60), 0);
}

static void test_policy(void)
{
	struct exs_strlist signers = { 0 };
	exs_strlist_add_str(&signers, "Microsoft Corporation");
	struct exs_signature sig;
	memset(&sig, 0, sizeof(sig));
	sig.status = EXS_SIG_SIGNED;
	snprintf(sig.signer, sizeof(sig.signer), "microsoft CORPORATION");
	ASSERT_EQ(exs_sig_vouched(&sig, &signers), 1);
	sig.status = EXS_SIG_CATALOG;
	ASSERT_EQ(exs_sig_vouched(&sig, &signers), 1);
	sig.status = EXS_SIG_EXPIRED;
	ASSERT_EQ(exs_sig_vouched(&sig, &signers), 0);
	sig.status = EXS_SIG_SIGNED;
	snprintf(sig.signer, sizeof(sig.signer), "Microsoft Corporation Ltd");
	ASSERT_EQ(exs_sig_vouched(&sig, &signers), 0);
	ASSERT_EQ(exs_sig_vouched(NULL, &signers), 0);

	/* Held against the image: all but no image, vouched, and "untrusted"
	 * without a trust store. */
	ASSERT_EQ(exs_sig_held_against(&sig, &signers, 0), 1); /* other signer */
	snprintf(sig.signer, sizeof(sig.signer), "Microsoft Corporation");
	ASSERT_EQ(exs_sig_held_against(&sig, &signers, 1), 0); /* vouched */
	sig.status = EXS_SIG_UNTRUSTED;
	ASSERT_EQ(exs_sig_held_against(&sig, &signers, 0), 0);
	ASSERT_EQ(exs_sig_held_against(&sig, &signers, 1), 1);
	sig.status = EXS_SIG_UNSIGNED;
	ASSERT_EQ(exs_sig_held_against(&sig, &signers, 0), 1);
	sig.status = EXS_SIG_NONE;
	ASSERT_EQ(exs_sig_held_against(&sig, &signers, 1), 0);
	ASSERT_EQ(exs_sig_held_against(NULL, &signers, 1), 0);

	const char *p = "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\x.dll";
	ASSERT_EQ(exs_pe_policy_folder(p, strlen(p), '\\'), 1);
	p = "C:\\Windows\\System32\\INETSRV\\x.dll";
	ASSERT_EQ(exs_pe_policy_folder(p, strlen(p), '\\'), 1);
	p = "C:\\Windows\\Microsoft.NET\\assembly\\GAC_MSIL\\a\\b\\a.dll";
	ASSERT_EQ(exs_pe_policy_folder(p, strlen(p), '\\'), 1);
	p = "C:\\Tools\\v15.dll";               /* the name, not a folder */
	ASSERT_EQ(exs_pe_policy_folder(p, strlen(p), '\\'), 0);
	p = "/mnt/c/Windows/Microsoft.NET/Framework64/v4.0.30319/"
	    "Temporary ASP.NET Files/owa/1/2/App_Web_abc.dll";
	ASSERT_EQ(exs_pe_policy_folder(p, strlen(p), '/'), 0);
	ASSERT_EQ(exs_pe_in_aspnet_cache(p, strlen(p), '/'), 1);
	ASSERT_EQ(exs_pe_is_app_web(p, strlen(p), '/'), 1);

	struct exs_hit *hits = NULL;
	size_t n = 0;
	memset(&sig, 0, sizeof(sig));
	sig.status = EXS_SIG_UNSIGNED;
	ASSERT_EQ(exs_pe_policy_check(p, strlen(p), '/', &sig, &signers, 1, 1,
				      &hits, &n), EXS_OK);
	ASSERT_EQ(n, 0);                      /* in the cache, with its map */
	ASSERT_EQ(exs_pe_policy_check(p, strlen(p), '/', &sig, &signers, 1, 0,
				      &hits, &n), EXS_OK);
	ASSERT_EQ(n, 1);
	ASSERT_STR_EQ(hits[0].rule, "pe.app_web_without_map");
	p = "/x/V15/ClientAccess/Owa/bin/App_Web_owa.dll";
	ASSERT_EQ(exs_pe_policy_check(p, strlen(p), '/', &sig, &signers, 1, 0,
				      &hits, &n), EXS_OK);
	ASSERT_EQ(n, 3);
	ASSERT_STR_EQ(hits[1].rule, "signature.not_vouched");
	ASSERT_STR_EQ(hits[2].rule, "pe.app_web_outside_cache");
	free(hits);
	exs_strlist_free(&signers);
}

int main(void)
{
	RUN(test_parse);
	RUN(test_not_pe_and_malformed);
	RUN(test_digest_exclusions);
	RUN(test_verdicts_without_signer);
	RUN(test_trust_blob);
	RUN(test_policy);
	return TEST_EXIT();
}
