"""Reading a saved result (`hwcheck report RESULT.json`): JSON in, a checked Result out.

The shape is checked against the Result TypedDicts in hwcheck.model.result themselves (the
contract between the stages), so a renderer never meets a missing key or a wrong type
halfway through a report. Problems are InputErrors (exit 2) naming the JSON path:
`result.json: $.findings[3].status: expected one of 'pass', 'fail', ... ; got 'failed'`.
Only the `hwcheck report` path loads this module (it imports typing).
"""

from __future__ import annotations

import typing

from hwcheck.model.documents import check_document, read_json
from hwcheck.model.result import Result

MAX_RESULT_BYTES = 64 * 1024 * 1024
SUPPORTED_SCHEMA_VERSIONS = (1,)


def check_result(document: object, *, where: str) -> Result:
    """`document` as a Result, or InputError saying what is wrong and where."""
    check_document(
        document,
        Result,
        kind="hwcheck-result",
        noun="result",
        versions=SUPPORTED_SCHEMA_VERSIONS,
        where=where,
        hints={"hwcheck-inventory": " (an inventory: judge it with `hwcheck check --inventory`)"},
        inventory_at="$.inventory",
    )
    return typing.cast("Result", document)


def load_result(path: str) -> Result:
    """Read and check a result file written by `hwcheck check --json` (`-` reads stdin)."""
    return check_result(read_json(path, what="a result", max_bytes=MAX_RESULT_BYTES), where=path)
