"""The rows of the dataset's three tables: one typed field per column of schemas/<table>.v1.json.

Every field is required and given by keyword, so a misspelled or missing column is a TypeError
where the row is built, not a silent null in the file. The Parquet writer (flows/dataset/parquet.py)
reads exactly the schema's columns from these rows, and tests/test_schema_and_write.py proves the
fields equal the schema's columns (names, order, types, nullability): a column added to one and not
the other fails a test. Rows are frozen and pickle, so they cross process boundaries unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flows.core.records import Rejection, RunContext, SourceDocument


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleRow:
    """One published article (schemas/articles.v1.json)."""

    article_id: str
    source_uri: str
    source_format: str
    url: str | None
    fetched_at: datetime | None
    title: str | None
    body: str
    highlights: list[str]
    published_at: datetime | None
    published_at_precision: str | None
    published_at_source: str | None
    dateline: str | None
    agency: str | None
    publisher: str | None
    authors: list[str]
    contributors: list[str]
    editors: list[str]
    language: str | None
    language_score: float | None
    word_count: int
    related_headlines: list[str]
    boilerplate: list[dict[str, str]]  # {"kind", "text", "rule"} of each removed span, in order
    duplicate_of: str | None
    duplicate_kind: str | None
    duplicate_similarity: float | None
    story_id: str  # the article's own id until the stories step puts it into a story
    content_sha256: str
    run_id: str
    ingested_at: datetime
    pipeline_version: str


@dataclass(frozen=True, slots=True, kw_only=True)
class QuarantineRow:
    """One input that could not be published (schemas/quarantine.v1.json)."""

    record_id: str
    source_uri: str
    source_format: str | None
    stage: str
    reasons: list[str]
    detail: str | None
    raw_excerpt: str | None
    raw_size_bytes: int | None
    article: str | None  # the would-be article row as JSON, for a row that failed validation
    run_id: str
    ingested_at: datetime
    pipeline_version: str

    @classmethod
    def of(cls, rejection: Rejection, context: RunContext) -> QuarantineRow:
        """A rejection as a quarantine row, stamped with the run that made it."""
        article = rejection.article
        return cls(
            record_id=rejection.record_id,
            source_uri=rejection.source_uri,
            source_format=rejection.source_format,
            stage=rejection.stage,
            reasons=list(rejection.reasons),
            detail=rejection.detail,
            raw_excerpt=rejection.raw_excerpt,
            raw_size_bytes=rejection.raw_size_bytes,
            article=json.dumps(article, default=_json_default) if article else None,
            run_id=context.run_id,
            ingested_at=context.started_at,
            pipeline_version=context.pipeline_version,
        )


# What an input became (inputs.outcome): an article, a quarantined record, or a repeat of an
# input with the same bytes processed before (recorded, not processed again).
ARTICLE, QUARANTINE, REPEAT = "article", "quarantine", "repeat"


@dataclass(frozen=True, slots=True, kw_only=True)
class InputRow:
    """One processed input and what it became (schemas/inputs.v1.json)."""

    input_sha256: str
    record_id: str
    outcome: str  # article | quarantine | repeat
    source_uri: str
    source_format: str | None
    raw_size_bytes: int | None
    run_id: str
    ingested_at: datetime

    @classmethod
    def of(cls, item: SourceDocument | Rejection, outcome: str, context: RunContext) -> InputRow:
        """The state row of an input read by this run (a document, or one refused on reading)."""
        if item.input_sha256 is None:  # every input is keyed when read; a row without is a bug
            raise ValueError(f"{item.source_uri}: an input without input_sha256 cannot be recorded")
        return cls(
            input_sha256=item.input_sha256,
            record_id=item.record_id,
            outcome=outcome,
            source_uri=item.source_uri,
            source_format=item.source_format,
            raw_size_bytes=item.raw_size_bytes,
            run_id=context.run_id,
            ingested_at=context.started_at,
        )


def _json_default(value: object) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)
