"""Where the default HTML report goes, decided on purpose: `--reports-dir DIR`, else
`HWCHECK_REPORTS_DIR`, else `reports/` in the current directory, but never there when that
directory is a ramdisk's (tmpfs, ramfs, rootfs: a PXE or initramfs root, where a file
written costs memory and is lost at the next boot) or cannot be written.

In those two cases no default HTML report is written, and one line on standard error says so
and how to ask for one; the verdict and its exit code stand. `--html PATH` names the file
itself and `--no-html` writes none: neither asks this module anything.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

ENV = "HWCHECK_REPORTS_DIR"
DEFAULT = "reports"
RAMDISK_TYPES = frozenset({"tmpfs", "ramfs", "rootfs"})
"""File system types that live in memory: a ramdisk's root, /run, an initramfs."""
MOUNTINFO = "/proc/self/mountinfo"

ASK = f"--reports-dir DIR, {ENV}=DIR or --html PATH writes one; --no-html says none is wanted"


def _unescape(field: str) -> str:
    r"""A mountinfo path as the kernel writes it: space, tab, newline and `\` as octal
    escapes (`\040`)."""
    if "\\" not in field:
        return field
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def filesystem_type(path: str, mountinfo: str = MOUNTINFO) -> str | None:
    """The type of the file system `path` is on (`ext4`, `tmpfs`, ...): the mount in
    /proc/self/mountinfo whose mount point holds the path most closely, the last such mount
    where one is stacked over another. None when that cannot be read (no /proc, a path that
    does not resolve)."""
    try:
        real = os.path.realpath(path)
        with open(mountinfo, encoding="utf-8", errors="surrogateescape") as fh:
            lines = fh.read().splitlines()
    except (OSError, ValueError):
        return None
    best: tuple[int, str] | None = None
    for line in lines:
        fields = line.split(" ")
        try:
            point = _unescape(fields[4])
            fstype = fields[fields.index("-", 6) + 1]
        except (IndexError, ValueError):
            continue
        inside = real == point or real.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= best[0]):
            best = (len(point), fstype)
    return best[1] if best else None


def default_reports_dir(
    given: str | None, environ: Mapping[str, str], *, mountinfo: str = MOUNTINFO
) -> tuple[str | None, str | None]:
    """The directory of the default HTML report, and None, or None and the one line that says
    why none is written. `given` is `--reports-dir`; an empty HWCHECK_REPORTS_DIR is unset."""
    if given is not None:
        from hwcheck.outfile import refuse_empty_path

        refuse_empty_path(given, "--reports-dir")
        return given, None
    chosen = environ.get(ENV)
    if chosen:
        return chosen, None
    try:
        cwd = os.getcwd()
    except OSError:
        return DEFAULT, None  # written as before: the write itself says what is wrong
    fstype = filesystem_type(cwd, mountinfo)
    if fstype in RAMDISK_TYPES:
        return None, (
            f"hwcheck: note: no HTML report: the current directory {cwd} is on a ramdisk "
            f"({fstype}); {ASK}\n"
        )
    reports = os.path.join(cwd, DEFAULT)
    target = reports if os.path.isdir(reports) else cwd
    if not os.access(target, os.W_OK | os.X_OK):
        return None, (f"hwcheck: note: no HTML report: {target} cannot be written; {ASK}\n")
    return DEFAULT, None
