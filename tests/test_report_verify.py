"""`hwcheck report` judges a result's embedded inventory again when the profiles it names are
at hand, and says what it found in the terminal, the HTML and the JSON.

A result file is not signed: an edited finding (fail to pass, counts and verdict adjusted to
match) once rendered COMPLIANT. Now it is refused (exit 2, one line) unless --unverified asks
for it as it is, and then every report says it was not verified. The results are real
`hwcheck check --json` output of the fixture hosts (tests/fixtures/results/SOURCE.md;
scripts/regenerate-judged-results.py writes them again when the judge changes)."""

from __future__ import annotations

import json
import os

import pytest
from runcli import run_hwcheck

from hwcheck.judge import verdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "tests", "fixtures", "results")
X710 = os.path.join(RESULTS, "judged-intel-x710-i40e.json")
HOST_X710 = os.path.join(ROOT, "tests", "fixtures", "hosts", "intel-x710-i40e")
JUDGED = sorted(name for name in os.listdir(RESULTS) if name.startswith("judged-"))


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def save(tmp_path, doc, name="result.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2))
    return str(path)


def passed_off(doc):
    """The X710's NVM failure edited into a pass, the counts and verdict made to match, so
    the file is consistent with itself (what `report` checked before)."""
    index = next(i for i, f in enumerate(doc["findings"]) if f["status"] == "fail")
    doc["findings"][index]["status"] = "pass"
    outcome, code, counts = verdict(doc["findings"], strict=doc["strict"])
    doc["verdict"], doc["exit_code"], doc["counts"] = outcome, int(code), counts
    return index


@pytest.mark.parametrize("name", JUDGED)
def test_every_judged_fixture_result_is_verified(tmp_path, name):
    """If this fails, the judge or the shipped profiles changed: run
    scripts/regenerate-judged-results.py."""
    out = tmp_path / "again.json"
    done = run_hwcheck("report", os.path.join(RESULTS, name), "--no-html", "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines()[-1].startswith(
        "verified: re-judged the embedded inventory against "
    )
    verification = load(out)["verification"]
    assert verification["status"] == "verified"
    assert verification["detail"].endswith(": the same findings and verdict")


def test_a_finding_edited_from_fail_to_pass_is_refused(tmp_path):
    doc = load(X710)
    index = passed_off(doc)
    assert doc["verdict"] == "compliant"  # two warnings left: compliant, as the judge says
    path = save(tmp_path, doc)
    html = tmp_path / "r.html"
    done = run_hwcheck("report", path, "--html", str(html))
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr == (
        f"hwcheck: error: {path}: its findings do not follow from its inventory and the "
        f"profiles at hand: $.findings[{index}] (intel.700.nvm on 0000:3b:00) says 'pass', "
        "re-judging gives 'fail'; it was edited, or the profiles or hwcheck changed since "
        "(--unverified renders it as it is, marked not verified)\n"
    )
    assert not html.exists()


def test_unverified_renders_it_as_it_is_and_says_so_everywhere(tmp_path):
    doc = load(X710)
    passed_off(doc)
    path = save(tmp_path, doc)
    html, out = tmp_path / "r.html", tmp_path / "r.json"
    done = run_hwcheck("report", path, "--unverified", "--html", str(html), "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(
        f"hwcheck: warning: {path}: NOT VERIFIED, rendered as it is (--unverified): its "
        "findings do not follow from its inventory and the profiles: $.findings["
    )
    assert load(out)["verification"]["status"] == "contradicted"
    page = html.read_text(encoding="utf-8")
    assert (
        '<p class="verification vf-contradicted" role="note"><b>NOT VERIFIED: the findings do '
        "not follow.</b> Judged again from the inventory it embeds and the profiles at hand, "
        "this result gives other findings."
    ) in page


def test_without_its_profiles_a_result_is_not_verified_and_says_so(tmp_path):
    empty = tmp_path / "profiles"
    empty.mkdir()
    html, out = tmp_path / "r.html", tmp_path / "r.json"
    done = run_hwcheck(
        "report", X710, "--profile-path", str(empty), "--html", str(html), "--json", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        f"hwcheck: warning: {X710}: not verified (a result file is not signed; its findings "
        f"were not re-judged): profile intel/700-series is not at hand (searched {empty}); "
        "give its directory with --profile-dir\n"
    )
    assert load(out)["verification"] == {
        "status": "not-verified",
        "detail": f"profile intel/700-series is not at hand (searched {empty}); give its "
        "directory with --profile-dir",
    }
    assert '<p class="verification vf-not-verified" role="note"><b>Not verified.</b>' in (
        html.read_text(encoding="utf-8")
    )


def test_quiet_keeps_the_verdict_line_alone_and_the_warning_on_stderr(tmp_path):
    empty = tmp_path / "p"
    empty.mkdir()
    done = run_hwcheck("report", X710, "--profile-path", str(empty), "--no-html", "--quiet")
    assert done.returncode == 0
    assert done.stdout.count("\n") == 1
    assert "not verified" in done.stderr


def test_a_profile_dropped_from_a_selected_result_is_refused(tmp_path):
    """The selection is judged again too: a result cannot shed a profile that applies."""
    doc = load(X710)
    doc["profiles"][0]["selected_because"] = "applies_to matched: something else"
    path = save(tmp_path, doc)
    done = run_hwcheck("report", path, "--no-html")
    assert done.returncode == 2
    assert "the profiles differ (re-judging selects intel/700-series" in done.stderr


def judged_with_waiver(tmp_path):
    """A real `check` of the X710 host with a waiver for its NVM failure."""
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "hwcheck_waivers: 1\n"
        "waivers:\n"
        "  - rule: intel.700.nvm\n"
        "    scope: {node: compute-r740-07}\n"
        "    justification: NVM update scheduled with the next maintenance window.\n"
        "    expires: 2099-12-31\n"
    )
    out = tmp_path / "judged.json"
    done = run_hwcheck(
        "check",
        "--from-capture",
        HOST_X710,
        "--waivers",
        str(waivers),
        "--json",
        str(out),
        "--no-html",
    )
    assert done.returncode == 0, done.stderr  # waived, and warnings do not gate
    return str(waivers), str(out)


def test_waived_findings_are_verified_only_against_the_waiver_file(tmp_path):
    waivers, judged = judged_with_waiver(tmp_path)
    doc = load(judged)
    assert [f["status"] for f in doc["findings"]].count("waived") == 1
    without = run_hwcheck("report", judged, "--no-html")
    assert without.returncode == 0, without.stderr
    assert "their waivers were read from the result itself (give the waiver file with " in (
        without.stderr
    )
    given = run_hwcheck("report", judged, "--waivers", waivers, "--no-html")
    assert given.returncode == 0, given.stderr
    assert given.stderr == ""
    assert "verified: " in given.stdout


def test_a_waiver_edited_into_a_result_is_caught_by_the_waiver_file(tmp_path):
    waivers, judged = judged_with_waiver(tmp_path)
    doc = load(judged)
    waived = next(f for f in doc["findings"] if f["status"] == "waived")
    waived["waiver"]["expires"] = "2199-12-31"
    path = save(tmp_path, doc, "edited.json")
    done = run_hwcheck("report", path, "--waivers", waivers, "--no-html")
    assert done.returncode == 2
    assert "(intel.700.nvm on 0000:3b:00): its waiver differs from what re-judging gives" in (
        done.stderr
    )
