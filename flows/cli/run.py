"""`newsclean run`: clean inputs into the dataset."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from flows.cli import EXIT_FAILED, EXIT_OK, UsageError
from flows.core.settings import (
    DEFAULT_INPUT,
    DEFAULT_OUTPUT,
    TASK_RUNNERS,
    RunConfig,
    language_codes,
)
from flows.dataset.lock import RunLock


def add_parser(subparsers: Any) -> None:
    run = subparsers.add_parser(
        "run",
        help="clean inputs into the dataset",
        description=(
            "Clean scraped articles into a Parquet dataset. INPUT is any mix of files, folders (walked "
            "recursively) and fsspec URLs (s3://, gs://, memory://...): .txt plain-text scrapes, "
            ".html/.htm pages (also .gz), .jsonl scraper exports (also .gz) with an 'html' or 'text' "
            "field per line, .warc/.warc.gz crawls. Other files are skipped and listed in the summary. "
            "Inputs already in the dataset (same name and bytes) are not processed again."
        ),
        epilog="Exit codes: 0 success, 1 run failed (e.g. the data contract broke), 2 usage error.",
    )
    run.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help=f"files or folders to read (default: {DEFAULT_INPUT})",
    )
    run.add_argument(
        "-o",
        "--output",
        default=DEFAULT_OUTPUT,
        metavar="DIR",
        help=f"dataset folder; created when missing (default: {DEFAULT_OUTPUT})",
    )
    run.add_argument(
        "-w",
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help=f"worker processes (default: the machine's cores, {os.cpu_count()})",
    )
    run.add_argument(
        "--batch-size",
        type=int,
        default=None,
        metavar="N",
        help="files per batch (default: sized so each worker gets several batches, at most 256)",
    )
    run.add_argument(
        "--document-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="time limit per document; a document over it is quarantined as 'timeout' (default: 60)",
    )
    run.add_argument(
        "--max-document-mb",
        type=float,
        default=5.0,
        metavar="MB",
        help="larger documents are quarantined as 'too_large' (default: 5)",
    )
    run.add_argument(
        "--languages",
        type=language_codes,
        default=None,
        metavar="CODES",
        help="comma-separated ISO 639-1 codes to accept, e.g. en,de; others are quarantined "
        "(default: every language)",
    )
    run.add_argument(
        "--max-quarantine-share",
        type=float,
        default=0.5,
        metavar="FRACTION",
        help="a batch with a larger share of rows failing validation is not published (default: 0.5)",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="process every input again and replace the dataset's rows",
    )
    add_task_runner_arguments(run)
    run.add_argument(
        "--json", action="store_true", help="print the run summary as JSON instead of text"
    )
    run.add_argument(
        "--no-progress", action="store_true", help="no progress bar, even on a terminal"
    )
    run.set_defaults(handler=handle)


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """The run options on the command line (run's, and serve's which reuses them), validated."""
    return RunConfig.build(
        inputs=args.inputs,
        output=args.output,
        workers=args.workers,
        batch_size=args.batch_size,
        document_timeout=args.document_timeout,
        max_document_mb=args.max_document_mb,
        languages=args.languages,
        max_quarantine_share=args.max_quarantine_share,
        full_refresh=args.full_refresh,
        task_runner=args.task_runner,
        dask_address=args.dask_address,
    )


def handle(args: argparse.Namespace) -> int:
    # Validate the parameters before paying for Prefect's start-up.
    config = config_from_args(args)
    if "://" not in config.output:
        _check_writable(Path(config.output))
    RunLock(config.output).check_free()  # before Prefect's start-up: seconds, not tens
    _check_layout(config)
    from flows.orchestration import progress
    from flows.pipeline import clean_articles
    from flows.quality.report import terminal_summary

    progress.enable(not args.no_progress and not args.json)
    summary = clean_articles(**config.flow_parameters())
    print(json.dumps(summary, indent=2) if args.json else terminal_summary(summary))
    return EXIT_OK if summary["status"] == "succeeded" else EXIT_FAILED


def add_task_runner_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--task-runner",
        choices=TASK_RUNNERS,
        default="threads",
        help="where batch tasks run: threads in this process, or a Dask cluster "
        "(a local one of --workers processes unless --dask-address is given) (default: threads)",
    )
    parser.add_argument(
        "--dask-address",
        default=None,
        metavar="tcp://HOST:PORT",
        help="scheduler of an existing Dask cluster (with --task-runner dask); its workers need "
        "DASK_DISTRIBUTED__WORKER__DAEMON=False, PREFECT_API_URL and access to the output folder",
    )


def _check_layout(config: RunConfig) -> None:
    from flows.core.storage import Storage
    from flows.dataset.state import DatasetLayoutError, check_layout

    try:
        check_layout(Storage(config.output), full_refresh=config.full_refresh)
    except DatasetLayoutError as error:
        raise UsageError(str(error)) from error


def _check_writable(output: Path) -> None:
    existing = output
    while not existing.exists():
        existing = existing.parent
    if not os.access(existing, os.W_OK):
        raise UsageError(f"cannot write to the output folder {output} ({existing} is not writable)")
