"""One run at a time per output: a lock file that a killed run cannot leave stuck.

The lock is `<output>/.newsclean.lock`, created only if absent (O_EXCL on a disk, a conditional
write on an object store). It names its holder (host, pid) and carries a heartbeat that a thread
refreshes while the run lives. A lock is stale, and taken over, when its holder is a dead process
on this host, or a run on another machine whose heartbeat is older than LEASE_SECONDS (its pid
cannot be checked from here).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when a lock is made: the command line imports this module early
    from flows.core.storage import Storage

LOCK_NAME = ".newsclean.lock"
HEARTBEAT_SECONDS = 30.0
LEASE_SECONDS = 300.0  # ten missed heartbeats: the holder is gone


class OutputLockedError(RuntimeError):
    """Another live run holds the output folder."""


class RunLock:
    def __init__(
        self,
        output: Storage | str | os.PathLike[str],
        *,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        from flows.core.storage import Storage  # see the TYPE_CHECKING import above

        self.storage = output if isinstance(output, Storage) else Storage(output)
        self.heartbeat_seconds = heartbeat_seconds
        self.lease_seconds = lease_seconds
        self.owner = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "token": os.urandom(8).hex(),
        }
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def path(self) -> str:
        return self.storage.url(LOCK_NAME)

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def check_free(self) -> None:
        """Raise OutputLockedError now if a live run holds the output (a quick check before a
        run pays for its start-up; acquire() is what really guards)."""
        holder = self.holder()
        if holder is not None and self._alive(holder):
            raise self._locked(holder)

    def _locked(self, holder: dict[str, Any]) -> OutputLockedError:
        return OutputLockedError(
            f"another newsclean run (pid {holder.get('pid')} on {holder.get('host')}) is "
            f"writing to {self.storage.url()}; wait for it to finish"
        )

    def acquire(self) -> None:
        for _ in range(2):
            if self.storage.create_exclusive(LOCK_NAME, self._record()):
                self._start_heartbeat()
                return
            holder = self.holder()
            if holder is not None and self._alive(holder):
                raise self._locked(holder)
            self.storage.delete(LOCK_NAME)  # left by a run that died: take it over
        raise OutputLockedError(f"could not take the lock {self.path}")

    def holder(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.storage.read_text(LOCK_NAME))
        except (OSError, ValueError):
            return None  # unreadable or half-written: treat as stale
        return data if isinstance(data, dict) else None

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        holder = self.holder()
        if holder is not None and holder.get("token") == self.owner["token"]:
            self.storage.delete(LOCK_NAME)

    def _record(self) -> str:
        return json.dumps({**self.owner, "heartbeat": time.time()})

    def _start_heartbeat(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._beat, name="newsclean-lock", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat_seconds):
            holder = self.holder()
            if holder is None or holder.get("token") != self.owner["token"]:
                return  # taken over (we were presumed dead): do not overwrite the new holder
            self.storage.write_text(LOCK_NAME, self._record())

    def _alive(self, holder: dict[str, Any]) -> bool:
        if holder.get("host") == socket.gethostname():
            return _pid_alive(holder.get("pid"))
        # A run on another machine: alive while its heartbeat is fresh.
        beat = holder.get("heartbeat")
        return isinstance(beat, (int, float)) and time.time() - beat <= self.lease_seconds


def _pid_alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
