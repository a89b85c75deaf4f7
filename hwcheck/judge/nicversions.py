"""Observed driver and firmware versions that cannot be judged as written: in-tree drivers
that report the kernel release, values the kernel cut at 31 characters (and their
/sys/module fallback), and OEM ConnectX builds judged against NVIDIA's numbering.
Pure helpers of the engine; each returns the engine's evaluation tuple, or None to judge
the value as it stands.
"""

from __future__ import annotations

from hwcheck.judge import versions
from hwcheck.judge.ops import judge_version

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Nic
    from hwcheck.profile.model import Constraint

    Eval = tuple[str, str, str | None, str | None, dict[str, str] | None, str | None]
    # status, sentence, advisory, raw, parsed, source


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
    status, sentence, advisory, parsed = judge_version(constraint, module, fmt, label)
    where = f"/sys/module/{nic['driver']}/version"
    return (
        status,
        f"{sentence[:-1]} (read from {where}: ethtool's {raw!r} was cut at "
        f"{versions.TRUNCATION_LENGTH} characters).",
        advisory,
        module,
        parsed,
        f"sysfs {where}",
    )


def oem_firmware(
    nic: Nic, raw: str, fmt: str, name: str, *, threshold: str, source: str | None
) -> Eval | None:
    """Unknown for an OEM ConnectX build judged against NVIDIA's own numbering, else None."""
    psid = _oem_psid(raw, fmt, name)
    if psid is None:
        return None
    return (
        "unknown",
        f"The firmware of {nic['name']} ({raw!r}) is an OEM build (PSID {psid}, "
        "not an NVIDIA MT_ PSID): OEM firmware follows the server vendor's "
        f"numbering, so NVIDIA's {threshold} does not apply; "
        "check it against the server vendor's firmware table.",
        None,
        raw,
        versions.parse(raw, fmt),
        source,
    )


def _oem_psid(raw: str, fmt: str, name: str) -> str | None:
    """The PSID of an NVIDIA OEM card when an ordered mlx `fw` component is compared.

    NVIDIA's firmware numbering holds for its own PSIDs (MT_...); OEM PSIDs (Dell DEL...,
    HPE HPE..., Lenovo LNV...) carry firmware the server vendor numbers and releases.
    """
    if fmt != "mlx" or name != "fw":
        return None
    try:
        psid = versions.parse(raw, fmt).get("psid")
    except versions.VersionError:
        return None
    if psid is None or psid.startswith("MT_"):
        return None
    return psid
