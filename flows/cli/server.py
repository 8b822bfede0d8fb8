"""`newsclean server start|stop|status`: a local Prefect server that later runs find and use.

Without one, every `newsclean run` starts Prefect's temporary API first (seconds per run). The
server is recorded in PREFECT_HOME (flows/orchestration/local_server.py) and keeps running until
`newsclean server stop`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from flows.cli.exits import EXIT_FAILED, EXIT_OK, UsageError
from flows.orchestration import local_server, warm_runner

DEFAULT_TIMEOUT = 120.0  # a first start on a fresh PREFECT_HOME migrates its database: 25 to 35 s


def add_parser(subparsers: Any) -> None:
    server = subparsers.add_parser(
        "server",
        help="start, stop or show a local Prefect server that runs reuse",
        description=(
            "A local Prefect server (SQLite in PREFECT_HOME, on 127.0.0.1) that keeps running "
            "between runs: every `newsclean run` and `newsclean serve` that finds it healthy "
            "uses it instead of starting Prefect's temporary API, which saves seconds per run. "
            "Its address and pid are recorded in PREFECT_HOME/newsclean-server.json. An explicit "
            "PREFECT_API_URL always wins over it."
        ),
        epilog="Exit codes: 0 done (status: the server is running), 1 failed (status: not running).",
    )
    actions = server.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser(
        "start",
        help="start the server in the background (nothing happens if it already runs)",
        description="Start the server in the background and print its address.",
    )
    start.add_argument(
        "--port", type=int, default=None, help="port on 127.0.0.1 (default: a free one)"
    )
    start.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"how long to wait for it to become healthy (default: {DEFAULT_TIMEOUT:g})",
    )
    start.set_defaults(handler=handle_start)
    stop = actions.add_parser("stop", help="stop the recorded server", description="Stop it.")
    stop.set_defaults(handler=handle_stop)
    status = actions.add_parser(
        "status",
        help="say whether the server runs, where, and its pid",
        description="Exit 0 when the recorded server is running and healthy, 1 otherwise.",
    )
    status.set_defaults(handler=handle_status)


def handle_start(args: argparse.Namespace) -> int:
    if not args.timeout > 0:
        raise UsageError(f"--timeout must be positive, got {args.timeout}")
    if args.port is not None and not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    record, started = local_server.start_recorded_server(
        args.timeout, port=args.port, code=warm_runner.newsclean_fingerprint()
    )
    verb = "started" if started else "already running"
    print(f"Prefect server {verb}: {record.ui_url} (pid {record.pid}, log {record.log})")
    if record.runner_pid is not None:
        print(f"warm runner: pid {record.runner_pid} (runs start in it, already imported)")
    print("newsclean runs with this PREFECT_HOME use them; stop them with: newsclean server stop")
    return EXIT_OK


def handle_stop(args: argparse.Namespace) -> int:
    record = local_server.stop_recorded_server()
    if record is None:
        print("no Prefect server of newsclean was running", file=sys.stderr)
    else:
        print(f"stopped the Prefect server at {record.ui_url} (pid {record.pid})")
    return EXIT_OK


def handle_status(args: argparse.Namespace) -> int:
    record = local_server.find_running_server()
    configured = local_server.configured_api_url()
    if record is None:
        recorded = local_server.read_record()  # still recorded: alive, but not answering
        if recorded is not None:
            print(
                f"the Prefect server at {recorded.ui_url} (pid {recorded.pid}) does not answer "
                "/health (still starting, or hung); newsclean server stop stops it"
            )
        else:
            home = local_server.prefect_home()
            print(f"no Prefect server of newsclean is running (PREFECT_HOME {home})")
        if configured:
            print(f"runs use PREFECT_API_URL: {configured}")
        return EXIT_FAILED
    print(
        f"running: {record.ui_url} (pid {record.pid}, since {record.started_at}, log {record.log})"
    )
    if local_server.runner_alive(record):
        stale = record.runner_code != warm_runner.newsclean_fingerprint()
        note = " with other code than this newsclean (server start replaces it)" if stale else ""
        print(f"warm runner: running (pid {record.runner_pid}){note}")
    else:
        print("warm runner: not running (runs start in their own process; server start starts it)")
    if configured:
        print(f"runs use PREFECT_API_URL ({configured}), which wins over this server")
    return EXIT_OK
