"""Derive the golden inventories from the fixture host trees, with the real probe.

    .venv/bin/python scripts/regen_fixtures.py          # rewrite them
    .venv/bin/python scripts/regen_fixtures.py --check  # exit 1, naming each that differs

Each tree `tests/fixtures/hosts/<name>/` (a capture, extracted: see its SOURCE.md) is probed
as `hwcheck probe --from-capture tests/fixtures/hosts/<name>` would probe it, from the
repository root, and the inventory is written twice: as the tree's own
`expected-inventory.json` and as `tests/fixtures/inventories/<name>.json`, the judge tests'
input. Nothing in either is edited by hand; tests/test_fixture_inventories.py keeps both
equal to what this script writes.
"""

from __future__ import annotations

import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOSTS = os.path.join("tests", "fixtures", "hosts")
INVENTORIES = os.path.join("tests", "fixtures", "inventories")
NOW = "2026-01-15T10:00:00Z"
"""`now` for the probe; a capture's own `captured_at` takes precedence, as it does live."""


def host_names() -> list[str]:
    root = os.path.join(REPO, HOSTS)
    return sorted(
        n for n in os.listdir(root) if os.path.isfile(os.path.join(root, n, "capture.json"))
    )


def rendered() -> dict[str, str]:
    """Repository-relative path -> the text this script writes there."""
    sys.path.insert(0, REPO)
    from hwcheck.probe import probe
    from hwcheck.probe.host import open_root

    out: dict[str, str] = {}
    cwd = os.getcwd()
    os.chdir(REPO)  # the inventory names its root as given: a repository-relative path
    try:
        for name in host_names():
            inventory = probe(open_root(os.path.join(HOSTS, name)), now=NOW)
            text = json.dumps(inventory, indent=2) + "\n"
            out[os.path.join(HOSTS, name, "expected-inventory.json")] = text
            out[os.path.join(INVENTORIES, f"{name}.json")] = text
    finally:
        os.chdir(cwd)
    return out


def stale() -> list[str]:
    """The files whose content is not what this script writes."""
    differing = []
    for path, text in rendered().items():
        try:
            with open(os.path.join(REPO, path), encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            differing.append(path)
    return differing


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        differing = stale()
        for path in differing:
            print(f"{path}: differs from what scripts/regen_fixtures.py writes", file=sys.stderr)
        return 1 if differing else 0
    if argv:
        print("usage: regen_fixtures.py [--check]", file=sys.stderr)
        return 2
    for path, text in rendered().items():
        with open(os.path.join(REPO, path), "w", encoding="utf-8") as f:
            f.write(text)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
