"""The IPA inspection collector `hwcheck`: hwcheck's inventory (and verdict) in the
inspection data.

Enabled with `ipa-inspection-collectors=default,hwcheck`. It adds one key, `hwcheck`, to the
data the agent posts; Ironic keeps it in the node's plug-in data
(`baremetal node inventory save NODE | jq .plugin_data.hwcheck`):

- `inventory`: the probe's inventory of the node (`hwcheck probe --json`);
- when profiles are configured (hwcheck.interop.ipa.settings): `verdict` (`compliant`,
  `noncompliant`, `unknown`, or null when no profile applies) and `result` (the result
  `hwcheck check --json` writes, without the inventory beside it), or `error`: why it was
  not judged.

A verdict never fails inspection: inspection gathers facts, and a non-compliant node's
facts are what an operator needs. A probe that cannot run, or a profile or waiver file that
cannot be read, is an inspection failure (IPA posts the data, then fails).
"""

from __future__ import annotations

from hwcheck.errors import HwcheckError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ironic_python_agent.utils import AccumulatedFailures

KEY = "hwcheck"


def collect_hwcheck(data: dict[str, object], failures: AccumulatedFailures) -> None:
    """IPA's collector signature: add to `data`, report problems to `failures`."""
    from hwcheck.interop.ipa.assess import judge, probe_node
    from hwcheck.interop.ipa.settings import agent_settings
    from hwcheck.model.summary import without_inventory
    from hwcheck.probe import utc_now

    settings = agent_settings()
    try:
        inventory = probe_node(settings)
    except (HwcheckError, OSError) as err:
        failures.add("hwcheck could not probe this node: %s", err)
        return
    entry: dict[str, object] = {"inventory": inventory}
    data[KEY] = entry
    if not settings.configured:
        return
    try:
        result, none = judge(settings, inventory, now=utc_now())
    except HwcheckError as err:
        entry["verdict"] = None
        entry["error"] = str(err)
        failures.add("hwcheck could not judge this node: %s", err)
        return
    if result is None:
        entry["verdict"] = None
        entry["error"] = none
        return
    entry["verdict"] = result["verdict"]
    entry["result"] = without_inventory(result)
