"""What the dataset holds of its stories, read as a run needs it (flows/run_steps/stories.py).

- `stories/event_month=YYYY-MM/`: one row per published article, its story and signature. A run
  reads only the months its time window reaches, and of them only the rows that share a term
  with the run's articles, one file at a time: memory holds the window's candidates, not the
  dataset.
- `story_terms/`: each run's document frequencies of terms; a term's count is the sum over files,
  read for the run's terms only.
- `story_links/`: stories merged by later runs; small (one row per merge), read whole.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from flows.core.layout import STORIES, STORY_LINKS, STORY_TERMS
from flows.core.storage import Storage


def months_between(first: datetime, last: datetime) -> list[str]:
    """The YYYY-MM months from first to last, both included."""
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def read_story_index(
    storage: Storage, first: datetime, last: datetime, terms: Collection[str]
) -> pa.Table | None:
    """Published index rows with event_at in [first, last] sharing a term with `terms`."""
    wanted = pa.array(sorted(terms), pa.string())
    parts = []
    for month in months_between(first, last):
        for path in storage.parquet_files(f"{STORIES}/event_month={month}"):
            table = storage.read_table(
                path, columns=["article_id", "story_id", "event_at", "terms", "dated"]
            )
            in_window = pc.and_(
                pc.greater_equal(table["event_at"], pa.scalar(first, table["event_at"].type)),
                pc.less_equal(table["event_at"], pa.scalar(last, table["event_at"].type)),
            )
            table = table.filter(in_window)
            if not table.num_rows:
                continue
            flat = table["terms"].combine_chunks()
            hits = pc.is_in(pc.list_flatten(flat), value_set=wanted)
            rows = pc.unique(pc.filter(pc.list_parent_indices(flat), hits))
            if len(rows):
                parts.append(table.take(rows))
    return pa.concat_tables(parts) if parts else None


def indexed_articles(storage: Storage) -> int:
    """How many articles the story index holds (from the files' footers, no data read)."""
    return sum(storage.parquet_metadata(path).num_rows for path in storage.parquet_files(STORIES))


def read_term_counts(storage: Storage, terms: Collection[str]) -> dict[str, int]:
    """Published document frequency of each of `terms` that any article used."""
    wanted = pa.array(sorted(terms), pa.string())
    counts: dict[str, int] = {}
    for path in storage.parquet_files(STORY_TERMS):
        table = storage.read_table(path, columns=["term", "articles"])
        table = table.filter(pc.is_in(table["term"], value_set=wanted))
        for term, articles in zip(
            table["term"].to_pylist(), table["articles"].to_pylist(), strict=True
        ):
            counts[term] = counts.get(term, 0) + articles
    return counts


def read_story_links(storage: Storage) -> dict[str, str]:
    """story_id -> the story it was merged into (one step; see `resolve`)."""
    links = storage.read_columns(STORY_LINKS, ["story_id", "merged_into"])
    if links is None:
        return {}
    columns = links.to_pydict()
    return dict(zip(columns["story_id"], columns["merged_into"], strict=True))


def resolve(story: str, links: dict[str, str]) -> str:
    """The story a story continues as, following merges to the end."""
    seen = {story}
    while story in links:
        story = links[story]
        if story in seen:  # a cycle cannot be written by a run; stop rather than loop
            break
        seen.add(story)
    return story
