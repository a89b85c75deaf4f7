"""The reference-architecture profiles (profiles/dpdk/) hold only what was published.

Every version a rule names is read back from the published excerpts in
tests/fixtures/refarch/ (see its README.md for the documents and versions), in the entry of
the same PCI device, so no threshold can be added or mistyped without its source. The
profiles are then run through the real CLI over the fixture hosts, whose inventories are
probes of tests/fixtures/hosts/ (tests/fixtures/inventories/SOURCE.md).
"""

import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from hwcheck.versions import compare

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXCERPTS = os.path.join(ROOT, "tests", "fixtures", "refarch")
PROFILES = os.path.join(ROOT, "profiles", "dpdk")
INVENTORIES = os.path.join(ROOT, "tests", "fixtures", "inventories")
RELEASES = ("23.11", "24.11")

# A NIC entry of "Tested Platforms" starts with a bullet naming the vendor.
_ENTRY = re.compile(r"^\s*\* (?:Intel|NVIDIA)\b", re.M)
_DEVICE = re.compile(r"Device (?:id \(pf(?:/vf)?\)|ID): ([0-9a-f]{4}:[0-9a-f]{4})")
_FIRMWARE = re.compile(r"Firmware version(?:\(PF\))?:\s+(\S+?),?(?:\s|$)")
_DRIVER = re.compile(r"Driver version(?:\([a-z-]+\))?: (\S+)")


def _read(name):
    with open(os.path.join(EXCERPTS, name), encoding="utf-8") as f:
        return f.read()


def published(release):
    """PCI device -> {"names", "firmware", "driver"} from the release notes' entries."""
    table: dict = {}
    for entry in _ENTRY.split(_read(f"dpdk-{release}-tested-platforms.rst")):
        devices = _DEVICE.findall(entry)
        if not devices:
            continue
        slot = table.setdefault(devices[0], {"names": [], "firmware": set(), "driver": set()})
        slot["names"].append(entry.splitlines()[0].strip())
        slot["firmware"].update(_FIRMWARE.findall(entry))
        slot["driver"].update(_DRIVER.findall(entry))
    return table


def mlnx_ofed(release):
    """The version on the line after "* OFED:" (the host's OFED, not the BlueField's Arm OS)."""
    found = re.search(
        r"\* OFED:\s+\* MLNX_OFED (\S+) and above", _read(f"dpdk-{release}-tested-platforms.rst")
    )
    assert found, release
    return found.group(1)


def matching_list():
    """DPDK release -> (out-of-tree ice, firmware) from the ice guide's E810 table."""
    rows = {}
    for line in _read("dpdk-ice-matching-list.rst").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and re.fullmatch(r"\d+\.\d+", cells[0]):
            rows[cells[0]] = (cells[1], cells[5])
    return rows


def profile(release):
    with open(os.path.join(PROFILES, f"{release}.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def thresholds(constraint):
    values = [constraint[op] for op in ("min", "max", "exact") if op in constraint]
    values += list(constraint.get("allowed", [])) + list(constraint.get("range", []))
    return values


def version_rules(release):
    for rule in profile(release)["rules"]:
        for check in ("firmware", "driver_version"):
            if check in rule:
                yield rule, check, rule[check]


def e810(table):
    return {dev for dev, slot in table.items() if any("E810" in n for n in slot["names"])}


def test_the_excerpts_parse_into_the_tables_the_readme_describes():
    # Guards the parser itself: a test reading nothing would pass every threshold.
    t2311, t2411 = published("23.11"), published("24.11")
    assert t2311["8086:1592"]["firmware"] == {"4.40"}
    assert t2311["15b3:1017"]["firmware"] == {"16.35.2000", "16.38.1900"}
    assert t2411["8086:1521"]["firmware"] == {"1.63"}
    assert "2.26.8" in t2411["8086:158b"]["driver"]
    assert e810(t2411) == {"8086:1592", "8086:1593", "8086:159b"}
    assert len(t2311) == 23 and len(t2411) == 23
    assert matching_list()["23.11"] == ("1.13.7", "4.4")
    assert mlnx_ofed("23.11") == "23.07-0.5.1.2"


@pytest.mark.parametrize("release", RELEASES)
def test_every_threshold_is_the_published_value_for_that_device(release):
    table, ofed = published(release), mlnx_ofed(release)
    ice = matching_list()[release][0]
    checked = 0
    for rule, check, constraint in version_rules(release):
        assert set(constraint) <= {"format", "component", "min"}, rule["id"]
        (value,) = thresholds(constraint)
        for device in rule["nic"]["devices"]:
            assert device in table, f"{rule['id']}: {device} is not in the {release} notes"
            slot = table[device]
            if check == "firmware":
                assert value in slot["firmware"], (rule["id"], device, slot["firmware"])
                # "and above" for several entries of one device: the lowest of them, so
                # that no entry of the table fails the rule.
                fmt, comp = constraint["format"], constraint["component"]
                assert all(compare(fmt, comp, value, other) <= 0 for other in slot["firmware"])
            elif device.startswith("15b3:"):
                assert value == ofed, rule["id"]
            elif value not in slot["driver"]:
                # Only the ice guide's matching list gives another driver, and only for E810.
                assert device in e810(table) and value == ice, (rule["id"], device)
                assert "matching list" in rule["title"], rule["id"]
            checked += 1
        assert f"DPDK {release}" in rule["title"] or "matching list" in rule["title"]
    assert checked > 30


@pytest.mark.parametrize("release", RELEASES)
def test_the_e810_nvm_is_the_matching_list_firmware_too(release):
    # The guide writes the NVM with one digit ("4.4"), the notes as the kernel prints it.
    (rule,) = [r for r in profile(release)["rules"] if r["id"] == f"dpdk.{release}.e810.nvm"]
    major, minor = matching_list()[release][1].split(".")
    assert rule["firmware"]["min"] == f"{major}.{minor:0<2}"


@pytest.mark.parametrize("release", RELEASES)
def test_the_count_rule_selects_every_tested_nic_and_nothing_else(release):
    (count,) = [r for r in profile(release)["rules"] if "count" in r]
    assert sorted(count["nic"]["devices"]) == sorted(published(release))


@pytest.mark.parametrize("release", RELEASES)
def test_named_only_and_citing_the_release(release):
    doc = profile(release)
    assert doc["name"] == f"dpdk/{release}"
    assert "applies_to" not in doc and "extends" not in doc
    urls = [s["url"] for s in doc["sources"]]
    assert (
        f"https://doc.dpdk.org/guides-{release}/rel_notes/release_{release.replace('.', '_')}.html"
        in urls
    )


def hwcheck(*args):
    return subprocess.run(
        [sys.executable, "-m", "hwcheck", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "HWCHECK_NO_CACHE": "1"},
        check=False,
    )


def check(release, host, *extra):
    done = hwcheck(
        "check",
        "--profile",
        f"dpdk/{release}",
        "--profile-dir",
        "profiles",
        "--no-html",
        "--json",
        "-",
        *extra,
        "--inventory",
        os.path.join(INVENTORIES, f"{host}.json"),
    )
    result = json.loads(done.stdout)
    statuses = {}
    for finding in result["findings"]:
        statuses.setdefault(finding["rule_id"], set()).add(finding["status"])
    return done.returncode, result["verdict"], statuses


# (release, host, exit code, verdict, rule -> status) for the findings users act on.
CASES = [
    # E810-C 4.30 with ice 1.16.3: the NVM is below both releases' 4.40 / 4.60.
    (
        "23.11",
        "intel-e810-ice",
        1,
        "noncompliant",
        {
            "dpdk.23.11.e810.nvm": "fail",
            "dpdk.23.11.e810.driver-version": "pass",
            "dpdk.23.11.count": "pass",
        },
    ),
    (
        "24.11",
        "intel-e810-ice",
        1,
        "noncompliant",
        {"dpdk.24.11.e810.nvm": "fail", "dpdk.24.11.ice.driver-version": "pass"},
    ),
    # X710 8.15 / i40e 2.8.20-k: tested-with values are warnings; the Dell I350's 1.67 passes.
    (
        "23.11",
        "intel-x710-i40e",
        0,
        "compliant",
        {
            "dpdk.23.11.x710.nvm": "warn",
            "dpdk.23.11.i40e.driver-version": "warn",
            "dpdk.23.11.i350.nvm": "pass",
        },
    ),
    (
        "24.11",
        "intel-x710-i40e",
        0,
        "compliant",
        {
            "dpdk.24.11.x710.nvm": "warn",
            "dpdk.24.11.i40e.driver-version": "warn",
            "dpdk.24.11.i350.nvm": "pass",
        },
    ),
    # Dell OEM ConnectX-5: NVIDIA's minimum does not apply to a DEL PSID (unknown); the
    # ConnectX-6 Dx at 22.28.1002 fails; MLNX_OFED 24.10-1.1.4 passes both OFED lines.
    (
        "23.11",
        "mellanox-cx5-dell",
        1,
        "noncompliant",
        {
            "dpdk.23.11.cx5.firmware": "unknown",
            "dpdk.23.11.cx6dx.firmware": "fail",
            "dpdk.23.11.mlnx-ofed": "pass",
        },
    ),
    # 24.11 lists no ConnectX-5: an unknown NIC, a warning.
    (
        "24.11",
        "mellanox-cx5-dell",
        1,
        "noncompliant",
        {
            "dpdk.24.11.cx6dx.firmware": "fail",
            "dpdk.24.11.mlnx-ofed": "pass",
            "hwcheck.unknown-nic": "warn",
        },
    ),
    # In-tree mlx5_core reports the kernel release: the OFED warning is unknown, not a pass.
    (
        "23.11",
        "mellanox-mixed-function",
        1,
        "noncompliant",
        {
            "dpdk.23.11.cx4lx.firmware": "pass",
            "dpdk.23.11.cx6dx.firmware": "fail",
            "dpdk.23.11.mlnx-ofed": "unknown",
        },
    ),
    # ixgbe 5.19.6 is 23.11's tested driver and below 24.11's; the board's I211 is in neither.
    (
        "23.11",
        "intel-ixgbe-igb-i211",
        0,
        "compliant",
        {"dpdk.23.11.82599.driver-version": "pass", "hwcheck.unknown-nic": "warn"},
    ),
    (
        "24.11",
        "intel-ixgbe-igb-i211",
        0,
        "compliant",
        {"dpdk.24.11.ixgbe.driver-version": "warn", "hwcheck.unknown-nic": "warn"},
    ),
    # No tested NIC visible at all (a VM, or every port already bound to vfio-pci).
    ("23.11", "virtio-vm", 1, "noncompliant", {"dpdk.23.11.count": "fail"}),
]


@pytest.mark.parametrize(("release", "host", "code", "verdict", "expected"), CASES)
def test_fixture_hosts_against_the_dpdk_profiles(release, host, code, verdict, expected):
    got_code, got_verdict, statuses = check(release, host)
    assert (got_code, got_verdict) == (code, verdict)
    for rule, status in expected.items():
        assert statuses.get(rule) == {status}, (rule, statuses.get(rule))


def test_strict_turns_the_tested_with_warnings_into_a_failure():
    code, verdict, _ = check("23.11", "intel-x710-i40e", "--strict")
    assert (code, verdict) == (1, "noncompliant")


def test_a_capture_judged_by_name_gives_the_same_findings_as_its_inventory():
    done = hwcheck(
        "check",
        "--from-capture",
        "tests/fixtures/hosts/intel-e810-ice",
        "--profile",
        "dpdk/23.11",
        "--profile-dir",
        "profiles",
        "--no-html",
        "--json",
        "-",
    )
    statuses = {f["rule_id"]: f["status"] for f in json.loads(done.stdout)["findings"]}
    assert done.returncode == 1
    assert statuses["dpdk.23.11.e810.nvm"] == "fail"


@pytest.mark.parametrize(
    "host", sorted(n[:-5] for n in os.listdir(INVENTORIES) if n.endswith(".json"))
)
def test_never_picked_without_being_named(host):
    done = hwcheck(
        "check",
        "--profile-dir",
        "profiles",
        "--no-html",
        "--json",
        "-",
        "--inventory",
        os.path.join(INVENTORIES, f"{host}.json"),
    )
    if done.returncode == 6:  # nothing applies: no profile picked at all
        assert "dpdk/" not in done.stdout
        return
    picked = [p["name"] for p in json.loads(done.stdout)["profiles"]]
    assert not [p for p in picked if p.startswith("dpdk/")]
