"""ansible/hwcheck-fleet.yml driven by ansible-playbook over real SSH against three hosts.

Each host is a network namespace with its own sshd, hostname and links (tests/sshhosts.py):
edge1 has one veth pair besides eth0, edge2 two, edge3 a bridge. The playbook logs in as
root with the test's key, checks each host key against the test's known_hosts, becomes
with sudo as it would on a real host, runs the repository's hwcheck (the role's "already
installed" mode: the hosts share this filesystem), fetches one capture per host and runs
`hwcheck fleet` once on the controller. What the fleet reports of each host is compared
with what the kernel lists in that host's namespace. Further tests stop one host's sshd
(unreachable: absent from the fleet and named), let the fleet's verdict fail the play,
judge again with `--tags fleet`, and install hwcheck from wheels into a venv on a host.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import pytest

from tests import sshhosts

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
HWCHECK = os.path.join(BIN, "hwcheck")
PLAYBOOK = os.path.join(REPO, "ansible", "hwcheck-fleet.yml")

# A profile every host is judged by (--profile): no card of these hosts is selected by the
# shipped profiles, and a node no profile applies to is an error row without its links.
DEBIAN_ONLY = """\
hwcheck_profile: 1
name: test/netns-hosts
rules:
  - id: test.os
    title: The hosts run Debian
    os: {id: {exact: debian}}
"""
# The same with a rule the hosts with more than three veth ports fail.
AT_MOST_THREE_VETH = (
    DEBIAN_ONLY
    + """\
  - id: test.veth-ports
    title: At most three veth ports
    nic: {link_types: [veth]}
    count: {max: 3, per: port}
"""
)


def one_veth_pair(netns: str) -> None:
    sshhosts.run("ip", "-n", netns, "link", "add", "e1a", "type", "veth", "peer", "name", "e1b")


def two_veth_pairs(netns: str) -> None:
    for a, b in (("e2a", "e2b"), ("e2c", "e2d")):
        sshhosts.run("ip", "-n", netns, "link", "add", a, "type", "veth", "peer", "name", b)


def a_bridge(netns: str) -> None:
    sshhosts.run("ip", "-n", netns, "link", "add", "e3br", "type", "bridge")


# inventory name, the host's own hostname, what it has besides eth0, and those links.
HOSTS = (
    ("edge1", "node1.hwcheck.test", one_veth_pair, ["e1a", "e1b"]),
    ("edge2", "node2.hwcheck.test", two_veth_pairs, ["e2a", "e2b", "e2c", "e2d"]),
    ("edge3", "node3.hwcheck.test", a_bridge, ["e3br"]),
)


@pytest.fixture
def hosts(tmp_path):
    reason = sshhosts.available()
    if reason:
        pytest.skip(reason)
    made = sshhosts.SshHosts(str(tmp_path / "hosts"))
    try:
        for name, hostname, build, _ in HOSTS:
            made.add(name, hostname, build)
        yield made
    finally:
        made.close()


def run_playbook(tmp_path, inventory: dict, variables: dict, *args: str) -> tuple[int, str]:
    """ansible-playbook with the shipped ansible.cfg, `inventory` (as Ansible's YAML/JSON
    inventory) and `variables` as extra vars: its exit code and output."""
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    extra = tmp_path / "extra-vars.json"
    extra.write_text(json.dumps({"hwcheck_bin": HWCHECK, "hwcheck_controller_bin": HWCHECK,
                                 **variables}))  # fmt: skip
    home = tmp_path / "ansible-home"
    # ssh's control sockets need a short path (108 bytes), shorter than pytest's tmp_path.
    control = tempfile.mkdtemp(prefix="hwc-cp-")
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": os.path.join(REPO, "ansible", "ansible.cfg"),
        "ANSIBLE_HOME": str(home),
        "ANSIBLE_LOCAL_TEMP": str(home / "tmp"),
        "ANSIBLE_REMOTE_TEMP": str(tmp_path / "remote-tmp"),
        "ANSIBLE_SSH_CONTROL_PATH_DIR": control,
        "ANSIBLE_NOCOLOR": "1",
    }
    try:
        done = subprocess.run(
            [os.path.join(BIN, "ansible-playbook"), "-i", str(tmp_path / "inventory.json"),
             PLAYBOOK, "-e", f"@{extra}", *args],
            capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=180, check=False,
        )  # fmt: skip
    finally:
        shutil.rmtree(control, ignore_errors=True)
    return done.returncode, done.stdout + done.stderr


@pytest.fixture
def ansible(tmp_path, hosts):
    """Run the playbook against `hosts`, logging in as root with the test's key and known
    hosts; `host_vars` adds variables for some of them."""

    def play(variables: dict, *args: str, host_vars: dict | None = None) -> tuple[int, str]:
        inventory = {
            "fleet": {
                "hosts": {
                    host.name: {
                        "ansible_host": host.address,
                        # The hosts share this filesystem: each writes to its own directory.
                        "hwcheck_remote_dir": str(tmp_path / "on-host" / host.name),
                        **(host_vars or {}).get(host.name, {}),
                    }
                    for host in hosts.hosts
                },
                "vars": {
                    "ansible_user": "root",
                    "ansible_ssh_private_key_file": hosts.key,
                    "ansible_ssh_common_args": (
                        f"-o UserKnownHostsFile={hosts.known_hosts} -o StrictHostKeyChecking=yes"
                    ),
                    "ansible_python_interpreter": "/usr/bin/python3",
                },
            }
        }
        return run_playbook(tmp_path, inventory, variables, *args)

    return play


def recap(output: str) -> dict[str, dict[str, int]]:
    """PLAY RECAP as {host: {"ok": n, "changed": n, "unreachable": n, "failed": n, ...}}."""
    rows = {}
    for line in output[output.rindex("PLAY RECAP") :].splitlines()[1:]:
        host, sep, counts = line.partition(" : ")
        if sep:
            rows[host.strip()] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", counts)}
    return rows


def logins(host: sshhosts.SshHost) -> int:
    """How many SSH logins the host's sshd accepted, from this side of its veth pair."""
    with open(host.log) as log:
        return log.read().count(f"Accepted publickey for root from {host.gateway} ")


def probe_capture(path: str) -> dict:
    done = subprocess.run(
        [HWCHECK, "probe", "--from-capture", path, "--json", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def fleet_nodes(out) -> dict[str, dict]:
    fleet = json.loads((out / "fleet.json").read_text())
    nodes = {node["hostname"]: node for node in fleet["nodes"]}
    assert len(nodes) == len(fleet["nodes"]), fleet["nodes"]
    return nodes


@pytest.mark.live
def test_the_playbook_captures_every_host_over_ssh_and_judges_the_fleet(tmp_path, hosts, ansible):
    for (name, _, _, extra), host in zip(HOSTS, hosts.hosts, strict=True):
        assert host.name == name
        assert host.links() == sorted(["eth0", *extra])  # the namespace holds what we made
    profile = tmp_path / "netns-hosts.yaml"
    profile.write_text(DEBIAN_ONLY)
    out = tmp_path / "fleet"

    rc, output = ansible({"hwcheck_output_dir": str(out), "hwcheck_profiles": [str(profile)]})

    assert rc == 0, output
    rows = recap(output)
    for host in hosts.hosts:
        assert rows[host.name]["ok"] > 0, output
        assert rows[host.name]["unreachable"] == rows[host.name]["failed"] == 0, output
        assert logins(host) > 0  # each host was reached through its own sshd
    assert "fleet COMPLIANT: 3 nodes" in output

    # One directory per inventory host, holding its capture and nothing else.
    assert sorted(os.listdir(out / "hosts")) == [host.name for host in hosts.hosts]
    for host in hosts.hosts:
        assert os.listdir(out / "hosts" / host.name) == ["capture.tar.gz"]
        inventory = probe_capture(str(out / "hosts" / host.name / "capture.tar.gz"))
        assert inventory["host"]["hostname"] == host.hostname
        assert sorted(nic["name"] for nic in inventory["nics"]) == sorted(["lo", *host.links()])
        # The latest capture stays on the host, in its root-only directory.
        on_host = tmp_path / "on-host" / host.name
        assert os.listdir(on_host) == ["capture.tar.gz"]
        assert os.stat(on_host).st_mode & 0o777 == 0o700

    # The fleet lists each host once, with exactly the links made in its namespace.
    nodes = fleet_nodes(out)
    assert sorted(nodes) == sorted(host.hostname for host in hosts.hosts)
    for host in hosts.hosts:
        node = nodes[host.hostname]
        assert node["links"] == host.links(), node
        assert node["verdict"] == "compliant", node
        assert node["source"] == str(out / "hosts" / host.name / "capture.tar.gz")
        assert node["profiles"] == ["test/netns-hosts"]
    page = (out / "index.html").read_text()
    for node in nodes.values():  # the fleet page, and each node's own page linked from it
        assert node["hostname"] in page
        assert node["report"] and node["report"] in page, node
        assert node["hostname"] in (out / node["report"]).read_text()
    with open(out / "fleet.csv", newline="") as table:
        assert {row["hostname"] for row in csv.DictReader(table)} == set(nodes)
    cases = ET.parse(out / "fleet.xml").getroot().iter("testcase")  # noqa: S314 - our own output
    assert len(list(cases)) == len(nodes)
    assert (out / "not-collected.txt").read_text() == ""


@pytest.mark.live
def test_a_host_that_does_not_answer_is_absent_and_named_and_the_verdict_fails_the_play(
    tmp_path, hosts, ansible
):
    edge1, edge2, edge3 = hosts.hosts
    out = tmp_path / "fleet"
    # What edge3 sent in an earlier run (a capture made over SSH, as the playbook makes it).
    (out / "hosts" / edge3.name).mkdir(parents=True)
    earlier = out / "hosts" / edge3.name / "capture.tar.gz"
    hosts.ssh(edge3, HWCHECK, "capture", str(earlier))
    assert probe_capture(str(earlier))["host"]["hostname"] == edge3.hostname
    edge3.stop()  # edge3's sshd is gone: connections to it are refused
    profile = tmp_path / "netns-hosts.yaml"
    profile.write_text(AT_MOST_THREE_VETH)
    variables = {"hwcheck_output_dir": str(out), "hwcheck_profiles": [str(profile)]}
    # edge2 sends its inventory (hwcheck probe --json) rather than a capture; edge1, logged
    # into as root, is told it needs no become.
    probe_mode = {edge2.name: {"hwcheck_collect": "probe"}, edge1.name: {"hwcheck_become": False}}

    rc, output = ansible(variables, host_vars=probe_mode)

    # Ansible lists edge3 as unreachable; the fleet is judged without it, and its exit code 1
    # (edge2 has five veth ports) fails the fleet play, run on the controller for edge1.
    # ansible-playbook exits 4 when a host was unreachable, before 2 for a failed one.
    assert rc == 4, output
    rows = recap(output)
    assert rows[edge3.name]["unreachable"] == 1, output
    assert rows[edge2.name]["unreachable"] == rows[edge2.name]["failed"] == 0, output
    assert (rows[edge1.name]["unreachable"], rows[edge1.name]["failed"]) == (0, 1), output
    assert f"fatal: [{edge1.name} -> localhost]: FAILED!" in output
    assert (
        "hwcheck fleet exited 1 (a node is non-compliant): fleet NON-COMPLIANT: 2 nodes" in output
    )
    assert sorted(os.listdir(out / "hosts")) == [edge1.name, edge2.name]
    assert os.listdir(out / "hosts" / edge1.name) == ["capture.tar.gz"]
    assert os.listdir(out / "hosts" / edge2.name) == ["inventory.json"]
    assert (out / "not-collected.txt").read_text() == f"{edge3.name}\n"
    nodes = fleet_nodes(out)
    assert sorted(nodes) == [edge1.hostname, edge2.hostname]
    assert nodes[edge2.hostname]["source"] == str(out / "hosts" / edge2.name / "inventory.json")
    for host in (edge1, edge2):
        veths = [link for link, kind in host.link_kinds().items() if kind == "veth"]
        node = nodes[host.hostname]
        assert node["links"] == host.links(), node
        if len(veths) <= 3:
            assert (node["verdict"], node["failed_rules"]) == ("compliant", []), node
        else:
            assert (node["verdict"], node["failed_rules"]) == ("noncompliant", ["test.veth-ports"])
    assert nodes[edge2.hostname]["verdict"] == "noncompliant"  # the case above is exercised

    # Judging again what was fetched (`--tags fleet`) asks no host and keeps the list of
    # those that did not answer; with hwcheck_fail_on empty the verdict only reports.
    judged_before = json.loads((out / "fleet.json").read_text())["judged_at"]
    logins_before = [logins(host) for host in (edge1, edge2)]
    rc, output = ansible(
        {**variables, "hwcheck_fail_on": []}, "--tags", "fleet", host_vars=probe_mode
    )

    assert rc == 0, output
    assert [logins(host) for host in (edge1, edge2)] == logins_before
    assert "fleet NON-COMPLIANT: 2 nodes" in output
    assert (out / "not-collected.txt").read_text() == f"{edge3.name}\n"
    assert json.loads((out / "fleet.json").read_text())["judged_at"] >= judged_before
    assert sorted(fleet_nodes(out)) == [edge1.hostname, edge2.hostname]


@pytest.mark.live
def test_the_wheel_mode_installs_hwcheck_into_a_venv_on_the_host_once(tmp_path, hosts, ansible):
    edge1 = hosts.hosts[0]
    wheels = tmp_path / "wheels"
    # The wheels the docs tell how to build: hwcheck's and its dependencies'.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", REPO,
         "-w", str(wheels)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    venv = tmp_path / "on-host" / "venv"
    out = tmp_path / "fleet"
    variables = {
        "hwcheck_install": "wheel",
        "hwcheck_wheel_dir": str(wheels),
        "hwcheck_venv": str(venv),
        "hwcheck_output_dir": str(out),
    }
    install = "TASK [hwcheck : Install hwcheck 0.1.0 from the copied wheels]"
    # Only the collection (the fleet play is the same in either mode), only on edge1.
    only_edge1 = ("--limit", edge1.name, "--tags", "collect")

    rc, output = ansible(variables, *only_edge1)

    assert rc == 0, output
    assert task_result(output, install) == f"changed: [{edge1.name}]", output
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import hwcheck; print(hwcheck.__file__)"],
        capture_output=True, text=True, check=True, cwd=str(tmp_path),
    ).stdout  # fmt: skip
    assert where.startswith(str(venv)), where  # the wheel's hwcheck, not the repository's
    capture = probe_capture(str(out / "hosts" / edge1.name / "capture.tar.gz"))
    assert capture["host"]["hostname"] == edge1.hostname
    assert sorted(nic["name"] for nic in capture["nics"]) == sorted(["lo", *edge1.links()])
    assert not (out / "fleet.json").exists()

    # A second run finds hwcheck 0.1.0 installed and leaves the environment as it is.
    rc, output = ansible(variables, *only_edge1)

    assert rc == 0, output
    assert task_result(output, "TASK [hwcheck : Copy the wheels to the host]") == (
        f"skipping: [{edge1.name}]"
    ), output
    assert task_result(output, install) == f"skipping: [{edge1.name}]", output
    capture_task = "TASK [hwcheck : Capture what the probe reads (hwcheck capture)]"
    assert task_result(output, capture_task) == f"changed: [{edge1.name}]", output


def task_result(output: str, task: str) -> str:
    """The first line ansible-playbook printed for `task` (`changed: [edge1]`)."""
    lines = [line for line in output.splitlines() if line.strip()]
    starts = [i for i, line in enumerate(lines) if line.startswith(task + " *")]
    assert len(starts) == 1, (task, output)
    return lines[starts[0] + 1]


def test_a_misspelled_choice_stops_the_play_naming_the_variable_before_any_host_is_asked(
    tmp_path,
):
    # Port 1 of loopback refuses connections: a host the play would find unreachable.
    nowhere = {"fleet": {"hosts": {"nowhere": {"ansible_host": "127.0.0.1", "ansible_port": 1}}}}
    out = tmp_path / "fleet"

    rc, output = run_playbook(
        tmp_path, nowhere, {"hwcheck_install": "wheels", "hwcheck_output_dir": str(out)}
    )

    assert rc == 2, output
    assert "value of hwcheck_install must be one of: present, wheel, got: wheels" in output
    assert recap(output)["nowhere"]["unreachable"] == 0, output  # it was never connected to
    assert not out.exists()
