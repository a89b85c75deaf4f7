"""`check`'s exporters: `--nfd-features` (a feature file for Kubernetes Node Feature
Discovery, docs/nfd.md) and `--prometheus` (metrics for node_exporter's textfile collector,
docs/prometheus.md).

Their files are written with the run's reports, as one set (hwcheck.outfile.OutputSet):
each is staged as a dot file in its own directory, which neither nfd-worker nor node_exporter
reads, and renamed into place with the others, or none is. Options are checked before any
work is done, with the reports' clash rules: no empty path, no two outputs to one file.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from hwcheck.model.result import Result


def add_options(p: argparse.ArgumentParser) -> None:
    """--nfd-features, --nfd-prefix, --nfd-expiry and --prometheus on `check`'s parser."""
    from hwcheck.interop.nfd import DEFAULT_NAMESPACE

    p.add_argument(
        "--nfd-features",
        metavar="PATH",
        help="write the verdict as node labels for NFD's local source here (e.g. "
        "/etc/kubernetes/node-feature-discovery/features.d/hwcheck)",
    )
    p.add_argument(
        "--nfd-prefix",
        metavar="NAMESPACE",
        help=f"the labels' namespace (default: {DEFAULT_NAMESPACE}, which NFD always allows)",
    )
    p.add_argument(
        "--nfd-expiry",
        metavar="DURATION",
        help="NFD drops the labels this long after the node was judged (90m, 2h, 1d)",
    )
    p.add_argument(
        "--prometheus",
        metavar="PATH.prom",
        help="write node_exporter textfile-collector metrics here (a *.prom file in its "
        "--collector.textfile.directory)",
    )


def check_options(args: argparse.Namespace) -> None:
    """Refuse, as UsageError, exporter options that cannot be honoured, before any work."""
    from hwcheck.cli.report import refuse_clashing_outputs
    from hwcheck.errors import UsageError
    from hwcheck.interop.nfd import DEFAULT_NAMESPACE, expiry_seconds, namespace
    from hwcheck.outfile import is_standard_output

    refuse_clashing_outputs(
        (
            ("--json", args.json),
            ("--junit", args.junit),
            ("--html", args.html),
            ("--nfd-features", args.nfd_features),
            ("--prometheus", args.prometheus),
        )
    )
    for option, path, why in (
        ("--nfd-features", args.nfd_features, "nfd-worker reads files in features.d"),
        ("--prometheus", args.prometheus, "node_exporter reads *.prom files"),
    ):
        if is_standard_output(path):
            raise UsageError(f"{option} needs a file name ({why})")
    if args.prometheus is not None and not args.prometheus.endswith(".prom"):
        raise UsageError(
            f"{args.prometheus}: node_exporter's textfile collector reads only files named "
            "*.prom; give a name ending in .prom",
            where="--prometheus",
        )
    if args.nfd_features is None:
        for option, given in (("--nfd-prefix", args.nfd_prefix), ("--nfd-expiry", args.nfd_expiry)):
            if given is not None:
                raise UsageError(
                    f"{option} is for the NFD feature file: give --nfd-features PATH too"
                )
    args.nfd_prefix = namespace(DEFAULT_NAMESPACE if args.nfd_prefix is None else args.nfd_prefix)
    if args.nfd_expiry is not None:
        args.nfd_expiry = expiry_seconds(args.nfd_expiry)


def outputs(
    judged: Result, args: argparse.Namespace, probe_seconds: float | None
) -> list[tuple[str, str]]:
    """(path, text) of each exporter file asked for, rendered before anything is written."""
    files: list[tuple[str, str]] = []
    if args.nfd_features is not None:
        from hwcheck.interop.nfd import render_features

        text = render_features(judged, ns=args.nfd_prefix, expiry=args.nfd_expiry)
        files.append((args.nfd_features, text))
    if args.prometheus is not None:
        from hwcheck.interop.prometheus import render_textfile

        files.append((args.prometheus, render_textfile(judged, probe_seconds=probe_seconds)))
    return files
