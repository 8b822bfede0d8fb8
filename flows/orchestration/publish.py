"""Publish: validate the run's batches unit by unit, stage what passed, then commit it all.

The batches arrive with every whole-run step applied (flows/run_steps). They are regrouped into
validation units of about VALIDATION_UNIT_ROWS rows, so the quarantine-share check is taken over
enough rows to mean something however small the batches were; memory holds one unit at a time.
Rows that fail row-level expectations go to quarantine with the names of the expectations they
failed. Nothing reaches the dataset before every unit of the run has passed its batch-level
expectations: a run that breaks the data contract publishes nothing.

The commit (flows/dataset/commit.py) moves the validated files into the dataset from a journal
written first, so a run killed while publishing is finished by the next run, never half-applied.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from flows.core import figures
from flows.core.layout import INPUTS, TABLES
from flows.core.records import EXCERPT_CHARS, Rejection, RunContext
from flows.core.rows import ARTICLE, QUARANTINE
from flows.core.schema import articles_schema, inputs_schema, quarantine_schema
from flows.core.settings import VALIDATION_UNIT_ROWS
from flows.core.stats import Stats
from flows.core.storage import Storage
from flows.dataset import commit
from flows.dataset.parquet import quarantine_table
from flows.quality.report import observe_rows
from flows.quality.validate import (
    ValidationSettings,
    frame_for_validation,
    load_suites,
    validate_articles,
)
from flows.run_steps.base import BatchTables, RunStep

# A batch's tables as read from staging, and with every run step applied (passes.apply_pass).
AppliedBatch = tuple[BatchTables, BatchTables]


@dataclass
class Published:
    """What publishing staged, and why it must not be committed when a unit failed."""

    moves: list[tuple[str, str]] = field(default_factory=list)  # staged file -> place in dataset
    published_ids: set[str] = field(default_factory=set)  # articles that passed validation
    batch_failures: list[str] = field(default_factory=list)
    validation_results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.batch_failures


def publish_run(
    batches: Iterable[AppliedBatch],
    *,
    storage: Storage,
    staging: str,
    context: RunContext,
    known_ids: Collection[str],
    stats: Stats,
    validation_settings: ValidationSettings | None = None,
    unit_rows: int = VALIDATION_UNIT_ROWS,
) -> Published:
    """Validate the batches' articles unit by unit and stage every file of the run for commit.

    `known_ids` are the article ids a duplicate_of may name (this run's and the dataset's).
    Validated units, the batches' quarantine and the run's inputs state are staged in the
    staging area's ready/ folder; `Published.moves` lists them for `commit_run`, which only a run
    whose every unit passed may call. Counts into `stats` (flows/core/figures.py).
    """
    settings = validation_settings or ValidationSettings()
    suites = load_suites()
    result = Published()
    articles_folder = articles_schema().data_folder(context.started_at)
    quarantine_folder = quarantine_schema().data_folder(context.started_at)
    rest = _StagedRest(storage, staging, f"{quarantine_folder}/part-{context.run_id}")
    quarantined_ids: set[str] = set()
    for position, table in enumerate(_validation_units(rest.collect(batches), unit_rows)):
        stats.tally(figures.BOILERPLATE_REMOVED, _boilerplate_kinds(table))
        with stats.timer(figures.VALIDATE_SECONDS):
            outcome = validate_articles(
                frame_for_validation(table),
                now=context.started_at,
                settings=settings,
                suites=suites,
                known_ids=known_ids,
            )
        result.validation_results.append(outcome.results)
        result.batch_failures.extend(f"unit {position}: {name}" for name in outcome.batch_failures)
        if outcome.batch_failures:
            continue  # keep validating: the report should name every broken unit
        failed_rows = outcome.row_failures
        passed = table.filter(pa.array([i not in failed_rows for i in range(table.num_rows)]))
        rejections = _validation_rejections(table, failed_rows)
        stats.add(figures.PUBLISHED, passed.num_rows)
        result.published_ids.update(passed["article_id"].to_pylist())
        stats.add(figures.DUPLICATES, passed.num_rows - passed["duplicate_of"].null_count)
        stats.tally(figures.DUPLICATE_KINDS, pc.drop_null(passed["duplicate_kind"]).to_pylist())
        observe_rows(stats, passed, figures.PUBLISHED_ROWS)
        stats.add(figures.VALIDATION_QUARANTINED, len(rejections))
        for rejection in rejections:
            stats.tally(figures.QUARANTINE_REASONS, rejection.reasons)
            quarantined_ids.add(rejection.record_id)
        stem = f"part-{context.run_id}-{position:05d}"
        with stats.timer(figures.PUBLISH_SECONDS):
            if passed.num_rows:
                result.moves.append(
                    commit.stage(storage, staging, passed, f"{articles_folder}/{stem}.parquet")
                )
            if rejections:
                table_q = quarantine_table(rejections, context)
                target = f"{quarantine_folder}/{stem}-validation.parquet"
                result.moves.append(commit.stage(storage, staging, table_q, target))
    if not result.ok:
        return result
    result.moves.extend(rest.quarantine_moves)
    with stats.timer(figures.PUBLISH_SECONDS):
        inputs = rest.inputs()
        if inputs.num_rows:
            inputs = _mark_quarantined(inputs, quarantined_ids)
            target = f"{INPUTS}/part-{context.run_id}.parquet"
            result.moves.append(commit.stage(storage, staging, inputs, target))
    return result


def stage_step_tables(
    storage: Storage,
    staging: str,
    steps: Sequence[RunStep[Any, Any]],
    decisions: Sequence[Any],
    published: Published,
    context: RunContext,
) -> None:
    """Stage the files the run steps keep for later runs (RunStep.tables) into the commit."""
    for step, decision in zip(steps, decisions, strict=True):
        for target, table in step.tables(decision, published.published_ids, context):
            published.moves.append(commit.stage(storage, staging, table, target))


def commit_run(
    storage: Storage, run_id: str, moves: list[tuple[str, str]], *, replace_existing: bool
) -> None:
    """Move the staged files into the dataset through the journal (flows/dataset/commit.py);
    `replace_existing` (a full refresh) removes every file the dataset held, in the same commit."""
    removes = (
        [p for folder in TABLES for p in storage.parquet_files(folder)] if replace_existing else []
    )
    if moves or removes:
        commit.commit(storage, run_id, moves=moves, removes=removes)


class _StagedRest:
    """The batches' quarantine and inputs tables, taken as the batches pass on to validation.

    A batch's quarantine file goes into the dataset as it was staged unless a run step changed
    it (then the changed table is staged); the inputs are kept (small rows) to be written as one
    file once validation says which articles went to quarantine after all.
    """

    def __init__(self, storage: Storage, staging: str, quarantine_stem: str) -> None:
        self._storage, self._staging, self._stem = storage, staging, quarantine_stem
        self.quarantine_moves: list[tuple[str, str]] = []
        self._inputs: list[pa.Table] = []

    def collect(self, batches: Iterable[AppliedBatch]) -> Iterator[BatchTables]:
        for as_read, applied in batches:
            source = applied.staged.quarantine
            if source is not None:
                target = f"{self._stem}-{len(self.quarantine_moves):05d}-ingest.parquet"
                if applied.quarantine is not as_read.quarantine:
                    source, _ = commit.stage(
                        self._storage, self._staging, applied.quarantine, target
                    )
                self.quarantine_moves.append((source, target))
            if applied.staged.inputs is not None:
                self._inputs.append(applied.inputs)
            yield applied

    def inputs(self) -> pa.Table:
        if not self._inputs:
            return inputs_schema().arrow().empty_table()
        return pa.concat_tables(self._inputs)


def _validation_units(batches: Iterable[BatchTables], unit_rows: int) -> Iterator[pa.Table]:
    """The batches' staged articles regrouped into tables of about unit_rows rows, in order."""
    pending: list[pa.Table] = []
    rows = 0
    for batch in batches:
        if batch.staged.articles is None:
            continue  # the batch staged no article
        pending.append(batch.articles)
        rows += batch.articles.num_rows
        if rows >= unit_rows:
            yield pa.concat_tables(pending)
            pending, rows = [], 0
    if pending:
        yield pa.concat_tables(pending)


def _mark_quarantined(inputs: pa.Table, quarantined_ids: set[str]) -> pa.Table:
    """Inputs whose article failed validation went to quarantine after all."""
    if not quarantined_ids:
        return inputs
    ids = pc.is_in(inputs["record_id"], value_set=pa.array(sorted(quarantined_ids), pa.string()))
    was_article = pc.equal(inputs["outcome"], ARTICLE)
    outcome = pc.if_else(pc.and_(ids, was_article), QUARANTINE, inputs["outcome"])
    index = inputs.schema.get_field_index("outcome")
    return inputs.set_column(index, inputs.schema.field(index), outcome)


def _validation_rejections(table: pa.Table, failed_rows: dict[int, list[str]]) -> list[Rejection]:
    if not failed_rows:
        return []
    positions = sorted(failed_rows)
    subset = table.take(pa.array(positions)).to_pylist()
    rejections = []
    for position, row in zip(positions, subset, strict=True):
        reasons = sorted(failed_rows[position])
        rejections.append(
            Rejection(
                record_id=row["article_id"],
                source_uri=row["source_uri"],
                source_format=row["source_format"],
                stage="validate",
                reasons=reasons,
                detail=f"failed expectations: {', '.join(reasons)}",
                raw_excerpt=(row["body"] or "")[:EXCERPT_CHARS],
                raw_size_bytes=None,
                article=json.loads(json.dumps(row, default=str)),
            )
        )
    return rejections


def _boilerplate_kinds(table: pa.Table) -> list[str]:
    return pc.struct_field(pc.list_flatten(table["boilerplate"]), "kind").to_pylist()
