"""A result's node summary, and a result kept without its inventory.

`judge_node` writes `node` (hostname, DMI serial, UUID, vendor and model, when it was
probed) into every result, so that a result stands on its own: a fleet audit or a store that
keeps inventories apart can count, group and show results by node without the inventory.
Pure: plain documents in, plain documents out.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Inventory
    from hwcheck.model.result import NodeSummary, Result


def node_summary(inventory: Inventory) -> NodeSummary:
    """Who the node of `inventory` is, and when it was probed."""
    system = inventory["system"]
    return {
        "hostname": inventory["host"]["hostname"],
        "serial": system["product_serial"],
        "product_uuid": system["product_uuid"],
        "system_vendor": system["sys_vendor"],
        "system_model": system["product_name"],
        "collected_at": inventory["collected_at"],
    }


def result_node(result: Result) -> NodeSummary:
    """The node of `result`: its `node`, or, in a result written before `node` existed, the
    summary of the inventory it embeds."""
    node = result.get("node")
    if node is not None:
        return node
    return node_summary(result["inventory"])


def without_inventory(result: Result) -> Result:
    """A copy of `result` without its inventory, for a store that keeps inventories apart.

    The copy shares nothing with `result` and carries `node` (made from the inventory for a
    result written before `node` existed), so it still says which node it judged. `hwcheck
    report` renders such a result but cannot judge it again: it is never `verified`."""
    import copy

    node = result_node(result)
    kept: Result = copy.deepcopy({k: v for k, v in result.items() if k != "inventory"})  # type: ignore[assignment]
    kept["node"] = {**node}
    return kept


UNJUDGED_KIND = "hwcheck-unjudged"
"""The kind of what a collector stores as the result of a node no profile applies to."""


def unjudged(reason: str, node: NodeSummary) -> dict[str, object]:
    """The stored outcome of a node no profile applies to: why, and who the node is. A
    fleet over the store reads it as that node's error row (hwcheck.fleet.nodes)."""
    return {"kind": UNJUDGED_KIND, "schema_version": 1, "error": reason, "node": node}


def unjudged_node(document: dict[str, object]) -> tuple[str, NodeSummary | None]:
    """The reason and the node of an unjudged document (None where its node is not a
    summary of strings)."""
    reason = document.get("error")
    node = document.get("node")
    fields = ("hostname", "serial", "product_uuid", "system_vendor", "system_model", "collected_at")
    summary: NodeSummary | None = None
    if isinstance(node, dict) and all(isinstance(node.get(f), (str, type(None))) for f in fields):
        summary = {f: node.get(f) for f in fields}  # type: ignore[assignment]
    return (reason if isinstance(reason, str) else "no profile applies"), summary
