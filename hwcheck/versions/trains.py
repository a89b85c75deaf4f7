"""Firmware trains: whose numbering a card's firmware version is in.

A chip vendor (NVIDIA, Intel) numbers the firmware it releases; a server vendor (Dell,
HPE, Lenovo, ...) that brands the card releases its own firmware, on its own *train*, and
some components of the version string then carry the server vendor's numbers:

- NVIDIA ConnectX (format `mlx`): the PSID the firmware reports names the train. NVIDIA's
  own PSIDs start with `MT_`; an OEM PSID (Dell `DEL0000000016`) means the `fw` release
  comes from the server vendor. Firmware that reports no PSID (mlx4) falls back to the
  subsystem vendor, as every other card does.
- Every other card: its PCI subsystem vendor. The chip vendor's own ID (8086 on an Intel
  card) is the chip vendor's train; on a Dell-branded Intel card (subsystem vendor 1028)
  the third field of the NVM string (`24.0.5`, `22.5.7`) is Dell's firmware family
  version, not Intel's combo image version.

The components in TRAIN_COMPONENTS are judged against a rule's numbers only on the chip
vendor's train, unless the rule's selector names the train (`firmware_train`): then the
rule's numbers are that train's, and only cards on it are selected.

Pure helpers over plain values (a firmware string and the card's PCI vendor IDs), so that
profile/ (the selector's wording, `profile new`) and the judge read trains the same way
without either importing the other.
"""

from __future__ import annotations

from hwcheck import versions

NVIDIA_PSID_PREFIX = "MT_"

# (format, component) whose numbers belong to a firmware train: the release number of an
# mlx firmware, and Intel's combo image version (or the OEM version some NVMs carry).
TRAIN_COMPONENTS: frozenset[tuple[str, str]] = frozenset(
    {
        ("mlx", "fw"),
        ("intel-nvm", "combo"),
        ("intel-nvm", "oem"),
        ("ixgbe", "combo"),
        ("ixgbe", "oem"),
        ("igb", "combo"),
    }
)

# The keys of a selector's `firmware_train`: which evidence names the train.
TRAIN_KEYS = ("psid_prefix", "subsystem_vendor_id")


class Train:
    """The firmware train of one NIC: the evidence, its value, and whether it is the chip
    vendor's own train."""

    __slots__ = ("chip", "key", "value")

    def __init__(self, key: str, value: str, *, chip: bool) -> None:
        self.key = key  # one of TRAIN_KEYS
        self.value = value
        self.chip = chip

    def describe(self) -> str:
        if self.key == "psid_prefix":
            return f"PSID {self.value}"
        return f"subsystem vendor {self.value}"

    def selector_hint(self) -> str:
        """The `firmware_train` a rule for this train would write."""
        if self.key == "psid_prefix":
            return f"firmware_train: {{psid_prefix: {self.value[:3]}}}"
        return f'firmware_train: {{subsystem_vendor_id: "{self.value}"}}'


def train_of(
    fmt: str,
    *,
    firmware_version: str | None,
    vendor_id: str | None,
    subsystem_vendor_id: str | None,
) -> Train | None:
    """The train of a NIC's firmware read in `fmt`, from its firmware string and its PCI
    vendor and subsystem vendor IDs; None when nothing names it."""
    if fmt == "mlx" and firmware_version is not None:
        try:
            psid = versions.parse(firmware_version, fmt).get("psid")
        except versions.VersionError:
            psid = None
        if psid is not None:
            return Train("psid_prefix", psid, chip=psid.startswith(NVIDIA_PSID_PREFIX))
    if subsystem_vendor_id is None:
        return None
    return Train("subsystem_vendor_id", subsystem_vendor_id, chip=subsystem_vendor_id == vendor_id)


def on_train(wanted: tuple[str, str], train: Train | None) -> bool:
    """Whether `train` is the one a selector's `firmware_train` (key, value) names."""
    if train is None or train.key != wanted[0]:
        return False
    if wanted[0] == "psid_prefix":
        return train.value.startswith(wanted[1])
    return train.value == wanted[1]


def describe_wanted(wanted: tuple[str, str]) -> str:
    """A selector's `firmware_train` (key, value) as a reader would say it."""
    key, value = wanted
    if key == "psid_prefix":
        return f"firmware train PSID {value}..."
    return f"firmware train subsystem vendor {value}"
