"""The data hwcheck passes between stages: JSON-shaped documents with static types.

Inventories and results are plain dicts/lists/str/int/bool/None described by TypedDicts.
Why not frozen dataclasses: on a slow node `import dataclasses` alone costs about 20 ms
(it pulls in `inspect`), more than the probe's whole budget, and the documents must
round-trip through JSON anyway (captures, `--inventory`, fleet audits). TypedDicts cost
nothing at run time (they are only imported under TYPE_CHECKING), mypy checks every
access, and `to_json(from_json(x)) == x` holds by construction. The published JSON
Schemas (docs/schema/) are the runtime contract and are validated in the tests.
"""

INVENTORY_SCHEMA_VERSION = 1
RESULT_SCHEMA_VERSION = 1
FLEET_SCHEMA_VERSION = 1
