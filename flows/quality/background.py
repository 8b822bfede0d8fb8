"""The background validator: Great Expectations imported in a child process, off the run's path.

`import great_expectations` costs 3 to 5 s of CPU, more than the rest of a small run's own work.
`start()` launches one child process that imports GX, loads the suites and builds its context
at once, in parallel with whatever the caller does next (the command line: importing Prefect,
running the batches). Validation and Data Docs of this process then run in that child
(flows/quality/validate.py asks `active()`), with the same suites and the same results; if the
child dies, they run here again.

Standard library only until the child runs: the command line starts it before pandas, pyarrow or
Prefect load; the child finds its functions by name in flows.quality.validate, which holds the
running validator (`use_background_validator`) so that this module depends on it, not the reverse.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

_lock = threading.Lock()
PARENT_CHECK_SECONDS = 0.5


class BackgroundValidator:
    """One child process with GX imported and the default suites loaded, started early."""

    def __init__(self) -> None:
        # spawn: a fresh interpreter, never a fork of a parent that runs threads (Prefect's).
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        self.warm: Future[Any] = self._pool.submit(_in_child, "warm_up", (), {})

    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        """flows.quality.validate's `function` run in the child; its result or its exception."""
        return self._pool.submit(_in_child, function, args, kwargs).result()

    def pids(self) -> list[int]:
        """The child's pid (none before it starts)."""
        return list(self._pool._processes or {})  # the executor offers no public way

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


_active: BackgroundValidator | None = None


def start() -> None:
    """Start the background validator (once per process); stopped by `stop()` or at exit."""
    global _active
    with _lock:
        if _active is not None:
            return
        _active = BackgroundValidator()  # the child starts importing now
        atexit.register(stop)
    # Imported once the child runs: pandas and pyarrow load here while GX loads there.
    from flows.quality import validate

    validate.use_background_validator(_active)


def stop() -> None:
    global _active
    with _lock:
        validator, _active = _active, None
    if validator is None:
        return
    # Imported here: start() imported it already (a no-op), and a stopped validator needs no more.
    from flows.quality import validate

    validate.use_background_validator(None)
    validator.close()


def active() -> BackgroundValidator | None:
    """The running background validator: still this one also after validate.py dropped it."""
    with _lock:
        return _active


def _exit_with_parent(parent: int) -> None:
    """In the child: end when the parent is gone (killed, say). The executor's queues never tell
    a child so: the child holds both ends of its own pipe."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _in_child(function: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # Imported here, in the child: the parent needs none of it to start the child.
    from flows.quality import validate

    return getattr(validate, function)(*args, **kwargs)
