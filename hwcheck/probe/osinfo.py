"""The operating system, from os-release (/etc/os-release, else /usr/lib/os-release).

os-release is parsed here to its specification (freedesktop os-release(5): shell-style
assignments, optional single or double quotes, backslash escapes in double quotes).
`distro` would add ~30 ms of imports to a probe budgeted at ~25 ms; it is used only for
old systems without os-release (lsb_release, /etc/*-release), where its breadth matters.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import OsInfo
    from hwcheck.probe.reader import Reader

OS_RELEASE = ("etc/os-release", "usr/lib/os-release")


def parse_os_release(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip()
        if not key.replace("_", "").isalnum():
            continue
        values[key] = _unquote(value.strip())
    return values


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        quote, value = value[0], value[1:-1]
        if quote == "'":
            return value
        out = []
        chars = iter(value)
        for ch in chars:
            if ch == "\\":
                nxt = next(chars, "")
                out.append(nxt if nxt in '$"\\`' else "\\" + nxt)
            else:
                out.append(ch)
        return "".join(out)
    return value


def probe_os(r: Reader) -> OsInfo:
    for path in OS_RELEASE:
        text = r.text(path, "os", "os-release", optional=True)
        if text is not None:
            values = parse_os_release(text)
            break
    else:
        values = _from_distro(r)
    codename = values.get("VERSION_CODENAME") or values.get("UBUNTU_CODENAME")
    return {
        "id": values.get("ID"),
        "name": values.get("NAME"),
        "version_id": values.get("VERSION_ID"),
        "version": values.get("VERSION"),
        "codename": codename or None,
        "pretty_name": values.get("PRETTY_NAME"),
        "like": values.get("ID_LIKE", "").split(),
    }


def _from_distro(r: Reader) -> dict[str, str]:
    """No os-release: ask `distro` (lsb_release, /etc/*-release) when probing the live root."""
    if not r.host.live:
        r.gap("os", "os-release", "not-found", "/etc/os-release and /usr/lib/os-release are absent")
        return {}
    try:
        import distro
    except ImportError:  # a bare python3 (hwcheck.pyz in a ramdisk): only os-release counts
        r.gap(
            "os",
            "os-release",
            "not-found",
            "/etc/os-release and /usr/lib/os-release are absent (and the distro module, "
            "which would ask lsb_release, is not installed)",
        )
        return {}
    info = distro.LinuxDistribution(root_dir=None if r.host.root == "/" else r.host.root)
    if not info.id():
        r.gap("os", "distro", "not-found", "no os-release, lsb_release or /etc/*-release found")
        return {}
    return {
        "ID": info.id(),
        "NAME": info.name(),
        "VERSION_ID": info.version(),
        "VERSION": info.version(pretty=True),
        "VERSION_CODENAME": info.codename(),
        "PRETTY_NAME": info.name(pretty=True),
        "ID_LIKE": info.like(),
    }
