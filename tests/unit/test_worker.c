/* test_worker.c -- the platform's sandboxed worker process, below the
 * judges: start, the channel both ways with large messages, a worker that
 * cannot open a file, one that hangs (the deadline) and one that crashes
 * (how it ended), and a clean stop. Runs natively and, for win32, under
 * wine.
 *
 * This binary is its own worker: started with --sandbox-worker ARG (by
 * worker_start, as exsweep starts itself), it enters the sandbox and obeys
 * one-letter commands: E echo, O open a path, H hang, C crash, S send back
 * the first N bytes of the shared buffer, W write into it.
 *
 * Wine runs the Win32 code but enforces no token and no integrity level:
 * there the worker's own check of its token fails, and the test says so and
 * checks the rest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "test.h"
#include "test_fs.h"

static const struct exs_platform *plat;

/* ---- The worker ------------------------------------------------------------- */

static void put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int worker_main(const char *arg)
{
	struct exs_error err;
	exs_error_clear(&err);
	int rc = plat->sandbox_enter(arg, &err);
	unsigned char hdr[5];
	put_u32(hdr, (uint32_t)rc);
	char detail[EXS_ERROR_DETAIL_MAX];
	snprintf(detail, sizeof(detail), "%s", err.detail);
	size_t dl = strlen(detail);
	hdr[4] = (unsigned char)(dl > 255 ? 255 : dl);
	if (plat->channel_write(hdr, 5) || plat->channel_write(detail, hdr[4]))
		return 1;
	/* A worker whose sandbox failed goes on only to let the test check
	 * the channel (under wine); exsweep's worker stops here. */
	for (;;) {
		unsigned char cmd[5];
		if (plat->channel_read(cmd, 5))
			return 0;
		uint32_t len = get_u32(cmd + 1);
		char *buf = malloc(len + 1);
		if (!buf || (len && plat->channel_read(buf, len)))
			return 1;
		buf[len] = '\0';
		unsigned char out[4];
		switch (cmd[0]) {
		case 'E':
			put_u32(out, len);
			if (plat->channel_write(out, 4) || plat->channel_write(buf, len))
				return 1;
			break;
		case 'O': {
			struct exs_file *f;
			struct exs_error e2;
			int st = plat->file_open_read(buf, &f, &e2);
			if (!st)
				plat->file_close(f);
			put_u32(out, (uint32_t)st);
			if (plat->channel_write(out, 4))
				return 1;
			break;
		}
		case 'S':
		case 'W': {
			const void *sh;
			size_t sh_size;
			uint32_t n = len >= 4 ? get_u32((unsigned char *)buf) : 0;
			if (!plat->channel_shared ||
			    plat->channel_shared(&sh, &sh_size) || n > sh_size)
				return 1;
			if (cmd[0] == 'W')
				*(volatile unsigned char *)(uintptr_t)sh = 1;
			put_u32(out, n);
			if (plat->channel_write(out, 4) || plat->channel_write(sh, n))
				return 1;
			break;
		}
		case 'H':
			for (volatile unsigned long spin = 0;; spin++)
				;
		case 'C': {
			volatile int *volatile nowhere = NULL;
			*nowhere = 1;
			break;
		}
		}
		free(buf);
	}
}

/* ---- The parent ---------------------------------------------------------------- */

static int64_t in_ms(unsigned ms)
{
	return plat->clock_monotonic_ns() + (int64_t)ms * 1000000;
}

static int under_wine;      /* the worker's token check failed as wine does */

static int start_shared(struct exs_worker **w, struct exs_shared *shared)
{
	struct exs_error err;
	exs_error_clear(&err);
	int rc = plat->worker_start(NULL, 512u << 20, shared, w, &err);
	if (rc) {
		fprintf(stderr, "worker_start: %s\n", err.detail);
		return rc;
	}
	unsigned char hdr[5];
	char detail[256];
	rc = plat->worker_recv(*w, hdr, 5, in_ms(20000), &err);
	if (!rc && hdr[4])
		rc = plat->worker_recv(*w, detail, hdr[4], in_ms(20000), &err);
	if (rc)
		return rc;
	detail[hdr[4]] = '\0';
	uint32_t status = get_u32(hdr);
	if (status && strstr(detail, "integrity level") &&
	    plat->path_separator == '\\') {
		/* Wine: no integrity levels. */
		if (!under_wine)
			printf("note: the worker's token check failed (%s): wine "
			       "enforces no tokens; checking the rest\n", detail);
		under_wine = 1;
		return EXS_OK;
	}
	if (status)
		fprintf(stderr, "sandbox_enter: %s\n", detail);
	return (int)status;
}

static int start(struct exs_worker **w)
{
	return start_shared(w, NULL);
}

static int command(struct exs_worker *w, char c, const void *p, uint32_t len)
{
	unsigned char cmd[5] = { (unsigned char)c };
	put_u32(cmd + 1, len);
	struct exs_error err;
	int rc = plat->worker_send(w, cmd, 5, in_ms(10000), &err);
	if (!rc && len)
		rc = plat->worker_send(w, p, len, in_ms(10000), &err);
	return rc;
}

static void test_echo_large(void)
{
	struct exs_worker *w;
	ASSERT_EQ(start(&w), EXS_OK);
	uint32_t n = 3u << 20;
	unsigned char *out = malloc(n), *back = malloc(n + 4);
	for (uint32_t i = 0; i < n; i++)
		out[i] = (unsigned char)(i * 7 + (i >> 13));
	struct exs_error err;
	ASSERT_EQ(command(w, 'E', out, n), EXS_OK);
	ASSERT_EQ(plat->worker_recv(w, back, 4, in_ms(10000), &err), EXS_OK);
	ASSERT_EQ(get_u32(back), n);
	ASSERT_EQ(plat->worker_recv(w, back, n, in_ms(10000), &err), EXS_OK);
	ASSERT_TRUE(memcmp(out, back, n) == 0);
	free(out);
	free(back);
	char why[128];
	plat->worker_stop(w, why, sizeof(why));
	ASSERT_STR_EQ(why, "exited with status 0");
}

static void test_cannot_open(void)
{
	if (under_wine) {
		printf("note: wine enforces no tokens: open not checked\n");
		return;
	}
	char dir[TMP_PATH_MAX], path[TMP_PATH_MAX];
	ASSERT_EQ(tmp_make_dir(plat, "worker", dir, sizeof(dir)), EXS_OK);
	tmp_join(plat, dir, "public.txt", path, sizeof(path));
	ASSERT_EQ(tmp_write(plat, path, "anyone may read\n", 16), EXS_OK);
	ASSERT_TRUE(tmp_exists(plat, path));
	struct exs_worker *w;
	ASSERT_EQ(start(&w), EXS_OK);
	ASSERT_EQ(command(w, 'O', path, (uint32_t)strlen(path)), EXS_OK);
	unsigned char st[4];
	struct exs_error err;
	ASSERT_EQ(plat->worker_recv(w, st, 4, in_ms(10000), &err), EXS_OK);
	ASSERT_EQ(get_u32(st), EXS_ACCESS);
	plat->worker_stop(w, NULL, 0);
	tmp_remove_tree(plat, dir);
}

static void test_hang_times_out(void)
{
	struct exs_worker *w;
	ASSERT_EQ(start(&w), EXS_OK);
	ASSERT_EQ(command(w, 'H', NULL, 0), EXS_OK);
	unsigned char st[4];
	struct exs_error err;
	int64_t t0 = plat->clock_monotonic_ns();
	ASSERT_EQ(plat->worker_recv(w, st, 4, in_ms(300), &err), EXS_TIMEOUT);
	int64_t took = plat->clock_monotonic_ns() - t0;
	ASSERT_TRUE(took >= 250000000 && took < 5000000000LL);
	char why[128];
	plat->worker_stop(w, why, sizeof(why));
	ASSERT_STR_EQ(why, "did not stop and was killed");
}

static void test_crash_is_described(void)
{
	struct exs_worker *w;
	ASSERT_EQ(start(&w), EXS_OK);
	ASSERT_EQ(command(w, 'C', NULL, 0), EXS_OK);
	unsigned char st[4];
	struct exs_error err;
	ASSERT_EQ(plat->worker_recv(w, st, 4, in_ms(20000), &err), EXS_WORKER);
	char why[128];
	plat->worker_stop(w, why, sizeof(why));
	printf("note: a crashed worker %s\n", why);
	ASSERT_TRUE(strstr(why, "SIGSEGV") || strstr(why, "access violation") ||
		    strstr(why, "SIGABRT") || strstr(why, "exited with status"));
	ASSERT_TRUE(strcmp(why, "exited with status 0") != 0);
}

/* The parent's bytes reach the worker through the shared buffer, which
 * the worker can read and not write. */
static void test_shared_buffer(void)
{
	if (!plat->shared_create) {
		printf("note: no shared buffer on %s\n", plat->name);
		return;
	}
	struct exs_shared *sh;
	void *addr;
	struct exs_error err;
	size_t size = 1u << 20;
	ASSERT_EQ(plat->shared_create(size, &sh, &addr, &err), EXS_OK);
	unsigned char *p = addr;
	for (size_t i = 0; i < size; i++)
		p[i] = (unsigned char)(i * 13 + 5);
	struct exs_worker *w;
	ASSERT_EQ(start_shared(&w, sh), EXS_OK);
	unsigned char n[4], *back = malloc(size);
	put_u32(n, (uint32_t)size);
	ASSERT_EQ(command(w, 'S', n, 4), EXS_OK);
	ASSERT_EQ(plat->worker_recv(w, n, 4, in_ms(10000), &err), EXS_OK);
	ASSERT_EQ(get_u32(n), size);
	ASSERT_EQ(plat->worker_recv(w, back, size, in_ms(10000), &err), EXS_OK);
	ASSERT_TRUE(memcmp(back, p, size) == 0);
	free(back);
	/* A second file in the same buffer is seen as it is now. */
	p[0] = 0xAB;
	put_u32(n, 1);
	ASSERT_EQ(command(w, 'S', n, 4), EXS_OK);
	ASSERT_EQ(plat->worker_recv(w, n, 4, in_ms(10000), &err), EXS_OK);
	unsigned char first = 0;
	ASSERT_EQ(plat->worker_recv(w, &first, 1, in_ms(10000), &err), EXS_OK);
	ASSERT_EQ(first, 0xAB);
	/* Writing into it kills the worker; the parent's bytes stay. */
	put_u32(n, 1);
	ASSERT_EQ(command(w, 'W', n, 4), EXS_OK);
	ASSERT_EQ(plat->worker_recv(w, n, 4, in_ms(20000), &err), EXS_WORKER);
	char why[128];
	plat->worker_stop(w, why, sizeof(why));
	printf("note: a worker writing to the shared buffer %s\n", why);
	ASSERT_EQ(p[0], 0xAB);
	plat->shared_free(sh);
}

int main(int argc, char **argv)
{
	plat = exs_platform_native();
	if (argc == 3 && strcmp(argv[1], "--sandbox-worker") == 0)
		return worker_main(argv[2]);
	if (!plat->worker_start) {
		printf("no sandboxed workers on %s\n", plat->name);
		return 77;
	}
	RUN(test_echo_large);
	RUN(test_cannot_open);
	RUN(test_hang_times_out);
	RUN(test_crash_is_described);
	RUN(test_shared_buffer);
	return TEST_EXIT();
}
