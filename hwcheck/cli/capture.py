"""`hwcheck capture OUT.tar.gz`: snapshot what the probe reads, to replay anywhere."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "capture",
        help="snapshot the raw material the probe reads into a .tar.gz",
        description="Record exactly what the probe reads on this node (sysfs/procfs files, "
        "os-release, driver-info answers, pci.ids names, lshw output when installed) so that "
        "`hwcheck probe --from-capture OUT` gives the same inventory on any machine. "
        "Attach it to bug reports; re-run fleet audits offline.",
    )
    p.add_argument("out", metavar="OUT.tar.gz", help="archive to write (written atomically)")
    p.add_argument("--no-lshw", action="store_true", help="do not run lshw for the capture")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hwcheck.capture import write_capture
    from hwcheck.outfile import is_standard_output, refuse_empty_path

    refuse_empty_path(args.out, "OUT.tar.gz")
    # The archive on standard output (`/dev/stdout | tar tz`): the message must not follow it.
    console = sys.stderr if is_standard_output(args.out) else sys.stdout

    from hwcheck.render.words import plural

    inventory = write_capture(args.out, lshw=not args.no_lshw)
    console.write(
        f"hwcheck: captured {plural(len(inventory['nics']), 'interface')}, "
        f"{plural(len(inventory['gaps']), 'gap')} to {args.out}\n"
    )
    return 0
