"""HostRoot: the one door to the host. Every read of sysfs/procfs/etc goes through here.

Three kinds of root answer the same calls:
- `LiveRoot("/")`: the running machine; driver info comes from the SIOCETHTOOL ioctl.
- `DirRoot(path)`: an extracted capture or a test fixture tree; driver info, pci.ids names and
  read errors come from the files under `recorded/` (docs/inventory.md, "The capture format").
- `TarRoot(path)`: a capture archive read in memory, never extracted (hwcheck.probe.archive).

Paths are relative to the root and use `/` (`sys/class/net/eth0/mtu`). Methods raise OSError
with the kernel's errno; the probe turns each into a recorded gap at the call site.
"""

from __future__ import annotations

import errno
import os
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


MAX_LINK_HOPS = 40
"""Links followed in one path before it is a loop (ELOOP), as the kernel's MAXSYMLINKS."""


class ReplayRoot(HostRoot):
    """Common behaviour of captured roots: symlinks resolved the one same way, recorded
    answers and recorded read errors.

    A path is resolved as the kernel resolves it inside a root: component by component, a
    symlink's target taken from the link's own directory, `..` after a link going up from
    where the link led. Subclasses answer only for physical paths (no link in any but the
    last component), so an extracted capture and an archive of it answer alike. A walk that
    would leave the capture refuses it (a hostile capture, exit 2); a loop is ELOOP."""

    def __init__(self) -> None:
        self._errors: dict[str, str] | None = None
        self._ethtool: dict[str, dict[str, object]] = {}

    # What a subclass answers, for physical paths only.
    def _link_at(self, path: str) -> str | None:
        """The target of the symlink at `path`, None when `path` is no symlink."""
        raise NotImplementedError

    def _raw_read(self, path: str) -> bytes:
        raise NotImplementedError

    def _raw_listdir(self, path: str) -> list[str]:
        raise NotImplementedError

    def _raw_lexists(self, path: str) -> bool:
        raise NotImplementedError

    def _refuse(self, message: str) -> NoReturn:
        from hwcheck.errors import CaptureError

        raise CaptureError(message, where=self.root)

    def _resolve(self, path: str, *, follow: bool = True) -> str:
        """The physical path for `path`; its last component is followed only with `follow`."""
        pending = [p for p in reversed(path.split("/")) if p not in ("", ".")]
        done: list[str] = []
        hops = 0
        while pending:
            part = pending.pop()
            if part == "..":
                if not done:
                    self._refuse(f"{path} leads outside the capture")
                done.pop()
                continue
            here = "/".join([*done, part])
            target = self._link_at(here) if pending or follow else None
            if target is None:
                done.append(part)
                continue
            hops += 1
            if hops > MAX_LINK_HOPS:
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), "/" + path)
            if target.startswith("/") or self._climbs_out(done, target):
                self._refuse(f"{here} links outside the capture ({target})")
            pending.extend(p for p in reversed(target.split("/")) if p not in ("", "."))
        return "/".join(done)

    @staticmethod
    def _climbs_out(parent: list[str], target: str) -> bool:
        depth = len(parent)
        for part in target.split("/"):
            if part == "..":
                depth -= 1
                if depth < 0:
                    return True
            elif part not in ("", "."):
                depth += 1
        return False

    def _physical(self, path: str, *, follow: bool = True) -> str:
        """`path` resolved, after the recorded errors for it (as named, or as resolved)."""
        self._check(path)
        resolved = self._resolve(path, follow=follow)
        if resolved != path:
            self._check(resolved)
        return resolved

    def _recorded_errors(self) -> dict[str, str]:
        if self._errors is None:
            from hwcheck.probe.recorded import ERRORS, checked_errors

            try:
                raw = self._recorded_json(ERRORS)
            except FileNotFoundError:
                raw = {}
            errors = checked_errors(raw, self._refuse)
            # A capture may name a path through a link (sys/class/net/eth1/speed) that the
            # probe reads through its target (sys/devices/.../net/eth1/speed): answer both.
            self._errors = {}
            self._errors = {**{self._canonical(k): v for k, v in errors.items()}, **errors}
        return self._errors

    def _canonical(self, path: str) -> str:
        from hwcheck.errors import CaptureError

        try:
            return self._resolve(path, follow=False)
        except (OSError, CaptureError):
            return path  # a recorded error on a path that leads nowhere answers as named

    def _recorded_json(self, path: str) -> object:
        """A recorded answer; a damaged one makes the whole capture unusable (exit 2).
        FileNotFoundError passes: each caller knows what a missing answer means."""
        from hwcheck.probe.recorded import loads

        try:
            data = self._raw_read(self._resolve(path))
        except FileNotFoundError:
            raise
        except OSError as err:
            self._refuse(f"{path} cannot be read: {err.strerror or err}")
        try:
            return loads(data)
        except ValueError as err:
            self._refuse(f"{path} is not valid JSON: {err}")

    def _check_meta(self) -> None:
        """capture.json, if the tree has one, is what this hwcheck reads (else exit 2)."""
        from hwcheck.probe.recorded import check_meta

        try:
            meta = self._recorded_json(CAPTURE_META)
        except FileNotFoundError:
            return
        check_meta(meta, self._refuse)

    def _present_by_error(self, path: str) -> bool:
        """A recorded error other than ENOENT means the path was there but unreadable."""
        name = self._recorded_errors().get(path)
        return name is not None and name != "ENOENT"

    def _check(self, path: str) -> None:
        name = self._recorded_errors().get(path)
        if name is not None:
            raise recorded_error(name, path)

    def read_bytes(self, path: str) -> bytes:
        return self._raw_read(self._physical(path))

    def readlink(self, path: str) -> str:
        resolved = self._physical(path, follow=False)
        target = self._link_at(resolved)
        if target is None:
            code = errno.EINVAL if self._raw_lexists(resolved) else errno.ENOENT
            raise OSError(code, os.strerror(code), "/" + path)
        return target

    def listdir(self, path: str) -> list[str]:
        resolved = self._physical(path)
        names = set(self._raw_listdir(resolved))
        # A recorded error for a child (a link that vanished mid-capture) keeps it listed.
        prefixes = {p.rstrip("/") + "/" for p in (path, resolved)}
        for errpath in self._recorded_errors():
            for prefix in prefixes:
                rest = errpath[len(prefix) :]
                if errpath.startswith(prefix) and rest and "/" not in rest:
                    names.add(rest)
        return sorted(names)

    def exists(self, path: str) -> bool:
        """Whether `path` is there, a dangling link included (as os.path.lexists)."""
        if self._present_by_error(path):
            return True
        try:
            resolved = self._resolve(path, follow=False)
        except OSError:
            return False
        return self._raw_lexists(resolved) or self._present_by_error(resolved)

    def _answers(self, ifname: str) -> dict[str, object]:
        if ifname not in self._ethtool:
            from hwcheck.probe.recorded import checked_ethtool

            path = f"{RECORDED}/ethtool/{ifname}.json"
            try:
                data = self._recorded_json(path)
            except FileNotFoundError:
                raise OSError(errno.ENODATA, "no recorded ethtool answer", "/" + path) from None
            self._ethtool[ifname] = checked_ethtool(data, path, self._refuse)
        return self._ethtool[ifname]

    def _answer(self, ifname: str, key: str) -> object:
        value = self._answers(ifname).get(key)
        path = f"{RECORDED}/ethtool/{ifname}.json"
        if isinstance(value, dict) and "errno" in value:
            raise recorded_error(str(value["errno"]), path)
        if value is None:
            raise OSError(errno.ENODATA, f"no recorded {key}", "/" + path)
        return value

    def drvinfo(self, ifname: str) -> dict[str, str]:
        value = self._answer(ifname, "drvinfo")
        if not isinstance(value, dict):  # checked when read: this is never met
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
            self._refuse(f'{path} is malformed: no "machine" string')
        return printable(machine)


class DirRoot(ReplayRoot):
    """An extracted capture or a fixture tree on disk. A capture.json there is checked as
    an archive's is; trees built for one test may have none."""

    def __init__(self, root: str) -> None:
        super().__init__()
        self.root = root
        self._real = os.path.realpath(root)
        self._read_total = 0
        self._links: dict[str, str | None] = {}
        self._check_meta()

    def _abs(self, path: str) -> str:
        return os.path.join(self._real, path) if path else self._real

    def _link_at(self, path: str) -> str | None:
        if path not in self._links:
            try:
                self._links[path] = os.readlink(self._abs(path))
            except OSError:  # not a link (EINVAL), absent, or below something unreadable
                self._links[path] = None
        return self._links[path]

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

    def _raw_listdir(self, path: str) -> list[str]:
        return os.listdir(self._abs(path))

    def _raw_lexists(self, path: str) -> bool:
        return os.path.lexists(self._abs(path))


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
    from hwcheck.probe.archive import open_capture

    return open_capture(path)
