#!/usr/bin/env bash
# Check the YARA rule set (yara-rules/*.yar) against the hand-written fixtures
# in tests/fixtures/webshells using the yara CLI.
#
# EXPECT.tsv has one line per fixture: path (relative to
# tests/fixtures/webshells) TAB rule. For a positive, the named rule must be
# among the rules that match the file (others may match too); for NONE, no
# rule may match. Fixtures on disk that EXPECT.tsv does not list are errors.
# The rule set must also compile without any warning, with and without the
# external variables exsweep defines.
#
# Prints one line per mismatch and a final "N passed, N failed" line; exits 1
# on any failure. Exits 0 with a note (and counts nothing) when yara is absent.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
rules_dir=${RULES_DIR:-$root/yara-rules}
fx=$here/fixtures/webshells
expect=$fx/EXPECT.tsv

if ! command -v yara >/dev/null 2>&1; then
    echo "rules_fixtures: yara CLI not installed, skipping (apt-get install yara)"
    exit 0
fi

shopt -s nullglob
rules=("$rules_dir"/*.yar)
if [ ${#rules[@]} -eq 0 ]; then
    echo "rules_fixtures: no rules in $rules_dir"; echo "0 passed, 1 failed"; exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# 1. compile: no errors, no warnings (e.g. "slowing down scanning"), with and
#    without the external variables.
if command -v yarac >/dev/null 2>&1; then
    if yarac "${rules[@]}" "$tmp/r.yarc" >"$tmp/c.out" 2>&1 && [ ! -s "$tmp/c.out" ]; then
        pass=$((pass + 1))
    else
        echo "FAIL compile: yarac printed:"; sed 's/^/    /' "$tmp/c.out"; fail=$((fail + 1))
    fi
fi
ext=(-d filename=x -d filepath=x -d extension=x -d filetype=x -d owner=x)
if yara "${ext[@]}" "${rules[@]}" /dev/null >"$tmp/c2.out" 2>&1 && [ ! -s "$tmp/c2.out" ]; then
    pass=$((pass + 1))
else
    echo "FAIL compile with externals: yara printed:"; sed 's/^/    /' "$tmp/c2.out"; fail=$((fail + 1))
fi

# 2. every rule: ExSweep_ prefix and the five metadata fields
awk '
    function check() {
        if (name == "") return
        if (name !~ /^ExSweep_/) { print "FAIL rule " name ": name must start with ExSweep_"; bad++ }
        split("description family severity reference author", want, " ")
        for (k in want) if (!(want[k] in seen)) { print "FAIL rule " name ": meta " want[k] " missing"; bad++ }
        if (sev != "high" && sev != "medium") { print "FAIL rule " name ": severity must be high or medium"; bad++ }
        n++
    }
    /^[ \t]*(private[ \t]+)?rule[ \t]+[A-Za-z0-9_]+/ {
        check(); delete seen; sev = ""
        sub(/^[ \t]*(private[ \t]+)?rule[ \t]+/, ""); name = $0; sub(/[^A-Za-z0-9_].*/, "", name)
        next
    }
    /^[ \t]*(description|family|severity|reference|author)[ \t]*=[ \t]*"/ {
        key = $1; seen[key] = 1
        if (key == "severity") { v = $0; sub(/^[^"]*"/, "", v); sub(/".*/, "", v); sev = v }
    }
    END { check(); printf "%d %d\n", n, bad > "/dev/stderr" }
' "${rules[@]}" >"$tmp/meta.out" 2>"$tmp/meta.cnt"
read -r nrules nbad <"$tmp/meta.cnt"
if [ "${nbad:-1}" -eq 0 ] && [ "${nrules:-0}" -gt 0 ]; then pass=$((pass + 1)); else
    cat "$tmp/meta.out"; fail=$((fail + 1)); fi

# 3. scan every fixture once; output lines are "RULE PATH"
if ! yara -w -r "${rules[@]}" "$fx" >"$tmp/scan.out" 2>"$tmp/scan.err"; then
    echo "FAIL scan: yara exited non-zero:"; sed 's/^/    /' "$tmp/scan.err"
    echo "$pass passed, $((fail + 1)) failed"; exit 1
fi
sed "s|^\([^ ]*\) $fx/|\1 |" "$tmp/scan.out" >"$tmp/hits"

declare -A listed=()
while IFS=$'\t' read -r path want || [ -n "$path" ]; do
    [ -z "$path" ] && continue
    case $path in \#*) continue ;; esac
    listed[$path]=1
    if [ ! -f "$fx/$path" ]; then
        echo "FAIL $path: listed in EXPECT.tsv but missing"; fail=$((fail + 1)); continue
    fi
    got=$(awk -v p="$path" '{ r = $1; $1 = ""; sub(/^ /, ""); if ($0 == p) print r }' "$tmp/hits" | sort -u | paste -sd, -)
    if [ "$want" = NONE ]; then
        if [ -z "$got" ]; then pass=$((pass + 1)); else
            echo "FAIL $path: expected no match, got $got"; fail=$((fail + 1)); fi
    else
        if [[ ",$got," == *",$want,"* ]]; then pass=$((pass + 1)); else
            echo "FAIL $path: expected $want, got ${got:-nothing}"; fail=$((fail + 1)); fi
    fi
done <"$expect"

while IFS= read -r -d '' f; do
    rel=${f#"$fx"/}
    [ "$rel" = EXPECT.tsv ] && continue
    if [ -z "${listed[$rel]:-}" ]; then
        echo "FAIL $rel: fixture not listed in EXPECT.tsv"; fail=$((fail + 1))
    fi
done < <(find "$fx" -type f -print0)

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
