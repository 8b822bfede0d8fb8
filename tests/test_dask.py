"""Scale-out on Dask: the same inputs give the same dataset, row for row, on a local cluster of 2
worker processes as on the thread pool; the workers report to the flow's Prefect API."""

from __future__ import annotations

import asyncio
import contextlib
import io
from pathlib import Path
from typing import Any
from uuid import UUID

import pandas as pd
import pyarrow.dataset as ds
import pytest
from conftest import SAMPLE_DIR

from flows.cli import main
from flows.settings import ConfigError, RunConfig

# Differ between any two runs by design.
PER_RUN_COLUMNS = ["run_id", "ingested_at"]
PER_RUN_IN_TEXT = r'("(?:run_id|ingested_at)": )"[^"]*"'


def read_rows(folder: Path) -> pd.DataFrame:
    """Every Parquet row under `folder` (whatever the partitioning), in a stable order."""
    files = sorted(str(p) for p in folder.rglob("*.parquet") if ".staging" not in p.parts)
    if not files:
        return pd.DataFrame()
    table = ds.dataset(files, format="parquet", partitioning="hive", partition_base_dir=str(folder))
    frame = table.to_table().to_pandas().drop(columns=PER_RUN_COLUMNS, errors="ignore")
    # As text: list cells (numpy arrays) can then be compared and sorted on; the quarantine's
    # `article` JSON embeds the per-run values too.
    frame = frame[sorted(frame.columns)].astype(str)
    frame = frame.apply(lambda column: column.str.replace(PER_RUN_IN_TEXT, r"\1-", regex=True))
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def run(output: Path, *options: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()):
        return main(
            ["run", str(SAMPLE_DIR), "-o", str(output), "--no-progress", "--json", *options]
        )


@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_api")
def test_dask_run_gives_the_same_dataset_as_threads(tmp_path: Path) -> None:
    from flows.pipeline import clean_articles

    threads, dask = tmp_path / "threads", tmp_path / "dask"
    assert run(threads, "--workers", "2") == 0
    # batch_size=1: several tasks per worker, so both workers and the scheduling are exercised
    state = clean_articles(
        inputs=[str(SAMPLE_DIR)],
        output=str(dask),
        workers=2,
        batch_size=1,
        task_runner="dask",
        return_state=True,
    )
    assert state.is_completed()
    for part in ("articles", "quarantine"):
        expected, actual = read_rows(threads / part), read_rows(dask / part)
        pd.testing.assert_frame_equal(actual, expected)
    assert len(read_rows(dask / "articles")) == 5
    assert not list(tmp_path.glob("*/.staging/*")), "staging left behind"
    # The workers reported to the flow's API (not to temporary servers of their own).
    runs = asyncio.run(task_runs(state.state_details.flow_run_id))
    batches = [r for r in runs if r.name.startswith("process-batch")]
    assert len(batches) == 5
    assert all(r.state is not None and r.state.is_completed() for r in batches)


async def task_runs(flow_run_id: UUID | None) -> list[Any]:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async with get_client() as client:
        flow_filter = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        return await client.read_task_runs(flow_run_filter=flow_filter)


@pytest.mark.parametrize(
    ("task_runner", "address", "message"),
    [
        ("spark", None, "--task-runner must be one of"),
        ("threads", "tcp://127.0.0.1:8786", "--dask-address needs --task-runner dask"),
        ("dask", "127.0.0.1:8786", "--dask-address takes a scheduler address"),
    ],
)
def test_task_runner_options_are_validated(
    task_runner: str, address: str | None, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        RunConfig.build(
            inputs=[str(SAMPLE_DIR)],
            output="out",
            workers=1,
            task_runner=task_runner,
            dask_address=address,
        )


def test_a_dask_address_is_accepted_with_the_dask_runner() -> None:
    config = RunConfig.build(
        inputs=[str(SAMPLE_DIR)],
        output="out",
        workers=1,
        task_runner="dask",
        dask_address="tcp://10.0.0.5:8786",
    )
    assert (config.task_runner, config.dask_address) == ("dask", "tcp://10.0.0.5:8786")


def test_bad_dask_flags_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(SAMPLE_DIR), "-o", str(tmp_path), "--dask-address", "tcp://h:1"]) == 2
    assert "--dask-address needs --task-runner dask" in capsys.readouterr().err
