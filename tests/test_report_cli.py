"""`hwcheck report RESULT.json`: the real command in a real process."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import jsonschema
import pytest
import xmlschema

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURES = os.path.join(HERE, "fixtures", "results")
FAILING = os.path.join(FIXTURES, "failing-node.json")


def hwcheck(*args, cwd, stdin=None, env=None):
    environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environ["PYTHONPATH"] = ROOT
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "hwcheck", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        check=False,
        timeout=60,
    )


def test_report_writes_html_junit_json_and_prints_the_summary(tmp_path):
    (tmp_path / "out").mkdir()
    done = hwcheck(
        "report",
        FAILING,
        "--html",
        "out/r.html",
        "--junit",
        "r.xml",
        "--json",
        "r.json",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(" NON-COMPLIANT   r640-compute-07.dc1.example.net: 2 failed")
    assert lines[-3:] == ["wrote out/r.html", "wrote r.xml", "wrote r.json"]
    assert "\x1b[" not in done.stdout  # not a terminal: no colour
    html = (tmp_path / "out" / "r.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "NON-COMPLIANT" in html
    written = json.loads((tmp_path / "r.json").read_text())
    # the profile it names (dc1-compute) is nowhere at hand: the copy says it was not verified
    assert written.pop("verification")["status"] == "not-verified"
    with open(FAILING, encoding="utf-8") as handle:
        assert written == json.load(handle)
    assert (tmp_path / "r.xml").read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>')


def test_default_html_path_goes_under_reports(tmp_path):
    done = hwcheck("report", FAILING, "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    name = "r640-compute-07.dc1.example.net-20261124T140212Z.html"
    # --quiet: the verdict line, and where the report went (never an unannounced file).
    assert done.stdout.splitlines()[1:] == [f"wrote reports/{name}"]
    assert os.listdir(tmp_path / "reports") == [name]


def test_hostile_hostname_cannot_escape_the_reports_directory(tmp_path):
    shutil.copy(os.path.join(FIXTURES, "hostile-node.json"), tmp_path / "h.json")
    done = hwcheck("report", "h.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(os.listdir(tmp_path)) == ["h.json", "reports"]
    assert os.listdir(tmp_path / "reports") == ["etc__b_evil__b__-rf-20261124T140212Z.html"]


def test_json_to_stdout_moves_the_summary_to_stderr(tmp_path):
    done = hwcheck("report", FAILING, "--no-html", "--json", "-", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"] == "noncompliant"
    assert done.stderr.startswith(" NON-COMPLIANT ")
    assert os.listdir(tmp_path) == []


def test_result_from_stdin(tmp_path):
    with open(FAILING, encoding="utf-8") as handle:
        done = hwcheck("report", "-", "--no-html", "-q", cwd=tmp_path, stdin=handle.read())
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(" NON-COMPLIANT ")


def _broken(tmp_path, mutate):
    with open(FAILING, encoding="utf-8") as handle:
        document = json.load(handle)
    mutate(document)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    return "bad.json"


def _set_status(d):
    d["findings"][3]["status"] = "failed"


def _drop_counts(d):
    del d["counts"]["waived"]


def _mtu_text(d):
    d["inventory"]["nics"][2]["mtu"] = "1500"


def _inventory_kind(d):
    d["kind"] = "hwcheck-inventory"


def _future_version(d):
    d["schema_version"] = 99


def _typo_key(d):
    d["findings"][0]["remediaton"] = "typo"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            _set_status,
            "malformed result: $.findings[3].status: expected one of 'pass', 'fail', 'warn', "
            "'unknown', 'waived'; got \"failed\"",
        ),
        (_drop_counts, "malformed result: $.counts: missing 'waived'"),
        (
            _mtu_text,
            'malformed result: $.inventory.nics[2].mtu: expected an integer or null; got "1500"',
        ),
        (
            _inventory_kind,
            'not an hwcheck result: $.kind is "hwcheck-inventory", expected "hwcheck-result" '
            "(an inventory: judge it with `hwcheck check --inventory`)",
        ),
        (
            _future_version,
            "result schema_version 99 is not supported by this hwcheck (supported: 1)",
        ),
        (_typo_key, "malformed result: $.findings[0]: unknown key 'remediaton'"),
    ],
)
def test_malformed_result_exits_2_with_the_json_path_and_writes_nothing(tmp_path, mutate, message):
    name = _broken(tmp_path, mutate)
    done = hwcheck("report", name, "--html", "r.html", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"hwcheck: error: bad.json: {message}")
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert os.listdir(tmp_path) == ["bad.json"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not JSON: line 1 column 1: Expecting value"),
        (b'{"kind": "hwcheck-result",', "not JSON: line 1 column 27: Expecting property name"),
        (b"\xff\xfe{}", "not UTF-8 text (byte 0); not a result"),
        (b"[1, 2]", "not an hwcheck result: expected a JSON object; got [1, 2]"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply; not a result"),
    ],
)
def test_unreadable_result_exits_2(tmp_path, content, message):
    (tmp_path / "bad.json").write_bytes(content)
    done = hwcheck("report", "bad.json", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"hwcheck: error: bad.json: {message}"), done.stderr


def test_missing_file_exits_2(tmp_path):
    done = hwcheck("report", "nope.json", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "hwcheck: error: nope.json: cannot read: No such file or directory\n"


def test_unwritable_output_exits_4_and_keeps_other_files(tmp_path):
    (tmp_path / "r.xml").mkdir()
    done = hwcheck("report", FAILING, "--no-html", "--junit", "r.xml", cwd=tmp_path)
    assert done.returncode == 4
    assert done.stderr == "hwcheck: error: r.xml: is a directory; give a file name\n"


def test_html_into_a_missing_directory_exits_4(tmp_path):
    done = hwcheck("report", FAILING, "--html", "nowhere/r.html", cwd=tmp_path)
    assert done.returncode == 4
    assert (
        done.stderr == "hwcheck: error: nowhere/r.html: cannot write: no such directory: nowhere\n"
    )


def test_contradictory_options_exit_2(tmp_path):
    done = hwcheck("report", FAILING, "--html", "a.html", "--no-html", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.endswith(
        "hwcheck: error: argument --no-html: not allowed with argument --html\n"
    )
    done = hwcheck("report", FAILING, "--json", "-", "--junit", "-", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "hwcheck: error: only one of --junit and --json can write to stdout (-)\n"
    )
    assert os.listdir(tmp_path) == []


def test_default_report_that_cannot_be_written_warns_and_keeps_going(tmp_path):
    (tmp_path / "reports").write_text("a file where the directory should be")
    done = hwcheck("report", FAILING, "--junit", "r.xml", cwd=tmp_path)
    assert done.returncode == 0
    no_html, not_verified = done.stderr.splitlines()
    assert no_html == (
        "hwcheck: warning: no HTML report: cannot create directory reports: File exists "
        "(use --html PATH or --no-html)"
    )
    assert not_verified.startswith(f"hwcheck: warning: {FAILING}: not verified")
    assert done.stdout.splitlines()[-1] == "wrote r.xml"


def test_check_writes_every_report_from_a_real_judgement(tmp_path):
    """End to end: the judge's real output for a captured Dell R750 with ConnectX-5/6 Dx
    cards below mlxup 4.23.0's minimums, through `hwcheck check`, into all three files."""
    capture = os.path.join(HERE, "fixtures", "hosts", "mellanox-cx5-dell")
    done = hwcheck(
        "check",
        "--from-capture",
        capture,
        "--html",
        "r.html",
        "--junit",
        "r.xml",
        "--json",
        "r.json",
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    # The Dell OEM ConnectX-5 is unknown (server vendor's numbering); the CX-6 Dx fails.
    assert done.stdout.startswith(" NON-COMPLIANT   ocp-worker-r750-21: 1 failed, 1 unknown")
    assert "wrote r.html\nwrote r.xml\nwrote r.json\n" in done.stdout
    result = json.loads((tmp_path / "r.json").read_text())
    with open(os.path.join(ROOT, "docs", "schema", "result.schema.json"), encoding="utf-8") as fh:
        jsonschema.validate(result, json.load(fh))
    xmlschema.XMLSchema(os.path.join(HERE, "fixtures", "junit", "junit.xsd")).validate(
        str(tmp_path / "r.xml")
    )
    failures = ET.parse(tmp_path / "r.xml").getroot().findall(".//failure")  # noqa: S314
    assert len(failures) == result["counts"]["failed"] == 1
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "16.32.2004 (DEL0000000016)" in html
    # the saved result renders again through `hwcheck report`, identically but for the note
    # that report judged it again and got the same findings (check's own page has none)
    again = hwcheck("report", "r.json", "--html", "again.html", "-q", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    page = (tmp_path / "again.html").read_text(encoding="utf-8")
    note = re.search(r'<p class="verification vf-verified" role="note">.*?</p>\n', page)
    assert note is not None
    assert 'class="verification' not in html
    assert page.replace(note.group(0), "") == html


def test_check_default_html_path_is_printed(tmp_path):
    capture = os.path.join(HERE, "fixtures", "hosts", "virtio-vm")
    done = hwcheck("check", "--from-capture", capture, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (name,) = os.listdir(tmp_path / "reports")
    assert f"wrote reports/{name}\n" in done.stdout


def _recount(result: dict) -> None:
    """Make verdict, exit code and counts agree with the (edited) findings, as an editor
    covering their tracks would."""
    from hwcheck.judge import verdict

    outcome, code, counts = verdict(result["findings"], strict=result["strict"])
    result.update(verdict=outcome, exit_code=int(code), counts=counts)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ("expired-waiver-as-waived", "status 'waived' without a waiver in force"),
        ("error-fail-as-warn", "status 'warn' on an error-severity rule"),
        ("waived-without-waiver", "status 'waived' without a waiver in force"),
        ("waiver-in-force-as-pass", "status 'pass' with a waiver in force"),
        # An expired waiver records what the finding was: a fail edited to pass is caught.
        ("expired-waiver-fail-as-pass", "an expired waiver records status 'fail', but the"),
    ],
)
def test_report_refuses_findings_the_judge_could_not_give(tmp_path, edit, problem):
    """A failing node's result edited so that every count agrees: still refused, exit 2."""
    saved = tmp_path / "result.json"
    judged = hwcheck(
        "check",
        "--inventory",
        os.path.join(HERE, "fixtures", "inventories", "mellanox-cx5-dell.json"),
        "--waivers",
        os.path.join(HERE, "fixtures", "profiles", "waivers.yaml"),
        "--no-html",
        "--json",
        str(saved),
        cwd=ROOT,
    )
    assert judged.returncode == 1, judged.stderr
    result = json.loads(saved.read_text(encoding="utf-8"))
    by_rule = {f["rule_id"]: f for f in result["findings"]}
    failing, waived = by_rule["nvidia.cx6dx.firmware"], by_rule["nvidia.cx5.firmware"]
    assert (failing["status"], failing["waiver"]["expired"]) == ("fail", True)
    assert (waived["status"], waived["waiver"]["expired"]) == ("waived", False)
    if edit == "expired-waiver-as-waived":
        failing["status"] = "waived"
    elif edit == "error-fail-as-warn":
        failing["status"] = "warn"
    elif edit == "expired-waiver-fail-as-pass":
        failing["status"] = "pass"
    elif edit == "waived-without-waiver":
        failing["status"], failing["waiver"] = "waived", None
    else:
        failing["status"] = "pass"
        failing["waiver"] = dict(waived["waiver"], rule_id="nvidia.cx6dx.firmware")
    _recount(result)
    assert result["verdict"] == "compliant"
    saved.write_text(json.dumps(result), encoding="utf-8")
    done = hwcheck("report", str(saved), "--no-html", cwd=ROOT)
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""
    assert done.stderr.startswith(f"hwcheck: error: {saved}: $.findings[")
    assert problem in done.stderr
