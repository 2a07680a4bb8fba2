#!/usr/bin/env bash
# Compiles every C file of the tool (the core, the baseline, the command
# layer) with the mingw-w64 compiler in syntax-only mode, warnings as errors.
#
# Debian has no mingw builds of libyara, OpenSSL, SQLite or inih, so the tool
# cannot be linked for Windows here; but its own code can still be held to
# the Windows compiler: printf formats that MSVCRT-style attributes reject,
# types that differ (long is 32 bits), headers that are not there. The
# libraries' headers are borrowed from the Linux -dev packages into a scratch
# folder (never /usr/include, whose glibc headers would shadow mingw's).
#   win32/check-tool-syntax.sh     (from the top of the tree)
set -u
cc=x86_64-w64-mingw32-gcc
command -v $cc >/dev/null || { echo "$cc is missing"; exit 1; }
inc=$(mktemp -d)
trap 'rm -rf "$inc"' EXIT
cp -r /usr/include/yara /usr/include/yara.h /usr/include/sqlite3.h \
      /usr/include/ini.h "$inc"/ || exit 1
mkdir "$inc/openssl"
cp /usr/include/openssl/*.h /usr/include/x86_64-linux-gnu/openssl/*.h \
   "$inc/openssl/" || exit 1
pass=0 fail=0
for f in scanner/*.c baseline/*.c scanner/cli/*.c detect/code/*.c; do
	if out=$($cc -std=c11 -Wall -Wextra -Werror -Wno-format-truncation \
		-fsyntax-only -D_WIN32_WINNT=0x0601 -DUNICODE \
		-D__USE_MINGW_ANSI_STDIO=1 -DEXS_VERSION='"check"' \
		-Iscanner -Ibaseline -Iscanner/cli -Idetect/code -I"$inc" "$f" 2>&1); then
		pass=$((pass + 1))
	else
		echo "== $f"; echo "$out"; fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
