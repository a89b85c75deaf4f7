"""The node probe: the only package that touches the host, always through a HostRoot.

`probe(host)` returns an Inventory document (hwcheck/model/inventory.py). It never raises
for what it cannot read: every unreadable fact is a Gap in `inventory["gaps"]`.
"""

from __future__ import annotations

from hwcheck import __version__
from hwcheck.model import INVENTORY_SCHEMA_VERSION
from hwcheck.probe.dmi import probe_system
from hwcheck.probe.host import CAPTURE_META
from hwcheck.probe.kernel import probe_kernel
from hwcheck.probe.modules import probe_modules
from hwcheck.probe.netdev import group_cards, probe_nics
from hwcheck.probe.osinfo import probe_os
from hwcheck.probe.pciids import PciNames
from hwcheck.probe.reader import Reader

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Inventory
    from hwcheck.probe.host import HostRoot


def utc_now() -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def captured_at(host: HostRoot) -> str | None:
    import json  # captures only: the live probe does not load json

    try:
        meta = json.loads(host.read_bytes(CAPTURE_META))
    except (OSError, ValueError):
        return None
    value = meta.get("captured_at") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else None


def probe(host: HostRoot, *, lshw: bool = False, now: str | None = None) -> Inventory:
    """Everything hwcheck judges, read from `host`; gaps record what could not be read."""
    r = Reader(host)
    names = PciNames(r)
    nics = probe_nics(r, names)
    if lshw:
        from hwcheck.probe.lshw import enrich

        enrich(r, nics)
    kernel = probe_kernel(r)
    when = captured_at(host) if not host.live else None
    inventory: Inventory = {
        "schema_version": INVENTORY_SCHEMA_VERSION,
        "kind": "hwcheck-inventory",
        "hwcheck_version": __version__,
        "collected_at": when or now or utc_now(),
        "source": {"kind": "live" if host.live else "capture", "root": host.root},
        "host": {"hostname": r.text("proc/sys/kernel/hostname", "host.hostname", "procfs")},
        "kernel": kernel,
        "os": probe_os(r),
        "system": probe_system(r),
        "nics": nics,
        "cards": group_cards(nics),
        "modules": probe_modules(r, kernel),
        "gaps": r.gaps,
    }
    if not host.live:
        inventory["source"]["captured_at"] = when
    return inventory
