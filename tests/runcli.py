"""Running the real `hwcheck` command line from a test: one helper for every test file.

`python -m hwcheck` with this interpreter, text in and out, never raising on a non-zero
exit (the exit code is what the tests assert).
"""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_hwcheck(
    *args: str,
    cwd: str = ROOT,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    stdout: int | object = subprocess.PIPE,
) -> subprocess.CompletedProcess[str]:
    """`hwcheck ARGS` as a user runs it; `env` adds to (or overrides) this environment."""
    return subprocess.run(
        [sys.executable, "-m", "hwcheck", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        input=stdin,
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        timeout=120,
    )


NO_CACHE = {"HWCHECK_NO_CACHE": "1", "NO_COLOR": "1"}
"""A run that parses every profile again and prints no colour."""


def check_json(*args: str) -> tuple[int, dict[str, object]]:
    """`hwcheck check ARGS --no-html --json -`: the exit code and the result document."""
    import json

    done = run_hwcheck("check", *args, "--no-html", "--json", "-", env=NO_CACHE)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def write_profile(directory: object, name: str, rules: str, unknown_nics: str) -> str:
    """A one-layer profile `name` with these YAML `rules` (or none), written in `directory`."""
    path = os.path.join(str(directory), f"{name}.yaml")
    body = f"rules:\n{rules}" if rules else "rules: []\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"hwcheck_profile: 1\nname: {name}\nunknown_nics: {unknown_nics}\n{body}")
    return path


def findings_of(result: dict[str, object], rule_id: str) -> list[dict[str, object]]:
    """The findings of one rule in a result document, in order."""
    return [f for f in result["findings"] if f["rule_id"] == rule_id]  # type: ignore[attr-defined,index]


def card_identity(inventory: dict[str, object] | str, key: str) -> dict[str, object]:
    """What a finding's subject carries as `identity` for the card `key` of an inventory
    (a document, or the path of one): the card's PCI IDs and names, and its USB identity."""
    import json

    if isinstance(inventory, str):
        with open(inventory, encoding="utf-8") as fh:
            inventory = json.load(fh)
    card = next(c for c in inventory["cards"] if c["card"] == key)  # type: ignore[attr-defined,index]
    fields = ("vendor_id", "device_id", "subsystem_vendor_id", "subsystem_device_id")
    names = ("vendor_name", "device_name", "subsystem_name")
    identity = {k: card[k] for k in fields + names}
    if "usb" in card:
        identity["usb"] = card["usb"]
    return identity


STRICT_VM_PROFILE = """\
hwcheck_profile: 1
name: site/strict
extends: [lab/kvm-virtio]
applies_to:
  devices: ["1af4:1041"]
rules:
  - id: site.kernel
    title: A kernel newer than any released
    kernel: {release: {min: "99.0"}}
"""
"""A site profile that applies to the virtio VM fixture and fails it: no kernel is 99.0 yet.
Without it the VM is COMPLIANT against lab/kvm-virtio."""
