/* platform.h -- the only route from exsweep's core to the operating system.
 *
 * The core (scanner/, baseline/) never includes an OS header and never calls
 * POSIX or Win32: it calls through the function table below, which posix/ and
 * win32/ each fill once (the SQLite VFS and libuv pattern). Tests wrap a table
 * to inject faults (tests/unit/fault_platform.c).
 *
 * Conventions, which both implementations keep:
 *  - Paths are byte strings: UTF-8 on POSIX as the kernel gives them (any bytes
 *    but NUL and '/'), WTF-8 on Windows so that unpaired UTF-16 surrogates in
 *    NTFS names round-trip. The Win32 layer converts to UTF-16 and adds the
 *    \\?\ prefix itself; callers never do.
 *  - Every call that can fail returns EXS_OK or an EXS_* status and, on failure,
 *    fills *err with the OS code, the call that failed and the path.
 *  - Nothing here follows a symbolic link, junction or mount point when it
 *    opens a file or lists a directory: the scanned tree may be hostile.
 *  - Nothing here blocks on a FIFO or device node: opening one either fails
 *    with EXS_NOTREG or returns a handle whose stat says so.
 */
#ifndef EXS_PLATFORM_H
#define EXS_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct exs_file;    /* an open file, owned by the backend */
struct exs_dir;     /* an open directory listing */
struct exs_thread;
struct exs_mutex;
struct exs_cond;
struct exs_worker;  /* a sandboxed child process, seen from its parent */
struct exs_shared;  /* memory the parent writes and a worker can only read */

enum exs_node {
	EXS_NODE_UNKNOWN = 0,
	EXS_NODE_FILE,
	EXS_NODE_DIR,
	EXS_NODE_LINK,   /* symlink; on Windows any reparse point: junction,
			    symlink, mount point */
	EXS_NODE_FIFO,
	EXS_NODE_SOCKET,
	EXS_NODE_DEVICE, /* character or block device */
};

#define EXS_OWNER_MAX 96

/* Attributes of a file, read from an open handle so that what is hashed is
 * what is described. Times are nanoseconds since 1970-01-01 UTC. */
struct exs_stat {
	enum exs_node node;
	uint64_t size;
	int64_t mtime_ns;        /* last write */
	int64_t ctime_ns;        /* POSIX inode change; Windows ChangeTime */
	uint32_t mode;           /* POSIX st_mode; Windows FILE_ATTRIBUTE_* */
	uint64_t volume_id;      /* st_dev; volume serial number */
	uint64_t file_id;        /* st_ino; NTFS file index */
	uint32_t link_count;
	char owner[EXS_OWNER_MAX]; /* "uid:gid" on POSIX; owner SID on Windows */
};

/* One directory entry. name points into the listing and stays valid until the
 * next dir_next or dir_close. node is EXS_NODE_UNKNOWN only when the backend
 * could not tell without following a link. */
struct exs_signature;   /* signature.h */

struct exs_dirent {
	const char *name;
	size_t name_len;
	enum exs_node node;
};

/* What file_open_evidence reports beside struct exs_stat. */
struct exs_evidence_times {
	int64_t atime_ns;        /* last access before the copy; 0 unknown */
	int64_t btime_ns;        /* creation (Windows); 0 unknown */
	int atime_kept;          /* 1: this open does not move the access time */
};

/* Severity of an event written with event_report. */
enum exs_event_severity {
	EXS_EVENT_INFORMATION = 0,
	EXS_EVENT_WARNING,
	EXS_EVENT_ERROR,
};

/* One event for the system log: a message for people and its data as
 * named fields for machines (kind, path, rule, sha256, ...), so that an
 * Event Log subscription or a SIEM can filter on them. Names are ASCII
 * identifiers; values are UTF-8 text, already escaped for display where
 * they quote a file name. The fields of each event ID are a documented
 * contract (README, "Windows"): append, never reorder. */
struct exs_event_field {
	const char *name;
	const char *value;
};
struct exs_event {
	int severity;                        /* enum exs_event_severity */
	unsigned id;
	const char *message;
	const struct exs_event_field *fields;
	size_t field_count;
};
#define EXS_EVENT_FIELDS_MAX 32

/* Where a stream of text goes: the process's standard output or error. */
enum exs_stream { EXS_STDOUT = 1, EXS_STDERR = 2 };

/* Flags for file_create. */
#define EXS_CREATE_EXCLUSIVE 0x1 /* fail with EXS_EXISTS if it exists */
#define EXS_CREATE_TRUNCATE  0x2 /* replace the content of an existing file */
#define EXS_CREATE_PRIVATE   0x4 /* readable by the owner (root/SYSTEM) only */

/* Well-known places, which differ per platform. */
enum exs_place {
	EXS_PLACE_CONFIG_FILE,  /* /etc/exsweep/exsweep.ini,
				   %ProgramData%\exsweep\exsweep.ini */
	EXS_PLACE_DATA_DIR,     /* /var/lib/exsweep, %ProgramData%\exsweep */
};

struct exs_platform {
	const char *name;      /* "posix", "win32" */
	char path_separator;   /* '/' or '\\': the one the platform writes */
	/* Every byte a path given by the user may separate names with: "/"
	 * on POSIX, both '\\' and '/' on Windows, where they are the same. */
	const char *path_separators;
	/* Paths may start with a drive (C:\, while "C:" alone is the current
	 * folder there) or with two separators (\\server\share, \\?\). */
	int path_drives;
	int case_insensitive;  /* names compare without case (Windows) */

	/* -- Reading files ---------------------------------------------------- */

	/* Opens path for reading without following a final symlink or reparse
	 * point (EXS_ISLINK) and without blocking on a FIFO (EXS_NOTREG, or a
	 * handle whose stat shows the node). On Windows the share mode is
	 * READ|WRITE|DELETE so that files IIS holds open are still read; a
	 * sharing violation is retried briefly, then EXS_BUSY. */
	int (*file_open_read)(const char *path, struct exs_file **out,
			      struct exs_error *err);
	/* Attributes of the open file. */
	int (*file_stat)(struct exs_file *f, struct exs_stat *out,
			 struct exs_error *err);
	/* Reads up to cap bytes; *got == 0 means end of file. */
	int (*file_read)(struct exs_file *f, void *buf, size_t cap, size_t *got,
			 struct exs_error *err);
	/* A canonical byte form of the file's access control (the DACL as SDDL on
	 * Windows), written into buf (cap bytes) with its length in *len. The
	 * core hashes it, so a changed ACL is a changed attribute. Returns
	 * EXS_UNSUPPORTED where the platform records none. May be NULL. */
	int (*file_security)(struct exs_file *f, char *buf, size_t cap,
			     size_t *len, struct exs_error *err);
	void (*file_close)(struct exs_file *f);
	/* A hint that the first len bytes of an open file will be read soon:
	 * a worker opens the files of its next batch and hints each, so that
	 * the disk fetches several at once while the CPU hashes the one
	 * before (a cold cache reads at the disk's speed only with several
	 * requests in flight). POSIX: posix_fadvise(POSIX_FADV_WILLNEED).
	 * Never an error. May be NULL (Win32: no handle-based hint; the cache
	 * manager's own read-ahead applies). */
	void (*file_prefetch)(struct exs_file *f, uint64_t len);

	/* The spelling of path under which it is recorded, so that one file
	 * has one key however the admin typed it: Win32 makes it absolute and
	 * gives each name that exists as its directory lists it (case, the
	 * long name for an 8.3 alias). path comes from exs_path_canonical,
	 * its separators already normalised. What does not exist is kept as
	 * written. NULL where names are bytes and spelling is identity
	 * (POSIX). EXS_LIMIT when cap is too small. */
	int (*path_spelling)(const char *path, char *buf, size_t cap,
			     struct exs_error *err);
	/* Attributes of path itself, not following a final link (lstat). */
	int (*path_stat)(const char *path, struct exs_stat *out,
			 struct exs_error *err);

	/* -- Writing files: reports, the baseline, the lock ------------------- */

	int (*file_create)(const char *path, unsigned flags,
			   struct exs_file **out, struct exs_error *err);
	int (*file_write)(struct exs_file *f, const void *buf, size_t len,
			  struct exs_error *err);
	/* Flushes the file's data to stable storage (fsync, FlushFileBuffers). */
	int (*file_sync)(struct exs_file *f, struct exs_error *err);
	/* Atomically replaces dest with src (rename; MoveFileEx with
	 * REPLACE_EXISTING|WRITE_THROUGH), then makes the rename durable (fsync
	 * of the directory on POSIX). After a crash either name holds the old or
	 * the new file, never a mix. */
	int (*file_replace)(const char *src, const char *dest,
			    struct exs_error *err);
	/* Removes a file; EXS_NOENT if it does not exist. */
	int (*file_remove)(const char *path, struct exs_error *err);
	/* Creates a directory and its missing parents, private when asked. */
	int (*dir_create)(const char *path, unsigned flags,
			  struct exs_error *err);
	/* Takes an exclusive, non-blocking advisory lock on an open file:
	 * EXS_LOCKED if another process holds it. Released by file_close. */
	int (*file_lock)(struct exs_file *f, struct exs_error *err);

	/* -- Directories ------------------------------------------------------ */

	/* Opens a directory for listing without following a final link. */
	int (*dir_open)(const char *path, struct exs_dir **out,
			struct exs_error *err);
	/* Next entry, "." and ".." skipped; out->name == NULL at the end. */
	int (*dir_next)(struct exs_dir *d, struct exs_dirent *out,
			struct exs_error *err);
	void (*dir_close)(struct exs_dir *d);

	/* -- Threads ---------------------------------------------------------- */

	int (*thread_create)(struct exs_thread **out, void (*fn)(void *),
			     void *arg, struct exs_error *err);
	void (*thread_join)(struct exs_thread *t);   /* and frees it */
	int (*mutex_create)(struct exs_mutex **out, struct exs_error *err);
	void (*mutex_lock)(struct exs_mutex *m);
	void (*mutex_unlock)(struct exs_mutex *m);
	void (*mutex_destroy)(struct exs_mutex *m);
	int (*cond_create)(struct exs_cond **out, struct exs_error *err);
	void (*cond_wait)(struct exs_cond *c, struct exs_mutex *m);
	/* Waits at most timeout_ms; returns EXS_TIMEOUT when it expired. */
	int (*cond_timed_wait)(struct exs_cond *c, struct exs_mutex *m,
			       unsigned timeout_ms);
	void (*cond_signal)(struct exs_cond *c);
	void (*cond_broadcast)(struct exs_cond *c);
	void (*cond_destroy)(struct exs_cond *c);

	/* -- The process and the machine -------------------------------------- */

	unsigned (*cpu_count)(void);
	int64_t (*clock_monotonic_ns)(void);
	int64_t (*clock_wall_ns)(void);  /* since 1970-01-01 UTC */
	/* Host name in UTF-8; "unknown" when it cannot be read. */
	void (*host_name)(char *buf, size_t cap);
	int (*is_terminal)(enum exs_stream stream);
	/* Writes UTF-8 text to stdout/stderr (Windows consoles get UTF-16). */
	int (*stream_write)(enum exs_stream stream, const void *buf, size_t len);
	/* The value of an environment variable in UTF-8, or EXS_NOENT. */
	int (*env_get)(const char *name, char *buf, size_t cap);
	/* A well-known path, written into buf. */
	int (*place)(enum exs_place which, char *buf, size_t cap,
		     struct exs_error *err);
	/* Lowers this process's CPU and I/O priority (daytime runs). */
	int (*set_low_priority)(struct exs_error *err);
	/* Peak resident memory of this process in bytes, 0 if unknown. */
	uint64_t (*peak_rss)(void);
	/* The process's arguments as the core takes every string: UTF-8, WTF-8
	 * on Windows. main passes what it was given; POSIX hands it back as
	 * the kernel passed it (bytes), Win32 ignores it and converts the
	 * UTF-16 command line (GetCommandLineW, CommandLineToArgvW), because
	 * main's argv is in the ANSI code page, where CJK and emoji became '?'
	 * and 'e acute' a lone 0xE9 byte. *out_argv ends with NULL and lives
	 * until the process exits. EXS_NOMEM, or EXS_CHARSET. */
	int (*process_args)(int argc, char **argv, int *out_argc,
			    char ***out_argv, struct exs_error *err);

	/* -- Discovering Exchange --------------------------------------------- */

	/* The Exchange 2016/2019 install folder, as Setup recorded it
	 * (C:\Program Files\Microsoft\Exchange Server\V15\, often with a
	 * final separator). Win32 reads MsiInstallPath under
	 * HKLM\SOFTWARE\Microsoft\ExchangeServer\v15\Setup in the 64-bit
	 * registry view, then the ExchangeInstallPath variable that Setup
	 * defines; POSIX reads only the variable. EXS_NOENT when neither is
	 * there, EXS_LIMIT when cap is too small. */
	int (*exchange_install_path)(char *buf, size_t cap,
				     struct exs_error *err);
	/* The IIS web root (C:\inetpub\wwwroot): Win32 reads PathWWWRoot under
	 * HKLM\SOFTWARE\Microsoft\InetStp and expands %SystemDrive%; POSIX has
	 * no IIS and returns EXS_NOENT. */
	int (*iis_wwwroot)(char *buf, size_t cap, struct exs_error *err);

	/* -- The system log ---------------------------------------------------- */

	/* Writes one event to the system's log: on Win32 the Application
	 * log, source "exsweep", as a classic event whose insertion strings
	 * are the message and then each field's value in order (ReportEventW;
	 * they become the event's <EventData><Data> items; the message file
	 * is exsweep.exe's own message table, registered by the MSI and
	 * win32/task/Install-ExsweepTask.ps1). At most EXS_EVENT_FIELDS_MAX
	 * fields. Returns EXS_OK, EXS_UNSUPPORTED where there is no such log
	 * (POSIX), or another status when the write failed. */
	int (*event_report)(const struct exs_event *ev);

	/* -- Alternate data streams ---------------------------------------------- */

	/* Lists the named data streams of a file (NTFS alternate data
	 * streams, where attackers hide code behind an innocent file), calling
	 * fn with each name as ":name" in WTF-8; the main stream is left out.
	 * The file's path followed by that name opens the stream with
	 * file_open_read. A nonzero return from fn stops and is returned.
	 * NULL where no file system the platform supports has such streams
	 * (POSIX); EXS_UNSUPPORTED where this one has none. */
	int (*file_streams)(const char *path,
			    int (*fn)(void *ctx, const char *name, size_t len),
			    void *ctx, struct exs_error *err);

	/* -- The sandboxed scan worker ---------------------------------------- *
	 * Everything that parses file contents runs in a child process that
	 * holds no rights (scanner/judge.h). The parent starts it, talks to it
	 * over one private byte channel and kills it when it misbehaves; the
	 * child is exsweep's own binary, started in the hidden worker mode
	 * (`exsweep --sandbox-worker ARG`), which enters the sandbox before
	 * it reads a byte from the parent. ARG is the platform's own encoding
	 * of the limits below, made by worker_start and read by sandbox_enter.
	 * POSIX: a process of /proc/self/exe as an unprivileged user, with
	 * no_new_privs, rlimits and a seccomp filter (posix/sandbox_posix.c).
	 * Win32: a child of exsweep.exe with a restricted, low-integrity token
	 * in a job object (win32/sandbox_win32.c). NULL where unsupported. */

	/* Parent: starts a worker. user is the account it runs as when the
	 * parent is root (NULL: "nobody"; ignored on Windows); memory caps its
	 * address space or committed memory (0: none). shared (may be NULL)
	 * is mapped read-only into the worker. EXS_SANDBOX when the sandbox
	 * cannot be set up; the reason is in err. */
	int (*worker_start)(const char *user, uint64_t memory,
			    struct exs_shared *shared, struct exs_worker **out,
			    struct exs_error *err);
	/* Parent: size bytes of memory, writable at *addr here and only
	 * readable in the workers it is given to (a sealed memfd), so that a
	 * file's bytes reach the worker without passing through the channel.
	 * NULL, or EXS_UNSUPPORTED, where there is none: the bytes then go
	 * through the channel. */
	int (*shared_create)(size_t size, struct exs_shared **out, void **addr,
			     struct exs_error *err);
	void (*shared_free)(struct exs_shared *s);
	/* Parent: writes len bytes, or reads exactly len bytes, before the
	 * monotonic deadline_ns. EXS_TIMEOUT when it passed, EXS_WORKER when
	 * the worker closed the channel or died. Never raises SIGPIPE. */
	int (*worker_send)(struct exs_worker *w, const void *buf, size_t len,
			   int64_t deadline_ns, struct exs_error *err);
	int (*worker_recv)(struct exs_worker *w, void *buf, size_t len,
			   int64_t deadline_ns, struct exs_error *err);
	/* Parent: kills the worker if it still runs, reaps it and frees w.
	 * why (may be NULL) gets how it ended: "exited with status 0",
	 * "killed by signal 31 (SIGSYS: a system call the sandbox forbids)". */
	void (*worker_stop)(struct exs_worker *w, char *why, size_t cap);

	/* Worker: drops every right the process holds (user, groups, file
	 * handles but the channel, privileges; then the system-call filter)
	 * as ARG says. Called once, first thing in worker mode. On failure the
	 * process must not go on to parse anything. */
	int (*sandbox_enter)(const char *arg, struct exs_error *err);
	/* Worker: the channel to the parent. channel_read reads exactly len
	 * bytes: EXS_NOENT when the parent closed the channel before the first
	 * byte, EXS_IO on a short read. */
	int (*channel_read)(void *buf, size_t len);
	int (*channel_write)(const void *buf, size_t len);
	/* Worker: the parent's shared memory, read-only; EXS_NOENT when the
	 * worker was started without any. */
	int (*channel_shared)(const void **addr, size_t *size);

	/* -- Reading from an offset (the log pass) ------------------------------ */

	/* Moves the read position of a file opened with file_open_read to
	 * offset bytes from its start, so that a scheduled run reads only what
	 * a log gained since the last one. May be NULL: callers then read and
	 * discard up to the offset. */
	int (*file_seek)(struct exs_file *f, uint64_t offset,
			 struct exs_error *err);

	/* -- Evidence (check/scan --collect) ----------------------------------- */

	/* Opens path for reading as file_open_read does (no link followed, no
	 * FIFO blocked on) but as an evidence copy must: without touching the
	 * original. POSIX asks for O_NOATIME (allowed to the file's owner and
	 * to root) and falls back to a plain open where it is refused; Win32
	 * enables SeBackupPrivilege when the token holds it (so an ACL that
	 * denies administrators does not stop the copy; a file another process
	 * holds without sharing still cannot be opened: EXS_BUSY), opens
	 * with FILE_FLAG_BACKUP_SEMANTICS and, when the handle may write
	 * attributes, tells NTFS not to update the last-access time for it
	 * (SetFileTime with 0xFFFFFFFF). *times gets the times a record does
	 * not hold, read before a byte is, and whether the access time was
	 * kept. May be NULL: callers then use file_open_read and say the
	 * access time may have moved. */
	int (*file_open_evidence)(const char *path, struct exs_file **out,
				  struct exs_evidence_times *times,
				  struct exs_error *err);
	/* -- Catalog signatures (Windows) ---------------------------------------- */

	/* For a PE image with no embedded signature: asks the system whether a
	 * catalog signs it (WinVerifyTrust with CryptCATAdmin catalog lookup).
	 * EXS_OK with out->status EXS_SIG_CATALOG and out->signer when a
	 * catalog vouches and WinVerifyTrust accepts it; any other result
	 * leaves the embedded verdict standing. Called on the privileged side,
	 * never in the worker. NULL where there are no catalogs (POSIX). */
	int (*catalog_verify)(const char *path, struct exs_signature *out);
};

/* The table for the platform exsweep was built for. Never NULL. */
const struct exs_platform *exs_platform_native(void);

#endif
