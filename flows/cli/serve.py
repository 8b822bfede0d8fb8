"""`newsclean serve`: run the pipeline on a cron schedule with Prefect (see flows/orchestration/serve.py)."""

from __future__ import annotations

import argparse
from typing import Any

from flows.cli import run as run_command
from flows.cli.exits import EXIT_OK, UsageError


def add_parser(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run on a schedule with Prefect",
        description=(
            "Serve the cleaning flow with Prefect: a run with the given run options starts on every "
            "tick of --cron until Ctrl-C or SIGTERM. Uses the Prefect server at PREFECT_API_URL "
            "when it is set; otherwise starts a local one (SQLite in PREFECT_HOME) for as long as "
            "this command runs. The runs show in the Prefect UI, whose address is printed. "
            "Ctrl-C and SIGTERM are a normal stop: a run in progress is cancelled (it publishes "
            "nothing; the next run does its work), a server started here is stopped, one line "
            "says so, and serve exits 0."
        ),
        epilog=(
            "Example: newsclean serve --cron '0 * * * *' data/incoming -o dataset. Exit codes: "
            "0 stopped by Ctrl-C or SIGTERM, 1 serving failed (e.g. the server did not start), "
            "2 usage error."
        ),
    )
    run_command.add_run_options(serve)  # the same run options as `newsclean run`
    serve.add_argument(
        "--cron",
        required=True,
        metavar="EXPR",
        help="when to run, as a cron expression in UTC, e.g. '0 * * * *' for hourly",
    )
    serve.add_argument(
        "--name",
        default="newsclean",
        help="deployment name in Prefect (default: newsclean)",
    )
    serve.add_argument(
        "--server-timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="how long to wait for a local Prefect server to become healthy (default: 120)",
    )
    run_command.add_output_options(serve, advertised=False)  # accepted as run takes them, unused
    serve.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    # Everything is validated before a server starts.
    config = run_command.config_from_args(args)
    if not args.server_timeout > 0:
        raise UsageError(f"--server-timeout must be positive, got {args.server_timeout}")
    # Imported only now: Prefect's start-up, which `--help` and usage errors need not wait for.
    from flows.orchestration.serve import serve_scheduled, validate_cron

    try:
        cron = validate_cron(args.cron)
    except ValueError as error:
        raise UsageError(str(error)) from error
    from flows.pipeline import clean_articles  # after every check: it imports all of the pipeline

    serve_scheduled(
        clean_articles, config, cron, name=args.name, server_timeout=args.server_timeout
    )
    return EXIT_OK
