/* fuzz_w3c.c -- a fuzz target for the log pass's parsers: the line
 * assembler (long-line cut, carry across reads), the #Fields:-driven W3C
 * and CSV parser and every exploitation shape (logs/logscan.c
 * exs_logscan_buffer, w3c.c, traces.c), and the applicationHost.config
 * reader (iis_sites.c) on the same bytes.
 *
 * Built two ways:
 *   harness:    one of tests/fuzz/meson.build's fuzz_harnesses, compiled
 *               with EXS_FUZZ_NO_DRIVER: main is libFuzzer's (tools/fuzz w3c,
 *               build-fuzz/) or replay.c's (the test 'fuzz-w3c-replay' over
 *               make-seeds' w3c seeds and regressions/w3c/).
 *   driver:     tests/meson.build builds tests/fuzz_w3c with the main below,
 *               which runs each file given (a crash reproducer, a corpus),
 *               or, with --random N [SEED], N inputs mutated from built-in
 *               seeds (the unit test 'fuzz-w3c' runs 3000 of them; it needs
 *               no clang and runs under wine too).
 * Either way the target checks its own invariants: every slice lies inside
 * the input, and line numbers never go backwards.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "iis_sites.h"
#include "logscan.h"

struct bounds {
	const char *lo, *hi;    /* the input */
	uint64_t last_line;
	const char *carry_lo, *carry_hi; /* lines may come from the carry buffer */
};

static int check_req(void *ctx, unsigned worker, const char *file,
		     struct exs_logreq *r, struct exs_trace_scratch *s,
		     const struct exs_technique *const *hits, size_t hit_count)
{
	struct bounds *b = ctx;
	(void)worker;
	(void)file;
	(void)s;
	for (int i = 0; i < EXS_LR_COUNT; i++) {
		const struct exs_slice *f = &r->f[i];
		if (!f->n)
			continue;
		/* Inside the input or inside the reader's line buffer: a line
		 * cut across reads is assembled there (at most the cap). */
		int in_input = f->p >= b->lo && f->p + f->n <= b->hi;
		if (!in_input && f->n > EXS_LOG_LINE_MAX)
			abort();
	}
	if (r->line < b->last_line)
		abort();
	b->last_line = r->line;
	exs_logreq_time(r);
	for (size_t i = 0; i < hit_count; i++)
		if (!hits[i]->id || !hits[i]->family)
			abort();
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bounds b = { (const char *)data, (const char *)data + size, 0, 0, 0 };
	struct exs_logscan_stats st;
	exs_logscan_buffer((const char *)data, size, 1, check_req, &b, &st);
	struct exs_iis_config c;
	if (exs_iis_parse((const char *)data, size, &c) == 0)
		exs_iis_free(&c);
	return 0;
}

#ifndef EXS_FUZZ_NO_DRIVER
static const char *const seeds[] = {
	"#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-ip cs-method "
	"cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status "
	"sc-substatus sc-win32-status time-taken\r\n2026-11-01 10:00:00 10.0.0.5 POST "
	"/autodiscover/autodiscover.json @x.com/powershell/?X-Rps-CAT=Vg&Email=autodiscover/"
	"autodiscover.json%3F@x.com 443 - 1.2.3.4 python - 200 0 0 1\r\n",
	"#Fields: DateTime,UrlStem,AnchorMailbox,AuthenticatedUser,ClientIpAddress,BackEndCookie\n"
	"2026-11-01T00:00:00Z,/ecp/y.js,ServerInfo~a]@b:444/x?#,,1.2.3.4,\"X-BEResource=a/b~1\"\n",
	"#Fields: TimeStamp,ServerName,EventID,EventData\n2026-11-01T00:00:00Z,EX,1,\"S:CMD=Set-"
	"OabVirtualDirectory.ExternalUrl=''http://f/<script runat=\"\"server\"\">''\"\n",
	"#Fields: cs-uri-stem cs(Cookie) c-ip\n/owa/auth/x.js X-AnonResource-Backend=l/ecp/d?~3 1.1.1.1\n"
	"\"/owa/m%40x/powershell \"q 2.2.2.2\n",
	"<configuration><system.applicationHost><sites><site name=\"a\" id=\"1\"><application "
	"path=\"/owa\"><virtualDirectory path=\"/\" physicalPath=\"C:\\x\"/></application><logFile "
	"directory=\"%SystemDrive%\\l\"/></site></sites></system.applicationHost></configuration>",
};

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

/* One input: a seed (or two spliced), bytes flipped, inserted, removed,
 * duplicated, and now and then a very long run. */
static size_t mutate(unsigned char *buf, size_t cap)
{
	const char *a = seeds[rnd() % (sizeof(seeds) / sizeof(*seeds))];
	const char *b2 = seeds[rnd() % (sizeof(seeds) / sizeof(*seeds))];
	size_t n = strlen(a);
	memcpy(buf, a, n);
	if (rnd() % 3 == 0) {
		size_t k = strlen(b2);
		size_t at = rnd() % (n + 1);
		if (n + k < cap) {
			memmove(buf + at + k, buf + at, n - at);
			memcpy(buf + at, b2, k);
			n += k;
		}
	}
	unsigned edits = 1 + rnd() % 16;
	for (unsigned e = 0; e < edits; e++) {
		size_t at = n ? rnd() % n : 0;
		switch (rnd() % 6) {
		case 0:
			if (n)
				buf[at] = (unsigned char)rnd();
			break;
		case 1:
			if (n < cap) {
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = "\n\r\",# %~@/\0\xff"[rnd() % 13];
				n++;
			}
			break;
		case 2:
			if (n) {
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
			}
			break;
		case 3: {
			size_t len = rnd() % 64;
			if (at + len <= n && n + len < cap) {
				memmove(buf + at + len, buf + at, n - at);
				n += len;
			}
			break;
		}
		case 4: {
			size_t len = rnd() % (EXS_LOG_LINE_MAX + 5000);
			if (rnd() % 8 == 0 && n + len < cap) {
				memmove(buf + at + len, buf + at, n - at);
				memset(buf + at, 'A' + (int)(rnd() % 3), len);
				n += len;
			}
			break;
		}
		default:
			if (n)
				n = at;
			break;
		}
	}
	return n;
}

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	size_t cap = 1 << 20, n = 0;
	unsigned char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			unsigned char *g = realloc(buf, cap * 2);
			if (!g)
				break;
			buf = g;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf)
		return 1;
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "--random") == 0) {
		long count = strtol(argv[2], NULL, 10);
		rng_state = argc >= 4 ? strtoull(argv[3], NULL, 10) : 15;
		size_t cap = 4 * EXS_LOG_LINE_MAX;
		unsigned char *buf = malloc(cap);
		if (!buf)
			return 1;
		for (long i = 0; i < count; i++) {
			size_t n = mutate(buf, cap);
			LLVMFuzzerTestOneInput(buf, n);
		}
		free(buf);
		printf("%ld inputs, no failure\n", count);
		return 0;
	}
	int rc = 0;
	for (int i = 1; i < argc; i++)
		rc |= replay_file(argv[i]);
	if (argc < 2)
		fprintf(stderr, "usage: fuzz_w3c FILE... | --random N [SEED]\n");
	return argc < 2 ? 2 : rc;
}
#endif
