"""Reading a saved result (`hwcheck report RESULT.json`): JSON in, a checked Result out.

The shape is checked against the Result TypedDicts in hwcheck.model.result themselves (the
contract between the stages), so a renderer never meets a missing key or a wrong type
halfway through a report. Problems are InputErrors (exit 2) naming the JSON path:
`result.json: $.findings[3].status: expected one of 'pass', 'fail', ... ; got 'failed'`.
A result kept without its inventory (hwcheck.model.summary.without_inventory) must name its
node; one that embeds both must say the same of the node in each.
Only the `hwcheck report` path loads this module (it imports typing).
"""

from __future__ import annotations

import typing

from hwcheck.errors import InputError
from hwcheck.model.documents import check_document, read_json, shown
from hwcheck.model.result import Result
from hwcheck.model.summary import node_summary

MAX_RESULT_BYTES = 64 * 1024 * 1024
SUPPORTED_SCHEMA_VERSIONS = (1,)


def check_result(document: object, *, where: str) -> Result:
    """`document` as a Result, or InputError saying what is wrong and where."""
    embeds = isinstance(document, dict) and "inventory" in document
    check_document(
        document,
        Result,
        kind="hwcheck-result",
        noun="result",
        versions=SUPPORTED_SCHEMA_VERSIONS,
        where=where,
        hints={"hwcheck-inventory": " (an inventory: judge it with `hwcheck check --inventory`)"},
        inventory_at="$.inventory" if embeds else None,
    )
    result = typing.cast("Result", document)
    node = result.get("node")
    if not embeds:
        if node is None:
            raise InputError(
                "malformed result: $: missing 'node' (a result without its inventory must "
                "name the node it judged)",
                where=where,
            )
        return result
    if node is not None:
        summary = node_summary(result["inventory"])
        field = next((k for k, v in summary.items() if node.get(k) != v), None)
        if field is not None:
            raise InputError(
                f"$.node.{field} is {shown(node.get(field))}, but the inventory it embeds says "
                f"{shown(summary[field])}; the result was edited or is damaged",  # type: ignore[literal-required]
                where=where,
            )
    return result


def load_result(path: str) -> Result:
    """Read and check a result file written by `hwcheck check --json` (`-` reads stdin)."""
    return check_result(read_json(path, what="a result", max_bytes=MAX_RESULT_BYTES), where=path)
