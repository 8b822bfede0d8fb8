"""Storage, commit journal and run lock behave the same on a local disk and an fsspec store."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from flows.core.storage import Storage
from flows.dataset import commit
from flows.dataset.lock import LOCK_NAME, OutputLockedError, RunLock


@pytest.fixture(params=["local", "memory"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "local":
        yield Storage(tmp_path / "out")
        return
    location = f"memory://test-{uuid.uuid4().hex}/out"
    yield Storage(location)
    Storage(location).delete_tree("")


def test_files_are_listed_as_parquet_readers_see_them(storage: Storage) -> None:
    table = pa.table({"x": [1, 2]})
    storage.write_parquet(table, "articles/ingested_month=2026-11/part-1.parquet")
    storage.write_parquet(table, "articles/.staging/part-2.parquet")
    storage.write_parquet(table, "articles/_hidden/part-3.parquet")
    storage.write_text("articles/_README.md", "card")
    assert storage.parquet_files("articles") == ["articles/ingested_month=2026-11/part-1.parquet"]
    assert storage.read_columns("articles", ["x"]).num_rows == 2  # type: ignore[union-attr]
    assert storage.read_columns("nothing-here", ["x"]) is None
    assert storage.read_text("articles/_README.md") == "card"


def test_move_replaces_and_delete_is_idempotent(storage: Storage) -> None:
    storage.write_text("a/one.txt", "1")
    storage.write_text("b/two.txt", "2")
    storage.move("a/one.txt", "b/two.txt")
    assert not storage.exists("a/one.txt")
    assert storage.read_text("b/two.txt") == "1"
    storage.delete("b/two.txt")
    storage.delete("b/two.txt")
    assert not storage.exists("b/two.txt")


def test_create_exclusive_creates_once(storage: Storage) -> None:
    assert storage.create_exclusive("lock", "first")
    assert not storage.create_exclusive("lock", "second")
    assert storage.read_text("lock") == "first"


def test_local_folder_lands_in_the_storage(storage: Storage) -> None:
    with storage.local_folder("reports/r1") as folder:
        (folder / "sub").mkdir()
        (folder / "sub" / "page.html").write_text("<p>hi</p>", encoding="utf-8")
    assert storage.read_text("reports/r1/sub/page.html") == "<p>hi</p>"


def test_storage_survives_pickling_to_a_worker(storage: Storage) -> None:
    import pickle

    storage.write_text("x.txt", "same place")
    assert pickle.loads(pickle.dumps(storage)).read_text("x.txt") == "same place"


def test_a_pending_commit_is_rolled_forward(storage: Storage) -> None:
    for name in ("a", "b", "c"):
        storage.write_text(f".staging/run1/ready/{name}.parquet", name)
    storage.write_text("articles/old.parquet", "old")
    moves = [(f".staging/run1/ready/{n}.parquet", f"articles/{n}.parquet") for n in "abc"]
    journal = {"run_id": "run1", "status": commit.PENDING, "moves": moves, "removes": []}
    journal["removes"] = ["articles/old.parquet"]
    storage.write_text(commit.journal_path("run1"), json.dumps(journal))
    storage.move(*moves[0])  # the killed run got this far
    assert commit.recover(storage) == ["run1"]
    assert [storage.read_text(f"articles/{n}.parquet") for n in "abc"] == ["a", "b", "c"]
    assert not storage.exists("articles/old.parquet")
    assert commit.pending_journals(storage) == []
    assert commit.recover(storage) == []  # applying twice changes nothing


def test_a_journal_whose_file_vanished_is_an_error_not_silence(storage: Storage) -> None:
    moves = [(".staging/run2/ready/gone.parquet", "articles/gone.parquet")]
    journal = {"run_id": "run2", "status": commit.PENDING, "moves": moves, "removes": []}
    storage.write_text(commit.journal_path("run2"), json.dumps(journal))
    with pytest.raises(commit.CommitError, match=r"gone\.parquet"):
        commit.recover(storage)


def _foreign_lock(storage: Storage, heartbeat: float) -> None:
    holder = {"pid": 1, "host": "another-host", "token": "t", "heartbeat": heartbeat}
    storage.write_text(LOCK_NAME, json.dumps(holder))


def test_a_live_run_on_another_machine_is_respected(storage: Storage) -> None:
    _foreign_lock(storage, heartbeat=time.time())
    with pytest.raises(OutputLockedError, match="another-host"), RunLock(storage):
        pass


def test_a_silent_run_on_another_machine_is_taken_over(storage: Storage) -> None:
    _foreign_lock(storage, heartbeat=time.time() - 3600)
    with RunLock(storage, lease_seconds=60):
        assert json.loads(storage.read_text(LOCK_NAME))["host"] == socket.gethostname()
    assert not storage.exists(LOCK_NAME)


def test_the_heartbeat_keeps_the_lock_fresh(storage: Storage) -> None:
    with RunLock(storage, heartbeat_seconds=0.05):
        first = json.loads(storage.read_text(LOCK_NAME))["heartbeat"]
        deadline = time.time() + 5
        while json.loads(storage.read_text(LOCK_NAME))["heartbeat"] == first:
            assert time.time() < deadline, "the heartbeat never refreshed the lock"
            time.sleep(0.02)
