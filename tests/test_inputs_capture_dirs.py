"""An extracted capture directory is held to what an archive is held to.

`--from-capture DIR` reads a tree someone else may have built: it must be a capture (hold
capture.json), and reading it must neither hang (a fifo where a file should be), nor touch
a device, nor fill memory (a sparse file of gigabytes costs no disk). Each tree here is the
virtio-vm fixture host, copied and then broken in one place; each refusal is exit 2 and one
line naming the directory.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import sys
import tarfile

import pytest
from runcli import ROOT

from hwcheck.errors import CaptureError
from hwcheck.probe import host, probe
from hwcheck.probe.host import DirRoot

VIRTIO_VM = os.path.join(ROOT, "tests", "fixtures", "hosts", "virtio-vm")
HOSTNAME = os.path.join("proc", "sys", "kernel", "hostname")
MEMORY_LIMIT = 1024 * 1024 * 1024
"""Address space a refused probe may use: the file tests are bigger than this."""


def _limited() -> None:
    # Should the limit on reads ever break, the test fails with a MemoryError instead of
    # taking the machine's memory with it.
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def probe_cli(tree: str, *, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """`hwcheck probe --from-capture TREE --json -`, bounded in time and memory."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "hwcheck", "probe", "--from-capture", tree, "--json", "-"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            preexec_fn=_limited,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the probe of {tree} did not finish in {timeout} s")


def copy_host(tmp_path) -> str:
    tree = tmp_path / "capture"
    shutil.copytree(VIRTIO_VM, tree, symlinks=True)
    return str(tree)


def assert_refused(done: subprocess.CompletedProcess[str], tree: str, message: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stdout == ""
    assert done.stderr == f"hwcheck: error: {tree}: {message}\n"


# ---------------------------------------------------------------- what is read


def test_a_fifo_in_the_capture_is_refused_not_waited_on(tmp_path):
    tree = copy_host(tmp_path)
    os.remove(os.path.join(tree, HOSTNAME))
    os.mkfifo(os.path.join(tree, HOSTNAME))
    done = probe_cli(tree, timeout=20)
    assert_refused(done, tree, "proc/sys/kernel/hostname is a fifo; captures hold none")


def test_a_socket_in_the_capture_is_refused(tmp_path):
    tree = copy_host(tmp_path)
    os.remove(os.path.join(tree, HOSTNAME))
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(os.path.join(tree, HOSTNAME))
        done = probe_cli(tree)
    assert_refused(done, tree, "proc/sys/kernel/hostname is a socket; captures hold none")


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node needs root")
def test_a_device_node_in_the_capture_is_never_opened(tmp_path):
    tree = copy_host(tmp_path)
    os.remove(os.path.join(tree, HOSTNAME))
    # /dev/zero's numbers: opened and read, it would never end.
    os.mknod(os.path.join(tree, HOSTNAME), 0o644 | 0o020000, os.makedev(1, 5))
    done = probe_cli(tree, timeout=20)
    assert_refused(done, tree, "proc/sys/kernel/hostname is a device node; captures hold none")


def test_a_huge_sparse_file_is_refused_without_reading_it(tmp_path):
    tree = copy_host(tmp_path)
    size = 2 * 1024 * 1024 * 1024
    with open(os.path.join(tree, HOSTNAME), "wb") as f:
        f.truncate(size)  # sparse: 2 GiB that cost no disk
    done = probe_cli(tree)
    assert_refused(
        done,
        tree,
        f"proc/sys/kernel/hostname is {size} bytes; the limit is {host.MAX_FILE_BYTES}",
    )


def test_a_file_just_over_the_limit_is_refused_one_at_the_limit_is_read(tmp_path):
    tree = copy_host(tmp_path)
    path = os.path.join(tree, HOSTNAME)
    with open(path, "wb") as f:
        f.write(b"h" * host.MAX_FILE_BYTES)
    assert probe_cli(tree).returncode == 0
    with open(path, "ab") as f:
        f.write(b"x")
    assert_refused(
        probe_cli(tree),
        tree,
        f"proc/sys/kernel/hostname is {host.MAX_FILE_BYTES + 1} bytes; "
        f"the limit is {host.MAX_FILE_BYTES}",
    )


def test_all_reads_of_an_extracted_capture_are_bounded_too(tmp_path, monkeypatch):
    # Many files under the per-file limit add up: the archive's total limit holds for a
    # directory as well (lowered here, as building 256 MiB of files would take seconds).
    tree = copy_host(tmp_path)
    monkeypatch.setattr(host, "MAX_TOTAL_BYTES", 1000)
    with open(os.path.join(tree, HOSTNAME), "wb") as f:
        f.write(b"h" * 2000)
    with pytest.raises(CaptureError) as caught:
        probe(DirRoot(tree))
    assert str(caught.value) == f"{tree}: reads more than 1000 bytes"


# ---------------------------------------------------------------- what is a capture


def test_a_directory_that_is_not_a_capture_is_refused(tmp_path):
    tree = copy_host(tmp_path)
    os.remove(os.path.join(tree, "capture.json"))
    assert_refused(probe_cli(tree), tree, "not a hwcheck capture (no capture.json)")


def test_etc_is_not_a_capture():
    assert_refused(probe_cli("/etc"), "/etc", "not a hwcheck capture (no capture.json)")


def test_a_directory_and_an_archive_without_capture_json_say_the_same(tmp_path):
    tree = copy_host(tmp_path)
    os.remove(os.path.join(tree, "capture.json"))
    archive = str(tmp_path / "plain.tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tree, arcname=".")
    from_dir = probe_cli(tree).stderr.replace(tree, "PATH")
    from_archive = probe_cli(archive).stderr.replace(archive, "PATH")
    assert (
        from_dir
        == from_archive
        == ("hwcheck: error: PATH: not a hwcheck capture (no capture.json)\n")
    )


@pytest.mark.parametrize("kind", ["directory", "fifo", "link outside"])
def test_capture_json_must_be_a_regular_file(tmp_path, kind):
    tree = copy_host(tmp_path)
    meta = os.path.join(tree, "capture.json")
    os.remove(meta)
    if kind == "directory":
        os.mkdir(meta)
    elif kind == "fifo":
        os.mkfifo(meta)
    else:
        outside = tmp_path / "elsewhere.json"
        outside.write_text("{}")
        os.symlink(outside, meta)
    assert_refused(probe_cli(tree, timeout=20), tree, "not a hwcheck capture (no capture.json)")
