"""`hwcheck gate`: probe this node, post it to the collector, print its verdict, exit with it.

Wiring only (hwcheck.gate holds the parts). Standard library only and Python 3.9+ up to
the point where the collector cannot be reached and the node is judged locally, which
needs the judge (Python 3.11+, PyYAML or the profile cache): that is said plainly when it
cannot run, and the exit code (5) is the same either way.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Mapping

    from hwcheck.gate.client import Unreachable
    from hwcheck.gate.config import GateConfig


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "gate",
        help="probe this node, post it to the collector and exit with the collector's verdict",
        description="The PXE-stage hook: probe this node (or read --inventory / "
        "--from-capture), post the inventory to the collector (`hwcheck serve`), print its "
        "verdict large and plain, and exit with the code it decided (0 compliant, "
        "1 non-compliant, 3 unknown). Retries with backoff until --deadline; then the "
        "submission is spooled, judged locally when possible, and the gate exits 5. "
        "Settings also come from the environment (HWCHECK_URL, HWCHECK_TOKEN, "
        "HWCHECK_TOKEN_FILE, HWCHECK_PROFILE, HWCHECK_DEADLINE, HWCHECK_SPOOL, HWCHECK_CA) "
        "and the kernel command line (hwcheck.url=, hwcheck.token=, ...); flags win.",
    )
    p.add_argument("--url", metavar="URL", help="the collector's base URL (http:// or https://)")
    p.add_argument("--token-file", metavar="FILE", help="file holding the enrollment token")
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--inventory",
        metavar="FILE",
        help="post this inventory JSON (or a spooled .json.gz) instead of probing",
    )
    source.add_argument("--from-capture", metavar="FILE", help="probe a capture instead")
    p.add_argument(
        "--profile",
        action="append",
        metavar="NAME|PATH",
        help="profile to judge with locally when the collector cannot be reached (repeatable)",
    )
    p.add_argument(
        "--deadline", metavar="SECONDS", help="give up reaching the collector after this long"
    )
    p.add_argument("--spool", metavar="DIR", help="where undelivered submissions are kept")
    p.add_argument("--ca", metavar="FILE", help="CA certificates to verify an https collector")
    p.add_argument("--quiet", action="store_true", help="print the verdict on one line only")
    p.set_defaults(func=run)


# For the command-line fast path (hwcheck.cli.quickargs).
VALUE_OPTIONS = (
    "--url",
    "--token-file",
    "--inventory",
    "--from-capture",
    "--profile",
    "--deadline",
    "--spool",
    "--ca",
)
FLAG_OPTIONS = ("--quiet",)


def run(args: argparse.Namespace) -> int:
    return gate_node(vars(args))


def gate_node(options: Mapping[str, object]) -> int:
    """The whole gate; `options` maps each option's dest to its value (`profile` a list)."""
    import os
    import time

    from hwcheck.gate.config import resolve

    inventory = _text(options.get("inventory"))
    capture = _text(options.get("from_capture"))
    for path, option in ((inventory, "--inventory"), (capture, "--from-capture")):
        if path == "":  # an unset shell variable, never "not given" (outfile.refuse_empty_path)
            from hwcheck.errors import UsageError

            raise UsageError("an empty path", where=option)
    flags = {
        key: options.get(key) for key in ("url", "token_file", "profile", "deadline", "spool", "ca")
    }
    config = resolve(flags, os.environ)
    started = time.monotonic()
    body, source = _body(inventory, capture)
    gz = gzipped(body)
    quiet = options.get("quiet") is True
    return _deliver(config, body, gz, source, started=started, quiet=quiet)


def gzipped(data: bytes) -> bytes:
    """`data` as a gzip member with no name and no timestamp (the same bytes every time),
    through zlib alone: the gzip module costs the gate's start-up more than it does."""
    import zlib

    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    return packer.compress(data) + packer.flush()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


MAX_INVENTORY_BYTES = 64 * 1024 * 1024


def _body(inventory: str | None, capture: str | None) -> tuple[bytes, str]:
    """The inventory JSON to post and where it came from."""
    if inventory is None:
        from hwcheck.compactjson import dumps
        from hwcheck.probe import probe
        from hwcheck.probe.host import open_root

        probed = probe(open_root(capture))
        return dumps(probed).encode("utf-8", "backslashreplace"), capture or "this node"
    from hwcheck.errors import InputError

    data = _read(inventory)
    if data[:2] == b"\x1f\x8b":
        import zlib

        unzip = zlib.decompressobj(wbits=31)
        try:
            data = unzip.decompress(data, MAX_INVENTORY_BYTES + 1)
        except zlib.error as err:
            raise InputError(f"not a gzip file that can be read: {err}", where=inventory) from None
        if len(data) > MAX_INVENTORY_BYTES or unzip.unconsumed_tail:
            raise InputError("larger than 64 MiB once decompressed", where=inventory)
    from hwcheck.gate.client import loads

    try:
        doc = loads(data)
    except ValueError as err:
        raise InputError(f"not JSON: {err}", where=inventory) from None
    if not isinstance(doc, dict) or doc.get("kind") != "hwcheck-inventory":
        raise InputError(
            "not an hwcheck inventory (kind is not hwcheck-inventory)", where=inventory
        )
    return data, inventory


def _read(path: str) -> bytes:
    from hwcheck.errors import InputError

    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_INVENTORY_BYTES + 1)
        else:
            with open(path, "rb") as fh:
                data = fh.read(MAX_INVENTORY_BYTES + 1)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", where=path) from None
    if len(data) > MAX_INVENTORY_BYTES:
        raise InputError("larger than 64 MiB", where=path)
    return data


def _deliver(
    config: GateConfig, body: bytes, gz: bytes, source: str, *, started: float, quiet: bool
) -> int:
    import os

    from hwcheck.gate import client, console
    from hwcheck.gate.config import default_spool
    from hwcheck.status import ExitStatus

    deadline = started + config.deadline
    spool_path = config.spool or default_spool(os.environ)
    report = None if quiet else _retrying(deadline)
    url = config.submissions_url
    unreachable = _resend_spooled(config, spool_path, deadline, quiet=quiet)
    try:
        if unreachable is not None:
            raise unreachable
        reply = client.post(
            url, gz, token=config.token, ca=config.ca, deadline=deadline, on_retry=report
        )
        answer = client.verdict_answer(reply)
    except client.Refused as err:
        raise _refused(err, url) from None
    except client.Unreachable as err:
        return _unreachable(
            config,
            body,
            gz,
            source=source,
            spool_path=spool_path,
            err=err,
            started=started,
            quiet=quiet,
        )
    verdict = str(answer["verdict"])
    if os.path.isdir(spool_path):  # a copy spooled earlier (--inventory SPOOLED) is delivered
        from hwcheck.gate import spool

        digest = answer.get("submission")
        directory = spool.open_spool(spool_path, create=False)
        if directory is not None and spool.is_digest(digest):
            spool.delivered(directory, str(digest))
    if quiet:
        node = console.plain(answer.get("hostname") or answer.get("node") or "this node", 40)
        sys.stdout.write(f"hwcheck gate: {node}: {verdict}\n")
    else:
        lines = console.verdict_lines(
            answer, collector=config.url, colour=console.colour_for(sys.stdout)
        )
        console.write(sys.stdout, lines + console.next_lines(verdict, answer.get("exit_code")))
    code = answer.get("exit_code")  # checked by verdict_answer: one its verdict can have
    return code if isinstance(code, int) else int(ExitStatus.USAGE)


def _refused(err: Exception, url: str) -> Exception:
    from hwcheck.errors import HwcheckError
    from hwcheck.gate.console import plain

    status = getattr(err, "status", None)
    sentence = plain(getattr(err, "sentence", str(err)), 400)
    suffix = f" (HTTP {status})" if status else ""
    return HwcheckError(f"{sentence}{suffix}", where=url)


def _retrying(deadline: float) -> Callable[[str, float], None]:
    import time

    def report(reason: str, wait: float) -> None:
        left = deadline - time.monotonic()
        sys.stderr.write(
            f"hwcheck: gate: the collector did not answer ({reason}); "
            f"retrying in {wait:.1f} s ({left:.0f} s left)\n"
        )

    return report


def _resend_spooled(
    config: GateConfig, spool_path: str, deadline: float, *, quiet: bool
) -> Unreachable | None:
    """Re-send what earlier gates spooled, oldest first; Unreachable when the collector
    could not be reached before the deadline (the rest stays spooled)."""
    import os

    if not os.path.isdir(spool_path):
        return None
    from hwcheck.gate import client, spool

    directory = spool.open_spool(spool_path, create=False)
    if directory is None:
        return None
    for path in spool.pending(directory):
        try:
            with open(path, "rb") as fh:
                gz = fh.read(MAX_INVENTORY_BYTES + 1)
        except OSError:
            continue
        name = os.path.basename(path)
        try:
            reply = client.post(
                config.submissions_url, gz, token=config.token, ca=config.ca, deadline=deadline
            )
            answer = client.verdict_answer(reply)
        except client.Unreachable as err:
            return err
        except client.Refused as err:
            aside = spool.reject(path)
            sys.stderr.write(
                f"hwcheck: gate: the collector refused the spooled {name} ({err.sentence}); "
                f"kept as {aside}\n"
            )
            continue
        os.unlink(path)
        if not quiet:
            sys.stderr.write(
                f"hwcheck: gate: delivered the spooled {name}: {answer.get('verdict')}\n"
            )
    return None


def _unreachable(
    config: GateConfig,
    body: bytes,
    gz: bytes,
    *,
    source: str,
    spool_path: str,
    err: Exception,
    started: float,
    quiet: bool,
) -> int:
    import hashlib
    import time

    from hwcheck.errors import HwcheckError
    from hwcheck.gate import console, spool
    from hwcheck.status import ExitStatus

    digest = hashlib.sha256(body).hexdigest()
    spooled: str | None = None
    problem_text = ""
    try:
        directory = spool.open_spool(spool_path, create=True)
        spooled = spool.write(directory or spool_path, digest, gz)
    except HwcheckError as problem:
        problem_text = str(problem)
    local, why = judge_locally(body, config.profiles, source)
    reason = getattr(err, "reason", str(err))
    attempts = getattr(err, "attempts", 0)
    waited = time.monotonic() - started
    if quiet:
        verdict = local["verdict"] if local else "no verdict"
        sys.stdout.write(
            f"hwcheck gate: collector unreachable ({reason}); local verdict: {verdict}; "
            + (f"spooled: {spooled}\n" if spooled else f"NOT spooled: {problem_text}\n")
        )
        return int(ExitStatus.UNREACHABLE)
    colour = console.colour_for(sys.stdout)
    note = "NOT CONFIRMED BY THE COLLECTOR"
    if local is not None:
        lines = console.verdict_lines(
            local, collector=None, colour=colour, note=note + " (judged here)"
        )
    else:
        lines = console.banner("unreachable", colour=colour, note=note)
        lines += console.field("verdict", f"none ({why})")
    lines += console.field(
        "collector",
        f"{config.url} unreachable for {waited:.0f} s, {attempts} attempts (last: {reason})",
    )
    if spooled is not None:
        lines += console.field("spooled", spooled)
        resend = f"; or re-send it now: hwcheck gate --inventory {spooled}"
    else:
        lines += console.field("NOT spooled", problem_text)
        resend = ""
    lines += console.field(
        "next",
        "this node is not gated (exit 5). The next gate re-sends the spooled submission "
        f"first{resend}",
    )
    console.write(sys.stdout, lines)
    return int(ExitStatus.UNREACHABLE)


def judge_locally(
    body: bytes, profiles: list[str], source: str
) -> tuple[dict[str, object] | None, str]:
    """The node judged here, as a verdict answer's fields; or None and why not."""
    if sys.version_info < (3, 11):
        return None, (
            f"local judging needs Python 3.11+; this is Python {sys.version_info[0]}."
            f"{sys.version_info[1]}"
        )
    try:
        return _judge(body, profiles, source), ""
    except ImportError as err:
        return None, f"local judging needs {err.name or err}, which is not installed"
    except Exception as err:  # noqa: BLE001 - any reason is reported; the exit code stays 5
        from hwcheck.errors import HwcheckError

        if isinstance(err, HwcheckError):
            return None, str(err)
        return None, f"local judging failed: {type(err).__name__}: {err}"


def _judge(body: bytes, profiles: list[str], source: str) -> dict[str, object]:
    import time

    from hwcheck.judge import judge_node
    from hwcheck.model.documents import parse_inventory
    from hwcheck.profile.library import Library
    from hwcheck.profile.selection import Selection
    from hwcheck.status import ANSWER_FAILED

    inventory = parse_inventory(body, where=source)
    chosen, none = Selection(Library(), profiles or None).pick(inventory)
    if none is not None:
        from hwcheck.errors import InputError

        raise InputError(none)
    now = time.gmtime()
    result = judge_node(
        chosen,
        inventory,
        today=time.strftime("%Y-%m-%d", now),
        judged_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", now),
    )
    failed = [
        {
            "rule": f["rule_id"],
            "status": f["status"],
            "subject": f["subject"]["label"],
            "message": f["message"],
        }
        for f in result["findings"]
        if f["status"] in ("fail", "unknown")
    ]
    return {
        "verdict": result["verdict"],
        "exit_code": int(result["exit_code"]),
        "hostname": inventory["host"]["hostname"],
        "profiles": [use["name"] for use in result["profiles"]],
        "counts": dict(result["counts"]),
        ANSWER_FAILED: failed,
    }
