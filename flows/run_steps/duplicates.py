"""Dedup: exact duplicates (same body after white-space normalization) across the whole run.

Duplicates are published, not dropped: each non-canonical copy points at its canonical one. The
canonical copy is chosen from the ids alone (the smallest article_id), so it does not depend on
file order, batch size or worker count. An article already published as canonical by an earlier
run stays canonical: published rows are never rewritten.

Bodies are compared after repeated lines were stripped (the step before this one), by the
content_sha256 of the body as that step left it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import chain

import pyarrow as pa

from flows.core.stats import Stats
from flows.dataset.state import DatasetState
from flows.run_steps.base import BatchTables, RunStep

IdHashes = list[tuple[str, str]]  # (article_id, content_sha256) of each article of a batch
DuplicateLinks = dict[str, str]  # non-canonical article_id -> its canonical article_id


class Duplicates(RunStep[IdHashes, DuplicateLinks]):
    name = "duplicates"

    def facts(self, batch: BatchTables) -> IdHashes:
        columns = batch.articles.select(["article_id", "content_sha256"]).to_pydict()
        return list(zip(columns["article_id"], columns["content_sha256"], strict=True))

    def decide(self, facts: Sequence[IdHashes], state: DatasetState) -> DuplicateLinks:
        return find_duplicates(chain.from_iterable(facts), state.published)

    def changes(self, decision: DuplicateLinks, facts: IdHashes) -> bool:
        return any(article_id in decision for article_id, _ in facts)

    def apply(self, decision: DuplicateLinks, batch: BatchTables, stats: Stats) -> BatchTables:
        ids = batch.articles["article_id"].to_pylist()
        if not any(article_id in decision for article_id in ids):
            return batch
        links = pa.array([decision.get(article_id) for article_id in ids], pa.string())
        index = batch.articles.schema.get_field_index("duplicate_of")
        field = batch.articles.schema.field(index)
        return batch.replace(articles=batch.articles.set_column(index, field, links))


def find_duplicates(
    new: Iterable[tuple[str, str]],
    published: Iterable[tuple[str, str, str | None]] = (),
) -> DuplicateLinks:
    """Map each new non-canonical article_id to its canonical article_id.

    new: (article_id, content_sha256) of this run's articles.
    published: (article_id, content_sha256, duplicate_of) of rows already in the dataset.
    """
    published_canonical: dict[str, str] = {}
    for article_id, digest, duplicate_of in published:
        if duplicate_of is None:
            current = published_canonical.get(digest)
            published_canonical[digest] = min(current, article_id) if current else article_id
    groups: dict[str, list[str]] = defaultdict(list)
    for article_id, digest in new:
        groups[digest].append(article_id)
    duplicates: DuplicateLinks = {}
    for digest, ids in groups.items():
        canonical = published_canonical.get(digest) or min(ids)
        duplicates.update({article_id: canonical for article_id in ids if article_id != canonical})
    return duplicates
