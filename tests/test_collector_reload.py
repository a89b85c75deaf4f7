"""Profiles and waivers reload on a running `hwcheck serve` without a restart: a changed
profile file judges the next submission (the verdict `check --inventory` gives with the new
file), a profile that fails to load keeps the previous set in force and is reported in
/readyz, /metrics and the log, and fixing it is taken up again."""

from __future__ import annotations

import json
import os
import time

import httpx
from collectorproc import Collector
from prometheus_client.parser import text_string_to_metric_families
from runcli import NO_CACHE, run_hwcheck, write_profile

HERE = os.path.dirname(os.path.abspath(__file__))
INVENTORY = os.path.join(HERE, "fixtures", "inventories", "virtio-vm.json")


def kernel_rule(minimum: str) -> str:
    return (
        "  - id: site.kernel\n    title: A recent kernel\n"
        f'    kernel: {{release: {{min: "{minimum}"}}}}\n'
    )


def inventory(hostname: str) -> bytes:
    with open(INVENTORY, encoding="utf-8") as handle:
        document = json.load(handle)
    document["host"]["hostname"] = hostname
    return json.dumps(document).encode()


def check_verdict(profile: str) -> tuple[str, int]:
    done = run_hwcheck(
        "check",
        "--inventory",
        INVENTORY,
        "--profile",
        profile,
        "--no-html",
        "--json",
        "-",
        env=NO_CACHE,
    )
    return json.loads(done.stdout)["verdict"], done.returncode


def wait_for(client, predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = client.get("/readyz").json()
        if predicate(ready["profiles"]):
            return ready["profiles"]
        time.sleep(0.1)
    raise AssertionError(f"profiles never changed: {ready}")


def test_a_changed_profile_is_used_without_a_restart(tmp_path):
    profile = write_profile(tmp_path, "site", kernel_rule("1.0"), "ignore")
    with Collector(profiles=[profile]) as c, httpx.Client(base_url=c.url) as client:
        enroll = {**c.auth("enroll"), "Content-Type": "application/json"}

        def judged(hostname: str) -> tuple[str, int]:
            answer = client.post("/api/v1/submissions", content=inventory(hostname), headers=enroll)
            assert answer.status_code == 200, answer.text
            return answer.json()["verdict"], answer.json()["exit_code"]

        assert judged("before") == check_verdict(profile) == ("compliant", 0)
        pid = c.process.pid
        write_profile(tmp_path, "site", kernel_rule("99.0"), "ignore")
        state = wait_for(client, lambda p: p["generation"] == 2)
        assert state["error"] is None
        assert judged("after") == check_verdict(profile) == ("noncompliant", 1)
        assert c.process.pid == pid and c.running  # no restart

        # a profile that does not load: the previous set stays in force, and says why
        with open(profile, "a", encoding="utf-8") as handle:
            handle.write("  - id: [this is not a rule\n")
        state = wait_for(client, lambda p: p["error"] is not None)
        assert state["generation"] == 2
        assert state["error"].startswith(profile)
        assert judged("while-broken") == ("noncompliant", 1)
        metrics = client.get("/metrics", headers=c.auth("read")).text
        failed = {
            s.name: s.value for f in text_string_to_metric_families(metrics) for s in f.samples
        }
        assert failed["hwcheck_collector_profile_reload_failed"] == 1
        assert failed["hwcheck_collector_profile_generation"] == 2
        assert "profiles not reloaded, generation 2 stays in force: " + profile in c.log()

        write_profile(tmp_path, "site", kernel_rule("1.0"), "ignore")
        state = wait_for(client, lambda p: p["error"] is None and p["generation"] == 3)
        assert judged("fixed") == ("compliant", 0)


def test_a_changed_waiver_file_is_used_without_a_restart(tmp_path):
    profile = write_profile(tmp_path, "site", kernel_rule("99.0"), "ignore")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("hwcheck_waivers: 1\nwaivers: []\n")
    with (
        Collector(profiles=[profile], waivers=str(waivers)) as c,
        httpx.Client(base_url=c.url) as client,
    ):
        enroll = {**c.auth("enroll"), "Content-Type": "application/json"}
        first = client.post("/api/v1/submissions", content=inventory("w1"), headers=enroll).json()
        assert first["verdict"] == "noncompliant"
        waivers.write_text(
            "hwcheck_waivers: 1\nwaivers:\n  - rule: site.kernel\n    scope: {node: w2}\n"
            "    justification: Kernel update scheduled.\n    expires: 2099-12-31\n"
        )
        wait_for(client, lambda p: p["generation"] == 2)
        second = client.post("/api/v1/submissions", content=inventory("w2"), headers=enroll).json()
        assert second["verdict"] == "compliant"
        assert second["counts"]["waived"] == 1
