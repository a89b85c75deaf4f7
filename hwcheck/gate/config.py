"""The gate's settings: flags, then the environment, then the kernel command line.

One line in a PXE config enables the gate: `hwcheck.url=http://collector:8740
hwcheck.token=ENROLL-TOKEN`. Each setting is taken from the first source that gives it:

    setting     flag           environment          kernel command line
    url         --url          HWCHECK_URL          hwcheck.url=
    token       --token-file   HWCHECK_TOKEN        hwcheck.token=
                               HWCHECK_TOKEN_FILE   hwcheck.token_file=
    profile     --profile      HWCHECK_PROFILE      hwcheck.profile=   (comma-separated)
    deadline    --deadline     HWCHECK_DEADLINE     hwcheck.deadline=  (seconds, default 300)
    spool       --spool        HWCHECK_SPOOL        hwcheck.spool=
    ca          --ca           HWCHECK_CA           hwcheck.ca=

The kernel command line is /proc/cmdline (HWCHECK_CMDLINE=FILE reads another file), split
as the kernel splits it (kernel/params.c, next_arg): words are separated by spaces, double
quotes group spaces into a word and are dropped where they open a value or a word and where
they close one; words after a lone `--` are init's arguments, not parameters. An unknown
`hwcheck.` key, an empty value or a bad number is an error naming where it came from:
a typo must not boot a node ungated.
"""

from __future__ import annotations

import os

from hwcheck.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

PROC_CMDLINE = "/proc/cmdline"
DEFAULT_DEADLINE = 300.0
MAX_DEADLINE = 7 * 24 * 3600.0
SUBMISSIONS_PATH = "/api/v1/submissions"

# setting -> (flag, environment variable, kernel command line key)
SOURCES: dict[str, tuple[str | None, str, str]] = {
    "url": ("--url", "HWCHECK_URL", "url"),
    "token": (None, "HWCHECK_TOKEN", "token"),
    "token_file": ("--token-file", "HWCHECK_TOKEN_FILE", "token_file"),
    "profile": ("--profile", "HWCHECK_PROFILE", "profile"),
    "deadline": ("--deadline", "HWCHECK_DEADLINE", "deadline"),
    "spool": ("--spool", "HWCHECK_SPOOL", "spool"),
    "ca": ("--ca", "HWCHECK_CA", "ca"),
}
CMDLINE_KEYS = tuple(key for _, _, key in SOURCES.values())


class GateConfig:
    """What the gate needs to reach the collector, each setting with where it came from."""

    __slots__ = ("ca", "deadline", "profiles", "spool", "token", "url", "where")

    def __init__(
        self,
        *,
        url: str,
        token: str,
        profiles: list[str],
        deadline: float,
        spool: str | None,
        ca: str | None,
        where: dict[str, str],
    ) -> None:
        self.url = url
        self.token = token
        self.profiles = profiles
        self.deadline = deadline
        self.spool = spool
        self.ca = ca
        self.where = where

    @property
    def submissions_url(self) -> str:
        return self.url + SUBMISSIONS_PATH


def split_cmdline(text: str) -> list[tuple[str, str | None]]:  # noqa: PLR0912 - next_arg, step by step
    """(parameter, value or None) of each word of a kernel command line, split as the
    kernel's next_arg splits it, up to a lone `--`."""
    words: list[tuple[str, str | None]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return words
        start = i
        quoted = text[i] == '"'
        if quoted:
            start += 1
            i += 1
        in_quote = quoted
        equals = -1
        while i < n and (in_quote or not text[i].isspace()):
            if equals < 0 and text[i] == "=":
                equals = i
            if text[i] == '"':
                in_quote = not in_quote
            i += 1
        word = text[start:i]
        if equals < 0:
            if quoted and word.endswith('"'):
                word = word[:-1]
            if word == "--" and not quoted:
                return words
            words.append((word, None))
            continue
        param, value = text[start:equals], text[equals + 1 : i]
        if value.startswith('"'):
            value = value[1:]
            if value.endswith('"'):
                value = value[:-1]
        elif quoted and value.endswith('"'):
            value = value[:-1]
        words.append((param, value))


def cmdline_settings(text: str, where: str) -> dict[str, str]:
    """The `hwcheck.` parameters of a kernel command line; the last of a repeated key wins,
    as with the kernel's own parameters."""
    found: dict[str, str] = {}
    for param, value in split_cmdline(text):
        if not param.startswith("hwcheck."):
            continue
        key = param[len("hwcheck.") :]
        if key not in CMDLINE_KEYS:
            known = ", ".join(f"hwcheck.{k}" for k in CMDLINE_KEYS)
            raise UsageError(f"unknown parameter {param} (known: {known})", where=where)
        if value is None:
            raise UsageError(f"{param} needs a value ({param}=...)", where=where)
        found[key] = value
    return found


def read_cmdline(environ: Mapping[str, str]) -> tuple[dict[str, str], str]:
    """The kernel command line's hwcheck settings and the file they came from. No
    /proc/cmdline (not Linux, a chroot without /proc) means none; a HWCHECK_CMDLINE file
    that cannot be read is an error."""
    path = environ.get("HWCHECK_CMDLINE")
    given = path is not None
    if not path:
        if given:
            raise UsageError("an empty path", where="HWCHECK_CMDLINE")
        path = PROC_CMDLINE
    try:
        with open(path, "rb") as fh:
            data = fh.read(1 << 16)
    except OSError as err:
        if not given and err.errno == 2:
            return {}, path
        raise UsageError(f"cannot read: {err.strerror}", where=path) from None
    return cmdline_settings(data.decode("utf-8", "replace").rstrip("\n"), path), path


def resolve(flags: Mapping[str, object], environ: Mapping[str, str]) -> GateConfig:
    """The settings from `flags` (setting -> value or None; `profile` a list), then the
    environment, then the kernel command line. Raises UsageError naming the source."""
    cmdline: dict[str, str] | None = None
    cmdline_file = PROC_CMDLINE
    values: dict[str, object] = {}
    where: dict[str, str] = {}
    for setting, (flag, env, key) in SOURCES.items():
        value = flags.get(setting)
        if flag is not None and value is not None:
            values[setting], where[setting] = value, flag
            continue
        if env in environ:
            values[setting], where[setting] = environ[env], env
            continue
        if cmdline is None:
            cmdline, cmdline_file = read_cmdline(environ)
        if key in cmdline:
            values[setting] = cmdline[key]
            where[setting] = f"{cmdline_file}: hwcheck.{key}"
    for setting, value in values.items():
        if value in ("", []):
            raise UsageError("is empty", where=where[setting])
    return GateConfig(
        url=_url(values, where),
        token=_token(values, where),
        profiles=_profiles(values.get("profile")),
        deadline=_deadline(values, where),
        spool=_text(values.get("spool")),
        ca=_text(values.get("ca")),
        where=where,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _profiles(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return []


def _url(values: dict[str, object], where: dict[str, str]) -> str:
    url = _text(values.get("url"))
    if url is None:
        raise UsageError(
            "no collector URL: give --url, HWCHECK_URL or hwcheck.url= on the kernel command line",
            where="gate",
        )
    scheme, sep, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if not sep or scheme.lower() not in ("http", "https") or not host:
        raise UsageError(f"not an http:// or https:// URL with a host: {url!r}", where=where["url"])
    if any(c.isspace() or ord(c) < 0x21 or ord(c) > 0x7E for c in url):
        raise UsageError(
            f"a URL holds no spaces or control characters: {url!r}", where=where["url"]
        )
    if "?" in url or "#" in url:
        raise UsageError(
            f"give the collector's base URL, without ? or #: {url!r}", where=where["url"]
        )
    return url.rstrip("/")


def _token(values: dict[str, object], where: dict[str, str]) -> str:
    token, token_file = _text(values.get("token")), _text(values.get("token_file"))
    if token is not None and token_file is not None:
        first, second = sorted((where["token"], where["token_file"]), key=_rank)
        if _rank(first) == _rank(second):
            raise UsageError(f"give a token or a token file, not both (also {second})", where=first)
        # The higher source wins, as for every setting.
        if first == where["token"]:
            token_file = None
        else:
            token = None
    if token_file is not None:
        token = read_token_file(token_file, where["token_file"])
    if token is None:
        raise UsageError(
            "no enrollment token: give --token-file, HWCHECK_TOKEN, HWCHECK_TOKEN_FILE or "
            "hwcheck.token= on the kernel command line",
            where="gate",
        )
    token = token.strip()
    if not token or any(c.isspace() or ord(c) < 0x21 or ord(c) > 0x7E for c in token):
        raise UsageError("a token is printable ASCII without spaces", where=where["token"])
    return token


def _rank(where: str) -> int:
    """0 for a flag, 1 for the environment, 2 for the kernel command line."""
    if where.startswith("--"):
        return 0
    return 1 if where.startswith("HWCHECK_") else 2


def read_token_file(path: str, where: str) -> str:
    """The one token in a token file (blank lines and `#` comments ignored)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(1 << 16)
    except OSError as err:
        raise UsageError(f"cannot read the token file: {err.strerror}", where=path) from None
    tokens = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if len(tokens) != 1:
        raise UsageError(
            f"a token file holds exactly one token (found {len(tokens)}; given with {where})",
            where=path,
        )
    token = tokens[0]
    if any(c.isspace() or ord(c) < 0x21 or ord(c) > 0x7E for c in token):
        raise UsageError("a token is printable ASCII without spaces", where=path)
    return token


def _deadline(values: dict[str, object], where: dict[str, str]) -> float:
    raw = values.get("deadline")
    if raw is None:
        return DEFAULT_DEADLINE
    try:
        seconds = float(str(raw))
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= MAX_DEADLINE:  # also refuses nan and inf
        raise UsageError(
            f"a deadline is a number of seconds above 0 and at most {MAX_DEADLINE:.0f}, "
            f"not {raw!r}",
            where=where["deadline"],
        )
    return seconds


def default_spool(environ: Mapping[str, str]) -> str:
    """/var/spool/hwcheck when it exists or can be made, else a directory of this user's
    under the temporary directory."""
    base = "/var/spool/hwcheck"
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
    except OSError:
        pass
    else:
        if os.access(base, os.W_OK | os.X_OK):
            return base
    tmp = environ.get("TMPDIR") or "/tmp"  # noqa: S108 - a fallback, owned and checked by spool
    return os.path.join(tmp, f"hwcheck-spool-{os.geteuid()}")
