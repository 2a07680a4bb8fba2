#!/usr/bin/env bash
# win32/check-release.sh -- check what win32/release.sh built, as CI does:
#
#   win32/check-release.sh DIST/exsweep-VERSION-win64.zip DIST/exsweep-VERSION-win64.msi [--msiexec]
#
# The zip: the expected files and nothing else, its SHA256SUMS holds, the
# .exe is a PE32+ that imports only system DLLs. The MSI (msiinfo, msiextract):
# the same files with the same bytes as the zip, the install folder under
# ProgramFiles64Folder, the ProgramData folder, the icacls and task custom
# actions deferred and not impersonated, the Task feature off by default.
# With --msiexec also `wine msiexec /i FILE /qn` in a throw-away WINEPREFIX
# (never the user's own), and prints what wine installed; wine's result is
# reported, not required, since wine is not Windows.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 ZIP MSI [--msiexec]" >&2; exit 2; }
zip=$(realpath "$1") msi=$(realpath "$2") msiexec=${3:-}
fail=0
ok() { printf 'ok    %s\n' "$*"; }
bad() { printf 'FAIL  %s\n' "$*"; fail=1; }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
name=$(basename "$zip" .zip)

expected="BUILDINFO.txt
README.md
SHA256SUMS
exsweep.exe
exsweep.ini
licenses/expat-COPYING
licenses/inih-LICENSE.txt
licenses/mingw-w64-copyright.txt
licenses/openssl-LICENSE.txt
licenses/sqlite-LICENSE.md
licenses/yara-COPYING
task/Install-ExsweepTask.ps1
task/exsweep-task.xml"

# --- zip ---------------------------------------------------------------------
unzip -q "$zip" -d "$tmp/zip" || bad "unzip $zip"
got=$(cd "$tmp/zip/$name" 2>/dev/null && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
if [ "$got" = "$expected" ]; then ok "zip holds exactly the $(echo "$expected" | wc -l) expected files under $name/"
else bad "zip contents differ:"; diff <(echo "$expected") <(echo "$got"); fi
check "zip SHA256SUMS verifies" bash -c "cd '$tmp/zip/$name' && sha256sum --quiet -c SHA256SUMS"
exe=$tmp/zip/$name/exsweep.exe
check "exsweep.exe is a PE32+ x86-64 console program" \
	bash -c "file -b '$exe' | grep -q 'PE32+ executable (console) x86-64'"
dlls=$(x86_64-w64-mingw32-objdump -p "$exe" | sed -n 's/^\s*DLL Name: //p' | tr 'A-Z' 'a-z' | sort -u | tr '\n' ' ')
if echo "$dlls" | tr ' ' '\n' | grep -v '^$' | grep -Evq '^(kernel32|user32|advapi32|gdi32|ws2_32|crypt32|bcrypt|shell32|ole32|psapi|msvcrt|secur32|rpcrt4|shlwapi|wintrust)\.dll$'; then
	bad "exsweep.exe imports a DLL that is not Windows' own: $dlls"
else ok "exsweep.exe imports only system DLLs: $dlls"; fi
# libcrypto loads OPENSSLDIR\openssl.cnf: it must be the admin-only folder.
check "libcrypto's OPENSSLDIR is C:/Program Files/exsweep/openssl" \
	bash -c "strings -n 8 '$exe' | grep -qx 'C:/Program Files/exsweep/openssl/certs' &&
		! strings -n 8 '$exe' | grep -q 'openssl/C:/'"
for lib in openssl yara sqlite inih expat; do
	check "licence of $lib is shipped" bash -c "ls '$tmp/zip/$name/licenses/' | grep -q '^$lib-'"
done
check "BUILDINFO names the linked versions" grep -q '^linked statically: OpenSSL 3.0.22 (libcrypto), libyara 4.5.8, SQLite 3.40.1, inih r62, expat 2.7.5$' "$tmp/zip/$name/BUILDINFO.txt"

# --- msi ---------------------------------------------------------------------
tables=$(msiinfo tables "$msi" 2>/dev/null | LC_ALL=C sort | tr '\n' ' ')
echo "      msi tables: $tables"
export_table() { msiinfo export "$msi" "$1" 2>/dev/null | tail -n +4; }
check "msi Directory: INSTALLDIR is ProgramFiles64Folder\\exsweep" \
	bash -c "msiinfo export '$msi' Directory | grep -qP '^INSTALLDIR\tProgramFiles64Folder\texsweep\r?$'"
check "msi Directory: DATADIR is CommonAppDataFolder\\exsweep" \
	bash -c "msiinfo export '$msi' Directory | grep -qP '^DATADIR\tCommonAppDataFolder\texsweep\r?$'"
check "msi CreateFolder: DATADIR" bash -c "msiinfo export '$msi' CreateFolder | grep -qP '^DATADIR\t'"
# 3122 = 50 (program named by a property) + 0x400 deferred + 0x800 no impersonation
for ca in DataDirAcl DataDirOwner TaskInstall; do
	check "msi CustomAction $ca is deferred, runs as LocalSystem" \
		bash -c "msiinfo export '$msi' CustomAction | grep -qP '^$ca\t3122\t'"
done
check "msi icacls grants SYSTEM and Administrators only, without inheritance" \
	bash -c "msiinfo export '$msi' CustomAction | grep -P '^DataDirAcl\t' | grep -q '/inheritance:r /grant:r \*S-1-5-18:(OI)(CI)F \*S-1-5-32-544:(OI)(CI)F '"
check "msi sequence: the ACL right after CreateFolders" \
	bash -c "msiinfo export '$msi' InstallExecuteSequence | grep -qP '^DataDirAcl\tNOT REMOVE~=\"ALL\"\t3710\r?$'"
check "msi Registry: the event source's message file is exsweep.exe" \
	bash -c "msiinfo export '$msi' Registry | grep -P '\tEventMessageFile\t' | grep -qF 'Services\\EventLog\\Application\\exsweep'"
check "msi feature Task is off by default (level 1000)" \
	bash -c "msiinfo export '$msi' Feature | grep -qP '^Task\t\tScheduled check\t\t2\t1000\t'"
echo "      msi Property: $(export_table Property | grep -E '^(ProductName|ProductVersion|Manufacturer|ALLUSERS)' | tr '\t\r\n' '=  ')"
msiextract -C "$tmp/msi" "$msi" >/dev/null 2>&1 || bad "msiextract"
root=$(find "$tmp/msi" -name exsweep.exe -printf '%h\n' | head -n1)
if [ -n "$root" ]; then
	mgot=$(cd "$root" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
	if [ "$mgot" = "$expected" ]; then ok "msi holds the same files as the zip"
	else bad "msi files differ from the zip:"; diff <(echo "$expected") <(echo "$mgot"); fi
	check "msi files are byte for byte the zip's" bash -c "cd '$root' && sha256sum --quiet -c SHA256SUMS"
else bad "msiextract found no exsweep.exe"; fi

# --- wine msiexec (reported, not required) ------------------------------------
if [ "$msiexec" = --msiexec ]; then
	export WINEPREFIX=$tmp/wineprefix WINEDEBUG=-all
	t0=$SECONDS
	wineboot -i >/dev/null 2>&1
	wine msiexec /i "$msi" /qn /l*v "$(winepath -w "$tmp/msiexec.log")" >/dev/null 2>&1
	rc=$?
	pf=$WINEPREFIX/drive_c/Program\ Files/exsweep
	echo "      wine msiexec /i /qn: exit $rc in $((SECONDS - t0)) s (incl. a new prefix)"
	if [ -f "$pf/exsweep.exe" ]; then
		echo "      wine installed: $(cd "$pf" && find . -type f | wc -l) files in C:\\Program Files\\exsweep," \
			"C:\\ProgramData\\exsweep $( [ -d "$WINEPREFIX/drive_c/ProgramData/exsweep" ] && echo exists || echo 'is missing')"
		(cd "$pf" && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1) &&
			echo "      wine's installed files match SHA256SUMS"
		wine "$pf/exsweep.exe" --version 2>/dev/null | sed 's/^/      installed exe: /'
		# Wine's icacls and powershell succeed without doing what Windows'
		# do (wine keeps no ACLs on a Unix file system), so only the
		# sequence is shown here, never a permission.
		grep -aE 'Action ended [^:]*:[^:]*:[^:]*: (DataDirAcl|DataDirOwner)\. Return value' "$tmp/msiexec.log" |
			sed 's/^Action ended [^:]*:[^:]*:[^:]*: /      custom action /' | awk '!seen[$0]++'
	else
		echo "      wine did not install exsweep.exe; the log's errors:"
		iconv -f UTF-16LE -t UTF-8 "$tmp/msiexec.log" 2>/dev/null | grep -iE 'error|return value 3|failed' | head -n 10 | sed 's/^/        /'
	fi
	wineserver -k 2>/dev/null
fi
[ $fail = 0 ] && echo "release check: all passed" || echo "release check: FAILED"
exit $fail
