"""Run hwcheck's IPA plug-ins inside the real ironic-python-agent package, as the agent runs
them, in a process of their own (the agent's configuration and caches are module globals).

    python tests/ipaagent.py collect|steps|clean|deploy ROOT PARAMS_JSON

ROOT is the capture the plug-ins probe (HWCHECK_IPA_ROOT); PARAMS_JSON the kernel
parameters the agent is taken to have booted with. Prints one JSON document.
"""

import functools
import json
import os
import sys

from ironic_python_agent import config, errors, hardware, inspector, utils
from oslo_config import cfg


def main(action, root, params):
    os.environ["HWCHECK_IPA_ROOT"] = root
    config.populate_config()
    cfg.CONF([], project="ironic-python-agent")
    # The agent caches the parameters it read from /proc/cmdline; its unit tests set them so.
    utils._set_cached_params(params)
    if action == "collect":
        # inspector.inspect() loads the collectors it is told to by this manager
        manager = inspector.extension_manager(["hwcheck"])
        failures = utils.AccumulatedFailures(exc_class=errors.InspectionError)
        data = {}
        for ext in manager:
            ext.plugin(data, failures)
        return {"names": [ext.name for ext in manager], "data": data, "error": failures.get_error()}
    node = {
        "uuid": "1be26c0b-03f2-4d2e-ae87-c02d7f33c123",
        "provision_state": action,
        "properties": {},
        "driver_internal_info": {},
        "instance_info": {},
    }
    # hardware.get_managers_detail() as the agent builds it (IPA's stevedore manager, the
    # support each manager claims, IPA's order), without the initialize() calls that wait
    # for udev and disks on a real ramdisk.
    found = []
    for ext in hardware._get_extensions():
        support = ext.obj.evaluate_hardware_support()
        if support > 0:
            found.append(
                {"name": ext.obj.__class__.__name__, "manager": ext.obj, "support": support}
            )
    hardware._global_managers = sorted(found, key=functools.cmp_to_key(hardware._compare_managers))
    managers = [m.__class__.__name__ for m in hardware.get_managers()]
    steps = hardware.dispatch_to_all_managers("get_clean_steps", node, [])
    deploy = hardware.dispatch_to_all_managers("get_deploy_steps", node, [])
    out = {
        "managers": managers,
        "clean_steps": steps.get("HwcheckHardwareManager"),
        "deploy_steps": deploy.get("HwcheckHardwareManager"),
    }
    if action == "steps":
        return out
    state = {"clean": "cleaning", "deploy": "deploying"}[action]
    node["provision_state"] = state
    try:
        out["result"] = hardware.dispatch_to_managers("verify_hwcheck", node, [])
    except errors.RESTError as err:
        out["error"] = {
            "type": type(err).__name__,
            "str": str(err),
            "is_cleaning": isinstance(err, errors.CleaningError),
            "is_deploy": isinstance(err, errors.DeploymentError),
        }
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3])), default=str))
