"""`newsclean validate` and `newsclean report` on small datasets written with flows.dataset.parquet (no Prefect)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from conftest import SAMPLE_DIR
from test_report import article, write_dataset

from flows.cli.main import main


def run(*args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(args))
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def good(tmp_path: Path) -> Path:
    out = tmp_path / "good"
    write_dataset(out, [article(0), article(1)], "part-run-1-00000")
    write_dataset(
        out,
        [article(2, duplicate_of=f"{0:016x}", duplicate_kind="exact", duplicate_similarity=1.0)],
        "part-run-2-00000",
    )
    return out


def test_validate_passes_a_good_dataset_and_writes_the_report(good: Path) -> None:
    code, stdout, _ = run("validate", str(good))
    assert code == 0, stdout
    assert "passed: 3 rows in 2 files" in stdout
    report = good / "reports" / "latest"
    summary = (report / "summary.md").read_text(encoding="utf-8")
    assert "Validate-only run" in summary
    assert "None: every row and batch expectation passed." in summary
    assert (report / "index.html").is_file()
    assert len(list((report / "validations").rglob("*.html"))) == 2  # rows and batch suites
    assert json.loads((report / "validation.json").read_text())[0]["rows"]["success"] is True
    assert json.loads((report / "summary.json").read_text())["kind"] == "validate"


def test_validate_fails_on_a_row_breaking_an_expectation(tmp_path: Path) -> None:
    out = tmp_path / "bad"
    residue = article(1, body=article(1).body + "\n\nLeave a Reply")
    write_dataset(out, [article(0), residue])
    code, stdout, _ = run("validate", str(out))
    assert code == 1
    assert "body_boilerplate_residue (row, 1 rows)" in stdout
    summary = (out / "reports" / "latest" / "summary.md").read_text(encoding="utf-8")
    assert "| `body_boilerplate_residue` | row | 1 | 1 |" in summary
    assert "rows failing a row expectation: 1" in summary


def test_validate_checks_ids_across_files(tmp_path: Path) -> None:
    out = tmp_path / "twice"
    write_dataset(out, [article(0)], "part-a")
    write_dataset(out, [article(0)], "part-b")
    code, stdout, _ = run("validate", str(out))
    assert code == 1
    assert "article_id_unique_in_dataset (dataset, 1 rows)" in stdout


def test_validate_checks_the_inputs_state_against_the_articles(good: Path) -> None:
    from datetime import UTC, datetime

    from flows.core.rows import InputRow
    from flows.core.storage import write_parquet_atomic
    from flows.dataset.parquet import inputs_table

    def recorded(index: int, outcome: str) -> InputRow:
        key = f"{index:016x}" + "0" * 48
        uri = f"in/{index:03d}.txt"
        return InputRow(
            input_sha256=key, record_id=key[:16], outcome=outcome, source_uri=uri,
            source_format=None, raw_size_bytes=None,
            run_id="run-1", ingested_at=datetime(2026, 11, 24, tzinfo=UTC),
        )  # fmt: skip

    # Articles 0 and 1 recorded, article 2 not; input 7 recorded as an article that is missing.
    rows = [recorded(0, "article"), recorded(1, "article"), recorded(7, "article")]
    write_parquet_atomic(inputs_table(rows), good / "inputs" / "part-run-1.parquet")
    code, stdout, _ = run("validate", str(good))
    assert code == 1
    assert "articles_recorded_in_inputs (dataset, 1 rows): e.g. 0000000000000002" in stdout
    assert "recorded_articles_published (dataset, 1 rows): e.g. 0000000000000007" in stdout


def test_validate_usage_errors_are_one_line(tmp_path: Path) -> None:
    code, stdout, stderr = run("validate", str(tmp_path / "missing"))
    assert code == 2 and not stdout
    assert stderr.strip().count("\n") == 0 and "no such folder" in stderr
    code, _, stderr = run("validate", str(tmp_path))
    assert code == 2 and "not a newsclean dataset" in stderr
    assert stderr.strip().count("\n") == 0


def test_report_prints_the_latest_summary(good: Path) -> None:
    assert run("validate", str(good))[0] == 0
    code, stdout, _ = run("report", str(good))
    assert code == 0
    assert stdout == (good / "reports" / "latest" / "summary.md").read_text(encoding="utf-8")
    assert stdout.startswith("# newsclean validate")


def test_report_without_a_report_exits_1(tmp_path: Path) -> None:
    code, _, stderr = run("report", str(tmp_path))
    assert code == 1 and "no report" in stderr
    code, _, stderr = run("report", str(tmp_path / "missing"))
    assert code == 2 and stderr.strip().count("\n") == 0


def test_help_lists_the_commands() -> None:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), pytest.raises(SystemExit):
        main(["--help"])
    for command in ("run", "validate", "report"):
        assert f"    {command}" in stdout.getvalue()


def test_run_refuses_to_append_to_a_dataset_of_the_old_layout(tmp_path: Path) -> None:
    out = tmp_path / "old"
    write_dataset(out, [article(0)])  # articles/part-*.parquet, no inputs/ state
    code, _, stderr = run("run", str(SAMPLE_DIR), "--output", str(out))
    assert code == 2
    assert "written by an older newsclean" in stderr and "--full-refresh" in stderr
    assert stderr.count("\n") == 1
