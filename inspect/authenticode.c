/* authenticode.c -- Authenticode verification with OpenSSL (authenticode.h).
 *
 * Divisions: the trust store, the image digest, the WIN_CERTIFICATE walk
 * and SpcIndirectDataContent, the timestamp, the verdict.
 *
 * The order of the verdict follows what each step can prove: no
 * certificate table is "unsigned"; a PKCS#7 that does not parse, does not
 * carry SpcIndirectDataContent or whose signature over it does not verify
 * is "bad_signature"; a digest in it that is not the image's is
 * "bad_digest" (the image changed after signing); a good signature whose
 * signer does not chain to the trust store is "untrusted"; one that chains
 * only when the clock is not looked at, and has no valid timestamp inside
 * the certificate's validity, is "expired"; the rest is "signed".
 *
 * The image digest is the specification's (Authenticode PE, "Calculating
 * the PE image hash"): the headers without the CheckSum field and the
 * certificate-table directory entry, then each section's raw data in file
 * order, then what follows the last section up to the certificate table.
 * Bytes after the certificate table are refused as tampering (Windows
 * ignores them unless EnableCertPaddingCheck is set; attackers used that).
 */
#include "authenticode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define OID_SPC_INDIRECT_DATA "1.3.6.1.4.1.311.2.1.4"
#define OID_RFC3161_TIMESTAMP "1.3.6.1.4.1.311.3.3.1"

struct exs_trust {
	X509_STORE *store;
};

/* ---- The trust store ------------------------------------------------------ */

static int add_certs(X509_STORE *store, const unsigned char *p, size_t n)
{
	if (n > INT32_MAX)
		return 0;
	int count = 0;
	BIO *bio = BIO_new_mem_buf(p, (int)n);
	X509 *x;
	while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (!store || X509_STORE_add_cert(store, x) == 1)
			count++;
		X509_free(x);
	}
	BIO_free(bio);
	if (!count) {
		const unsigned char *q = p;
		x = d2i_X509(NULL, &q, (long)n);
		if (x && q == p + n && (!store || X509_STORE_add_cert(store, x) == 1))
			count = 1;
		X509_free(x);
	}
	ERR_clear_error();
	return count;
}

int exs_trust_count_certs(const unsigned char *p, size_t n)
{
	return add_certs(NULL, p, n);
}

int exs_trust_from_blob(const unsigned char *blob, size_t len,
			struct exs_trust **out, char *why, size_t cap)
{
	*out = NULL;
	struct exs_trust *t = calloc(1, sizeof(*t));
	if (!t || !(t->store = X509_STORE_new())) {
		free(t);
		snprintf(why, cap, "out of memory");
		return -1;
	}
	size_t at = 0;
	for (unsigned i = 0; at < len; i++) {
		if (len - at < 4) {
			snprintf(why, cap, "truncated trust record %u", i);
			exs_trust_free(t);
			return -1;
		}
		const unsigned char *h = blob + at;
		uint32_t n = (uint32_t)h[0] | (uint32_t)h[1] << 8 |
			     (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
		at += 4;
		if (n > len - at || !add_certs(t->store, blob + at, n)) {
			snprintf(why, cap, "trust record %u holds no certificate",
				 i);
			exs_trust_free(t);
			return -1;
		}
		at += n;
	}
	*out = t;
	return 0;
}

void exs_trust_free(struct exs_trust *t)
{
	if (!t)
		return;
	X509_STORE_free(t->store);
	free(t);
}

/* ---- The image digest ----------------------------------------------------- */

struct range {
	uint64_t off, len;
};

static int by_offset(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

int exs_authenticode_digest(const struct exs_pe *pe, const char *digest,
			    unsigned char *md, unsigned *md_len, char *why,
			    size_t cap)
{
	const EVP_MD *type = EVP_get_digestbyname(digest);
	if (!type) {
		snprintf(why, cap, "unknown digest %s", digest);
		return -1;
	}
	if (!pe->has_security_entry) {
		snprintf(why, cap, "no certificate-table directory entry");
		return -1;
	}
	uint64_t headers = pe->size_of_headers;
	uint64_t sec_entry = pe->security_entry_offset;
	if (headers < sec_entry + 8 || !exs_pe_fits(pe, 0, headers)) {
		snprintf(why, cap, "SizeOfHeaders does not cover the headers "
			 "or lies past the end of the file");
		return -1;
	}
	uint64_t end = pe->len;
	if (pe->has_security) {
		if (!pe->security_fits || pe->security_offset < headers) {
			snprintf(why, cap, "certificate table outside the file");
			return -1;
		}
		end = pe->security_offset;
	}
	struct range r[EXS_PE_SECTIONS_MAX];
	unsigned nr = 0;
	for (unsigned i = 0; i < pe->sections_read; i++) {
		const struct exs_pe_section *s = &pe->sections[i];
		if (!s->raw_size)
			continue;
		if (!exs_pe_fits(pe, s->raw_offset, s->raw_size) ||
		    (uint64_t)s->raw_offset + s->raw_size > end) {
			snprintf(why, cap, "section %u's data lies outside the "
				 "image", i);
			return -1;
		}
		r[nr++] = (struct range){ s->raw_offset, s->raw_size };
	}
	qsort(r, nr, sizeof(r[0]), by_offset);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, type, NULL) == 1;
	const unsigned char *d = pe->data;
	uint64_t ck = pe->checksum_offset;
	ok = ok && EVP_DigestUpdate(ctx, d, ck) == 1;
	ok = ok && EVP_DigestUpdate(ctx, d + ck + 4, sec_entry - ck - 4) == 1;
	ok = ok && EVP_DigestUpdate(ctx, d + sec_entry + 8,
				    headers - sec_entry - 8) == 1;
	uint64_t sum = headers;
	for (unsigned i = 0; ok && i < nr; i++) {
		ok = EVP_DigestUpdate(ctx, d + r[i].off, r[i].len) == 1;
		sum += r[i].len;
	}
	if (ok && sum < end)
		ok = EVP_DigestUpdate(ctx, d + sum, end - sum) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, md, md_len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		snprintf(why, cap, "the digest failed");
		return -1;
	}
	return 0;
}

/* ---- WIN_CERTIFICATE and SpcIndirectDataContent ---------------------------- */

/* The first PKCS#7 SignedData entry of the certificate table (a
 * WIN_CERTIFICATE: u32 dwLength, u16 wRevision, u16 wCertificateType 2,
 * then the bytes; entries 8-aligned). */
static const unsigned char *find_pkcs7(const struct exs_pe *pe, size_t *n,
				       const char **why)
{
	uint64_t at = pe->security_offset;
	uint64_t end = at + pe->security_size;
	for (unsigned i = 0; i < EXS_AUTH_CERT_ENTRIES_MAX && at + 8 <= end; i++) {
		const unsigned char *p = pe->data + at;
		uint32_t len = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
			       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		unsigned rev = p[4] | p[5] << 8, type = p[6] | p[7] << 8;
		if (len < 8 || len > end - at) {
			*why = "a WIN_CERTIFICATE entry's length is outside "
			       "the certificate table";
			return NULL;
		}
		if (type == 2 && (rev == 0x0200 || rev == 0x0100)) {
			*n = len - 8;
			return p + 8;
		}
		at += ((uint64_t)len + 7) & ~(uint64_t)7;
	}
	*why = "no PKCS#7 SignedData in the certificate table";
	return NULL;
}

/* One DER element of the wanted universal tag at *p (before end): its
 * content in *c, *cn; *p moves past it. Definite lengths only. */
static int der_take(const unsigned char **p, const unsigned char *end,
		    int want, const unsigned char **c, long *cn)
{
	if (*p >= end)
		return -1;
	const unsigned char *q = *p;
	long len;
	int tag, xclass;
	int r = ASN1_get_object(&q, &len, &tag, &xclass, end - *p);
	if ((r & 0x80) || (r & 1) || xclass != V_ASN1_UNIVERSAL || tag != want ||
	    len < 0 || len > end - q)
		return -1;
	*c = q;
	*cn = len;
	*p = q + len;
	return 0;
}

struct indirect {
	const unsigned char *content;    /* the SEQUENCE's content octets: */
	long content_len;                /* what the signature covers */
	char digest[16];                 /* "sha256" */
	const unsigned char *md;
	long md_len;
};

/* SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue,
 *   messageDigest DigestInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING } } */
static int parse_indirect(const unsigned char *der, long n, struct indirect *ind)
{
	const unsigned char *p = der, *end = der + n, *c, *q, *qend, *a;
	long cn, an;
	if (der_take(&p, end, V_ASN1_SEQUENCE, &ind->content, &ind->content_len))
		return -1;
	p = ind->content;
	end = ind->content + ind->content_len;
	if (der_take(&p, end, V_ASN1_SEQUENCE, &c, &cn) ||
	    der_take(&p, end, V_ASN1_SEQUENCE, &c, &cn))
		return -1;
	q = c;
	qend = c + cn;
	if (der_take(&q, qend, V_ASN1_SEQUENCE, &a, &an))
		return -1;
	const unsigned char *o = a, *oend = a + an, *oid;
	long oidn;
	const unsigned char *oid_start = o;
	if (der_take(&o, oend, V_ASN1_OBJECT, &oid, &oidn))
		return -1;
	const unsigned char *d2 = oid_start;
	ASN1_OBJECT *obj = d2i_ASN1_OBJECT(NULL, &d2, o - oid_start);
	int nid = obj ? OBJ_obj2nid(obj) : NID_undef;
	ASN1_OBJECT_free(obj);
	const char *name = nid == NID_sha1 ? "sha1" : nid == NID_sha256 ? "sha256"
			 : nid == NID_sha384 ? "sha384"
			 : nid == NID_sha512 ? "sha512" : NULL;
	if (!name)
		return -2;
	snprintf(ind->digest, sizeof(ind->digest), "%s", name);
	if (der_take(&q, qend, V_ASN1_OCTET_STRING, &ind->md, &ind->md_len))
		return -1;
	return 0;
}

/* ---- The timestamp ---------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
			       (unsigned)tm.tm_mday) * 86400 +
	       tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 0;
}

/* An RFC 3161 timestamp token among the signer's unsigned attributes
 * (Microsoft's 1.3.6.1.4.1.311.3.3.1) whose imprint is the hash of the
 * signature value and whose TSA chains to the trust store: its time in
 * *when. The older Authenticode countersignature (1.2.840.113549.1.9.6) is
 * not verified and so counts as no timestamp. */
static int verified_timestamp(PKCS7_SIGNER_INFO *si, X509_STORE *store,
			      int64_t *when, char *note, size_t cap)
{
	STACK_OF(X509_ATTRIBUTE) *attrs = si->unauth_attr;
	for (int i = 0; attrs && i < sk_X509_ATTRIBUTE_num(attrs); i++) {
		X509_ATTRIBUTE *attr = sk_X509_ATTRIBUTE_value(attrs, i);
		char oid[64];
		if (OBJ_obj2txt(oid, sizeof(oid), X509_ATTRIBUTE_get0_object(attr),
				1) <= 0 || strcmp(oid, OID_RFC3161_TIMESTAMP) != 0)
			continue;
		ASN1_TYPE *v = X509_ATTRIBUTE_get0_type(attr, 0);
		if (!v || v->type != V_ASN1_SEQUENCE)
			continue;
		const unsigned char *p = v->value.sequence->data;
		PKCS7 *token = d2i_PKCS7(NULL, &p, v->value.sequence->length);
		TS_TST_INFO *tst = token ? PKCS7_to_TS_TST_INFO(token) : NULL;
		int ok = 0;
		if (tst) {
			TS_MSG_IMPRINT *im = TS_TST_INFO_get_msg_imprint(tst);
			X509_ALGOR *alg = TS_MSG_IMPRINT_get_algo(im);
			ASN1_OCTET_STRING *want = TS_MSG_IMPRINT_get_msg(im);
			const EVP_MD *md = EVP_get_digestbyobj(alg->algorithm);
			unsigned char h[EVP_MAX_MD_SIZE];
			unsigned hn = 0;
			ok = md && si->enc_digest &&
			     EVP_Digest(si->enc_digest->data,
					(size_t)si->enc_digest->length, h, &hn,
					md, NULL) == 1 &&
			     (int)hn == want->length &&
			     memcmp(h, want->data, hn) == 0;
			if (!ok)
				snprintf(note, cap, "; the timestamp is not "
					 "over this signature");
		}
		if (ok) {
			TS_VERIFY_CTX *vc = TS_VERIFY_CTX_new();
			ok = vc && X509_STORE_up_ref(store) == 1;
			if (ok) {
				TS_VERIFY_CTX_set_store(vc, store);
				TS_VERIFY_CTX_set_flags(vc, TS_VFY_SIGNATURE |
							     TS_VFY_VERSION);
				ok = TS_RESP_verify_token(vc, token) == 1;
			}
			TS_VERIFY_CTX_free(vc);
			if (!ok)
				snprintf(note, cap, "; the timestamp's TSA "
					 "does not verify or chain");
		}
		if (ok)
			ok = asn1_time_unix(TS_TST_INFO_get_time(tst), when) == 0 &&
			     *when > 0 && *when <= (int64_t)EXS_SIG_TIME_MAX;
		TS_TST_INFO_free(tst);
		PKCS7_free(token);
		ERR_clear_error();
		if (ok)
			return 1;
	}
	return 0;
}

/* ---- The verdict -------------------------------------------------------------- */

static void signer_name(X509 *x, char *dst, size_t cap)
{
	X509_NAME *nm = X509_get_subject_name(x);
	dst[0] = '\0';
	if (X509_NAME_get_text_by_NID(nm, NID_commonName, dst, (int)cap) <= 0 &&
	    X509_NAME_get_text_by_NID(nm, NID_organizationName, dst,
				      (int)cap) <= 0)
		dst[0] = '\0';
	/* Names reach reports: no control characters. */
	for (char *s = dst; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
}

static int set(struct exs_signature *out, int status, const char *why)
{
	out->status = status;
	if (why)
		snprintf(out->detail, sizeof(out->detail), "%s", why);
	return status;
}

/* The chain of signer to the store, at time t (0: now); 1 when it chains,
 * else 0 with the OpenSSL error in *error. */
static int chains(X509_STORE *store, X509 *signer, STACK_OF(X509) *untrusted,
		  int64_t t, unsigned long flags, int *error)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok = ctx && X509_STORE_CTX_init(ctx, store, signer, untrusted) == 1;
	if (ok) {
		X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
		if (t)
			X509_VERIFY_PARAM_set_time(vp, (time_t)t);
		if (flags)
			X509_VERIFY_PARAM_set_flags(vp, flags);
		ok = X509_verify_cert(ctx) == 1;
		*error = ok ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	}
	X509_STORE_CTX_free(ctx);
	return ok;
}

static void judge_pkcs7(PKCS7 *p7, const struct exs_pe *pe,
			const struct exs_trust *trust, struct exs_signature *out)
{
	char why[EXS_SIG_DETAIL_MAX];
	if (!PKCS7_type_is_signed(p7) || !p7->d.sign->contents ||
	    !p7->d.sign->contents->type) {
		set(out, EXS_SIG_BAD_SIGNATURE, "not a PKCS#7 SignedData");
		return;
	}
	char oid[64];
	PKCS7 *inner = p7->d.sign->contents;
	if (OBJ_obj2txt(oid, sizeof(oid), inner->type, 1) <= 0 ||
	    strcmp(oid, OID_SPC_INDIRECT_DATA) != 0 || !inner->d.other ||
	    inner->d.other->type != V_ASN1_SEQUENCE) {
		set(out, EXS_SIG_BAD_SIGNATURE,
		    "the SignedData does not hold SpcIndirectDataContent");
		return;
	}
	struct indirect ind;
	memset(&ind, 0, sizeof(ind));
	int pr = parse_indirect(inner->d.other->value.sequence->data,
				inner->d.other->value.sequence->length, &ind);
	if (pr) {
		set(out, EXS_SIG_BAD_SIGNATURE, pr == -2
		    ? "SpcIndirectDataContent names a digest other than "
		      "SHA-1 or SHA-2" : "malformed SpcIndirectDataContent");
		return;
	}
	snprintf(out->digest, sizeof(out->digest), "%s", ind.digest);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	if (exs_authenticode_digest(pe, ind.digest, md, &md_len, why,
				    sizeof(why))) {
		set(out, EXS_SIG_BAD_DIGEST, why);
		return;
	}
	if ((long)md_len != ind.md_len || memcmp(md, ind.md, md_len) != 0) {
		snprintf(why, sizeof(why), "the image's %s digest is not the "
			 "signed one: changed after signing", ind.digest);
		set(out, EXS_SIG_BAD_DIGEST, why);
		return;
	}
	/* The signature over the content, without looking at any chain. The
	 * memory BIO goes behind a null filter: PKCS7_verify copies a bare
	 * memory BIO into one of its own, which OpenSSL 3.0 leaks when the
	 * SignedData names a digest it cannot set up (fuzz_pe found it). */
	BIO *mem = BIO_new_mem_buf(ind.content, (int)ind.content_len);
	BIO *filter = BIO_new(BIO_f_null());
	BIO *content = mem && filter ? BIO_push(filter, mem) : NULL;
	X509_STORE *empty = X509_STORE_new();
	int sig_ok = content && empty &&
		     PKCS7_verify(p7, NULL, empty, content, NULL,
				  PKCS7_NOVERIFY | PKCS7_BINARY) == 1;
	if (content)
		BIO_free_all(content);
	else {
		BIO_free(mem);
		BIO_free(filter);
	}
	X509_STORE_free(empty);
	STACK_OF(X509) *signers = sig_ok ? PKCS7_get0_signers(p7, NULL, 0) : NULL;
	STACK_OF(PKCS7_SIGNER_INFO) *infos = PKCS7_get_signer_info(p7);
	if (!sig_ok || !signers || sk_X509_num(signers) < 1 || !infos ||
	    sk_PKCS7_SIGNER_INFO_num(infos) < 1) {
		sk_X509_free(signers);
		ERR_clear_error();
		set(out, EXS_SIG_BAD_SIGNATURE, "the PKCS#7 signature does not "
		    "verify");
		return;
	}
	X509 *signer = sk_X509_value(signers, 0);
	signer_name(signer, out->signer, sizeof(out->signer));
	X509_STORE *store = trust ? trust->store : NULL;
	char note[96] = "";
	int64_t ts = 0;
	if (store && verified_timestamp(sk_PKCS7_SIGNER_INFO_value(infos, 0),
					store, &ts, note, sizeof(note))) {
		out->timestamped = 1;
		out->signed_at = ts;
	}
	uint32_t xku = X509_get_extended_key_usage(signer);
	int error = X509_V_OK;
	if (!store) {
		set(out, EXS_SIG_UNTRUSTED, "no trust store is configured "
		    "([trust] ca_file, ca_dir)");
	} else if (xku != UINT32_MAX && !(xku & (XKU_CODE_SIGN | XKU_ANYEKU))) {
		set(out, EXS_SIG_UNTRUSTED, "the signer's certificate is not "
		    "for code signing");
	} else if (chains(store, signer, p7->d.sign->cert, ts, 0, &error)) {
		set(out, EXS_SIG_SIGNED, "");
	} else if ((error == X509_V_ERR_CERT_HAS_EXPIRED ||
		    error == X509_V_ERR_CERT_NOT_YET_VALID) &&
		   chains(store, signer, p7->d.sign->cert, 0,
			  X509_V_FLAG_NO_CHECK_TIME, &error)) {
		snprintf(why, sizeof(why), "a certificate of the chain %s%s%s",
			 out->timestamped ? "was not valid at the timestamp"
					  : "has expired",
			 out->timestamped ? "" : " and no valid timestamp "
						 "shows it signed in time",
			 note);
		set(out, EXS_SIG_EXPIRED, why);
	} else {
		snprintf(why, sizeof(why), "no chain to the trust store (%s)",
			 X509_verify_cert_error_string(error));
		set(out, EXS_SIG_UNTRUSTED, why);
	}
	sk_X509_free(signers);
	ERR_clear_error();
}

void exs_authenticode_check(const unsigned char *data, size_t len,
			    const struct exs_trust *trust,
			    struct exs_signature *out)
{
	memset(out, 0, sizeof(*out));
	struct exs_pe pe;
	int rc = exs_pe_parse(data, len, &pe);
	if (rc == EXS_PE_NOT_PE)
		return;
	if (rc) {
		set(out, EXS_SIG_MALFORMED, pe.why);
		return;
	}
	out->dotnet = pe.is_dotnet;
	if (!pe.has_security) {
		set(out, EXS_SIG_UNSIGNED, "no embedded signature");
		return;
	}
	if (!pe.security_fits) {
		set(out, EXS_SIG_BAD_SIGNATURE,
		    "the certificate table lies outside the file");
		return;
	}
	if ((uint64_t)pe.security_offset + pe.security_size < len) {
		set(out, EXS_SIG_BAD_DIGEST,
		    "bytes after the certificate table (outside the signed "
		    "image)");
		return;
	}
	const char *why = NULL;
	size_t n = 0;
	const unsigned char *der = find_pkcs7(&pe, &n, &why);
	if (!der) {
		set(out, EXS_SIG_BAD_SIGNATURE, why);
		return;
	}
	const unsigned char *p = der;
	PKCS7 *p7 = n <= INT32_MAX ? d2i_PKCS7(NULL, &p, (long)n) : NULL;
	if (!p7) {
		ERR_clear_error();
		set(out, EXS_SIG_BAD_SIGNATURE, "the PKCS#7 does not parse");
		return;
	}
	judge_pkcs7(p7, &pe, trust, out);
	PKCS7_free(p7);
}
