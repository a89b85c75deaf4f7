"""The fleet document as JSON: stable (keys sorted) and readable at fleet size.

Each top-level key is on its own line, and each node row (and each other list item of the
long lists) on its own line, encoded by the C encoder: indenting every level would go through
the pure-Python encoder, about ten times slower at 10,000 nodes. Validates against
docs/schema/fleet.schema.json.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.fleet import Fleet

_ONE_PER_LINE = frozenset({"nodes", "superseded", "spread", "failing_rules", "known_bad"})


def render_fleet_json(fleet: Fleet) -> str:
    # ASCII escapes: the C encoder is a third faster so, and the document is for machines
    encode = json.JSONEncoder(sort_keys=True).encode
    lines = []
    for key in sorted(fleet):
        value = fleet[key]  # type: ignore[literal-required]
        if key in _ONE_PER_LINE and value:
            items = ",\n".join(f"    {encode(item)}" for item in value)
            lines.append(f"  {encode(key)}: [\n{items}\n  ]")
        else:
            lines.append(f"  {encode(key)}: {encode(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"
