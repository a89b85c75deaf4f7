"""Probe speed, measured side by side in one run (a script, not a timed test).

Whole processes, interleaved round by round so machine noise hits all of them alike:
- `python -c pass` with the same interpreter (the floor),
- a stdlib-only reading of the same facts (sysfs walk, ethtool ioctl, os-release, JSON out),
- `hwcheck probe --json -` (no lshw),
- `lshw -class network -json` (what a user would otherwise run; it misses virtual links).

Targets (issue 2): hwcheck <= 3x the bare interpreter, and >= 3x faster than lshw.

    .venv/bin/python bench/bench_probe.py [ROUNDS]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = os.path.join(ROOT, ".venv", "bin", "python")

# The stdlib-only reading: what a careful one-off script would do for the same facts.
STDLIB_READING = r"""
import json, os, fcntl, struct, array, _socket
out = {"nics": []}
s = _socket.socket(2, 2).detach()
for n in sorted(os.listdir("/sys/class/net")):
    p = os.path.realpath("/sys/class/net/" + n)
    d = {"name": n}
    for f in ("address", "mtu", "operstate", "ifindex", "speed", "carrier"):
        try: d[f] = open(p + "/" + f).read().strip()
        except OSError: d[f] = None
    dev = p + "/device"
    if os.path.exists(dev):
        pci = os.path.realpath(dev)
        if not os.path.exists(pci + "/vendor"): pci = os.path.dirname(pci)
        for f in ("vendor", "device", "subsystem_vendor", "subsystem_device", "class"):
            try: d[f] = open(pci + "/" + f).read().strip()
            except OSError: d[f] = None
    buf = array.array("B", struct.pack("I", 3) + bytes(192))
    try:
        fcntl.ioctl(s, 0x8946, struct.pack("16sP", n.encode(), buf.buffer_info()[0]) + bytes(16))
        b = buf.tobytes()
        d["drv"] = [b[4 + 32 * i : 36 + 32 * i].split(b"\0")[0].decode() for i in range(5)]
    except OSError: d["drv"] = None
    out["nics"].append(d)
for f in ("osrelease", "version", "hostname", "tainted"):
    out[f] = open("/proc/sys/kernel/" + f).read().strip()
out["os"] = open("/etc/os-release").read()
try: out["modules"] = open("/proc/modules").read()
except OSError: out["modules"] = None
print(json.dumps(out))
"""


def run(argv: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    hwcheck = [os.path.join(ROOT, ".venv", "bin", "hwcheck"), "probe", "--json", "-"]
    commands = {
        "python -c pass": [PY, "-c", "pass"],
        "stdlib reading": [PY, "-c", STDLIB_READING],
        "hwcheck probe --json -": hwcheck,
    }
    lshw = shutil.which("lshw")
    if lshw:
        commands["lshw -class network -json"] = [lshw, "-class", "network", "-json"]
    for argv in commands.values():  # warm caches once
        run(argv)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, argv in commands.items():
            times[name].append(run(argv))
    med = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"{rounds} interleaved rounds, median wall time per process:")
    for name, value in med.items():
        print(f"  {name:<28} {value * 1000:7.1f} ms")
    floor = med["python -c pass"]
    probe = med["hwcheck probe --json -"]
    print(f"hwcheck probe / python -c pass: {probe / floor:.2f}x (target <= 3x)")
    print(f"stdlib reading / python -c pass: {med['stdlib reading'] / floor:.2f}x")
    if lshw:
        ratio = med["lshw -class network -json"] / probe
        print(f"lshw / hwcheck probe: {ratio:.2f}x faster (target >= 3x)")
    else:
        print("lshw is not installed: install Debian's lshw for the comparison")


if __name__ == "__main__":
    main()
