"""A real PostgreSQL for tests: a private, throwaway cluster from Debian's binaries.

`pgcluster` (session-scoped) runs initdb and pg_ctl from /usr/lib/postgresql/15/bin as the
`postgres` OS user (runuser; the tests run as root), with the data directory and the unix
socket in a temporary directory, listening on 127.0.0.1 on a free port, trust authentication
(local test use only). It yields a Cluster: `.url` (the `postgres` database), `.new_database()`
(a fresh database, its URL), and `.stop()` / `.start()` / `.restart()` for fault tests; the
cluster and its directory are removed afterwards.

With HWCHECK_TEST_POSTGRES=postgresql://... set, that server is used instead (databases are
made in it and dropped afterwards; the fault tests that stop the server are skipped there).
Without the binaries and without that variable, tests that need PostgreSQL fail: CI installs
them (scripts/setup.sh --test installs `postgresql`).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from urllib.parse import urlsplit, urlunsplit

import pytest

BIN = "/usr/lib/postgresql/15/bin"
OS_USER = "postgres"
_names = itertools.count(1)


class Cluster:
    """A running PostgreSQL server the tests may use."""

    def __init__(self, url: str, *, data: str | None = None, log: str | None = None) -> None:
        self.url = url
        self.data = data  # None: an external server, not ours to stop
        self.log = log
        self.databases: list[str] = []

    def _admin(self):
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    def new_database(self) -> str:
        """A fresh, empty database on this server: its URL."""
        name = f"hwcheck_test_{os.getpid()}_{next(_names)}"
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path="/" + name))

    def _ctl(self, *args: str) -> None:
        if self.data is None:
            pytest.skip("HWCHECK_TEST_POSTGRES names a server these tests may not stop")
        _as_postgres(f"{BIN}/pg_ctl", "-D", self.data, "-l", str(self.log), "-w", *args)

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def kill(self) -> None:
        """Stop the server the way a crash does (no checkpoint; recovery on the next start)."""
        self._ctl("-m", "immediate", "stop")

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")

    def drop_databases(self) -> None:
        with contextlib.suppress(Exception), self._admin() as conn:
            for name in self.databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.databases.clear()


def _as_postgres(*argv: str) -> None:
    done = subprocess.run(
        ["runuser", "-u", OS_USER, "--", *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)}: exit {done.returncode}: {done.stderr or done.stdout}"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_cluster(base: str) -> Cluster:
    """initdb a cluster under `base` (owned by the postgres user) and start it."""
    if not os.path.exists(f"{BIN}/initdb"):
        raise RuntimeError(
            f"no PostgreSQL binaries in {BIN}: install the `postgresql` package "
            "(bash scripts/setup.sh --test) or set HWCHECK_TEST_POSTGRES"
        )
    shutil.chown(base, OS_USER, OS_USER)
    data = os.path.join(base, "data")
    sockets = os.path.join(base, "sockets")
    log = os.path.join(base, "server.log")
    os.mkdir(sockets, 0o700)
    shutil.chown(sockets, OS_USER, OS_USER)
    _as_postgres(
        f"{BIN}/initdb",
        "-D",
        data,
        "--auth=trust",
        "--username=postgres",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        "--no-instructions",
    )
    port = _free_port()
    with open(os.path.join(data, "postgresql.conf"), "a", encoding="utf-8") as conf:
        conf.write(
            f"listen_addresses = '127.0.0.1'\nport = {port}\n"
            f"unix_socket_directories = '{sockets}'\nmax_connections = 200\n"
        )
    cluster = Cluster(f"postgresql://postgres@127.0.0.1:{port}/postgres", data=data, log=log)
    cluster.start()
    return cluster


@pytest.fixture(scope="session")
def pgcluster():
    """The PostgreSQL server of this test session (see the module's docstring)."""
    given = os.environ.get("HWCHECK_TEST_POSTGRES")
    if given:
        cluster = Cluster(given)
        yield cluster
        cluster.drop_databases()
        return
    base = tempfile.mkdtemp(prefix="hwcheck-pg-")
    os.chmod(base, 0o700)
    try:
        cluster = start_cluster(base)
        try:
            yield cluster
        finally:
            with contextlib.suppress(Exception):
                cluster.kill()
    finally:
        shutil.rmtree(base, ignore_errors=True)
