"""Behaviour equality: the working tree writes the same rows as the baseline commit.

The comparison lives in benchmarks/compare_runs.py, shared with benchmarks/behaviour_equality.py
(the same check on the development corpora), hence the import from benchmarks/.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import REPO, SAMPLE_DIR

sys.path.insert(0, str(REPO / "benchmarks"))

import compare_runs
from compare_runs import Job, TableData, compare_outputs, compare_tables

AWKWARD_DIR = REPO / "tests" / "fixtures" / "awkward"


@pytest.mark.prefect
@pytest.mark.equality
def test_same_rows_as_the_baseline_commit(tmp_path: Path) -> None:
    """The sample and the awkward fixtures (which quarantine several inputs) give the same
    rows, all columns but the run's own, with the baseline commit's pipeline and this one's."""
    jobs = [Job("sample", (str(SAMPLE_DIR),)), Job("awkward", (str(AWKWARD_DIR),))]
    try:
        comparison = compare_runs.compare_with_baseline(jobs, tmp_path, workers=2, timeout=1200)
    except compare_runs.BaselineMissing as error:
        pytest.fail(str(error), pytrace=False)
    if not comparison.same:  # the report alone: which rows, which columns, old and new values
        pytest.fail(comparison.report(), pytrace=False)
    # Not an empty comparison: both versions published and quarantined something.
    rows = {
        (job, diff.table): (diff.old_rows, diff.new_rows)
        for job, diffs in comparison.tables.items()
        for diff in diffs
    }
    assert min(rows["sample", "articles"]) > 0
    assert min(rows["awkward", "articles"]) > 0
    assert min(rows["awkward", "quarantine"]) > 0
    assert min(rows["awkward", "inputs"]) > min(rows["awkward", "articles"])


# --- the comparison itself can fail ---------------------------------------------------------


def _article(article_id: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "article_id": article_id,
        "body": "The council voted on Tuesday to expand the bus network.",
        "word_count": 10,
        "authors": ["Ann Lee"],
        "language_score": 0.99,
        "run_id": "20261129T081500Z-aaaaaa",
        "ingested_at": datetime(2026, 11, 29, 8, 15, tzinfo=UTC),
    }
    return {**row, **changes}


COLUMNS = {"article_id": "string", "body": "string", "word_count": "int32"}


def test_a_differing_cell_is_reported_with_its_row_column_and_values() -> None:
    old = TableData([_article("a1"), _article("a2")], COLUMNS)
    new = TableData([_article("a1"), _article("a2", word_count=11)], COLUMNS)
    diff = compare_tables("articles", old, new)
    assert not diff.same
    assert diff.identical == 1
    assert diff.differing == {"a2": {"word_count": (10, 11)}}
    text = diff.describe()
    assert "article_id=a2" in text and "word_count" in text and "10" in text and "11" in text


def test_a_missing_and_an_extra_row_are_reported() -> None:
    old = TableData([_article("a1"), _article("a2")], COLUMNS)
    new = TableData([_article("a1"), _article("a3")], COLUMNS)
    diff = compare_tables("articles", old, new)
    assert not diff.same
    assert (diff.only_old, diff.only_new) == (["a2"], ["a3"])
    assert "only in old: article_id=a2" in diff.describe()


def test_a_column_present_in_one_output_only_differs() -> None:
    old = TableData([_article("a1")], COLUMNS)
    new = TableData([_article("a1", editors=[])], {**COLUMNS, "editors": "list<item: string>"})
    diff = compare_tables("articles", old, new)
    assert not diff.same
    assert diff.differing["a1"] == {"editors": (compare_runs.MISSING, [])}
    assert diff.schema_changes == ["column editors only in new (list<item: string>)"]


def test_a_changed_column_type_differs_even_when_the_values_are_equal() -> None:
    old = TableData([_article("a1")], COLUMNS)
    new = TableData([_article("a1")], {**COLUMNS, "word_count": "int64"})
    diff = compare_tables("articles", old, new)
    assert not diff.same
    assert diff.schema_changes == ["column word_count: int32 -> int64"]


def test_the_run_columns_do_not_count_as_differences() -> None:
    old = TableData([_article("a1")], COLUMNS)
    new = TableData(
        [
            _article(
                "a1",
                run_id="20261130T000000Z-bbbbbb",
                ingested_at=datetime(2026, 11, 30, tzinfo=UTC),
            )
        ],
        COLUMNS,
    )
    assert compare_tables("articles", old, new).same


def _rejection(record_id: str, article: dict[str, Any]) -> dict[str, Any]:
    return {"record_id": record_id, "stage": "validate", "article": json.dumps(article)}


def test_a_quarantined_article_is_compared_field_by_field_except_its_run_fields() -> None:
    row = {**_article("q1"), "ingested_at": "2026-11-29 08:15:00+00:00"}
    other_run = {**row, "run_id": "20261130T000000Z-bbbbbb", "ingested_at": "2026-11-30"}
    columns = {"record_id": "string", "article": "string"}
    same = compare_tables(
        "quarantine",
        TableData([_rejection("q1", row)], columns),
        TableData([_rejection("q1", other_run)], columns),
    )
    assert same.same
    changed = compare_tables(
        "quarantine",
        TableData([_rejection("q1", row)], columns),
        TableData([_rejection("q1", {**other_run, "word_count": 9})], columns),
    )
    assert not changed.same
    assert list(changed.differing["q1"]) == ["article"]


def test_a_repeated_key_is_a_difference() -> None:
    old = TableData([_article("a1")], COLUMNS)
    new = TableData([_article("a1"), _article("a1")], COLUMNS)
    diff = compare_tables("articles", old, new)
    assert not diff.same
    assert diff.repeated_keys == ["a1 (new)"]


def test_long_values_are_shown_around_their_first_difference() -> None:
    old = "word " * 200 + "old ending"
    new = "word " * 200 + "new ending"
    old_text, new_text = compare_runs.shorten_pair(old, new, width=60)
    assert "old ending" in old_text and "new ending" in new_text
    assert len(old_text) < 120 and old_text.startswith("[")


def _write(folder: Path, rows: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-0.parquet")


def test_output_folders_are_read_across_partition_folders(tmp_path: Path) -> None:
    """Each run writes its rows under its own month's folder and names files after itself: only
    the rows count. A README beside the files is not data."""
    old, new = tmp_path / "old", tmp_path / "new"
    _write(old / "articles" / "ingested_month=2026-11", [_article("a1"), _article("a2")])
    _write(new / "articles" / "ingested_month=2026-12", [_article("a2")])
    _write(new / "articles" / "ingested_month=2027-01", [_article("a1")])
    (new / "articles" / "_README.md").write_text("not data")
    _write(old / "inputs", [{"source_uri": "x.txt", "outcome": "article"}])
    _write(new / "inputs", [{"source_uri": "x.txt", "outcome": "quarantine"}])
    articles, quarantine, inputs = compare_outputs(old, new)
    assert articles.same and articles.identical == 2
    assert quarantine.same and quarantine.old_rows == quarantine.new_rows == 0
    assert inputs.differing == {"x.txt": {"outcome": ("article", "quarantine")}}


def test_a_baseline_commit_missing_from_the_history_fails_in_one_line(tmp_path: Path) -> None:
    unknown = "0123456789abcdef0123456789abcdef01234567"
    with pytest.raises(compare_runs.BaselineMissing) as raised:
        compare_runs.baseline_sources(unknown, tmp_path)
    message = str(raised.value)
    assert "\n" not in message and "0123456789ab" in message and "history" in message
