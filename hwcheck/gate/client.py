"""One submission to the collector: an HTTP/1.1 POST, retried with backoff until a deadline.

`post()` sends the gzip inventory to `URL/api/v1/submissions` with the enrollment token as
`Authorization: Bearer`, and returns the collector's verdict answer. It retries what may
pass on its own (a refused or reset connection, a timeout, 5xx, 408 and 429) with
exponential backoff and full jitter (a wait drawn from 0 to min(30 s, 1 s * 2**attempt), so
that a rack powered on at once spreads out), never waiting less than a `Retry-After` asks,
and gives up at the deadline (Unreachable). Every socket operation's timeout is the time
left, so an attempt cannot outlive the deadline either (name resolution excepted: the
resolver's own timeouts apply). A refusal that a retry cannot change (another 4xx, a
redirect, a certificate that does not verify) is Refused, with the collector's sentence.

Why not urllib or http.client: importing either costs about 20 ms (email, ssl, socket's
enums), more than twice what starting the interpreter costs, and a ramdisk's gate runs on
every boot. This module speaks the one exchange it needs over the `_socket` C module
(`Connection: close`, a body of known length out; `Content-Length`, chunked or
read-to-close in), and loads `ssl` only for an https:// URL. No proxy is used.
"""

from __future__ import annotations

import time

from hwcheck import __version__
from hwcheck.status import VERDICT_EXITS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from _socket import socket as _Socket  # noqa: N812
    from collections.abc import Callable
    from typing import Any

BASE_DELAY = 1.0
MAX_DELAY = 30.0
ATTEMPT_TIMEOUT = 60.0
MAX_HEADER_BYTES = 64 * 1024
MAX_ANSWER_BYTES = 8 * 1024 * 1024
RETRY_STATUSES = (408, 429)


class Reply:
    """A collector's HTTP answer."""

    __slots__ = ("body", "headers", "reason", "status")

    def __init__(self, status: int, reason: str, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body


class Refused(Exception):  # noqa: N818 - what happened, not a kind of error
    """The collector refused the submission for good: retrying cannot change its answer."""

    def __init__(self, sentence: str, status: int | None = None) -> None:
        super().__init__(sentence)
        self.sentence = sentence
        self.status = status


class Unreachable(Exception):  # noqa: N818
    """No answer before the deadline; `reason` is the last attempt's failure."""

    def __init__(self, reason: str, attempts: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts


class Target:
    """Where to post: scheme, host, port, request path and the Host header."""

    __slots__ = ("host", "host_header", "path", "port", "tls")

    def __init__(self, url: str) -> None:
        scheme, _, rest = url.partition("://")
        self.tls = scheme.lower() == "https"
        authority, slash, path = rest.partition("/")
        self.path = slash + path if slash else "/"
        if "@" in authority:
            raise ValueError("a collector URL carries no user name or password")
        port_text = ""
        if authority.startswith("["):  # an IPv6 literal: [::1]:8740
            host, _, after = authority[1:].partition("]")
            if after.startswith(":"):
                port_text = after[1:]
            elif after:
                raise ValueError(f"not a host and port: {authority!r}")
        else:
            host, _, port_text = authority.partition(":")
        if not host:
            raise ValueError(f"no host in {authority!r}")
        if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
            raise ValueError(f"not a port number: {port_text!r}")
        self.host = host
        self.port = int(port_text) if port_text else (443 if self.tls else 80)
        self.host_header = authority


def request_head(target: Target, token: str, length: int) -> bytes:
    lines = (
        f"POST {target.path} HTTP/1.1",
        f"Host: {target.host_header}",
        f"User-Agent: hwcheck-gate/{__version__}",
        f"Authorization: Bearer {token}",
        "Content-Type: application/json",
        "Content-Encoding: gzip",
        f"Content-Length: {length}",
        "Accept: application/json",
        "Connection: close",
    )
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


class _Exchange:
    """One connection, one request, one answer, every operation bounded by `end`."""

    def __init__(self, target: Target, ca: str | None, end: float) -> None:
        self.end = end
        self.sock = _connect(target, ca, self._left())
        self.buf = b""

    def _left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        return left

    def send(self, data: bytes) -> None:
        self.sock.settimeout(self._left())
        self.sock.sendall(data)

    def _more(self) -> bool:
        self.sock.settimeout(self._left())
        chunk = self.sock.recv(65536)
        self.buf += chunk
        return bool(chunk)

    def head(self) -> tuple[int, str, dict[str, str]]:
        while True:
            while b"\r\n\r\n" not in self.buf:
                if len(self.buf) > MAX_HEADER_BYTES:
                    raise ProtocolError("the answer's headers are too long")
                if not self._more():
                    raise ConnectionResetError("the collector closed the connection")
            raw, self.buf = self.buf.split(b"\r\n\r\n", 1)
            lines = raw.decode("latin-1").split("\r\n")
            version, _, rest = lines[0].partition(" ")
            code, _, reason = rest.partition(" ")
            if not version.startswith("HTTP/1.") or not (code.isdigit() and len(code) == 3):
                raise ProtocolError(f"not an HTTP answer: {lines[0][:80]!r}")
            status = int(code)
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, colon, value = line.partition(":")
                if colon:
                    headers[name.strip().lower()] = value.strip()
            if status >= 200:  # 1xx: an interim answer; the real one follows
                return status, reason, headers

    def body(self, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._chunked()
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit() or int(length) > MAX_ANSWER_BYTES:
                raise ProtocolError(f"unexpected Content-Length: {length[:40]!r}")
            while len(self.buf) < int(length):
                if not self._more():
                    raise ConnectionResetError("the answer was cut short")
            return self.buf[: int(length)]
        while self._more():
            if len(self.buf) > MAX_ANSWER_BYTES:
                raise ProtocolError("the answer is too long")
        return self.buf

    def _chunked(self) -> bytes:
        out = b""
        while True:
            while b"\r\n" not in self.buf:
                if len(self.buf) > MAX_HEADER_BYTES or not self._more():
                    raise ProtocolError("a chunked answer was cut short")
            size_line, self.buf = self.buf.split(b"\r\n", 1)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ProtocolError("a chunked answer is malformed") from None
            if size == 0:
                return out
            if len(out) + size > MAX_ANSWER_BYTES:
                raise ProtocolError("the answer is too long")
            while len(self.buf) < size + 2:
                if not self._more():
                    raise ProtocolError("a chunked answer was cut short")
            out += self.buf[:size]
            self.buf = self.buf[size + 2 :]

    def close(self) -> None:
        self.sock.close()


class ProtocolError(OSError):
    """The peer does not speak HTTP/1.1 as a collector does."""


def _connect(target: Target, ca: str | None, timeout: float) -> _Socket:
    import _socket

    last: OSError | None = None
    end = time.monotonic() + timeout
    infos = _resolve(target, timeout)
    for family, kind, proto, _, address in infos:
        sock = _socket.socket(family, kind, proto)
        try:
            sock.settimeout(max(end - time.monotonic(), 0.001))
            sock.connect(address)
        except OSError as err:
            sock.close()
            last = err
            continue
        sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        if target.tls:
            return _tls(sock, target, ca)
        return sock
    raise last or OSError(f"no address for {target.host}")


def _resolve(target: Target, timeout: float) -> list[tuple[Any, ...]]:
    """The addresses of the collector's host, within `timeout` seconds: an address written
    in the URL is taken as it is; a name is looked up in a thread that is given up on after
    `timeout` (the resolver's own timeouts, 5 s times its attempts per server, could
    otherwise outlast the gate's deadline). OSError: no answer, or no such name."""
    import _socket

    # An ASCII name as bytes: a str would load the idna codec (3 ms) to encode it.
    host: str | bytes = target.host.encode("ascii") if target.host.isascii() else target.host
    try:
        return _socket.getaddrinfo(
            host, target.port, 0, _socket.SOCK_STREAM, 0, _socket.AI_NUMERICHOST
        )
    except _socket.gaierror:
        pass  # a name, not an address
    import threading

    answer: list[object] = []

    def look_up() -> None:
        try:
            answer.append(_socket.getaddrinfo(host, target.port, 0, _socket.SOCK_STREAM))
        except OSError as err:
            answer.append(err)

    thread = threading.Thread(target=look_up, name="hwcheck-gate-resolve", daemon=True)
    thread.start()
    thread.join(max(timeout, 0.001))
    if not answer:
        raise OSError(f"cannot resolve {target.host}: no answer within {timeout:.1f} s")
    found = answer[0]
    if isinstance(found, OSError):
        reason = found.args[-1] if isinstance(found, _socket.gaierror) else found
        raise OSError(f"cannot resolve {target.host}: {reason}")
    return found  # type: ignore[return-value]


def _tls(raw: _Socket, target: Target, ca: str | None) -> _Socket:
    import socket
    import ssl

    try:
        context = ssl.create_default_context(cafile=ca)
    except (OSError, ssl.SSLError) as err:
        raw.close()
        raise Refused(f"cannot use the CA file {ca}: {err}") from None
    sock = socket.socket(fileno=raw.detach())
    sock.settimeout(raw.gettimeout())
    try:
        return context.wrap_socket(sock, server_hostname=target.host)
    except ssl.SSLCertVerificationError as err:
        sock.close()
        raise Refused(
            f"the collector's certificate does not verify: {err.verify_message} "
            "(give its CA with --ca)"
        ) from None
    except BaseException:
        sock.close()
        raise


def exchange(target: Target, token: str, body: bytes, ca: str | None, end: float) -> Reply:
    """One attempt: connect, send, read the whole answer, close."""
    conn = _Exchange(target, ca, end)
    try:
        conn.send(request_head(target, token, len(body)) + body)
        status, reason, headers = conn.head()
        return Reply(status, reason, headers, conn.body(headers))
    finally:
        conn.close()


def backoff(attempt: int, draw: Callable[[], float]) -> float:
    """The wait before retry number `attempt` (0 for the first): full jitter over
    [0, min(MAX_DELAY, BASE_DELAY * 2**attempt)); `draw` gives a number in [0, 1)."""
    return draw() * min(MAX_DELAY, BASE_DELAY * float(1 << min(attempt, 30)))


def retry_after(value: str | None, now: float) -> float:
    """Seconds a `Retry-After` header asks to wait (delta-seconds or an HTTP date); 0 when
    absent or unreadable."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return 0.0
    return max(0.0, when - now)


def post(
    url: str,
    body: bytes,
    *,
    token: str,
    ca: str | None,
    deadline: float,
    on_retry: Callable[[str, float], None] | None = None,
) -> Reply:
    """POST `body` (gzip JSON) until a 2xx answer (returned), a refusal (Refused), or
    `deadline` (a time.monotonic() instant) passes (Unreachable)."""
    target = Target(url)
    draw: Callable[[], float] | None = None
    attempt = 0
    while True:
        end = min(deadline, time.monotonic() + ATTEMPT_TIMEOUT)
        wait = 0.0
        try:
            reply = exchange(target, token, body, ca, end)
        except Refused:
            raise
        except OSError as err:  # refused, reset, timed out, unresolvable, not HTTP
            reason = _describe(err)
        else:
            if 200 <= reply.status < 300:
                return reply
            reason = f"HTTP {reply.status}: {error_sentence(reply)}"
            if reply.status < 500 and reply.status not in RETRY_STATUSES:
                raise Refused(error_sentence(reply), reply.status)
            wait = retry_after(reply.headers.get("retry-after"), time.time())
        if draw is None:
            import random

            draw = random.SystemRandom().random  # os.urandom: no two nodes share a seed
        wait = max(wait, backoff(attempt, draw))
        attempt += 1
        left = deadline - time.monotonic()
        if left <= 0.05:
            raise Unreachable(reason, attempt)
        wait = min(wait, left)
        if on_retry is not None:
            on_retry(reason, wait)
        time.sleep(wait)
        if deadline - time.monotonic() <= 0.05:
            raise Unreachable(reason, attempt)


def _describe(err: OSError) -> str:
    if isinstance(err, TimeoutError) or type(err).__name__ == "timeout":
        return "timed out"
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if err.strerror:
        return err.strerror[0].lower() + err.strerror[1:]
    return str(err) or type(err).__name__


def error_sentence(reply: Reply) -> str:
    """The collector's one sentence (`{"error": ...}`), or what the answer was."""
    try:
        doc = loads(reply.body)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("error"), str):
        return str(doc["error"])
    where = reply.headers.get("location")
    if 300 <= reply.status < 400 and where:
        return f"the collector answered a redirect to {where}; give that URL instead"
    return f"the collector answered {reply.status} {reply.reason}".rstrip()


def loads(data: bytes) -> object:
    """A JSON document, through CPython's C scanner: `json` itself costs `re` (about 5 ms
    of a gate's start-up). ValueError when it is not one JSON value."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"not UTF-8: {err}") from None
    try:
        from _json import make_scanner
    except ImportError:  # pragma: no cover - interpreters without CPython's C scanner
        import json

        return json.loads(text)
    scan = make_scanner(_ScanContext())  # type: ignore[arg-type]
    start = _skip_space(text, 0)
    try:
        value, end = scan(text, start)
    except StopIteration:
        raise ValueError("not JSON") from None
    except RecursionError:
        raise ValueError("JSON nested too deep") from None
    if _skip_space(text, end) != len(text):
        raise ValueError("extra data after the JSON value")
    return value


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


class _ScanContext:
    """What json.JSONDecoder hands the C scanner, for strict standard JSON."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = staticmethod(_constant)
    memo: dict[str, str]

    def __init__(self) -> None:
        self.memo = {}


def verdict_answer(reply: Reply) -> dict[str, object]:
    """The collector's verdict answer, checked: a `hwcheck-verdict` whose exit code is its
    verdict's. Refused when it is anything else: a gate that cannot read the verdict must
    not pass the node."""
    try:
        doc = loads(reply.body)
    except ValueError as err:
        raise Refused(f"the collector's answer is not JSON ({err})", reply.status) from None
    if not isinstance(doc, dict) or doc.get("kind") != "hwcheck-verdict":
        raise Refused("the collector's answer is not a hwcheck verdict", reply.status)
    verdict, code = doc.get("verdict"), doc.get("exit_code")
    exits = VERDICT_EXITS.get(verdict) if isinstance(verdict, str) else None
    if exits is None or isinstance(code, bool) or code not in exits:
        raise Refused(
            f"the collector's answer has verdict {verdict!r} with exit code {code!r}", reply.status
        )
    return doc
