"""Kernel facts from procfs: release, version, architecture, command line, taint."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Kernel
    from hwcheck.probe.reader import Reader

# Documentation/admin-guide/tainted-kernels.rst: bit -> letter shown in oops reports.
TAINT_LETTERS = "PFSRMBUDAWCIOELKXTNJ"


def taint_flags(tainted: int | None) -> list[str]:
    if not tainted:
        return []
    flags = [letter for bit, letter in enumerate(TAINT_LETTERS) if tainted & (1 << bit)]
    flags += [f"bit{bit}" for bit in range(len(TAINT_LETTERS), 64) if tainted & (1 << bit)]
    return flags


def probe_kernel(r: Reader) -> Kernel:
    tainted = r.integer("proc/sys/kernel/tainted", "kernel.tainted", "procfs")
    try:
        arch: str | None = r.host.machine()
    except OSError as err:
        r.os_gap("kernel.arch", "uname", err, "proc/sys/kernel/arch")
        arch = None
    return {
        "release": r.text("proc/sys/kernel/osrelease", "kernel.release", "procfs"),
        "version": r.text("proc/sys/kernel/version", "kernel.version", "procfs"),
        "arch": arch,
        "cmdline": r.text("proc/cmdline", "kernel.cmdline", "procfs"),
        "tainted": tainted,
        "taint_flags": taint_flags(tainted),
        "modules_supported": r.host.exists("proc/modules"),
    }
