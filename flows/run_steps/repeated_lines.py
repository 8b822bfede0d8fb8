"""Repeated lines: a short paragraph printed in many documents of one publisher is boilerplate.

Sign-offs, newsletter pitches and standfirsts that a site prints under every article look like
prose to every rule that reads one document; seen across a run they give themselves away. This
step counts, over the whole run, in how many distinct articles (by content hash, so copies of one
article count once) each short paragraph appears per publisher, and removes those at or above the
threshold as spans of kind `repeated`. Counting is over the run, not a batch, so the result does
not depend on batch size or order.

It runs after repeated inputs are settled and before duplicates are found, so that bodies are
compared without the site's furniture (content_sha256 and word_count are recomputed on the
stripped rows). Batches measure each article's publisher, content digest and short paragraphs'
digests; the flow counts them over the run; the apply pass strips the paragraphs found.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

import pyarrow as pa

from flows.core.stats import Stats
from flows.core.text import content_sha256, count_words
from flows.dataset.state import DatasetState
from flows.run_steps.base import BatchTables, RunStep

KIND = "repeated"
RULE = "repeated_v1"
# Long paragraphs are article text even when repeated (a re-published story); junk is short.
MAX_PARAGRAPH_CHARS = 300
MIN_DOCUMENTS = 5
PARAGRAPH_BREAK = "\n\n"
COUNTED_COLUMNS = ["publisher", "url", "body", "content_sha256"]


# (publisher key, the body's content digest (8 bytes), the 8-byte digests of its distinct short
# paragraphs, joined) of each article with a publisher or a URL host.
LineFacts = list[tuple[str, bytes, bytes]]
Repeated = frozenset[tuple[str, bytes]]  # (publisher key, paragraph digest) to strip
DIGEST_BYTES = 8


class RepeatedLines(RunStep[LineFacts, Repeated]):
    name = "repeated_lines"

    def __init__(self, min_documents: int = MIN_DOCUMENTS) -> None:
        self.min_documents = min_documents

    def facts(self, batch: BatchTables) -> LineFacts:
        columns = batch.articles.select(COUNTED_COLUMNS).to_pydict()
        found: LineFacts = []
        for publisher, url, body, digest in zip(
            columns["publisher"],
            columns["url"],
            columns["body"],
            columns["content_sha256"],
            strict=True,
        ):
            key = publisher_key(publisher, url)
            if key is None:
                continue  # nobody to count it for
            short = {p for p in body.split(PARAGRAPH_BREAK) if len(p) <= MAX_PARAGRAPH_CHARS}
            paragraphs = b"".join(sorted(_digest(p) for p in short))
            found.append((key, bytes.fromhex(digest)[:DIGEST_BYTES], paragraphs))
        return found

    def decide(self, facts: Sequence[LineFacts], state: DatasetState) -> Repeated:
        """(publisher, paragraph) pairs in at least min_documents distinct articles of the run:
        an article's copies (the same content digest) count once, the first met in batch order."""
        counts: Counter[tuple[str, bytes]] = Counter()
        seen: set[bytes] = set()
        for batch in facts:
            for key, article, paragraphs in batch:
                if article in seen:
                    continue
                seen.add(article)
                counts.update((key, digest) for digest in _digests(paragraphs))
        return frozenset(pair for pair, count in counts.items() if count >= self.min_documents)

    def changes(self, decision: Repeated, facts: LineFacts) -> bool:
        return any(
            (key, digest) in decision
            for key, _, paragraphs in facts
            for digest in _digests(paragraphs)
        )

    def apply(self, decision: Repeated, batch: BatchTables, stats: Stats) -> BatchTables:
        stripped = strip_repeated(batch.articles, decision)
        return batch if stripped is batch.articles else batch.replace(articles=stripped)


def _digests(joined: bytes) -> Iterator[bytes]:
    return (joined[i : i + DIGEST_BYTES] for i in range(0, len(joined), DIGEST_BYTES))


def publisher_key(publisher: str | None, url: str | None) -> str | None:
    """Who prints the page: its publisher, else its URL's host; None when neither is known."""
    if publisher:
        return publisher.casefold()
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def _digest(paragraph: str) -> bytes:
    return hashlib.blake2b(" ".join(paragraph.split()).encode("utf-8"), digest_size=8).digest()


def strip_repeated(table: pa.Table, repeated: Repeated) -> pa.Table:
    """The table with repeated paragraphs moved from body to boilerplate, its content_sha256 and
    word_count recomputed. A body that would become empty is left whole: an article is never
    reduced to nothing by this rule alone.
    """
    if not repeated or table.num_rows == 0:
        return table
    rows = table.to_pylist()
    changed = False
    for row in rows:
        key = publisher_key(row["publisher"], row["url"])
        if key is None:
            continue
        kept, removed = _split(row["body"], key, repeated)
        if not removed or not kept:
            continue
        changed = True
        row["body"] = PARAGRAPH_BREAK.join(kept)
        row["boilerplate"] = [
            *row["boilerplate"],
            *({"kind": KIND, "text": p, "rule": RULE} for p in removed),
        ]
        row["content_sha256"] = content_sha256(row["body"])
        row["word_count"] = count_words(row["body"])
    return pa.Table.from_pylist(rows, schema=table.schema) if changed else table


def _split(body: str, key: str, repeated: Repeated) -> tuple[list[str], list[str]]:
    kept: list[str] = []
    removed: list[str] = []
    for paragraph in body.split(PARAGRAPH_BREAK):
        target = (
            removed
            if len(paragraph) <= MAX_PARAGRAPH_CHARS and (key, _digest(paragraph)) in repeated
            else kept
        )
        target.append(paragraph)
    return kept, removed
