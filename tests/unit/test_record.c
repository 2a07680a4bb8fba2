/* test_record.c -- which attributes count as a change, and timestomps.
 *
 * A difference that is missed hides a modified file; a difference that is
 * reported when nothing changed (volume_id after a reboot) buries the real
 * findings under thousands of false ones. So each attribute is changed alone
 * and must produce exactly its own bit, and nothing else.
 */
#include "record.h"
#include "test.h"

static void base_record(struct exs_record *r)
{
	memset(r, 0, sizeof(*r));
	r->st.node = EXS_NODE_FILE;
	r->st.size = 4096;
	r->st.mtime_ns = 1700000000123456789LL;
	r->st.ctime_ns = 1700000000987654321LL;
	r->st.mode = 0100644;
	r->st.volume_id = 2049;
	r->st.file_id = 131077;
	r->st.link_count = 1;
	snprintf(r->st.owner, sizeof(r->st.owner), "S-1-5-18");
	for (int i = 0; i < EXS_SHA256_LEN; i++) {
		r->sha256[i] = (unsigned char)i;
		r->security_sha256[i] = (unsigned char)(0xA0 + i);
	}
	r->has_security = 1;
}

static void test_identical(void)
{
	struct exs_record a, b;
	base_record(&a);
	base_record(&b);
	ASSERT_EQ(exs_record_diff(&a, &b), 0);
	ASSERT_EQ(exs_record_diff(&a, &a), 0);
}

static void test_each_attribute_alone(void)
{
	struct exs_record o, n;

	base_record(&o);
	n = o;
	n.sha256[31] ^= 1;            /* the last byte too is compared */
	ASSERT_EQ(exs_record_diff(&o, &n), EXS_ATTR_SHA256);

	n = o;
	n.sha256[0] ^= 0x80;
	ASSERT_EQ(exs_record_diff(&o, &n), EXS_ATTR_SHA256);

	n = o;
	n.st.size = o.st.size + (1ULL << 32); /* a high-bit-only change */
	ASSERT_EQ(exs_record_diff(&o, &n), EXS_ATTR_SIZE);

	n = o;
	n.st.mtime_ns = o.st.mtime_ns + 1;    /* one nanosecond counts */
	ASSERT_EQ(exs_record_diff(&o, &n), EXS_ATTR_MTIME);

	n = o;
	n.st.ctime_ns = o.st.ctime_ns - 1;
	ASSERT_EQ(exs_record_diff(&o, &n), EXS_ATTR_CTIME);

	n = o;
	n.st.mode = 0104755;                  /* setuid added */
	ASSERT_EQ(exs_record_diff(&o, &n), EXS_ATTR_MODE);

	n = o;
	snprintf(n.st.owner, sizeof(n.st.owner), "S-1-5-32-544");
	ASSERT_EQ(exs_record_diff(&o, &n), EXS_ATTR_OWNER);

	n = o;
	snprintf(n.st.owner, sizeof(n.st.owner), "s-1-5-18"); /* case matters */
	ASSERT_EQ(exs_record_diff(&o, &n), EXS_ATTR_OWNER);

	n = o;
	n.st.file_id = o.st.file_id + 1;      /* replaced by another file */
	ASSERT_EQ(exs_record_diff(&o, &n), EXS_ATTR_FILE_ID);

	n = o;
	n.security_sha256[17] ^= 4;
	ASSERT_EQ(exs_record_diff(&o, &n), EXS_ATTR_SECURITY);

	/* An ACL appearing or disappearing is a change of its own. */
	n = o;
	n.has_security = 0;
	ASSERT_EQ(exs_record_diff(&o, &n), EXS_ATTR_SECURITY);
	ASSERT_EQ(exs_record_diff(&n, &o), EXS_ATTR_SECURITY);
}

static void test_security_absent_on_both(void)
{
	/* Where the platform records no ACL the stale digest bytes must not
	 * be compared. */
	struct exs_record o, n;
	base_record(&o);
	o.has_security = 0;
	n = o;
	memset(n.security_sha256, 0x55, sizeof(n.security_sha256));
	ASSERT_EQ(exs_record_diff(&o, &n), 0);
}

static void test_volume_id_not_compared(void)
{
	/* st_dev (and a volume serial) changes across reboots, remounts and
	 * re-attached images while every file stays the same: comparing it
	 * would report every file of the baseline as changed. */
	struct exs_record o, n;
	base_record(&o);
	n = o;
	n.st.volume_id = 66306;
	ASSERT_EQ(exs_record_diff(&o, &n), 0);
	n.st.volume_id = 0;
	ASSERT_EQ(exs_record_diff(&o, &n), 0);
}

static void test_several_attributes(void)
{
	struct exs_record o, n;
	base_record(&o);
	n = o;
	n.sha256[3] ^= 1;
	n.st.size = 1;
	n.st.mtime_ns = 0;
	n.st.volume_id = 7;
	ASSERT_EQ(exs_record_diff(&o, &n),
		  EXS_ATTR_SHA256 | EXS_ATTR_SIZE | EXS_ATTR_MTIME);
}

static void test_timestomp(void)
{
	/* The content changed and the modification time was set back: what a
	 * webshell dropper does to blend in. ctime moved, which it cannot
	 * set back. */
	struct exs_record o, n;
	base_record(&o);
	n = o;
	n.sha256[5] ^= 0xff;
	n.st.size = o.st.size + 40;
	n.st.ctime_ns = o.st.ctime_ns + 1000;
	unsigned d = exs_record_diff(&o, &n);
	ASSERT_EQ(d, EXS_ATTR_SHA256 | EXS_ATTR_SIZE | EXS_ATTR_CTIME);
	ASSERT_EQ(exs_record_is_timestomp(d), 1);

	/* An honest edit moves mtime too. */
	n.st.mtime_ns = o.st.mtime_ns + 5;
	ASSERT_EQ(exs_record_is_timestomp(exs_record_diff(&o, &n)), 0);

	/* Same content, only times changed (touch): not a timestomp. */
	n = o;
	n.st.mtime_ns += 1;
	ASSERT_EQ(exs_record_is_timestomp(exs_record_diff(&o, &n)), 0);
	ASSERT_EQ(exs_record_is_timestomp(0), 0);
	ASSERT_EQ(exs_record_is_timestomp(EXS_ATTR_SHA256), 1);
	ASSERT_EQ(exs_record_is_timestomp(EXS_ATTR_SHA256 | EXS_ATTR_MTIME), 0);
	ASSERT_EQ(exs_record_is_timestomp(EXS_ATTR_SIZE), 0);
}

static void test_attr_names(void)
{
	static const char *const want[EXS_ATTR_COUNT] = {
		"sha256", "size", "mtime", "ctime", "mode", "owner", "file_id",
		"security",
	};
	for (unsigned i = 0; i < EXS_ATTR_COUNT; i++)
		ASSERT_STR_EQ(exs_attr_name(1u << i), want[i]);
	ASSERT_STR_EQ(exs_attr_name(EXS_ATTR_SHA256), "sha256");
	ASSERT_STR_EQ(exs_attr_name(EXS_ATTR_SECURITY), "security");
	/* Not a single attribute bit. */
	ASSERT_STR_EQ(exs_attr_name(0), "unknown");
	ASSERT_STR_EQ(exs_attr_name(1u << EXS_ATTR_COUNT), "unknown");
	ASSERT_STR_EQ(exs_attr_name(EXS_ATTR_SIZE | EXS_ATTR_MTIME), "unknown");
}

int main(void)
{
	RUN(test_identical);
	RUN(test_each_attribute_alone);
	RUN(test_security_absent_on_both);
	RUN(test_volume_id_not_compared);
	RUN(test_several_attributes);
	RUN(test_timestomp);
	RUN(test_attr_names);
	return TEST_EXIT();
}
