"""Dedup: exact duplicates (same body after white-space normalization) across the whole run.

Duplicates are published, not dropped: each non-canonical copy points at its canonical one. The
canonical copy is chosen from the ids alone (the smallest article_id), so it does not depend on
file order, batch size or worker count. An article already published as canonical by an earlier
run stays canonical: published rows are never rewritten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def find_duplicates(
    new: Iterable[tuple[str, str]],
    published: Iterable[tuple[str, str, str | None]] = (),
) -> dict[str, str]:
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
    duplicates: dict[str, str] = {}
    for digest, ids in groups.items():
        canonical = published_canonical.get(digest) or min(ids)
        duplicates.update({article_id: canonical for article_id in ids if article_id != canonical})
    return duplicates
