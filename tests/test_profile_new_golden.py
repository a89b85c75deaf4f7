"""`hwcheck profile new --from INVENTORY` gives a golden-node profile worth keeping: it extends
the profiles that apply to the node, pins BIOS, OS and kernel exactly, requires the NICs'
modules, allows the ConnectX PSIDs the cards carry, lints clean and passes its golden node;
where the node is below a shipped minimum (the real mellanox-cx5-dell capture: a ConnectX-6
Dx on 22.28.1002, below nvidia/connectx's 22.36.1010) it says so, and the vendor rule stays
in force. Every fixture host (tests/fixtures/hosts, captures of real machines) is tried."""

from __future__ import annotations

import json
import os

import pytest
from runcli import NO_CACHE, run_hwcheck

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HOSTS_DIR = os.path.join(HERE, "fixtures", "hosts")
HOSTS = sorted(
    n for n in os.listdir(HOSTS_DIR) if os.path.isfile(os.path.join(HOSTS_DIR, n, "capture.json"))
)
SHIPPED = os.path.join(ROOT, "profiles")
BELOW = "hwcheck: warning: golden value below a vendor minimum: "


def generate(tmp_path, host):
    out = tmp_path / "golden.yaml"
    source = os.path.join(HOSTS_DIR, host, "expected-inventory.json")
    done = run_hwcheck("profile", "new", "--from", source, "-o", str(out), env=NO_CACHE)
    assert done.returncode == 0, done.stderr
    return out, done.stderr


@pytest.mark.parametrize("host", HOSTS)
def test_each_hosts_golden_profile_lints_clean_and_passes_it_unless_below_a_vendor_minimum(
    tmp_path, host
):
    out, stderr = generate(tmp_path, host)
    lint = run_hwcheck("profile", "lint", str(out), env=NO_CACHE)
    assert lint.returncode == 0, lint.stdout
    assert lint.stdout.endswith("1 profile: 0 errors, 0 warnings\n")
    result = tmp_path / "result.json"
    capture = os.path.join(HOSTS_DIR, host)
    done = run_hwcheck(
        "check", "--from-capture", capture, "--profile", str(out), "--no-html", "--json",
        str(result), env=NO_CACHE,
    )  # fmt: skip
    doc = json.loads(result.read_text(encoding="utf-8"))
    site = {f["rule_id"]: f["status"] for f in doc["findings"] if f["layer"] == "site/golden"}
    assert site and "fail" not in site.values() and "warn" not in site.values(), site
    failing = ("fail", "warn")
    vendor = [f for f in doc["findings"] if f["layer"] != "site/golden" and f["status"] in failing]
    warned = [line for line in stderr.splitlines() if line.startswith(BELOW)]
    text = out.read_text(encoding="utf-8")
    if not warned:
        assert done.returncode == 0, done.stdout
        assert doc["verdict"] == "compliant" and not vendor
        assert "# WARNING" not in text
        return
    # Below a vendor minimum: never silent, and the vendor's rule still judges the node.
    assert len(warned) == len(vendor)
    for finding in vendor:
        sentence = f"{finding['rule_id']} ({finding['layer']}) on {finding['subject']['label']}: "
        assert any(line.startswith(BELOW + sentence) for line in warned), sentence
        assert f"#   {sentence}" in text
    failed = any(f["status"] == "fail" for f in vendor)
    assert done.returncode == (1 if failed else 0)


def test_a_connectx6dx_on_old_firmware_does_not_become_the_site_minimum_silently(tmp_path):
    out, stderr = generate(tmp_path, "mellanox-cx5-dell")
    cx6 = (
        "nvidia.cx6dx.firmware (nvidia/connectx) on Mellanox Technologies MT2892 Family "
        "[ConnectX-6 Dx] (ens3f0np0, ens3f1np1) at 0000:b1:00: Firmware fw 22.28.1002 is below "
        "the minimum 22.36.1010."
    )
    assert f"{BELOW}{cx6}\n" in stderr
    text = out.read_text(encoding="utf-8")
    assert f"#   {cx6}\n" in text
    # The golden value is the site rule; the vendor minimum stays above it, in force.
    assert 'firmware: {format: mlx, component: fw, min: "22.28.1002"}' in text
    # The Dell OEM ConnectX-5 cannot be judged by NVIDIA's numbers: said too.
    assert "hwcheck: warning: a vendor rule cannot judge the golden node: nvidia.cx5.firmware" in (
        stderr
    )


def test_the_golden_rules_pin_what_the_node_has_exactly(tmp_path):
    out, _ = generate(tmp_path, "mellanox-cx5-dell")
    text = out.read_text(encoding="utf-8")
    assert 'extends: ["nvidia/connectx"]\n' in text
    for line in (
        '    kernel: {release: {exact: "5.14.0-427.13.1.el9_4.x86_64"}}',  # never cut to 5.14.0
        '    os: {id: {exact: "rhel"}}',
        '    os: {version_id: {exact: "9.4"}}',
        '    system: {bios_version: {exact: "1.13.2"}}',
        '    module: {name: "mlx5_core", state: required}',
        '    firmware: {format: mlx, component: psid, allowed: ["DEL0000000016"]}',
        '    firmware: {format: mlx, component: psid, allowed: ["MT_0000000430"]}',
    ):
        assert line + "\n" in text, line
    # A BIOS version that is no dotted version is left out, saying so (HPE's ROM family).
    out, _ = generate(tmp_path, "qlogic-qede")
    text = out.read_text(encoding="utf-8")
    assert '  # BIOS version "U30" is not a dotted version: no rule\n' in text
    assert "bios_version" not in text


def test_once_written_the_golden_profile_is_the_one_check_picks(tmp_path):
    """Beside the shipped profiles, the golden profile applies and the vendor profile it
    extends is judged as its layer, not a second time."""
    site = tmp_path / "site-profiles" / "site"
    site.mkdir(parents=True)
    out, _ = generate(tmp_path, "intel-e810-ice")
    (site / "golden.yaml").write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
    done = run_hwcheck(
        "check", "--from-capture", os.path.join(HOSTS_DIR, "intel-e810-ice"), "--no-html",
        "--profile-dir", str(tmp_path / "site-profiles"), "--profile-dir", SHIPPED, env=NO_CACHE,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "profile site/golden <- intel/800-series <- linux/baseline: applies_to matched" in (
        done.stdout
    )


def test_the_golden_profile_extends_a_site_profile_found_through_profile_dir(tmp_path):
    """`profile new` searches as `check` does: with the worked site example's directory
    added (tests/fixtures/sites: dc1/site applies to Supermicro nodes with E810 cards), the
    golden profile of the Supermicro E810 node extends dc1/site, not intel/800-series; with
    --profile-path naming only that directory, the shipped profiles are not there to extend
    and resolving dc1/site's own extends fails as one line, exit 2."""
    source = os.path.join(HOSTS_DIR, "intel-e810-ice", "expected-inventory.json")
    sites = os.path.join(HERE, "fixtures", "sites")
    plain = run_hwcheck("profile", "new", "--from", source, env=NO_CACHE)
    assert plain.returncode == 0, plain.stderr
    assert 'extends: ["intel/800-series"]' in plain.stdout
    added = run_hwcheck("profile", "new", "--from", source, "--profile-dir", sites, env=NO_CACHE)
    assert added.returncode == 0, added.stderr
    assert 'extends: ["dc1/site"]' in added.stdout
    only = run_hwcheck("profile", "new", "--from", source, "--profile-path", sites, env=NO_CACHE)
    assert only.returncode == 2, only.stdout + only.stderr
    assert only.stderr.startswith("hwcheck: error: ") and only.stderr.count("\n") == 1
