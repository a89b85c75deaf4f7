"""`hwcheck fleet`: every kind of input, one verdict with `check`, node identity, error rows
and the exit code's precedence, over the real fixture hosts and their inventories."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile

import pytest
from runcli import NO_CACHE, ROOT, check_json, run_hwcheck

INVENTORIES = os.path.join(ROOT, "tests", "fixtures", "inventories")
HOSTS = os.path.join(ROOT, "tests", "fixtures", "hosts")
RESULTS = os.path.join(ROOT, "tests", "fixtures", "results")
# Fixture hosts some shipped profile applies to (the others are error rows: no profile applies).
JUDGED = (
    "broadcom-bnxt-bnx2x",
    "hostile",
    "intel-e810-ice",
    "intel-x710-i40e",
    "mellanox-cx5-dell",
    "mellanox-mixed-function",
    "virtio-vm",
)
UNSELECTED = ("dell-usb-nics", "intel-ixgbe-igb-i211", "qlogic-qede")


def fleet(*args: str, stdin: str | None = None) -> tuple[int, dict, str]:
    """`hwcheck fleet ARGS --json -`: exit code, fleet document, stderr."""
    done = run_hwcheck("fleet", *args, "--json", "-", "-q", env=NO_CACHE, stdin=stdin)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


def rows_by_source(doc: dict) -> dict[str, dict]:
    return {row["source"]: row for row in doc["nodes"]}


def inventory(name: str) -> str:
    return os.path.join(INVENTORIES, f"{name}.json")


def load(name: str) -> dict:
    with open(inventory(name), encoding="utf-8") as fh:
        return json.load(fh)


def write(path: str, doc: dict) -> str:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    return path


def test_each_node_gets_the_verdict_and_failed_rules_check_gives_it():
    code, doc, _ = fleet(*(inventory(n) for n in JUDGED))
    rows = rows_by_source(doc)
    worst = 0
    for name in JUDGED:
        check_code, result = check_json("--inventory", inventory(name))
        row = rows[inventory(name)]
        assert row["verdict"] == result["verdict"], name
        assert row["exit_code"] == check_code, name
        failed = {f["rule_id"] for f in result["findings"] if f["status"] == "fail"}
        unknown = {f["rule_id"] for f in result["findings"] if f["status"] == "unknown"}
        assert set(row["failed_rules"]) == failed, name
        assert set(row["unknown_rules"]) == unknown, name
        assert row["profiles"] == [p["name"] for p in result["profiles"]], name
        assert row["hostname"] == result["inventory"]["host"]["hostname"]
        worst = max(worst, check_code == 1)
    assert doc["counts"]["nodes"] == len(JUDGED)
    assert doc["counts"]["noncompliant"] == sum(
        r["verdict"] == "noncompliant" for r in rows.values()
    )
    assert code == 1 and doc["verdict"] == "noncompliant" and worst


def test_waivers_and_strict_apply_to_every_node_as_check_applies_them():
    waivers = os.path.join(ROOT, "tests", "fixtures", "profiles", "waivers.yaml")
    name = "mellanox-cx5-dell"
    for extra in (["--waivers", waivers], ["--strict"], ["--waivers", waivers, "--strict"]):
        check_code, result = check_json("--inventory", inventory(name), *extra)
        code, doc, _ = fleet(inventory(name), *extra)
        (row,) = doc["nodes"]
        assert (row["verdict"], row["exit_code"]) == (result["verdict"], check_code), extra
        waived = {f["rule_id"] for f in result["findings"] if f["status"] == "waived"}
        assert set(row["waived_rules"]) == waived, extra
        assert code == check_code


def test_a_capture_directory_and_its_archive_give_the_inventory_the_probe_gives(tmp_path):
    host = os.path.join(HOSTS, "intel-e810-ice")
    archive = tmp_path / "e810.tar.gz"
    subprocess.run(["tar", "czf", str(archive), "-C", host, "."], check=True)
    _, doc, _ = fleet(host, str(archive), inventory("intel-e810-ice"))
    # one node three times: the directory, the archive and the inventory agree on everything
    # but where they were read from, so one counts and two are superseded
    assert doc["counts"]["nodes"] == 1 and doc["counts"]["superseded"] == 2
    (row,) = doc["nodes"]
    _, result = check_json("--from-capture", host)
    assert row["verdict"] == result["verdict"]
    assert {s["source"] for s in doc["superseded"]} | {row["source"]} == {
        host,
        str(archive),
        inventory("intel-e810-ice"),
    }
    assert row["cards"][0]["firmware_version"] == "4.30 0x8001af27 1.3429.0"


def test_a_directory_is_walked_and_a_tar_of_many_is_read_member_by_member(tmp_path):
    fetched = tmp_path / "fetched"
    for name in ("intel-x710-i40e", "virtio-vm"):
        (fetched / name).mkdir(parents=True)
        shutil.copy(inventory(name), fetched / name / "inventory.json")
    (fetched / "virtio-vm" / "fleet.html").write_text("<html>not an input</html>")
    (fetched / "virtio-vm" / "notes.txt").write_text("not an input either")
    capture = tmp_path / "e810.tar.gz"
    subprocess.run(
        ["tar", "czf", str(capture), "-C", os.path.join(HOSTS, "intel-e810-ice"), "."], check=True
    )
    shutil.copy(capture, fetched / "e810.tar.gz")
    many = tmp_path / "many.tar.gz"
    with tarfile.open(many, "w:gz") as tar:
        tar.add(fetched, arcname="fetched")
    for given in (str(fetched), str(many)):
        _, doc, _ = fleet(given)
        hosts = sorted(row["hostname"] for row in doc["nodes"])
        assert hosts == ["compute-r740-07", "nfvi-sm-12", "vm"], given
        assert doc["counts"]["error"] == 0, doc["nodes"]
    _, doc, _ = fleet(str(many))
    assert {row["source"] for row in doc["nodes"]} == {
        f"{many}:fetched/e810.tar.gz",
        f"{many}:fetched/intel-x710-i40e/inventory.json",
        f"{many}:fetched/virtio-vm/inventory.json",
    }


def test_paths_on_standard_input(tmp_path):
    listing = "\n".join([inventory("virtio-vm"), "", inventory("intel-e810-ice")]) + "\n"
    code, doc, _ = fleet("-", stdin=listing)
    assert sorted(row["hostname"] for row in doc["nodes"]) == ["nfvi-sm-12", "vm"]
    assert code == 0 and doc["verdict"] == "compliant"


def test_the_newest_input_of_a_node_counts_and_the_older_is_listed_superseded(tmp_path):
    old = load("intel-e810-ice")
    new = json.loads(json.dumps(old))
    old["collected_at"] = "2026-01-01T00:00:00Z"
    new["collected_at"] = "2026-06-01T00:00:00Z"
    for nic in old["nics"]:
        if nic["driver"] == "ice":
            nic["firmware_version"] = "3.20 0x8001af27 1.3429.0"  # below the 4.00 minimum
    a = write(str(tmp_path / "a-new.json"), new)
    b = write(str(tmp_path / "b-old.json"), old)
    for order in ((a, b), (b, a)):
        code, doc, _ = fleet(*order, "--jobs", "1")
        (row,) = doc["nodes"]
        assert row["source"] == a and row["verdict"] == "compliant"
        assert doc["superseded"] == [
            {"node": row["node"], "source": b, "collected_at": old["collected_at"], "by": a}
        ]
        assert doc["counts"]["superseded"] == 1 and code == 0
    assert row["node"] == "nfvi-sm-12/S452178X2A10077"


def test_same_hostname_on_two_machines_is_two_nodes(tmp_path):
    one = load("intel-e810-ice")
    two = json.loads(json.dumps(one))
    # a placeholder serial names no machine: the UUID tells them apart
    one["system"]["product_serial"] = two["system"]["product_serial"] = "To Be Filled By O.E.M."
    one["system"]["product_uuid"] = "11111111-1111-1111-1111-111111111111"
    two["system"]["product_uuid"] = "22222222-2222-2222-2222-222222222222"
    _, doc, _ = fleet(write(str(tmp_path / "1.json"), one), write(str(tmp_path / "2.json"), two))
    assert doc["counts"]["nodes"] == 2 and doc["superseded"] == []
    assert sorted(row["node"] for row in doc["nodes"]) == [
        "nfvi-sm-12/11111111-1111-1111-1111-111111111111",
        "nfvi-sm-12/22222222-2222-2222-2222-222222222222",
    ]


BROKEN = {
    "damaged.json": (b'{"kind": "hwcheck-inventory", ', "not JSON: line 1"),
    "not-inventory.json": (b'{"kind": "something-else"}', "not an hwcheck inventory"),
    "binary.json": (b"\xff\xfe\x00junk", "not UTF-8"),
    "truncated.tar.gz": (b"\x1f\x8b\x08\x00garbage", "not a readable"),
}


def test_an_input_that_cannot_be_read_or_judged_is_an_error_row_never_compliant(tmp_path):
    paths = []
    for name, (data, _) in BROKEN.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    code, doc, _ = fleet(*paths, inventory("virtio-vm"), inventory("qlogic-qede"))
    rows = rows_by_source(doc)
    for name, (_, reason) in BROKEN.items():
        row = rows[str(tmp_path / name)]
        assert row["verdict"] == "error" and row["exit_code"] == 2, name
        assert reason in row["error"] and "\n" not in row["error"], row["error"]
    unselected = rows[inventory("qlogic-qede")]
    assert unselected["verdict"] == "error"
    assert unselected["error"].startswith("no profile applies to this node")
    assert unselected["hostname"] == load("qlogic-qede")["host"]["hostname"]
    assert doc["counts"]["error"] == len(BROKEN) + 1 and doc["counts"]["compliant"] == 1
    assert (code, doc["verdict"], doc["exit_code"]) == (2, "error", 2)


def unknown_node(tmp_path) -> str:
    doc = load("intel-e810-ice")
    for nic in doc["nics"]:
        if nic["driver"] == "ice":
            nic["firmware_version"] = "garbage"
    return write(str(tmp_path / "unknown.json"), doc)


def test_the_exit_code_is_the_worst_node_noncompliant_then_error_then_unknown(tmp_path):
    bad = tmp_path / "damaged.json"
    bad.write_text("{")
    unknown = unknown_node(tmp_path)
    ok, failing = inventory("virtio-vm"), inventory("intel-x710-i40e")
    cases = [
        ((ok,), 0, "compliant"),
        ((ok, unknown), 3, "unknown"),
        ((ok, unknown, str(bad)), 2, "error"),
        ((ok, unknown, str(bad), failing), 1, "noncompliant"),
    ]
    for inputs, want, verdict in cases:
        code, doc, _ = fleet(*inputs)
        assert (code, doc["exit_code"], doc["verdict"]) == (want, want, verdict), inputs


def test_a_result_is_taken_as_judged_unless_rejudge(tmp_path):
    _, result = check_json("--inventory", inventory("intel-e810-ice"))
    assert result["verdict"] == "compliant"
    # the embedded inventory now fails the profile; the recorded verdict still says compliant
    for nic in result["inventory"]["nics"]:
        if nic["driver"] == "ice":
            nic["firmware_version"] = "3.20 0x8001af27 1.3429.0"
    path = write(str(tmp_path / "result.json"), result)
    code, doc, _ = fleet(path)
    assert (code, doc["nodes"][0]["verdict"], doc["rejudged"]) == (0, "compliant", False)
    code, doc, _ = fleet(path, "--rejudge")
    assert (code, doc["nodes"][0]["verdict"], doc["rejudged"]) == (1, "noncompliant", True)


def test_a_fleet_document_in_a_walked_directory_is_not_a_node(tmp_path):
    shutil.copy(inventory("virtio-vm"), tmp_path / "vm.json")
    first = run_hwcheck("fleet", str(tmp_path), "--json", str(tmp_path / "fleet.json"), "-q")
    assert first.returncode == 0, first.stderr
    code, doc, _ = fleet(str(tmp_path))
    assert code == 0 and [row["hostname"] for row in doc["nodes"]] == ["vm"]
    code, doc, _ = fleet(str(tmp_path / "fleet.json"))  # named: it is not an inventory
    assert code == 2 and doc["nodes"][0]["verdict"] == "error"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--jobs", "0"], "--jobs must be at least 1"),
        (["-", "-"], "may be given once"),
        (["--json", ""], "--json"),
        (["--json", "/tmp/x.out", "--csv", "/tmp/x.out"], "--json and --csv both write"),
        (["--json", "-", "--junit", "-"], "can write to stdout"),
        (["--html", "-"], "--html needs a file name"),
        (["--html-dir", "/tmp/hd", "--csv", "/tmp/hd/index.html"], "--csv and --html-dir both"),
    ],
)
def test_bad_command_lines_are_one_line_and_exit_2(args, message):
    done = run_hwcheck("fleet", inventory("virtio-vm"), *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_no_inputs_found_is_exit_2_and_says_where(tmp_path):
    done = run_hwcheck("fleet", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.strip().endswith(f"no node inputs found in {tmp_path}")


def test_jobs_do_not_change_the_document(tmp_path):
    inputs = [inventory(n) for n in JUDGED + UNSELECTED]
    docs = []
    for jobs in ("1", "2"):
        code, doc, _ = fleet(*inputs, "--jobs", jobs)
        doc.pop("judged_at")
        for row in doc["nodes"]:
            row.pop("judged_at")
        docs.append((code, doc))
    assert docs[0] == docs[1]


def test_a_capture_member_of_a_tar_of_many_is_probed(tmp_path):
    buf = io.BytesIO()
    subprocess.run(
        ["tar", "czf", str(tmp_path / "c.tar.gz"), "-C", os.path.join(HOSTS, "virtio-vm"), "."],
        check=True,
    )
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(str(tmp_path / "c.tar.gz"), arcname="hosts/vm/capture.tar.gz")
    (tmp_path / "many.tar").write_bytes(buf.getvalue())
    code, doc, _ = fleet(str(tmp_path / "many.tar"))
    assert code == 0 and doc["nodes"][0]["hostname"] == "vm"
    assert doc["nodes"][0]["source"].endswith("many.tar:hosts/vm/capture.tar.gz")
