#!/usr/bin/env python3
"""t6100-seal-downgrade -- an attacker who can write the baseline but not
the key tries to get a webshell past check by calling the baseline legacy.

The attack: plant a webshell over a known page, rewrite that page's row in
the baseline to the webshell's attributes, add a forged "scanned clean"
verdict for its bytes, and flip meta schema_version from '2' to '1' (schema
1 had no seal). check must refuse the baseline (exit 24, seal mismatch) and
update must not seal the forgery; the baseline file is left as it was.

A genuine schema-1 baseline (as exsweep before seals wrote it: no
generations, no file seal, no key on the host) is read only with
--allow-unsealed, with a warning, and its verdicts are not trusted; update
--allow-unsealed migrates and seals it.

    t6100-seal-downgrade.py EXSWEEP
"""

import hashlib
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from lib import check, eq  # noqa: E402

tests = lib.Tests()
PAGE = "web/owa/auth/page1.aspx"


def key_path(e):
    return os.path.join(e.state, "baseline.key")


def row_key(e, target):
    """target (POSIX bytes) as the baseline's path column holds it: the
    binary's own spelling (under wine Z:\\..., UTF-8)."""
    return os.fsencode(e.native(target))


def forge(e, target, schema="1", verdict=True):
    """Rewrites target's row to what is on disk now, forges its verdict and
    sets schema_version; returns the SQLite connection's changes. Under
    wine the row keeps its Windows fields (attributes, SID, volume serial,
    file index), which the host's POSIX stat cannot give; size, times and
    digest are the webshell's."""
    st = os.stat(target)
    with open(target, "rb") as f:
        digest = hashlib.sha256(f.read()).digest()
    con = sqlite3.connect(e.baseline)
    try:
        if e.wine:
            cur = con.execute("UPDATE files SET size=?, mtime_ns=?, sha256=?"
                              " WHERE path=?",
                              (st.st_size, e.ns(st.st_mtime_ns), digest,
                               row_key(e, target)))
        else:
            cur = con.execute("UPDATE files SET size=?, mtime_ns=?, ctime_ns=?,"
                              " mode=?, owner=?, volume_id=?, file_id=?,"
                              " link_count=?, sha256=? WHERE path=?",
                              (st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                               st.st_mode, f"{st.st_uid}:{st.st_gid}", st.st_dev,
                               st.st_ino, st.st_nlink, digest, target))
        eq(cur.rowcount, 1, "test setup: rows rewritten for the page")
        if verdict:
            rules = [r[0] for r in con.execute("SELECT DISTINCT rules FROM verdicts")]
            check(rules, "test setup: init recorded no verdicts")
            con.execute("INSERT OR IGNORE INTO verdicts VALUES(?,?)", (digest, rules[0]))
        con.execute("UPDATE meta SET value=? WHERE key='schema_version'", (schema,))
        con.commit()
    finally:
        con.close()


def plant(e):
    e.populate(4)
    e.run("init", expect_rc=0)
    page = e.path(PAGE)
    with open(page, "wb") as f:
        f.write(lib.CHOPPER_PREFIX + lib.CHOPPER)
    os.utime(page, ns=(lib.OLD_MTIME_NS, lib.OLD_MTIME_NS))
    return page


@tests.case
def schema_flip_does_not_turn_the_seal_off(e):
    page = plant(e)
    r = e.run("check")
    check(r.rc & 8, f"test setup: the webshell is not found before forging (exit {r.rc})")
    forge(e, page)
    with open(e.baseline, "rb") as f:
        forged = f.read()
    r = e.run("check", json_report=False)
    eq(r.rc, 24, "check of the downgraded baseline")
    check(b"schema" in r.err and b"tampered" in r.err,
          f"the message does not say what happened: {r.err!r}")
    # Not even the explicit legacy option reads it: it has a sealed one's shape.
    r = e.run("check", "--allow-unsealed", json_report=False)
    eq(r.rc, 24, "check --allow-unsealed of the downgraded baseline")
    for args in (["update"], ["update", "--allow-unsealed"],
                 ["update", "--accept", page.decode()]):
        r = e.run(*args, json_report=False)
        eq(r.rc, 24, f"{' '.join(args)} of the downgraded baseline")
    for args in (["history"], ["export"]):
        r = e.run(*args, json_report=False)
        eq(r.rc, 24, f"{args[0]} of the downgraded baseline")
    with open(e.baseline, "rb") as f:
        eq(f.read() == forged, True, "the baseline is left as it was")
    check(not os.path.exists(e.baseline + ".new"), "a PATH.new was left behind")


@tests.case
def schema_flip_with_seal_intact_shape_removed(e):
    """The attacker also rebuilds the tables the way schema 1 had them."""
    page = plant(e)
    forge(e, page, schema="2")
    con = sqlite3.connect(e.baseline)
    con.executescript(
        "CREATE TABLE f1 AS SELECT path,node,size,mtime_ns,ctime_ns,mode,owner,"
        "volume_id,file_id,link_count,sha256,security_sha256 FROM files;"
        "DROP TABLE files; DROP TABLE generations;"
        "CREATE TABLE files AS SELECT * FROM f1; DROP TABLE f1;"
        "UPDATE meta SET value='1' WHERE key='schema_version';")
    con.commit()
    con.close()
    # Without --allow-unsealed: no unsealed baseline is read. With it: the
    # key on the host says baselines here are sealed, and the file still
    # has the room a sealed one keeps for its file seal.
    for args in (["check"], ["check", "--allow-unsealed"], ["update", "--allow-unsealed"]):
        r = e.run(*args, json_report=False)
        eq(r.rc, 24, " ".join(args))
    os.unlink(key_path(e))
    r = e.run("check", "--allow-unsealed", json_report=False)
    eq(r.rc, 24, "check --allow-unsealed without the key (the file seal's room remains)")


def legacy_baseline(e):
    """A schema-1 baseline as exsweep before seals wrote it: a fresh file
    (no room reserved for a file seal), no generations, no key."""
    e.populate(4)
    e.run("init", expect_rc=0)
    old = e.baseline + ".v2"
    os.rename(e.baseline, old)
    os.unlink(key_path(e))
    con = sqlite3.connect(e.baseline)
    con.executescript(
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
        "CREATE TABLE files(path BLOB PRIMARY KEY, node INTEGER NOT NULL,"
        " size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER"
        " NOT NULL, mode INTEGER NOT NULL, owner TEXT NOT NULL, volume_id"
        " INTEGER NOT NULL, file_id INTEGER NOT NULL, link_count INTEGER"
        " NOT NULL, sha256 BLOB NOT NULL, security_sha256 BLOB) WITHOUT ROWID;")
    con.execute("ATTACH DATABASE ? AS v2", (old,))
    con.executescript(
        "INSERT INTO meta SELECT key, value FROM v2.meta;"
        "UPDATE meta SET value='1' WHERE key='schema_version';"
        "INSERT INTO files SELECT path,node,size,mtime_ns,ctime_ns,mode,owner,"
        "volume_id,file_id,link_count,sha256,security_sha256 FROM v2.files;")
    con.commit()
    con.execute("DETACH DATABASE v2")
    con.close()
    os.unlink(old)


@tests.case
def legacy_baseline_needs_allow_unsealed(e):
    legacy_baseline(e)
    r = e.run("check", json_report=False)
    eq(r.rc, 24, "check of a schema-1 baseline without --allow-unsealed")
    check(b"--allow-unsealed" in r.err, f"the message does not name the option: {r.err!r}")
    r = e.run("update", json_report=False)
    eq(r.rc, 24, "update of a schema-1 baseline without --allow-unsealed")
    check(not os.path.exists(key_path(e)), "a refused update created the key")
    r = e.run("check", "--allow-unsealed")
    eq(r.rc, 0, "check --allow-unsealed of a schema-1 baseline")
    check(b"unsealed" in r.err, f"no warning on stderr: {r.err!r}")
    check(any("unsealed" in w for w in r.report.get("warnings", [])),
          f"no warning in the report: {r.report.get('warnings')!r}")
    eq(r.report["baseline"]["sealed"], False, "baseline.sealed in the report")


@tests.case
def legacy_verdicts_are_not_trusted(e):
    legacy_baseline(e)
    page = e.path(PAGE)
    with open(page, "wb") as f:
        f.write(lib.CHOPPER_PREFIX + lib.CHOPPER)
    st = os.stat(page)
    digest = hashlib.sha256(lib.CHOPPER_PREFIX + lib.CHOPPER).digest()
    con = sqlite3.connect(e.baseline)
    if e.wine:   # Windows' ctime is not the host's: the row keeps its own
        cur = con.execute("UPDATE files SET size=?, mtime_ns=?, sha256=? WHERE path=?",
                          (st.st_size, e.ns(st.st_mtime_ns), digest, row_key(e, page)))
    else:
        cur = con.execute("UPDATE files SET size=?, mtime_ns=?, ctime_ns=?, sha256=?"
                          " WHERE path=?",
                          (st.st_size, st.st_mtime_ns, st.st_ctime_ns, digest, page))
    eq(cur.rowcount, 1, "test setup: rows rewritten for the page")
    con.execute("CREATE TABLE verdicts(sha256 BLOB NOT NULL, rules TEXT NOT NULL,"
                " PRIMARY KEY(sha256, rules)) WITHOUT ROWID")
    con.commit()
    con.close()
    # Whatever an unsealed baseline says about bytes it knows clean, they
    # are scanned again.
    r = e.run("check", "--allow-unsealed")
    check(r.rc & 8, f"the webshell in a file an unsealed baseline vouches for was missed "
          f"(exit {r.rc})")


@tests.case
def legacy_baseline_migrated_by_update_allow_unsealed(e):
    legacy_baseline(e)
    r = e.run("update", "--allow-unsealed", "--note", "migrated")
    eq(r.rc, 0, "update --allow-unsealed")
    check(os.path.exists(key_path(e)), "the migrating update created no key")
    r = e.run("check")
    eq(r.rc, 0, "check of the migrated baseline, without the option")
    eq(r.report["baseline"]["sealed"], True, "baseline.sealed after migration")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
