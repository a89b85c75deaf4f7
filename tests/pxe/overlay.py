"""The per-run part of the PXE test's ramdisk: a second, small cpio archive the kernel unpacks
over the cached base (iPXE hands both to the kernel, which reads concatenated archives).

It holds what changes with the code under test: /init, the udhcpc script, the gate's boot step
from contrib/ (the same file the ramdisk integrations install) and hwcheck.pyz.
"""

from __future__ import annotations

import os

from pxe import cpio

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GATE_BOOT = os.path.join(REPO, "contrib", "hwcheck-gate-boot")
PYZ_PATH = "usr/lib/hwcheck/hwcheck.pyz"


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def write_overlay(out: str, pyz: str) -> None:
    """The overlay archive at `out`, with the zipapp at `pyz` as /usr/lib/hwcheck/hwcheck.pyz."""
    with open(out, "wb") as f:
        w = cpio.Writer(f)
        for d in ("etc", "usr", "usr/lib", "usr/lib/hwcheck"):
            w.directory(d)
        w.file("init", _read(os.path.join(HERE, "init.sh")), 0o755)
        w.file("etc/udhcpc.script", _read(os.path.join(HERE, "udhcpc.script")), 0o755)
        w.file("usr/lib/hwcheck/hwcheck-gate-boot", _read(GATE_BOOT), 0o755)
        w.file(PYZ_PATH, _read(pyz), 0o644)
        w.close()
