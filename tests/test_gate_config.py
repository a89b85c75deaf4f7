"""`hwcheck gate`'s settings: flags over the environment over the kernel command line, the
command line split as the kernel splits it, and every bad setting one line naming where it
came from (exit 2), before anything is probed or sent.

The kernel command lines are shaped like real ones: Debian 12's /proc/cmdline under GRUB
(`BOOT_IMAGE=... root=UUID=... ro quiet`) and an iPXE `kernel` line with quoted values.
"""

from __future__ import annotations

import os
import re

import pytest
from runcli import run_hwcheck

from hwcheck.errors import UsageError
from hwcheck.gate.config import resolve, split_cmdline

DEBIAN = (
    "BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64 root=UUID=0b6f3c58-8d47-4d2c-9d55-2a3c7f1e9a10 "
    "ro quiet\n"
)
IPXE = (
    "initrd=initrd.img console=ttyS0,115200n8 ip=dhcp hwcheck.url=http://10.20.0.5:8740 "
    'hwcheck.token=enroll-7f3a "hwcheck.profile=intel/700-series, nvidia/connectx" '
    "hwcheck.deadline=120 -- single hwcheck.spool=/after/dashes\n"
)


def cmdline(tmp_path, text):
    path = tmp_path / "cmdline"
    path.write_text(text, encoding="utf-8")
    return {"HWCHECK_CMDLINE": str(path)}


def test_split_like_the_kernel():
    # kernel/params.c next_arg: quotes group spaces, and are dropped where they open a value
    # or a word and where they close one; inner quotes stay.
    assert split_cmdline('a=1 b="two words" "c=three more" d e= f=x"y z" ') == [
        ("a", "1"),
        ("b", "two words"),
        ("c", "three more"),
        ("d", None),
        ("e", ""),
        ("f", 'x"y z"'),
    ]
    assert split_cmdline(DEBIAN)[0] == ("BOOT_IMAGE", "/boot/vmlinuz-6.1.0-28-amd64")
    assert split_cmdline(DEBIAN)[1] == ("root", "UUID=0b6f3c58-8d47-4d2c-9d55-2a3c7f1e9a10")
    # words after a lone -- are init's, not parameters
    assert ("hwcheck.spool", "/after/dashes") not in split_cmdline(IPXE)
    assert split_cmdline("  \t\n") == []


def test_settings_from_the_kernel_command_line(tmp_path):
    config = resolve({}, cmdline(tmp_path, IPXE))
    assert config.url == "http://10.20.0.5:8740"
    assert config.submissions_url == "http://10.20.0.5:8740/api/v1/submissions"
    assert config.token == "enroll-7f3a"
    assert config.profiles == ["intel/700-series", "nvidia/connectx"]
    assert config.deadline == 120.0
    assert config.spool is None  # after --
    assert config.where["url"] == f"{tmp_path}/cmdline: hwcheck.url"


def test_flags_win_over_environment_over_cmdline(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("# the rack's enrollment token\n\nfrom-file\n", encoding="utf-8")
    env = {
        **cmdline(tmp_path, IPXE),
        "HWCHECK_URL": "https://collector.example:8443/",
        "HWCHECK_TOKEN": "from-env",
        "HWCHECK_DEADLINE": "30",
    }
    config = resolve({}, env)
    assert (config.url, config.token, config.deadline) == (
        "https://collector.example:8443",
        "from-env",
        30.0,
    )
    assert config.profiles == ["intel/700-series", "nvidia/connectx"]  # only the cmdline has it
    flags = {
        "url": "http://flag:1",
        "token_file": str(token_file),
        "deadline": "5",
        "profile": ["lab/kvm-virtio"],
        "spool": str(tmp_path / "spool"),
    }
    config = resolve(flags, env)
    assert config.url == "http://flag:1"
    assert config.token == "from-file"  # --token-file beats HWCHECK_TOKEN
    assert config.deadline == 5.0
    assert config.profiles == ["lab/kvm-virtio"]
    assert config.spool == str(tmp_path / "spool")
    assert config.where == {
        "url": "--url",
        "token": "HWCHECK_TOKEN",
        "token_file": "--token-file",
        "profile": "--profile",
        "deadline": "--deadline",
        "spool": "--spool",
    }


def test_no_proc_cmdline_means_no_settings_from_it(tmp_path):
    config = resolve({"url": "http://a:1"}, {"HWCHECK_TOKEN": "t"})
    assert config.deadline == 300.0
    assert config.profiles == []


@pytest.mark.parametrize(
    ("env", "flags", "where", "what"),
    [
        ({"HWCHECK_DEADLINE": "soon"}, {}, "HWCHECK_DEADLINE", "a deadline is a number"),
        ({"HWCHECK_DEADLINE": "inf"}, {}, "HWCHECK_DEADLINE", "a deadline is a number"),
        ({}, {"deadline": "0"}, "--deadline", "above 0"),
        ({"HWCHECK_URL": ""}, {}, "HWCHECK_URL", "is empty"),
        ({"HWCHECK_URL": "ftp://x"}, {}, "HWCHECK_URL", "not an http:// or https:// URL"),
        ({}, {"url": "http://a b"}, "--url", "no spaces or control characters"),
        ({"HWCHECK_TOKEN_FILE": "/nonexistent/t"}, {}, "/nonexistent/t", "cannot read"),
        (
            {"HWCHECK_TOKEN_FILE": "/dev/null", "HWCHECK_TOKEN": "x"},
            {},
            "HWCHECK_TOKEN",
            "not both",
        ),
    ],
)
def test_bad_settings_name_their_source(tmp_path, env, flags, where, what):
    base = {"url": "http://a:1"} if "url" not in flags and "HWCHECK_URL" not in env else {}
    env = {"HWCHECK_TOKEN": "t", **env} if "HWCHECK_TOKEN_FILE" not in env else env
    with pytest.raises(UsageError) as err:
        resolve({**base, **flags}, {**cmdline(tmp_path, DEBIAN), **env})
    assert err.value.where == where
    assert what in err.value.message


def test_bad_cmdline_parameters(tmp_path):
    for text, what in [
        ("quiet hwcheck.ulr=http://x", "unknown parameter hwcheck.ulr (known: hwcheck.url,"),
        ("hwcheck.url", "hwcheck.url needs a value"),
        ('hwcheck.url="" hwcheck.token=t', "is empty"),
    ]:
        with pytest.raises(UsageError) as err:
            resolve({}, cmdline(tmp_path, text))
        assert what in err.value.message
        assert err.value.where.startswith(str(tmp_path / "cmdline"))


def test_token_file_holds_exactly_one_token(tmp_path):
    two = tmp_path / "two"
    two.write_text("a\nb\n", encoding="utf-8")
    with pytest.raises(UsageError, match="exactly one token"):
        resolve({"url": "http://a:1", "token_file": str(two)}, {})


def test_nothing_configured_says_how_to_configure(tmp_path):
    with pytest.raises(
        UsageError, match=re.escape("no collector URL: give --url, HWCHECK_URL or hwcheck.url=")
    ):
        resolve({}, cmdline(tmp_path, DEBIAN))
    with pytest.raises(UsageError, match="no enrollment token"):
        resolve({}, cmdline(tmp_path, DEBIAN + " hwcheck.url=http://c:8740"))


def test_cli_config_error_is_one_line_and_exit_2_before_probing(tmp_path):
    env = {**cmdline(tmp_path, "ro hwcheck.url=http://127.0.0.1:9 hwcheck.deadline=never")}
    env["HWCHECK_TOKEN"] = "t"
    env["HWCHECK_SPOOL"] = str(tmp_path / "spool")
    done = run_hwcheck("gate", env=env)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"hwcheck: error: {tmp_path}/cmdline: hwcheck.deadline: a deadline is a number of "
        "seconds above 0 and at most 604800, not 'never'\n"
    )
    assert not os.path.exists(tmp_path / "spool")
    # The flag wins: the cmdline's bad deadline is never read.
    done = run_hwcheck("gate", "--deadline", "0.5", env=env)
    assert done.returncode == 5, done.stderr
    # argparse's path (a repeated option) gives the same
    done = run_hwcheck("gate", "--profile", "a", "--profile", "b", env=env)
    assert done.returncode == 2
    assert "hwcheck.deadline: a deadline is a number" in done.stderr
