"""The run report (summary.md), its parts, and the dataset card; no Prefect, no pipeline run."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.core.rows import ArticleRow
from flows.core.schema import articles_schema
from flows.core.storage import write_parquet_atomic
from flows.dataset.parquet import articles_table
from flows.quality.card import CARD_NAME, write_card
from flows.quality.report import (
    FailedExpectation,
    RowStats,
    RunSummary,
    failed_expectations,
    latest_report,
    write_reports,
)

BODY = " ".join(["The council approved the budget after a long debate."] * 10)


def article(index: int, **changes: Any) -> ArticleRow:
    """A row that passes every expectation; schema columns not named here are null."""
    row: dict[str, Any] = {name: None for name in articles_schema().names}
    row.update(
        article_id=f"{index:016x}",
        story_id=f"{index:016x}",
        source_uri=f"in/{index:03d}.txt",
        source_format="text",
        title=f"Council approves budget {index}",
        body=BODY,
        highlights=[],
        published_at=datetime(2024, 5, 1 + index, 10, tzinfo=UTC),
        published_at_precision="second",
        published_at_source="dateline",
        agency="Reuters",
        publisher="Example News",
        authors=["Jane Doe"],
        contributors=[],
        editors=[],
        language="en",
        language_score=0.99,
        word_count=90 + index,
        related_headlines=[],
        boilerplate=[],
        content_sha256=f"{index:064x}",
        run_id="run-1",
        ingested_at=datetime(2026, 11, 23, 11, tzinfo=UTC),
        pipeline_version="0.1.0",
    )
    row.update(changes)
    return ArticleRow(**row)


def write_dataset(output: Path, rows: list[ArticleRow], name: str = "part-run-1-00000") -> Path:
    return write_parquet_atomic(articles_table(rows), output / "articles" / f"{name}.parquet")


def summary(**changes: Any) -> RunSummary:
    values: dict[str, Any] = {
        "run_id": "20261124T001500Z-3fa2c1",
        "status": "succeeded",
        "started_at": "2026-11-24T00:15:00+00:00",
        "finished_at": "2026-11-24T00:15:24+00:00",
        "seconds": 24.0,
        "pipeline_version": "0.1.0",
        "inputs": ["data/sample"],
        "output": "out",
        "files_found": 6,
        "files_skipped": [],
        "documents": 6,
        "already_processed": 0,
        "published": 4,
        "duplicates": 1,
        "quarantined": 2,
        "held_back": 0,
        "quarantine_reasons": {"empty_input": 1, "body_boilerplate_residue": 1},
        "boilerplate_removed": {"see_also": 11, "credit": 6},
        "records_skipped": {},
        "published_stats": RowStats(
            rows=4,
            languages={"en": 3, "de": 1},
            word_count_min=120,
            word_count_median=350.5,
            word_count_max=900,
            published_first="2023-06-18T00:00:00+00:00",
            published_last="2023-06-19T08:30:00+00:00",
            undated=1,
        ),
        "failed_expectations": [FailedExpectation("body_boilerplate_residue", "row", 1, 1)],
    }
    values.update(changes)
    return RunSummary(**values)


def test_summary_markdown_has_every_section() -> None:
    text = summary().to_markdown()
    assert "# newsclean run 20261124T001500Z-3fa2c1: succeeded" in text
    assert "- published: 4 articles, of which 1 flagged as duplicates" in text
    assert "- quarantined: 2" in text
    assert "| empty_input | 1 |" in text and "| body_boilerplate_residue | 1 |" in text
    assert "| see_also | 11 |" in text
    assert "- languages: en 3, de 1" in text
    assert "- word count: min 120, median 350.5, max 900" in text
    assert "2023-06-18T00:00:00+00:00 to 2023-06-19T08:30:00+00:00 (1 rows without a date)" in text
    assert "| `body_boilerplate_residue` | row | 1 | 1 |  |" in text


def test_summary_markdown_has_the_time_per_step_only_when_timed() -> None:
    assert "## Time per step" not in summary().to_markdown()
    text = summary(stage_seconds={"extract": 1.5, "duplicates": 0.01}).to_markdown()
    assert "## Time per step" in text
    assert "| extract | 1.50 | 250.0 |" in text  # 6 documents
    assert "| duplicates | 0.01 | 1.7 |" in text
    assert (
        "| extract | 1.50 | n/a |"
        in summary(documents=0, stage_seconds={"extract": 1.5}).to_markdown()
    )


def test_failed_run_report_says_why() -> None:
    text = summary(
        status="failed",
        published=0,
        held_back=6,
        batch_failures=["unit 0: quarantine_share"],
        failed_expectations=[
            FailedExpectation("quarantine_share", "batch", None, 1, "observed 4"),
            FailedExpectation("word_count_min", "row", 4, 1),
        ],
        published_stats=RowStats(),
    ).to_markdown()
    assert "## Not published: the batch broke the data contract" in text
    assert "- unit 0: quarantine_share" in text
    assert "| `quarantine_share` | batch |  | 1 | observed 4 |" in text
    assert "| `word_count_min` | row | 4 | 1 |  |" in text
    assert "held back (run failed, nothing published): 6" in text


def _result(name: str, success: bool, result: dict[str, Any]) -> dict[str, Any]:
    return {"success": success, "expectation_config": {"meta": {"name": name}}, "result": result}


def test_failed_expectations_sum_rows_over_units() -> None:
    unit = {
        "rows": {"results": [_result("word_count_min", False, {"unexpected_count": 2})]},
        "batch": {
            "results": [
                _result("columns_match_schema", False, {"observed_value": ["a", "b|c"]}),
                _result("article_id_unique_in_batch", True, {"unexpected_count": 0}),
            ]
        },
    }
    found = failed_expectations([unit, unit])
    assert [(f.name, f.level, f.rows, f.units) for f in found] == [
        ("columns_match_schema", "batch", None, 2),
        ("word_count_min", "row", 4, 2),
    ]
    assert "\\|" in found[0].as_row()  # a pipe in a value cannot break the table


def test_row_stats_from_tables() -> None:
    table = pa.table(
        {
            "language": ["en", None, "en", "de"],
            "word_count": pa.array([10, 30, 20, 40], pa.int32()),
            "published_at": pa.array(
                [None, datetime(2024, 1, 2, tzinfo=UTC), datetime(2023, 5, 1, tzinfo=UTC), None],
                pa.timestamp("us", tz="UTC"),
            ),
        }
    )
    stats = RowStats.from_tables([table.slice(0, 2), table.slice(2)])
    assert stats.rows == 4 and stats.undated == 2
    assert stats.languages == {"en": 2, "de": 1, "unknown": 1}
    assert (stats.word_count_min, stats.word_count_median, stats.word_count_max) == (10, 25.0, 40)
    assert stats.published_first == "2023-05-01T00:00:00+00:00"
    assert stats.published_last == "2024-01-02T00:00:00+00:00"
    assert "No rows." in "\n".join(RowStats.from_tables([]).to_markdown("Published rows"))


def test_write_reports_files_latest_and_github_step_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    step_summary = tmp_path / "step-summary.md"
    step_summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    run = summary(output=str(tmp_path / "out"))
    folder = Path(write_reports(run, [], tmp_path / "out", data_docs=True))
    for name in ("summary.md", "summary.json", "validation.json"):
        assert (folder / name).is_file()
    latest = latest_report(tmp_path / "out")
    assert latest is not None
    assert (tmp_path / "out" / latest / "summary.md").read_text() == run.to_markdown() + "\n"
    appended = step_summary.read_text(encoding="utf-8")
    assert appended.startswith("earlier step\n") and "# newsclean run" in appended
    assert run.data_docs == "none (no rows were validated)"


def test_the_summary_written_says_what_the_reports_before_it_cost(tmp_path: Path) -> None:
    run = summary(output=str(tmp_path / "out"), stage_seconds={"extract": 1.5})
    folder = Path(write_reports(run, [], tmp_path / "out", data_docs=False))
    written = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert written["stage_seconds"]["extract"] == 1.5
    assert written["stage_seconds"]["reports"] >= 0  # validation.json, timed on a plain clock
    assert "| reports |" in (folder / "summary.md").read_text(encoding="utf-8")


def test_latest_report_is_none_without_reports(tmp_path: Path) -> None:
    assert latest_report(tmp_path) is None


def test_card_describes_the_whole_dataset(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_dataset(out, [article(0), article(1, language="de", agency=None)], "part-run-1-00000")
    write_dataset(
        out,
        [
            article(
                2,
                duplicate_of=f"{0:016x}",
                duplicate_kind="exact",
                duplicate_similarity=1.0,
                run_id="run-2",
                published_at=None,
            )
        ],
        "part-run-2-00000",
    )
    quarantine = pa.table({"record_id": ["q1", "q2", "q3"]})
    (out / "quarantine").mkdir(parents=True)
    pq.write_table(quarantine, out / "quarantine" / "part-run-1-00000-ingest.parquet")

    card = Path(write_card(out, now=datetime(2026, 11, 24, tzinfo=UTC))).read_text(encoding="utf-8")
    assert card.startswith("# newsclean articles")
    assert "| articles | 3 |" in card
    assert "| canonical (`duplicate_of` is null) | 2 |" in card
    assert "| exact duplicates of another article | 1 |" in card
    assert "| quarantined inputs (`../quarantine/`) | 3 |" in card
    assert "written by 2 runs" in card
    assert "- published_at: 2024-05-01 to 2024-05-02 (UTC), 1 articles without a date" in card
    assert "| en | 2 |" in card and "| de | 1 |" in card
    assert "| Example News | 3 |" in card
    assert "| Reuters | 2 |" in card and "| (none) | 1 |" in card
    assert articles_schema().markdown_table() in card
    assert 'dtype_backend="pyarrow"' in card and "read_parquet(" in card


def test_readers_skip_the_card(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_dataset(out, [article(0), article(1)])
    assert Path(write_card(out)).name == CARD_NAME
    assert len(pd.read_parquet(out / "articles")) == 2
    assert len(pd.read_parquet(out / "articles", dtype_backend="pyarrow")) == 2
    glob = str(out / "articles" / "*.parquet")
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall() == [(2,)]


def test_card_of_an_empty_dataset(tmp_path: Path) -> None:
    card = Path(write_card(tmp_path)).read_text(encoding="utf-8")
    assert "| articles | 0 |" in card and "no article has a date" in card
