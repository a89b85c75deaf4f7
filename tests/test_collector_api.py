"""The collector's API against a real `hwcheck serve` on loopback (tests/collectorproc.py),
over a real HTTP client: real fixture inventories (tests/fixtures/inventories, probed from the
captured hosts) get the verdict `hwcheck check --inventory` gives the same file with the same
profiles; a re-post is stored once and answered byte for byte the same; filters, history,
documents, the node report, the dashboard, metrics and health.
"""

from __future__ import annotations

import copy
import gzip
import json
import os

import httpx
import pytest
from collectorproc import Collector
from prometheus_client.parser import text_string_to_metric_families
from runcli import NO_CACHE, run_hwcheck

from hwcheck.render.words import plural

HERE = os.path.dirname(os.path.abspath(__file__))
INVENTORIES = os.path.join(HERE, "fixtures", "inventories")
HOSTS = sorted(f[:-5] for f in os.listdir(INVENTORIES) if f.endswith(".json"))
WAIVERS = os.path.join(HERE, "fixtures", "profiles", "waivers.yaml")
BACKENDS = ("sqlite", "postgresql")
pytest_plugins = ("pgcluster",)  # the `pgcluster` fixture (a private PostgreSQL)
JSON = {"Content-Type": "application/json"}


def inventory_bytes(host: str) -> bytes:
    with open(os.path.join(INVENTORIES, f"{host}.json"), "rb") as handle:
        return handle.read()


def store_url_for(request: pytest.FixtureRequest) -> str | None:
    if request.param == "sqlite":
        return None  # the helper's own SQLite file
    cluster = request.getfixturevalue("pgcluster")
    return str(cluster.new_database())


@pytest.fixture(scope="module", params=BACKENDS)
def server(request):
    """One collector with the shipped profiles and the fixture waivers, on each store."""
    url = store_url_for(request)
    with Collector(url, waivers=WAIVERS) as running:
        yield running


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as opened:
        yield opened


def post(client, server, data: bytes, *, role: str = "enroll", headers=None):
    return client.post(
        "/api/v1/submissions",
        content=data,
        headers={**server.auth(role), **JSON, **(headers or {})},
    )


def check(host: str) -> tuple[int, dict[str, object] | None, str]:
    """`hwcheck check --inventory` of a fixture with the server's waivers: exit code, the
    result (None when it judged nothing) and what it printed on stderr."""
    done = run_hwcheck(
        "check",
        "--inventory",
        os.path.join(INVENTORIES, f"{host}.json"),
        "--waivers",
        WAIVERS,
        "--no-html",
        "--json",
        "-",
        env=NO_CACHE,
    )
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout) if done.stdout else None, done.stderr


@pytest.mark.parametrize("host", HOSTS)
def test_each_fixture_gets_the_verdict_check_gives(server, client, host):
    code, result, stderr = check(host)
    answer = post(client, server, inventory_bytes(host))
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert got["kind"] == "hwcheck-verdict"
    assert got["schema_version"] == 1
    assert got["exit_code"] == code
    stored = client.get(f"/api/v1/nodes/{got['node']}", headers=server.auth("read"))
    assert stored.status_code == 200
    assert stored.json()["report"] == got["report"]
    if result is None:  # no profile applies: check exits 6 without a result, the fleet's error
        assert (got["verdict"], got["exit_code"], got["profiles"]) == ("error", 6, [])
        reason = stderr.split("error: ", 1)[1].split("; name one with --profile")[0]
        assert got["error"] == reason + "."
        assert stored.json()["verdict"] == "error"
        return
    assert got["verdict"] == result["verdict"]
    assert got["profiles"] == [use["name"] for use in result["profiles"]]
    assert got["counts"] == result["counts"]
    failed = [
        (f["rule_id"], f["status"], f["message"])
        for f in result["findings"]
        if f["status"] in ("fail", "unknown")
    ]
    assert [(f["rule"], f["status"], f["message"]) for f in got["failed"]] == failed
    assert got["hostname"] == result["node"]["hostname"]
    assert stored.json()["verdict"] == result["verdict"]


def test_a_repost_is_stored_once_and_answered_byte_for_byte_the_same(server, client):
    data = inventory_bytes("intel-x710-i40e")
    document = json.loads(data)
    document["host"]["hostname"] = "replayed-node"
    data = json.dumps(document).encode()
    first = post(client, server, data)
    assert first.status_code == 200
    assert "idempotent-replayed" not in first.headers
    total = _metric(client, server, "hwcheck_collector_submissions_total")
    again = post(client, server, data)
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    gzipped = post(client, server, gzip.compress(data), headers={"Content-Encoding": "gzip"})
    assert gzipped.content == first.content  # the digest is of the inflated body
    assert _metric(client, server, "hwcheck_collector_submissions_total") == total
    key = first.json()["node"]
    history = client.get(f"/api/v1/nodes/{key}/history", headers=server.auth("read")).json()
    assert [h["digest"] for h in history["history"]] == [first.json()["submission"]]


def test_gzip_bodies_are_judged_as_the_plain_ones(server, client):
    document = json.loads(inventory_bytes("mellanox-cx5-dell"))
    document["host"]["hostname"] = "gzipped-node"
    data = json.dumps(document).encode()
    answer = post(client, server, gzip.compress(data), headers={"Content-Encoding": "gzip"})
    assert answer.status_code == 200
    code, result, _ = check("mellanox-cx5-dell")
    assert result is not None
    assert (answer.json()["verdict"], answer.json()["exit_code"]) == (result["verdict"], code)
    key = answer.json()["node"]
    raw = client.get(f"/api/v1/nodes/{key}/inventory", headers=server.auth("read"))
    assert raw.content == data  # stored as inflated, byte for byte


def _node_named(client, server, hostname, base="intel-e810-ice", collected_at=None):
    document = json.loads(inventory_bytes(base))
    document["host"]["hostname"] = hostname
    if collected_at is not None:
        document["collected_at"] = collected_at
    answer = post(client, server, json.dumps(document).encode())
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_history_is_newest_first_and_the_latest_is_the_newest_collection(server, client):
    old = _node_named(client, server, "history-node", collected_at="2026-11-01T00:00:00Z")
    new = _node_named(client, server, "history-node", collected_at="2026-11-20T00:00:00Z")
    older = _node_named(client, server, "history-node", collected_at="2026-10-01T00:00:00Z")
    key = new["node"]
    assert old["node"] == key == older["node"]
    node = client.get(f"/api/v1/nodes/{key}", headers=server.auth("read")).json()
    assert node["collected_at"] == "2026-11-20T00:00:00Z"
    assert node["submissions"] == 3
    history = client.get(f"/api/v1/nodes/{key}/history", headers=server.auth("read")).json()
    assert len(history["history"]) == 3
    assert {h["digest"] for h in history["history"]} == {
        old["submission"],
        new["submission"],
        older["submission"],
    }
    inventory = client.get(f"/api/v1/nodes/{key}/inventory", headers=server.auth("read")).json()
    assert inventory["collected_at"] == "2026-11-20T00:00:00Z"


def test_result_is_the_judged_result_without_its_inventory(server, client):
    got = _node_named(client, server, "result-node", base="mellanox-cx5-dell")
    result = client.get(f"/api/v1/nodes/{got['node']}/result", headers=server.auth("read"))
    assert result.status_code == 200
    document = result.json()
    assert document["kind"] == "hwcheck-result"
    assert "inventory" not in document
    assert document["node"]["hostname"] == "result-node"
    assert document["verdict"] == got["verdict"]


def test_filters(server, client):
    failing = _node_named(client, server, "filter-failing", base="intel-x710-i40e")
    passing = _node_named(client, server, "filter-passing", base="intel-e810-ice")
    read = server.auth("read")

    def keys(**params):
        answer = client.get("/api/v1/nodes", params=params, headers=read)
        assert answer.status_code == 200, answer.text
        return {n["node_key"] for n in answer.json()["nodes"]}

    every = keys()
    assert {failing["node"], passing["node"]} <= every
    noncompliant = keys(verdict="noncompliant")
    assert failing["node"] in noncompliant
    assert passing["node"] not in noncompliant
    assert passing["node"] in keys(verdict="compliant")
    by_rule = keys(rule="intel.700.nvm")
    assert failing["node"] in by_rule
    assert passing["node"] not in by_rule
    by_profile = keys(profile="intel/800-series")
    assert passing["node"] in by_profile
    assert failing["node"] not in by_profile
    x710 = json.loads(inventory_bytes("intel-x710-i40e"))["cards"][0]
    model = ":".join(
        x710[k] for k in ("vendor_id", "device_id", "subsystem_vendor_id", "subsystem_device_id")
    )
    by_model = keys(model=model)
    assert failing["node"] in by_model
    assert passing["node"] not in by_model
    page = client.get("/api/v1/nodes", params={"limit": 1, "offset": 1}, headers=read).json()
    assert page["count"] == 1
    assert page["nodes"][0]["node_key"] == sorted(every)[1]
    bad = client.get("/api/v1/nodes", params={"verdict": "great"}, headers=read)
    assert bad.status_code == 400
    assert "verdict must be one of" in bad.json()["error"]
    assert client.get("/api/v1/nodes", params={"limit": "x"}, headers=read).status_code == 400


def test_unknown_node_is_a_404_with_a_sentence(server, client):
    answer = client.get("/api/v1/nodes/no-such-node/history", headers=server.auth("read"))
    assert answer.status_code == 404
    assert answer.json() == {"error": "No node 'no-such-node' in the store."}
    missing = client.get("/api/v1/nothing", headers=server.auth("read"))
    assert missing.status_code == 404
    assert list(missing.json()) == ["error"]


def test_the_node_report_is_checks_html_report(server, client, tmp_path):
    host = "intel-x710-i40e"
    got = post(client, server, inventory_bytes(host)).json()
    page = client.get(got["report"], headers=server.auth("read"))
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["x-content-type-options"] == "nosniff"
    stored = client.get(f"/api/v1/nodes/{got['node']}/result", headers=server.auth("read"))
    html = tmp_path / "check.html"
    path = os.path.join(INVENTORIES, f"{host}.json")
    done = run_hwcheck(
        "check", "--inventory", path, "--waivers", WAIVERS, "--html", str(html), "--json", "-"
    )
    assert done.returncode == 1
    checked = json.loads(done.stdout)["judged_at"]
    expected = html.read_text(encoding="utf-8").replace(checked, "JUDGED")
    assert page.text.replace(stored.json()["judged_at"], "JUDGED") == expected


def test_the_dashboard_is_the_fleet_report_over_the_store(server, client):
    got = _node_named(client, server, "dashboard-node", base="intel-x710-i40e")
    page = client.get("/", headers=server.auth("read"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "hwcheck fleet" in page.text or "fleet" in page.text.lower()
    assert f'"nodes/{got["node"]}/report.html"' in page.text
    nodes = client.get("/api/v1/nodes", headers=server.auth("read")).json()["count"]
    assert plural(nodes, "node") in page.text  # "1 node" when this test runs alone
    # the fleet's waivers expiring soon: the fixture waivers run to 2099 or ran out in 2001
    assert '<section id="expiring">' in page.text
    assert "No waiver in force expires within 14 days of" in page.text


def test_metrics_count_the_store(server, client):
    _node_named(client, server, "metrics-node", base="intel-x710-i40e")
    answer = client.get("/metrics", headers=server.auth("read"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    nodes = client.get("/api/v1/nodes", headers=server.auth("read")).json()["nodes"]
    by_verdict = {s.labels["verdict"]: s.value for s in families["hwcheck_collector_nodes"].samples}
    for verdict in ("compliant", "noncompliant", "unknown", "error"):
        assert by_verdict[verdict] == sum(1 for n in nodes if n["verdict"] == verdict)
    failing = {
        (s.labels["rule"], s.labels["status"]): s.value
        for s in families["hwcheck_collector_rule_nodes"].samples
    }
    rule_nodes = client.get(
        "/api/v1/nodes", params={"rule": "intel.700.nvm"}, headers=server.auth("read")
    ).json()["count"]
    assert failing[("intel.700.nvm", "fail")] == rule_nodes
    assert families["hwcheck_collector_store_up"].samples[0].value == 1
    assert families["hwcheck_collector_submissions"].type == "counter"
    assert families["hwcheck_collector_submissions"].samples[0].value >= len(nodes)
    assert families["hwcheck_collector_profile_generation"].samples[0].value >= 1
    assert families["hwcheck_collector_profile_reload_failed"].samples[0].value == 0
    names = {s.labels["name"] for s in families["hwcheck_collector_profile_info"].samples}
    assert "intel/700-series" in names


def _metric(client, server, name):
    text = client.get("/metrics", headers=server.auth("read")).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                return sample.value
    raise AssertionError(f"no metric {name}")


def test_health(server, client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    assert body["profiles"]["error"] is None
    assert "intel/700-series" in body["profiles"]["profiles"]
    assert "password" not in body["store"]


def test_an_inventory_with_a_changed_field_is_a_new_submission(server, client):
    document = json.loads(inventory_bytes("intel-e810-ice"))
    document["host"]["hostname"] = "changing-node"
    first = post(client, server, json.dumps(document).encode()).json()
    changed = copy.deepcopy(document)
    changed["collected_at"] = "2027-01-01T00:00:00Z"
    second = post(client, server, json.dumps(changed).encode())
    assert "idempotent-replayed" not in second.headers
    assert second.json()["submission"] != first["submission"]


# ---- the API document ---------------------------------------------------------------------

OPENAPI = os.path.join(os.path.dirname(HERE), "docs", "schema", "collector.openapi.json")


def api_document() -> dict:
    with open(OPENAPI, encoding="utf-8") as handle:
        return json.load(handle)


def validator_for(schema: dict):
    """A validator of `schema` whose references reach the API document's components and the
    inventory and result schemas (docs/schema/)."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = [("urn:hwcheck:openapi", Resource(api_document(), DRAFT202012))]
    for name in ("inventory.schema.json", "result.schema.json"):
        with open(os.path.join(os.path.dirname(OPENAPI), name), encoding="utf-8") as handle:
            document = json.load(handle)
        resources.append((document["$id"], Resource(document, DRAFT202012)))
    registry = Registry().with_resources(resources)
    wrapped = {"$id": "urn:hwcheck:openapi", **api_document(), "$ref": "#/$defs/target"}
    wrapped["$defs"] = {"target": schema}
    return jsonschema.Draft202012Validator(wrapped, registry=registry)


def component(name: str):
    return validator_for({"$ref": f"#/components/schemas/{name}"})


def test_the_served_api_document_is_the_committed_one(client):
    served = client.get("/openapi.json")
    assert served.status_code == 200
    with open(OPENAPI, "rb") as handle:
        assert served.content == handle.read()
    assert served.json()["openapi"] == "3.1.0"


def test_every_route_is_documented_and_every_documented_path_served():
    from starlette.routing import Route

    from hwcheck.collector.app import ROUTES

    served = {
        (r.path.replace(":path}", "}"), method.lower())
        for r in ROUTES
        if isinstance(r, Route)
        for method in r.methods or ()
        if method != "HEAD"
    }
    documented = {(path, method) for path, ops in api_document()["paths"].items() for method in ops}
    assert served == documented


def test_every_example_in_the_api_document_fits_its_schema():
    import jsonschema

    checked = 0
    for path, operations in api_document()["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                for media, content in response.get("content", {}).items():
                    jsonschema.Draft202012Validator.check_schema(content["schema"])
                    if "example" in content:
                        validator_for(content["schema"]).validate(content["example"])
                        checked += 1
                    assert media in ("application/json", "text/html", "text/plain"), (
                        path,
                        method,
                        status,
                    )
    assert checked >= 15


def test_real_answers_fit_the_api_document(server, client):
    read = server.auth("read")
    data = inventory_bytes("mellanox-cx5-dell")
    validator_for(
        api_document()["paths"]["/api/v1/submissions"]["post"]["requestBody"]["content"][
            "application/json"
        ]["schema"]
    ).validate(json.loads(data))
    answer = post(client, server, data)
    component("Verdict").validate(answer.json())
    unjudged = post(client, server, inventory_bytes("qlogic-qede"))
    component("Verdict").validate(unjudged.json())
    key = answer.json()["node"]
    component("NodeList").validate(client.get("/api/v1/nodes", headers=read).json())
    component("NodeSummary").validate(client.get(f"/api/v1/nodes/{key}", headers=read).json())
    component("History").validate(client.get(f"/api/v1/nodes/{key}/history", headers=read).json())
    result = client.get(f"/api/v1/nodes/{key}/result", headers=read).json()
    validator_for({"$ref": "https://hwcheck.invalid/schema/result.schema.json"}).validate(result)
    unjudged_result = client.get(
        f"/api/v1/nodes/{unjudged.json()['node']}/result", headers=read
    ).json()
    component("Unjudged").validate(unjudged_result)
    component("Ready").validate(client.get("/readyz").json())
    for refusal in (
        client.get("/api/v1/nodes", headers={}),
        client.get("/api/v1/nodes/nobody", headers=read),
        post(client, server, b"[]"),
        client.get("/api/v1/nodes", params={"limit": "0"}, headers=read),
    ):
        assert 400 <= refusal.status_code < 500
        component("Error").validate(refusal.json())
