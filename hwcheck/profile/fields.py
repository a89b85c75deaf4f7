"""The profile and waiver languages, declared once (docs/profiles.md explains them).

`PROFILE` and `WAIVERS` drive the loader and generate docs/schema/profile.schema.json and
docs/schema/waivers.schema.json (`python -m hwcheck.profile.fields` rewrites both).
"""

from __future__ import annotations

from hwcheck.profile.spec import Bool, Date, Int, Obj, OneOrMany, Seq, Spec, Text, Version
from hwcheck.versions import FORMATS

SEVERITIES = ("error", "warning", "info")
UNKNOWN_NIC_POLICIES = ("fail", "warn", "ignore")
MODULE_STATES = ("required", "forbidden", "any")
NIC_CHECKS = ("driver", "driver_version", "firmware", "pair", "count")
NODE_CHECKS = ("module", "kernel", "os", "system")
CHECKS = NIC_CHECKS + NODE_CHECKS
VERSION_OPERATORS = ("min", "max", "range", "exact", "allowed", "known_bad")
TEXT_OPERATORS = ("exact", "allowed", "known_bad")

# Node facts a rule can constrain: section -> field -> True when it is a version.
NODE_FACTS: dict[str, dict[str, bool]] = {
    "kernel": {"release": True, "arch": False},
    "os": {"id": False, "version_id": True, "codename": False},
    "system": {
        "sys_vendor": False,
        "product_name": False,
        "board_vendor": False,
        "board_name": False,
        "bios_vendor": False,
        "bios_version": True,
    },
}

# Hex has no case: 15B3:101D is accepted and read as 15b3:101d (DeviceId lowercases).
PCI_ID = r"^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}(:[0-9a-fA-F]{4}:[0-9a-fA-F]{4})?$"
PCI_ADDRESS = r"^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}$"
# A NIC selector's device: a PCI ID, or a USB NIC's `usb:idVendor:idProduct`.
NIC_ID = (
    r"^([0-9a-fA-F]{4}:[0-9a-fA-F]{4}(:[0-9a-fA-F]{4}:[0-9a-fA-F]{4})?"
    r"|usb:[0-9a-fA-F]{4}:[0-9a-fA-F]{4})$"
)
RULE_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
PROFILE_NAME = r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$"
URL = r"^https?://"


def _texts(doc: str, *, hint: str = "text", pattern: str | None = None) -> Seq:
    return Seq(Text(pattern=pattern, hint=hint), doc)


def _known_bad(key: str, value: Spec) -> Seq:
    return Seq(
        Obj(
            {
                key: value,
                "reason": Text("Why it is bad: shown in the finding."),
                "advisory": Text("Advisory or release-notes URL.", pattern=URL, hint="a URL"),
            },
            required=(key, "reason"),
        ),
        "Values that must not be used, each with its reason.",
    )


VERSION_CONSTRAINT = Obj(
    {
        "min": Version("Lowest accepted version (inclusive)."),
        "max": Version("Highest accepted version (inclusive)."),
        "range": Seq(Version(), "[lowest, highest], both inclusive.", min_items=2, max_items=2),
        "exact": Version("The only accepted version."),
        "allowed": Seq(Version(), "The accepted versions."),
        "known_bad": _known_bad("version", Version("The bad version.")),
        "component": Text(
            "Which part of the version string to judge (format-specific: nvm, eetrack, "
            "fw, psid, pkg, mbi, bc, ...); default: the format's first component.",
            pattern=r"^[a-z][a-z0-9_]*$",
            hint="a component name",
        ),
        "format": Text(
            "The version format; default: chosen from the observed driver.", enum=FORMATS
        ),
    },
    "A version constraint: every operator given must hold.",
    at_least_one=VERSION_OPERATORS,
)

TEXT_CONSTRAINT = Obj(
    {
        "exact": Text("The only accepted value."),
        "allowed": _texts("The accepted values."),
        "known_bad": _known_bad("value", Text("The bad value.")),
    },
    "A text constraint: every operator given must hold.",
    at_least_one=TEXT_OPERATORS,
)

FIRMWARE_TRAIN = Obj(
    {
        "psid_prefix": Text(
            "NVIDIA ConnectX firmware whose PSID starts with this (MT_ is NVIDIA's own, "
            "DEL Dell's).",
            pattern=r"^[^\s()]{1,16}$",
            hint="a PSID prefix like DEL or MT_",
        ),
        "subsystem_vendor_id": Text(
            "Cards whose PCI subsystem vendor is this (1028 is Dell; the chip vendor's "
            "own ID, such as 8086, is its own train).",
            pattern=r"^[0-9A-Fa-f]{4}$",
            hint="a PCI vendor ID like 1028",
        ),
    },
    "Select only cards on this firmware train, and judge their train-numbered firmware "
    "components (mlx fw; Intel combo and OEM versions) against this rule's numbers. "
    "Without it, those components are judged only on the chip vendor's own train.",
    exactly_one=("psid_prefix", "subsystem_vendor_id"),
)

NIC_SELECTOR = Obj(
    {
        "devices": _texts(
            "PCI IDs 'vendor:device' or 'vendor:device:subvendor:subdevice', or USB IDs "
            "'usb:vendor:product' (idVendor:idProduct of a USB NIC) (hex, any case).",
            hint="a PCI ID like 8086:1572 or 15b3:1017:1028:0024, or a USB ID like usb:413c:a102",
            pattern=NIC_ID,
        ),
        "models": _texts(
            "Model names, matched case-insensitively within the card's pci.ids names "
            "(a USB NIC: its own product and manufacturer strings)."
        ),
        "link_types": _texts("Virtual link types (veth, bridge, ...): one subject per link."),
        "vfs": Bool("Also judge cards made only of SR-IOV virtual functions (default false)."),
        "firmware_train": FIRMWARE_TRAIN,
    },
    "Which NICs the rule is about. Physical cards only, unless link_types is given.",
    at_least_one=("devices", "models", "link_types"),
)

# A server selector's keys -> the DMI field of the inventory's `system` each matches.
SERVER_FIELDS: dict[str, str] = {
    "vendor": "sys_vendor",
    "product": "product_name",
    "board": "board_name",
    "sku": "product_sku",
    "family": "product_family",
}
ANY_OF_GROUP = r"^[a-z][a-z0-9_-]*$"


def _server_values(field: str) -> OneOrMany:
    return OneOrMany(
        Text(hint="a DMI value (or a pattern with *)"),
        f"DMI {field}: one value or a list, matched case-insensitively; `*` matches any run "
        "of characters.",
    )


SERVER_SELECTOR = Obj(
    {key: _server_values(field) for key, field in SERVER_FIELDS.items()},
    "Which servers the rule is about, by DMI facts: every key given must match (one of its "
    "values). A rule whose selector does not match the node does not apply to it; on a node "
    "whose DMI facts cannot be read it is unknown.",
    at_least_one=tuple(SERVER_FIELDS),
)

_node_fact_specs: dict[str, Spec] = {}
for _section, _facts in NODE_FACTS.items():
    _node_fact_specs[_section] = Obj(
        {
            name: (VERSION_CONSTRAINT if is_version else TEXT_CONSTRAINT)
            for name, is_version in _facts.items()
        },
        f"One {_section} fact and its constraint.",
        exactly_one=tuple(_facts),
    )

RULE = Obj(
    {
        "id": Text(
            "Stable rule ID, quoted in findings and waivers.", pattern=RULE_ID, hint="a rule ID"
        ),
        "title": Text("One line saying what the rule wants."),
        "severity": Text("What a failure means (default error).", enum=SEVERITIES),
        "remediation": Text("What to do when the rule fails."),
        "advisory": Text("Advisory or documentation URL.", pattern=URL, hint="a URL"),
        "disabled": Bool("Drop this rule (in an overlay: drop an inherited rule)."),
        "replace": Bool(
            "In an overlay: replace the inherited rule wholesale instead of changing only the "
            "fields given (default false)."
        ),
        "nic": NIC_SELECTOR,
        "server": SERVER_SELECTOR,
        "driver": TEXT_CONSTRAINT,
        "driver_version": VERSION_CONSTRAINT,
        "firmware": VERSION_CONSTRAINT,
        "pair": Obj(
            {
                "driver_version": VERSION_CONSTRAINT,
                "firmware": VERSION_CONSTRAINT,
            },
            "When the driver version satisfies `driver_version`, the firmware must satisfy "
            "`firmware`; otherwise the rule does not apply.",
            required=("driver_version", "firmware"),
        ),
        "count": Obj(
            {
                "min": Int("Fewest accepted."),
                "max": Int("Most accepted."),
                "per": Text("Count cards (default) or ports.", enum=("card", "port")),
                "any_of": Text(
                    "A group name: the count rules of one resolved profile that name the same "
                    "group are satisfied together by the cards of any of them (a site layering "
                    "several vendor profiles), and fail together, in one finding, on a node "
                    "with none of their cards.",
                    pattern=ANY_OF_GROUP,
                    hint="a group name like cards",
                ),
            },
            "How many matching cards (or ports) the node must have.",
            at_least_one=("min", "max"),
        ),
        "module": Obj(
            {
                "name": Text("Module name as in /proc/modules or modules.builtin."),
                "state": Text(
                    "required (default): loaded or built in; forbidden: neither; any: "
                    "only its version is judged, when present.",
                    enum=MODULE_STATES,
                ),
                "version": VERSION_CONSTRAINT,
            },
            "A kernel module rule.",
            required=("name",),
        ),
        **_node_fact_specs,
    },
    "A rule: an ID, at most one check, and (for NIC checks) a `nic` selector. A rule whose "
    "ID a layer below defines changes only the fields it gives (`replace: true`: replaces "
    "it), so an overlay of a NIC rule may leave out its `nic`.",
    required=("id",),
    at_most_one=CHECKS,
)

PROFILE = Obj(
    {
        "hwcheck_profile": Int("Profile language version: 1.", minimum=1, maximum=1),
        "name": Text(
            "The profile's name: its path under a profile directory, without .yaml.",
            pattern=PROFILE_NAME,
            hint="a profile name like nvidia/connectx",
        ),
        "version": Version("The profile's own version."),
        "vendor": Text(
            "Who the reference architecture is from. Metadata only: it never changes a finding."
        ),
        "description": Text("What the profile is for."),
        "sources": Seq(
            Obj(
                {
                    "title": Text("What the source is."),
                    "url": Text("Where to read it.", pattern=URL, hint="a URL"),
                },
                required=("title",),
            ),
            "Where the validated versions come from.",
        ),
        "extends": _texts(
            "Profiles this one builds on, by name (looked up in the profile directories, "
            "never a file path); later ones and this profile take precedence.",
            hint="a profile name like intel/800-series (extends names profiles, not files)",
            pattern=PROFILE_NAME,
        ),
        "applies_to": Obj(
            {
                "arch": _texts("Kernel architectures (uname -m)."),
                "os_id": _texts("os-release ID values."),
                "sys_vendor": _texts("DMI system vendors, exactly."),
                "product_name": _texts("DMI product names, exactly."),
                "devices": _texts(
                    "At least one card with one of these PCI IDs is present.",
                    hint="a PCI ID like 8086:1572",
                    pattern=PCI_ID,
                ),
            },
            "When `hwcheck check` picks this profile by itself: every key given must match.",
            at_least_one=("arch", "os_id", "sys_vendor", "product_name", "devices"),
        ),
        "device_names": Seq(
            Obj(
                {
                    "id": Text(
                        "The device's PCI ID.", hint="a PCI ID like 8086:12d3", pattern=PCI_ID
                    ),
                    "name": Text("Its name as the source that lists the device gives it."),
                },
                required=("id", "name"),
            ),
            "Devices this profile names that an older pci.ids may not list yet, with their "
            "published names, so `profile lint` does not take them for typos. Metadata only: "
            "it never changes a finding, and lint still warns where pci.ids lists the ID "
            "under another name.",
        ),
        "unknown_nics": Text(
            "What to do with physical cards no NIC rule selects (default: inherited, else warn).",
            enum=UNKNOWN_NIC_POLICIES,
        ),
        "rules": Seq(RULE, "The rules.", min_items=0),
    },
    "An hwcheck vendor profile.",
    required=("hwcheck_profile", "name"),
    # A NIC rule needs a `nic` selector, unless it is an overlay of a rule a layer below
    # defines (hwcheck.profile.layering says which): without `extends`, none is.
    schema_extra={
        "if": {"not": {"required": ["extends"]}},
        "then": {
            "properties": {
                "rules": {"items": {"dependentRequired": {c: ["nic"] for c in NIC_CHECKS}}}
            }
        },
    },
)

WAIVERS = Obj(
    {
        "hwcheck_waivers": Int("Waiver file language version: 1.", minimum=1, maximum=1),
        "waivers": Seq(
            Obj(
                {
                    "rule": Text("The rule ID waived.", pattern=RULE_ID, hint="a rule ID"),
                    "scope": Obj(
                        {
                            "node": Text("Host name."),
                            "serial": Text("DMI product serial."),
                            "model": Text(
                                "Card PCI ID (vendor:device[:subvendor:subdevice]), a USB "
                                "NIC's usb:vendor:product, or a model name within the card's "
                                "pci.ids names (a USB NIC: its own product strings)."
                            ),
                            "card": Text("Card PCI address (domain:bus:device)."),
                        },
                        "Where the waiver applies: every key given must match.",
                        at_least_one=("node", "serial", "model", "card"),
                    ),
                    "justification": Text("Why the failure is accepted (required)."),
                    "expires": Date("Last day the waiver applies (YYYY-MM-DD, UTC)."),
                    "owner": Text("Who answers for the waiver."),
                    "ticket": Text(
                        "The change or issue ticket that tracks the waiver (CHG-1042). "
                        "Metadata only: shown in every report, it never changes a finding."
                    ),
                    "links": Seq(
                        Text(pattern=URL, hint="an http or https URL"),
                        "Pages about the waiver (the ticket, a vendor advisory): http or "
                        "https URLs, shown as links in every report. Metadata only.",
                    ),
                },
                required=("rule", "scope", "justification", "expires"),
            ),
            "The waivers.",
            min_items=0,
        ),
    },
    "An hwcheck waiver file.",
    required=("hwcheck_waivers", "waivers"),
)


def documents() -> dict[str, dict[str, object]]:
    """The published schema documents, by file name under docs/schema/."""
    from hwcheck.profile.spec import json_schema

    return {
        "profile.schema.json": json_schema(PROFILE, title="hwcheck profile"),
        "waivers.schema.json": json_schema(WAIVERS, title="hwcheck waivers"),
    }


def _main() -> None:
    import json
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = os.path.join(os.path.dirname(os.path.dirname(here)), "docs", "schema")
    for name, document in documents().items():
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as fh:
            fh.write(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    _main()
