"""Optional enrichment from `lshw -class network -json` (run with a timeout).

lshw scans the whole machine (about 0.1 s), omits virtual links and drops empty firmware
fields, so it is never a requirement: `hwcheck probe --lshw` adds what it says about each
NIC (product, vendor, firmware, driver) beside the probe's own facts, for cross-checking.
Captures record its output when lshw is installed.
"""

from __future__ import annotations

from hwcheck.probe.recorded import NestedTooDeepError, loads

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Nic
    from hwcheck.probe.reader import Reader

RECORDED_LSHW = "lshw-network.json"
TIMEOUT_S = 20
_KEEP = ("product", "vendor", "description")
_KEEP_CONFIG = ("driver", "driverversion", "firmware")


def run_lshw() -> bytes:
    """lshw's JSON output; OSError(ENOENT) when lshw is missing, RuntimeError when it fails."""
    import subprocess

    try:
        # Through a pipe, not a pseudo-terminal: a minimal ramdisk may have no ptys at all
        # (and lshw's JSON does not change). Standard library only: the probe runs from
        # hwcheck.pyz on a ramdisk's bare python3.
        done = subprocess.run(
            ["lshw", "-class", "network", "-json"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError as err:
        raise FileNotFoundError(2, "lshw is not installed", "lshw") from err
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"lshw failed: it ran past {TIMEOUT_S} s") from None
    except OSError as err:  # cannot start it at all (no pipes, no memory, not executable)
        raise RuntimeError(f"lshw could not be run: {err.strerror or err}") from err
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip()[-200:]
        raise RuntimeError(f"lshw failed: exit code {done.returncode}: {said}".rstrip(": "))
    # Bytes that are not UTF-8 are replaced: lshw's output is enrichment, never worth
    # failing the probe for.
    return done.stdout.decode("utf-8", "replace").encode()


def lshw_output(r: Reader) -> bytes | None:
    if not r.host.live:
        return r.raw(f"recorded/{RECORDED_LSHW}", "lshw", "lshw", optional=True)
    try:
        return run_lshw()
    except FileNotFoundError:
        r.gap("lshw", "lshw", "tool-missing", "lshw is not installed (Debian package lshw)")
    except RuntimeError as err:
        r.gap("lshw", "lshw", "tool-failed", str(err))
    return None


def parse(data: bytes) -> list[dict[str, object]]:
    """lshw's nodes, flattened; older lshw prints objects without the enclosing list.
    ValueError when it is not JSON; NestedTooDeepError when nested deeper than any lshw nests."""
    text = data.decode("utf-8", "replace").strip()
    try:
        doc = loads(text)
    except NestedTooDeepError:
        raise
    except ValueError:
        doc = loads(f"[{text}]")
    nodes: list[dict[str, object]] = []
    stack = doc if isinstance(doc, list) else [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            nodes.append(node)
            stack.extend(node.get("children", []) or [])
    return nodes


def enrich(r: Reader, nics: list[Nic]) -> None:
    data = lshw_output(r)
    if data is None:
        return
    try:
        nodes = parse(data)
    except NestedTooDeepError as err:
        if not r.host.live:  # not what lshw prints: a forged answer refuses the capture
            from hwcheck.errors import CaptureError

            path = f"recorded/{RECORDED_LSHW}"
            raise CaptureError(f"{path} is not valid JSON: {err}", where=r.host.root) from None
        r.gap("lshw", "lshw", "tool-failed", f"lshw printed JSON {err}")
        return
    except ValueError as err:
        r.gap("lshw", "lshw", "tool-failed", f"lshw printed JSON that does not parse: {err}")
        return
    by_name = {str(n["logicalname"]): n for n in nodes if isinstance(n.get("logicalname"), str)}
    by_bus = {str(n["businfo"]): n for n in nodes if "businfo" in n}
    for nic in nics:
        found = by_name.get(nic["name"])
        pci_node = by_bus.get(f"pci@{nic['pci_address']}") if nic["pci_address"] else None
        info: dict[str, str] = {}
        for node in (pci_node, found):
            if node is None:
                continue
            info.update({k: str(node[k]) for k in _KEEP if k in node})
            config = node.get("configuration")
            if isinstance(config, dict):
                info.update({k: str(config[k]) for k in _KEEP_CONFIG if k in config})
        nic["lshw"] = info or None
