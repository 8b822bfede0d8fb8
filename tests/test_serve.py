"""Scheduled runs: `newsclean serve` starts its own Prefect server, a one-minute cron really fires a
run that publishes the dataset, and SIGTERM or Ctrl-C stops everything (exit 0, one line, no
traceback), whenever it arrives: no server process is left behind."""

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

from flows.cli.main import main
from flows.orchestration.serve import ServeError, prefect_api, start_local_server

RUN_DEADLINE_SECONDS = 240  # server start (25-35 s) + up to a minute to the tick + the run
STOP_DEADLINE_SECONDS = 60  # the runner stops, then the server (SIGKILL after 15 s)


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


class Served:
    """`newsclean serve` in a subprocess, its stdout and stderr in files; killed if left running."""

    def __init__(self, tmp_path: Path, output: Path, home: Path) -> None:
        self.out, self.err = tmp_path / "serve.out", tmp_path / "serve.err"
        env = {**os.environ, "PREFECT_HOME": str(home)}
        env.pop("PREFECT_API_URL", None)  # serve must start its own server
        command = [sys.executable, "-m", "flows.cli.main", "serve", "--cron", "* * * * *"]
        command += [str(SAMPLE_DIR), "--output", str(output), "--workers", "1"]
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=err)
        self.pid: int | None = None  # the Prefect server's

    def logs(self) -> str:
        return f"stdout:\n{self.out.read_text()}\nstderr:\n{self.err.read_text()}"

    def wait_for(self, text: str, deadline_seconds: float) -> None:
        deadline = time.monotonic() + deadline_seconds
        while text not in self.out.read_text() + self.err.read_text():
            assert self.process.poll() is None, f"serve exited early:\n{self.logs()}"
            assert time.monotonic() < deadline, f"no {text!r} in time:\n{self.logs()}"
            time.sleep(0.2)
        self.pid = self.pid or server_pid(self.err.read_text())

    def stop(self, sig: signal.Signals) -> int:
        """Send `sig`; the exit code once serve has stopped."""
        self.process.send_signal(sig)
        return self.process.wait(timeout=STOP_DEADLINE_SECONDS)

    def assert_stopped_cleanly(
        self, sig: signal.Signals, code: int, *, only_own_lines: bool = True
    ) -> None:
        assert code == 0, self.logs()
        assert self.pid is not None and not group_alive(self.pid), (
            "the Prefect server outlived serve"
        )
        # Prefect's own SIGTERM handler printed "coroutine 'Runner.astop' was never awaited" or a
        # traceback, depending on when the signal came.
        for noise in ("Traceback", "never awaited"):
            assert noise not in self.err.read_text() + self.out.read_text(), self.logs()
        if only_own_lines:  # no run ran: nothing but serve's own lines on stderr
            lines = self.err.read_text().splitlines()
            assert all(line.startswith("newsclean: ") for line in lines), self.logs()
        stopped = [line for line in self.err.read_text().splitlines() if "serve stopped" in line]
        assert stopped == [f"newsclean: serve stopped on {sig.name}; stopped the Prefect server"]

    def cleanup(self) -> None:
        """Never leave processes behind, even when an assertion failed."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        pid = self.pid or server_pid(self.err.read_text())
        if pid is not None and group_alive(pid):
            os.killpg(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def serve_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PREFECT_HOME for this module's servers: only the first start migrates its database."""
    return tmp_path_factory.mktemp("prefect-home")


@pytest.mark.prefect
def test_a_one_minute_cron_fires_a_run_and_sigterm_stops_serve_cleanly(
    tmp_path: Path, serve_home: Path
) -> None:
    output = tmp_path / "dataset"
    served = Served(tmp_path, output, serve_home)
    try:
        served.wait_for("Prefect server pid", 60)
        deadline = time.monotonic() + RUN_DEADLINE_SECONDS
        while not completed_summaries(output):
            assert served.process.poll() is None, f"serve exited early:\n{served.logs()}"
            assert time.monotonic() < deadline, f"no scheduled run finished:\n{served.logs()}"
            time.sleep(2)
        assert served.pid is not None and group_alive(served.pid)
        assert "Prefect UI at http://127.0.0.1:" in served.out.read_text()
        assert completed_summaries(output)[0]["status"] == "succeeded"

        code = served.stop(signal.SIGTERM)
        served.assert_stopped_cleanly(signal.SIGTERM, code, only_own_lines=False)
    finally:
        served.cleanup()


@pytest.mark.prefect
def test_ctrl_c_stops_serve_cleanly(tmp_path: Path, serve_home: Path) -> None:
    served = Served(tmp_path, tmp_path / "dataset", serve_home)
    try:
        served.wait_for("Prefect UI at http://127.0.0.1:", RUN_DEADLINE_SECONDS)  # runner serving
        served.assert_stopped_cleanly(signal.SIGINT, served.stop(signal.SIGINT))
    finally:
        served.cleanup()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_while_the_server_starts_stops_it_cleanly(
    tmp_path: Path, sig: signal.Signals
) -> None:
    # A fresh home: the server spends its first seconds on migrations, so it is still starting.
    served = Served(tmp_path, tmp_path / "dataset", tmp_path / "prefect-home")
    try:
        served.wait_for("Prefect server pid", 60)
        assert served.pid is not None and group_alive(served.pid)
        served.assert_stopped_cleanly(sig, served.stop(sig))
        assert "Prefect UI at" not in served.out.read_text(), "the server was already up"
    finally:
        served.cleanup()


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


def test_deployment_parameters_make_paths_absolute_and_keep_urls(tmp_path: Path) -> None:
    from flows.core.settings import RunConfig
    from flows.orchestration.serve import deployment_parameters

    config = RunConfig.build(inputs=[str(SAMPLE_DIR)], output="memory://bucket/news", workers=1)
    parameters = deployment_parameters(config)
    assert parameters["output"] == "memory://bucket/news"
    assert Path(parameters["inputs"][0]).is_absolute()
    local = RunConfig.build(inputs=[str(SAMPLE_DIR)], output="relative/out", workers=1)
    assert deployment_parameters(local)["output"] == str(Path("relative/out").resolve())
