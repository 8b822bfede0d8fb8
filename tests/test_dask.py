"""Scale-out on Dask: the same inputs give the same dataset, row for row, on a local cluster of 2
worker processes as on the thread pool; the workers report to the flow's Prefect API."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from pathlib import Path
from typing import Any
from uuid import UUID

import pandas as pd
import pyarrow.dataset as ds
import pytest
from conftest import SAMPLE_DIR

from flows.cli.main import main
from flows.core.settings import ConfigError, RunConfig

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


@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_api")
def test_an_external_dask_cluster_gives_the_same_dataset_as_threads(tmp_path: Path) -> None:
    """`--dask-address`: a cluster started apart from the flow, its workers set up as
    docs/scaling.md says (non-daemonic, PREFECT_API_URL of the flow's server)."""
    import dask.config
    from distributed import LocalCluster
    from prefect.settings import PREFECT_API_URL

    from flows.pipeline import clean_articles

    api_url = PREFECT_API_URL.value()
    assert api_url, "the prefect_api fixture sets the test server's URL"
    threads, external = tmp_path / "threads", tmp_path / "external"
    assert run(threads, "--workers", "2") == 0
    # The nanny reads the daemon setting when it starts a worker process: on a real cluster,
    # DASK_DISTRIBUTED__WORKER__DAEMON=False in the environment of `dask worker`.
    with (
        dask.config.set({"distributed.worker.daemon": False}),
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.WARNING,
            env={"PREFECT_API_URL": api_url},
        ) as cluster,
    ):
        state = clean_articles(
            inputs=[str(SAMPLE_DIR)],
            output=str(external),
            workers=2,
            batch_size=1,
            task_runner="dask",
            dask_address=cluster.scheduler_address,
            return_state=True,
        )
        assert state.is_completed()
        # The batches ran on this cluster, which the run left running for the next one.
        assert cluster.scheduler.task_prefixes["process_batch"].state_counts["memory"] == 5
        assert len(cluster.scheduler_info["workers"]) == 2
    for part in ("articles", "quarantine"):
        pd.testing.assert_frame_equal(read_rows(external / part), read_rows(threads / part))
    assert len(read_rows(external / "articles")) == 5
    assert not list(tmp_path.glob("*/.staging/*")), "staging left behind"
    runs = asyncio.run(task_runs(state.state_details.flow_run_id))
    batches = [r for r in runs if r.name.startswith("process-batch")]
    assert len(batches) == 5
    assert all(r.state is not None and r.state.is_completed() for r in batches)


API = "http://prefect:4200/api"


@pytest.mark.parametrize(
    ("setups", "message"),
    [
        ({"tcp://w1:1": (True, API)}, "daemonic workers .*tcp://w1:1"),
        (
            {"tcp://w1:1": (False, API), "tcp://w2:1": (False, None)},
            "without PREFECT_API_URL: tcp://w2:1;",
        ),
    ],
)
def test_external_workers_that_cannot_run_batches_are_refused(
    setups: dict[str, tuple[bool, str | None]], message: str
) -> None:
    from flows.orchestration.runners import DaskWorkerSetupError, check_workers

    with pytest.raises(DaskWorkerSetupError, match=message) as error:
        check_workers(setups, API, "tcp://scheduler:8786")
    assert "DASK_DISTRIBUTED__WORKER__DAEMON=False" in str(error.value)


def test_external_workers_reporting_to_another_api_are_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from flows.orchestration.runners import check_workers

    with caplog.at_level(logging.WARNING, logger="flows.orchestration.runners"):
        check_workers({"tcp://w1:1": (False, API + "/")}, API, "tcp://s:1")  # the same server
        assert not caplog.records
        check_workers({"tcp://w1:1": (False, "http://other:4200/api")}, API, "tcp://s:1")
    assert "report to http://other:4200/api" in caplog.text
