"""The SIOCETHTOOL ioctl: driver info (ETHTOOL_GDRVINFO) and permanent address (ETHTOOL_GPERMADDR).

Driver info has no netlink message; the ioctl is what `ethtool -i` uses. Its string fields
are 32-byte NUL-terminated arrays, so a value of 31 characters may have been cut short.
Only the standard library is used: `socket` alone costs more import time than the probe
budget allows on a slow node, so the socket is made with `_socket` (the C module `socket`
wraps) and addressed by file descriptor.
"""

from __future__ import annotations

import array
import fcntl
import os
import struct

SIOCETHTOOL = 0x8946
ETHTOOL_GDRVINFO = 0x00000003
ETHTOOL_GPERMADDR = 0x00000020
IFNAMSIZ = 16
IFREQ_SIZE = 40  # struct ifreq on LP64: 16-byte name + 24-byte union
ETHTOOL_STRING_LEN = 32
TRUNCATION_LENGTH = ETHTOOL_STRING_LEN - 1
MAX_ADDR_LEN = 32

# The layout of struct ethtool_drvinfo (include/uapi/linux/ethtool.h): the command word,
# five 32-byte strings (driver, version, fw_version, bus_info, erom_version), 12 reserved
# bytes, then five u32 counters.
_DRVINFO = struct.Struct("=I32s32s32s32s32s12s5I")
_DRVINFO_FIELDS = ("driver", "version", "fw_version", "bus_info", "erom_version")


def open_socket() -> int:
    """A datagram socket's file descriptor to address ioctls to."""
    import _socket

    sock = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)
    return int(sock.detach())


def _ioctl(fd: int, ifname: str, buf: array.array[int]) -> None:
    name = os.fsencode(ifname)  # names are bytes to the kernel, not necessarily UTF-8
    if len(name) >= IFNAMSIZ:
        raise OSError(22, "interface name too long", ifname)
    address, _ = buf.buffer_info()
    ifreq = struct.pack(f"{IFNAMSIZ}sP", name, address)
    ifreq += bytes(IFREQ_SIZE - len(ifreq))
    fcntl.ioctl(fd, SIOCETHTOOL, ifreq)


def _cstr(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "backslashreplace")


def drvinfo(fd: int, ifname: str) -> dict[str, str]:
    """`ethtool -i IFNAME` as a dict of the kernel's raw strings."""
    buf = array.array("B", _DRVINFO.pack(ETHTOOL_GDRVINFO, *([b""] * 6), 0, 0, 0, 0, 0))
    _ioctl(fd, ifname, buf)
    fields = _DRVINFO.unpack(buf.tobytes())[1:6]
    return {key: _cstr(value) for key, value in zip(_DRVINFO_FIELDS, fields)}


def permaddr(fd: int, ifname: str) -> str:
    """`ethtool -P IFNAME`: the permanent hardware address, lowercase `aa:bb:...`."""
    buf = array.array(
        "B", struct.pack("=II", ETHTOOL_GPERMADDR, MAX_ADDR_LEN) + bytes(MAX_ADDR_LEN)
    )
    _ioctl(fd, ifname, buf)
    raw = buf.tobytes()
    (size,) = struct.unpack_from("=I", raw, 4)
    return ":".join(f"{b:02x}" for b in raw[8 : 8 + size])
