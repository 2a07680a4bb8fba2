#!/usr/bin/env bash
# win32/build-deps.sh -- cross-build the libraries exsweep.exe links (libyara,
# OpenSSL's libcrypto, SQLite, inih; expat too when its archive is there) as
# static x86_64-w64-mingw32 libraries, from unmodified upstream archives.
#
#   win32/build-deps.sh THIRD_PARTY_DIR [CACHE_DIR]
#
# THIRD_PARTY_DIR holds the archives and their SHA256SUMS (../shared/third-party,
# or an admin's own downloads of the same releases); every archive used must be
# listed there and match, or nothing is built. The libraries are installed into
# CACHE_DIR/<key>/ (default CACHE_DIR: /var/cache/exsweep/win-deps, outside the
# clone), where <key> hashes the archives' checksums, this script and the
# compiler's version: a new archive, a changed recipe or another compiler gives
# a new entry, and an entry that has its .complete file is reused without
# building anything. CACHE_DIR/current is then pointed at the entry.
#
# The entry is a prefix: include/, lib/*.a, lib/pkgconfig/*.pc (relocatable:
# prefix=${pcfiledir}/../..; static-only, so the Windows system libraries the
# archives need are in Libs:), share/licenses/<library>/ (taken from the
# archives) and BUILDINFO (versions, checksums, per-library build seconds).
# It is built in CACHE_DIR/<key>.tmp.PID and renamed into place when whole, so
# an interrupted build never leaves an entry that looks complete.
# The last line printed on success is the prefix's path.
set -euo pipefail

host=x86_64-w64-mingw32
jobs=${JOBS:-2}

# The releases exsweep.exe is built with. The archive names are upstream's.
openssl_version=3.0.22
yara_version=4.5.8
sqlite_version=3.40.1
inih_version=r62
expat_version=2.7.5
openssl_archive=openssl-$openssl_version.tar.gz
yara_archive=yara-$yara_version.tar.gz
sqlite_archive=sqlite-$sqlite_version.tar.xz
inih_archive=inih-$inih_version.tar.gz
expat_archive=expat-$expat_version.tar.gz   # optional

say() { printf 'build-deps: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 THIRD_PARTY_DIR [CACHE_DIR]"
src_dir=$(cd "$1" && pwd) || die "cannot enter '$1'"
cache_dir=${2:-/var/cache/exsweep/win-deps}
script_path=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

for tool in $host-gcc $host-ar $host-ranlib sha256sum tar xz make perl tclsh autoreconf; do
	command -v "$tool" >/dev/null || die "'$tool' is missing"
done
[ -f "$src_dir/SHA256SUMS" ] || die "no SHA256SUMS in '$src_dir'"

# --- Verify the archives ---------------------------------------------------
# Prints the checksum listed for archive $1 after checking the file against it.
verified_sum() {
	local name=$1 listed actual
	listed=$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1 }' "$src_dir/SHA256SUMS")
	[ -n "$listed" ] || die "'$name' is not listed in $src_dir/SHA256SUMS"
	actual=$(sha256sum "$src_dir/$name" | cut -d' ' -f1)
	[ "$actual" = "$listed" ] || die "'$name' does not match SHA256SUMS (got $actual)"
	echo "$listed"
}
archives=("$openssl_archive" "$yara_archive" "$sqlite_archive" "$inih_archive")
with_expat=no
if [ -f "$src_dir/$expat_archive" ]; then
	if command -v cmake >/dev/null; then
		archives+=("$expat_archive")
		with_expat=yes
	else
		say "not building expat: cmake is missing"
	fi
fi
sums=""
for a in "${archives[@]}"; do
	[ -f "$src_dir/$a" ] || die "'$a' is missing from '$src_dir'"
	sums+="$(verified_sum "$a")  $a"$'\n'
done
say "archives match SHA256SUMS: ${archives[*]}"

compiler=$($host-gcc --version | head -n1)
key=$( { printf '%s' "$sums"; sha256sum <"$script_path" | cut -d' ' -f1; echo "$compiler"; } \
	| sha256sum | cut -c1-16)
prefix=$cache_dir/$key

mkdir -p "$cache_dir"
exec 9>"$cache_dir/.lock"
flock 9   # one build at a time per cache; a second caller waits, then reuses

point_current() {
	ln -sfn "$key" "$cache_dir/current.tmp.$$"
	mv -T "$cache_dir/current.tmp.$$" "$cache_dir/current"
}
if [ -f "$prefix/.complete" ]; then
	say "cached: $prefix"
	point_current
	echo "$prefix"
	exit 0
fi

# --- Build -----------------------------------------------------------------
# The entry grows in <key>.partial/, one library at a time; a library that
# built is marked there (.built-NAME) and its build folder removed, so a run
# that was cut off or failed resumes with the next library. The build folder
# and log of a failed library stay in <key>.partial/.build/ to be read.
stage=$cache_dir/$key.partial
work=$stage/.build
mkdir -p "$stage/include" "$stage/lib/pkgconfig" "$stage/share/licenses" "$work"
buildinfo=$stage/BUILDINFO
seconds=$stage/.seconds
touch "$seconds"

# Unpacks archive $1 into $work/$2 without its top folder.
unpack() {
	mkdir -p "$work/$2"
	tar -xf "$src_dir/$1" -C "$work/$2" --strip-components=1
}
# Writes a static-only pkg-config file: name, version, description, libs,
# requires.
write_pc() {
	cat >"$stage/lib/pkgconfig/$1.pc" <<PC
prefix=\${pcfiledir}/../..
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: $1
Description: $3 (static, $host, built by exsweep's win32/build-deps.sh)
Version: $2
Requires: $5
Libs: -L\${libdir} $4
Cflags: -I\${includedir}
PC
}
license() {   # library, file in its unpacked tree
	mkdir -p "$stage/share/licenses/$1"
	cp "$work/$1/$2" "$stage/share/licenses/$1/"
}
timed() {   # name, function
	local t0=$SECONDS rc=0
	if [ -f "$stage/.built-$1" ]; then
		say "$1 was built by an earlier run"
		return
	fi
	rm -rf "${work:?}/$1" "$work/$1"-*
	say "building $1 (log: $work/$1.log)"
	# A subshell outside any || list, so that set -e holds inside it.
	set +e
	( set -e; "$2" ) >"$work/$1.log" 2>&1
	rc=$?
	set -e
	if [ $rc -ne 0 ]; then
		tail -n 40 "$work/$1.log" >&2
		die "$1 failed (exit $rc, log above; build folder $work/$1)"
	fi
	echo "  $1: $((SECONDS - t0))" >>"$seconds"
	touch "$stage/.built-$1"
	rm -rf "${work:?}/$1" "$work/$1"-*
	say "built $1 in $((SECONDS - t0)) s"
}

# OpenSSL: only libcrypto is needed. 3.0's Configure refuses no-apps; the
# static library target alone avoids building libssl and the apps.
# libcrypto reads OPENSSLDIR/openssl.cnf when it starts, and that file can
# load engines: on Windows it must be a folder only administrators can write
# (a prefix of / would make it \ssl on the current drive, which any user can
# create), so it is under the install folder: OPENSSLDIR
# C:/Program Files/exsweep/openssl (exsweep never ships one), ENGINESDIR and
# MODULESDIR C:/Program Files/exsweep/lib/... (neither is used: no-module,
# static). Configure judges "absolute" by the build machine's rules, so a
# C:/ openssldir would be appended to the prefix: it is given relative.
build_openssl() {
	unpack "$openssl_archive" openssl
	cd "$work/openssl"
	./Configure mingw64 no-shared no-module no-tests \
		--cross-compile-prefix=$host- --prefix="C:/Program Files/exsweep" \
		--openssldir=openssl --libdir=lib
	grep -q '^OPENSSLDIR=C:/Program Files/exsweep/openssl$' Makefile ||
		{ grep '^OPENSSLDIR=' Makefile; echo "unexpected OPENSSLDIR"; return 1; }
	make build_generated
	make -j"$jobs" libcrypto.a
	cp libcrypto.a "$stage/lib/"
	mkdir -p "$stage/include/openssl"
	cp include/openssl/*.h "$stage/include/openssl/"
	# What a static libcrypto needs from Windows: the Libs.private of
	# OpenSSL's own libcrypto.pc (ws2_32, gdi32, crypt32), plus what MSVC
	# gets from #pragma comment(lib) and mingw does not: bcrypt
	# (BCryptGenRandom), user32 and advapi32 (OPENSSL_showfatal).
	local ex_libs
	make libcrypto.pc
	ex_libs=$(sed -n 's/^Libs.private: *//p' libcrypto.pc)
	case " $ex_libs " in
	*" -lws2_32 "*) ;;
	*) echo "unexpected Libs.private in OpenSSL's libcrypto.pc: '$ex_libs'"; return 1 ;;
	esac
	write_pc libcrypto "$openssl_version" "OpenSSL libcrypto" \
		"-lcrypto $ex_libs -lbcrypt -luser32 -ladvapi32" ""
	license openssl LICENSE.txt
}

# libyara: a git export, so autoreconf first. The hash module and the PE
# signature parsing need --with-crypto; dotnet (on by default), macho and
# dex are pure C, as Debian's libyara has them. magic and cuckoo need libmagic and jansson,
# which are not built here: a rule importing them does not compile.
build_yara() {
	unpack "$yara_archive" yara
	cd "$work/yara"
	autoreconf -fi
	local crypto_libs
	crypto_libs=$(sed -n 's/^Libs: -L${libdir} //p' "$stage/lib/pkgconfig/libcrypto.pc")
	./configure --host=$host --prefix=/ --disable-shared --enable-static \
		--with-crypto --enable-macho --enable-dex --disable-magic --disable-cuckoo \
		CPPFLAGS="-I$stage/include" LDFLAGS="-L$stage/lib" LIBS="$crypto_libs"
	make -j"$jobs" libyara.la
	cp .libs/libyara.a "$stage/lib/"
	mkdir -p "$stage/include/yara"
	cp libyara/include/yara.h "$stage/include/"
	cp libyara/include/yara/*.h "$stage/include/yara/"
	write_pc yara "$yara_version" "YARA pattern matching library" "-lyara" "libcrypto"
	license yara COPYING
}

# SQLite: the amalgamation is generated on the build machine (tclsh, and
# helper programs built with the host compiler), then cross-compiled alone.
# No loadable extensions: exsweep never loads one, and an .exe that cannot
# is one less way in.
build_sqlite() {
	unpack "$sqlite_archive" sqlite
	mkdir "$work/sqlite-gen"
	cd "$work/sqlite-gen"
	../sqlite/configure --disable-tcl
	make sqlite3.c
	$host-gcc -O2 -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION \
		-c sqlite3.c -o sqlite3.o
	$host-ar rcs "$stage/lib/libsqlite3.a" sqlite3.o
	cp sqlite3.h "$work/sqlite/src/sqlite3ext.h" "$stage/include/"
	write_pc sqlite3 "$sqlite_version" "SQL database engine" "-lsqlite3" ""
	license sqlite LICENSE.md
}

# inih: ini.c with the header's defaults, which is what upstream's meson build
# (distro_install=true, as Debian builds it) compiles too.
build_inih() {
	unpack "$inih_archive" inih
	cd "$work/inih"
	$host-gcc -O2 -c ini.c -o ini.o
	$host-ar rcs "$stage/lib/libinih.a" ini.o
	cp ini.h "$stage/include/"
	write_pc inih "${inih_version#r}" "simple .INI file parser" "-linih" ""
	license inih LICENSE.txt
}

# expat: not linked by exsweep yet; built so that the XML work can start.
build_expat() {
	unpack "$expat_archive" expat
	mkdir "$work/expat-build"
	cd "$work/expat-build"
	cmake ../expat -DCMAKE_SYSTEM_NAME=Windows -DCMAKE_C_COMPILER=$host-gcc \
		-DCMAKE_RC_COMPILER=$host-windres -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_INSTALL_PREFIX="$work/expat-inst" -DCMAKE_INSTALL_LIBDIR=lib \
		-DEXPAT_SHARED_LIBS=OFF -DEXPAT_BUILD_TOOLS=OFF -DEXPAT_BUILD_EXAMPLES=OFF \
		-DEXPAT_BUILD_TESTS=OFF -DEXPAT_BUILD_DOCS=OFF -DEXPAT_BUILD_PKGCONFIG=OFF
	make -j"$jobs" install
	cp "$work/expat-inst/lib/"libexpat*.a "$stage/lib/"
	[ -f "$stage/lib/libexpat.a" ] || mv "$stage"/lib/libexpat*.a "$stage/lib/libexpat.a"
	cp "$work/expat-inst/include/"*.h "$stage/include/"
	write_pc expat "$expat_version" "XML parser" "-lexpat" ""
	license expat COPYING
}

total0=$SECONDS
timed openssl build_openssl
timed yara build_yara
timed sqlite build_sqlite
timed inih build_inih
if [ $with_expat = yes ]; then
	timed expat build_expat
fi

{
	echo "exsweep Windows dependencies, built by win32/build-deps.sh"
	echo "host: $host"
	echo "compiler: $compiler"
	echo "key: $key"
	echo "archives (sha256):"
	printf '%s' "$sums" | sed 's/^/  /'
	echo "build seconds:"
	cat "$seconds"
} >"$buildinfo"
# A complete entry appears at once, with its marker.
rm -rf "$work" "$seconds" "$stage"/.built-*
touch "$stage/.complete"
rm -rf "$prefix"
mv -T "$stage" "$prefix"
point_current
say "complete in $((SECONDS - total0)) s: $prefix"
echo "$prefix"
