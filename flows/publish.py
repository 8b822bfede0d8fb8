"""Publish: mark duplicates over the whole run, validate every staged batch, then move it in place.

Nothing reaches output/articles before every batch of the run has passed its batch-level
expectations: a run that breaks the data contract publishes nothing. Rows that fail row-level
expectations go to output/quarantine with the names of the expectations they failed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows.dedup import find_duplicates
from flows.process import RunContext
from flows.records import Rejection
from flows.schema import articles_schema
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
    context: RunContext,
    validation_settings: Any = None,
    published: Collection[tuple[str, str, str | None]] = (),
    replace_existing: bool = False,
) -> PublishResult:
    from flows.validate import ValidationSettings, load_suites, validate_articles

    settings = validation_settings or ValidationSettings()
    suites = load_suites()
    result = PublishResult()
    tables = [pq.read_table(path, schema=articles_schema().arrow()) for path in staged_articles]
    new_pairs = [
        pair
        for table in tables
        for pair in zip(
            table["article_id"].to_pylist(), table["content_sha256"].to_pylist(), strict=True
        )
    ]
    duplicates = find_duplicates(new_pairs, published)
    known_ids = {article_id for article_id, _, _ in published} | {
        article_id for article_id, _ in new_pairs
    }

    ready: list[tuple[Path, pa.Table]] = []
    for position, table in enumerate(tables):
        table = _mark_duplicates(table, duplicates)
        outcome = validate_articles(
            _frame_for_validation(table),
            now=context.started_at,
            settings=settings,
            suites=suites,
            known_ids=known_ids,
        )
        result.validation_results.append(outcome.results)
        result.batch_failures.extend(f"batch {position}: {name}" for name in outcome.batch_failures)
        failed_rows = outcome.row_failures
        keep = pa.array([i not in failed_rows for i in range(table.num_rows)])
        passed = table.filter(keep)
        result.published += passed.num_rows
        result.duplicates += sum(value is not None for value in passed["duplicate_of"].to_pylist())
        rejections = _validation_rejections(table, failed_rows)
        result.quarantined += len(rejections)
        for rejection in rejections:
            result.quarantine_reasons.update(rejection.reasons)
        stem = f"part-{context.run_id}-{position:05d}"
        if passed.num_rows:
            ready.append((output / ARTICLES_DIR / f"{stem}.parquet", passed))
        if rejections:
            qtable = quarantine_table(
                rejections,
                run_id=context.run_id,
                ingested_at=context.started_at,
                pipeline_version=context.pipeline_version,
            )
            ready.append((output / QUARANTINE_DIR / f"{stem}-validation.parquet", qtable))
    for position, staged in enumerate(staged_quarantine):
        name = f"part-{context.run_id}-{position:05d}-ingest.parquet"
        ready.append((output / QUARANTINE_DIR / name, pq.read_table(staged)))
    if not result.ok:
        return result
    previous = (
        parquet_files(output / ARTICLES_DIR) + parquet_files(output / QUARANTINE_DIR)
        if replace_existing
        else []
    )
    for target, table in ready:
        write_parquet_atomic(table, target)
        result.files.append(str(target))
    for old in previous:
        old.unlink(missing_ok=True)
    return result


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
            frame[name] = [list(value) if value is not None else [] for value in frame[name]]
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
