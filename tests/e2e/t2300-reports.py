#!/usr/bin/env python3
"""t2300-reports -- what people read: one entry per file in the summary, the
progress line, and the HTML report, rendered by a real browser.

A planted webshell is three records (webshell, suspicious, added) and one
file: the summary shows it once, with every verdict, and counts files. The
JSON report keeps the records and links them (lib.validate_report checks the
`file` numbers and counts.entries on every run of the suite). The HTML report
is a self-contained page: headless Chromium renders it to a PNG and dumps its
DOM, in which the webshell's path and rule are text, a hostile name and an
excerpt holding </script> are text too, no element came from the data and no
script ran. Under wine there is no browser to drive and no pty console to read
a progress line from: those two tests skip with the reason.
"""

import html.parser
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import lib
from lib import check, eq

tests = lib.Tests()


def plant(e, rel, payload=None):
    data = lib.CHOPPER_PREFIX + (payload or lib.CHOPPER)
    return e.write(rel, data, mtime_ns=None)


@tests.case
def one_entry_per_file_in_the_summary(e):
    """The demo's case: a webshell added, a page changed, a file removed.
    Six records would be three lines for the webshell; the summary shows one
    WEBSHELL entry naming its heuristics and its change, and the headline
    counts files."""
    e.populate(4)
    e.run("init", expect_rc=0)
    shell = plant(e, "web/owa/auth/errorEE.aspx")
    e.write("web/owa/auth/page1.aspx", lib.benign_aspx("Changed"), mtime_ns=None)
    os.unlink(e.path("Bin/Microsoft.Exchange.Part2.dll"))
    r = e.run("check", expect_rc=15)
    kinds = lib.kinds_by_path(r.report)
    eq(kinds[shell], {"webshell", "suspicious", "added"}, "the webshell's records")
    records = [f for f in r.report["findings"] if lib.path_bytes(f) == shell]
    eq(len({f["file"] for f in records}), 1, "file entries of the webshell's records")
    eq(r.report["counts"]["entries"], 3, "counts.entries")
    out = r.out.decode("utf-8", "replace")
    lines = out.splitlines()
    shown = e.shown(shell)
    check(lines[0].endswith(" s") and ": 3 files with findings (5 records) in " in lines[0],
          "the headline does not count files:\n" + lines[0])
    mentions = [l for l in lines if shown in l]
    eq(len(mentions), 1, "summary lines naming the webshell")
    check(mentions[0].startswith("WEBSHELL  ") and "(also suspicious, added)" in mentions[0],
          "the webshell's entry line: " + mentions[0])
    at = lines.index(mentions[0])
    block = []
    for l in lines[at + 1:]:
        if not l.startswith("          "):
            break
        block.append(l)
    check(any(re.match(r" {10}rule \S+ \(suspicious\): ", l) for l in block),
          "the heuristics are not in the webshell's entry:\n" + "\n".join(block))
    check(any(l.strip() == "added" for l in block),
          "the change is not in the webshell's entry:\n" + "\n".join(block))
    for label in ("SUSPECT ", "ADDED "):
        check(not any(l.startswith(label) for l in lines),
              f"a {label.strip()} line besides the entry:\n{out}")
    check(any(l.startswith("CHANGED ") for l in lines) and
          any(l.startswith("REMOVED ") for l in lines), "the other entries:\n" + out)


@tests.case
def progress_shows_percent_and_time_left(e):
    """check knows the baseline's file count: on a terminal the progress line
    says how far along it is and how long is left. script(1) gives the run a
    pty; a removed file keeps the last line short of 100%."""
    lib.posix_only(e, "the progress line goes to a console, which wine's "
                   "script(1) pty does not stand for reliably")
    script = shutil.which("script")
    if not script:
        raise lib.Skip("script (util-linux) is missing: no pty for the progress line")
    e.populate(40)
    e.run("init", expect_rc=0)
    total = e.last.report["counts"]["files"]
    os.unlink(e.path("Bin/Microsoft.Exchange.Part3.dll"))
    argv, env = e.wrapped([e.exe, "--config", e.native(e.config), "check"])
    p = subprocess.run([script, "-qec", shlex.join(os.fsdecode(a) for a in argv), "/dev/null"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=env, timeout=300)
    out = p.stdout.decode("utf-8", "replace")
    eq(p.returncode, 2, "exit status on a terminal:\n" + out)
    lines = re.findall(r"(\d+) files of (\d+) \((\d+)%(?:, (\d+) s left)?\)", out)
    check(lines, "no progress line with a percentage:\n" + out)
    for files, of, pct, _ in lines:
        eq(int(of), total, "the progress line's total (the baseline's files)")
        eq(int(pct), 100 * int(files) // total, f"percent of {files} files")
    files, _, _, left = lines[-1]
    eq(int(files), total - 1, "files in the last progress line")
    check(left != "", "the last progress line says no time left: " + repr(lines[-1]))


class Dom(html.parser.HTMLParser):
    """The elements and the text of a dumped DOM."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text, self.title = [], [], [], ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_title:
            self.title += data


def chromium(e, page, *args):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    check(exe, "chromium is missing: ./tools/deps chromium installs it (Debian package)")
    profile = tempfile.mkdtemp(prefix="chromium-", dir=e.dir)
    argv = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-background-networking",
            f"--user-data-dir={profile}", *args, "file://" + page]
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=180,
                       env=dict(os.environ, HOME=profile))
    check(p.returncode == 0, f"chromium failed ({p.returncode}): "
          + p.stderr.decode("utf-8", "replace")[-2000:])
    return p.stdout


@tests.case
def html_report_in_a_browser(e):
    """Chromium renders the report to a PNG and dumps the DOM: the webshell's
    path and rule are there as text; a file called <img src=x onerror=...>.aspx
    and an excerpt holding </script><script> show as text, no <img> or
    <script> element and no on* attribute exists, the title is the report's
    (the planted script would have changed it)."""
    lib.posix_only(e, "no browser to drive under wine (the HTML report itself is "
                   "checked by html_report_escapes_and_stands_alone)")
    e.populate(3)
    e.run("init", expect_rc=0)
    shell = plant(e, "web/owa/auth/errorEE.aspx")
    hostile_name = "<img src=x onerror=document.title='PWNED1'>.aspx"
    hostile = plant(e, "web/owa/auth/" + hostile_name)
    script_payload = (b'<%@ Page Language="Jscript"%><%eval(Request.Item['
                      b'"</script><script>document.title=\'PWNED2\'</script>"],"unsafe");%>\r\n')
    excerpt_shell = plant(e, "web/owa/auth/excerpt.aspx", script_payload)
    page = os.path.join(e.dir, "report.html")
    r = e.run("check", "--html", page, expect_rc=9)
    excerpts = [s["excerpt"] for f in r.report["findings"]
                if lib.path_bytes(f) == excerpt_shell
                for m in f.get("matches", []) for s in m["strings"]]
    check(any("</script><script>" in x for x in excerpts),
          f"no matched excerpt holds </script> (the test needs one): {excerpts}")
    rule = lib.by_kind(r.report, "webshell")[shell]["matches"][0]["rule"]

    png = os.path.join(e.dir, "report.png")
    chromium(e, page, "--window-size=1280,2000", f"--screenshot={png}")
    with open(png, "rb") as f:
        head = f.read(24)
    check(head[:8] == b"\x89PNG\r\n\x1a\n", "the screenshot is not a PNG")
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    eq((width, height), (1280, 2000), "the screenshot's size")
    check(os.path.getsize(png) > 20000, "the screenshot is nearly empty")

    dom = chromium(e, page, "--dump-dom", "--virtual-time-budget=2000").decode("utf-8")
    d = Dom()
    d.feed(dom)
    text = "".join(d.text)
    for what, needle in (("the webshell's path", e.shown(shell)), ("its rule", rule),
                         ("the hostile name", os.fsdecode(hostile)),
                         ("the excerpt", "</script><script>document.title='PWNED2'")):
        check(needle in text, f"{what} is not in the page's text: {needle!r}")
    for tag in ("img", "script", "iframe", "object", "embed", "link", "base", "form"):
        check(tag not in d.tags, f"an <{tag}> element made it into the page")
    check(not [a for a, _ in d.attrs if a.startswith("on")],
          f"event handler attributes: {[a for a in d.attrs if a[0].startswith('on')]}")
    check("PWNED" not in d.title and d.title.startswith("exsweep check on "),
          f"the title is {d.title!r}: a script ran")
    check("Webshell found" in text and "Look first" in text and "Changes by folder" in text,
          "the page's sections are missing")


@tests.case
def html_report_escapes_and_stands_alone(e):
    """The page from --html - (on stdout, no summary beside it) fetches
    nothing, carries a CSP without script, and every name is escaped: a
    name holding & and ' shows as references, here and under wine."""
    e.populate(2)
    e.run("init", expect_rc=0)
    name = "x&amp;'y.aspx"
    shell = plant(e, "web/owa/auth/" + name)
    r = e.run("check", "--html", "-", json_report=False, expect_rc=9)
    page = r.out.decode("utf-8")
    check(page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>"),
          "stdout is not just the page")
    check("x&amp;amp;&#39;y.aspx" in page, "the name is not escaped as HTML")
    check(name not in page, "the name stands in the page raw")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    check(csp and "default-src 'none'" in csp.group(1) and "script-src 'none'" in csp.group(1),
          "no strict Content-Security-Policy")
    for ref in ("<script", "<link", "<img", "src=", "href=", "url(", "@import", "http:", "https:"):
        check(ref not in page, f"the page refers to something outside it: {ref}")
    check(e.shown(shell).replace("&", "&amp;").replace("'", "&#39;") in page,
          "the webshell's path is not in the page")


@tests.case
def report_dir_gets_the_html_beside_the_json(e):
    """[report] dir: each run writes exsweep-COMMAND-STAMP.json and the HTML
    report under the same name with .html."""
    e.populate(2)
    reports = os.path.join(e.dir, "reports")
    e.write_config()
    with open(e.config, "a", encoding="utf-8") as f:
        f.write(f"\n[report]\ndir = {e.native(reports)}\n")
    e.run("init", expect_rc=0)
    plant(e, "web/owa/auth/errorEE.aspx")
    e.run("check", expect_rc=9)
    names = sorted(n for n in os.listdir(reports) if n.startswith("exsweep-check-"))
    eq(len(names), 2, f"check reports in the folder: {names}")
    html_name, json_name = names
    check(json_name.endswith(".json") and html_name == json_name[:-5] + ".html",
          f"the HTML report is not beside the JSON: {names}")
    with open(os.path.join(reports, html_name), encoding="utf-8") as f:
        page = f.read()
    check("Webshell found" in page and "errorEE.aspx" in page, "the HTML report's content")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
