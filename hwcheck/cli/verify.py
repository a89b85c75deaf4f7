"""`hwcheck report`'s check of a saved result: do its findings follow from what it embeds?

A result file is not signed: anyone can edit it. What can be checked is whether its findings
are the judge's word: the result embeds the inventory it judged and names the profiles it was
judged against, so when those profiles are at hand (the same search path as `check`:
hwcheck.cli.searchpath) the inventory is judged again, as of the day it was judged, and
the two results compared. Three outcomes (hwcheck.model.result.Verification):

- `verified`: re-judging gives the same profiles, findings, rules that did not apply, verdict
  and counts;
- `not-verified`: the profiles (or the waiver file behind a waived finding) are not at hand,
  or the result was kept without its inventory (hwcheck.model.summary.without_inventory), so
  nothing was compared;
- `contradicted`: re-judging gives something else; `report` refuses the result unless asked
  to render it as it is (--unverified).

Wiring only: the judging is hwcheck.judge's, the comparison is below.
"""

from __future__ import annotations

from hwcheck.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from hwcheck.model.result import Finding, Result, Verification
    from hwcheck.profile.library import Library
    from hwcheck.profile.model import Profile
    from hwcheck.profile.waivers import WaiverEntry

NAMED = "named with --profile"


class _NotAtHandError(Exception):
    """Something re-judging needs is not here; the message says what."""


class _ContradictionError(Exception):
    """Re-judging cannot reproduce the result; the message says where it parts."""


def verify(result: Result, *, library: Library, waivers: str | None) -> Verification:
    """Judge the result's inventory again, with the profiles in `library`, and say whether
    its findings follow.

    Raises InputError (exit 2) for a waiver file that is given but unusable, as `check`
    would."""
    from hwcheck.render.words import NO_INVENTORY

    if "inventory" not in result:
        return {
            "status": "not-verified",
            "detail": f"{NO_INVENTORY}, so its findings cannot be judged again",
        }
    try:
        selected = _profiles(result, library)
        entries, borrowed = _waivers(result, waivers)
    except _NotAtHandError as missing:
        return {"status": "not-verified", "detail": str(missing)}
    except _ContradictionError as parted:
        return {"status": "contradicted", "detail": str(parted)}
    again = _judge(result, selected, entries)
    difference = first_difference(result, again, compare_waiver_files=not borrowed)
    if difference is not None:
        hint = ""
        if result["hwcheck_version"] != again["hwcheck_version"]:
            hint = (
                f" (judged by hwcheck {result['hwcheck_version']}, "
                f"re-judged by {again['hwcheck_version']})"
            )
        return {"status": "contradicted", "detail": difference + hint}
    paths = ", ".join(profile.top.path for profile, _why in selected)
    waived = sum(1 for f in result["findings"] if f["status"] == "waived")
    if borrowed and waived:
        return {
            "status": "not-verified",
            "detail": f"the findings follow from the embedded inventory and {paths} only if "
            f"the {waived} waived finding(s) were truly waived: their waivers were read from "
            "the result itself (give the waiver file with --waivers to check them)",
        }
    return {
        "status": "verified",
        "detail": f"re-judged the embedded inventory against {paths}: the same findings "
        "and verdict",
    }


def _profiles(result: Result, library: Library) -> list[tuple[Profile, str]]:
    """The profiles to judge with: those the result names, or, when it says they were
    selected by their applies_to, those selection picks again."""
    uses = result["profiles"]
    searched = ", ".join(library.dirs) or "no directories"
    for use in uses:
        try:
            library.locate(use["name"])
        except UsageError:
            raise _NotAtHandError(
                f"profile {use['name']} is not at hand (searched {searched}); "
                "give its directory with --profile-dir"
            ) from None
    if uses and all(use["selected_because"] == NAMED for use in uses):
        return [(library.resolve(use["name"]), NAMED) for use in uses]
    from hwcheck.errors import InputError, ProfileError
    from hwcheck.profile.selection import select

    try:
        return select(library, result["inventory"])
    except ProfileError:
        raise  # a broken profile file at hand: bad input, as for `check`
    except InputError as err:  # no profile applies to the inventory it embeds
        raise _ContradictionError(f"re-selecting the profiles: {err.message}") from err


def _waivers(result: Result, path: str | None) -> tuple[list[WaiverEntry], bool]:
    """The waivers to judge with, and whether they were read from the result itself."""
    from hwcheck.profile.waivers import WaiverEntry, load_waivers

    if path is not None:
        return load_waivers(path), False
    entries: dict[tuple[str, str, tuple[tuple[str, str], ...]], WaiverEntry] = {}
    for finding in result["findings"]:
        record = finding["waiver"]
        if record is None:
            continue
        key = (record["where"], record["rule_id"], tuple(sorted(record["scope"].items())))
        entries.setdefault(
            key,
            WaiverEntry(
                rule_id=record["rule_id"],
                scope=dict(record["scope"]),
                justification=record["justification"],
                expires=record["expires"],
                owner=None,
                where=record["where"],
                ticket=record.get("ticket"),
                links=tuple(record.get("links", ())),
            ),
        )
    return list(entries.values()), bool(entries)


def _judge(
    result: Result, selected: list[tuple[Profile, str]], entries: list[WaiverEntry]
) -> Result:
    import copy

    from hwcheck.judge import judge_node

    judged_at = result["judged_at"]
    return judge_node(
        selected,
        copy.deepcopy(result["inventory"]),
        waivers=entries,
        today=judged_at[:10],  # a waiver is judged as of the day the result was
        judged_at=judged_at,
        strict=result["strict"],
    )


def _profile_key(result: Result) -> list[tuple[object, ...]]:
    return [
        (
            use["name"],
            use["version"],
            [(layer["name"], layer["version"]) for layer in use["layers"]],
            use["selected_because"],
        )
        for use in result["profiles"]
    ]


# What the judge writes into findings that results written before `node` existed lack.
_LATER_FINDING_KEYS = ("fact", "known_bad")


def _finding_key(
    finding: Finding, *, compare_waiver_files: bool, older: bool = False
) -> dict[str, object]:
    """The finding as compared: a waiver's file is where it was read on the judging machine,
    so only its line is compared when the waiver file was given again. `older`: the finding
    is re-judged for a result written before `node`, `fact` and `known_bad` existed, which
    the recorded findings cannot have (one that has them anyway differs)."""
    key: dict[str, object] = dict(finding)
    if older:
        for name in _LATER_FINDING_KEYS:
            key.pop(name, None)
    waiver = finding["waiver"]
    if waiver is not None and compare_waiver_files:
        key["waiver"] = {**waiver, "where": waiver["where"].rsplit(":", 1)[-1]}
    return key


def first_difference(recorded: Result, again: Result, *, compare_waiver_files: bool) -> str | None:
    """A sentence naming the first way `again` differs from `recorded`, or None."""
    return next(_differences(recorded, again, compare_waiver_files=compare_waiver_files), None)


def _differences(recorded: Result, again: Result, *, compare_waiver_files: bool) -> Iterator[str]:
    if _profile_key(recorded) != _profile_key(again):
        names = ", ".join(use["name"] for use in again["profiles"])
        yield f"the profiles differ (re-judging selects {names or 'none'}, with their layers)"
    if "node" in recorded and recorded["node"] != again.get("node"):
        node: dict[str, object] = dict(again.get("node") or {})
        field = next((k for k, v in recorded["node"].items() if node.get(k) != v), "summary")
        yield f"its node's {field} differs from what re-judging gives"
    older = "node" not in recorded
    old, new = recorded["findings"], again["findings"]
    for index, (a, b) in enumerate(zip(old, new, strict=False)):
        a_key = _finding_key(a, compare_waiver_files=compare_waiver_files)
        b_key = _finding_key(b, compare_waiver_files=compare_waiver_files, older=older)
        if a_key == b_key:
            continue
        what = f"$.findings[{index}] ({a['rule_id']} on {a['subject']['id']})"
        if a["status"] != b["status"]:
            yield f"{what} says {a['status']!r}, re-judging gives {b['status']!r}"
        if a["rule_id"] != b["rule_id"] or a["subject"]["id"] != b["subject"]["id"]:
            yield f"{what}: re-judging gives {b['rule_id']} on {b['subject']['id']} here"
        # a key one side lacks (a `fact` edited away, say) differs too
        field = next(
            k
            for k in {**a_key, **b_key}
            if k not in a_key or k not in b_key or a_key[k] != b_key[k]
        )
        yield f"{what}: its {field} differs from what re-judging gives"
    if len(old) != len(new):
        yield f"the result has {len(old)} findings, re-judging gives {len(new)}"
    if "not_applicable" in recorded and recorded["not_applicable"] != again.get("not_applicable"):
        yield "the rules listed as not applying to this node differ from what re-judging gives"
    for key in ("verdict", "exit_code", "counts"):
        if recorded[key] != again[key]:
            yield f"its {key} differs from what re-judging gives"
