/* replay.c -- main() for a harness built without libFuzzer: runs
 * LLVMFuzzerTestOneInput once over every file named on the command line,
 * and over every file in every folder named (in name order, not
 * recursively). A folder that does not exist counts as empty, so a harness
 * that has never found anything needs no regressions/ folder.
 *
 * This is what `./tests/run` does with the seeds and the kept crashes: a
 * finding aborts (FUZZ_CHECK, ASan, UBSan) and fails the test. Test code
 * may use POSIX; the core may not.
 *
 *   fuzz_NAME [-v] PATH...    -v names each input before running it
 *
 * No input at all is a failure: the seeds folder is never empty, so an
 * empty run means the seeds were not generated.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int verbose;
static unsigned long replayed;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path,
			strerror(errno));
		return 1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fprintf(stderr, "replay: out of memory\n");
			fclose(f);
			return 1;
		}
		len += fread(buf + len, 1, cap - len, f);
		if (len < cap)
			break;
		uint8_t *grown = realloc(buf, cap * 2);
		if (!grown)
			free(buf);
		buf = grown;
		cap *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		free(buf);
		return 1;
	}
	if (verbose)
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	/* libFuzzer hands the harness exactly len bytes: so does this, in a
	 * buffer of its own size, for ASan to catch a read past the end. */
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact) {
		free(buf);
		return 1;
	}
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	replayed++;
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "replay: cannot list '%s': %s\n", path,
			strerror(errno));
		return 1;
	}
	char **names = NULL;
	size_t count = 0, cap = 0;
	struct dirent *e;
	int failed = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue; /* ".", "..", and hidden files */
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			char **grown = realloc(names, cap * sizeof(*names));
			if (!grown) {
				failed = 1;
				break;
			}
			names = grown;
		}
		size_t n = strlen(path) + 1 + strlen(e->d_name) + 1;
		if (!(names[count] = malloc(n))) {
			failed = 1;
			break;
		}
		snprintf(names[count++], n, "%s/%s", path, e->d_name);
	}
	closedir(d);
	if (count > 1)
		qsort(names, count, sizeof(*names), compare_names);
	for (size_t i = 0; i < count; i++) {
		struct stat st;
		if (!failed && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			failed |= run_file(names[i]);
		free(names[i]);
	}
	free(names);
	return failed;
}

int main(int argc, char **argv)
{
	int failed = 0;
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (strcmp(argv[i], "-v") == 0) {
			verbose = 1;
		} else if (stat(argv[i], &st) != 0) {
			if (errno != ENOENT) {
				fprintf(stderr, "replay: cannot stat '%s': %s\n",
					argv[i], strerror(errno));
				failed = 1;
			}
		} else if (S_ISDIR(st.st_mode)) {
			failed |= run_dir(argv[i]);
		} else {
			failed |= run_file(argv[i]);
		}
	}
	printf("%lu inputs replayed\n", replayed);
	if (!replayed) {
		fprintf(stderr, "replay: no input found\n");
		failed = 1;
	}
	return failed;
}
