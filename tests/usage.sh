#!/usr/bin/env bash
# Every option that `exsweep --help` prints is documented in README.md, and
# every command in the command table answers --help: the usage text and the
# README cannot drift apart silently (git's t0450 idea).
#   usage.sh EXSWEEP README
# EXSWEEP_EXE_WRAPPER (wine, for the mingw cross build) runs EXSWEEP if set.
set -u
exe=$1 readme=$2
help=$(${EXSWEEP_EXE_WRAPPER:+"$EXSWEEP_EXE_WRAPPER"} "$exe" --help | tr -d '\r')
pass=0 fail=0
for opt in $(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
	if grep -qF -- "$opt" "$readme"; then
		pass=$((pass + 1))
	else
		echo "README.md does not document $opt"; fail=$((fail + 1))
	fi
done
for cmd in init check scan rules config info; do
	if printf '%s\n' "$help" | grep -qE "exsweep(\.exe)? \[OPTIONS\] $cmd"; then
		pass=$((pass + 1))
	else
		echo "--help does not show the command $cmd"; fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
