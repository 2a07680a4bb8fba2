#!/usr/bin/env python3
"""t8300-authenticode -- PE images and their Authenticode signatures through
the real binary (inspect/: pe.c, authenticode.c, pe_policy.c).

The images are real PE32+ and PE32 DLLs written by pe.py, signed with
osslsigncode under a test CA made with openssl when the test starts; the
test's configuration trusts it ([trust] ca_file or ca_dir). Each status is
asserted from the JSON report's `signatures` and from the suspicious
findings (signature.not_vouched): signed by a vouched signer, signed by
another name, unsigned, tampered after signing (bad_digest), a chain to a CA
nobody trusts (untrusted), an expired certificate without a timestamp
(expired) and with an RFC 3161 timestamp from inside its validity (signed),
a SHA-1 PE32 .NET image. `init` records them in the sealed baseline, and
`check` flags only new or changed images that are not vouched for. The
App_Web_*.dll heuristics and the vouched-signer list are checked too.

Catalog signatures (WinVerifyTrust) cannot be made here: a catalog must be
installed into the system's catalog database, which neither Linux nor wine
has; under wine the test only asserts that an unsigned image stays
`unsigned` after the catalog lookup (README, "Signatures").

    t8300-authenticode.py EXSWEEP
"""

import atexit
import json
import os
import shutil
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
import pe  # noqa: E402
from lib import check, eq  # noqa: E402

tests = lib.Tests()
_pki = None
_images = None


def pki():
    """The test PKI and the signed images, made once per script run."""
    global _pki, _images
    if _pki is None:
        if not pe.have_tools():
            raise lib.Skip("openssl or osslsigncode missing (tools/deps installs them)")
        d = tempfile.mkdtemp(prefix="exs-pki-")
        atexit.register(shutil.rmtree, d, True)
        _pki = pe.TestPKI(os.path.join(d, "pki"))
        src = os.path.join(d, "plain.dll")
        with open(src, "wb") as f:
            f.write(pe.build_pe(b"exsweep test image"))
        src32 = os.path.join(d, "plain32.dll")
        with open(src32, "wb") as f:
            f.write(pe.build_pe(b"exsweep test image 32", pe32plus=False, dotnet=True))
        _images = {"unsigned": open(src, "rb").read()}
        for name, who, digest, ts, source in (
                ("signed", "microsoft", "sha256", None, src),
                ("contoso", "contoso", "sha256", None, src),
                ("untrusted", "untrusted", "sha256", None, src),
                ("expired", "expired", "sha256", None, src),
                ("expired_ts", "expired", "sha256", 1593561600, src),  # 2020-07-01
                ("dotnet_sha1", "microsoft", "sha1", None, src32)):
            dst = os.path.join(d, name + ".dll")
            _pki.sign(source, dst, who=who, digest=digest, ts_time=ts)
            with open(dst, "rb") as f:
                _images[name] = f.read()
        tampered = bytearray(_images["signed"])
        tampered[0x250] ^= 0x01     # a byte of .text, after signing
        _images["tampered"] = bytes(tampered)
    return _pki, _images


def configure(e, trust="file", signers=None):
    """The Env's config plus a [trust] section."""
    k, _ = pki()
    e.write_config()
    lines = ["", "[trust]"]
    if trust == "file":
        lines.append(f"ca_file = {e.native(k.root['cert'])}")
    elif trust == "dir":
        d = os.path.join(e.dir, "trusted")
        os.makedirs(d, exist_ok=True)
        shutil.copy(k.root["cert"], os.path.join(d, "root.pem"))
        with open(os.path.join(d, "README.txt"), "w") as f:
            f.write("not a certificate, and not read: only *.pem, *.crt, *.cer\n")
        lines.append(f"ca_dir = {e.native(d)}")
    elif trust is not None:
        lines.append(f"ca_file = {e.native(trust)}")
    for s in signers or []:
        lines.append(f"signer = {s}")
    with open(e.config, "a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def sigs(report):
    return {os.path.basename(lib.path_bytes(s)).decode(): s for s in report["signatures"]}


def suspicious(report):
    out = {}
    for path, f in lib.by_kind(report, "suspicious").items():
        out[os.path.basename(path).decode()] = [m["rule"] for m in f["matches"]]
    return out


ALL = ["signed", "contoso", "unsigned", "tampered", "untrusted", "expired",
       "expired_ts", "dotnet_sha1"]
STATUS = {"signed": "signed", "contoso": "signed", "unsigned": "unsigned",
          "tampered": "bad_digest", "untrusted": "untrusted", "expired": "expired",
          "expired_ts": "signed", "dotnet_sha1": "signed"}
NOT_VOUCHED = {"contoso", "unsigned", "tampered", "untrusted", "expired"}


@tests.case
def scan_gives_every_status(e):
    _, images = pki()
    configure(e)
    for name in ALL:
        e.write(f"V15/Bin/{name}.dll", images[name])
    r = e.run("scan", e.tree)
    got = sigs(r.report)
    eq(sorted(got), sorted(n + ".dll" for n in ALL), "images with a signature verdict")
    for name in ALL:
        eq(got[name + ".dll"]["status"], STATUS[name], f"status of {name}.dll")
    eq(got["contoso.dll"]["signer"], "Contoso Tools Ltd", "signer of contoso.dll")
    eq(got["signed.dll"]["signer"], "Microsoft Corporation", "signer of signed.dll")
    eq(got["dotnet_sha1.dll"]["digest"], "sha1", "digest of the SHA-1 image")
    eq(got["dotnet_sha1.dll"]["dotnet"], True, "the CLR header")
    eq(got["expired_ts.dll"]["timestamp"], "2020-07-01T00:00:00Z", "timestamp")
    eq(got["expired.dll"]["timestamp"], None, "no timestamp")
    eq(r.report["signature_counts"]["signed"], 4, "signature_counts.signed")
    flagged = suspicious(r.report)
    eq(sorted(flagged), sorted(n + ".dll" for n in NOT_VOUCHED), "suspicious images")
    for rules in flagged.values():
        eq(rules, ["signature.not_vouched"], "heuristic")
    eq(r.rc, 8, "exit status")
    out = r.out.decode("utf-8", "replace")
    check("signatures: 8 PE images: 4 signed, 1 unsigned, 1 bad_digest, "
          "1 untrusted, 1 expired" in out, f"summary line missing:\n{out}")


@tests.case
def in_process_judges_alike(e):
    lib.posix_only(e, "the suite already judges in-process under wine")
    _, images = pki()
    configure(e)
    for name in ALL:
        e.write(f"V15/Bin/{name}.dll", images[name])
    r = e.run("scan", "--no-sandbox", e.tree)
    got = sigs(r.report)
    for name in ALL:
        eq(got[name + ".dll"]["status"], STATUS[name], f"--no-sandbox: {name}.dll")


@tests.case
def only_policy_folders_are_suspicious(e):
    _, images = pki()
    configure(e)
    e.write("Tools/unsigned.dll", images["unsigned"])
    e.write("inetsrv/unsigned.dll", images["unsigned"])
    e.write("assembly/GAC_MSIL/x/unsigned.dll", images["unsigned"])
    e.write("V15/Bin/readme.txt", images["unsigned"])   # not a PE name
    e.write("V15/Bin/fake.dll", b"MZ" + bytes(300))      # not a PE image
    r = e.run("scan", e.tree)
    eq(sorted(lib.path_bytes(s)[len(lib.fs(e.tree)) + 1:].decode()
              for s in r.report["signatures"]),
       ["Tools/unsigned.dll", "assembly/GAC_MSIL/x/unsigned.dll", "inetsrv/unsigned.dll"],
       "images judged")
    eq(sorted(p[len(lib.fs(e.tree)) + 1:].decode()
              for p in lib.by_kind(r.report, "suspicious")),
       ["assembly/GAC_MSIL/x/unsigned.dll", "inetsrv/unsigned.dll"],
       "suspicious images (Tools/ is not an Exchange, IIS or GAC folder)")


@tests.case
def init_records_and_check_flags_new(e):
    _, images = pki()
    configure(e)
    e.write("V15/Bin/a.dll", images["signed"])
    e.write("V15/Bin/b.dll", images["expired_ts"])
    e.write("V15/Bin/c.dll", images["dotnet_sha1"])
    r = e.run("init", expect_rc=0)
    eq(r.report["signature_counts"]["signed"], 3, "init: signed images")
    db = sqlite3.connect(e.baseline)
    rows = db.execute("SELECT status, signer, digest FROM signatures ORDER BY digest").fetchall()
    db.close()
    eq(rows, [(1, "Microsoft Corporation", "sha1"), (1, "Microsoft Corporation", "sha256"),
              (1, "Microsoft Corporation", "sha256")], "signature rows in the baseline")
    r = e.run("check", expect_rc=0)
    eq(len(r.report["signatures"]), 3, "check: every image's signature reported")
    # An attacker swaps one image for a tampered copy and drops three more.
    e.write("V15/Bin/a.dll", images["tampered"], mtime_ns=None)
    e.write("V15/Bin/new-unsigned.dll", images["unsigned"])
    e.write("V15/Bin/new-contoso.dll", images["contoso"])
    e.write("V15/Bin/new-signed.dll", images["signed"])
    r = e.run("check")
    eq(r.rc, 1 | 4 | 8, "exit status: added, changed, suspicious")
    eq(sorted(suspicious(r.report)), ["a.dll", "new-contoso.dll", "new-unsigned.dll"],
       "suspicious: the new or changed images that are not vouched for")
    eq(sigs(r.report)["a.dll"]["status"], "bad_digest", "the tampered image")
    # update records the verdict of every image it read (the refused ones
    # too: a verdict is about bytes), here 6 distinct SHA-256s.
    r = e.run("update", "--accept", e.path("V15/Bin/new-contoso.dll"))
    db = sqlite3.connect(e.baseline)
    rows = db.execute("SELECT status, signer FROM signatures ORDER BY status, signer").fetchall()
    db.close()
    eq(rows, [(1, "Contoso Tools Ltd"), (1, "Microsoft Corporation"),
              (1, "Microsoft Corporation"), (1, "Microsoft Corporation"),
              (2, ""), (3, "")], "signature rows after update")


@tests.case
def provenance_vouches_by_signature(e):
    # Patch day's question of an image (README, "Provenance"): a new or
    # changed image validly signed by a vouched signer is vouched for by its
    # signature and stays out of "look first"; an unsigned one and one by
    # another signer do not.
    _, images = pki()
    configure(e)
    e.write("V15/Bin/a.dll", images["signed"])
    e.run("init", expect_rc=0)
    e.write("V15/Bin/a.dll", images["expired_ts"], mtime_ns=None)
    e.write("V15/Bin/new-signed.dll", images["dotnet_sha1"])
    e.write("V15/Bin/new-unsigned.dll", images["unsigned"])
    e.write("V15/Bin/new-contoso.dll", images["contoso"])
    r = e.run("check")
    prov = {}
    for kind in ("added", "changed"):
        for path, f in lib.by_kind(r.report, kind).items():
            prov[os.path.basename(path).decode()] = f["provenance"]
    eq({n: (p["vouched"], p["why"]) for n, p in prov.items()},
       {"a.dll": (True, "signature"), "new-signed.dll": (True, "signature"),
        "new-unsigned.dll": (False, "not_signed"),
        "new-contoso.dll": (False, "not_signed")}, "provenance of the images")
    eq(prov["a.dll"].get("signer"), "Microsoft Corporation", "the vouching signer")
    eq(r.report["provenance"]["by"]["signature"], 2, "counted as vouched by signature")


@tests.case
def check_reuses_verdicts_only_under_the_same_trust(e):
    _, images = pki()
    configure(e)
    e.write("V15/Bin/a.dll", images["signed"])
    e.run("init", expect_rc=0)
    r = e.run("check", expect_rc=0)
    eq(sigs(r.report)["a.dll"]["status"], "signed", "check, same trust store")
    # Another trust store (none): the recorded verdict does not apply, the
    # unchanged image is judged again and no longer chains.
    configure(e, trust=None)
    r = e.run("check")
    eq(sigs(r.report)["a.dll"]["status"], "untrusted", "check, no trust store")
    eq(len(lib.by_kind(r.report, "suspicious")), 0,
       "an unchanged image is not suspicious in check")


@tests.case
def signatures_are_sealed(e):
    _, images = pki()
    configure(e)
    e.write("V15/Bin/a.dll", images["unsigned"])
    e.run("init")
    db = sqlite3.connect(e.baseline)
    db.execute("UPDATE signatures SET status=1, signer='Microsoft Corporation'")
    db.commit()
    db.close()
    r = e.run("check", json_report=False)
    eq(r.rc, 24, "exit status of a check on a baseline whose signatures were edited")


@tests.case
def trust_store_is_configuration(e):
    k, images = pki()
    e.write("V15/Bin/a.dll", images["signed"])
    e.write("V15/Bin/b.dll", images["unsigned"])
    configure(e, trust=None)
    r = e.run("scan", e.tree)
    eq(sigs(r.report)["a.dll"]["status"], "untrusted", "no trust store: untrusted")
    # Nothing chains without a store, so "untrusted" is not held against
    # an image (every signed Microsoft binary would be, after every CU);
    # an unsigned one still is.
    eq(sorted(suspicious(r.report)), ["b.dll"], "no trust store: only the unsigned image")
    eq(r.rc, 8, "exit status: the unsigned image is suspicious")
    os.remove(e.path("V15/Bin/b.dll"))
    configure(e, trust="dir")
    r = e.run("scan", e.tree, expect_rc=0)
    eq(sigs(r.report)["a.dll"]["status"], "signed", "ca_dir: signed")
    bad = os.path.join(e.dir, "not-a-cert.pem")
    with open(bad, "w") as f:
        f.write("hello\n")
    configure(e, trust=bad)
    r = e.run("scan", e.tree, json_report=False)
    eq(r.rc, 16, "exit status with a ca_file that holds no certificate")
    check(b"not-a-cert.pem" in r.err and b"no PEM or DER certificate" in r.err,
          f"the message names the file: {r.err!r}")
    configure(e, trust=os.path.join(e.dir, "missing.pem"))
    r = e.run("scan", e.tree, json_report=False)
    eq(r.rc, 16, "exit status with a missing ca_file")


@tests.case
def vouched_signers_are_configurable(e):
    _, images = pki()
    configure(e, signers=["Contoso Tools Ltd"])
    e.write("V15/Bin/signed.dll", images["signed"])
    e.write("V15/Bin/contoso.dll", images["contoso"])
    r = e.run("scan", e.tree)
    eq(sorted(suspicious(r.report)), ["signed.dll"],
       "suspicious with only Contoso vouched for")


@tests.case
def app_web_assemblies(e):
    _, images = pki()
    configure(e)
    cache = "Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/owa/1a2b/3c4d"
    e.write(f"{cache}/App_Web_logon.aspx.cdcab7d2.dll", images["unsigned"])
    e.write(f"{cache}/logon.aspx.cdcab7d2.compiled", b"<preserve />")
    lone = "Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/ecp/9f/8e"
    e.write(f"{lone}/App_Web_x1y2z3.dll", images["signed"])
    e.write("V15/ClientAccess/Owa/bin/App_Web_owa.dll", images["signed"])
    r = e.run("scan", e.tree)
    got = suspicious(r.report)
    eq(sorted(got), ["App_Web_owa.dll", "App_Web_x1y2z3.dll"], "suspicious App_Web images")
    eq(got["App_Web_owa.dll"], ["pe.app_web_outside_cache"], "outside the cache")
    eq(got["App_Web_x1y2z3.dll"], ["pe.app_web_without_map"], "no .compiled map")


@tests.case
def catalog_lookup_keeps_unsigned(e):
    _, images = pki()
    configure(e)
    e.write("V15/Bin/u.dll", images["unsigned"])
    r = e.run("scan", e.tree)
    eq(sigs(r.report)["u.dll"]["status"], "unsigned",
       "an image no catalog knows stays unsigned" +
       (" (after WinVerifyTrust's catalog lookup)" if e.wine else ""))


def image_config(e, root):
    """A config for a mounted image (the roots come from --image) that
    trusts the test root."""
    k, _ = pki()
    n = e.native
    e.write_config(text="\n".join([
        "; t8300: the roots come from --image", "[baseline]",
        f"path = {n(os.path.join(e.dir, 'state', 'baseline.db'))}",
        f"key = {n(os.path.join(e.dir, 'state', 'baseline.key'))}",
        "", "[trust]", f"ca_file = {n(k.root['cert'])}", ""]))


def write_to(root, rel, data):
    full = os.path.join(root, rel)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


@tests.case
def registered_images_are_judged_by_signature(e):
    """A registration's image is judged for its signature wherever it is,
    walked or not: %windir%\\System32 itself is no root, so before this an
    unsigned module there was inside the Windows folder and so quiet."""
    _, images = pki()
    img = os.path.join(e.dir, "img")
    inetsrv = "Windows/System32/inetsrv"
    mods = [("Vouched", "%windir%\\System32\\inetsrv\\vouched.dll", "signed"),
            ("Unwalked", "%windir%\\System32\\iisbackup.dll", "unsigned"),
            ("Contoso", "%windir%\\System32\\inetsrv\\contoso.dll", "contoso"),
            ("NotAnImage", "%windir%\\System32\\inetsrv\\text.dll", None)]
    write_to(img, f"{inetsrv}/vouched.dll", images["signed"])
    write_to(img, "Windows/System32/iisbackup.dll", images["unsigned"])
    write_to(img, f"{inetsrv}/contoso.dll", images["contoso"])
    write_to(img, f"{inetsrv}/text.dll", b"not an image\r\n")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<configuration>",
             "  <system.webServer>", "    <globalModules>"]
    lines += [f'      <add name="{m}" image="{i}" />' for m, i, _ in mods]
    lines += ["    </globalModules>", "  </system.webServer>", "</configuration>", ""]
    write_to(img, f"{inetsrv}/config/applicationHost.config", "\r\n".join(lines))
    write_to(img, "inetpub/wwwroot/iisstart.htm", "<html></html>\r\n")
    write_to(img, "Program Files/Microsoft/Exchange Server/V15/Bin/.keep", b"")
    image_config(e, img)
    r = e.run("scan", "--image", img)
    hits = {}
    for f in r.report["findings"]:
        for m in f.get("matches", []):
            if m.get("rule") == "config.suspicious_global_module":
                d = m["meta"]["description"]
                hits[d.split("'")[1]] = d
    eq(sorted(hits), ["Contoso", "Unwalked"], "registrations judged suspicious")
    check(hits["Unwalked"].endswith("an image not signed by a vouched signer "
                                    "(unsigned; no system catalog was asked)"),
          f"the unsigned image's reason: {hits['Unwalked']}")
    check("signed by 'Contoso Tools Ltd', not a vouched signer" in hits["Contoso"],
          f"the other signer's reason: {hits['Contoso']}")
    walked = sorted(os.path.basename(lib.path_bytes(s)).decode()
                    for s in r.report["signatures"])
    check("iisbackup.dll" not in walked,
          f"System32 itself is not walked (signatures: {walked})")
    eq(r.rc & 8, 8, "exit status has the suspicious bit")

    # check after init: a module added later, unsigned, is a registration
    # finding whose reasons name the signature, and a suspicious one.
    r = e.run("init", "--image", img)
    eq(r.rc & ~8, 0, "init exit status")
    write_to(img, "Windows/System32/iisbackup2.dll", images["tampered"])
    text = "\r\n".join(lines).replace(
        "    </globalModules>",
        '      <add name="Later" image="%windir%\\System32\\iisbackup2.dll" />\r\n'
        "    </globalModules>")
    write_to(img, f"{inetsrv}/config/applicationHost.config", text)
    r = e.run("check", "--image", img)
    regs = [f for f in r.report["findings"] if f["kind"] == "registration"]
    eq(len(regs), 1, f"registration findings: {regs}")
    msg = json.dumps(regs[0])
    check("Later" in msg and "bad_digest" in msg,
          f"the added module's finding names its signature: {msg}")


sys.exit(tests.main(sys.argv))
