"""Stories: articles telling the same event within a few days share a story_id.

- facts, in the batch task: each article's story signature (story_terms.py: the key terms of its
  title and lead) and its event time (published_at, else ingested_at). No text travels.
- decide, in the flow: the run's signatures against each other and against the published story
  index of the run's time window (only rows sharing a term), weighted by document frequencies
  from the dataset's story_terms table plus the run's own; linked articles form stories
  (story_match.py).
- apply: the story_id column. Every article was built in a story of its own (its article_id);
  a joined article gets its story's id.
- tables: what a later run needs, committed with the articles: the published articles' index
  rows, the run's term counts, and links between published stories this run found to be one.

A published story_id never changes: a run whose articles bridge two published stories keeps
both ids on their rows and records the merge in story_links.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

import pyarrow as pa

from flows.core import figures
from flows.core.layout import STORY_LINKS, STORY_TERMS
from flows.core.records import RunContext
from flows.core.schema import stories_schema, story_links_schema, story_terms_schema
from flows.core.stats import Stats
from flows.dataset.state import DatasetState
from flows.dataset.stories import (
    indexed_articles,
    read_story_index,
    read_story_links,
    read_term_counts,
    resolve,
)
from flows.run_steps.base import BatchTables, RunStep
from flows.run_steps.story_match import WINDOW, Signature, Weights, assign_stories, document_counts
from flows.run_steps.story_terms import story_terms


@dataclass(frozen=True)
class StoryDecision:
    """The run's story of each new article (its own id when alone), the published stories it
    found to be one (merged -> continues as), and the signatures to index once published."""

    story_of: dict[str, str]
    links: dict[str, str]
    signatures: tuple[Signature, ...]
    multi: frozenset[str]  # stories with more than one article after this run


class Stories(RunStep[list[Signature], StoryDecision]):
    name = "stories"

    def facts(self, batch: BatchTables) -> list[Signature]:
        return signatures_of(batch.articles)

    def decide(self, facts: Sequence[list[Signature]], state: DatasetState) -> StoryDecision:
        new = sorted(chain.from_iterable(facts), key=lambda s: s.article_id)
        return decide_stories(new, state)

    def changes(self, decision: StoryDecision, facts: list[Signature]) -> bool:
        return any(decision.story_of.get(s.article_id, s.article_id) != s.article_id for s in facts)

    def apply(self, decision: StoryDecision, batch: BatchTables, stats: Stats) -> BatchTables:
        ids = batch.articles["article_id"].to_pylist()
        stories = [decision.story_of.get(article_id, article_id) for article_id in ids]
        stats.tally(figures.STORY_ARTICLES, [story for story in stories if story in decision.multi])
        if stories == ids:
            return batch
        index = batch.articles.schema.get_field_index("story_id")
        field = batch.articles.schema.field(index)
        column = pa.array(stories, pa.string())
        return batch.replace(articles=batch.articles.set_column(index, field, column))

    def tables(
        self, decision: StoryDecision, published: Collection[str], context: RunContext
    ) -> list[tuple[str, pa.Table]]:
        kept = [s for s in decision.signatures if s.article_id in published]
        files = []
        index = stories_schema()
        by_month: dict[str, list[Signature]] = {}
        for signature in kept:
            by_month.setdefault(index.data_folder(signature.event_at), []).append(signature)
        for folder, signatures in sorted(by_month.items()):
            table = pa.Table.from_pydict(
                {
                    "article_id": [s.article_id for s in signatures],
                    "story_id": [
                        decision.story_of.get(s.article_id, s.article_id) for s in signatures
                    ],
                    "event_at": [s.event_at for s in signatures],
                    "terms": [list(s.terms) for s in signatures],
                    "dated": [s.dated for s in signatures],
                    "run_id": [context.run_id] * len(signatures),
                },
                schema=index.arrow(),
            )
            files.append((f"{folder}/part-{context.run_id}.parquet", table))
        counts = sorted(document_counts(kept).items())
        if counts:
            table = pa.Table.from_pydict(
                {
                    "term": [term for term, _ in counts],
                    "articles": [n for _, n in counts],
                    "run_id": [context.run_id] * len(counts),
                },
                schema=story_terms_schema().arrow(),
            )
            files.append((f"{STORY_TERMS}/part-{context.run_id}.parquet", table))
        if decision.links:
            links = sorted(decision.links.items())
            table = pa.Table.from_pydict(
                {
                    "story_id": [story for story, _ in links],
                    "merged_into": [into for _, into in links],
                    "run_id": [context.run_id] * len(links),
                    "linked_at": [context.started_at] * len(links),
                },
                schema=story_links_schema().arrow(),
            )
            files.append((f"{STORY_LINKS}/part-{context.run_id}.parquet", table))
        return files


def signatures_of(articles: pa.Table) -> list[Signature]:
    """The story signature and event time of each article of a table of the articles schema."""
    columns = articles.select(["article_id", "title", "body", "published_at", "ingested_at"])
    signatures = []
    for row in columns.to_pylist():
        event_at: datetime = row["published_at"] or row["ingested_at"]
        terms = story_terms(row["title"], row["body"])
        dated = row["published_at"] is not None
        signatures.append(Signature(row["article_id"], event_at, terms, dated))
    return signatures


def decide_stories(new: Sequence[Signature], state: DatasetState) -> StoryDecision:
    """The stories of the run's articles (`new`), against what the dataset already holds."""
    if not new:
        return StoryDecision({}, {}, (), frozenset())
    run_counts = document_counts(new)
    old: list[Signature] = []
    old_story: dict[str, str] = {}
    counts: Counter[str] = Counter(run_counts)
    documents = len(new)
    storage = state.storage
    if storage is not None:
        counts.update(read_term_counts(storage, run_counts))
        documents += indexed_articles(storage)
        first = min(s.event_at for s in new) - WINDOW
        last = max(s.event_at for s in new) + WINDOW
        table = read_story_index(storage, first, last, run_counts)
        links = read_story_links(storage)
        fresh = {s.article_id for s in new}
        if table is not None:
            for row in table.to_pylist():
                if row["article_id"] in fresh:
                    continue  # republished under --full-refresh is a new run; never both
                old.append(
                    Signature(row["article_id"], row["event_at"], tuple(row["terms"]), row["dated"])
                )
                old_story[row["article_id"]] = resolve(row["story_id"], links)
            old.sort(key=lambda s: s.article_id)
    assignment = assign_stories(new, old, old_story, Weights(counts, documents))
    sizes = Counter(assignment.story_of.values())
    sizes.update(old_story[s.article_id] for s in old)
    multi = frozenset(story for story, size in sizes.items() if size > 1)
    return StoryDecision(assignment.story_of, assignment.links, tuple(new), multi)
