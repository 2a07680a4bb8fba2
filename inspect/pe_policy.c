/* pe_policy.c -- the vouched-signer test and the PE heuristics
 * (pe_policy.h). Paths are bytes; components compare without ASCII case,
 * as Windows names do.
 */
#include "pe_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int same_nocase(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static int is_sep(char c, char sep)
{
	return c == sep || c == '/';
}

int exs_sig_vouched(const struct exs_signature *sig,
		    const struct exs_strlist *signers)
{
	if (!sig || (sig->status != EXS_SIG_SIGNED &&
		     sig->status != EXS_SIG_CATALOG) || !sig->signer[0] ||
	    !signers)
		return 0;
	for (size_t i = 0; i < signers->count; i++)
		if (same_nocase(sig->signer, strlen(sig->signer),
				signers->items[i]))
			return 1;
	return 0;
}

/* Calls fn on each component of path but the last (the file name). */
static int any_dir_component(const char *path, size_t len, char sep,
			     const char *const *names)
{
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && !is_sep(path[i], sep))
			continue;
		if (i == len)
			break; /* the file name itself */
		for (size_t k = 0; names[k]; k++)
			if (same_nocase(path + start, i - start, names[k]))
				return 1;
		start = i + 1;
	}
	return 0;
}

int exs_pe_in_aspnet_cache(const char *path, size_t len, char sep)
{
	static const char *const cache[] = { "Temporary ASP.NET Files", NULL };
	return any_dir_component(path, len, sep, cache);
}

int exs_pe_policy_folder(const char *path, size_t len, char sep)
{
	static const char *const covered[] = {
		"V15", "Exchange Server", "inetsrv", "assembly", "GAC",
		"GAC_MSIL", "GAC_32", "GAC_64", NULL,
	};
	return any_dir_component(path, len, sep, covered) &&
	       !exs_pe_in_aspnet_cache(path, len, sep);
}

int exs_pe_is_app_web(const char *path, size_t len, char sep)
{
	size_t b = len;
	while (b > 0 && !is_sep(path[b - 1], sep))
		b--;
	const char *name = path + b;
	size_t n = len - b;
	return n > 12 && same_nocase(name, 8, "App_Web_") &&
	       same_nocase(name + n - 4, 4, ".dll");
}

static int add_hit(struct exs_hit **hits, size_t *count, const char *rule,
		   const char *description)
{
	struct exs_hit *grown = realloc(*hits, (*count + 1) * sizeof(**hits));
	if (!grown)
		return EXS_NOMEM;
	*hits = grown;
	struct exs_hit *h = &grown[(*count)++];
	memset(h, 0, sizeof(*h));
	snprintf(h->rule, sizeof(h->rule), "%s", rule);
	snprintf(h->ns, sizeof(h->ns), "heuristic");
	snprintf(h->description, sizeof(h->description), "%s", description);
	snprintf(h->family, sizeof(h->family), "heuristic");
	snprintf(h->severity, sizeof(h->severity), "medium");
	return EXS_OK;
}

int exs_sig_held_against(const struct exs_signature *sig,
			 const struct exs_strlist *signers, int have_trust)
{
	if (!sig || sig->status == EXS_SIG_NONE ||
	    (!have_trust && sig->status == EXS_SIG_UNTRUSTED))
		return 0;
	return !exs_sig_vouched(sig, signers);
}

int exs_pe_policy_check(const char *path, size_t len, char sep,
			const struct exs_signature *sig,
			const struct exs_strlist *signers, int have_trust,
			int has_compiled_map, struct exs_hit **hits,
			size_t *count)
{
	char why[256];
	int rc = EXS_OK;
	if (exs_pe_policy_folder(path, len, sep) &&
	    exs_sig_held_against(sig, signers, have_trust)) {
		if (sig->status == EXS_SIG_SIGNED || sig->status == EXS_SIG_CATALOG)
			snprintf(why, sizeof(why), "image in an Exchange, IIS or "
				 "GAC folder signed by \"%s\", not a vouched "
				 "signer", sig->signer);
		else
			snprintf(why, sizeof(why), "image in an Exchange, IIS or "
				 "GAC folder that is not validly signed: %s%s%s",
				 exs_sig_status_name(sig->status),
				 sig->detail[0] ? ": " : "", sig->detail);
		rc = add_hit(hits, count, "signature.not_vouched", why);
	}
	if (!rc && exs_pe_is_app_web(path, len, sep)) {
		if (!exs_pe_in_aspnet_cache(path, len, sep))
			rc = add_hit(hits, count, "pe.app_web_outside_cache",
				     "an App_Web_*.dll (ASP.NET's name for a "
				     "compiled page) outside Temporary ASP.NET "
				     "Files");
		else if (!has_compiled_map)
			rc = add_hit(hits, count, "pe.app_web_without_map",
				     "an App_Web_*.dll in Temporary ASP.NET Files "
				     "with no .compiled map beside it");
	}
	return rc;
}
