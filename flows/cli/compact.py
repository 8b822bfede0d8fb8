"""`newsclean compact [DIR]`: merge each partition's small files into few (rows unchanged)."""

from __future__ import annotations

import argparse
import re
from typing import Any

from flows.cli.exits import EXIT_OK, UsageError
from flows.core.layout import ARTICLES, MINHASH_BANDS, QUARANTINE
from flows.core.settings import COMPACT_TARGET_ROWS, DEFAULT_OUTPUT

_MONTH = re.compile(r"^\d{4}-\d{2}$")


def add_parser(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "compact",
        help="merge the small files of frequent runs into few (rows unchanged)",
        description=(
            "Rewrite the files of each folder of DIR's articles, quarantine and inputs tables into "
            "files of up to --target-rows rows. Rows and values do not change; the new files and "
            "the removal of the old ones are published as one commit, under the output's run lock, "
            "so a compaction killed at any moment is finished by the next run or compaction."
        ),
        epilog="Exit codes: 0 done (or nothing to do), 1 failed, 2 usage error.",
    )
    command.add_argument(
        "directory",
        nargs="?",
        default=DEFAULT_OUTPUT,
        metavar="DIR",
        help=f"the dataset folder or URL, as given to 'run --output' (default: {DEFAULT_OUTPUT})",
    )
    command.add_argument(
        "--month",
        default=None,
        metavar="YYYY-MM",
        help="only the partitions of this ingestion month (default: every folder)",
    )
    command.add_argument(
        "--target-rows",
        type=int,
        default=COMPACT_TARGET_ROWS,
        metavar="N",
        help=f"rows per file at most, unless one file alone is larger (default: {COMPACT_TARGET_ROWS:,})",
    )
    command.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    # Imported when the command runs: pyarrow and fsspec would slow `newsclean --help`.
    from flows.core.storage import Storage
    from flows.dataset import commit
    from flows.dataset.compact import FolderCompaction, compact
    from flows.dataset.lock import RunLock
    from flows.quality.card import write_card

    if args.target_rows < 1:
        raise UsageError(f"--target-rows must be at least 1, got {args.target_rows}")
    if args.month is not None and not _MONTH.match(args.month):
        raise UsageError(f"--month takes YYYY-MM, not {args.month!r}")
    storage = Storage(args.directory)
    if not storage.is_dir(ARTICLES) and not storage.is_dir(QUARANTINE):
        raise UsageError(
            f"{args.directory} is not a newsclean dataset (no articles/ or quarantine/)"
        )
    only = f"ingested_month={args.month}" if args.month else None
    with RunLock(storage):
        recovered = commit.recover(storage)
        result = compact(storage, target_rows=args.target_rows, only=only)
        if result.folders:
            write_card(storage)
    for run_id in recovered:
        print(f"finished the commit of killed run {run_id}")
    if not result.folders:
        print(
            f"newsclean compact: nothing to do in {storage.url()} (no folder holds several files)"
        )
        return EXIT_OK
    print(
        f"newsclean compact {result.compaction_id}: {result.files_before} files -> "
        f"{result.files_after} in {len(result.folders)} folders"
    )
    # The bands' up to 256 key partitions are one line: they are one table, compacted alike.
    bands = [f for f in result.folders if f.folder.startswith(f"{MINHASH_BANDS}/")]
    shown = [f for f in result.folders if f not in bands]
    if bands:
        shown.append(
            FolderCompaction(
                f"{MINHASH_BANDS}/ ({len(bands)} key partitions)",
                sum(f.files_before for f in bands),
                sum(f.files_after for f in bands),
                sum(f.rows for f in bands),
            )
        )
    for folder in shown:
        print(
            f"  {folder.folder:<48} {folder.files_before:>5} -> {folder.files_after:<4} "
            f"{folder.rows:>9,} rows"
        )
    return EXIT_OK
