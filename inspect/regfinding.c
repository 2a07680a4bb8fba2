/* regfinding.c -- packing a registration finding's fields into its message
 * and reading them back (see regfinding.h).
 */
#include "regfinding.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "status.h"

#define SEP '\x1f'

static void field(struct exs_buf *b, const char *s, int first)
{
	if (!first)
		exs_buf_putc(b, SEP);
	for (; s && *s; s++)
		exs_buf_putc(b, *s == SEP ? '?' : *s);
}

char *exs_reg_finding_pack(const char *change,
			   const struct exs_registration *now,
			   const struct exs_registration *old,
			   const struct exs_reg_verdict *v)
{
	struct exs_buf b;
	exs_buf_init(&b, 1u << 16);
	field(&b, change, 1);
	field(&b, exs_reg_kind_name(now->kind), 0);
	field(&b, now->scope, 0);
	field(&b, now->name, 0);
	field(&b, now->path, 0);
	field(&b, now->image, 0);
	field(&b, now->type, 0);
	field(&b, now->extra, 0);
	field(&b, old ? old->image : "", 0);
	field(&b, old ? old->type : "", 0);
	field(&b, old ? old->extra : "", 0);
	field(&b, v ? v->image : "", 0);
	field(&b, !v || v->exists < 0 ? "" : v->exists ? "1" : "0", 0);
	field(&b, v ? v->why : "", 0);
	exs_buf_putc(&b, '\0');
	if (b.failed) {
		exs_buf_free(&b);
		return NULL;
	}
	return b.data;   /* the buffer's storage, handed over */
}

int exs_reg_finding_unpack(const char *message, struct exs_reg_fields *out)
{
	memset(out, 0, sizeof(*out));
	size_t n = message ? strlen(message) : 0;
	out->copy = malloc(n + 1);
	if (!out->copy)
		return EXS_NOMEM;
	if (n)
		memcpy(out->copy, message, n);
	out->copy[n] = '\0';
	char *p = out->copy;
	for (int i = 0; i < EXS_REGF_COUNT; i++) {
		if (!p) {
			out->f[i] = "";
			continue;
		}
		out->f[i] = p;
		char *s = strchr(p, SEP);
		if (s) {
			*s = '\0';
			p = s + 1;
		} else {
			p = NULL;
		}
	}
	return EXS_OK;
}

int exs_reg_finding_suspicious(const char *message)
{
	const char *p = message;
	for (int i = 0; p && i < EXS_REGF_WHY; i++) {
		p = strchr(p, SEP);
		if (p)
			p++;
	}
	return p && *p && *p != SEP;
}

void exs_reg_fields_free(struct exs_reg_fields *f)
{
	free(f->copy);
	f->copy = NULL;
}
