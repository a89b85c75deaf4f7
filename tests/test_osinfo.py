"""os-release parsing, checked against `distro` (the reference implementation) on real files.

The probe parses os-release itself to keep `distro`'s ~30 ms of imports off the probe path;
these tests hold it to the same answers distro gives for every os-release in the fixture
hosts (each copied from a real distribution, see their SOURCE.md) and this machine's own.
"""

import os

import distro
import pytest

from hwcheck.probe.osinfo import parse_os_release

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOSTS = os.path.join(ROOT, "tests", "fixtures", "hosts")
ROOTS = sorted(
    os.path.join(HOSTS, h)
    for h in os.listdir(HOSTS)
    if os.path.isfile(os.path.join(HOSTS, h, "etc", "os-release"))
)


def distro_view(root):
    info = distro.LinuxDistribution(root_dir=root, include_lsb=False, include_uname=False)
    return info.os_release_info()


@pytest.mark.parametrize("root", [*ROOTS, "/"], ids=lambda r: os.path.basename(r) or "this-machine")
def test_os_release_parse_agrees_with_distro(root):
    with open(os.path.join(root, "etc", "os-release"), encoding="utf-8") as fh:
        ours = parse_os_release(fh.read())
    theirs = distro_view(root)
    for key in (
        "ID",
        "NAME",
        "VERSION_ID",
        "VERSION",
        "PRETTY_NAME",
        "ID_LIKE",
        "VERSION_CODENAME",
    ):
        assert ours.get(key) == theirs.get(key.lower()), key


def test_os_release_quoting_and_escapes():
    text = (
        'NAME="Red Hat Enterprise Linux"\n'
        "ID=rhel\n"
        "PRETTY_NAME='Quoted $single'\n"
        "# comment\n"
        'X="a \\"b\\" \\$c"\n'
    )
    parsed = parse_os_release(text)
    assert parsed == {
        "NAME": "Red Hat Enterprise Linux",
        "ID": "rhel",
        "PRETTY_NAME": "Quoted $single",
        "X": 'a "b" $c',
    }
