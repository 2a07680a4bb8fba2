#!/usr/bin/env python3
"""t4000-crash -- a run killed at any point loses nothing.

Builds an Exchange-like tree of a few thousand files with tools/mktree and a
baseline of it, then 15 times starts `init --force`, kills it with SIGKILL
after a random 0-300 ms, and checks the unchanged tree: it must check clean
(exit 0) every time, whether the kill landed before, during or after the swap
of the new baseline. The same for `check` killed mid-run. Each case ends by
editing a file and expecting exit 4, so that a baseline that matches nothing
cannot pass. E2E_SEED=N repeats the random kill times of a failed run.

    t4000-crash.py EXSWEEP
"""

import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq  # noqa: E402

tests = lib.Tests()
HERE = os.path.dirname(os.path.abspath(__file__))
MKTREE = os.path.join(HERE, "..", "..", "tools", "mktree")
V15 = os.path.join("Program Files", "Microsoft", "Exchange Server", "V15")
KILLS = 15


def setup(e):
    """A mktree tree and its baseline; returns (rng, seconds one init takes)."""
    seed = int(os.environ.get("E2E_SEED") or random.randrange(1 << 30))
    print(f"  E2E_SEED={seed}")
    subprocess.run([sys.executable, MKTREE, os.path.join(e.dir, "x"), "--files", "3000",
                    "--mib", "40", "--seed", "7", "--ini", e.config, "--baseline", e.baseline],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The config again through lib.py, from the roots mktree named: the
    # binary's path form, and under wine [sandbox] enabled = no.
    with open(e.config, encoding="utf-8") as f:
        pairs = [l.split(" = ", 1) for l in f.read().splitlines() if " = " in l]
    e.write_config(roots=[v for k, v in pairs if k == "root"],
                   web_roots=[v for k, v in pairs if k == "web_root"])
    started = time.monotonic()
    e.run("init", json_report=False, expect_rc=0, timeout=300)
    seconds = time.monotonic() - started
    print(f"  one init takes {seconds:.2f} s")
    e.run("check", expect_rc=0, timeout=300)
    return random.Random(seed), seconds


def kill_runs(e, rng, seconds, command):
    """Starts command KILLS times, SIGKILLs it after 0-300 ms, then checks."""
    # Time one whole run of the command itself: a check that reuses its YARA
    # verdicts is much faster than the init, and the kills must land inside
    # the run even on a fast machine.
    argv, env = e.wrapped([e.exe, "--config", e.native(e.config), "--quiet"] + command)
    started = time.monotonic()
    subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=300, env=env)
    seconds = time.monotonic() - started
    print(f"  one {command[0]} takes {seconds:.2f} s")
    hi = min(0.3, seconds * 0.9)
    in_flight = 0
    for i in range(KILLS):
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env)
        delay = rng.uniform(0, hi)
        time.sleep(delay)
        if p.poll() is None:
            in_flight += 1
        p.kill()
        p.wait()
        r = check_after_kill(e)
        check(r.rc == 0, f"check exited {r.rc} after `{' '.join(command)}` was killed "
              f"at {delay * 1000:.0f} ms (kill {i + 1} of {KILLS})")
    print(f"  {in_flight} of {KILLS} kills hit a running {command[0]}")
    check(in_flight >= KILLS // 3, f"only {in_flight} of {KILLS} kills landed while "
          f"{command[0]} ran: the test proved too little")


def check_after_kill(e):
    """check right after a kill. Windows frees a dead process's file locks
    "depending on available system resources" (LockFileEx), and wine's
    server does so after the Unix process is gone: under wine a check that
    starts at once may still find the lock held (exit 21). There it is asked
    again, for up to 10 s; on Linux the kernel drops the lock before wait()
    returns, so one check must do."""
    r = e.run("check", timeout=300)
    deadline = time.monotonic() + 10
    while e.wine and r.rc == 21 and time.monotonic() < deadline:
        print("  note: the killed run's lock was still held; asking again")
        time.sleep(0.5)
        r = e.run("check", timeout=300)
    return r


def baseline_still_detects_edits(e):
    path = os.path.join(e.dir, "x", V15, "FrontEnd", "HttpProxy", "owa", "web.config")
    with open(path, "ab") as f:
        f.write(b"<!-- edited -->\r\n")
    r = e.run("check", expect_rc=4, timeout=300)
    eq(set(lib.kinds_by_path(r.report)), {os.fsencode(path)}, "changed paths")


@tests.case
def init_killed_keeps_the_baseline(e):
    rng, seconds = setup(e)
    kill_runs(e, rng, seconds, ["init", "--force"])
    baseline_still_detects_edits(e)


@tests.case
def check_killed_keeps_the_baseline(e):
    rng, seconds = setup(e)
    kill_runs(e, rng, seconds, ["check"])
    baseline_still_detects_edits(e)


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
