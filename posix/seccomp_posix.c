/* seccomp_posix.c -- the scan worker's system-call filter (Linux seccomp-BPF,
 * written out by hand: no libseccomp).
 *
 * The worker only computes: it reads requests from its channel (fd 0),
 * writes verdicts to it, allocates memory and, when something goes wrong,
 * dies. The table below is everything it may do; any other system call
 * kills the whole process (SECCOMP_RET_KILL_PROCESS: SIGSYS, which the
 * parent reports as an EXS_WORKER error for the file being judged). A few
 * calls that libraries make in passing, and that the test probe makes on
 * purpose, fail with EACCES instead, so that "cannot open a file" and
 * "cannot open a socket" are observable rather than fatal.
 *
 * The filter first checks the architecture (a 32-bit or x32 system call
 * from a 64-bit process has other numbers) and is built at run time only
 * because tgkill is allowed towards the worker's own pid alone.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "sandbox_posix.h"

#if defined(__x86_64__)
#define FILTER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FILTER_ARCH AUDIT_ARCH_AARCH64
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LOW 0
#else
#define ARG_LOW 4
#endif

enum rule_kind {
	ALLOW,         /* always */
	ALLOW_FD,      /* only on fd a or fd b (argument 0) */
	ALLOW_NO_EXEC, /* only without PROT_EXEC in argument a */
	ALLOW_SELF,    /* only towards the worker's own pid (argument 0) */
	DENY,          /* fails with EACCES */
};

struct syscall_rule {
	long nr;
	enum rule_kind kind;
	unsigned a, b;
};

#define RULE(name, kind, a, b) { __NR_##name, kind, a, b }

static const struct syscall_rule rules[] = {
	/* The channel: requests in, verdicts out; stderr for sanitizer
	 * reports (it is /dev/null outside the sanitizer build). */
	RULE(read, ALLOW_FD, 0, 0),
	RULE(write, ALLOW_FD, 0, 2),
	/* Memory: malloc, libyara's arenas, ASan's allocator. Never
	 * executable: no code can be mapped in. */
	RULE(brk, ALLOW, 0, 0),
	RULE(mmap, ALLOW_NO_EXEC, 2, 0),
	RULE(mprotect, ALLOW_NO_EXEC, 2, 0),
	RULE(munmap, ALLOW, 0, 0),
	RULE(mremap, ALLOW, 0, 0),
	RULE(madvise, ALLOW, 0, 0),
	/* Locks, clocks (YARA's timeout), and leaving. */
	RULE(futex, ALLOW, 0, 0),
	RULE(clock_gettime, ALLOW, 0, 0),
	RULE(gettimeofday, ALLOW, 0, 0),
	RULE(sched_yield, ALLOW, 0, 0),
	RULE(getrandom, ALLOW, 0, 0),
	RULE(exit, ALLOW, 0, 0),
	RULE(exit_group, ALLOW, 0, 0),
	RULE(restart_syscall, ALLOW, 0, 0),
	/* libyara guards each scan with SIGSEGV/SIGBUS handlers (sigaction,
	 * sigsetjmp); abort() blocks signals and raises SIGABRT at itself. */
	RULE(rt_sigaction, ALLOW, 0, 0),
	RULE(rt_sigreturn, ALLOW, 0, 0),
	RULE(rt_sigprocmask, ALLOW, 0, 0),
	RULE(getpid, ALLOW, 0, 0),
	RULE(gettid, ALLOW, 0, 0),
	RULE(tgkill, ALLOW_SELF, 0, 0),
	/* Refused, not fatal: what libraries may try and the probe tries. */
#ifdef __NR_open
	RULE(open, DENY, 0, 0),
#endif
	RULE(openat, DENY, 0, 0),
#ifdef __NR_openat2
	RULE(openat2, DENY, 0, 0),
#endif
#ifdef __NR_stat
	RULE(stat, DENY, 0, 0),
#endif
	RULE(fstat, DENY, 0, 0),
#ifdef __NR_newfstatat
	RULE(newfstatat, DENY, 0, 0),
#endif
#ifdef __NR_statx
	RULE(statx, DENY, 0, 0),
#endif
#ifdef __NR_readlink
	RULE(readlink, DENY, 0, 0),
#endif
	RULE(readlinkat, DENY, 0, 0),
	RULE(ioctl, DENY, 0, 0),
	RULE(lseek, DENY, 0, 0),
	RULE(socket, DENY, 0, 0),
};

#define LOAD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define LOAD_NR LOAD(offsetof(struct seccomp_data, nr))
#define LOAD_ARG(i) LOAD(offsetof(struct seccomp_data, args[i]) + ARG_LOW)
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JSET(k, t, f) BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (k), (t), (f))
#define JGE(k, t, f) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (t), (f))

#define KILL SECCOMP_RET_KILL_PROCESS
#define MAX_INSNS 256

/* Appends the instructions of one rule. Each block starts with the number
 * in the accumulator and either returns or falls through to the next
 * rule's block with the number still loaded. */
static size_t emit(struct sock_filter *f, size_t n, const struct syscall_rule *r,
		   unsigned pid)
{
	switch (r->kind) {
	case ALLOW:
		f[n++] = (struct sock_filter)JEQ((unsigned)r->nr, 0, 1);
		f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
		break;
	case DENY:
		f[n++] = (struct sock_filter)JEQ((unsigned)r->nr, 0, 1);
		f[n++] = (struct sock_filter)RET(SECCOMP_RET_ERRNO | EACCES);
		break;
	case ALLOW_FD:
		f[n++] = (struct sock_filter)JEQ((unsigned)r->nr, 0, 5);
		f[n++] = (struct sock_filter)LOAD_ARG(0);
		f[n++] = (struct sock_filter)JEQ(r->a, 2, 0);
		f[n++] = (struct sock_filter)JEQ(r->b, 1, 0);
		f[n++] = (struct sock_filter)RET(KILL);
		f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
		break;
	case ALLOW_NO_EXEC:
		f[n++] = (struct sock_filter)JEQ((unsigned)r->nr, 0, 4);
		f[n++] = (struct sock_filter)LOAD_ARG(r->a);
		f[n++] = (struct sock_filter)JSET(PROT_EXEC, 0, 1);
		f[n++] = (struct sock_filter)RET(KILL);
		f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
		break;
	case ALLOW_SELF:
		f[n++] = (struct sock_filter)JEQ((unsigned)r->nr, 0, 4);
		f[n++] = (struct sock_filter)LOAD_ARG(0);
		f[n++] = (struct sock_filter)JEQ(pid, 1, 0);
		f[n++] = (struct sock_filter)RET(KILL);
		f[n++] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
		break;
	}
	return n;
}

int exs_posix_seccomp_install(struct exs_error *err)
{
#ifndef FILTER_ARCH
	return exs_failf(err, EXS_SANDBOX, 0, "seccomp", NULL,
			 "no system-call filter for this architecture");
#else
	struct sock_filter f[MAX_INSNS];
	size_t n = 0;
	f[n++] = (struct sock_filter)LOAD(offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)JEQ(FILTER_ARCH, 1, 0);
	f[n++] = (struct sock_filter)RET(KILL);
	f[n++] = (struct sock_filter)LOAD_NR;
#if defined(__x86_64__)
	/* x32 system calls share the architecture and set this bit. */
	f[n++] = (struct sock_filter)JGE(0x40000000u, 0, 1);
	f[n++] = (struct sock_filter)RET(KILL);
#endif
	unsigned pid = (unsigned)getpid();
	/* At most six instructions a rule, and the final return. */
	_Static_assert(8 + 6 * sizeof(rules) / sizeof(*rules) < MAX_INSNS,
		       "the filter does not fit");
	for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++)
		n = emit(f, n, &rules[i], pid);
	f[n++] = (struct sock_filter)RET(KILL);
	struct sock_fprog prog = { .len = (unsigned short)n, .filter = f };
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    SECCOMP_FILTER_FLAG_TSYNC, &prog) != 0 &&
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) {
		int e = errno;
		return exs_failf(err, EXS_SANDBOX, e, "seccomp", NULL,
				 "cannot install the system-call filter: %s",
				 strerror(e));
	}
	return EXS_OK;
#endif
}
