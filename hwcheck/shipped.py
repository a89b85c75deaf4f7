"""Where the profiles shipped with hwcheck are, on disk: the wheel's, the checkout's or the
single file's.

A wheel installs them as `hwcheck/profiles`; a source checkout has them in the repository's
`profiles/`; hwcheck.pyz (scripts/build-pyz.py) carries them as `hwcheck/profiles/` inside
the zip, where the profile library (which reads files, follows no zip) cannot open them.
From a zip they are extracted once into the cache (`~/.cache/hwcheck/pyz-profiles/<key>`,
the key naming the exact bytes carried, so a rebuilt pyz never reads an older copy; the
cache's ownership rules apply, hwcheck.cachedir), or, with no usable cache, into a private
temporary directory removed when the process exits.
"""

from __future__ import annotations

import os

ZIP_PREFIX = "hwcheck/profiles/"


def shipped_profiles(package_dir: str) -> str:
    """The directory of shipped profiles for the hwcheck package at `package_dir`."""
    inside = os.path.join(package_dir, "profiles")
    if os.path.isdir(inside):
        return inside
    archive = _archive_of(package_dir)
    if archive is None:
        return os.path.join(os.path.dirname(package_dir), "profiles")
    return _extracted(archive)


def _archive_of(path: str) -> str | None:
    """The zip file that `path` lies inside, if any."""
    while True:
        parent = os.path.dirname(path)
        if os.path.isfile(path):
            return path
        if parent == path:
            return None
        path = parent


def _extracted(archive: str) -> str:
    import hashlib
    import zipfile

    with zipfile.ZipFile(archive) as zf:
        members = sorted(
            (i for i in zf.infolist() if i.filename.startswith(ZIP_PREFIX) and not i.is_dir()),
            key=lambda i: i.filename,
        )
        key = hashlib.sha256()
        for info in members:
            key.update(f"{info.filename}\0{info.CRC:08x}\0{info.file_size}\0".encode())
        name = key.hexdigest()[:32]
        files = [(info.filename[len(ZIP_PREFIX) :], zf.read(info)) for info in members]
    from hwcheck.cachedir import open_cache

    cache = open_cache("pyz-profiles")
    if cache is not None:
        final = os.path.join(cache.path, name)
        if os.path.isdir(final):
            return final
        staged = _write_tree(os.path.join(cache.path, f".{name}.{os.getpid()}.tmp"), files)
        if staged is not None:
            try:
                os.rename(staged, final)
            except OSError:  # another process put the same profiles there first
                _remove_tree(staged)
            if os.path.isdir(final):
                return final
    import atexit
    import tempfile

    private = tempfile.mkdtemp(prefix="hwcheck-profiles-")
    atexit.register(_remove_tree, private)
    _write_tree(private, files, exist_ok=True)
    return private


def _write_tree(root: str, files: list[tuple[str, bytes]], *, exist_ok: bool = False) -> str | None:
    try:
        os.makedirs(root, mode=0o700, exist_ok=exist_ok)
        for relative, data in files:
            parts = [p for p in relative.split("/") if p not in ("", ".", "..")]
            path = os.path.join(root, *parts)
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(data)
    except OSError:
        _remove_tree(root)
        return None
    return root


def _remove_tree(root: str) -> None:
    import shutil

    shutil.rmtree(root, ignore_errors=True)
