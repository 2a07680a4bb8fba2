/* registrations_cli.c -- configuration registrations in the commands (see
 * registrations_cli.h): baseline records, the registration findings of
 * check and update, and suspicious hits for registrations that point where
 * IIS and Exchange keep nothing of theirs.
 *
 * A check compares the registrations the worker read from a config file's
 * new bytes with those the baseline read from its old bytes (by SHA-256),
 * matching entries by kind, scope, name and path. When the baseline never
 * read the old bytes (a baseline from before registrations were kept),
 * nothing is reported as added or removed: every registration is only
 * judged, as scan would.
 */
#include "registrations_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "pe_policy.h"
#include "regfinding.h"
#include "signature.h"
#include "sweep.h"

/* The signature hook of regcheck.h: the image's Authenticode verdict from
 * the running sweep's judge (sweep.h), held against the image exactly as
 * the walked images' (exs_sig_held_against, inspect/pe_policy.h); what is
 * held against it is another signer, unsigned, or a signature that does
 * not hold. note gets the verdict in words for the finding. */
static enum exs_image_signature image_signature(void *ctx, const char *image,
						char *note, size_t cap)
{
	struct exs_cli *cli = ctx;
	struct exs_signature sig;
	struct exs_error err;
	exs_error_clear(&err);
	note[0] = '\0';
	if (!cli->sweep ||
	    exs_sweep_judge_image(cli->sweep, image, &sig, &err) != EXS_OK)
		return EXS_IMAGE_SIG_UNKNOWN;
	const struct exs_strlist *signers = &cli->cfg.trust_signers;
	if (!exs_sig_held_against(&sig, signers, cli->sweep->trust_len != 0))
		return exs_sig_vouched(&sig, signers) ? EXS_IMAGE_SIG_MICROSOFT
						      : EXS_IMAGE_SIG_UNKNOWN;
	const char *name = exs_sig_status_name(sig.status);
	switch (sig.status) {
	case EXS_SIG_SIGNED:
	case EXS_SIG_CATALOG:
		snprintf(note, cap, "signed by '%s', not a vouched signer",
			 sig.signer);
		return EXS_IMAGE_SIG_OTHER;
	case EXS_SIG_UNSIGNED:
		/* Under --image no catalog is asked (the mounted system's
		 * catalog database is not this host's): say so, since a
		 * catalog-signed Windows module then reads as unsigned. */
		snprintf(note, cap, "%s", cli->sweep->no_catalogs ||
					 !cli->plat->catalog_verify
					 ? "unsigned; no system catalog was asked"
					 : "unsigned");
		return EXS_IMAGE_SIG_UNSIGNED;
	case EXS_SIG_UNTRUSTED:
	case EXS_SIG_EXPIRED:
		snprintf(note, cap, "%s: %s", name, sig.detail);
		return EXS_IMAGE_SIG_OTHER;
	default:
		snprintf(note, cap, "%s: %s", name, sig.detail);
		return EXS_IMAGE_SIG_BAD;
	}
}

void exs_reg_cli_init(struct exs_reg_cli *rc, struct exs_cli *cli,
		      struct exs_store *old, struct exs_store *out)
{
	memset(rc, 0, sizeof(*rc));
	exs_reg_places_init(&rc->places, cli->plat, cli->image,
			    cli->discovery.install, cli->discovery.wwwroot);
	rc->places.signature = image_signature;
	rc->places.signature_ctx = cli;
	rc->old = old;
	rc->out = out;
	rc->old_has_table = old && exs_store_has_registrations(old);
}

static int add_finding(struct exs_run *run, const char *path, size_t len,
		       const char *change, const struct exs_registration *now,
		       const struct exs_registration *before,
		       const struct exs_reg_verdict *v)
{
	struct exs_finding f;
	memset(&f, 0, sizeof(f));
	f.kind = EXS_FINDING_REGISTRATION;
	f.path = (char *)path;
	f.path_len = len;
	f.trace.line = now->line;
	f.message = exs_reg_finding_pack(change, now, before, v);
	if (!f.message)
		return EXS_NOMEM;
	int rc = exs_run_add(run, &f);
	if (rc)
		free(f.message);
	return rc;
}

/* A suspicious hit on the item for r, when v has reasons. */
static int suspect(struct exs_item *item, const struct exs_registration *r,
		   const struct exs_reg_verdict *v)
{
	if (!v->reasons)
		return EXS_OK;
	struct exs_hit *grown = realloc(item->suspicious,
		(item->suspicious_count + 1) * sizeof(*grown));
	if (!grown)
		return EXS_NOMEM;
	item->suspicious = grown;
	struct exs_hit *h = &grown[item->suspicious_count++];
	memset(h, 0, sizeof(*h));
	snprintf(h->rule, sizeof(h->rule), "config.suspicious_%s",
		 exs_reg_kind_name(r->kind));
	snprintf(h->ns, sizeof(h->ns), "config");
	snprintf(h->family, sizeof(h->family), "%s", exs_reg_kind_name(r->kind));
	snprintf(h->severity, sizeof(h->severity), "high");
	/* The end of a long image path names the file: keep that. */
	const char *what = r->image[0] ? r->image : r->type;
	size_t wl = strlen(what);
	snprintf(h->description, sizeof(h->description),
		 "line %llu: %s '%.60s'%s%s%s: %s",
		 (unsigned long long)r->line, exs_reg_kind_name(r->kind),
		 r->name, wl ? " -> " : "", wl > 100 ? "..." : "",
		 wl > 100 ? what + wl - 97 : what, v->why);
	return EXS_OK;
}

int exs_reg_cli_item(struct exs_reg_cli *rc, struct exs_run *run,
		     struct exs_item *item, struct exs_error *err)
{
	if (item->kind != EXS_ITEM_FILE || item->status || !item->config_read)
		return EXS_OK;
	int st = EXS_OK;
	struct exs_registration *old = NULL;
	size_t old_count = 0;
	int known = 0, compare = 0;
	if (rc->old) {
		if (item->has_old && rc->old_has_table)
			st = exs_store_registrations(rc->old,
						     item->old_rec.sha256, &old,
						     &old_count, &known, err);
		/* An added file's registrations are all new. */
		compare = !st && (!item->has_old || known);
	}
	if (!st && rc->out)
		st = exs_store_add_registrations(rc->out, item->rec.sha256,
						 item->regs, item->reg_count,
						 err);
	unsigned char *matched = NULL;
	if (!st && old_count && !(matched = calloc(old_count, 1)))
		st = exs_fail(err, EXS_NOMEM, 0, "malloc", NULL);
	for (size_t i = 0; !st && i < item->reg_count; i++) {
		const struct exs_registration *r = &item->regs[i];
		const struct exs_registration *before = NULL;
		for (size_t k = 0; compare && k < old_count; k++)
			if (!matched[k] && exs_reg_same_entry(&old[k], r)) {
				matched[k] = 1;
				before = &old[k];
				break;
			}
		if (compare && before && exs_reg_same_value(before, r))
			continue;        /* as accepted before: not judged again */
		struct exs_reg_verdict v;
		exs_reg_assess(&rc->places, item->path, item->path_len, r, &v);
		if (compare)
			st = add_finding(run, item->path, item->path_len,
					 before ? "changed" : "added", r, before,
					 &v);
		if (!st)
			st = suspect(item, r, &v);
		if (st)
			st = exs_fail(err, st, 0, "collect", item->path);
	}
	for (size_t k = 0; !st && compare && k < old_count; k++)
		if (!matched[k]) {
			st = add_finding(run, item->path, item->path_len,
					 "removed", &old[k], NULL, NULL);
			if (st)
				st = exs_fail(err, st, 0, "collect", item->path);
		}
	free(matched);
	free(old);
	return st;
}

int exs_reg_cli_removed(struct exs_reg_cli *rc, struct exs_run *run,
			const char *path, size_t len,
			const struct exs_record *rec, struct exs_error *err)
{
	if (!rc->old || !rc->old_has_table)
		return EXS_OK;
	char sep = rc->places.plat ? rc->places.plat->path_separator : '/';
	if (!exs_reg_is_config_path(path, len, sep))
		return EXS_OK;
	struct exs_registration *old = NULL;
	size_t n = 0;
	int known = 0;
	int st = exs_store_registrations(rc->old, rec->sha256, &old, &n, &known,
					 err);
	for (size_t k = 0; !st && k < n; k++) {
		st = add_finding(run, path, len, "removed", &old[k], NULL, NULL);
		if (st)
			st = exs_fail(err, st, 0, "collect", path);
	}
	free(old);
	return st;
}
