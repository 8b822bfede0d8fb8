"""The dataset in an S3 bucket (a local moto S3 endpoint: no cloud, no network) behaves like a
local folder: same rows, incremental, and a run killed while publishing is finished by the next."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, SAMPLE_DIR
from test_crash import KILLER
from test_pipeline import run_cli

from flows.cli.main import main

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_api")]
VOLATILE = ["run_id", "ingested_at", "ingested_month"]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on a free local port, and the AWS settings that point s3fs at it."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    settings = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": endpoint,  # botocore's own setting: s3fs and pandas follow it
    }
    saved = {key: os.environ.get(key) for key in settings}
    os.environ.update(settings)
    try:
        yield endpoint
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    import s3fs

    name = f"news-{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem().mkdir(name)
    return name


def _rows(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame.drop(columns=VOLATILE, errors="ignore").sort_values(key).reset_index(drop=True)


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("s3-reference")
    code, summary = run_cli(str(SAMPLE_DIR), "--output", str(out))
    assert code == 0, summary
    return out


def test_a_bucket_output_gives_the_rows_of_a_local_folder(
    bucket: str, local_reference: Path
) -> None:
    url = f"s3://{bucket}/datasets/news"
    code, summary = run_cli(str(SAMPLE_DIR), "--output", url)
    assert code == 0, summary
    remote = pd.read_parquet(f"{url}/articles", dtype_backend="pyarrow")
    local = pd.read_parquet(local_reference / "articles", dtype_backend="pyarrow")
    pd.testing.assert_frame_equal(_rows(remote, "article_id"), _rows(local, "article_id"))
    assert set(remote["ingested_month"].astype(str)) == {summary["started_at"][:7]}

    code, again = run_cli(str(SAMPLE_DIR), "--output", url)
    assert code == 0 and again["documents"] == 0 and again["already_processed"] == 5
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(["validate", url]) == 0
    assert "passed" in stdout.getvalue()


def test_a_run_killed_while_publishing_to_a_bucket_is_finished_by_the_next(
    bucket: str, local_reference: Path
) -> None:
    from prefect.settings import PREFECT_API_URL

    url = f"s3://{bucket}/news"
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, "renames", "1", str(SAMPLE_DIR), url],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert killed.returncode == -9, killed.stderr[-2000:]
    # Killed after the articles were moved in, before the inputs state: without the journal the
    # next run would not know these inputs and would publish them a second time.
    import s3fs

    assert pd.read_parquet(f"{url}/articles")["article_id"].is_unique
    assert not s3fs.S3FileSystem().exists(f"{bucket}/news/inputs")

    code, summary = run_cli(str(SAMPLE_DIR), "--output", url)
    assert code == 0, summary
    assert len(summary["recovered_commits"]) == 1 and summary["documents"] == 0
    remote = pd.read_parquet(f"{url}/articles", dtype_backend="pyarrow")
    local = pd.read_parquet(local_reference / "articles", dtype_backend="pyarrow")
    volatile = ["source_uri"]
    pd.testing.assert_frame_equal(
        _rows(remote, "article_id").drop(columns=volatile),
        _rows(local, "article_id").drop(columns=volatile),
    )
