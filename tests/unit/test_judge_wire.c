/* test_judge_wire.c -- the scan worker's messages, decoded as the hostile
 * input they are: every truncation, oversized counts and strings, offsets
 * and excerpts that are not the file's, sections not asked for, and
 * random corruption of a valid reply. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "judge_wire.h"
#include "test.h"

static const unsigned char data[] =
	"<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"z\"],\"unsafe\");%>";
#define DATA_LEN (sizeof(data) - 1)
#define BOTH (EXS_WANT(EXS_VERDICT_YARA) | EXS_WANT(EXS_VERDICT_HEURISTICS))

static void fill_hit(struct exs_hit *h, const char *rule, uint64_t offset,
		     uint32_t length)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->rule, sizeof(h->rule), "%s", rule);
	snprintf(h->ns, sizeof(h->ns), "exsweep");
	snprintf(h->description, sizeof(h->description), "a description");
	h->string_count = 1;
	snprintf(h->strings[0].id, sizeof(h->strings[0].id), "$s");
	h->strings[0].offset = offset;
	h->strings[0].length = length;
	h->strings[0].excerpt_len = length;
	memcpy(h->strings[0].excerpt, data + offset, length);
}

/* A valid VERDICT frame for request 7: two YARA hits, one heuristic. */
static void valid_reply(struct exs_buf *b)
{
	struct exs_hit yara[2], heur[1];
	fill_hit(&yara[0], "Chopper", 31, 5);
	fill_hit(&yara[1], "JScript", 0, 27);
	fill_hit(&heur[0], "content.tiny_eval_page", 36, 12);
	struct exs_verdict v;
	memset(&v, 0, sizeof(v));
	v.id = 7;
	v.part[EXS_VERDICT_YARA] = (struct exs_verdict_part){
		.present = 1, .hits = yara, .count = 2 };
	v.part[EXS_VERDICT_HEURISTICS] = (struct exs_verdict_part){
		.present = 1, .hits = heur, .count = 1 };
	exs_buf_init(b, EXS_WIRE_REPLY_MAX);
	exs_wire_encode_verdict(b, &v);
}

static int decode(const void *p, size_t n, unsigned want,
		  struct exs_verdict *v)
{
	struct exs_error err;
	exs_error_clear(&err);
	int rc = exs_wire_decode_verdict(p, n, 7, want, data, DATA_LEN, v, &err);
	if (rc && !err.detail[0]) {
		fprintf(stderr, "%s:%d: a refusal without a reason\n", __FILE__,
			__LINE__);
		test_current_failed = 1;
	}
	return rc;
}

static void test_round_trip(void)
{
	struct exs_buf b;
	valid_reply(&b);
	uint32_t len;
	ASSERT_EQ(exs_wire_header((unsigned char *)b.data, EXS_WIRE_VERDICT,
				  EXS_WIRE_REPLY_MAX, &len), EXS_OK);
	ASSERT_EQ(len, b.len - EXS_WIRE_HEADER);
	struct exs_verdict v;
	ASSERT_EQ(decode(b.data + EXS_WIRE_HEADER, len, BOTH, &v), EXS_OK);
	ASSERT_EQ(v.part[EXS_VERDICT_YARA].count, 2);
	ASSERT_EQ(v.part[EXS_VERDICT_HEURISTICS].count, 1);
	ASSERT_STR_EQ(v.part[EXS_VERDICT_YARA].hits[1].rule, "JScript");
	ASSERT_EQ(v.part[EXS_VERDICT_YARA].hits[0].strings[0].offset, 31);
	ASSERT_MEM_EQ(v.part[EXS_VERDICT_YARA].hits[0].strings[0].excerpt,
		      "eval(", 5);
	exs_verdict_free(&v);
	exs_buf_free(&b);
}

/* Every prefix of a valid reply is refused, and so is one extra byte. */
static void test_truncated_and_trailing(void)
{
	struct exs_buf b;
	valid_reply(&b);
	const char *payload = b.data + EXS_WIRE_HEADER;
	size_t len = b.len - EXS_WIRE_HEADER;
	for (size_t n = 0; n < len; n++) {
		struct exs_verdict v;
		ASSERT_EQ(decode(payload, n, BOTH, &v), EXS_WORKER);
	}
	char *longer = malloc(len + 1);
	memcpy(longer, payload, len);
	longer[len] = 0;
	struct exs_verdict v;
	int rc = decode(longer, len + 1, BOTH, &v);
	free(longer);
	exs_buf_free(&b);
	ASSERT_EQ(rc, EXS_WORKER);
}

static void test_oversized_frame(void)
{
	unsigned char hdr[EXS_WIRE_HEADER] = { EXS_WIRE_VERDICT, 0, 0, 0,
					       0xff, 0xff, 0xff, 0xff };
	uint32_t len;
	ASSERT_EQ(exs_wire_header(hdr, EXS_WIRE_VERDICT, EXS_WIRE_REPLY_MAX, &len),
		  EXS_WORKER);
	hdr[4] = 1, hdr[5] = hdr[6] = hdr[7] = 0;
	ASSERT_EQ(exs_wire_header(hdr, EXS_WIRE_JUDGE, EXS_WIRE_REPLY_MAX, &len),
		  EXS_WORKER); /* wrong type */
	ASSERT_EQ(exs_wire_header(hdr, EXS_WIRE_VERDICT, EXS_WIRE_REPLY_MAX, &len),
		  EXS_OK);
}

/* A section header and the start of a hit list, hand-made. */
static void begin_section(struct exs_buf *b, uint64_t id, uint32_t sections,
			  uint32_t kind, uint32_t status)
{
	exs_buf_reset(b);
	exs_wire_u64(b, id);
	exs_wire_u32(b, sections);
	exs_wire_u32(b, kind);
	exs_wire_u32(b, status);
	exs_wire_str(b, "");
}

static void put_hit(struct exs_buf *b, const char *rule, uint32_t strings,
		    uint64_t offset, uint32_t length, const void *ex, size_t exn)
{
	exs_wire_str(b, rule);
	for (int i = 0; i < 5; i++)
		exs_wire_str(b, "");
	exs_wire_u32(b, strings);
	for (uint32_t s = 0; s < strings; s++) {
		exs_wire_str(b, "$s");
		exs_wire_u64(b, offset);
		exs_wire_u32(b, length);
		exs_wire_bytes(b, ex, exn);
	}
}

static int decode_yara(struct exs_buf *b)
{
	struct exs_verdict v;
	int rc = decode(b->data, b->len, EXS_WANT(EXS_VERDICT_YARA), &v);
	if (!rc)
		exs_verdict_free(&v);
	return rc;
}

static void test_bad_counts(void)
{
	struct exs_buf b;
	exs_buf_init(&b, 1 << 20);
	/* A billion hits in a few bytes: refused before any allocation. */
	begin_section(&b, 7, 1, EXS_VERDICT_YARA, 0);
	exs_wire_u32(&b, 1000000000u);
	ASSERT_EQ(decode_yara(&b), EXS_WORKER);
	/* More hits than the cap, even with the bytes there. */
	begin_section(&b, 7, 1, EXS_VERDICT_YARA, 0);
	exs_wire_u32(&b, EXS_WIRE_HITS_MAX + 1);
	for (int i = 0; i <= EXS_WIRE_HITS_MAX; i++)
		put_hit(&b, "r", 0, 0, 0, "", 0);
	ASSERT_EQ(decode_yara(&b), EXS_WORKER);
	/* Nine strings in a hit (the report holds eight). */
	begin_section(&b, 7, 1, EXS_VERDICT_YARA, 0);
	exs_wire_u32(&b, 1);
	put_hit(&b, "r", EXS_HIT_STRINGS_MAX + 1, 0, 1, "<", 1);
	ASSERT_EQ(decode_yara(&b), EXS_WORKER);
	/* Many sections. */
	begin_section(&b, 7, 1000, EXS_VERDICT_YARA, 0);
	exs_wire_u32(&b, 0);
	ASSERT_EQ(decode_yara(&b), EXS_WORKER);
	/* And the well-formed minimum passes. */
	begin_section(&b, 7, 1, EXS_VERDICT_YARA, 0);
	exs_wire_u32(&b, 1);
	put_hit(&b, "r", 1, 0, 1, "<", 1);
	ASSERT_EQ(decode_yara(&b), EXS_OK);
	exs_buf_free(&b);
}

static void test_bad_strings(void)
{
	struct exs_buf b;
	exs_buf_init(&b, 1 << 20);
	char rule[200];
	memset(rule, 'a', sizeof(rule) - 1);
	rule[sizeof(rule) - 1] = '\0';
	begin_section(&b, 7, 1, EXS_VERDICT_YARA, 0);
	exs_wire_u32(&b, 1);
	put_hit(&b, rule, 0, 0, 0, "", 0);          /* longer than the field */
	ASSERT_EQ(decode_yara(&b), EXS_WORKER);
	begin_section(&b, 7, 1, EXS_VERDICT_YARA, 0);
	exs_wire_u32(&b, 1);
	exs_wire_bytes(&b, "ru\0le", 5);             /* a NUL inside */
	for (int i = 0; i < 5; i++)
		exs_wire_str(&b, "");
	exs_wire_u32(&b, 0);
	ASSERT_EQ(decode_yara(&b), EXS_WORKER);
	begin_section(&b, 7, 1, EXS_VERDICT_YARA, 0);
	exs_wire_u32(&b, 1);
	put_hit(&b, "", 0, 0, 0, "", 0);             /* a rule with no name */
	ASSERT_EQ(decode_yara(&b), EXS_WORKER);
	exs_buf_free(&b);
}

/* Escape sequences in text reach no terminal; excerpts stay bytes. */
static void test_control_characters(void)
{
	struct exs_buf b;
	exs_buf_init(&b, 1 << 20);
	begin_section(&b, 7, 1, EXS_VERDICT_YARA, 0);
	exs_wire_u32(&b, 1);
	exs_wire_str(&b, "rule\x1b[2J");
	exs_wire_str(&b, "ns");
	exs_wire_str(&b, "");
	exs_wire_str(&b, "line\nbreak\x7f");
	exs_wire_str(&b, "");
	exs_wire_str(&b, "");
	exs_wire_u32(&b, 0);
	struct exs_verdict v;
	ASSERT_EQ(decode(b.data, b.len, EXS_WANT(EXS_VERDICT_YARA), &v), EXS_OK);
	ASSERT_STR_EQ(v.part[EXS_VERDICT_YARA].hits[0].rule, "rule?[2J");
	ASSERT_STR_EQ(v.part[EXS_VERDICT_YARA].hits[0].description, "line?break?");
	exs_verdict_free(&v);
	exs_buf_free(&b);
}

static void test_offsets_and_excerpts(void)
{
	struct exs_buf b;
	exs_buf_init(&b, 1 << 20);
	struct { uint64_t offset; uint32_t length; const char *ex; size_t n; } bad[] = {
		{ DATA_LEN + 1, 0, "", 0 },           /* past the end */
		{ UINT64_MAX, 1, "", 0 },             /* wraps around */
		{ 31, UINT32_MAX, "eval(", 5 },       /* longer than the file */
		{ DATA_LEN - 2, 1, "%>x", 3 },        /* excerpt past the end */
		{ 31, 5, "EVAL(", 5 },                /* not the file's bytes */
		{ 0, 1, "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"z\"],\"unsafe\");%>", 66 },  /* an excerpt over 64 bytes */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		begin_section(&b, 7, 1, EXS_VERDICT_YARA, 0);
		exs_wire_u32(&b, 1);
		put_hit(&b, "r", 1, bad[i].offset, bad[i].length, bad[i].ex,
			bad[i].n);
		if (decode_yara(&b) != EXS_WORKER)
			TEST_FAIL_("bad offset case %zu was accepted", i);
	}
	exs_buf_free(&b);
}

static void test_sections(void)
{
	struct exs_buf b;
	exs_buf_init(&b, 1 << 20);
	begin_section(&b, 8, 1, EXS_VERDICT_YARA, 0);      /* another request */
	exs_wire_u32(&b, 0);
	ASSERT_EQ(decode_yara(&b), EXS_WORKER);
	begin_section(&b, 7, 1, EXS_VERDICT_HEURISTICS, 0); /* not asked for */
	exs_wire_u32(&b, 0);
	ASSERT_EQ(decode_yara(&b), EXS_WORKER);
	begin_section(&b, 7, 1, 99, 0);                      /* unknown kind */
	exs_wire_u32(&b, 0);
	ASSERT_EQ(decode_yara(&b), EXS_WORKER);
	begin_section(&b, 7, 1, EXS_VERDICT_YARA, 12345);   /* unknown status */
	exs_wire_u32(&b, 0);
	ASSERT_EQ(decode_yara(&b), EXS_WORKER);
	begin_section(&b, 7, 2, EXS_VERDICT_YARA, 0);       /* twice */
	exs_wire_u32(&b, 0);
	exs_wire_u32(&b, EXS_VERDICT_YARA);
	exs_wire_u32(&b, 0);
	exs_wire_str(&b, "");
	exs_wire_u32(&b, 0);
	ASSERT_EQ(decode_yara(&b), EXS_WORKER);
	exs_buf_reset(&b);                                   /* none at all */
	exs_wire_u64(&b, 7);
	exs_wire_u32(&b, 0);
	ASSERT_EQ(decode_yara(&b), EXS_WORKER);
	begin_section(&b, 7, 1, EXS_VERDICT_YARA, EXS_TIMEOUT); /* a failure */
	exs_wire_u32(&b, 0);
	ASSERT_EQ(decode_yara(&b), EXS_OK);
	exs_buf_free(&b);
}

/* CONFIG sections: registrations round-trip; a count, kind, flag or
 * string that does not fit is refused; control characters are defused. */
static void put_reg(struct exs_buf *b, uint32_t kind, uint32_t flags,
		    const char *name, const char *image)
{
	exs_wire_u32(b, kind);
	exs_wire_u32(b, flags);
	exs_wire_u64(b, 12);
	exs_wire_str(b, "Default Web Site/owa");
	exs_wire_str(b, name);
	exs_wire_str(b, "");
	exs_wire_str(b, image);
	exs_wire_str(b, "");
	exs_wire_str(b, "preCondition=bitness64");
}

static int decode_config(struct exs_buf *b, struct exs_verdict *v)
{
	return decode(b->data, b->len, EXS_WANT(EXS_VERDICT_CONFIG), v);
}

static void test_config_sections(void)
{
	struct exs_registration regs[2];
	memset(regs, 0, sizeof(regs));
	regs[0].kind = EXS_REG_GLOBAL_MODULE;
	regs[0].line = 40;
	strcpy(regs[0].name, "UriCacheModule");
	strcpy(regs[0].image, "%windir%\\System32\\inetsrv\\cachuri.dll");
	regs[1].kind = EXS_REG_TRANSPORT_AGENT;
	regs[1].flags = EXS_REG_TRUNCATED;
	regs[1].line = 7;
	strcpy(regs[1].name, "Malware Agent");
	struct exs_verdict v;
	memset(&v, 0, sizeof(v));
	v.id = 7;
	v.part[EXS_VERDICT_CONFIG] = (struct exs_verdict_part){
		.present = 1, .regs = regs, .reg_count = 2 };
	struct exs_buf b;
	exs_buf_init(&b, 1 << 20);
	ASSERT_EQ(exs_wire_encode_verdict(&b, &v), EXS_OK);
	struct exs_verdict out;
	ASSERT_EQ(decode(b.data + EXS_WIRE_HEADER, b.len - EXS_WIRE_HEADER,
			 EXS_WANT(EXS_VERDICT_CONFIG), &out), EXS_OK);
	ASSERT_EQ(out.part[EXS_VERDICT_CONFIG].reg_count, 2);
	ASSERT_STR_EQ(out.part[EXS_VERDICT_CONFIG].regs[0].image, regs[0].image);
	ASSERT_EQ(out.part[EXS_VERDICT_CONFIG].regs[0].line, 40);
	ASSERT_EQ(out.part[EXS_VERDICT_CONFIG].regs[1].flags, EXS_REG_TRUNCATED);
	exs_verdict_free(&out);
	/* Not asked for: refused. */
	ASSERT_EQ(decode(b.data + EXS_WIRE_HEADER, b.len - EXS_WIRE_HEADER,
			 EXS_WANT(EXS_VERDICT_YARA), &out), EXS_WORKER);

	begin_section(&b, 7, 1, EXS_VERDICT_CONFIG, 0);
	exs_wire_u32(&b, 0);                        /* hits */
	exs_wire_u32(&b, EXS_REG_MAX + 1);          /* too many */
	ASSERT_EQ(decode_config(&b, &out), EXS_WORKER);
	begin_section(&b, 7, 1, EXS_VERDICT_CONFIG, 0);
	exs_wire_u32(&b, 0);
	exs_wire_u32(&b, 1000);                     /* more than the message */
	put_reg(&b, EXS_REG_MODULE, 0, "m", "");
	ASSERT_EQ(decode_config(&b, &out), EXS_WORKER);
	begin_section(&b, 7, 1, EXS_VERDICT_CONFIG, 0);
	exs_wire_u32(&b, 0);
	exs_wire_u32(&b, 1);
	put_reg(&b, EXS_REG_KIND_MAX + 1, 0, "m", "");  /* unknown kind */
	ASSERT_EQ(decode_config(&b, &out), EXS_WORKER);
	begin_section(&b, 7, 1, EXS_VERDICT_CONFIG, 0);
	exs_wire_u32(&b, 0);
	exs_wire_u32(&b, 1);
	put_reg(&b, EXS_REG_MODULE, 2, "m", "");     /* unknown flag */
	ASSERT_EQ(decode_config(&b, &out), EXS_WORKER);
	char longname[EXS_REG_SHORT + 1];
	memset(longname, 'a', EXS_REG_SHORT);
	longname[EXS_REG_SHORT] = '\0';
	begin_section(&b, 7, 1, EXS_VERDICT_CONFIG, 0);
	exs_wire_u32(&b, 0);
	exs_wire_u32(&b, 1);
	put_reg(&b, EXS_REG_MODULE, 0, longname, ""); /* longer than its field */
	ASSERT_EQ(decode_config(&b, &out), EXS_WORKER);
	begin_section(&b, 7, 1, EXS_VERDICT_CONFIG, 0);
	exs_wire_u32(&b, 1);                         /* a hit in a config part */
	put_hit(&b, "x", 0, 0, 0, "", 0);
	exs_wire_u32(&b, 0);
	ASSERT_EQ(decode_config(&b, &out), EXS_WORKER);
	begin_section(&b, 7, 1, EXS_VERDICT_CONFIG, 0);
	exs_wire_u32(&b, 0);
	exs_wire_u32(&b, 1);
	put_reg(&b, EXS_REG_GLOBAL_MODULE, 0, "a\x1b[2Jb", "c\x1f" "d");
	ASSERT_EQ(decode_config(&b, &out), EXS_OK);
	ASSERT_STR_EQ(out.part[EXS_VERDICT_CONFIG].regs[0].name, "a?[2Jb");
	ASSERT_STR_EQ(out.part[EXS_VERDICT_CONFIG].regs[0].image, "c?d");
	exs_verdict_free(&out);
	exs_buf_free(&b);
}

static void test_status_messages(void)
{
	struct exs_buf b;
	exs_buf_init(&b, 1 << 16);
	exs_wire_put_status(&b, EXS_WIRE_READY, EXS_SANDBOX, "no seccomp");
	ASSERT_EQ(exs_wire_end(&b), EXS_OK);
	int status;
	char detail[64];
	ASSERT_EQ(exs_wire_get_status(b.data + EXS_WIRE_HEADER,
				      b.len - EXS_WIRE_HEADER, &status, detail,
				      sizeof(detail)), EXS_OK);
	ASSERT_EQ(status, EXS_SANDBOX);
	ASSERT_STR_EQ(detail, "no seccomp");
	ASSERT_EQ(exs_wire_get_status(b.data + EXS_WIRE_HEADER, 5, &status,
				      detail, sizeof(detail)), EXS_WORKER);
	ASSERT_EQ(exs_wire_get_status(b.data + EXS_WIRE_HEADER,
				      b.len - EXS_WIRE_HEADER, &status, detail,
				      4), EXS_WORKER); /* detail too long */
	exs_buf_free(&b);
}

/* Random corruption never crashes the decoder, and whatever it accepts
 * stays inside the file. */
static void test_random_corruption(void)
{
	struct exs_buf b;
	valid_reply(&b);
	size_t len = b.len - EXS_WIRE_HEADER;
	unsigned char *copy = malloc(len);
	uint32_t seed = 12345;
	unsigned accepted = 0;
	for (int round = 0; round < 20000; round++) {
		memcpy(copy, b.data + EXS_WIRE_HEADER, len);
		int flips = 1 + round % 4;
		for (int f = 0; f < flips; f++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % len;
			seed = seed * 1103515245u + 12345u;
			copy[at] = (unsigned char)(seed >> 16);
		}
		struct exs_verdict v;
		if (decode(copy, len, BOTH, &v) != EXS_OK)
			continue;
		accepted++;
		for (size_t k = 1; k <= EXS_VERDICT_KIND_MAX; k++)
			for (size_t h = 0; h < v.part[k].count; h++)
				for (unsigned s = 0; s < v.part[k].hits[h].string_count; s++) {
					const struct exs_hit_string *hs =
						&v.part[k].hits[h].strings[s];
					if (hs->offset + hs->excerpt_len > DATA_LEN ||
					    memcmp(hs->excerpt, data + hs->offset,
						   hs->excerpt_len) != 0) {
						exs_verdict_free(&v);
						free(copy);
						exs_buf_free(&b);
						TEST_FAIL_("an excerpt outside the file was accepted");
					}
				}
		exs_verdict_free(&v);
	}
	free(copy);
	exs_buf_free(&b);
	/* Flips inside descriptions are harmless and accepted. */
	ASSERT_TRUE(accepted > 0);
}

/* A SIGNATURE section (inspect/authenticode.h): its fields round-trip, and
 * each field a compromised worker could bend is refused. */
#define SIG_WANT EXS_WANT(EXS_VERDICT_SIGNATURE)
static void sig_section(struct exs_buf *b, uint32_t status, const char *signer,
			const char *digest, uint32_t ts, uint64_t at,
			uint32_t dotnet, const char *detail)
{
	exs_buf_reset(b);
	exs_wire_u64(b, 7);
	exs_wire_u32(b, 1);
	exs_wire_u32(b, EXS_VERDICT_SIGNATURE);
	exs_wire_u32(b, EXS_OK);
	exs_wire_str(b, "");
	exs_wire_u32(b, status);
	exs_wire_str(b, signer);
	exs_wire_str(b, digest);
	exs_wire_u32(b, ts);
	exs_wire_u64(b, at);
	exs_wire_u32(b, dotnet);
	exs_wire_str(b, detail);
}

static void test_signature_section(void)
{
	struct exs_verdict v;
	memset(&v, 0, sizeof(v));
	v.id = 7;
	v.part[EXS_VERDICT_SIGNATURE].present = 1;
	struct exs_signature *sig = &v.part[EXS_VERDICT_SIGNATURE].sig;
	sig->status = EXS_SIG_EXPIRED;
	snprintf(sig->signer, sizeof(sig->signer), "Contoso \x1b[2J Ltd");
	snprintf(sig->digest, sizeof(sig->digest), "sha256");
	sig->timestamped = 1;
	sig->signed_at = 1700000000;
	sig->dotnet = 1;
	snprintf(sig->detail, sizeof(sig->detail), "expired");
	struct exs_buf b;
	exs_buf_init(&b, EXS_WIRE_REPLY_MAX);
	ASSERT_EQ(exs_wire_encode_verdict(&b, &v), EXS_OK);
	struct exs_verdict out;
	ASSERT_EQ(decode(b.data + EXS_WIRE_HEADER, b.len - EXS_WIRE_HEADER,
			 SIG_WANT, &out), EXS_OK);
	const struct exs_signature *got = &out.part[EXS_VERDICT_SIGNATURE].sig;
	ASSERT_EQ(got->status, EXS_SIG_EXPIRED);
	ASSERT_STR_EQ(got->signer, "Contoso ?[2J Ltd"); /* neutralised */
	ASSERT_STR_EQ(got->digest, "sha256");
	ASSERT_EQ(got->timestamped, 1);
	ASSERT_EQ(got->signed_at, 1700000000);
	ASSERT_EQ(got->dotnet, 1);
	exs_verdict_free(&out);
	/* Not asked for. */
	ASSERT_EQ(decode(b.data + EXS_WIRE_HEADER, b.len - EXS_WIRE_HEADER,
			 EXS_WANT(EXS_VERDICT_YARA), &out), EXS_WORKER);
	/* Asked for, missing. */
	ASSERT_EQ(decode(b.data + EXS_WIRE_HEADER, 12, SIG_WANT, &out),
		  EXS_WORKER);

	sig_section(&b, EXS_SIG_SIGNED, "Microsoft Corporation", "sha1", 0, 0,
		    0, "");
	ASSERT_EQ(decode(b.data, b.len, SIG_WANT, &out), EXS_OK);
	ASSERT_STR_EQ(out.part[EXS_VERDICT_SIGNATURE].sig.signer,
		      "Microsoft Corporation");
	exs_verdict_free(&out);
	sig_section(&b, EXS_SIG_STATUS_MAX + 1, "", "", 0, 0, 0, "");
	ASSERT_EQ(decode(b.data, b.len, SIG_WANT, &out), EXS_WORKER);
	sig_section(&b, EXS_SIG_SIGNED, "", "md5", 0, 0, 0, "");
	ASSERT_EQ(decode(b.data, b.len, SIG_WANT, &out), EXS_WORKER);
	sig_section(&b, EXS_SIG_SIGNED, "", "", 2, 0, 0, "");
	ASSERT_EQ(decode(b.data, b.len, SIG_WANT, &out), EXS_WORKER);
	sig_section(&b, EXS_SIG_SIGNED, "", "", 0, 5, 0, ""); /* time, no ts */
	ASSERT_EQ(decode(b.data, b.len, SIG_WANT, &out), EXS_WORKER);
	sig_section(&b, EXS_SIG_SIGNED, "", "", 1, EXS_SIG_TIME_MAX + 1ull, 0,
		    "");
	ASSERT_EQ(decode(b.data, b.len, SIG_WANT, &out), EXS_WORKER);
	sig_section(&b, EXS_SIG_SIGNED, "", "", 0, 0, 7, "");
	ASSERT_EQ(decode(b.data, b.len, SIG_WANT, &out), EXS_WORKER);
	char longer[EXS_SIG_SIGNER_MAX + 1];
	memset(longer, 'A', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	sig_section(&b, EXS_SIG_SIGNED, longer, "", 0, 0, 0, "");
	ASSERT_EQ(decode(b.data, b.len, SIG_WANT, &out), EXS_WORKER);
	sig_section(&b, EXS_SIG_SIGNED, "", "", 0, 0, 0, "");
	ASSERT_EQ(decode(b.data, b.len - 1, SIG_WANT, &out), EXS_WORKER);
	exs_buf_append(&b, "x", 1);                   /* trailing */
	ASSERT_EQ(decode(b.data, b.len, SIG_WANT, &out), EXS_WORKER);
	exs_buf_free(&b);
	ASSERT_STR_EQ(exs_sig_status_name(EXS_SIG_BAD_DIGEST), "bad_digest");
	ASSERT_STR_EQ(exs_sig_status_name(99), "none");
}

int main(void)
{
	RUN(test_round_trip);
	RUN(test_signature_section);
	RUN(test_truncated_and_trailing);
	RUN(test_oversized_frame);
	RUN(test_bad_counts);
	RUN(test_bad_strings);
	RUN(test_control_characters);
	RUN(test_offsets_and_excerpts);
	RUN(test_sections);
	RUN(test_config_sections);
	RUN(test_status_messages);
	RUN(test_random_corruption);
	return TEST_EXIT();
}
