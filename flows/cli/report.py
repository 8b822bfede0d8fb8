"""`newsclean report [DIR]`: print the newest report's summary.md (a run's or a validate's)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from flows.cli.exits import EXIT_FAILED, EXIT_OK, UsageError
from flows.core.layout import REPORTS_DIR
from flows.core.settings import DEFAULT_OUTPUT


def add_parser(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "report",
        help="print the latest run's or validation's summary",
        description="Print DIR/reports/latest/summary.md: the newest run's or validation's summary.",
        epilog="Exit codes: 0 printed, 1 the dataset has no report yet, 2 usage error.",
    )
    command.add_argument(
        "directory",
        nargs="?",
        default=DEFAULT_OUTPUT,
        metavar="DIR",
        help=f"the dataset folder (default: {DEFAULT_OUTPUT})",
    )
    command.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    # Imported when the command runs: pyarrow and fsspec would slow `newsclean --help`.
    from flows.core.storage import Storage
    from flows.quality.report import latest_report

    storage = Storage(args.directory)
    if not storage.is_dir():
        raise UsageError(f"{args.directory}: no such folder")
    folder = latest_report(storage)
    summary = f"{folder}/summary.md" if folder else None
    if summary is None or not storage.exists(summary):
        print(
            f"newsclean: no report in {storage.url(REPORTS_DIR)} yet (run or validate first)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(storage.read_text(summary), end="")
    return EXIT_OK
