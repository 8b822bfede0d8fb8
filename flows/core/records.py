"""Plain records that flow between stages.

Every stage is a function over these: no stage imports Prefect, and every record pickles, so a
batch can cross a process boundary (worker processes, Dask) unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RunContext:
    """What every row of a run shares."""

    run_id: str
    started_at: datetime  # UTC; becomes ingested_at, and "now" for date sanity checks
    pipeline_version: str


@dataclass(frozen=True)
class RemovedSpan:
    """A span the cleaner took out of the text: what kind of junk it is and which rule said so."""

    kind: str
    text: str
    rule: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "text": self.text, "rule": self.rule}


@dataclass
class CleanedText:
    """The cleaner's result: article paragraphs in order, and everything it removed, in order."""

    paragraphs: list[str]
    removed: list[RemovedSpan] = field(default_factory=list)
    related_headlines: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    def spans(self, *kinds: str) -> list[RemovedSpan]:
        return [span for span in self.removed if span.kind in kinds]


@dataclass
class SeedMetadata:
    """Metadata the input itself carries (HTML meta tags via trafilatura, JSONL fields).

    Values are raw strings as found; the metadata stage parses and normalizes them.
    """

    url: str | None = None
    title: str | None = None
    date: str | None = None
    date_source: str | None = None  # input_field, or htmldate for the HTML heuristic's date
    author: str | None = None
    publisher: str | None = None
    # What an HTML page states explicitly (JSON-LD, meta tags), beside trafilatura's choices above.
    page_date: str | None = None
    page_date_source: str | None = None  # json_ld or html_meta
    page_printed_date: str | None = None  # the day printed beside the headline, ISO
    page_byline: str | None = None  # the names of the labelled byline beside the headline
    page_authors: tuple[str, ...] = ()
    page_organisations: tuple[str, ...] = ()  # site and publisher names: never authors
    fetched_at: str | None = None  # when a crawler fetched the page (WARC-Date), ISO 8601


@dataclass
class SourceDocument:
    """One input document, decoded, before extraction."""

    record_id: str
    source_uri: str
    source_format: str  # text | html | jsonl
    content_kind: str  # text | html: what the extractor receives
    content: str
    raw_size_bytes: int
    seed: SeedMetadata = field(default_factory=SeedMetadata)
    input_sha256: str = ""  # what identifies the input across runs (readers.keys.content_key)


@dataclass
class Extracted:
    """The extract stage's result: the main text, the seed metadata the page added to, and the
    spans the extractor's own text had that the block model dropped."""

    text: str
    content_kind: str  # "text" | "html": which path the text came from, for the cleaner
    seed: SeedMetadata
    removed: tuple[RemovedSpan, ...] = ()


@dataclass
class ArticleMetadata:
    title: str | None = None
    published_at: datetime | None = None
    published_at_precision: str | None = None
    published_at_source: str | None = None
    dateline: str | None = None
    agency: str | None = None
    publisher: str | None = None
    authors: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)
    language: str | None = None
    language_score: float | None = None
    word_count: int = 0


# A rejection keeps at most this many characters of its input, to show what was wrong with it.
EXCERPT_CHARS = 2000


@dataclass
class Rejection:
    """An input that cannot become an article: it goes to quarantine with its reasons."""

    record_id: str
    source_uri: str
    source_format: str | None
    stage: str
    reasons: list[str]
    detail: str | None = None
    raw_excerpt: str | None = None
    raw_size_bytes: int | None = None
    article: dict[str, Any] | None = None
    input_sha256: str | None = None


@dataclass(frozen=True)
class SkippedInput:
    """A file the pipeline does not read (unsupported type). Named in the run summary."""

    source_uri: str
    reason: str
