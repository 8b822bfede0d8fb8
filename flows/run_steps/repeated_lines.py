"""Repeated lines: a short paragraph printed in many documents of one publisher is boilerplate.

Sign-offs, newsletter pitches and standfirsts that a site prints under every article look like
prose to every rule that reads one document; seen across a run they give themselves away. This
stage counts, over the whole run, in how many distinct articles (by content hash, so copies of one
article count once) each short paragraph appears per publisher, and removes those at or above the
threshold as spans of kind `repeated`. Counting is over the run, not a batch, so the result does
not depend on batch size or order.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa

KIND = "repeated"
RULE = "repeated_v1"
# Long paragraphs are article text even when repeated (a re-published story); junk is short.
MAX_PARAGRAPH_CHARS = 300
MIN_DOCUMENTS = 5
PARAGRAPH_BREAK = "\n\n"
COUNTED_COLUMNS = ["publisher", "url", "body", "content_sha256"]


@dataclass
class RepeatCounter:
    """Counts (publisher, paragraph) over distinct articles; holds 8-byte digests, not text."""

    min_documents: int = MIN_DOCUMENTS
    _counts: Counter[tuple[str, bytes]] = field(default_factory=Counter)
    _seen_articles: set[bytes] = field(default_factory=set)

    def add_table(self, table: pa.Table) -> None:
        columns = table.select(COUNTED_COLUMNS).to_pydict()
        for publisher, url, body, digest in zip(
            columns["publisher"],
            columns["url"],
            columns["body"],
            columns["content_sha256"],
            strict=True,
        ):
            self.add(publisher_key(publisher, url), body, digest)

    def add(self, publisher: str | None, body: str, content_sha256: str) -> None:
        article = bytes.fromhex(content_sha256)[:8]
        if publisher is None or article in self._seen_articles:
            return
        self._seen_articles.add(article)
        for paragraph in {p for p in body.split(PARAGRAPH_BREAK) if len(p) <= MAX_PARAGRAPH_CHARS}:
            self._counts[(publisher, _digest(paragraph))] += 1

    def repeated(self) -> frozenset[tuple[str, bytes]]:
        return frozenset(key for key, count in self._counts.items() if count >= self.min_documents)


def publisher_key(publisher: str | None, url: str | None) -> str | None:
    """Who prints the page: its publisher, else its URL's host; None when neither is known."""
    if publisher:
        return publisher.casefold()
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def _digest(paragraph: str) -> bytes:
    return hashlib.blake2b(" ".join(paragraph.split()).encode("utf-8"), digest_size=8).digest()


def strip_repeated(
    table: pa.Table, repeated: frozenset[tuple[str, bytes]], rehash: Any, count_words: Any
) -> pa.Table:
    """The table with repeated paragraphs moved from body to boilerplate.

    `rehash` and `count_words` recompute content_sha256 and word_count for a changed body (passed
    in, so this module needs no other stage). A body that would become empty is left whole: an
    article is never reduced to nothing by this rule alone.
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
        row["content_sha256"] = rehash(row["body"])
        row["word_count"] = count_words(row["body"])
    return pa.Table.from_pylist(rows, schema=table.schema) if changed else table


def _split(
    body: str, key: str, repeated: frozenset[tuple[str, bytes]]
) -> tuple[list[str], list[str]]:
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


def count_tables(tables: Iterable[pa.Table], min_documents: int = MIN_DOCUMENTS) -> RepeatCounter:
    counter = RepeatCounter(min_documents)
    for table in tables:
        counter.add_table(table)
    return counter
