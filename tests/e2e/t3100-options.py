#!/usr/bin/env python3
"""t3100-options -- the option parser against what a hurried or hostile user
types: every option that takes a value, given as the last argument with no
value, in its short and long spelling, after and before each command.

Each must exit 16 (usage) with a message that names the option, never crash:
a missing value once made the parser hand NULL to the option's code (SIGSEGV).

    t3100-options.py EXSWEEP
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq  # noqa: E402

tests = lib.Tests()

# (short, long) of every option that takes a value; the usage text is
# checked below against this list, so a new option cannot be forgotten.
VALUE_OPTIONS = [
    ("-c", "--config"), ("-b", "--baseline"), ("-w", "--web-root"),
    ("-x", "--exclude"), ("-r", "--rules-dir"), (None, "--image"),
    ("-j", "--json"), ("-p", "--threads"), (None, "--note"),
    (None, "--accept"), (None, "--against"), ("-o", "--output"), (None, "--reference"),
    (None, "--since"), (None, "--log-budget"), (None, "--log-dir"),
    (None, "--html"),
    (None, "--collect"), (None, "--zip"),
    (None, "--ndjson"),
]


def run(e, args):
    """The binary with args, through lib.py's wrapper (wine for exsweep.exe)."""
    argv, env = e.wrapped([e.exe] + args)
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=180 if e.wine else 60,
                       cwd=e.dir, env=env)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


@tests.case
def usage_lists_the_same_value_options(e):
    rc, out, _ = run(e, ["--help"])
    eq(rc, 0, "--help exit status")
    listed = set()
    for line in out.splitlines():
        words = line.split()
        # "  -c, --config FILE   ..." and "      --note TEXT   ..."
        if len(words) >= 2 and words[0].startswith("-"):
            names = [w.rstrip(",") for w in words if w.startswith("-")][:2]
            after = words[len(names)] if len(words) > len(names) else ""
            if after.isupper():
                listed.add(names[-1])
    eq(sorted(listed), sorted(l for _, l in VALUE_OPTIONS), "options that take a value")


@tests.case
def missing_value_is_a_usage_error(e):
    bad = []
    for short, long in VALUE_OPTIONS:
        for name in filter(None, (short, long)):
            for args in (["check", name], ["init", name], [name],
                         ["-q", "update", "--no-progress", name]):
                rc, out, err = run(e, args)
                if rc != 16 or f"'{name}'" not in err or "needs a value" not in err:
                    bad.append(f"{' '.join(args)}: exit {rc}, stderr {err.strip()!r}")
    check(not bad, "\n  ".join(["a missing value was not a clean usage error:"] + bad))


@tests.case
def inline_empty_value_is_not_missing(e):
    # "--threads=" gives an empty value: a bad number, not a crash.
    rc, _, err = run(e, ["check", "--threads="])
    eq(rc, 16, "exit status of --threads=")
    check("--threads" in err, f"message does not name the option: {err!r}")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
