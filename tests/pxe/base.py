"""The cached base of the PXE test's ramdisk: a Debian kernel and an initramfs with busybox,
a minimal python3 and the modules of QEMU's emulated NICs, built from Debian's packages.

Everything comes from `apt-get download` + `dpkg-deb -x` of the packages in PACKAGES (the
kernel is the versioned package linux-image-amd64 depends on), so the build needs no root
file system and no root. Only what the gate needs is copied: busybox with its applets, the
python3.11 binary with the shared libraries its binary and extension modules link to (found
from their ELF NEEDED entries), the standard library without its tests, GUI and build parts
(byte-compiled so a boot under emulation does not compile it), the NIC modules and what they
depend on (modules.dep by busybox depmod -b, loaded with busybox modprobe), os-release
and pci.ids; and the boot-time half of initramfs-tools (its /init, scripts/functions and
configuration, klibc's ipconfig for DHCP), so the ramdisk boots as an initramfs-tools one
and runs contrib/initramfs-tools' boot script as such a ramdisk would.

The result lives under cache_root()/base-KEY, KEY a hash of the package versions and of this
file, so a change to hwcheck or to the per-run part never rebuilds it.

    python3 tests/pxe/base.py      builds (or finds) the base and prints where it is
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pxe import cpio

KERNEL_META = "linux-image-amd64"
PACKAGES = (
    "busybox-static",
    "python3.11-minimal",
    "libpython3.11-minimal",
    "libpython3.11-stdlib",
    "base-files",
    "pci.ids",  # vendor and device names for the inventory
    # The boot-time half of initramfs-tools: its /init and scripts, klibc's ipconfig (DHCP).
    "initramfs-tools-core",
    "klibc-utils",
    "libklibc",
    # The shared libraries python3.11 and the extension modules kept below link to.
    "libc6",
    "zlib1g",
    "libexpat1",
    "libssl3",
    "libffi8",
    "libbz2-1.0",
    "liblzma5",
    "libuuid1",
)
# QEMU's NICs: e1000 (82540EM), e1000e (82574L), virtio-net-pci (with its PCI transport).
NIC_MODULES = ("e1000", "e1000e", "virtio_pci", "virtio_net")
PYTHON = "python3.11"
# Parts of the standard library a gate never imports: tests, GUI, build and packaging tools.
STDLIB_DROP = {
    "test",
    "idlelib",
    "tkinter",
    "turtledemo",
    "ensurepip",
    "lib2to3",
    "pydoc_data",
    "distutils",
    "venv",
    "sqlite3",
    "curses",
    "dbm",
    "unittest",
    "site-packages",
    "dist-packages",
    "__phello__",
    "config-3.11-x86_64-linux-gnu",
}
DYNLOAD_DROP = re.compile(
    r"^(_test|_xx|xx|_ctypes_test|_curses|readline|_dbm|nis|ossaudiodev|audioop|_sqlite3|_crypt)"
)
LIB_DIRS = ("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu")


class BuildError(RuntimeError):
    """The base could not be built; the message says which step and why."""


@dataclass(frozen=True)
class Base:
    """A built base: the kernel, the base initramfs and what went into them."""

    dir: str
    kernel: str
    initramfs: str
    kernel_release: str
    packages: dict[str, str]
    built_seconds: float | None  # None when it was found in the cache


def cache_root() -> str:
    """$HWCHECK_PXE_CACHE, else $XDG_CACHE_HOME/hwcheck-pxe, else ~/.cache/hwcheck-pxe."""
    explicit = os.environ.get("HWCHECK_PXE_CACHE")
    if explicit:
        return explicit
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "hwcheck-pxe")


def _run(argv: list[str], cwd: str | None = None) -> str:
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as err:
        raise BuildError(f"{argv[0]}: {err.strerror}") from err
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise BuildError(f"{' '.join(argv[:3])}: exit {done.returncode}: {' / '.join(tail)}")
    return done.stdout


def _candidates(packages: list[str]) -> dict[str, tuple[str, str]]:
    """Each package's (Version, Depends) of the version apt would install, in one apt-cache call."""
    text = _run(["apt-cache", "show", "--no-all-versions", *packages])
    found: dict[str, tuple[str, str]] = {}
    for record in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in record.splitlines():
            key, sep, value = line.partition(": ")
            if sep and not line.startswith(" "):
                fields.setdefault(key, value)
        if "Package" in fields and "Version" in fields:
            found.setdefault(fields["Package"], (fields["Version"], fields.get("Depends", "")))
    missing = [p for p in packages if p not in found]
    if missing:
        raise BuildError(f"apt-cache show: no candidate version of {missing}")
    return found


def resolve_packages() -> dict[str, str]:
    """Each package to download with the version apt would fetch; the kernel by its real name."""
    _, depends = _candidates([KERNEL_META])[KERNEL_META]
    kernel = next(
        (d.split()[0] for d in re.split(r"[,|]", depends) if d.strip().startswith("linux-image-")),
        None,
    )
    if kernel is None:
        raise BuildError(f"{KERNEL_META} depends on no linux-image package: {depends!r}")
    names = [kernel.strip(), *PACKAGES]
    versions = _candidates(names)
    return {name: versions[name][0] for name in names}


def base_key(packages: dict[str, str]) -> str:
    with open(__file__, "rb") as f:
        source = f.read()
    with open(cpio.__file__, "rb") as f:
        source += f.read()
    pinned = json.dumps(sorted(packages.items())).encode()
    return hashlib.sha256(pinned + source).hexdigest()[:16]


def download(packages: dict[str, str], debs_dir: str) -> dict[str, str]:
    """The .deb file of each package, fetched into debs_dir unless already there."""
    os.makedirs(debs_dir, exist_ok=True)
    wanted = {name: f"{name}={version}" for name, version in packages.items()}
    missing = [
        spec for name, spec in wanted.items() if _deb_of(debs_dir, name, packages[name]) is None
    ]
    if missing:
        _run(["apt-get", "download", "-q", *missing], cwd=debs_dir)
    found: dict[str, str] = {}
    for name, version in packages.items():
        deb = _deb_of(debs_dir, name, version)
        if deb is None:
            raise BuildError(f"apt-get download {name}={version}: no .deb appeared in {debs_dir}")
        found[name] = deb
    return found


def _deb_of(debs_dir: str, name: str, version: str) -> str | None:
    # apt names the file NAME_VERSION_ARCH.deb with the epoch's colon written %3a.
    quoted = version.replace(":", "%3a")
    for arch in ("amd64", "all"):
        path = os.path.join(debs_dir, f"{name}_{quoted}_{arch}.deb")
        if os.path.exists(path):
            return path
    return None


def _needed(path: str) -> list[str]:
    text = _run(["readelf", "-d", path])
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", text)


class _Stage:
    """Copies from the extracted packages (src) into the ramdisk tree (dst)."""

    def __init__(self, src: str, dst: str) -> None:
        self.src = src
        self.dst = dst

    def copy(self, rel: str) -> None:
        """One path, as a symlink if it is one (then its target too), else a file."""
        src = os.path.join(self.src, rel)
        dst = os.path.join(self.dst, rel)
        if os.path.lexists(dst):
            return
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            target = os.readlink(src)
            os.symlink(target, dst)
            resolved = os.path.normpath(
                target.lstrip("/")
                if target.startswith("/")
                else os.path.join(os.path.dirname(rel), target)
            )
            self.copy(resolved)
        elif os.path.isdir(src):
            shutil.copytree(src, dst, symlinks=True)
        else:
            shutil.copy2(src, dst)

    def library(self, soname: str, unresolved: set[str]) -> bool:
        """Copy a shared library and, in turn, what it needs; False when no package has it."""
        for d in LIB_DIRS:
            rel = os.path.join(d, soname)
            if os.path.lexists(os.path.join(self.src, rel)):
                if not os.path.lexists(os.path.join(self.dst, rel)):
                    self.copy(rel)
                    for dep in _needed(os.path.join(self.src, rel)):
                        self.library(dep, unresolved)
                return True
        unresolved.add(soname)
        return False

    def loadable(self, path: str) -> bool:
        """Whether every library an ELF file needs is in the extracted packages."""
        return all(
            any(os.path.lexists(os.path.join(self.src, d, so)) for d in LIB_DIRS)
            for so in _needed(path)
        )


def _kernel_release(extracted: str) -> str:
    releases = os.listdir(os.path.join(extracted, "lib", "modules"))
    if len(releases) != 1:
        raise BuildError(f"expected one kernel release in the kernel package, found {releases}")
    return releases[0]


def _modules(st: _Stage, release: str, busybox: str) -> list[str]:
    """Copy the NIC modules and their dependencies; modules.dep for the copied tree."""
    depmod = [busybox, "depmod", "-b"]
    _run([*depmod, st.src, release])
    moddir = os.path.join("lib", "modules", release)
    deps: dict[str, list[str]] = {}
    with open(os.path.join(st.src, moddir, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[mod] = rest.split()
    with open(os.path.join(st.src, moddir, "modules.builtin")) as f:
        builtin = {os.path.basename(line.strip()).removesuffix(".ko") for line in f}
    by_name = {os.path.basename(m).removesuffix(".ko").replace("-", "_"): m for m in deps}
    copied: list[str] = []
    for name in NIC_MODULES:
        if name in builtin:
            continue
        if name not in by_name:
            raise BuildError(f"the kernel {release} has no module {name}")
        for rel in (by_name[name], *deps[by_name[name]]):
            if rel not in copied:
                st.copy(os.path.join(moddir, rel))
                copied.append(rel)
    for meta in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
        st.copy(os.path.join(moddir, meta))
    _run([*depmod, st.dst, release])
    return copied


def _python(st: _Stage, unresolved: set[str]) -> list[str]:
    """The interpreter, its libraries and the trimmed standard library, byte-compiled."""
    st.copy(f"usr/bin/{PYTHON}")
    os.symlink(PYTHON, os.path.join(st.dst, "usr/bin/python3"))
    for so in _needed(os.path.join(st.src, f"usr/bin/{PYTHON}")):
        st.library(so, unresolved)
    st.copy("lib64/ld-linux-x86-64.so.2")
    lib = f"usr/lib/{PYTHON}"
    for name in sorted(os.listdir(os.path.join(st.src, lib))):
        if name in STDLIB_DROP or name == "lib-dynload":
            continue
        st.copy(os.path.join(lib, name))
    dropped: list[str] = []
    dynload = os.path.join(lib, "lib-dynload")
    os.makedirs(os.path.join(st.dst, dynload))
    for name in sorted(os.listdir(os.path.join(st.src, dynload))):
        path = os.path.join(st.src, dynload, name)
        if DYNLOAD_DROP.match(name) or not st.loadable(path):
            dropped.append(name)
            continue
        st.copy(os.path.join(dynload, name))
        for so in _needed(path):
            st.library(so, unresolved)
    # Byte-compile with the packaged interpreter itself (its magic number), as pycs that are
    # not checked against their sources: an emulated guest then never compiles the stdlib.
    _run(
        [
            os.path.join(st.dst, f"usr/bin/{PYTHON}"),
            "-I",
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            "-s",
            st.dst,
            "-p",
            "/",
            os.path.join(st.dst, lib),
        ]
    )
    return dropped


def _busybox(st: _Stage) -> str:
    st.copy("bin/busybox")
    busybox = os.path.join(st.dst, "bin/busybox")
    for applet in _run([busybox, "--list"]).split():
        link = os.path.join(st.dst, "bin", applet)
        if not os.path.lexists(link):
            os.symlink("busybox", link)
    return busybox


def _initramfs_tools(st: _Stage) -> None:
    """What mkinitramfs puts in every initramfs-tools ramdisk (its own init, functions and
    boot scripts, its configuration, klibc's tools where busybox has none), and
    /conf/modules as /etc/initramfs-tools/modules would make it: the NIC drivers to load.
    The hook's part (python3, hwcheck.pyz) is done by _python and the overlay."""
    share = "usr/share/initramfs-tools"
    shutil.copy2(os.path.join(st.src, share, "init"), os.path.join(st.dst, "init"))
    scripts = os.path.join(st.dst, "scripts")
    os.makedirs(os.path.join(scripts, "init-premount"))
    for name in ("functions", "local", "nfs"):
        shutil.copy2(os.path.join(st.src, share, "scripts", name), os.path.join(scripts, name))
    conf = os.path.join(st.dst, "conf")
    os.makedirs(os.path.join(conf, "conf.d"))
    shutil.copy2(
        os.path.join(st.src, "etc/initramfs-tools/initramfs.conf"),
        os.path.join(conf, "initramfs.conf"),
    )
    with open(os.path.join(conf, "arch.conf"), "w") as f:
        f.write("DPKG_ARCH=amd64\n")
    with open(os.path.join(conf, "modules"), "w") as f:
        f.write("".join(f"{m}\n" for m in NIC_MODULES))
    # As initramfs-tools' klibc-utils hook: klibc's commands that busybox does not provide.
    klibc = os.path.join(st.src, "usr/lib/klibc/bin")
    for name in sorted(os.listdir(klibc)):
        target = os.path.join(st.dst, "bin", name)
        if name not in ("gzip", "kinit", "zcat") and not os.path.lexists(target):
            shutil.copy2(os.path.join(klibc, name), target)
    for name in os.listdir(os.path.join(st.src, "lib")):
        if name.startswith("klibc-") and name.endswith(".so"):
            st.copy(os.path.join("lib", name))
    # The init calls /sbin/modprobe (kmod's place); busybox's modprobe reads modules.dep.
    os.makedirs(os.path.join(st.dst, "sbin"), exist_ok=True)
    os.symlink("../bin/busybox", os.path.join(st.dst, "sbin/modprobe"))


def _build(packages: dict[str, str], debs: dict[str, str], out: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="hwcheck-pxe-build-", dir=os.path.dirname(out)) as tmp:
        src = os.path.join(tmp, "extracted")
        dst = os.path.join(tmp, "root")
        os.makedirs(dst)
        for name in packages:
            _run(["dpkg-deb", "-x", debs[name], src])
        st = _Stage(src, dst)
        release = _kernel_release(src)
        busybox = _busybox(st)
        unresolved: set[str] = set()
        modules = _modules(st, release, busybox)
        dropped = _python(st, unresolved)
        if unresolved:
            raise BuildError(f"no package holds these libraries: {sorted(unresolved)}")
        st.copy("etc/os-release")
        st.copy("usr/share/misc/pci.ids")
        _initramfs_tools(st)
        for d in ("dev", "proc", "sys", "run", "tmp", "etc", "var/spool"):
            os.makedirs(os.path.join(dst, d), exist_ok=True)
        os.makedirs(out)
        shutil.copy2(os.path.join(src, "boot", f"vmlinuz-{release}"), os.path.join(out, "vmlinuz"))
        with gzip.open(os.path.join(out, "base.cpio.gz"), "wb", compresslevel=6) as f:
            w = cpio.Writer(f)  # type: ignore[arg-type]
            w.tree(dst)
            w.char_device("dev/console", 5, 1)
            w.char_device("dev/null", 1, 3, 0o666)
            w.close()
        return {"kernel_release": release, "modules": modules, "dynload_dropped": dropped}


def _prune(root: str, keep: str, debs: set[str]) -> None:
    """Older bases and packages: the cache holds the current base only."""
    for name in os.listdir(root):
        if name.startswith("base-") and name != keep:
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)
    debs_dir = os.path.join(root, "debs")
    for name in os.listdir(debs_dir):
        if os.path.join(debs_dir, name) not in debs:
            os.unlink(os.path.join(debs_dir, name))


def ensure_base() -> Base:
    """The cached base for the packages apt would fetch now, built first when missing."""
    packages = resolve_packages()
    root = cache_root()
    os.makedirs(root, exist_ok=True)
    key = base_key(packages)
    out = os.path.join(root, f"base-{key}")
    manifest = os.path.join(out, "manifest.json")
    built: float | None = None
    with open(os.path.join(root, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time; the others then find it
        if not os.path.exists(manifest):
            start = time.monotonic()
            debs = download(packages, os.path.join(root, "debs"))
            partial = f"{out}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            try:
                facts = _build(packages, debs, partial)
                facts["packages"] = packages
                with open(os.path.join(partial, "manifest.json"), "w") as f:
                    json.dump(facts, f, indent=2)
                os.rename(partial, out)
            finally:
                shutil.rmtree(partial, ignore_errors=True)
            built = time.monotonic() - start
            _prune(root, keep=os.path.basename(out), debs=set(debs.values()))
    with open(manifest) as f:
        facts = json.load(f)
    return Base(
        dir=out,
        kernel=os.path.join(out, "vmlinuz"),
        initramfs=os.path.join(out, "base.cpio.gz"),
        kernel_release=facts["kernel_release"],
        packages=facts["packages"],
        built_seconds=built,
    )


if __name__ == "__main__":
    b = ensure_base()
    how = "cached" if b.built_seconds is None else f"built in {b.built_seconds:.1f} s"
    print(f"{b.dir} ({how}): kernel {b.kernel_release}, {os.path.getsize(b.initramfs)} bytes")
