"""The machine-readable result: the Result document itself, sorted and stable.

Same input, same bytes: keys sorted, two-space indent, a final newline. Validates against
docs/schema/result.schema.json.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.result import Result


def render_json(result: Result) -> str:
    return json.dumps(result, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
