#!/usr/bin/env python3
"""t2000-hostile-names -- trees an attacker shapes to break the scanner.

Covers file names with newlines, quotes, backslashes, control characters,
invalid UTF-8 and 255 bytes (the report stays valid JSON and path/path_b64
give back the exact bytes, through init, check and removal); symbolic links
that loop or point out of the tree (never followed, listed as skipped); FIFOs,
sockets and device nodes in a web root (never opened, listed as skipped, no
hang); and 300-level nesting, with short and with long names (no crash).

    t2000-hostile-names.py EXSWEEP
"""

import errno
import os
import shlex
import shutil
import socket
import subprocess
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq, fs  # noqa: E402

tests = lib.Tests()

HOSTILE = [
    b"new\nline.aspx",
    b"cr\rreturn.js",
    b'quo"te.aspx',
    b"back\\slash.aspx",
    b"ctl\x01\x02\x1b[31m\x7f.js",
    b"tab\there.js",
    b'json","kind":"removed","path":"x.js',
    b"%s%n%x.aspx",
    b"-rf",
    b" leading and trailing ",
    b"latin1-\xe9t\xe9.aspx",          # invalid UTF-8: lone continuation-less bytes
    b"truncated-\xe2\x82.js",          # a cut 3-byte sequence
    b"overlong-\xc0\xaf.js",           # overlong '/'
    b"surrogate-\xed\xa0\x80.js",      # UTF-16 surrogate encoded in UTF-8
    b"\xff\xfe",
    b"real-replacement-\xef\xbf\xbd.js",  # valid UTF-8 that contains U+FFFD
    b"emoji-\xf0\x9f\x98\x80.js",
    b"x" * 251 + b".cfg",              # 255 bytes, the longest Linux name
    b"dir\n\xff/inner.aspx",           # a hostile folder name
]


def replace_invalid_bytes(raw):
    """What the README promises for `path`: each byte that is not part of
    valid UTF-8 becomes U+FFFD, valid sequences are kept."""
    out, i = [], 0
    while i < len(raw):
        for n in (4, 3, 2, 1):
            try:
                out.append(raw[i:i + n].decode("utf-8"))
                i += n
                break
            except UnicodeDecodeError:
                continue
        else:
            out.append("\ufffd")
            i += 1
    return "".join(out)


def is_utf8(raw):
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def check_paths(report, kind, expected):
    got = lib.by_kind(report, kind)
    missing, extra = set(expected) - set(got), set(got) - set(expected)
    check(not missing and not extra,
          f"{kind} paths: missing {sorted(missing)}, unexpected {sorted(extra)}")
    for raw, f in got.items():
        eq(f["path"], replace_invalid_bytes(raw), f"path text of {raw!r}")
        if not is_utf8(raw):
            check("path_b64" in f, f"no path_b64 for the invalid UTF-8 name {raw!r}")


@tests.case
def hostile_names_round_trip(e):
    lib.posix_only(e, "these are POSIX names (invalid UTF-8, '\\', ':', control "
                   "bytes) that Windows cannot hold; wine would show them "
                   "mangled, and test_platform_win32 covers NTFS's own (lone "
                   "surrogates, trailing dots)")
    e.populate(3)
    check(any(len(n) == 255 for n in HOSTILE), "test setup: a 255-byte name")
    e.run("init", json_report=False, expect_rc=0)
    paths = [e.write((b"web/" if i % 2 else b"Bin/") + name, b"benign %d\r\n" % i,
                     mtime_ns=None)
             for i, name in enumerate(HOSTILE)]
    # Walk -> report.
    r = e.run("check", expect_rc=1)
    check_paths(r.report, "added", paths)
    check(r.out.strip(), "no summary on stdout")
    # Walk -> baseline -> check: stored names compare equal to walked ones.
    e.run("init", "--force", json_report=False, expect_rc=0)
    e.run("check", expect_rc=0)
    for p in paths:
        os.unlink(p)
    r = e.run("check", expect_rc=2)
    check_paths(r.report, "removed", paths)


def make_links(e):
    outside = os.path.join(e.dir, "outside")
    os.makedirs(outside)
    with open(os.path.join(outside, "shell.aspx"), "wb") as f:
        f.write(lib.CHOPPER)
    links = {
        "web/a/b": "..",                                   # a loop
        "web/escape": outside,                             # a folder out of the tree
        "web/owa/logon.aspx": os.path.join(outside, "shell.aspx"),  # a file out of the tree
        "web/dangling.js": os.path.join(e.dir, "nowhere"),
    }
    os.makedirs(e.path("web/a"))
    os.makedirs(e.path("web/owa"), exist_ok=True)
    for rel, target in links.items():
        os.symlink(target, e.path(rel))
    return outside, [e.path(rel) for rel in links]


def check_links_skipped(report, outside, links):
    eq(report["findings"], [], "findings")
    skipped = lib.skipped_by_path(report)
    for p in links:
        eq(skipped.get(p), "link", f"skipped node of {p!r}")
    # Nothing reported lies outside the tree or behind a link.
    reported = [lib.path_bytes(f) for f in report["findings"]] + list(skipped)
    for p in reported:
        check(not p.startswith(fs(outside)), f"{p!r} (outside the tree) is in the report")
        check(not any(p.startswith(link + b"/") for link in links),
              f"{p!r} was reached through a link")


@tests.case
def symlinks_are_not_followed(e):
    lib.posix_only(e, "wine shows a POSIX symlink as the file or folder it points "
                   "to, not as a reparse point, so it cannot stand for a Windows "
                   "link; test_platform_win32 covers junctions where wine can make one")
    e.populate(3)
    outside, links = make_links(e)
    e.run("init", json_report=False, expect_rc=0, timeout=60)
    r = e.run("check", expect_rc=0, timeout=60)
    check_links_skipped(r.report, outside, links)
    r = e.run("scan", e.web, expect_rc=0, timeout=60)
    check_links_skipped(r.report, outside, links)


@tests.case
def links_added_after_init_are_not_followed(e):
    lib.posix_only(e, "wine shows a POSIX symlink as the file or folder it points "
                   "to, not as a reparse point, so it cannot stand for a Windows "
                   "link; test_platform_win32 covers junctions where wine can make one")
    e.populate(3)
    e.run("init", json_report=False, expect_rc=0)
    outside, links = make_links(e)
    r = e.run("check", expect_rc=0, timeout=60)
    check_links_skipped(r.report, outside, links)


@tests.case
def special_files_are_skipped_without_hanging(e):
    lib.posix_only(e, "FIFOs, sockets and device nodes have no Windows form: wine "
                   "lists a FIFO as a node of unknown type and fails to open a "
                   "socket (an I/O error finding), never the POSIX kinds this "
                   "test expects; test_platform_win32 covers a named pipe "
                   "(EXS_NOTREG)")
    e.populate(3)
    fifo = e.path("web/owa/pipe.aspx")
    os.mkfifo(fifo)
    sock_path = e.path("web/owa/sock.aspx")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(sock_path)
    expected = {fifo: "fifo", sock_path: "socket"}
    dev = e.path("web/owa/zero.aspx")
    try:   # /dev/zero: reading it would never end
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 5))
        expected[dev] = "device"
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.EACCES):
            raise
        print(f"  note: no device node test (mknod: {err.strerror})")
    try:
        e.run("init", json_report=False, expect_rc=0, timeout=60)
        for command, args in (("check", ()), ("scan", (e.web,))):
            r = e.run(command, *args, expect_rc=0, timeout=60)
            eq(r.report["findings"], [], f"{command} findings")
            skipped = lib.skipped_by_path(r.report)
            eq({p: skipped.get(p) for p in expected}, expected, f"{command} skipped nodes")
    finally:
        sock.close()


def make_deep(top, depth, name):
    """top/name/name/.../file.js, depth folders deep, built with relative
    opens so that paths longer than PATH_MAX work. Returns the file's path."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=fd)
            nfd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        f = os.open("deep.js", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(f, lib.benign_js(1))
        os.close(f)
    finally:
        os.close(fd)
    return os.path.join(fs(top), *([fs(name)] * depth), b"deep.js")


def append_deep(path, data):
    """Appends to a file whose path may be longer than PATH_MAX."""
    parts = path.split(b"/")
    fd = os.open(b"/", os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[1:-1]:
            nfd = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        f = os.open(parts[-1], os.O_WRONLY | os.O_APPEND, dir_fd=fd)
        os.write(f, data)
        os.close(f)
    finally:
        os.close(fd)


def check_deep(e, deep_file):
    e.run("init", json_report=False, expect_rc=0, timeout=120)
    # Change the file at the bottom: it is either found changed, or the walk
    # says where it stopped. Never a crash or a silent pass.
    append_deep(deep_file, b"// edited\r\n")
    r = e.run("check", timeout=120)
    changed = lib.by_kind(r.report, "changed")
    errors = [lib.path_bytes(f) for f in r.report["findings"] if f["kind"] == "error"]
    check(deep_file in changed or any(deep_file.startswith(p) for p in errors),
          f"the edit {len(deep_file)} bytes deep was neither reported changed nor "
          f"explained by an error finding on its way (rc {r.rc})")


@tests.case
def deep_nesting_short_names(e):
    e.populate(2)
    check_deep(e, make_deep(e.web, 300, "d"))


@tests.case
def deep_nesting_beyond_path_max(e):
    e.populate(2)
    deep = make_deep(e.web, 300, "n" * 20)
    check(len(deep) > 4096, "test setup: longer than PATH_MAX")
    check_deep(e, deep)


@tests.case
def non_ascii_arguments_arrive_intact(e):
    """Issue 11, point 2: -c, --json and a PATH with CJK, emoji and accents
    reach exsweep as typed (on Windows from the UTF-16 command line, not the
    ANSI argv), and the summary on a pipe names the file in UTF-8."""
    shell = e.write("web/\u65e5\u672c\u8a9e/\u00e9\U0001F600/errorEE.aspx",
                    lib.CHOPPER_PREFIX + lib.CHOPPER)
    folder = os.path.dirname(shell)
    conf_dir = os.path.join(e.dir, "\u8bbe\u7f6e \u00e9")
    os.makedirs(conf_dir)
    e.config = os.path.join(conf_dir, "exsweep \U0001F600.ini")
    e.write_config()
    e.report_path = os.path.join(e.dir, "\u62a5\u544a\u00e9.json")
    r = e.run("scan", folder, expect_rc=8)
    eq(lib.kinds_by_path(r.report), {shell: lib.CHOPPER_KINDS}, "findings by path")
    out = r.out.decode("utf-8", "strict")
    check(e.shown(shell) in out, f"the summary does not name {e.shown(shell)!r}:\n{out}")


@tests.case
def console_shows_non_ascii_names(e):
    """On a terminal (a Windows console under wine: WriteConsoleW) the summary
    shows a CJK and accented name as it is. script(1) gives the run a pty;
    wine makes that its console and shows it as UTF-8. No emoji here: wine's
    console turns each UTF-16 unit of a cell into UTF-8 on its own, so any
    surrogate pair shows as two U+FFFD whoever writes it (the pipe test,
    non_ascii_arguments_arrive_intact, has the emoji)."""
    script = shutil.which("script")
    if not script:
        raise lib.Skip("script (util-linux) is missing: no pty to stand for a console")
    shell = e.write("web/\u65e5\u672c/\u00e9\u4e2d.aspx",
                    lib.CHOPPER_PREFIX + lib.CHOPPER)
    argv, env = e.wrapped([e.exe, "--config", e.native(e.config), "--no-progress",
                           "scan", e.native(os.path.dirname(shell))])
    argv = [os.fsdecode(a) for a in argv]
    p = subprocess.run([script, "-qec", shlex.join(argv), "/dev/null"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=env, timeout=360)
    out = p.stdout.decode("utf-8", "replace")
    eq(p.returncode, 8, "exit status on a console:\n" + out)
    # The console may wrap long lines: look for the names, not the whole path.
    for name in ("\u65e5\u672c", "\u00e9\u4e2d.aspx"):
        check(name in out, f"the console does not show {name!r}:\n{out}")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
