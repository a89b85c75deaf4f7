"""Gating holds whatever the order of profiles, the state of the module list, or where
standard error goes: a node that should not pass never exits 0.

Each case runs the real command line on a fixture host (tests/fixtures/hosts, real-world
values; see each SOURCE.md) or inventory, with one thing changed in a copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from runcli import ROOT, run_hwcheck

FIXTURES = os.path.join(ROOT, "tests", "fixtures")
MELLANOX = os.path.join(FIXTURES, "hosts", "mellanox-cx5-dell")
VIRTIO = os.path.join(FIXTURES, "inventories", "virtio-vm.json")
NO_CACHE = {"HWCHECK_NO_CACHE": "1", "NO_COLOR": "1"}


def _write(path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def check_named(pdir, *profiles: str) -> subprocess.CompletedProcess[str]:
    """`check` of the virtio VM's inventory against PROFILES from PDIR, the result as JSON."""
    named = [arg for name in profiles for arg in ("--profile", name)]
    return run_hwcheck(
        "check",
        "--profile-path",
        str(pdir),
        *named,
        "--inventory",
        VIRTIO,
        "--no-html",
        "--json",
        "-",
        env=NO_CACHE,
    )


@pytest.fixture
def unreadable_module_list(tmp_path):
    """The Mellanox host, captured where /proc/modules could not be read (EACCES)."""
    host = tmp_path / "host"
    shutil.copytree(MELLANOX, host, symlinks=True)
    errors_path = host / "recorded" / "errors.json"
    errors = json.loads(errors_path.read_text(encoding="utf-8"))
    errors["proc/modules"] = "EACCES"
    errors_path.write_text(json.dumps(errors), encoding="utf-8")
    return str(host)


@pytest.mark.parametrize(("state", "when_readable"), [("forbidden", 1), ("required", 0)])
def test_a_module_rule_is_unknown_when_the_module_list_could_not_be_read(
    tmp_path, unreadable_module_list, state, when_readable
):
    profile = _write(
        tmp_path / "m.yaml",
        "hwcheck_profile: 1\nname: m\nunknown_nics: ignore\nrules:\n"
        f"  - id: m.mlx5-ib\n    module: {{name: mlx5_ib, state: {state}}}\n",
    )
    readable = run_hwcheck(
        "check", "--from-capture", MELLANOX, "--profile", profile, "--no-html", env=NO_CACHE
    )
    assert readable.returncode == when_readable, readable.stdout + readable.stderr
    unreadable = run_hwcheck(
        "check",
        "--from-capture",
        unreadable_module_list,
        "--profile",
        profile,
        "--no-html",
        env=NO_CACHE,
    )
    assert unreadable.returncode == 3, unreadable.stdout + unreadable.stderr
    assert "the module list is incomplete" in unreadable.stdout
    assert "modules.loaded" in unreadable.stdout


def test_an_overlay_in_one_profile_does_not_hide_another_profiles_failure(tmp_path):
    """Two selected profiles share a base rule; one lowers it to a warning. The other's
    error-severity failure gates, whichever order the profiles are named in."""
    pdir = tmp_path / "profiles"
    _write(
        pdir / "base" / "x.yaml",
        "hwcheck_profile: 1\nname: base/x\nrules:\n"
        '  - id: base.kernel\n    kernel:\n      release: {min: "99.0"}\n',
    )
    _write(
        pdir / "a" / "site.yaml",
        "hwcheck_profile: 1\nname: a/site\nextends: [base/x]\nrules:\n"
        "  - id: base.kernel\n    severity: warning\n",
    )
    _write(pdir / "b" / "site.yaml", "hwcheck_profile: 1\nname: b/site\nextends: [base/x]\n")
    for order in (("a/site", "b/site"), ("b/site", "a/site")):
        done = check_named(pdir, *order)
        assert done.returncode == 1, (order, done.stderr)
        result = json.loads(done.stdout)
        kernel = sorted(
            (f["profile"], f["severity"], f["status"])
            for f in result["findings"]
            if f["rule_id"] == "base.kernel"
        )
        assert kernel == [("a/site", "warning", "warn"), ("b/site", "error", "fail")], order


def test_two_profiles_sharing_an_unchanged_base_judge_it_once(tmp_path):
    pdir = tmp_path / "profiles"
    _write(
        pdir / "base" / "x.yaml",
        "hwcheck_profile: 1\nname: base/x\nrules:\n"
        '  - id: base.kernel\n    kernel:\n      release: {min: "99.0"}\n',
    )
    _write(pdir / "a" / "site.yaml", "hwcheck_profile: 1\nname: a/site\nextends: [base/x]\n")
    _write(pdir / "b" / "site.yaml", "hwcheck_profile: 1\nname: b/site\nextends: [base/x]\n")
    done = check_named(pdir, "a/site", "b/site")
    result = json.loads(done.stdout)
    assert [f["rule_id"] for f in result["findings"]].count("base.kernel") == 1


def test_junit_unknown_on_a_warning_rule_is_an_error_only_when_strict(tmp_path):
    """A compliant node must not fail the CI job that reads its JUnit."""
    profile = _write(
        tmp_path / "w.yaml",
        "hwcheck_profile: 1\nname: w\nrules:\n  - id: w.bios\n    severity: warning\n"
        '    system: {bios_version: {min: "1.0"}}\n',
    )
    for strict, code, errors in (([], 0, "0"), (["--strict"], 1, "1")):
        done = run_hwcheck(
            "check",
            "--inventory",
            VIRTIO,
            "--profile",
            profile,
            "--no-html",
            "--junit",
            "-",
            *strict,
            env=NO_CACHE,
        )
        assert done.returncode == code, done.stderr
        suites = ET.fromstring(done.stdout)  # noqa: S314 - our own output under test
        assert suites.get("errors") == errors, strict
        # The case is named by host (tests/test_render_junit.py): `vm.w.bios`.
        case = next(c for c in suites.iter("testcase") if c.get("classname") == "vm.w.bios")
        if not strict:
            out = case.find("system-out")
            assert out is not None
            assert (out.text or "").startswith("UNKNOWN: ")


def _with_stderr(stderr_redirect: str, *args: str) -> int:
    script = f'exec "$0" -m hwcheck "$@" >/dev/null {stderr_redirect}'
    done = subprocess.run(
        ["sh", "-c", script, sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **NO_CACHE},
        check=False,
    )
    return done.returncode


@pytest.mark.parametrize("redirect", ["2>/dev/full", "2>&-"])
def test_a_full_or_closed_standard_error_keeps_the_commands_exit_code(redirect):
    """A PXE hook may run with stderr closed: exit codes must stay what they mean."""
    assert _with_stderr(redirect, "check", "--inventory", VIRTIO, "--no-html") == 0
    x710 = os.path.join(FIXTURES, "inventories", "intel-x710-i40e.json")
    assert _with_stderr(redirect, "check", "--inventory", x710, "--no-html") == 1
    assert _with_stderr(redirect, "check", "--inventory", "/nonexistent.json") == 2


def test_an_unknown_card_fails_under_the_profile_that_fails_it_in_either_order(tmp_path):
    """One profile warns about cards it does not know, another fails them: each says so,
    and the card fails the node whichever order the profiles are named in."""
    pdir = tmp_path / "profiles"
    _write(pdir / "a" / "lax.yaml", "hwcheck_profile: 1\nname: a/lax\nunknown_nics: warn\n")
    _write(pdir / "b" / "strict.yaml", "hwcheck_profile: 1\nname: b/strict\nunknown_nics: fail\n")
    for order in (("a/lax", "b/strict"), ("b/strict", "a/lax")):
        done = check_named(pdir, *order)
        assert done.returncode == 1, (order, done.stderr)
        unknown = {
            (f["profile"], f["status"])
            for f in json.loads(done.stdout)["findings"]
            if f["rule_id"] == "hwcheck.unknown-nic"
        }
        assert unknown == {("a/lax", "warn"), ("b/strict", "fail")}, order


def test_on_a_kernel_without_modules_builtin_an_unlisted_module_is_unknown(tmp_path):
    """This VM's kernel has no loadable modules and no modules.builtin: /sys/module lists
    only built-ins with parameters (virtio_net is there; tun, built in, is not). Neither
    `forbidden` nor `required` may be decided for a module the list cannot show."""
    virtio_host = os.path.join(FIXTURES, "hosts", "virtio-vm")
    cases = [("tun", "forbidden", 3), ("tun", "required", 3), ("virtio_net", "required", 0)]
    for name, state, code in cases:
        profile = _write(
            tmp_path / f"{name}-{state}.yaml",
            "hwcheck_profile: 1\nname: m\nunknown_nics: ignore\nrules:\n"
            f"  - id: m.module\n    module: {{name: {name}, state: {state}}}\n",
        )
        done = run_hwcheck(
            "check",
            "--from-capture",
            virtio_host,
            "--profile",
            profile,
            "--no-html",
            env=NO_CACHE,
        )
        assert done.returncode == code, (name, state, done.stdout)
        if code == 3:
            assert "the module list is incomplete (not-found:" in done.stdout
