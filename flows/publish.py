"""Publish: mark duplicates over the whole run, validate every staged batch, then move it in place.

Nothing reaches output/articles before every batch of the run has passed its batch-level
expectations: a run that breaks the data contract publishes nothing. Rows that fail row-level
expectations go to output/quarantine with the names of the expectations they failed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows import repeats
from flows.dedup import find_duplicates
from flows.process import RunContext
from flows.records import Rejection
from flows.schema import articles_schema
from flows.settings import VALIDATION_UNIT_ROWS
from flows.write import parquet_files, quarantine_table, read_columns, write_parquet_atomic

ARTICLES_DIR = "articles"
QUARANTINE_DIR = "quarantine"


@dataclass
class PublishResult:
    published: int = 0
    duplicates: int = 0
    quarantined: int = 0
    quarantine_reasons: Counter[str] = field(default_factory=Counter)
    batch_failures: list[str] = field(default_factory=list)
    validation_results: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.batch_failures


def published_state(output: Path) -> tuple[set[str], list[tuple[str, str, str | None]]]:
    """Ids already processed (published or quarantined) and the published (id, hash, duplicate_of)."""
    known: set[str] = set()
    published: list[tuple[str, str, str | None]] = []
    articles = read_columns(output / ARTICLES_DIR, ["article_id", "content_sha256", "duplicate_of"])
    if articles is not None:
        columns = articles.to_pydict()
        published = list(
            zip(
                columns["article_id"],
                columns["content_sha256"],
                columns["duplicate_of"],
                strict=True,
            )
        )
        known.update(columns["article_id"])
    quarantined = read_columns(output / QUARANTINE_DIR, ["record_id"])
    if quarantined is not None:
        known.update(quarantined.column("record_id").to_pylist())
    return known, published


def publish_run(
    staged_articles: Sequence[str],
    staged_quarantine: Sequence[str],
    *,
    output: Path,
    staging_dir: Path,
    context: RunContext,
    validation_settings: Any = None,
    published: Collection[tuple[str, str, str | None]] = (),
    replace_existing: bool = False,
    unit_rows: int = VALIDATION_UNIT_ROWS,
) -> PublishResult:
    """Validate the run's staged batches and publish them, all or nothing.

    Staged batches are regrouped into validation units of about `unit_rows` rows, so the
    quarantine-share check is taken over enough rows to mean something however small the
    batches were. Validated units are written next to the staging area first; only when every
    unit passed are they renamed into the dataset. Memory holds one unit at a time.
    """
    from flows.validate import ValidationSettings, load_suites, validate_articles

    settings = validation_settings or ValidationSettings()
    suites = load_suites()
    result = PublishResult()
    _strip_repeated_lines(staged_articles)
    new_pairs = _id_hash_pairs(staged_articles)
    duplicates = find_duplicates(new_pairs, published)
    known_ids = {row[0] for row in published} | {article_id for article_id, _ in new_pairs}
    ready_dir = staging_dir / "ready"
    ready: list[tuple[Path, Path]] = []  # (validated file, its place in the dataset)

    for position, table in enumerate(_validation_units(staged_articles, unit_rows)):
        table = _mark_duplicates(table, duplicates)
        outcome = validate_articles(
            _frame_for_validation(table),
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
        result.duplicates += passed.num_rows - passed["duplicate_of"].null_count
        result.quarantined += len(rejections)
        for rejection in rejections:
            result.quarantine_reasons.update(rejection.reasons)
        stem = f"part-{context.run_id}-{position:05d}"
        if passed.num_rows:
            ready.append(_stage(passed, ready_dir, output / ARTICLES_DIR / f"{stem}.parquet"))
        if rejections:
            table_q = quarantine_table(rejections, context)
            target = output / QUARANTINE_DIR / f"{stem}-validation.parquet"
            ready.append(_stage(table_q, ready_dir, target))
    if not result.ok:
        return result
    for position, staged in enumerate(staged_quarantine):
        name = f"part-{context.run_id}-{position:05d}-ingest.parquet"
        ready.append((Path(staged), output / QUARANTINE_DIR / name))
    previous = (
        parquet_files(output / ARTICLES_DIR) + parquet_files(output / QUARANTINE_DIR)
        if replace_existing
        else []
    )
    for source, target in ready:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)  # same file system: a rename, atomic
        result.files.append(str(target))
    for old in previous:
        old.unlink(missing_ok=True)
    return result


def _strip_repeated_lines(staged_articles: Sequence[str]) -> None:
    """Move paragraphs repeated across a publisher's articles in this run to boilerplate.

    Done before dedup, so equal bodies are compared without the site's repeated furniture.
    Rewrites the staged files in place (atomically); they are this run's private copies.
    """
    from flows.metadata import count_words
    from flows.process import content_sha256

    counter = repeats.count_tables(
        pq.read_table(path, columns=repeats.COUNTED_COLUMNS) for path in staged_articles
    )
    repeated = counter.repeated()
    if not repeated:
        return
    for path in staged_articles:
        table = pq.read_table(path, schema=articles_schema().arrow())
        stripped = repeats.strip_repeated(table, repeated, content_sha256, count_words)
        if stripped is not table:
            write_parquet_atomic(stripped, Path(path))


def _id_hash_pairs(staged_articles: Sequence[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for path in staged_articles:
        table = pq.read_table(path, columns=["article_id", "content_sha256"])
        ids, hashes = table["article_id"].to_pylist(), table["content_sha256"].to_pylist()
        pairs.extend(zip(ids, hashes, strict=True))
    return pairs


def _validation_units(staged_articles: Sequence[str], unit_rows: int) -> Iterator[pa.Table]:
    """Staged batches regrouped into tables of about unit_rows rows, in order."""
    pending: list[pa.Table] = []
    rows = 0
    for path in staged_articles:
        table = pq.read_table(path, schema=articles_schema().arrow())
        pending.append(table)
        rows += table.num_rows
        if rows >= unit_rows:
            yield pa.concat_tables(pending)
            pending, rows = [], 0
    if pending:
        yield pa.concat_tables(pending)


def _stage(table: pa.Table, ready_dir: Path, target: Path) -> tuple[Path, Path]:
    return write_parquet_atomic(table, ready_dir / target.parent.name / target.name), target


def _mark_duplicates(table: pa.Table, duplicates: dict[str, str]) -> pa.Table:
    if not duplicates:
        return table
    ids = table["article_id"].to_pylist()
    column = pa.array([duplicates.get(article_id) for article_id in ids], pa.string())
    index = table.schema.get_field_index("duplicate_of")
    return table.set_column(index, table.schema.field(index), column)


def _frame_for_validation(table: pa.Table) -> Any:
    """The batch as the pandas frame the expectation suites run on (lists as Python lists)."""
    frame = table.to_pandas()
    for name in table.column_names:
        if pa.types.is_list(table.schema.field(name).type):
            cells = [list(value) if value is not None else [] for value in frame[name]]
            frame[name] = pd.Series(cells, index=frame.index, dtype=object)
    return frame


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


def count_boilerplate(staged_articles: Sequence[str]) -> Counter[str]:
    """Spans removed per kind over the run's articles (read from the staged batches)."""
    counts: Counter[str] = Counter()
    for path in staged_articles:
        column = pq.read_table(path, columns=["boilerplate"])["boilerplate"]
        kinds = pc.struct_field(pc.list_flatten(column), "kind")
        counts.update(kinds.to_pylist())
    return counts
