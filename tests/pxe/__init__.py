"""The PXE boot test's ramdisk builder and QEMU harness.

base.py builds (and caches) a Linux kernel and a base initramfs from Debian packages;
overlay.py adds the per-run part (the init, the gate's boot step, hwcheck.pyz) as a second
cpio archive; qemu.py PXE-boots a guest from them through QEMU's user networking.
"""
