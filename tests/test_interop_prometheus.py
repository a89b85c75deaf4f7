"""`check --prometheus`: node_exporter textfile-collector metrics, read back with the official
text-format parser (prometheus_client.parser), over every fixture host and hostile strings;
written with the reports as one set, under a temporary name node_exporter never reads; the
same label names and values as the collector's /metrics for the same things.
"""

from __future__ import annotations

import json
import os
import re

import httpx
import pytest
from collectorproc import Collector
from exporterruns import HOSTS, HOSTS_DIR, run_host
from prometheus_client.parser import text_string_to_metric_families
from runcli import NO_CACHE, ROOT, run_hwcheck

from hwcheck.cli import main
from hwcheck.interop.prometheus import render_textfile

X710 = os.path.join(HOSTS_DIR, "intel-x710-i40e")
INVENTORY = os.path.join(ROOT, "tests", "fixtures", "inventories", "intel-x710-i40e.json")
HOSTILE_RESULT = os.path.join(ROOT, "tests", "fixtures", "results", "judged-hostile-host.json")
STATUSES = ("fail", "unknown", "warn", "waived", "pass")
VERDICTS = ("compliant", "noncompliant", "unknown")
COUNT = dict(zip(STATUSES, ("failed", "unknown", "warned", "waived", "passed"), strict=True))
# Prometheus' naming conventions (https://prometheus.io/docs/practices/naming/) and its data
# model's name rules (https://prometheus.io/docs/concepts/data_model/).
METRIC_NAME = re.compile(r"^hwcheck_[a-z][a-z0-9_]*$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def families(text: str) -> dict[str, object]:
    return {f.name: f for f in text_string_to_metric_families(text)}


def samples(family) -> list[tuple[dict[str, str], float]]:
    return [(s.labels, s.value) for s in family.samples]


@pytest.mark.parametrize("host", HOSTS)
def test_each_fixture_host_gets_metrics_the_official_parser_reads_as_its_result(host):
    run = run_host(host)
    result = run.result
    found = families(run.prom.decode("utf-8"))
    for name, family in found.items():
        assert METRIC_NAME.match(name), name
        assert family.type == "gauge", name
        assert family.documentation, name
        assert not name.endswith("_total"), name  # a gauge, not a counter
        assert all(LABEL_NAME.match(k) for s in family.samples for k in s.labels)
        if name.endswith("_info"):
            assert {s.value for s in family.samples} == {1.0}
    assert samples(found["hwcheck_build_info"]) == [({"version": result["hwcheck_version"]}, 1)]
    verdicts = {labels["verdict"]: v for labels, v in samples(found["hwcheck_node_verdict"])}
    assert verdicts == {v: float(v == result["verdict"]) for v in VERDICTS}
    counts = {labels["status"]: v for labels, v in samples(found["hwcheck_findings"])}
    assert counts == {s: result["counts"][COUNT[s]] for s in STATUSES}
    assert samples(found["hwcheck_profile_info"]) == [
        ({"name": use["name"], "version": use["version"] or ""}, 1) for use in result["profiles"]
    ]
    # One info series per port of every card that is not VFs alone, as the kernel said it.
    inventory = result["inventory"]
    by_name = {n["name"]: n for n in inventory["nics"]}
    cards = [c for c in inventory["cards"] if not c.get("vf_only")]
    ports = [(c, by_name[p]) for c in cards for p in c["ports"]]
    assert len(found["hwcheck_nic_info"].samples) == len(ports)
    for (card, nic), (labels, _) in zip(ports, samples(found["hwcheck_nic_info"]), strict=True):
        ids = card.get("usb", card)
        assert labels["slot"] == card["card"]
        assert labels["port"] == nic["name"]
        assert labels["vendor_id"] == ids["vendor_id"]
        assert labels["device_id"] == ids.get("device_id", ids.get("product_id"))
        assert labels["driver"] == (nic["driver"] or "")
        assert labels["driver_version"] == (nic["driver_version"] or "")
        assert labels["firmware"] == (nic["firmware_version"] or "")
    firmware: dict[str, dict[str, float]] = {}
    for labels, value in samples(found["hwcheck_nic_firmware_status"]):
        firmware.setdefault(labels["slot"], {})[labels["status"]] = value
    assert set(firmware) == {c["card"] for c in cards}
    for card in cards:
        judged = [
            f["status"]
            for f in result["findings"]
            if f["subject"]["id"] == card["card"] and f.get("fact") == "firmware_version"
        ]
        held = min(judged, key=STATUSES.index) if judged else "unjudged"
        assert firmware[card["card"]] == {s: float(s == held) for s in (*STATUSES, "unjudged")}
    probe = found["hwcheck_probe_duration_seconds"].samples[0].value
    assert 0 < probe < 60
    stamp = found["hwcheck_last_run_timestamp_seconds"].samples[0].value
    from datetime import UTC, datetime

    assert datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") == result["judged_at"]


def test_an_alert_on_failing_firmware_finds_the_x710():
    found = families(run_host("intel-x710-i40e").prom.decode())
    failing = [
        labels["slot"]
        for labels, value in samples(found["hwcheck_nic_firmware_status"])
        if labels["status"] == "fail" and value == 1
    ]
    assert failing == ["0000:3b:00"]
    verdict = {k["verdict"]: v for k, v in samples(found["hwcheck_node_verdict"])}
    assert verdict["compliant"] == 0


def test_hostile_strings_are_escaped_and_read_back_exactly():
    with open(HOSTILE_RESULT, encoding="utf-8") as fh:
        result = json.load(fh)
    nics = result["inventory"]["nics"]
    long_firmware = nics[1]["firmware_version"]  # 985 characters with markup, as captured
    assert len(long_firmware) > 900
    nics[0]["driver"] = 'i40e" } 1\nhwcheck_node_verdict{verdict="compliant"} 1 \\'
    nics[0]["driver_version"] = "bad \udcff byte"  # an undecodable byte, kept escaped
    text = render_textfile(result, probe_seconds=None)
    found = families(text)
    info = {labels["port"]: labels for labels, _ in samples(found["hwcheck_nic_info"])}
    assert info["ens1f0"]["driver"] == nics[0]["driver"]
    assert info["ens1f0"]["driver_version"] == "bad \\udcff byte"
    assert info["ens1f1"]["firmware"] == long_firmware
    verdicts = {k["verdict"]: v for k, v in samples(found["hwcheck_node_verdict"])}
    assert verdicts["compliant"] == 0  # the forged line stayed inside its label value
    assert "hwcheck_probe_duration_seconds" not in found
    text.encode("utf-8")  # no lone surrogate reaches the file


def test_an_inventory_read_from_a_file_has_no_probe_duration(tmp_path):
    out = tmp_path / "hwcheck.prom"
    done = run_hwcheck(
        "check", "--inventory", INVENTORY, "--no-html", "--prometheus", str(out), env=NO_CACHE
    )
    assert done.returncode == 1, done.stderr
    found = families(out.read_text())
    assert "hwcheck_probe_duration_seconds" not in found
    assert "hwcheck_node_verdict" in found


def test_the_file_is_staged_under_a_name_node_exporter_never_reads(tmp_path, monkeypatch):
    """node_exporter reads `*.prom`, nfd-worker every file but dot files: each is written
    complete under a dot name not ending in .prom in the same directory, then renamed."""
    renames: list[tuple[str, str]] = []
    real = os.replace

    def replace(src, dst):
        renames.append((str(src), str(dst)))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setenv("HWCHECK_NO_CACHE", "1")
    prom, nfd = tmp_path / "textfile" / "hwcheck.prom", tmp_path / "features.d" / "hwcheck"
    prom.parent.mkdir()
    nfd.parent.mkdir()
    code = main(["check", "--from-capture", X710, "--no-html", "-q",
                 "--prometheus", str(prom), "--nfd-features", str(nfd)])  # fmt: skip
    assert code == 1
    staged = {dst: src for src, dst in renames}
    for target in (str(prom), str(nfd)):
        temp = staged[target]
        assert os.path.dirname(temp) == os.path.dirname(target)
        assert os.path.basename(temp).startswith(".")
        assert not temp.endswith(".prom")
    assert sorted(os.listdir(prom.parent)) == ["hwcheck.prom"]
    assert sorted(os.listdir(nfd.parent)) == ["hwcheck"]


def test_the_exporters_and_the_reports_are_written_all_or_none(tmp_path):
    prom, report = tmp_path / "hwcheck.prom", tmp_path / "result.json"
    prom.write_text("# the previous run's metrics\n")
    done = run_hwcheck(
        "check", "--from-capture", X710, "--no-html", "--json", str(report),
        "--prometheus", str(prom), "--nfd-features", str(tmp_path / "missing" / "hwcheck"),
        env=NO_CACHE,
    )  # fmt: skip
    assert done.returncode == 4
    assert "no such directory" in done.stderr
    assert prom.read_text() == "# the previous run's metrics\n"
    assert not report.exists()
    assert sorted(os.listdir(tmp_path)) == ["hwcheck.prom"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("-", "--prometheus needs a file name"),
        ("/dev/stdout", "--prometheus needs a file name"),
        ("metrics.txt", "--prometheus: metrics.txt: node_exporter's textfile collector reads"),
        ("", "--prometheus: an empty path"),
    ],
)
def test_a_path_node_exporter_would_not_read_is_refused(tmp_path, path, message):
    done = run_hwcheck(
        "check", "--from-capture", X710, "--no-html", "--prometheus", path, cwd=str(tmp_path),
        env=NO_CACHE,
    )  # fmt: skip
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert os.listdir(tmp_path) == []


def test_the_collector_names_the_same_things_with_the_same_labels(tmp_path):
    """The fleet's /metrics and one node's textfile: a verdict is a `verdict` label with the
    same values, a finding's status a `status` label, a profile a `name` label."""
    with open(INVENTORY, "rb") as fh:
        data = fh.read()
    out = tmp_path / "hwcheck.prom"
    done = run_hwcheck(
        "check", "--inventory", INVENTORY, "--no-html", "--prometheus", str(out), env=NO_CACHE
    )
    assert done.returncode == 1, done.stderr
    node = families(out.read_text())
    with Collector() as server, httpx.Client(base_url=server.url, timeout=30) as client:
        posted = client.post(
            "/api/v1/submissions",
            content=data,
            headers={**server.auth("enroll"), "Content-Type": "application/json"},
        )
        assert posted.status_code == 200, posted.text
        text = client.get("/metrics", headers=server.auth("read")).text
    fleet = families(text)
    node_verdicts = {k["verdict"] for k, _ in samples(node["hwcheck_node_verdict"])}
    fleet_verdicts = {k["verdict"] for k, _ in samples(fleet["hwcheck_collector_nodes"])}
    assert fleet_verdicts == node_verdicts | {"error"}  # a fleet node may also be unreadable
    fleet_nodes = {k["verdict"]: v for k, v in samples(fleet["hwcheck_collector_nodes"])}
    node_verdict = {k["verdict"]: v for k, v in samples(node["hwcheck_node_verdict"])}
    assert {k: v for k, v in fleet_nodes.items() if k != "error"} == node_verdict
    rule_statuses = {k["status"] for k, _ in samples(fleet["hwcheck_collector_rule_nodes"])}
    node_statuses = {k["status"] for k, v in samples(node["hwcheck_findings"]) if v}
    assert rule_statuses and rule_statuses <= node_statuses
    fleet_profiles = {k["name"] for k, _ in samples(fleet["hwcheck_collector_profile_info"])}
    node_profiles = {k["name"] for k, _ in samples(node["hwcheck_profile_info"])}
    assert node_profiles <= fleet_profiles
