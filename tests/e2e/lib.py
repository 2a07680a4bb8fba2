"""lib.py -- the shared harness of exsweep's end-to-end tests.

Each tNNNN-*.py script registers test functions with @tests.case; every test
gets a fresh temporary folder (an Env) holding a tree to scan, the web root
inside it, a state folder for the baseline and a config file naming them. Env.run
starts the real binary with --config and --json, checks the exit status against
the report, and returns both. A failed check raises Failure with what was
expected, what came back and the stderr of the last run. The script prints one
line per test and "N passed, N failed" at the end, and exits 1 on any failure
(77, meson's "skipped", when every test was skipped).

Environment: E2E_ONLY=SUBSTRING runs only matching tests; E2E_KEEP=1 keeps the
temporary folders of failed tests.

The Windows binary. When EXSWEEP (argv[1]) ends in ".exe", or E2E_WINE=1, the
binary is exsweep.exe and runs under wine (E2E_WINE_CMD, default "wine").
lib.py then speaks its path form: Env.native() turns a POSIX path into the
Windows one the binary is given (through the drive wine maps "/" to, found
once with `winepath -w /`), the config file and absolute arguments are
written that way, and a report's paths are turned back with Env.posix()
after it has been validated in the binary's own form, so tests compare POSIX
paths either way. What wine cannot do (POSIX symlinks, FIFOs and sockets,
setpriv and mode bits, names that are not Windows names) is skipped with
lib.posix_only(), which prints the reason: never silently.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

# Files of a test tree get this modification time (2024-05-01T12:00:00.123456789Z)
# so that a later edit always moves mtime, whatever the file system's clock tick.
OLD_MTIME_NS = 1714564800123456789

KIND_ORDER = ["webshell", "suspicious", "changed", "added", "removed", "error",
              "exploit_trace", "registration"]
EXIT_BITS = {"added": 1, "removed": 2, "changed": 4, "webshell": 8, "suspicious": 8,
             "exploit_trace": 8, "registration": 4}

# A China Chopper-style one-liner, after a benign prefix so that a match offset
# of 0 (or any offset inside the prefix) is wrong. As a page of under 2 KiB that
# evals request data it is also `suspicious` (heuristic content.tiny_eval_page)
# wherever heuristics judge it: CHOPPER_KINDS.
CHOPPER_PREFIX = (b'<!-- Copyright (c) Microsoft Corporation. All rights reserved. -->\r\n'
                  b'<!-- Outlook Web App authentication helper page -->\r\n')
CHOPPER = (b'<%@ Page Language="Jscript" Debug=false%>'
           b'<%eval(Request.Item["z9kq2"],"unsafe");%>\r\n')
CHOPPER_KINDS = {"webshell", "suspicious"}


class Failure(AssertionError):
    pass


class Skip(Exception):
    pass


def rebuild_as_schema1(db, key, text_paths=False):
    """Rebuilds a fresh baseline as schema 1, as the exsweep before
    generations wrote it: a new file (no room for a file seal), the files
    table of schema 1, schema_version 1, no seals, and no key on the host
    (schema 1 had none). text_paths stores the paths as TEXT, as a version
    that bound them with sqlite3_bind_text did."""
    v2 = db + ".v2"
    os.rename(db, v2)
    if os.path.exists(key):
        os.unlink(key)
    path = "CAST(path AS TEXT)" if text_paths else "path"
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        " WITHOUT ROWID;"
        "CREATE TABLE files(path BLOB PRIMARY KEY, node INTEGER NOT NULL,"
        " size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER"
        " NOT NULL, mode INTEGER NOT NULL, owner TEXT NOT NULL, volume_id"
        " INTEGER NOT NULL, file_id INTEGER NOT NULL, link_count INTEGER"
        " NOT NULL, sha256 BLOB NOT NULL, security_sha256 BLOB) WITHOUT ROWID;")
    con.execute("ATTACH DATABASE ? AS v2", (v2,))
    con.executescript(
        "INSERT INTO meta SELECT key,value FROM v2.meta;"
        "UPDATE meta SET value='1' WHERE key='schema_version';"
        f"INSERT INTO files SELECT {path},node,size,mtime_ns,ctime_ns,mode,"
        "owner,volume_id,file_id,link_count,sha256,security_sha256"
        " FROM v2.files WHERE gen_to IS NULL;")
    con.commit()
    con.execute("DETACH DATABASE v2")
    con.close()
    os.unlink(v2)


def is_windows_exe(exe):
    return os.environ.get("E2E_WINE") == "1" or str(exe).lower().endswith(".exe")


class WinePaths:
    """The binary's path form under wine: which drive holds "/" (Z: unless the
    prefix was changed), learned once from winepath."""

    def __init__(self):
        self.drive = "Z:"
        try:
            out = subprocess.run(["winepath", "-w", "/"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, timeout=120,
                                 env=dict(os.environ, WINEDEBUG="-all")).stdout
            text = out.decode("utf-8", "replace").strip()
            if len(text) >= 2 and text[1] == ":":
                self.drive = text[:2].upper()
        except (OSError, subprocess.TimeoutExpired):
            pass

    def native(self, path):
        """/tmp/x/y -> Z:\\tmp\\x\\y (str)."""
        p = os.fsdecode(path)
        if not p.startswith("/"):
            return p
        return self.drive + p.replace("/", "\\")

    def posix(self, path):
        """Z:\\tmp\\x -> /tmp/x; other forms as given."""
        p = os.fsdecode(path)
        if len(p) >= 3 and p[:2].upper() == self.drive and p[2] in "\\/":
            return p[2:].replace("\\", "/")
        return p


_wine_paths = None


def wine_paths():
    global _wine_paths
    if _wine_paths is None:
        _wine_paths = WinePaths()
    return _wine_paths


def posix_only(e, reason):
    """Skips the test (with its reason) when the binary runs under wine."""
    if e.wine:
        raise Skip("wine: " + reason)


def check(cond, message):
    if not cond:
        raise Failure(message)


def eq(actual, expected, what):
    if actual != expected:
        raise Failure(f"{what}: expected {expected!r}, got {actual!r}")


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def path_bytes(finding):
    """The exact bytes of a finding's path, as the README says to recover them."""
    if "path_b64" in finding:
        return base64.b64decode(finding["path_b64"], validate=True)
    return finding["path"].encode("utf-8")


def by_kind(report, kind):
    """{path bytes: finding} of one kind."""
    return {path_bytes(f): f for f in report["findings"] if f["kind"] == kind}


def kinds_by_path(report):
    out = {}
    for f in report["findings"]:
        out.setdefault(path_bytes(f), set()).add(f["kind"])
    return out


def skipped_by_path(report):
    return {path_bytes(s): s["node"] for s in report.get("skipped", [])}


def fs(path):
    """A path (str or bytes) as bytes, the way the report gives it."""
    return os.fsencode(path)


def benign_aspx(title):
    return ('<%@ Page Language="C#" AutoEventWireup="false" '
            f'Inherits="Microsoft.Exchange.HttpProxy.{title}" %>\r\n'
            f'<!DOCTYPE html>\r\n<html><head><title>{title}</title></head>\r\n'
            '<body><form method="post" action="logon.aspx"><input type="submit" value="Sign in" />'
            '</form></body></html>\r\n').encode()


def benign_config(n):
    return ('<?xml version="1.0" encoding="utf-8"?>\r\n<configuration>\r\n  <appSettings>\r\n'
            f'    <add key="LogLevel{n}" value="Medium" />\r\n  </appSettings>\r\n'
            '</configuration>\r\n').encode()


def benign_js(n):
    return (f'/* owa.{n}.js */\r\n(function (owa) {{ owa.f{n} = function (x) '
            '{ return JSON.parse(x); }; })(window.owa = window.owa || {});\r\n').encode()


class Result:
    def __init__(self, argv, rc, out, err, report):
        self.argv, self.rc, self.out, self.err, self.report = argv, rc, out, err, report

    def describe(self):
        err = self.err.decode("utf-8", "replace")
        if len(err) > 3000:
            err = err[:3000] + "\n[...]"
        # The end of stdout too: an unexpected exit with nothing on stderr
        # (seen once under wine in CI) says more when the summary shows
        # whether the run got to its end.
        out = (self.out or b"").decode("utf-8", "replace")
        if len(out) > 1500:
            out = "[...]\n" + out[-1500:]
        return (f"  ran: {' '.join(map(str, self.argv))}\n  exit: {self.rc}\n"
                f"  stderr: {err.rstrip()}\n  stdout: {out.rstrip()}")


class Env:
    """One test's temporary world: DIR/tree (root), DIR/tree/web (web root),
    DIR/state/baseline.db, DIR/exsweep.ini, DIR/report.json."""

    def __init__(self, exe, name, extra_exes):
        self.exe = exe
        self.extra_exes = extra_exes
        self.wine = is_windows_exe(exe)
        self.case_insensitive = self.wine
        self.dir = tempfile.mkdtemp(prefix=f"exs-{name[:24]}-")
        self.tree = os.path.join(self.dir, "tree")
        self.web = os.path.join(self.tree, "web")
        self.state = os.path.join(self.dir, "state")
        self.baseline = os.path.join(self.state, "baseline.db")
        self.config = os.path.join(self.dir, "exsweep.ini")
        self.report_path = os.path.join(self.dir, "report.json")
        self.last = None
        for d in (self.tree, self.web, self.state):
            os.makedirs(d, exist_ok=True)
        self.write_config()

    def ns(self, t):
        """A time in ns as the binary records it: Windows keeps 100 ns ticks."""
        return t - t % 100 if self.wine else t

    def native(self, path):
        """path (POSIX, str or bytes) as the binary spells it: itself, or under
        wine the Windows form (str)."""
        return wine_paths().native(path) if self.wine else path

    def posix(self, path):
        """A path the binary printed, in POSIX form (str)."""
        return wine_paths().posix(path) if self.wine else os.fsdecode(path)

    def shown(self, path):
        """path (POSIX) as the binary prints it in text output (str)."""
        return os.fsdecode(self.native(path))

    def path(self, rel):
        """Absolute path of rel (str or bytes) inside the tree, as bytes."""
        return os.path.join(fs(self.tree), fs(rel))

    def write(self, rel, data, mtime_ns=OLD_MTIME_NS):
        """Writes data at tree/rel, creating folders; returns the path as bytes."""
        full = self.path(rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)
        if mtime_ns is not None:
            os.utime(full, ns=(mtime_ns, mtime_ns))
        return full

    def populate(self, count=12):
        """A small benign tree: some Exchange-looking files inside and outside the web root."""
        for i in range(count):
            self.write(f"Bin/Microsoft.Exchange.Part{i}.dll",
                       b"MZ\x90\x00" + hashlib.sha256(b"%d" % i).digest() * (8 + i))
            self.write(f"web/owa/auth/page{i}.aspx", benign_aspx(f"Page{i}"))
            self.write(f"web/owa/scripts/owa.{i}.js", benign_js(i))
        self.write("web/web.config", benign_config(0))
        self.write("web/owa/web.config", benign_config(1))

    def write_config(self, roots=None, web_roots=None, baseline=None, text=None,
                     default_baseline=False):
        """Writes the config file; text replaces the whole file when given.
        A text that names no baseline path would let a command open the
        host's own baseline (/var/lib/exsweep, %ProgramData%\\exsweep): a
        test error, unless the test passes -b itself (default_baseline)."""
        if text is not None and not default_baseline:
            check(re.search(r"^\s*path\s*=", text, re.M),
                  "test error: a configuration without [baseline] path reaches "
                  "the host's baseline")
        if text is None:
            roots = [self.tree] if roots is None else roots
            web_roots = [self.web] if web_roots is None else web_roots
            n = self.native
            lines = ["; exsweep end-to-end test", "[scan]"]
            lines += [f"root = {n(r)}" for r in roots]
            lines += [f"web_root = {n(w)}" for w in web_roots]
            base = baseline or self.baseline
            lines += ["", "[baseline]", f"path = {n(base)}",
                      # Beside the baseline, never in the system's data folder.
                      f"key = {n(os.path.join(os.path.dirname(base), 'baseline.key'))}",
                      ""]
            text = "\n".join(lines)
        if self.wine and "[sandbox]" not in text:
            # Wine enforces no tokens or integrity levels, so the worker's
            # own check refuses its sandbox (exit 26): under wine the suite
            # judges in-process, and says so once per run (main()).
            text = text.rstrip("\n") + "\n\n[sandbox]\nenabled = no\n"
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(text)

    def wrapped(self, argv, env=None):
        """argv and environment to start the binary with: under wine through
        E2E_WINE_CMD, with wine's noise off and a UTF-8 locale (wine reads the
        Unix arguments in the locale's charset)."""
        run_env = {k: v for k, v in os.environ.items() if k != "EXSWEEP_FAULTS"}
        if self.wine:
            argv = os.environ.get("E2E_WINE_CMD", "wine").split() + list(argv)
            run_env.setdefault("WINEDEBUG", "-all")
            run_env["LC_ALL"] = "C.UTF-8"
        run_env.update(env or {})
        return list(argv), run_env

    def run(self, command, *args, json_report=True, timeout=120, exe=None, env=None,
            prefix=(), expect_rc=None):
        """Runs `exsweep --config CFG [--json REPORT] COMMAND ARGS...`; returns a
        Result whose report (when asked for) has been checked against the exit
        status. prefix goes before the binary (setpriv ...)."""
        exe = exe or self.exe
        n = self.native
        # Absolute POSIX paths among the arguments get the binary's form.
        args = [n(a) if isinstance(a, (str, bytes)) and a[:1] in ("/", b"/") else a
                for a in args]
        argv = list(prefix) + [exe, "--config", n(self.config)]
        if json_report:
            if os.path.exists(self.report_path):
                os.unlink(self.report_path)
            argv += ["--json", n(self.report_path)]
        argv += [command] + list(args)
        argv, run_env = self.wrapped(argv, env)
        if self.wine:
            timeout *= 3
        started = time.monotonic()
        try:
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=timeout, env=run_env)
        except subprocess.TimeoutExpired as e:
            self.last = Result(argv, "timeout", e.stdout or b"", e.stderr or b"", None)
            raise Failure(f"exsweep did not finish within {timeout} s")
        self.last = Result(argv, p.returncode, p.stdout, p.stderr, None)
        self.last.seconds = time.monotonic() - started
        check(p.returncode >= 0, f"exsweep was killed by signal {-p.returncode}")
        if expect_rc is not None:
            eq(p.returncode, expect_rc, "exit status")
        if json_report and p.returncode < 16:
            self.last.report = load_report(self.report_path)
            validate_report(self.last.report, p.returncode, command.lstrip("-"))
            if self.wine:
                posix_report(self.last.report, self.posix)
        return self.last


def load_report(path):
    check(os.path.exists(path), f"no JSON report was written at {path}")
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Failure(f"the report is not valid UTF-8: {e}")
    try:
        return json.loads(text)
    except ValueError as e:
        raise Failure(f"the report is not valid JSON: {e}")


def posix_report(report, posix):
    """Turns the paths of a validated report into POSIX form, in place (the
    order was checked on the binary's own bytes: '\\' and '/' sort apart)."""
    def fix(entry):
        raw = path_bytes(entry)
        try:
            p = posix(raw.decode("utf-8", "surrogatepass"))   # WTF-8
        except UnicodeDecodeError:
            p = posix(raw.decode("utf-8", "surrogateescape"))
        entry["path"] = p
        if "path_b64" in entry:
            entry["path_b64"] = base64.b64encode(os.fsencode(p)).decode()
    for f in report.get("findings", []):
        fix(f)
    for sk in report.get("skipped", []):
        fix(sk)
    for sig in report.get("signatures", []):
        fix(sig)
    for key in ("roots", "web_roots"):
        if isinstance(report.get(key), list):
            report[key] = [posix(r) for r in report[key]]
    base = report.get("baseline")
    if isinstance(base, dict) and isinstance(base.get("path"), str):
        base["path"] = posix(base["path"])


def validate_report(report, rc, command):
    """What every report must satisfy: schema, exit status, counts and order."""
    eq(report.get("schema"), "exsweep-report/2", "report schema")
    eq(report.get("command"), command, "report command")
    eq(report.get("exit_code"), rc, "report exit_code vs process exit status")
    findings = report.get("findings")
    check(isinstance(findings, list), "report has no findings array")
    counts = report.get("counts", {})
    for kind in KIND_ORDER:
        n = sum(1 for f in findings if f.get("kind") == kind)
        eq(counts.get(kind), n, f"counts.{kind} vs {kind} findings")
    listed = len(report.get("skipped", []))
    if report.get("skipped_truncated"):   # the array has a cap; the count does not
        check(counts.get("skipped", 0) >= listed, "counts.skipped below the skipped array")
    else:
        eq(counts.get("skipped"), listed, "counts.skipped vs skipped array")
    keys = []
    for f in findings:
        check(f.get("kind") in KIND_ORDER, f"unknown finding kind {f.get('kind')!r}")
        check(isinstance(f.get("path"), str), f"finding without a path: {f!r}")
        keys.append((KIND_ORDER.index(f["kind"]), path_bytes(f)))
    eq(keys, sorted(keys), "finding order (webshell, changed, added, removed, error; "
       "then by path bytes)")
    # Schema 2: every record names its file entry; the records of one path
    # share it, and entries are numbered from 1 in the order of their first
    # (most severe) record; each exploitation trace and each registration is
    # an entry of its own (an event: a log line, a config entry).
    entry_of, expected = {}, 0
    for f in findings:
        check(isinstance(f.get("file"), int), f"finding without a file entry: {f!r}")
        if f["kind"] in ("exploit_trace", "registration"):
            expected += 1
            want = expected
        else:
            key = path_bytes(f)
            if key not in entry_of:
                expected += 1
                entry_of[key] = expected
            want = entry_of[key]
        eq(f["file"], want, f"the file entry of {f['kind']} {f['path']!r}")
    eq(counts.get("entries"), expected, "counts.entries vs the records' file entries")
    expected_rc = 0
    for kind, bit in EXIT_BITS.items():
        if any(f["kind"] == kind for f in findings):
            expected_rc |= bit
    eq(rc, expected_rc, "exit status vs the kinds of findings")


class Tests:
    """The test list of one script, and its runner."""

    def __init__(self):
        self.cases = []

    def case(self, fn):
        self.cases.append(fn)
        return fn

    def main(self, argv):
        if len(argv) < 2:
            print(f"usage: {argv[0]} EXSWEEP [EXTRA-EXE...]", file=sys.stderr)
            return 2
        exe, extra = os.path.abspath(argv[1]), [os.path.abspath(a) for a in argv[2:]]
        only = os.environ.get("E2E_ONLY", "")
        if is_windows_exe(exe):
            print(f"# {exe} runs under wine; paths as {wine_paths().drive}\\...")
            print("# skip: the sandboxed scan worker under wine (wine enforces no "
                  "restricted tokens or integrity levels; [sandbox] enabled = no)")
        passed = failed = skipped = 0
        for fn in self.cases:
            name = fn.__name__
            if only and only not in name:
                continue
            env = Env(exe, name, extra)
            keep = False
            try:
                fn(env)
                print(f"ok   {name}")
                passed += 1
            except Skip as e:
                print(f"skip {name}: {e}")
                skipped += 1
            except Exception as e:  # Failure, or a bug the test tripped on
                failed += 1
                keep = os.environ.get("E2E_KEEP") == "1"
                print(f"FAIL {name}: {e}")
                if not isinstance(e, Failure):
                    traceback.print_exc(file=sys.stdout)
                if env.last is not None:
                    print(env.last.describe())
                if keep:
                    print(f"  kept: {env.dir}")
            finally:
                if not keep:
                    shutil.rmtree(env.dir, ignore_errors=True)
            sys.stdout.flush()
        if skipped:
            print(f"({skipped} skipped)")
        print(f"{passed} passed, {failed} failed")
        if failed:
            return 1
        return 77 if skipped and not passed else 0
