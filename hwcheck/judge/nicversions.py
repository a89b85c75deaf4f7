"""Observed driver and firmware versions that cannot be judged as written: in-tree drivers
that report the kernel release, values the kernel cut at 31 characters (and their
/sys/module fallback), and components on an OEM firmware train judged against the chip
vendor's numbering (hwcheck.versions.trains).
Pure helpers of the engine; each returns the engine's evaluation tuple, or None to judge
the value as it stands.
"""

from __future__ import annotations

from hwcheck import versions
from hwcheck.judge.ops import judge_version
from hwcheck.judge.trains import train_of
from hwcheck.versions import trains

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Nic
    from hwcheck.profile.model import Constraint, KnownBad

    Eval = tuple[str, str, KnownBad | None, str | None, dict[str, str] | None, str | None]
    # status, sentence, the known-bad value matched, raw, parsed, source


def may_be_cut(raw: str, fmt: str, name: str) -> bool:
    try:
        return versions.may_be_truncated(raw, fmt, name)
    except versions.VersionError:
        return False  # judge_version reports the unreadable string itself


def truncated(nic: Nic, raw: str, field: str, label: str, source: str | None) -> Eval:
    return (
        "unknown",
        f"The {label} of {nic['name']} ({raw!r}) may be cut: the kernel truncated "
        f"{field} at {versions.TRUNCATION_LENGTH} characters, and the value the rule "
        "compares ends the string.",
        None,
        raw,
        None,
        source,
    )


def driver_version_fallback(  # noqa: PLR0917 - the parts the engine already holds
    kernel_release: str | None,
    nic: Nic,
    raw: str,
    constraint: Constraint,
    fmt: str,
    name: str,
    label: str,
) -> Eval | None:
    """The outcome when the driver version cannot be judged as written, else None.

    An in-tree driver reporting the node's kernel release has no vendor version; a cut
    driver version is judged through /sys/module/<driver>/version when there is one.
    """
    source = nic["sources"].get("driver_version")
    if name == "version" and versions.is_kernel_release(raw, kernel_release):
        return (
            "unknown",
            f"The {label} of {nic['name']} is {raw!r}, the kernel release: the in-tree "
            f"{nic['driver'] or 'driver'} carries no version of its own (the kernel "
            "release is what identifies it), so a vendor driver version cannot be judged.",
            None,
            raw,
            None,
            source,
        )
    if not nic["driver_version_truncated"]:
        return None
    module = nic["module_version"]
    if module is None:
        return (
            truncated(nic, raw, "driver_version", label, source)
            if may_be_cut(raw, fmt, name)
            else None
        )
    status, sentence, bad, parsed = judge_version(constraint, module, fmt, label)
    where = f"/sys/module/{nic['driver']}/version"
    return (
        status,
        f"{sentence[:-1]} (read from {where}: ethtool's {raw!r} was cut at "
        f"{versions.TRUNCATION_LENGTH} characters).",
        bad,
        module,
        parsed,
        f"sysfs {where}",
    )


def oem_firmware(
    nic: Nic,
    raw: str,
    fmt: str,
    name: str,
    wanted: tuple[str, str] | None,
    *,
    threshold: str,
    source: str | None,
) -> Eval | None:
    """Unknown when `name` is numbered by a firmware train other than the rule's, else None.

    `wanted` is the rule's `firmware_train` (None: the rule's numbers are the chip
    vendor's). See hwcheck.versions.trains. A string that does not fit `fmt`, or lacks the
    component, is left to judge_version, which says why.
    """
    parsed = _train_numbered(raw, fmt, name)
    if parsed is None:
        return None
    sentence = _off_train(nic, raw, fmt, name, wanted, threshold)
    if sentence is None:
        return None
    return "unknown", sentence, None, raw, parsed, source


def _train_numbered(raw: str, fmt: str, name: str) -> dict[str, str] | None:
    """The parsed `raw` when its component `name` is present and numbered by a train."""
    if (fmt, name) not in trains.TRAIN_COMPONENTS:
        return None
    try:
        parsed = versions.parse(raw, fmt)
    except versions.VersionError:
        return None
    return parsed if name in parsed else None


def _off_train(  # noqa: PLR0917 - the parts the engine already holds
    nic: Nic, raw: str, fmt: str, name: str, wanted: tuple[str, str] | None, threshold: str
) -> str | None:
    """Why the rule's numbers do not apply to `nic`'s train, or None when they do."""
    train = train_of(nic, fmt)
    if wanted is not None:
        if trains.on_train(wanted, train):
            return None
        found = train.describe() if train is not None else "none that can be told"
        return (
            f"The firmware of {nic['name']} ({raw!r}) is on firmware train {found}, not "
            f"the {trains.describe_wanted(wanted)} this rule names, so its {threshold} "
            "does not apply."
        )
    if train is not None and train.chip:
        return None
    part = "firmware" if name == "fw" else f"{name} version"
    if train is None:
        return (
            f"The {part} of {nic['name']} ({raw!r}) cannot be placed on a firmware train: "
            "the card's PCI subsystem vendor was not read, so whether the chip vendor's "
            f"{threshold} applies is unknown."
        )
    if train.key == "psid_prefix":
        why = (
            f"not an NVIDIA {trains.NVIDIA_PSID_PREFIX} PSID): OEM firmware follows the "
            "server vendor's numbering, so NVIDIA's"
        )
    else:
        why = (
            f"not the chip vendor's {nic['vendor_id'] or 'unknown'}): on an OEM train this "
            "field is the server vendor's firmware family version, so the chip vendor's"
        )
    return (
        f"The {part} of {nic['name']} ({raw!r}) is on an OEM firmware train "
        f"({train.describe()}, {why} {threshold} does not apply; check it against the "
        "server vendor's firmware table, or judge it with a rule for that train "
        f"(nic: {{{train.selector_hint()}}})."
    )
