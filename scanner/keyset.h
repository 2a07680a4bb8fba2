/* keyset.h -- a set of fixed-width keys cut from SHA-256 output.
 *
 * What a run must remember of many files, kept as 16 bytes each instead of
 * a path or a table row: the baseline's seen marks when it has no index
 * (baseline/store.c), the SHA-256s known clean under the run's rules, and
 * the contents the workers judged clean in this run (scanner/sweep.c).
 * The keys must be uniform (a hash's output): their first word is the
 * table's hash, so no crafted input lengthens a probe.
 */
#ifndef EXS_KEYSET_H
#define EXS_KEYSET_H

#include <stddef.h>

struct exs_keyset {
	unsigned char *slots;
	size_t width;    /* bytes a key; set before the first add */
	size_t cap, used;
	int has_zero;
};

/* 1 when added, 0 when already there, -1 out of memory (the set is
 * unchanged). */
int exs_keyset_add(struct exs_keyset *k, const unsigned char *key);
int exs_keyset_has(const struct exs_keyset *k, const unsigned char *key);
void exs_keyset_free(struct exs_keyset *k);

#endif
