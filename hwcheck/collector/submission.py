"""A request body in, a judged Submission out: the limits, gzip, the document checks of
`check --inventory`, the node's identity, the verdict, and the answer the node gets.

Judging is the one judge's: the generation's Selection picks the profiles and
hwcheck.judge.judge_node judges, exactly the calls `check` and `fleet` make, so a node gets
the same verdict from the collector as from `hwcheck check --inventory` with the same
profiles and waivers. Pure apart from the clock the caller passes in: no I/O.
"""

from __future__ import annotations

import hashlib
import json
import zlib

from hwcheck.errors import HwcheckError
from hwcheck.status import ANSWER_FAILED, FLEET_EXIT, ExitStatus

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.collector.profiles import Generation
    from hwcheck.collector.store import Submission
    from hwcheck.model.inventory import Inventory
    from hwcheck.model.result import NodeSummary, Result

MAX_BODY = 4 * 1024 * 1024
"""The largest request body read (gzip or not), bytes."""
MAX_DECOMPRESSED = 16 * 1024 * 1024
"""The largest inventory a gzip body may inflate to, bytes: past it, a gzip bomb."""
ANSWER_KIND = "hwcheck-verdict"
ANSWER_SCHEMA_VERSION = 1
WHERE = "submission"
"""How a refusal names the request body (`submission: not JSON: ...`)."""


class RequestError(Exception):
    """A request the collector does not accept: its HTTP status and one sentence."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = sentence(message)
        self.retry_after = retry_after


def sentence(text: str) -> str:
    """`text` as one sentence: a capital first letter is kept as written, a final full stop
    added when it ends without one."""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def inflate(body: bytes, limit: int = MAX_DECOMPRESSED) -> bytes:
    """A gzip body inflated, never to more than `limit` bytes (RequestError 413 past it: a gzip
    bomb costs at most `limit` bytes of memory). Several gzip members in a row are one
    document, as gzip(1) reads them."""
    out: list[bytes] = []
    total = 0
    data = body
    while True:
        stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = stream.decompress(data, limit + 1 - total)
        except zlib.error as err:
            raise RequestError(400, f"The gzip body cannot be inflated: {err}") from err
        total += len(chunk)
        out.append(chunk)
        if total > limit:
            raise RequestError(
                413, f"The gzip body inflates to more than {limit // (1024 * 1024)} MiB"
            )
        if not stream.eof:
            raise RequestError(400, "The gzip body is truncated")
        data = stream.unused_data
        if not data:
            return b"".join(out)


def judge_submission(data: bytes, generation: Generation, *, received_at: str) -> Submission:
    """The submission of inventory `data` (the decompressed body), judged with `generation`
    at `received_at` (ISO 8601 UTC, the server's clock). RequestError (422) when `data` is not an
    inventory, with the sentence `check --inventory` would give."""
    from hwcheck.collector.store import Submission
    from hwcheck.fleet.identity import node_key
    from hwcheck.judge import judge_node
    from hwcheck.model.documents import parse_inventory
    from hwcheck.model.summary import node_summary

    digest = hashlib.sha256(data).hexdigest()
    try:
        inventory = parse_inventory(data, where=WHERE)
    except HwcheckError as err:
        raise RequestError(422, str(err)) from err
    except (MemoryError, RecursionError) as err:
        raise RequestError(422, f"{WHERE}: cannot be read: {type(err).__name__}") from err
    node = node_summary(inventory)
    key = node_key(node["hostname"], node["serial"], node["product_uuid"])
    key = key if key is not None else f"unnamed/{digest[:16]}"
    selected, none = generation.selection.pick(inventory)
    if none is not None:
        verdict, exit_code = "error", int(ExitStatus.NO_PROFILE)
        profiles: tuple[str, ...] = ()
        result = _unjudged(none, node)
        rules: tuple[tuple[str, str], ...] = ()
        counts: dict[str, int] = {}
        failed: list[dict[str, str]] = []
        error: str | None = none
    else:
        judged = judge_node(
            selected,
            inventory,
            waivers=generation.waivers,
            today=received_at[:10],
            judged_at=received_at,
            strict=generation.strict,
        )
        verdict = judged["verdict"]
        exit_code = int(FLEET_EXIT[verdict])
        profiles = tuple(use["name"] for use in judged["profiles"])
        result = _result_bytes(judged)
        rules = tuple(
            dict.fromkeys(
                (f["rule_id"], f["status"]) for f in judged["findings"] if f["status"] != "pass"
            )
        )
        counts = dict(judged["counts"])  # type: ignore[arg-type]
        failed = [
            {
                "rule": f["rule_id"],
                "status": f["status"],
                "subject": f["subject"]["label"],
                "message": f["message"],
            }
            for f in judged["findings"]
            if f["status"] in ("fail", "unknown")
        ]
        error = None
    answer: dict[str, object] = {
        "kind": ANSWER_KIND,
        "schema_version": ANSWER_SCHEMA_VERSION,
        "submission": digest,
        "node": key,
        "hostname": node["hostname"],
        "verdict": verdict,
        "exit_code": exit_code,
        "profiles": list(profiles),
        "counts": counts,
        ANSWER_FAILED: failed,
        "report": report_path(key),
        "received_at": received_at,
    }
    if error is not None:
        answer["error"] = sentence(error)
    return Submission(
        digest=digest,
        node_key=key,
        hostname=node["hostname"],
        serial=node["serial"],
        product_uuid=node["product_uuid"],
        system_vendor=node["system_vendor"],
        system_model=node["system_model"],
        collected_at=node["collected_at"],
        received_at=received_at,
        verdict=verdict,
        exit_code=exit_code,
        profiles=profiles,
        rules=rules,
        card_models=_card_models(inventory),
        inventory=data,
        result=result,
        answer=(json.dumps(answer, ensure_ascii=False) + "\n").encode("utf-8"),
    )


def report_path(key: str) -> str:
    """The path of a node's HTML report on the collector."""
    from urllib.parse import quote

    return f"/nodes/{quote(key, safe='/')}/report.html"


def _result_bytes(result: Result) -> bytes:
    """The result document without the inventory (stored apart), keys sorted as `check
    --json` writes them, but compact: the indented form costs the pure-Python encoder,
    more than judging the node."""
    kept = {k: v for k, v in result.items() if k != "inventory"}
    text = json.dumps(kept, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def _unjudged(reason: str, node: NodeSummary) -> bytes:
    """What is stored as the result of a node no profile applies to (model.summary.unjudged)."""
    from hwcheck.model.summary import unjudged

    document = unjudged(reason, node)
    return (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def _card_models(inventory: Inventory) -> tuple[str, ...]:
    """The card model of each card of the node (hwcheck.fleet.models), once each."""
    from hwcheck.fleet.models import card_model

    return tuple(dict.fromkeys(card_model(card)[0] for card in inventory["cards"]))  # type: ignore[arg-type]
