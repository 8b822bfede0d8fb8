"""One document through extract -> clean -> metadata, into an article row or a rejection.

This is the per-document unit of work that a worker process runs under a time limit. It is pure:
the same document and settings give the same row, whatever ran before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flows.core.records import EXCERPT_CHARS, Rejection, SourceDocument
from flows.core.text import content_sha256
from flows.stages.extract import ExtractionError, ExtractionSettings, extract


@dataclass(frozen=True)
class RunContext:
    """What every row of a run shares."""

    run_id: str
    started_at: datetime  # UTC; becomes ingested_at, and "now" for date sanity checks
    pipeline_version: str


@dataclass(frozen=True)
class ProcessSettings:
    extraction: ExtractionSettings = field(default_factory=ExtractionSettings)


def process_document(
    doc: SourceDocument, context: RunContext, settings: ProcessSettings | None = None
) -> dict[str, Any] | Rejection:
    # Imported here: worker processes pay for these once, the CLI's start-up does not.
    from flows.stages.clean import clean_text
    from flows.stages.metadata import extract_metadata

    settings = settings or ProcessSettings()
    try:
        extracted = extract(doc, settings.extraction)
    except ExtractionError as error:
        return reject(doc, "extract", "no_main_text", str(error))
    cleaned = clean_text(
        extracted.text, content_kind=extracted.content_kind, title=extracted.seed.title
    )
    if not cleaned.body.strip():
        return reject(
            doc, "clean", "no_article_text", "nothing but boilerplate was found in the text"
        )
    meta = extract_metadata(cleaned, extracted.seed, now=context.started_at)
    body = cleaned.body
    return {
        "article_id": doc.record_id,
        "source_uri": doc.source_uri,
        "source_format": doc.source_format,
        "url": extracted.seed.url,
        "fetched_at": fetch_time(extracted.seed.fetched_at),
        "title": meta.title,
        "body": body,
        "highlights": list(meta.highlights),
        "published_at": meta.published_at,
        "published_at_precision": meta.published_at_precision,
        "published_at_source": meta.published_at_source,
        "dateline": meta.dateline,
        "agency": meta.agency,
        "publisher": meta.publisher,
        "authors": list(meta.authors),
        "contributors": list(meta.contributors),
        "editors": list(meta.editors),
        "language": meta.language,
        "language_score": meta.language_score,
        "word_count": meta.word_count,
        "related_headlines": list(cleaned.related_headlines),
        "boilerplate": [span.as_dict() for span in cleaned.removed],
        "duplicate_of": None,  # set over the whole run by the dedup stage
        "content_sha256": content_sha256(body),
        "run_id": context.run_id,
        "ingested_at": context.started_at,
        "pipeline_version": context.pipeline_version,
    }


def fetch_time(value: str | None) -> datetime | None:
    """A crawler's fetch time as UTC; None when absent or not a full timestamp."""
    from flows.stages.dates import parse_iso

    fact = parse_iso(value.strip()) if value else None
    return fact.value if fact is not None and fact.precision == "second" else None


def reject(doc: SourceDocument, stage: str, reason: str, detail: str) -> Rejection:
    return Rejection(
        record_id=doc.record_id,
        source_uri=doc.source_uri,
        source_format=doc.source_format,
        stage=stage,
        reasons=[reason],
        detail=detail,
        raw_excerpt=doc.content[:EXCERPT_CHARS],
        raw_size_bytes=doc.raw_size_bytes,
        input_sha256=doc.input_sha256,
    )
