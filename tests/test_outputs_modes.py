"""A report written over an existing file keeps that file's permissions (and, as root, its
owner and group): overwriting a 0600 result must not make it readable by everyone. A new
file gets the usual 0666 less the umask."""

from __future__ import annotations

import os
import stat

import pytest
from runcli import run_hwcheck

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIRTIO_VM = os.path.join(ROOT, "tests", "fixtures", "inventories", "virtio-vm.json")
CAPTURE = os.path.join(ROOT, "tests", "fixtures", "hosts", "virtio-vm")
ENV = {"HWCHECK_NO_CACHE": "1"}


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def with_umask(mask, *args, cwd):
    """Run hwcheck under `mask`: the umask a child inherits is the parent's."""
    old = os.umask(mask)
    try:
        return run_hwcheck(*args, cwd=str(cwd), env=ENV)
    finally:
        os.umask(old)


def test_every_check_output_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    modes = {"r.html": 0o600, "r.xml": 0o640, "r.json": 0o604}
    for name, bits in modes.items():
        (tmp_path / name).write_text("old")
        os.chmod(tmp_path / name, bits)
    done = with_umask(
        0o022,
        "check", "--inventory", VIRTIO_VM, "--html", "r.html", "--junit", "r.xml",
        "--json", "r.json", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert {name: mode(tmp_path / name) for name in modes} == modes
    assert (tmp_path / "r.json").read_text().startswith("{")


def test_a_replaced_file_keeps_a_mode_wider_than_the_umask(tmp_path):
    """The old mode is kept as it was: a 0644 report stays 0644 under umask 077."""
    (tmp_path / "inv.json").write_text("old")
    os.chmod(tmp_path / "inv.json", 0o644)
    done = with_umask(0o077, "probe", "--from-capture", CAPTURE, "--json", "inv.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert mode(tmp_path / "inv.json") == 0o644


def test_probe_capture_and_profile_outputs_keep_their_mode(tmp_path):
    for name in ("inv.json", "node.tar.gz", "golden.yaml"):
        (tmp_path / name).write_text("old")
        os.chmod(tmp_path / name, 0o600)
    runs = [
        ("probe", "--from-capture", CAPTURE, "--json", "inv.json"),
        ("capture", "--no-lshw", "node.tar.gz"),
        ("profile", "new", "--from", VIRTIO_VM, "-o", "golden.yaml"),
    ]
    for argv in runs:
        done = with_umask(0o022, *argv, cwd=tmp_path)
        assert done.returncode == 0, (argv, done.stderr)
    for name in ("inv.json", "node.tar.gz", "golden.yaml"):
        assert mode(tmp_path / name) == 0o600, name
        assert (tmp_path / name).read_bytes() != b"old", name


def test_through_a_symlink_the_target_keeps_its_mode(tmp_path):
    real, link = tmp_path / "real.json", tmp_path / "link.json"
    real.write_text("old")
    os.chmod(real, 0o600)
    link.symlink_to(real)
    done = with_umask(
        0o022, "probe", "--from-capture", CAPTURE, "--json", "link.json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert link.is_symlink()
    assert mode(real) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_as_root_a_replaced_file_keeps_its_owner_and_group(tmp_path):
    """A root PXE hook refreshing an operator's report must not take the file away from
    them."""
    target = tmp_path / "r.json"
    target.write_text("old")
    os.chown(target, 65534, 65533)
    os.chmod(target, 0o640)
    done = with_umask(0o022, "probe", "--from-capture", CAPTURE, "--json", "r.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    after = os.stat(target)
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (65534, 65533, 0o640)
    assert target.read_text().startswith('{"schema_version":1')
