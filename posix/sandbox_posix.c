/* sandbox_posix.c -- the scan worker's process boundary on Linux: starting
 * it, talking to it, and the sandbox it enters (see platform.h and
 * scanner/judge.h).
 *
 * Divisions: the parent's side (start, send, receive, stop), the worker's
 * side (dropping rights, the channel), the system-call filter.
 *
 * The worker is exsweep's own binary (/proc/self/exe, never anything in
 * the scanned tree), started with posix_spawn from a clean state: fresh
 * address space, default signal dispositions, an environment of nothing but
 * the sanitizer options, stdin the channel (one end of a socketpair, so
 * that the parent's writes can use MSG_NOSIGNAL), stdout and stderr
 * /dev/null. Before it reads a byte from the parent it:
 *   1. closes every other descriptor (close_range),
 *   2. sets rlimits: no core files, no file writes, no new descriptors, and
 *      the memory limit (not under AddressSanitizer, whose shadow memory
 *      needs terabytes of address space),
 *   3. when started by root, drops to the unprivileged account the parent
 *      resolved (nobody by default): setgroups(0), setresgid, setresuid,
 *      and checks that none of it can be undone,
 *   4. sets PR_SET_PDEATHSIG (SIGKILL), PR_SET_DUMPABLE 0 and
 *      PR_SET_NO_NEW_PRIVS,
 *   5. installs the seccomp-BPF allow-list below.
 * Without root there is no account to drop to: the worker keeps the user's
 * uid (which the parent has too) and still gets steps 1, 2, 4 and 5.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* close_range, setresuid */
#endif
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "sandbox_posix.h"

extern char **environ;

#if defined(__SANITIZE_ADDRESS__)
#define EXS_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXS_UNDER_ASAN 1
#endif
#endif
#ifndef EXS_UNDER_ASAN
#define EXS_UNDER_ASAN 0
#endif

#define WORKER_PATH "/proc/self/exe"
#define DEFAULT_USER "nobody"
#define CHANNEL_FD 0

struct exs_worker {
	pid_t pid;
	int fd;     /* the parent's end of the channel, non-blocking */
};

struct exs_shared {
	int fd;     /* a sealed memfd, always above 3 */
	void *addr;
	size_t size;
};

#define SHARED_FD 3

static int sandbox_fail(struct exs_error *err, const char *op, const char *what)
{
	int e = errno;
	return exs_failf(err, EXS_SANDBOX, e, op, NULL, "%s: %s", what,
			 strerror(e));
}

/* ---- The parent's side ---------------------------------------------------- */

/* The uid and gid of user: a name, "UID" or "UID:GID". */
static int resolve_user(const char *user, uid_t *uid, gid_t *gid,
			struct exs_error *err)
{
	char *end;
	unsigned long u = strtoul(user, &end, 10);
	if (end != user && (*end == '\0' || *end == ':')) {
		unsigned long g = u;
		if (*end == ':') {
			const char *gs = end + 1;
			g = strtoul(gs, &end, 10);
			if (end == gs || *end)
				return exs_failf(err, EXS_SANDBOX, 0, "sandbox",
						 NULL, "invalid sandbox user '%s'",
						 user);
		}
		*uid = (uid_t)u;
		*gid = (gid_t)g;
	} else {
		char buf[4096];
		struct passwd pw, *found = NULL;
		int e = getpwnam_r(user, &pw, buf, sizeof(buf), &found);
		if (e || !found)
			return exs_failf(err, EXS_SANDBOX, e, "getpwnam_r", NULL,
					 "no such user '%s' for the scan worker "
					 "([sandbox] user)", user);
		*uid = found->pw_uid;
		*gid = found->pw_gid;
	}
	if (*uid == 0 || *gid == 0)
		return exs_failf(err, EXS_SANDBOX, 0, "sandbox", NULL,
				 "refusing to run the scan worker as root "
				 "('%s')", user);
	return EXS_OK;
}

/* The worker's environment: only the sanitizer options, if any, with
 * LeakSanitizer off (its tracer needs clone and ptrace, which the filter
 * forbids: a leak check at exit would be killed, not run). */
static char *env_slot(const char *name, const char *extra)
{
	const char *v = getenv(name);
	if (!v && !extra)
		return NULL;
	size_t n = strlen(name) + (v ? strlen(v) : 0) +
		   (extra ? strlen(extra) : 0) + 3;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s=%s%s%s", name, v ? v : "",
			 v && *v && extra ? ":" : "", extra ? extra : "");
	return s;
}

/* The shared buffer: a memfd mapped writable here, then sealed so that no
 * new writable mapping (the worker's) and no resize can be made. */
int exs_posix_shared_create(size_t size, struct exs_shared **out, void **addr,
			    struct exs_error *err)
{
	struct exs_shared *sh = calloc(1, sizeof(*sh));
	if (!sh)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	sh->fd = -1;
	sh->addr = MAP_FAILED;
	sh->size = size;
	int fd = memfd_create("exsweep-judge", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd >= 0 && fd <= SHARED_FD) {
		int moved = fcntl(fd, F_DUPFD_CLOEXEC, SHARED_FD + 1);
		close(fd);
		fd = moved;
	}
	sh->fd = fd;
	if (fd < 0 || ftruncate(fd, (off_t)size) != 0 ||
	    (sh->addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			     0)) == MAP_FAILED ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
				   F_SEAL_FUTURE_WRITE | F_SEAL_SEAL) != 0) {
		int e = errno;
		exs_posix_shared_free(sh);
		return exs_failf(err, EXS_UNSUPPORTED, e, "memfd_create", NULL,
				 "no sealed shared memory: %s", strerror(e));
	}
	*out = sh;
	*addr = sh->addr;
	return EXS_OK;
}

void exs_posix_shared_free(struct exs_shared *sh)
{
	if (!sh)
		return;
	if (sh->addr != MAP_FAILED)
		munmap(sh->addr, sh->size);
	if (sh->fd >= 0)
		close(sh->fd);
	free(sh);
}

int exs_posix_worker_start(const char *user, uint64_t memory,
			   struct exs_shared *shared, struct exs_worker **out,
			   struct exs_error *err)
{
	long uid = -1, gid = -1;
	if (geteuid() == 0) {
		uid_t u = 0;
		gid_t g = 0;
		int rc = resolve_user(user && *user ? user : DEFAULT_USER, &u,
				      &g, err);
		if (rc)
			return rc;
		uid = (long)u;
		gid = (long)g;
	}
	struct exs_worker *w = calloc(1, sizeof(*w));
	if (!w)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		free(w);
		return sandbox_fail(err, "socketpair", "cannot create the "
				    "scan worker's channel");
	}
	/* The child's end must not already be fd 0, or dup2 would leave its
	 * close-on-exec flag set. */
	if (sv[1] < 3) {
		int moved = fcntl(sv[1], F_DUPFD_CLOEXEC, 3);
		close(sv[1]);
		sv[1] = moved;
	}
	int flags = fcntl(sv[0], F_GETFL);
	if (sv[1] < 0 || flags < 0 ||
	    fcntl(sv[0], F_SETFL, flags | O_NONBLOCK) != 0) {
		int rc = sandbox_fail(err, "fcntl", "cannot set up the scan "
				      "worker's channel");
		close(sv[0]);
		if (sv[1] >= 0)
			close(sv[1]);
		free(w);
		return rc;
	}

	char arg[96];
	snprintf(arg, sizeof(arg), "1,%ld,%ld,%llu,%zu", uid, gid,
		 (unsigned long long)memory, shared ? shared->size : (size_t)0);
	char *argv[] = { "exsweep", "--sandbox-worker", arg, NULL };
	char *envp[4] = { NULL, NULL, NULL, NULL };
	size_t ne = 0;
	if ((envp[ne] = env_slot("ASAN_OPTIONS", EXS_UNDER_ASAN ? "detect_leaks=0"
								: NULL)))
		ne++;
	if ((envp[ne] = env_slot("UBSAN_OPTIONS", NULL)))
		ne++;

	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, sv[1], CHANNEL_FD);
	if (shared)
		posix_spawn_file_actions_adddup2(&fa, shared->fd, SHARED_FD);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	/* Sanitizer reports from a worker go to the parent's stderr in the
	 * sanitizer build; otherwise a compromised worker gets no terminal to
	 * write escape sequences to. */
	if (!EXS_UNDER_ASAN)
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
					       POSIX_SPAWN_SETSIGDEF);
	pid_t pid;
	int e = posix_spawn(&pid, WORKER_PATH, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	for (size_t i = 0; i < ne; i++)
		free(envp[i]);
	close(sv[1]);
	if (e) {
		close(sv[0]);
		free(w);
		errno = e;
		return sandbox_fail(err, "posix_spawn", "cannot start the scan "
				    "worker " WORKER_PATH);
	}
	w->pid = pid;
	w->fd = sv[0];
	*out = w;
	return EXS_OK;
}

/* Waits until fd is ready for events or the deadline passes. */
static int wait_ready(int fd, short events, int64_t deadline_ns,
		      struct exs_error *err)
{
	for (;;) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		if (now >= deadline_ns)
			return exs_fail(err, EXS_TIMEOUT, 0, "poll", NULL);
		int64_t ms = (deadline_ns - now + 999999) / 1000000;
		struct pollfd p = { .fd = fd, .events = events };
		int n = poll(&p, 1, ms > 60000 ? 60000 : (int)ms);
		if (n > 0)
			return EXS_OK;
		if (n < 0 && errno != EINTR)
			return exs_failf(err, EXS_WORKER, errno, "poll", NULL,
					 "%s", strerror(errno));
	}
}

/* Moves exactly len bytes over the channel in one direction, waiting for
 * the socket (non-blocking) until the deadline. */
static int transfer(struct exs_worker *w, char *p, size_t len, int sending,
		    int64_t deadline_ns, struct exs_error *err)
{
	while (len) {
		ssize_t n = sending ? send(w->fd, p, len, MSG_NOSIGNAL)
				    : recv(w->fd, p, len, 0);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int rc = wait_ready(w->fd, sending ? POLLOUT : POLLIN,
					    deadline_ns, err);
			if (rc)
				return rc;
			continue;
		}
		return exs_failf(err, EXS_WORKER, n < 0 ? errno : 0,
				 sending ? "send" : "recv", NULL,
				 "the worker closed its channel");
	}
	return EXS_OK;
}

int exs_posix_worker_send(struct exs_worker *w, const void *buf, size_t len,
			  int64_t deadline_ns, struct exs_error *err)
{
	/* send() only reads the buffer; the cast serves the shared loop. */
	return transfer(w, (char *)(uintptr_t)buf, len, 1, deadline_ns, err);
}

int exs_posix_worker_recv(struct exs_worker *w, void *buf, size_t len,
			  int64_t deadline_ns, struct exs_error *err)
{
	return transfer(w, buf, len, 0, deadline_ns, err);
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGABRT: return "SIGABRT";
	case SIGILL: return "SIGILL";
	case SIGFPE: return "SIGFPE";
	case SIGKILL: return "SIGKILL";
	case SIGTERM: return "SIGTERM";
	case SIGXCPU: return "SIGXCPU";
	case SIGSYS: return "SIGSYS: a system call the sandbox forbids";
	}
	return "signal";
}

void exs_posix_worker_stop(struct exs_worker *w, char *why, size_t cap)
{
	if (!w)
		return;
	close(w->fd);
	/* A worker that died already is reaped with the status it died of; one
	 * that still runs gets a moment (half a second) to see its channel
	 * close, then SIGKILL. A worker usually exits within a millisecond:
	 * the waits start at 0.1 ms and double up to 20 ms, where a fixed
	 * 20 ms cost every run 20 ms a worker at its end. */
	int status = 0, reaped = 0, killed = 0;
	long waited_ns = 0, step_ns = 100000;
	while (!reaped && waited_ns < 500000000L) {
		pid_t r = waitpid(w->pid, &status, WNOHANG);
		if (r == w->pid || (r < 0 && errno != EINTR)) {
			reaped = 1;
		} else {
			nanosleep(&(struct timespec){ 0, step_ns }, NULL);
			waited_ns += step_ns;
			if (step_ns < 20000000L)
				step_ns *= 2;
		}
	}
	if (!reaped) {
		kill(w->pid, SIGKILL);
		killed = 1;
		while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (why && cap) {
		if (killed)
			snprintf(why, cap, "did not stop and was killed");
		else if (WIFEXITED(status))
			snprintf(why, cap, "exited with status %d",
				 WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			snprintf(why, cap, "was killed by signal %d (%s)",
				 WTERMSIG(status), signal_name(WTERMSIG(status)));
		else
			snprintf(why, cap, "ended");
	}
	free(w);
}

/* ---- The worker's side ------------------------------------------------------ */

static int close_other_fds(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
		return 0;
#endif
	struct rlimit rl;
	long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
			   ? (long)rl.rlim_cur : 65536;
	for (long fd = 3; fd < max; fd++)
		close((int)fd);
	return 0;
}

static int set_limit(int what, rlim_t v)
{
	struct rlimit rl = { v, v };
	return setrlimit(what, &rl);
}

static int drop_user(uid_t uid, gid_t gid, struct exs_error *err)
{
	if (setgroups(0, NULL) != 0)
		return sandbox_fail(err, "setgroups", "cannot drop groups");
	if (setresgid(gid, gid, gid) != 0)
		return sandbox_fail(err, "setresgid", "cannot change group");
	if (setresuid(uid, uid, uid) != 0)
		return sandbox_fail(err, "setresuid", "cannot change user");
	uid_t r, e, s;
	gid_t gr, ge, gs;
	if (getresuid(&r, &e, &s) != 0 || r != uid || e != uid || s != uid ||
	    getresgid(&gr, &ge, &gs) != 0 || gr != gid || ge != gid ||
	    gs != gid || getgroups(0, NULL) != 0)
		return exs_failf(err, EXS_SANDBOX, 0, "setresuid", NULL,
				 "the user change did not take");
	/* Neither root nor the old groups may come back. */
	if (setuid(0) == 0 || setgid(0) == 0)
		return exs_failf(err, EXS_SANDBOX, 0, "setuid", NULL,
				 "the worker could become root again");
	return EXS_OK;
}

static const void *shared_addr;
static size_t shared_size;

/* Maps the parent's sealed memfd read-only and closes it: the mapping
 * stays, the descriptor goes with the others. */
static int map_shared(size_t size, struct exs_error *err)
{
	int seals = fcntl(SHARED_FD, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_FUTURE_WRITE) || !(seals & F_SEAL_SEAL))
		return exs_failf(err, EXS_SANDBOX, 0, "fcntl", NULL,
				 "the shared buffer is not sealed");
	void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, SHARED_FD, 0);
	if (p == MAP_FAILED)
		return sandbox_fail(err, "mmap", "cannot map the shared buffer");
	close(SHARED_FD);
	shared_addr = p;
	shared_size = size;
	return EXS_OK;
}

int exs_posix_channel_shared(const void **addr, size_t *size)
{
	if (!shared_addr)
		return EXS_NOENT;
	*addr = shared_addr;
	*size = shared_size;
	return EXS_OK;
}

int exs_posix_sandbox_enter(const char *arg, struct exs_error *err)
{
	int version = 0;
	long uid = -1, gid = -1;
	unsigned long long memory = 0;
	size_t shared = 0;
	if (!arg || sscanf(arg, "%d,%ld,%ld,%llu,%zu", &version, &uid, &gid,
			   &memory, &shared) != 5 || version != 1)
		return exs_failf(err, EXS_SANDBOX, 0, "sandbox", NULL,
				 "invalid worker argument");
	if (shared) {
		int rc = map_shared(shared, err);
		if (rc)
			return rc;
	}
	close_other_fds();
	struct stat st;
	if (fstat(CHANNEL_FD, &st) != 0 || !S_ISSOCK(st.st_mode))
		return exs_failf(err, EXS_SANDBOX, 0, "fstat", NULL,
				 "the worker's stdin is not its channel");
	/* Not RLIMIT_FSIZE under ASan: its reports may go to a log file. */
	if (set_limit(RLIMIT_CORE, 0) || set_limit(RLIMIT_NOFILE, 3) ||
	    (!EXS_UNDER_ASAN && set_limit(RLIMIT_FSIZE, 0)))
		return sandbox_fail(err, "setrlimit", "cannot set limits");
	if (memory && !EXS_UNDER_ASAN && set_limit(RLIMIT_AS, (rlim_t)memory))
		return sandbox_fail(err, "setrlimit", "cannot set the memory "
				    "limit");
	if (chdir("/") != 0)
		return sandbox_fail(err, "chdir", "cannot leave the working "
				    "folder");
	if (uid >= 0) {
		int rc = drop_user((uid_t)uid, (gid_t)gid, err);
		if (rc)
			return rc;
	} else if (geteuid() == 0) {
		return exs_failf(err, EXS_SANDBOX, 0, "sandbox", NULL,
				 "started as root without a user to drop to");
	}
	/* A worker outlives no parent (kill -9 of exsweep included). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		return sandbox_fail(err, "prctl", "cannot tie the worker to its parent");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return sandbox_fail(err, "prctl", "cannot set no_new_privs");
	return exs_posix_seccomp_install(err);
}

int exs_posix_channel_read(void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(CHANNEL_FD, p + got, len - got);
		if (n > 0)
			got += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else
			return got == 0 && n == 0 ? EXS_NOENT : EXS_IO;
	}
	return EXS_OK;
}

int exs_posix_channel_write(const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(CHANNEL_FD, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (!(n < 0 && errno == EINTR)) {
			return EXS_IO;
		}
	}
	return EXS_OK;
}
