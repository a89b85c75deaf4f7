"""`hwcheck profile new`: the profile it writes always loads, and says what the node has.

Inventory strings come from drivers, firmware and DMI and may hold anything (`: `, `#`,
quotes, leading blanks, line separators, lone surrogates); the name comes from the
command line. Neither may yield a file the loader refuses, nor one that reads back as a
different value than the node reported.
"""

from __future__ import annotations

import copy
import glob
import json
import os
import tempfile
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runcli import run_hwcheck

from hwcheck.errors import ProfileError, UsageError
from hwcheck.profile.library import SHIPPED, Library, load_file
from hwcheck.profile.new import new_profile
from hwcheck.profile.spec import visible

HERE = os.path.dirname(os.path.abspath(__file__))
INVENTORIES = sorted(glob.glob(os.path.join(HERE, "fixtures/inventories/*.json")))
NO_CACHE = {"HWCHECK_NO_CACHE": "1"}

# Text a driver or a DMI table could really hand over, and that plain YAML cannot hold.
AWKWARD = ' lead: "quoted" #not a comment \\ \u2028 next\x85 \U0001f600 \t[x], {y}: &z *w'


def _resolve(path: str):
    """The profile at `path` through the real loader and layering (shipped bases)."""
    with mock.patch.dict(os.environ, NO_CACHE):
        return Library([SHIPPED]).resolve(path)


def _awkward_copy(source: str, target: str) -> dict[str, object]:
    """The inventory at `source` with awkward host, DMI, OS and card names, written to `target`."""
    with open(source, encoding="utf-8") as fh:
        inventory = json.load(fh)
    inventory["host"]["hostname"] = "node" + AWKWARD
    system = inventory["system"]
    system["present"] = True
    system["sys_vendor"] = "Vendor" + AWKWARD
    system["product_name"] = AWKWARD.strip() + " R740"
    inventory["os"]["id"] = AWKWARD
    for card in inventory["cards"]:
        card["device_name"] = (card["device_name"] or "card") + AWKWARD
    with open(target, "w", encoding="utf-8") as fh:
        json.dump(inventory, fh)
    return inventory


@pytest.mark.parametrize("inventory", INVENTORIES, ids=os.path.basename)
def test_every_inventory_gives_a_profile_that_loads_and_its_golden_node_passes(tmp_path, inventory):
    """From each fixture inventory, as recorded and with awkward names: the profile loads
    with the real loader, keeps every value exactly, and the node it came from passes it."""
    for label, source in (
        ("recorded", inventory),
        ("awkward", str(tmp_path / "awkward.json")),
    ):
        if label == "awkward":
            _awkward_copy(inventory, source)
        out = tmp_path / f"{label}.yaml"
        run = run_hwcheck(
            "profile", "new", "--from", source, "--name", "site/golden", "-o", str(out)
        )
        assert run.returncode == 0, run.stderr
        run = run_hwcheck("profile", "lint", str(out), "--profile-path", SHIPPED, env=NO_CACHE)
        assert run.returncode in (0, 1), run.stdout
        assert "error:" not in run.stdout, run.stdout

        with open(source, encoding="utf-8") as fh:
            node = json.load(fh)
        profile = _resolve(str(out))
        assert profile.top.name == "site/golden"
        applies = profile.top.applies_to
        assert applies is not None
        system = node["system"]
        if system["present"] and system["sys_vendor"] and system["product_name"]:
            assert applies.sys_vendor == (system["sys_vendor"],)
            assert applies.product_name == (system["product_name"],)
        rules = {rule.id: rule for rule in profile.top.rules}
        os_rule = rules["site.os.id"]
        assert os_rule.constraint is not None
        assert os_rule.constraint.ops == (("exact", node["os"]["id"]),)

        result = tmp_path / f"{label}.result.json"
        run = run_hwcheck(
            "check",
            "--inventory",
            source,
            "--profile",
            str(out),
            "--no-html",
            "--json",
            str(result),
            env=NO_CACHE,
        )
        assert run.returncode in (0, 1, 3), run.stderr
        findings = json.loads(result.read_text(encoding="utf-8"))["findings"]
        own = {(f["rule_id"], f["subject"]["id"]): f["status"] for f in findings}
        own = {key: status for key, status in own.items() if key[0].startswith("site.")}
        assert own, "the generated rules judged nothing"
        # Unknown stays possible: hostile.json has a port whose firmware string is garbage.
        assert "fail" not in own.values(), own
        texts = {key: status for key, status in own.items() if key[0].endswith((".driver", ".id"))}
        assert texts, own
        assert set(texts.values()) == {"pass"}, texts


@pytest.mark.parametrize(
    "name", ["", "a b: c", "../../x", "Site/Golden", "site//golden", "site/golden\n", "-x"]
)
def test_a_name_the_loader_would_refuse_is_exit_2_and_writes_nothing(tmp_path, name):
    out = tmp_path / "new.yaml"
    run = run_hwcheck("profile", "new", "--from", INVENTORIES[0], f"--name={name}", "-o", str(out))
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("hwcheck: error: --name: ")
    assert "is not a profile name" in run.stderr
    assert run.stderr.count("\n") == 1, run.stderr
    assert not out.exists()
    assert os.listdir(tmp_path) == []


def test_a_bad_name_is_refused_even_to_stdout():
    run = run_hwcheck("profile", "new", "--from", INVENTORIES[0], "--name", "a: b")
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.startswith("hwcheck: error: --name: 'a: b' is not a profile name")


# ---- property: any strings the node reports ------------------------------------------

_NASTY = [
    *" :#\"'\\\t\n\r-[]{},&*!|>%@`?~=.0123456789xX",
    "\u2028",
    "\x85",
    "\ufeff",
    "\x00",
    "\x7f",
    "\udce9",  # what a non-UTF-8 byte becomes when read with surrogateescape
    "\U0001f600",
    "\u00e9",
]
awkward_text = st.one_of(
    st.text(max_size=24),
    st.text(alphabet=st.sampled_from(_NASTY), max_size=24),
    st.sampled_from([" 0. 6-1", "null", "~", "yes", "- x", "#", "&a", "*a", "'", '"', ""]),
)
maybe_text = st.one_of(st.none(), awkward_text)
# Real driver and firmware strings, alone and with awkward text around them, so that
# version rules in several formats are written too.
_REAL = [
    "i40e",
    "igb",
    "ixgbe",
    "mlx5_core",
    "bnxt_en",
    "tg3",
    "2.8.20-k",
    "5.15.0-131-generic",
    " 0. 6-1",
    "3.25, 0x800005cc",
    "8.15 0x8000a4e8 1.2879.0",
    "16.35.2000 (MT_0000000080)",
    "220.0.59.0/pkg 220.0.83.0",
    "FFV22.91.5 bc 5720-v1.39",
]
real_text = st.one_of(
    st.sampled_from(_REAL),
    st.builds(lambda a, b, c: a + b + c, awkward_text, st.sampled_from(_REAL), awkward_text),
)
maybe_real = st.one_of(st.none(), real_text, awkward_text)
name_text = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"[a-z0-9][a-z0-9._-]{0,8}(/[a-z0-9][a-z0-9._-]{0,8}){0,2}", fullmatch=True),
)

with open(os.path.join(HERE, "fixtures/inventories/intel-x710-i40e.json"), encoding="utf-8") as _fh:
    BASE = json.load(_fh)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=name_text,
    host=maybe_text,
    sys_vendor=maybe_text,
    product=maybe_text,
    arch=maybe_text,
    os_id=maybe_text,
    release=maybe_real,
    device_name=maybe_text,
    driver=maybe_real,
    driver_version=maybe_real,
    firmware=maybe_real,
    source=awkward_text,
)
def test_any_reported_strings_give_a_profile_that_loads_them_back_exactly(
    name,
    host,
    sys_vendor,
    product,
    arch,
    os_id,
    release,
    device_name,
    driver,
    driver_version,
    firmware,
    source,
):
    inventory = copy.deepcopy(BASE)
    inventory["host"]["hostname"] = host
    inventory["system"].update(present=True, sys_vendor=sys_vendor, product_name=product)
    inventory["kernel"].update(arch=arch, release=release)
    inventory["os"]["id"] = os_id
    inventory["cards"][0]["device_name"] = device_name
    for nic in inventory["nics"]:
        nic.update(driver=driver, driver_version=driver_version, firmware_version=firmware)
    try:
        text = new_profile(inventory, name=name, source=source)
    except UsageError:
        # Refused only when the loader refuses that name too (a JSON string is YAML).
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "named.yaml")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(f"hwcheck_profile: 1\nname: {json.dumps(name)}\n")
            with mock.patch.dict(os.environ, NO_CACHE), pytest.raises(ProfileError):
                load_file(path)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "new.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)  # a lone surrogate left unescaped would fail here
        profile = _resolve(path)
    top = profile.top
    assert top.name == name

    def given_text(value: str | None) -> str | None:
        """The value when a rule can hold it exactly: not blank, something that shows (the
        loader's own rule, tested in test_profile_text_rules.py), no lone surrogate."""
        if not value or not value.strip() or not visible(value) or value != shown(value):
            return None
        return value

    applies = top.applies_to
    assert applies is not None
    assert applies.arch == (given_text(arch) or "x86_64",)
    if given_text(sys_vendor) and given_text(product):
        assert applies.sys_vendor == (sys_vendor,)
        assert applies.product_name == (product,)
    else:
        assert applies.sys_vendor is None
    rules = {rule.id: rule for rule in top.rules}
    if given_text(os_id):
        assert rules["site.os.id"].constraint.ops == (("exact", os_id),)
    else:
        assert "site.os.id" not in rules
    driver_rules = [rule for rid, rule in rules.items() if rid.endswith(".driver")]
    if given_text(driver):
        assert driver_rules
        assert all(rule.constraint.ops == (("allowed", (driver,)),) for rule in driver_rules)
    else:
        assert not driver_rules
    host_shown = shown(host) if host and host.strip() and visible(host) else "a golden node"
    assert host_shown in str(top.description)
    assert shown(source) in str(top.description)


def shown(text: str) -> str:
    """`text` as prose in a profile: lone surrogates have no YAML form and become U+FFFD."""
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
