"""The collector's HTTP API and pages: a Starlette application over one store.

`create_app(settings)` builds it; `create_app_from_env()` is the factory each of several
uvicorn worker processes imports (the settings travel in HWCHECK_SERVE_SETTINGS, tokens
never: each worker reads its token files and the environment itself).

A submission is read (limits, gzip), checked and judged in the request (submission.py),
handed to the store's GroupWriter and answered only once its batch committed: a 2xx means
the submission is on disk. Reads run in threads, off the event loop. Every refusal is JSON
`{"error": "One sentence."}` with a 4xx (a 503 when the store cannot take it).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import time
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hwcheck.collector.submission import MAX_BODY, RequestError, judge_submission, sentence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping

    from hwcheck.collector.auth import Tokens
    from hwcheck.collector.profiles import Generation, ProfileSet
    from hwcheck.collector.store import NodeSummary, Store
    from hwcheck.collector.store.writer import GroupWriter
    from hwcheck.fleet.nodes import Outcome

    Scope = MutableMapping[str, object]
    Message = MutableMapping[str, object]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]
    ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOG = logging.getLogger("hwcheck.serve")

SETTINGS_ENV = "HWCHECK_SERVE_SETTINGS"
"""The environment variable that hands the settings (JSON, no tokens) to worker processes."""
API = "/api/v1"
JSON_TYPES = ("application/json",)
GZIP_ENCODINGS = ("gzip", "x-gzip")
HTML_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
VERDICTS = ("compliant", "noncompliant", "unknown", "error")
MAX_LIMIT = 10_000


@dataclass
class Settings:
    """What a collector process is started with (all but the tokens themselves)."""

    store_url: str
    token_files: dict[str, list[str]] = field(default_factory=dict)  # role -> files
    profiles: list[str] | None = None
    profile_dirs: list[str] | None = None  # --profile-dir: added in front of the path
    profile_path: list[str] | None = None  # --profile-path: the path, replacing the default
    waivers: str | None = None
    strict: bool = False
    max_body: int = MAX_BODY
    max_concurrency: int = 1024
    body_timeout: float = 30.0
    cwd: str | None = None  # where relative paths were given

    def to_env(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_env(cls, text: str) -> Settings:
        return cls(**json.loads(text))


def load_tokens(settings: Settings) -> Tokens:
    """Every role's tokens: from its token files and its environment variable."""
    from hwcheck.collector.auth import ROLES, Tokens, env_tokens, read_token_file

    by_role: dict[str, list[str]] = {}
    for role in ROLES:
        tokens = env_tokens(role, os.environ)
        for path in settings.token_files.get(role, ()):
            tokens += read_token_file(path, f"--{role}-token-file")
        by_role[role] = tokens
    return Tokens(by_role)


class Collector:
    """One process's state: settings, tokens, profiles, the reading store and the writer."""

    def __init__(self, settings: Settings, tokens: Tokens, profiles: ProfileSet) -> None:
        self.settings = settings
        self.tokens = tokens
        self.profiles = profiles
        self.store: Store | None = None
        self.writer: GroupWriter | None = None
        self.dashboard: tuple[tuple[int, int, str], bytes] | None = None

    @property
    def reader(self) -> Store:
        if self.store is None:  # pragma: no cover - only before startup
            raise RequestError(503, "The collector is starting; try again shortly.", retry_after=1)
        return self.store


# ---- auth ---------------------------------------------------------------------------------


def _allow(request: Request, action: str, *, basic: bool = False) -> str:
    """The role of the request's token, when it may do `action`; RequestError (401/403) if not."""
    from hwcheck.collector.auth import MAY, credential

    collector: Collector = request.app.state.collector
    token = credential(request.headers.get("authorization"), basic=basic)
    challenge = 'Basic realm="hwcheck"' if basic else 'Bearer realm="hwcheck"'
    if token is None:
        raise _UnauthorizedError("No token given; send Authorization: Bearer TOKEN.", challenge)
    role = collector.tokens.role_of(token)
    if role is None:
        raise _UnauthorizedError("The token is not valid for this collector.", challenge)
    if role not in MAY[action]:
        wanted = {"submit": "an enrollment", "read": "a read", "admin": "an admin"}[action]
        held = {"enroll": "an enrollment", "read": "a read", "admin": "an admin"}[role]
        raise RequestError(403, f"This needs {wanted} token; {held} token may not do this.")
    return role


class _UnauthorizedError(RequestError):
    def __init__(self, message: str, challenge: str) -> None:
        super().__init__(401, message)
        self.challenge = challenge


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": sentence(message)}, status_code=status, headers=headers)


async def _on_refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestError)  # noqa: S101 - registered for RequestError only
    headers = {}
    if isinstance(exc, _UnauthorizedError):
        headers["WWW-Authenticate"] = exc.challenge
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    return _error(exc.status, exc.message, headers)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
    messages = {
        404: "There is nothing at this path.",
        405: f"This path does not take {request.method} requests.",
    }
    return _error(
        exc.status_code, messages.get(exc.status_code, str(exc.detail)), dict(exc.headers or {})
    )


async def _on_crash(request: Request, exc: Exception) -> Response:
    LOG.error("internal error answering %s %s", request.method, request.url.path, exc_info=exc)
    return _error(500, "The collector failed to answer; see its log.")


# ---- submissions --------------------------------------------------------------------------


async def _body(request: Request, limit: int, timeout: float) -> bytes:
    """The request body, refused past `limit` bytes (413) or when it takes longer than
    `timeout` seconds to arrive (408)."""
    length = request.headers.get("content-length")
    too_large = f"The request body is larger than {limit} bytes."
    if length is not None:
        if not length.isdigit():
            raise RequestError(400, "The Content-Length header is not a number.")
        if int(length) > limit:
            raise RequestError(413, too_large)
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise RequestError(413, too_large)
                chunks.append(chunk)
    except TimeoutError as err:
        raise RequestError(
            408, f"The request body did not arrive within {timeout:g} seconds."
        ) from err
    return b"".join(chunks)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def post_submission(request: Request) -> Response:
    from hwcheck.collector.store import StoreFull, StoreUnavailable
    from hwcheck.collector.submission import inflate

    _allow(request, "submit")
    collector: Collector = request.app.state.collector
    if _media_type(request) not in JSON_TYPES:
        raise RequestError(415, "A submission must be sent as Content-Type: application/json.")
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in (*GZIP_ENCODINGS, "identity", ""):
        raise RequestError(415, f"Content-Encoding {encoding!r} is not accepted; use gzip or none.")
    settings = collector.settings
    try:
        body = await _body(request, settings.max_body, settings.body_timeout)
    except ClientDisconnect:
        return Response(status_code=400)  # nobody is there to read it
    data = inflate(body) if encoding in GZIP_ENCODINGS else body
    received_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    sub = judge_submission(data, collector.profiles.current, received_at=received_at)
    writer = collector.writer
    if writer is None:  # pragma: no cover - only before startup
        raise RequestError(503, "The collector is starting; try again shortly.", retry_after=1)
    try:
        stored = await asyncio.wrap_future(writer.submit(sub))
    except StoreFull as err:
        LOG.error("store full: %s", err)  # noqa: TRY400 - its one line says it
        raise RequestError(
            503, "The collector's store is full; try again later.", retry_after=30
        ) from err
    except StoreUnavailable as err:
        LOG.error("store unavailable: %s", err)  # noqa: TRY400 - its one line says it
        raise RequestError(
            503, "The collector's store cannot be reached; try again shortly.", retry_after=2
        ) from err
    headers = {"Idempotent-Replayed": "true"} if stored.duplicate else None
    return Response(stored.answer, media_type="application/json", headers=headers)


# ---- reads --------------------------------------------------------------------------------


def _summary(node: NodeSummary) -> dict[str, object]:
    from hwcheck.collector.submission import report_path

    row = dataclasses.asdict(node)
    row["profiles"] = list(node.profiles)
    row["report"] = report_path(node.node_key)
    return row


def _query(request: Request) -> object:
    from hwcheck.collector.store import NodeQuery

    params = request.query_params
    known = {"verdict", "model", "profile", "rule", "limit", "offset"}
    unknown = sorted(set(params) - known)
    if unknown:
        raise RequestError(
            400, f"Unknown query parameter {unknown[0]!r}; known: {', '.join(sorted(known))}."
        )
    verdict = params.get("verdict")
    if verdict is not None and verdict not in VERDICTS:
        raise RequestError(400, f"verdict must be one of {', '.join(VERDICTS)}; got {verdict!r}.")

    def number(name: str, default: int, low: int, high: int) -> int:
        text = params.get(name)
        if text is None:
            return default
        if not text.isdigit() or not low <= int(text) <= high:
            raise RequestError(
                400, f"{name} must be a whole number from {low} to {high}; got {text!r}."
            )
        return int(text)

    return NodeQuery(
        verdict=verdict,
        model=params.get("model") or None,
        profile=params.get("profile") or None,
        rule=params.get("rule") or None,
        limit=number("limit", 1000, 1, MAX_LIMIT),
        offset=number("offset", 0, 0, 10**12),
    )


async def list_nodes(request: Request) -> Response:
    _allow(request, "read")
    store = request.app.state.collector.reader
    query = _query(request)
    nodes = await run_in_threadpool(store.nodes, query)
    return JSONResponse(
        {
            "nodes": [_summary(n) for n in nodes],
            "count": len(nodes),
            "limit": query.limit,  # type: ignore[attr-defined]
            "offset": query.offset,  # type: ignore[attr-defined]
        }
    )


async def _node(request: Request) -> NodeSummary:
    key = request.path_params["node_key"]
    store = request.app.state.collector.reader
    node = await run_in_threadpool(store.node, key)
    if node is None:
        raise RequestError(404, f"No node {key!r} in the store.")
    return node  # type: ignore[no-any-return]


async def get_node(request: Request) -> Response:
    _allow(request, "read")
    return JSONResponse(_summary(await _node(request)))


async def get_history(request: Request) -> Response:
    _allow(request, "read")
    node = await _node(request)
    store = request.app.state.collector.reader
    entries = await run_in_threadpool(store.history, node.node_key, 1000)
    history = []
    for entry in entries:
        row = dataclasses.asdict(entry)
        row["profiles"] = list(entry.profiles)
        history.append(row)
    return JSONResponse({"node": node.node_key, "history": history})


async def _document(request: Request, which: str) -> bytes:
    node = await _node(request)
    store = request.app.state.collector.reader
    data = await run_in_threadpool(store.document, node.submission_id, which)
    if data is None:  # pragma: no cover - the store keeps both of every submission
        raise RequestError(404, f"The {which} of node {node.node_key!r} is not in the store.")
    return data  # type: ignore[no-any-return]


async def get_result(request: Request) -> Response:
    _allow(request, "read")
    return Response(await _document(request, "result"), media_type="application/json")


async def get_inventory(request: Request) -> Response:
    _allow(request, "read")
    return Response(await _document(request, "inventory"), media_type="application/json")


def _html(text: str) -> Response:
    return Response(text.encode("utf-8"), media_type="text/html", headers=HTML_HEADERS)


async def node_report(request: Request) -> Response:
    from hwcheck.model.summary import UNJUDGED_KIND

    _allow(request, "read", basic=True)
    node = await _node(request)
    store = request.app.state.collector.reader
    result_data = await run_in_threadpool(store.document, node.submission_id, "result")
    inventory_data = await run_in_threadpool(store.document, node.submission_id, "inventory")
    if result_data is None or inventory_data is None:  # pragma: no cover - stored together
        raise RequestError(404, f"The report of node {node.node_key!r} is not in the store.")
    result = json.loads(result_data)
    if result.get("kind") == UNJUDGED_KIND:
        raise RequestError(404, f"Node {node.node_key!r} was not judged: {result['error']}")
    html = await run_in_threadpool(_render_report, result, inventory_data)
    return _html(html)


def _render_report(result: dict[str, object], inventory_data: bytes) -> str:
    from hwcheck.render.html import render_html

    result["inventory"] = json.loads(inventory_data)
    return render_html(result)  # type: ignore[arg-type]


async def dashboard(request: Request) -> Response:
    _allow(request, "read", basic=True)
    collector: Collector = request.app.state.collector
    page = await run_in_threadpool(_dashboard, collector)
    return Response(page, media_type="text/html", headers=HTML_HEADERS)


def _dashboard(collector: Collector) -> bytes:
    """The fleet report (`hwcheck fleet`'s build and render) over every node's latest
    submission, taken as judged; rebuilt only when the store holds new submissions or the
    profiles changed."""
    from hwcheck.fleet.rollup import build_fleet, keep_newest
    from hwcheck.render.html import render_fleet_html
    from hwcheck.render.waivers import DEFAULT_EXPIRING_DAYS

    store = collector.reader
    generation = collector.profiles.current
    now = time.gmtime()
    today = time.strftime("%Y-%m-%d", now)
    # the day counts too: the waivers expiring soon are counted from today
    key = (store.submission_count(), generation.number, today)
    cached = collector.dashboard
    if cached is not None and cached[0] == key:
        return cached[1]
    judged_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", now)
    outcomes = [
        _outcome(node, result, generation) for node, result, _ in store.latest(with_inventory=False)
    ]
    kept, superseded = keep_newest(outcomes)
    fleet = build_fleet(
        kept,
        superseded,
        judged_at=judged_at,
        strict=generation.strict,
        rejudged=False,
        today=today,
        expiring_within=DEFAULT_EXPIRING_DAYS,
    )
    page = render_fleet_html(fleet).encode("utf-8")
    collector.dashboard = (key, page)
    return page


def _outcome(node: NodeSummary, result: bytes, generation: Generation) -> Outcome:
    """A stored node as the fleet's rollups take it: its result, read as `fleet` reads a
    result input (hwcheck.fleet.nodes), linked to its report page."""
    from hwcheck.fleet.nodes import Judging, judge_item
    from hwcheck.fleet.sources import Item

    key = node.node_key
    how = Judging(
        generation.selection,
        waivers=None,
        today="",
        judged_at="",
        strict=False,
        rejudge=False,
        reports=None,
    )
    outcome = judge_item(Item("json", key, path=key, data=result), how)
    if outcome.row["verdict"] != "error":
        outcome.row["report"] = f"nodes/{key}/report.html"
    return outcome


# ---- metrics, health, the API document ------------------------------------------------------


async def metrics(request: Request) -> Response:
    from hwcheck.collector.metrics import CONTENT_TYPE, exposition

    _allow(request, "read", basic=True)
    collector: Collector = request.app.state.collector
    text = await run_in_threadpool(exposition, collector)
    return Response(text, media_type=CONTENT_TYPE)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    from hwcheck.collector.store import StoreError

    collector: Collector = request.app.state.collector
    profiles = collector.profiles.state()
    store = collector.store
    if store is None or collector.writer is None:
        return JSONResponse(
            {"error": "The collector is starting.", "profiles": profiles}, status_code=503
        )
    try:
        await run_in_threadpool(store.ping)
    except StoreError as err:
        return JSONResponse(
            {"error": sentence(f"The store cannot be reached: {err}"), "profiles": profiles},
            status_code=503,
            headers={"Retry-After": "2"},
        )
    return JSONResponse({"status": "ready", "store": store.url, "profiles": profiles})


_HERE = os.path.dirname(__file__)
OPENAPI = (
    os.path.join(_HERE, "openapi.json")  # installed from a wheel
    if os.path.isfile(os.path.join(_HERE, "openapi.json"))
    else os.path.join(_HERE, "..", "..", "docs", "schema", "collector.openapi.json")  # a checkout
)
"""The API document: docs/schema/collector.openapi.json (a wheel carries it in the package)."""


async def openapi(request: Request) -> Response:
    with open(OPENAPI, "rb") as handle:
        return Response(handle.read(), media_type="application/json")


async def reload_profiles(request: Request) -> Response:
    _allow(request, "admin")
    collector: Collector = request.app.state.collector
    await run_in_threadpool(collector.profiles.refresh)
    state = collector.profiles.state()
    if state["error"] is not None:
        return JSONResponse(
            {"error": sentence(f"Profiles not reloaded: {state['error']}"), "profiles": state},
            status_code=422,
        )
    return JSONResponse({"status": "ok", "profiles": state})


# ---- the application ----------------------------------------------------------------------

ROUTES = [
    Route(f"{API}/submissions", post_submission, methods=["POST"]),
    Route(f"{API}/nodes", list_nodes, methods=["GET"]),
    Route(f"{API}/nodes/{{node_key:path}}/history", get_history, methods=["GET"]),
    Route(f"{API}/nodes/{{node_key:path}}/result", get_result, methods=["GET"]),
    Route(f"{API}/nodes/{{node_key:path}}/inventory", get_inventory, methods=["GET"]),
    Route(f"{API}/nodes/{{node_key:path}}", get_node, methods=["GET"]),
    Route(f"{API}/admin/reload", reload_profiles, methods=["POST"]),
    Route("/nodes/{node_key:path}/report.html", node_report, methods=["GET"]),
    Route("/", dashboard, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
]


class _Limit:
    """At most `limit` requests in progress in this process; past it, 503 with Retry-After
    (JSON, as every refusal), before anything of the request is read."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            body = json.dumps({"error": "The collector is busy; try again shortly."}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", b"1"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1


def create_app(
    settings: Settings, *, tokens: Tokens | None = None, profiles: ProfileSet | None = None
) -> Starlette:
    """The collector's application. Tokens and profiles are loaded now (a problem raises
    HwcheckError before anything listens); the store is opened at startup."""
    from hwcheck.collector.profiles import ProfileSet

    if settings.cwd is not None:
        os.chdir(settings.cwd)
    if tokens is None:
        tokens = load_tokens(settings)
    if profiles is None:
        profiles = ProfileSet(
            settings.profiles,
            settings.profile_dirs,
            settings.waivers,
            strict=settings.strict,
            profile_path=settings.profile_path,
        )
    collector = Collector(settings, tokens, profiles)
    from hwcheck.model import typeddecode

    typeddecode.enable()  # a collector reads many inventories: msgspec's one pass, if installed

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        from hwcheck.collector.store import open_store
        from hwcheck.collector.store.writer import GroupWriter

        url = settings.store_url
        collector.store = await run_in_threadpool(open_store, url)
        collector.writer = GroupWriter(lambda: open_store(url))
        import gc

        gc.freeze()  # what is loaded so far (profiles, modules) is never garbage
        # A parsed inventory is thousands of containers, freed whole when its request ends:
        # collect the youngest generation less often than every 700 allocations.
        gc.set_threshold(20_000, 20, 20)
        watcher = asyncio.create_task(_watch(collector.profiles))
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            writer, store = collector.writer, collector.store
            collector.writer = None
            await run_in_threadpool(writer.close)
            await run_in_threadpool(store.close)

    app = Starlette(
        routes=ROUTES,
        lifespan=lifespan,
        exception_handlers={
            RequestError: _on_refused,
            HTTPException: _on_http,
            Exception: _on_crash,
        },
    )
    app.state.collector = collector
    limited = _Limit(app, settings.max_concurrency)
    limited.state = app.state  # type: ignore[attr-defined]
    return limited  # type: ignore[return-value]


async def _watch(profiles: ProfileSet) -> None:
    """Look at the profile and waiver files once a second; reload when they changed."""
    from hwcheck.collector.profiles import CHECK_INTERVAL

    while True:
        await asyncio.sleep(CHECK_INTERVAL)
        try:
            await run_in_threadpool(profiles.refresh)
        except Exception:
            LOG.exception("profile watcher")


def create_app_from_env() -> Starlette:
    """The application of a worker process, from the settings in HWCHECK_SERVE_SETTINGS."""
    text = os.environ.get(SETTINGS_ENV)
    if text is None:
        raise RuntimeError(f"{SETTINGS_ENV} is not set")
    return create_app(Settings.from_env(text))
