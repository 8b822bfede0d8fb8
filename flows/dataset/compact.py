"""Compact: merge the many small files that frequent runs leave in each partition into few.

An hourly schedule writes a few files per run, so a month holds thousands of small files, and
every reader pays per file. Compaction rewrites each folder's files into files of up to
`target_rows` rows, in the order of the files they came from, and publishes the result through the
commit journal (flows/dataset/commit.py): the new files and the removal of the old ones are one commit, so
a compaction killed at any moment is finished by the next run or compaction, and no row is lost
or doubled. Rows and values do not change; only the files that hold them do.

The near-duplicate bands (minhash_bands/key_prefix=NNN/, one file per run and key partition) are
compacted the same way, folder by folder: a run adds up to 256 small files, and matching reads a
partition's files together. Their rows do not change either, so the bands every later run matches
against are the same; the run lock keeps a run from reading them mid-compaction, and a killed
compaction is finished before the next run lists them. `--month` names articles and quarantine
folders only: the bands (like inputs/) are not kept by month, so they are compacted by a
compaction without it.

Memory holds one output file's rows at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyarrow as pa

from flows.core.layout import new_run_id
from flows.core.schema import (
    TableSchema,
    articles_schema,
    inputs_schema,
    minhash_bands_schema,
    quarantine_schema,
)
from flows.core.settings import COMPACT_TARGET_ROWS
from flows.core.storage import Storage
from flows.dataset import commit


@dataclass
class FolderCompaction:
    folder: str
    files_before: int
    files_after: int
    rows: int


@dataclass
class CompactionResult:
    compaction_id: str
    folders: list[FolderCompaction] = field(default_factory=list)

    @property
    def files_before(self) -> int:
        return sum(f.files_before for f in self.folders)

    @property
    def files_after(self) -> int:
        return sum(f.files_after for f in self.folders)


def data_folders(storage: Storage) -> list[tuple[str, TableSchema, list[str]]]:
    """Every folder that directly holds data files, with its table's schema and its files (one
    listing per table, so a bucket is listed once per table, not once per folder)."""
    folders = []
    tables = (articles_schema(), quarantine_schema(), inputs_schema(), minhash_bands_schema())
    for schema in tables:
        by_folder: dict[str, list[str]] = {}
        for path in storage.parquet_files(schema.name):
            by_folder.setdefault(path.rsplit("/", 1)[0], []).append(path)
        folders += [(folder, schema, by_folder[folder]) for folder in sorted(by_folder)]
    return folders


def compact(
    storage: Storage,
    *,
    target_rows: int = COMPACT_TARGET_ROWS,
    only: str | None = None,
    now: datetime | None = None,
) -> CompactionResult:
    """Compact every data folder holding more than one file (or those whose path contains
    `only`, e.g. "ingested_month=2026-11"). Call it holding the output's run lock."""
    started = now or datetime.now(UTC)
    result = CompactionResult(new_run_id(started, "compact"))
    staging = commit.staging_path(result.compaction_id)
    moves: list[tuple[str, str]] = []
    removes: list[str] = []
    try:
        for folder, schema, files in data_folders(storage):
            if only is not None and only not in folder:
                continue
            counts = [storage.parquet_metadata(path).num_rows for path in files]
            groups = plan_groups(counts, target_rows)
            if len(groups) >= len(files):
                continue  # nothing to merge: every file is alone in its group
            arrow = schema.arrow()
            for number, group in enumerate(groups):
                table = pa.concat_tables(storage.read_table(files[i], schema=arrow) for i in group)
                target = f"{folder}/part-{result.compaction_id}-{number:05d}.parquet"
                moves.append(commit.stage(storage, staging, table, target))
            removes += files
            result.folders.append(FolderCompaction(folder, len(files), len(groups), sum(counts)))
        if moves or removes:
            commit.commit(storage, result.compaction_id, moves=moves, removes=removes)
    finally:
        commit.discard_staging(storage, result.compaction_id)
    return result


def plan_groups(row_counts: Sequence[int], target_rows: int) -> list[list[int]]:
    """Consecutive files grouped so each group holds at most target_rows rows (a larger file
    stays alone). Read from the footers, so the plan costs no data read."""
    groups: list[list[int]] = []
    rows = 0
    for index, count in enumerate(row_counts):
        if groups and rows + count <= target_rows:
            groups[-1].append(index)
            rows += count
        else:
            groups.append([index])
            rows = count
    return groups
