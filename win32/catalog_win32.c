/* catalog_win32.c -- catalog signatures: WinVerifyTrust with a catalog
 * lookup, for PE images that carry no embedded signature (platform.h,
 * catalog_verify). Most of Windows' own binaries, the default IIS modules of
 * Server 2012 R2 among them, are signed only through a catalog (.cat) in the
 * system's catalog database, so a check that knew only embedded signatures
 * would call them all unsigned.
 *
 * The file's catalog hash is computed by the system from a handle opened
 * without following a final link (CryptCATAdminCalcHashFromFileHandle2 with
 * SHA-256, then the SHA-1 of older catalogs), the catalog that lists it is
 * looked up (CryptCATAdminEnumCatalogFromHash), and WinVerifyTrust checks
 * the catalog's signature and chain for that member (WTD_CHOICE_CATALOG, no
 * UI, no revocation fetching). The signer is the catalog signer's simple
 * display name. This runs in the privileged exsweep process: the system's
 * verifier reads the file, never exsweep's parsers.
 *
 * The *2 functions (Windows 8 and later) are looked up at run time, so the
 * binary still starts where they are missing; there the SHA-1 ones are used.
 * WINTRUST_CATALOG_INFO's hCatAdmin (Windows 8's field, which tells
 * WinVerifyTrust the catalog's hash algorithm) is only declared for
 * NTDDI_WIN8 and later, hence NTDDI_VERSION here; older systems accept the
 * longer structure (cbStruct says which fields there are).
 */
#define NTDDI_VERSION 0x06020000 /* NTDDI_WIN8 */
#include "platform_win32.h"

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include <softpub.h>
#include <wintrust.h>
#include <mscat.h>

#include "signature.h"

typedef BOOL(WINAPI *acquire2_fn)(HCATADMIN *, const GUID *, PCWSTR,
				  PCCERT_STRONG_SIGN_PARA, DWORD);
typedef BOOL(WINAPI *calc2_fn)(HCATADMIN, HANDLE, DWORD *, BYTE *, DWORD);

/* The signer of a verified WinVerifyTrust state, as UTF-8. */
static void state_signer(HANDLE state, char *out, size_t cap)
{
	out[0] = '\0';
	CRYPT_PROVIDER_DATA *pd = WTHelperProvDataFromStateData(state);
	CRYPT_PROVIDER_SGNR *sg = pd ? WTHelperGetProvSignerFromChain(pd, 0,
								      FALSE, 0)
				     : NULL;
	if (!sg || !sg->csCertChain || !sg->pasCertChain ||
	    !sg->pasCertChain[0].pCert)
		return;
	wchar_t name[EXS_SIG_SIGNER_MAX];
	DWORD n = CertGetNameStringW(sg->pasCertChain[0].pCert,
				     CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, NULL,
				     name, EXS_SIG_SIGNER_MAX);
	size_t got = 0;
	if (n > 1 && exs_win32_utf16_to_wtf8(name, n - 1, out, cap, &got))
		out[0] = '\0';
	for (char *c = out; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f)
			*c = '?';
}

/* Looks the file's hash up with one algorithm (NULL: SHA-1). 1 when a
 * catalog lists it and WinVerifyTrust accepts the catalog. */
static int verify_with(HANDLE file, const wchar_t *wpath, const wchar_t *alg,
		       struct exs_signature *out)
{
	HMODULE wt = GetModuleHandleW(L"wintrust.dll");
	acquire2_fn acquire2 = wt ? (acquire2_fn)(void (*)(void))
				GetProcAddress(wt, "CryptCATAdminAcquireContext2")
				  : NULL;
	calc2_fn calc2 = wt ? (calc2_fn)(void (*)(void))
			      GetProcAddress(wt, "CryptCATAdminCalcHashFromFileHandle2")
			    : NULL;
	HCATADMIN admin = NULL;
	if (alg) {
		if (!acquire2 || !calc2 ||
		    !acquire2(&admin, NULL, alg, NULL, 0))
			return 0;
	} else if (!CryptCATAdminAcquireContext(&admin, NULL, 0)) {
		return 0;
	}
	int ok = 0;
	DWORD len = 0;
	BYTE *hash = NULL;
	BOOL got = alg ? calc2(admin, file, &len, NULL, 0)
		       : CryptCATAdminCalcHashFromFileHandle(file, &len, NULL, 0);
	(void)got;
	if (len && len <= 64 && (hash = malloc(len)) != NULL &&
	    (alg ? calc2(admin, file, &len, hash, 0)
		 : CryptCATAdminCalcHashFromFileHandle(file, &len, hash, 0))) {
		HCATINFO cat = CryptCATAdminEnumCatalogFromHash(admin, hash, len,
								0, NULL);
		CATALOG_INFO ci;
		memset(&ci, 0, sizeof(ci));
		ci.cbStruct = sizeof(ci);
		if (cat && CryptCATCatalogInfoFromContext(cat, &ci, 0)) {
			wchar_t tag[2 * 64 + 1];
			for (DWORD i = 0; i < len; i++)
				swprintf(tag + 2 * i, 3, L"%02X", hash[i]);
			tag[2 * len] = 0;
			WINTRUST_CATALOG_INFO wci;
			memset(&wci, 0, sizeof(wci));
			wci.cbStruct = sizeof(wci);
			wci.pcwszCatalogFilePath = ci.wszCatalogFile;
			wci.pcwszMemberFilePath = wpath;
			wci.hMemberFile = file;
			wci.pcwszMemberTag = tag;
			wci.pbCalculatedFileHash = hash;
			wci.cbCalculatedFileHash = len;
			wci.hCatAdmin = admin;
			WINTRUST_DATA wd;
			memset(&wd, 0, sizeof(wd));
			wd.cbStruct = sizeof(wd);
			wd.dwUIChoice = WTD_UI_NONE;
			wd.fdwRevocationChecks = WTD_REVOKE_NONE;
			wd.dwUnionChoice = WTD_CHOICE_CATALOG;
			wd.pCatalog = &wci;
			wd.dwStateAction = WTD_STATEACTION_VERIFY;
			wd.dwProvFlags = WTD_CACHE_ONLY_URL_RETRIEVAL;
			GUID action = WINTRUST_ACTION_GENERIC_VERIFY_V2;
			LONG st = WinVerifyTrust((HWND)INVALID_HANDLE_VALUE,
						 &action, &wd);
			if (st == ERROR_SUCCESS) {
				ok = 1;
				out->status = EXS_SIG_CATALOG;
				state_signer(wd.hWVTStateData, out->signer,
					     sizeof(out->signer));
				snprintf(out->digest, sizeof(out->digest), "%s",
					 alg ? "sha256" : "sha1");
				snprintf(out->detail, sizeof(out->detail),
					 "signed through a system catalog");
			}
			wd.dwStateAction = WTD_STATEACTION_CLOSE;
			WinVerifyTrust((HWND)INVALID_HANDLE_VALUE, &action, &wd);
		}
		if (cat)
			CryptCATAdminReleaseCatalogContext(admin, cat, 0);
	}
	free(hash);
	CryptCATAdminReleaseContext(admin, 0);
	return ok;
}

int exs_win32_catalog_verify(const char *path, struct exs_signature *out)
{
	struct exs_error err;
	wchar_t *wpath;
	if (exs_win32_path_to_wide(path, &wpath, &err))
		return EXS_INVAL;
	HANDLE f = CreateFileW(wpath, GENERIC_READ,
			       FILE_SHARE_READ | FILE_SHARE_WRITE |
				       FILE_SHARE_DELETE,
			       NULL, OPEN_EXISTING,
			       FILE_FLAG_OPEN_REPARSE_POINT |
				       FILE_FLAG_SEQUENTIAL_SCAN,
			       NULL);
	if (f == INVALID_HANDLE_VALUE) {
		free(wpath);
		return EXS_IO;
	}
	memset(out, 0, sizeof(*out));
	int ok = verify_with(f, wpath, L"SHA256", out) ||
		 verify_with(f, wpath, NULL, out);
	CloseHandle(f);
	free(wpath);
	return ok ? EXS_OK : EXS_NOENT;
}
