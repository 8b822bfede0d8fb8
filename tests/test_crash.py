"""Crash safety: a run killed (SIGKILL) at any point leaves a readable dataset with no partial file
and no duplicated row; the next run does the remaining work, and the end result equals an
uninterrupted run's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import REPO, SAMPLE_DIR
from test_pipeline import FIXTURES, run_cli

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_api")]

# Runs the CLI in a child process that kills itself with SIGKILL at a chosen point: after N
# documents were processed, or before the Nth file is renamed into the dataset.
KILLER = textwrap.dedent(
    """
    import os, signal, sys
    mode, at, corpus, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    def die():
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "documents":
        from flows.orchestration.isolation import IsolatedWorker
        real_process, seen = IsolatedWorker.process, [0]
        def process(self, doc):
            if seen[0] == at:
                die()
            seen[0] += 1
            return real_process(self, doc)
        IsolatedWorker.process = process
    elif mode == "renames":
        from flows.core.storage import Storage
        real_move, done = Storage.move, [0]
        def move(self, source, target):
            if done[0] == at:
                die()
            done[0] += 1
            real_move(self, source, target)
        Storage.move = move
    from flows.cli.main import main
    sys.exit(main(["run", corpus, "--output", out, "--batch-size", "1", "--workers", "1", "--no-progress"]))
    """
)
VOLATILE = ["run_id", "ingested_at"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crash-corpus")
    shutil.copytree(SAMPLE_DIR, folder / "sample")
    shutil.copytree(FIXTURES, folder / "awkward")
    return folder


@pytest.fixture(scope="module")
def reference(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[pd.DataFrame, pd.DataFrame, Path]:
    out = tmp_path_factory.mktemp("crash-reference")
    code, _ = run_cli(str(corpus), "--output", str(out))
    assert code == 0
    return (*_dataset(out), out)


def _bands(out: Path) -> set[str]:
    """The articles the minhash_bands table holds, each with its every band exactly once."""
    bands = pd.read_parquet(out / "minhash_bands")
    assert not bands.duplicated(subset=["article_id", "band"]).any()
    counts = bands.groupby("article_id")["band"].count()
    assert (counts == counts.max()).all()
    return set(counts.index)


def _dataset(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    articles = pd.read_parquet(out / "articles").drop(columns=VOLATILE)
    quarantine = pd.read_parquet(out / "quarantine").drop(columns=[*VOLATILE, "article"])
    return (
        articles.sort_values("article_id").reset_index(drop=True),
        quarantine.sort_values("record_id").reset_index(drop=True),
    )


def _killed_run(mode: str, at: int, corpus: Path, out: Path) -> int:
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}  # reuse the test API
    result = subprocess.run(
        [sys.executable, "-c", KILLER, mode, str(at), str(corpus), str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result.returncode


def _assert_readable_and_consistent(out: Path) -> None:
    for folder in ("articles", "quarantine", "minhash_bands"):
        path = out / folder
        if not list(path.rglob("*.parquet")):
            continue  # nothing published yet: no dataset, nothing to read
        frame = pd.read_parquet(path)  # no partial file breaks a reader
        key = {"articles": ["article_id"], "quarantine": ["record_id"]}.get(
            folder, ["article_id", "band"]
        )
        assert not frame.duplicated(subset=key).any()
        assert not list(path.rglob(".*.tmp")), "a partial file is visible"
        glob = str(path / "**" / "*.parquet")
        [(count,)] = duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall()
        assert count == len(frame)


@pytest.mark.parametrize(
    ("mode", "at"),
    [("documents", 4), ("renames", 0), ("renames", 1), ("renames", 3)],
)
def test_killed_run_then_rerun_equals_an_uninterrupted_run(
    mode: str,
    at: int,
    corpus: Path,
    reference: tuple[pd.DataFrame, pd.DataFrame, Path],
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    code = _killed_run(mode, at, corpus, out)
    assert code == -9, "the run was meant to be killed"
    _assert_readable_and_consistent(out)
    code, summary = run_cli(str(corpus), "--output", str(out))
    assert code == 0, summary
    # Killed while publishing: the journal was written, so the next run finishes that commit.
    assert bool(summary["recovered_commits"]) == (mode == "renames")
    _assert_readable_and_consistent(out)
    articles, quarantine = _dataset(out)
    expected_articles, expected_quarantine, reference_out = reference
    pd.testing.assert_frame_equal(articles, expected_articles)
    pd.testing.assert_frame_equal(quarantine, expected_quarantine)
    # The near-duplicate bands commit with the rows: each canonical article's, once.
    assert _bands(out) == _bands(reference_out)
    assert _bands(out) == set(articles.loc[articles["duplicate_of"].isna(), "article_id"])
    assert not list((out / ".staging").glob("*")), "staging of the killed run was not cleaned up"
    journals = [json.loads(p.read_text()) for p in (out / "_commits").glob("*.json")]
    assert journals and {j["status"] for j in journals} == {"committed"}
    inputs = pd.read_parquet(out / "inputs")
    assert inputs["source_uri"].is_unique  # every input recorded once, however the run was cut
    assert len(inputs) == len(articles) + len(quarantine)
