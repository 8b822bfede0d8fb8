"""A progress line on stderr while batches finish; silent when stderr is not a terminal."""

from __future__ import annotations

import sys
import time

_state: dict[str, float] = {}
_enabled = False


def enable(on: bool = True) -> None:
    global _enabled
    _enabled = on and sys.stderr.isatty()


def start(total_files: int) -> None:
    _state.update(total=total_files, done=0, started=time.monotonic())
    _draw()


def advance(files: int) -> None:
    if _state:
        _state["done"] += files
        _draw()


def finish() -> None:
    if _state and _enabled:
        sys.stderr.write("\n")
        sys.stderr.flush()
    _state.clear()


def _draw() -> None:
    if not _enabled or not _state:
        return
    total, done = int(_state["total"]), int(_state["done"])
    width = 30
    filled = width * done // total if total else width
    elapsed = time.monotonic() - _state["started"]
    bar = "#" * filled + "-" * (width - filled)
    sys.stderr.write(f"\r  [{bar}] {done}/{total} files  {elapsed:5.1f}s")
    sys.stderr.flush()
