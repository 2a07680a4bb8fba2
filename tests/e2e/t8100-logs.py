#!/usr/bin/env python3
"""t8100-logs -- the log pass through the real binary, on generated fixtures.

Covers: every exploitation technique in the fixtures found at its file and
line, and no trace on the benign look-alikes (health probes, OWA, EWS,
Autodiscover, remote PowerShell, ECP administration); hostile files (a 1 MiB
line, invalid UTF-8, NUL bytes, broken and missing #Fields: headers, a
truncated gzip) cost nothing but an error finding; gzip rotated logs; who
requested a planted webshell (first/last request, counts, two client
addresses, methods, statuses, agents, what else they asked for) and a shell
already deleted; read positions kept in the sealed baseline (a second run
reads nothing again, an appended line is read alone, a rotated log from its
start, a forged position breaks the seal); the byte budget; --since; and the
same findings with 1 and 4 threads.

    t8100-logs.py EXSWEEP
"""

import gzip
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
import logfixtures  # noqa: E402
from lib import check, eq  # noqa: E402

tests = lib.Tests()
V15 = logfixtures.V15


def image_env(e):
    """The env's tree as a mounted system drive, logs and all."""
    logfixtures.minimal_tree(e.tree)
    e.write_config(text="\n".join([
        "[baseline]", f"path = {e.baseline}",
        f"key = {os.path.join(e.state, 'baseline.key')}", ""]))
    return logfixtures.write(e.tree)


def traces(report, tree):
    out = set()
    for f in report["findings"]:
        if f["kind"] == "exploit_trace":
            rel = os.path.relpath(f["path"], tree)
            out.add((rel, f["line"], f["technique"]))
    return out


@tests.case
def every_technique_found_and_no_false_trace(e):
    expected = set(image_env(e))
    r = e.run("logs", "--image", e.tree)
    got = traces(r.report, e.tree)
    eq(sorted(expected - got), [], "techniques not found")
    eq(sorted(got - expected), [], "false exploit traces")
    techniques = {t for _, _, t in expected}
    check(len(techniques) == 10, f"the fixtures hold every technique: {sorted(techniques)}")
    eq(r.rc, 8, "exit status with traces")
    errors = lib.by_kind(r.report, "error")
    check(any(p.endswith(b"u_ex261101.log.gz") for p in errors),
          f"the truncated gzip is an error finding: {list(errors)}")
    logs = r.report["logs"]
    check(logs["gz_files"] == 2 and logs["overlong_lines"] == 1, f"log counts: {logs}")
    # Each trace says what, when, who and the request.
    for f in r.report["findings"]:
        if f["kind"] != "exploit_trace":
            continue
        check(f["family"] and f["description"] and f["request"], f"trace fields: {f}")
        if "LogFiles" in f["path"]:
            check(f["client"], f"trace without a client address: {f}")
    out = r.out.decode("utf-8", "replace")
    check("TRACE" in out and "exploit traces" in out, "the summary lists the traces")


@tests.case
def same_traces_on_one_and_four_threads(e):
    image_env(e)
    a = traces(e.run("logs", "--image", e.tree, "-p", "1").report, e.tree)
    b = traces(e.run("logs", "--image", e.tree, "-p", "4").report, e.tree)
    eq(a, b, "traces with 1 and 4 threads")


def w3c(lines):
    head = ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0",
            "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "
            "c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken "
            "sc-bytes cs-bytes"]
    return ("\r\n".join(head + lines) + "\r\n").encode()


def req(t, method, stem, ip, status=200, agent="Mozilla/5.0", query="-", day="2026-11-10"):
    return f"{day} {t} 10.0.0.5 {method} {stem} {query} 443 - {ip} {agent} - {status} 0 0 5 512 {128 if method == 'POST' else 0}"


@tests.case
def who_requested_a_planted_webshell(e):
    logfixtures.minimal_tree(e.tree)
    e.write_config(text="\n".join([
        "[baseline]", f"path = {e.baseline}",
        f"key = {os.path.join(e.state, 'baseline.key')}", ""]))
    e.run("--image", e.tree, "init", json_report=False, expect_rc=0)
    shell = "inetpub/wwwroot/aspnet_client/system_web/errorFE.aspx"
    e.write(shell, lib.CHOPPER_PREFIX + lib.CHOPPER, mtime_ns=None)
    A, B = "198.51.100.10", "203.0.113.20"
    url = "/aspnet_client/system_web/errorFE.aspx"
    e.write("inetpub/logs/LogFiles/W3SVC1/u_ex261110.log", w3c([
        req("08:00:00", "GET", "/owa/", "10.1.1.1", 302),
        req("09:00:00", "GET", "/owa/auth/logon.aspx", A),
        req("09:10:00", "POST", url, A),
        req("09:11:00", "POST", "/AspNet_Client/System_Web/errorFE.aspx", A, agent="curl/7.68"),
        req("12:00:00", "GET", "/ecp/default.aspx", "10.1.1.2"),
        req("13:30:00", "POST", url, B, agent="python-requests/2.25"),
        req("13:31:00", "GET", "/owa/service.svc", B),
        req("14:00:00", "POST", url, A, status=500),
        req("23:00:00", "GET", "/owa/auth/later.aspx", A),
        # A shell used and deleted: requested with success, no file now.
        req("15:00:00", "POST", "/aspnet_client/system_web/gone.aspx", B),
    ]), mtime_ns=None)
    r = e.run("check", "--logs", "--image", e.tree)
    check(r.rc & 8, f"the webshell sets bit 8: {r.rc}")
    shells = [f for f in r.report["findings"] if f["kind"] in ("webshell", "suspicious")
              and f["path"].endswith("errorFE.aspx")]
    check(shells, "the planted page is a finding")
    for f in shells:
        q = f.get("requests")
        check(q, f"the finding says who requested it: {f}")
        eq(q["url"].lower(), url.lower(), "URL of the finding")
        eq(q["count"], 4, "requests to the shell")
        eq(q["first"]["time"], "2026-11-10T09:10:00Z", "first request")
        eq(q["last"]["time"], "2026-11-10T14:00:00Z", "last request")
        eq({c["value"]: c["count"] for c in q["clients"]}, {A: 3, B: 1}, "client addresses")
        eq({m["value"]: m["count"] for m in q["methods"]}, {"POST": 4}, "methods")
        eq({s["value"]: s["count"] for s in q["statuses"]}, {"200": 3, "500": 1}, "statuses")
        check(any(a["value"] == "python-requests/2.25" for a in q["user_agents"]), "agents")
        eq(q["request_bytes"]["total"], 4 * 128, "request bytes")
        others = {o["value"] for o in q["same_clients_other_urls"]}
        check("/owa/auth/logon.aspx" in others and "/owa/service.svc" in others,
              f"other URLs of the same clients in the window: {others}")
        check("/ecp/default.aspx" not in others, "another client's request is not listed")
        check("/owa/auth/later.aspx" not in others, "a request outside the window is not listed")
    gone = r.report.get("requests_without_file", [])
    check(any(g["path"].endswith("gone.aspx") and g["requests"]["on_disk"] is False and
              g["requests"]["clients"][0]["value"] == B for g in gone),
          f"a deleted shell is reported from the logs: {gone}")
    out = r.out.decode("utf-8", "replace")
    check("requested 4 times" in out and A in out and B in out and "GONE" in out,
          "the summary shows the requests")


@tests.case
def requests_to_a_removed_file(e):
    logfixtures.minimal_tree(e.tree)
    e.write_config(text="\n".join([
        "[baseline]", f"path = {e.baseline}",
        f"key = {os.path.join(e.state, 'baseline.key')}", ""]))
    page = "Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/old.aspx"
    e.write(page, b'<%@ Page Language="C#" %>\r\n<html><body>old</body></html>\r\n')
    e.run("init", "--image", e.tree, json_report=False, expect_rc=0)
    os.unlink(e.path(page))
    e.write("inetpub/logs/LogFiles/W3SVC1/u_ex261111.log", w3c([
        req("10:00:00", "GET", "/owa/auth/old.aspx", "192.0.2.50", day="2026-11-11"),
        req("10:05:00", "POST", "/owa/auth/OLD.aspx", "192.0.2.51", day="2026-11-11"),
    ]), mtime_ns=None)
    r = e.run("check", "--logs", "--image", e.tree)
    removed = [f for f in r.report["findings"] if f["kind"] == "removed"]
    eq(len(removed), 1, "removed findings")
    q = removed[0].get("requests")
    check(q and q["on_disk"] is False, f"requests of the removed page: {q}")
    eq(q["count"], 2, "requests to the removed page")
    eq(sorted(c["value"] for c in q["clients"]), ["192.0.2.50", "192.0.2.51"], "clients")


@tests.case
def unreadable_logs_are_error_findings(e):
    if not e.extra_exes:
        raise lib.Skip("no exsweep-fault binary given")
    expected = set(image_env(e))
    env = {"EXSWEEP_FAULTS": "ioerr:*u_ex261104.log;busy:*u_ex261106.log;access:*Oab*"}
    r = e.run("logs", "--image", e.tree, exe=e.extra_exes[0], env=env)
    errors = {os.path.basename(p) for p in lib.by_kind(r.report, "error")}
    check({b"u_ex261104.log", b"u_ex261106.log"} <= errors, f"error findings: {errors}")
    got = traces(r.report, e.tree)
    unread = {x for x in expected if "261104" in x[0] or "261106" in x[0]}
    eq(sorted((expected - unread) - got), [], "traces of the readable logs")


def logs_run(e, *args):
    return e.run("logs", "--image", e.tree, *args)


@tests.case
def positions_remembered_in_the_sealed_baseline(e):
    expected = set(image_env(e))
    e.run("--image", e.tree, "init", json_report=False, expect_rc=0)
    first = traces(logs_run(e).report, e.tree)
    eq(first, expected, "first run: every trace")
    r = logs_run(e)
    eq(traces(r.report, e.tree), set(), "second run: nothing read again")
    check(r.report["logs"]["unchanged"] >= 10, f"second run: files unchanged {r.report['logs']}")
    # An appended attack is read alone.
    log = os.path.join(e.tree, "inetpub/logs/LogFiles/W3SVC1/u_ex261103.log")
    with open(log, "rb") as f:
        n = f.read().count(b"\n")
    with open(log, "ab") as f:
        f.write(logfixtures.stock("2026-11-03", "23:59:59", "POST", "/ecp/late.js", "", "",
                                  "198.51.100.99", "x", 200).encode() + b"\r\n")
    r = logs_run(e)
    eq(traces(r.report, e.tree), {(os.path.relpath(log, e.tree), n + 1,
                                   "proxylogon.ecp_root_script")}, "the appended line")
    eq(r.report["logs"]["resumed"], 1, "one file resumed")
    # Rotated: a new, shorter file under the same name is read from its start.
    with open(log, "wb") as f:
        f.write(w3c([req("00:00:01", "POST", "/ecp/rot.js", "198.51.100.98")]))
    r = logs_run(e)
    eq(traces(r.report, e.tree), {(os.path.relpath(log, e.tree), 4,
                                   "proxylogon.ecp_root_script")}, "after rotation")
    check(r.report["logs"]["restarted"] >= 1, "rotation seen")
    # --from-start reads everything again.
    r = logs_run(e, "--from-start")
    check(len(traces(r.report, e.tree)) >= len(expected) - 8, "--from-start reads all")
    # A position moved past the attacker's lines breaks the seal.
    db = sqlite3.connect(e.baseline)
    db.execute("UPDATE log_positions SET offset = offset + 1000000, size = size + 1000000")
    db.commit()
    db.close()
    r = e.run("logs", "--image", e.tree, json_report=False)
    eq(r.rc, 24, "a forged position: seal mismatch")


@tests.case
def positions_saved_after_the_baseline_is_closed(e):
    """Windows will not rename over a file that is still open without delete
    sharing, and SQLite opens none with it: saving the read positions must
    close the baseline it replaces before swapping the re-sealed copy in, as
    update does. The winreplace fault makes Linux refuse such a rename the
    same way."""
    lib.posix_only(e, "winreplace stands for Windows's rename rule on Linux; "
                   "under wine the real MoveFileExW refuses (the positions and "
                   "who-requested tests save positions there)")
    if not e.extra_exes:
        raise lib.Skip("no exsweep-fault binary given")
    fexe = e.extra_exes[0]
    expected = set(image_env(e))
    e.run("--image", e.tree, "init", json_report=False, expect_rc=0)
    env = {"EXSWEEP_FAULTS": "winreplace:*baseline.db"}
    r = e.run("check", "--logs", "--image", e.tree, exe=fexe, env=env)
    check(r.rc < 16, f"check --logs failed to save its positions (exit {r.rc})")
    eq(traces(r.report, e.tree), expected, "check --logs: every trace")
    check(not os.path.exists(e.baseline + ".new"), "check --logs left baseline.db.new")
    r = e.run("logs", "--image", e.tree, exe=fexe, env=env)
    eq(traces(r.report, e.tree), set(), "logs after check --logs: nothing read again")
    check(not os.path.exists(e.baseline + ".new"), "logs left baseline.db.new")
    r = logs_run(e)
    check(r.report["logs"]["unchanged"] >= 10, f"positions not kept: {r.report['logs']}")


@tests.case
def budget_reads_a_little_per_run_and_loses_nothing(e):
    expected = set(image_env(e))
    e.run("--image", e.tree, "init", json_report=False, expect_rc=0)
    got, runs = set(), 0
    while runs < 40:
        r = logs_run(e, "--log-budget", "128K")
        runs += 1
        got |= traces(r.report, e.tree)
        check(r.report["logs"]["bytes"] <= 128 * 1024 + 64 * 1024,
              f"one run read {r.report['logs']['bytes']} bytes")
        if not r.report["logs"]["budget_reached"]:
            break
    check(runs > 3, f"the budget spread the reading over several runs ({runs})")
    eq(sorted(expected - got), [], "traces lost across budgeted runs")


@tests.case
def since_skips_older_lines(e):
    expected = image_env(e)
    r = logs_run(e, "--since", "2026-11-04")
    got = traces(r.report, e.tree)
    later = {x for x in expected if "261104" in x[0] or "261105" in x[0] or "261106" in x[0]}
    eq(got, later, "traces on or after --since")
    eq(e.run("logs", "--since", "yesterday", json_report=False).rc, 16, "a bad --since")


@tests.case
def gzip_rotated_log_read(e):
    logfixtures.minimal_tree(e.tree)
    # No baseline: a path where there is none (the host's default one, which
    # an empty configuration names, is never opened by the suite).
    e.write_config(text=f"[baseline]\npath = {e.native(e.baseline)}\n")
    d = os.path.join(e.tree, "inetpub/logs/LogFiles/W3SVC1")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "anything.bin"), "wb") as f:
        f.write(gzip.compress(w3c([req("00:00:01", "POST", "/owa/x%40y.com/powershell", "192.0.2.1")])))
    r = logs_run(e)
    eq({t for _, _, t in traces(r.report, e.tree)}, {"owassrf.owa_powershell"},
       "a gzip log found by its bytes, not its name")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
