"""Which articles tell the same event: weighted term signatures compared within a time window,
through an index of rare terms, never over all pairs.

- Weights: a term's IDF over every article the dataset and the run hold, with a prior of
  PRIOR_DOCUMENTS articles that do not use it, so that in a small dataset no shared term looks
  common; names count NAME_BOOST times, numbers NUMBER_BOOST times (the same event has the same
  people, places and figures; the same topic does not).
- Candidates: each article looks up its KEY_TERMS rarest terms that other articles use too;
  two articles are compared only when one's key term is in the other's signature and their times are at most WINDOW apart.
  A key term shared by more than MAX_BUCKET articles of the window is no key (too common).
- Link: cosine similarity of the weighted signatures at or above LINK_THRESHOLD, with at least
  MIN_SHARED terms in common. Articles linked directly or through others form one story.

The thresholds were chosen by a measurement (benchmarks/stories.py, docs/benchmarks.md).
Everything here is a pure function of the set of articles: no input order, batch layout or
worker count changes a link.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flows.run_steps.story_terms import NAME, NUMBER

WINDOW = timedelta(days=3)
PRIOR_DOCUMENTS = 1000
NAME_BOOST = 2.0
NUMBER_BOOST = 1.5
KEY_TERMS = 8
MAX_BUCKET = 500
LINK_THRESHOLD = 0.35
MIN_SHARED = 3


@dataclass(frozen=True, slots=True)
class Signature:
    """An article's story signature (story_terms.story_terms) and when its event happened
    (published_at, else when it was ingested: `dated` False)."""

    article_id: str
    event_at: datetime
    terms: tuple[str, ...]
    dated: bool = True


def in_window(a: Signature, b: Signature) -> bool:
    """Two dated articles at most WINDOW apart. An undated article's time is unknown (a page
    crawled today may tell last year's event), so it may meet an article of any date; the
    published index is still read only around its ingest time, so that reach ends with its run."""
    return not (a.dated and b.dated) or abs(a.event_at - b.event_at) <= WINDOW


class Weights:
    """Term weights from document frequencies: `counts` (term -> articles using it) over
    `documents` articles."""

    def __init__(self, counts: Mapping[str, int], documents: int) -> None:
        self._counts = counts
        self._total = documents + PRIOR_DOCUMENTS

    def idf(self, term: str) -> float:
        return math.log(self._total / (1 + self._counts.get(term, 0)))

    def weight(self, term: str) -> float:
        boost = NAME_BOOST if term[0] == NAME else NUMBER_BOOST if term[0] == NUMBER else 1.0
        return boost * self.idf(term)

    def keys(self, terms: Iterable[str]) -> list[str]:
        """The KEY_TERMS rarest terms another article uses too (ties by the term): where the
        article looks for its story. A term no other article uses can find nothing."""
        shared = [t for t in terms if self._counts.get(t, 0) > 1]
        return sorted(shared, key=lambda t: (self._counts[t], t))[:KEY_TERMS]


def similarity(a: Sequence[str], b: Sequence[str], weights: Weights) -> tuple[float, int]:
    """Cosine of the weighted term sets, and how many terms they share."""
    shared = set(a) & set(b)
    if not shared:
        return 0.0, 0
    dot = sum(weights.weight(t) ** 2 for t in shared)
    norm_a = math.sqrt(sum(weights.weight(t) ** 2 for t in a))
    norm_b = math.sqrt(sum(weights.weight(t) ** 2 for t in b))
    return (dot / (norm_a * norm_b) if norm_a and norm_b else 0.0), len(shared)


def linked(a: Sequence[str], b: Sequence[str], weights: Weights) -> bool:
    score, shared = similarity(a, b, weights)
    return shared >= MIN_SHARED and score >= LINK_THRESHOLD


def candidate_pairs(
    new: Sequence[Signature], old: Sequence[Signature], weights: Weights
) -> set[tuple[int, int]]:
    """Pairs (i, j) worth comparing: i indexes `new`, j indexes new + old (j > i for two new
    articles). Only articles sharing a key term and at most WINDOW apart."""
    everything = [*new, *old]
    index: dict[str, list[int]] = defaultdict(list)
    for position, signature in enumerate(everything):
        for term in signature.terms:
            index[term].append(position)
    pairs: set[tuple[int, int]] = set()
    for i, signature in enumerate(new):
        for term in weights.keys(signature.terms):
            bucket = index[term]
            if len(bucket) > MAX_BUCKET:
                continue  # too common in this window to say "same event"
            for j in bucket:
                if j != i and in_window(everything[j], signature):
                    pairs.add((min(i, j), max(i, j)) if j < len(new) else (i, j))
    return pairs


def link_pairs(
    new: Sequence[Signature], old: Sequence[Signature], weights: Weights
) -> list[tuple[int, int]]:
    """The candidate pairs that pass the link test, sorted."""
    everything = [*new, *old]
    return sorted(
        (i, j)
        for i, j in candidate_pairs(new, old, weights)
        if linked(everything[i].terms, everything[j].terms, weights)
    )


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True)
class StoryAssignment:
    """The run's stories: the story of every new article, and the published stories this run
    found to be one (merged story id -> the story id it continues as)."""

    story_of: dict[str, str]
    links: dict[str, str]


def assign_stories(
    new: Sequence[Signature],
    old: Sequence[Signature],
    old_story: Mapping[str, str],
    weights: Weights,
) -> StoryAssignment:
    """Stories for the new articles, given published ones (`old`, with their current story in
    `old_story`, article_id -> story id, links already resolved).

    A group of linked articles without a published member founds a story named after its
    earliest article (event_at, then article_id). A group that reaches published stories joins
    the one whose earliest article reached is earliest; the others are linked to it.
    """
    everything = [*new, *old]
    groups = _UnionFind(len(everything))
    for i, j in link_pairs(new, old, weights):
        groups.union(i, j)
    members: dict[int, list[int]] = defaultdict(list)
    for position in range(len(everything)):
        members[groups.find(position)].append(position)
    story_of: dict[str, str] = {}
    links: dict[str, str] = {}
    for positions in members.values():
        fresh = [everything[p] for p in positions if p < len(new)]
        if not fresh:
            continue
        published = [everything[p] for p in positions if p >= len(new)]
        if published:
            # each published story's earliest article reached, then the earliest story wins
            first: dict[str, tuple[datetime, str]] = {}
            for signature in published:
                story = old_story[signature.article_id]
                key = (signature.event_at, signature.article_id)
                first[story] = min(first.get(story, key), key)
            stories = sorted(first, key=lambda s: (first[s], s))
            story = stories[0]
            links.update({other: story for other in stories[1:]})
        else:
            story = min(fresh, key=lambda s: (s.event_at, s.article_id)).article_id
        story_of.update({signature.article_id: story for signature in fresh})
    return StoryAssignment(story_of, links)


def document_counts(signatures: Iterable[Signature]) -> dict[str, int]:
    """How many of the articles use each term."""
    counts: dict[str, int] = defaultdict(int)
    for signature in signatures:
        for term in signature.terms:
            counts[term] += 1
    return dict(counts)
