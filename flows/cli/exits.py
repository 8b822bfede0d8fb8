"""Exit codes of `newsclean` and the one error every command may raise for a bad argument."""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A bad combination of arguments: reported as one line, exit code 2."""
