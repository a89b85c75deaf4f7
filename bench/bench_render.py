"""Report rendering speed and size: one node with 40 interfaces and 200 findings.

    .venv/bin/python bench/bench_render.py

Builds the node from the failing-node fixture (real NIC identities and firmware strings),
scaled to 20 dual-port cards, then renders it in-process: the first HTML render (template
compile included), the median of later renders, and the text, JSON and JUnit renderers.
Target: HTML well under 50 ms, the file under 300 KB. It also shows that the terminal, JSON
and JUnit paths never load jinja2.
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "results", "failing-node.json")
CARDS = 20
FINDINGS = 200


def big_result():
    with open(FIXTURE, encoding="utf-8") as handle:
        base = json.load(handle)
    inventory = base["inventory"]
    templates = list(inventory["cards"])
    nic_by_name = {n["name"]: n for n in inventory["nics"]}
    nics, cards = [], []
    for i in range(CARDS):
        card = copy.deepcopy(templates[i % len(templates)])
        bus = f"0000:{0x10 + i:02x}:00"
        ports = []
        for fn, port in enumerate(card["ports"]):
            nic = copy.deepcopy(nic_by_name[port])
            nic["name"] = f"ens{i + 1}f{fn}"
            nic["pci_address"] = f"{bus}.{fn}"
            nic["card"] = bus
            nic["bus_info"] = nic["pci_address"]
            nics.append(nic)
            ports.append(nic["name"])
        card.update(card=bus, ports=ports, functions=[f"{bus}.{fn}" for fn in range(len(ports))])
        cards.append(card)
    inventory["nics"], inventory["cards"] = nics, cards
    findings = []
    for i in range(FINDINGS):
        finding = copy.deepcopy(base["findings"][i % len(base["findings"])])
        card = cards[i % CARDS]
        finding["rule_id"] = f"{finding['rule_id']}.{i}"
        if finding["subject"]["kind"] == "card":
            name = card["subsystem_name"] or card["device_name"]
            finding["subject"].update(
                id=card["card"],
                label=f"{name} ({', '.join(card['ports'])}) at {card['card']}",
                ports=card["ports"],
                pci_addresses=card["functions"],
            )
        findings.append(finding)
    base["findings"] = findings
    tally = {"pass": "passed", "fail": "failed", "warn": "warned"}
    base["counts"] = {
        key: sum(f["status"] == status for f in findings)
        for status, key in [*tally.items(), ("unknown", "unknown"), ("waived", "waived")]
    }
    return base


def timed(fn, result, runs):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        out = fn(result)
        samples.append(time.perf_counter() - start)
    return out, samples


def main():
    result = big_result()
    probe_only = (
        f"import sys; sys.path.insert(0, {ROOT!r})\n"
        "from hwcheck.render import text, json, junit\n"
        "print('jinja2' in sys.modules)\n"
    )
    loads_jinja = subprocess.run(
        [sys.executable, "-c", probe_only], capture_output=True, text=True, check=True
    ).stdout.strip()

    start = time.perf_counter()
    from hwcheck.render.html import render_html

    html_first = render_html(result)
    first = time.perf_counter() - start
    html, samples = timed(render_html, result, 30)

    from hwcheck.render.json import render_json
    from hwcheck.render.junit import render_junit
    from hwcheck.render.text import render_text

    _, text_samples = timed(lambda r: render_text(r, color=False), result, 30)
    js, json_samples = timed(render_json, result, 30)
    xml, junit_samples = timed(render_junit, result, 30)

    size = len(html.encode("utf-8"))
    median_ms = statistics.median(samples) * 1000
    print(
        f"node: {len(result['inventory']['nics'])} interfaces, {len(result['findings'])} findings"
    )
    print(f"html  first render in a process (jinja2 import, templates): {first * 1000:7.1f} ms")
    print(f"html  render, median of 30:                            {median_ms:7.1f} ms")
    print(f"html  size: {size / 1024:.0f} KB (limit 300 KB)")
    print(f"text  render, median of 30: {statistics.median(text_samples) * 1000:7.2f} ms")
    print(
        f"json  render, median of 30: {statistics.median(json_samples) * 1000:7.2f} ms "
        f"({len(js) / 1024:.0f} KB)"
    )
    print(
        f"junit render, median of 30: {statistics.median(junit_samples) * 1000:7.2f} ms "
        f"({len(xml) / 1024:.0f} KB)"
    )
    print(f"jinja2 loaded by the text/json/junit renderers: {loads_jinja}")
    assert html == html_first
    ok = median_ms < 50 and size < 300 * 1024 and loads_jinja == "False"
    print("within targets" if ok else "OUTSIDE TARGETS")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
