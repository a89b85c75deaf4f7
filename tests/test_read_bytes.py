"""read_bytes (every document a fleet, `check --inventory` or `report` reads): a file's bytes
to its end, refused past the limit, whatever its size says: regular files, files whose size
says nothing (procfs), and pipes."""

from __future__ import annotations

import contextlib
import os
import threading

import pytest

from hwcheck.errors import InputError
from hwcheck.model.documents import read_bytes


def read(path: str, limit: int) -> bytes:
    return read_bytes(path, what="an inventory", max_bytes=limit)


@pytest.mark.parametrize("size", [0, 1, 99, 100])
def test_a_file_up_to_the_limit_is_read_whole(tmp_path, size):
    path = tmp_path / "f.json"
    data = os.urandom(size)
    path.write_bytes(data)
    assert read(str(path), 100) == data


@pytest.mark.parametrize("size", [101, 5000])
def test_a_file_over_the_limit_is_refused(tmp_path, size):
    path = tmp_path / "f.json"
    path.write_bytes(b"x" * size)
    with pytest.raises(InputError, match="larger than 0 MiB; not an inventory"):
        read(str(path), 100)


def test_a_file_whose_size_says_nothing_is_read_to_its_end():
    # procfs says 0 bytes; the file has more
    with open("/proc/self/mountinfo", "rb") as handle:
        whole = handle.read()
    assert len(whole) > 1
    got = read("/proc/self/mountinfo", 1 << 20)
    assert got.splitlines()[0] == whole.splitlines()[0] and len(got) > 1


@pytest.mark.parametrize(("size", "refused"), [(70_000, False), (70_001, True)])
def test_a_pipe_is_read_to_its_end_or_the_limit(tmp_path, size, refused):
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    data = os.urandom(size)

    def write() -> None:
        # the reader may stop at the limit, before all is written
        with open(fifo, "wb") as handle, contextlib.suppress(BrokenPipeError):
            handle.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        if refused:
            with pytest.raises(InputError, match="larger than"):
                read(fifo, 70_000)
        else:
            assert read(fifo, 70_000) == data
    finally:
        writer.join(timeout=10)
