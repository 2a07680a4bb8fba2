#!/usr/bin/env python3
"""t2200-output-bytes -- what the summary and the report make of hostile
bytes outside the findings' own paths, and old baselines' paths.

A file name with a bidirectional override (U+202E), an isolate, a line
separator or a zero-width character must not disguise itself in the
terminal summary: such characters are shown escaped. Every byte string in
the JSON report (roots, web roots, the baseline path, --against), not only
finding paths, keeps its exact bytes in an X_b64 twin when it is not valid
UTF-8. A schema-1 baseline whose paths were stored as SQLite TEXT, as an
older exsweep could write them, is read like one with BLOB paths: the same
files are the same files.

    t2200-output-bytes.py EXSWEEP
"""

import base64
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq, fs  # noqa: E402

tests = lib.Tests()

# Name -> how the summary must show the disguising character.
DISGUISED = {
    "invoice\u202egpj.aspx": "\\u202e",        # right-to-left override
    "a\u2066b\u2069.aspx": "\\u2066",           # left-to-right isolate
    "line\u2028break.js": "\\u2028",            # line separator
    "para\u2029graph.js": "\\u2029",            # paragraph separator
    "zero\u200bwidth.aspx": "\\u200b",          # zero width space
    "mark\u200f.js": "\\u200f",                 # right-to-left mark
    "arabic\u061cmark.js": "\\u061c",           # Arabic letter mark
    "bom\ufeff.js": "\\ufeff",
    "tag\U000e0041.js": "\\U000e0041",          # a tag character
}
# Characters that must never reach the terminal raw.
RAW = ["\u202e", "\u2066", "\u2069", "\u2028", "\u2029", "\u200b", "\u200f",
       "\u061c", "\ufeff", "\U000e0041"]


def b64(raw):
    return base64.b64encode(raw).decode("ascii")


@tests.case
def summary_escapes_disguising_characters(e):
    e.populate(2)
    e.run("init", json_report=False, expect_rc=0)
    for name in DISGUISED:
        e.write(os.path.join("web", name), lib.benign_js(3))
    r = e.run("check")
    out = r.out.decode("utf-8")
    added = lib.by_kind(r.report, "added")
    for name, shown in DISGUISED.items():
        check(fs(os.path.join(e.web, name)) in added, f"{name!r} not added")
        check(shown in out, f"{name!r} is not shown with {shown} in the summary:\n{out}")
    for ch in RAW:
        check(ch not in out, f"U+{ord(ch):04X} reaches the terminal raw:\n{out}")
    # The report keeps the exact characters: it is for machines.
    check(fs(os.path.join(e.web, "invoice\u202egpj.aspx")) in added, "report path")


@tests.case
def report_byte_strings_keep_their_bytes(e):
    lib.posix_only(e, "names that are not UTF-8 (Windows names are UTF-16; wine "
                   "mangles such an argument, U+FFFD and the next space lost, before "
                   "exsweep.exe reads its UTF-16 command line)")
    # A root, a web root and a baseline folder whose names are not UTF-8.
    root = os.path.join(fs(e.dir), b"root-\xff\xfe")
    web = os.path.join(root, b"web-\xe9")
    state = os.path.join(fs(e.dir), b"state-\xc0")
    os.makedirs(web)
    os.makedirs(state)
    baseline = os.path.join(state, b"baseline.db")
    with open(os.path.join(web, b"page.aspx"), "wb") as f:
        f.write(lib.benign_aspx("Page"))
    with open(os.path.join(root, b"a.dll"), "wb") as f:
        f.write(b"MZ\x90\x00")
    # The configuration file must be UTF-8; the command line takes bytes.
    key = os.path.join(e.state, "baseline.key")
    e.write_config(text=f"[baseline]\nkey = {key}\n", default_baseline=True)  # -b below
    args = ["-b", baseline, "-w", web]
    r = e.run("init", *args, root, expect_rc=0)
    rep = r.report
    eq(rep.get("roots_b64"), [b64(root)], "roots_b64")
    eq(rep.get("web_roots_b64"), [b64(web)], "web_roots_b64")
    check("\ufffd" in rep["roots"][0], "roots keeps a readable form")
    eq(rep["baseline"].get("path_b64"), b64(baseline), "baseline.path_b64")
    # A clean UTF-8 string gets no twin.
    r = e.run("check", *args, root, expect_rc=0)
    eq(r.report.get("roots_b64"), [b64(root)], "roots_b64 in check")
    check("path_b64" in r.report["baseline"], "baseline.path_b64 in check")
    # --against names a manifest file: its name is bytes too.
    manifest = os.path.join(state, b"mail01-\xfd.manifest")
    e.run("export", "-b", baseline, "-o", manifest, json_report=False,
          expect_rc=0)
    r = e.run("check", *args, "--against", manifest, root, expect_rc=0)
    eq(r.report.get("against_b64"), b64(manifest), "against_b64")
    check("\ufffd" in r.report.get("against", ""), "against keeps a readable form")


@tests.case
def utf8_strings_get_no_twin(e):
    e.populate(2)
    r = e.run("init", expect_rc=0)
    for k in ("roots_b64", "web_roots_b64", "against_b64"):
        check(k not in r.report, f"{k} without a reason")
    check("path_b64" not in r.report["baseline"], "baseline.path_b64 without a reason")


def to_schema1_text_paths(db):
    """A schema-1 baseline whose paths are TEXT (lib.rebuild_as_schema1)."""
    lib.rebuild_as_schema1(db, os.path.join(os.path.dirname(db), "baseline.key"),
                           text_paths=True)
    con = sqlite3.connect(db)
    kinds = {t for (t,) in con.execute("SELECT DISTINCT typeof(path) FROM files")}
    con.close()
    eq(kinds, {"text"}, "test setup: path storage class")


@tests.case
def schema1_text_paths_match(e):
    e.populate(4)
    # One name that is not UTF-8: TEXT keeps bytes as they are too. Windows
    # names are UTF-16 (wine shows such bytes as U+FFFD): there one that is
    # not ASCII, stored as its UTF-8.
    odd = "web/owa/latin1-\u00e9t\u00e9.js".encode() if e.wine \
        else b"web/owa/latin1-\xe9t\xe9.js"
    e.write(odd, lib.benign_js(9))
    e.run("init", json_report=False, expect_rc=0)
    to_schema1_text_paths(e.baseline)
    r = e.run("check", "--allow-unsealed")
    eq(sorted(lib.kinds_by_path(r.report).items()), [], "findings against a "
       "schema-1 baseline with TEXT paths")
    eq(r.rc, 0, "exit status")
    # A real change is still one change, not an added/removed pair.
    e.write("web/owa/auth/page1.aspx", lib.benign_aspx("Edited"))
    os.unlink(e.path(odd))
    r = e.run("check", "--allow-unsealed")
    kinds = lib.kinds_by_path(r.report)
    eq(kinds, {e.path("web/owa/auth/page1.aspx"): {"changed"},
               e.path(odd): {"removed"}},
       "findings after one edit and one removal")
    # update migrates it; the migrated baseline has BLOB paths and checks clean.
    r = e.run("update", "--allow-unsealed", json_report=False)
    check(r.rc < 16, f"update of the schema-1 baseline failed ({r.rc})")
    con = sqlite3.connect(e.baseline)
    kinds = {t for (t,) in con.execute("SELECT DISTINCT typeof(path) FROM files")}
    rows = con.execute("SELECT count(*) FROM files WHERE gen_to IS NULL").fetchone()[0]
    con.close()
    eq(kinds, {"blob"}, "path storage class after migration")
    r = e.run("check", expect_rc=0)
    eq(r.report["counts"]["files"], rows, "files walked vs current rows")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
