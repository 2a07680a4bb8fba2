/* strlist.c -- a growable list of owned strings (see strlist.h). */
#include "strlist.h"

#include <stdlib.h>
#include <string.h>

#include "status.h"

int exs_strlist_add(struct exs_strlist *list, const char *s, size_t len)
{
	if (list->count == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 8;
		char **items = realloc(list->items, cap * sizeof(*items));
		if (!items)
			return EXS_NOMEM;
		list->items = items;
		list->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return EXS_NOMEM;
	memcpy(copy, s, len);
	copy[len] = '\0';
	list->items[list->count++] = copy;
	return EXS_OK;
}

int exs_strlist_add_str(struct exs_strlist *list, const char *s)
{
	return exs_strlist_add(list, s, strlen(s));
}

void exs_strlist_clear(struct exs_strlist *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	list->count = 0;
}

void exs_strlist_free(struct exs_strlist *list)
{
	exs_strlist_clear(list);
	free(list->items);
	list->items = NULL;
	list->cap = 0;
}
