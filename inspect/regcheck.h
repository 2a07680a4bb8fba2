/* regcheck.h -- judging a registration without a baseline: whether the
 * image, assembly or folder it points to is where Windows, IIS and Exchange
 * keep theirs. Runs on the privileged side (it may look whether an image
 * exists), over registrations the worker produced and judge_wire.c checked.
 *
 * Paths in a configuration are Windows paths ("%windir%\System32\inetsrv\
 * x.dll", "C:\Program Files\...\V15\Bin\y.dll"). They are first placed in
 * the logical Windows namespace (variables expanded, "." and ".." folded,
 * a climb above the drive refused), compared there, ignoring case, with the
 * Windows and Exchange folders, and only then mapped to a local path: under
 * --image the drive is the image folder and every name is found in any
 * case; natively the logical path is the path. A UNC path (\\host\share) is
 * never opened: looking would send the host's credentials to that server.
 * Nothing is ever loaded or followed: existence is a no-follow stat, and a
 * link on the way counts as missing.
 *
 * The signature status of an image plugs in through exs_reg_places.signature
 * (the commands set it to the sweep's image judge, registrations_cli.c):
 * when set, it is asked for every image that exists, and an image it does
 * not vouch for is a reason of its own.
 */
#ifndef EXS_REGCHECK_H
#define EXS_REGCHECK_H

#include <stddef.h>

#include "discover.h"
#include "platform.h"
#include "registration.h"
#include "strlist.h"

/* What a signature check says of an image. */
enum exs_image_signature {
	EXS_IMAGE_SIG_UNKNOWN = 0,   /* not checked, or cannot tell */
	EXS_IMAGE_SIG_MICROSOFT,     /* valid, signed by Microsoft */
	EXS_IMAGE_SIG_OTHER,         /* valid, another signer */
	EXS_IMAGE_SIG_UNSIGNED,
	EXS_IMAGE_SIG_BAD,           /* a signature that does not verify */
};
/* image is the local path; note (cap bytes) may be filled with the
 * verdict in words ("unsigned", "signed by 'X', ..."), for the finding. */
typedef enum exs_image_signature (*exs_reg_signature_fn)(
	void *ctx, const char *image, char *signer, size_t cap);

struct exs_reg_places {
	const struct exs_platform *plat; /* NULL: existence is not looked at */
	/* The local folder that stands for the system drive (--image DIR), or
	 * NULL natively, where logical paths are local ones. */
	const char *image_root;
	/* Logical (Windows) spellings, '\' separated, no final separator;
	 * "" when unknown. With both unknown nothing is placed (a Linux host
	 * without --image) and only the textual checks apply. */
	char windir[EXS_DISCOVER_PATH_MAX];
	char exchange[EXS_DISCOVER_PATH_MAX];
	char inetpub[EXS_DISCOVER_PATH_MAX];
	exs_reg_signature_fn signature;  /* NULL: signatures not asked */
	void *signature_ctx;
};

/* Fills the logical folders from what discovery found (local paths) and,
 * natively, the windir environment variable. */
void exs_reg_places_init(struct exs_reg_places *pl,
			 const struct exs_platform *plat, const char *image_root,
			 const char *install, const char *wwwroot);

/* Reasons for suspicion (bits of exs_reg_verdict.reasons). */
#define EXS_REGQ_MISSING      0x001u /* the image does not exist */
#define EXS_REGQ_OUTSIDE      0x002u /* outside the Windows and Exchange
					folders (agents: Exchange only;
					virtual directories: inetpub and
					Exchange) */
#define EXS_REGQ_REMOTE       0x004u /* a UNC path */
#define EXS_REGQ_UNPLACED     0x008u /* relative, or an unknown variable */
#define EXS_REGQ_CLIMBS       0x010u /* ".." above the drive */
#define EXS_REGQ_PRIVATE_BIN  0x020u /* a managed type from an assembly that
					is not strong-named: the web
					application's bin\ */
#define EXS_REGQ_DATA_SCRIPT  0x040u /* a data extension mapped to a script
					engine */
#define EXS_REGQ_TRUNCATED    0x080u /* longer than exsweep records */
#define EXS_REGQ_SIGNATURE    0x100u /* the signature hook does not vouch */

struct exs_reg_verdict {
	char logical[EXS_DISCOVER_PATH_MAX]; /* placed Windows path, or "" */
	char image[EXS_DISCOVER_PATH_MAX];   /* local path looked at, or "" */
	int exists;                          /* 1, 0, or -1 not looked at */
	unsigned reasons;                    /* EXS_REGQ_* */
	char why[768];                       /* the reasons in words */
	char sig_note[192];                  /* the signature hook's words,
						with EXS_REGQ_SIGNATURE */
};

/* Judges r, read from the configuration file at config (local path). */
void exs_reg_assess(const struct exs_reg_places *pl, const char *config,
		    size_t config_len, const struct exs_registration *r,
		    struct exs_reg_verdict *v);

#endif
