"""Profile files that are not what they seem: each is exit 2 with one line naming it.

Through the real command line: a FIFO (or socket, or device) named `*.yaml` in a profile
directory, which `profile list` and `check` used to wait on forever; `x.yaml` beside
`x.yml`, of which one was silently ignored; integers of more than 4300 digits, which were
exit 70; `extends` naming a path, which loaded any file on the machine; and characters YAML
refuses (NUL, ESC, bytes that are not UTF-8), which were reported with no line or column.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest
from runcli import ROOT, run_hwcheck

from hwcheck.status import ExitStatus

SHIPPED = os.path.join(ROOT, "profiles")
VM = os.path.join(ROOT, "tests", "fixtures", "inventories", "virtio-vm.json")
NO_CACHE = {"HWCHECK_NO_CACHE": "1"}
DIGITS = sys.get_int_max_str_digits()
HUGE = "1" * (DIGITS + 700)
HUGE_SHOWN = f"111111111111... ({len(HUGE)} digits)"

GOOD = "hwcheck_profile: 1\nname: site/good\n"


def _dir(tmp_path: Path) -> Path:
    site = tmp_path / "profiles" / "site"
    site.mkdir(parents=True)
    (site / "good.yaml").write_text(GOOD)
    return site


def _hwcheck(*args: str) -> tuple[int, str, str]:
    run = run_hwcheck(*args, env=NO_CACHE)
    return run.returncode, run.stdout, run.stderr


def _check(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    profiles = str(tmp_path / "profiles")
    return _hwcheck(
        "check", "--inventory", VM, "--no-html", "-q", "--profile-path", profiles, *args
    )


def _list(tmp_path: Path) -> tuple[int, str, str]:
    return _hwcheck("profile", "list", "--profile-path", str(tmp_path / "profiles"))


# ---------------------------------------------------------------- not regular files


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()  # the socket file stays


def _device(path: Path) -> None:
    path.symlink_to("/dev/zero")  # reading it would never end


@pytest.mark.parametrize(
    ("make", "kind"), [(_fifo, "a FIFO"), (_socket, "a socket"), (_device, "a device")]
)
def test_a_fifo_socket_or_device_named_yaml_is_exit_2_naming_it(tmp_path, make, kind):
    site = _dir(tmp_path)
    make(site / "f.yaml")
    want = (
        f"hwcheck: error: {site / 'f.yaml'}: not a regular file ({kind}); "
        "profiles and waiver files are regular files\n"
    )
    assert _list(tmp_path) == (ExitStatus.USAGE, "", want)
    assert _check(tmp_path) == (ExitStatus.USAGE, "", want)  # automatic selection lists all
    assert _check(tmp_path, "--profile", "site/f") == (ExitStatus.USAGE, "", want)
    lint = _hwcheck("profile", "lint", "--profile-path", str(tmp_path / "profiles"))
    assert lint == (ExitStatus.USAGE, "", want)


def test_a_fifo_named_by_path_is_refused_not_waited_on(tmp_path):
    site = _dir(tmp_path)
    _fifo(site / "f.yaml")
    want = (
        f"hwcheck: error: {site / 'f.yaml'}: not a regular file (a FIFO); "
        "profiles and waiver files are regular files\n"
    )
    assert _hwcheck("profile", "show", str(site / "f.yaml")) == (ExitStatus.USAGE, "", want)


def test_a_fifo_named_as_the_waiver_file_is_read_when_something_writes_it(tmp_path):
    """A pipe the operator names (`--waivers <(...)`) is theirs to give: it is read."""
    waivers = "hwcheck_waivers: 1\nwaivers: []\n"
    args = ("check", "--inventory", VM, "--no-html", "-q", "--waivers", "/dev/stdin")
    run = run_hwcheck(*args, stdin=waivers, env=NO_CACHE)
    assert run.returncode == ExitStatus.OK, run.stderr


# ---------------------------------------------------------------- x.yaml beside x.yml


def test_x_yaml_beside_x_yml_is_exit_2_naming_both(tmp_path):
    site = _dir(tmp_path)
    (site / "x.yaml").write_text("hwcheck_profile: 1\nname: site/x\n")
    (site / "x.yml").write_text("hwcheck_profile: 1\nname: site/x\n")
    want = (
        f"hwcheck: error: {site / 'x.yaml'}: profile 'site/x' is also defined by "
        f"{site / 'x.yml'} beside it: remove or rename one\n"
    )
    assert _list(tmp_path) == (ExitStatus.USAGE, "", want)
    assert _check(tmp_path) == (ExitStatus.USAGE, "", want)
    assert _check(tmp_path, "--profile", "site/x") == (ExitStatus.USAGE, "", want)
    show = _hwcheck("profile", "show", "--profile-path", str(tmp_path / "profiles"), "site/x")
    assert show == (ExitStatus.USAGE, "", want)


def test_the_same_name_in_two_search_directories_is_still_an_override(tmp_path):
    first, second = tmp_path / "a" / "site", tmp_path / "b" / "site"
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    (first / "x.yaml").write_text("hwcheck_profile: 1\nname: site/x\n")
    (second / "x.yml").write_text("hwcheck_profile: 1\nname: site/x\n")
    dirs = ("--profile-path", str(tmp_path / "a"), "--profile-path", str(tmp_path / "b"))
    code, out, err = _hwcheck("profile", "list", *dirs)
    assert (code, err) == (ExitStatus.OK, "")
    assert str(first / "x.yaml") in out
    assert str(second / "x.yml") not in out


# ---------------------------------------------------------------- huge integers


@pytest.mark.parametrize(
    ("body", "where", "what"),
    [
        (
            f"hwcheck_profile: {HUGE}\nname: site/x\n",
            "1:18",
            f"'{HUGE_SHOWN}' is not accepted (expected 1)",
        ),
        (
            "hwcheck_profile: 1\nname: site/x\nrules:\n  - id: a\n"
            f"    nic: {{devices: ['1af4:1041']}}\n    count: {{min: {HUGE}}}\n",
            "6:18",
            f"'{HUGE_SHOWN}' is too large (expected a whole number of at most 18 digits)",
        ),
        (
            "hwcheck_profile: 1\nname: site/x\nrules:\n  - id: a\n"
            f"    nic: {{devices: ['1af4:1041']}}\n    count: {{min: 1, max: {HUGE}}}\n",
            "6:26",
            f"'{HUGE_SHOWN}' is too large (expected a whole number of at most 18 digits)",
        ),
        (
            "hwcheck_profile: 1\nname: site/x\nrules:\n  - id: a\n"
            f"    nic: {{devices: ['1af4:1041']}}\n    firmware: {{min: '1.{HUGE}'}}\n",
            "6:21",
            f"'1.1111111111... ({len(HUGE) + 2} characters)' is not a version: it holds a "
            f"number of {len(HUGE)} digits (a version component has at most 40)",
        ),
    ],
    ids=["hwcheck_profile", "count-min", "count-max", "firmware-threshold"],
)
def test_an_integer_of_more_than_4300_digits_is_exit_2_at_its_place(tmp_path, body, where, what):
    site = _dir(tmp_path)
    (site / "x.yaml").write_text(body)
    want = f"hwcheck: error: {site / 'x.yaml'}:{where}: {what}\n"
    assert _check(tmp_path, "--profile", "site/x") == (ExitStatus.USAGE, "", want)


def test_a_huge_waiver_file_version_is_exit_2_at_its_place(tmp_path):
    waivers = tmp_path / "w.yaml"
    waivers.write_text(f"hwcheck_waivers: {HUGE}\nwaivers: []\n")
    code, out, err = _hwcheck("check", "--inventory", VM, "--no-html", "--waivers", str(waivers))
    assert (code, out) == (ExitStatus.USAGE, "")
    assert err == f"hwcheck: error: {waivers}:1:18: '{HUGE_SHOWN}' is not accepted (expected 1)\n"


# ---------------------------------------------------------------- extends names profiles


@pytest.mark.parametrize(
    ("entry", "what"),
    [
        (
            "../../../../etc/passwd",
            "'../../../../etc/passwd' is not a profile name like intel/800-series "
            "(extends names profiles, not files)",
        ),
        (
            "/etc/passwd",
            "'/etc/passwd' is not a profile name like intel/800-series "
            "(extends names profiles, not files)",
        ),
        (
            "./good.yaml",
            "'./good.yaml' is not a profile name like intel/800-series "
            "(extends names profiles, not files)",
        ),
        (
            "site/good.yaml",
            "'site/good.yaml' is a file name: extends names profiles (write 'site/good')",
        ),
    ],
    ids=["climbing", "absolute", "relative", "suffixed"],
)
def test_extends_refuses_a_path_at_the_extends_entry(tmp_path, entry, what):
    site = _dir(tmp_path)
    (site / "x.yaml").write_text(f"hwcheck_profile: 1\nname: site/x\nextends:\n  - {entry}\n")
    want = f"hwcheck: error: {site / 'x.yaml'}:4:5: {what}\n"
    assert _check(tmp_path, "--profile", "site/x") == (ExitStatus.USAGE, "", want)
    show = _hwcheck("profile", "show", "--profile-path", str(tmp_path / "profiles"), "site/x")
    assert show == (ExitStatus.USAGE, "", want)


def test_extends_by_name_still_layers(tmp_path):
    site = _dir(tmp_path)
    (site / "x.yaml").write_text("hwcheck_profile: 1\nname: site/x\nextends: [site/good]\n")
    code, out, err = _hwcheck(
        "profile", "show", "--profile-path", str(tmp_path / "profiles"), "site/x"
    )
    assert (code, err) == (ExitStatus.OK, "")
    assert "site/good" in out


# ---------------------------------------------------------------- characters YAML refuses


@pytest.mark.parametrize(
    ("raw", "where", "what"),
    [
        (b"description: a\x00b\n", "3:15", "a NUL byte (U+0000) is not allowed in YAML text"),
        (
            b"description: red \x1b[31m\n",
            "3:18",
            "an ESC character (U+001B) is not allowed in YAML text",
        ),
        (
            "description: caf\u00e9 \u0007\n".encode(),
            "3:19",
            "a control character (U+0007) is not allowed in YAML text",
        ),
        (
            b"description: ok\r\nversion: \xff\n",
            "4:10",
            "not UTF-8 text (byte 58: b'\\xff')",
        ),
    ],
    ids=["nul", "esc", "bel-after-accent", "not-utf8-after-crlf"],
)
def test_a_character_yaml_refuses_is_exit_2_at_its_line_and_column(tmp_path, raw, where, what):
    site = _dir(tmp_path)
    (site / "x.yaml").write_bytes(b"hwcheck_profile: 1\nname: site/x\n" + raw)
    want = f"hwcheck: error: {site / 'x.yaml'}:{where}: {what}\n"
    assert _check(tmp_path, "--profile", "site/x") == (ExitStatus.USAGE, "", want)
