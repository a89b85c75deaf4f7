"""Who may do what: tokens from files or the environment (never argv), compared in constant
time, each with one role.

Roles: `enroll` may post submissions and nothing else (a ramdisk cannot keep a secret per
node, so what it holds must not read the fleet); `read` may read everything and post
nothing; `admin` may do both, and the admin endpoints. A request names its token as
`Authorization: Bearer TOKEN`; pages a browser opens also take HTTP Basic with the token as
the password (any user name).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import stat

from hwcheck.errors import UsageError

ROLES = ("enroll", "read", "admin")
ENV = {
    "enroll": "HWCHECK_ENROLL_TOKENS",
    "read": "HWCHECK_READ_TOKENS",
    "admin": "HWCHECK_ADMIN_TOKENS",
}
"""Role -> the environment variable holding its tokens (comma-separated)."""
MIN_TOKEN_LENGTH = 16
MAX_TOKEN_FILE = 1024 * 1024

MAY: dict[str, frozenset[str]] = {
    "submit": frozenset({"enroll", "admin"}),
    "read": frozenset({"read", "admin"}),
    "admin": frozenset({"admin"}),
}
"""Action -> the roles allowed it."""


def read_token_file(path: str, option: str) -> list[str]:
    """The tokens of a token file: one a line, `#` comments and blank lines ignored. A file
    others may read (world-readable) is refused: a token in it is no secret."""
    try:
        with open(path, "rb") as handle:
            st = os.fstat(handle.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise UsageError(f"not a regular file (given with {option})", where=path)
            if st.st_mode & stat.S_IROTH:
                raise UsageError(
                    f"is world-readable; a token file must not be (chmod o-r; given with {option})",
                    where=path,
                )
            raw = handle.read(MAX_TOKEN_FILE + 1)
    except OSError as err:
        raise UsageError(
            f"cannot read: {err.strerror or err} (given with {option})", where=path
        ) from err
    if len(raw) > MAX_TOKEN_FILE:
        raise UsageError(f"larger than 1 MiB; not a token file (given with {option})", where=path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UsageError(f"not UTF-8 text (given with {option})", where=path) from err
    tokens = []
    for number, line in enumerate(text.splitlines(), 1):
        token = line.split("#", 1)[0].strip()
        if token:
            _check_token(token, f"{path}:{number}")
            tokens.append(token)
    if not tokens:
        raise UsageError(f"holds no token (given with {option})", where=path)
    return tokens


def env_tokens(role: str, environ: dict[str, str] | os._Environ[str]) -> list[str]:
    tokens = [t.strip() for t in environ.get(ENV[role], "").split(",") if t.strip()]
    for token in tokens:
        _check_token(token, ENV[role])
    return tokens


def _check_token(token: str, where: str) -> None:
    if len(token) < MIN_TOKEN_LENGTH:
        raise UsageError(f"a token must be at least {MIN_TOKEN_LENGTH} characters", where=where)
    if not token.isascii() or not token.isprintable() or " " in token:
        raise UsageError("a token must be printable ASCII without spaces", where=where)


def new_token_file(path: str) -> str:
    """A new random token written to `path` (mode 0600, never replacing a file); the token."""
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return token


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()


class Tokens:
    """The tokens of each role, kept as SHA-256 digests: every request's token is hashed
    and compared with every known one by hmac.compare_digest, so neither the time taken nor
    an early exit says how much of a token was right."""

    __slots__ = ("_known",)

    def __init__(self, by_role: dict[str, list[str]]) -> None:
        self._known: list[tuple[bytes, str]] = [
            (_digest(token), role) for role in ROLES for token in by_role.get(role, ())
        ]

    def __bool__(self) -> bool:
        return bool(self._known)

    def role_of(self, token: str) -> str | None:
        given = _digest(token)
        found = None
        for digest, role in self._known:
            if hmac.compare_digest(given, digest) and found is None:
                found = role
        return found

    def count(self, role: str) -> int:
        return sum(1 for _, r in self._known if r == role)


def credential(header: str | None, *, basic: bool) -> str | None:
    """The token an Authorization header carries: `Bearer TOKEN`, or (when `basic`) HTTP
    Basic whose password is the token. None when there is none or it is malformed."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    if scheme == "bearer" and value:
        return value
    if scheme == "basic" and basic and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _user, sep, password = decoded.partition(":")
        return password if sep and password else None
    return None
