#!/usr/bin/env python3
"""t3000-errors -- what goes wrong around a run, and how exsweep says so.

Covers an unreadable file (run as nobody through setpriv: an EXS_ACCESS error
finding, the run goes on and sets no exit bit), config errors (unknown key,
bad value, line too long, unknown section, missing file, unknown option:
exit 16 with CONFIG:LINE: on stderr), rule errors (`rules` exits 17 with FILE:LINE:; check
skips a broken extra rule with a warning and still uses the good ones),
`scan` without a baseline (exit 8, nothing created), and a corrupt or
truncated baseline (exit 19).

    t3000-errors.py EXSWEEP
"""

import errno
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq  # noqa: E402

tests = lib.Tests()
NOBODY = 65534

GOOD_RULE = b"""rule e2e_good_rule
{
  strings:
    $m = "E2E-MARKER-7f3a9c"
  condition:
    $m
}
"""
# YARA reports a duplicated identifier on the line of the duplicate: line 6.
BAD_RULE = b"""// exsweep e2e: this file must not compile
rule e2e_dup_rule
{
  condition: true
}
rule e2e_dup_rule { condition: true }
"""
BAD_RULE_LINE = 6


@tests.case
def unreadable_file_is_an_error_finding(e):
    lib.posix_only(e, "setpriv and POSIX mode bits: wine would run as nobody "
                   "without a prefix of its own, and what makes a Windows file "
                   "unreadable is its DACL, which wine does not enforce")
    setpriv = shutil.which("setpriv")
    if not setpriv:
        raise lib.Skip("setpriv is missing (util-linux)")
    if os.geteuid() != 0:
        raise lib.Skip("needs root to switch to nobody")
    nobody = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    if subprocess.run(nobody + ["true"], stderr=subprocess.DEVNULL).returncode != 0:
        raise lib.Skip("setpriv cannot switch to nobody here (no CAP_SETUID?)")
    e.populate(3)
    secret = e.write("web/owa/auth/secret.aspx", lib.benign_aspx("Secret"))
    # A copy of the binary nobody can run, wherever the build tree lies.
    exe = os.path.join(e.dir, "exsweep")
    shutil.copy(e.exe, exe)
    for top, dirs, files in os.walk(e.dir):
        os.chmod(top, 0o755)
        for name in files:
            os.chmod(os.path.join(top, name), 0o755 if name == "exsweep" else 0o644)
    os.chown(e.state, NOBODY, NOBODY)
    e.report_path = os.path.join(e.state, "report.json")
    e.run("init", exe=exe, prefix=nobody, json_report=False, expect_rc=0)
    os.chmod(secret, 0)
    if subprocess.run(nobody + ["cat", secret], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode == 0:
        raise lib.Skip("nobody can still read a mode-000 file here")
    added = e.write("web/owa/new.js", lib.benign_js(7), mtime_ns=None)
    os.chmod(added, 0o644)
    r = e.run("check", exe=exe, prefix=nobody, expect_rc=1)
    eq(lib.kinds_by_path(r.report), {secret: {"error"}, added: {"added"}}, "findings by path")
    err = lib.by_kind(r.report, "error")[secret]
    eq(err["status"], "EXS_ACCESS", "error status")
    eq(err["os_code"], errno.EACCES, "error os_code")
    check(err.get("message") and err.get("op"), f"error finding without message or op: {err!r}")


def expect_config_error(e, text, lines, command="check"):
    e.write_config(text=text)
    r = e.run(command, json_report=False, expect_rc=16)
    prefixes = [f"{e.shown(e.config)}:{n}: ".encode() for n in lines]
    check(any(r.err.startswith(p) for p in prefixes),
          f"stderr does not start with {' or '.join(p.decode() for p in prefixes)}")
    check(not os.path.exists(e.baseline), "a baseline was created despite the config error")


def config_text(e, scan_extra="", tail=""):
    return (f"; exsweep end-to-end test\n[scan]\nroot = {e.shown(e.tree)}\n"
            f"web_root = {e.shown(e.web)}\n"
            f"{scan_extra}\n[baseline]\npath = {e.shown(e.baseline)}\n{tail}")


@tests.case
def config_unknown_key(e):
    e.populate(2)
    expect_config_error(e, config_text(e, "rooot = /srv"), [5])


@tests.case
def config_bad_value(e):
    e.populate(2)
    expect_config_error(e, config_text(e, "threads = lots"), [5])


@tests.case
def config_line_too_long(e):
    # A value holds at most 4096 bytes and a line 8192: longer must be an
    # error, not a silently cut path (libinih's own buffer is 200 bytes).
    e.populate(2)
    expect_config_error(e, config_text(e, "exclude = " + "x" * 4097), [5])
    expect_config_error(e, config_text(e, "exclude = x ;" + " " * 8192), [5])


@tests.case
def config_unknown_section(e):
    e.populate(2)
    # The section header is line 8, its key line 9: either is a fair answer.
    expect_config_error(e, config_text(e, tail="[nosuch]\nkey = 1\n"), [8, 9], "init")


@tests.case
def config_file_missing(e):
    os.unlink(e.config)
    r = e.run("check", json_report=False, expect_rc=16)
    check(e.shown(e.config).encode() in r.err,
          "stderr does not name the missing config file")


@tests.case
def unknown_option(e):
    e.populate(2)
    r = e.run("check", "--no-such-option", json_report=False, expect_rc=16)
    check(r.err.strip(), "nothing on stderr for an unknown option")


def rules_dir(e, bad):
    d = os.path.join(e.dir, "rules")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "good.yar"), "wb") as f:
        f.write(GOOD_RULE)
    if bad:
        with open(os.path.join(d, "bad.yar"), "wb") as f:
            f.write(BAD_RULE)
    return d


def has_line_starting(err, prefix):
    return any(line.startswith(prefix.encode()) for line in err.splitlines())


@tests.case
def rules_command_reports_a_broken_rule(e):
    d = rules_dir(e, bad=False)
    r = e.run("rules", "--rules-dir", d, json_report=False, expect_rc=0)
    check(b"e2e_good_rule" in r.out, "`rules` does not list the extra rule")
    rules_dir(e, bad=True)
    r = e.run("rules", "--rules-dir", d, json_report=False, expect_rc=17)
    where = f"{e.shown(os.path.join(d, 'bad.yar'))}:{BAD_RULE_LINE}: "
    check(has_line_starting(r.err, where), f"no stderr line starts with {where!r}")


@tests.case
def check_skips_a_broken_extra_rule(e):
    e.populate(3)
    d = rules_dir(e, bad=True)
    e.run("init", json_report=False, expect_rc=0)
    marked = e.write("web/owa/marked.aspx", lib.benign_aspx("E2E-MARKER-7f3a9c"), mtime_ns=None)
    shell = e.write("web/owa/auth/xx.aspx", lib.CHOPPER, mtime_ns=None)
    r = e.run("check", "--rules-dir", d, expect_rc=1 | 8)
    where = f"{e.shown(os.path.join(d, 'bad.yar'))}:{BAD_RULE_LINE}: "
    check(has_line_starting(r.err, where), f"no warning line starts with {where!r}")
    eq(lib.kinds_by_path(r.report),
       {marked: {"added", "webshell"}, shell: lib.CHOPPER_KINDS | {"added"}}, "findings by path")
    rules = [m["rule"] for m in lib.by_kind(r.report, "webshell")[marked]["matches"]]
    eq(rules, ["e2e_good_rule"], "rules matching the marked file")
    eq(r.report["rules"]["extra"], 1, "rules.extra")


@tests.case
def scan_needs_no_baseline(e):
    e.populate(3)
    e.write_config(baseline=os.path.join(e.state, "none.db"))
    r = e.run("scan", expect_rc=0)
    eq(r.report["findings"], [], "findings of a clean scan")
    web_shell = e.write("web/owa/auth/OutlookEN.aspx", lib.CHOPPER_PREFIX + lib.CHOPPER)
    e.write("Bin/supp0rt.aspx", lib.CHOPPER)
    r = e.run("scan", expect_rc=8)                  # default: the web roots
    eq(lib.kinds_by_path(r.report), {web_shell: lib.CHOPPER_KINDS}, "findings of scan")
    check(not os.listdir(e.state), f"scan wrote into the state folder: {os.listdir(e.state)}")


@tests.case
def scan_paths_replace_the_web_roots(e):
    # README: "scan [PATH...]  YARA-scan PATHs (default: the web roots)".
    e.populate(3)
    e.write("web/owa/auth/OutlookEN.aspx", lib.CHOPPER)
    bin_shell = e.write("Bin/supp0rt.aspx", lib.CHOPPER)
    r = e.run("scan", os.path.join(e.tree, "Bin"), expect_rc=8)
    eq(lib.kinds_by_path(r.report), {bin_shell: lib.CHOPPER_KINDS}, "findings of scan Bin")


@tests.case
def corrupt_baseline_exits_19(e):
    e.populate(3)
    e.run("init", json_report=False, expect_rc=0)
    size = os.path.getsize(e.baseline)
    with open(e.baseline, "r+b") as f:
        f.write(b"this is not a baseline " * (size // 23 + 1))
    e.run("check", json_report=False, expect_rc=19)


@tests.case
def truncated_baseline_exits_19(e):
    for i in range(400):   # enough rows for the baseline to span many pages
        e.write(f"Bin/f{i:03d}.dll", b"MZ" + bytes([i % 256]) * 300)
    e.run("init", json_report=False, expect_rc=0)
    size = os.path.getsize(e.baseline)
    check(size > 8192, f"test setup: baseline of {size} bytes is too small to cut")
    os.truncate(e.baseline, size // 2)
    e.run("check", json_report=False, expect_rc=19)


@tests.case
def missing_root_on_the_command_line_is_a_usage_error(e):
    """Issue 11, point 7: a ROOT or PATH (or -w DIR) given on the command
    line that is not there is exit 16, never a clean exit with one error
    finding; a configured root that is missing stays an error finding."""
    e.populate(2)
    missing = os.path.join(e.tree, "no-such-folder")
    for args in (("scan", missing), ("init", missing), ("init", "-w", missing)):
        r = e.run(*args, json_report=False, expect_rc=16)
        check(b"no-such-folder" in r.err, f"stderr does not name the missing root: {r.err!r}")
    check(not os.path.exists(e.baseline), "init of a missing root wrote a baseline")
    e.run("init", json_report=False, expect_rc=0)
    e.run("check", missing, json_report=False, expect_rc=16)
    e.run("update", missing, json_report=False, expect_rc=16)
    if e.wine:
        # A name Windows cannot hold (error 123): also a usage error.
        bad = os.fsdecode(e.native(e.tree)) + "\\bad|name"
        r = e.run("scan", bad, json_report=False, expect_rc=16)
        check(b"invalid file name" in r.err, f"stderr for an invalid name: {r.err!r}")
    gone = os.path.join(e.dir, "gone-folder")   # outside the tree: walked on its own
    e.write_config(roots=[e.tree, gone])
    r = e.run("check", expect_rc=0)
    eq(set(lib.by_kind(r.report, "error")), {os.fsencode(gone)},
       "a missing configured root is an error finding")


@tests.case
def missing_configured_root_fails_init(e):
    """init records what every later check compares against: a root or web
    root the configuration file names that is not there (a typo) is exit 16
    naming the folder and the file, and no baseline is written; check and
    scan keep it an error finding (the case above)."""
    e.populate(2)
    gone = os.path.join(e.dir, "typo-folder")
    for roots, web in (([e.tree, gone], None), (None, [e.web, gone])):
        e.write_config(roots=roots, web_roots=web)
        r = e.run("init", json_report=False, expect_rc=16)
        err = r.err.decode("utf-8", "replace")
        check("typo-folder" in err and os.path.basename(e.config) in err,
              f"stderr does not name the folder and the configuration: {err!r}")
        check(not os.path.exists(e.baseline), "init of a missing configured root wrote a baseline")
    e.write_config(roots=[e.tree], web_roots=[e.web, gone])
    r = e.run("scan", expect_rc=0)
    eq(set(lib.by_kind(r.report, "error")), {os.fsencode(gone)},
       "scan: a missing configured web root is an error finding")
    e.write_config()
    e.run("init", json_report=False, expect_rc=0)


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
