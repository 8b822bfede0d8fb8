"""A batch (shard) of input files: read, process each document under a time limit, stage results.

A batch is the unit of work the flow hands to a task: a few seconds to a minute of work. Its
result is written to staging files and only a small summary goes back to the flow, so batches can
run in other processes or on other machines.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.ingest import DEFAULT_MAX_DOCUMENT_BYTES, InputFile, read_documents
from flows.isolation import IsolatedWorker
from flows.process import ProcessSettings, RunContext
from flows.records import Rejection, SourceDocument
from flows.write import articles_table, quarantine_table, write_parquet_atomic

MAX_BATCH_FILES = 256


@dataclass(frozen=True)
class BatchSettings:
    document_timeout_seconds: float = 60.0
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    process: ProcessSettings = field(default_factory=ProcessSettings)


@dataclass(frozen=True)
class BatchSpec:
    index: int
    files: tuple[InputFile, ...]


@dataclass
class BatchResult:
    index: int
    documents: int = 0
    already_processed: int = 0
    articles: int = 0
    rejected: int = 0
    rejection_reasons: Counter[str] = field(default_factory=Counter)
    records_skipped: Counter[str] = field(
        default_factory=Counter
    )  # WARC records that are not documents
    staged_articles: str | None = None
    staged_quarantine: str | None = None


def plan_batches(
    files: Sequence[InputFile], workers: int, batch_size: int | None = None
) -> list[BatchSpec]:
    """Shard the files: a few batches per worker so work balances, none larger than the cap.

    The files are already sorted, so the same inputs always give the same shards.
    """
    if not files:
        return []
    if batch_size is None:
        batch_size = min(MAX_BATCH_FILES, max(1, math.ceil(len(files) / (max(1, workers) * 4))))
    return [
        BatchSpec(number, tuple(files[start : start + batch_size]))
        for number, start in enumerate(range(0, len(files), batch_size))
    ]


def run_batch(
    spec: BatchSpec,
    *,
    context: RunContext,
    settings: BatchSettings,
    staging_dir: Path,
    known_ids: Collection[str] = frozenset(),
) -> BatchResult:
    """Process one shard and stage its articles and rejections as Parquet."""
    result = BatchResult(spec.index)
    rows: list[dict[str, Any]] = []
    rejections: list[Rejection] = []
    with IsolatedWorker(context, settings.process, settings.document_timeout_seconds) as worker:
        for item in _documents(spec.files, settings.max_document_bytes, result.records_skipped):
            if item.record_id in known_ids:
                result.already_processed += 1
                continue
            result.documents += 1
            outcome = worker.process(item) if isinstance(item, SourceDocument) else item
            if isinstance(outcome, Rejection):
                rejections.append(outcome)
                result.rejection_reasons.update(outcome.reasons)
            else:
                rows.append(outcome)
    result.articles, result.rejected = len(rows), len(rejections)
    stem = f"batch-{spec.index:05d}"
    if rows:
        path = write_parquet_atomic(articles_table(rows), staging_dir / f"{stem}.articles.parquet")
        result.staged_articles = str(path)
    if rejections:
        table = quarantine_table(rejections, context)
        result.staged_quarantine = str(
            write_parquet_atomic(table, staging_dir / f"{stem}.quarantine.parquet")
        )
    return result


def _documents(
    files: Sequence[InputFile], max_bytes: int, skipped: Counter[str]
) -> Iterator[SourceDocument | Rejection]:
    for item in files:
        yield from read_documents(item, max_document_bytes=max_bytes, skipped_records=skipped)


def save_known_ids(known: Collection[str], path: Path) -> str:
    """Ids already in the dataset, written once per run so every batch task can load them."""
    import pyarrow as pa

    table = pa.table({"id": pa.array(sorted(known), pa.string())})
    return str(write_parquet_atomic(table, path))


def load_known_ids(path: str | None) -> frozenset[str]:
    if path is None:
        return frozenset()
    import pyarrow.parquet as pq

    return frozenset(pq.read_table(path)["id"].to_pylist())
