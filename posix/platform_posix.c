/* platform_posix.c -- the POSIX implementation of struct exs_platform.
 *
 * Every file is opened with O_NOFOLLOW (a final symlink is never followed)
 * and O_NONBLOCK (opening a FIFO with no writer does not hang), and its type
 * is checked on the handle with fstat before a byte is read. Directories are
 * opened the same way and listed with fdopendir, so a directory swapped for a
 * symlink between listing and opening is refused, not followed.
 *
 * Divisions of this file: error mapping, reading files, writing files,
 * directories, threads, the process and the machine, the table.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"
#include "sandbox_posix.h"

/* Linux's flag, which <fcntl.h> declares only under _GNU_SOURCE. */
#if defined(__linux__) && !defined(O_NOATIME)
#define O_NOATIME 01000000
#endif

/* ---- Error mapping ------------------------------------------------------ */

static int status_from_errno(int e)
{
	switch (e) {
	case ENOENT: return EXS_NOENT;
	case EACCES:
	case EPERM: return EXS_ACCESS;
	case ENOMEM: return EXS_NOMEM;
	case ELOOP:
	case EMLINK: return EXS_ISLINK;
	case ENOTDIR: return EXS_NOTDIR;
	case EEXIST: return EXS_EXISTS;
	case ENAMETOOLONG: return EXS_LIMIT;
	case ENOSPC:
#ifdef EDQUOT
	case EDQUOT:
#endif
		return EXS_NOSPACE;
	case ETXTBSY:
	case EBUSY: return EXS_BUSY;
	case EWOULDBLOCK: return EXS_LOCKED;
	case EINVAL: return EXS_INVAL;
	case EILSEQ: return EXS_CHARSET;
	default: return EXS_IO;
	}
}

static int fail_errno(struct exs_error *err, const char *op, const char *path)
{
	int e = errno;
	int status = status_from_errno(e);
	return exs_failf(err, status, e, op, path, "%s", strerror(e));
}

static enum exs_node node_from_mode(mode_t m)
{
	if (S_ISREG(m)) return EXS_NODE_FILE;
	if (S_ISDIR(m)) return EXS_NODE_DIR;
	if (S_ISLNK(m)) return EXS_NODE_LINK;
	if (S_ISFIFO(m)) return EXS_NODE_FIFO;
	if (S_ISSOCK(m)) return EXS_NODE_SOCKET;
	if (S_ISCHR(m) || S_ISBLK(m)) return EXS_NODE_DEVICE;
	return EXS_NODE_UNKNOWN;
}

static void fill_stat(const struct stat *st, struct exs_stat *out)
{
	memset(out, 0, sizeof(*out));
	out->node = node_from_mode(st->st_mode);
	out->size = st->st_size > 0 ? (uint64_t)st->st_size : 0;
	out->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	out->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
	out->mode = (uint32_t)st->st_mode;
	out->volume_id = (uint64_t)st->st_dev;
	out->file_id = (uint64_t)st->st_ino;
	out->link_count = (uint32_t)st->st_nlink;
	snprintf(out->owner, sizeof(out->owner), "%lu:%lu",
		 (unsigned long)st->st_uid, (unsigned long)st->st_gid);
}

/* ---- Reading files ------------------------------------------------------ */

struct exs_file {
	int fd;
	char *path;   /* for error messages */
};

static int file_wrap(int fd, const char *path, struct exs_file **out,
		     struct exs_error *err)
{
	struct exs_file *f = malloc(sizeof(*f));
	char *copy = strdup(path);
	if (!f || !copy) {
		free(f);
		free(copy);
		close(fd);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	}
	f->fd = fd;
	f->path = copy;
	*out = f;
	return EXS_OK;
}

static int posix_file_open_read(const char *path, struct exs_file **out,
				struct exs_error *err)
{
	int fd;
	do {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
				O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		/* O_NOFOLLOW on a symlink gives ELOOP; report it as a link. */
		return fail_errno(err, "open", path);
	}
	return file_wrap(fd, path, out, err);
}

/* O_NOATIME is Linux's; elsewhere the open is plain and says so. Refused
 * (EPERM) unless the caller owns the file or has CAP_FOWNER: then the copy
 * is made anyway and the manifest says the access time may have moved. */
static int posix_file_open_evidence(const char *path, struct exs_file **out,
				    struct exs_evidence_times *times,
				    struct exs_error *err)
{
	const int base = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
			 O_CLOEXEC;
	int fd = -1;
	memset(times, 0, sizeof(*times));
#ifdef O_NOATIME
	do {
		fd = open(path, base | O_NOATIME);
	} while (fd < 0 && errno == EINTR);
	if (fd >= 0)
		times->atime_kept = 1;
	else if (errno != EPERM)
		return fail_errno(err, "open", path);
#endif
	if (fd < 0) {
		do {
			fd = open(path, base);
		} while (fd < 0 && errno == EINTR);
		if (fd < 0)
			return fail_errno(err, "open", path);
	}
	struct stat st;
	if (fstat(fd, &st) == 0)
		times->atime_ns = (int64_t)st.st_atim.tv_sec * 1000000000 +
				  st.st_atim.tv_nsec;
	return file_wrap(fd, path, out, err);
}

static int posix_file_stat(struct exs_file *f, struct exs_stat *out,
			   struct exs_error *err)
{
	struct stat st;
	if (fstat(f->fd, &st) != 0)
		return fail_errno(err, "fstat", f->path);
	fill_stat(&st, out);
	return EXS_OK;
}

static int posix_file_seek(struct exs_file *f, uint64_t offset,
			   struct exs_error *err)
{
	if (offset > (uint64_t)INT64_MAX ||
	    lseek(f->fd, (off_t)offset, SEEK_SET) == (off_t)-1)
		return fail_errno(err, "lseek", f->path);
	return EXS_OK;
}

static int posix_file_read(struct exs_file *f, void *buf, size_t cap,
			   size_t *got, struct exs_error *err)
{
	for (;;) {
		ssize_t n = read(f->fd, buf, cap);
		if (n >= 0) {
			*got = (size_t)n;
			return EXS_OK;
		}
		if (errno != EINTR)
			return fail_errno(err, "read", f->path);
	}
}

static void posix_file_prefetch(struct exs_file *f, uint64_t len)
{
#if defined(POSIX_FADV_WILLNEED)
	if (f && len <= (uint64_t)INT64_MAX)
		(void)posix_fadvise(f->fd, 0, (off_t)len, POSIX_FADV_WILLNEED);
#else
	(void)f;
	(void)len;
#endif
}

static void posix_file_close(struct exs_file *f)
{
	if (!f)
		return;
	close(f->fd);
	free(f->path);
	free(f);
}

static int posix_path_stat(const char *path, struct exs_stat *out,
			   struct exs_error *err)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return fail_errno(err, "lstat", path);
	fill_stat(&st, out);
	return EXS_OK;
}

/* ---- Writing files ------------------------------------------------------ */

static int posix_file_create(const char *path, unsigned flags,
			     struct exs_file **out, struct exs_error *err)
{
	int oflags = O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	if (flags & EXS_CREATE_EXCLUSIVE)
		oflags |= O_EXCL;
	if (flags & EXS_CREATE_TRUNCATE)
		oflags |= O_TRUNC;
	mode_t mode = (flags & EXS_CREATE_PRIVATE) ? 0600 : 0644;
	int fd;
	do {
		fd = open(path, oflags, mode);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return fail_errno(err, "open", path);
	return file_wrap(fd, path, out, err);
}

static int posix_file_write(struct exs_file *f, const void *buf, size_t len,
			    struct exs_error *err)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(f->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail_errno(err, "write", f->path);
		}
		p += n;
		len -= (size_t)n;
	}
	return EXS_OK;
}

static int posix_file_sync(struct exs_file *f, struct exs_error *err)
{
	if (fsync(f->fd) != 0)
		return fail_errno(err, "fsync", f->path);
	return EXS_OK;
}

/* The directory part of path, for syncing it after a rename. */
static int sync_parent_dir(const char *path, struct exs_error *err)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int status = fail_errno(err, "open", dir);
		free(dir);
		return status;
	}
	int rc = fsync(fd);
	int e = errno;
	close(fd);
	if (rc != 0 && e != EINVAL) { /* some filesystems cannot sync dirs */
		errno = e;
		int status = fail_errno(err, "fsync", dir);
		free(dir);
		return status;
	}
	free(dir);
	return EXS_OK;
}

static int posix_file_replace(const char *src, const char *dest,
			      struct exs_error *err)
{
	if (rename(src, dest) != 0)
		return fail_errno(err, "rename", dest);
	return sync_parent_dir(dest, err);
}

static int posix_file_remove(const char *path, struct exs_error *err)
{
	if (unlink(path) != 0)
		return fail_errno(err, "unlink", path);
	return EXS_OK;
}

static int posix_dir_create(const char *path, unsigned flags,
			    struct exs_error *err)
{
	mode_t mode = (flags & EXS_CREATE_PRIVATE) ? 0700 : 0755;
	size_t len = strlen(path);
	char *buf = malloc(len + 1);
	if (!buf)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", path);
	memcpy(buf, path, len + 1);
	/* Create each missing parent in turn, like mkdir -p. */
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char saved = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, mode) != 0 && errno != EEXIST) {
			int status = fail_errno(err, "mkdir", buf);
			free(buf);
			return status;
		}
		buf[i] = saved;
	}
	free(buf);
	struct stat st;
	if (stat(path, &st) != 0)
		return fail_errno(err, "stat", path);
	if (!S_ISDIR(st.st_mode))
		return exs_fail(err, EXS_NOTDIR, ENOTDIR, "mkdir", path);
	return EXS_OK;
}

static int posix_file_lock(struct exs_file *f, struct exs_error *err)
{
	if (flock(f->fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			return exs_fail(err, EXS_LOCKED, errno, "flock", f->path);
		return fail_errno(err, "flock", f->path);
	}
	return EXS_OK;
}

/* ---- Directories -------------------------------------------------------- */

struct exs_dir {
	DIR *dir;
	int fd;
	char *path;
};

static int posix_dir_open(const char *path, struct exs_dir **out,
			  struct exs_error *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK |
			    O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOTDIR) {
			/* With O_NOFOLLOW a symlink to a directory fails with
			 * ENOTDIR on some systems: tell links apart. */
			struct stat st;
			if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
				return exs_fail(err, EXS_ISLINK, ELOOP, "open", path);
		}
		return fail_errno(err, "open", path);
	}
	struct exs_dir *d = calloc(1, sizeof(*d));
	char *copy = strdup(path);
	DIR *dir = d && copy ? fdopendir(fd) : NULL;
	if (!dir) {
		int status = d && copy ? fail_errno(err, "fdopendir", path)
				       : exs_fail(err, EXS_NOMEM, 0, "malloc", path);
		close(fd);
		free(d);
		free(copy);
		return status;
	}
	d->dir = dir;
	d->fd = fd;
	d->path = copy;
	*out = d;
	return EXS_OK;
}

static int posix_dir_next(struct exs_dir *d, struct exs_dirent *out,
			  struct exs_error *err)
{
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(d->dir);
		if (!e) {
			if (errno)
				return fail_errno(err, "readdir", d->path);
			out->name = NULL;
			out->name_len = 0;
			return EXS_OK;
		}
		const char *n = e->d_name;
		if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0')))
			continue;
		out->name = n;
		out->name_len = strlen(n);
		switch (e->d_type) {
		case DT_REG: out->node = EXS_NODE_FILE; break;
		case DT_DIR: out->node = EXS_NODE_DIR; break;
		case DT_LNK: out->node = EXS_NODE_LINK; break;
		case DT_FIFO: out->node = EXS_NODE_FIFO; break;
		case DT_SOCK: out->node = EXS_NODE_SOCKET; break;
		case DT_CHR:
		case DT_BLK: out->node = EXS_NODE_DEVICE; break;
		default: {
			/* Filesystems without d_type: ask without following. */
			struct stat st;
			if (fstatat(d->fd, n, &st, AT_SYMLINK_NOFOLLOW) == 0)
				out->node = node_from_mode(st.st_mode);
			else
				out->node = EXS_NODE_UNKNOWN;
		}
		}
		return EXS_OK;
	}
}

static void posix_dir_close(struct exs_dir *d)
{
	if (!d)
		return;
	closedir(d->dir); /* closes d->fd too */
	free(d->path);
	free(d);
}

/* ---- Threads ------------------------------------------------------------ */

struct exs_thread {
	pthread_t id;
	void (*fn)(void *);
	void *arg;
};

struct exs_mutex {
	pthread_mutex_t m;
};

struct exs_cond {
	pthread_cond_t c;
};

static void *thread_trampoline(void *p)
{
	struct exs_thread *t = p;
	t->fn(t->arg);
	return NULL;
}

static int posix_thread_create(struct exs_thread **out, void (*fn)(void *),
			       void *arg, struct exs_error *err)
{
	struct exs_thread *t = malloc(sizeof(*t));
	if (!t)
		return exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	t->fn = fn;
	t->arg = arg;
	int rc = pthread_create(&t->id, NULL, thread_trampoline, t);
	if (rc != 0) {
		free(t);
		return exs_failf(err, EXS_NOMEM, rc, "pthread_create", NULL,
				 "%s", strerror(rc));
	}
	*out = t;
	return EXS_OK;
}

static void posix_thread_join(struct exs_thread *t)
{
	pthread_join(t->id, NULL);
	free(t);
}

static int posix_mutex_create(struct exs_mutex **out, struct exs_error *err)
{
	struct exs_mutex *m = malloc(sizeof(*m));
	if (!m || pthread_mutex_init(&m->m, NULL) != 0) {
		free(m);
		return exs_fail(err, EXS_NOMEM, 0, "pthread_mutex_init", NULL);
	}
	*out = m;
	return EXS_OK;
}

static void posix_mutex_lock(struct exs_mutex *m) { pthread_mutex_lock(&m->m); }
static void posix_mutex_unlock(struct exs_mutex *m) { pthread_mutex_unlock(&m->m); }

static void posix_mutex_destroy(struct exs_mutex *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->m);
	free(m);
}

static int posix_cond_create(struct exs_cond **out, struct exs_error *err)
{
	struct exs_cond *c = malloc(sizeof(*c));
	pthread_condattr_t attr;
	if (!c || pthread_condattr_init(&attr) != 0) {
		free(c);
		return exs_fail(err, EXS_NOMEM, 0, "pthread_cond_init", NULL);
	}
	/* Timed waits measure the monotonic clock: wall clock jumps (NTP,
	 * an admin setting the time) must not stretch or cut them. */
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&c->c, &attr);
	pthread_condattr_destroy(&attr);
	if (rc != 0) {
		free(c);
		return exs_fail(err, EXS_NOMEM, rc, "pthread_cond_init", NULL);
	}
	*out = c;
	return EXS_OK;
}

static void posix_cond_wait(struct exs_cond *c, struct exs_mutex *m)
{
	pthread_cond_wait(&c->c, &m->m);
}

static int posix_cond_timed_wait(struct exs_cond *c, struct exs_mutex *m,
				 unsigned timeout_ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	int rc = pthread_cond_timedwait(&c->c, &m->m, &ts);
	return rc == ETIMEDOUT ? EXS_TIMEOUT : EXS_OK;
}

static void posix_cond_signal(struct exs_cond *c) { pthread_cond_signal(&c->c); }
static void posix_cond_broadcast(struct exs_cond *c) { pthread_cond_broadcast(&c->c); }

static void posix_cond_destroy(struct exs_cond *c)
{
	if (!c)
		return;
	pthread_cond_destroy(&c->c);
	free(c);
}

/* ---- The process and the machine --------------------------------------- */

static unsigned posix_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static int64_t posix_clock_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t posix_clock_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void posix_host_name(char *buf, size_t cap)
{
	if (!cap)
		return;
	if (gethostname(buf, cap) != 0 || !buf[0])
		snprintf(buf, cap, "unknown");
	buf[cap - 1] = '\0';
}

static int posix_is_terminal(enum exs_stream stream)
{
	return isatty(stream == EXS_STDOUT ? STDOUT_FILENO : STDERR_FILENO);
}

static int posix_stream_write(enum exs_stream stream, const void *buf,
			      size_t len)
{
	int fd = stream == EXS_STDOUT ? STDOUT_FILENO : STDERR_FILENO;
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return EXS_IO;
		}
		p += n;
		len -= (size_t)n;
	}
	return EXS_OK;
}

static int posix_env_get(const char *name, char *buf, size_t cap)
{
	const char *v = getenv(name);
	if (!v)
		return EXS_NOENT;
	size_t n = strlen(v);
	if (n >= cap)
		return EXS_LIMIT;
	memcpy(buf, v, n + 1);
	return EXS_OK;
}

static int posix_place(enum exs_place which, char *buf, size_t cap,
		       struct exs_error *err)
{
	const char *p = which == EXS_PLACE_CONFIG_FILE
			? "/etc/exsweep/exsweep.ini" : "/var/lib/exsweep";
	if (strlen(p) >= cap)
		return exs_fail(err, EXS_LIMIT, 0, "place", p);
	strcpy(buf, p);
	return EXS_OK;
}

/* The lowest CPU priority (nice 19) and, on Linux, the SCHED_IDLE policy
 * and the idle I/O class (ioprio_set, which glibc does not wrap): the
 * threads and scan workers started afterwards inherit all three. Where the
 * idle I/O class is refused, the lowest best-effort level (7).
 *
 * SCHED_IDLE beside nice 19: a nice-19 thread still holds the CPU for a
 * slice when a normal task wakes, which a job that waits on its disk
 * between small reads feels at every wake-up (bench/run's concurrent dd
 * kept 84% of its throughput beside nice 19 alone); a normal task always
 * preempts a SCHED_IDLE one at once. */
static int posix_set_low_priority(struct exs_error *err)
{
	if (setpriority(PRIO_PROCESS, 0, 19) != 0)
		return fail_errno(err, "setpriority", NULL);
#if defined(__linux__)
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
	struct sched_param sp = { .sched_priority = 0 };
	if (sched_setscheduler(0, SCHED_IDLE, &sp) != 0)
		return fail_errno(err, "sched_setscheduler", NULL);
#endif
#if defined(__linux__) && defined(SYS_ioprio_set)
	enum { WHO_PROCESS = 1, CLASS_BE = 2, CLASS_IDLE = 3, CLASS_SHIFT = 13 };
	if (syscall(SYS_ioprio_set, WHO_PROCESS, 0, CLASS_IDLE << CLASS_SHIFT) != 0 &&
	    syscall(SYS_ioprio_set, WHO_PROCESS, 0,
		    (CLASS_BE << CLASS_SHIFT) | 7) != 0)
		return fail_errno(err, "ioprio_set", NULL);
#endif
	return EXS_OK;
}

/* POSIX arguments are bytes already, exactly as exec passed them. */
static int posix_process_args(int argc, char **argv, int *out_argc,
			      char ***out_argv, struct exs_error *err)
{
	(void)err;
	*out_argc = argc;
	*out_argv = argv;
	return EXS_OK;
}

static uint64_t posix_peak_rss(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024; /* Linux reports KiB */
}

/* ---- Discovering Exchange ------------------------------------------------ */

/* No registry here: only the variable Exchange Setup defines, which an
 * operator may also set by hand. */
static int posix_exchange_install_path(char *buf, size_t cap,
				       struct exs_error *err)
{
	int rc = posix_env_get("ExchangeInstallPath", buf, cap);
	if (rc == EXS_OK && buf[0] == '\0')
		rc = EXS_NOENT;
	if (rc)
		return exs_fail(err, rc, 0, "getenv", "ExchangeInstallPath");
	return EXS_OK;
}

static int posix_iis_wwwroot(char *buf, size_t cap, struct exs_error *err)
{
	(void)buf;
	(void)cap;
	return exs_fail(err, EXS_NOENT, 0, NULL, "IIS web root");
}

/* syslog would be the place, but a scheduled run's report file and exit
 * code already reach the admin; the event log is a Windows convention. */
static int posix_event_report(const struct exs_event *ev)
{
	(void)ev;
	return EXS_UNSUPPORTED;
}

/* ---- The table ---------------------------------------------------------- */

static const struct exs_platform posix_platform = {
	.name = "posix",
	.path_separator = '/',
	.path_separators = "/",
	.path_drives = 0,
	.case_insensitive = 0,
	.file_open_read = posix_file_open_read,
	.file_stat = posix_file_stat,
	.file_read = posix_file_read,
	.file_seek = posix_file_seek,
	.file_security = NULL,
	.file_open_evidence = posix_file_open_evidence,
	.file_close = posix_file_close,
	.file_prefetch = posix_file_prefetch,
	.path_stat = posix_path_stat,
	.file_create = posix_file_create,
	.file_write = posix_file_write,
	.file_sync = posix_file_sync,
	.file_replace = posix_file_replace,
	.file_remove = posix_file_remove,
	.dir_create = posix_dir_create,
	.file_lock = posix_file_lock,
	.dir_open = posix_dir_open,
	.dir_next = posix_dir_next,
	.dir_close = posix_dir_close,
	.thread_create = posix_thread_create,
	.thread_join = posix_thread_join,
	.mutex_create = posix_mutex_create,
	.mutex_lock = posix_mutex_lock,
	.mutex_unlock = posix_mutex_unlock,
	.mutex_destroy = posix_mutex_destroy,
	.cond_create = posix_cond_create,
	.cond_wait = posix_cond_wait,
	.cond_timed_wait = posix_cond_timed_wait,
	.cond_signal = posix_cond_signal,
	.cond_broadcast = posix_cond_broadcast,
	.cond_destroy = posix_cond_destroy,
	.cpu_count = posix_cpu_count,
	.clock_monotonic_ns = posix_clock_monotonic_ns,
	.clock_wall_ns = posix_clock_wall_ns,
	.host_name = posix_host_name,
	.is_terminal = posix_is_terminal,
	.stream_write = posix_stream_write,
	.env_get = posix_env_get,
	.place = posix_place,
	.set_low_priority = posix_set_low_priority,
	.peak_rss = posix_peak_rss,
	.process_args = posix_process_args,
	.exchange_install_path = posix_exchange_install_path,
	.iis_wwwroot = posix_iis_wwwroot,
	.event_report = posix_event_report,
	.worker_start = exs_posix_worker_start,
	.worker_send = exs_posix_worker_send,
	.worker_recv = exs_posix_worker_recv,
	.worker_stop = exs_posix_worker_stop,
	.shared_create = exs_posix_shared_create,
	.shared_free = exs_posix_shared_free,
	.channel_shared = exs_posix_channel_shared,
	.sandbox_enter = exs_posix_sandbox_enter,
	.channel_read = exs_posix_channel_read,
	.channel_write = exs_posix_channel_write,
};

const struct exs_platform *exs_platform_native(void)
{
	return &posix_platform;
}
