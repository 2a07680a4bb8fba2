/* fault_platform.c -- wraps exs_platform_native() and fails chosen paths.
 *
 * Each rule of EXSWEEP_FAULTS is KIND:GLOB. GLOB matches the whole path as the
 * core passes it ('*' any bytes, '/' included; '?' one byte); the first rule
 * that matches decides:
 *   busy    opening the file or folder fails EXS_BUSY, as a Windows sharing
 *           violation does once the backend's retries are spent
 *   vanish  opening fails EXS_NOENT, as if deleted after it was listed
 *   access  opening fails EXS_ACCESS
 *   ioerr   the file opens, its first read succeeds and every later read
 *           fails EXS_IO (a bad sector after the first chunk)
 *   winreplace  file_replace onto this destination fails EXS_ACCESS (os
 *           error 5, MoveFileExW) while this process still has the
 *           destination open, as Windows refuses to rename over a file
 *           opened without delete sharing (SQLite shares no delete);
 *           Linux only, since it looks through /proc/self/fd
 *   nocase  (the glob is ignored) the table says names compare without
 *           case, as Windows does, so case rules are tested on Linux
 * EXSWEEP_EVENTS=FILE gives the table a system log: each event_report
 * appends one JSON line to FILE, {"severity":N,"id":N,"message":"...",
 * "fields":[["name","value"],...]} with the fields in order, so that the
 * Event Log records (--event-log) are tested on Linux as Windows gets
 * them: the message and then each field's value.
 * Paths no rule matches, and every other call, go to the native table.
 * The rules are parsed once; the only state that changes afterwards is the
 * list of open ioerr files, which worker threads share under a mutex.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __linux__
#include <dirent.h>
#include <sys/stat.h>
#endif

#include "buf.h"
#include "escape.h"
#include "fault_platform.h"

enum fault_kind {
	FAULT_NONE = 0,
	FAULT_BUSY,
	FAULT_VANISH,
	FAULT_ACCESS,
	FAULT_IOERR,
	FAULT_WINREPLACE,
	FAULT_NOCASE,
};

#define FAULT_RULES_MAX 32
#define FAULT_SPEC_MAX 4096
#define FAULT_OPEN_MAX 256   /* open ioerr files at once; threads cap at 32 */

struct fault_rule {
	enum fault_kind kind;
	const char *glob;        /* points into fault_spec */
};

struct fault_open_file {
	struct exs_file *file;   /* NULL: free slot */
	unsigned reads;
	char *path;
};

static const struct exs_platform *native;
static struct exs_platform fault_table;
static char fault_spec[FAULT_SPEC_MAX];
static struct fault_rule rules[FAULT_RULES_MAX];
static size_t rule_count;
static int has_ioerr;
static int no_case;
static struct exs_mutex *open_lock;
static struct fault_open_file open_files[FAULT_OPEN_MAX];

/* '*' and '?' over bytes, with one level of backtracking (enough for '*'). */
static int glob_match(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

static enum fault_kind fault_for(const char *path)
{
	for (size_t i = 0; i < rule_count; i++)
		if (glob_match(rules[i].glob, path))
			return rules[i].kind;
	return FAULT_NONE;
}

/* The failure an open of path meets, or EXS_OK. */
static int open_fault(enum fault_kind kind, const char *path,
		      struct exs_error *err)
{
	switch (kind) {
	case FAULT_BUSY:
		return exs_fail(err, EXS_BUSY, EBUSY, "open", path);
	case FAULT_VANISH:
		return exs_fail(err, EXS_NOENT, ENOENT, "open", path);
	case FAULT_ACCESS:
		return exs_fail(err, EXS_ACCESS, EACCES, "open", path);
	default:
		return EXS_OK;
	}
}

static int fault_file_open_read(const char *path, struct exs_file **out,
				struct exs_error *err)
{
	enum fault_kind kind = fault_for(path);
	int rc = open_fault(kind, path, err);
	size_t i;

	if (rc != EXS_OK)
		return rc;
	rc = native->file_open_read(path, out, err);
	if (rc != EXS_OK || kind != FAULT_IOERR)
		return rc;
	native->mutex_lock(open_lock);
	for (i = 0; i < FAULT_OPEN_MAX && open_files[i].file; i++)
		;
	if (i < FAULT_OPEN_MAX) {
		open_files[i].file = *out;
		open_files[i].reads = 0;
		open_files[i].path = strdup(path);
	}
	native->mutex_unlock(open_lock);
	if (i == FAULT_OPEN_MAX)
		fprintf(stderr, "fault: too many open files to fail '%s'\n",
			path);
	return rc;
}

static int fault_file_read(struct exs_file *f, void *buf, size_t cap,
			   size_t *got, struct exs_error *err)
{
	char where[EXS_ERROR_WHERE_MAX] = "";
	int fail = 0;

	if (has_ioerr) {
		native->mutex_lock(open_lock);
		for (size_t i = 0; i < FAULT_OPEN_MAX; i++) {
			if (open_files[i].file != f)
				continue;
			fail = open_files[i].reads++ > 0;
			if (fail && open_files[i].path)
				snprintf(where, sizeof where, "%s",
					 open_files[i].path);
			break;
		}
		native->mutex_unlock(open_lock);
	}
	if (fail) {
		*got = 0;
		return exs_fail(err, EXS_IO, EIO, "read", where);
	}
	return native->file_read(f, buf, cap, got, err);
}

static void fault_file_close(struct exs_file *f)
{
	if (has_ioerr && f) {
		native->mutex_lock(open_lock);
		for (size_t i = 0; i < FAULT_OPEN_MAX; i++) {
			if (open_files[i].file == f) {
				free(open_files[i].path);
				open_files[i].path = NULL;
				open_files[i].file = NULL;
				break;
			}
		}
		native->mutex_unlock(open_lock);
	}
	native->file_close(f);
}

static int fault_dir_open(const char *path, struct exs_dir **out,
			  struct exs_error *err)
{
	enum fault_kind kind = fault_for(path);
	int rc = kind == FAULT_IOERR ? EXS_OK : open_fault(kind, path, err);

	if (rc != EXS_OK)
		return rc;
	return native->dir_open(path, out, err);
}

#ifdef __linux__
/* 1 when one of this process's descriptors is the file at path. */
static int is_open_here(const char *path)
{
	struct stat want, have;
	if (stat(path, &want) != 0)
		return 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	int found = 0;
	struct dirent *e;
	while (!found && (e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || end == e->d_name || fd == dirfd(d))
			continue;
		found = fstat((int)fd, &have) == 0 && have.st_dev == want.st_dev &&
			have.st_ino == want.st_ino;
	}
	closedir(d);
	return found;
}
#endif

static int fault_file_replace(const char *src, const char *dest,
			      struct exs_error *err)
{
#ifdef __linux__
	if (fault_for(dest) == FAULT_WINREPLACE && is_open_here(dest))
		return exs_failf(err, EXS_ACCESS, 5, "MoveFileExW", dest,
				 "the destination is still open (as Windows "
				 "refuses without delete sharing)");
#endif
	return native->file_replace(src, dest, err);
}

static char events_path[4096];

static int fault_event_report(const struct exs_event *ev)
{
	struct exs_buf b;
	exs_buf_init(&b, 1u << 24);
	exs_buf_printf(&b, "{\"severity\":%d,\"id\":%u,\"message\":",
		       ev->severity, ev->id);
	exs_json_string(&b, ev->message, strlen(ev->message));
	exs_buf_puts(&b, ",\"fields\":[");
	for (size_t i = 0; i < ev->field_count; i++) {
		exs_buf_puts(&b, i ? ",[" : "[");
		exs_json_string(&b, ev->fields[i].name, strlen(ev->fields[i].name));
		exs_buf_putc(&b, ',');
		exs_json_string(&b, ev->fields[i].value,
				strlen(ev->fields[i].value));
		exs_buf_putc(&b, ']');
	}
	exs_buf_puts(&b, "]}\n");
	int rc = b.failed;
	if (!rc) {
		FILE *f = fopen(events_path, "ab");
		if (!f || fwrite(b.data, 1, b.len, f) != b.len)
			rc = EXS_IO;
		if (f && fclose(f) != 0)
			rc = EXS_IO;
	}
	exs_buf_free(&b);
	return rc;
}

/* Splits fault_spec in place into rules. */
static int parse_rules(void)
{
	static const struct {
		const char *name;
		enum fault_kind kind;
	} kinds[] = {
		{"busy", FAULT_BUSY},
		{"vanish", FAULT_VANISH},
		{"access", FAULT_ACCESS},
		{"ioerr", FAULT_IOERR},
#ifdef __linux__
		{"winreplace", FAULT_WINREPLACE},
#endif
		{"nocase", FAULT_NOCASE},
	};
	char *item = fault_spec;

	while (item && *item) {
		char *next = strchr(item, ';');
		char *colon;
		size_t k;

		if (next)
			*next++ = '\0';
		if (*item == '\0') {
			item = next;
			continue;
		}
		colon = strchr(item, ':');
		if (!colon || colon[1] == '\0') {
			fprintf(stderr, "fault: rule '%s' is not KIND:GLOB\n",
				item);
			return -1;
		}
		*colon = '\0';
		for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			if (strcmp(kinds[k].name, item) == 0)
				break;
		if (k == sizeof kinds / sizeof kinds[0]) {
			fprintf(stderr, "fault: unknown fault kind '%s'\n",
				item);
			return -1;
		}
		if (rule_count == FAULT_RULES_MAX) {
			fprintf(stderr, "fault: more than %d rules\n",
				FAULT_RULES_MAX);
			return -1;
		}
		rules[rule_count].kind = kinds[k].kind;
		rules[rule_count].glob = colon + 1;
		rule_count++;
		if (kinds[k].kind == FAULT_IOERR)
			has_ioerr = 1;
		if (kinds[k].kind == FAULT_NOCASE)
			no_case = 1;
		item = next;
	}
	return 0;
}

const struct exs_platform *fault_platform(void)
{
	struct exs_error err;
	int rc;

	if (native)
		return &fault_table;
	native = exs_platform_native();
	rc = native->env_get("EXSWEEP_FAULTS", fault_spec, sizeof fault_spec);
	if (rc == EXS_NOENT)
		fault_spec[0] = '\0';
	else if (rc != EXS_OK) {
		fprintf(stderr, "fault: cannot read EXSWEEP_FAULTS: %s\n",
			exs_strerror(rc));
		return NULL;
	}
	if (parse_rules() != 0)
		return NULL;
	if (native->mutex_create(&open_lock, &err) != EXS_OK) {
		fprintf(stderr, "fault: cannot create a mutex: %s\n",
			exs_strerror(err.status));
		return NULL;
	}
	fault_table = *native;
	fault_table.file_open_read = fault_file_open_read;
	fault_table.file_read = fault_file_read;
	fault_table.file_close = fault_file_close;
	fault_table.dir_open = fault_dir_open;
	fault_table.file_replace = fault_file_replace;
	if (no_case)
		fault_table.case_insensitive = 1;
	rc = native->env_get("EXSWEEP_EVENTS", events_path, sizeof events_path);
	if (rc == EXS_OK && events_path[0])
		fault_table.event_report = fault_event_report;
	else if (rc != EXS_OK && rc != EXS_NOENT) {
		fprintf(stderr, "fault: cannot read EXSWEEP_EVENTS: %s\n",
			exs_strerror(rc));
		return NULL;
	}
	return &fault_table;
}
