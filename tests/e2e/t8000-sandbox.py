#!/usr/bin/env python3
"""t8000-sandbox -- the scan worker holds no rights, and its failures are
findings, not the end of the run.

Runs exsweep-probe (tests/sandbox/probe_main.c: the exsweep command whose
judges obey files that start with "EXSWEEP-PROBE ACTION [ARG]") and the real
exsweep binary over such files:
  - inside a worker, opening a world-readable file or the baseline key,
    creating a file and creating sockets are refused;
  - with --no-sandbox the same probes succeed (so these tests fail without
    the sandbox);
  - exec and an executable mapping kill the worker, its memory is capped,
    and a crash and an endless loop inside one are
    EXS_WORKER error findings; a webshell judged after them by the restarted
    worker is still found and the run ends normally;
  - while a worker runs, /proc shows it as nobody, without groups, with
    no_new_privs, in seccomp filter mode and holding fds 0-2 only;
  - kill -9 of exsweep takes its workers with it, even hung ones;
  - the exsweep binary has no hook: probe files are plain files to it;
  - a sandbox that cannot be set up stops the run with exit 26.

Under wine (exsweep.exe; there is no probe build for Windows) the tests
that need the probe or Linux's /proc, seccomp and setpriv are skipped with
the reason; the real binary's plain view of probe files runs, and so does
the refusal wine provokes: the worker's own check finds it is not at low
integrity (wine enforces no restricted tokens) and the run stops with 26.

    t8000-sandbox.py EXSWEEP EXSWEEP-PROBE
    t8000-sandbox.py EXSWEEP.exe
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
NOBODY = 65534


LINUX_WORKER = ("the probe build and the Linux worker it inspects (seccomp, "
                "/proc, setpriv, nobody) do not exist for Windows; wine enforces "
                "no restricted tokens (tests/unit/test_worker.c checks what it can)")


def linux_worker(fn):
    """A test of the Linux worker through exsweep-probe: skipped under wine."""
    def run(e):
        lib.posix_only(e, LINUX_WORKER)
        fn(e)
    run.__name__ = fn.__name__
    return run


def probe_exe(e):
    check(e.extra_exes, "t8000 needs the exsweep-probe binary as its second argument")
    return e.extra_exes[0]


def probe_file(e, name, action):
    return e.write(f"web/{name}", f"EXSWEEP-PROBE {action}\n".encode())


def probe_results(report):
    """{rule: description} of the probe's hits, over all findings."""
    out = {}
    for f in report["findings"]:
        for m in f.get("matches", []):
            if m["rule"].startswith("probe."):
                out[m["rule"]] = m["meta"]["description"]
    return out


def errors(report):
    return lib.by_kind(report, "error")


def write_timeout_config(e, seconds, extra=""):
    e.write_config()
    with open(e.config, "a", encoding="utf-8") as f:
        f.write(f"\n[yara]\ntimeout = {seconds}\n{extra}")


def readable_and_secret(e):
    """A file anyone may read, and one only root may (as the key is)."""
    public = os.path.join(e.dir, "public.txt")
    with open(public, "w") as f:
        f.write("anyone may read this\n")
    os.chmod(public, 0o644)
    secret = os.path.join(e.state, "baseline.key")
    with open(secret, "wb") as f:
        f.write(os.urandom(32))
    os.chmod(secret, 0o600)
    return public, secret


def probe_tree(e):
    public, secret = readable_and_secret(e)
    created = os.path.join(e.dir, "created-by-worker")
    probe_file(e, "p-open-public.aspx", f"open {public}")
    probe_file(e, "p-open-key.aspx", f"open {secret}")
    probe_file(e, "p-create.aspx", f"create {created}")
    probe_file(e, "p-socket.aspx", "socket")
    return public, secret, created


@tests.case
@linux_worker
def worker_cannot_open_files_or_sockets(e):
    public, secret, created = probe_tree(e)
    r = e.run("scan", e.web, exe=probe_exe(e), expect_rc=8)
    got = probe_results(r.report)
    eq(got.get("probe.open") is not None, True, "a probe.open result")
    opens = [m["meta"]["description"] for f in r.report["findings"]
             for m in f.get("matches", []) if m["rule"] == "probe.open"]
    eq(sorted(opens), sorted([f"open {public}: Permission denied",
                              f"open {secret}: Permission denied"]), "open results")
    eq(got.get("probe.create"), f"create {created}: Permission denied", "create result")
    eq(got.get("probe.socket"), "inet: Permission denied, unix: Permission denied",
       "socket result")
    check(not os.path.exists(created), "the worker created a file")
    eq(errors(r.report), {}, "error findings")


@tests.case
@linux_worker
def same_probes_succeed_without_the_sandbox(e):
    """The control: without the sandbox the probe really opens and creates,
    so the test above fails when the sandbox is missing."""
    public, secret, created = probe_tree(e)
    r = e.run("scan", e.web, "--no-sandbox", exe=probe_exe(e), expect_rc=8)
    got = probe_results(r.report)
    opens = sorted(m["meta"]["description"] for f in r.report["findings"]
                   for m in f.get("matches", []) if m["rule"] == "probe.open")
    eq(opens, sorted([f"open {public}: allowed", f"open {secret}: allowed"]), "open results")
    eq(got.get("probe.create"), f"create {created}: allowed", "create result")
    eq(got.get("probe.socket"), "inet: allowed, unix: allowed", "socket result")
    check(os.path.exists(created), "the unsandboxed probe did not create its file")


@tests.case
@linux_worker
def crash_hang_and_exec_are_error_findings_and_survived(e):
    write_timeout_config(e, 1)
    crash = probe_file(e, "a-crash.aspx", "crash")
    hang = probe_file(e, "b-hang.aspx", "hang")
    exec_ = probe_file(e, "c-exec.aspx", "exec")
    mexec = probe_file(e, "c-mmap-exec.aspx", "mmap-exec")
    shell = e.write("web/d-shell.aspx", lib.CHOPPER_PREFIX + lib.CHOPPER)
    e.write("web/e-benign.aspx", lib.benign_aspx("Benign"))
    started = time.monotonic()
    # One worker thread: the same worker slot must come back after each.
    r = e.run("scan", e.web, "--threads", "1", exe=probe_exe(e), expect_rc=8, timeout=120)
    seconds = time.monotonic() - started
    eq(lib.kinds_by_path(r.report),
       {crash: {"error"}, hang: {"error"}, exec_: {"error"}, mexec: {"error"},
        shell: lib.CHOPPER_KINDS},
       "findings by path")
    errs = errors(r.report)
    for path in (crash, hang, exec_, mexec):
        eq(errs[path]["status"], "EXS_WORKER", f"status of {os.path.basename(path)}")
        eq(errs[path]["op"], "sandbox", f"op of {os.path.basename(path)}")
        check("restarted" in errs[path]["message"],
              f"message does not say the worker was restarted: {errs[path]['message']!r}")
    check("not judged within 6 s" in errs[hang]["message"],
          f"hang message: {errs[hang]['message']!r}")
    for path in (exec_, mexec):
        check("SIGSYS" in errs[path]["message"], f"message: {errs[path]['message']!r}")
    check(seconds >= 5.5, f"the hang was cut after {seconds:.1f} s, before its deadline")


def children(pid):
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append(int(name))
    return out


def proc_status(pid):
    status = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            status[key] = value.split()
    return status


@tests.case
@linux_worker
def worker_memory_is_limited(e):
    if "ASAN_OPTIONS" in os.environ:
        raise lib.Skip("no address-space limit under AddressSanitizer")
    # 64 MiB beyond twice the 1 MiB file limit.
    write_timeout_config(e, 60, "max_file_size = 1M\n[sandbox]\nmemory_limit = 64M\n")
    probe_file(e, "big.aspx", "alloc 512")
    probe_file(e, "small.aspx", "alloc 8")
    r = e.run("scan", e.web, "--threads", "1", exe=probe_exe(e), expect_rc=8)
    allocs = sorted(m["meta"]["description"] for f in r.report["findings"]
                    for m in f.get("matches", []) if m["rule"] == "probe.alloc")
    eq(allocs, ["alloc 512 MiB: refused", "alloc 8 MiB: allowed"], "allocations in a worker")


@tests.case
@linux_worker
def worker_runs_without_rights(e):
    if os.geteuid() != 0:
        raise lib.Skip("needs root: the user drop is what is checked")
    write_timeout_config(e, 3)
    probe_file(e, "hang1.aspx", "hang")
    probe_file(e, "hang2.aspx", "hang")
    argv = [probe_exe(e), "--config", e.config, "--quiet", "--threads", "2", "scan", e.web]
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    try:
        workers = []
        deadline = time.monotonic() + 5
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
            workers = children(p.pid)
        eq(len(workers), 2, "worker processes of a 2-thread run")
        for w in workers:
            # A worker shows up as a child before it has dropped anything:
            # wait until its filter is on (its last step), then look.
            deadline = time.monotonic() + 20
            while proc_status(w)["Seccomp"] != ["2"] and time.monotonic() < deadline:
                time.sleep(0.05)
            st = proc_status(w)
            eq(st["Uid"], [str(NOBODY)] * 4, "worker uids (real, effective, saved, fs)")
            eq(st["Gid"], [str(NOBODY)] * 4, "worker gids")
            eq(st.get("Groups", []), [], "worker supplementary groups")
            eq(st["NoNewPrivs"], ["1"], "worker no_new_privs")
            eq(st["Seccomp"], ["2"], "worker seccomp mode (2: filter)")
            eq(st["CapEff"], ["0000000000000000"], "worker effective capabilities")
            fds = sorted(int(fd) for fd in os.listdir(f"/proc/{w}/fd"))
            eq(fds, [0, 1, 2], "worker file descriptors")
            check(os.readlink(f"/proc/{w}/fd/0").startswith("socket:"),
                  "the worker's fd 0 is not its channel socket")
            eq(os.readlink(f"/proc/{w}/fd/1"), "/dev/null", "the worker's stdout")
            eq(os.readlink(f"/proc/{w}/exe"), os.path.realpath(probe_exe(e)),
               "the worker's executable")
    finally:
        _, err = p.communicate(timeout=60)
    eq(p.returncode, 0, f"exit status of the hung run (stderr: {err.decode()!r})")


def running(pid):
    try:
        return proc_status(pid).get("State", ["Z"])[0] not in ("Z", "X")
    except OSError:
        return False


@tests.case
@linux_worker
def workers_die_with_exsweep(e):
    """kill -9 of exsweep leaves no worker behind, even one that hangs."""
    write_timeout_config(e, 60)
    probe_file(e, "hang1.aspx", "hang")
    probe_file(e, "hang2.aspx", "hang")
    argv = [probe_exe(e), "--config", e.config, "--quiet", "--threads", "2", "scan", e.web]
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    workers = []
    deadline = time.monotonic() + 5
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        workers = children(p.pid)
    eq(len(workers), 2, "worker processes of a 2-thread run")
    time.sleep(1)  # both are inside their endless loops
    p.kill()
    p.wait()
    deadline = time.monotonic() + 5
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [w for w in workers if running(w)]
    eq(alive, [], "workers still running 5 s after exsweep was killed")


@tests.case
def probe_files_are_plain_files_to_exsweep(e):
    """No file can reach the hook: the exsweep binary has none."""
    write_timeout_config(e, 1)
    probe_tree(e)
    for name, action in (("crash", "crash"), ("hang", "hang"), ("exec", "exec")):
        probe_file(e, f"x-{name}.aspx", action)
    r = e.run("scan", e.web, expect_rc=0, timeout=60)
    eq(r.report["findings"], [], "findings of the real exsweep")
    limit = 15 if e.wine else 5   # wine is slower, as lib.run allows for
    check(r.seconds < limit, f"the real exsweep took {r.seconds:.1f} s over probe files")


@tests.case
def sandbox_that_cannot_be_set_up_stops_the_run(e):
    if e.wine:
        return wine_sandbox_is_refused(e)
    if os.geteuid() != 0:
        raise lib.Skip("needs root: [sandbox] user applies to root only")
    e.populate(2)
    for user in ("no-such-user-exsweep", "root", "0"):
        write_timeout_config(e, 60, f"\n[sandbox]\nuser = {user}\n")
        r = e.run("init", json_report=False, expect_rc=26)
        check(b"--no-sandbox" in r.err, f"stderr does not name --no-sandbox: {r.err!r}")
        check(not os.path.exists(e.baseline), "a baseline was written without a sandbox")
    r = e.run("init", "--no-sandbox", json_report=False, expect_rc=0)
    check(os.path.exists(e.baseline), "--no-sandbox init wrote no baseline")


def wine_sandbox_is_refused(e):
    """Under wine the worker finds its token unrestricted and refuses: the
    run stops with 26 before a baseline is written, naming --no-sandbox."""
    e.populate(2)
    e.write_config()
    with open(e.config, encoding="utf-8") as f:
        text = f.read()
    check("[sandbox]\nenabled = no\n" in text, "lib.py wrote no [sandbox] section")
    with open(e.config, "w", encoding="utf-8") as f:
        f.write(text.replace("[sandbox]\nenabled = no\n", "[sandbox]\nenabled = yes\n"))
    r = e.run("init", json_report=False, expect_rc=26)
    check(b"integrity level" in r.err and b"--no-sandbox" in r.err,
          f"stderr does not say why or name --no-sandbox: {r.err!r}")
    check(not os.path.exists(e.baseline), "a baseline was written without a sandbox")
    r = e.run("init", "--no-sandbox", json_report=False, expect_rc=0)
    check(os.path.exists(e.baseline), "--no-sandbox init wrote no baseline")


@tests.case
@linux_worker
def unprivileged_run_is_still_sandboxed(e):
    """Started without root there is no user to drop to; the filter still holds."""
    setpriv = shutil.which("setpriv")
    if not setpriv or os.geteuid() != 0:
        raise lib.Skip("needs setpriv and root to start as nobody")
    nobody = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    public = os.path.join(e.dir, "public.txt")
    with open(public, "w") as f:
        f.write("nobody may read this\n")
    probe_file(e, "p-open.aspx", f"open {public}")
    exe = os.path.join(e.dir, "exsweep-probe")
    shutil.copy(probe_exe(e), exe)
    for top, dirs, files in os.walk(e.dir):
        os.chmod(top, 0o755)
        for name in files:
            os.chmod(os.path.join(top, name), 0o755 if name == "exsweep-probe" else 0o644)
    e.report_path = os.path.join(e.state, "report.json")
    os.chown(e.state, NOBODY, NOBODY)
    r = e.run("scan", e.web, exe=exe, prefix=nobody, expect_rc=8)
    eq(probe_results(r.report).get("probe.open"), f"open {public}: Permission denied",
       "open result as nobody")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
