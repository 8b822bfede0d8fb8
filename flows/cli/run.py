"""`newsclean run`: clean inputs into the dataset."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from types import NoneType
from typing import Any, get_args

from flows.cli.exits import EXIT_FAILED, EXIT_OK, UsageError
from flows.core.settings import PREFECT_DEFAULTS, RunConfig, RunOption, run_options
from flows.dataset.lock import RunLock
from flows.orchestration import local_server, warm_runner
from flows.quality import background


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
    add_run_options(run)
    add_output_options(run)
    run.set_defaults(handler=handle)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The run options, as RunConfig declares them (`newsclean serve` takes them too)."""
    for declared in run_options():
        parser.add_argument(*declared.flags or [declared.name], **_argparse_settings(declared))


def _argparse_settings(declared: RunOption) -> dict[str, Any]:
    settings: dict[str, Any] = {"default": declared.default, "help": declared.help}
    if not declared.flags:  # the positional argument: any number of values
        return settings | {"nargs": "*", "metavar": declared.metavar}
    settings["dest"] = declared.name
    if declared.type is bool:
        return settings | {"action": "store_true"}
    if declared.metavar is not None:
        settings["metavar"] = declared.metavar
    if declared.choices is not None:
        settings["choices"] = declared.choices
    parse = declared.parse or _scalar_type(declared.type)
    if parse is not str:
        settings["type"] = parse
    return settings


def _scalar_type(kind: Any) -> Any:
    """int for `int` and `int | None`, and so on."""
    return next(arg for arg in get_args(kind) if arg is not NoneType) if get_args(kind) else kind


def add_output_options(parser: argparse.ArgumentParser, *, advertised: bool = True) -> None:
    """How `run` shows its summary (not run options: the flow never sees them)."""
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the run summary as JSON instead of text" if advertised else argparse.SUPPRESS,
    )
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar, even on a terminal" if advertised else argparse.SUPPRESS,
    )


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """The run options on the command line (run's, and serve's which reuses them), checked."""
    return RunConfig.build(
        **{declared.name: getattr(args, declared.name) for declared in run_options()}
    )


def handle(args: argparse.Namespace) -> int:
    # Validate the parameters before paying for Prefect's start-up.
    config = config_from_args(args)
    if "://" not in config.output:
        _check_writable(Path(config.output))
    RunLock(config.output).check_free()  # before Prefect's start-up: seconds, not tens
    _check_layout(config)
    in_runner = os.environ.get(warm_runner.IN_RUNNER_ENV) == "1"
    if not in_runner:
        _choose_prefect_api()  # before Prefect is imported: it reads PREFECT_API_URL then
        handed_over = _hand_over(args)
        if handed_over is not None:
            return handed_over
        # GX's import (seconds of CPU) goes on in a child process while Prefect starts here.
        background.start()
    try:
        # Imported only now: they start Prefect, which `--help` and usage errors need not wait for.
        from flows.orchestration import progress
        from flows.pipeline import clean_articles
        from flows.quality.report import terminal_summary

        progress.enable(not args.no_progress and not args.json)
        summary = clean_articles(**config.handover())  # checked above: the flow takes it as is
    finally:
        background.stop()
    print(json.dumps(summary, indent=2) if args.json else terminal_summary(summary))
    return EXIT_OK if summary["status"] == "succeeded" else EXIT_FAILED


def _hand_over(args: argparse.Namespace) -> int | None:
    """The run's exit code from the warm runner of `newsclean server start`, which has everything
    imported and runs this command in a fork of itself; None when there is none to use (or it
    refuses, e.g. after a code change): then the run goes on in this process."""
    path = local_server.warm_runner_socket()
    argv = getattr(args, "argv", None)
    if path is None or argv is None:
        return None
    # The environment the run would see here: flows.pipeline applies the defaults on import.
    env = PREFECT_DEFAULTS | dict(os.environ) | {"PREFECT_HOME": str(local_server.prefect_home())}
    try:
        return warm_runner.hand_over(path, argv, env, warm_runner.newsclean_fingerprint())
    except warm_runner.RunnerRefused as refusal:
        print(
            f"newsclean: running in this process: the warm runner says {refusal}", file=sys.stderr
        )
        return None


def _choose_prefect_api() -> None:
    """The user's PREFECT_API_URL, else the server `newsclean server start` left running, else
    Prefect's temporary API, started for this run: then one line says how to save that."""
    if local_server.use_running_server() is None:
        print(
            "newsclean: no Prefect server running, so Prefect starts a temporary one for this "
            "run (seconds); `newsclean server start` once makes later runs start faster",
            file=sys.stderr,
        )


def _check_layout(config: RunConfig) -> None:
    # Imported here (pyarrow, Great Expectations) so `newsclean --help` stays fast.
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
