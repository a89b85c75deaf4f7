"""The fleet as CSV for spreadsheets: one row per node and card (a node without cards, or an
error row, is one row with the card columns empty).

A cell that a spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, a tab
or a carriage return) is written with a leading `'`: a hostile hostname or firmware string
is shown as text, never evaluated.
"""

from __future__ import annotations

import csv
import io

from hwcheck.model.cardident import PCI_IDENTITY_FIELDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from hwcheck.model.fleet import CardRow, Fleet, NodeRow

COLUMNS = (
    "hostname",
    "node",
    "serial",
    "system_vendor",
    "system_model",
    "verdict",
    "exit_code",
    "profiles",
    "cohort",
    "card",
    "model",
    *PCI_IDENTITY_FIELDS,
    "ports",
    "driver",
    "driver_version",
    "firmware_version",
    "firmware_parsed",
    "card_status",
    "failed_rules",
    "error",
    "source",
)
_FORMULA = frozenset("=+-@\t\r")


def _cells(values: list[object]) -> list[object]:
    """The row as written: a string a spreadsheet would take for a formula gets a leading
    `'`; None is an empty cell (the csv module writes it so)."""
    return ["'" + v if isinstance(v, str) and v[:1] in _FORMULA else v for v in values]


def _values(row: NodeRow, card: CardRow | None) -> list[object]:
    node = [
        row["hostname"],
        row["node"],
        row["serial"],
        row["system_vendor"],
        row["system_model"],
        row["verdict"],
        row["exit_code"],
        " ".join(row["profiles"]),
        row["cohort"],
    ]
    if card is None:
        cards: list[object] = [None] * 15
    else:
        ident = card["identity"]
        parsed = card["firmware_parsed"] or {}
        cards = [
            card["card"],
            card["model"],
            *(ident[field] for field in PCI_IDENTITY_FIELDS),  # type: ignore[literal-required]
            " ".join(card["ports"]),
            card["driver"],
            card["driver_version"],
            card["firmware_version"],
            "; ".join(f"{k}={v}" for k, v in sorted(parsed.items())),
            card["status"],
        ]
    return [*node, *cards, " ".join(row["failed_rules"]), row["error"], row["source"]]


def node_text(row: NodeRow) -> bytes:
    """A node's rows of the CSV, as written (UTF-8, undecodable bytes kept as backslash
    escapes): what a fleet worker makes of each row it judges."""
    out = io.StringIO()
    cards: list[CardRow | None] = [*row["cards"]] or [None]
    csv.writer(out, lineterminator="\r\n").writerows(_cells(_values(row, card)) for card in cards)
    return out.getvalue().encode("utf-8", "backslashreplace")


def fleet_csv_bytes(fleet: Fleet, *, node_texts: Sequence[bytes] | None = None) -> bytes:
    """The CSV as written. `node_texts`: each row of `fleet["nodes"]` already as node_text()
    makes it, in order."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(COLUMNS)
    header = out.getvalue().encode("utf-8")
    if node_texts is None:
        node_texts = [node_text(row) for row in fleet["nodes"]]
    elif len(node_texts) != len(fleet["nodes"]):
        raise ValueError("one text is needed for each node row")
    return header + b"".join(node_texts)
