"""The published JSON Schemas are generated from the loader's spec and agree with it."""

from __future__ import annotations

import glob
import json
import os

import jsonschema
import pytest
import yaml

from hwcheck.profile.fields import documents

HERE = os.path.dirname(__file__)
ROOT = os.path.dirname(HERE)
SHIPPED = sorted(glob.glob(os.path.join(ROOT, "profiles/**/*.yaml"), recursive=True))
INVALID = sorted(glob.glob(os.path.join(HERE, "fixtures/profiles/invalid/*.yaml")))


def _schema(name: str) -> dict:
    with open(os.path.join(ROOT, "docs/schema", name), encoding="utf-8") as fh:
        return json.load(fh)


@pytest.mark.parametrize("name", ["profile.schema.json", "waivers.schema.json"])
def test_published_schema_is_the_generated_one(name):
    # Regenerate with: python -m hwcheck.profile.fields
    assert _schema(name) == json.loads(json.dumps(documents()[name]))


def test_schemas_are_valid_draft_2020_12():
    for name in ("profile.schema.json", "waivers.schema.json"):
        jsonschema.Draft202012Validator.check_schema(_schema(name))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: os.path.relpath(p, ROOT))
def test_shipped_profile_validates_against_schema(path):
    with open(path, encoding="utf-8") as fh:
        jsonschema.validate(yaml.safe_load(fh), _schema("profile.schema.json"))


@pytest.mark.parametrize("path", INVALID, ids=os.path.basename)
def test_schema_rejects_what_the_loader_rejects(path):
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    validator = jsonschema.Draft202012Validator(_schema("profile.schema.json"))
    assert list(validator.iter_errors(doc)), f"the schema accepts {path}"


def test_waiver_fixture_validates_and_bad_one_does_not():
    schema = _schema("waivers.schema.json")
    with open(os.path.join(HERE, "fixtures/profiles/waivers.yaml"), encoding="utf-8") as fh:
        good = yaml.safe_load(fh)
    # Unquoted dates load as datetime.date; editors see them as strings.
    for item in good["waivers"]:
        item["expires"] = str(item["expires"])
    jsonschema.validate(good, schema)
    bad = {
        "hwcheck_waivers": 1,
        "waivers": [{"rule": "x", "scope": {"node": "n"}, "expires": "2099-01-01"}],
    }
    with pytest.raises(jsonschema.ValidationError, match="justification"):
        jsonschema.validate(bad, schema)
