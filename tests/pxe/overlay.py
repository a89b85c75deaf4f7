"""The per-run part of the PXE test's ramdisk: a second, small cpio archive the kernel unpacks
over the cached base (iPXE hands both to the kernel, which reads concatenated archives).

It holds what changes with the code under test, as contrib/initramfs-tools installs it: the
boot script scripts/init-premount/hwcheck-gate with the ORDER file mkinitramfs writes for it,
and what hooks/hwcheck-gate copies from /usr/lib/hwcheck (the gate's boot step and
hwcheck.pyz). The base under it holds initramfs-tools' own /init and scripts.
"""

from __future__ import annotations

import os

from pxe import cpio

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CONTRIB = os.path.join(REPO, "contrib")
GATE_BOOT = os.path.join(CONTRIB, "hwcheck-gate-boot")
BOOT_SCRIPT = os.path.join(CONTRIB, "initramfs-tools", "scripts", "init-premount", "hwcheck-gate")
# The ORDER file mkinitramfs writes (hook-functions' cache_run_scripts) for one script.
ORDER = '/scripts/init-premount/hwcheck-gate "$@"\n[ -e /conf/param.conf ] && . /conf/param.conf\n'
PYZ_PATH = "usr/lib/hwcheck/hwcheck.pyz"


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def write_overlay(out: str, pyz: str) -> None:
    """The overlay archive at `out`, with the zipapp at `pyz` as /usr/lib/hwcheck/hwcheck.pyz."""
    with open(out, "wb") as f:
        w = cpio.Writer(f)
        for d in ("scripts", "scripts/init-premount", "usr", "usr/lib", "usr/lib/hwcheck"):
            w.directory(d)
        w.file("scripts/init-premount/hwcheck-gate", _read(BOOT_SCRIPT), 0o755)
        w.file("scripts/init-premount/ORDER", ORDER.encode(), 0o644)
        w.file("usr/lib/hwcheck/hwcheck-gate-boot", _read(GATE_BOOT), 0o755)
        w.file(PYZ_PATH, _read(pyz), 0o644)
        w.close()
