/* probe_main.c -- exsweep-probe: the exsweep command with a test hook inside
 * its judges, to prove what a sandboxed worker can and cannot do.
 *
 * A file whose bytes start with "EXSWEEP-PROBE ACTION [ARG]" makes the
 * judge (inside the worker when sandboxed, since the worker is this same
 * binary) do ACTION and report the outcome as a hit "probe.ACTION" whose
 * description says what happened:
 *   open PATH     open(PATH, O_RDONLY)
 *   create PATH   open(PATH, O_WRONLY | O_CREAT)
 *   socket        socket(AF_INET, SOCK_STREAM) and socket(AF_UNIX, ...)
 *   exec          execve("/bin/true")
 *   mmap-exec     map a page executable (shellcode's first step)
 *   alloc MIB     allocate and touch MIB mebibytes
 *   crash         a write through a null pointer
 *   hang          a loop that never ends
 * The hook exists in this test binary only: the exsweep binary has no such
 * code, so no file can make it do any of this.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/cli.h"
#include "judge.h"

#define MAGIC "EXSWEEP-PROBE "

static void report(struct exs_verdict_part *part, const char *action,
		   const char *fmt, const char *a, const char *b)
{
	struct exs_hit *grown = realloc(part->hits,
					(part->count + 1) * sizeof(*grown));
	if (!grown)
		return;
	part->hits = grown;
	struct exs_hit *h = &grown[part->count++];
	memset(h, 0, sizeof(*h));
	snprintf(h->rule, sizeof(h->rule), "probe.%s", action);
	snprintf(h->ns, sizeof(h->ns), "probe");
	snprintf(h->description, sizeof(h->description), fmt, a, b);
}

static const char *outcome(int rc)
{
	return rc >= 0 ? "allowed" : strerror(errno);
}

static void probe(const unsigned char *data, size_t len,
		  struct exs_verdict_part *part)
{
	size_t m = strlen(MAGIC);
	if (len <= m || memcmp(data, MAGIC, m) != 0)
		return;
	char line[512];
	size_t n = 0;
	for (size_t i = m; i < len && n < sizeof(line) - 1 && data[i] != '\n' &&
			   data[i] != '\r'; i++)
		line[n++] = (char)data[i];
	line[n] = '\0';
	char *arg = strchr(line, ' ');
	if (arg)
		*arg++ = '\0';
	if (strcmp(line, "open") == 0 && arg) {
		int fd = open(arg, O_RDONLY | O_CLOEXEC);
		report(part, "open", "open %s: %s", arg, outcome(fd));
		if (fd >= 0)
			close(fd);
	} else if (strcmp(line, "create") == 0 && arg) {
		int fd = open(arg, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		report(part, "create", "create %s: %s", arg, outcome(fd));
		if (fd >= 0)
			close(fd);
	} else if (strcmp(line, "socket") == 0) {
		int inet = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		char first[128];
		snprintf(first, sizeof(first), "%s", outcome(inet));
		int unix_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		report(part, "socket", "inet: %s, unix: %s", first,
		       outcome(unix_fd));
		if (inet >= 0)
			close(inet);
		if (unix_fd >= 0)
			close(unix_fd);
	} else if (strcmp(line, "exec") == 0) {
		char *argv[] = { "true", NULL };
		execv("/bin/true", argv);
		report(part, "exec", "exec: %s%s", strerror(errno), "");
	} else if (strcmp(line, "mmap-exec") == 0) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		report(part, "mmap-exec", "mmap-exec: %s%s",
		       p == MAP_FAILED ? strerror(errno) : "allowed", "");
		if (p != MAP_FAILED)
			munmap(p, 4096);
	} else if (strcmp(line, "alloc") == 0 && arg) {
		size_t bytes = (size_t)strtoul(arg, NULL, 10) << 20;
		char *p = malloc(bytes);
		if (p)
			memset(p, 1, bytes);
		report(part, "alloc", "alloc %s MiB: %s", arg,
		       p ? "allowed" : "refused");
		free(p);
	} else if (strcmp(line, "crash") == 0) {
		volatile int *volatile nowhere = NULL;
		*nowhere = 1;
	} else if (strcmp(line, "hang") == 0) {
		for (volatile unsigned long spin = 0;; spin++)
			;
	}
}

int main(int argc, char **argv)
{
	exs_judge_set_test_hook(probe);
	return exs_cli_main(argc, argv, exs_platform_native());
}
