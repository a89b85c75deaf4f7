"""JUnit XML: valid against the CI systems' structure, one case per rule and subject, outcomes
that mirror the exit code."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest
import xmlschema

from hwcheck.render.junit import render_junit

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures", "results")
XSD = os.path.join(HERE, "fixtures", "junit", "junit.xsd")


def load(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(XSD)


@pytest.mark.parametrize(
    "name",
    [
        "failing-node.json",
        "passing-vm.json",
        "hostile-node.json",
        "judged-mellanox-cx5-dell.json",
        "judged-intel-x710-i40e.json",
        "judged-hostile-host.json",
    ],
)
def test_junit_validates_against_the_junit_schema(schema, name):
    schema.validate(render_junit(load(name)))


def test_the_schema_itself_rejects_a_malformed_report(schema):
    """The schema is not a rubber stamp: two outcomes in one case and a missing count fail."""
    bad = (
        '<testsuites><testsuite name="x"><testcase name="a">'
        "<failure/><skipped/></testcase></testsuite></testsuites>"
    )
    assert not schema.is_valid(bad)
    assert not schema.is_valid('<testsuites><testsuite name="x"/></testsuites>')


def cases(xml):
    """The root, and each case by (rule ID, subject): its classname is `HOST.RULE_ID`, HOST
    the one its suite is named for (`HOST: PROFILE`)."""
    root = ET.fromstring(xml)  # noqa: S314 - our own output under test
    out = {}
    for suite in root.iter("testsuite"):
        host = suite.get("name").rsplit(": ", 1)[0]
        for case in suite.iter("testcase"):
            outcome = [child.tag for child in case if child.tag != "system-out"]
            classname = case.get("classname")
            assert classname.startswith(host + "."), (classname, host)
            rule = classname[len(host) + 1 :]
            out[(rule, case.get("name"))] = (outcome[0] if outcome else "pass", case)
    return root, out


def test_one_case_per_rule_and_subject_with_outcomes_that_mirror_the_verdict():
    result = load("failing-node.json")
    root, found = cases(render_junit(result))
    assert len(found) == len(result["findings"]) == 18
    cx5 = "MT27800 Family [ConnectX-5] (ens3f0np0, ens3f1np1) at 0000:5e:00"
    assert found[("nvidia.cx5.firmware.min", cx5)][0] == "failure"
    bcm = "BCM957414A4142CC 10Gb/25Gb Ethernet PCIe (ens4f0np0, ens4f1np1) at 0000:af:00"
    assert found[("broadcom.bnxt.firmware.min", bcm)][0] == "error"
    assert found[("kernel.cmdline.iommu", "Kernel command line")][0] == "pass"
    cx6 = "MT2892 Family [ConnectX-6 Dx] (ens5f0np0, ens5f1np1) at 0000:86:00"
    assert found[("nvidia.cx6dx.firmware.min", cx6)][0] == "skipped"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["r640-compute-07.dc1.example.net: dc1-compute"]
    suite = suites[0]
    assert (
        suite.get("tests"),
        suite.get("failures"),
        suite.get("errors"),
        suite.get("skipped"),
    ) == (
        "18",
        "2",
        "1",
        "1",
    )
    assert suite.get("hostname") == "r640-compute-07.dc1.example.net"
    assert suite.get("timestamp") == "2026-11-24T14:02:12"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["hwcheck.verdict"] == "NON-COMPLIANT"
    assert props["hwcheck.judged_at"] == "2026-11-24T14:02:12Z"
    assert props["hwcheck.profile.layers"].endswith("broadcom-netxtreme-e > dc1-compute")


def test_failure_carries_the_explanation_and_the_values():
    _, found = cases(render_junit(load("failing-node.json")))
    cx5 = "MT27800 Family [ConnectX-5] (ens3f0np0, ens3f1np1) at 0000:5e:00"
    failure = found[("nvidia.cx5.firmware.min", cx5)][1].find("failure")
    assert failure.get("type") == "fail"
    assert failure.get("message").startswith(
        "Firmware 16.32.2004 is older than the minimum 16.35.2000 for ConnectX-5"
    )
    assert "observed: '16.32.2004 (DEL0000000016)'" in failure.text
    assert "expected: version >= 16.35.2000" in failure.text
    assert "advisory: https://network.nvidia.com/support/firmware/connectx5en/" in failure.text


def test_warnings_pass_unless_strict_then_they_fail():
    result = load("failing-node.json")
    _, found = cases(render_junit(result))
    outcome, case = found[("kernel.cmdline.iommu", "Kernel command line")]
    assert outcome == "pass"
    assert case.find("system-out").text.startswith("WARNING: The kernel command line has no")
    result["strict"] = True
    _, found = cases(render_junit(result))
    outcome, case = found[("kernel.cmdline.iommu", "Kernel command line")]
    assert outcome == "failure"
    assert case.find("failure").get("type") == "warning"


def test_waived_case_is_skipped_with_its_justification():
    _, found = cases(render_junit(load("failing-node.json")))
    cx6 = "MT2892 Family [ConnectX-6 Dx] (ens5f0np0, ens5f1np1) at 0000:86:00"
    skipped = found[("nvidia.cx6dx.firmware.min", cx6)][1].find("skipped")
    assert skipped.get("message") == (
        "waived: Storage vendor certifies 22.28 only until their Q1 release; "
        "vendor case 01871234. (until 2027-03-31)"
    )


def test_gaps_go_to_the_suite_output():
    root, _ = cases(render_junit(load("failing-node.json")))
    out = root.find("testsuite").find("system-out").text
    assert "could not read nic[ens4f1np1].driver_info: vanished (ethtool-ioctl)" in out


def test_hostile_values_stay_well_formed_text():
    xml = render_junit(load("hostile-node.json"))
    root, found = cases(xml)  # parses: nothing broke out of an attribute or a text node
    assert "\x00" not in xml
    assert "\x1b" not in xml
    failure = next(c for (rule, _), (o, c) in found.items() if rule == "nvidia.cx5.firmware.min")
    text = failure.find("failure").text
    assert '<script>window.__pwned="script"</script> ]]> &amp; \\x00\\x1b[31m' in text
    assert "javascript:" not in text  # only http(s) advisories are offered as links
    assert root.find("testsuite").get("hostname") == "../../etc/<b>evil</b> -rf"


def _check_junit(tmp_path, name, inventory):
    """`hwcheck check --junit` of `inventory` (a document), through the real command line."""
    import subprocess
    import sys

    inv = tmp_path / f"{name}.json"
    inv.write_text(json.dumps(inventory), encoding="utf-8")
    out = tmp_path / f"{name}.xml"
    profiles = os.path.join(os.path.dirname(HERE), "profiles")
    argv = ["check", "--no-html", "--inventory", str(inv), "--profile-dir", profiles]
    done = subprocess.run(
        [sys.executable, "-m", "hwcheck", *argv, "--junit", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1, 3), done.stderr
    return out.read_text(encoding="utf-8")


def test_two_nodes_files_merge_in_one_ci_view_without_clashing_names(tmp_path, schema):
    """Two nodes of one model (the real X710 fixture inventory, the second with another
    hostname and serial) judged by the same profiles: every suite and every case is still
    told apart once their files are merged, as a CI view merges the files of 400 nodes."""
    with open(os.path.join(HERE, "fixtures", "inventories", "intel-x710-i40e.json")) as fh:
        first = json.load(fh)
    second = json.loads(json.dumps(first))
    second["host"]["hostname"] = "compute-r740-08"
    second["system"]["product_serial"] = "8XJ2Q63"
    merged = ET.Element("testsuites")
    seen_suites, seen_cases, per_node = [], [], []
    for name, inventory in (("a", first), ("b", second)):
        xml = _check_junit(tmp_path, name, inventory)
        schema.validate(xml)
        root = ET.fromstring(xml)  # noqa: S314 - our own output under test
        host = inventory["host"]["hostname"]
        suites = root.findall("testsuite")
        assert suites and all(s.get("name").startswith(f"{host}: ") for s in suites)
        found = [(c.get("classname"), c.get("name")) for s in suites for c in s.iter("testcase")]
        assert all(classname.startswith(f"{host}.") for classname, _ in found)
        per_node.append({(c[len(host) + 1 :], n) for c, n in found})
        seen_suites += [s.get("name") for s in suites]
        seen_cases += found
        merged.extend(suites)
    # The same rules on the same cards on both nodes: without the host these would clash.
    shared = per_node[0] & per_node[1]
    assert ("intel.700.nvm", next(n for r, n in shared if r == "intel.700.nvm")) in shared
    assert len(set(seen_suites)) == len(seen_suites)
    assert len(set(seen_cases)) == len(seen_cases)
    schema.validate(ET.tostring(merged, encoding="unicode"))


def test_a_result_without_profiles_is_one_suite_named_by_its_host():
    result = load("passing-vm.json")
    result.update(profiles=[], findings=[], not_applicable=[])
    root = ET.fromstring(render_junit(result))  # noqa: S314 - our own output under test
    assert [s.get("name") for s in root.iter("testsuite")] == ["vm"]
