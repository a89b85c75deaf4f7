"""Kernel modules: loaded ones (/proc/modules) and built-ins (modules.builtin), with versions.

A kernel built without loadable modules has no /proc/modules and usually no
lib/modules/<release>: that is a normal node. Its built-in modules that expose anything
still appear under /sys/module, and are listed from there; the others do not, so without
modules.builtin the list is recorded as incomplete (a gap), and a rule about a module that
is not listed is unknown, not a pass or a fail.
"""

from __future__ import annotations

import posixpath

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.model.inventory import Kernel, Module
    from hwcheck.probe.reader import Reader


def _loaded(r: Reader) -> list[str]:
    text = r.text("proc/modules", "modules.loaded", "procfs", optional=True) or ""
    return [line.split(" ", 1)[0] for line in text.splitlines() if line.strip()]


def _builtin(r: Reader, kernel: Kernel) -> list[str]:
    release = kernel["release"]
    path = f"lib/modules/{release}/modules.builtin"
    text = None
    if release:
        # Absent by design on a monolithic kernel; expected wherever modules are supported.
        optional = not kernel["modules_supported"]
        text = r.text(path, "modules.builtin", "modules.builtin", optional=optional)
    if text is None:
        # No modules.builtin: a built-in shows in /sys/module without `initstate` (on a kernel
        # without loadable modules, everything there is built in). But only built-ins with
        # parameters or a version have an entry there, so the list is incomplete: a gap,
        # which makes a rule about an unlisted module unknown rather than pass or fail.
        if not any(gap["what"] == "modules.builtin" for gap in r.gaps):
            r.gap(
                "modules.builtin",
                "sysfs",
                "not-found",
                (f"/{path}: absent" if release else "no kernel release to find modules.builtin")
                + "; /sys/module lists only built-in modules that have parameters or a "
                "version, so others may be built in unseen",
            )
        names = r.listdir("sys/module", "modules.builtin", optional=True)
        if not kernel["modules_supported"]:
            return names
        return [name for name in names if not r.host.exists(f"sys/module/{name}/initstate")]
    names = []
    for line in text.splitlines():
        base = posixpath.basename(line.strip())
        if base.endswith(".ko"):
            names.append(base[:-3].replace("-", "_"))
    return names


def probe_modules(r: Reader, kernel: Kernel) -> list[Module]:
    modules: dict[str, Module] = {}
    for state, names in (("loaded", _loaded(r)), ("builtin", _builtin(r, kernel))):
        for name in names:
            if name in modules:
                continue
            modules[name] = {
                "name": name,
                "state": state,  # type: ignore[typeddict-item]
                "version": r.text(
                    f"sys/module/{name}/version", f"module[{name}].version", optional=True
                ),
                # Only loadable modules carry a srcversion (a hash of their source).
                "srcversion": r.text(
                    f"sys/module/{name}/srcversion", f"module[{name}].srcversion", optional=True
                )
                if state == "loaded"
                else None,
            }
    return [modules[k] for k in sorted(modules)]
