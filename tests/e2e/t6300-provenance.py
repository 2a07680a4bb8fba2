#!/usr/bin/env python3
"""t6300-provenance -- patch day split into what is vouched for and what is
not: a simulated cumulative update with a reference export of the updated
tree taken before one page was altered leaves only that page (and the PE
images, whose signatures are not checked yet) in "look first"; copies of a
file in the new build's folders vouch for each other; .txt/.log files in web
folders and new files in auth folders never are vouched for; `update
--vouched-only` takes the vouched changes and keeps the rest reported; the
shipped pages attackers edit are emphasised when they change outside a
build change; `--image` does the same offline.

    t6300-provenance.py EXSWEEP
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq  # noqa: E402

tests = lib.Tests()
OLD, NEW = "15.2.1118.7", "15.2.1258.12"
PAGES = 210   # changed by the update: past the 200 changes of patch day
IMAGES = 12


def page(i, rev):
    return lib.benign_aspx(f"EcpPage{i}Rev{rev}")


def image(i, rev):
    return b"MZ\x90\x00" + (b"%d-%d" % (i, rev)) * (40 + i)


def build_tree(e, base="web"):
    """The server before the update, below base (the web root)."""
    e.write(f"{base}/owa/auth/logon.aspx", lib.benign_aspx("Logon"))
    e.write(f"{base}/owa/auth/errorFE.aspx", lib.benign_aspx("ErrorFE"))
    e.write(f"{base}/owa/auth/{OLD}/scripts/premium/flogon.js", lib.benign_js(0))
    for i in range(PAGES):
        e.write(f"{base}/ecp/page{i}.aspx", page(i, 1))
    for i in range(8):
        e.write(f"{base}/owa/prem/{OLD}/scripts/boot{i}.js", lib.benign_js(100 + i))
    for i in range(IMAGES):
        e.write(f"Bin/Microsoft.Exchange.Part{i}.dll", image(i, 1))


def cumulative_update(e, base="web"):
    """What an update does: pages and images rewritten, a new build folder
    (copies of the old one's files, and one file Exchange puts under the
    build folder in two places), a file removed."""
    e.write(f"{base}/owa/auth/logon.aspx", lib.benign_aspx("LogonCU"), mtime_ns=None)
    for i in range(PAGES):
        e.write(f"{base}/ecp/page{i}.aspx", page(i, 2), mtime_ns=None)
    for i in range(8):
        e.write(f"{base}/owa/prem/{NEW}/scripts/boot{i}.js", lib.benign_js(100 + i))
    e.write(f"{base}/owa/auth/{NEW}/scripts/premium/flogon.js", lib.benign_js(1))
    e.write(f"{base}/owa/prem/{NEW}/scripts/shared.js", lib.benign_js(999))
    e.write(f"{base}/ecp/{NEW}/scripts/shared.js", lib.benign_js(999))
    for i in range(IMAGES):
        e.write(f"Bin/Microsoft.Exchange.Part{i}.dll", image(i, 2), mtime_ns=None)
    os.unlink(e.path(f"{base}/owa/prem/{OLD}/scripts/boot7.js"))


def reference_export(e, name="reference.tsv", extra=()):
    """A clean server of the new build: its own baseline of the tree as it
    is now, exported. The test's baseline and config are left as they were."""
    clean = os.path.join(e.dir, "clean")
    os.makedirs(clean, exist_ok=True)
    e.write_config(baseline=os.path.join(clean, "baseline.db"))
    e.run("init", *extra, expect_rc=0)
    out = os.path.join(e.dir, name)
    e.run("export", "-o", out, *extra, json_report=False, expect_rc=0)
    e.write_config()
    return out


def look_first(out):
    """The paths listed under "look first", with their reasons."""
    lines = out.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("look first")), None)
    check(start is not None, "no look-first list in the summary:\n" + out)
    listed = []
    for l in lines[start + 1:]:
        if not l.startswith("  ") or l.startswith("  ..."):
            break
        kind, rest = l.strip().split(" ", 1)
        path, _, why = rest.strip().partition("  (")
        listed.append((kind, path, why.rstrip(")")))
    return listed


def prov(report, path):
    for f in report["findings"]:
        if lib.path_bytes(f) == path:
            return f.get("provenance")
    raise lib.Failure(f"no finding for {path!r}")


def altered(e, base="web"):
    target = e.write(f"{base}/ecp/page7.aspx", page(7, 2) +
                     b'<script src="https://cdn.example.net/font.js"></script>\r\n',
                     mtime_ns=None)
    return target


@tests.case
def cu_with_a_reference_leaves_only_the_altered_page(e):
    build_tree(e)
    e.run("init", expect_rc=0)
    cumulative_update(e)
    ref = reference_export(e)
    target = altered(e)
    r = e.run("check", "--reference", ref)
    out = r.out.decode("utf-8", "replace")
    listed = look_first(out)
    pages = [p for k, p, why in listed if not p.endswith(".dll")]
    eq(pages, [e.shown(target)], "not-vouched pages in look first")
    check(listed[0][1] == e.shown(target), "the altered page is not listed first:\n" + out)
    check("differs from the reference" in listed[0][2], "reason of the page: " + listed[0][2])
    images = [why for k, p, why in listed if p.endswith(".dll")]
    eq(len(images), 10, "PE images listed (the first ten of twelve)")
    check(all("signature is not checked" in w for w in images), f"image reasons {images}")
    check("... and 2 more not vouched for" in out, "no count of the images not listed:\n" + out)
    check(f"provenance: {PAGES + 2 + 8 + 2} vouched for" in out, "vouched count:\n" + out)
    check(f"  {IMAGES + 1} not vouched for" in out, "not-vouched count:\n" + out)
    rep = r.report
    p = prov(rep, target)
    eq((p["vouched"], p["why"]), (False, "differs_from_reference"), "the altered page")
    p = prov(rep, e.path("web/owa/auth/logon.aspx"))
    eq((p["vouched"], p["why"], p["shipped_page"], p["emphasis"]),
       (True, "reference", True, False), "logon.aspx changed by the update")
    p = prov(rep, e.path(f"web/owa/prem/{OLD}/scripts/boot7.js"))
    eq((p["vouched"], p["why"]), (True, "removed_in_reference"), "a file the update removed")
    p = prov(rep, e.path("Bin/Microsoft.Exchange.Part3.dll"))
    eq((p["vouched"], p["why"]), (False, "signature_unknown"), "a PE image")
    summary = rep["provenance"]
    eq((summary["vouched"], summary["not_vouched"], summary["reference_used"]),
       (PAGES + 12, IMAGES + 1, True), "report provenance counts")
    eq(summary["by"]["reference"], PAGES - 1 + 1 + 8 + 2 + 1, "vouched by the reference")
    eq(summary["reference_build"], NEW, "the reference's build")
    for f in rep["findings"]:
        if f["kind"] in ("added", "changed", "removed"):
            check("provenance" in f, f"a change without provenance: {f['path']}")


@tests.case
def copies_in_the_new_builds_folders_vouch_for_each_other(e):
    build_tree(e)
    e.run("init", expect_rc=0)
    cumulative_update(e)
    r = e.run("check")
    rep = r.report
    for where in ("owa/prem", "ecp"):
        p = prov(rep, e.path(f"web/{where}/{NEW}/scripts/shared.js"))
        eq((p["vouched"], p["why"]), (True, "build_copy"), f"shared.js in {where}")
    # A copy of the old build's file is no copy within the new build.
    p = prov(rep, e.path(f"web/owa/prem/{NEW}/scripts/boot1.js"))
    eq((p["vouched"], p["why"]), (False, "no_reference"), "boot1.js of the new build")
    out = r.out.decode("utf-8", "replace")
    check("reference: none" in out, "the summary does not say no reference was given")
    # Without a build change, identical copies vouch for nothing: an
    # attacker who edits both copies of a page must not vouch for himself.
    e2 = e
    e2.run("update", expect_rc=0)
    e2.write(f"web/owa/prem/{NEW}/scripts/shared.js", lib.benign_js(1000), mtime_ns=None)
    e2.write(f"web/ecp/{NEW}/scripts/shared.js", lib.benign_js(1000), mtime_ns=None)
    r = e2.run("check", expect_rc=4)
    p = prov(r.report, e.path(f"web/ecp/{NEW}/scripts/shared.js"))
    eq(p["vouched"], False, "copies edited without a build change")


@tests.case
def text_files_in_web_folders_and_new_files_in_auth_are_never_vouched(e):
    build_tree(e)
    e.run("init", expect_rc=0)
    cumulative_update(e)
    txt = e.write(f"web/owa/auth/{NEW}/notes.txt", b"build notes\r\n")
    log = e.write("web/ecp/errors.log", b"2026-11-30 ok\r\n")
    new_auth = e.write("web/owa/auth/helper.aspx", lib.benign_aspx("Helper"))
    outside = e.write("Bin/readme.txt", b"not a web folder\r\n")
    ref = reference_export(e)   # the clean server has them all, byte for byte
    r = e.run("check", "--reference", ref)
    rep = r.report
    for path in (txt, log):
        p = prov(rep, path)
        eq((p["vouched"], p["why"]), (False, "text_in_web_folder"), f"{path!r}")
    p = prov(rep, new_auth)
    eq((p["vouched"], p["why"]), (False, "new_in_auth_folder"), "a new page in owa/auth")
    p = prov(rep, outside)
    eq((p["vouched"], p["why"]), (True, "reference"), "a .txt outside the web folders")
    listed = {p for _, p, _ in look_first(r.out.decode("utf-8", "replace"))}
    check({e.shown(txt), e.shown(log), e.shown(new_auth)} <= listed,
          f"look first misses them: {sorted(listed)}")


@tests.case
def update_vouched_only_keeps_the_rest_reported(e):
    build_tree(e)
    e.run("init", expect_rc=0)
    cumulative_update(e)
    ref = reference_export(e)
    target = altered(e)
    r = e.run("update", "--vouched-only", "--reference", ref)
    out = r.out.decode("utf-8", "replace")
    check("update: generation 2 accepts" in out, "no new generation:\n" + out)
    check(f"update --vouched-only: {IMAGES + 1} changes not vouched for" in out,
          "the kept count:\n" + out)
    kept = {lib.path_bytes(f) for f in r.report["findings"]}
    want = {target} | {e.path(f"Bin/Microsoft.Exchange.Part{i}.dll") for i in range(IMAGES)}
    eq(kept, want, "changes update --vouched-only did not take")
    eq(r.rc, 4, "exit status: changes remain")
    eq(r.report["provenance"]["kept"], IMAGES + 1, "report provenance.kept")
    eq(r.report["provenance"]["vouched"], PAGES + 12, "report provenance.vouched (taken in)")
    # The next check (sealed baseline, generation 2) still reports exactly them.
    r = e.run("check", expect_rc=4)
    eq({lib.path_bytes(f) for f in r.report["findings"]}, want, "what the next check reports")
    gens = r.report["baseline"]["generations"]
    eq(len(gens), 2, "generations")
    eq(gens[-1]["note"], "update --vouched-only", "the generation's default note")
    eq(gens[-1]["exchange_build"], NEW, "the new generation's build")
    # The altered page keeps its old record: against it, it changed while
    # the build did not move any more.
    old_rec = next(f for f in r.report["findings"] if lib.path_bytes(f) == target)["old"]
    eq(old_rec["sha256"], lib.sha256_hex(page(7, 1)), "the kept record is the old one")
    # --accept still takes a named file.
    r = e.run("update", "--vouched-only", "--accept", e.path("web/ecp/page7.aspx"), expect_rc=4)
    eq({lib.path_bytes(f) for f in r.report["findings"]}, want - {target},
       "after --accept of the page")
    # A plain update takes everything, as before.
    e.run("update", expect_rc=0)
    e.run("check", expect_rc=0)


@tests.case
def shipped_pages_changed_outside_a_build_change_are_emphasised(e):
    build_tree(e)
    e.write("web/other/logon.aspx", lib.benign_aspx("NotShipped"))
    e.run("init", expect_rc=0)
    logon = e.write("web/owa/auth/logon.aspx", lib.benign_aspx("Logon") +
                    b"<script>/* a few lines more */</script>\r\n", mtime_ns=None)
    flogon = e.write(f"web/owa/auth/{OLD}/scripts/premium/flogon.js",
                     lib.benign_js(0) + b"/* more */\r\n", mtime_ns=None)
    other = e.write("web/other/logon.aspx", lib.benign_aspx("NotShipped2"), mtime_ns=None)
    plain = e.write("web/ecp/page1.aspx", page(1, 3), mtime_ns=None)
    r = e.run("check", expect_rc=4)
    out = r.out.decode("utf-8", "replace")
    check("2 shipped pages changed outside a build change" in out, "no emphasis:\n" + out)
    lines = out.splitlines()
    head = lines.index(next(l for l in lines if "shipped pages changed outside" in l))
    eq({l.split()[1] for l in lines[head + 1:head + 3]}, {e.shown(logon), e.shown(flogon)},
       "the emphasised pages")
    rep = r.report
    for path, shipped in ((logon, True), (flogon, True), (other, False), (plain, False)):
        p = prov(rep, path)
        eq((p["shipped_page"], p["emphasis"]), (shipped, shipped), f"{path!r}")
    eq(rep["provenance"]["emphasized"], 2, "report provenance.emphasized")


@tests.case
def a_bad_reference_stops_before_the_walk(e):
    build_tree(e)
    e.run("init", expect_rc=0)
    ref = reference_export(e)
    with open(ref, "rb") as f:
        text = f.read()
    bad = os.path.join(e.dir, "bad.tsv")
    lines = text.split(b"\n")
    n = next(i for i, l in enumerate(lines) if l and not l.startswith(b"#"))
    lines[n] = lines[n].split(b"\t")[0] + b"\t12\tABC"
    with open(bad, "wb") as f:
        f.write(b"\n".join(lines))
    r = e.run("check", "--reference", bad, json_report=False)
    eq(r.rc, 16, "exit status of a malformed reference")
    err = r.err.decode("utf-8", "replace")
    check(f"{e.shown(bad)}:{n + 1}: " in err, f"the message does not name the line: {err!r}")
    r = e.run("check", "--reference", os.path.join(e.dir, "missing.tsv"), json_report=False)
    eq(r.rc, 16, "exit status of a missing reference")
    # A reference of another build vouches for nothing, and says so.
    other = os.path.join(e.dir, "other.tsv")
    with open(other, "wb") as f:
        f.write(text.replace(b"exchange_build=" + OLD.encode(), b"exchange_build=15.1.2507.6", 1))
    e.write("web/ecp/page1.aspx", page(1, 1) + b"<!-- x -->", mtime_ns=None)
    r = e.run("check", "--reference", other, expect_rc=4)
    check(any("vouches for nothing" in w for w in r.report.get("warnings", [])),
          f"no warning: {r.report.get('warnings')}")
    eq(r.report["provenance"]["reference_used"], False, "reference_used")
    # The config key names it as well; --reference "" turns it off.
    e.write_config()
    with open(e.config, "a", encoding="utf-8") as f:
        f.write(f"\n[provenance]\nreference = {e.native(bad)}\n")
    r = e.run("check", json_report=False)
    eq(r.rc, 16, "exit status of a malformed configured reference")
    e.run("check", "--reference", "", expect_rc=4)


@tests.case
def image_does_it_offline(e):
    v15 = "img/Program Files/Microsoft/Exchange Server/V15"
    for i in range(PAGES):
        e.write(f"{v15}/ClientAccess/ecp/page{i}.aspx", page(i, 1))
    e.write(f"{v15}/FrontEnd/HttpProxy/owa/auth/logon.aspx", lib.benign_aspx("Logon"))
    e.write(f"{v15}/ClientAccess/Owa/prem/{OLD}/scripts/boot.js", lib.benign_js(5))
    e.write("img/inetpub/wwwroot/iisstart.htm", b"<html></html>\r\n")
    image_dir = e.path("img")
    e.write_config(text="[baseline]\npath = {}\nkey = {}\n".format(
        e.native(e.baseline), e.native(os.path.join(e.state, "baseline.key"))))
    e.run("init", "--image", image_dir, expect_rc=0)
    for i in range(PAGES):
        e.write(f"{v15}/ClientAccess/ecp/page{i}.aspx", page(i, 2), mtime_ns=None)
    e.write(f"{v15}/ClientAccess/Owa/prem/{NEW}/scripts/boot.js", lib.benign_js(5))
    clean = os.path.join(e.dir, "clean.db")
    cfg = e.config
    clean_cfg = os.path.join(e.dir, "clean.ini")
    with open(clean_cfg, "w", encoding="utf-8") as f:
        f.write("[baseline]\npath = {}\nkey = {}\n".format(
            e.native(clean), e.native(os.path.join(e.dir, "clean.key"))) +
            ("\n[sandbox]\nenabled = no\n" if e.wine else ""))
    e.config = clean_cfg
    e.run("init", "--image", image_dir, expect_rc=0)
    ref = os.path.join(e.dir, "ref.tsv")
    e.run("export", "--image", image_dir, "-o", ref, json_report=False, expect_rc=0)
    e.config = cfg
    target = e.write(f"{v15}/ClientAccess/ecp/page9.aspx", page(9, 2) + b"<!-- edit -->",
                     mtime_ns=None)
    r = e.run("check", "--image", image_dir, "--reference", ref, expect_rc=5)
    listed = [p for _, p, _ in look_first(r.out.decode("utf-8", "replace"))]
    eq(listed, [e.shown(target)], "look first under --image")
    with open(ref, "rb") as f:
        check(b"exchange_build=" + NEW.encode() in f.readline(), "the reference's build")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
