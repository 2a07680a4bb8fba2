#!/usr/bin/env python3
"""t6200-manifest -- `check --against` fed manifests that are not what
`export` writes: every malformed record is exit 16 with MANIFEST:LINE and
the reason, a path listed twice is refused (not reported removed), and a
path can only ever name a file below its root.

    t6200-manifest.py EXSWEEP
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq  # noqa: E402

tests = lib.Tests()
HASH = "ab" * 32


def exported(e):
    """init, then export: (header lines, records, the root's name)."""
    e.populate(3)
    e.run("init", expect_rc=0)
    out = os.path.join(e.dir, "export.tsv")
    e.run("export", "-o", out, json_report=False, expect_rc=0)
    with open(out, "rb") as f:
        lines = f.read().split(b"\n")
    check(lines[-1] == b"", "export does not end with a line break")
    header = [l for l in lines[:-1] if l.startswith(b"#")]
    records = [l for l in lines[:-1] if l and not l.startswith(b"#")]
    roots = [l.split(b"\t")[1] for l in header if l.startswith(b"#root\t")]
    check(roots, f"no #root line in {header!r}")
    return header, records, roots[0].rstrip(b":").decode()


def write_manifest(e, header, records, name="m.tsv", end=b"\n"):
    path = os.path.join(e.dir, name)
    with open(path, "wb") as f:
        f.write(b"\n".join(header + records) + end)
    return path


def refused(e, manifest, line, reason):
    r = e.run("check", "--against", manifest, json_report=False)
    eq(r.rc, 16, f"exit status for line {line} ({reason})")
    err = r.err.decode("utf-8", "replace")
    where = f"{e.shown(manifest)}:{line}: "   # the path as the binary spells it
    check(where in err, f"the message does not name {where}: {err!r}")
    check(reason in err, f"the message does not say {reason!r}: {err!r}")


@tests.case
def malformed_records_are_refused_with_file_and_line(e):
    header, records, root = exported(e)
    good = records[0].split(b"\t")
    path = good[0].decode()
    rel = path.split(":", 1)[1]
    cases = [
        # (path, size, sha256, what the message says)
        (path, "-1", good[2].decode(), "size is not"),
        (path, " +5", good[2].decode(), "size is not"),
        (path, "+5", good[2].decode(), "size is not"),
        (path, "5 ", good[2].decode(), "size is not"),
        (path, "0x10", good[2].decode(), "size is not"),
        (path, "", good[2].decode(), "size is not"),
        (path, "18446744073709551616", good[2].decode(), "size is not"),
        (path, "5", good[2].decode().upper(), "sha256 is not"),
        (path, "5", good[2].decode()[:63], "sha256 is not"),
        (f"{root}:{rel[1:]}", "5", HASH, "'/' after its root name"),
        (f"{root}:/../../etc/passwd", "5", HASH, "'..' component"),
        (f"{root}:{rel}/..", "5", HASH, "'..' component"),
        (f"{root}:/./x", "5", HASH, "'..' component"),
        (f"{root}:/a//b", "5", HASH, "empty path component"),
        (f"{root}:/a/", "5", HASH, "empty path component"),
        (f"{root}:/", "5", HASH, "empty path component"),
        (f"{root}:", "5", HASH, "'/' after its root name"),
        (f"{root}:/%2E%2E/x", "5", HASH, "written as it is"),
        (f"{root}:/a%2F..%2Fb", "5", HASH, "separator inside a name"),
        (f"{root}:/a%00b", "5", HASH, "NUL or a separator"),
        (f"{root}:/a%2fb", "5", HASH, "malformed escape"),
        (f"{root}:/a%4", "5", HASH, "malformed escape"),
        (f"{root}:/a\x01b", "5", HASH, "must be escaped"),
        (f":/x", "5", HASH, "root name"),
        (f"{root}/x", "5", HASH, "root name"),
    ]
    for key, size, digest, reason in cases:
        rec = "\t".join([key, size, digest]).encode()
        m = write_manifest(e, header, records[1:] + [rec])
        refused(e, m, len(header) + len(records), reason)
    # Field counts: 2, 4 and 10 fields; the 9-field form checks its fields.
    for rec, reason in [
        (b"\t".join(good[:2]), "expected 3 fields"),
        (b"\t".join(good[:4]), "expected 3 fields"),
        (b"\t".join(good + [b"x"]), "more than 9 fields"),
        (b"\t".join(good[:3] + [b"-7"] + good[4:]), "mode is not"),
        (b"\t".join(good[:4] + [b"1e9"] + good[5:]), "mtime_ns"),
        (b"\t".join(good[:7] + [b"-1"] + good[8:]), "file_id is not"),
        (b"\t".join(good[:8] + [b"none"]), "security_sha256"),
    ]:
        m = write_manifest(e, header, records[1:] + [rec])
        refused(e, m, len(header) + len(records), reason)
    # A size field that runs to the very end of the file, no line break: the
    # reader must stop at the end of the buffer (this once read past it).
    rec = "\t".join([path, "", "1" * 64]).encode()
    m = write_manifest(e, header, records[1:] + [rec], end=b"")
    refused(e, m, len(header) + len(records), "size is not")


@tests.case
def header_must_be_version_1(e):
    header, records, _ = exported(e)
    bad = [header[0].replace(b"#exsweep-manifest/1", b"#exsweep-manifest/10", 1)] + header[1:]
    m = write_manifest(e, bad, records)
    refused(e, m, 1, "version 1")


@tests.case
def duplicate_record_is_refused(e):
    header, records, _ = exported(e)
    dup_of = 1
    m = write_manifest(e, header, records + [records[dup_of]])
    first = len(header) + dup_of + 1
    last = len(header) + len(records) + 1
    r = e.run("check", "--against", m, json_report=False)
    eq(r.rc, 16, "exit status for a duplicated record")
    err = r.err.decode("utf-8", "replace")
    check(f"{e.shown(m)}:{last}: duplicate record" in err and f"first at line {first}" in err,
          f"the message does not name both lines: {err!r}")
    # Several duplicates: the first one in file order is reported, and a
    # flood of one line is told quickly (no quadratic search).
    m = write_manifest(e, header, records + [records[2], records[0], records[0]],
                       name="many.tsv")
    r = e.run("check", "--against", m, json_report=False, expect_rc=16)
    err = r.err.decode("utf-8", "replace")
    want = f"{e.shown(m)}:{len(header) + len(records) + 1}: duplicate record"
    check(want in err and f"first at line {len(header) + 3}" in err,
          f"not the first duplicate in file order: {err!r}")
    m = write_manifest(e, header, records + [records[0]] * 200000, name="flood.tsv")
    r = e.run("check", "--against", m, json_report=False, expect_rc=16, timeout=60)
    check(r.seconds < 20, f"200000 duplicates took {r.seconds:.1f} s")


@tests.case
def exported_manifest_still_compares(e):
    header, records, root = exported(e)
    m = write_manifest(e, header, records)
    e.run("check", "--against", m, expect_rc=0)
    # CRLF line ends (the file went through Notepad) and the short
    # three-field form read the same.
    m = write_manifest(e, [h + b"\r" for h in header], [r + b"\r" for r in records],
                       name="crlf.tsv")
    e.run("check", "--against", m, expect_rc=0)
    short = [b"\t".join(r.split(b"\t")[:3]) for r in records]
    m = write_manifest(e, header, short, name="short.tsv")
    e.run("check", "--against", m, expect_rc=0)
    # A record for a file this host lacks is removed, at a path below the root.
    gone = f"{root}:/Bin/gone now.dll\t7\t{HASH}".encode()
    m = write_manifest(e, header, records + [gone], name="gone.tsv")
    r = e.run("check", "--against", m, expect_rc=2)
    removed = lib.by_kind(r.report, "removed")
    eq(list(removed), [os.path.join(lib.fs(e.tree), b"Bin", b"gone now.dll")],
       "the removed path")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
