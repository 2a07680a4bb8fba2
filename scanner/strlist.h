/* strlist.h -- a growable list of owned, NUL-terminated strings.
 *
 * Used for roots, web roots, excludes and command-line paths. Items are
 * copied in and freed by exs_strlist_free.
 */
#ifndef EXS_STRLIST_H
#define EXS_STRLIST_H

#include <stddef.h>

struct exs_strlist {
	char **items;
	size_t count;
	size_t cap;
};

/* Appends a copy of s (len bytes; s need not be NUL-terminated).
 * Returns EXS_OK or EXS_NOMEM. */
int exs_strlist_add(struct exs_strlist *list, const char *s, size_t len);
int exs_strlist_add_str(struct exs_strlist *list, const char *s);
void exs_strlist_clear(struct exs_strlist *list);
void exs_strlist_free(struct exs_strlist *list);

#endif
