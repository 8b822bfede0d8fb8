"""One run per output folder; a lock left by a dead run does not block the next."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flows.dataset.lock import LOCK_NAME, OutputLockedError, RunLock


def test_second_run_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        import socket

        (tmp_path / LOCK_NAME).write_text(
            json.dumps({"pid": holder.pid, "host": socket.gethostname()})
        )
        with pytest.raises(OutputLockedError, match=f"pid {holder.pid}"), RunLock(tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    import socket

    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname()}))
    with RunLock(tmp_path):
        assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] != dead.pid
    assert not (tmp_path / LOCK_NAME).exists()


def test_garbage_lock_file_is_stale(tmp_path: Path) -> None:
    (tmp_path / LOCK_NAME).write_text("{half")
    with RunLock(tmp_path):
        pass
    assert not (tmp_path / LOCK_NAME).exists()
