"""A cache another user can write decides nothing and runs nothing.

The parsed-profile cache holds the rules a node is judged by, and the compiled-template
cache holds code the HTML renderer runs. Both are used only when the cache base, `hwcheck`,
the cache directory and the entry belong to the effective user and nobody else can write
them; anything else is recompiled and left alone. Each case here has the user `nobody`
plant an entry that is exactly what a real entry looks like (bound to the right source
bytes), then runs hwcheck as root. The first test shows that such an entry would decide
the verdict if it were trusted, so the others can fail.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import shutil
import stat
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import jinja2
import jinja2.bccache
import pytest
from asnobody import as_nobody, traversable_by_others
from runcli import ROOT, run_hwcheck
from runcli import STRICT_VM_PROFILE as STRICT

from hwcheck.profile import yamlsrc
from hwcheck.status import ExitStatus

SHIPPED = os.path.join(ROOT, "profiles")
VM = os.path.join(ROOT, "tests", "fixtures", "inventories", "virtio-vm.json")
RESULT = os.path.join(ROOT, "tests", "fixtures", "results", "judged-intel-x710-i40e.json")
TEMPLATES = os.path.join(ROOT, "hwcheck", "render", "templates")

# What the attacker would like the node to be judged by: the same profile, no rule.
LAX = STRICT.split("rules:", maxsplit=1)[0] + "rules: []\n"


@pytest.fixture
def nobody(tmp_path: Path) -> Iterator[list[str]]:
    """The command prefix that runs as `nobody`, with tmp_path's parents made traversable
    by others for the test, then restored."""
    prefix = as_nobody()
    if prefix is None:
        pytest.skip("neither setpriv nor runuser is installed")
    if os.geteuid() != 0:
        pytest.skip("switching to nobody needs root")
    with traversable_by_others(tmp_path):
        yield prefix


def _yaml_entry(profile: Path) -> tuple[str, bytes]:
    """An entry of the YAML cache for `profile`: its exact bytes, and LAX's tree."""
    real = os.path.realpath(profile)
    name = f"{zlib.crc32(real.encode()):08x}.marshal"
    data = profile.read_bytes()
    return name, marshal.dumps((1, real, data, yamlsrc.parse(LAX.encode(), str(profile))))


def _checksum(template: str) -> str:
    with open(os.path.join(TEMPLATES, template), encoding="utf-8") as fh:
        return hashlib.sha1(fh.read().encode("utf-8")).hexdigest()  # noqa: S324 - jinja2's key


def _template_entry(template: str) -> bytes:
    """A compiled-template entry bound to the real `template`'s source that renders PLANTED."""
    code = jinja2.Environment(autoescape=True).compile("PLANTED", name=template)
    head = jinja2.bccache.bc_magic + pickle.dumps(_checksum(template), 2)
    return head + marshal.dumps(code)


def _entry_names(kind_dir: Path) -> dict[str, str]:
    """The entry a run of our own wrote for each template it compiled (the node report, the
    base it extends and the waiver macros it imports), told apart by the source each entry
    is bound to."""
    names = {}
    for template in ("report.html.j2", "base.html.j2", "waivers.html.j2"):
        head = jinja2.bccache.bc_magic + pickle.dumps(_checksum(template), 2)
        (entry,) = [e.name for e in kind_dir.iterdir() if e.read_bytes().startswith(head)]
        names[template] = entry
    assert len(names) == len(list(kind_dir.iterdir())) == 3
    return names


def _plant(nobody: list[str], tmp_path: Path, how: str, kind: str, entries: dict[str, bytes]):
    """Lay out `tmp_path/cache` as `how` says and have nobody write `entries` (name: bytes)
    in it. Returns the cache directory."""
    base = tmp_path / "cache"
    kind_dir = base / "hwcheck" / kind
    if how == "world-writable base":  # nobody makes hwcheck/KIND, all theirs
        base.mkdir(mode=0o700)
        base.chmod(0o777)
        mkdir = subprocess.run(
            [*nobody, "mkdir", "-p", str(kind_dir)], capture_output=True, check=False
        )
        assert mkdir.returncode == 0, mkdir.stderr
    else:
        kind_dir.mkdir(parents=True, mode=0o700)
        base.chmod(0o711)
        (base / "hwcheck").chmod(0o711)
        if how == "directory owned by nobody":
            os.chown(kind_dir, _uid("nobody"), -1)
        elif how == "directory writable by others":
            kind_dir.chmod(0o777)
        elif how == "directory writable by its group":
            os.chown(kind_dir, -1, _gid("nogroup"))
            kind_dir.chmod(0o770)
        elif how == "entry owned by nobody":
            kind_dir.chmod(0o777)
    for number, (name, data) in enumerate(entries.items()):
        source = tmp_path / f"planted-{number}.bin"
        source.write_bytes(data)
        source.chmod(0o644)
        copy = subprocess.run(
            [*nobody, "cp", str(source), str(kind_dir / name)], capture_output=True, check=False
        )
        assert copy.returncode == 0, copy.stderr
    if how == "entry owned by nobody":
        kind_dir.chmod(0o700)
    for name in entries:
        if how == "entry owned by nobody":
            (kind_dir / name).chmod(0o600)
        assert (kind_dir / name).stat().st_uid == _uid("nobody")
    return kind_dir


def _uid(user: str) -> int:
    import pwd

    return pwd.getpwnam(user).pw_uid


def _gid(group: str) -> int:
    import grp

    return grp.getgrnam(group).gr_gid


def _check(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HWCHECK_NO_CACHE": "",
        "HWCHECK_PROFILE_PATH": f"{tmp_path / 'profiles'}:{SHIPPED}",
    }
    return run_hwcheck(
        "check", "--inventory", VM, "--profile", "site/strict", "--no-html", "-q", env=env
    )


def _strict(tmp_path: Path) -> Path:
    site = tmp_path / "profiles" / "site"
    site.mkdir(parents=True)
    (site / "strict.yaml").write_text(STRICT)
    return site / "strict.yaml"


def _render(tmp_path: Path, out: str, *, cache: bool = True) -> str:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "HWCHECK_NO_CACHE": "" if cache else "1"}
    run = run_hwcheck("report", RESULT, "--html", str(tmp_path / out), "--quiet", env=env)
    assert run.returncode == 0, run.stderr
    return (tmp_path / out).read_text()


HOSTILE = [
    "world-writable base",
    "directory owned by nobody",
    "directory writable by others",
    "directory writable by its group",
    "entry owned by nobody",
]


def test_an_entry_of_our_own_is_used_so_a_planted_one_would_decide(tmp_path):
    profile = _strict(tmp_path)
    assert _check(tmp_path).returncode == ExitStatus.NONCOMPLIANT
    name, data = _yaml_entry(profile)
    (tmp_path / "cache" / "hwcheck" / "yaml" / name).write_bytes(data)
    assert _check(tmp_path).returncode == ExitStatus.OK  # our own cache is trusted
    shutil.rmtree(tmp_path / "cache")
    real = _render(tmp_path, "cold.html")
    kind_dir = tmp_path / "cache" / "hwcheck" / "jinja2"
    names = _entry_names(kind_dir)
    assert "PLANTED" not in real
    # the page's own template and the base it extends are each run from the cache (the
    # waiver macros it imports too, but a planted copy of those only changes a waiver's line)
    for template in ("report.html.j2", "base.html.j2"):
        name = names[template]
        original = (kind_dir / name).read_bytes()
        (kind_dir / name).write_bytes(_template_entry(template))
        assert _render(tmp_path, f"planted-{template}.html") == "PLANTED", template
        (kind_dir / name).write_bytes(original)
    assert _render(tmp_path, "warm.html") == real


@pytest.mark.parametrize("how", HOSTILE)
def test_a_profile_tree_planted_by_another_user_is_not_used(nobody, tmp_path, how):
    profile = _strict(tmp_path)
    name, data = _yaml_entry(profile)
    kind_dir = _plant(nobody, tmp_path, how, "yaml", {name: data})
    planted = sorted(os.listdir(kind_dir))

    run = _check(tmp_path)
    assert run.returncode == ExitStatus.NONCOMPLIANT, run.stdout + run.stderr
    assert run.stdout == " NON-COMPLIANT   vm: 1 failed, 10 passed (profile site/strict)\n"
    if how != "entry owned by nobody":  # a directory others can write is never written
        assert sorted(os.listdir(kind_dir)) == planted


@pytest.mark.parametrize("how", HOSTILE)
def test_a_compiled_template_planted_by_another_user_is_not_run(nobody, tmp_path, how):
    real = _render(tmp_path, "real.html", cache=False)
    # The entries' names are the ones a run of our own would use.
    _render(tmp_path, "cold.html")
    names = _entry_names(tmp_path / "cache" / "hwcheck" / "jinja2")
    shutil.rmtree(tmp_path / "cache")
    entries = {name: _template_entry(template) for template, name in names.items()}
    kind_dir = _plant(nobody, tmp_path, how, "jinja2", entries)
    planted = sorted(os.listdir(kind_dir))

    assert _render(tmp_path, "after.html") == real
    if how != "entry owned by nobody":
        assert sorted(os.listdir(kind_dir)) == planted


def test_an_entry_bound_to_other_bytes_is_parsed_again(tmp_path):
    """An entry is bound to the source's exact bytes, never its timestamp: an edit that
    keeps size and mtime is still seen."""
    profile = _strict(tmp_path)
    assert _check(tmp_path).returncode == ExitStatus.NONCOMPLIANT
    before = profile.stat()
    profile.write_text(STRICT.replace('"99.0"', '"1.00"'))
    os.utime(profile, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert profile.stat().st_size == before.st_size
    assert _check(tmp_path).returncode == ExitStatus.OK


def test_the_cache_is_made_private(tmp_path):
    _strict(tmp_path)
    _check(tmp_path)
    for path in (tmp_path / "cache", tmp_path / "cache" / "hwcheck"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    kind_dir = tmp_path / "cache" / "hwcheck" / "yaml"
    assert stat.S_IMODE(kind_dir.stat().st_mode) == 0o700
    for entry in kind_dir.iterdir():
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
