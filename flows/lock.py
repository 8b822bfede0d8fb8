"""One run at a time per output folder: a lock file that a killed run cannot leave stuck."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

LOCK_NAME = ".newsclean.lock"


class OutputLockedError(RuntimeError):
    """Another live run holds the output folder."""


class RunLock:
    def __init__(self, output: Path) -> None:
        self.path = output / LOCK_NAME

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder()
                if holder is not None and _alive(holder):
                    raise OutputLockedError(
                        f"another newsclean run (pid {holder.get('pid')}) is writing to "
                        f"{self.path.parent}; wait for it to finish"
                    ) from None
                self.path.unlink(missing_ok=True)  # left by a run that died: take it over
                continue
            with os.fdopen(fd, "w") as stream:
                json.dump(owner, stream)
            return
        raise OutputLockedError(f"could not take the lock {self.path}")

    def _holder(self) -> dict[str, object] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # unreadable or half-written: treat as stale
        return data if isinstance(data, dict) else None

    def release(self) -> None:
        holder = self._holder()
        if holder is not None and holder.get("pid") == os.getpid():
            self.path.unlink(missing_ok=True)


def _alive(holder: dict[str, object]) -> bool:
    if holder.get("host") != socket.gethostname():
        return True  # a run on another machine: we cannot tell, so respect it
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
