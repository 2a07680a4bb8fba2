#!/usr/bin/env python3
"""man.py -- the man pages cannot drift from the program: every command and
option `exsweep --help` prints is in exsweep(1) (doc/exsweep.1.scd) and every
one the page lists is in --help; the exit codes the usage names are the ones
the page explains; every key of scanner/config.def is in exsweep.ini(5)
(doc/exsweep.ini.5.scd) under its section, and the page has no other. When
the rendered pages are given (scdoc found at build time), they are checked to
be roff with the right title.

    man.py EXSWEEP DOC_DIR CONFIG_DEF [RENDERED_PAGE...]

EXSWEEP_EXE_WRAPPER (wine, for the mingw cross build) runs EXSWEEP if set.
"""

import os
import re
import subprocess
import sys

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL " + msg)


def same(what, from_help, from_page, help_name, page_name):
    for x in sorted(from_help - from_page):
        fail(f"{what} {x} is in {help_name} but not in {page_name}")
    for x in sorted(from_page - from_help):
        fail(f"{what} {x} is in {page_name} but not in {help_name}")


def sections(text):
    """{heading: body} of an scdoc page's '# HEADING' sections."""
    out, name = {}, None
    for line in text.splitlines():
        if line.startswith("# "):
            name = line[2:].strip()
            out[name] = []
        elif name:
            out[name].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def main(argv):
    exe, doc, config_def = argv[1:4]
    rendered = argv[4:]
    wrapper = os.environ.get("EXSWEEP_EXE_WRAPPER")
    cmd = ([wrapper] if wrapper else []) + [exe, "--help"]
    help_text = subprocess.run(cmd, stdout=subprocess.PIPE, check=True,
                               env=dict(os.environ, WINEDEBUG="-all")).stdout
    help_text = help_text.decode("utf-8").replace("\r", "")
    with open(os.path.join(doc, "exsweep.1.scd"), encoding="utf-8") as f:
        page = f.read()
    with open(os.path.join(doc, "exsweep.ini.5.scd"), encoding="utf-8") as f:
        ini_page = f.read()
    with open(config_def, encoding="utf-8") as f:
        config = f.read()

    sec = sections(page)
    for need in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS",
                 "EXIT STATUS", "FILES", "SEE ALSO"):
        if need not in sec:
            fail(f"exsweep.1.scd has no section {need}")
    if failures:
        return 1

    # Commands: "exsweep [OPTIONS] NAME" in the usage; "*NAME*" items of
    # COMMANDS and "*exsweep* [_OPTIONS_] *NAME*" lines of the SYNOPSIS.
    help_cmds = set(re.findall(r"exsweep(?:\.exe)? \[OPTIONS\] ([a-z]+)", help_text))
    page_cmds = set(re.findall(r"^\*([a-z]+)[\* ]", sec["COMMANDS"], re.M))
    syn_cmds = set(re.findall(r"^\*exsweep\* \[_OPTIONS_\] \*([a-z]+)\*", sec["SYNOPSIS"], re.M))
    same("the command", help_cmds, page_cmds, "--help", "exsweep(1) COMMANDS")
    same("the command", help_cmds, syn_cmds, "--help", "exsweep(1) SYNOPSIS")

    # Options: the option lines of the usage; the "*-x, --long*" items of
    # OPTIONS. Short and long names both.
    def opts(lines):
        found = set()
        for line in lines:
            found.update(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[A-Za-z])\b", line))
        return found
    opt_part = help_text.split("\noptions:\n", 1)[1].split("\n\n", 1)[0]
    help_opts = opts(re.split(r"\s{2,}", l.strip(), maxsplit=1)[0]
                     for l in opt_part.splitlines() if l.lstrip().startswith("-"))
    page_opts = opts(l for l in sec["OPTIONS"].splitlines() if l.startswith("*-"))
    same("the option", help_opts, page_opts, "--help", "exsweep(1) OPTIONS")
    # The usage's own command-line spellings (AIDE's) are named in the page.
    for spelling in re.findall(r"--(?:init|check|update)\b", help_text):
        if spelling not in page:
            fail(f"{spelling} (in --help) is not in exsweep(1)")

    # Exit codes: the usage's "exit codes:" paragraph and EXIT STATUS.
    codes_part = help_text.split("exit codes:", 1)[1]
    help_codes = set(int(c) for c in re.findall(r"\b(\d{1,2})\b", codes_part))
    page_codes = set(int(c) for c in re.findall(r"^\*(\d+)\*", sec["EXIT STATUS"], re.M))
    page_codes |= set(int(c) for c in re.findall(r"\*(\d+)\*", sec["EXIT STATUS"]))
    same("the exit code", help_codes, page_codes, "--help", "exsweep(1) EXIT STATUS")

    # Config keys: config.def's rows and the page's "*key*" items per section.
    def_keys = set(re.findall(r"^EXS_CONFIG_KEY\((\w+), (\w+),", config, re.M))
    page_keys = set()
    section = None
    for line in ini_page.splitlines():
        m = re.match(r"^# SECTION \[(\w+)\]", line)
        if m:
            section = m.group(1)
            continue
        if line.startswith("# "):
            section = None
            continue
        m = re.match(r"^\*(\w+)\*", line)
        if m and section:
            page_keys.add((section, m.group(1)))
    if not def_keys:
        fail(f"no EXS_CONFIG_KEY rows read from {config_def}")
    same("the key", {f"[{s}] {k}" for s, k in def_keys},
         {f"[{s}] {k}" for s, k in page_keys}, "config.def", "exsweep.ini(5)")

    for path in rendered:
        with open(path, encoding="utf-8") as f:
            roff = f.read()
        name = os.path.basename(path)
        title, section_no = name.rsplit(".", 1)
        if not re.search(rf'^\.TH "{re.escape(title)}" "{section_no}"', roff, re.M):
            fail(f"{path} is not the roff page {title}({section_no})")

    checked = len(help_cmds) + len(help_opts) + len(help_codes) + len(def_keys)
    print(f"{checked} names checked, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
