"""A capture directory and an archive made of it with the real `tar` replay the same.

The fixture host trees (tests/fixtures/hosts, real-world values; see each SOURCE.md) are
capture directories with sysfs's real relative symlinks: `sys/class/net/<if>` into
`sys/devices/...` and `sys/class/dmi/id -> ../../devices/virtual/dmi/id`. An operator who
packs one with `tar czf` must get the inventory the directory gives: DMI included (before,
the archive's DMI link was not followed and the node read as having no DMI facts at all,
with "every fact was read"). Links that leave the capture refuse it, in either form; a
link inside it that leads nowhere is a gap, never "absent".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from runcli import ROOT, run_hwcheck

from hwcheck.probe import probe
from hwcheck.probe.host import open_root

HOSTS_DIR = os.path.join(ROOT, "tests", "fixtures", "hosts")
HOSTS = sorted(
    n for n in os.listdir(HOSTS_DIR) if os.path.isfile(os.path.join(HOSTS_DIR, n, "capture.json"))
)
DMI = os.path.join("sys", "class", "dmi", "id")


def tar_of(tree: str, archive: str) -> str:
    """`tar czf ARCHIVE -C TREE .`, as an operator packs a capture directory."""
    subprocess.run(["tar", "czf", archive, "-C", tree, "."], check=True)
    return archive


def replay(path: str) -> dict:
    inventory = dict(probe(open_root(path)))
    inventory.pop("source")
    return inventory


def copy_host(tmp_path, name: str = "intel-x710-i40e") -> str:
    tree = str(tmp_path / "capture")
    shutil.copytree(os.path.join(HOSTS_DIR, name), tree, symlinks=True)
    return tree


@pytest.mark.parametrize("name", HOSTS)
def test_tar_of_a_capture_directory_gives_the_directorys_inventory(name, tmp_path):
    tree = os.path.join(HOSTS_DIR, name)
    archive = tar_of(tree, str(tmp_path / f"{name}.tar.gz"))
    assert replay(archive) == replay(tree)


def test_tar_of_a_capture_directory_keeps_its_dmi_facts(tmp_path):
    # The R740 of intel-x710-i40e: its DMI lies behind the sys/class/dmi/id link.
    tree = os.path.join(HOSTS_DIR, "intel-x710-i40e")
    archive = tar_of(tree, str(tmp_path / "r740.tar.gz"))
    done = run_hwcheck("probe", "--from-capture", archive)
    assert done.returncode == 0, done.stderr
    assert "System:  Dell Inc. PowerEdge R740, serial 7XJ2Q63\n" in done.stdout
    assert "BIOS:    Dell Inc. 2.12.2 (07/09/2021)\n" in done.stdout
    system = replay(archive)["system"]
    assert system["present"] is True
    assert (system["sys_vendor"], system["bios_version"]) == ("Dell Inc.", "2.12.2")
    assert system["product_sku"] == "SKU=NotProvided;ModelName=PowerEdge R740"


@pytest.mark.parametrize("packed", [False, True], ids=["directory", "archive"])
def test_a_link_out_of_the_capture_refuses_it_in_either_form(tmp_path, packed):
    tree = copy_host(tmp_path)
    os.remove(os.path.join(tree, DMI))
    os.symlink("/sys/devices/virtual/dmi/id", os.path.join(tree, DMI))
    path = tar_of(tree, str(tmp_path / "out.tar.gz")) if packed else tree
    done = run_hwcheck("probe", "--from-capture", path, "--json", "-")
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr == (
        f"hwcheck: error: {path}: sys/class/dmi/id links outside the capture "
        "(/sys/devices/virtual/dmi/id)\n"
    )


@pytest.mark.parametrize("packed", [False, True], ids=["directory", "archive"])
def test_a_chain_of_links_that_climbs_out_refuses_the_capture(tmp_path, packed):
    # Each link alone stays inside; followed one after the other they leave the capture.
    tree = copy_host(tmp_path)
    os.remove(os.path.join(tree, DMI))
    os.symlink(".", os.path.join(tree, "sys", "class", "here"))
    os.symlink("../here/../../../../etc", os.path.join(tree, DMI))
    path = tar_of(tree, str(tmp_path / "chain.tar.gz")) if packed else tree
    done = run_hwcheck("probe", "--from-capture", path, "--json", "-")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"hwcheck: error: {path}: ")
    assert "outside the capture" in done.stderr
    assert len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("packed", [False, True], ids=["directory", "archive"])
def test_a_dmi_link_that_leads_nowhere_is_a_gap_not_a_node_without_dmi(tmp_path, packed):
    tree = copy_host(tmp_path)
    shutil.rmtree(os.path.join(tree, "sys", "devices", "virtual", "dmi"))
    path = tar_of(tree, str(tmp_path / "dangling.tar.gz")) if packed else tree
    inventory = replay(path)
    assert inventory["system"]["present"] is True
    assert inventory["system"]["sys_vendor"] is None
    gaps = [g for g in inventory["gaps"] if g["what"].startswith("system")]
    assert gaps == [
        {
            "what": "system",
            "source": "dmi",
            "reason": "not-found",
            "detail": "/sys/class/dmi/id: [Errno 2] No such file or directory",
        }
    ]
    done = run_hwcheck("probe", "--from-capture", path)
    assert "every fact was read" not in done.stdout
    assert "system: not-found (/sys/class/dmi/id: [Errno 2] No such file or directory)" in (
        done.stdout
    )


@pytest.mark.parametrize("packed", [False, True], ids=["directory", "archive"])
def test_a_loop_of_links_is_a_gap(tmp_path, packed):
    tree = copy_host(tmp_path)
    os.remove(os.path.join(tree, DMI))
    os.symlink("id2", os.path.join(tree, DMI))
    os.symlink("id", os.path.join(tree, "sys", "class", "dmi", "id2"))
    path = tar_of(tree, str(tmp_path / "loop.tar.gz")) if packed else tree
    inventory = replay(path)
    (gap,) = [g for g in inventory["gaps"] if g["what"] == "system"]
    assert gap["reason"] == "io-error"
    assert gap["detail"] == "/sys/class/dmi/id: [Errno 40] Too many levels of symbolic links"


def test_an_archive_with_members_below_a_symlink_is_refused(tmp_path):
    # `tar x` would write such a member through the link: the archive and its extracted
    # directory would differ, so the archive is refused.
    import io
    import tarfile

    path = str(tmp_path / "below.tar.gz")
    meta = json.dumps({"format": "hwcheck-capture", "format_version": 1}).encode()
    with tarfile.open(path, "w:gz") as tar:
        for name, data in (("capture.json", meta), ("sys/class/dmi/id/sys_vendor", b"x\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("sys/class/dmi/id")
        link.type, link.linkname = tarfile.SYMTYPE, "../../devices/virtual/dmi/id"
        tar.addfile(link)
    done = run_hwcheck("probe", "--from-capture", path)
    assert done.returncode == 2
    assert done.stderr == (
        f"hwcheck: error: {path}: member sys/class/dmi/id is a symlink and also holds members\n"
    )
