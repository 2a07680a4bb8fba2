#!/usr/bin/env python3
"""test-summary.py -- one line per test of a meson build folder, with the
counts each test script printed itself, and every skip with its reason.

    win32/test-summary.py BUILD-DIR [BUILD-DIR...]

Reads BUILD-DIR/meson-logs/testlog.json (the last `meson test` run there).
An e2e script prints "ok NAME", "skip NAME: reason", "FAIL NAME: ..." and
ends with "N passed, N failed"; a unit test prints its own counts or nothing.
A "# skip: reason" line is what a whole file leaves out (under wine: the
sandboxed worker): listed once, with the files that said it.
Used by .ci/run for the Windows build and good for the Linux one too, so the
two can be compared file by file.
"""

import json
import os
import re
import sys

COUNTS = re.compile(r"^(\d+) passed, (\d+) failed\s*$")


def summarise(build):
    path = os.path.join(build, "meson-logs", "testlog.json")
    try:
        with open(path, encoding="utf-8") as f:
            runs = [json.loads(line) for line in f if line.strip()]
    except OSError as e:
        print(f"{build}: no test log ({e.strerror})")
        return False
    print(f"{build}: {len(runs)} tests")
    print(f"  {'test':<28} {'suite':<6} {'result':<8} {'passed':>6} {'failed':>6} {'skipped':>7} {'secs':>6}")
    skips = []
    notes = {}   # "# skip: reason" -> the tests that printed it
    ok = True
    for r in runs:
        out = (r.get("stdout") or "").replace("\r\n", "\n").splitlines()
        passed = failed = skipped = ""
        for line in out:
            m = COUNTS.match(line.strip())
            if m:
                passed, failed = m.group(1), m.group(2)
            if line.startswith("skip "):
                skips.append((r["name"], line[5:]))
            elif line.startswith("# skip: "):
                notes.setdefault(line[8:].strip(), []).append(r["name"].rpartition(" / ")[2])
        n_skip = sum(1 for name, _ in skips if name == r["name"])
        skipped = str(n_skip) if passed else ""
        # "exsweep:e2e / t1000-check": project:suite / test
        suite, _, test = r["name"].rpartition(" / ")
        suite = suite.split(":", 1)[-1]
        print(f"  {test:<28} {suite:<6} {r['result']:<8} {passed:>6} {failed:>6} {skipped:>7} {r.get('duration', 0):>6.1f}")
        if r["result"] not in ("OK", "SKIP", "EXPECTEDFAIL"):
            ok = False
    for name, why in skips:
        print(f"  skipped in {name}: {why}")
    for why, names in notes.items():
        print(f"  skipped in every test of {len(names)} files ({', '.join(names)}): {why}")
    return ok


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    ok = True
    for build in argv[1:]:
        ok = summarise(build) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
