/* ndjson.c -- the NDJSON report: one JSON object per line, in the shapes
 * SIEMs already read (README, "The NDJSON report"; the mapping field by
 * field is there).
 *
 * Why a second machine format beside the JSON report: that one is a single
 * document in exsweep's own schema, which a log shipper cannot cut into
 * events and a SIEM has to be taught. Here every line stands alone:
 *   - a change (added, changed, removed), an unreadable file and a skipped
 *     node are an Elastic Common Schema file event (event.category "file",
 *     file.*, host.*), as Auditbeat's file integrity module writes them;
 *   - each verdict (a YARA rule or heuristic on a file, an exploitation
 *     trace in a log) is an OCSF Detection Finding (class 2004) with the
 *     rule as finding_info.analytic and the file as evidences[].file, and
 *     the run as malware_scan_info;
 *   - the last line is the run itself, an OCSF Scan Activity (class 6007,
 *     Completed).
 * exsweep's own facts (generation, seal, Exchange build, ACL digest, the
 * exact bytes of names) go under "exsweep" in every record, so no field
 * of either schema is given a meaning it does not have.
 *
 * Strings go through exs_json_string like the JSON report's; a name that
 * is not valid UTF-8 keeps its exact bytes in exsweep.path_b64 (and the
 * other X_b64 twins under exsweep), the project's convention. Records are
 * produced in 64 KiB pieces through the sink, so memory does not grow with
 * the findings. The writer parses nothing: the fuzz harness fuzz_report
 * checks every line it writes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "regfinding.h"
#include "buf.h"
#include "escape.h"
#include "hash.h"
#include "run.h"

#define FLUSH_AT (64u * 1024)

/* The schema versions the records follow; the tests validate against
 * exactly these (tools/fetch-ecs, tests/ocsf-1.5.0.json). */
#define ECS_VERSION "9.3.0"
#define OCSF_VERSION "1.5.0"

struct writer {
	struct exs_buf buf;
	const struct exs_sink *out;
	int status;
	const struct exs_run *run;
	int windows;            /* Windows attributes, SIDs, '\\' paths */
	char sep;
	char run_id[33];        /* hex, from host, start time and command */
	char when[48];          /* the run's end, ISO 8601 with ns */
	int64_t when_ms;
	uint64_t detections;    /* the Detection Findings written */
};

static void flush(struct writer *w, int force)
{
	exs_report_flush(&w->buf, w->out, &w->status, force, FLUSH_AT);
}

static void put(struct writer *w, const char *s) { exs_buf_puts(&w->buf, s); }

static void key(struct writer *w, const char *k)
{
	exs_buf_printf(&w->buf, "\"%s\":", k);
}

/* "k":"..." (after a comma unless first); returns 1 when bytes were lost
 * to U+FFFD, so that the caller can keep the exact bytes somewhere. */
static int str_kv(struct writer *w, const char *k, const char *v, size_t len)
{
	key(w, k);
	return exs_json_string(&w->buf, v, len);
}

static int str_kz(struct writer *w, const char *k, const char *v)
{
	return str_kv(w, k, v ? v : "", v ? strlen(v) : 0);
}

/* s JSON-escaped without the quotes, inside a string being written. */
static int json_inner(struct writer *w, const char *s, size_t len)
{
	struct exs_buf *b = &w->buf;
	size_t at = b->len;
	int lossy = exs_json_string(b, s, len);
	if (!b->failed && b->len >= at + 2) {
		memmove(b->data + at, b->data + at + 1, b->len - at - 2);
		b->len -= 2;
		b->data[b->len] = '\0';
	}
	return lossy;
}

/* "k":"...", and "k_b64":"..." with the exact bytes when that lost some:
 * for exsweep's own object, where the twin is the convention. */
static void bytes_twin(struct writer *w, const char *k, const char *v,
		       size_t len)
{
	if (str_kv(w, k, v, len)) {
		exs_buf_printf(&w->buf, ",\"%s_b64\":\"", k);
		exs_base64(&w->buf, (const unsigned char *)v, len);
		put(w, "\"");
	}
}

static void b64_field(struct writer *w, const char *k, const char *v,
		      size_t len)
{
	exs_buf_printf(&w->buf, ",\"%s\":\"", k);
	exs_base64(&w->buf, (const unsigned char *)v, len);
	put(w, "\"");
}

/* "2024-05-01T12:00:00.123456789Z": ECS dates keep the nanoseconds. */
static void iso_ns(int64_t ns, char *buf, size_t cap)
{
	/* exs_format_time rounds down to the second itself; handing it ns
	 * (not secs * 1e9, which overflows near INT64_MIN) keeps every
	 * int64 valid. */
	int64_t frac = ns % 1000000000;
	if (frac < 0)
		frac += 1000000000;
	char t[40];
	exs_format_time(ns, t, sizeof(t));
	size_t n = strlen(t);
	if (n && t[n - 1] == 'Z')
		t[n - 1] = '\0';
	snprintf(buf, cap, "%s.%09" PRId64 "Z", t, frac);
}

/* OCSF timestamp_t: milliseconds since 1970, rounded down. */
static int64_t ms(int64_t ns)
{
	int64_t m = ns / 1000000;
	if (ns < 0 && m * 1000000 != ns)
		m--;
	return m;
}

/* ---- Names: where the separator and the extension are ------------------- */

struct name_parts {
	size_t dir_len;         /* the folder: path[0, dir_len) */
	size_t name_off, name_len;
	size_t ext_off, ext_len;   /* ext_len 0: none */
	size_t fork_off, fork_len; /* an NTFS stream "file:stream"; 0: none */
};

static void split(const struct writer *w, const char *p, size_t len,
		  struct name_parts *np)
{
	memset(np, 0, sizeof(*np));
	size_t i = len;
	while (i > 0 && p[i - 1] != w->sep && !(w->windows && p[i - 1] == '/'))
		i--;
	np->dir_len = i > 1 ? i - 1 : i; /* keep "/" for a file at the root */
	np->name_off = i;
	np->name_len = len - i;
	if (w->windows) {
		/* logon.aspx:x is the stream x of logon.aspx (streams_win32.c
		 * walks them so): the name and extension are the file's. */
		const char *colon = memchr(p + i, ':', len - i);
		if (colon) {
			np->fork_off = (size_t)(colon - p) + 1;
			np->fork_len = len - np->fork_off;
			np->name_len = (size_t)(colon - p) - i;
		}
	}
	for (size_t j = np->name_len; j > 1; j--) {
		if (p[np->name_off + j - 1] == '.') {
			if (j < np->name_len) {
				np->ext_off = np->name_off + j;
				np->ext_len = np->name_len - j;
			}
			break;
		}
	}
}

/* ---- Pieces every record shares ------------------------------------------- */

static void ocsf_metadata(struct writer *w)
{
	put(w, ",\"metadata\":{\"version\":\"" OCSF_VERSION "\",\"product\":{"
	       "\"name\":\"exsweep\",\"vendor_name\":\"exsweep\","
	       "\"version\":\"" EXS_VERSION "\"},\"log_name\":\"exsweep\"}");
}

static void ocsf_device(struct writer *w)
{
	put(w, ",\"device\":{");
	str_kz(w, "hostname", w->run->host);
	put(w, ",\"type_id\":1,\"type\":\"Server\",\"os\":");
	put(w, w->windows ? "{\"name\":\"Windows\",\"type_id\":100,\"type\":\"Windows\"}}"
			  : "{\"name\":\"Linux\",\"type_id\":200,\"type\":\"Linux\"}}");
}

/* The run as OCSF describes a malware scanning job. */
static void scan_object(struct writer *w, int malware_info)
{
	const struct exs_run *run = w->run;
	exs_buf_printf(&w->buf, "{\"uid\":\"%s\",\"name\":\"exsweep ", w->run_id);
	json_inner(w, run->command, strlen(run->command));
	put(w, "\",\"type_id\":99,\"type\":");
	exs_json_string(&w->buf, run->command, strlen(run->command));
	if (malware_info) {
		uint64_t infected = run->counts[EXS_FINDING_WEBSHELL] +
				    run->counts[EXS_FINDING_SUSPICIOUS];
		exs_buf_printf(&w->buf, ",\"start_time\":%" PRId64
			       ",\"end_time\":%" PRId64 ",\"num_files\":%" PRIu64
			       ",\"num_infected\":%" PRIu64 ",\"size\":%" PRIu64,
			       ms(run->started_ns), ms(run->finished_ns),
			       run->files, infected, run->bytes);
	}
	put(w, "}");
}

/* exsweep.*: the run and the baseline the record belongs to. */
static void exsweep_common(struct writer *w, const char *record)
{
	const struct exs_run *run = w->run;
	exs_buf_printf(&w->buf, "\"record\":\"%s\",\"run_id\":\"%s\",", record,
		       w->run_id);
	str_kz(w, "command", run->command);
	char build[32];
	exs_build_format(&run->build, build, sizeof(build));
	if (build[0]) {
		put(w, ",");
		str_kz(w, "exchange_build", build);
	}
	const struct exs_generation *g = exs_run_generation(run);
	if (g) {
		exs_buf_printf(&w->buf, ",\"generation\":%" PRId64 ",", g->id);
		str_kz(w, "seal", g->seal);
		exs_buf_printf(&w->buf, ",\"sealed\":%s",
			       run->baseline_schema >= 2 ? "true" : "false");
	}
}

/* ---- ECS file events ---------------------------------------------------- */

/* Windows file attributes by ECS's names (FILE_ATTRIBUTE_* bits). */
static const struct {
	uint32_t bit;
	const char *name;
} win_attrs[] = {
	{ 0x1, "readonly" }, { 0x2, "hidden" }, { 0x4, "system" },
	{ 0x20, "archive" }, { 0x100, "temporary" }, { 0x200, "sparse" },
	{ 0x400, "reparse_point" }, { 0x800, "compressed" },
	{ 0x1000, "offline" }, { 0x2000, "not_content_indexed" },
	{ 0x4000, "encrypted" },
};

/* file.* of ECS for path with record r (NULL: the path alone). */
static void ecs_file(struct writer *w, const char *path, size_t len,
		     const struct exs_record *r, const char *type)
{
	struct name_parts np;
	char t[48], hex[2 * EXS_SHA256_LEN + 1];
	split(w, path, len, &np);
	put(w, ",\"file\":{");
	str_kv(w, "path", path, len);
	put(w, ",");
	str_kv(w, "name", path + np.name_off, np.name_len);
	put(w, ",");
	str_kv(w, "directory", path, np.dir_len);
	if (np.ext_len) {
		put(w, ",");
		str_kv(w, "extension", path + np.ext_off, np.ext_len);
	}
	if (np.fork_len) {
		put(w, ",");
		str_kv(w, "fork_name", path + np.fork_off, np.fork_len);
	}
	exs_buf_printf(&w->buf, ",\"type\":\"%s\"", type);
	if (!r) {
		put(w, "}");
		return;
	}
	exs_buf_printf(&w->buf, ",\"size\":%" PRIu64, r->st.size);
	iso_ns(r->st.mtime_ns, t, sizeof(t));
	exs_buf_printf(&w->buf, ",\"mtime\":\"%s\"", t);
	iso_ns(r->st.ctime_ns, t, sizeof(t));
	exs_buf_printf(&w->buf, ",\"ctime\":\"%s\"", t);
	exs_buf_printf(&w->buf, ",\"inode\":\"%" PRIu64 "\",\"device\":\"%" PRIu64 "\"",
		       r->st.file_id, r->st.volume_id);
	exs_hex(r->sha256, EXS_SHA256_LEN, hex);
	exs_buf_printf(&w->buf, ",\"hash\":{\"sha256\":\"%s\"}", hex);
	if (w->windows) {
		/* The owner SID: ECS's uid holds "the UID or SID". */
		if (r->st.owner[0]) {
			put(w, ",");
			str_kz(w, "uid", r->st.owner);
		}
		put(w, ",\"attributes\":[");
		int n = 0;
		for (size_t i = 0; i < sizeof(win_attrs) / sizeof(*win_attrs); i++)
			if (r->st.mode & win_attrs[i].bit)
				exs_buf_printf(&w->buf, "%s\"%s\"", n++ ? "," : "",
					       win_attrs[i].name);
		put(w, "]");
	} else {
		/* "uid:gid" as recorded. */
		const char *colon = strchr(r->st.owner, ':');
		size_t ulen = colon ? (size_t)(colon - r->st.owner)
				    : strlen(r->st.owner);
		if (ulen) {
			put(w, ",");
			str_kv(w, "uid", r->st.owner, ulen);
		}
		if (colon && colon[1]) {
			put(w, ",");
			str_kz(w, "gid", colon + 1);
		}
		exs_buf_printf(&w->buf, ",\"mode\":\"%04" PRIo32 "\"",
			       r->st.mode & 07777);
	}
	put(w, "}");
}

/* The attributes of one record under exsweep (the old side of a change). */
static void exsweep_attrs(struct writer *w, const char *k,
			  const struct exs_record *r)
{
	char t[48], hex[2 * EXS_SHA256_LEN + 1];
	exs_buf_printf(&w->buf, ",\"%s\":{\"size\":%" PRIu64, k, r->st.size);
	iso_ns(r->st.mtime_ns, t, sizeof(t));
	exs_buf_printf(&w->buf, ",\"mtime\":\"%s\",\"mtime_ns\":%" PRId64, t,
		       r->st.mtime_ns);
	iso_ns(r->st.ctime_ns, t, sizeof(t));
	exs_buf_printf(&w->buf, ",\"ctime\":\"%s\",\"ctime_ns\":%" PRId64, t,
		       r->st.ctime_ns);
	exs_buf_printf(&w->buf, ",\"mode\":%" PRIu32 ",", r->st.mode);
	bytes_twin(w, "owner", r->st.owner, strlen(r->st.owner));
	exs_buf_printf(&w->buf, ",\"volume_id\":%" PRIu64 ",\"file_id\":%" PRIu64,
		       r->st.volume_id, r->st.file_id);
	exs_hex(r->sha256, EXS_SHA256_LEN, hex);
	exs_buf_printf(&w->buf, ",\"sha256\":\"%s\"", hex);
	if (r->has_security) {
		exs_hex(r->security_sha256, EXS_SHA256_LEN, hex);
		exs_buf_printf(&w->buf, ",\"acl_sha256\":\"%s\"", hex);
	}
	put(w, "}");
}

/* The head of an ECS record, up to and including event.*. */
static void ecs_head(struct writer *w, const char *type, const char *action,
		     const char *outcome)
{
	exs_buf_printf(&w->buf, "{\"@timestamp\":\"%s\",\"ecs\":{\"version\":\""
		       ECS_VERSION "\"},\"event\":{\"kind\":\"event\","
		       "\"category\":[\"file\"],\"type\":[\"%s\"],"
		       "\"action\":\"%s\",\"outcome\":\"%s\","
		       "\"module\":\"exsweep\",\"dataset\":\"exsweep.file\","
		       "\"provider\":\"exsweep\"},", w->when, type, action,
		       outcome);
	put(w, "\"host\":{");
	str_kz(w, "name", w->run->host);
	put(w, ",");
	str_kz(w, "hostname", w->run->host);
	exs_buf_printf(&w->buf, ",\"os\":{\"type\":\"%s\"}},\"agent\":{"
		       "\"type\":\"exsweep\",\"version\":\"" EXS_VERSION "\"}",
		       w->windows ? "windows" : "linux");
}

static void ecs_message(struct writer *w, const char *what, const char *path,
			size_t len)
{
	exs_buf_printf(&w->buf, ",\"message\":\"%s: ", what);
	json_inner(w, path, len);
	put(w, "\"");
}

/* The exact bytes of the path, under exsweep, when file.path lost some. */
static void path_twin(struct writer *w, const char *path, size_t len)
{
	if (!exs_utf8_valid(path, len))
		b64_field(w, "path_b64", path, len);
}

static void change_record(struct writer *w, const struct exs_finding *f)
{
	const char *type = f->kind == EXS_FINDING_ADDED ? "creation"
			 : f->kind == EXS_FINDING_REMOVED ? "deletion" : "change";
	const char *action = exs_finding_kind_name(f->kind);
	const struct exs_record *r = f->kind == EXS_FINDING_REMOVED ? &f->old_rec
								    : &f->new_rec;
	ecs_head(w, type, action, "success");
	ecs_file(w, f->path, f->path_len, r, "file");
	ecs_message(w, action, f->path, f->path_len);
	put(w, ",\"exsweep\":{");
	exsweep_common(w, "change");
	exs_buf_printf(&w->buf, ",\"kind\":\"%s\"", action);
	path_twin(w, f->path, f->path_len);
	if (r->has_security) {
		char hex[2 * EXS_SHA256_LEN + 1];
		exs_hex(r->security_sha256, EXS_SHA256_LEN, hex);
		exs_buf_printf(&w->buf, ",\"acl_sha256\":\"%s\"", hex);
	}
	if (f->kind == EXS_FINDING_CHANGED) {
		put(w, ",\"changed\":[");
		for (unsigned bit = 1, n = 0; bit < (1u << EXS_ATTR_COUNT);
		     bit <<= 1)
			if (f->changed & bit)
				exs_buf_printf(&w->buf, "%s\"%s\"", n++ ? "," : "",
					       exs_attr_name(bit));
		exs_buf_printf(&w->buf, "],\"timestomp\":%s",
			       f->timestomp ? "true" : "false");
		exsweep_attrs(w, "old", &f->old_rec);
	}
	put(w, "}}\n");
}

/* A configuration entry added, removed or changed: an ECS file event on the
 * config file (its line in exsweep.registration), the entry's fields as
 * exsweep's own, never as ECS fields they are not. */
static void registration_record(struct writer *w, const struct exs_finding *f)
{
	static const char *const names[EXS_REGF_COUNT] = {
		"change", "kind", "scope", "name", "path", "image", "type",
		"extra", "old_image", "old_type", "old_extra", "image_path",
		"image_exists", "suspicious",
	};
	struct exs_reg_fields r;
	if (exs_reg_finding_unpack(f->message, &r)) {
		w->buf.failed = EXS_NOMEM;
		return;
	}
	const char *change = r.f[EXS_REGF_CHANGE];
	const char *type = strcmp(change, "added") == 0 ? "creation"
			 : strcmp(change, "removed") == 0 ? "deletion" : "change";
	ecs_head(w, type, "registration", "success");
	ecs_file(w, f->path, f->path_len, NULL, "file");
	ecs_message(w, "registration", f->path, f->path_len);
	put(w, ",\"exsweep\":{");
	exsweep_common(w, "registration");
	put(w, ",\"kind\":\"registration\"");
	path_twin(w, f->path, f->path_len);
	exs_buf_printf(&w->buf, ",\"registration\":{\"line\":%llu",
		       (unsigned long long)f->trace.line);
	for (int i = 0; i < EXS_REGF_COUNT; i++) {
		put(w, ",");
		str_kz(w, names[i], r.f[i]);
	}
	put(w, "}}}\n");
	exs_reg_fields_free(&r);
}

static void error_record(struct writer *w, const struct exs_finding *f)
{
	const char *message = f->message ? f->message : exs_strerror(f->status);
	ecs_head(w, "info", "error", "failure");
	ecs_file(w, f->path, f->path_len, NULL, "file");
	put(w, ",\"error\":{");
	str_kz(w, "code", exs_status_name(f->status));
	put(w, ",");
	int lossy = str_kz(w, "message", message);
	if (f->op) {
		put(w, ",");
		str_kz(w, "type", f->op);
	}
	put(w, "}");
	ecs_message(w, "error", f->path, f->path_len);
	put(w, ",\"exsweep\":{");
	exsweep_common(w, "error");
	put(w, ",\"kind\":\"error\"");
	path_twin(w, f->path, f->path_len);
	exs_buf_printf(&w->buf, ",\"os_code\":%ld", f->os_code);
	if (lossy)
		b64_field(w, "message_b64", message, strlen(message));
	put(w, "}}\n");
}

static void skipped_record(struct writer *w, const struct exs_skipped *s)
{
	static const char *const ecs_types[] = {
		[EXS_NODE_UNKNOWN] = "unknown", [EXS_NODE_FILE] = "file",
		[EXS_NODE_DIR] = "dir", [EXS_NODE_LINK] = "symlink",
		[EXS_NODE_FIFO] = "fifo", [EXS_NODE_SOCKET] = "socket",
		[EXS_NODE_DEVICE] = "device",
	};
	unsigned node = (unsigned)s->node;
	const char *type = node < sizeof(ecs_types) / sizeof(*ecs_types) &&
			   ecs_types[node] ? ecs_types[node] : "unknown";
	ecs_head(w, "info", "skipped", "success");
	ecs_file(w, s->path, s->path_len, NULL, type);
	ecs_message(w, "skipped", s->path, s->path_len);
	put(w, ",\"exsweep\":{");
	exsweep_common(w, "skipped");
	exs_buf_printf(&w->buf, ",\"kind\":\"skipped\",\"node\":\"%s\"",
		       exs_node_name(s->node));
	path_twin(w, s->path, s->path_len);
	put(w, "}}\n");
}

/* ---- OCSF Detection Findings -------------------------------------------- */

/* OCSF severity_id from the rule's own severity, else from the kind. */
static int severity_id(const struct exs_finding *f, const struct exs_hit *h)
{
	static const struct {
		const char *name;
		int id;
	} names[] = {
		{ "informational", 1 }, { "info", 1 }, { "low", 2 },
		{ "medium", 3 }, { "high", 4 }, { "critical", 5 },
	};
	for (size_t i = 0; h && i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(h->severity, names[i].name))
			return names[i].id;
	return f->kind == EXS_FINDING_SUSPICIOUS ? 3 : 4;
}

static const char *severity_caption(int id)
{
	static const char *const captions[] = {
		"Unknown", "Informational", "Low", "Medium", "High", "Critical",
	};
	return id >= 0 && id <= 5 ? captions[id] : "Other";
}

/* finding_info.uid: the same for the same verdict on the same bytes of the
 * same path on the same host, run after run, so a SIEM can fold repeats. */
static void finding_uid(const struct writer *w, const struct exs_finding *f,
			const struct exs_hit *h, char out[65])
{
	struct exs_buf b;
	unsigned char digest[EXS_SHA256_LEN];
	exs_buf_init(&b, 1u << 20);
	exs_buf_puts(&b, w->run->host);
	exs_buf_putc(&b, '\0');
	exs_buf_append(&b, f->path, f->path_len);
	exs_buf_putc(&b, '\0');
	if (h) {
		exs_buf_puts(&b, h->ns);
		exs_buf_putc(&b, '\0');
		exs_buf_puts(&b, h->rule);
		exs_buf_putc(&b, '\0');
	}
	if (f->kind == EXS_FINDING_EXPLOIT_TRACE)
		exs_buf_printf(&b, "%" PRIu64, f->trace.line);
	else if (f->has_new)
		exs_buf_append(&b, f->new_rec.sha256, EXS_SHA256_LEN);
	if (b.failed || exs_sha256_buffer(b.data, b.len, digest))
		memset(digest, 0, sizeof(digest));
	exs_hex(digest, EXS_SHA256_LEN, out);
	exs_buf_free(&b);
}

/* The OCSF file object of an evidence. */
static void ocsf_file(struct writer *w, const char *path, size_t len,
		      const struct exs_record *r)
{
	struct name_parts np;
	char hex[2 * EXS_SHA256_LEN + 1];
	split(w, path, len, &np);
	put(w, "\"file\":{");
	str_kv(w, "name", path + np.name_off,
	       np.fork_len ? len - np.name_off : np.name_len);
	put(w, ",");
	str_kv(w, "path", path, len);
	put(w, ",");
	str_kv(w, "parent_folder", path, np.dir_len);
	put(w, ",\"type_id\":1,\"type\":\"Regular File\"");
	if (r) {
		exs_hex(r->sha256, EXS_SHA256_LEN, hex);
		exs_buf_printf(&w->buf, ",\"size\":%" PRIu64 ",\"modified_time\":%"
			       PRId64 ",\"uid\":\"%" PRIu64 "\",\"hashes\":[{"
			       "\"algorithm_id\":3,\"algorithm\":\"SHA-256\","
			       "\"value\":\"%s\"}]", r->st.size,
			       ms(r->st.mtime_ns), r->st.file_id, hex);
		if (r->st.owner[0]) {
			const char *colon = w->windows ? NULL
						       : strchr(r->st.owner, ':');
			put(w, ",\"owner\":{");
			str_kv(w, "uid", r->st.owner,
			       colon ? (size_t)(colon - r->st.owner)
				     : strlen(r->st.owner));
			put(w, "}");
		}
		if (w->windows)
			exs_buf_printf(&w->buf, ",\"attributes\":%" PRIu32,
				       r->st.mode);
	}
	put(w, "}");
}

static void ocsf_head(struct writer *w, int class_uid, int category_uid,
		      const char *class_name, const char *category_name,
		      int activity_id, const char *activity_name, int severity)
{
	exs_buf_printf(&w->buf, "{\"class_uid\":%d,\"class_name\":\"%s\","
		       "\"category_uid\":%d,\"category_name\":\"%s\","
		       "\"activity_id\":%d,\"activity_name\":\"%s\","
		       "\"type_uid\":%d,\"type_name\":\"%s: %s\","
		       "\"severity_id\":%d,\"severity\":\"%s\","
		       "\"time\":%" PRId64, class_uid, class_name, category_uid,
		       category_name, activity_id, activity_name,
		       class_uid * 100 + activity_id, class_name, activity_name,
		       severity, severity_caption(severity), w->when_ms);
	ocsf_metadata(w);
	ocsf_device(w);
}

/* One Detection Finding: hit h of finding f (a webshell or suspicious
 * file), or f's technique (an exploit_trace, h = f->hits[0] or NULL). */
static void detection(struct writer *w, const struct exs_finding *f,
		      const struct exs_hit *h)
{
	char uid[65];
	int trace = f->kind == EXS_FINDING_EXPLOIT_TRACE;
	int sev = severity_id(f, h);
	const char *kind = exs_finding_kind_name(f->kind);
	const char *rule = h ? h->rule : "";
	int heuristic = h && strcmp(h->ns, "heuristic") == 0;
	int code = h && (!strcmp(h->ns, "code") || !strcmp(h->ns, "normalised"));
	w->detections++;
	ocsf_head(w, 2004, 2, "Detection Finding", "Findings", 1, "Create", sev);
	put(w, ",\"status_id\":1,\"status\":\"New\",\"message\":\"");
	exs_buf_printf(&w->buf, "%s: ", kind);
	json_inner(w, f->path, f->path_len);
	put(w, " (");
	json_inner(w, rule, strlen(rule));
	put(w, ")\"");

	finding_uid(w, f, h, uid);
	exs_buf_printf(&w->buf, ",\"finding_info\":{\"uid\":\"%s\",\"title\":\"%s: ",
		       uid, kind);
	json_inner(w, rule, strlen(rule));
	exs_buf_printf(&w->buf, "\",\"types\":[\"%s\"],\"created_time\":%" PRId64,
		       kind, w->when_ms);
	if (trace && f->trace.time_ns)
		exs_buf_printf(&w->buf, ",\"first_seen_time\":%" PRId64
			       ",\"last_seen_time\":%" PRId64,
			       ms(f->trace.time_ns), ms(f->trace.time_ns));
	if (h && h->description[0]) {
		put(w, ",");
		str_kz(w, "desc", h->description);
	}
	put(w, ",\"analytic\":{");
	str_kz(w, "name", rule);
	if (h) {
		put(w, ",\"uid\":\"");
		json_inner(w, h->ns, strlen(h->ns));
		put(w, ":");
		json_inner(w, h->rule, strlen(h->rule));
		put(w, "\"");
		if (h->family[0]) {
			put(w, ",");
			str_kz(w, "category", h->family);
		}
		if (h->description[0]) {
			put(w, ",");
			str_kz(w, "desc", h->description);
		}
	}
	if (heuristic || code || trace)
		put(w, ",\"type_id\":99,\"type\":\"Heuristic\"}}");
	else
		put(w, ",\"type_id\":1,\"type\":\"Rule\"}}");

	/* The evidence: the file, and what in it (or in the log line). */
	put(w, ",\"evidences\":[{");
	ocsf_file(w, f->path, f->path_len, f->has_new ? &f->new_rec : NULL);
	put(w, ",\"data\":{");
	if (trace) {
		char t[48];
		exs_buf_printf(&w->buf, "\"line\":%" PRIu64, f->trace.line);
		if (f->trace.time_ns) {
			iso_ns(f->trace.time_ns, t, sizeof(t));
			exs_buf_printf(&w->buf, ",\"time\":\"%s\"", t);
		}
		put(w, ",");
		bytes_twin(w, "client", f->trace.client, strlen(f->trace.client));
		put(w, ",");
		bytes_twin(w, "user", f->trace.user, strlen(f->trace.user));
		exs_buf_printf(&w->buf, ",\"http_status\":%d,",
			       f->trace.http_status);
		const char *req = f->message ? f->message : "";
		bytes_twin(w, "request", req, strlen(req));
	} else if (h) {
		put(w, "\"strings\":[");
		for (unsigned j = 0; j < h->string_count; j++) {
			const struct exs_hit_string *s = &h->strings[j];
			put(w, j ? ",{" : "{");
			bytes_twin(w, "id", s->id, strnlen(s->id, sizeof(s->id)));
			exs_buf_printf(&w->buf, ",\"offset\":%" PRIu64
				       ",\"length\":%" PRIu32 ",", s->offset,
				       s->length);
			bytes_twin(w, "excerpt", (const char *)s->excerpt,
				   s->excerpt_len);
			put(w, "}");
		}
		put(w, "]");
	}
	put(w, "}}]");

	put(w, ",\"malware_scan_info\":");
	scan_object(w, 1);

	put(w, ",\"exsweep\":{");
	exsweep_common(w, "finding");
	exs_buf_printf(&w->buf, ",\"kind\":\"%s\"", kind);
	path_twin(w, f->path, f->path_len);
	if (h) {
		put(w, ",");
		bytes_twin(w, "rule", h->rule, strlen(h->rule));
		put(w, ",");
		bytes_twin(w, "namespace", h->ns, strlen(h->ns));
		put(w, ",");
		bytes_twin(w, "tags", h->tags, strlen(h->tags));
		put(w, ",");
		bytes_twin(w, "rule_severity", h->severity, strlen(h->severity));
		if (h->description[0] && !exs_utf8_valid(h->description,
							  strlen(h->description)))
			b64_field(w, "description_b64", h->description,
				  strlen(h->description));
	}
	if (f->has_new && f->new_rec.has_security) {
		char hex[2 * EXS_SHA256_LEN + 1];
		exs_hex(f->new_rec.security_sha256, EXS_SHA256_LEN, hex);
		exs_buf_printf(&w->buf, ",\"acl_sha256\":\"%s\"", hex);
	}
	put(w, "}}\n");
	flush(w, 0);
}

static int one_finding(void *ctx, const struct exs_finding *f)
{
	struct writer *w = ctx;
	switch (f->kind) {
	case EXS_FINDING_WEBSHELL:
	case EXS_FINDING_SUSPICIOUS:
		for (size_t i = 0; i < f->hit_count; i++)
			detection(w, f, &f->hits[i]);
		if (!f->hit_count)
			detection(w, f, NULL);
		break;
	case EXS_FINDING_EXPLOIT_TRACE:
		detection(w, f, f->hit_count ? &f->hits[0] : NULL);
		break;
	case EXS_FINDING_CHANGED:
	case EXS_FINDING_ADDED:
	case EXS_FINDING_REMOVED:
		change_record(w, f);
		break;
	case EXS_FINDING_REGISTRATION:
		registration_record(w, f);
		break;
	case EXS_FINDING_ERROR:
	default:
		error_record(w, f);
		break;
	}
	flush(w, 0);
	return w->status;
}

/* ---- The run: an OCSF Scan Activity, Completed ----------------------------- */

static void summary(struct writer *w)
{
	const struct exs_run *run = w->run;
	int sev = run->counts[EXS_FINDING_WEBSHELL] ? 5
		: run->counts[EXS_FINDING_SUSPICIOUS] ||
		  run->counts[EXS_FINDING_EXPLOIT_TRACE] ? 4
		: run->finding_count ? 3 : 1;
	ocsf_head(w, 6007, 6, "Scan Activity", "Application Activity", 2,
		  "Completed", sev);
	exs_buf_printf(&w->buf, ",\"status_id\":1,\"status\":\"Success\","
		       "\"start_time\":%" PRId64 ",\"end_time\":%" PRId64
		       ",\"duration\":%" PRId64 ",\"scan\":",
		       ms(run->started_ns), ms(run->finished_ns),
		       ms(run->finished_ns) - ms(run->started_ns));
	scan_object(w, 0);
	exs_buf_printf(&w->buf, ",\"num_files\":%" PRIu64 ",\"num_detections\":%"
		       PRIu64 ",\"num_skipped_items\":%" PRIu64 ",\"total\":%"
		       PRIu64, run->files, w->detections, run->skipped,
		       run->files);
	exs_buf_printf(&w->buf, ",\"message\":\"exsweep %s: %" PRIu64 " files, %"
		       PRIu64 " findings; exit code %d\"", run->command,
		       run->files, (uint64_t)run->finding_count, run->exit_code);
	put(w, ",\"exsweep\":{");
	exsweep_common(w, "summary");
	exs_buf_printf(&w->buf, ",\"exit_code\":%d,\"counts\":{\"files\":%" PRIu64
		       ",\"bytes\":%" PRIu64 ",\"scanned\":%" PRIu64
		       ",\"scan_reused\":%" PRIu64 ",\"skipped\":%" PRIu64,
		       run->exit_code, run->files, run->bytes, run->scanned,
		       run->reused, run->skipped);
	for (int k = 0; k < EXS_FINDING_KIND_COUNT; k++)
		exs_buf_printf(&w->buf, ",\"%s\":%" PRIu64,
			       exs_finding_kind_name((enum exs_finding_kind)k),
			       run->counts[k]);
	put(w, "}");
	const struct exs_generation *g = exs_run_generation(run);
	if (g) {
		put(w, ",\"baseline\":{");
		bytes_twin(w, "path", run->baseline_path ? run->baseline_path : "",
			   run->baseline_path ? strlen(run->baseline_path) : 0);
		exs_buf_printf(&w->buf, ",\"schema\":%d,\"generation\":%" PRId64 ",",
			       run->baseline_schema, g->id);
		str_kz(w, "created", g->created);
		put(w, ",");
		str_kz(w, "exchange_build", g->exchange_build);
		put(w, ",");
		str_kz(w, "rules_digest", g->rules_digest);
		put(w, ",");
		str_kz(w, "config_digest", g->config_digest);
		exs_buf_printf(&w->buf, ",\"rules_changed\":%s,\"config_changed\":%s}",
			       run->rules_changed < 0 ? "null"
			       : run->rules_changed ? "true" : "false",
			       run->config_changed < 0 ? "null"
			       : run->config_changed ? "true" : "false");
	}
	if (run->against) {
		put(w, ",");
		bytes_twin(w, "against", run->against, strlen(run->against));
	}
	exs_buf_printf(&w->buf, ",\"rules\":{\"builtin\":%u,\"extra\":%u,"
		       "\"count\":%u}", run->rules_builtin, run->rules_extra,
		       run->rule_count);
	if (!exs_utf8_valid(run->host, strlen(run->host)))
		b64_field(w, "host_b64", run->host, strlen(run->host));
	put(w, ",\"warnings\":[");
	int lossy = 0;
	for (size_t i = 0; i < run->warnings.count; i++) {
		if (i)
			put(w, ",");
		lossy |= exs_json_string(&w->buf, run->warnings.items[i],
					 strlen(run->warnings.items[i]));
	}
	put(w, "]");
	if (lossy) {
		put(w, ",\"warnings_b64\":[");
		for (size_t i = 0; i < run->warnings.count; i++) {
			put(w, i ? ",\"" : "\"");
			exs_base64(&w->buf,
				   (const unsigned char *)run->warnings.items[i],
				   strlen(run->warnings.items[i]));
			put(w, "\"");
		}
		put(w, "]");
	}
	put(w, "}}\n");
}

int exs_report_ndjson(const struct exs_run *run, int windows,
		      const struct exs_sink *out)
{
	struct writer w = { .out = out, .run = run, .windows = windows,
			    .sep = windows ? '\\' : '/' };
	unsigned char digest[EXS_SHA256_LEN];
	char hex[2 * EXS_SHA256_LEN + 1];
	struct exs_buf id;
	exs_buf_init(&id, 4096);
	exs_buf_puts(&id, run->host);
	exs_buf_putc(&id, '\0');
	exs_buf_printf(&id, "%" PRId64, run->started_ns);
	exs_buf_putc(&id, '\0');
	exs_buf_puts(&id, run->command);
	if (id.failed || exs_sha256_buffer(id.data, id.len, digest))
		memset(digest, 0, sizeof(digest));
	exs_buf_free(&id);
	exs_hex(digest, EXS_SHA256_LEN, hex);
	memcpy(w.run_id, hex, 32);
	w.run_id[32] = '\0';
	iso_ns(run->finished_ns, w.when, sizeof(w.when));
	w.when_ms = ms(run->finished_ns);

	exs_buf_init(&w.buf, 16u << 20);
	int rc = exs_run_each_finding(run, one_finding, &w);
	if (rc && !w.status)
		w.status = rc;
	for (size_t i = 0; !w.status && i < run->skipped_listed; i++) {
		skipped_record(&w, &run->skipped_list[i]);
		flush(&w, 0);
	}
	if (!w.status)
		summary(&w);
	flush(&w, 1);
	exs_buf_free(&w.buf);
	return w.status;
}
