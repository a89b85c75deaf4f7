"""`check --nfd-features`: a feature file for NFD's local source that nfd-worker reads as
the node's verdict, read back with NFD's documented rules (tests/nfdrules.py, written from
NFD's and Kubernetes' documentation), over every fixture host and hostile strings.
"""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from exporterruns import HOSTS, HOSTS_DIR, run_host
from nfdrules import MAX_FILE_BYTES, FeatureFile, label_problem
from runcli import NO_CACHE, ROOT, run_hwcheck

from hwcheck.interop.nfd import render_features

NS = "hwcheck.feature.node.kubernetes.io"
X710 = os.path.join(HOSTS_DIR, "intel-x710-i40e")
HOSTILE_RESULT = os.path.join(ROOT, "tests", "fixtures", "results", "judged-hostile-host.json")


def judged_at(result: dict) -> datetime:
    return datetime.strptime(result["judged_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def read(data: bytes, result: dict) -> FeatureFile:
    """The file as nfd-worker reads it a minute after the node was judged."""
    return FeatureFile(data, at=judged_at(result) + timedelta(minutes=1))


def worst(statuses: list[str]) -> str:
    order = ("fail", "unknown", "warn", "waived", "pass")
    return min(statuses, key=order.index) if statuses else "unjudged"


@pytest.mark.parametrize("host", HOSTS)
def test_each_fixture_host_gets_valid_labels_that_say_its_verdict(host):
    run = run_host(host)
    result = run.result
    features = read(run.nfd, result)
    assert features.problems == []
    labels = features.labels
    assert labels[f"{NS}/verdict"] == result["verdict"]
    assert labels[f"{NS}/compliant"] == ("true" if result["verdict"] == "compliant" else "false")
    assert (result["verdict"] == "compliant") == (run.code == 0)
    assert labels[f"{NS}/version"] == result["hwcheck_version"]
    counts = {s: labels[f"{NS}/findings.{s}"] for s in ("fail", "unknown", "warn", "pass")}
    assert counts == {
        "fail": str(result["counts"]["failed"]),
        "unknown": str(result["counts"]["unknown"]),
        "warn": str(result["counts"]["warned"]),
        "pass": str(result["counts"]["passed"]),
    }
    for use in result["profiles"]:
        assert labels[f"{NS}/profile.{use['name'].replace('/', '.')}"] == use["version"]
    # One card's labels for every card that is not VFs alone, with the statuses its findings
    # got: firmware findings for .firmware, all of them for .status.
    cards = [c for c in result["inventory"]["cards"] if not c.get("vf_only")]
    assert cards
    by_name = {n["name"]: n for n in result["inventory"]["nics"]}
    for card in cards:
        slot = card["card"].replace(":", "-").replace("/", ".")
        mine = [f for f in result["findings"] if f["subject"]["id"] == card["card"]]
        firmware = [f["status"] for f in mine if f.get("fact") == "firmware_version"]
        assert labels[f"{NS}/card.{slot}.firmware"] == worst(firmware)
        assert labels[f"{NS}/card.{slot}.status"] == worst([f["status"] for f in mine])
        drivers = {by_name[p]["driver"] for p in card["ports"]}
        assert labels[f"{NS}/card.{slot}.driver"] == drivers.pop()


def test_a_failing_firmware_is_a_label_a_scheduler_can_select_on():
    run = run_host("intel-x710-i40e")
    labels = read(run.nfd, run.result).labels
    assert run.result["verdict"] == "noncompliant"
    assert labels[f"{NS}/compliant"] == "false"
    assert labels[f"{NS}/card.0000-3b-00.firmware"] == "fail"  # NVM 8.15 below 9.01
    assert labels[f"{NS}/card.0000-3b-00.driver"] == "i40e"
    assert labels[f"{NS}/card.0000-01-00.firmware"] == "unjudged"  # no rule for the I350


def test_the_labels_expire_when_asked_and_nfd_drops_them_then():
    run = run_host("virtio-vm")
    until = judged_at(run.result) + timedelta(hours=2)
    assert read(run.nfd, run.result).expiry == [until]
    assert FeatureFile(run.nfd, at=until + timedelta(seconds=1)).labels == {}
    assert FeatureFile(run.nfd, at=until - timedelta(seconds=1)).labels != {}


def hostile_result() -> dict:
    """The hostile fixture's judged result, its drivers and profile names made hostile: what
    a tampered capture or a careless profile author could put in them."""
    with open(HOSTILE_RESULT, encoding="utf-8") as fh:
        result = json.load(fh)
    nics = result["inventory"]["nics"]
    forged = f"i40e\n{NS}/compliant=true"  # a line break, then a label of its own
    nics[0]["driver"] = nics[1]["driver"] = forged
    result["profiles"] = [
        {**result["profiles"][0], "name": "lab/a b", "version": "2026.1 rc"},
        {**result["profiles"][0], "name": "lab/a_b", "version": None},
        {**result["profiles"][0], "name": "x" * 300, "version": "v" * 64},
    ]
    return result


def test_hostile_strings_never_make_an_invalid_or_forged_label():
    result = hostile_result()
    assert result["verdict"] != "compliant"
    text = render_features(result, expiry=None)
    features = read(text.encode("ascii"), result)
    assert features.problems == []
    assert features.labels[f"{NS}/compliant"] == "false"
    assert f"{NS}/card.0000-3b-00.driver" not in features.labels
    assert any("card.0000-3b-00.driver left out" in c for c in features.comments)
    profiles = {k: v for k, v in features.labels.items() if "/profile." in k}
    # A version that is no label value is left out; a profile without one is `true`.
    assert profiles == {f"{NS}/profile.lab.a_b": "true"}
    assert all(len(k.split("/", 1)[1]) <= 63 for k in features.labels)
    assert sum(1 for c in features.comments if "left out" in c) == 3


def test_long_and_clashing_names_are_shortened_and_kept_apart():
    result = hostile_result()
    result["profiles"] = [
        {**result["profiles"][0], "name": "lab/a b", "version": "1"},
        {**result["profiles"][0], "name": "lab/a_b", "version": "2"},
        {**result["profiles"][0], "name": "y" * 300, "version": "3"},
    ]
    labels = read(render_features(result, expiry=None).encode(), result).labels
    values = sorted(v for k, v in labels.items() if "/profile." in k)
    assert values == ["1", "2", "3"]
    again = copy.deepcopy(result)
    assert render_features(result, expiry=None) == render_features(again, expiry=None)


def test_a_node_with_more_cards_than_nfd_reads_is_cut_to_fit_and_says_so():
    result = hostile_result()
    inventory = result["inventory"]
    card = inventory["cards"][0]
    inventory["cards"] = [{**card, "card": f"0000:{n // 32:02x}:{n % 32:02x}"} for n in range(2000)]
    text = render_features(result, expiry=None)
    assert len(text.encode()) <= MAX_FILE_BYTES
    features = read(text.encode(), result)
    assert features.problems == []
    assert features.labels[f"{NS}/compliant"] == "false"
    assert "NFD ignores files over 64 KiB" in features.comments[-1]


def nfd_check(tmp_path, *options: str):
    out = tmp_path / "features.d" / "hwcheck"
    out.parent.mkdir(exist_ok=True)
    done = run_hwcheck(
        "check", "--from-capture", X710, "--no-html", "--nfd-features", str(out), *options,
        env=NO_CACHE,
    )  # fmt: skip
    return done, out


def test_another_namespace_is_used_as_given(tmp_path):
    done, out = nfd_check(tmp_path, "--nfd-prefix", "hwcheck.example.com/")
    assert done.returncode == 1, done.stderr
    features = FeatureFile(out.read_bytes(), at=datetime.now(UTC))
    assert features.problems == []
    assert features.labels["hwcheck.example.com/compliant"] == "false"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--nfd-prefix", "kubernetes.io"), "--nfd-prefix: nfd-master never publishes"),
        (("--nfd-prefix", "node.kubernetes.io/"), "--nfd-prefix: nfd-master never publishes"),
        (("--nfd-prefix", "Hwcheck_Labels"), "--nfd-prefix: 'Hwcheck_Labels' is no label"),
        (("--nfd-expiry", "2 hours"), "--nfd-expiry: '2 hours' is no duration"),
        (("--nfd-expiry", "0s"), "--nfd-expiry: '0s': the labels must expire"),
        (("--json", "SAME"), "--json and --nfd-features both write"),
    ],
)
def test_bad_options_are_one_line_exit_2_and_nothing_written(tmp_path, options, message):
    out = tmp_path / "features.d" / "hwcheck"
    options = tuple(str(out) if o == "SAME" else o for o in options)
    done, out = nfd_check(tmp_path, *options)
    assert done.returncode == 2
    assert done.stderr.startswith("hwcheck: error: ")
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("option", ["--nfd-prefix", "--nfd-expiry"])
def test_an_nfd_option_without_the_file_is_refused_rather_than_ignored(option):
    value = "hwcheck.example.com" if option == "--nfd-prefix" else "2h"
    done = run_hwcheck("check", "--from-capture", X710, "--no-html", option, value, env=NO_CACHE)
    assert done.returncode == 2
    assert (
        done.stderr
        == f"hwcheck: error: {option} is for the NFD feature file: give --nfd-features PATH too\n"
    )


def test_label_rules_refuse_what_kubernetes_refuses():
    """The validator itself: each documented rule refuses its counter-example."""
    assert label_problem(f"{NS}/compliant", "true") is None
    assert label_problem("compliant", "true")
    assert label_problem("kubernetes.io/arch", "amd64")
    assert label_problem("sub.feature.node.kubernetes.io/x", "1") is None
    assert label_problem(f"{NS}/{'k' * 64}", "v")
    assert label_problem(f"{NS}/x", "v" * 64)
    assert label_problem(f"{NS}/x", "has space")
    assert label_problem(f"{NS}/-x", "v")
    assert label_problem(f"{NS}/x", "") is None
