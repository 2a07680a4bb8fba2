#!/usr/bin/env python3
"""t9000-collect -- evidence collection: `check --collect CASE` and `scan
--collect CASE` copy every finding's file into a sealed case folder without
changing the original, and `exsweep collect CASE` verifies it (exit 27 when
anything in it was edited, added, removed or sealed with another key) and
packs it as a ZIP that standard tools read. The seal is recomputed here from
its documented canonical form (README, "Evidence collection").

    t9000-collect.py EXSWEEP
"""

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq  # noqa: E402

tests = lib.Tests()
COPY_NAME = re.compile(r"^files/[0-9]{6,}-[A-Za-z0-9._-]+$")


def sha(data):
    return hashlib.sha256(data).hexdigest()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def case_seal(key, sums_text):
    """The case seal as README documents it: HMAC-SHA256 keyed by the
    baseline key over seal.h's canonical stream of section exsweep-case/1 and
    one row (name as text, SHA-256 as a blob) per SHA256SUMS line."""
    def u64(v):
        return struct.pack(">Q", v)
    stream = b"exsweep-seal/1\n" + b"S" + u64(14) + b"exsweep-case/1"
    for line in sums_text.decode().splitlines():
        digest, name = line.split("  ", 1)
        stream += (b"R" + u64(2) + b"T" + u64(len(name)) + name.encode() +
                   b"B" + u64(32) + bytes.fromhex(digest))
    return hmac.new(key, stream, hashlib.sha256).hexdigest()


def key_of(e):
    return read(os.path.join(e.state, "baseline.key"))


def manifest_of(case):
    with open(os.path.join(case, "manifest.json"), "rb") as f:
        return json.load(f)


def entry_path(e, entry):
    """An entry's original path in POSIX form (bytes)."""
    if "path_b64" in entry:
        raw = base64.b64decode(entry["path_b64"])
        return raw if not e.wine else os.fsencode(e.posix(raw.decode("utf-8", "surrogateescape")))
    return os.fsencode(e.posix(entry["path"]))


def verify(e, case, *extra):
    return e.run("collect", *extra, case, json_report=False)


def planted(e):
    """A baseline of a small tree, then a webshell planted, a page changed
    and a DLL removed: (webshell path, changed path, removed path, old bytes
    of the changed page, old bytes of the removed file)."""
    e.populate(4)
    e.run("init", expect_rc=0)
    shell = e.write("web/owa/auth/errorFE2.aspx", lib.CHOPPER_PREFIX + lib.CHOPPER)
    changed = e.path("web/owa/auth/page1.aspx")
    old_changed = read(changed)
    e.write("web/owa/auth/page1.aspx", old_changed + b"<!-- edited -->\r\n",
            mtime_ns=lib.OLD_MTIME_NS + 10**9)
    removed = e.path("Bin/Microsoft.Exchange.Part2.dll")
    old_removed = read(removed)
    os.unlink(removed)
    return shell, changed, removed, old_changed, old_removed


@tests.case
def check_collect_copies_findings_into_a_sealed_case(e):
    shell, changed, removed, old_changed, old_removed = planted(e)
    before = {p: (read(p), os.stat(p).st_mtime_ns) for p in (shell, changed)}
    case = os.path.join(e.dir, "case")
    r = e.run("check", "--collect", case)
    eq(r.rc, 1 | 2 | 4 | 8, "exit status of check --collect")
    check(b"evidence seal: " in r.out, f"the summary has no evidence line: {r.out!r}")

    # Nothing in the tree changed: bytes and modification times.
    for p, (data, mtime) in before.items():
        eq(read(p), data, f"bytes of the original {p!r}")
        eq(os.stat(p).st_mtime_ns, mtime, f"mtime of the original {p!r}")
    check(not os.path.exists(removed), "the removed file came back")

    eq(sorted(os.listdir(case)), ["SEAL", "SHA256SUMS", "files", "manifest.json",
                                  "report.json"], "the case folder's names")
    m = manifest_of(case)
    eq(m["schema"], "exsweep-case/1", "manifest schema")
    eq(m["command"], "check", "manifest command")
    check(m["baseline"] and m["baseline"]["generation"] == 1 and
          len(m["baseline"]["seal"]) == 64, f"manifest baseline: {m['baseline']!r}")
    entries = {entry_path(e, x): x for x in m["entries"]}
    eq(set(entries), {shell, changed, removed}, "the manifest's paths")
    eq(m["counts"], {"entries": 3, "copied": 2, "streams": 0, "not_copied": 0,
                     "recorded_only": 1}, "manifest counts")

    w = entries[shell]
    eq(sorted(f["kind"] for f in w["findings"]), ["added", "suspicious", "webshell"],
       "the webshell's findings, grouped on its one entry")
    rules = [r for f in w["findings"] for r in f.get("rules", [])]
    check(any(r.startswith("ExSweep_Chopper") for r in rules), f"rules: {rules!r}")
    check(COPY_NAME.match(w["copy"]), f"copy name {w['copy']!r}")
    copy = read(os.path.join(case, w["copy"]))
    eq(copy, before[shell][0], "the copy's bytes")
    eq(w["sha256"], sha(copy), "the copy's sha256 in the manifest")
    eq((w["size"], w["bytes"], w["complete"], w["same_as_scanned"]),
       (len(copy), len(copy), True, True), "size, bytes, complete, same_as_scanned")
    eq(w["mtime_ns"], e.ns(lib.OLD_MTIME_NS), "the original's mtime in the manifest")
    check(w["baseline"] is None, "an added file has no baseline record")

    c = entries[changed]
    eq([f["kind"] for f in c["findings"]], ["changed"], "the changed page's findings")
    check("sha256" in c["findings"][0]["changed"], f"changed: {c['findings']!r}")
    eq(read(os.path.join(case, c["copy"])), before[changed][0], "the changed page's copy")
    eq(c["baseline"]["sha256"], sha(old_changed), "the baseline's record of the changed page")
    eq(c["baseline"]["size"], len(old_changed), "the baseline's size of the changed page")

    d = entries[removed]
    check(d["copy"] is None and "sha256" not in d, f"a removed file is not copied: {d!r}")
    eq(d["baseline"]["sha256"], sha(old_removed), "the baseline's record of the removed file")

    # The report in the case is the run's.
    with open(os.path.join(case, "report.json"), "rb") as f:
        eq(json.load(f)["counts"], r.report["counts"], "report.json's counts")

    # SHA256SUMS: every file, each hash right, sorted; and the seal over it.
    sums = read(os.path.join(case, "SHA256SUMS"))
    names = []
    for line in sums.decode().splitlines():
        digest, name = line.split("  ", 1)
        eq(digest, sha(read(os.path.join(case, name))), f"SHA256SUMS line of {name}")
        names.append(name)
    eq(names, sorted([w["copy"], c["copy"], "manifest.json", "report.json"]),
       "the names SHA256SUMS lists")
    seal = case_seal(key_of(e), sums)
    eq(read(os.path.join(case, "SEAL")), f"exsweep-case/1 hmac-sha256 {seal}\n".encode(),
       "the SEAL file")
    check(seal.encode() in r.out, "the summary does not print the case's seal")

    v = verify(e, case)
    eq(v.rc, 0, "exit status of collect CASE")
    check(seal.encode() in v.out, f"collect does not print the seal: {v.out!r}")


@tests.case
def a_case_edited_after_sealing_does_not_verify(e):
    planted(e)
    case = os.path.join(e.dir, "case")
    e.run("check", "--collect", case)
    m = manifest_of(case)
    copy = next(x["copy"] for x in m["entries"] if x["copy"])
    pristine = os.path.join(e.dir, "pristine")
    shutil.copytree(case, pristine)

    def fresh():
        shutil.rmtree(case)
        shutil.copytree(pristine, case)

    def refused(what, needle):
        v = verify(e, case)
        eq(v.rc, 27, f"exit status of collect after {what}")
        err = v.err.decode("utf-8", "replace")
        check(needle in err, f"after {what}, stderr does not say {needle!r}: {err!r}")
        fresh()

    with open(os.path.join(case, copy), "ab") as f:
        f.write(b"x")
    refused("a copy was changed", copy.split("/")[1])
    os.unlink(os.path.join(case, copy))
    refused("a copy was removed", copy.split("/")[1])
    shutil.rmtree(os.path.join(case, "files"))
    refused("the copies' folder was removed", "files: the folder is missing")
    with open(os.path.join(case, "files", "000099-planted.aspx"), "wb") as f:
        f.write(b"x")
    refused("a file was added", "000099-planted.aspx")
    with open(os.path.join(case, "manifest.json"), "ab") as f:
        f.write(b" ")
    refused("the manifest was changed", "manifest.json")

    # SHA256SUMS made to agree with an edited manifest: the seal catches it.
    with open(os.path.join(case, "manifest.json"), "ab") as f:
        f.write(b" ")
    sums = read(os.path.join(case, "SHA256SUMS")).decode().splitlines()
    sums = [f"{sha(read(os.path.join(case, 'manifest.json')))}  manifest.json"
            if l.endswith("  manifest.json") else l for l in sums]
    with open(os.path.join(case, "SHA256SUMS"), "w") as f:
        f.write("\n".join(sums) + "\n")
    refused("SHA256SUMS was rewritten", "seal does not match")

    # A malformed SHA256SUMS names its line.
    with open(os.path.join(case, "SHA256SUMS"), "ab") as f:
        f.write(b"zz  ../../etc/passwd\n")
    refused("a malformed line was added", "SHA256SUMS:5")

    # Another key: the seal does not match.
    with open(os.path.join(e.state, "baseline.key"), "r+b") as f:
        k = f.read()
        f.seek(0)
        f.write(bytes([k[0] ^ 1]) + k[1:])
    refused("the key changed", "seal does not match")

    os.unlink(os.path.join(e.state, "baseline.key"))
    v = verify(e, case)
    eq(v.rc, 25, "exit status of collect without the key")


@tests.case
def scan_collect_and_zip(e):
    e.populate(2)
    e.run("init", expect_rc=0)   # the key the case is sealed with
    shell = e.write("web/owa/auth/x.aspx", lib.CHOPPER_PREFIX + lib.CHOPPER)
    case = os.path.join(e.dir, "case")
    r = e.run("scan", "--collect", case)
    eq(r.rc, 8, "exit status of scan --collect")
    m = manifest_of(case)
    eq(m["command"], "scan", "manifest command")
    check(m["baseline"] is None, "scan has no baseline")
    eq([entry_path(e, x) for x in m["entries"]], [shell], "scan's entries")
    zpath = os.path.join(e.dir, "case.zip")
    v = verify(e, case, "--zip", zpath)
    eq(v.rc, 0, "exit status of collect --zip")
    with zipfile.ZipFile(zpath) as z:
        eq(z.testzip(), None, "zip CRCs")
        members = sorted(z.namelist())
        listed = sorted(["SEAL", "SHA256SUMS"] + [
            l.split("  ", 1)[1] for l in read(os.path.join(case, "SHA256SUMS")).decode().splitlines()])
        eq(members, listed, "the zip's members")
        for name in members:
            eq(z.read(name), read(os.path.join(case, name)), f"zip member {name}")
        check(all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist()),
              "members are not deflated")
    if shutil.which("unzip"):
        p = subprocess.run(["unzip", "-tq", zpath], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        eq(p.returncode, 0, f"unzip -t: {p.stdout!r}")
    # A zip is never overwritten.
    v = verify(e, case, "--zip", zpath)
    eq(v.rc, 16, "exit status of collect --zip onto an existing file")
    check(b"exists" in v.err, f"stderr: {v.err!r}")


@tests.case
def check_against_collects_too(e):
    e.populate(2)
    e.run("init", expect_rc=0)
    export = os.path.join(e.dir, "export.tsv")
    e.run("export", "-o", export, json_report=False, expect_rc=0)
    shell = e.write("web/owa/auth/x.aspx", lib.CHOPPER_PREFIX + lib.CHOPPER)
    case = os.path.join(e.dir, "case")
    r = e.run("check", "--against", export, "--collect", case)
    eq(r.rc, 1 | 8, "exit status of check --against --collect")
    m = manifest_of(case)
    eq([entry_path(e, x) for x in m["entries"]], [shell], "the entries")
    eq(read(os.path.join(case, m["entries"][0]["copy"])), read(shell), "the copy")
    eq(verify(e, case).rc, 0, "collect of the case")


@tests.case
def refusals_before_anything_is_walked(e):
    e.populate(2)
    e.run("init", expect_rc=0)
    case = os.path.join(e.dir, "case")
    os.makedirs(case)
    with open(os.path.join(case, "old"), "wb") as f:
        f.write(b"x")
    r = e.run("check", "--collect", case, json_report=False)
    eq(r.rc, 16, "exit status of --collect into a folder that is not empty")
    check(b"not empty" in r.err, f"stderr: {r.err!r}")
    eq(os.listdir(case), ["old"], "the folder's contents")
    # Inside a walked folder or a web root: the next run would walk the
    # copies, and IIS would serve them.
    for where, needle in ((os.path.join(e.tree, "Bin", "case"), b"walked folder"),
                          (os.path.join(e.web, "owa", "case"), b"web root")):
        r = e.run("check", "--collect", where, json_report=False)
        eq(r.rc, 16, f"exit status of --collect {where}")
        check(needle in r.err, f"stderr for {where}: {r.err!r}")
        check(not os.path.exists(where), f"a case folder was made at {where}")
    os.unlink(os.path.join(e.state, "baseline.key"))
    r = e.run("scan", "--collect", os.path.join(e.dir, "case2"), json_report=False)
    eq(r.rc, 25, "exit status of scan --collect without a key")
    check(not os.path.exists(os.path.join(e.dir, "case2")), "a case folder was made without a key")
    r = e.run("collect", json_report=False)
    eq(r.rc, 16, "exit status of collect without CASE")


@tests.case
def hostile_names_map_to_safe_names(e):
    lib.posix_only(e, "names with newlines, invalid UTF-8 and device names are not Windows names")
    e.populate(1)
    e.run("init", expect_rc=0)
    names = [b"a\nWEBSHELL x.aspx", b"\xff\xfe\x80.aspx", b"..\\..\\x.aspx", b"...", b"CON",
             b"nul.aspx", b"COM1.txt", b"x" * 240 + b".aspx", b"-rf", b".hidden.aspx",
             "\u202egpj.aspx".encode()]
    paths = {e.write(b"web/drop/" + n, b"<%@ Page %>" + n): n for n in names}
    case = os.path.join(e.dir, "case")
    r = e.run("check", "--collect", case)
    eq(r.rc & 1, 1, "the files are added")
    m = manifest_of(case)
    seen = set()
    for x in m["entries"]:
        original = entry_path(e, x)
        check(original in paths, f"an entry for an unexpected path {original!r}")
        seen.add(original)
        name = x["copy"]
        check(COPY_NAME.match(name) and len(name) <= 6 + 100 and not name.endswith("."),
              f"unsafe copy name {name!r} for {original!r}")
        eq(read(os.path.join(case, name)), b"<%@ Page %>" + paths[original],
           f"the copy of {original!r}")
    eq(seen, set(paths), "every hostile name has an entry")
    eq(verify(e, case).rc, 0, "collect of the case with hostile names")


@tests.case
def the_copy_does_not_move_the_access_time(e):
    lib.posix_only(e, "O_NOATIME and mount namespaces are Linux's")
    if os.geteuid() != 0 or not shutil.which("unshare"):
        raise lib.Skip("needs root and unshare(1) for a strictatime mount")
    # Under relatime a second read within a day moves no access time, so a
    # plain open would pass too; on a strictatime tmpfs every read does.
    e.populate(1)
    mnt = os.path.join(e.dir, "strict")
    os.makedirs(mnt)
    script = ("mount -t tmpfs -o strictatime none \"$1\" && cp -a \"$2\" \"$1/tree\" && "
              "\"$3\" --config \"$4\" init -q --no-progress \"$1/tree\" && "
              "printf '%s' \"$5\" > \"$1/tree/web/x.aspx\" && "
              "\"$3\" --config \"$4\" check -q --no-progress --collect \"$1/case\" \"$1/tree\"; "
              "python3 -c 'import os,sys; print(os.stat(sys.argv[1]).st_atime_ns)' "
              "\"$1/tree/web/x.aspx\"; cat \"$1/case/manifest.json\"")
    e.write_config(roots=[os.path.join(mnt, "tree")], web_roots=[os.path.join(mnt, "tree", "web")])
    p = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", mnt, e.tree, e.exe,
                        e.config, (lib.CHOPPER_PREFIX + lib.CHOPPER).decode()],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    out = p.stdout.decode()
    if "mount" in p.stderr.decode() and not out.strip():
        raise lib.Skip(f"cannot mount a tmpfs here: {p.stderr.decode().strip()}")
    first, _, manifest = out.partition("\n")
    check(first.strip().isdigit(), f"no access time printed: {out!r} {p.stderr!r}")
    m = json.loads(manifest)
    entry = next(x for x in m["entries"] if x["path"].endswith("/x.aspx"))
    check(entry["atime_kept"], f"atime_kept is false: {entry!r}")
    eq(entry["atime_ns"], int(first), "the access time after the copy (the scan's read set it)")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
