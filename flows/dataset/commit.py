"""Commit a run's files into the dataset through a journal, so a crash never half-applies it.

A run's validated files wait in its staging area. To publish them, the run first writes a
journal, `_commits/<run_id>.json`, listing every move (staged file -> place in the dataset) and
every file it replaces (`--full-refresh`); that write is the commit point. Then it applies the
journal and marks it committed.

A run killed before the journal exists published nothing: its staging is thrown away. A run
killed after it is rolled forward by the next run, before that run reads the dataset's state:
moves whose file is still in staging are done, the rest were done already. Each file appears
whole (a rename, or an object upload); readers never see a partial file or a row twice, and
after recovery the dataset is what an uninterrupted run would have left.

In each folder, replaced files (--full-refresh, compaction) are deleted before the new ones
appear: a reader may see fewer rows for a moment, never the old and the new rows together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from flows.core.layout import COMMITS_DIR, STAGING_DIR
from flows.core.storage import Storage

PENDING = "pending"
COMMITTED = "committed"


class CommitError(RuntimeError):
    """A journal cannot be applied: a file it moves is neither in staging nor in place."""


def staging_path(run_id: str) -> str:
    """The private staging area of a run (or compaction) in the output."""
    return f"{STAGING_DIR}/{run_id}"


def stage(storage: Storage, staging: str, table: pa.Table, target: str) -> tuple[str, str]:
    """Write a file bound for `target` into the staging area's ready/ folder: a future move."""
    return storage.write_parquet(table, f"{staging}/ready/{target}"), target


def discard_staging(storage: Storage, run_id: str) -> None:
    """Remove a run's staging after it ended, unless its commit is pending (a commit that failed
    half-way is finished by the next run from there), and `.staging/` itself when empty."""
    if not is_pending(storage, run_id):
        storage.delete_tree(staging_path(run_id))
    if not storage.list_names(STAGING_DIR):
        storage.delete_tree(STAGING_DIR)


def journal_path(run_id: str) -> str:
    return f"{COMMITS_DIR}/{run_id}.json"


def commit(
    storage: Storage,
    run_id: str,
    *,
    moves: Sequence[tuple[str, str]],
    removes: Sequence[str] = (),
) -> dict[str, Any]:
    """Write the journal (the commit point), then apply it."""
    journal = {
        "run_id": run_id,
        "status": PENDING,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "moves": [list(pair) for pair in moves],
        "removes": list(removes),
    }
    storage.write_text(journal_path(run_id), json.dumps(journal, indent=1) + "\n")
    return apply(storage, journal)


def apply(storage: Storage, journal: dict[str, Any]) -> dict[str, Any]:
    """Apply a journal; safe to repeat after a crash at any point of a previous apply.

    Folder by folder: the files it replaces there go, then its new files there arrive, so the
    moment in which a reader sees fewer rows is a few renames long and spans one folder.
    """
    removes: dict[str, list[str]] = {}
    for rel in journal["removes"]:
        removes.setdefault(_folder(rel), []).append(rel)
    moves: dict[str, list[tuple[str, str]]] = {}
    for source, target in journal["moves"]:
        moves.setdefault(_folder(target), []).append((source, target))
    for folder in sorted(set(removes) | set(moves)):
        for rel in removes.get(folder, []):
            storage.delete(rel)
        for source, target in moves.get(folder, []):
            if storage.exists(source):
                storage.move(source, target)
            elif not storage.exists(target):
                raise CommitError(
                    f"commit {journal['run_id']}: {source} is gone and {target} was never written"
                )
        storage.sync(folder)  # the renames survive a power loss before the journal says so
    journal = {**journal, "status": COMMITTED}
    storage.write_text(journal_path(journal["run_id"]), json.dumps(journal, indent=1) + "\n")
    return journal


def _folder(rel: str) -> str:
    return rel.rsplit("/", 1)[0] if "/" in rel else ""


def is_pending(storage: Storage, run_id: str) -> bool:
    """True when run_id's journal was written but not fully applied: its staging must stay."""
    path = journal_path(run_id)
    if not storage.exists(path):
        return False
    return bool(json.loads(storage.read_text(path)).get("status") == PENDING)


def pending_journals(storage: Storage) -> list[dict[str, Any]]:
    journals = []
    for name in storage.list_names(COMMITS_DIR):
        if not name.endswith(".json") or name.startswith("."):
            continue
        journal = json.loads(storage.read_text(f"{COMMITS_DIR}/{name}"))
        if journal.get("status") == PENDING:
            journals.append(journal)
    return sorted(journals, key=lambda j: str(j["run_id"]))


def recover(storage: Storage) -> list[str]:
    """Finish the commits of runs killed while publishing, then clear the staging they and any
    run killed before its commit left; returns the ids of the commits finished.

    Call it holding the output's run lock (no other run is staging), before reading the
    dataset's state.
    """
    finished = [apply(storage, journal)["run_id"] for journal in pending_journals(storage)]
    for name in storage.list_names(STAGING_DIR):
        storage.delete_tree(f"{STAGING_DIR}/{name}")  # never published: its run died before
    return finished
