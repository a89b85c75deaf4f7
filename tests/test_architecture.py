"""The shape the design promises: data flows one way, and each path loads only what it needs.

- probe/ touches the host and never imports the judge, profiles or renderers;
- the judge is pure: it imports no probe, renderer, or I/O-bound library;
- model/ (the documents) imports nothing of hwcheck but itself; profile/ loads YAML and
  waiver files and never touches the host or renders; the judge never loads files;
- versions/ (the vendor version formats, used by profile/ and judge/) imports nothing of
  hwcheck but itself, and nothing that does I/O;
- renderers only render: no probe, judge or profile imports; jinja2 only in render/html.py;
- only hwcheck/cli wires the stages together.
"""

import ast
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(ROOT, "hwcheck")


def imports_of(path):
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules_in(package):
    base = os.path.join(PKG, package)
    for dirpath, _, files in os.walk(base):
        for name in files:
            if name.endswith(".py"):
                yield os.path.relpath(os.path.join(dirpath, name), ROOT)


FORBIDDEN = {
    "probe": (
        "hwcheck.judge",
        "hwcheck.profile",
        "hwcheck.render",
        "hwcheck.cli",
        "jinja2",
        "yaml",
    ),
    "judge": (
        "hwcheck.probe",
        "hwcheck.render",
        "hwcheck.cli",
        "hwcheck.capture",
        # The judge reads compiled profiles (profile.model, profile.waivers' WaiverEntry);
        # loading YAML and waiver files happens before it is called.
        "hwcheck.profile.yamlsrc",
        "hwcheck.profile.library",
        "hwcheck.profile.compile",
        "hwcheck.profile.cache",
        "hwcheck.profile.fields",
        "hwcheck.profile.spec",
        "os",
        "subprocess",
        "time",
        "jinja2",
        "yaml",
    ),
    "model": (
        "hwcheck.probe",
        "hwcheck.judge",
        "hwcheck.profile",
        "hwcheck.versions",
        "hwcheck.render",
        "hwcheck.cli",
        "hwcheck.capture",
        "jinja2",
        "yaml",
    ),
    "profile": (
        "hwcheck.probe",
        "hwcheck.render",
        "hwcheck.cli",
        "hwcheck.capture",
        "jinja2",
    ),
    "versions": (
        "hwcheck.probe",
        "hwcheck.judge",
        "hwcheck.profile",
        "hwcheck.model",
        "hwcheck.render",
        "hwcheck.cli",
        "hwcheck.capture",
        "os",
        "subprocess",
        "time",
        "jinja2",
        "yaml",
    ),
    "render": (
        "hwcheck.probe",
        "hwcheck.judge",
        "hwcheck.profile",
        "hwcheck.capture",
        "hwcheck.cli",
    ),
}


@pytest.mark.parametrize(
    ("package", "path"),
    [(pkg, path) for pkg in FORBIDDEN for path in modules_in(pkg)],
)
def test_stage_imports_stay_in_their_lane(package, path):
    bad = {
        name
        for name in imports_of(os.path.join(ROOT, path))
        for forbidden in FORBIDDEN[package]
        if name == forbidden or name.startswith(forbidden + ".")
    }
    assert not bad, f"{path} imports {sorted(bad)}"


def test_jinja2_is_imported_only_by_the_html_renderer():
    users = [
        os.path.relpath(os.path.join(d, f), ROOT)
        for d, _, files in os.walk(PKG)
        for f in files
        if f.endswith(".py") and any(n.startswith("jinja2") for n in imports_of(os.path.join(d, f)))
    ]
    assert users == [os.path.join("hwcheck", "render", "html.py")]


def loaded_modules(code):
    script = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


HEAVY = (
    "jinja2",
    "yaml",
    "pyroute2",
    "sh",
    "pyudev",
    "distro",
    "dataclasses",
    "typing",
    "inspect",
    "shutil",
    "subprocess",
)


def test_probe_path_loads_nothing_heavy():
    loaded = loaded_modules("from hwcheck.cli import main\nmain(['probe', '--json', '-'])")
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}
    assert "hwcheck.probe" in loaded


def test_text_report_path_does_not_load_jinja2():
    loaded = loaded_modules(
        "import json\nfrom hwcheck.render.text import render_text\n"
        "doc = json.load(open('tests/fixtures/results/judged-intel-x710-i40e.json'))\n"
        "render_text(doc, color=False)"
    )
    assert "jinja2" not in loaded
    assert "hwcheck.probe" not in loaded
