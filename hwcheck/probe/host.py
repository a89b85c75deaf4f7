"""HostRoot: the one door to the host. Every read of sysfs/procfs/etc goes through here.

Three kinds of root answer the same calls:
- `LiveRoot("/")`: the running machine; driver info comes from the SIOCETHTOOL ioctl.
- `DirRoot(path)`: an extracted capture or a test fixture tree; driver info, pci.ids names and
  read errors come from the files under `recorded/` (docs/inventory.md, "The capture format").
- `TarRoot(path)`: a capture archive read in memory, never extracted (see hwcheck.capture).

Paths are relative to the root and use `/` (`sys/class/net/eth0/mtu`). Methods raise OSError
with the kernel's errno; the probe turns each into a recorded gap at the call site.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat

from hwcheck.probe.reader import printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

RECORDED = "recorded"
"""Directory inside a capture/fixture root holding answers that are not files on the host."""

CAPTURE_META = "capture.json"
"""The file that makes a directory or an archive a capture."""

MAX_FILE_BYTES = 16 * 1024 * 1024
"""The most a capture may hold in one file. sysfs and procfs values are a few bytes and
recorded answers (lshw's JSON the largest) a few KB: anything near this is not a capture."""

MAX_TOTAL_BYTES = 256 * 1024 * 1024
"""The most all files of a capture may hold (an archive unpacked, or an extracted capture
read), so that many files just under the per-file limit cannot exhaust memory either."""


class HostRoot:
    """The interface every root implements."""

    root: str = "/"
    live: bool = False

    def read_bytes(self, path: str) -> bytes:
        raise NotImplementedError

    def listdir(self, path: str) -> list[str]:
        raise NotImplementedError

    def readlink(self, path: str) -> str:
        """The target of a symlink; OSError(EINVAL) if `path` is not a link."""
        raise NotImplementedError

    def exists(self, path: str) -> bool:
        raise NotImplementedError

    def drvinfo(self, ifname: str) -> dict[str, str]:
        """ETHTOOL_GDRVINFO: driver, version, fw_version, erom_version, bus_info."""
        raise NotImplementedError

    def permaddr(self, ifname: str) -> str:
        """ETHTOOL_GPERMADDR: the permanent MAC address, `aa:bb:...`."""
        raise NotImplementedError

    def machine(self) -> str:
        """The CPU architecture as `uname -m` prints it."""
        raise NotImplementedError

    def recorded(self, name: str) -> bytes:
        """A recorded answer (`recorded/<name>`); ENOENT when there is none."""
        return self.read_bytes(f"{RECORDED}/{name}")


class LiveRoot(HostRoot):
    """The running system (or a chroot-like directory for file reads only)."""

    live = True

    def __init__(self, root: str = "/") -> None:
        self.root = root
        self._sock: int | None = None

    def _abs(self, path: str) -> str:
        return os.path.join(self.root, path)

    def read_bytes(self, path: str) -> bytes:
        fd = os.open(self._abs(path), os.O_RDONLY | os.O_CLOEXEC)
        try:
            chunks = []
            while chunk := os.read(fd, 65536):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def listdir(self, path: str) -> list[str]:
        return os.listdir(self._abs(path))

    def readlink(self, path: str) -> str:
        return os.readlink(self._abs(path))

    def exists(self, path: str) -> bool:
        return os.path.lexists(self._abs(path))

    def drvinfo(self, ifname: str) -> dict[str, str]:
        from hwcheck.probe import ethtool

        return ethtool.drvinfo(self._socket(), ifname)

    def permaddr(self, ifname: str) -> str:
        from hwcheck.probe import ethtool

        return ethtool.permaddr(self._socket(), ifname)

    def machine(self) -> str:
        return printable(os.uname().machine)

    def _socket(self) -> int:
        if self._sock is None:
            from hwcheck.probe import ethtool

            self._sock = ethtool.open_socket()
        return self._sock

    def close(self) -> None:
        if self._sock is not None:
            os.close(self._sock)
            self._sock = None


def errno_from_name(name: str) -> int:
    """`"EINVAL"` -> 22, as recorded in captures; unknown names become EIO."""
    value = getattr(errno, name, None)
    return value if isinstance(value, int) else errno.EIO


def recorded_error(name: str, path: str) -> OSError:
    code = errno_from_name(name)
    return OSError(code, os.strerror(code), "/" + path)


class ReplayRoot(HostRoot):
    """Common behaviour of captured roots: recorded answers and recorded read errors."""

    def __init__(self) -> None:
        self._errors: dict[str, str] | None = None
        self._ethtool: dict[str, dict[str, object]] = {}

    def _recorded_errors(self) -> dict[str, str]:
        if self._errors is None:
            try:
                raw = self._recorded_json(f"{RECORDED}/errors.json")
            except FileNotFoundError:
                raw = {}
            errors = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
            # A capture may name a path through a link (sys/class/net/eth1/speed) that the
            # probe reads through its target (sys/devices/.../net/eth1/speed): answer both.
            self._errors = {**{self._canonical(k): v for k, v in errors.items()}, **errors}
        return self._errors

    def _recorded_json(self, path: str) -> object:
        """A recorded answer; a damaged one makes the whole capture unusable (exit 2).
        FileNotFoundError passes: each caller knows what a missing answer means."""
        import json  # captures only: the live probe does not load json

        from hwcheck.errors import CaptureError

        try:
            data = self._raw_read(path)
        except FileNotFoundError:
            raise
        except OSError as err:
            raise CaptureError(
                f"{path} cannot be read: {err.strerror or err}", where=self.root
            ) from None
        try:
            return json.loads(data)
        except (ValueError, RecursionError) as err:
            raise CaptureError(f"{path} is not valid JSON: {err}", where=self.root) from None

    def _canonical(self, path: str) -> str:
        parts = path.split("/")
        resolved: list[str] = []
        for i, part in enumerate(parts):
            resolved.append(part)
            if i == len(parts) - 1:
                break
            try:
                target = self._raw_readlink("/".join(resolved))
            except OSError:
                continue
            joined = posixpath.normpath(posixpath.join("/".join(resolved[:-1]), target))
            resolved = joined.split("/")
        return "/".join(resolved)

    def _raw_read(self, path: str) -> bytes:
        raise NotImplementedError

    def _raw_listdir(self, path: str) -> list[str]:
        raise NotImplementedError

    def _raw_readlink(self, path: str) -> str:
        raise NotImplementedError

    def _present_by_error(self, path: str) -> bool:
        """A recorded error other than ENOENT means the path was there but unreadable."""
        name = self._recorded_errors().get(path)
        return name is not None and name != "ENOENT"

    def _check(self, path: str) -> None:
        name = self._recorded_errors().get(path)
        if name is not None:
            raise recorded_error(name, path)

    def read_bytes(self, path: str) -> bytes:
        self._check(path)
        return self._raw_read(path)

    def readlink(self, path: str) -> str:
        self._check(path)
        return self._raw_readlink(path)

    def listdir(self, path: str) -> list[str]:
        self._check(path)
        names = set(self._raw_listdir(path))
        # A recorded error for a child (a link that vanished mid-capture) keeps it listed.
        prefix = path.rstrip("/") + "/"
        for errpath in self._recorded_errors():
            if errpath.startswith(prefix) and "/" not in errpath[len(prefix) :]:
                names.add(errpath[len(prefix) :])
        return sorted(names)

    def _answer(self, ifname: str, key: str) -> object:
        if ifname not in self._ethtool:
            path = f"{RECORDED}/ethtool/{ifname}.json"
            try:
                data = self._recorded_json(path)
            except FileNotFoundError:
                raise OSError(errno.ENODATA, "no recorded ethtool answer", "/" + path) from None
            self._ethtool[ifname] = data if isinstance(data, dict) else {}
        value = self._ethtool[ifname].get(key)
        if isinstance(value, dict) and "errno" in value:
            raise recorded_error(str(value["errno"]), f"{RECORDED}/ethtool/{ifname}.json")
        if value is None:
            raise OSError(errno.ENODATA, f"no recorded {key}", f"/{RECORDED}/ethtool/{ifname}.json")
        return value

    def drvinfo(self, ifname: str) -> dict[str, str]:
        value = self._answer(ifname, "drvinfo")
        if not isinstance(value, dict):
            raise OSError(errno.EINVAL, "malformed recorded drvinfo", ifname)
        # JSON can carry lone surrogates (`\ud800`) that no output could encode.
        return {printable(str(k)): printable(str(v)) for k, v in value.items()}

    def permaddr(self, ifname: str) -> str:
        return printable(str(self._answer(ifname, "permaddr")))

    def machine(self) -> str:
        """The recorded `uname -m`, else the kernel's own file (fixture trees have no
        uname.json). Bytes that are not UTF-8 are kept escaped, as the probe keeps text."""
        path = f"{RECORDED}/uname.json"
        try:
            data = self._recorded_json(path)
        except FileNotFoundError:
            raw = self.read_bytes("proc/sys/kernel/arch")
            return raw.decode("utf-8", "backslashreplace").strip()
        machine = data.get("machine") if isinstance(data, dict) else None
        if not isinstance(machine, str):
            from hwcheck.errors import CaptureError

            raise CaptureError(f'{path} is malformed: no "machine" string', where=self.root)
        return printable(machine)


class DirRoot(ReplayRoot):
    """An extracted capture or a fixture tree on disk."""

    def __init__(self, root: str) -> None:
        super().__init__()
        self.root = root
        self._real = os.path.realpath(root)
        self._read_total = 0

    def _abs(self, path: str) -> str:
        """The file for `path`, refusing anything that resolves outside the tree."""
        full = os.path.realpath(os.path.join(self._real, path))
        if full != self._real and not full.startswith(self._real + os.sep):
            raise OSError(errno.EXDEV, "path leads outside the capture", "/" + path)
        return full

    def _raw_readlink(self, path: str) -> str:
        parent, _, name = path.rpartition("/")
        return os.readlink(os.path.join(self._abs(parent) if parent else self._real, name))

    def _raw_read(self, path: str) -> bytes:
        """Only regular files are read, and no more of them than a capture may hold: a fifo
        would block the probe forever, a device node has side effects, and a sparse file of
        a few GiB costs no disk but all the memory."""
        full = self._abs(path)
        self._check_regular(path, os.stat(full))
        # Non-blocking: should a fifo take the file's place after the check, opening it
        # does not wait for a writer, and fstat refuses it.
        flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY | os.O_NONBLOCK | os.O_NOFOLLOW
        fd = os.open(full, flags)
        try:
            self._check_regular(path, os.fstat(fd))
            chunks = []
            size = 0
            while size <= MAX_FILE_BYTES and (chunk := os.read(fd, 65536)):
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
        if size > MAX_FILE_BYTES:  # grew after fstat
            self._refuse(f"{path} is larger than {MAX_FILE_BYTES} bytes")
        self._read_total += size
        if self._read_total > MAX_TOTAL_BYTES:
            self._refuse(f"reads more than {MAX_TOTAL_BYTES} bytes")
        return b"".join(chunks)

    def _check_regular(self, path: str, st: os.stat_result) -> None:
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), "/" + path)
        if not stat.S_ISREG(mode):
            kind = "fifo" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else None
            self._refuse(f"{path} is a {kind or 'device node'}; captures hold none")
        if st.st_size > MAX_FILE_BYTES:
            self._refuse(f"{path} is {st.st_size} bytes; the limit is {MAX_FILE_BYTES}")

    def _refuse(self, message: str) -> NoReturn:
        from hwcheck.errors import CaptureError

        raise CaptureError(message, where=self.root)

    def _raw_listdir(self, path: str) -> list[str]:
        return os.listdir(self._abs(path))

    def exists(self, path: str) -> bool:
        if self._present_by_error(path):
            return True
        try:
            return os.path.exists(self._abs(path))
        except OSError:
            return False


def open_root(path: str | None = None) -> HostRoot:
    """The live system for None or "/", else a capture archive or an extracted capture.

    A directory must hold capture.json, as an archive must: any other directory would
    replay as a host whose every fact is missing. DirRoot itself does not ask: fixture
    trees built for one test are DirRoots too."""
    if path is None or os.path.realpath(path) == "/":
        return LiveRoot("/")
    if os.path.isdir(path):
        try:
            meta = os.lstat(os.path.join(path, CAPTURE_META)).st_mode
        except OSError:
            meta = 0
        if not stat.S_ISREG(meta):
            from hwcheck.errors import CaptureError

            raise CaptureError(f"not a hwcheck capture (no {CAPTURE_META})", where=path)
        return DirRoot(path)
    from hwcheck.capture import open_capture

    return open_capture(path)
