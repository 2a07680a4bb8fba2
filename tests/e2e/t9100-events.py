#!/usr/bin/env python3
"""t9100-events -- the Event Log records of --event-log carry their data as
fields, in the documented order, through the platform layer.

exsweep-fault with EXSWEEP_EVENTS=FILE records each event the platform is
given (tests/fault/fault_platform.c): severity, ID, message and the named
fields in order, which the Win32 layer writes as the event's insertion
strings (<EventData><Data> items: the message, then each field's value).
Checked: the summary event (1000) and one event per finding (1001 + kind)
in report order, each with exactly the fields README's table lists and the
values the JSON report has (kind, path, rule, sha256, size, generation,
seal); names escaped as the summary shows them; at most 50 finding events
and then a note; nothing without --event-log. Under wine, exsweep.exe
itself: wine's ReportEventW stub traces the insertion strings it is given
(WINEDEBUG=+eventlog), so the real Win32 call is checked there too.

    t9100-events.py EXSWEEP EXSWEEP_FAULT
"""

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq, fs  # noqa: E402

tests = lib.Tests()

# README "Windows", Event Log: the fields of each event, in order.
SUMMARY_FIELDS = ["kind", "command", "files", "exit_code", "webshell", "suspicious",
                  "changed", "added", "removed", "error", "exploit_trace", "registration",
                  "generation", "seal", "exchange_build"]
FINDING_FIELDS = ["kind", "path", "rule", "rules", "rule_severity", "sha256", "size",
                  "detail", "timestomp", "generation", "seal", "exchange_build"]
NOTE_FIELDS = ["kind", "count"]


def fault_exe(e):
    if not e.extra_exes:
        raise lib.Skip("no exsweep-fault binary given")
    return e.extra_exes[0]


def run_events(e, *args, expect_rc=None):
    path = os.path.join(e.dir, "events.jsonl")
    if os.path.exists(path):
        os.unlink(path)
    r = e.run("check", *args, exe=fault_exe(e), expect_rc=expect_rc,
              env={"EXSWEEP_EVENTS": e.native(path)})
    events = []
    if os.path.exists(path):
        with open(path, "rb") as f:
            for line in f.read().decode("utf-8").splitlines():
                events.append(json.loads(line))
    return r, events


def fields(ev):
    return dict(ev["fields"])


@tests.case
def summary_and_findings_carry_their_fields(e):
    e.populate(3)
    e.run("init", json_report=False, expect_rc=0)
    shell = e.write("web/owa/auth/errorFE2.aspx", lib.CHOPPER_PREFIX + lib.CHOPPER)
    e.write("Bin/Microsoft.Exchange.Part1.dll", b"MZ changed")
    r, events = run_events(e, "--event-log")
    rep = r.report
    check(events, "no event was recorded")
    summary = events[0]
    eq(summary["id"], 1000, "the first event's ID")
    eq([n for n, _ in summary["fields"]], SUMMARY_FIELDS, "summary fields")
    s = fields(summary)
    eq(s["kind"], "summary", "summary kind")
    eq(s["command"], "check", "summary command")
    eq(s["files"], str(rep["counts"]["files"]), "summary files")
    eq(s["exit_code"], str(r.rc), "summary exit_code")
    for kind in lib.KIND_ORDER:
        eq(s[kind], str(rep["counts"][kind]), f"summary {kind}")
    eq(s["generation"], str(rep["baseline"]["generation"]), "summary generation")
    eq(s["seal"], rep["baseline"]["generations"][-1]["seal"], "summary seal")
    eq(summary["severity"], 1, "summary severity (warning: there are findings)")

    findings = events[1:]
    eq(len(findings), len(rep["findings"]), "one event per finding")
    for ev, f in zip(findings, rep["findings"]):
        what = f"{f['kind']} {f['path']}"
        eq(ev["id"], 1001 + lib.KIND_ORDER.index(f["kind"]), f"{what}: ID")
        eq([n for n, _ in ev["fields"]], FINDING_FIELDS, f"{what}: fields")
        v = fields(ev)
        eq(v["kind"], f["kind"], f"{what}: kind")
        eq(e.posix(v["path"]), f["path"], f"{what}: path")
        check(ev["message"].startswith(f["kind"] + ": "), f"{what}: message {ev['message']!r}")
        side = f.get("new") or f.get("old") or f
        eq(v["sha256"], side.get("sha256", ""), f"{what}: sha256")
        eq(v["size"], str(side.get("size", "")) if "sha256" in side else "", f"{what}: size")
        eq(v["generation"], str(rep["baseline"]["generation"]), f"{what}: generation")
        eq(v["seal"], s["seal"], f"{what}: seal")
        if f["kind"] in ("webshell", "suspicious"):
            eq(v["rule"], f["matches"][0]["rule"], f"{what}: rule")
            eq(v["rules"].split(" "), [m["rule"] for m in f["matches"]], f"{what}: rules")
            eq(v["rule_severity"], f["matches"][0]["meta"]["severity"], f"{what}: rule_severity")
        else:
            eq(v["rule"], "", f"{what}: rule")
        if f["kind"] == "changed":
            eq(v["detail"].split(" "), f["changed"], f"{what}: detail")
            eq(v["timestomp"], "timestomp" if f["timestomp"] else "", f"{what}: timestomp")
            check(f["timestomp"], "the DLL rewritten with its old mtime is a timestomp")
        eq(ev["severity"], 2 if f["kind"] == "webshell" else 1, f"{what}: severity")
    check(any(fields(ev)["kind"] == "webshell" and e.posix(fields(ev)["path"]) ==
              os.fsdecode(shell) for ev in findings), "no webshell event for the planted shell")


@tests.case
def at_most_fifty_finding_events_then_a_note(e):
    e.populate(1)
    e.run("init", json_report=False, expect_rc=0)
    for i in range(57):
        e.write(f"Bin/new{i:02}.dll", b"MZ%d" % i)
    r, events = run_events(e, "--event-log", expect_rc=1)
    eq([ev["id"] for ev in events], [1000] + [1004] * 50 + [1000], "event IDs")
    note = events[-1]
    eq([n for n, _ in note["fields"]], NOTE_FIELDS, "note fields")
    eq(fields(note), {"kind": "not_logged", "count": "7"}, "note values")


@tests.case
def hostile_name_is_escaped_in_the_fields(e):
    lib.posix_only(e, "a name with a newline and a bidirectional override")
    e.populate(1)
    e.run("init", json_report=False, expect_rc=0)
    e.write(b"web/a\nWEBSHELL \xe2\x80\xaegpj.aspx", b"hello")
    r, events = run_events(e, "--event-log", expect_rc=1)
    added = [fields(ev) for ev in events if fields(ev)["kind"] == "added"]
    eq(len(added), 1, "added events")
    p = added[0]["path"]
    check("\n" not in p and "\u202e" not in p, f"raw control in the path field: {p!r}")
    check("\\u202e" in p, f"the override is not shown escaped: {p!r}")


@tests.case
def nothing_without_the_option(e):
    e.populate(1)
    e.run("init", json_report=False, expect_rc=0)
    e.write("web/new.js", lib.benign_js(1))
    r, events = run_events(e, expect_rc=1)
    eq(events, [], "events without --event-log")


SUBSCRIPTION = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "win32", "wef", "exsweep-subscription.xml")
SELECT = re.compile(r"^\*\[System\[Provider\[@Name='exsweep'\] and "
                    r"(?:\((?P<ids>EventID=\d+(?: or EventID=\d+)*)\)|EventID=(?P<id>\d+))\]"
                    r"(?: and EventData\[Data='(?P<data>[^']*)'\])?\]$")


def selects(query, ev):
    """Whether one Select of the sample subscription (the XPath forms it
    uses: provider, event IDs, a Data value) takes a recorded event, as the
    Event Log would: the Data items are the message and the field values."""
    m = SELECT.match(query)
    check(m, f"a Select the test does not know: {query}")
    ids = [int(x) for x in re.findall(r"\d+", m.group("ids") or m.group("id"))]
    data = [ev["message"]] + [v for _, v in ev["fields"]]
    return ev["id"] in ids and (m.group("data") is None or m.group("data") in data)


@tests.case
def wef_sample_selects_what_exsweep_writes(e):
    import xml.etree.ElementTree as ET
    ns = {"s": "http://schemas.microsoft.com/2006/03/windows/events/subscription"}
    sub = ET.parse(SUBSCRIPTION).getroot()
    queries = [sel.text for sel in ET.fromstring(sub.find("s:Query", ns).text.strip())
               .iter("Select")]
    check(queries, "the sample subscription has no Select")
    e.populate(2)
    e.run("init", json_report=False, expect_rc=0)
    e.write("web/owa/auth/errorFE2.aspx", lib.CHOPPER_PREFIX + lib.CHOPPER)
    e.write("Bin/Microsoft.Exchange.Part0.dll", b"MZ rewritten, old mtime")   # timestomp
    e.write("Bin/Microsoft.Exchange.Part1.dll", b"MZ rewritten, new mtime", mtime_ns=None)
    e.write("web/owa/auth/new.js", lib.benign_js(9))
    r, events = run_events(e, "--event-log")
    taken = {(ev["id"], fields(ev).get("path", "")) for ev in events
             if any(selects(q, ev) for q in queries)}
    for ev in events:
        v = fields(ev)
        want = (ev["id"] in (1000, 1001, 1002, 1007) or
                (ev["id"] == 1003 and v["timestomp"] == "timestomp"))
        eq((ev["id"], v.get("path", "")) in taken, want,
           f"the subscription takes event {ev['id']} {v.get('path', '')}")
    check(any(i == 1001 for i, _ in taken), "no webshell event taken")
    check(any(i == 1003 for i, _ in taken), "no timestomp event taken")
    check(not any(i == 1004 for i, _ in taken), "an added file taken")


@tests.case
def wine_report_event_gets_the_strings(e):
    if not e.wine:
        raise lib.Skip("exsweep.exe under wine only (Linux has no event log)")
    e.populate(1)
    e.run("init", json_report=False, expect_rc=0)
    e.write("web/owa/auth/errorFE2.aspx", lib.CHOPPER_PREFIX + lib.CHOPPER)
    r = e.run("check", "--event-log", env={"WINEDEBUG": "+eventlog"})
    err = r.err.decode("utf-8", "replace")
    traced = re.findall(r'eventlog:ReportEventW L"((?:[^"\\]|\\.)*)"', err)
    if not traced:
        raise lib.Skip("this wine's ReportEventW traces no strings")
    rep = r.report
    shell = next(f for f in rep["findings"] if f["kind"] == "webshell")
    check("webshell" in traced, f"no 'webshell' insertion string in {traced[:20]}")
    check(shell["matches"][0]["rule"] in traced, "the rule is not an insertion string")
    check(shell["sha256"] in traced, "the sha256 is not an insertion string")
    check("summary" in traced and "check" in traced, "the summary's fields are missing")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
