"""The command line's commands: one module each, registered in COMMANDS (order = help order)."""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A bad combination of arguments: reported as one line, exit code 2."""


from flows.cli import (  # noqa: E402 - the modules import the names above
    compact,
    report,
    run,
    serve,
    validate,
)

COMMANDS = [run, validate, report, compact, serve]
