#!/usr/bin/env python3
"""t1100-defaults -- exsweep run the way an admin runs it: no --config, no
--baseline, no key line, so the built-in places are used
(/etc/exsweep/exsweep.ini, /var/lib/exsweep/baseline.db and
/var/lib/exsweep/baseline.key).

Those places belong to the host, so the script re-runs itself in a private
mount namespace (unshare --mount) and lays an overlay over /etc and /var/lib
there: exsweep sees the host's files, but everything it creates or changes
lands in a tmpfs that disappears with the namespace, and the host is never
written. A host that already has /var/lib/exsweep or /etc/exsweep has them
removed from the overlay (whiteouts in its upper layer) inside the
namespace. Without root, unshare or overlayfs the tests are skipped with the
reason.

    t1100-defaults.py EXSWEEP
"""

import os
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq  # noqa: E402

DATA_DIR = "/var/lib/exsweep"
CONFIG_DIR = "/etc/exsweep"
INSIDE = "--inside-namespace"

tests = lib.Tests()


def mount(*args):
    p = subprocess.run(["mount"] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode != 0:
        raise OSError(p.stdout.decode("utf-8", "replace").strip())


def isolate(scratch):
    """Inside the namespace: overlay /var/lib and /etc onto a private tmpfs
    mounted on scratch (an empty folder the outer process made and removes).
    Returns None, or why the host cannot be isolated."""
    try:
        mount("--make-rprivate", "/")
        mount("-t", "tmpfs", "-o", "mode=0700", "exs-e2e", scratch)
        for i, parent in enumerate(("/var/lib", "/etc")):
            upper, work = os.path.join(scratch, f"u{i}"), os.path.join(scratch, f"w{i}")
            os.mkdir(upper)
            os.mkdir(work)
            mount("-t", "overlay", "exs-e2e", "-o",
                  f"lowerdir={parent},upperdir={upper},workdir={work}", parent)
        for d in (DATA_DIR, CONFIG_DIR):
            # A real install on this host (or a folder another step left):
            # removed from the overlay only, whiteouts in its upper layer, so
            # that exsweep finds no folder and makes its own, as on a host
            # where it never ran. (A tmpfs over it would leave a folder of the
            # tmpfs's mode that no test can remove.)
            if os.path.lexists(d):
                parent = os.path.dirname(d)
                if not overlaid(parent):
                    return f"cannot hide {d}: {parent} is not overlaid"
                if os.lstat(d).st_dev != os.stat(parent).st_dev:
                    return f"cannot hide {d}: it is not on the overlay of {parent}"
                if os.path.isdir(d) and not os.path.islink(d):
                    shutil.rmtree(d)
                else:
                    os.unlink(d)
    except OSError as e:
        return f"cannot isolate the host's folders: {e}"
    # The overlay really is there: a write must not reach the host.
    with open(os.path.join("/etc", ".exs-e2e-probe"), "w") as f:
        f.write("probe")
    return None


def overlaid(path):
    """1 when path is an overlay or tmpfs mount point of this namespace."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            fstype = fields[fields.index("-") + 1]
            if fields[4] == path and fstype in ("overlay", "tmpfs"):
                return True
    return False


def fresh_places():
    """Each test starts as on a machine where exsweep never ran. Only ever
    inside the namespace, on the overlays laid over /var/lib and /etc."""
    for parent in ("/var/lib", "/etc"):
        check(overlaid(parent), f"{parent} is not overlaid: refusing to clean it")
    for d in (DATA_DIR, CONFIG_DIR):
        if os.path.isdir(d) and not os.path.islink(d):
            shutil.rmtree(d)
        elif os.path.lexists(d):
            os.unlink(d)


def exsweep(e, *args, env=None):
    run_env = {k: v for k, v in os.environ.items()
               if k not in ("EXSWEEP_FAULTS", "ExchangeInstallPath")}
    run_env.update(env or {})
    argv = [e.exe, "--no-progress"] + list(args)
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300, env=run_env, cwd=e.dir)
    e.last = lib.Result(argv, p.returncode, p.stdout, p.stderr, None)
    check(p.returncode >= 0, f"exsweep was killed by signal {-p.returncode}")
    return p.returncode, p.stdout.decode("utf-8", "replace")


def private(path, what):
    st = os.lstat(path)
    eq(st.st_uid, 0, f"owner of {what}")
    eq(stat.S_IMODE(st.st_mode) & 0o077, 0, f"group/other bits of {what} "
       f"(mode {stat.S_IMODE(st.st_mode):o})")
    return st


@tests.case
def init_check_update_check_with_builtin_defaults(e):
    e.populate(4)
    check(not os.path.exists(os.path.join(DATA_DIR, "baseline.db")),
          "the namespace shows a baseline before init")
    rc, _ = exsweep(e, "init", e.tree)
    eq(rc, 0, "init with built-in defaults")
    key = os.path.join(DATA_DIR, "baseline.key")
    check(os.path.isfile(key), f"init created no key file {key}")
    st = private(key, "the key")
    eq(st.st_size, 32, "size of the key")
    private(os.path.join(DATA_DIR, "baseline.db"), "the baseline")
    private(DATA_DIR, "the data folder")
    check(b"baseline.key" in e.last.err, "init does not say where the key went")
    rc, _ = exsweep(e, "check", e.tree)
    eq(rc, 0, "check right after init")
    e.write("Bin/Microsoft.Exchange.Part1.dll", b"MZ patched", mtime_ns=None)
    rc, _ = exsweep(e, "check", e.tree)
    eq(rc, 4, "check after a change")
    rc, _ = exsweep(e, "update", "--note", "patch", e.tree)
    eq(rc, 0, "update accepting the change")
    rc, _ = exsweep(e, "check", e.tree)
    eq(rc, 0, "check after update")
    rc, out = exsweep(e, "history")
    eq(rc, 0, "history")
    check("patch" in out, f"history does not show the update: {out!r}")


@tests.case
def default_config_file_without_key_line(e):
    e.populate(3)
    os.makedirs(CONFIG_DIR, exist_ok=True)
    with open(os.path.join(CONFIG_DIR, "exsweep.ini"), "w") as f:
        f.write(f"[scan]\nroot = {e.tree}\nweb_root = {e.web}\n")
    rc, out = exsweep(e, "config")
    eq(rc, 0, "config")
    check(f"key = {DATA_DIR}/baseline.key\n" in out and
          f"path = {DATA_DIR}/baseline.db\n" in out,
          f"the dump does not show the default data files: {out!r}")
    check(f"configuration in effect: {CONFIG_DIR}/exsweep.ini" in out,
          f"the default file was not read: {out!r}")
    rc, _ = exsweep(e, "init")
    eq(rc, 0, "init from the default file")
    private(os.path.join(DATA_DIR, "baseline.key"), "the key")
    rc, _ = exsweep(e, "check")
    eq(rc, 0, "check from the default file")


@tests.case
def install_path_discovered_from_the_environment(e):
    # ExchangeInstallPath is the only discovery outside Windows.
    v15 = os.path.join(e.dir, "Exchange Server", "V15")
    for rel in ("Bin/a.dll", "FrontEnd/HttpProxy/owa/auth/logon.aspx"):
        full = os.path.join(v15, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(lib.benign_aspx("Logon") if rel.endswith(".aspx") else b"MZ")
    env = {"ExchangeInstallPath": v15 + "/"}
    rc, _ = exsweep(e, "init", env=env)
    eq(rc, 0, "init from the discovered install folder")
    rc, _ = exsweep(e, "check", env=env)
    eq(rc, 0, "check from the discovered install folder")


def with_fresh_places(fn):
    def run(e):
        fresh_places()
        fn(e)
    run.__name__ = fn.__name__
    return run


WINE_REASON = ("exsweep.exe's built-in places are %ProgramData%\\exsweep in the "
               "wine prefix, which every wine run here shares; the private mount "
               "namespace isolates the caller, not the wineserver outside it that "
               "acts on the prefix too (the Windows defaults are checked in "
               "tests/unit/test_config.c)")


def skipped_under_wine(fn):
    def run(e):
        lib.posix_only(e, WINE_REASON)
        fn(e)
    run.__name__ = fn.__name__
    return run


def main():
    if len(sys.argv) >= 2 and lib.is_windows_exe(sys.argv[-1]):
        # Each test skipped with its reason, in lib.py's form.
        tests.cases = [skipped_under_wine(fn) for fn in tests.cases]
        return tests.main([sys.argv[0], sys.argv[-1]])
    if len(sys.argv) >= 4 and sys.argv[1] == INSIDE:
        why = isolate(sys.argv[2])
        if why:
            print(f"skip (all): {why}")
            return 77
        tests.cases = [with_fresh_places(fn) for fn in tests.cases]
        return tests.main([sys.argv[0], sys.argv[3]])
    if os.geteuid() != 0:
        print("skip (all): needs root for a private mount namespace")
        return 77
    unshare = ["unshare", "--mount", "--propagation", "private"]
    try:
        probe = subprocess.run(unshare + ["true"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    except OSError as e:
        print(f"skip (all): cannot start unshare: {e}")
        return 77
    if probe.returncode != 0:
        # No CAP_SYS_ADMIN (a container), or no mount namespaces.
        print("skip (all): unshare --mount is not possible here: " +
              probe.stdout.decode("utf-8", "replace").strip())
        return 77
    # The tmpfs's mount point: made here, outside the namespace, so that it
    # can be removed here once the namespace (and its mounts) are gone.
    scratch = tempfile.mkdtemp(prefix="exs-defaults-ns-")
    try:
        p = subprocess.run(unshare + [sys.executable, os.path.abspath(__file__), INSIDE,
                                      scratch] + sys.argv[1:])
    finally:
        os.rmdir(scratch)
    if os.path.exists("/etc/.exs-e2e-probe"):
        print("FAIL: a write inside the namespace reached the host's /etc")
        return 1
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())
