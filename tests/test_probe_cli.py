"""`hwcheck probe` as users run it: both entry points, help, JSON that other tools can read,
the text summary, output files, and what happens when the output goes wrong.

Everything here runs the real CLI in a subprocess on this machine, or on the fixture hosts
(tests/fixtures/hosts, real-world values; see each SOURCE.md) through `--from-capture`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing

import jsonschema
import pytest

from hwcheck.model.inventory import GapReason
from hwcheck.status import EXIT_CODE_MEANINGS

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HWCHECK = os.path.join(os.path.dirname(sys.executable), "hwcheck")
SCHEMA = os.path.join(REPO, "docs", "schema", "inventory.schema.json")
HOSTS_DIR = os.path.join(REPO, "tests", "fixtures", "hosts")
HOSTS = sorted(
    name
    for name in os.listdir(HOSTS_DIR)
    if os.path.isfile(os.path.join(HOSTS_DIR, name, "capture.json"))
)
GAP_REASONS = set(typing.get_args(GapReason))


def run(*argv: str, cwd: str = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, check=False)


def hwcheck(*args: str) -> subprocess.CompletedProcess[str]:
    return run(HWCHECK, *args)


def probe_json(*args: str) -> dict:
    done = hwcheck("probe", *args, "--json", "-")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return json.loads(done.stdout)


def table_names(text: str) -> list[str]:
    """Interface names: the first column of the table under the `IFACE` header."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("IFACE "))
    names = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        names.append(line.split()[0])
    return names


def assert_one_error_line(done: subprocess.CompletedProcess[str], code: int, where: str) -> str:
    assert done.returncode == code, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"hwcheck: error: {where}: "), line
    return line


# ---------------------------------------------------------------- entry points and help


def test_python_m_hwcheck_and_entry_point_print_the_same_interfaces():
    via_module = run(sys.executable, "-m", "hwcheck", "probe")
    via_script = hwcheck("probe")
    for done in (via_module, via_script):
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
    assert table_names(via_module.stdout) == table_names(via_script.stdout)
    assert via_module.stdout.splitlines()[1:] == via_script.stdout.splitlines()[1:]


@pytest.mark.parametrize("argv", [[HWCHECK], [sys.executable, "-m", "hwcheck"]])
def test_help_lists_every_exit_code(argv):
    done = run(*argv, "--help")
    assert done.returncode == 0
    assert "exit codes:" in done.stdout
    for code, meaning in EXIT_CODE_MEANINGS.items():
        row = f"{int(code):>3}  {code.name.lower():<13} {meaning}"
        assert row in done.stdout, row
    assert "probe" in done.stdout
    assert "capture" in done.stdout


def test_probe_help_describes_its_options():
    done = hwcheck("probe", "--help")
    assert done.returncode == 0
    for option in ("--json FILE", "--from-capture CAPTURE", "--lshw"):
        assert option in done.stdout
    assert "'-' for stdout" in done.stdout


@pytest.mark.parametrize("command", ["probe", "capture"])
def test_subcommand_help_lists_exit_codes(command):
    done = hwcheck(command, "--help")
    assert done.returncode == 0
    assert "exit codes:" in done.stdout
    for code, meaning in EXIT_CODE_MEANINGS.items():
        assert f"{int(code):>3}  {code.name.lower():<13} {meaning}" in done.stdout


def test_probe_unknown_option_is_a_usage_error():
    done = hwcheck("probe", "--jsn", "-")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == "hwcheck: error: unrecognized arguments: --jsn -"


# ---------------------------------------------------------------- JSON


def validate(inventory: dict) -> None:
    with open(SCHEMA, encoding="utf-8") as f:
        jsonschema.validate(inventory, json.load(f))


def assert_gaps_explained(inventory: dict) -> None:
    for gap in inventory["gaps"]:
        assert set(gap) == {"what", "source", "reason", "detail"}, gap
        assert gap["reason"] in GAP_REASONS, gap
        assert all(isinstance(v, str) and v for v in gap.values()), gap


def test_probe_json_of_this_node_is_valid_versioned_json():
    inventory = probe_json()
    validate(inventory)
    assert inventory["schema_version"] == 1
    assert inventory["kind"] == "hwcheck-inventory"
    assert inventory["source"] == {"kind": "live", "root": "/"}
    assert_gaps_explained(inventory)
    names = sorted(n["name"] for n in inventory["nics"])
    assert names == sorted(os.listdir("/sys/class/net"))


def test_probe_json_of_every_fixture_host_is_valid_and_every_gap_explained():
    total = 0
    for name in HOSTS:
        inventory = probe_json("--from-capture", os.path.join("tests", "fixtures", "hosts", name))
        validate(inventory)
        assert inventory["schema_version"] == 1
        assert inventory["source"]["kind"] == "capture"
        assert_gaps_explained(inventory)
        total += len(inventory["gaps"])
    assert total >= 6  # hostile alone records six: the gap check above is not vacuous


def test_probe_json_file_is_written_and_stdout_stays_empty(tmp_path):
    out = tmp_path / "inventory.json"
    done = hwcheck("probe", "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")
    written = json.loads(out.read_text(encoding="utf-8"))
    validate(written)
    on_stdout = probe_json()
    written.pop("collected_at")
    on_stdout.pop("collected_at")
    assert written == on_stdout
    assert os.listdir(tmp_path) == ["inventory.json"]


def test_probe_json_of_a_capture_is_the_same_on_every_run():
    host = os.path.join("tests", "fixtures", "hosts", "intel-x710-i40e")
    first = hwcheck("probe", "--from-capture", host, "--json", "-").stdout
    second = hwcheck("probe", "--from-capture", host, "--json", "-").stdout
    assert first == second  # a replay carries the capture's time, not the clock's
    with open(os.path.join(REPO, host, "capture.json"), encoding="utf-8") as f:
        captured_at = json.load(f)["captured_at"]
    assert json.loads(first)["collected_at"] == captured_at


def test_probe_json_into_missing_directory_exits_4():
    out = "/nonexistent/dir/x.json"
    done = hwcheck("probe", "--json", out)
    line = assert_one_error_line(done, 4, out)
    assert line == f"hwcheck: error: {out}: cannot write: no such directory: /nonexistent/dir"
    assert done.stdout == ""
    assert not os.path.exists("/nonexistent")


def test_probe_json_onto_a_directory_exits_4(tmp_path):
    done = hwcheck("probe", "--json", str(tmp_path))
    line = assert_one_error_line(done, 4, str(tmp_path))
    assert line.endswith("is a directory; give a file name")
    assert os.listdir(tmp_path) == []


def test_probe_json_keeps_the_previous_file_when_the_capture_is_bad(tmp_path):
    out = tmp_path / "inventory.json"
    out.write_text('{"previous": true}\n')
    done = hwcheck("probe", "--from-capture", str(tmp_path / "missing.tar.gz"), "--json", str(out))
    assert_one_error_line(done, 2, str(tmp_path / "missing.tar.gz"))
    assert out.read_text() == '{"previous": true}\n'


# ---------------------------------------------------------------- text


def test_probe_text_lists_every_interface_of_this_node():
    done = hwcheck("probe")
    assert done.returncode == 0, done.stderr
    assert sorted(table_names(done.stdout)) == sorted(os.listdir("/sys/class/net"))
    with open("/proc/sys/kernel/hostname", encoding="utf-8") as f:
        hostname = f.read().strip()
    assert done.stdout.startswith(f"hwcheck inventory of {hostname} (")
    assert "Kernel:" in done.stdout
    assert "Could not read" in done.stdout


@pytest.mark.parametrize("name", HOSTS)
def test_probe_text_of_fixture_host_lists_its_interfaces_and_gaps(name):
    host = os.path.join("tests", "fixtures", "hosts", name)
    text = hwcheck("probe", "--from-capture", host).stdout
    inventory = probe_json("--from-capture", host)
    assert table_names(text) == [n["name"] for n in inventory["nics"]]
    for gap in inventory["gaps"]:
        assert f"  {gap['what']}: {gap['reason']} ({gap['detail']})" in text


# ---------------------------------------------------------------- broken pipes


def test_probe_piped_into_head_prints_no_traceback():
    done = run("bash", "-c", f"{HWCHECK} probe | head -1; {HWCHECK} probe --json - | head -1")
    assert done.returncode == 0
    assert done.stderr == ""
    first, second = done.stdout.splitlines()
    assert first.startswith("hwcheck inventory of ")
    assert second.startswith("{")  # the JSON document's first line


@pytest.mark.parametrize("args", [["probe"], ["probe", "--json", "-"]])
def test_probe_into_a_closed_pipe_is_quiet(args):
    # The reader is gone before the probe writes a byte: the write fails with EPIPE for sure.
    proc = subprocess.Popen(
        [HWCHECK, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO
    )
    proc.stdout.close()
    stderr = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0
    assert stderr == b""
