"""The `newsclean` command line. Exit codes: 0 success, 1 run failed, 2 usage error.

Each command is a module in flows/cli/ with `add_parser(subparsers)` and its handler.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from flows import __version__
from flows.cli import compact, report, run, serve, server, validate
from flows.cli.exits import EXIT_FAILED, EXIT_USAGE, UsageError
from flows.core.settings import ConfigError
from flows.dataset.lock import OutputLockedError

# Each command module has `add_parser(subparsers)` and its handler; this order is the help order.
COMMANDS = [run, validate, report, compact, serve, server]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsclean",
        description="Turn raw scraped news articles into a clean, validated Parquet dataset.",
        epilog="Exit codes: 0 success, 1 run failed, 2 usage error. Run 'newsclean run --help' for the options.",
    )
    parser.add_argument("--version", action="version", version=f"newsclean {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the full traceback when something fails (anywhere on the line)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    # --debug is accepted anywhere on the line, before or after the command.
    debug = "--debug" in arguments
    arguments = [a for a in arguments if a != "--debug"]
    args = parser.parse_args(arguments)  # exits 2 with a one-line message on a bad flag
    args.debug = debug
    args.argv = list(sys.argv[1:] if argv is None else argv)  # as given: `run` may hand it over
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except (UsageError, ConfigError) as error:
        print(f"newsclean: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OutputLockedError as error:  # not a crash: say so plainly, without a type name
        print(f"newsclean: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("newsclean: interrupted; nothing of this run was published", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:
        if args.debug:
            traceback.print_exc()
        print(f"newsclean: error: {_describe(error)}", file=sys.stderr)
        if not args.debug:
            print("newsclean: run again with --debug to see the traceback", file=sys.stderr)
        return EXIT_FAILED


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
