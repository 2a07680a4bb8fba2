#!/usr/bin/env python3
"""t9100-gate -- the marker gate ([scan] gate, detect/gate.c) through the
real binary.

The gate spares files without a marker of server code the built-in rules and
the code analysis. It must change no verdict: every rule fixture
(tests/fixtures/webshells) and every code fixture (tests/fixtures/code) gets
the same findings with [scan] gate = yes and = no. It does skip: an extra
rule that matches every file still runs on marker-less files by default, and
with [yara] gate_extra_rules = yes only on files with a marker. The built-in
rules' global rule ExSweep_Server_Code keeps them off marker-less bytes even
with the gate off, which is what makes the skip sound.

    t9100-gate.py EXSWEEP
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq  # noqa: E402

tests = lib.Tests()
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures")


def with_keys(e, text):
    """The default test config with text appended (repeated sections add)."""
    e.write_config(roots=[], web_roots=[e.web])
    with open(e.config, "a", encoding="utf-8") as f:
        f.write("\n" + text + "\n")


def verdicts(report):
    out = {}
    for f in report["findings"]:
        rules = sorted(m.get("rule", "") for m in f.get("matches", []))
        out.setdefault(lib.path_bytes(f), []).append((f["kind"], tuple(rules)))
    return {k: sorted(v) for k, v in out.items()}


def scan_both(e, folder):
    got = {}
    for gate in ("yes", "no"):
        with_keys(e, f"[scan]\ngate = {gate}")
        got[gate] = verdicts(e.run("scan", folder, "--threads", "2").report)
    return got


def same(got, what):
    yes, no = got["yes"], got["no"]
    diff = [p for p in sorted(set(yes) | set(no)) if yes.get(p) != no.get(p)]
    lines = [f"{os.fsdecode(p)}: gate=yes {yes.get(p)} gate=no {no.get(p)}"
             for p in diff[:10]]
    check(not diff, f"{what}: {len(diff)} files judged differently:\n  " +
          "\n  ".join(lines))


@tests.case
def rule_fixtures_same_verdicts_with_and_without_gate(e):
    got = scan_both(e, os.path.join(FIXTURES, "webshells"))
    shells = sum(1 for v in got["yes"].values() if any(k == "webshell" for k, _ in v))
    check(shells >= 40, f"only {shells} webshell findings among the rule fixtures")
    same(got, "rule fixtures")


@tests.case
def code_fixtures_same_verdicts_with_and_without_gate(e):
    got = scan_both(e, os.path.join(FIXTURES, "code"))
    check(len(got["yes"]) >= 40, f"only {len(got['yes'])} code fixtures with findings")
    same(got, "code fixtures")


EVERY_FILE = b"rule T9100_Every_File { condition: true }\n"


@tests.case
def extra_rules_run_on_every_file_unless_gated(e):
    rules = os.fsdecode(e.path("extra-rules"))
    os.makedirs(rules)
    with open(os.path.join(rules, "every.yar"), "wb") as f:
        f.write(EVERY_FILE)
    page = e.write("web/owa/auth/logon.aspx",
                   lib.benign_aspx("Sign in"))
    page16 = e.write("web/owa/auth/wide.aspx",
                     "\ufeff<%@ Page Language=\"C#\" %>\r\n<p>x</p>".encode("utf-16-le"))
    script = e.write("web/owa/scripts/app.js", lib.benign_js(40))
    png = e.write("web/owa/resources/logo.png",
                  b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR<%\x00\x01" + bytes(range(256)) * 8)
    marked = {page, page16}

    def matched(gate_extra):
        with_keys(e, f"[yara]\ngate_extra_rules = {gate_extra}")
        r = e.run("scan", "--rules-dir", rules)
        shells = lib.by_kind(r.report, "webshell")
        return {p for p, f in shells.items()
                if any(m["rule"] == "T9100_Every_File" for m in f["matches"])}

    eq(matched("no"), {page, page16, script, png}, "files the extra rule matched, ungated")
    eq(matched("yes"), marked, "files the extra rule matched, gated")


@tests.case
def builtin_rules_need_a_marker_even_without_gate(e):
    # A request evaluator with no <% block, runat or directive cannot run as
    # server code, and the built-in rules (their global rule) do not match
    # it; the same line in a page does.
    line = b'if Request("k")<>"" then ExecuteGlobal Request("k") end if\r\n'
    bare = e.write("web/owa/auth/fragment.inc", line)
    page = e.write("web/owa/auth/page.asp", b"<%\r\n" + line + b"%>\r\n")
    for gate in ("yes", "no"):
        with_keys(e, f"[scan]\ngate = {gate}")
        shells = lib.by_kind(e.run("scan").report, "webshell")
        check(page in shells, f"gate={gate}: the page is not a webshell finding")
        check(bare not in shells, f"gate={gate}: the marker-less fragment matched")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
