#!/usr/bin/env python3
"""Build dist/hwcheck.pyz: hwcheck in one file, run with a bare `python3 -I hwcheck.pyz`.

    .venv/bin/python scripts/build-pyz.py [--output dist/hwcheck.pyz] [--python PYTHON]

The zip holds hwcheck/ (sources), the shipped profiles as hwcheck/profiles/ (as the wheel
has them), and the pure-Python parts of PyYAML, Jinja2 and MarkupSafe (for `check`; taken
from the distributions installed for the interpreter running this script, their licence
files under licenses/; compiled extensions are left out, each has a pure-Python fallback).
`probe`, `capture` and `gate` need none of them (standard library only, Python 3.9+).

Every module is also byte-compiled, by `--python` (default: this interpreter), as an
unchecked-hash .pyc beside its source: an interpreter of that version starts from the
compiled code, any other compiles the source (same behaviour, slower start). The output
is reproducible: entries sorted, fixed timestamps and modes, hash-based .pyc, no build
paths inside. Written atomically.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import os
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHEBANG = b"#!/usr/bin/env python3\n"
EPOCH = (1980, 1, 1, 0, 0, 0)
MAIN = b'''"""hwcheck in one file: `python3 -I hwcheck.pyz COMMAND ...` (see docs/single-file.md)."""
import sys

from hwcheck.cli import main

sys.exit(main())
'''
# distribution -> its top-level packages to bundle
BUNDLED = {"PyYAML": ("yaml",), "Jinja2": ("jinja2",), "MarkupSafe": ("markupsafe",)}

COMPILE = r"""
import py_compile, sys
root = sys.argv[1]
for rel in sys.stdin.read().split("\n"):
    if rel:
        py_compile.compile(
            root + "/" + rel, cfile=root + "/" + rel + "c", dfile=rel, doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
"""


def _hwcheck_files() -> list[tuple[str, bytes]]:
    files = []
    for base, source_dir in (("hwcheck", "hwcheck"), ("hwcheck/profiles", "profiles")):
        top = os.path.join(ROOT, source_dir)
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in filenames:
                if source_dir == "hwcheck" and not name.endswith(".py"):
                    continue
                if source_dir == "profiles" and not name.endswith((".yaml", ".yml")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, top).replace(os.sep, "/")
                with open(path, "rb") as fh:
                    files.append((f"{base}/{rel}", fh.read()))
    return files


def _bundled_files() -> list[tuple[str, bytes]]:
    files = []
    for dist_name, packages in BUNDLED.items():
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError:
            sys.exit(
                f"build-pyz: error: {dist_name} is not installed for {sys.executable}; run this "
                "script with .venv/bin/python (bash scripts/setup.sh makes it)"
            )
        for entry in dist.files or ():
            rel = str(entry).replace(os.sep, "/")
            top = rel.split("/", 1)[0]
            licence = ".dist-info/" in rel and ("LICENSE" in rel.upper() or "/licenses/" in rel)
            if not (top in packages and rel.endswith(".py")) and not licence:
                continue
            with open(entry.locate(), "rb") as fh:
                data = fh.read()
            if licence:
                rel = f"licenses/{dist_name}/{rel.rsplit('/', 1)[-1]}"
            files.append((rel, data))
    return files


def _compiled(files: list[tuple[str, bytes]], python: str) -> list[tuple[str, bytes]]:
    """Each .py's unchecked-hash .pyc, compiled by `python` (named by its path in the zip)."""
    sources = [name for name, _ in files if name.endswith(".py")]
    with tempfile.TemporaryDirectory(prefix="hwcheck-pyz-") as tmp:
        for name, data in files:
            if name.endswith(".py"):
                path = os.path.join(tmp, *name.split("/"))
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as fh:
                    fh.write(data)
        subprocess.run(
            [python, "-I", "-c", COMPILE, tmp],
            input="\n".join(sources),
            text=True,
            check=True,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONHASHSEED": "0"},
        )
        out = []
        for name in sources:
            with open(os.path.join(tmp, *name.split("/")) + "c", "rb") as fh:
                out.append((name + "c", fh.read()))
    return out


def build(output: str, python: str) -> int:
    files = _hwcheck_files() + _bundled_files()
    files.append(("__main__.py", MAIN))
    files += _compiled(files, python)
    names = [name for name, _ in files]
    if len(names) != len(set(names)):
        sys.exit("build-pyz: error: two files would have the same name in the archive")
    buf = io.BytesIO()
    buf.write(SHEBANG)
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in sorted(files):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever builds it
            zf.writestr(info, data, compresslevel=9)
    data = buf.getvalue()
    directory = os.path.dirname(os.path.abspath(output))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".hwcheck.pyz.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o755)
        os.replace(tmp, output)
    except BaseException:
        os.unlink(tmp)
        raise
    return len(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", default=os.path.join(ROOT, "dist", "hwcheck.pyz"))
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter whose byte code is stored (that of the ramdisk's python3, ideally)",
    )
    args = parser.parse_args()
    size = build(args.output, args.python)
    print(f"build-pyz: wrote {args.output} ({size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
