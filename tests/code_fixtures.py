#!/usr/bin/env python3
"""Run the code-analysis fixtures (tests/fixtures/code) through the real binary.

  code_fixtures.py EXSWEEP [--report]

EXPECT.tsv lists each fixture with the code.* rule it must raise, or NONE:
then the file must have no finding at all (no YARA rule, no heuristic, no
code.* rule), or NOCODE: no code.* finding (another engine's known false
positive). With --report every fixture is listed with what was found (to
compare another build: adversarial/ files are the obfuscations the YARA rules
alone miss). Prints one line per failure and "N passed, N failed"; exits 1 on
any failure. Fixtures on disk that EXPECT.tsv does not list are failures too.
"""
import json
import os
import subprocess
import tempfile
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FX = os.path.join(HERE, "fixtures", "code")


def main():
    exe = sys.argv[1]
    report_mode = "--report" in sys.argv[2:]
    expect = {}
    with open(os.path.join(FX, "EXPECT.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            path, want = line.split("\t")
            expect[path] = want
    # exsweep.exe runs under wine (EXSWEEP_EXE_WRAPPER from the cross build,
    # or a name ending in .exe), where paths take its form and the sandbox
    # cannot be entered (wine enforces no restricted tokens).
    wrapper = os.environ.get("EXSWEEP_EXE_WRAPPER", "")
    wine = bool(wrapper) or exe.lower().endswith(".exe")
    argv, env, fx_arg = [exe], dict(os.environ), FX
    if wine:
        argv = [wrapper or "wine", exe, "--no-sandbox"]
        env.update(WINEDEBUG="-all", LC_ALL="C.UTF-8")
        fx_arg = subprocess.run(["winepath", "-w", FX], capture_output=True,
                                env=env, check=True).stdout.decode().strip()
        print("# skip: the sandboxed scan worker under wine (wine enforces no "
              "restricted tokens or integrity levels; --no-sandbox)")
    # An empty configuration of its own: the host's /etc/exsweep/exsweep.ini
    # (or %ProgramData%\exsweep\exsweep.ini) must not change the verdicts.
    with tempfile.TemporaryDirectory(prefix="exs-code-fixtures-") as tmp:
        cfg = os.path.join(tmp, "exsweep.ini")
        with open(cfg, "w") as f:
            f.write("# code_fixtures.py: the built-in settings only\n")
        if wine:
            cfg = subprocess.run(["winepath", "-w", cfg], capture_output=True,
                                 env=env, check=True).stdout.decode().strip()
        r = subprocess.run(argv + ["--config", cfg, "scan", "--json", "-",
                                   "--no-progress", "--quiet", fx_arg],
                           capture_output=True, env=env)
    if r.returncode >= 16:
        print("exsweep exited %d: %s" % (r.returncode, r.stderr.decode(errors="replace")))
        print("0 passed, 1 failed")
        return 1
    found = {}
    for fnd in json.loads(r.stdout)["findings"]:
        if fnd["kind"] not in ("webshell", "suspicious"):
            continue
        if wine:
            rel = fnd["path"][len(fx_arg):].lstrip("\\/").replace("\\", "/")
        else:
            rel = os.path.relpath(fnd["path"], FX)
        for m in fnd.get("matches", []):
            found.setdefault(rel, []).append((fnd["kind"], m["rule"], m.get("namespace", "")))
    passed = failed = 0
    on_disk = set()
    for root, _, files in os.walk(FX):
        for n in files:
            rel = os.path.relpath(os.path.join(root, n), FX)
            if rel != "EXPECT.tsv":
                on_disk.add(rel)
    for rel in sorted(on_disk - set(expect)):
        print("FAIL %s: not listed in EXPECT.tsv" % rel)
        failed += 1
    for rel, want in sorted(expect.items()):
        got = found.get(rel, [])
        rules = sorted({g[1] for g in got})
        if report_mode:
            print("%-48s %-32s %s" % (rel, want, ",".join(rules) or "-"))
        if rel not in on_disk:
            print("FAIL %s: listed but missing" % rel)
            failed += 1
        elif want == "NOCODE":
            code = [r for r in rules if r.startswith("code.")]
            if code:
                print("FAIL %s: expected no code.* finding, got %s" % (rel, ", ".join(code)))
                failed += 1
            else:
                passed += 1
        elif want == "NONE":
            if got:
                print("FAIL %s: expected no finding, got %s" % (rel, ", ".join(rules)))
                failed += 1
            else:
                passed += 1
        elif want in rules:
            passed += 1
        else:
            print("FAIL %s: expected %s, got %s" % (rel, want, ", ".join(rules) or "nothing"))
            failed += 1
    # YARA over the normalised view: the built-in rules, written for plain
    # spellings, match escaped ones there, mapped back to the original file.
    views = sorted(rel for rel, got in found.items() if any(g[2] == "normalised" for g in got))
    if report_mode:
        print("YARA matches in the normalised view: %s" % (", ".join(views) or "-"))
    if "adversarial/unicode_escape.aspx" in views:
        passed += 1
    else:
        print("FAIL adversarial/unicode_escape.aspx: no YARA match in the normalised view")
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
