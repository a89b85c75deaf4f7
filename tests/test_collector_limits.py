"""What a real `hwcheck serve` refuses, and that a refusal stores nothing: bodies past the
limit and gzip bombs (413), what is not an inventory (422, with the sentence `check
--inventory` gives), wrong media types and encodings (415), broken gzip (400), a body that
does not arrive in time (408), more requests than the concurrency limit (503 with
Retry-After). Every refusal is JSON `{"error": "..."}`, one sentence."""

from __future__ import annotations

import gzip
import json
import os
import socket
import time
import zlib

import httpx
import pytest
from collectorproc import Collector
from runcli import run_hwcheck

HERE = os.path.dirname(os.path.abspath(__file__))
INVENTORY = os.path.join(HERE, "fixtures", "inventories", "intel-e810-ice.json")
RESULT = os.path.join(HERE, "fixtures", "results", "passing-vm.json")
JSON = {"Content-Type": "application/json"}
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def server():
    with Collector(args=("--body-timeout", "1")) as running:
        yield running


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=30) as opened:
        yield opened


def count(client, server) -> int:
    return int(client.get("/api/v1/nodes", headers=server.auth("read")).json()["count"])


def refused(client, server, content: bytes, status: int, headers=None) -> str:
    """Post `content`; assert it is refused with `status`, one sentence, nothing stored."""
    before = count(client, server)
    answer = client.post(
        "/api/v1/submissions",
        content=content,
        headers={**server.auth("enroll"), **JSON, **(headers or {})},
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    document = answer.json()
    assert list(document) == ["error"]
    message = document["error"]
    assert message.endswith(".")
    assert "\n" not in message
    assert count(client, server) == before
    return str(message)


def inventory() -> bytes:
    with open(INVENTORY, "rb") as handle:
        return handle.read()


def test_a_body_past_4_mib_is_413(server, client):
    message = refused(client, server, b" " * (4 * MiB + 1), 413)
    assert message == f"The request body is larger than {4 * MiB} bytes."


def test_a_gzip_bomb_is_413(server, client):
    bomb = gzip.compress(b" " * (17 * MiB), 9)
    assert len(bomb) < 64 * 1024
    message = refused(client, server, bomb, 413, {"Content-Encoding": "gzip"})
    assert message == "The gzip body inflates to more than 16 MiB."


def test_a_gzip_bomb_in_a_second_member_is_413(server, client):
    bomb = gzip.compress(inventory()) + gzip.compress(b" " * (17 * MiB), 9)
    refused(client, server, bomb, 413, {"Content-Encoding": "gzip"})


def test_a_body_that_is_exactly_an_inflated_inventory_is_accepted(server, client):
    data = json.loads(inventory())
    data["host"]["hostname"] = "limits-accepted"
    answer = client.post(
        "/api/v1/submissions",
        content=gzip.compress(json.dumps(data).encode()),
        headers={**server.auth("enroll"), **JSON, "Content-Encoding": "gzip"},
    )
    assert answer.status_code == 200


def test_truncated_and_broken_gzip_are_400(server, client):
    whole = gzip.compress(inventory())
    assert refused(client, server, whole[: len(whole) // 2], 400, {"Content-Encoding": "gzip"}) == (
        "The gzip body is truncated."
    )
    message = refused(client, server, b"not gzip at all", 400, {"Content-Encoding": "gzip"})
    assert message.startswith("The gzip body cannot be inflated: ")


def check_says(path: str) -> str:
    done = run_hwcheck("check", "--inventory", path, "--no-html")
    assert done.returncode == 2
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith(f"hwcheck: error: {path}: ")
    return line.removeprefix(f"hwcheck: error: {path}: ")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("not-json", b"{this is not json"),
        ("duplicate-keys", b'{"kind": "hwcheck-inventory", "kind": "hwcheck-inventory"}'),
        ("not-utf8", b'{"kind": "\xff"}'),
        ("array", b"[1, 2, 3]"),
        ("empty", b""),
        ("deep", b"[" * 100_000 + b"]" * 100_000),
        ("huge-integer", b'{"n": ' + b"9" * 5000 + b"}"),
    ],
)
def test_what_is_not_an_inventory_is_422_with_checks_sentence(
    server, client, tmp_path, name, content
):
    path = tmp_path / f"{name}.json"
    path.write_bytes(content)
    message = refused(client, server, content, 422)
    assert message == "submission: " + check_says(str(path)) + "."


def test_a_result_is_not_an_inventory(server, client):
    with open(RESULT, "rb") as handle:
        content = handle.read()
    message = refused(client, server, content, 422)
    assert message == "submission: " + check_says(RESULT) + "."
    assert "(a result: render it with `hwcheck report`)" in message


def test_an_inventory_with_a_wrong_type_is_422_naming_the_path(server, client, tmp_path):
    data = json.loads(inventory())
    data["nics"][0]["mtu"] = "nine thousand"
    content = json.dumps(data).encode()
    path = tmp_path / "wrong.json"
    path.write_bytes(content)
    message = refused(client, server, content, 422)
    assert message.startswith("submission: malformed inventory: $.nics[0].mtu: ")
    assert message == "submission: " + check_says(str(path)) + "."


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (
            {"Content-Type": "text/plain"},
            "A submission must be sent as Content-Type: application/json.",
        ),
        (
            {"Content-Type": "application/x-www-form-urlencoded"},
            "A submission must be sent as Content-Type: application/json.",
        ),
        ({"Content-Encoding": "br"}, "Content-Encoding 'br' is not accepted; use gzip or none."),
    ],
)
def test_wrong_media_type_or_encoding_is_415(server, client, headers, message):
    assert refused(client, server, inventory(), 415, headers) == message


def test_a_body_that_does_not_arrive_in_time_is_408(server, client):
    before = count(client, server)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\n"
            + f"Authorization: Bearer {server.enroll_token}\r\n".encode()
            + b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
        )
        started = time.monotonic()
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        waited = time.monotonic() - started
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert json.loads(payload) == {"error": "The request body did not arrive within 1 seconds."}
    assert 0.9 < waited < 5
    assert count(client, server) == before


def test_past_the_concurrency_limit_is_503_with_retry_after():
    with Collector(args=("--max-concurrency", "1", "--body-timeout", "5")) as c:
        with socket.create_connection(("127.0.0.1", c.port), timeout=10) as slow:
            slow.sendall(
                b"POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\n"
                + f"Authorization: Bearer {c.enroll_token}\r\n".encode()
                + b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
            )
            time.sleep(0.3)  # the slow request is in progress
            busy = httpx.get(c.url + "/healthz")
            assert busy.status_code == 503
            assert busy.headers["retry-after"] == "1"
            assert busy.json() == {"error": "The collector is busy; try again shortly."}
        time.sleep(0.3)
        for _ in range(50):  # the slow request ends with its connection
            if httpx.get(c.url + "/healthz").status_code == 200:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the slot was never given back")


def test_max_body_option_lowers_the_limit():
    data = inventory()
    with Collector(args=("--max-body", str(len(data) - 1))) as c:
        answer = httpx.post(
            c.url + "/api/v1/submissions",
            content=data,
            headers={**c.auth("enroll"), **JSON},
        )
        assert answer.status_code == 413
        small = zlib.compress(data)
        assert len(small) < len(data)
        answer = httpx.post(
            c.url + "/api/v1/submissions",
            content=gzip.compress(data),
            headers={**c.auth("enroll"), **JSON, "Content-Encoding": "gzip"},
        )
        assert answer.status_code == 200
