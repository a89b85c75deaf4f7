"""hwcheck inside ironic-python-agent (IPA), installed with `pip install hwcheck[ironic]`.

- `collector.collect_hwcheck`: an inspection collector (entry point `hwcheck` in
  `ironic_python_agent.inspector.collectors`, enabled with
  `ipa-inspection-collectors=default,hwcheck`) that adds hwcheck's inventory and, when
  profiles are configured, its verdict to the inspection data;
- `hardware_manager.HwcheckHardwareManager`: a hardware manager (entry point `hwcheck` in
  `ironic_python_agent.hardware_managers`) offering the clean, deploy and service step
  `verify_hwcheck`, which fails on a node that is not compliant;
- `settings`: the kernel parameters both read (`ipa-hwcheck-profile`, ...).

Both probe the host with hwcheck's probe and judge with `judge_node`, through `assess`.
Only `collector` and `hardware_manager` import ironic_python_agent (docs/ironic.md).
"""
