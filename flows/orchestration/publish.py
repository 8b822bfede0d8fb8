"""Publish: mark duplicates over the whole run, validate every staged batch, then commit.

Nothing reaches the dataset before every unit of the run has passed its batch-level
expectations: a run that breaks the data contract publishes nothing. Rows that fail row-level
expectations go to quarantine with the names of the expectations they failed.

The commit (flows/dataset/commit.py) moves the validated files into the dataset from a journal written
first, so a run killed while publishing is finished by the next run, never half-applied.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from flows.core.layout import ARTICLES, INPUTS, TABLES
from flows.core.records import Rejection, RunContext
from flows.core.schema import articles_schema, inputs_schema, quarantine_schema
from flows.core.settings import VALIDATION_UNIT_ROWS
from flows.core.storage import Storage
from flows.dataset import commit
from flows.dataset.parquet import quarantine_table
from flows.quality.report import STATS_COLUMNS, RowStats
from flows.run_steps import repeated_lines as repeats
from flows.run_steps.duplicates import find_duplicates


@dataclass
class PublishResult:
    published: int = 0
    duplicates: int = 0
    quarantined: int = 0
    repeats: int = 0  # inputs with the same bytes as another input of the run: recorded, not redone
    quarantine_reasons: Counter[str] = field(default_factory=Counter)
    batch_failures: list[str] = field(default_factory=list)
    validation_results: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # relative to the output
    # Spans removed per kind over every staged row (also of a run that failed), after repeats.
    boilerplate: Counter[str] = field(default_factory=Counter)
    published_stats: RowStats = field(default_factory=RowStats)  # of the published rows

    @property
    def ok(self) -> bool:
        return not self.batch_failures


@dataclass
class DatasetState:
    """What the output already holds: processed inputs, and published (id, hash, duplicate_of)."""

    known_inputs: set[str] = field(default_factory=set)
    published: list[tuple[str, str, str | None]] = field(default_factory=list)


class DatasetLayoutError(RuntimeError):
    """The output holds a dataset this version cannot append to safely."""


def check_layout(storage: Storage, *, full_refresh: bool = False) -> None:
    """Refuse to append to a dataset written before the inputs state and the month partitions:
    its inputs would all be done again under new ids. --full-refresh replaces it instead."""
    if full_refresh or storage.is_dir(INPUTS):
        return
    if any(p.count("/") == 1 for p in storage.parquet_files(ARTICLES)):
        raise DatasetLayoutError(
            f"{storage.url(ARTICLES)} was written by an older newsclean (no inputs/ state, "
            "no month partitions); run once with --full-refresh to rebuild it, or use a new "
            "output folder"
        )


def dataset_state(storage: Storage) -> DatasetState:
    state = DatasetState()
    inputs = storage.read_columns(INPUTS, ["input_sha256"])
    if inputs is not None:
        state.known_inputs.update(inputs.column("input_sha256").to_pylist())
    articles = storage.read_columns(ARTICLES, ["article_id", "content_sha256", "duplicate_of"])
    if articles is not None:
        columns = articles.to_pydict()
        state.published = list(
            zip(
                columns["article_id"],
                columns["content_sha256"],
                columns["duplicate_of"],
                strict=True,
            )
        )
    return state


def publish_run(
    staged_articles: Sequence[str],
    staged_quarantine: Sequence[str],
    staged_inputs: Sequence[str],
    *,
    storage: Storage,
    staging: str,
    context: RunContext,
    validation_settings: Any = None,
    published: Collection[tuple[str, str, str | None]] = (),
    replace_existing: bool = False,
    unit_rows: int = VALIDATION_UNIT_ROWS,
) -> PublishResult:
    """Validate the run's staged batches and publish them, all or nothing.

    Staged paths are relative to `storage`. Staged batches are regrouped into validation units
    of about `unit_rows` rows, so the quarantine-share check is taken over enough rows to mean
    something however small the batches were. Validated units are written to the staging area's
    ready/ folder; only when every unit passed are they committed into the dataset. Memory holds
    one unit at a time.
    """
    from flows.quality.validate import (
        ValidationSettings,
        frame_for_validation,
        load_suites,
        validate_articles,
    )

    settings = validation_settings or ValidationSettings()
    suites = load_suites()
    result = PublishResult()
    inputs = _read_all(storage, staged_inputs, inputs_schema().arrow())
    inputs, repeated = _resolve_repeats(inputs)
    result.repeats = sum(1 for outcome in inputs["outcome"].to_pylist() if outcome == "repeat")
    _drop_rows(storage, staged_articles, "article_id", repeated, articles_schema().arrow())
    _drop_rows(storage, staged_quarantine, "record_id", repeated, quarantine_schema().arrow())
    _strip_repeated_lines(storage, staged_articles)
    new_pairs = _id_hash_pairs(storage, staged_articles)
    duplicates = find_duplicates(new_pairs, published)
    known_ids = {row[0] for row in published} | {article_id for article_id, _ in new_pairs}
    ready: list[tuple[str, str]] = []  # (validated file in staging, its place in the dataset)
    articles_folder = articles_schema().data_folder(context.started_at)
    quarantine_folder = quarantine_schema().data_folder(context.started_at)
    quarantined_ids: set[str] = set()
    published_stats: list[pa.Table] = []

    units = _validation_units(storage, staged_articles, unit_rows)
    for position, table in enumerate(units):
        result.boilerplate.update(_boilerplate_kinds(table))
        table = _mark_duplicates(table, duplicates)
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
        result.published += passed.num_rows
        published_stats.append(passed.select(STATS_COLUMNS))
        result.duplicates += passed.num_rows - passed["duplicate_of"].null_count
        result.quarantined += len(rejections)
        for rejection in rejections:
            result.quarantine_reasons.update(rejection.reasons)
            quarantined_ids.add(rejection.record_id)
        stem = f"part-{context.run_id}-{position:05d}"
        if passed.num_rows:
            ready.append(
                commit.stage(storage, staging, passed, f"{articles_folder}/{stem}.parquet")
            )
        if rejections:
            table_q = quarantine_table(rejections, context)
            target = f"{quarantine_folder}/{stem}-validation.parquet"
            ready.append(commit.stage(storage, staging, table_q, target))
    if not result.ok:
        return result
    result.published_stats = RowStats.from_tables(published_stats)
    for position, staged in enumerate(staged_quarantine):
        ready.append(
            (staged, f"{quarantine_folder}/part-{context.run_id}-{position:05d}-ingest.parquet")
        )
    if inputs.num_rows:
        inputs = _mark_quarantined(inputs, quarantined_ids)
        ready.append(
            commit.stage(storage, staging, inputs, f"{INPUTS}/part-{context.run_id}.parquet")
        )
    removed = _dataset_files(storage) if replace_existing else []
    if ready or removed:
        commit.commit(storage, context.run_id, moves=ready, removes=removed)
    result.files = [target for _, target in ready]
    return result


def _dataset_files(storage: Storage) -> list[str]:
    return [path for folder in TABLES for path in storage.parquet_files(folder)]


def _read_all(storage: Storage, paths: Sequence[str], schema: pa.Schema) -> pa.Table:
    tables = [storage.read_table(path, schema=schema) for path in paths]
    return pa.concat_tables(tables) if tables else schema.empty_table()


def _resolve_repeats(inputs: pa.Table) -> tuple[pa.Table, set[tuple[str, str]]]:
    """Inputs with the same bytes processed by different batches of the run: the first in reading
    order (by file, then line or offset: as one batch reading everything would meet them) stays,
    the others become repeats. Returns the inputs with their outcome fixed, and the
    (record_id, source_uri) of the rows the repeats left in staging."""
    rows = inputs.select(["input_sha256", "outcome", "source_uri"]).to_pylist()
    first: dict[str, str] = {}
    for row in rows:
        if row["outcome"] != "repeat":
            uri = first.get(row["input_sha256"])
            if uri is None or reading_order(row["source_uri"]) < reading_order(uri):
                first[row["input_sha256"]] = row["source_uri"]
    outcomes, dropped = [], set()
    for row in rows:
        keep = row["outcome"] == "repeat" or first[row["input_sha256"]] == row["source_uri"]
        outcomes.append(row["outcome"] if keep else "repeat")
        if not keep:
            dropped.add((row["input_sha256"][:16], row["source_uri"]))
    if not dropped:
        return inputs, dropped
    index = inputs.schema.get_field_index("outcome")
    column = pa.array(outcomes, pa.string())
    return inputs.set_column(index, inputs.schema.field(index), column), dropped


def reading_order(source_uri: str) -> tuple[str, int]:
    """Sort key of an input: its file, then its line (#L<n>) or WARC offset (#offset=<n>)."""
    path, _, position = source_uri.partition("#")
    digits = position.removeprefix("L").removeprefix("offset=")
    return (path, int(digits)) if digits.isdigit() else (source_uri, -1)


def _drop_rows(
    storage: Storage,
    staged: Sequence[str],
    key: str,
    dropped: set[tuple[str, str]],
    schema: pa.Schema,
) -> None:
    """Remove the (key, source_uri) rows in `dropped` from the staged files (rewritten in place)."""
    if not dropped:
        return
    for path in staged:
        table = storage.read_table(path, schema=schema)
        pairs = zip(table[key].to_pylist(), table["source_uri"].to_pylist(), strict=True)
        mask = [pair not in dropped for pair in pairs]
        if not all(mask):
            storage.write_parquet(table.filter(pa.array(mask)), path)


def _mark_quarantined(inputs: pa.Table, quarantined_ids: set[str]) -> pa.Table:
    """Inputs whose article failed validation went to quarantine after all."""
    if not quarantined_ids:
        return inputs
    ids = pc.is_in(inputs["record_id"], value_set=pa.array(sorted(quarantined_ids), pa.string()))
    was_article = pc.equal(inputs["outcome"], "article")
    outcome = pc.if_else(pc.and_(ids, was_article), "quarantine", inputs["outcome"])
    index = inputs.schema.get_field_index("outcome")
    return inputs.set_column(index, inputs.schema.field(index), outcome)


def _strip_repeated_lines(storage: Storage, staged_articles: Sequence[str]) -> None:
    """Move paragraphs repeated across a publisher's articles in this run to boilerplate.

    Done before dedup, so equal bodies are compared without the site's repeated furniture.
    Rewrites the staged files in place (atomically); they are this run's private copies.
    """
    from flows.stages.metadata import count_words
    from flows.stages.process import content_sha256

    counter = repeats.count_tables(
        storage.read_table(path, columns=repeats.COUNTED_COLUMNS) for path in staged_articles
    )
    repeated = counter.repeated()
    if not repeated:
        return
    for path in staged_articles:
        table = storage.read_table(path, schema=articles_schema().arrow())
        stripped = repeats.strip_repeated(table, repeated, content_sha256, count_words)
        if stripped is not table:
            storage.write_parquet(stripped, path)


def _id_hash_pairs(storage: Storage, staged_articles: Sequence[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for path in staged_articles:
        table = storage.read_table(path, columns=["article_id", "content_sha256"])
        ids, hashes = table["article_id"].to_pylist(), table["content_sha256"].to_pylist()
        pairs.extend(zip(ids, hashes, strict=True))
    return pairs


def _validation_units(
    storage: Storage, staged_articles: Sequence[str], unit_rows: int
) -> Iterator[pa.Table]:
    """Staged batches regrouped into tables of about unit_rows rows, in order."""
    pending: list[pa.Table] = []
    rows = 0
    for path in staged_articles:
        table = storage.read_table(path, schema=articles_schema().arrow())
        pending.append(table)
        rows += table.num_rows
        if rows >= unit_rows:
            yield pa.concat_tables(pending)
            pending, rows = [], 0
    if pending:
        yield pa.concat_tables(pending)


def _mark_duplicates(table: pa.Table, duplicates: dict[str, str]) -> pa.Table:
    if not duplicates:
        return table
    ids = table["article_id"].to_pylist()
    column = pa.array([duplicates.get(article_id) for article_id in ids], pa.string())
    index = table.schema.get_field_index("duplicate_of")
    return table.set_column(index, table.schema.field(index), column)


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
                raw_excerpt=(row["body"] or "")[:2000],
                raw_size_bytes=None,
                article=json.loads(json.dumps(row, default=str)),
            )
        )
    return rejections


def _boilerplate_kinds(table: pa.Table) -> list[str]:
    return pc.struct_field(pc.list_flatten(table["boilerplate"]), "kind").to_pylist()
