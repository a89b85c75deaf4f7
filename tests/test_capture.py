"""Capture archives: what the probe read, replayed anywhere; hostile archives refused cleanly.

Round trips probe each fixture host (tests/fixtures/hosts, real-world values; see each
SOURCE.md) through build_capture, then replay the archive through TarRoot: the inventory must be
the same. Hostile archives are built here with tarfile; each must be refused through the CLI with
exit 2 and one line `hwcheck: error: PATH: ...`, never a traceback.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile

import pytest

from hwcheck import capture
from hwcheck.cli import main
from hwcheck.errors import CaptureError
from hwcheck.probe import archive, probe
from hwcheck.probe.archive import open_capture
from hwcheck.probe.host import DirRoot, open_root

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOSTS_DIR = os.path.join(REPO, "tests", "fixtures", "hosts")
HOSTS = sorted(
    name
    for name in os.listdir(HOSTS_DIR)
    if os.path.isfile(os.path.join(HOSTS_DIR, name, "capture.json"))
)
HWCHECK = os.path.join(os.path.dirname(sys.executable), "hwcheck")
MIB = 1024 * 1024
CAPTURE_JSON = json.dumps({"format": "hwcheck-capture", "format_version": 1}).encode()


def comparable(inventory: dict) -> dict:
    """The inventory without what differs by design between a probe and its replay."""
    out = dict(inventory)
    out.pop("collected_at")
    out.pop("source")
    return out


def capture_of(name: str, tmp_path) -> tuple[str, dict]:
    data, inventory = capture.build_capture(DirRoot(os.path.join(HOSTS_DIR, name)))
    path = os.path.join(tmp_path, f"{name}.tar.gz")
    with open(path, "wb") as f:
        f.write(data)
    return path, dict(inventory)


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("name", HOSTS)
def test_capture_round_trip_of_fixture_host(name, tmp_path):
    direct = dict(probe(DirRoot(os.path.join(HOSTS_DIR, name))))
    path, recorded = capture_of(name, tmp_path)
    replayed = dict(probe(open_capture(path)))
    assert comparable(replayed) == comparable(direct)
    assert comparable(recorded) == comparable(direct)
    assert replayed["source"]["kind"] == "capture"
    assert replayed["collected_at"] == replayed["source"]["captured_at"]
    assert replayed["collected_at"] == recorded["source"]["captured_at"]


@pytest.mark.parametrize("name", HOSTS)
def test_capture_of_a_capture_is_the_same_inventory(name, tmp_path):
    first, _ = capture_of(name, tmp_path)
    data, _ = capture.build_capture(open_capture(first))
    second = os.path.join(tmp_path, "second.tar.gz")
    with open(second, "wb") as f:
        f.write(data)
    a = probe(open_capture(first))
    b = probe(open_capture(second))
    assert comparable(dict(b)) == comparable(dict(a))


def test_capture_archive_layout_is_the_fixture_format(tmp_path):
    path, _ = capture_of("intel-x710-i40e", tmp_path)
    with tarfile.open(path) as tar:
        members = {m.name: m for m in tar}
        meta = json.loads(tar.extractfile("capture.json").read())
        ethtool = json.loads(tar.extractfile("recorded/ethtool/ens1f0.json").read())
    assert meta["format"] == "hwcheck-capture"
    assert meta["format_version"] == 1
    assert meta["hostname"] == "compute-r740-07"
    assert ethtool["drvinfo"]["fw_version"] == "8.15 0x8000a4e8 1.2879.0"
    assert members["sys/class/net/ens1f0"].issym()
    assert members["sys/class/net/ens1f0"].linkname.startswith("../../devices/pci0000:3a/")
    for name, member in members.items():
        assert not name.startswith("/") and ".." not in name.split("/")
        assert member.isfile() or member.isdir() or member.issym()
    # An extracted capture is a fixture tree: probing the directory gives the same inventory.
    out = tmp_path / "extracted"
    with tarfile.open(path) as tar:
        tar.extractall(out)  # noqa: S202 - an archive this test has just built
    assert comparable(dict(probe(open_root(str(out))))) == comparable(
        dict(probe(open_capture(path)))
    )


def test_capture_keeps_recorded_errors_and_vanished_links(tmp_path):
    # intel-x710-i40e records EINVAL for the speed of its down port: the replay says the same.
    path, _ = capture_of("intel-x710-i40e", tmp_path)
    replayed = probe(open_capture(path))
    (gap,) = [g for g in replayed["gaps"] if g["what"] == "nic[ens1f1].speed_mbps"]
    assert gap["reason"] == "invalid"
    assert gap["detail"].endswith("/net/ens1f1/speed: [Errno 22] Invalid argument")


# ---------------------------------------------------------------- hostile archives


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HWCHECK, *argv], capture_output=True, text=True, check=False)


def assert_refused(path: str, *expected: str) -> str:
    """`hwcheck probe --from-capture PATH` fails with exit 2 and one clean error line."""
    done = cli("probe", "--from-capture", path, "--json", "-")
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"hwcheck: error: {path}: "), lines[0]
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def write_tar(path, members: list[tarfile.TarInfo | tuple[str, bytes]], *, meta: bool = True):
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        if meta:
            info = tarfile.TarInfo("capture.json")
            info.size = len(CAPTURE_JSON)
            tar.addfile(info, io.BytesIO(CAPTURE_JSON))
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return str(path)


def symlink(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


def test_hostile_absolute_member_name(tmp_path):
    path = write_tar(tmp_path / "abs.tar.gz", [("/etc/cron.d/evil", b"* * * * * root true\n")])
    assert_refused(path, "'/etc/cron.d/evil'", "points outside the capture")


def test_hostile_dotdot_member_name(tmp_path):
    path = write_tar(tmp_path / "up.tar.gz", [("sys/../../../tmp/evil", b"x")])
    assert_refused(path, "points outside the capture")


def test_hostile_dotdot_member_name_with_dot_prefix(tmp_path):
    path = write_tar(tmp_path / "dotup.tar.gz", [("./../evil", b"x")])
    assert_refused(path, "points outside the capture")


@pytest.mark.parametrize("target", ["/etc/os-release", "../../../../../etc/os-release"])
def test_hostile_symlink_pointing_outside_is_refused(tmp_path, target):
    path = write_tar(tmp_path / "link.tar.gz", [symlink("etc/os-release", target)])
    assert_refused(path, "etc/os-release")


@pytest.mark.parametrize("target", ["/etc/os-release", "../../../../../etc/os-release"])
def test_hostile_symlink_never_reads_this_host(tmp_path, target):
    # Whether or not the archive is refused, the replay must never read the host's files.
    path = write_tar(tmp_path / "link.tar.gz", [symlink("etc/os-release", target)])
    done = cli("probe", "--from-capture", path, "--json", "-")
    assert "Traceback" not in done.stderr
    if done.returncode == 0:
        inventory = json.loads(done.stdout)
        assert inventory["os"]["id"] is None
        assert "debian" not in json.dumps(inventory["os"]).lower()
    else:
        assert done.returncode == 2


def test_hostile_device_node_is_refused(tmp_path):
    dev = tarfile.TarInfo("sys/class/net/eth0/address")
    dev.type, dev.devmajor, dev.devminor = tarfile.CHRTYPE, 1, 3  # /dev/null's numbers
    path = write_tar(tmp_path / "dev.tar.gz", [dev])
    assert_refused(path, "sys/class/net/eth0/address")


def test_hostile_member_over_16_mib(tmp_path):
    big = tmp_path / "big.tar.gz"
    path = write_tar(big, [("sys/class/net/eth0/address", bytes(17 * MIB))])
    assert os.path.getsize(big) < MIB  # zeros compress: small archive, huge member
    line = assert_refused(path, "sys/class/net/eth0/address")
    assert str(17 * MIB) in line


def test_hostile_archive_over_64_mib(tmp_path):
    path = tmp_path / "huge.tar.gz"
    with open(path, "wb") as f:
        f.truncate(65 * MIB)  # sparse: the real size costs no disk
    line = assert_refused(str(path), str(65 * MIB))
    assert str(archive.MAX_ARCHIVE_BYTES) in line


def run_main(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_hostile_too_many_members(tmp_path, monkeypatch, capsys):
    # 200,001 real members take ~12 s to write and read here: the limit is lowered instead.
    monkeypatch.setattr(archive, "MAX_MEMBERS", 50)
    dirs = []
    for i in range(60):
        info = tarfile.TarInfo(f"sys/d{i}")
        info.type = tarfile.DIRTYPE
        dirs.append(info)
    path = write_tar(tmp_path / "many.tar.gz", dirs)
    code, out, err = run_main(capsys, "probe", "--from-capture", path)
    assert (code, out) == (2, "")
    assert err == f"hwcheck: error: {path}: more than 50 members\n"


def test_hostile_total_unpacked_size(tmp_path, monkeypatch, capsys):
    # 17 members of 16 MiB would cost seconds of gzip: the total limit is lowered instead.
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 3 * MIB)
    members = [(f"sys/f{i}", bytes(MIB)) for i in range(4)]
    path = write_tar(tmp_path / "total.tar.gz", members)
    code, out, err = run_main(capsys, "probe", "--from-capture", path)
    assert (code, out) == (2, "")
    assert err == f"hwcheck: error: {path}: unpacks to more than {3 * MIB} bytes\n"


def not_a_tar(tmp_path) -> str:
    path = tmp_path / "notes.tar.gz"
    path.write_text("this is a text file, not an archive\n")
    return str(path)


def truncated_gzip(tmp_path) -> str:
    whole, _ = capture_of("virtio-vm", tmp_path)
    with open(whole, "rb") as f:
        data = f.read()
    path = tmp_path / "cut.tar.gz"
    path.write_bytes(data[: len(data) // 2])
    return str(path)


def gzip_of_not_a_tar(tmp_path) -> str:
    path = tmp_path / "json.tar.gz"
    path.write_bytes(gzip.compress(b'{"schema_version": 1}\n'))
    return str(path)


UNREADABLE = [not_a_tar, truncated_gzip, gzip_of_not_a_tar]


@pytest.mark.parametrize("make", UNREADABLE, ids=lambda f: f.__name__)
def test_hostile_unreadable_archive_is_refused(tmp_path, make):
    path = make(tmp_path)
    done = cli("probe", "--from-capture", path, "--json", "-")
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"hwcheck: error: {path}: not a readable capture archive")


@pytest.mark.parametrize("make", UNREADABLE, ids=lambda f: f.__name__)
def test_hostile_unreadable_archive_error_is_one_line(tmp_path, make):
    path = make(tmp_path)
    assert_refused(path, "not a readable capture archive")


def frozen_capture_tar() -> bytes:
    """The virtio-vm capture as an uncompressed tar with fixed times: the same bytes each run,
    so a corruption at a fixed offset always hits the same place."""
    data, _ = capture.build_capture(DirRoot(os.path.join(HOSTS_DIR, "virtio-vm")))
    buf = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(data)) as src,
        tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as out,
    ):
        for member in src:
            body = src.extractfile(member).read() if member.isfile() else None
            if member.name == "capture.json":
                meta = dict(json.loads(body), captured_at="2026-11-24T14:00:00Z")
                body = json.dumps(meta).encode()
                member.size = len(body)
            member.mtime = 0
            out.addfile(member, io.BytesIO(body) if body is not None else None)
    return buf.getvalue()


def corrupt_gzip_body(tmp_path) -> str:
    data = bytearray(gzip.compress(frozen_capture_tar(), mtime=0))
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # damage in transit: a run of zeros
    path = tmp_path / "corrupt.tar.gz"
    path.write_bytes(bytes(data))
    return str(path)


def gzip_crc_mismatch(tmp_path) -> str:
    data = bytearray(gzip.compress(frozen_capture_tar(), mtime=0))
    data[-8] ^= 0xFF  # the CRC-32 of the gzip trailer no longer matches the content
    path = tmp_path / "crc.tar.gz"
    path.write_bytes(bytes(data))
    return str(path)


def damaged_tar_header(tmp_path) -> str:
    tar = bytearray(frozen_capture_tar())
    with tarfile.open(fileobj=io.BytesIO(bytes(tar))) as src:
        members = src.getmembers()
    victim = members[len(members) // 2]
    tar[victim.offset + 148 : victim.offset + 156] = b"0000000\0"  # a wrong header checksum
    path = tmp_path / "header.tar.gz"
    path.write_bytes(gzip.compress(bytes(tar), mtime=0))
    return str(path)


@pytest.mark.parametrize(
    "make", [corrupt_gzip_body, gzip_crc_mismatch, damaged_tar_header], ids=lambda f: f.__name__
)
def test_hostile_corrupt_capture_is_refused(tmp_path, make):
    path = make(tmp_path)
    done = cli("probe", "--from-capture", path, "--json", "-")
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.startswith(f"hwcheck: error: {path}: ")
    assert "Traceback" not in done.stderr


def test_frozen_capture_tar_replays_whole(tmp_path):
    # The undamaged form of the archives above is a good capture: only the damage differs.
    path = tmp_path / "good.tar.gz"
    path.write_bytes(gzip.compress(frozen_capture_tar(), mtime=0))
    replayed = probe(open_capture(str(path)))
    direct = probe(DirRoot(os.path.join(HOSTS_DIR, "virtio-vm")))
    assert comparable(dict(replayed)) == comparable(dict(direct))


def test_tar_without_capture_json(tmp_path):
    path = write_tar(tmp_path / "plain.tar.gz", [("etc/os-release", b"ID=debian\n")], meta=False)
    assert_refused(path, "not a hwcheck capture (no capture.json)")


def test_missing_capture_file(tmp_path):
    path = str(tmp_path / "nowhere.tar.gz")
    assert_refused(path, "no such file")


def test_open_capture_raises_capture_error_in_process(tmp_path):
    path = write_tar(tmp_path / "abs.tar.gz", [("/etc/shadow", b"")])
    with pytest.raises(CaptureError) as caught:
        open_capture(path)
    assert caught.value.where == path


# ---------------------------------------------------------------- writing a capture


def test_capture_into_missing_directory_exits_4_and_leaves_nothing(tmp_path):
    out = tmp_path / "no" / "such" / "dir" / "x.tar.gz"
    done = cli("capture", "--no-lshw", str(out))
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"hwcheck: error: {out}: cannot write: ")
    assert line.endswith(f"no such directory: {out.parent}")
    assert not (tmp_path / "no").exists()
    assert os.listdir(tmp_path) == []


def test_capture_onto_a_directory_exits_4_and_keeps_it(tmp_path):
    target = tmp_path / "reports"
    target.mkdir()
    (target / "keep.txt").write_text("kept\n")
    done = cli("capture", "--no-lshw", str(target))
    assert done.returncode == 4
    (line,) = done.stderr.splitlines()
    assert line == f"hwcheck: error: {target}: is a directory; give a file name"
    assert os.listdir(target) == ["keep.txt"]
    assert sorted(os.listdir(tmp_path)) == ["reports"]


def test_capture_replaces_an_old_capture_whole(tmp_path):
    out = tmp_path / "node.tar.gz"
    out.write_bytes(b"an older capture")
    done = cli("capture", "--no-lshw", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("hwcheck: captured ")
    assert str(out) in done.stdout
    assert os.listdir(tmp_path) == ["node.tar.gz"]  # no temporary file left beside it
    with tarfile.open(out) as tar:
        assert "capture.json" in tar.getnames()


def test_an_empty_directory_in_a_capture_exists_when_replayed(tmp_path):
    """A capture records an empty directory the probe looked at (a macvtap link's
    `macvtap/`, a module's entry under /sys/module): replay must see it, empty, as the live
    host did; on disk and in the archive alike."""
    empty = tarfile.TarInfo("sys/class/net/mvt0/macvtap")
    empty.type, empty.mode = tarfile.DIRTYPE, 0o755
    path = write_tar(tmp_path / "empty-dir.tar.gz", [empty])
    archive = open_root(path)
    assert archive.exists("sys/class/net/mvt0/macvtap")
    assert archive.listdir("sys/class/net/mvt0/macvtap") == []
    assert archive.listdir("sys/class/net/mvt0") == ["macvtap"]
    extracted = tmp_path / "extracted"
    (extracted / "sys/class/net/mvt0/macvtap").mkdir(parents=True)
    (extracted / "capture.json").write_bytes(CAPTURE_JSON)
    on_disk = open_root(str(extracted))
    assert on_disk.exists("sys/class/net/mvt0/macvtap")
    assert on_disk.listdir("sys/class/net/mvt0/macvtap") == []
