/* fuzz_iisconf.c -- the configuration readers (inspect/xml.c, iis_config.c,
 * agents_config.c) on any bytes, and what the parent does with their output:
 * the CONFIG verdict section through judge_wire.c, the judgement without a
 * baseline (regcheck.c) and the registration finding's packed fields
 * (regfinding.c).
 *
 * Input: a whole configuration file (applicationHost.config, web.config,
 * agents.config). Checked beside ASan/UBSan and leaks:
 *   - the reader answers EXS_OK, EXS_INVAL or EXS_LIMIT (EXS_NOMEM only
 *     when memory ran out), never anything else; a refusal names a line
 *     inside the input (lines end as XML ends them: LF, CR LF or a CR
 *     alone) and says why;
 *   - accepted: at most EXS_REG_MAX registrations, each of a known kind,
 *     with known flags, a line inside the input, and every field
 *     NUL-terminated inside itself; a field flagged truncated is full;
 *   - the registrations survive the worker's wire: encoded as the worker
 *     does and decoded as the parent does, the same count and the same
 *     strings, control characters turned into '?';
 *   - each is judged (logical places, no disk) with a NUL-terminated reason
 *     text exactly when it has reasons, and its finding fields pack and
 *     unpack to the same values (0x1F turned into '?').
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "judge_wire.h"
#include "regcheck.h"
#include "regfinding.h"
#include "registration.h"
#include "status.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int terminated(const char *field, size_t cap)
{
	return memchr(field, '\0', cap) != NULL;
}

/* s as the parent keeps it: control characters as '?'. */
static void defuse(const char *s, char *out, size_t cap)
{
	size_t i = 0;
	for (; s[i] && i + 1 < cap; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
}

static void same_field(const char *sent, const char *got, const char *what)
{
	char want[EXS_REG_LONG];
	defuse(sent, want, sizeof(want));
	FUZZ_CHECK(strcmp(want, got) == 0, "%s changed on the wire: '%s' -> '%s'",
		   what, want, got);
}

static void packed(const char *sent, const char *got, const char *what)
{
	char want[EXS_REG_LONG];
	size_t i = 0;
	for (; sent[i] && i + 1 < sizeof(want); i++)
		want[i] = sent[i] == '\x1f' ? '?' : sent[i];
	want[i] = '\0';
	FUZZ_CHECK(strcmp(want, got) == 0, "%s did not unpack: '%s' -> '%s'",
		   what, want, got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exs_registration *regs = NULL;
	size_t count = 0;
	uint64_t line = 0;
	char why[160];
	/* Lines as XML ends them: LF, CR LF, or a CR alone. */
	uint64_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' ||
			 (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'));
	int rc = exs_config_registrations(data, size, &regs, &count, &line, why,
					  sizeof(why));
	FUZZ_CHECK(rc == EXS_OK || rc == EXS_INVAL || rc == EXS_LIMIT ||
		   rc == EXS_NOMEM, "unexpected status %d", rc);
	if (rc) {
		FUZZ_CHECK(!regs && !count, "a refusal that returned entries");
		FUZZ_CHECK(why[0], "a refusal without a reason");
		FUZZ_CHECK(line <= lines, "refusal at line %llu of %llu",
			   (unsigned long long)line, (unsigned long long)lines);
		return 0;
	}
	FUZZ_CHECK(count <= EXS_REG_MAX, "%zu registrations", count);
	for (size_t i = 0; i < count; i++) {
		const struct exs_registration *r = &regs[i];
		FUZZ_CHECK(r->kind >= 1 && r->kind <= EXS_REG_KIND_MAX,
			   "kind %u", r->kind);
		FUZZ_CHECK(!(r->flags & ~EXS_REG_TRUNCATED), "flags %u", r->flags);
		FUZZ_CHECK(r->line >= 1 && r->line <= lines, "line %llu of %llu",
			   (unsigned long long)r->line, (unsigned long long)lines);
		FUZZ_CHECK(terminated(r->scope, sizeof(r->scope)) &&
			   terminated(r->name, sizeof(r->name)) &&
			   terminated(r->path, sizeof(r->path)) &&
			   terminated(r->image, sizeof(r->image)) &&
			   terminated(r->type, sizeof(r->type)) &&
			   terminated(r->extra, sizeof(r->extra)),
			   "a field without its NUL");
	}

	/* The worker's wire, both ways. */
	struct exs_verdict v;
	memset(&v, 0, sizeof(v));
	v.id = 1;
	v.part[EXS_VERDICT_CONFIG].present = 1;
	v.part[EXS_VERDICT_CONFIG].regs = regs;
	v.part[EXS_VERDICT_CONFIG].reg_count = count;
	struct exs_buf b;
	exs_buf_init(&b, EXS_WIRE_REPLY_MAX + EXS_WIRE_HEADER);
	FUZZ_CHECK(exs_wire_encode_verdict(&b, &v) == EXS_OK, "encoding failed");
	struct exs_verdict out;
	struct exs_error err;
	exs_error_clear(&err);
	int drc = exs_wire_decode_verdict(b.data + EXS_WIRE_HEADER,
					  b.len - EXS_WIRE_HEADER, 1,
					  EXS_WANT(EXS_VERDICT_CONFIG), NULL, 0,
					  &out, &err);
	FUZZ_CHECK(drc == EXS_OK, "the parent refused the worker's registrations: %s",
		   err.detail);
	const struct exs_verdict_part *p = &out.part[EXS_VERDICT_CONFIG];
	FUZZ_CHECK(p->reg_count == count, "%zu registrations sent, %zu decoded",
		   count, p->reg_count);
	struct exs_reg_places pl;
	memset(&pl, 0, sizeof(pl));
	strcpy(pl.windir, "C:\\Windows");
	strcpy(pl.exchange, "C:\\Program Files\\Microsoft\\Exchange Server\\V15");
	strcpy(pl.inetpub, "C:\\inetpub");
	const char *cfg = "C:\\inetpub\\wwwroot\\owa\\web.config";
	for (size_t i = 0; i < count; i++) {
		const struct exs_registration *s = &regs[i], *g = &p->regs[i];
		FUZZ_CHECK(s->kind == g->kind && s->flags == g->flags &&
			   s->line == g->line, "numbers changed on the wire");
		same_field(s->scope, g->scope, "scope");
		same_field(s->name, g->name, "name");
		same_field(s->path, g->path, "path");
		same_field(s->image, g->image, "image");
		same_field(s->type, g->type, "type");
		same_field(s->extra, g->extra, "extra");

		struct exs_reg_verdict rv;
		exs_reg_assess(&pl, cfg, strlen(cfg), g, &rv);
		FUZZ_CHECK(terminated(rv.why, sizeof(rv.why)) &&
			   terminated(rv.logical, sizeof(rv.logical)),
			   "a verdict string without its NUL");
		FUZZ_CHECK(!rv.reasons == !rv.why[0],
			   "reasons %#x but why '%s'", rv.reasons, rv.why);
		char *msg = exs_reg_finding_pack("added", g, NULL, &rv);
		FUZZ_CHECK(msg != NULL, "pack failed");
		struct exs_reg_fields f;
		FUZZ_CHECK(exs_reg_finding_unpack(msg, &f) == EXS_OK, "unpack failed");
		packed(g->name, f.f[EXS_REGF_NAME], "name");
		packed(g->image, f.f[EXS_REGF_IMAGE], "image");
		packed(g->extra, f.f[EXS_REGF_EXTRA], "extra");
		packed(rv.why, f.f[EXS_REGF_WHY], "why");
		FUZZ_CHECK(strcmp(f.f[EXS_REGF_KIND], exs_reg_kind_name(g->kind)) == 0,
			   "kind name");
		exs_reg_fields_free(&f);
		free(msg);
	}
	exs_verdict_free(&out);
	exs_buf_free(&b);
	free(regs);
	return 0;
}
