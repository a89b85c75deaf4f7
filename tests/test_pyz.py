"""hwcheck.pyz (scripts/build-pyz.py) under a bare `python3 -I`, on every interpreter this
machine has: probe, capture and gate (against a real `hwcheck serve`) on 3.9+, check on
3.11+, only the standard library on the probe and gate paths, and a reproducible build.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile

import pytest
from collectorproc import Collector
from runcli import ROOT

INV = os.path.join(ROOT, "tests/fixtures/inventories")
PYENV = "/root/.pyenv/versions"
INTERPRETERS = [
    f"{PYENV}/3.9.18/bin/python3",
    f"{PYENV}/3.10.13/bin/python3",
    f"{PYENV}/3.11.7/bin/python3",
    f"{PYENV}/3.12.1/bin/python3",
    f"{PYENV}/3.13.0/bin/python3",
    "/usr/bin/python3",
]
REQUIRED = "/usr/bin/python3"


def _version(python):
    out = subprocess.run(
        [python, "-I", "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return int(out[0]), int(out[1])


def interpreter(python):
    if not os.path.exists(python):
        if python == REQUIRED:
            pytest.fail(f"{REQUIRED} is required for the single-file tests")
        pytest.skip(f"{python} is not installed here")
    return python, _version(python)


BUILD = [sys.executable, os.path.join(ROOT, "scripts/build-pyz.py")]


@pytest.fixture(scope="module")
def pyz(tmp_path_factory):
    out = tmp_path_factory.mktemp("pyz") / "hwcheck.pyz"
    subprocess.run([*BUILD, "--output", str(out)], check=True, capture_output=True)
    return str(out)


@pytest.fixture(scope="module")
def collector():
    with Collector() as c:
        yield c


def bare(python, pyz, *args, cwd, env=None, timeout=120):
    """`python -I hwcheck.pyz ARGS` with no site-packages, no PYTHONPATH, a clean env."""
    base = {"PATH": os.environ["PATH"], "HOME": str(cwd), "NO_COLOR": "1", "HWCHECK_NO_CACHE": "1"}
    return subprocess.run(
        [python, "-I", pyz, *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def test_build_is_reproducible_and_holds_what_it_should(pyz, tmp_path):
    again = tmp_path / "again.pyz"
    subprocess.run([*BUILD, "--output", str(again)], check=True, capture_output=True)
    with open(pyz, "rb") as a, open(again, "rb") as b:
        assert a.read() == b.read()
    with open(pyz, "rb") as fh:
        assert fh.readline() == b"#!/usr/bin/env python3\n"
    names = zipfile.ZipFile(pyz).namelist()
    assert "__main__.py" in names
    assert "hwcheck/gate/client.py" in names
    assert "hwcheck/gate/client.pyc" in names
    assert "hwcheck/profiles/lab/kvm-virtio.yaml" in names
    assert "yaml/__init__.py" in names
    assert "jinja2/__init__.py" in names
    assert "markupsafe/__init__.py" in names
    assert "licenses/PyYAML/LICENSE" in names
    assert not [n for n in names if n.endswith((".so", ".pyd", ".c"))]
    assert not [n for n in names if "__pycache__" in n or n.startswith("tests/")]


@pytest.mark.parametrize("python", INTERPRETERS)
def test_probe_capture_and_replay(python, pyz, tmp_path):
    python, _ = interpreter(python)
    done = bare(python, pyz, "probe", "--json", "-", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    inventory = json.loads(done.stdout)
    assert inventory["kind"] == "hwcheck-inventory"
    assert inventory["nics"]
    capture = tmp_path / "node.tar.gz"
    done = bare(python, pyz, "capture", str(capture), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with tarfile.open(capture) as archive:
        assert archive.getmember("capture.json")
    replay = bare(python, pyz, "probe", "--from-capture", str(capture), "--json", "-", cwd=tmp_path)
    assert replay.returncode == 0, replay.stderr
    replayed = json.loads(replay.stdout)
    assert [n["name"] for n in replayed["nics"]] == [n["name"] for n in inventory["nics"]]
    assert replayed["source"]["kind"] == "capture"


def _imports(stderr):
    """Top-level module names from `-X importtime` output."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name.split(".")[0])
    return names


@pytest.mark.parametrize("python", INTERPRETERS)
def test_gate_against_the_real_collector(python, pyz, collector, tmp_path):
    python, _ = interpreter(python)
    tok = tmp_path / "enroll.token"
    tok.write_text(collector.enroll_token + "\n", encoding="utf-8")
    args = (
        "gate",
        "--url",
        collector.url,
        "--token-file",
        str(tok),
        "--spool",
        str(tmp_path / "s"),
    )
    done = bare(
        python, pyz, *args, "--inventory", os.path.join(INV, "intel-x710-i40e.json"), cwd=tmp_path
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Firmware nvm 8.15 is below the minimum 9.01." in done.stdout
    # The live node, probed and posted, with no site-packages at all (-S): only the standard
    # library is loaded.
    cmd = [python, "-I", "-S", "-X", "importtime", pyz, *args]
    live = subprocess.run(
        cmd,
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert live.returncode == 0, live.stdout + live.stderr
    assert "####  ###  #   # ####  #     #####" in live.stdout
    loaded = _imports(live.stderr)
    foreign = {"yaml", "jinja2", "markupsafe", "pyudev", "sh", "distro"}
    assert not loaded & foreign
    stdlib = sys.stdlib_module_names  # this interpreter's (3.11+): a superset of 3.9's names
    assert loaded - set(stdlib) == {"hwcheck"}, loaded - set(stdlib)


@pytest.mark.parametrize("python", INTERPRETERS)
def test_gate_unreachable_on_every_interpreter(python, pyz, tmp_path):
    python, version = interpreter(python)
    done = bare(
        python,
        pyz,
        "gate",
        "--url",
        "http://127.0.0.1:9",
        "--deadline",
        "1",
        "--inventory",
        os.path.join(INV, "virtio-vm.json"),
        "--spool",
        str(tmp_path / "s"),
        cwd=tmp_path,
        env={"HWCHECK_TOKEN": "enroll-token-for-nothing"},
    )
    assert done.returncode == 5, done.stdout + done.stderr
    assert "NOT CONFIRMED BY THE COLLECTOR" in done.stdout
    assert len(os.listdir(tmp_path / "s")) == 1
    if version >= (3, 11):
        assert "(judged here)" in done.stdout  # the shipped profiles, from inside the zip
        assert "profiles:  lab/kvm-virtio" in done.stdout
    else:
        assert f"local judging needs Python 3.11+; this is Python {version[0]}.{version[1]}" in (
            done.stdout
        )


@pytest.mark.parametrize("python", INTERPRETERS)
def test_check_on_311_and_a_plain_refusal_before(python, pyz, tmp_path):
    python, version = interpreter(python)
    done = bare(
        python,
        pyz,
        "check",
        "--no-html",
        "--inventory",
        os.path.join(INV, "virtio-vm.json"),
        cwd=tmp_path,
    )
    if version >= (3, 11):
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(" COMPLIANT ")
        assert "profile lab/kvm-virtio <- linux/baseline" in done.stdout
    else:
        assert done.returncode == 2
        assert done.stderr == (
            f"hwcheck: error: hwcheck check: needs Python 3.11+ (this is Python "
            f"{version[0]}.{version[1]}); probe, capture and gate run on Python 3.9+\n"
        )
