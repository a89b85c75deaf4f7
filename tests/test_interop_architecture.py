"""interop/'s lane: it reads other tools' documents and plugs hwcheck into them through the
same stages as `check` (the probe, Selection, `judge_node`), and only the command line and
the fleet reach it.

- hwcheck/interop/ imports of hwcheck only `model`, `probe`, `profile`, `judge` (only
  `judge_node`), `status`, `errors`, `render.words` and the version; never `cli`, `fleet`,
  `collector`, `capture`;
- ironic_python_agent is imported only by the IPA plug-ins (interop/ipa/), so the Ironic
  import runs without the `ironic` extra;
- of the rest of hwcheck, only `cli` and `fleet` import interop.
"""

import os
import subprocess
import sys

import pytest
from test_architecture import PKG, ROOT, imports_of, modules_in

ALLOWED = (
    "hwcheck.interop",
    "hwcheck.model",
    "hwcheck.probe",
    "hwcheck.profile",
    "hwcheck.status",
    "hwcheck.errors",
    "hwcheck.render.words",
)


@pytest.mark.parametrize("path", list(modules_in("interop")))
def test_interop_stays_in_its_lane(path):
    names = {n for n in imports_of(os.path.join(ROOT, path)) if n.startswith("hwcheck")}
    bad = {
        n
        for n in names
        if n not in ("hwcheck", "hwcheck.judge")
        and not any(n == a or n.startswith(a + ".") for a in ALLOWED)
    }
    assert not bad, f"{path} imports {sorted(bad)}"
    if "hwcheck.judge" in names:
        with open(os.path.join(ROOT, path), encoding="utf-8") as fh:
            assert "from hwcheck.judge import judge_node\n" in fh.read(), path


@pytest.mark.parametrize("path", list(modules_in("interop")))
def test_only_the_ipa_plugins_import_the_agent(path):
    agent = {n for n in imports_of(os.path.join(ROOT, path)) if n.startswith("ironic_python_agent")}
    if agent:
        assert path.startswith(os.path.join("hwcheck", "interop", "ipa", "")), path


def test_only_the_cli_and_the_fleet_import_interop():
    users = set()
    for d, _, files in os.walk(PKG):
        for name in files:
            path = os.path.relpath(os.path.join(d, name), ROOT)
            if not name.endswith(".py") or path.startswith(os.path.join("hwcheck", "interop")):
                continue
            if any(n.startswith("hwcheck.interop") for n in imports_of(os.path.join(ROOT, path))):
                users.add(path.split(os.sep)[1])
    assert users == {"cli", "fleet"}


def test_the_ironic_import_loads_no_agent():
    code = "import sys, hwcheck.interop.ironic; print('ironic_python_agent' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"
