"""`newsclean compact`: fewer files, the same rows, and crash-safe like a run's commit."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO
from test_report import article

from flows.cli.main import main
from flows.core.rows import InputRow
from flows.core.storage import Storage
from flows.dataset.compact import compact
from flows.dataset.parquet import articles_table, inputs_table

MONTHS = ("2026-10", "2026-11")


def _hourly_dataset(out: Path, runs_per_month: int = 4) -> None:
    """What hourly runs leave: one articles file and one inputs file per run, in two months."""
    storage = Storage(out)
    index = 0
    for month in MONTHS:
        for run in range(runs_per_month):
            run_id = f"{month}-run{run}"
            rows = [article(index + k) for k in range(3)]
            index += 3
            folder = f"articles/ingested_month={month}"
            storage.write_parquet(articles_table(rows), f"{folder}/part-{run_id}-00000.parquet")
            recorded = [
                InputRow(
                    input_sha256=row.article_id + "0" * 48,
                    record_id=row.article_id,
                    outcome="article",
                    source_uri=row.source_uri,
                    source_format=None,
                    raw_size_bytes=None,
                    run_id=run_id,
                    ingested_at=datetime(2026, 11, 1, tzinfo=UTC),
                )
                for row in rows
            ]
            storage.write_parquet(inputs_table(recorded), f"inputs/part-{run_id}.parquet")


def _snapshot(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    articles = pd.read_parquet(out / "articles").sort_values("article_id").reset_index(drop=True)
    inputs = pd.read_parquet(out / "inputs").sort_values("source_uri").reset_index(drop=True)
    return articles, inputs


def _files(out: Path, table: str) -> list[Path]:
    return sorted(p for p in (out / table).rglob("*.parquet") if not p.name.startswith("."))


def test_compaction_keeps_every_row_in_fewer_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _hourly_dataset(out)
    before = _snapshot(out)
    assert len(_files(out, "articles")) == 8 and len(_files(out, "inputs")) == 8
    result = compact(Storage(out), target_rows=6)
    after = _snapshot(out)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])
    # 12 rows per month, in files of at most 6 rows (whole source files of 3): 2 files each.
    for month in MONTHS:
        files = list((out / "articles" / f"ingested_month={month}").glob("*.parquet"))
        assert len(files) == 2
    assert len(_files(out, "inputs")) == 4  # 24 rows, a flat folder
    assert result.files_before == 16 and result.files_after == 8
    assert compact(Storage(out), target_rows=6).folders == []  # nothing to merge: no rewrite
    assert compact(Storage(out), target_rows=100).files_after == 3  # one per folder
    assert compact(Storage(out), target_rows=100).folders == []


def test_plan_groups_merges_neighbours_up_to_the_target() -> None:
    from flows.dataset.compact import plan_groups

    assert plan_groups([3, 3, 3, 3], 6) == [[0, 1], [2, 3]]
    assert plan_groups([2, 10, 2, 2], 5) == [[0], [1], [2, 3]]  # a big file stays alone
    assert plan_groups([], 5) == []


def test_compact_command_one_month_and_usage_errors(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _hourly_dataset(out)
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(["compact", str(out), "--month", "2026-11"]) == 0
    assert "ingested_month=2026-11" in stdout.getvalue()
    assert len(list((out / "articles" / "ingested_month=2026-11").glob("*.parquet"))) == 1
    assert len(list((out / "articles" / "ingested_month=2026-10").glob("*.parquet"))) == 4
    assert (out / "articles" / "_README.md").is_file()
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        assert main(["compact", str(out), "--month", "November"]) == 2
        assert main(["compact", str(tmp_path / "nothing")]) == 2
        assert main(["compact", str(out), "--target-rows", "0"]) == 2
    assert stderr.getvalue().count("\n") == 3


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from flows.core.storage import Storage
    real_move, done, at = Storage.move, [0], int(sys.argv[2])
    def move(self, source, target):
        if done[0] == at:
            os.kill(os.getpid(), signal.SIGKILL)
        done[0] += 1
        real_move(self, source, target)
    Storage.move = move
    from flows.cli.main import main
    sys.exit(main(["compact", sys.argv[1], "--target-rows", "6"]))
    """
)


@pytest.mark.parametrize("at", [0, 3])
def test_a_killed_compaction_is_finished_by_the_next(tmp_path: Path, at: int) -> None:
    out = tmp_path / "out"
    _hourly_dataset(out)
    before = _snapshot(out)
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, str(out), str(at)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    # The old files went first: readers may miss rows for a moment, never see one twice.
    partial = pd.read_parquet(out / "articles")
    assert partial["article_id"].is_unique and 0 < len(partial) <= len(before[0])
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(["compact", str(out), "--target-rows", "6"]) == 0
    assert "finished the commit of killed run" in stdout.getvalue()
    after = _snapshot(out)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])
    assert not list((out / ".staging").glob("*")) if (out / ".staging").exists() else True


def test_compaction_merges_the_near_duplicate_bands_and_later_runs_still_match(
    tmp_path: Path,
) -> None:
    """Three runs leave a file per key partition each; compaction merges each partition's files
    into one without changing a band, and a fourth run still finds a near copy of the first."""
    from test_near_duplicates import OTHER, WIRE, body, edited_copy, publish_run, row

    storage = Storage(tmp_path)
    publish_run(storage, [row(1, body(WIRE))], "r1")
    publish_run(storage, [row(2, body(OTHER))], "r2")
    publish_run(storage, [row(3, body([*OTHER[3:], *WIRE[:2]]))], "r3")
    bands = tmp_path / "minhash_bands"
    before = pd.read_parquet(bands).sort_values(["band_key", "article_id"], ignore_index=True)
    assert len(before) == 3 * 32

    shared = [folder for folder in bands.iterdir() if len(list(folder.glob("*.parquet"))) > 1]
    assert shared  # 3 x 32 keys in 256 partitions: some partitions hold several runs' files
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(["compact", str(tmp_path), "--target-rows", "1000"]) == 0
    assert f"minhash_bands/ ({len(shared)} key partitions)" in stdout.getvalue()
    after = pd.read_parquet(bands).sort_values(["band_key", "article_id"], ignore_index=True)
    pd.testing.assert_frame_equal(before, after, check_categorical=False)
    assert all(len(list(folder.glob("*.parquet"))) == 1 for folder in bands.iterdir())

    assert publish_run(storage, [row(4, edited_copy())], "r4") == {
        f"{4:016x}": (f"{1:016x}", "near")
    }
