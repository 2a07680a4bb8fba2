/* test_platform.c -- the exs_platform contract, as every backend must keep it.
 *
 * Uses only exs_platform_native() and the C library's string functions, so
 * the same file tests posix/ and win32/ (under wine for the cross build). It
 * works in a fresh directory under $EXS_TEST_TMPDIR (meson sets it to the
 * build directory), else TMPDIR, TEMP, TMP or /tmp. The interface has no
 * directory removal, so the emptied directories stay behind there.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"
#include "status.h"
#include "test.h"

#define PATH_CAP 2048

static const struct exs_platform *P;
static char root[PATH_CAP];

static void join(char *out, const char *dir, const char *name)
{
	snprintf(out, PATH_CAP, "%s%c%s", dir, P->path_separator, name);
}

static int write_text(const char *path, unsigned flags, const char *text)
{
	struct exs_file *f;
	struct exs_error err;
	int rc = P->file_create(path, flags, &f, &err);
	if (rc)
		return rc;
	rc = P->file_write(f, text, strlen(text), &err);
	if (!rc)
		rc = P->file_sync(f, &err);
	P->file_close(f);
	return rc;
}

/* Reads a whole file into buf (NUL-terminated), in small reads on purpose. */
static int read_text(const char *path, char *buf, size_t cap, size_t *len)
{
	struct exs_file *f;
	struct exs_error err;
	size_t got;
	int rc = P->file_open_read(path, &f, &err);
	*len = 0;
	if (rc)
		return rc;
	do {
		size_t want = cap - 1 - *len < 7 ? cap - 1 - *len : 7;
		rc = P->file_read(f, buf + *len, want, &got, &err);
		*len += got;
	} while (!rc && got > 0 && *len < cap - 1);
	buf[*len] = '\0';
	P->file_close(f);
	return rc;
}

static int sane_time(int64_t ns, int64_t now)
{
	const int64_t day = 86400LL * 1000000000LL;
	return ns > now - day && ns < now + day;
}

static void test_write_read_stat(void)
{
	char path[PATH_CAP], buf[64];
	size_t len;
	join(path, root, "hello.txt");
	ASSERT_EQ(write_text(path, EXS_CREATE_EXCLUSIVE, "hello, world"),
		  EXS_OK);
	ASSERT_EQ(read_text(path, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_EQ(len, 12);
	ASSERT_STR_EQ(buf, "hello, world");

	struct exs_file *f;
	struct exs_error err;
	struct exs_stat st;
	ASSERT_EQ(P->file_open_read(path, &f, &err), EXS_OK);
	int rc = P->file_stat(f, &st, &err);
	P->file_close(f);
	ASSERT_EQ(rc, EXS_OK);
	int64_t now = P->clock_wall_ns();
	ASSERT_EQ(st.node, EXS_NODE_FILE);
	ASSERT_EQ(st.size, 12);
	ASSERT_EQ(st.link_count, 1);
	ASSERT_TRUE(st.file_id != 0);
	ASSERT_TRUE(sane_time(st.mtime_ns, now));
	ASSERT_TRUE(sane_time(st.ctime_ns, now));

	struct exs_stat by_path;
	ASSERT_EQ(P->path_stat(path, &by_path, &err), EXS_OK);
	ASSERT_EQ(by_path.node, EXS_NODE_FILE);
	ASSERT_EQ(by_path.file_id, st.file_id);
	ASSERT_EQ(by_path.volume_id, st.volume_id);
	ASSERT_EQ(by_path.mtime_ns, st.mtime_ns);
}

static void test_large_read_matches_write(void)
{
	static unsigned char data[200000], back[200000];
	char path[PATH_CAP];
	struct exs_file *f;
	struct exs_error err;
	size_t total = 0, got;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + (i >> 8));
	join(path, root, "large.bin");
	ASSERT_EQ(P->file_create(path, EXS_CREATE_EXCLUSIVE, &f, &err),
		  EXS_OK);
	int rc = P->file_write(f, data, sizeof(data), &err);
	P->file_close(f);
	ASSERT_EQ(rc, EXS_OK);

	ASSERT_EQ(P->file_open_read(path, &f, &err), EXS_OK);
	/* The worker's read-ahead hint, past the end too, leaves the read
	 * position and the bytes as they were. */
	if (P->file_prefetch)
		P->file_prefetch(f, 1u << 20);
	do {
		rc = P->file_read(f, back + total, 4096 < sizeof(back) - total
							   ? 4096
							   : sizeof(back) - total,
				  &got, &err);
		total += got;
	} while (rc == EXS_OK && got > 0 && total < sizeof(back));
	/* At the end, a read gives 0 bytes and no error. */
	if (rc == EXS_OK)
		rc = P->file_read(f, back, 16, &got, &err);
	P->file_close(f);
	ASSERT_EQ(rc, EXS_OK);
	ASSERT_EQ(got, 0);
	ASSERT_EQ(total, sizeof(data));
	ASSERT_MEM_EQ(back, data, sizeof(data));
	ASSERT_EQ(P->file_remove(path, &err), EXS_OK);
}

static void test_create_flags(void)
{
	char path[PATH_CAP], buf[64];
	size_t len;
	join(path, root, "flags.txt");
	ASSERT_EQ(write_text(path, EXS_CREATE_EXCLUSIVE, "first version"),
		  EXS_OK);
	ASSERT_EQ(write_text(path, EXS_CREATE_EXCLUSIVE, "again"),
		  EXS_EXISTS);
	ASSERT_EQ(write_text(path, EXS_CREATE_TRUNCATE, "second"), EXS_OK);
	ASSERT_EQ(read_text(path, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "second");
	/* Neither flag: opened as it is, written from the start. */
	ASSERT_EQ(write_text(path, 0, "SE"), EXS_OK);
	ASSERT_EQ(read_text(path, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "SEcond");

	char private_path[PATH_CAP];
	join(private_path, root, "private.txt");
	ASSERT_EQ(write_text(private_path,
			     EXS_CREATE_EXCLUSIVE | EXS_CREATE_PRIVATE,
			     "secret"),
		  EXS_OK);
	struct exs_error err;
	ASSERT_EQ(P->file_remove(private_path, &err), EXS_OK);
}

static void test_replace(void)
{
	char src[PATH_CAP], dest[PATH_CAP], buf[64];
	size_t len;
	struct exs_error err;
	join(src, root, "baseline.tmp");
	join(dest, root, "baseline.db");
	ASSERT_EQ(write_text(dest, EXS_CREATE_EXCLUSIVE, "old"), EXS_OK);
	ASSERT_EQ(write_text(src, EXS_CREATE_EXCLUSIVE, "new"), EXS_OK);
	ASSERT_EQ(P->file_replace(src, dest, &err), EXS_OK);
	ASSERT_EQ(read_text(dest, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "new");
	ASSERT_EQ(read_text(src, buf, sizeof(buf), &len), EXS_NOENT);
	/* Also when dest does not exist yet. */
	ASSERT_EQ(write_text(src, EXS_CREATE_EXCLUSIVE, "newer"), EXS_OK);
	ASSERT_EQ(P->file_remove(dest, &err), EXS_OK);
	ASSERT_EQ(P->file_replace(src, dest, &err), EXS_OK);
	ASSERT_EQ(read_text(dest, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "newer");
}

static void test_missing_file_error_context(void)
{
	char path[PATH_CAP];
	struct exs_file *f = NULL;
	struct exs_error err;
	struct exs_stat st;
	join(path, root, "no-such-file");
	exs_error_clear(&err);
	ASSERT_EQ(P->file_open_read(path, &f, &err), EXS_NOENT);
	ASSERT_TRUE(f == NULL);
	ASSERT_EQ(err.status, EXS_NOENT);
	ASSERT_TRUE(err.os_code != 0);
	ASSERT_TRUE(err.op && err.op[0]);
	ASSERT_STR_EQ(err.where, path);
	ASSERT_EQ(P->path_stat(path, &st, &err), EXS_NOENT);
	ASSERT_EQ(P->file_remove(path, &err), EXS_NOENT);

	char deeper[PATH_CAP];
	join(deeper, path, "child");
	ASSERT_EQ(P->file_open_read(deeper, &f, &err), EXS_NOENT);
}

/* Finds name in a listing of dir; returns its node, or -1 if absent. */
static int listed_node(const char *dir, const char *name, int *count)
{
	struct exs_dir *d;
	struct exs_dirent ent;
	struct exs_error err;
	int node = -1;
	*count = 0;
	if (P->dir_open(dir, &d, &err))
		return -2;
	while (P->dir_next(d, &ent, &err) == EXS_OK && ent.name) {
		(*count)++;
		if (strlen(ent.name) != ent.name_len)
			node = -3;
		else if (strcmp(ent.name, name) == 0 && node == -1)
			node = (int)ent.node;
	}
	P->dir_close(d);
	return node;
}

static void test_dir_listing(void)
{
	char dir[PATH_CAP], path[PATH_CAP];
	struct exs_error err;
	struct exs_stat st;
	int count;
	join(dir, root, "listing");
	ASSERT_EQ(P->dir_create(dir, 0, &err), EXS_OK);
	join(path, dir, "a.aspx");
	ASSERT_EQ(write_text(path, EXS_CREATE_EXCLUSIVE, "a"), EXS_OK);
	join(path, dir, "b.config");
	ASSERT_EQ(write_text(path, EXS_CREATE_EXCLUSIVE, "b"), EXS_OK);
	join(path, dir, "sub");
	ASSERT_EQ(P->dir_create(path, 0, &err), EXS_OK);

	ASSERT_EQ(listed_node(dir, "a.aspx", &count), EXS_NODE_FILE);
	ASSERT_EQ(count, 3); /* no "." or ".." */
	ASSERT_EQ(listed_node(dir, "b.config", &count), EXS_NODE_FILE);
	ASSERT_EQ(listed_node(dir, "sub", &count), EXS_NODE_DIR);
	ASSERT_EQ(listed_node(dir, ".", &count), -1);
	ASSERT_EQ(listed_node(dir, "..", &count), -1);
	ASSERT_EQ(listed_node(path, "anything", &count), -1);
	ASSERT_EQ(count, 0); /* an empty directory lists nothing */

	ASSERT_EQ(P->path_stat(path, &st, &err), EXS_OK);
	ASSERT_EQ(st.node, EXS_NODE_DIR);

	struct exs_dir *d = NULL;
	join(path, dir, "a.aspx");
	ASSERT_EQ(P->dir_open(path, &d, &err), EXS_NOTDIR);
	join(path, dir, "missing");
	ASSERT_EQ(P->dir_open(path, &d, &err), EXS_NOENT);
	ASSERT_STR_EQ(err.where, path);
}

static void test_dir_create_with_parents(void)
{
	char path[PATH_CAP], file[PATH_CAP], buf[16];
	struct exs_error err;
	struct exs_stat st;
	size_t len;
	snprintf(path, sizeof(path), "%s%cp%cq%cr", root, P->path_separator,
		 P->path_separator, P->path_separator);
	ASSERT_EQ(P->dir_create(path, 0, &err), EXS_OK);
	ASSERT_EQ(P->path_stat(path, &st, &err), EXS_OK);
	ASSERT_EQ(st.node, EXS_NODE_DIR);
	/* Already there: fine, as with mkdir -p. */
	ASSERT_EQ(P->dir_create(path, 0, &err), EXS_OK);
	join(file, path, "f");
	ASSERT_EQ(write_text(file, EXS_CREATE_EXCLUSIVE, "deep"), EXS_OK);
	ASSERT_EQ(read_text(file, buf, sizeof(buf), &len), EXS_OK);
	ASSERT_STR_EQ(buf, "deep");
	/* A file in the way is not a directory. */
	ASSERT_TRUE(P->dir_create(file, 0, &err) != EXS_OK);

	char private_dir[PATH_CAP];
	join(private_dir, root, "private-dir");
	ASSERT_EQ(P->dir_create(private_dir, EXS_CREATE_PRIVATE, &err),
		  EXS_OK);
}

static void test_lock(void)
{
	char path[PATH_CAP];
	struct exs_file *f;
	struct exs_error err;
	join(path, root, "exsweep.lock");
	ASSERT_EQ(P->file_create(path, 0, &f, &err), EXS_OK);
	int rc = P->file_lock(f, &err);
	P->file_close(f);
	ASSERT_EQ(rc, EXS_OK);
	/* file_close released it. */
	ASSERT_EQ(P->file_create(path, 0, &f, &err), EXS_OK);
	rc = P->file_lock(f, &err);
	P->file_close(f);
	ASSERT_EQ(rc, EXS_OK);
}

static void test_security_if_any(void)
{
	char path[PATH_CAP], buf[4096];
	struct exs_file *f;
	struct exs_error err;
	size_t len = 0;
	if (!P->file_security)
		return;
	join(path, root, "hello.txt");
	ASSERT_EQ(P->file_open_read(path, &f, &err), EXS_OK);
	int rc = P->file_security(f, buf, sizeof(buf), &len, &err);
	P->file_close(f);
	ASSERT_TRUE(rc == EXS_OK || rc == EXS_UNSUPPORTED);
	if (rc == EXS_OK)
		ASSERT_TRUE(len > 0 && len < sizeof(buf));
}

struct counter {
	struct exs_mutex *mutex;
	long value;
};

static void count_up(void *arg)
{
	struct counter *c = arg;
	for (int i = 0; i < 20000; i++) {
		P->mutex_lock(c->mutex);
		c->value++;
		P->mutex_unlock(c->mutex);
	}
}

static void test_threads_and_mutex(void)
{
	struct counter c = { NULL, 0 };
	struct exs_thread *threads[4];
	struct exs_error err;
	ASSERT_EQ(P->mutex_create(&c.mutex, &err), EXS_OK);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(P->thread_create(&threads[i], count_up, &c, &err),
			  EXS_OK);
	for (int i = 0; i < 4; i++)
		P->thread_join(threads[i]);
	P->mutex_destroy(c.mutex);
	ASSERT_EQ(c.value, 80000);
}

struct handoff {
	struct exs_mutex *mutex;
	struct exs_cond *cond;
	int ready;
};

static void hand_over(void *arg)
{
	struct handoff *h = arg;
	P->mutex_lock(h->mutex);
	h->ready = 1;
	P->cond_signal(h->cond);
	P->mutex_unlock(h->mutex);
}

static void test_condition_variable(void)
{
	struct handoff h = { NULL, NULL, 0 };
	struct exs_thread *t;
	struct exs_error err;
	ASSERT_EQ(P->mutex_create(&h.mutex, &err), EXS_OK);
	ASSERT_EQ(P->cond_create(&h.cond, &err), EXS_OK);

	P->mutex_lock(h.mutex);
	ASSERT_EQ(P->thread_create(&t, hand_over, &h, &err), EXS_OK);
	while (!h.ready)
		P->cond_wait(h.cond, h.mutex);
	P->mutex_unlock(h.mutex);
	P->thread_join(t);

	/* Nobody signals: the timed wait times out, and not too early. */
	int64_t start = P->clock_monotonic_ns();
	P->mutex_lock(h.mutex);
	int rc = P->cond_timed_wait(h.cond, h.mutex, 30);
	while (rc == EXS_OK) /* a spurious wakeup is allowed */
		rc = P->cond_timed_wait(h.cond, h.mutex, 30);
	P->mutex_unlock(h.mutex);
	int64_t waited = P->clock_monotonic_ns() - start;
	ASSERT_EQ(rc, EXS_TIMEOUT);
	ASSERT_TRUE(waited >= 15 * 1000000LL);

	P->mutex_lock(h.mutex);
	P->cond_broadcast(h.cond); /* with no waiter: a no-op */
	P->mutex_unlock(h.mutex);
	P->cond_destroy(h.cond);
	P->mutex_destroy(h.mutex);
}

static void test_clocks(void)
{
	int64_t a = P->clock_monotonic_ns();
	int64_t b = P->clock_monotonic_ns();
	ASSERT_TRUE(b >= a);
	/* 2020-01-01 < now < 2100-01-01 */
	int64_t now = P->clock_wall_ns();
	ASSERT_TRUE(now > 1577836800LL * 1000000000LL);
	ASSERT_TRUE(now < 4102444800LL * 1000000000LL);
}

static void test_process_and_machine(void)
{
	char buf[PATH_CAP];
	struct exs_error err;
	ASSERT_TRUE(P->cpu_count() >= 1);
	P->host_name(buf, sizeof(buf));
	ASSERT_TRUE(buf[0] != '\0');
	ASSERT_EQ(P->env_get("EXSWEEP_SURELY_UNSET_VARIABLE", buf,
			     sizeof(buf)),
		  EXS_NOENT);
	ASSERT_EQ(P->place(EXS_PLACE_CONFIG_FILE, buf, sizeof(buf), &err),
		  EXS_OK);
	size_t len = strlen(buf);
	ASSERT_TRUE(len > 11 && strcmp(buf + len - 11, "exsweep.ini") == 0);
	ASSERT_EQ(P->place(EXS_PLACE_DATA_DIR, buf, sizeof(buf), &err),
		  EXS_OK);
	ASSERT_TRUE(strstr(buf, "exsweep") != NULL);
	/* Too small a buffer fails; it is never cut short silently. */
	ASSERT_TRUE(P->place(EXS_PLACE_DATA_DIR, buf, 4, &err) != EXS_OK);
	ASSERT_TRUE(P->peak_rss() > 0);
	ASSERT_TRUE(P->is_terminal(EXS_STDOUT) == 0 ||
		    P->is_terminal(EXS_STDOUT) == 1);
	const char line[] = "# stream_write works\n";
	ASSERT_EQ(P->stream_write(EXS_STDOUT, line, sizeof(line) - 1), EXS_OK);
	ASSERT_EQ(P->set_low_priority(&err), EXS_OK);
	/* Discovery: found or EXS_NOENT, never anything else on a test host. */
	ASSERT_TRUE(P->exchange_install_path != NULL && P->iis_wwwroot != NULL);
	int found = P->exchange_install_path(buf, sizeof(buf), &err);
	ASSERT_TRUE(found == EXS_OK || found == EXS_NOENT);
	found = P->iis_wwwroot(buf, sizeof(buf), &err);
	ASSERT_TRUE(found == EXS_OK || found == EXS_NOENT);
	/* Not called: a test must not write to a real machine's event log. */
	ASSERT_TRUE(P->event_report != NULL);
}

/* Removes the files the tests leave; the directories have to stay. */
static void remove_files(void)
{
	static const char *files[] = {
		"hello.txt", "flags.txt", "baseline.db", "exsweep.lock",
		"listing/a.aspx", "listing/b.config", "p/q/r/f",
	};
	struct exs_error err;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char name[64], path[PATH_CAP];
		snprintf(name, sizeof(name), "%s", files[i]);
		for (char *c = name; *c; c++)
			if (*c == '/')
				*c = P->path_separator;
		join(path, root, name);
		P->file_remove(path, &err);
	}
}

static int make_root(void)
{
	static const char *vars[] = { "EXS_TEST_TMPDIR", "TMPDIR", "TEMP",
				      "TMP" };
	char base[PATH_CAP] = "/tmp";
	struct exs_error err;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (P->env_get(vars[i], base, sizeof(base)) == EXS_OK &&
		    base[0])
			break;
	snprintf(root, sizeof(root), "%s%cexsweep-platform-%lld", base,
		 P->path_separator, (long long)P->clock_wall_ns());
	int rc = P->dir_create(root, 0, &err);
	if (rc) {
		char msg[2048];
		exs_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "cannot create test directory: %s\n", msg);
	}
	return rc;
}

int main(void)
{
	P = exs_platform_native();
	printf("# platform %s\n", P->name);
	if (make_root())
		return 1;
	printf("# working in %s\n", root);
	fflush(stdout);

	RUN(test_write_read_stat);
	RUN(test_large_read_matches_write);
	RUN(test_create_flags);
	RUN(test_replace);
	RUN(test_missing_file_error_context);
	RUN(test_dir_listing);
	RUN(test_dir_create_with_parents);
	RUN(test_lock);
	RUN(test_security_if_any);
	RUN(test_threads_and_mutex);
	RUN(test_condition_variable);
	RUN(test_clocks);
	fflush(stdout);
	RUN(test_process_and_machine);
	remove_files();
	return TEST_EXIT();
}
