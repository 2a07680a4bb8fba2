/* pe_policy.h -- which PE images exsweep vouches for, and the PE
 * heuristics that turn the Authenticode verdict (signature.h) and an
 * image's place into `suspicious` findings.
 *
 * This runs on the privileged side over the judge's (already decoded)
 * verdict and the path: it reads no file bytes.
 *
 *   signature.not_vouched   an image in an Exchange, IIS (inetsrv) or GAC
 *                           folder that is not validly signed by a vouched
 *                           signer ([trust] signer): unsigned, bad digest,
 *                           bad signature, untrusted, expired, malformed,
 *                           or signed by someone else
 *   pe.app_web_outside_cache  an App_Web_*.dll (ASP.NET's compiled-page
 *                           assembly name) outside `Temporary ASP.NET Files`
 *   pe.app_web_without_map  an App_Web_*.dll in `Temporary ASP.NET Files`
 *                           with no `.compiled` map beside it, which ASP.NET
 *                           always writes next to the assemblies it builds
 */
#ifndef EXS_PE_POLICY_H
#define EXS_PE_POLICY_H

#include <stddef.h>

#include "finding.h"
#include "signature.h"
#include "strlist.h"

/* The provenance question: is this image validly signed by a vouched
 * signer? 1 when sig says signed (embedded, chained to the trust store, in
 * time) or catalog-signed (WinVerifyTrust), and its signer equals one of
 * signers (compared without ASCII case); else 0. NULL sig: 0. */
int exs_sig_vouched(const struct exs_signature *sig,
		    const struct exs_strlist *signers);

/* The policy's question: does sig count against its image? 1 unless it is
 * no image at all (EXS_SIG_NONE), is vouched for, or says only "untrusted"
 * while no trust store is configured (have_trust 0): nothing chains then,
 * Microsoft's own binaries included, so that says nothing of the image.
 * Walked images (signature.not_vouched) and the images a registration
 * names (registrations_cli.c) are held to it alike. */
int exs_sig_held_against(const struct exs_signature *sig,
			 const struct exs_strlist *signers, int have_trust);

/* 1 when path lies in a folder the signature policy covers: a component
 * (any case) "V15", "Exchange Server", "inetsrv", "assembly" (the GACs of
 * %windir%\assembly and Microsoft.NET\assembly), "GAC", "GAC_MSIL",
 * "GAC_32" or "GAC_64"; never below "Temporary ASP.NET Files" (compiled
 * pages are unsigned by nature; the App_Web heuristics cover them). */
int exs_pe_policy_folder(const char *path, size_t len, char sep);

/* 1 when the file name is App_Web_*.dll (any case). */
int exs_pe_is_app_web(const char *path, size_t len, char sep);
/* 1 when path lies below a "Temporary ASP.NET Files" folder. */
int exs_pe_in_aspnet_cache(const char *path, size_t len, char sep);

/* Appends the heuristics' hits for one image to *hits (realloc'd; *count
 * grows). have_trust: a trust store is configured (exs_sig_held_against).
 * has_compiled_map: the image's folder holds a *.compiled file (asked only
 * for App_Web_*.dll in the cache). Returns EXS_OK or EXS_NOMEM. */
int exs_pe_policy_check(const char *path, size_t len, char sep,
			const struct exs_signature *sig,
			const struct exs_strlist *signers, int have_trust,
			int has_compiled_map, struct exs_hit **hits,
			size_t *count);

#endif
