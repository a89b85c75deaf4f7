"""The published inventory schema: one source of truth with the result schema, and every
inventory the probe writes (fixture hosts, this machine) validates against it."""

import json
import os
import subprocess

import jsonschema
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMAS = os.path.join(ROOT, "docs", "schema")
HOSTS = os.path.join(ROOT, "tests", "fixtures", "hosts")


def load(name):
    with open(os.path.join(SCHEMAS, name), encoding="utf-8") as fh:
        return json.load(fh)


def test_inventory_schema_matches_the_result_schemas_inventory():
    inventory, result = load("inventory.schema.json"), load("result.schema.json")
    for name, definition in inventory["$defs"].items():
        assert definition == result["$defs"][name], name
    root = {k: v for k, v in inventory.items() if k in ("type", "required", "properties")}
    want = {k: v for k, v in result["$defs"]["Inventory"].items() if k in root}
    assert root == want


@pytest.mark.parametrize("host", sorted(os.listdir(HOSTS)))
def test_fixture_host_golden_inventory_validates(host):
    with open(os.path.join(HOSTS, host, "expected-inventory.json"), encoding="utf-8") as fh:
        jsonschema.validate(json.load(fh), load("inventory.schema.json"))


def test_schema_rejects_an_inventory_with_a_missing_nic_field():
    with open(os.path.join(HOSTS, "virtio-vm", "expected-inventory.json"), encoding="utf-8") as fh:
        inv = json.load(fh)
    del inv["nics"][0]["firmware_version"]
    with pytest.raises(jsonschema.ValidationError, match="firmware_version"):
        jsonschema.validate(inv, load("inventory.schema.json"))


@pytest.mark.live
def test_this_machines_inventory_validates():
    out = subprocess.run(
        [os.path.join(ROOT, ".venv", "bin", "hwcheck"), "probe", "--json", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    jsonschema.validate(json.loads(out), load("inventory.schema.json"))
