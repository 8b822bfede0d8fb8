"""Scheduled runs: `newsclean serve` starts its own Prefect server, a one-minute cron really fires a
run that publishes the dataset, and Ctrl-C stops everything: no server process is left behind."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_DIR

from flows.cli import main
from flows.serve import ServeError, prefect_api, start_local_server

RUN_DEADLINE_SECONDS = 240  # server start (25-35 s) + up to a minute to the tick + the run
STOP_DEADLINE_SECONDS = 90  # Ctrl-C lets a run in progress finish


def server_pid(stderr: str) -> int | None:
    match = re.search(r"Prefect server pid (\d+)", stderr)
    return int(match.group(1)) if match else None


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def completed_summaries(output: Path) -> list[dict[str, object]]:
    reports = output / "reports"
    files = [p for p in reports.glob("*/summary.json") if p.parent.name != "latest"]
    return [json.loads(p.read_text()) for p in files]


@pytest.mark.prefect
def test_a_one_minute_cron_fires_a_run_and_ctrl_c_stops_the_server(tmp_path: Path) -> None:
    output, logs = tmp_path / "dataset", tmp_path / "serve.log"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    env.pop("PREFECT_API_URL", None)  # serve must start its own server
    command = [sys.executable, "-m", "flows.cli", "serve", "--cron", "* * * * *"]
    command += [str(SAMPLE_DIR), "--output", str(output), "--workers", "1"]
    with logs.open("wb") as log:
        serve = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    pid: int | None = None
    try:
        deadline = time.monotonic() + RUN_DEADLINE_SECONDS
        while not completed_summaries(output):
            assert serve.poll() is None, f"serve exited early:\n{logs.read_text()}"
            assert time.monotonic() < deadline, f"no scheduled run finished:\n{logs.read_text()}"
            time.sleep(2)
        pid = server_pid(logs.read_text())
        assert pid is not None and group_alive(pid)
        assert "Prefect UI at http://127.0.0.1:" in logs.read_text()
        assert completed_summaries(output)[0]["status"] == "succeeded"

        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=STOP_DEADLINE_SECONDS) == 0, logs.read_text()
        assert not group_alive(pid), "the Prefect server outlived serve"
        assert "stopped the Prefect server" in logs.read_text()
    finally:  # never leave processes behind, even when an assertion failed
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        pid = pid or server_pid(logs.read_text())
        if pid is not None and group_alive(pid):
            os.killpg(pid, signal.SIGKILL)


def test_a_server_that_does_not_get_healthy_in_time_is_stopped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(ServeError, match="did not answer /health within"):
        start_local_server(timeout=0.5)
    pid = server_pid(capsys.readouterr().err)
    assert pid is not None and not group_alive(pid)


def test_an_unreachable_prefect_api_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # discard port: nothing there
    with pytest.raises(ServeError, match=r"127\.0\.0\.1:9/api did not answer"), prefect_api(1.0):
        pass


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--cron", "61 * * * *"], "not a valid cron schedule"),
        (["--cron", "0 * * * *", "--workers", "0"], "--workers must be at least 1"),
        (["--cron", "0 * * * *", "--server-timeout", "0"], "--server-timeout must be positive"),
    ],
)
def test_bad_options_stop_serve_before_any_server_starts(
    options: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", str(SAMPLE_DIR), *options]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "starting a Prefect server" not in err
