#!/usr/bin/env python3
"""t3200-config-roundtrip -- what `exsweep config` prints is a configuration
file that reads back to the same configuration, for hostile values too:
long paths (past libinih's 200-byte line buffer), values that start with ';'
or hold ' ;', quotes, blanks at the ends, values set on the command line.
And a bad exclude pattern is an error with its FILE:LINE when the file is
read, not a failure of init later.

    t3200-config-roundtrip.py EXSWEEP
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq  # noqa: E402

tests = lib.Tests()


def exsweep(e, *args):
    argv, env = e.wrapped([e.exe] + list(args))
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=180 if e.wine else 60,
                       cwd=e.dir, env=env)
    e.last = lib.Result(argv, p.returncode, p.stdout, p.stderr, None)
    check(p.returncode >= 0, f"exsweep was killed by signal {-p.returncode}")
    return p.returncode, p.stdout, p.stderr


def settings(dump):
    """The dump without its first line, which names the file read."""
    first, _, rest = dump.partition(b"\n")
    check(first.startswith(b"; exsweep configuration in effect: "), f"odd dump: {first!r}")
    return rest


def round_trip(e, args, name):
    """config with args -> file -> config again: the same settings."""
    rc, first, err = exsweep(e, *args, "config")
    eq(rc, 0, f"{name}: first config")
    path = os.path.join(e.dir, f"{name}.ini")
    with open(path, "wb") as f:
        f.write(first)
    rc, second, err = exsweep(e, "-c", path, "config")
    check(rc == 0, f"{name}: the dump does not load back (exit {rc}): {err!r}")
    eq(settings(second), settings(first), f"{name}: dump -> load -> dump")
    return first


HOSTILE = [
    ";starts with a semicolon", "a ;comment-like tail", "a\t;tab then semicolon",
    " leading blank", "trailing blank ", '"', '"quoted"', 'a"', '"a ;b" ; c', "#x",
    "x = y", "[yara]", "caf\u00e9 \U0001F600",
]
LONG_188 = "/" + "w" * 187


def resolved(e, v):
    """A web_root value as the dump spells it: itself, or on Windows the full
    path (relative to the folder exsweep ran in, or to the drive of it)."""
    if not e.wine:
        return v
    if v.startswith("/"):
        return e.native(v)
    return e.native(e.dir) + "\\" + v


def longest(e):
    """A web root of 4096 bytes, the most a value holds, in the binary's form."""
    v = "/" + "p" * 4095
    return v[:4096 - (len(e.native(v)) - len(v))]


@tests.case
def hostile_values_from_a_file_round_trip(e):
    def quote(v):
        return f'"{v}"'
    lines = ["[scan]", f"root = {e.tree}"]
    lines += [f"web_root = {quote(v)}" for v in HOSTILE + [LONG_188]]
    lines += [f"exclude = {quote(v)}" for v in HOSTILE]
    lines += ["[yara]", f"rules_dir = {quote(';odd rules')}",
              "[baseline]", f"path = {quote(' /db ;x')}", f"key = /k/{'K' * 300}",
              "[report]", f"dir = {quote('/r ; x')}"]
    e.write_config(text="\n".join(lines) + "\n")
    first = round_trip(e, ["-c", e.config], "file")
    text = first.decode("utf-8")
    for v in HOSTILE + [LONG_188]:
        w = resolved(e, v)
        check(any(l.startswith("web_root = ") and (l[11:] == w or l[11:] == quote(w))
                  for l in text.splitlines()), f"web_root {w!r} missing from the dump")


@tests.case
def the_188_byte_web_root_of_the_issue(e):
    # 188 bytes: "web_root = " plus the value was 199, past the old 197.
    e.write_config(web_roots=[LONG_188])
    round_trip(e, ["-c", e.config], "long")
    # And a path of 4096 bytes, the most a value holds.
    e.write_config(web_roots=[longest(e)])
    round_trip(e, ["-c", e.config], "longest")


@tests.case
def hostile_values_from_the_command_line_round_trip(e):
    args = ["-c", e.config]
    for v in HOSTILE + [LONG_188]:
        args += ["-w", v, "-x", v]
    args += ["-b", ";db", "-r", " rules "]
    round_trip(e, args, "cli")


def refused_on_the_command_line(e, cases):
    for opt, value, what in cases:
        arg = value.encode("utf-8", "surrogateescape") if "\xff" not in value \
            else b"/r\xff"
        rc, _, err = exsweep(e, "-c", e.config, opt, os.fsdecode(arg), "config")
        eq(rc, 16, f"exit status for {opt} {value[:20]!r}")
        check(what.encode() in err, f"{opt}: the message does not say {what!r}: {err!r}")
        check(b"option '--" in err, f"{opt}: the message does not name the option: {err!r}")


@tests.case
def values_a_file_cannot_hold_are_refused_on_the_command_line(e):
    refused_on_the_command_line(e, [("-w", "/a\nroot = /", "line break"),
                                    ("-x", "/", "invalid exclude pattern '/'"),
                                    ("--exclude", "\\", "invalid exclude pattern"),
                                    ("-b", "/" + "b" * 4096, "too long")])


@tests.case
def value_not_utf8_is_refused_on_the_command_line(e):
    lib.posix_only(e, "an argument that is not valid UTF-8 (wine converts it to "
                   "U+FFFD before the binary's UTF-16 command line)")
    refused_on_the_command_line(e, [("-x", "/r\xff", "not valid UTF-8")])


@tests.case
def bad_exclude_is_a_config_error_with_its_line(e):
    e.populate(2)
    e.write_config()
    with open(e.config, "a") as f:
        f.write("[scan]\nexclude = keep/this\nexclude = /\n")
    line = sum(1 for _ in open(e.config))
    r = e.run("init", json_report=False)
    eq(r.rc, 16, "exit status of init")
    check(f"{e.shown(e.config)}:{line}: invalid exclude pattern '/'".encode() in r.err,
          f"no FILE:LINE for the pattern: {r.err!r}")
    check(not os.path.exists(e.baseline), "init wrote a baseline")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
