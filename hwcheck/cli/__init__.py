"""Command line: argument parsing, wiring of the stages, errors to exit codes. No logic.

Each subcommand lives in its own module here (`hwcheck.cli.probe`, ...) exposing
`add_parser(subparsers)`; the parser it adds sets `func` to a `run(args) -> int`.
Subcommand modules import what they need inside `run`, so `--help` and the probe path
stay cheap; the parser itself is in `hwcheck.cli.parser`, and `hwcheck probe` with plain
options does not load it (`hwcheck.cli.quickargs`). This package is the only place that
wires probe, judge and renderers together.
"""

from __future__ import annotations

import sys

from hwcheck.errors import HwcheckError
from hwcheck.status import ExitStatus

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal as _signal
    from types import FrameType
else:
    # The C module: `signal` imports enum, which the probe's start-up cannot afford.
    import _signal


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the run stands so that it unwinds like Ctrl-C: every
    temporary output is removed and no report is left half-replaced."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_STOPPING: list[int] = []


def _terminate(signum: int, frame: FrameType | None) -> None:
    if _STOPPING:
        return  # already unwinding: a second signal must not cut the clean-up short
    _STOPPING.append(signum)
    raise Terminated(signum)


def _catch_termination() -> dict[int, object]:
    """Turn SIGTERM and SIGHUP into Terminated; the previous handlers, to put back. A signal
    the caller chose to ignore (`nohup`) stays ignored."""
    previous: dict[int, object] = {}
    for signum in (_signal.SIGTERM, _signal.SIGHUP):
        handler = _signal.getsignal(signum)
        if handler == _signal.SIG_IGN or handler is None:
            continue
        _signal.signal(signum, _terminate)
        previous[int(signum)] = handler
    return previous


def _restore(previous: dict[int, object]) -> None:
    for signum, handler in previous.items():
        _signal.signal(signum, handler)  # type: ignore[arg-type]
    _STOPPING.clear()


def _interrupted(err: KeyboardInterrupt) -> str:
    if isinstance(err, Terminated):
        name = {int(_signal.SIGTERM): "SIGTERM", int(_signal.SIGHUP): "SIGHUP"}
        return (
            f"hwcheck: stopped by {name.get(err.signum, err.signum)}; no partial output was left\n"
        )
    return "hwcheck: interrupted; no partial output was left\n"


def _quick(argv: list[str]) -> int | None:
    """Run `hwcheck probe` or `hwcheck gate` with plain options without building the
    argparse parser (see hwcheck.cli.quickargs); None when argparse should read the
    command line."""
    if not argv or argv[0] not in ("probe", "gate"):
        return None
    from hwcheck.cli.quickargs import parse_plain

    if argv[0] == "gate":
        from hwcheck.cli import gate

        found = parse_plain(argv[1:], gate.VALUE_OPTIONS, gate.FLAG_OPTIONS)
        if found is None or (found["inventory"] is not None and found["from_capture"] is not None):
            return None  # argparse says which options cannot go together
        if isinstance(found["profile"], str):
            return gate.gate_node({**found, "profile": [found["profile"]]})
        return gate.gate_node(found)
    from hwcheck.cli import probe

    options = parse_plain(argv[1:], probe.VALUE_OPTIONS, probe.FLAG_OPTIONS)
    if options is None:
        return None
    return probe.probe_node(
        json=_text(options["json"]),
        from_capture=_text(options["from_capture"]),
        lshw=options["lshw"] is True,
    )


STDLIB_COMMANDS = ("probe", "capture", "gate")
"""The commands that run on Python 3.9+ with the standard library alone (a ramdisk's
python3, hwcheck.pyz); every other needs the package's own Python, 3.11+."""


def _refuse_old_python(command: str) -> None:
    if sys.version_info < (3, 11) and command not in STDLIB_COMMANDS:
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"
        raise HwcheckError(
            f"needs Python 3.11+ (this is Python {version}); probe, capture and gate run on "
            "Python 3.9+",
            where=f"hwcheck {command}",
        )


def _text(value: str | bool | None) -> str | None:
    return value if isinstance(value, str) else None


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    from hwcheck.cli.streams import GuardedStdout, QuietStderr

    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = GuardedStdout(stdout), QuietStderr(stderr)
    previous: dict[int, object] = {}
    try:
        previous = _catch_termination()
        code = _quick(argv)
        if code is None:
            from hwcheck.cli.parser import build_parser

            args = build_parser(argv).parse_args(argv)
            _refuse_old_python(args.command)
            code = int(args.func(args))
        sys.stdout.flush()  # a refused write is reported here, not lost at exit
    except HwcheckError as err:
        sys.stderr.write(f"hwcheck: error: {err}\n")
        return int(err.exit_status)
    except KeyboardInterrupt as err:  # Ctrl-C, SIGTERM, SIGHUP: one path, one exit code
        sys.stderr.write(_interrupted(err))
        return int(ExitStatus.INTERRUPTED)
    except BrokenPipeError as err:
        # Both standard streams handle their own; any other pipe is an output that failed.
        sys.stderr.write(f"hwcheck: error: cannot write: {err.strerror}\n")
        return int(ExitStatus.OUTPUT)
    except Exception as err:  # noqa: BLE001 - the one place a bug becomes exit 70, not a traceback
        return _internal_error(err)
    else:
        return code
    finally:
        _restore(previous)
        sys.stdout, sys.stderr = stdout, stderr


def _internal_error(err: Exception) -> int:
    import os
    import traceback

    if os.environ.get("HWCHECK_DEBUG"):
        traceback.print_exc()
    else:
        sys.stderr.write(
            f"hwcheck: internal error: {type(err).__name__}: {err}\n"
            "hwcheck: this is a bug; please report it (HWCHECK_DEBUG=1 shows the traceback)\n"
        )
    return int(ExitStatus.INTERNAL)
