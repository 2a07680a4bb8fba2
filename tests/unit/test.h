/* test.h -- the smallest unit test harness that prints both values.
 *
 * A test file defines functions `static void test_x(void)` and a main that
 * runs them with RUN(test_x) and returns TEST_EXIT(). A failed assertion
 * prints FILE:LINE and both values, marks the test failed and returns from
 * the test function. The last line is "N passed, N failed".
 */
#ifndef EXS_TEST_H
#define EXS_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int test_failed_count, test_passed_count, test_current_failed;

#define TEST_FAIL_(...)                                                     \
	do {                                                                \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);             \
		fprintf(stderr, __VA_ARGS__);                               \
		fprintf(stderr, "\n");                                      \
		test_current_failed = 1;                                    \
		return;                                                     \
	} while (0)

#define ASSERT_TRUE(c)                                                      \
	do {                                                                \
		if (!(c))                                                   \
			TEST_FAIL_("assertion failed: %s", #c);             \
	} while (0)

#define ASSERT_EQ(a, b)                                                     \
	do {                                                                \
		long long a_ = (long long)(a), b_ = (long long)(b);         \
		if (a_ != b_)                                               \
			TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_);   \
	} while (0)

#define ASSERT_STR_EQ(a, b)                                                 \
	do {                                                                \
		const char *a_ = (a), *b_ = (b);                            \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                      \
			TEST_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b,    \
				   a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	} while (0)

#define ASSERT_MEM_EQ(a, b, n)                                              \
	do {                                                                \
		if (memcmp((a), (b), (n)) != 0)                             \
			TEST_FAIL_("%s and %s differ in %zu bytes", #a, #b, \
				   (size_t)(n));                            \
	} while (0)

#define RUN(fn)                                                             \
	do {                                                                \
		test_current_failed = 0;                                    \
		fn();                                                       \
		if (test_current_failed) {                                  \
			test_failed_count++;                                \
			fprintf(stderr, "FAIL %s\n", #fn);                  \
		} else {                                                    \
			test_passed_count++;                                \
		}                                                           \
	} while (0)

#define TEST_EXIT()                                                         \
	(printf("%d passed, %d failed\n", test_passed_count,                \
		test_failed_count),                                         \
	 test_failed_count ? 1 : 0)

#endif
