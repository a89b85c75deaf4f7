"""When the gate's verdict is coloured: on a real pseudo-terminal yes; on a pipe, a serial
line or the kernel console (what a PXE ramdisk's standard output is), with NO_COLOR or
TERM=dumb, never."""

from __future__ import annotations

import os
import pty

import pytest

from hwcheck.gate.console import serial_line, wants_colour


def test_a_pseudo_terminal_gets_colour():
    leader, follower = pty.openpty()
    try:
        with os.fdopen(follower, "w", closefd=False) as stream:
            assert os.ttyname(follower).startswith("/dev/pts/")
            assert wants_colour(stream, {"TERM": "xterm"}) is True
            assert wants_colour(stream, {"TERM": "xterm", "NO_COLOR": "1"}) is False
            assert wants_colour(stream, {"TERM": "dumb"}) is False
    finally:
        os.close(leader)
        os.close(follower)


def test_a_pipe_gets_no_colour():
    read, write = os.pipe()
    try:
        with os.fdopen(write, "w", closefd=False) as stream:
            assert wants_colour(stream, {"TERM": "xterm"}) is False
    finally:
        os.close(read)
        os.close(write)


@pytest.mark.parametrize(
    ("device", "serial"),
    [
        ("/dev/ttyS0", True),
        ("/dev/ttyS1", True),
        ("/dev/ttyAMA0", True),
        ("/dev/hvc0", True),
        ("/dev/ttyUSB0", True),
        ("/dev/console", True),
        ("/dev/pts/3", False),
        ("/dev/tty1", False),
    ],
)
def test_serial_lines_are_told_by_name(device, serial):
    assert serial_line(device) is serial
