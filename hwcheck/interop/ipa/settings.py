"""What the IPA plug-ins judge with: kernel parameters the agent was booted with.

| parameter | meaning |
|---|---|
| `ipa-hwcheck-profile=NAME[,NAME...]` | judge against these profiles (names or paths) |
| `ipa-hwcheck-profile-dir=DIR[,DIR...]` | search profiles here instead of the default directories |
| `ipa-hwcheck-waivers=FILE` | a waiver file |
| `ipa-hwcheck-strict=1` | warnings fail too (`check --strict`) |

The parameters are read as the agent reads its own (`ironic_python_agent.utils.
get_agent_params()`: the kernel command line, and a virtual media boot's parameter file).

`HWCHECK_IPA_ROOT` (an environment variable) names a capture or fixture host to probe
instead of the live node. It exists for hwcheck's tests, which run the plug-ins inside the
real agent package on a machine that is not the node under test; never set it on a node.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

ROOT_ENV = "HWCHECK_IPA_ROOT"
_TRUE = ("1", "true", "yes", "on")


class Settings:
    __slots__ = ("profile_dirs", "profiles", "root", "strict", "waivers")

    def __init__(
        self,
        *,
        profiles: list[str],
        profile_dirs: list[str] | None,
        waivers: str | None,
        strict: bool,
        root: str | None,
    ) -> None:
        self.profiles = profiles
        self.profile_dirs = profile_dirs
        self.waivers = waivers
        self.strict = strict
        self.root = root

    @property
    def configured(self) -> bool:
        """Whether the operator named profiles or profile directories to judge with."""
        return bool(self.profiles) or self.profile_dirs is not None


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def from_params(params: Mapping[str, str], environ: Mapping[str, str]) -> Settings:
    """The settings in the agent's parameters and the environment."""
    dirs = _split(params.get("ipa-hwcheck-profile-dir"))
    return Settings(
        profiles=_split(params.get("ipa-hwcheck-profile")),
        profile_dirs=dirs or None,
        waivers=params.get("ipa-hwcheck-waivers") or None,
        strict=params.get("ipa-hwcheck-strict", "").strip().lower() in _TRUE,
        root=environ.get(ROOT_ENV) or None,
    )


def agent_settings() -> Settings:
    """The settings of this agent: its parameters as it reads them itself."""
    from ironic_python_agent import utils

    return from_params(utils.get_agent_params(), os.environ)
