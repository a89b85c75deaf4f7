"""Who may do what on a real `hwcheck serve`: no token or a wrong one is 401 and stores
nothing; a read token cannot post (403); an enrollment token cannot read nodes, reports,
the dashboard or metrics (403); pages take HTTP Basic (the token as password) so a browser
can log in; tokens never appear on a command line; token files others can read are refused;
with no token at all the server makes an enrollment and an admin token (0600)."""

from __future__ import annotations

import base64
import json
import os
import ssl
import stat
import subprocess
import sys

import httpx
import pytest
from collectorproc import ROOT, Collector, self_signed

HERE = os.path.dirname(os.path.abspath(__file__))
INVENTORY = os.path.join(HERE, "fixtures", "inventories", "intel-x710-i40e.json")
JSON = {"Content-Type": "application/json"}


def body(hostname: str) -> bytes:
    with open(INVENTORY, encoding="utf-8") as handle:
        document = json.load(handle)
    document["host"]["hostname"] = hostname
    return json.dumps(document).encode()


@pytest.fixture(scope="module")
def server():
    with Collector(workers=2) as running:
        yield running


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as opened:
        yield opened


def stored(client, server) -> int:
    nodes = client.get("/api/v1/nodes", headers=server.auth("admin"))
    assert nodes.status_code == 200
    return int(nodes.json()["count"])


def basic(token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"me:{token}".encode()).decode()}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token-of-this-server"},
        {"Authorization": "Bearer"},
        {"Authorization": "Token abc"},
    ],
    ids=["none", "wrong", "empty", "other-scheme"],
)
def test_no_or_wrong_token_is_401_and_nothing_is_stored(server, client, headers):
    before = stored(client, server)
    answer = client.post(
        "/api/v1/submissions", content=body("intruder"), headers={**JSON, **headers}
    )
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer realm="hwcheck"'
    assert list(answer.json()) == ["error"]
    assert answer.json()["error"].endswith(".")
    assert stored(client, server) == before
    listing = client.get("/api/v1/nodes", params={"verdict": "noncompliant"}, headers=headers)
    assert listing.status_code == 401


def test_a_token_differing_in_its_last_character_is_refused(server, client):
    token = server.enroll_token
    wrong = token[:-1] + ("0" if token[-1] != "0" else "1")
    answer = client.post(
        "/api/v1/submissions",
        content=body("near-miss"),
        headers={**JSON, "Authorization": f"Bearer {wrong}"},
    )
    assert answer.status_code == 401


def test_a_read_token_cannot_post(server, client):
    before = stored(client, server)
    answer = client.post(
        "/api/v1/submissions", content=body("read-poster"), headers={**JSON, **server.auth("read")}
    )
    assert answer.status_code == 403
    assert answer.json() == {
        "error": "This needs an enrollment token; a read token may not do this."
    }
    assert stored(client, server) == before


def test_an_enrollment_token_posts_but_cannot_read(server, client):
    posted = client.post(
        "/api/v1/submissions", content=body("enrolled"), headers={**JSON, **server.auth("enroll")}
    )
    assert posted.status_code == 200
    key = posted.json()["node"]
    enroll = server.auth("enroll")
    for path in (
        "/api/v1/nodes",
        f"/api/v1/nodes/{key}",
        f"/api/v1/nodes/{key}/history",
        f"/api/v1/nodes/{key}/result",
        f"/api/v1/nodes/{key}/inventory",
        f"/nodes/{key}/report.html",
        "/",
        "/metrics",
    ):
        answer = client.get(path, headers=enroll)
        assert answer.status_code == 403, path
        assert (
            answer.json()["error"]
            == "This needs a read token; an enrollment token may not do this."
        )
    reload = client.post("/api/v1/admin/reload", headers=enroll)
    assert reload.status_code == 403


def test_admin_may_post_read_and_reload(server, client):
    admin = server.auth("admin")
    posted = client.post("/api/v1/submissions", content=body("by-admin"), headers={**JSON, **admin})
    assert posted.status_code == 200
    assert client.get(f"/api/v1/nodes/{posted.json()['node']}", headers=admin).status_code == 200
    reload = client.post("/api/v1/admin/reload", headers=admin)
    assert reload.status_code == 200
    assert reload.json()["profiles"]["error"] is None
    assert client.post("/api/v1/admin/reload", headers=server.auth("read")).status_code == 403


def test_pages_take_basic_auth_and_ask_for_it(server, client):
    refused = client.get("/")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Basic realm="hwcheck"'
    assert client.get("/", headers=basic(server.read_token)).status_code == 200
    assert client.get("/", headers=basic("wrong-token-wrong-token")).status_code == 401
    assert client.get("/metrics", headers=basic(server.read_token)).status_code == 200
    # the JSON API takes Bearer only: a browser's stored Basic login does not reach it
    assert client.get("/api/v1/nodes", headers=basic(server.read_token)).status_code == 401


def test_health_and_the_api_document_need_no_token(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_tokens_are_on_no_command_line(server):
    pgid = server.process.pid
    tokens = (server.enroll_token, server.read_token, server.admin_token)
    found = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.getpgid(int(pid)) != pgid:
                continue
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                argv = handle.read().decode(errors="replace")
            with open(f"/proc/{pid}/environ", "rb") as handle:
                environ = handle.read().decode(errors="replace")
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
        found += 1
        for token in tokens:
            assert token not in argv
            assert token not in environ
    assert found >= 3  # the supervisor and its two workers


def serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hwcheck", "serve", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_world_readable_token_file_is_refused(tmp_path):
    path = tmp_path / "enroll.tokens"
    path.write_text("a-token-that-anyone-can-read\n")
    path.chmod(0o644)
    done = serve("--store", f"sqlite://{tmp_path}/c.db", "--enroll-token-file", str(path))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"hwcheck: error: {path}: is world-readable; a token file must not be (chmod o-r; "
        "given with --enroll-token-file)"
    )


def test_a_short_token_is_refused(tmp_path):
    done = serve("--store", f"sqlite://{tmp_path}/c.db", env={"HWCHECK_ENROLL_TOKENS": "short"})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "hwcheck: error: HWCHECK_ENROLL_TOKENS: a token must be at least 16 characters"
    )


def test_tokens_from_the_environment(tmp_path):
    token = "environment-enroll-token-0123456789"
    with Collector(env={"HWCHECK_ENROLL_TOKENS": f"{token}, second-token-0123456789"}) as c:
        answer = httpx.post(
            c.url + "/api/v1/submissions",
            content=body("from-env"),
            headers={**JSON, "Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200


def test_with_no_token_the_server_makes_its_own(tmp_path):
    state = tmp_path / "state"
    with Collector(
        "sqlite://" + str(state / "collector.db"),
        token_files=False,
        env={"HWCHECK_STATE_DIR": str(state)},
    ) as c:
        made = {}
        for role in ("enroll", "admin"):
            path = state / f"{role}.token"
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            made[role] = path.read_text().strip()
            assert f"made a new {role} token in {path}" in c.log()
        assert not (state / "read.token").exists()
        answer = httpx.post(
            c.url + "/api/v1/submissions",
            content=body("self-made"),
            headers={**JSON, "Authorization": f"Bearer {made['enroll']}"},
        )
        assert answer.status_code == 200
        nodes = httpx.get(
            c.url + "/api/v1/nodes", headers={"Authorization": f"Bearer {made['admin']}"}
        )
        assert nodes.json()["count"] == 1


def test_tls_serves_https_only(tmp_path):
    cert, key = self_signed(str(tmp_path))
    with Collector(tls=(cert, key)) as c:
        assert c.url.startswith("https://")
        with httpx.Client(verify=ssl.create_default_context(cafile=cert)) as client:
            answer = client.post(
                c.url + "/api/v1/submissions",
                content=body("over-tls"),
                headers={**JSON, **c.auth("enroll")},
            )
            assert answer.status_code == 200
            assert answer.json()["hostname"] == "over-tls"
        with pytest.raises(httpx.ConnectError):
            httpx.get(c.url + "/healthz")  # an unknown certificate is not trusted
        plain = "http://" + c.url.removeprefix("https://")
        with pytest.raises(httpx.HTTPError):
            httpx.get(plain + "/healthz")  # no plain HTTP on a TLS port


def test_tls_needs_both_the_cert_and_the_key(tmp_path):
    cert, _ = self_signed(str(tmp_path))
    done = serve("--store", f"sqlite://{tmp_path}/c.db", "--tls-cert", cert)
    assert done.returncode == 2
    assert (
        done.stderr.strip().splitlines()[-1]
        == "hwcheck: error: --tls-cert and --tls-key go together"
    )
