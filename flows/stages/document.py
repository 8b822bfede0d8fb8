"""The one shape every per-document stage has, and the state a document carries through them.

A stage is a function `(DocumentState) -> DocumentState | Rejection`: it reads what earlier stages
produced from the state and returns a new state with its own product added (or a Rejection, which
ends the document's way through the stages). Each stage module defines its stage as `stage`, and
flows/stages/process.py names them, in the order they run, in DOCUMENT_STAGES.

The state is frozen: a stage returns `dataclasses.replace(state, ...)`. Only its `stats` is shared
and written in place: the counters of one document, which process_document hands back with the
outcome and a batch merges (flows/core/stats.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from flows.core.records import (
    EXCERPT_CHARS,
    ArticleMetadata,
    CleanedText,
    Extracted,
    Rejection,
    RemovedSpan,
    RunContext,
    SourceDocument,
)
from flows.core.stats import Stats


@dataclass(frozen=True)
class ExtractionSettings:
    """trafilatura's options for the extract stage."""

    # Comments are reader content, not the article: the dataset is of article bodies.
    include_comments: bool = False
    favor_precision: bool = False
    include_tables: bool = True
    # trafilatura's `fast`: no fallback extractors (readability, jusText) when its own result
    # looks short. Off by default: see docs/benchmarks.md for what it costs in F1 and saves in time.
    fast: bool = False
    # The block model that keeps or drops each text block of the page (flows/stages/block_model.py):
    # "bundled" (the versioned model in flows/stages/models/), "none" (trafilatura's text as it is),
    # or the path of another model file (benchmarks score models trained without some sites).
    block_model: str = "bundled"


@dataclass(frozen=True)
class ProcessSettings:
    """What the per-document stages can be told (each stage reads its own part)."""

    extraction: ExtractionSettings = field(default_factory=ExtractionSettings)


@dataclass(frozen=True)
class DocumentState:
    """One document part-way through the stages: where it came from, what each stage produced
    so far, every span removed from its text so far, and its counters."""

    doc: SourceDocument
    context: RunContext
    settings: ProcessSettings = field(default_factory=ProcessSettings)
    stats: Stats = field(default_factory=Stats)
    extracted: Extracted | None = None  # by the extract stage
    cleaned: CleanedText | None = None  # by the clean stage
    metadata: ArticleMetadata | None = None  # by the metadata stage
    removed: tuple[RemovedSpan, ...] = ()  # becomes the row's boilerplate, in order

    def reject(self, stage: str, reason: str, detail: str) -> Rejection:
        return reject(self.doc, stage, reason, detail)


DocumentStage = Callable[[DocumentState], "DocumentState | Rejection"]


class StageOrderError(RuntimeError):
    """A stage ran before the stage whose product it needs: the stage list is out of order."""


T = TypeVar("T")


def needs(product: T | None, what: str) -> T:
    """What an earlier stage produced, or a clear error when the stage list runs out of order."""
    if product is None:
        raise StageOrderError(f"no {what} yet: the stage that makes it must come earlier")
    return product


def reject(doc: SourceDocument, stage: str, reason: str, detail: str) -> Rejection:
    """A document refused at `stage`, keeping the start of its content to show what it was."""
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
