"""Version thresholds are checked when the profile loads, in the format they are judged in.

Driver versions (`driver_version`, `pair.driver_version`) and module versions are judged
in format `driver` whether or not the rule names it, so a threshold that does not parse
must be exit 2 at its file:line:column from `profile lint` and `check`, not an unknown
finding on every node. Bounds no value can satisfy (a reversed range, min above max,
bounds with no common order) are refused the same way.
"""

from __future__ import annotations

import os

import pytest
from runcli import ROOT, run_hwcheck

from hwcheck.status import ExitStatus

SHIPPED = os.path.join(ROOT, "profiles")
INVENTORIES = os.path.join(ROOT, "tests/fixtures/inventories")
NO_CACHE = {"HWCHECK_NO_CACHE": "1"}

I40E_RULE = (
    '  - id: site.pair\n    nic: {devices: ["8086:1572"]}\n'
    '    pair: {driver_version: %s, firmware: {format: intel-nvm, min: "9.01"}}\n'
)

# (shipped profile copied, text replaced, replacement, "operator: value" the error points
#  at (its value), message, inventory a check runs against)
CASES = {
    "driver_version min garbage": (
        "intel/700-series",
        'driver_version: {min: "2.20.12"}',
        'driver_version: {min: "garbage!!"}',
        'min: "garbage!!"',
        "'garbage!!' is not a valid driver version value",
        "intel-x710-i40e",
    ),
    "driver_version range reversed": (
        "intel/700-series",
        'driver_version: {min: "2.20.12"}',
        'driver_version: {range: ["2.20.12", "2.8.20-k"]}',
        'range: ["2.20.12"',
        "range starts above where it ends (2.20.12 > 2.8.20-k)",
        "intel-x710-i40e",
    ),
    "driver_version min above max": (
        "intel/800-series",
        'driver_version: {min: "1.9.11"}',
        'driver_version: {min: "1.9.11", max: "1.8.3"}',
        'min: "1.9.11", max',
        "min is above max (1.9.11 > 1.8.3)",
        "intel-e810-ice",
    ),
    "module version garbage": (
        "lab/kvm-virtio",
        "module: {name: virtio_net}",
        'module: {name: virtio_net, version: {exact: "v-one"}}',
        'exact: "v-one"',
        "'v-one' is not a valid driver version value",
        "virtio-vm",
    ),
    "module version range reversed": (
        "lab/kvm-virtio",
        "module: {name: virtio_net}",
        'module: {name: virtio_net, version: {range: ["1.1", "1.0.0"]}}',
        'range: ["1.1"',
        "range starts above where it ends (1.1 > 1.0.0)",
        "virtio-vm",
    ),
    "pair driver_version garbage": (
        "intel/700-series",
        'driver_version: {min: "2.20.12"}\n',
        'driver_version: {min: "2.20.12"}\n' + I40E_RULE % '{max: "k2.20"}',
        'max: "k2.20"',
        "'k2.20' is not a valid driver version value",
        "intel-x710-i40e",
    ),
    "firmware min above max": (
        "nvidia/connectx",
        'firmware: {format: mlx, component: fw, min: "16.35.2000"}',
        'firmware: {format: mlx, component: fw, min: "16.35.2000", max: "16.30.1004"}',
        'min: "16.35.2000", max',
        "min is above max (16.35.2000 > 16.30.1004)",
        "mellanox-cx5-dell",
    ),
}


def _broken_copy(tmp_path, profile: str, old: str, new: str, mark: str) -> tuple[str, str]:
    """A copy of a shipped profile with one thing broken, and where the error must point."""
    with open(os.path.join(SHIPPED, profile + ".yaml"), encoding="utf-8") as fh:
        text = fh.read()
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    (number, line), *others = [
        (n, line) for n, line in enumerate(text.splitlines(), start=1) if mark in line
    ]
    assert not others, mark
    column = line.index(mark) + mark.index(": ") + len(": ") + 1
    return str(path), f"{path}:{number}:{column}"


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_threshold_that_cannot_hold_is_refused_where_it_is_written(tmp_path, case):
    profile, old, new, mark, message, inventory = CASES[case]
    path, where = _broken_copy(tmp_path, profile, old, new, mark)

    run = run_hwcheck("profile", "lint", path, "--profile-path", SHIPPED, env=NO_CACHE)
    assert run.returncode == ExitStatus.USAGE, run.stdout
    assert f"error: {where}: {message}" in run.stdout, run.stdout

    run = run_hwcheck(
        "check",
        "--inventory",
        os.path.join(INVENTORIES, inventory + ".json"),
        "--profile",
        path,
        "--profile-path",
        SHIPPED,
        "--no-html",
        cwd=str(tmp_path),
        env=NO_CACHE,
    )
    assert run.returncode == ExitStatus.USAGE, run.stdout + run.stderr
    assert run.stderr.startswith(f"hwcheck: error: {where}: {message}"), run.stderr
    assert run.stderr.count("\n") == 1, run.stderr
    assert os.listdir(tmp_path) == ["broken.yaml"]


def test_bounds_of_two_chips_are_refused_not_a_crash(tmp_path):
    """tg3 bootcodes of different chips have no common order: exit 2, never exit 70."""
    path = tmp_path / "tg3.yaml"
    for ops, value in (
        ('{format: tg3, range: ["5719-v1.45", "5720-v1.39"]}', '["5719'),
        ('{format: tg3, min: "5719-v1.45", max: "5720-v1.39"}', '"5719'),
    ):
        path.write_text(
            "hwcheck_profile: 1\n"
            "name: site/tg3\n"
            "rules:\n"
            "  - id: site.tg3.bootcode\n"
            '    nic: {devices: ["14e4:165f"]}\n'
            f"    firmware: {ops}\n",
            encoding="utf-8",
        )
        column = f"    firmware: {ops}".index(value) + 1
        run = run_hwcheck("profile", "lint", str(path), env=NO_CACHE)
        assert run.returncode == ExitStatus.USAGE, run.stdout + run.stderr
        assert f"error: {path}:6:{column}: the " in run.stdout, run.stdout
        assert "bootcodes of different chips (5719 and 5720)" in run.stdout
        assert run.stderr == ""
