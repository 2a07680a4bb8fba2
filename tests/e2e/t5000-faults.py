#!/usr/bin/env python3
"""t5000-faults -- locked, vanishing and failing files, through exsweep-fault.

exsweep-fault is the same CLI on a platform table that fails paths named in
EXSWEEP_FAULTS (tests/fault/fault_platform.c), so what Windows does to a
scanner is tested on Linux. Covers: without faults it behaves like exsweep; a
locked file (busy) is an EXS_BUSY error finding and the other findings of the
run stay right, in check and scan; a file that vanishes between listing and
opening is an EXS_NOENT error finding, not a removed file; a read error after
the first chunk is an EXS_IO error finding, not a changed file; a folder that
cannot be opened is an EXS_ACCESS error finding and its files are not removed.
Error findings set no exit bit.

    t5000-faults.py EXSWEEP EXSWEEP_FAULT
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq  # noqa: E402

tests = lib.Tests()


def fault_exe(e):
    if not e.extra_exes:
        raise lib.Skip("no exsweep-fault binary given")
    return e.extra_exes[0]


def faults(spec, e=None):
    """EXSWEEP_FAULTS for spec; its globs match paths as the binary spells
    them, so with e under wine their '/' become '\\'."""
    if e is not None and e.wine:
        spec = spec.replace("/", "\\")
    return {"EXSWEEP_FAULTS": spec}


def check_error(report, path, status):
    err = lib.by_kind(report, "error").get(path)
    check(err is not None, f"no error finding for {path!r}")
    eq(err["status"], status, f"error status of {path!r}")
    check(err.get("message"), f"error finding without a message: {err!r}")


@tests.case
def no_faults_same_as_exsweep(e):
    fexe = fault_exe(e)
    e.populate(4)
    e.run("init", exe=fexe, json_report=False, expect_rc=0)
    e.run("check", expect_rc=0)
    e.run("check", exe=fexe, expect_rc=0, env=faults("busy:*nothing-matches*"))
    os.unlink(e.path("web/owa/scripts/owa.2.js"))
    e.run("check", exe=fexe, expect_rc=2)
    e.run("check", exe=fexe, json_report=False, expect_rc=99, env=faults("bogus:*"))


@tests.case
def locked_file_is_busy(e):
    fexe = fault_exe(e)
    e.populate(4)
    locked = e.write("web/owa/auth/locked.aspx", lib.benign_aspx("Locked"))
    config = e.path("web/web.config")
    e.run("init", json_report=False, expect_rc=0)
    with open(config, "ab") as f:
        f.write(b"<!-- edited -->\r\n")
    shell = e.write("web/owa/auth/errorEE.aspx", lib.CHOPPER, mtime_ns=None)
    r = e.run("check", exe=fexe, expect_rc=1 | 4 | 8, env=faults("busy:*locked.aspx"))
    eq(lib.kinds_by_path(r.report),
       {locked: {"error"}, config: {"changed"}, shell: lib.CHOPPER_KINDS | {"added"}},
       "findings by path")
    check_error(r.report, locked, "EXS_BUSY")
    # A locked shell cannot be judged; the readable one still is.
    r = e.run("scan", exe=fexe, expect_rc=8, env=faults("busy:*locked.aspx;busy:*/web/web.config", e))
    eq(lib.kinds_by_path(r.report),
       {locked: {"error"}, config: {"error"}, shell: lib.CHOPPER_KINDS}, "scan findings by path")
    check_error(r.report, config, "EXS_BUSY")


@tests.case
def vanished_file_is_not_removed(e):
    fexe = fault_exe(e)
    e.populate(4)
    gone = e.path("web/owa/scripts/owa.3.js")
    really_gone = e.path("Bin/Microsoft.Exchange.Part1.dll")
    e.run("init", json_report=False, expect_rc=0)
    os.unlink(really_gone)
    r = e.run("check", exe=fexe, expect_rc=2, env=faults("vanish:*owa.3.js"))
    eq(lib.kinds_by_path(r.report), {gone: {"error"}, really_gone: {"removed"}},
       "findings by path")
    check_error(r.report, gone, "EXS_NOENT")


@tests.case
def read_error_mid_file(e):
    fexe = fault_exe(e)
    e.populate(4)
    bad = e.write("Bin/bad.dll", b"MZ" + os.urandom(1 << 20))
    e.run("init", json_report=False, expect_rc=0)
    r = e.run("check", exe=fexe, expect_rc=0, env=faults("ioerr:*bad.dll"))
    eq(lib.kinds_by_path(r.report), {bad: {"error"}}, "findings by path")
    check_error(r.report, bad, "EXS_IO")


@tests.case
def unreadable_folder_hides_nothing(e):
    fexe = fault_exe(e)
    e.populate(4)
    folder = e.path("web/secret-area")
    for i in range(3):
        e.write(f"web/secret-area/page{i}.aspx", lib.benign_aspx(f"S{i}"))
    e.run("init", json_report=False, expect_rc=0)
    r = e.run("check", exe=fexe, expect_rc=0, env=faults("access:*/secret-area", e))
    eq(lib.kinds_by_path(r.report), {folder: {"error"}},
       "findings by path (its files must not be reported removed)")
    check_error(r.report, folder, "EXS_ACCESS")


@tests.case
def update_closes_the_old_baseline_before_renaming(e):
    """Windows will not rename over a file that is still open without delete
    sharing, and SQLite opens none with it: update must close the baseline it
    replaces before swapping the new generation in (issue 11, point 1). The
    winreplace fault makes Linux refuse such a rename the same way."""
    lib.posix_only(e, "winreplace stands for Windows's rename rule on Linux; "
                   "under wine the real MoveFileExW refuses (t6000's update "
                   "tests take generations there)")
    fexe = fault_exe(e)
    e.populate(4)
    e.run("init", json_report=False, expect_rc=0)
    added = e.write("Bin/Microsoft.Exchange.New.dll", b"MZ new part\r\n")
    r = e.run("check", expect_rc=1)
    eq(lib.kinds_by_path(r.report), {added: {"added"}}, "findings before update")
    e.run("update", exe=fexe, expect_rc=0, env=faults("winreplace:*baseline.db"))
    check(not os.path.exists(e.baseline + ".new"), "update left baseline.db.new behind")
    r = e.run("check", expect_rc=0)
    eq(r.report["findings"], [], "findings after the update was taken")
    eq(r.report["baseline"]["generation"], 2, "baseline generation after update")


@tests.case
def against_keeps_case_where_names_ignore_it(e):
    """Issue 11, point 4, on Linux: with names compared without case (the
    nocase fault makes the table say so, as Windows's does), check --against
    must still report a removed file in its own case, not lowercased."""
    fexe = fault_exe(e)
    e.populate(2)
    mixed = e.write("Bin/Sub Folder/MixedCase.DLL", b"MZ mixed case\r\n")
    e.run("init", json_report=False, expect_rc=0)
    manifest = os.path.join(e.dir, "server1.manifest")
    e.run("export", "-o", manifest, json_report=False, expect_rc=0)
    os.unlink(mixed)
    r = e.run("check", "--against", manifest, exe=fexe, expect_rc=2,
              env=faults("nocase:*"))
    eq(lib.kinds_by_path(r.report), {mixed: {"removed"}}, "findings by path")


@tests.case
def history_of_a_removed_file_ignores_case_where_names_do(e):
    """history PATH of a file that is gone (so the folder cannot give its
    spelling) still finds it typed in another case where names ignore case."""
    fexe = fault_exe(e)
    e.populate(2)
    part = e.path("Bin/Microsoft.Exchange.Part1.dll")
    e.run("init", json_report=False, expect_rc=0)
    os.unlink(part)
    e.run("update", json_report=False, expect_rc=0)
    typed = os.path.join(os.path.dirname(part), os.path.basename(part).upper())
    r = e.run("history", typed, exe=fexe, json_report=False, expect_rc=0,
              env=faults("nocase:*"))
    out = r.out.decode("utf-8", "replace")
    check("never recorded" not in out and "removed" in out,
          "history of a removed file typed in upper case:\n" + out)


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
