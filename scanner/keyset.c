/* keyset.c -- a set of fixed-width keys (see keyset.h).
 *
 * Open addressing with linear probing over a power-of-two table at most
 * half full; the keys are SHA-256 output, so their first word is a uniform
 * hash and no crafted input lengthens a probe. An all-zero slot is empty,
 * so the all-zero key is kept as a flag of its own.
 */
#include <stdlib.h>
#include <string.h>

#include "keyset.h"

static int is_zero(const unsigned char *key, size_t width)
{
	for (size_t i = 0; i < width; i++)
		if (key[i])
			return 0;
	return 1;
}

static unsigned char *slot_of(unsigned char *slots, size_t cap, size_t width,
			      const unsigned char *key)
{
	size_t h;
	memcpy(&h, key, sizeof(h));
	for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
		unsigned char *at = slots + i * width;
		if (is_zero(at, width) || !memcmp(at, key, width))
			return at;
	}
}

int exs_keyset_add(struct exs_keyset *k, const unsigned char *key)
{
	if (is_zero(key, k->width)) {
		int added = !k->has_zero;
		k->has_zero = 1;
		return added;
	}
	if ((k->used + 1) * 2 > k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 4096;
		unsigned char *grown = calloc(cap, k->width);
		if (!grown)
			return -1;
		for (size_t i = 0; i < k->cap; i++) {
			const unsigned char *old = k->slots + i * k->width;
			if (!is_zero(old, k->width))
				memcpy(slot_of(grown, cap, k->width, old), old,
				       k->width);
		}
		free(k->slots);
		k->slots = grown;
		k->cap = cap;
	}
	unsigned char *at = slot_of(k->slots, k->cap, k->width, key);
	if (!is_zero(at, k->width))
		return 0;
	memcpy(at, key, k->width);
	k->used++;
	return 1;
}

int exs_keyset_has(const struct exs_keyset *k, const unsigned char *key)
{
	if (is_zero(key, k->width))
		return k->has_zero;
	return k->slots &&
	       !is_zero(slot_of(k->slots, k->cap, k->width, key), k->width);
}

void exs_keyset_free(struct exs_keyset *k)
{
	free(k->slots);
	k->slots = NULL;
	k->cap = k->used = 0;
	k->has_zero = 0;
}
