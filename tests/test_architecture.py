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
        # the judge reads compiled profiles: profile/ never reads the judge
        "hwcheck.judge",
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


def module_name(path):
    """`hwcheck/judge/engine.py` -> `hwcheck.judge.engine`; a package's `__init__.py` is the
    package itself."""
    parts = os.path.relpath(path, ROOT)[: -len(".py")].split(os.sep)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path, modules):
    """The hwcheck modules `path` imports, wherever the import statement stands (module top,
    a function, a TYPE_CHECKING block), relative imports resolved. `from hwcheck.x import y`
    imports `hwcheck.x.y` when that is a module, else `hwcheck.x`."""
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    own = module_name(path)
    package = own if path.endswith("__init__.py") else own.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {name for name in found if name in modules}


def package_of(module):
    """The lane a module belongs to: `hwcheck.judge` for hwcheck.judge.engine, and each
    top-level module (`hwcheck.status`, `hwcheck.outfile`) its own. The collector's store
    is a lane of its own: the collector's server writes and reads it, `fleet --store` reads
    it, and it imports neither."""
    if module == "hwcheck.collector.store" or module.startswith("hwcheck.collector.store."):
        return "hwcheck.collector.store"
    return ".".join(module.split(".")[:2])


def import_graph():
    paths = {
        module_name(os.path.join(d, f)): os.path.join(d, f)
        for d, _, files in os.walk(PKG)
        for f in files
        if f.endswith(".py")
    }
    return {name: imported_modules(path, paths) for name, path in paths.items()}


def package_cycle(graph):
    """A cycle between packages as a list of packages (first == last), or None."""
    edges = {}
    for module, targets in graph.items():
        for target in targets:
            a, b = package_of(module), package_of(target)
            if a != b:
                edges.setdefault(a, set()).add(b)
    state = {}

    def visit(node, trail):
        state[node] = "open"
        trail.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return [*trail[trail.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt, trail)
                if found:
                    return found
        trail.pop()
        state[node] = "done"
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start, [])
            if found:
                return found
    return None


def test_the_import_graph_sees_imports_inside_functions():
    """The graph the next test searches is the real one: the lazy imports (jinja2's in the
    HTML renderer, the renderers' in cli/report.py) are edges of it."""
    graph = import_graph()
    assert "hwcheck.render.html" in graph["hwcheck.cli.report"]
    assert "hwcheck.cachedir" in graph["hwcheck.render.html"]
    assert "hwcheck.versions" in graph["hwcheck.judge.nicrules"]


def test_the_cycle_search_finds_a_cycle_between_packages():
    graph = {"hwcheck.a.x": {"hwcheck.b.y"}, "hwcheck.b.y": {"hwcheck.a.z"}, "hwcheck.a.z": set()}
    assert package_cycle(graph) == ["hwcheck.a", "hwcheck.b", "hwcheck.a"]
    assert package_cycle({"hwcheck.a.x": {"hwcheck.a.z"}, "hwcheck.a.z": {"hwcheck.a.x"}}) is None


def test_no_import_cycle_between_packages():
    """Every import counts, at run time or for types, at the top of a module or inside a
    function: data flows one way, and a lazy import is no way around it."""
    cycle = package_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle)
