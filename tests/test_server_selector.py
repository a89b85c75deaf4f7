"""`server:` scopes a rule to server models by DMI facts, over the real fixture hosts.

Hosts (tests/fixtures/hosts/*/SOURCE.md): mellanox-cx5-dell is a Dell PowerEdge R750 (BIOS
1.13.2, no SKU or family in its tables), intel-x710-i40e a PowerEdge R740 whose tables give
SKU and family, intel-e810-ice a Supermicro SYS-120U-TNR (BIOS 1.4b), hostile an R740 whose
product name is not UTF-8 (a gap), mellanox-mixed-function a node without DMI tables.
"""

from __future__ import annotations

import json
import os

import pytest

from hwcheck.errors import ProfileError
from hwcheck.judge import judge_node
from hwcheck.profile.library import Library

HERE = os.path.dirname(__file__)
SHIPPED = os.path.join(HERE, "..", "profiles")


def _host(name: str) -> dict:
    path = os.path.join(HERE, "fixtures/hosts", name, "expected-inventory.json")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _profile(tmp_path, rules: str, *, extends: str = "", unknown_nics: str = "ignore"):
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    head = f"hwcheck_profile: 1\nname: site/x\nunknown_nics: {unknown_nics}\n"
    if extends:
        head += f"extends: [{extends}]\n"
    (site / "x.yaml").write_text(head + "rules:\n" + rules, encoding="utf-8")
    return Library([str(tmp_path), SHIPPED]).resolve("site/x")


BIOS_RULE = """\
  - id: site.bios
    title: BIOS at least 1.13.2 on the servers selected
    server: {SERVER}
    system: {bios_version: {min: "1.13.2"}}
"""


def _judge(tmp_path, server: str, host: str) -> dict:
    profile = _profile(tmp_path, BIOS_RULE.replace("{SERVER}", server))
    return judge_node([(profile, "t")], _host(host), today="2026-01-15", judged_at="x")


def _outcome(result: dict) -> tuple[str, str]:
    """(status, message) of site.bios, or ("not applicable", reason). Every BIOS of these
    hosts that dotted reads is at least 1.13.2: a rule that applies passes."""
    found = [f for f in result["findings"] if f["rule_id"] == "site.bios"]
    if found:
        return found[0]["status"], found[0]["message"]
    (idle,) = [r for r in result["not_applicable"] if r["rule_id"] == "site.bios"]
    return "not applicable", idle["reason"]


@pytest.mark.parametrize(
    ("server", "host", "status"),
    [
        ("{vendor: Dell Inc., product: PowerEdge R750}", "mellanox-cx5-dell", "pass"),
        # One value or a list, matched case-insensitively.
        ("{vendor: [Supermicro, DELL INC.], product: poweredge r750}", "mellanox-cx5-dell", "pass"),
        ("{product: PowerEdge R750}", "intel-x710-i40e", "not applicable"),
        # `*` matches any run of characters: the R740 and the R750, not the Supermicro.
        ("{product: PowerEdge R7*}", "intel-x710-i40e", "pass"),
        ("{product: PowerEdge R7*}", "mellanox-cx5-dell", "pass"),
        ("{product: PowerEdge R7*}", "intel-e810-ice", "not applicable"),
        ("{product: 'PowerEdge R7*0'}", "mellanox-cx5-dell", "pass"),
        ("{product: 'PowerEdge R7*5'}", "mellanox-cx5-dell", "not applicable"),
        ("{board: 0WRPXK, family: PowerEdge}", "intel-x710-i40e", "pass"),
        ("{board: 0WRPXK, family: ProLiant}", "intel-x710-i40e", "not applicable"),
        ("{sku: 'SKU=NotProvided;ModelName=PowerEdge R740'}", "intel-x710-i40e", "pass"),
    ],
)
def test_a_rule_judges_only_the_servers_it_selects(tmp_path, server, host, status):
    assert _outcome(_judge(tmp_path, server, host))[0] == status


def test_a_rule_about_another_server_is_listed_as_not_applicable_with_the_fact_that_differs(
    tmp_path,
):
    # The case: a Dell BIOS rule on a Supermicro node, whose '1.4b' dotted cannot read.
    result = _judge(tmp_path, "{vendor: Dell Inc., product: PowerEdge R750}", "intel-e810-ice")
    assert _outcome(result) == (
        "not applicable",
        "This node's vendor is 'Supermicro': the rule is about vendor 'Dell Inc.', "
        "product 'PowerEdge R750'.",
    )
    assert result["verdict"] == "compliant"


def test_a_node_without_dmi_tables_is_unknown_never_skipped(tmp_path):
    result = _judge(tmp_path, "{vendor: Dell Inc.}", "mellanox-mixed-function")
    status, message = _outcome(result)
    assert status == "unknown"
    assert message.startswith("This node has no DMI tables (/sys/class/dmi/id is absent)")
    assert result["verdict"] == "unknown" and result["exit_code"] == 3


def test_a_fact_the_probe_could_not_read_is_unknown_with_the_probes_reason(tmp_path):
    status, message = _outcome(_judge(tmp_path, "{product: PowerEdge R740}", "hostile"))
    assert status == "unknown"
    assert "its product (DMI product_name) could not be read (not-utf8: " in message


def test_a_fact_the_tables_do_not_hold_is_unknown_unless_another_rules_the_node_out(tmp_path):
    # The R750's tables give no SKU: whether it is the SKU asked for cannot be told...
    status, message = _outcome(_judge(tmp_path, "{sku: 'SKU=0A6B'}", "mellanox-cx5-dell"))
    assert status == "unknown" and "its sku (DMI product_sku) is not in its DMI tables" in message
    # ...but a vendor that differs says it is another server, whatever its SKU.
    result = _judge(tmp_path, "{vendor: Supermicro, sku: 'SKU=0A6B'}", "mellanox-cx5-dell")
    assert _outcome(result)[0] == "not applicable"


def test_a_nic_rule_on_another_server_leaves_its_cards_unknown(tmp_path):
    rules = """\
  - id: site.cx.driver
    title: ConnectX cards on the R750 run mlx5_core
    server: {product: PowerEdge R750}
    nic: {devices: ["15b3:101d"]}
    driver: {allowed: [mlx5_core]}
"""
    profile = _profile(tmp_path, rules, unknown_nics="fail")
    inv = _host("mellanox-mixed-function")
    result = judge_node([(profile, "t")], inv, today="2026-01-15", judged_at="x")
    # No DMI: the rule is unknown once for the node, and judges no card, so both are unknown.
    (finding,) = [f for f in result["findings"] if f["rule_id"] == "site.cx.driver"]
    assert finding["status"] == "unknown" and finding["subject"]["kind"] == "system"
    unknown_cards = [f for f in result["findings"] if f["rule_id"] == "hwcheck.unknown-nic"]
    assert len(unknown_cards) == 2
    inv = _host("mellanox-cx5-dell")
    result = judge_node([(profile, "t")], inv, today="2026-01-15", judged_at="x")
    (finding,) = [f for f in result["findings"] if f["rule_id"] == "site.cx.driver"]
    assert finding["status"] == "pass" and finding["subject"]["kind"] == "card"


def test_an_unknown_server_key_is_refused_with_a_suggestion_at_its_line(tmp_path):
    with pytest.raises(ProfileError) as info:
        _profile(tmp_path, BIOS_RULE.replace("{SERVER}", "{vendor: Dell Inc., prodcut: R750}"))
    assert str(info.value) == (
        f"{tmp_path}/site/x.yaml:7:33: unknown key 'prodcut' (did you mean 'product'? "
        "expected one of: vendor, product, board, sku, family)"
    )


def test_an_empty_server_selector_is_refused(tmp_path):
    with pytest.raises(ProfileError, match=r"x\.yaml:7:13: expected one of: vendor, product"):
        _profile(tmp_path, BIOS_RULE.replace("{SERVER}", "{}"))
