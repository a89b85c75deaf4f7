"""`hwcheck fleet --jobs`: how many processes judge a fleet never changes a byte of its
reports. Outcomes arrive in the order batches finish, rows received are frozen for the
collector, and outcomes are pickled as tuples: none of it may show in the JSON, CSV or HTML.
"""

from __future__ import annotations

import json
import os
import shutil

import fleetgen
from runcli import NO_CACHE, run_hwcheck
from test_fleet_inputs import JUDGED, UNSELECTED, inventory


def reports(tmp_path, inputs: list[str], jobs: str) -> dict[str, bytes]:
    """The JSON, CSV and HTML of one run, with its judging time made one token."""
    out = tmp_path / f"jobs-{jobs}"
    out.mkdir()
    names = {"--json": "fleet.json", "--csv": "fleet.csv", "--html": "fleet.html"}
    args = [arg for option, name in names.items() for arg in (option, str(out / name))]
    done = run_hwcheck("fleet", *inputs, *args, "--jobs", jobs, "-q", env=NO_CACHE)
    assert done.returncode == 1, done.stderr  # some synthesised nodes fail
    judged_at = json.loads((out / "fleet.json").read_text(encoding="utf-8"))["judged_at"]
    return {
        name: (out / name).read_bytes().replace(judged_at.encode(), b"JUDGED_AT")
        for name in names.values()
    }


def test_one_job_and_two_write_the_same_bytes(tmp_path):
    # several batches (64 items each), so the workers' outcomes arrive out of order; the
    # fixture hosts' own inventories and error rows; a node given twice, the older input
    # in another batch than the newer, so one is superseded
    nodes = fleetgen.synthesise(str(tmp_path / "nodes"), 300)
    with open(nodes[7], encoding="utf-8") as handle:
        older = json.load(handle)
    older["collected_at"] = "2026-01-01T00:00:00Z"
    older["nics"][0]["firmware_version"] = "older firmware"
    (tmp_path / "older.json").write_text(json.dumps(older), encoding="utf-8")
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    for name in JUDGED + UNSELECTED:
        shutil.copy(inventory(name), fixtures / f"{name}.json")
    inputs = [str(tmp_path / "older.json"), str(tmp_path / "nodes"), str(fixtures)]
    one, two = reports(tmp_path, inputs, "1"), reports(tmp_path, inputs, "2")
    for name in one:
        assert one[name] == two[name], name
    document = json.loads(one["fleet.json"])
    assert document["counts"]["nodes"] == 300 + len(JUDGED + UNSELECTED)
    assert document["counts"]["superseded"] == 1
    assert document["superseded"][0]["source"] == os.path.join(str(tmp_path), "older.json")
    assert one["fleet.csv"].count(b"\r\n") > 300
