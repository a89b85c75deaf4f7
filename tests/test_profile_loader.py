"""The profile loader: positions in every error, safe YAML, scalars kept as written."""

from __future__ import annotations

import glob
import os

import pytest

from hwcheck.errors import ProfileError
from hwcheck.profile import cache, yamlsrc
from hwcheck.profile.library import Library, load_file

HERE = os.path.dirname(__file__)
INVALID = sorted(glob.glob(os.path.join(HERE, "fixtures/profiles/invalid/*.yaml")))


def _write(tmp_path, text: str, name: str = "p.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("path", INVALID, ids=os.path.basename)
def test_invalid_profile_fixture_reports_line_column_and_reason(path):
    with open(path, encoding="utf-8") as fh:
        expect = fh.readline().removeprefix("# expect: ").strip()
    # Resolved, as every command uses a profile: some errors (a NIC check with no selector
    # in it, which an overlay may leave to the layer below) are told only by layering.
    with pytest.raises(ProfileError) as info:
        Library([]).resolve(path)
    assert str(info.value).startswith(f"{path}:{expect}")


def test_billion_laughs_fails_fast_with_clear_error():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(ProfileError, match="billion laughs"):
        yamlsrc.parse("\n".join(lines).encode(), "lol.yaml")


def test_python_tags_are_refused_not_constructed():
    with pytest.raises(ProfileError, match=r"lol\.yaml:1:1: YAML tags are not allowed"):
        yamlsrc.parse(b"!!python/object/apply:os.system ['true']\n", "lol.yaml")


def test_duplicate_key_names_both_lines():
    with pytest.raises(
        ProfileError, match=r"d\.yaml:3:1: duplicate key 'name' \(first set on line 2\)"
    ):
        yamlsrc.parse(b"hwcheck_profile: 1\nname: a\nname: b\n", "d.yaml")


def test_oversized_file_is_refused_before_parsing(tmp_path):
    path = _write(tmp_path, "#" * (yamlsrc.MAX_BYTES + 10))
    with pytest.raises(ProfileError, match="larger than 1024 KiB"):
        load_file(path)


def test_deep_nesting_is_refused():
    with pytest.raises(ProfileError, match="nested deeper than 64 levels"):
        yamlsrc.parse(b"[" * 200 + b"]" * 200, "deep.yaml")


def test_thresholds_are_kept_as_written_not_as_floats(tmp_path):
    # YAML would read 4.10 as the float 4.1; Intel NVM 4.10 and 4.1 are different versions.
    path = _write(
        tmp_path,
        "hwcheck_profile: 1\nname: t\nrules:\n"
        "  - id: t.nvm\n    nic: {devices: ['8086:1592']}\n"
        "    firmware: {format: intel-nvm, min: 4.10}\n",
    )
    rule = load_file(path).rules[0]
    assert rule.constraint is not None
    assert rule.constraint.ops == (("min", "4.10"),)


@pytest.mark.parametrize(
    ("firmware", "message"),
    [
        ("{format: mlx, min: '16.35.2000.1'}", "'16.35.2000.1' is not a valid mlx fw value"),
        (
            "{format: intel-nvm, component: eetrack, min: '0x8000a4e8'}",
            "'min' cannot judge intel-nvm component 'eetrack': it compares only for equality",
        ),
        ("{format: mlx, component: nvm, min: '1.0'}", "format mlx has no component 'nvm'"),
        ("{format: mlx, range: ['16.35.2000', '16.28.1002']}", "range starts above where it ends"),
    ],
)
def test_semantic_threshold_errors_point_at_the_value(tmp_path, firmware, message):
    path = _write(
        tmp_path,
        "hwcheck_profile: 1\nname: t\nrules:\n"
        f"  - id: t.fw\n    nic: {{devices: ['15b3:1017']}}\n    firmware: {firmware}\n",
    )
    with pytest.raises(ProfileError) as info:
        load_file(path)
    assert info.value.line == 6
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("value", "line", "message"),
    [
        # a quoted "\n" and a YAML `|` block both end the text in a newline: the published
        # schema's `$` is the end of the text, so neither passes for a rule ID or a PCI ID
        ('"t.fw\\n"', 4, "'t.fw\n' is not a rule ID"),
        ("|\n      t.fw", 4, "'t.fw\n' is not a rule ID"),
    ],
)
def test_a_value_ending_in_a_newline_does_not_pass_for_a_pattern(tmp_path, value, line, message):
    path = _write(
        tmp_path,
        "hwcheck_profile: 1\nname: t\nrules:\n"
        f"  - id: {value}\n    nic: {{devices: ['15b3:1017']}}\n"
        "    firmware: {min: '16.35.2000'}\n",
    )
    with pytest.raises(ProfileError) as info:
        load_file(path)
    assert info.value.line == line
    assert message in str(info.value)
    devices = _write(
        tmp_path,
        "hwcheck_profile: 1\nname: t\nrules:\n"
        '  - id: t.fw\n    nic: {devices: ["15b3:1017\\n"]}\n    firmware: {min: "16.35.2000"}\n',
        "d.yaml",
    )
    with pytest.raises(ProfileError) as info:
        load_file(devices)
    assert info.value.line == 5


def test_profile_name_must_match_its_place(tmp_path):
    (tmp_path / "site").mkdir()
    _write(tmp_path, "hwcheck_profile: 1\nname: site/other\n", "site/x.yaml")
    with pytest.raises(ProfileError, match="does not match its place"):
        Library([str(tmp_path)]).get("site/x")


def test_unknown_profile_name_lists_known_ones():
    lib = Library([os.path.join(HERE, "..", "profiles")])
    with pytest.raises(Exception, match=r"known profiles: .*nvidia/connectx"):
        lib.get("nvidia/connectx7")


def test_cache_reuses_parse_and_notices_edits(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("HWCHECK_NO_CACHE", raising=False)
    path = _write(tmp_path, "hwcheck_profile: 1\nname: a\n")
    first = cache.load_tree(path)
    assert os.listdir(tmp_path / "cache" / "hwcheck" / "yaml")
    calls = []
    monkeypatch.setattr(yamlsrc, "parse", lambda data, p: calls.append(p) or ())
    assert cache.load_tree(path) == first  # served from the cache
    assert calls == []
    _write(tmp_path, "hwcheck_profile: 1\nname: b\n")
    cache.load_tree(path)  # bytes changed: parsed again
    assert calls == [path]
