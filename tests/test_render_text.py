"""The terminal summary: verdict first, what needs attention in order, colour rules."""

from __future__ import annotations

import io
import json
import os

from hwcheck.render.text import render_text, want_color

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "results")


def load(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return json.load(handle)


def test_failing_node_verdict_line_counts_every_status():
    text = render_text(load("failing-node.json"), color=False)
    first = text.splitlines()[0]
    assert first == (
        " NON-COMPLIANT   r640-compute-07.dc1.example.net: 2 failed, 1 unknown, 2 warnings, "
        "1 waived, 12 passed (profile dc1-compute 2026.11)"
    )


def test_failing_node_lists_failures_first_then_unknown_warn_waived_and_no_passes():
    text = render_text(load("failing-node.json"), color=False)
    order = [
        line.split()[0:2]
        for line in text.splitlines()
        if line[:1].isupper() and line.split()[0] in ("FAIL", "UNKNOWN", "WARN", "WAIVED", "PASS")
    ]
    assert order == [
        ["FAIL", "nvidia.cx5.firmware.min"],
        ["FAIL", "nvidia.mlx5.driver-firmware-pair"],
        ["UNKNOWN", "broadcom.bnxt.firmware.min"],
        ["WARN", "kernel.cmdline.iommu"],  # warning severity before info
        ["WARN", "nic.link.up"],
        ["WAIVED", "nvidia.cx6dx.firmware.min"],
    ]


def test_failure_explains_itself_with_values_remediation_and_expired_waiver():
    text = render_text(load("failing-node.json"), color=False)
    block = text.split("FAIL     nvidia.cx5.firmware.min")[1].split("\n\n")[0]
    assert "MT27800 Family [ConnectX-5] (ens3f0np0, ens3f1np1) at 0000:5e:00" in block
    assert "Firmware 16.32.2004 is older than the minimum 16.35.2000 for ConnectX-5" in block
    assert "expected: version >= 16.35.2000" in block
    assert "observed: '16.32.2004 (DEL0000000016)'  (from ethtool-ioctl)" in block
    assert "parsed:   psid=DEL0000000016, version=16.32.2004" in block
    assert "waiver EXPIRED 2026-10-31 (waivers/dc1.yaml:12)" in block
    assert "fix: Flash the Dell firmware package for PSID DEL0000000016" in block
    assert "see: https://network.nvidia.com/support/firmware/connectx5en/" in block


def test_unknown_says_the_value_was_not_available_and_gaps_are_listed():
    text = render_text(load("failing-node.json"), color=False)
    assert "observed: (not available)  (from ethtool-ioctl)" in text
    assert "could not read (4):" in text
    assert (
        "  system.product_serial: permission-denied (sysfs) "
        "/sys/class/dmi/id/product_serial: [Errno 13] Permission denied"
    ) in text


def test_quiet_is_exactly_the_verdict_line():
    result = load("failing-node.json")
    quiet = render_text(result, color=False, quiet=True)
    assert quiet.count("\n") == 1
    assert quiet == render_text(result, color=False).splitlines()[0] + "\n"


def test_passing_vm_is_compliant_and_short():
    text = render_text(load("passing-vm.json"), color=False)
    assert text == " COMPLIANT   vm: 0 failed, 4 passed (profile virtio-vm 1.0)\n"


def test_colour_marks_the_verdict_and_statuses_only_when_asked():
    result = load("failing-node.json")
    plain = render_text(result, color=False)
    coloured = render_text(result, color=True)
    assert "\x1b[" not in plain
    assert coloured.startswith("\x1b[1;97;41m NON-COMPLIANT \x1b[0m")
    assert "\x1b[1;31mFAIL    \x1b[0m nvidia.cx5.firmware.min" in coloured


def test_hostile_control_characters_never_reach_the_terminal():
    text = render_text(load("hostile-node.json"), color=False)
    assert "\x1b" not in text
    assert "\x00" not in text
    assert "\\x1b[31m" in text  # shown, escaped
    assert "javascript:" not in text  # an unsafe advisory link is not offered


class _Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self._tty = tty

    def isatty(self):
        return self._tty


def test_want_color_needs_a_tty_and_respects_no_color_and_dumb_terminals():
    assert want_color(_Stream(True), {}) is True
    assert want_color(_Stream(False), {}) is False
    assert want_color(_Stream(True), {"NO_COLOR": "1"}) is False
    assert want_color(_Stream(True), {"NO_COLOR": ""}) is True  # no-color.org: set and non-empty
    assert want_color(_Stream(True), {"TERM": "dumb"}) is False


def test_want_color_on_a_real_pseudo_terminal():
    master, slave = os.openpty()
    try:
        with open(slave, "w", closefd=False) as tty:
            assert want_color(tty, {}) is True
            assert want_color(tty, {"NO_COLOR": "yes"}) is False
    finally:
        os.close(master)
        os.close(slave)
