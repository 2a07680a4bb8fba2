/* registry_win32.c -- where Exchange and IIS are installed, from the registry.
 *
 * Exchange Setup records its folder in MsiInstallPath under
 * HKLM\SOFTWARE\Microsoft\ExchangeServer\v15\Setup and defines the system
 * variable ExchangeInstallPath; IIS records its web root, usually as the
 * unexpanded "%SystemDrive%\inetpub\wwwroot", in PathWWWRoot under
 * HKLM\SOFTWARE\Microsoft\InetStp. Both keys live in the 64-bit view, which a
 * 32-bit build would not see without KEY_WOW64_64KEY, so it is always asked
 * for. Values come back as WTF-8, like every other path of this layer.
 * (The event log, whose sources are registry entries too, is
 * eventlog_win32.c.)
 */
#include "platform_win32.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* The longest value read: a path, so the verbatim limit is plenty. */
#define REG_VALUE_MAX EXS_WIN32_PATH_MAX

/* Reads a REG_SZ or REG_EXPAND_SZ value of HKLM\subkey in the 64-bit view
 * into a malloc'd string in *out, with environment strings expanded.
 * Returns EXS_OK, EXS_NOENT (no key, no value or an empty one), or another
 * status with *err filled. */
static int read_machine_string(const wchar_t *subkey, const wchar_t *value,
			       const char *where, wchar_t **out,
			       struct exs_error *err)
{
	HKEY key;
	*out = NULL;
	LSTATUS ls = RegOpenKeyExW(HKEY_LOCAL_MACHINE, subkey, 0,
				   KEY_QUERY_VALUE | KEY_WOW64_64KEY, &key);
	if (ls != ERROR_SUCCESS)
		return exs_win32_fail(err, (DWORD)ls, "RegOpenKeyExW", where);
	DWORD type = 0, size = 0;
	/* RRF_NOEXPAND: RegGetValueW refuses REG_EXPAND_SZ without it; the
	 * expansion is done below, where its failure can be reported. */
	ls = RegGetValueW(key, NULL, value,
			  RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND,
			  &type, NULL, &size);
	wchar_t *raw = NULL;
	if (ls == ERROR_SUCCESS) {
		if (size > REG_VALUE_MAX * sizeof(wchar_t)) {
			RegCloseKey(key);
			return exs_fail(err, EXS_LIMIT, 0, "RegGetValueW",
					where);
		}
		raw = calloc(size / sizeof(wchar_t) + 1, sizeof(wchar_t));
		if (!raw) {
			RegCloseKey(key);
			return exs_fail(err, EXS_NOMEM, 0, "malloc", where);
		}
		ls = RegGetValueW(key, NULL, value,
				  RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ |
					  RRF_NOEXPAND,
				  &type, raw, &size);
	}
	RegCloseKey(key);
	if (ls != ERROR_SUCCESS) {
		free(raw);
		return exs_win32_fail(err, (DWORD)ls, "RegGetValueW", where);
	}
	if (raw[0] == 0) {
		free(raw);
		return exs_fail(err, EXS_NOENT, 0, "RegGetValueW", where);
	}
	if (type != REG_EXPAND_SZ) {
		*out = raw;
		return EXS_OK;
	}
	DWORD need = ExpandEnvironmentStringsW(raw, NULL, 0);
	wchar_t *expanded = need ? malloc(need * sizeof(wchar_t)) : NULL;
	if (!need || !expanded ||
	    ExpandEnvironmentStringsW(raw, expanded, need) == 0) {
		DWORD code = GetLastError();
		free(raw);
		free(expanded);
		if (!need || expanded)
			return exs_win32_fail(err, code,
					      "ExpandEnvironmentStringsW", where);
		return exs_fail(err, EXS_NOMEM, 0, "malloc", where);
	}
	free(raw);
	*out = expanded;
	return EXS_OK;
}

/* An environment variable as a malloc'd string; NULL if unset or empty. */
static wchar_t *environment_string(const wchar_t *name)
{
	DWORD need = GetEnvironmentVariableW(name, NULL, 0);
	if (need <= 1)
		return NULL;
	wchar_t *value = malloc(need * sizeof(wchar_t));
	if (value && GetEnvironmentVariableW(name, value, need) + 1 != need) {
		free(value);
		return NULL;
	}
	return value;
}

static int to_wtf8(const wchar_t *value, char *buf, size_t cap,
		   const char *where, struct exs_error *err)
{
	size_t len;
	int rc = exs_win32_utf16_to_wtf8(value, wcslen(value), buf, cap, &len);
	if (rc)
		return exs_fail(err, rc, 0, "WideCharToMultiByte", where);
	return EXS_OK;
}

int exs_win32_exchange_install_path(char *buf, size_t cap,
				    struct exs_error *err)
{
	static const char where[] =
		"HKLM\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup";
	wchar_t *value = NULL;
	int rc = read_machine_string(
		L"SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup",
		L"MsiInstallPath", where, &value, err);
	if (rc == EXS_NOENT) {
		value = environment_string(L"ExchangeInstallPath");
		if (!value)
			return exs_fail(err, EXS_NOENT, 0, "GetEnvironmentVariableW",
					"ExchangeInstallPath");
		rc = EXS_OK;
	}
	if (rc)
		return rc;
	rc = to_wtf8(value, buf, cap, where, err);
	free(value);
	return rc;
}

int exs_win32_iis_wwwroot(char *buf, size_t cap, struct exs_error *err)
{
	static const char where[] = "HKLM\\SOFTWARE\\Microsoft\\InetStp";
	wchar_t *value = NULL;
	int rc = read_machine_string(L"SOFTWARE\\Microsoft\\InetStp",
				     L"PathWWWRoot", where, &value, err);
	if (rc)
		return rc;
	rc = to_wtf8(value, buf, cap, where, err);
	free(value);
	return rc;
}
