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

Sandboxed, the privileged side answers marker-less files itself: their
location and content verdicts are the worker's.

Identical bytes are judged once per run (counts.scan_shared): copies share
the clean verdict, a webshell's copy is still a finding, and the same bytes
under other extensions are judged again. An added file whose bytes the
baseline knows clean is not run through the built-in rules again.

Also --low-priority and [scan] low_priority (Linux): the sweep's threads run
at nice 19, SCHED_IDLE, in the idle I/O class.

    t9100-gate.py EXSWEEP
"""

import os
import shutil
import subprocess
import sys
import time

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
def builtin_rules_need_a_marker_or_a_server_extension(e):
    # A request evaluator with no <% block, runat or directive runs as server
    # code only when a page names its file (<script runat="server" src=...>,
    # #include): in a name with a server-code extension (.inc, .asp, .cs, ...)
    # the built-in rules judge it, with the gate or without; in a client-side
    # name (.js) neither the gate nor the rules' global rule let it match.
    line = b'if Request("k")<>"" then ExecuteGlobal Request("k") end if\r\n'
    inc = e.write("web/owa/auth/fragment.inc", line)
    js = e.write("web/owa/auth/fragment.js", line)
    page = e.write("web/owa/auth/page.asp", b"<%\r\n" + line + b"%>\r\n")
    for gate in ("yes", "no"):
        with_keys(e, f"[scan]\ngate = {gate}")
        shells = lib.by_kind(e.run("scan").report, "webshell")
        check(page in shells, f"gate={gate}: the page is not a webshell finding")
        check(inc in shells, f"gate={gate}: the raw-code .inc file is not a webshell finding")
        check(js not in shells, f"gate={gate}: the marker-less .js fragment matched")


@tests.case
def marker_less_files_keep_their_path_and_content_verdicts(e):
    # Sandboxed, a rules-and-heuristics request on bytes without a marker is
    # answered on the privileged side (scanner/judge.c, answer_here): no rule
    # and no analysis would run, and of the heuristics only the location one,
    # which reads the path. The verdicts must be the worker's: a marker-less
    # .xamlx (a script extension the gate does not open for) in aspnet_client
    # is still a location finding, a .png with a directive in it still goes to
    # the worker's content heuristic, and the same bytes elsewhere are clean.
    client = "web/inetpub/wwwroot/aspnet_client/system_web/"
    xamlx = e.write(client + "Service.xamlx",
                    b"<WorkflowService xmlns=\"http://schemas.microsoft.com/"
                    b"netfx/2009/xaml/servicemodel\" Name=\"S\"/>\r\n")
    plain = e.write("web/owa/Service.xamlx", open(xamlx, "rb").read())
    css = e.write(client + "site.css", b"body { color: #333; }\r\n" * 40)
    png = e.write("web/owa/resources/logo.png",
                  b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) +
                  b'<%@ Page Language="C#" %>\x00')
    got = {}
    # Under wine the worker has no sandbox (lib.py): in-process only.
    for sandbox in ("no",) if e.wine else ("yes", "no"):
        with_keys(e, f"[sandbox]\nenabled = {sandbox}")
        r = e.run("scan")
        got[sandbox] = verdicts(r.report)
        sus = lib.by_kind(r.report, "suspicious")
        rules = {p: sorted(m["rule"] for m in f["matches"]) for p, f in sus.items()}
        eq(rules.get(xamlx), ["location.unexpected_script"],
           f"sandbox={sandbox}: the marker-less .xamlx in aspnet_client")
        eq(rules.get(png), ["content.script_in_data"],
           f"sandbox={sandbox}: the .png with a directive")
        check(plain not in rules and css not in rules,
              f"sandbox={sandbox}: the same bytes outside aspnet_client, or a "
              f"style sheet, are suspicious: {sorted(rules)}")
        eq(r.report["counts"]["scanned"], 4, f"sandbox={sandbox}: files scanned")
    if not e.wine:
        eq(got["yes"], got["no"], "verdicts sandboxed and in-process")


PAGE = (b'<%@ Page Language="C#" %>\r\n<html><body><% Response.Write(DateTime.Now); %>'
        b'</body></html>\r\n')
SHELL = b'<%@ Page Language="Jscript"%><%eval(Request.Item["k"],"unsafe");%>\r\n'


@tests.case
def identical_files_share_one_clean_verdict(e):
    for i in range(20):
        for build in ("15.2.1118.7", "15.2.1258.12"):
            e.write(f"web/owa/{build}/p{i}.aspx", PAGE + b"%d" % i)
    js = e.write("web/owa/15.2.1258.12/p0.js", PAGE + b"0")   # same bytes, .js
    shells = [e.write(f"web/owa/{b}/s.aspx", SHELL) for b in ("x", "y")]
    with_keys(e, "")
    r = e.run("scan", "--threads", "1")
    eq(r.report["counts"]["scan_shared"], 20, "copies judged with a shared verdict")
    found = lib.by_kind(r.report, "webshell")
    eq(sorted(p for p in found if p in shells), sorted(shells), "both webshell copies")
    check(js not in found, "the .js copy has a finding")


@tests.case
def added_copy_of_known_clean_bytes_reuses_the_baseline(e):
    for i in range(10):
        e.write(f"web/owa/15.2.1118.7/p{i}.aspx", PAGE + b"%d" % i)
    with_keys(e, "")
    e.run("init", "--threads", "1", expect_rc=0)
    for i in range(10):   # a cumulative update: the old build copied
        e.write(f"web/owa/15.2.1258.12/p{i}.aspx", PAGE + b"%d" % i)
    shell = e.write("web/owa/15.2.1258.12/s.aspx", SHELL)
    r = e.run("check", "--threads", "1")
    # the 10 unchanged files reuse their verdicts as before; the 10 copies
    # reuse the baseline's clean verdict of their bytes
    eq(r.report["counts"]["scan_reused"], 10, "unchanged files not rescanned")
    eq(r.report["counts"]["scan_shared"], 10, "added copies of known-clean bytes")
    check(shell in lib.by_kind(r.report, "webshell"), "the added webshell is not found")


@tests.case
def renamed_file_reuses_the_baseline_unless_rescan(e):
    # The bytes stand nowhere else in the tree, so only the baseline can
    # know them (an identical file walked first would share its verdict in
    # the run, whatever --rescan says).
    old = e.write("web/owa/auth/a.aspx", PAGE)
    e.write("web/owa/auth/other.aspx", PAGE + b"other")
    with_keys(e, "")
    e.run("init", "--threads", "1", expect_rc=0)
    os.remove(old)
    e.write("web/owa/moved/b.aspx", PAGE)
    r = e.run("check", "--threads", "1")
    eq(r.report["counts"]["scan_shared"], 1, "the renamed file's known-clean bytes")
    r = e.run("check", "--threads", "1", "--rescan")
    eq(r.report["counts"]["scan_shared"], 0, "--rescan takes nothing from the baseline")


def observe_priority(e, argv):
    """Starts the binary and, once its sweep threads run, reads their nice
    values, the I/O class of the main thread (ionice) and the threads'
    scheduling policies."""
    p = subprocess.Popen([e.exe] + argv, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    seen = None
    try:
        while p.poll() is None and seen is None:
            try:
                tasks = os.listdir(f"/proc/{p.pid}/task")
                if len(tasks) >= 3:      # main, walker, workers
                    nices, policies = [], []
                    for t in tasks:
                        with open(f"/proc/{p.pid}/task/{t}/stat") as f:
                            fields = f.read().rsplit(")", 1)[1].split()
                        nices.append(int(fields[16]))      # stat field 19
                        policies.append(int(fields[38]))   # stat field 41
                    io = subprocess.run(["ionice", "-p", str(p.pid)],
                                        capture_output=True, text=True).stdout.strip()
                    seen = (nices, io, policies)
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
            time.sleep(0.002)
    finally:
        p.wait()
    return seen


@tests.case
def low_priority_lowers_cpu_and_io_priority(e):
    lib.posix_only(e, "nice and ioprio are Linux's")
    if not sys.platform.startswith("linux") or not shutil.which("ionice"):
        raise lib.Skip("needs Linux and ionice")
    body = lib.benign_aspx("Busy") * 30
    for i in range(2000):
        e.write(f"web/owa/auth/p{i // 100}/page{i}.aspx", body)
    for how in (["--low-priority"], ["-c", "LOWCFG"]):
        with_keys(e, "")
        low = e.path("low.ini")
        with open(e.config, encoding="utf-8") as f:
            text = f.read()
        with open(low, "w", encoding="utf-8") as f:
            f.write(text + "\n[scan]\nlow_priority = yes\n")
        argv = ["-c", os.fsdecode(low)] if how[0] == "-c" else ["-c", e.config] + how
        seen = observe_priority(e, argv + ["--no-sandbox", "--threads", "2", "scan"])
        check(seen is not None, f"{how}: the sweep ended before it could be observed")
        nices, io, policies = seen
        eq(set(nices), {19}, f"{how}: nice values of the threads")
        eq(set(policies), {5}, f"{how}: scheduling policies of the threads (5: SCHED_IDLE)")
        check(io.startswith("idle") or io == "best-effort: prio 7",
              f"{how}: I/O priority is {io!r}")
    # One worker thread fewer than cores, unless a count is given.
    def threads(*argv):
        r = e.run("info", *argv, json_report=False, expect_rc=0)
        line = [l for l in r.out.decode().splitlines() if l.startswith("; threads:")]
        check(len(line) == 1, f"info prints its threads: {r.out!r}")
        return int(line[0].split(":")[1])
    with_keys(e, "")
    cores = threads()
    eq(threads("--low-priority"), max(cores - 1, 1), f"--low-priority on {cores} cores")
    eq(threads("--low-priority", "-p", "3"), 3, "--low-priority with --threads 3")
    # Without the switch the run keeps its priority.
    with_keys(e, "")
    seen = observe_priority(e, ["-c", e.config, "--no-sandbox", "--threads", "2", "scan"])
    check(seen is not None, "the sweep ended before it could be observed")
    check(19 not in seen[0], f"nice 19 without --low-priority: {seen[0]}")
    check(5 not in seen[2], f"SCHED_IDLE without --low-priority: {seen[2]}")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
