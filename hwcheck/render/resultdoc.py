"""Reading a saved result (`hwcheck report RESULT.json`): JSON in, a checked Result out.

The shape is checked against the Result TypedDicts in hwcheck.model.result themselves (the
contract between the stages), so a renderer never meets a missing key or a wrong type
halfway through a report. Problems are InputErrors (exit 2) naming the JSON path:
`result.json: $.findings[3].status: expected one of 'pass', 'fail', ... ; got 'failed'`.
Only the `hwcheck report` path loads this module (it imports typing).
"""

from __future__ import annotations

import typing

from hwcheck.errors import InputError
from hwcheck.model.documents import problem_in, read_json, shown
from hwcheck.model.result import Result

MAX_RESULT_BYTES = 64 * 1024 * 1024
SUPPORTED_SCHEMA_VERSIONS = (1,)


def check_result(document: object, *, where: str) -> Result:
    """`document` as a Result, or InputError saying what is wrong and where."""
    if not isinstance(document, dict):
        raise InputError(
            f"not an hwcheck result: expected a JSON object; got {shown(document)}", where=where
        )
    kind = document.get("kind")
    if kind != "hwcheck-result":
        hint = (
            " (an inventory: judge it with `hwcheck check --inventory`)"
            if kind == "hwcheck-inventory"
            else ""
        )
        raise InputError(
            f'not an hwcheck result: $.kind is {shown(kind)}, expected "hwcheck-result"{hint}',
            where=where,
        )
    version = document.get("schema_version")
    if version not in SUPPORTED_SCHEMA_VERSIONS or isinstance(version, bool):
        supported = ", ".join(str(v) for v in SUPPORTED_SCHEMA_VERSIONS)
        raise InputError(
            f"result schema_version {shown(version)} is not supported by this hwcheck "
            f"(supported: {supported})",
            where=where,
        )
    problem = problem_in(document, Result)
    if problem:
        raise InputError(f"malformed result: {problem}", where=where)
    return typing.cast("Result", document)


def load_result(path: str) -> Result:
    """Read and check a result file written by `hwcheck check --json` (`-` reads stdin)."""
    return check_result(read_json(path, what="a result", max_bytes=MAX_RESULT_BYTES), where=path)
