/* signature.h -- what the Authenticode judge (inspect/authenticode.h) says
 * about one PE image, as the core carries it: through the judge's wire, in
 * the item, the baseline and the reports. Plain data, no OpenSSL, so the
 * OS-free core and the wire decoder need nothing else.
 */
#ifndef EXS_SIGNATURE_H
#define EXS_SIGNATURE_H

#include <stdint.h>

/* Append only: the baseline stores the numbers. */
enum exs_sig_status {
	EXS_SIG_NONE = 0,          /* not an image, or not judged */
	EXS_SIG_SIGNED = 1,        /* valid, chains to the trust store, in time */
	EXS_SIG_UNSIGNED = 2,      /* no embedded signature (and no catalog) */
	EXS_SIG_BAD_DIGEST = 3,    /* the image was changed after signing */
	EXS_SIG_BAD_SIGNATURE = 4, /* the PKCS#7 does not verify or is garbage */
	EXS_SIG_UNTRUSTED = 5,     /* valid, but no chain to the trust store */
	EXS_SIG_EXPIRED = 6,       /* valid and trusted, but the signer's
				      certificate expired and no valid
				      timestamp shows it signed in time */
	EXS_SIG_MALFORMED = 7,     /* starts as a PE, headers do not fit */
	EXS_SIG_CATALOG = 8,       /* no embedded signature; Windows says a
				      system catalog signs it (WinVerifyTrust) */
	EXS_SIG_STATUS_MAX = 8
};

#define EXS_SIG_SIGNER_MAX 128
#define EXS_SIG_DETAIL_MAX 128
/* The latest timestamp carried: 9999-12-31T23:59:59Z. */
#define EXS_SIG_TIME_MAX 253402300799u

struct exs_signature {
	int status;                        /* enum exs_sig_status */
	char signer[EXS_SIG_SIGNER_MAX];   /* the signer certificate's subject
					      CN (else O), "" if none */
	char digest[8];                    /* "sha1", "sha256", "" */
	int timestamped;                   /* a valid RFC 3161 timestamp */
	int64_t signed_at;                 /* its time, s since 1970; else 0 */
	int dotnet;                        /* the image has a CLR header */
	char detail[EXS_SIG_DETAIL_MAX];   /* why, for anything but signed */
};

/* "signed", "unsigned", "bad_digest", "bad_signature", "untrusted",
 * "expired", "malformed", "catalog"; "none" for EXS_SIG_NONE. */
const char *exs_sig_status_name(int status);

#endif
