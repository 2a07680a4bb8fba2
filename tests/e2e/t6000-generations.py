#!/usr/bin/env python3
"""t_generations.py -- baseline generations, seal and crash safety, end to end.

    t_generations.py EXSWEEP

Runs the real binary on scratch trees: init, check, update (--note,
--accept, refusal of a planted webshell), history; init and update killed
with SIGKILL at random moments; two runs at once; tampering (flipped bytes,
deleted row, changed hash); disk full on a small tmpfs; export and
check --against. Prints "N passed, N failed" last.
"""
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402  (the Windows binary's path form, the schema-1 rebuild)

EXE = os.path.abspath(sys.argv[1])
WINE = lib.is_windows_exe(EXE)
WEBSHELL = b'<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%>'
passed = failed = skipped = 0


def native(path):
    """A POSIX path as the binary takes it (Windows form under wine)."""
    return lib.wine_paths().native(path) if WINE else path


def command(args):
    """argv for the binary: under wine through E2E_WINE_CMD, absolute POSIX
    paths in the Windows form."""
    args = [native(a) if isinstance(a, str) and a.startswith("/") else a
            for a in args]
    prefix = os.environ.get("E2E_WINE_CMD", "wine").split() if WINE else []
    return prefix + [EXE] + args


def run_env():
    env = dict(os.environ)
    if WINE:
        env.setdefault("WINEDEBUG", "-all")
        env["LC_ALL"] = "C.UTF-8"
    return env


def report(out):
    """The JSON report on stdout, its paths in POSIX form."""
    rep = json.loads(out)
    if WINE:
        lib.posix_report(rep, lib.wine_paths().posix)
    return rep


def config(text):
    """A config file's text as the binary gets it: under wine with
    [sandbox] enabled = no, as lib.py writes it (wine enforces no restricted
    tokens, so the worker refuses its sandbox: exit 26)."""
    if WINE:
        text = text.rstrip("\n") + "\n\n[sandbox]\nenabled = no\n"
    return text


def skip(name, reason):
    global skipped
    skipped += 1
    print("skip %s: %s" % (name, reason))


class Env:
    def __init__(self, files=40):
        self.dir = tempfile.mkdtemp(prefix="exs-gen-")
        self.tree = os.path.join(self.dir, "V15")
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.data)
        self.db = os.path.join(self.data, "baseline.db")
        self.key = os.path.join(self.data, "baseline.key")
        self.ini = os.path.join(self.dir, "exsweep.ini")
        with open(self.ini, "w") as f:
            f.write(config("[scan]\nroot = %s\nweb_root = %s\n[baseline]\npath = %s\n"
                           "key = %s\n" % (native(self.tree),
                                           native(os.path.join(self.tree, "ClientAccess")),
                                           native(self.db), native(self.key))))
        make_tree(self.tree, files)

    def run(self, *args, timeout=120):
        p = subprocess.run(command(["-c", self.ini, "--no-progress"] + list(args)),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout * (3 if WINE else 1), env=run_env())
        return p.returncode, p.stdout.decode("utf-8", "replace"), \
            p.stderr.decode("utf-8", "replace")

    def path(self, rel):
        return os.path.join(self.tree, rel)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def make_tree(root, files, build="15.2.1118.7"):
    for sub in ("Bin", "ClientAccess/Owa/prem/" + build,
                "FrontEnd/HttpProxy/owa/auth/" + build, "ClientAccess/ecp"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    for i in range(files):
        sub = ("Bin", "ClientAccess/Owa/prem/" + build)[i % 2]
        ext = (".dll", ".js")[i % 2]
        with open(os.path.join(root, sub, "f%03d%s" % (i, ext)), "wb") as f:
            f.write(("file %d " % i).encode() * (i + 1))
    with open(os.path.join(root, "ClientAccess/ecp/web.config"), "w") as f:
        f.write("<configuration></configuration>\n")


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))


def test_update_history():
    e = Env()
    try:
        rc, out, err = e.run("init")
        check("init", rc == 0, err)
        if WINE:
            skip("key private", "wine: the key's DACL has no POSIX mode bits to check")
        else:
            check("key private", os.stat(e.key).st_mode & 0o077 == 0)
        check("key 32 bytes", os.path.getsize(e.key) == 32)
        write(e.path("Bin/f000.dll"), b"patched")
        rc, _, _ = e.run("-q", "check")
        check("check sees change", rc == 4, str(rc))
        rc, out, err = e.run("update", "--note", "patch day")
        check("update", rc == 0, out + err)
        rc, out, err = e.run("check")
        check("quiet check after update", rc == 0, out + err)
        check("summary seal", "seal " in out and "generation 2" in out, out)
        # A planted webshell is not accepted.
        shell = e.path("ClientAccess/Owa/auth/x.aspx")
        write(shell, WEBSHELL)
        rc, out, err = e.run("update", "--note", "with shell")
        check("update refuses webshell", rc & 8 and "not accepted" in out,
              "%d %s" % (rc, out))
        rc, out, _ = e.run("check", "-j", "-")
        rep = report(out)
        kinds = {(f["kind"], f["path"]) for f in rep["findings"]}
        check("still reported", ("webshell", shell) in kinds and
              ("added", shell) in kinds, str(kinds))
        gens = rep["baseline"]["generations"]
        check("three generations", [g["id"] for g in gens] == [1, 2, 3],
              str(gens))
        check("seals in report", all(len(g["seal"]) == 64 for g in gens))
        check("exchange build", rep["exchange_build"] == "15.2.1118.7" and
              rep["baseline"]["exchange_build"] == "15.2.1118.7")
        rc, out, err = e.run("update", "--accept", shell, "--note", "ok")
        check("update --accept", rc == 8, "%d %s" % (rc, err))
        rc, out, _ = e.run("check", "-j", "-")
        rep = report(out)
        added = [f for f in rep["findings"] if f["kind"] == "added"]
        check("accepted not added", not added, str(added))
        rc, out, err = e.run("history", e.path("Bin/f000.dll"), shell)
        check("history", rc == 0 and "patch day" in out and
              "with shell" in out, out + err)
        lines = out.splitlines()
        story = [l for l in lines if l.strip().startswith("gen ")]
        check("story", any("changed" in l for l in story) and
              any("added" in l for l in story), out)
        # A new build folder: the report says the build moved.
        make_tree(e.tree, 2, build="15.2.1258.12")
        rc, out, _ = e.run("check")
        check("build moved", "baseline 15.2.1118.7, host now 15.2.1258.12"
              in out, out)
    finally:
        e.close()


def test_v1_migration():
    e = Env(files=6)
    try:
        rc, _, err = e.run("init")
        lib.rebuild_as_schema1(e.db, e.key)
        rc, out, err = e.run("check")
        check("v1 refused without --allow-unsealed", rc == 24 and
              "--allow-unsealed" in err, out + err)
        rc, out, err = e.run("check", "--allow-unsealed")
        check("v1 read by check", rc == 0 and "schema-1" in err, out + err)
        rc, out, err = e.run("update", "--allow-unsealed", "--note", "migrated")
        check("v1 migrated by update", rc == 0, out + err)
        rc, out, err = e.run("-q", "check")
        check("migrated checks clean", rc == 0, err)
        rc, out, _ = e.run("history")
        check("migrated history", "schema 1 baseline" in out and
              "migrated" in out, out)
    finally:
        e.close()


def check_after_kill(e):
    """check right after a kill: under wine the dead process's lock may
    still be held for a moment (see t4000's check_after_kill); on Linux the
    kernel drops it before wait() returns."""
    rc, out, err = e.run("-q", "check")
    deadline = time.monotonic() + 10
    while WINE and rc == 21 and time.monotonic() < deadline:
        print("note: the killed run's lock was still held; asking again")
        time.sleep(0.5)
        rc, out, err = e.run("-q", "check")
    return rc, out, err


def kill_loop(e, args, rounds):
    """Kills a run at random moments; the baseline must stay usable."""
    ok = True
    for i in range(rounds):
        p = subprocess.Popen(command(["-c", e.ini, "-q", "--no-progress"] + args),
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=run_env())
        # wine takes about a second to start the process.
        time.sleep(random.uniform(0, 0.3) + (1.0 if WINE else 0))
        p.send_signal(signal.SIGKILL)
        p.wait()
        rc, out, err = check_after_kill(e)
        if rc not in (0, 4):
            ok = False
            print("after kill %d: check exit %d %s" % (i, rc, err))
            break
        if rc == 4:
            # The killed run finished before the kill: accept that state.
            e.run("-q", "update")
    return ok


def test_kill():
    # Under wine each run costs seconds more: fewer rounds, said aloud.
    rounds = 6 if WINE else 25
    if WINE:
        print("note test_kill: %d kill rounds under wine instead of 25" % rounds)
    e = Env(files=3000)
    try:
        rc, _, err = e.run("-q", "init")
        check("kill init base", rc == 0, err)
        check("init killed", kill_loop(e, ["init", "--force"], rounds))
        write(e.path("Bin/f000.dll"), b"changed for update")
        ok = True
        for i in range(rounds):
            p = subprocess.Popen(command(["-c", e.ini, "-q", "--no-progress",
                                          "update"]), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=run_env())
            time.sleep(random.uniform(0, 0.3) + (1.0 if WINE else 0))
            p.send_signal(signal.SIGKILL)
            p.wait()
            rc, out, err = check_after_kill(e)
            if rc not in (0, 4):
                ok = False
                print("after update kill %d: check exit %d %s %s" % (i, rc, out, err))
                rc, out, err = e.run("check")
                print(out, err)
                break
            if rc == 0:
                write(e.path("Bin/f000.dll"), b"changed again %d" % i)
        check("update killed", ok)
    finally:
        e.close()


def test_lock():
    # The second run must meet the first while the first holds the lock.
    # Timing cannot promise that (wine starts processes slowly, and a fast
    # machine finishes 4,000 files before a second process is up), so the
    # test watches for it: while the update runs, checks are started one
    # after another; one of them must be refused with exit 21 (only the
    # update can hold the lock), or the update refused because a check held
    # it, and the one that ran must finish cleanly. An
    # attempt where the update finished before any check met it proves
    # nothing and is repeated on a tree twice as large.
    files = 4000
    for attempt in range(4):
        e = Env(files=files)
        try:
            rc, _, err = e.run("-q", "init")
            check("lock init", rc == 0, err)
            write(e.path("Bin/f002.dll"), b"x")
            p = subprocess.Popen(command(["-c", e.ini, "-q", "--no-progress", "update",
                                          "-p", "1"]), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, env=run_env())
            met, probe_rcs = None, []
            while p.poll() is None and met is None:
                rc, out, err = e.run("-q", "check", "-p", "1")
                probe_rcs.append(rc)
                if rc == 21:  # only the update can hold the lock
                    met = err
                elif rc not in (0, 4, 21):
                    check("probe during update", False, "check exit %d %s" % (rc, err))
                    break
            first_err = p.communicate()[1].decode("utf-8", "replace")
            if p.returncode == 21:
                # A check held the lock when the update wanted it: the same
                # property from the other side.
                met = first_err
            elif met is None and p.returncode == 0:
                print("note test_lock: the update (%d files) ended before a check met "
                      "it (probes %s); again with twice the files" % (files, probe_rcs))
                files *= 2
                continue
            else:
                check("first run ok", p.returncode == 0, "%d %s" % (p.returncode, first_err))
            check("second run locked", met is not None and "another exsweep run" in met,
                  "probes %s, update %d %s" % (probe_rcs, p.returncode, first_err))
            # Intact: the update's change accepted when it ran, still
            # reported when the update was the one refused.
            rc, _, err = e.run("-q", "check", "-p", "1")
            want = 0 if p.returncode == 0 else 4
            check("intact after lock", rc == want, "check exit %d, expected %d %s"
                  % (rc, want, err))
            return
        finally:
            e.close()
    check("second run locked", False, "no check met the update in 4 attempts")


def test_tamper():
    e = Env(files=200)
    try:
        e.run("-q", "init")
        e.run("-q", "update", "--note", "second")
        good = open(e.db, "rb").read()
        size = len(good)
        offsets = [random.randrange(0, size) for _ in range(8)] + [size - 1, 50]
        for off in offsets:
            bad = bytearray(good)
            bad[off] ^= 0x5A
            open(e.db, "wb").write(bytes(bad))
            rc, out, err = e.run("-q", "check")
            check("flip at %d" % off, rc in (19, 24), "%d %s" % (rc, err))
        open(e.db, "wb").write(good)
        for what, sql in (
                ("deleted row", "DELETE FROM files WHERE"
                 " path=(SELECT min(path) FROM files)"),
                ("deleted row, count fixed",
                 "DELETE FROM files WHERE path=(SELECT max(path) FROM files);"
                 "UPDATE meta SET value=value-1 WHERE key='file_count';"
                 "UPDATE generations SET file_count=file_count-1"
                 " WHERE id=(SELECT max(id) FROM generations)"),
                ("changed hash", "UPDATE files SET sha256=zeroblob(32) WHERE"
                 " path=(SELECT min(path) FROM files)"),
                ("changed note", "UPDATE generations SET note='x' WHERE id=1"),
                ("deleted generation", "DELETE FROM generations WHERE id=2")):
            open(e.db, "wb").write(good)
            con = sqlite3.connect(e.db)
            try:
                con.executescript(sql)
                con.commit()
            except sqlite3.Error:
                pass
            con.close()
            rc, out, err = e.run("-q", "check")
            check(what, rc in (19, 24), "%d %s" % (rc, err))
        open(e.db, "wb").write(good)
        os.truncate(e.db, size // 2)
        rc, out, err = e.run("-q", "update")
        check("truncated: 19", rc == 19, "%d %s" % (rc, err))
        check("truncated never overwritten", os.path.getsize(e.db) == size // 2)
        open(e.db, "wb").write(good)
        rc, _, err = e.run("-q", "check")
        check("restored checks clean", rc == 0, err)
        os.rename(e.key, e.key + ".away")
        rc, _, err = e.run("-q", "check")
        check("missing key", rc == 25 and "baseline key not found" in err, err)
        write(e.key, os.urandom(32))
        rc, _, err = e.run("-q", "check")
        check("wrong key", rc == 24, "%d %s" % (rc, err))
    finally:
        e.close()


def test_disk_full():
    e = Env(files=10)
    mnt = os.path.join(e.dir, "small")
    os.makedirs(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt],
                      stderr=subprocess.DEVNULL).returncode != 0:
        skip("disk full", "mount -t tmpfs is not permitted here")
        e.close()
        return
    try:
        db = os.path.join(mnt, "baseline.db")
        with open(e.ini, "a") as f:
            pass
        args = ["-b", db]
        rc, _, err = e.run(*args, "-q", "init")
        check("small init", rc == 0, err)
        good = open(db, "rb").read()
        # Many long names: the baseline outgrows the tmpfs.
        big = os.path.join(e.tree, "Bin", "many")
        os.makedirs(big)
        for i in range(6000):
            open(os.path.join(big, ("n%05d-" % i) + "x" * 150), "wb").close()
        rc, _, err = e.run(*args, "-q", "update")
        check("update disk full: 20", rc == 20, "%d %s" % (rc, err))
        check("update disk full: old kept", open(db, "rb").read() == good)
        rc, _, err = e.run(*args, "-q", "check", e.path("ClientAccess"))
        rc2, _, err2 = e.run(*args, "-q", "init", "--force")
        check("init disk full: 20", rc2 == 20, "%d %s" % (rc2, err2))
        check("init disk full: old kept", open(db, "rb").read() == good)
        shutil.rmtree(big)
        rc, _, err = e.run(*args, "-q", "check")
        check("disk full: checks clean", rc == 0, "%d %s" % (rc, err))
    finally:
        subprocess.run(["umount", mnt])
        e.close()


def test_export_against():
    e = Env(files=30)
    try:
        e.run("-q", "init")
        manifest = os.path.join(e.dir, "m.tsv")
        rc, _, err = e.run("export", "-o", manifest)
        check("export", rc == 0, err)
        lines = open(manifest, "rb").read().split(b"\n")
        check("manifest header", lines[0].startswith(b"#exsweep-manifest/1"),
              str(lines[:2]))
        check("symbolic root", any(l.startswith(b"V15:/Bin/") for l in lines))
        other = os.path.join(e.dir, "elsewhere", "deeper", "V15")
        shutil.copytree(e.tree, other)
        # The other server: its own configuration, another install folder.
        with open(e.ini, "w") as f:
            f.write(config("[scan]\nroot = %s\nweb_root = %s\n" %
                           (native(other), native(os.path.join(other, "ClientAccess")))))
        rc, out, err = e.run("check", "--against", manifest)
        check("against clean copy", rc == 0, "%d %s %s" % (rc, out, err))
        write(os.path.join(other, "Bin/f000.dll"), b"trojaned")
        os.remove(os.path.join(other, "Bin/f002.dll"))
        write(os.path.join(other, "Bin/new.dll"), b"new")
        rc, out, err = e.run("check", "--against", manifest, "-j", "-")
        rep = report(out)
        kinds = sorted((f["kind"], os.path.basename(f["path"]))
                       for f in rep["findings"])
        check("against modified copy", rc == 7 and
              ("changed", "f000.dll") in kinds and
              ("removed", "f002.dll") in kinds and
              ("added", "new.dll") in kinds, "%d %s %s" % (rc, kinds, err))
    finally:
        e.close()


def main():
    random.seed(os.getpid())
    if WINE:
        print("# %s runs under wine; paths as %s\\..." % (EXE, lib.wine_paths().drive))
        print("# skip: the sandboxed scan worker under wine (wine enforces no "
              "restricted tokens or integrity levels; [sandbox] enabled = no)")
    for t in (test_update_history, test_v1_migration, test_kill, test_lock,
              test_tamper, test_disk_full, test_export_against):
        try:
            t()
        except Exception as ex:  # a crash in a test is a failure, not an abort
            global failed
            failed += 1
            print("FAIL %s raised %r" % (t.__name__, ex))
    if skipped:
        print("(%d skipped)" % skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
