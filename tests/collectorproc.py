"""A real `hwcheck serve` for a test: a subprocess on 127.0.0.1 with a free port, fresh
token files (0600) and, unless given one, a SQLite store in a temp directory.

    with Collector(profiles=["nvidia/connectx"], workers=1) as c:
        httpx.post(c.url + "/api/v1/submissions", headers=c.auth("enroll"), ...)
        c.kill()      # SIGKILL, as a crash
        c.start()     # the same port, store and tokens again

Interface (kept small: the gate, PXE and fault tests use it too):
- `Collector(store_url=None, profiles=None, profile_dirs=None, waivers=None, workers=1,
  args=(), env=None, tls=None, host="127.0.0.1", port=None, ready_timeout=60,
  token_files=True)`; `tls=(cert, key)` serves HTTPS; `args` adds serve options; `env` adds
  to its environment; `token_files=False` gives the server no token (it makes its own).
- `c.url` (http://127.0.0.1:PORT or https://...), `c.port`, `c.store_url`, `c.directory`
  (the temp directory: tokens, store, log), `c.log()` (what the server wrote so far).
- `c.enroll_token`, `c.read_token`, `c.admin_token`; `c.auth(role)` -> the header dict.
- `c.start()` (waits for /readyz), `c.stop()` (SIGTERM, waits), `c.kill()` (SIGKILL the
  whole process group), `c.running`. Leaving the `with` block stops it and removes the
  temp directory.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class Collector:
    def __init__(
        self,
        store_url: str | None = None,
        *,
        profiles: list[str] | None = None,
        profile_dirs: list[str] | None = None,
        waivers: str | None = None,
        workers: int = 1,
        args: tuple[str, ...] | list[str] = (),
        env: dict[str, str] | None = None,
        tls: tuple[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        ready_timeout: float = 60.0,
        token_files: bool = True,
    ) -> None:
        self.directory = tempfile.mkdtemp(prefix="hwcheck-collector-")
        self.store_url = store_url or "sqlite://" + os.path.join(self.directory, "collector.db")
        self.host = host
        self.port = port or free_port(host)
        self.tls = tls
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://{host}:{self.port}"
        self.ready_timeout = ready_timeout
        self.enroll_token = "enroll-" + secrets.token_hex(16)
        self.read_token = "read-" + secrets.token_hex(16)
        self.admin_token = "admin-" + secrets.token_hex(16)
        self.argv = [sys.executable, "-m", "hwcheck", "serve", "--listen", f"{host}:{self.port}"]
        self.argv += ["--store", self.store_url, "--workers", str(workers)]
        for role in ("enroll", "read", "admin"):
            path = os.path.join(self.directory, f"{role}.tokens")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(f"# {role} token for a test\n{getattr(self, role + '_token')}\n")
            if token_files:
                self.argv += [f"--{role}-token-file", path]
        for name in profiles or ():
            self.argv += ["--profile", name]
        for directory in profile_dirs or ():
            self.argv += ["--profile-path", directory]
        if waivers is not None:
            self.argv += ["--waivers", waivers]
        if tls is not None:
            self.argv += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        self.argv += list(args)
        self.env = {**os.environ, "HWCHECK_NO_CACHE": "1", **(env or {})}
        for variable in ("HWCHECK_ENROLL_TOKENS", "HWCHECK_READ_TOKENS", "HWCHECK_ADMIN_TOKENS"):
            if variable not in (env or {}):
                self.env.pop(variable, None)
        self.log_path = os.path.join(self.directory, "serve.log")
        self.process: subprocess.Popen[bytes] | None = None

    # ---- tokens ------------------------------------------------------------------------

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, role + '_token')}"}

    # ---- the process ---------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> Collector:
        """Start the server and wait until /readyz answers 200; RuntimeError with its log
        if it exits or is not ready within `ready_timeout`."""
        if self.running:
            return self
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() reaches the workers
            )
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"hwcheck serve exited with {self.process.returncode}:\n{self.log()}"
                )
            if self._ready():
                return self
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"hwcheck serve not ready in {self.ready_timeout} s:\n{self.log()}")

    def _ready(self) -> bool:
        context = None
        if self.tls is not None:
            context = ssl.create_default_context(cafile=self.tls[0])
            context.check_hostname = False
        try:
            with urllib.request.urlopen(self.url + "/readyz", timeout=2, context=context) as answer:
                return bool(answer.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait (SIGKILL past `timeout`); the exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._reap_group(process.pid)
        return process.returncode

    def kill(self) -> None:
        """SIGKILL the server and its workers at once (a crash), and reap it."""
        process = self.process
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        self._reap_group(process.pid)

    @staticmethod
    def _reap_group(pgid: int) -> None:
        """Workers left of the group (the supervisor died first) are killed too."""
        for _ in range(100):
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            time.sleep(0.05)

    def log(self) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except OSError:
            return ""

    def __enter__(self) -> Collector:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def self_signed(directory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (openssl), and its key (0600)."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            key,
            "-out",
            cert,
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    os.chmod(key, 0o600)
    return cert, key
