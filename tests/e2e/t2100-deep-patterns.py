#!/usr/bin/env python3
"""t2100-deep-patterns -- exclude patterns and location heuristics on trees
whose depth an attacker chooses.

Anyone who can create folders controls how deep a path is. A pattern with
several '**' must not cost time exponential in that depth (a 50-folder tree
and eight '**' took minutes with a backtracking matcher), and patterns must
keep applying at every depth the walker goes to (max_depth allows 4096):
an exclude and the aspnet_client location heuristic are checked more than
512 folders down, where matching used to stop silently.

    t2100-deep-patterns.py EXSWEEP
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq, fs  # noqa: E402

tests = lib.Tests()


def make_chain(top, depth, name="d"):
    """Creates top/name/.../name (depth folders) with relative opens, so the
    length of the whole path never matters; returns it as bytes."""
    os.makedirs(top, exist_ok=True)
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=fd)
            nfd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nfd
    finally:
        os.close(fd)
    return os.path.join(fs(top), *([fs(name)] * depth))


def write_at(folder, name, data):
    """Writes folder/name (folder as bytes, possibly long) via relative opens."""
    parts = folder.split(b"/")
    fd = os.open(b"/", os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[1:]:
            if not part:
                continue
            try:
                os.mkdir(part, dir_fd=fd)
            except FileExistsError:
                pass
            nfd = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        f = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644, dir_fd=fd)
        os.write(f, data)
        os.close(f)
    finally:
        os.close(fd)
    return os.path.join(folder, fs(name))


def tail(path):
    """The last two components: enough to tell the deep files apart."""
    return b"/".join(path.split(b"/")[-2:])


def config_with(e, extra):
    """The Env's usual configuration plus extra [scan] lines."""
    key = os.path.join(e.state, "baseline.key")
    e.write_config(text="\n".join([
        "[scan]", f"root = {e.tree}", f"web_root = {e.web}", *extra, "",
        "[baseline]", f"path = {e.baseline}", f"key = {key}", ""]))


@tests.case
def many_double_stars_on_a_deep_tree_finish(e):
    # Eight '**' separated by single-component '*' against ~55 components
    # (the tree's own folders plus the temporary folder's): a backtracking
    # matcher tries every way to split the path between the '**' and runs
    # for minutes. The bound below is a hang detector, not a benchmark.
    e.populate(2)
    bottom = make_chain(e.path("chain"), 50)
    write_at(bottom, "kept.js", lib.benign_js(1))
    z = write_at(os.path.join(bottom, b"z"), "gone.js", lib.benign_js(2))
    pattern = "**/*/**/*/**/*/**/*/**/*/**/*/**/*/**/z"
    r = e.run("init", "-x", pattern, timeout=20, expect_rc=0)
    r = e.run("check", "-x", pattern, timeout=20, expect_rc=0)
    # The pattern still means what it says: z (deep enough for seven '*')
    # is excluded, its sibling file is not.
    os.unlink(os.path.join(bottom, b"kept.js"))
    r = e.run("check", "-x", pattern, timeout=20)
    removed = lib.by_kind(r.report, "removed")
    eq(sorted(removed), [os.path.join(bottom, b"kept.js")], "removed files")
    check(z not in lib.kinds_by_path(r.report), "the excluded file is reported")


@tests.case
def exclude_applies_below_512_folders(e):
    config_with(e, ["max_depth = 1000"])
    e.populate(2)
    bottom = make_chain(e.path("deep"), 600)
    known = write_at(os.path.join(bottom, b"Secret"), "old.js", lib.benign_js(1))
    e.run("init", json_report=False, expect_rc=0, timeout=120)
    # Added after init: a file in an excluded folder is never reported, the
    # same file beside it is; and what the baseline knows below the excluded
    # folder is not reported removed (the walk never went there).
    hidden = write_at(os.path.join(bottom, b"Secret"), "x.js", lib.benign_js(2))
    shown = write_at(os.path.join(bottom, b"Open"), "x.js", lib.benign_js(2))
    depth = len(hidden.split(b"/"))
    check(depth > 600, "test setup: deeper than 600 components")
    r = e.run("check", "-x", "secret", timeout=120)
    eq([tail(p) for p in sorted(lib.kinds_by_path(r.report))], [tail(shown)],
       f"findings {depth} components deep with -x secret")
    # Without the exclude both are found: the tree really is walked there.
    r = e.run("check", timeout=120)
    added = lib.by_kind(r.report, "added")
    eq(sorted(map(tail, added)), sorted(map(tail, [hidden, shown])),
       "added files without -x")
    check(known not in lib.kinds_by_path(r.report), "the known file is reported")


@tests.case
def location_heuristic_applies_below_512_folders(e):
    config_with(e, ["max_depth = 1000"])
    e.populate(2)
    client = os.path.join(fs(e.web), b"inetpub", b"wwwroot", b"aspnet_client")
    bottom = make_chain(client, 600, "s")
    e.run("init", json_report=False, expect_rc=0, timeout=120)
    # A benign-looking page is still a server-side script where none belongs
    # (inetpub/wwwroot/aspnet_client/** in heuristics/locations.tsv).
    page = write_at(bottom, "errorFE.aspx", lib.benign_aspx("ErrorFE"))
    r = e.run("check", timeout=120)
    kinds = lib.kinds_by_path(r.report).get(page, set())
    check("suspicious" in kinds, f"a script {len(page.split(b'/'))} components "
          f"deep in aspnet_client is not suspicious: {sorted(kinds)}")
    hit = lib.by_kind(r.report, "suspicious")[page]
    eq([m["rule"] for m in hit["matches"]], ["location.unexpected_script"],
       "heuristic")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
