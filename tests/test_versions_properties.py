"""Properties of the version comparator, over strings built the way the kernel prints them.

Each builder below follows one driver's printf format (named beside it; see
docs/versions.md for the source files), so the generated strings are exactly what that
driver can report. Two properties:

- round trip: a generated string parses back into the components it was built from;
- order: within every ordered component, sort_key is a total order (reflexive,
  antisymmetric, transitive) and compare() agrees with it.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwcheck import versions
from hwcheck.versions.parsers import MLX_FAMILIES

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFF_FFFF)
small = st.integers(0, 999)


def _dotted(n: int, ints: st.SearchStrategy[int] = small) -> st.SearchStrategy[str]:
    return st.lists(ints, min_size=n, max_size=n).map(lambda xs: ".".join(map(str, xs)))


dec3 = _dotted(3)
dec4 = _dotted(4, u8)
var_dotted = st.integers(1, 5).flatmap(_dotted)
nvm = st.builds(lambda hi, lo: f"{hi:x}.{lo:02x}", st.integers(0, 15), u8)  # "%x.%02x"
eetrack = st.builds(lambda e: f"0x{e:08x}", u32)
oem = st.builds(lambda g, s, r: f"{g:x}.{s:x}.{r:x}", u8, u8, u16)  # "%x.%x.%x"
# "%d.%d.%d"; all ones or all zeros is the no-option-ROM marker, not a version
combo = st.builds(lambda a, b, c: f"{a}.{b}.{c}", u8, u16, u8).filter(
    lambda c: c not in ("255.65535.255", "0.0.0")
)
igb_nvm = st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 15), st.integers(0, 99))
psid = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", min_size=1, max_size=16)
mlx5_fw = st.builds(lambda a, b, c: f"{a}.{b}.{c:04d}", u16, u16, u16)  # "%d.%d.%04d"
mlx4_fw = st.builds(lambda a, b, c: f"{a}.{b}.{c}", u16, u16, u16)  # "%d.%d.%d"
hexword = st.builds(lambda w: f"{w:x}", u16)
bcd = st.integers(0, 99).map(lambda n: (n // 10) * 16 + n % 10)
# igc's NVM word: major nibble, zero nibble, BCD minor byte (1082 is NVM 1.82)
igc_nvm = st.builds(lambda major, minor: f"{(major << 12) | minor:x}", st.integers(0, 15), bcd)
e1000e_nvm = st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 15), u8)  # "%d.%d"
named_fw = st.builds(
    lambda name, v: f"{name}{v}", st.sampled_from(["", "rtl8168h-2_", "nic-"]), var_dotted
)
TG3_CHIPS = ("5719", "5720", "5722")


def _tg3_bc(chips: tuple[str, ...]) -> st.SearchStrategy[str]:
    """'<chip>-v%d.%02d' as newer bootcode images print, or the older 'v%d.%02d'."""
    return st.builds(
        lambda chip, a, b: f"{chip}v{a}.{b:02d}",
        st.sampled_from(("", *(f"{c}-" for c in chips))),
        st.integers(0, 9),
        st.integers(0, 99),
    )


tg3_bc = _tg3_bc(TG3_CHIPS)
tg3_sb = st.builds(
    lambda a, b, c: f"sb v{a}.{b:02d}{c}",
    st.integers(0, 9),
    st.integers(0, 99),
    st.sampled_from(["", "a", "b", "c"]),
)
mgmt = st.builds(lambda kind, v: f"{kind} v{v}", st.sampled_from(["NCSI", "DASH", "SMASH"]), dec4)
ffv = st.builds(lambda v: f"FFV{v}", dec3)
kernel = st.builds(
    lambda up, local: up + local,
    st.builds(lambda a, b, c: f"{a}.{b}.{c}", st.integers(3, 6), st.integers(0, 19), small),
    st.sampled_from(
        ["", "-372.82.1.el8_6.x86_64", "-1032-realtime", "-100.fc38.x86_64", "-rc7", "-rc3-amd64"]
    )
    | st.builds(lambda n, tail: f"-{n}{tail}", small, st.sampled_from(["", "-generic", ".el9"])),
)
vendor_driver = st.builds(
    lambda a, b, rest: f"{a}.{b}{rest}",
    small,
    small,
    st.sampled_from(["", "-k", "r", "LK-NAPI", "-rc1", "-rc12", "~rc2", "-beta", ".0", ".0.0"])
    | st.builds(lambda v: f"-{v}", dec3)
    | st.builds(lambda v: f".{v}", var_dotted),
).filter(
    # 3.0-rc1 or 4.2-beta is a kernel's shape (a release candidate of Linux 3.0): a driver
    # printing it is read as the kernel release (docs/versions.md, "In-tree drivers and
    # kernel releases"), so a vendor version of two numbers takes a word suffix only
    # outside the kernel's majors (3 to 9).
    lambda v: not re.fullmatch(r"[3-9]\.\d{1,2}-[A-Za-z]{2}.*", v)
)

# Ordered components and how to write their values. A component listed in DOMAINS orders
# only within one domain: the order properties draw its values from one domain at a time.
ORDERED = {
    ("intel-nvm", "nvm"): nvm,
    ("intel-nvm", "combo"): combo,
    ("intel-nvm", "oem"): oem,
    ("ixgbe", "combo"): combo,
    ("igb", "nvm"): igb_nvm,
    ("igb", "combo"): combo,
    ("igb", "build"): st.builds(str, small),
    ("igb", "invm"): st.builds(lambda a, b: f"{a:2d}.{b:2d}".strip(), st.integers(0, 15), u8),
    ("igc", "nvm"): igc_nvm,
    ("e1000e", "nvm"): e1000e_nvm,
    ("bnx2", "bc"): dec3,
    ("bnx2", "mgmt"): mgmt,
    ("bnx2", "ffv"): ffv,
    ("sfc", "fw"): dec4,
    ("cxgb4", "fw"): dec4,
    ("cxgb4", "tp"): dec4,
    ("r8169", "fw"): named_fw,
    ("nfp", "fw"): named_fw,
    ("nfp", "vnic"): dec4,
    ("nfp", "nsp"): var_dotted,
    ("hns3", "fw"): dec4 | st.builds(lambda w: f"0x{w:08x}", u32),
    ("mlx", "fw"): mlx5_fw | mlx4_fw,
    ("bnxt", "fw"): dec4,
    ("bnxt", "pkg"): var_dotted,
    ("bnx2x", "bc"): dec3,
    ("bnx2x", "ffv"): ffv,
    ("tg3", "bc"): tg3_bc,
    ("tg3", "sb"): tg3_sb,
    ("tg3", "mgmt"): mgmt,
    ("qede", "mfw"): dec4,
    ("qede", "mbi"): dec3,
    ("dotted", "version"): var_dotted,
    ("kernel-release", "release"): kernel,
    ("driver", "version"): vendor_driver,
    ("driver", "kernel"): kernel.filter(lambda k: "-" in k),
}


DOMAINS = {
    ("tg3", "bc"): st.sampled_from(TG3_CHIPS).map(lambda chip: _tg3_bc((chip,))),
    ("r8169", "fw"): st.sampled_from(["", "rtl8168h-2_"]).map(
        lambda name: var_dotted.map(lambda v: name + v)
    ),
    ("nfp", "fw"): st.sampled_from(["", "nic-"]).map(
        lambda name: var_dotted.map(lambda v: name + v)
    ),
}


def test_every_ordered_component_has_a_generator():
    ordered = {
        (fmt, name)
        for fmt in versions.FORMATS
        for name in versions.component_names(fmt)
        if versions.is_ordered(fmt, name)
    }
    # components that share a kind with a listed one are covered by that kind's generator
    shared = {
        ("ixgbe", "nvm"),
        ("ixgbe", "oem"),
        ("igc", "phy"),
        ("bnx2x", "mbi"),
        ("tg3", "ffv"),
        ("qede", "storm"),
        ("dotted", "flash"),
        ("kernel-release", "upstream"),
        ("kernel-release", "build"),
        ("driver", "storm"),
    }
    assert ordered - shared == set(ORDERED)


def _sign(x: tuple[object, ...], y: tuple[object, ...]) -> int:
    return (x > y) - (x < y)  # type: ignore[operator]


@pytest.mark.parametrize(("fmt", "component"), sorted(ORDERED))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_sort_key_is_a_total_order_consistent_with_compare(fmt, component, data):
    strategy = ORDERED[(fmt, component)]
    if (fmt, component) in DOMAINS:
        strategy = data.draw(DOMAINS[(fmt, component)])
    a, b, c = data.draw(strategy), data.draw(strategy), data.draw(strategy)
    ka, kb, kc = (versions.sort_key(fmt, component, t) for t in (a, b, c))
    assert versions.compare(fmt, component, a, a) == 0  # reflexive
    assert versions.compare(fmt, component, a, b) == -versions.compare(fmt, component, b, a)
    assert versions.compare(fmt, component, a, b) == _sign(ka, kb)
    if ka <= kb and kb <= kc:  # type: ignore[operator]
        assert ka <= kc  # type: ignore[operator]
    assert versions.equals(fmt, component, a, b) == (ka == kb)


@settings(max_examples=200, deadline=None)
@given(a=tg3_bc, b=tg3_bc)
def test_tg3_bootcodes_of_different_chips_never_order(a, b):
    chip_a, chip_b = (t.split("-")[0] if "-" in t else None for t in (a, b))
    if chip_a and chip_b and chip_a != chip_b:
        with pytest.raises(versions.VersionError, match="bootcodes of different chips"):
            versions.compare("tg3", "bc", a, b)
        assert not versions.equals("tg3", "bc", a, b)
    else:  # same chip, or one names none (the older 'v%d.%02d' print): ordered by version
        ka, kb = versions.sort_key("tg3", "bc", a), versions.sort_key("tg3", "bc", b)
        assert versions.compare("tg3", "bc", a, b) == _sign(ka, kb)


@settings(max_examples=200, deadline=None)
@given(
    release=var_dotted,
    pre=st.sampled_from(["-rc1", "-rc12", "~rc2", "-pre3", "-alpha", ".beta2"]),
    post=st.sampled_from(["-1", "-0", "-k", "r", "-2.0.7"]),
    zeros=st.integers(1, 3),
)
def test_driver_versions_pre_release_before_release_before_revision(release, pre, post, zeros):
    padded = release + ".0" * zeros
    assert versions.compare("driver", "version", release, padded) == 0
    assert versions.equals("driver", "version", padded, release)
    assert versions.compare("driver", "version", release + pre, release) == -1
    assert versions.compare("driver", "version", padded + pre, release) == -1
    assert versions.compare("driver", "version", release, release + post) == -1


@settings(max_examples=200, deadline=None)
@given(upstream=st.builds(lambda a, b: f"{a}.{b}", st.integers(3, 6), st.integers(0, 19)), n=small)
def test_kernel_release_candidates_sort_before_the_release(upstream, n):
    for fmt, component in (("kernel-release", "release"), ("driver", "kernel")):
        rc = f"{upstream}.0-rc{n}"
        assert versions.compare(fmt, component, rc, f"{upstream}.0-{n}") == -1
        if fmt == "kernel-release":  # a bare release is not a kernel-shaped driver version
            assert versions.compare(fmt, component, rc, upstream) == -1


# Whole strings as each driver prints them, with the components they are built from.
def _intel(n: str, e: str, c: str) -> tuple[str, dict[str, str]]:
    return f"{n} {e} {c}", {"nvm": n, "eetrack": e, "combo": c}


def _mlx(fw: str, p: str | None) -> tuple[str, dict[str, str]]:
    parts = {"fw": fw} if p is None else {"fw": fw, "psid": p}
    family = MLX_FAMILIES.get(int(fw.split(".", maxsplit=1)[0]))
    if family:
        parts["family"] = family
    return (fw if p is None else f"{fw} ({p})"), parts


def _opt(label: str, strategy: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, str]]:
    return st.none().map(lambda _: {}) | strategy.map(lambda v: {label: v})


def _bnx2x(parts: dict[str, str]) -> str:
    head = f"mbi {parts['mbi']} " if "mbi" in parts else ""
    head += f"{parts['ffv']} " if "ffv" in parts else ""
    tail = f" phy {parts['phy']}" if "phy" in parts else ""
    return f"{head}bc {parts['bc']}{tail}"


def _bnx2(parts: dict[str, str]) -> str:
    head = f"{parts['ffv']} " if "ffv" in parts else ""
    tail = f" {parts['mgmt']}" if "mgmt" in parts else ""
    return f"{head}bc {parts['bc']}{tail}"


def _tg3(parts: dict[str, str]) -> str:
    head = f"{parts['ffv']} bc " if "ffv" in parts else ""
    tail = f" {parts['mgmt']}" if "mgmt" in parts else ""
    return head + parts.get("bc", parts.get("sb", "")) + tail


def _merge(*dicts: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for d in dicts:
        out.update(d)
    return out


RAW = {
    "intel-nvm": st.builds(_intel, nvm, eetrack, combo) | st.builds(lambda o: (o, {"oem": o}), oem),
    "ixgbe": st.builds(lambda e, c: (f"{e}, {c}", {"eetrack": e, "combo": c}), eetrack, combo)
    | st.builds(lambda e: (e, {"eetrack": e}), eetrack)
    | st.builds(_intel, nvm, eetrack, combo),
    "igb": st.builds(
        lambda n, e, c: (f"{n}, {e}, {c}", {"nvm": n, "eetrack": e, "combo": c}),
        igb_nvm,
        eetrack,
        combo,
    )
    | st.builds(lambda n, e: (f"{n}, {e}", {"nvm": n, "eetrack": e}), igb_nvm, eetrack)
    | st.builds(lambda n, b: (f"{n}.{b}", {"nvm": n, "build": str(b)}), igb_nvm, small)
    | st.builds(
        lambda a, b, t: (
            f"{a:2d}.{b:2d}-{t}",
            {"invm": f"{a:2d}.{b:2d}".strip(), "image_type": str(t)},
        ),
        st.integers(0, 15),
        u8,
        st.integers(0, 7),
    ),
    "igc": st.builds(lambda n, p: (f"{n}:{p}", {"nvm": n, "phy": p}), igc_nvm, hexword),
    "e1000e": st.builds(
        lambda n, i: (f"{n}-{i}", {"nvm": n, "image": str(i)}), e1000e_nvm, st.integers(0, 15)
    ),
    "bnx2": st.builds(
        lambda *ds: (_bnx2(m := _merge(*ds)), m),
        _opt("ffv", ffv),
        st.builds(lambda v: {"bc": v}, dec3),
        _opt("mgmt", mgmt),
    ),
    "sfc": st.builds(
        lambda fw, rx, tx: (
            f"{fw} rx{rx:x} tx{tx:x}",
            {"fw": fw, "rx": f"{rx:x}", "tx": f"{tx:x}"},
        ),
        dec4,
        u16,
        u16,
    )
    | st.builds(lambda fw: (fw, {"fw": fw}), dec4),
    "cxgb4": st.builds(lambda f, t: (f"{f}, TP {t}", {"fw": f, "tp": t}), dec4, dec4),
    "r8169": st.builds(
        lambda name, v, m, d, y: (
            f"{name}_{v} {m:02d}/{d:02d}/{y:02d}",
            {"fw": f"{name}_{v}", "name": name, "date": f"{m:02d}/{d:02d}/{y:02d}"},
        ),
        st.sampled_from(["rtl8168h-2", "rtl8168e-3", "rtl8125b-2"]),
        dec3,
        st.integers(1, 12),
        st.integers(1, 31),
        st.integers(0, 99),
    ),
    "nfp": st.builds(
        lambda vnic, nsp, fw, app: (
            f"{vnic} {nsp} {fw} {app}",
            {"fw": fw, "vnic": vnic, "nsp": nsp, "app": app},
        ),
        dec4,
        _dotted(2, u16),
        st.builds(lambda a, v: f"{a}-{v}", st.sampled_from(["nic", "flower", "sriov"]), dec3),
        st.sampled_from(["nic", "flower"]),
    ),
    "hns3": st.builds(lambda f: (f, {"fw": f}), dec4 | st.builds(lambda w: f"0x{w:08x}", u32)),
    "mlx": st.builds(_mlx, mlx5_fw, psid | st.none()) | st.builds(_mlx, mlx4_fw, st.none()),
    "bnxt": st.builds(
        lambda fw, pkg: (
            fw if pkg is None else f"{fw}/pkg {pkg}",
            _merge({"fw": fw}, {"pkg": pkg} if pkg else {}),
        ),
        dec4,
        var_dotted | st.none(),
    ),
    "bnx2x": st.builds(
        lambda *ds: (_bnx2x(m := _merge(*ds)), m),
        _opt("mbi", dec3),
        _opt("ffv", ffv),
        st.builds(lambda v: {"bc": v}, dec3),
        _opt("phy", hexword.map(lambda w: f"{w}.{w}")),
    ),
    "tg3": st.builds(
        lambda *ds: (_tg3(m := _merge(*ds)), m),
        _opt("ffv", ffv),
        st.builds(lambda v: {"bc": v}, tg3_bc) | st.builds(lambda v: {"sb": v}, tg3_sb),
        _opt("mgmt", mgmt),
    ),
    "qede": st.builds(lambda m, s: (f"mfw {m} storm {s}", {"mfw": m, "storm": s}), dec4, dec4)
    | st.builds(lambda m, s: (f"{m} {s}", {"mfw": m, "storm": s}), dec4, dec4)
    | st.builds(lambda b, m: (f"mbi {b} [mfw {m}]", {"mbi": b, "mfw": m}), dec3, dec4),
    "dotted": st.builds(
        lambda v, f: (
            v if f is None else f"{v} [{f}]",
            _merge({"version": v}, {"flash": f} if f else {}),
        ),
        var_dotted,
        var_dotted | st.none(),
    ),
    "driver": st.builds(lambda v: (v, {"version": v}), vendor_driver)
    | st.builds(lambda k: (k, {"kernel": k}), kernel.filter(lambda k: "-" in k))
    | st.builds(lambda v, s: (f"{v} [storm {s}]", {"version": v, "storm": s}), vendor_driver, dec4),
}


def test_every_format_has_a_round_trip_generator():
    assert set(RAW) | {"kernel-release"} == set(versions.FORMATS)


@pytest.mark.parametrize("fmt", sorted(RAW))
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_generated_strings_round_trip_through_parse(fmt, data):
    raw, components = data.draw(RAW[fmt])
    assert versions.parse(raw, fmt) == components
    for name, text in components.items():
        if versions.is_ordered(fmt, name):
            versions.sort_key(fmt, name, text)  # every ordered part of a parse has a key


@settings(max_examples=200, deadline=None)
@given(release=kernel)
def test_kernel_releases_round_trip(release):
    parts = versions.parse(release, "kernel-release")
    assert parts["release"] == release
    assert release.startswith(parts["upstream"])
    assert versions.is_kernel_release(release, release)


@settings(max_examples=300, deadline=None)
@given(raw=st.text(max_size=40), fmt=st.sampled_from(versions.FORMATS))
def test_arbitrary_text_parses_or_raises_version_error_quoting_it(raw, fmt):
    try:
        versions.parse(raw, fmt)
    except versions.VersionError as err:
        assert repr(raw) in str(err)
