"""The HTML report as a document: self-contained, escaped, complete; default file names."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys

import pytest
from htmlpage import Page

from hwcheck.render import default_html_path, safe_filename_part
from hwcheck.render.html import render_html

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURES = os.path.join(HERE, "fixtures", "results")


def load(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def failing():
    return Page(render_html(load("failing-node.json")))


def test_verdict_is_the_first_thing_on_the_page(failing):
    body = failing.all_text()
    assert body.split("Node")[0].startswith(
        "NON-COMPLIANT · r640-compute-07.dc1.example.net · hwcheck report NON-COMPLIANT "
        "r640-compute-07.dc1.example.net At least one required rule failed: "
        "do not sign this node off. Exit code 1."
    )
    assert failing.tags[0][0] == "html"


def test_page_is_self_contained(failing):
    """Nothing is loaded from anywhere: no src, no stylesheet links, only in-page anchors or
    http(s) advisory links, which are navigation, not loads."""
    for tag, attrs in failing.tags:
        assert "src" not in attrs, (tag, attrs)
        if tag == "link":
            assert attrs == {"rel": "icon", "href": "data:,"}
        if tag == "a":
            assert attrs["href"].startswith(("#", "https://")), attrs
    assert [t for t, _ in failing.tags].count("script") == 1
    assert [t for t, _ in failing.tags].count("style") == 1


def test_content_security_policy_allows_exactly_our_script(failing):
    csp = next(a["content"] for t, a in failing.tags if t == "meta" and a.get("http-equiv"))
    assert "default-src 'none'" in csp
    ((_, script),) = failing.scripts
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp


def test_identity_profiles_counts_and_version(failing):
    text = failing.all_text()
    assert "System Dell Inc. PowerEdge R640" in text
    assert (
        "Serial permission-denied: /sys/class/dmi/id/product_serial: [Errno 13] "
        "Permission denied" in text
    )
    assert "BIOS Dell Inc. 2.19.1 06/13/2023" in text
    assert "Kernel 4.18.0-372.82.1.el8_6.x86_64 x86_64 (tainted: OE)" in text
    assert "OS Red Hat Enterprise Linux 8.6 (Ootpa)" in text
    assert "2 failed 1 unknown 2 warnings 1 waived 12 passed 4 gaps" in text
    assert "generic-linux 1.0 profiles/generic/linux.yaml" in text
    assert "Selected: named with --profile" in text
    assert "Judged 2026-11-24T14:02:12Z by hwcheck 0.1.0" in text


def nic_rows(html):
    table = html.split('<table class="nics">')[1].split("</table>")[0]
    return [Page(row.split(">", 1)[1]).all_text() for row in table.split("<tr")[2:]]


def test_nic_table_one_row_per_card_with_ports_ids_driver_firmware_status():
    rows = nic_rows(render_html(load("failing-node.json")))
    cards = [r for r in rows if r.split()[0] in ("PASS", "FAIL", "WAIVED", "UNKNOWN")]
    assert len(cards) == 5
    cx5 = next(r for r in cards if "ConnectX-5" in r)
    assert cx5.startswith("FAIL 2 findings Mellanox Technologies MT27800 Family [ConnectX-5]")
    assert "0000:5e:00 15b3:1017 sub 15b3:0080" in cx5
    assert "ens3f0np0 up 25 Gb/s 0c:42:a1:5e:00:10 “storage” ens3f1np1 up 25 Gb/s" in cx5
    assert "mlx5_core 24.10-1.1.4" in cx5
    assert "16.32.2004 (DEL0000000016) psid DEL0000000016 version 16.32.2004" in cx5
    bcm = next(r for r in cards if "BCM57414" in r)
    assert bcm.startswith("UNKNOWN")
    # the ports disagree: each value is shown with the port that reported it
    assert "ens4f0np0: bnxt_en 4.18.0-372.82.1.el8_6.x86_64 ens4f1np1: —" in bcm
    assert "ens4f1np1: not available" in bcm
    assert "ens4f1np1 down" in bcm
    others = [r for r in rows if r.startswith("not checked")]
    assert [r.split()[2] for r in others] == ["loopback", "Intel", "bridge"]
    vf = others[1]
    assert "Ethernet Adaptive Virtual Function SR-IOV VF of 0000:3b:00.0" in vf
    assert "ens1f0v0 up 100 Gb/s e2:4f:1c:08:5a:31" in vf  # not the all-zero permanent MAC
    assert vf.endswith("iavf 4.18.0-372.82.1.el8_6.x86_64 N/A")


def section(html, ident):
    return html.split(f'id="{ident}"')[1].split(">", 1)[1].split("</section>")[0]


def test_findings_grouped_failures_first_with_expected_observed_and_links():
    html = render_html(load("failing-node.json"))
    groups = re.findall(r'<section class="group" id="group-(\w+)"', html)
    assert groups == ["fail", "unknown", "warn", "waived", "pass"]
    fail = Page(section(html, "group-fail")).all_text()
    assert fail.startswith("FAIL Failed (2) FAIL error ConnectX-5 firmware minimum")
    assert (
        "Expected version >= 16.35.2000 Observed 16.32.2004 (DEL0000000016) from ethtool-ioctl"
        in fail
    )
    assert "Waiver Expired 2026-10-31; no longer waives." in fail
    assert "nvidia.cx5.firmware.min · layer nvidia-connectx of dc1-compute" in fail
    waived = Page(section(html, "group-waived")).all_text()
    assert "Waiver Until 2027-03-31. Storage vendor certifies 22.28 only" in waived
    assert 'href="https://network.nvidia.com/support/firmware/connectx5en/"' in html


def test_gaps_waiver_notes_and_inventory_are_present():
    text = Page(render_html(load("failing-node.json"))).all_text()
    assert "system.product_serial permission-denied sysfs" in text
    assert "waivers/dc1.yaml:12: waiver for nvidia.cx5.firmware.min expired on 2026-10-31" in text
    assert "The whole inventory (13 interfaces, 7 kernel modules)" in text
    assert "mlx5_core loaded 24.10-1.1.4 2B9C3E7D1F0A4B5C6D8E9F0" in text


def test_page_reads_without_script_filter_bar_is_hidden_until_the_script_shows_it():
    page = Page(render_html(load("failing-node.json")))
    (filters,) = [a for t, a in page.tags if a.get("id") == "filters"]
    assert "hidden" in filters
    hidden = [a for t, a in page.tags if "hidden" in a and a.get("id") != "filters"]
    assert hidden == []
    assert len([a for t, a in page.tags if t == "article"]) == 18


def test_passing_vm_without_dmi_or_modules():
    text = Page(render_html(load("passing-vm.json"))).all_text()
    assert text.startswith("COMPLIANT · vm · hwcheck report COMPLIANT vm The node matches")
    assert "System no DMI on this node" in text
    assert "This kernel has no loadable modules (monolithic kernel)." in text
    assert 'Firmware ""' not in text
    assert '"" (empty)' in text


def test_hostile_values_are_escaped_and_unsafe_links_are_text():
    html = render_html(load("hostile-node.json"))
    page = Page(html)
    assert [t for t, _ in page.tags].count("script") == 1
    assert [t for t, _ in page.tags].count("img") == 0
    assert [t for t, _ in page.tags].count("textarea") == 0
    assert all("onerror" not in a and "onmouseover" not in a for _, a in page.tags)
    text = page.all_text()
    assert '<script>window.__pwned="script"</script>' in text
    assert '"><img src=x onerror="window.__pwned=\'img\'">' in text
    assert '</textarea><script>window.__pwned="textarea"</script>' in text
    assert 'javascript:window.__pwned="href" (not an http/https link)' in text
    hrefs = [a["href"] for t, a in page.tags if t == "a"]
    assert not any("javascript" in h or "example.invalid" in h for h in hrefs)


def test_rendering_is_deterministic():
    result = load("failing-node.json")

    def reverse_keys(value):
        if isinstance(value, dict):
            return {k: reverse_keys(value[k]) for k in reversed(list(value))}
        if isinstance(value, list):
            return [reverse_keys(v) for v in value]
        return value

    assert render_html(result) == render_html(reverse_keys(result))


@pytest.mark.parametrize(
    ("hostname", "expected"),
    [
        (
            "r640-compute-07.dc1.example.net",
            "reports/r640-compute-07.dc1.example.net-20261124T140212Z.html",
        ),
        ("../../etc/<b>evil</b> -rf", "reports/etc__b_evil__b__-rf-20261124T140212Z.html"),
        ("-rf", "reports/rf-20261124T140212Z.html"),
        ("..", "reports/unknown-host-20261124T140212Z.html"),
        (None, "reports/unknown-host-20261124T140212Z.html"),
        ("nœud/1", "reports/n_ud_1-20261124T140212Z.html"),
    ],
)
def test_default_html_path_is_safe_for_any_hostname(hostname, expected):
    result = load("failing-node.json")
    result["inventory"]["host"]["hostname"] = hostname
    assert default_html_path(result) == expected


def test_safe_filename_part_is_bounded():
    assert len(safe_filename_part("a" * 500)) == 64


def test_renderers_load_only_what_they_need():
    """The terminal, JSON and JUnit paths never import jinja2; the package imports nothing."""
    code = (
        "import sys, json\n"
        "import hwcheck.render\n"
        "assert not [m for m in sys.modules if m.startswith('hwcheck.render.')], sys.modules\n"
        "from hwcheck.render import text, junit\n"
        "from hwcheck.render import json as rjson\n"
        "assert 'jinja2' not in sys.modules and 'typing' not in sys.modules\n"
        "from hwcheck.render import html\n"
        "assert 'jinja2' not in sys.modules  # not even on import: on first render\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
