"""Small things users notice, through the real command line: counts are worded by
render/words.py (`1 warning`, `1 gap`), `profile list` lines its columns up, and a huge value
is shortened in the terminal but kept whole in JSON and HTML."""

from __future__ import annotations

import glob
import json
import os
import re

from runcli import NO_CACHE, run_hwcheck

from hwcheck.render.words import count_of, plural

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
INV = os.path.join(HERE, "fixtures", "inventories")
SHIPPED = os.path.join(ROOT, "profiles")


def check(inventory, *args, cwd=ROOT):
    return run_hwcheck(
        "check", "--inventory", inventory, "--profile-dir", SHIPPED, *args, cwd=str(cwd),
        env=NO_CACHE,
    )  # fmt: skip


def test_one_warning_and_one_gap_are_singular_in_the_terminal_and_the_html(tmp_path):
    # hostile.json: exactly one warning (intel.700.driver-version).
    done = check(os.path.join(INV, "hostile.json"), "--html", str(tmp_path / "h.html"))
    assert done.returncode == 1
    verdict = done.stdout.splitlines()[0]
    assert ": 1 failed, 1 warning, 5 passed " in verdict
    page = (tmp_path / "h.html").read_text(encoding="utf-8")
    assert '<span class="n">1</span> warning</a>' in page
    # broadcom-bnxt-bnx2x.json: two warnings and exactly one gap.
    done = check(os.path.join(INV, "broadcom-bnxt-bnx2x.json"), "--html", str(tmp_path / "b.html"))
    assert done.returncode == 0
    assert ": 0 failed, 2 warnings, 6 passed " in done.stdout.splitlines()[0]
    page = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert '<span class="n">1</span> gap</span>' in page
    assert '<span class="n">2</span> warnings</a>' in page
    assert not re.search(r"\b1 (warnings|gaps|rules|findings|interfaces)\b", page + done.stdout)


def test_the_words_module_words_every_count():
    assert [plural(n, "gap") for n in (0, 1, 2)] == ["0 gaps", "1 gap", "2 gaps"]
    assert plural(1234, "node", shown="1,234") == "1,234 nodes"
    assert plural(1, "gap", shown="") == "gap"
    assert [count_of("warn", n) for n in (1, 2)] == ["1 warning", "2 warnings"]
    assert [count_of("fail", n) for n in (1, 2)] == ["1 failed", "2 failed"]


def test_profile_list_lines_up_its_columns(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    # A vendor much longer than the shipped ones, and a long version.
    with open(os.path.join(SHIPPED, "lab", "kvm-virtio.yaml"), encoding="utf-8") as fh:
        text = fh.read()
    text = re.sub(r"(?m)^name: .*$", "name: site/x", text)
    text = re.sub(r"(?m)^vendor: .*$", "vendor: Hewlett Packard Enterprise", text)
    text = re.sub(r"(?m)^version: .*$", 'version: "2026.11.30-rc1"', text)
    (site / "x.yaml").write_text(text, encoding="utf-8")
    done = run_hwcheck(
        "profile", "list", "--profile-path", str(tmp_path), "--profile-path", SHIPPED, env=NO_CACHE
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 + len(glob.glob(os.path.join(SHIPPED, "*", "*.yaml")))
    paths = {line.index(" /") for line in lines}
    assert len(paths) == 1, done.stdout  # every path starts in one column
    for column in ("2026", "auto", "layer"):
        starts = {line.index(f"  {column}") for line in lines if f"  {column}" in line}
        assert len(starts) == 1, (column, done.stdout)
    assert "Hewlett Packard Enterprise  /" in done.stdout


def _long_firmware_inventory(tmp_path):
    """The real X710 capture's inventory, its ports reporting a firmware string of 300
    characters (a real one, padded: ethtool itself cuts at 31, sysfs and lshw do not)."""
    with open(os.path.join(INV, "intel-x710-i40e.json"), encoding="utf-8") as fh:
        inventory = json.load(fh)
    long = "8.15 0x8000a4e8 1.2879.0" + " (build" + "-0123456789abcdef" * 16 + ")"
    for nic in inventory["nics"]:
        if nic["driver"] == "i40e":
            nic["firmware_version"] = long
    path = tmp_path / "long.json"
    path.write_text(json.dumps(inventory), encoding="utf-8")
    return str(path), long


def test_a_huge_value_is_shortened_in_the_terminal_and_whole_in_json_and_html(tmp_path):
    path, long = _long_firmware_inventory(tmp_path)
    assert len(long) > 80
    done = check(
        path, "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"), cwd=tmp_path
    )
    assert done.returncode in (1, 3), done.stderr
    assert long not in done.stdout and long[:50] in done.stdout
    assert f"...[{len(long) + 2:,} characters]" in done.stdout  # its repr, quotes and all
    assert (
        "values of more than 80 characters are shortened here; the JSON and HTML reports hold "
        "them whole"
    ) in done.stdout
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    observed = [f["observed"]["raw"] for f in doc["findings"] if f["rule_id"] == "intel.700.nvm"]
    assert observed == [long]
    assert long in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_message_quoting_another_ports_huge_value_is_shortened_too():
    """hostile.json's second X710 port reports a firmware string of about a kilobyte: the
    finding's message quotes it, and the terminal shortens it there."""
    done = check(os.path.join(INV, "hostile.json"))
    assert "<b>overflow</b>" * 20 not in done.stdout
    assert "characters] cannot be read as intel-nvm" in done.stdout
    assert "values of more than 80 characters are shortened here" in done.stdout
    short = check(os.path.join(INV, "virtio-vm.json"))
    assert "shortened" not in short.stdout
