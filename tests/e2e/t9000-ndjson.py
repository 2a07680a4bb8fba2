#!/usr/bin/env python3
"""t9000-ndjson -- the NDJSON report (--ndjson, [report] format ndjson)
against the real schemas.

Every line must be one JSON object in strict UTF-8. Change, error and
skipped records must be Elastic Common Schema: every field outside
exsweep.* exists in ECS (the field table of the npm package @elastic/ecs,
fetched by tools/fetch-ecs at its pinned version and integrity) with the
right type, arrays only where ECS allows them, allowed values only, and
event.type among the types ECS expects for event.category "file". Finding
and summary records must be the OCSF 1.5.0 Detection Finding and Scan
Activity as tests/ocsf-1.5.0.json writes them down: no attribute the class
or object does not have, every required one present, the types and enum
values right, type_uid = class_uid * 100 + activity_id. Beyond the shapes:
the records say what the JSON report of the same run says (the same files,
rules, hashes and counts), hostile names keep their bytes (file.path, or
exsweep.path_b64 when they are not UTF-8) and cannot break a line, and the
report folder gets the formats [report] format names.

    t9000-ndjson.py EXSWEEP [EXSWEEP_FAULT]
"""

import base64
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
import logfixtures  # noqa: E402
from lib import check, eq, fs  # noqa: E402

tests = lib.Tests()
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))

with open(os.path.join(SOURCE, "tests", "ocsf-1.5.0.json"), encoding="utf-8") as f:
    OCSF = json.load(f)

_ecs = None


def ecs():
    """The ECS field table (flat name -> definition) and its version."""
    global _ecs
    if _ecs is None:
        p = subprocess.run([os.path.join(SOURCE, "tools", "fetch-ecs"), "--offline"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise lib.Skip("the ECS field definitions are not fetched "
                           "(tools/fetch-ecs; tests/run does it)")
        path = p.stdout.decode().strip()
        with open(path, encoding="utf-8") as f:
            _ecs = (json.load(f), os.path.basename(os.path.dirname(path)))
    return _ecs


ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
ECS_STRING = {"keyword", "constant_keyword", "wildcard", "match_only_text", "text", "ip"}
ECS_INT = {"long", "integer", "short", "byte", "unsigned_long"}
ECS_NUMBER = ECS_INT | {"float", "double", "scaled_float", "half_float"}


def ecs_leaves(obj, prefix=""):
    for k, v in obj.items():
        name = prefix + k
        if isinstance(v, dict):
            yield from ecs_leaves(v, name + ".")
        else:
            yield name, v


def ecs_value_ok(t, v):
    if t in ECS_STRING:
        return isinstance(v, str)
    if t in ECS_INT:
        return isinstance(v, int) and not isinstance(v, bool)
    if t in ECS_NUMBER:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "date":
        return isinstance(v, str) and ISO.match(v) is not None
    if t == "boolean":
        return isinstance(v, bool)
    return False


def validate_ecs(rec, what):
    flat, version = ecs()
    check("@timestamp" in rec, f"{what}: no @timestamp")
    eq(rec.get("ecs", {}).get("version"), version, f"{what}: ecs.version")
    for name, value in ecs_leaves({k: v for k, v in rec.items() if k != "exsweep"}):
        field = flat.get(name)
        check(field is not None, f"{what}: {name} is not an ECS field")
        t = field["type"]
        values = value if isinstance(value, list) else [value]
        if isinstance(value, list):
            check("array" in field.get("normalize", []),
                  f"{what}: {name} is an array, which ECS does not make it")
        for v in values:
            check(ecs_value_ok(t, v), f"{what}: {name} = {v!r} is not an ECS {t}")
            if field.get("allowed_values"):
                allowed = [a["name"] for a in field["allowed_values"]]
                check(v in allowed, f"{what}: {name} = {v!r} not in {allowed}")
    expected = {a["name"]: a.get("expected_event_types", [])
                for a in flat["event.category"]["allowed_values"]}
    for cat in rec["event"]["category"]:
        for t in rec["event"]["type"]:
            check(t in expected[cat], f"{what}: event.type {t} is not expected "
                  f"for event.category {cat} ({expected[cat]})")


def ocsf_value(spec, v, where):
    t = spec["type"]
    if spec.get("array"):
        check(isinstance(v, list), f"{where}: not an array")
        for i, item in enumerate(v):
            ocsf_value(dict(spec, array=False), item, f"{where}[{i}]")
        return
    if t in ("integer_t", "long_t", "timestamp_t"):
        check(isinstance(v, int) and not isinstance(v, bool), f"{where}: {v!r} is not {t}")
    elif t == "string_t":
        check(isinstance(v, str), f"{where}: {v!r} is not a string")
    elif t == "boolean_t":
        check(isinstance(v, bool), f"{where}: {v!r} is not a boolean")
    elif t == "json_t":
        pass
    else:
        check(isinstance(v, dict), f"{where}: {v!r} is not a {t} object")
        ocsf_object(OCSF["objects"][t], v, where)
    if "enum" in spec:
        check(v in spec["enum"], f"{where}: {v!r} is not one of {spec['enum']}")


def ocsf_object(attrs, obj, where):
    for name, spec in attrs.items():
        if spec["requirement"] == "required":
            check(name in obj, f"{where}: the required {name} is missing")
    for name, v in obj.items():
        check(name in attrs, f"{where}: {name} is not an attribute of it")
        ocsf_value(attrs[name], v, f"{where}.{name}")


def validate_ocsf(rec, what):
    classes = {c["uid"]: (n, c) for n, c in OCSF["classes"].items()}
    check(rec.get("class_uid") in classes, f"{what}: class_uid {rec.get('class_uid')}")
    name, cls = classes[rec["class_uid"]]
    eq(rec["metadata"]["version"], OCSF["version"], f"{what}: metadata.version")
    ocsf_object(cls["attributes"], {k: v for k, v in rec.items() if k != "exsweep"},
                f"{what} ({name})")
    eq(rec["type_uid"], rec["class_uid"] * 100 + rec["activity_id"], f"{what}: type_uid")


def read_ndjson(path):
    """The records of an NDJSON file: each line strict UTF-8 and one object."""
    with open(path, "rb") as f:
        raw = f.read()
    check(raw.endswith(b"\n"), "the NDJSON report does not end with a newline")
    return parse_ndjson(raw)


def parse_ndjson(raw):
    records = []
    for n, line in enumerate(raw.split(b"\n")[:-1], 1):
        try:
            rec = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise lib.Failure(f"NDJSON line {n} does not parse: {e}: {line[:200]!r}")
        check(isinstance(rec, dict), f"NDJSON line {n} is not an object")
        records.append(rec)
    check(records, "the NDJSON report is empty")
    return records


def validate(records):
    for n, rec in enumerate(records, 1):
        what = f"line {n}"
        check(isinstance(rec.get("exsweep"), dict), f"{what}: no exsweep object")
        if "@timestamp" in rec:
            check(rec["exsweep"]["record"] in ("change", "error", "skipped"),
                  f"{what}: ECS record of kind {rec['exsweep']['record']}")
            validate_ecs(rec, what)
        else:
            validate_ocsf(rec, what)
    eq(records[-1].get("class_uid"), 6007, "the last line is the Scan Activity")
    check(all(r.get("class_uid") != 6007 for r in records[:-1]),
          "a Scan Activity before the last line")
    run_ids = {r["exsweep"]["run_id"] for r in records}
    eq(len(run_ids), 1, "one run_id in every record")


def rec_path(e, rec, file_key):
    """The exact bytes of a record's path (POSIX form under wine)."""
    x = rec["exsweep"]
    if "path_b64" in x:
        raw = base64.b64decode(x["path_b64"])
    else:
        raw = file_key["path"].encode("utf-8")
    if e.wine:
        return fs(e.posix(raw.decode("utf-8", "surrogatepass")))
    return raw


def run_both(e, *args, expect_rc=None):
    out = os.path.join(e.dir, "report.ndjson")
    if os.path.exists(out):
        os.unlink(out)
    r = e.run("check", "--ndjson", out, *args, expect_rc=expect_rc)
    return r, read_ndjson(out)


@tests.case
def check_records_validate_and_match_the_json_report(e):
    e.populate(4)
    e.write("web/owa/auth/gone.aspx", lib.benign_aspx("Gone"))
    e.run("init", json_report=False, expect_rc=0)
    shell = e.write("web/owa/auth/errorFE2.aspx", lib.CHOPPER_PREFIX + lib.CHOPPER)
    changed = e.write("Bin/Microsoft.Exchange.Part1.dll", b"MZ changed")
    os.unlink(e.path("web/owa/auth/gone.aspx"))
    r, records = run_both(e)
    validate(records)
    rep = r.report

    # Every change finding is an ECS record with its hash; nothing else is.
    changes = {}
    for rec in records:
        if rec["exsweep"]["record"] == "change":
            changes[(rec["exsweep"]["kind"], rec_path(e, rec, rec["file"]))] = rec
    want = {(f["kind"], lib.path_bytes(f)): f for f in rep["findings"]
            if f["kind"] in ("added", "changed", "removed")}
    eq(sorted(changes), sorted(want), "change records vs the JSON report's findings")
    for k, f in want.items():
        rec = changes[k]
        side = f["old"] if f["kind"] == "removed" else f["new"]
        eq(rec["file"]["hash"]["sha256"], side["sha256"], f"{k}: file.hash.sha256")
        eq(rec["file"]["size"], side["size"], f"{k}: file.size")
        eq(rec["event"]["type"], [{"added": "creation", "changed": "change",
                                   "removed": "deletion"}[f["kind"]]], f"{k}: event.type")
        if f["kind"] == "changed":
            eq(rec["exsweep"]["changed"], f["changed"], f"{k}: exsweep.changed")
            eq(rec["exsweep"]["old"]["sha256"], f["old"]["sha256"], f"{k}: old sha256")
    check(("changed", fs(changed)) in changes, "the changed DLL has no change record")
    rec = changes[("changed", fs(changed))]
    eq(rec["file"]["name"], "Microsoft.Exchange.Part1.dll", "file.name")
    eq(rec["file"]["extension"], "dll", "file.extension")
    eq(e.posix(rec["file"]["directory"]), os.path.join(e.tree, "Bin"), "file.directory")

    # Every verdict (rule or heuristic) is one Detection Finding.
    found = sorted((r_["exsweep"]["kind"], rec_path(e, r_, r_["evidences"][0]["file"]),
                    r_["finding_info"]["analytic"]["name"])
                   for r_ in records if r_.get("class_uid") == 2004)
    expected = sorted((f["kind"], lib.path_bytes(f), m["rule"])
                      for f in rep["findings"] if f["kind"] in ("webshell", "suspicious")
                      for m in f["matches"])
    eq(found, expected, "Detection Findings vs the JSON report's matches")
    check(any(k == "webshell" and p == fs(shell) for k, p, _ in found),
          "the planted webshell has no Detection Finding")
    for r_ in records:
        if r_.get("class_uid") != 2004:
            continue
        ev = r_["evidences"][0]
        f = next(f for f in rep["findings"] if lib.path_bytes(f) == rec_path(e, r_, ev["file"])
                 and f["kind"] == r_["exsweep"]["kind"])
        eq(ev["file"]["hashes"][0]["value"], f["sha256"], "evidence SHA-256")
        m = next(m for m in f["matches"] if m["rule"] == r_["finding_info"]["analytic"]["name"])
        eq([s["offset"] for s in ev["data"]["strings"]], [s["offset"] for s in m["strings"]],
           "evidence string offsets")
        eq(r_["malware_scan_info"]["num_files"], rep["counts"]["files"], "num_files")
        eq(r_["exsweep"]["seal"], rep["baseline"]["generations"][-1]["seal"], "exsweep.seal")
        eq(r_["exsweep"]["generation"], rep["baseline"]["generation"], "exsweep.generation")

    summary = records[-1]
    eq(summary["num_files"], rep["counts"]["files"], "summary num_files")
    eq(summary["exsweep"]["exit_code"], r.rc, "summary exit_code")
    for kind in lib.KIND_ORDER:
        eq(summary["exsweep"]["counts"][kind], rep["counts"][kind], f"summary counts.{kind}")
    eq(summary["severity_id"], 5, "a run with a webshell is Critical")


@tests.case
def clean_check_is_a_summary_only(e):
    e.populate(2)
    e.run("init", json_report=False, expect_rc=0)
    r, records = run_both(e, expect_rc=0)
    validate(records)
    eq(len(records), 1, "records of a clean check")
    eq(records[0]["severity_id"], 1, "a clean run is Informational")


@tests.case
def hostile_names_keep_their_bytes(e):
    lib.posix_only(e, "names with control bytes and invalid UTF-8")
    e.populate(2)
    e.run("init", json_report=False, expect_rc=0)
    names = [b'new\nline.aspx', b'quote"back\\slash.js', b'bad\xff\xfe.aspx',
             b'tab\tand\x01ctl.txt', b'\xe2\x80\xaeevil.js']
    for n in names:
        e.write(b"web/" + n, b"hello")
    os.mkfifo(e.path(b"web/pipe\xff"))
    r, records = run_both(e)
    validate(records)
    got = {rec_path(e, rec, rec["file"]) for rec in records
           if rec["exsweep"]["record"] == "change"}
    for n in names:
        check(os.path.join(fs(e.web), n) in got, f"{n!r} lost its bytes: {sorted(got)}")
    bad = next(rec for rec in records if rec["exsweep"]["record"] == "change"
               and b"\xff" in rec_path(e, rec, rec["file"]))
    check("\ufffd" in bad["file"]["path"], "file.path of a non-UTF-8 name has no U+FFFD")
    skipped = [rec for rec in records if rec["exsweep"]["record"] == "skipped"]
    eq([rec_path(e, s, s["file"]) for s in skipped], [os.path.join(fs(e.web), b"pipe\xff")],
       "skipped records")
    eq(skipped[0]["file"]["type"], "fifo", "a skipped FIFO's file.type")


@tests.case
def exploit_traces_are_detection_findings(e):
    logfixtures.minimal_tree(e.tree)
    e.write_config(text="\n".join([
        "[baseline]", f"path = {e.native(e.baseline)}",
        f"key = {e.native(os.path.join(e.state, 'baseline.key'))}", ""]))
    logfixtures.write(e.tree)
    out = os.path.join(e.dir, "report.ndjson")
    r = e.run("logs", "--image", e.tree, "--ndjson", out)
    records = read_ndjson(out)
    validate(records)
    traces = [f for f in r.report["findings"] if f["kind"] == "exploit_trace"]
    check(traces, "the fixtures gave no exploit trace")
    got = [x for x in records if x["exsweep"].get("kind") == "exploit_trace"]
    eq(len(got), len(traces), "one Detection Finding per trace")
    for x, f in zip(got, traces):
        eq(x["class_uid"], 2004, "a trace's class")
        eq(x["finding_info"]["analytic"]["name"], f["technique"], "analytic.name")
        eq(x["evidences"][0]["data"]["line"], f["line"], "evidence line")
        eq(rec_path(e, x, x["evidences"][0]["file"]), lib.path_bytes(f), "the log file")
        if f.get("time"):
            check("first_seen_time" in x["finding_info"], "a dated trace has first_seen_time")


def fault_exe(e):
    if not e.extra_exes:
        raise lib.Skip("no exsweep-fault binary given")
    return e.extra_exes[0]


@tests.case
def unreadable_file_is_an_ecs_error(e):
    e.populate(2)
    e.run("init", json_report=False, expect_rc=0)
    secret = e.write("web/secret.aspx", b"x")
    out = os.path.join(e.dir, "report.ndjson")
    r = e.run("check", "--ndjson", out, exe=fault_exe(e),
              env={"EXSWEEP_FAULTS": "access:*secret.aspx"})
    records = read_ndjson(out)
    validate(records)
    errs = [rec for rec in records if rec["exsweep"]["record"] == "error"]
    eq([rec_path(e, x, x["file"]) for x in errs], [fs(secret)], "error records")
    eq(errs[0]["event"]["outcome"], "failure", "event.outcome of an error")
    eq(errs[0]["error"]["code"], "EXS_ACCESS", "error.code")
    eq(r.rc, 0, "exit status: an error finding sets no bit")


@tests.case
def stdout_and_report_dir(e):
    e.populate(2)
    reports = os.path.join(e.dir, "reports")
    with open(e.config, "a", encoding="utf-8") as f:
        f.write(f"\n[report]\ndir = {e.native(reports)}\nformat = json\nformat = ndjson\n")
    e.run("init", json_report=False, expect_rc=0)
    e.write("web/owa/auth/new.aspx", lib.benign_aspx("New"))
    argv, env = e.wrapped([e.exe, "--config", e.native(e.config), "--ndjson", "-", "check"])
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=300)
    eq(p.returncode, 1, "exit status (one file added)")
    records = parse_ndjson(p.stdout.replace(b"\r\n", b"\n"))
    validate(records)
    eq([r["exsweep"]["kind"] for r in records[:-1]], ["added"], "records on stdout")
    names = sorted(n for n in os.listdir(reports) if n.startswith("exsweep-check-"))
    eq([os.path.splitext(n)[1] for n in names], [".html", ".json", ".ndjson"], f"report folder {names}")  # and the HTML report beside them
    dated = read_ndjson(os.path.join(reports, names[2]))
    validate(dated)
    eq([r["exsweep"]["kind"] for r in dated[:-1]], ["added"], "records in the folder")
    eq(len({os.path.splitext(n)[0] for n in names}), 1, "one stamp for all three")

    argv, env = e.wrapped([e.exe, "--config", e.native(e.config), "--json", "-",
                           "--ndjson", "-", "check"])
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=300)
    eq(p.returncode, 16, "--json - with --ndjson -")
    eq(p.stdout, b"", "stdout of the refused run")


@tests.case
def unknown_format_is_a_config_error(e):
    e.populate(1)
    with open(e.config, "a", encoding="utf-8") as f:
        f.write("\n[report]\nformat = xml\n")
    r = e.run("init", json_report=False, expect_rc=16)
    err = r.err.decode("utf-8", "replace")
    check(re.search(r"exsweep\.ini:\d+: unknown report format 'xml'", err),
          f"the error does not name FILE:LINE and the value: {err}")


if __name__ == "__main__":
    sys.exit(tests.main(sys.argv))
