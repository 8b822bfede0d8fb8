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

Replaced files are deleted before the new ones appear: a reader during a full refresh may see
fewer rows for a moment, never the old and the new rows together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flows.storage import Storage

COMMITS_DIR = "_commits"
PENDING = "pending"
COMMITTED = "committed"


class CommitError(RuntimeError):
    """A journal cannot be applied: a file it moves is neither in staging nor in place."""


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
    """Apply a journal; safe to repeat after a crash at any point of a previous apply."""
    for rel in journal["removes"]:
        storage.delete(rel)
    folders = set()
    for source, target in journal["moves"]:
        if storage.exists(source):
            storage.move(source, target)
        elif not storage.exists(target):
            raise CommitError(
                f"commit {journal['run_id']}: {source} is gone and {target} was never written"
            )
        folders.add(target.rsplit("/", 1)[0])
    for folder in sorted(folders):
        storage.sync(folder)  # the renames survive a power loss before the journal says so
    journal = {**journal, "status": COMMITTED}
    storage.write_text(journal_path(journal["run_id"]), json.dumps(journal, indent=1) + "\n")
    return journal


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
    """Finish the commits of runs killed while publishing; returns their run ids.

    Call it holding the output's run lock, before reading the dataset's state and before
    staging areas are cleared (a pending journal moves files out of one).
    """
    return [apply(storage, journal)["run_id"] for journal in pending_journals(storage)]
