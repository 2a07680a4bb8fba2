#!/usr/bin/env bash
# win32/release.sh -- build the Windows release: exsweep-VERSION-win64.zip and
# exsweep-VERSION-win64.msi, from a release build of the full exsweep.exe.
#
#   win32/release.sh [--out DIR] [--third-party DIR] [--cache DIR] [--build DIR]
#
#   --out DIR    where the zip and the MSI go (default dist/, ignored by git)
#   --build DIR  the release build folder (default build-win-release)
#   --third-party, --cache: as for win32/build-exe.sh
#
# The zip holds one folder, exsweep-VERSION-win64/, with:
#   exsweep.exe          built with --buildtype=release, stripped
#   exsweep.ini          the sample configuration
#   README.md
#   task/                exsweep-task.xml and Install-ExsweepTask.ps1
#   licenses/            the licences of what the .exe links, taken from the
#                        source archives at build time (OpenSSL, libyara,
#                        SQLite, inih) and the mingw-w64 runtime's
#   BUILDINFO.txt        library versions, archive checksums, the compiler
#   SHA256SUMS           of every other file
# The MSI (win32/exsweep.wxs, wixl) installs the same files. File times are
# the last commit's, so the same commit and libraries give the same zip.
# win32/check-release.sh checks both.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

out=dist
build=build-win-release
exe_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--third-party|--cache) exe_args+=("$1" "$2"); shift 2 ;;
	*) echo "release: unknown option '$1' (see the top of $0)" >&2; exit 2 ;;
	esac
done
command -v wixl >/dev/null || { echo "release: wixl is missing (apt-get install wixl)" >&2; exit 1; }
command -v zip >/dev/null || { echo "release: zip is missing" >&2; exit 1; }

exe=$(./win32/build-exe.sh "${exe_args[@]}" --build "$build" -- --buildtype=release | tail -n1)
prefix=$(sed -n 's/^pkg_config_libdir = \[.\(.*\)\/lib\/pkgconfig.\]$/\1/p' "$build/exsweep-deps.ini")
[ -f "$prefix/BUILDINFO" ] || { echo "release: no BUILDINFO in '$prefix'" >&2; exit 1; }
version=$(meson introspect "$build" --projectinfo |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
name=exsweep-$version-win64

mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$out/$name
rm -rf "$stage" "$out/$name.zip" "$out/$name.msi"
mkdir -p "$stage/task" "$stage/licenses"

x86_64-w64-mingw32-strip -o "$stage/exsweep.exe" "$exe"
cp exsweep.ini README.md "$stage/"
cp win32/task/exsweep-task.xml win32/task/Install-ExsweepTask.ps1 "$stage/task/"
# Only the libraries exsweep.exe links.
for lib in openssl yara sqlite inih expat; do
	for f in "$prefix/share/licenses/$lib"/*; do
		cp "$f" "$stage/licenses/$lib-$(basename "$f")"
	done
done
cp /usr/share/doc/mingw-w64-x86-64-dev/copyright "$stage/licenses/mingw-w64-copyright.txt"
{
	echo "exsweep $version for 64-bit Windows"
	echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
	echo "linked statically: OpenSSL $(sed -n 's/^Version: //p' "$prefix/lib/pkgconfig/libcrypto.pc") (libcrypto)," \
		"libyara $(sed -n 's/^Version: //p' "$prefix/lib/pkgconfig/yara.pc")," \
		"SQLite $(sed -n 's/^Version: //p' "$prefix/lib/pkgconfig/sqlite3.pc")," \
		"inih r$(sed -n 's/^Version: //p' "$prefix/lib/pkgconfig/inih.pc")," \
		"expat $(sed -n 's/^Version: //p' "$prefix/lib/pkgconfig/expat.pc")"
	echo
	sed '/^build seconds:/,$d' "$prefix/BUILDINFO"
} >"$stage/BUILDINFO.txt"
# Text files stay byte for byte as in the tree (LF line ends).
(cd "$stage" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort |
	xargs sha256sum >SHA256SUMS)

stamp=$(git log -1 --format=%ct 2>/dev/null || date +%s)
find "$stage" -exec touch -h -d "@$stamp" {} +
(cd "$out" && find "$name" -print | LC_ALL=C sort | TZ=UTC zip -X -q -D "$name.zip" -@)

# wixl 0.101 resolves a Source only relative to the current folder.
(cd "$out" && wixl -a x64 -D Version="$version" -D SourceDir="$name" \
	-o "$name.msi" "$top/win32/exsweep.wxs")

echo "release: $(stat -c %s "$out/$name.zip") bytes  $out/$name.zip" >&2
echo "release: $(stat -c %s "$out/$name.msi") bytes  $out/$name.msi" >&2
(cd "$out" && sha256sum "$name.zip" "$name.msi")
