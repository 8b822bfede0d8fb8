"""One document through the per-document stages, into an article row or a rejection.

The stages are DOCUMENT_STAGES, run in the order they are named there: each one has the shape of
flows/stages/document.py (a DocumentState in, a DocumentState or a Rejection out), so adding a
stage means adding its module and naming it here. The first Rejection ends the document's way.

This is the per-document unit of work that a worker process runs under a time limit. It is pure:
the same document and settings give the same row, whatever ran before it. Besides the outcome it
returns the document's counters (a Stats), which the batch merges:
- seconds[<stage name>]: wall time spent in each stage;
- tally "rejected_by_stage": documents a stage rejected, by the stage's name;
- tally "spans_removed": spans the extract (block model) and clean stages removed, by kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flows.core.records import Rejection, RunContext, SourceDocument
from flows.core.rows import ArticleRow
from flows.core.stats import Stats
from flows.core.text import content_sha256
from flows.stages import clean, extract, metadata
from flows.stages.dates import parse_iso
from flows.stages.document import DocumentStage, DocumentState, ProcessSettings, needs

# The per-document stages, in the order they run, by the name their counters are kept under.
DOCUMENT_STAGES: Mapping[str, DocumentStage] = {
    "extract": extract.stage,
    "clean": clean.stage,
    "metadata": metadata.stage,
}


@dataclass(frozen=True)
class DocumentResult:
    """What one document became, and what the stages counted on the way (for the batch to merge)."""

    outcome: ArticleRow | Rejection
    stats: Stats = field(default_factory=Stats)


def process_document(
    doc: SourceDocument, context: RunContext, settings: ProcessSettings | None = None
) -> DocumentResult:
    state = DocumentState(doc, context, settings or ProcessSettings())
    outcome = run_stages(state, DOCUMENT_STAGES)
    if isinstance(outcome, Rejection):
        return DocumentResult(outcome, state.stats)
    return DocumentResult(article_row(outcome), outcome.stats)


def run_stages(
    state: DocumentState, stages: Mapping[str, DocumentStage]
) -> DocumentState | Rejection:
    """Each stage in turn, timed under its name, until one rejects the document."""
    for name, stage in stages.items():
        with state.stats.timer(name):
            outcome = stage(state)
        if isinstance(outcome, Rejection):
            state.stats.tally("rejected_by_stage", name)
            return outcome
        state = outcome
    return state


def article_row(state: DocumentState) -> ArticleRow:
    """The article row of a document that went through every stage."""
    doc, context = state.doc, state.context
    seed = needs(state.extracted, "extracted text").seed
    cleaned = needs(state.cleaned, "cleaned text")
    meta = needs(state.metadata, "metadata")
    body = cleaned.body
    return ArticleRow(
        article_id=doc.record_id,
        source_uri=doc.source_uri,
        source_format=doc.source_format,
        url=seed.url,
        fetched_at=fetch_time(seed.fetched_at),
        title=meta.title,
        body=body,
        highlights=list(meta.highlights),
        published_at=meta.published_at,
        published_at_precision=meta.published_at_precision,
        published_at_source=meta.published_at_source,
        dateline=meta.dateline,
        agency=meta.agency,
        publisher=meta.publisher,
        authors=list(meta.authors),
        contributors=list(meta.contributors),
        editors=list(meta.editors),
        language=meta.language,
        language_score=meta.language_score,
        word_count=meta.word_count,
        related_headlines=list(cleaned.related_headlines),
        boilerplate=[span.as_dict() for span in state.removed],
        duplicate_of=None,  # these three are set over the whole run by the duplicates step
        duplicate_kind=None,
        duplicate_similarity=None,
        story_id=doc.record_id,  # a story of its own until the stories step joins it to one
        content_sha256=content_sha256(body),
        run_id=context.run_id,
        ingested_at=context.started_at,
        pipeline_version=context.pipeline_version,
    )


def fetch_time(value: str | None) -> datetime | None:
    """A crawler's fetch time as UTC; None when absent or not a full timestamp."""
    fact = parse_iso(value.strip()) if value else None
    return fact.value if fact is not None and fact.precision == "second" else None
