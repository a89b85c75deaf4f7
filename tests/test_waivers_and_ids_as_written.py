"""Waivers that say nothing or expire at no date are refused; PCI IDs are hex in any case.

Through the real command line, on the Dell R750 fixture (a ConnectX-5 on Dell OEM
firmware at 0000:31:00, a ConnectX-6 Dx on 22.28.1002 at 0000:b1:00; see
tests/fixtures/inventories/SOURCE.md), judged against the shipped nvidia/connectx profile:
the ConnectX-6 Dx fails (22.28.1002 is below 22.36.1010) and the ConnectX-5 is unknown.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from runcli import ROOT, run_hwcheck

from hwcheck.status import ExitStatus

R750 = os.path.join(ROOT, "tests", "fixtures", "inventories", "mellanox-cx5-dell.json")
NO_CACHE = {"HWCHECK_NO_CACHE": "1"}


def _check(*args: str) -> tuple[int, str, str]:
    run = run_hwcheck("check", "--inventory", R750, "--no-html", *args, env=NO_CACHE)
    return run.returncode, run.stdout, run.stderr


def _waivers(tmp_path: Path, justification: str, expires: str = "2099-12-31") -> Path:
    path = tmp_path / "w.yaml"
    path.write_text(
        "hwcheck_waivers: 1\nwaivers:\n  - rule: nvidia.cx6dx.firmware\n"
        "    scope: {card: '0000:b1:00'}\n"
        f"    justification: {justification}\n    expires: {expires}\n",
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------- justifications


@pytest.mark.parametrize(
    ("written", "seen"),
    [
        ('"\\u200b\\u200b"', "U+200B"),  # zero-width spaces
        ('"\\u00a0\\u200b"', "U+00A0, U+200B"),  # no-break space and zero-width space
        ('"\\u200b\\u00a0"', "U+200B, U+00A0"),
        ('"\\x1b\\x00\\x7f"', "U+001B, U+0000, U+007F"),  # C0 controls and DEL
        ('"\\x85\\x9b"', "U+0085, U+009B"),  # C1 controls
        ('"\\u202e\\u2066\\u200f"', "U+202E, U+2066, U+200F"),  # bidi controls
        ('"\\ufeff\\u2060\\u3164"', "U+FEFF, U+2060, U+3164"),  # BOM, word joiner, filler
    ],
    ids=["zwsp", "nbsp-zwsp", "zwsp-nbsp", "c0", "c1", "bidi", "joiners"],
)
def test_a_justification_of_only_invisible_or_control_characters_is_exit_2(tmp_path, written, seen):
    waivers = _waivers(tmp_path, written)
    want = (
        f"hwcheck: error: {waivers}:5:20: expected text, found only invisible or control "
        f"characters ({seen})\n"
    )
    assert _check("--waivers", str(waivers)) == (ExitStatus.USAGE, "", want)


def test_a_justification_with_words_among_invisible_characters_waives(tmp_path):
    waivers = _waivers(tmp_path, '"\\u200bqualified by the site\\u00a0team"')
    code, out, err = _check("--waivers", str(waivers))
    assert (code, err) == (ExitStatus.UNKNOWN, "")  # the ConnectX-5 is still unknown
    assert "WAIVED   nvidia.cx6dx.firmware" in out


# ---------------------------------------------------------------- expiry dates


@pytest.mark.parametrize("expires", ["0000-12-31", "0001-01-01", "1969-12-31", "0202-06-30"])
def test_an_expiry_before_1970_is_exit_2_at_the_date(tmp_path, expires):
    waivers = _waivers(tmp_path, "Dell qualifies 22.28.", expires)
    want = (
        f"hwcheck: error: {waivers}:6:14: '{expires}' is not a date this file can mean: "
        "the year must be 1970 or later\n"
    )
    assert _check("--waivers", str(waivers)) == (ExitStatus.USAGE, "", want)


def test_an_expiry_in_1970_is_a_date_that_has_passed(tmp_path):
    waivers = _waivers(tmp_path, "Dell qualifies 22.28.", "1970-01-01")
    code, out, err = _check("--waivers", str(waivers))
    assert (code, err) == (ExitStatus.NONCOMPLIANT, "")
    assert "expired on 1970-01-01; it no longer waives" in out


# ---------------------------------------------------------------- PCI IDs in any case


def test_waiver_scopes_take_pci_ids_and_addresses_in_upper_case(tmp_path):
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "hwcheck_waivers: 1\nwaivers:\n"
        "  - rule: nvidia.cx6dx.firmware\n    scope: {card: '0000:B1:00'}\n"
        "    justification: Dell qualifies 22.28.1002 on the R750.\n    expires: 2099-12-31\n"
        "  - rule: nvidia.cx5.firmware\n    scope: {model: '15B3:1017'}\n"
        "    justification: Dell OEM firmware, checked against Dell's table.\n"
        "    expires: 2099-12-31\n",
        encoding="utf-8",
    )
    code, out, err = _check("--waivers", str(waivers), "--profile", "nvidia/connectx")
    assert (code, err) == (ExitStatus.OK, "")
    assert "WAIVED   nvidia.cx6dx.firmware" in out
    assert "WAIVED   nvidia.cx5.firmware" in out
    assert "matched no finding" not in out


def test_profile_device_ids_in_upper_case_select_the_card(tmp_path):
    site = tmp_path / "profiles" / "site"
    site.mkdir(parents=True)
    (site / "upper.yaml").write_text(
        "hwcheck_profile: 1\nname: site/upper\n"
        'applies_to: {devices: ["15B3:101D"]}\n'
        "rules:\n"
        "  - id: site.cx6dx.firmware\n"
        "    title: ConnectX-6 Dx firmware as the site qualifies it\n"
        '    nic: {devices: ["15B3:101D"]}\n'
        '    firmware: {format: mlx, component: fw, min: "22.36.1010"}\n',
        encoding="utf-8",
    )
    code, out, err = _check("--profile-path", str(tmp_path / "profiles"))
    assert (code, err) == (ExitStatus.NONCOMPLIANT, "")
    assert "FAIL     site.cx6dx.firmware" in out
    assert "Firmware fw 22.28.1002 is below the minimum 22.36.1010." in out
    assert "applies_to matched: card 15b3:101d at 0000:b1:00 is present" in out
