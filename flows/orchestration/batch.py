"""A batch (shard) of input files: read, process each document under a time limit, stage results.

A batch is the unit of work the flow hands to a task: a few seconds to a minute of work. Its
result is written to staging files and only a small summary goes back to the flow (its counters,
and each whole-run step's facts of it), so batches can run in other processes or on other
machines. A big container file (JSON Lines, WARC) is cut into parts of contiguous records, so one
huge file is many batches, not one long task.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pyarrow as pa

from flows.core import figures
from flows.core.records import Rejection, RunContext, SourceDocument
from flows.core.rows import ARTICLE, QUARANTINE, REPEAT, ArticleRow, InputRow
from flows.core.stats import Stats
from flows.core.storage import Storage
from flows.dataset.parquet import articles_table, inputs_table, quarantine_table
from flows.orchestration.isolation import WORKERS
from flows.readers import (
    DEFAULT_MAX_DOCUMENT_BYTES,
    SPLITTABLE_FORMATS,
    FilePart,
    InputFile,
    WorkItem,
    iter_documents,
    plan_parts,
)
from flows.run_steps.base import BatchTables, StagedBatch
from flows.run_steps.passes import Steps, measure
from flows.stages.document import ProcessSettings

MAX_BATCH_FILES = 256  # also the most documents a batch gets from a big container file
# Container files (JSON Lines, WARC) larger than this are cut into parts, each its own batch or
# shared with small files. Smaller ones are read whole by one task. Planning reads every file
# above it once, in the flow process, so the threshold trades that read against task length.
SPLIT_BYTES = 16 * 1024 * 1024
T = TypeVar("T")
_END = object()  # the end of an iterator, where None could be an item


@dataclass(frozen=True)
class BatchSettings:
    document_timeout_seconds: float = 60.0
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    process: ProcessSettings = field(default_factory=ProcessSettings)


@dataclass(frozen=True)
class BatchSpec:
    index: int
    items: tuple[WorkItem, ...]  # whole files and parts of big ones, in corpus order

    @property
    def files_completed(self) -> int:
        """Input files this batch finishes: whole ones, and big ones whose last part it reads."""
        return sum(1 for item in self.items if not isinstance(item, FilePart) or item.last)


@dataclass
class BatchResult:
    """What a batch task hands back to the flow: where its tables wait in staging, its counters
    (flows/core/figures.py), and each whole-run step's facts of it, by step name."""

    staged: StagedBatch
    stats: Stats = field(default_factory=Stats)
    facts: dict[str, Any] = field(default_factory=dict)
    article_ids: list[str] = field(default_factory=list)  # of the staged articles

    @property
    def index(self) -> int:
        return self.staged.index


def plan_batches(
    files: Sequence[InputFile],
    workers: int,
    batch_size: int | None = None,
    *,
    split_bytes: int | None = None,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
) -> list[BatchSpec]:
    """Shard the files: a few batches per worker so work balances, none larger than the cap.

    `batch_size` counts documents: a small file is one, a part of a big container file holds
    up to `batch_size` of its records (MAX_BATCH_FILES by default). Container files larger than
    `split_bytes` (default SPLIT_BYTES) are cut into such parts; reading this costs one
    sequential read of each of those files here, in the flow process, before any batch runs
    (see `plan_parts`); memory holds one offset per part, never the records.

    The files are already sorted and the cuts depend only on the bytes, so the same inputs
    always give the same shards.
    """
    if not files:
        return []
    split_bytes = SPLIT_BYTES if split_bytes is None else split_bytes
    per_part = batch_size or MAX_BATCH_FILES
    weighted: list[tuple[WorkItem, int]] = []
    for file in files:
        if file.format in SPLITTABLE_FORMATS and file.size_bytes > split_bytes:
            weighted.extend(plan_parts(file, per_part, max_document_bytes=max_document_bytes))
        else:
            weighted.append((file, 1))
    if batch_size is None:
        total = sum(weight for _, weight in weighted)
        batch_size = min(MAX_BATCH_FILES, max(1, math.ceil(total / (max(1, workers) * 4))))
    batches: list[tuple[WorkItem, ...]] = []
    current: list[WorkItem] = []
    load = 0
    for item, weight in weighted:
        if current and load + weight > batch_size:
            batches.append(tuple(current))
            current, load = [], 0
        current.append(item)
        load += weight
    if current:
        batches.append(tuple(current))
    return [BatchSpec(number, items) for number, items in enumerate(batches)]


def run_batch(
    spec: BatchSpec,
    *,
    context: RunContext,
    settings: BatchSettings,
    storage: Storage,
    staging: str,
    steps: Steps,
    known_inputs: Collection[str] = frozenset(),
) -> BatchResult:
    """Process one shard; stage its articles, rejections and processed inputs as Parquet, and
    measure the whole-run `steps`' facts of them.

    An input whose input_sha256 is in `known_inputs` was processed by an earlier run and is
    skipped; one with the same bytes as an earlier input of this batch is recorded as a repeat
    and not processed again (repeats across batches are a whole-run step's to settle).
    """
    stats = Stats()
    rows: list[ArticleRow] = []
    rejections: list[Rejection] = []
    inputs: list[InputRow] = []
    first_of: dict[str, str] = {}  # input_sha256 -> record_id, within this batch
    skipped: Counter[str] = Counter()
    # A worker of the process's pool: its child, warm from earlier batches, serves this one.
    with WORKERS.lend(context, settings.process, settings.document_timeout_seconds) as worker:
        documents = iter_documents(
            spec.items, max_document_bytes=settings.max_document_bytes, skipped_records=skipped
        )
        for item in _timed(documents, stats, figures.READ_SECONDS):
            key = item.input_sha256 or ""
            if key in known_inputs:
                stats.add(figures.ALREADY_PROCESSED)
                continue
            if key in first_of:
                stats.add(figures.REPEATS_IN_BATCH)
                inputs.append(InputRow.of(item, REPEAT, context))
                continue
            first_of[key] = item.record_id
            stats.add(figures.DOCUMENTS)
            if isinstance(item, SourceDocument):
                processed = worker.process(item)
                stats += processed.stats  # the per-document stages' counters
                outcome = processed.outcome
            else:
                outcome = item
            if isinstance(outcome, Rejection):
                rejections.append(outcome)
                stats.add(figures.REJECTED)
                stats.tally(figures.QUARANTINE_REASONS, outcome.reasons)
                inputs.append(InputRow.of(item, QUARANTINE, context))
            else:
                rows.append(outcome)
                stats.add(figures.ARTICLES_STAGED)
                inputs.append(InputRow.of(item, ARTICLE, context))
    for why, count in skipped.items():
        stats.tally(figures.RECORDS_SKIPPED, why, count)
    with stats.timer(figures.STAGE_SECONDS):
        articles = articles_table(rows)
        del rows  # the table holds them now: one copy of the batch's bodies, not two
        quarantine = quarantine_table(rejections, context)
        processed_inputs = inputs_table(inputs)
        stem = f"{staging}/batch-{spec.index:05d}"
        staged = StagedBatch(
            spec.index,
            articles=_stage(storage, articles, f"{stem}.articles.parquet"),
            quarantine=_stage(storage, quarantine, f"{stem}.quarantine.parquet"),
            inputs=_stage(storage, processed_inputs, f"{stem}.inputs.parquet"),
        )
    # Measured on the tables just staged: the flow needs no read of them to decide.
    facts = measure(BatchTables(staged, articles, quarantine, processed_inputs), steps, stats)
    return BatchResult(staged, stats, facts, article_ids=articles["article_id"].to_pylist())


def _timed(items: Iterable[T], stats: Stats, timer: str) -> Iterator[T]:
    """The items, the time spent producing each (reading, not the work done with it) added to
    `timer`."""
    iterator = iter(items)
    while True:
        with stats.timer(timer):
            item = next(iterator, _END)
        if item is _END:
            return
        yield item  # type: ignore[misc]


def _stage(storage: Storage, table: pa.Table, rel: str) -> str | None:
    """Write a batch's table into staging; None for an empty one (nothing to stage)."""
    return storage.write_parquet(table, rel) if table.num_rows else None


def save_known_inputs(known: Collection[str], storage: Storage, rel: str) -> str:
    """Keys of the inputs already processed, written once per run for every batch task to load."""
    table = pa.table({"input_sha256": pa.array(sorted(known), pa.string())})
    return storage.write_parquet(table, rel)


def load_known_inputs(storage: Storage, rel: str | None) -> frozenset[str]:
    if rel is None:
        return frozenset()
    return frozenset(storage.read_table(rel)["input_sha256"].to_pylist())
