"""Incremental and idempotent runs: inputs are known by their bytes, the state lives in the output
(which can move, or live in an fsspec store), and --full-refresh replaces everything."""

from __future__ import annotations

import contextlib
import io
import shutil
import uuid
from pathlib import Path

import fsspec
import pandas as pd
import pytest
from conftest import SAMPLE_DIR
from test_pipeline import run_cli

from flows.cli.main import main

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_api")]
VOLATILE = ["run_id", "ingested_at", "source_uri"]


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop(columns=[*VOLATILE, "ingested_month"], errors="ignore")
    return frame.sort_values("article_id").reset_index(drop=True)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "scrapes"
    shutil.copytree(SAMPLE_DIR, folder)
    return folder


def test_a_growing_folder_is_done_once_even_renamed_or_after_the_output_moved(
    corpus: Path, tmp_path: Path
) -> None:
    files = sorted(corpus.glob("*.txt"))
    later = tmp_path / "later"
    later.mkdir()
    for path in files[3:]:
        shutil.move(path, later / path.name)
    out = tmp_path / "out"
    code, first = run_cli(str(corpus), "--output", str(out))
    assert code == 0 and first["documents"] == 3 and first["published"] == 3

    # An hour later: two new scrapes arrive, and an old one was renamed by the scraper.
    for path in later.iterdir():
        shutil.move(path, corpus / path.name)
    files[0].rename(corpus / f"renamed-{files[0].name}")
    # The dataset was moved to another disk in between: its state travels with it.
    moved = tmp_path / "elsewhere" / "dataset"
    moved.parent.mkdir()
    shutil.move(out, moved)
    code, second = run_cli(str(corpus), "--output", str(moved))
    assert code == 0, second
    assert second["documents"] == 2 and second["already_processed"] == 3
    assert second["published"] == 2

    inputs = pd.read_parquet(moved / "inputs")
    assert len(inputs) == 5 and inputs["input_sha256"].is_unique
    assert set(inputs["run_id"]) == {first["run_id"], second["run_id"]}
    articles = pd.read_parquet(moved / "articles")
    assert len(articles) == 5 and articles["article_id"].is_unique

    code, third = run_cli(str(corpus), "--output", str(moved))
    assert code == 0 and third["documents"] == 0 and third["already_processed"] == 5


def test_full_refresh_replaces_every_row(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli(str(corpus), "--output", str(out))[0] == 0
    before = pd.read_parquet(out / "articles")
    old_files = {p for p in out.rglob("*.parquet")}
    code, summary = run_cli(str(corpus), "--output", str(out), "--full-refresh")
    assert code == 0 and summary["documents"] == 5 and summary["already_processed"] == 0
    after = pd.read_parquet(out / "articles")
    assert set(after["run_id"]) == {summary["run_id"]}
    assert not old_files & {p for p in out.rglob("*.parquet")}, "old files were kept"
    assert len(pd.read_parquet(out / "inputs")) == 5
    pd.testing.assert_frame_equal(_rows(before), _rows(after))


def test_an_fsspec_output_behaves_like_a_local_folder(corpus: Path, tmp_path: Path) -> None:
    local = tmp_path / "local"
    assert run_cli(str(corpus), "--output", str(local))[0] == 0
    url = f"memory://bucket-{uuid.uuid4().hex}/datasets/news"
    code, summary = run_cli(str(corpus), "--output", url)
    assert code == 0, summary
    assert summary["published"] == 5

    remote = pd.read_parquet(f"{url}/articles", dtype_backend="pyarrow")
    expected = pd.read_parquet(local / "articles", dtype_backend="pyarrow")
    pd.testing.assert_frame_equal(_rows(remote), _rows(expected))
    fs = fsspec.filesystem("memory")
    root = url.removeprefix("memory://")
    names = {path.removeprefix(f"/{root}/") for path in fs.find(root)}
    assert any(n.startswith("articles/ingested_month=") for n in names)
    assert any(n.startswith("inputs/part-") for n in names)
    assert f"reports/{summary['run_id']}/summary.md" in names
    assert "articles/_README.md" in names
    assert not any(n.startswith((".staging/", ".newsclean.lock")) for n in names)

    code, again = run_cli(str(corpus), "--output", url)
    assert code == 0 and again["documents"] == 0 and again["already_processed"] == 5

    for command in (["validate", url], ["report", url]):
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            assert main(command) == 0, command
        assert stdout.getvalue().strip()


# A run that holds the output: it stops just before publishing until the test lets it go.
HOLDER = """
import os, sys, time
import flows.pipeline as pipeline
real_publish, gate = pipeline.publish_run, sys.argv[3]
def publish_run(*args, **kwargs):
    open(gate + ".waiting", "w").close()
    while not os.path.exists(gate):
        time.sleep(0.1)
    return real_publish(*args, **kwargs)
pipeline.publish_run = publish_run
from flows.cli.main import main
sys.exit(main(["run", sys.argv[1], "--output", sys.argv[2], "--no-progress", "--json"]))
"""


def test_a_second_run_on_a_busy_output_stops_with_a_message_and_breaks_nothing(
    corpus: Path, tmp_path: Path
) -> None:
    import json
    import os
    import subprocess
    import sys
    import time

    from conftest import REPO
    from prefect.settings import PREFECT_API_URL

    out, gate = tmp_path / "out", tmp_path / "gate"
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    first = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(corpus), str(out), str(gate)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not Path(f"{gate}.waiting").exists():
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first run never reached publishing"
            time.sleep(0.2)
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            code, _ = run_cli(str(corpus), "--output", str(out))
        assert code == 1
        message = stderr.getvalue()
        assert f"another newsclean run (pid {first.pid}" in message and "Traceback" not in message
        assert message.count("\n") == 1, message
    finally:
        gate.touch()
        stdout, stderr_text = first.communicate(timeout=300)
    assert first.returncode == 0, stderr_text
    assert json.loads(stdout)["published"] == 5
    articles = pd.read_parquet(out / "articles")
    assert len(articles) == 5 and articles["article_id"].is_unique
    code, after = run_cli(str(corpus), "--output", str(out))
    assert code == 0 and after["documents"] == 0
