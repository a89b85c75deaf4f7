"""`hwcheck waivers lint FILE...`: a waiver for a rule no profile defines is an error at
file:line with the nearest rule ID; an expired waiver is a warning (and, with
`--expiring-within DAYS`, one that runs out soon); exit 0, 1 or 2 as
`profile lint`. Real runs of the command line against the shipped profiles."""

from __future__ import annotations

import os

from runcli import NO_CACHE, ROOT, run_hwcheck

from hwcheck.status import ExitStatus

SHIPPED = os.path.join(ROOT, "profiles")

GOOD = """\
hwcheck_waivers: 1
waivers:
  - rule: nvidia.cx6dx.firmware
    scope: {model: "15b3:101d"}
    justification: the firmware update is scheduled with the next maintenance window
    expires: 2999-12-31
  - rule: hwcheck.unknown-nic
    scope: {node: lab-01}
    justification: a lab card no profile covers
    expires: 2999-12-31
"""


def _lint(*args: str):
    return run_hwcheck("waivers", "lint", *args, "--profile-path", SHIPPED, env=NO_CACHE)


def _write(tmp_path, text: str, name: str = "waivers.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_waivers_for_rules_the_profiles_define_lint_clean(tmp_path):
    done = _lint(_write(tmp_path, GOOD))
    assert (done.returncode, done.stderr) == (ExitStatus.OK, ""), done.stdout
    assert done.stdout == "1 waiver file: 0 errors, 0 warnings\n"


def test_a_mistyped_rule_id_is_an_error_at_its_line_with_the_nearest_rule(tmp_path):
    path = _write(tmp_path, GOOD.replace("nvidia.cx6dx.firmware", "nvidia.cx6dx.firmwre"))
    done = _lint(path)
    assert done.returncode == ExitStatus.USAGE
    assert done.stdout == (
        f"error: {path}:3: waiver for unknown rule 'nvidia.cx6dx.firmwre' (did you mean "
        "'nvidia.cx6dx.firmware'?)\n"
        "1 waiver file: 1 error, 0 warnings\n"
    )


def test_a_rule_only_another_profile_defines_is_unknown_for_the_profile_named(tmp_path):
    path = _write(tmp_path, GOOD)
    done = _lint(path, "--profile", "intel/800-series")
    assert done.returncode == ExitStatus.USAGE
    assert f"error: {path}:3: waiver for unknown rule 'nvidia.cx6dx.firmware'" in done.stdout
    # Every layer a named profile extends defines rules too (linux/baseline's here).
    done = _lint(path, "--profile", "nvidia/connectx")
    assert done.returncode == ExitStatus.OK, done.stdout


def test_an_expired_waiver_is_a_warning(tmp_path):
    path = _write(tmp_path, GOOD.replace("2999-12-31", "2020-01-31", 1))
    done = _lint(path)
    assert done.returncode == ExitStatus.NONCOMPLIANT
    assert done.stdout == (
        f"warning: {path}:3: waiver for nvidia.cx6dx.firmware expired on 2020-01-31; it "
        "waives nothing\n"
        "1 waiver file: 0 errors, 1 warning\n"
    )


def test_with_expiring_within_a_waiver_that_runs_out_soon_is_a_warning_too(tmp_path):
    import datetime

    today = datetime.datetime.now(datetime.UTC).date()
    soon = (today + datetime.timedelta(days=5)).isoformat()
    path = _write(tmp_path, GOOD.replace("2999-12-31", soon, 1))
    # without the option only expired waivers warn: a pipeline keeps passing as it did
    assert _lint(path).returncode == ExitStatus.OK
    done = _lint(path, "--expiring-within", "7")
    assert done.returncode == ExitStatus.NONCOMPLIANT
    assert done.stdout == (
        f"warning: {path}:3: waiver for nvidia.cx6dx.firmware expires in 5 days ({soon})\n"
        "1 waiver file: 0 errors, 1 warning\n"
    )
    assert _lint(path, "--expiring-within", "4").returncode == ExitStatus.OK
    today_path = _write(tmp_path, GOOD.replace("2999-12-31", today.isoformat(), 1), "t.yaml")
    done = _lint(today_path, "--expiring-within", "0")
    assert "waiver for nvidia.cx6dx.firmware expires today" in done.stdout
    # an expired waiver is said once, as expired
    old = _write(tmp_path, GOOD.replace("2999-12-31", "2020-01-31", 1), "old.yaml")
    done = _lint(old, "--expiring-within", "30")
    assert done.stdout.count("warning:") == 1 and "expired on 2020-01-31" in done.stdout
    done = _lint(path, "--expiring-within", "soon")
    assert done.returncode == ExitStatus.USAGE
    assert "must be a whole number of days, 0 or more; got 'soon'" in done.stderr


def test_a_file_that_does_not_load_is_an_error_and_the_others_are_still_linted(tmp_path):
    bad = _write(tmp_path, GOOD.replace("    expires: 2999-12-31\n", "", 1), "bad.yaml")
    good = _write(tmp_path, GOOD)
    done = _lint(bad, good)
    assert done.returncode == ExitStatus.USAGE
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"error: {bad}:3:5: ")
    assert "expires" in lines[0]
    assert lines[1:] == ["2 waiver files: 1 error, 0 warnings"]


def test_lint_against_an_added_directory_knows_site_rules_and_shipped_ones(tmp_path):
    site = tmp_path / "profiles" / "site"
    site.mkdir(parents=True)
    (site / "r650.yaml").write_text(
        "hwcheck_profile: 1\nname: site/r650\nextends: [nvidia/connectx]\nrules:\n"
        "  - id: site.r650.kernel\n    title: Kernel 5.14 or later\n"
        "    kernel: {release: {min: '5.14'}}\n",
        encoding="utf-8",
    )
    path = _write(tmp_path, GOOD.replace("hwcheck.unknown-nic", "site.r650.kernel"))
    done = run_hwcheck(
        "waivers", "lint", path, "--profile-dir", str(tmp_path / "profiles"), env=NO_CACHE
    )
    assert done.returncode == ExitStatus.OK, done.stdout
    missing = str(tmp_path / "nowhere")
    done = run_hwcheck("waivers", "lint", path, "--profile-dir", missing, env=NO_CACHE)
    assert done.returncode == ExitStatus.USAGE
    assert done.stderr == (
        f"hwcheck: error: {missing}: no such profile directory (given with --profile-dir)\n"
    )
