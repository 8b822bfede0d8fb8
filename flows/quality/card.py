"""The dataset card: output/articles/_README.md, regenerated after every run from the data on disk.

The card is named with a leading underscore on purpose: pyarrow (and so pandas) reads a folder
by opening every file in it as Parquet, except names that start with "." or "_". A plain
README.md in the folder makes ``pd.read_parquet("output/articles")`` fail with "Could not open
Parquet input source"; ``_README.md`` is skipped by every reader.

The statistics cover the whole dataset, not one run. Files are read one at a time and only the
columns the card needs, so memory stays bounded however large the dataset grows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from flows.core.layout import ARTICLES, QUARANTINE
from flows.core.schema import articles_schema
from flows.core.stats import Stats
from flows.core.storage import Storage
from flows.dataset.stories import read_story_links, resolve
from flows.quality.report import STATS_COLUMNS, RowStats, observe_rows

CARD_NAME = "_README.md"
TOP_N = 15
_COLUMNS = [
    *STATS_COLUMNS,
    "duplicate_of",
    "duplicate_kind",
    "publisher",
    "agency",
    "run_id",
    "story_id",
]
# The card's figures in its Stats: the articles' row statistics (as in a run's report) under
# ROWS, and these.
ROWS = "articles"
FILES = "files"
NESTED_FILES = "nested_files"  # data files in sub-folders (partitions): globs need **
DUPLICATES = "duplicates"
NEAR_DUPLICATES = "near_duplicates"  # of those, duplicate_kind near (the rest are exact)
QUARANTINED = "quarantined"
PUBLISHERS = "publishers"
AGENCIES = "agencies"
RUNS = "runs"  # tally by run_id: how many runs wrote the rows
STORIES = "stories"  # tally by story_id as published (story_links not yet followed)
LARGEST_STORIES = 10


def observe_file(stats: Stats, table: pa.Table, path: str) -> None:
    """Count one article file (with _COLUMNS) into the card's figures."""
    stats.add(FILES)
    stats.add(NESTED_FILES, int(path.count("/") > 1))
    observe_rows(stats, table, ROWS)
    stats.add(DUPLICATES, table.num_rows - table["duplicate_of"].null_count)
    stats.add(NEAR_DUPLICATES, pc.sum(pc.equal(table["duplicate_kind"], "near")).as_py() or 0)
    stats.tally(PUBLISHERS, _values(table["publisher"].to_pylist(), missing="(none)"))
    stats.tally(AGENCIES, _values(table["agency"].to_pylist(), missing="(none)"))
    stats.tally(RUNS, table["run_id"].unique().to_pylist())
    stats.tally(STORIES, table["story_id"].to_pylist())


def _values(values: list[str | None], *, missing: str) -> list[str]:
    return [missing if value is None else value for value in values]


def dataset_stats(output: Storage | str | Path) -> Stats:
    """The card's figures of the whole dataset, read file by file (only the columns it needs)."""
    storage = output if isinstance(output, Storage) else Storage(output)
    stats = Stats()
    for path in storage.parquet_files(ARTICLES):
        observe_file(stats, storage.read_table(path, columns=_COLUMNS), path)
    # Quarantine rows are only counted: the file footers hold the count, no data is read.
    stats.add(
        QUARANTINED,
        sum(storage.parquet_metadata(path).num_rows for path in storage.parquet_files(QUARANTINE)),
    )
    return stats


def write_card(output: Storage | str | Path, *, now: datetime | None = None) -> str:
    """Regenerate articles/_README.md from the dataset as stored (atomically); returns its place."""
    storage = output if isinstance(output, Storage) else Storage(output)
    stats = dataset_stats(storage)
    stories = largest_stories(storage, stats)
    text = render_card(stats, storage.location, now=now or datetime.now(UTC), stories=stories)
    storage.write_text(f"{ARTICLES}/{CARD_NAME}", text)
    return storage.url(f"{ARTICLES}/{CARD_NAME}")


def largest_stories(storage: Storage, stats: Stats) -> list[tuple[str, int, str | None]]:
    """The LARGEST_STORIES largest multi-article stories, story_links followed: (story_id,
    articles, the title of one of them), largest first."""
    links = read_story_links(storage)
    sizes: dict[str, int] = {}
    for story, count in stats.breakdown(STORIES).items():
        current = resolve(story, links)
        sizes[current] = sizes.get(current, 0) + count
    ranked = sorted(
        ((story, n) for story, n in sizes.items() if n > 1), key=lambda item: (-item[1], item[0])
    )[:LARGEST_STORIES]
    if not ranked:
        return []
    # A title for each: a second read of two columns, only when there is a story to show.
    wanted = {story for story, _ in ranked}
    members = {story for story in stats.breakdown(STORIES) if resolve(story, links) in wanted}
    titles: dict[str, str] = {}
    for path in storage.parquet_files(ARTICLES):
        table = storage.read_table(path, columns=["story_id", "title"])
        for story, title in zip(
            table["story_id"].to_pylist(), table["title"].to_pylist(), strict=True
        ):
            current = resolve(story, links)
            if story in members and title and current not in titles:
                titles[current] = title
    return [(story, n, titles.get(story)) for story, n in ranked]


def _stories(stories: list[tuple[str, int, str | None]]) -> list[str]:
    if not stories:
        return []
    rows = [f"| `{story}` | {n} | {title or ''} |" for story, n, title in stories]
    return [
        "## Largest stories",
        "",
        "Articles telling the same event within a few days share a `story_id` (see the README).",
        "",
        "| story_id | articles | a title |",
        "| --- | ---: | --- |",
        *rows,
        "",
    ]


def render_card(
    stats: Stats,
    output: str | Path,
    *,
    now: datetime,
    stories: list[tuple[str, int, str | None]] | None = None,
) -> str:
    schema = articles_schema()
    rows = RowStats.from_stats(stats, ROWS)  # as a run's report reads its rows
    articles, duplicates, near = rows.rows, stats.count(DUPLICATES), stats.count(NEAR_DUPLICATES)
    lines = [
        "# newsclean articles",
        "",
        "Cleaned news articles, one row per article, as Parquet files in this folder. This card is "
        f"generated by newsclean after every run ({now:%Y-%m-%d %H:%M} UTC); do not edit it.",
        "It is named `_README.md` so that Parquet readers, which skip names starting with `_`, "
        "do not try to read it as data.",
        "",
        "## Contents",
        "",
        "| | rows |",
        "| --- | ---: |",
        f"| articles | {articles} |",
        f"| canonical (`duplicate_of` is null) | {articles - duplicates} |",
        f"| exact duplicates of another article | {duplicates - near} |",
        f"| near duplicates of another article (`duplicate_kind` near) | {near} |",
        f"| quarantined inputs (`../{QUARANTINE}/`) | {stats.count(QUARANTINED)} |",
        "",
        f"- files: {stats.count(FILES)}, written by {len(stats.breakdown(RUNS))} runs",
        f"- published_at: {_date_range(rows)}",
        "- reports of each run: `../reports/` (`../reports/latest` is the newest)",
        "",
        *_counts("Languages", "language", rows.languages),
        *_counts("Publishers", "publisher", stats.breakdown(PUBLISHERS)),
        *_counts("Agencies", "agency", stats.breakdown(AGENCIES)),
        *_stories(stories or []),
        f"## Schema: `{schema.name}` v{schema.version}",
        "",
        schema.description,
        "",
        schema.markdown_table(),
        "",
        *_examples(output, stats.count(NESTED_FILES) > 0, now),
    ]
    return "\n".join(lines)


def _date_range(rows: RowStats) -> str:
    if rows.published_first is None or rows.published_last is None:
        return "no article has a date"
    first, last = (
        datetime.fromisoformat(rows.published_first),
        datetime.fromisoformat(rows.published_last),
    )
    text = f"{first:%Y-%m-%d} to {last:%Y-%m-%d} (UTC)"
    return text + (f", {rows.undated} articles without a date" if rows.undated else "")


def _counts(title: str, key: str, counts: dict[str, int]) -> list[str]:
    """A table of the TOP_N largest counts (`counts` is largest first, as Stats.breakdown)."""
    if not counts:
        return []
    top = list(counts.items())[:TOP_N]
    heading = f"## {title}" + (f" (top {TOP_N} of {len(counts)})" if len(counts) > TOP_N else "")
    rows = [f"| {name} | {count} |" for name, count in top]
    return [heading, "", f"| {key} | articles |", "| --- | ---: |", *rows, ""]


def _examples(output: str | Path, nested: bool, now: datetime) -> list[str]:
    folder = f"{str(output).rstrip('/')}/{ARTICLES}"
    glob = f"{folder}/**/*.parquet" if nested else f"{folder}/*.parquet"
    partition = articles_schema().partition
    month = f"{now:%Y-%m}"
    lines = [
        "## Reading it",
        "",
        "pandas (pyarrow reads the folder; `_README.md` is skipped):",
        "",
        "```python",
        "import pandas as pd",
        f'df = pd.read_parquet("{folder}", dtype_backend="pyarrow")',
        'df[["title", "published_at", "agency", "authors", "word_count"]]',
        "```",
        "",
        '`dtype_backend="pyarrow"` keeps the real types: list columns (`authors`, `boilerplate`, '
        "...) stay lists and timestamps keep their UTC time zone. Without it, pandas returns "
        "list cells as numpy arrays.",
        "",
        "duckdb (the glob matches the data files only):",
        "",
        "```python",
        "import duckdb",
        'duckdb.sql("""',
        "    SELECT agency, count(*) AS articles, min(published_at) AS first",
        f"    FROM read_parquet('{glob}')",
        "    WHERE duplicate_of IS NULL",
        "    GROUP BY agency ORDER BY articles DESC",
        '""").show()',
        "```",
        "",
        "duckdb's `.df()` converts UTC timestamps to the local time zone.",
        "",
    ]
    if partition is None:
        return lines
    return [
        *lines,
        "## Partitions",
        "",
        f"The files sit in Hive partition folders, `{partition.name}=YYYY-MM`. {partition.description}",
        "For example:",
        "",
        "```python",
        f"duckdb.sql(\"SELECT count(*) FROM read_parquet('{glob}') WHERE {partition.name} >= '{month}'\")",
        f'pd.read_parquet("{folder}", filters=[("{partition.name}", ">=", "{month}")])',
        "import pyarrow.dataset as ds",
        f'ds.dataset("{folder}", format="parquet", partitioning="hive")'
        f'.to_table(filter=ds.field("{partition.name}") >= "{month}")',
        "```",
        "",
        f"pandas returns `{partition.name}` as a category (dictionary) column; duckdb and polars "
        "(`pl.scan_parquet(glob, hive_partitioning=True)`) as a string.",
        "",
    ]
