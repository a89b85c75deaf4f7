"""The IPA hardware manager `hwcheck`: the step `verify_hwcheck`, which fails cleaning (or
deployment, or servicing) on a node that is not compliant.

The step is offered at priority 0 in cleaning, deployment and servicing: it runs when asked
for (manual cleaning, a deploy template, servicing), or in automated cleaning once the
conductor gives it a priority (`[conductor]clean_step_priority_override =
deploy.verify_hwcheck:90`). It judges the node as `hwcheck check` does, with the profiles
of the kernel parameters (hwcheck.interop.ipa.settings) or of the step's `profile`
argument, else those that apply from the default directories. It fails closed: a node that
is non-compliant or unknown, one no profile applies to, and a profile that cannot be read
all fail the step, with the reason (and the failed findings) in the error Ironic records.

The manager offers nothing else: its support level is GENERIC, and every method of the
base class it does not override answers "not this manager" (IncompatibleHardwareMethodError),
so IPA's own managers keep doing all the rest.
"""

from __future__ import annotations

from ironic_python_agent import errors, hardware

from hwcheck.errors import HwcheckError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hwcheck.interop.ipa.settings import Settings

STEP = "verify_hwcheck"
_ARGSINFO = {
    "profile": {
        "description": "Profiles to judge against (names or paths, comma-separated); "
        "default: ipa-hwcheck-profile, else the profiles that apply.",
        "required": False,
    },
    "strict": {"description": "Warnings fail the step too.", "required": False},
}
_ERRORS: dict[str, type[errors.RESTError]] = {
    "deploying": errors.DeploymentError,
    "wait call-back": errors.DeploymentError,
    "servicing": errors.ServicingError,
    "service wait": errors.ServicingError,
}
"""The error of the phase the node is in (Ironic's provision states); cleaning otherwise."""


class HwcheckHardwareManager(hardware.HardwareManager):  # type: ignore[misc]
    HARDWARE_MANAGER_NAME = "HwcheckHardwareManager"
    HARDWARE_MANAGER_VERSION = "1.0"

    def evaluate_hardware_support(self) -> int:
        return int(hardware.HardwareSupport.GENERIC)

    def _steps(self, *, abortable: bool) -> list[dict[str, object]]:
        step: dict[str, object] = {
            "step": STEP,
            "priority": 0,
            "interface": "deploy",
            "reboot_requested": False,
            "argsinfo": _ARGSINFO,
        }
        if abortable:
            step["abortable"] = True
        return [step]

    def get_clean_steps(self, node: object, ports: object) -> list[dict[str, object]]:
        return self._steps(abortable=True)

    def get_deploy_steps(self, node: object, ports: object) -> list[dict[str, object]]:
        return self._steps(abortable=False)

    def get_service_steps(self, node: object, ports: object) -> list[dict[str, object]]:
        return self._steps(abortable=True)

    def verify_hwcheck(
        self,
        node: dict[str, object] | None,
        ports: object,
        profile: str | None = None,
        strict: bool | None = None,
        **kwargs: object,
    ) -> dict[str, object]:
        """Judge this node; return its verdict, or raise the phase's error with why not."""
        from hwcheck.interop.ipa.settings import agent_settings

        settings = agent_settings()
        if profile:
            settings.profiles = [p.strip() for p in str(profile).split(",") if p.strip()]
        if strict is not None:
            settings.strict = bool(strict)
        state = (node or {}).get("provision_state")
        error = _ERRORS.get(state if isinstance(state, str) else "", errors.CleaningError)
        return _verify(settings, error)


def _verify(settings: Settings, error: type[errors.RESTError]) -> dict[str, object]:
    from hwcheck.interop.ipa.assess import failures, judge, probe_node, verdict_line
    from hwcheck.probe import utc_now

    try:
        result, none = judge(settings, probe_node(settings), now=utc_now())
    except (HwcheckError, OSError) as err:
        raise error(f"hwcheck could not judge this node: {err}") from err
    if result is None:
        raise error(f"hwcheck: {none}; name a profile with ipa-hwcheck-profile")
    if result["exit_code"] != 0:
        raise error(f"hwcheck: {verdict_line(result)}: {failures(result)}")
    return {
        "verdict": result["verdict"],
        "profiles": [use["name"] for use in result["profiles"]],
        "counts": result["counts"],
    }
