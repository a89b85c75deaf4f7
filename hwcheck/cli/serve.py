"""`hwcheck serve`: the collector (hwcheck.collector) on uvicorn.

Wiring only: the options become Settings; tokens, profiles and the store are checked here,
before anything listens, so a problem is one line and exit 2; then uvicorn runs the
application in this process, or in N worker processes (`--workers`) that each build it from
the settings (handed over in the environment; tokens never travel on a command line).
"""

from __future__ import annotations

import argparse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.collector.app import Settings

DEFAULT_LISTEN = "127.0.0.1:8740"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve",
        help="run the collector: nodes post inventories, the server judges and stores them",
        description="Run the collector: nodes (`hwcheck gate`) post their inventories; the "
        "server judges each with its own profiles and waivers (exactly as `hwcheck check` "
        "would), stores inventory, result and history (SQLite by default, PostgreSQL for "
        "fleets), answers with the verdict, and serves the fleet dashboard, node reports, a "
        "JSON API and Prometheus metrics. Tokens come from files or the environment "
        "(HWCHECK_ENROLL_TOKENS, HWCHECK_READ_TOKENS, HWCHECK_ADMIN_TOKENS), never the command "
        "line. See docs/collector.md.",
    )
    p.add_argument(
        "--listen",
        default=DEFAULT_LISTEN,
        metavar="HOST:PORT",
        help=f"address to listen on (default {DEFAULT_LISTEN}; [::1]:PORT for IPv6)",
    )
    p.add_argument(
        "--store",
        metavar="URL",
        help="sqlite:///PATH.db or postgresql://USER@HOST/DB (default: a SQLite file in the "
        "state directory: $HWCHECK_STATE_DIR, /var/lib/hwcheck for root, else "
        "~/.local/state/hwcheck)",
    )
    for role, what in (
        ("enroll", "post submissions (what a PXE ramdisk holds)"),
        ("read", "read the dashboard, reports, API and metrics"),
        ("admin", "do both, and the admin endpoints"),
    ):
        p.add_argument(
            f"--{role}-token-file",
            action="append",
            metavar="FILE",
            help=f"tokens that may {what}: one a line, # comments; the file must not be "
            "world-readable (repeatable)",
        )
    from hwcheck.cli.check import add_judging_options

    add_judging_options(p, nodes="every node", strict="warnings fail nodes too")
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes (default: one per CPU this process may run on; each judges "
        "and commits on its own)",
    )
    p.add_argument("--tls-cert", metavar="FILE", help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", metavar="FILE", help="the certificate's private key (PEM)")
    p.add_argument(
        "--max-body",
        type=int,
        metavar="BYTES",
        help="largest request body accepted (default 4 MiB; a gzip body inflates to 16 MiB "
        "at most)",
    )
    p.add_argument(
        "--max-concurrency",
        type=int,
        default=1024,
        metavar="N",
        help="requests in progress per worker before new ones get 503 (default 1024)",
    )
    p.add_argument(
        "--body-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="a request body must arrive within this time, else 408 (default 30)",
    )
    p.add_argument(
        "--keep-alive",
        type=int,
        default=5,
        metavar="SECONDS",
        help="close an idle keep-alive connection after this time (default 5)",
    )
    p.add_argument("--access-log", action="store_true", help="log every request")
    p.set_defaults(func=run)


def parse_listen(text: str) -> tuple[str, int]:
    from hwcheck.errors import UsageError

    host, sep, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(f"--listen must be HOST:PORT; got {text!r}")
    return host, int(port)


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, which a container or `taskset` narrows),
    at least 1: judging is CPU-bound, so one worker per CPU is what a boot storm needs."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _check(args: argparse.Namespace) -> None:
    from hwcheck.errors import UsageError
    from hwcheck.outfile import refuse_empty_path

    for option in ("store", "waivers", "tls_cert", "tls_key"):
        refuse_empty_path(getattr(args, option), "--" + option.replace("_", "-"))
    if args.workers is None:
        args.workers = usable_cpus()
    if args.workers < 1:
        raise UsageError(f"--workers must be at least 1; got {args.workers}")
    if (args.tls_cert is None) != (args.tls_key is None):
        raise UsageError("--tls-cert and --tls-key go together")
    if args.max_body is not None and args.max_body < 1024:
        raise UsageError(f"--max-body must be at least 1024 bytes; got {args.max_body}")
    if args.max_concurrency < 1:
        raise UsageError(f"--max-concurrency must be at least 1; got {args.max_concurrency}")
    if args.body_timeout <= 0 or args.keep_alive < 1:
        raise UsageError("--body-timeout and --keep-alive must be positive")
    for path in (args.tls_cert, args.tls_key):
        if path is not None:
            try:
                with open(path, "rb"):
                    pass
            except OSError as err:
                raise UsageError(f"cannot read: {err.strerror or err}", where=path) from err


def settings_of(args: argparse.Namespace) -> Settings:
    import os

    from hwcheck.collector.app import Settings
    from hwcheck.collector.store import default_store_url
    from hwcheck.collector.submission import MAX_BODY

    files = {
        role: [os.path.abspath(p) for p in getattr(args, f"{role}_token_file") or ()]
        for role in ("enroll", "read", "admin")
    }
    return Settings(
        store_url=args.store or default_store_url(),
        token_files={role: paths for role, paths in files.items() if paths},
        profiles=args.profile,
        profile_dirs=args.profile_dir,
        profile_path=args.profile_path,
        waivers=args.waivers,
        strict=args.strict,
        max_body=args.max_body or MAX_BODY,
        max_concurrency=args.max_concurrency,
        body_timeout=args.body_timeout,
        cwd=os.getcwd(),
    )


def _first_tokens(settings: Settings) -> None:
    """No token configured at all: an enrollment and an admin token, made once (0600) in
    the state directory (beside a SQLite store) and kept there; their paths are logged."""
    import logging
    import os

    from hwcheck.collector.auth import new_token_file
    from hwcheck.collector.store import default_state_dir
    from hwcheck.errors import UsageError

    url = settings.store_url
    directory = default_state_dir()
    if url.startswith("sqlite:"):
        from hwcheck.collector.store.sqlite import sqlite_path

        directory = os.path.dirname(os.path.abspath(sqlite_path(url)))
    log = logging.getLogger("hwcheck.serve")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        for role in ("enroll", "admin"):
            path = os.path.join(directory, f"{role}.token")
            if not os.path.exists(path):
                new_token_file(path)
                log.warning("no tokens given: made a new %s token in %s", role, path)
            else:
                log.warning("no tokens given: using the %s token in %s", role, path)
            settings.token_files[role] = [path]
    except OSError as err:
        raise UsageError(
            f"no tokens given, and none can be made: {err.strerror or err}", where=directory
        ) from err


def _log_config(level: str) -> dict[str, object]:
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["hwcheck"] = {"format": "hwcheck serve: %(levelname)s: %(message)s"}
    config["handlers"]["hwcheck"] = {
        "formatter": "hwcheck",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["hwcheck"] = {
        "handlers": ["hwcheck"],
        "level": level,
        "propagate": False,
    }
    return config


def run(args: argparse.Namespace) -> int:
    import logging
    import logging.config
    import os
    import signal

    import uvicorn

    from hwcheck.collector.app import SETTINGS_ENV, create_app, load_tokens
    from hwcheck.collector.profiles import ProfileSet
    from hwcheck.collector.store import open_store

    _check(args)
    host, port = parse_listen(args.listen)
    log_config = _log_config("INFO")
    logging.config.dictConfig(log_config)
    log = logging.getLogger("hwcheck.serve")
    settings = settings_of(args)
    tokens = load_tokens(settings)
    if not tokens:
        _first_tokens(settings)
        tokens = load_tokens(settings)
    profiles = ProfileSet(
        settings.profiles,
        settings.profile_dirs,
        settings.waivers,
        strict=settings.strict,
        profile_path=settings.profile_path,
    )
    store = open_store(settings.store_url)  # the schema is made or migrated once, here
    shown = store.url
    store.close()
    log.info(
        "store %s; %d enroll, %d read, %d admin tokens; profiles: %s",
        shown,
        tokens.count("enroll"),
        tokens.count("read"),
        tokens.count("admin"),
        ", ".join(profiles.current.names) or "(none)",
    )
    options: dict[str, object] = {
        "host": host,
        "port": port,
        "http": "httptools",
        "loop": "uvloop",
        "lifespan": "on",
        "access_log": args.access_log,
        "log_config": log_config,
        "proxy_headers": False,
        "server_header": False,
        "date_header": True,
        "timeout_keep_alive": args.keep_alive,
        "timeout_graceful_shutdown": 30,
        # uvicorn's own limit is a backstop (it answers in plain text); the application's
        # answers JSON first.
        "limit_concurrency": settings.max_concurrency * 2 + 64,
        "backlog": 4096,
    }
    if args.tls_cert is not None:
        options["ssl_certfile"] = args.tls_cert
        options["ssl_keyfile"] = args.tls_key
    # SIGTERM stops the server gracefully (uvicorn's handler, then it raises the signal
    # again): a stop asked for is a clean exit, not an interruption.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: None)
    if args.workers == 1:
        app = create_app(settings, tokens=tokens, profiles=profiles)
        uvicorn.run(app, **options)  # type: ignore[arg-type]
    else:
        os.environ[SETTINGS_ENV] = settings.to_env()
        uvicorn.run(
            "hwcheck.collector.app:create_app_from_env",
            factory=True,
            workers=args.workers,
            **options,  # type: ignore[arg-type]
        )
    log.info("stopped")
    return 0
