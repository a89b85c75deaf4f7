"""The quick paths of the document checks give the answers of the full ones.

Checking an inventory takes a quick path when it can (invariants told by a subset test and
memos of IDs already seen spelled right), and the full look otherwise. These tests first warm
every memo with the real fixture inventories (tests/fixtures/inventories, probed from
tests/fixtures/hosts), in this one process, then break one thing at a time: the quick path
must never let through what the full one refuses, and must name the same path.
"""

from __future__ import annotations

import copy
import glob
import io
import json
import os
import tarfile

import pytest
from runcli import NO_CACHE, run_hwcheck

from hwcheck.errors import InputError
from hwcheck.model.documents import check_inventory, parse_document, parse_inventory, parse_json
from hwcheck.model.invariants import inventory_problem

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INVENTORIES = sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "inventories", "*.json")))
CX = os.path.join(ROOT, "tests", "fixtures", "inventories", "mellanox-cx5-dell.json")
RESULT = os.path.join(ROOT, "tests", "fixtures", "results", "judged-intel-x710-i40e.json")


def load(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(autouse=True, params=["exact", "msgspec"])
def decoding(request):
    """Every test twice: with the exact path alone (`check`), and with msgspec's typed
    decoder in front of it (`fleet`, the collector: hwcheck.model.typeddecode)."""
    from hwcheck.model import typeddecode

    if request.param == "msgspec":
        assert typeddecode.enable()
    yield request.param
    typeddecode.disable()


@pytest.fixture(scope="module")
def warm() -> dict:
    """Every fixture inventory checked once (each holds), so every memo is warm."""
    for path in INVENTORIES:
        assert inventory_problem(load(path)) is None, path
    return load(CX)


@pytest.mark.parametrize("spelling", ["15B3", "0x15b3", " 15b3", "15b", "15b3 "])
@pytest.mark.parametrize(("section", "field"), [("nics", "vendor_id"), ("cards", "device_id")])
def test_a_misspelt_id_is_refused_once_memos_are_warm(warm, spelling, section, field):
    doc = copy.deepcopy(warm)
    doc[section][1][field] = spelling
    assert inventory_problem(doc) == (
        f"$.{section}[1].{field}: {spelling!r} is not four lowercase hex digits"
    )


def test_an_id_field_of_a_later_schema_is_held_to_the_spelling(warm):
    """A key the memos have not seen, named like an ID, takes the full look."""
    doc = copy.deepcopy(warm)
    doc["nics"][2]["usb_vendor_id"] = "413C"
    assert inventory_problem(doc, "$.inventory") == (
        "$.inventory.nics[2].usb_vendor_id: '413C' is not four lowercase hex digits"
    )
    doc["nics"][2]["usb_vendor_id"] = "413c"
    assert inventory_problem(doc) is None


def test_the_first_misspelt_id_in_document_order_is_named(warm):
    doc = copy.deepcopy(warm)
    doc["nics"][0]["subsystem_device_id"] = "ABCD"
    doc["nics"][0]["device_id"] = "XYZ0"
    assert inventory_problem(doc) == "$.nics[0].device_id: 'XYZ0' is not four lowercase hex digits"


@pytest.mark.parametrize(
    ("breaking", "problem"),
    [
        (
            lambda d: d["cards"][0].update(vf_only=True),
            "$.nics[1].card: NIC 'ens1f0v0' is not among the ports of card '0000:31:00'",
        ),
        (
            lambda d: d["cards"][1].update(vf_only=True),
            "$.cards[1].vf_only: card '0000:b1:00' has a physical function",
        ),
        (
            lambda d: d["cards"][1]["ports"].append("ghost"),
            "$.cards[1].ports[2]: 'ghost' is not a NIC of this inventory",
        ),
        (
            lambda d: d["nics"][0].update(card=None),
            "$.nics[0].card: physical NIC 'ens1f0np0' at 0000:31:00.0 belongs to no card",
        ),
        (
            lambda d: d["nics"][0].update(pci_address="0000:99:00.0"),
            "$.nics[0].pci_address: 0000:99:00.0 is not among the functions of card '0000:31:00'",
        ),
    ],
)
def test_membership_is_refused_once_memos_are_warm(warm, breaking, problem):
    doc = copy.deepcopy(warm)
    breaking(doc)
    assert inventory_problem(doc) == problem


# ---- repeated keys: counted, or looked for by the parser's hook ---------------------------

MARK = "\u2603repeat"


def _objects(value, path="$"):
    """(JSON path, object) of every object in `value`, in document order."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _objects(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _objects(item, f"{path}[{index}]")


def _slow(data: bytes):
    """What parse_json then check_inventory say of `data`: the answer to match."""
    try:
        return check_inventory(parse_json(data, what="x", where="f"), where="f")
    except InputError as err:
        return str(err)


def _fast(data: bytes):
    """What parse_document says, and then a caller (as the fleet does) of another kind."""
    try:
        document, inventory = parse_document(data, what="x", where="f")
        if inventory is None:
            return check_inventory(document, where="f")
    except InputError as err:
        return str(err)
    assert inventory is document
    return inventory


SPELLINGS = {
    "python": {},
    "indented": {"indent": 2},
    "compact": {"separators": (",", ":")},
    "spaced colons": {"separators": (", ", " : ")},
    "unicode": {"ensure_ascii": False},
}


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
@pytest.mark.parametrize("path", INVENTORIES, ids=os.path.basename)
def test_a_key_repeated_in_any_object_is_refused_naming_it(path, spelling):
    """Every object of every fixture inventory in turn says one of its keys twice, with the
    same value (so the shape still fits and only the count can tell): refused as parse_json
    refuses it, naming that object, in each way a JSON writer may space its text."""
    options = SPELLINGS[spelling]
    doc = load(path)
    assert _fast(json.dumps(doc, **options).encode()) == doc
    for where, obj in list(_objects(doc)):
        if not obj:
            continue
        key, value = next(iter(obj.items()))
        items = list(obj.items())
        obj.clear()
        obj.update({MARK: 0, **dict(items)})
        text = json.dumps(doc, **options)
        obj.pop(MARK)
        mark = json.dumps({MARK: 0}, **options)[1:-1].strip()
        again = json.dumps({key: value}, **options)[1:-1].strip()
        repeated = text.replace(mark, again, 1).encode()
        said = _fast(repeated)
        assert said == _slow(repeated), where
        assert said.startswith(f"f: {where}: key {key!r} appears more than once"), said


@pytest.mark.parametrize("space", [" ", "\t", "\n", "\r", " \r\n\t "])
def test_a_repeated_key_spaced_before_its_colon_is_refused(space):
    """The one repeated key is written with whitespace before its colon, the rest as
    usual: the only key a count of `":` would miss is the one repeated."""
    text = json.dumps(load(CX))
    at = text.index('"hostname": ')
    repeated = (text[:at] + f'"hostname"{space}: "x", ' + text[at:]).encode()
    said = _fast(repeated)
    assert said == _slow(repeated)
    assert said.startswith("f: $.host: key 'hostname' appears more than once"), said


def test_strings_that_look_like_keys_are_read_as_strings():
    """A text whose strings hold `":` counts more key tokens than it has keys: it is read
    the slow way, and is the same inventory."""
    doc = load(CX)
    doc["host"]["hostname"] = 'a": b'
    doc["nics"][0]["ifalias"] = ':uplink "x":'
    data = json.dumps(doc).encode()
    assert _fast(data) == doc == _slow(data)


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"\xff{}",
        b"\xef\xbb\xbf{}",
        b"[1, 2]",
        b'{"kind": "hwcheck-inventory"}',
        b'{"kind": "hwcheck-inventory", "schema_version": true}',
        b'{"kind": "hwcheck-inventory", "schema_version": 1.0}',
        b"[" * 100_000,
        b'{"kind": "hwcheck-inventory", "a": 1' + b"0" * 5000 + b"}",
    ],
)
def test_what_is_not_an_inventory_is_refused_as_parse_json_and_check_inventory_refuse_it(text):
    assert _fast(text) == _slow(text)


def test_an_inventory_that_breaks_an_invariant_is_refused_the_same(warm):
    doc = copy.deepcopy(warm)
    doc["nics"][0]["vendor_id"] = "15B3"
    data = json.dumps(doc).encode()
    assert (
        _fast(data)
        == _slow(data)
        == ("f: $.nics[0].vendor_id: '15B3' is not four lowercase hex digits")
    )


def test_a_result_is_handed_back_unchecked_for_its_own_check():
    with open(RESULT, "rb") as handle:
        data = handle.read()
    document, inventory = parse_document(data, what="x", where="f")
    assert inventory is None and document == json.loads(data)
    assert parse_inventory(json.dumps(load(CX)).encode(), where="f") == load(CX)
    with pytest.raises(InputError, match=r'\$\.kind is "hwcheck-result", expected'):
        parse_inventory(data, where="f")


def test_a_fleet_gives_an_inventory_repeating_a_key_an_error_row_naming_it(tmp_path):
    """Through `hwcheck fleet` (which reads with parse_document), as a file and as a tar
    member: an error row with parse_json's sentence, and the node beside it judged."""
    with open(CX, encoding="utf-8") as handle:
        text = handle.read()
    repeated = text.replace('"hostname": ', '"hostname": "a", "hostname": ', 1).encode()
    (tmp_path / "repeated.json").write_bytes(repeated)
    with tarfile.open(tmp_path / "fetched.tar", "w") as tar:
        member = tarfile.TarInfo("edge/repeated.json")
        member.size = len(repeated)
        tar.addfile(member, io.BytesIO(repeated))
    done = run_hwcheck(
        "fleet", str(tmp_path / "repeated.json"), str(tmp_path / "fetched.tar"), CX,
        "--json", "-", "-q", env=NO_CACHE,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # noncompliant outranks error
    rows = {row["source"]: row for row in json.loads(done.stdout)["nodes"]}
    said = (
        "$.host: key 'hostname' appears more than once (JSON parsers disagree on which copy "
        "counts, so none does); not an inventory or result"
    )
    assert rows[str(tmp_path / "repeated.json")]["error"] == said
    assert rows[f"{tmp_path / 'fetched.tar'}:edge/repeated.json"]["error"] == said
    assert rows[CX]["verdict"] == "noncompliant"


# ---- the shape check's quick path ---------------------------------------------------------


class Text(str):
    """A str subclass: fits `str` (isinstance), but is no type JSON gives."""


WRONG = (None, True, 0, -1, "", "x", 1.5, [], {}, ["a"], {"a": "b"}, Text("eth0"), 2**70)


def _mutations(doc):
    """`doc` with one thing changed, over and over (the same object, changed back after):
    every key of every object removed, or given a value of another type, and every object
    given a key its type does not have."""
    turn = 0
    for _, obj in list(_objects(doc)):
        for key in list(obj):
            value = obj[key]
            order = list(obj)
            del obj[key]
            yield
            for wrong in (WRONG[turn % len(WRONG)], WRONG[(turn + 5) % len(WRONG)]):
                turn += 1
                obj[key] = wrong
                yield
            obj[key] = value
            for name in order:  # the keys back in their order
                obj[name] = obj.pop(name)
        obj["not_a_field"] = "x"
        yield
        del obj["not_a_field"]


@pytest.mark.parametrize(
    ("path", "tp"),
    [
        (CX, "Inventory"),
        (os.path.join(ROOT, "tests", "fixtures", "inventories", "dell-usb-nics.json"), "Inventory"),
        (os.path.join(ROOT, "tests", "fixtures", "inventories", "hostile.json"), "Inventory"),
        (RESULT, "Result"),
    ],
    ids=os.path.basename,
)
def test_the_quick_shape_check_answers_as_the_exact_one(path, tp):
    """Problem (with its path) or count of keys: the same answer with and without the quick
    paths, for the document and for each of its mutations."""
    from hwcheck.model import inventory, result
    from hwcheck.model.documents import _checker

    model = getattr(inventory, tp, None) or getattr(result, tp)
    quick, exact = _checker(model), _checker(model, quick=False)
    doc = load(path)
    assert type(quick(doc)) is int and quick(doc) == exact(doc)
    checked = 0
    for _ in _mutations(doc):
        assert quick(doc) == exact(doc)
        checked += 1
    assert checked > 500
    assert quick(doc) == exact(doc) == _checker(model)(load(path))


@pytest.mark.parametrize("path", INVENTORIES, ids=os.path.basename)
def test_every_mutation_of_an_inventory_is_read_as_the_exact_path_reads_it(path, decoding):
    """Each fixture inventory, and each of its mutations (a key removed, a value of another
    type, a key its type lacks) written as JSON text: parse_document's answer (the inventory,
    or the refusal and its message) is what parse_json and check_inventory say, with and
    without msgspec in front. msgspec drops a key its type lacks: the key count tells, and
    the exact path answers."""
    from hwcheck.model import typeddecode

    doc = load(path)
    checked = decoded = 0
    for _ in _mutations(doc):
        text = json.dumps(doc).encode()
        assert _fast(text) == _slow(text), text[:200]
        checked += 1
        decoded += typeddecode.decode(text) is not None
    assert checked > 300
    assert _fast(json.dumps(doc).encode()) == load(path)
    if decoding == "msgspec":
        # msgspec itself took the document, and the mutations it lets through (a key the
        # type lacks, dropped; a field that may be null, null) are many
        assert typeddecode.decode(json.dumps(doc).encode()) == load(path)
        assert decoded > 20
    else:
        assert decoded == 0


@pytest.mark.parametrize("path", INVENTORIES, ids=os.path.basename)
def test_keys_told_from_the_type_are_the_keys_walked(path):
    """What the typed decoder makes of each fixture inventory and of each of its mutations
    it takes: the keys counted from the Inventory type are every key the walk finds (the
    type says how many a Module holds; a NIC's `lshw` and `sources` are counted)."""
    from hwcheck.model import typeddecode

    assert typeddecode.enable()
    doc = load(path)
    taken = 0
    for _ in _mutations(doc):
        typed = typeddecode.decode(json.dumps(doc).encode())
        if typed is not None:
            taken += 1
            assert typeddecode.inventory_keys(typed) == typeddecode.count_keys(typed)
    assert taken > 20
    typed = typeddecode.decode(json.dumps(doc).encode())
    assert typeddecode.inventory_keys(typed) == typeddecode.count_keys(typed) > 100
