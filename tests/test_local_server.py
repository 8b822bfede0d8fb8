"""The recorded local Prefect server: runs find a healthy one, ignore and clean a stale record,
leave an explicit PREFECT_API_URL alone, and `newsclean server stop` stops it. Every process a
test starts is stopped by the test's fixture, whatever the outcome."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_DIR

from flows.cli import run as run_command
from flows.cli.main import main
from flows.orchestration import local_server, warm_runner
from flows.orchestration.local_server import ServerRecord

# A stand-in for `prefect server start`: answers GET /api/health, nothing else. Its command line
# names prefect, as the real server's does (a record's pid must be a Prefect server's).
STAND_IN = textwrap.dedent(
    """
    import http.server, sys

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            found = self.path == "/api/health"
            self.send_response(200 if found else 404)
            self.end_headers()
            self.wfile.write(b"true" if found else b"")

        def log_message(self, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", int(sys.argv[2])), Health).serve_forever()
    """
)


class Processes:
    """Processes a test starts, each in its own session; all killed at the end."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, command: list[str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, start_new_session=True)
        self.started.append(process)
        # Reaped as soon as it exits, as init reaps a real server: a zombie still counts as alive.
        threading.Thread(target=process.wait, daemon=True).start()
        # Until it runs its own command line, /proc shows the forked test's.
        expected = b"\0".join(part.encode() for part in command) + b"\0"
        while Path(f"/proc/{process.pid}/cmdline").read_bytes() != expected:
            time.sleep(0.02)
        return process

    def stand_in(self, *, answers: bool = True) -> tuple[subprocess.Popen[bytes], str]:
        """A fake Prefect server and its API URL; one that does not answer when `answers` is
        False (its port is never bound)."""
        port = local_server.free_port()
        code = STAND_IN if answers else "import time; time.sleep(300)"
        process = self.start([sys.executable, "-c", code, "prefect-server-stand-in", str(port)])
        url = f"http://127.0.0.1:{port}/api"
        if answers:
            local_server.wait_until_healthy(url, timeout=30, process=process)
        return process, url

    def kill_all(self) -> None:
        for process in self.started:
            if process.poll() is None and local_server.group_alive(process.pid):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture()
def processes() -> Iterator[Processes]:
    started = Processes()
    try:
        yield started
    finally:
        started.kill_all()


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway PREFECT_HOME with no profile, and no PREFECT_API_URL in the environment."""
    folder = tmp_path / "prefect-home"
    folder.mkdir()
    monkeypatch.setenv("PREFECT_HOME", str(folder))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    monkeypatch.delenv("PREFECT_PROFILES_PATH", raising=False)
    monkeypatch.chdir(tmp_path)  # no prefect.toml or pyproject.toml of the project in the way
    return folder


def record_for(process: subprocess.Popen[bytes], url: str, home: Path) -> ServerRecord:
    record = ServerRecord(
        api_url=url, pid=process.pid, log=str(home / "server.log"), started_at="2026-01-01"
    )
    local_server.write_record(record, home)
    return record


def test_a_healthy_recorded_server_is_used_by_runs(
    home: Path, processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    process, url = processes.stand_in()
    record_for(process, url, home)
    monkeypatch.setenv("PREFECT_API_URL", "")  # restored after the test; empty is unset
    assert local_server.use_running_server() == url
    assert os.environ["PREFECT_API_URL"] == url


def test_a_record_of_a_dead_server_is_ignored_and_removed(home: Path, processes: Processes) -> None:
    process, url = processes.stand_in()
    record_for(process, url, home)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert local_server.use_running_server() is None
    assert "PREFECT_API_URL" not in os.environ
    assert not local_server.state_file(home).exists()


def test_an_unreadable_record_is_ignored_and_removed(home: Path) -> None:
    local_server.state_file(home).write_text('{"api_url": "http://127.0.0.1:1/api"', "utf-8")
    assert local_server.find_running_server() is None
    assert not local_server.state_file(home).exists()


def test_a_recorded_pid_that_is_no_prefect_server_is_never_used_or_signalled(
    home: Path, processes: Processes
) -> None:
    # After a reboot the recorded pid may be any process's: it must not be taken for the server.
    other = processes.start([sys.executable, "-c", "import time; time.sleep(300)"])
    record_for(other, "http://127.0.0.1:9/api", home)
    assert local_server.find_running_server() is None
    assert not local_server.state_file(home).exists()
    record_for(other, "http://127.0.0.1:9/api", home)
    assert local_server.stop_recorded_server() is None
    assert other.poll() is None, "an unrelated process was stopped"


def test_a_live_server_that_does_not_answer_is_not_used_but_stays_recorded(
    home: Path, processes: Processes
) -> None:
    process, url = processes.stand_in(answers=False)
    record_for(process, url, home)
    started = time.monotonic()
    assert local_server.use_running_server() is None
    assert time.monotonic() - started < 5, "discovery must not hold a run up"
    assert local_server.read_record(home) is not None  # `server stop` still needs its pid


def test_an_explicit_prefect_api_url_wins_over_the_recorded_server(
    home: Path, processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    process, url = processes.stand_in()
    record_for(process, url, home)
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect.example.org:4200/api")
    assert local_server.use_running_server() == "http://prefect.example.org:4200/api"
    assert os.environ["PREFECT_API_URL"] == "http://prefect.example.org:4200/api"


def test_a_prefect_profile_api_url_wins_over_the_recorded_server(
    home: Path, processes: Processes
) -> None:
    process, url = processes.stand_in()
    record_for(process, url, home)
    (home / "profiles.toml").write_text(
        'active = "team"\n[profiles.team]\nPREFECT_API_URL = "http://10.0.0.5:4200/api"\n', "utf-8"
    )
    assert local_server.use_running_server() == "http://10.0.0.5:4200/api"
    assert "PREFECT_API_URL" not in os.environ  # Prefect reads its profile itself


def test_stop_stops_the_recorded_server_and_forgets_it(
    home: Path, processes: Processes, capsys: pytest.CaptureFixture[str]
) -> None:
    process, url = processes.stand_in()
    record_for(process, url, home)
    assert main(["server", "stop"]) == 0
    assert f"stopped the Prefect server at {url.removesuffix('/api')}" in capsys.readouterr().out
    assert process.wait(timeout=30) is not None
    assert not local_server.group_alive(process.pid)
    assert not local_server.state_file(home).exists()
    assert main(["server", "stop"]) == 0  # nothing to stop is not an error
    assert "no Prefect server of newsclean was running" in capsys.readouterr().err


def test_status_says_whether_the_server_runs(
    home: Path, processes: Processes, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["server", "status"]) == 1
    assert "no Prefect server of newsclean is running" in capsys.readouterr().out
    process, url = processes.stand_in()
    record_for(process, url, home)
    assert main(["server", "status"]) == 0
    assert f"running: {url.removesuffix('/api')} (pid {process.pid}" in capsys.readouterr().out


def test_a_run_without_a_server_says_once_how_to_start_faster(
    home: Path, processes: Processes, capsys: pytest.CaptureFixture[str]
) -> None:
    run_command._choose_prefect_api()
    err = capsys.readouterr().err
    assert err.count("newsclean server start") == 1
    process, url = processes.stand_in()
    record_for(process, url, home)
    run_command._choose_prefect_api()
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("options", "message"), [(["--port", "0"], "--port"), (["--timeout", "0"], "--timeout")]
)
def test_bad_server_start_options_start_nothing(
    home: Path, options: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["server", "start", *options]) == 2
    assert message in capsys.readouterr().err
    assert not local_server.state_file(home).exists()


# `newsclean <args>`, then whether this process imported Prefect: a run handed to the warm
# runner does not.
CLI_REPORTING_PREFECT = (
    "import sys; from flows.cli.main import main; code = main(sys.argv[1:]); "
    "print('prefect imported here:', 'prefect' in sys.modules, file=sys.stderr); sys.exit(code)"
)


@pytest.mark.prefect
def test_a_started_server_is_used_by_a_run_and_stopped_by_stop(tmp_path: Path) -> None:
    """The real thing, as a user does it: start, run (in the warm runner, tracked by that
    server, the same rows as a run in its own process), stop (both)."""
    home = tmp_path / "prefect-home"
    env = {**os.environ, "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    env.pop(warm_runner.IN_RUNNER_ENV, None)
    command = [sys.executable, "-m", "flows.cli.main"]
    options = ["--workers", "1", "--no-progress", "--json"]
    record: ServerRecord | None = None

    def newsclean(
        *args: str, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", CLI_REPORTING_PREFECT, *args],
            cwd=REPO,
            env={**env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )

    try:
        started = subprocess.run(
            [*command, "server", "start"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert started.returncode == 0, started.stderr
        record = local_server.read_record(home)
        assert record is not None and local_server.healthy(record.api_url)
        assert local_server.runner_alive(record), started.stderr
        ran = newsclean("run", str(SAMPLE_DIR), "-o", str(tmp_path / "out"), *options)
        assert ran.returncode == 0, ran.stderr
        assert "newsclean server start" not in ran.stderr  # it found the server: no hint
        assert "running in this process" not in ran.stderr
        assert "prefect imported here: False" in ran.stderr  # the warm runner ran it
        assert json.loads(ran.stdout)["status"] == "succeeded"
        runs = _flow_runs(record.api_url)
        assert [run["name"] for run in runs if run["state_type"] == "COMPLETED"], runs
        # The same inputs in this process, against the same server: the same rows.
        here = newsclean(
            "run",
            str(SAMPLE_DIR),
            "-o",
            str(tmp_path / "here"),
            *options,
            extra_env={warm_runner.IN_RUNNER_ENV: "1", "PREFECT_API_URL": record.api_url},
        )
        assert here.returncode == 0, here.stderr
        assert "prefect imported here: True" in here.stderr
        assert _rows(tmp_path / "out") == _rows(tmp_path / "here")
        stopped = subprocess.run(
            [*command, "server", "stop"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert stopped.returncode == 0, stopped.stderr
        assert not local_server.group_alive(record.pid)
        assert record.runner_pid is not None and not local_server.group_alive(record.runner_pid)
        assert local_server.read_record(home) is None
    finally:
        for pid in (record.pid, record.runner_pid) if record is not None else ():
            if pid is not None and local_server.group_alive(pid):
                os.killpg(pid, signal.SIGKILL)


def _rows(output: Path) -> list[dict[str, object]]:
    """The published rows without what differs between two runs by design."""
    import pyarrow.parquet as pq  # only these tests read a dataset

    table = pq.read_table(output / "articles")
    rows = table.drop_columns(["run_id", "ingested_at"]).to_pylist()
    return sorted(rows, key=lambda row: str(row["article_id"]))


def _flow_runs(api_url: str) -> list[dict[str, object]]:
    import urllib.request  # only this test asks the API

    request = urllib.request.Request(
        f"{api_url}/flow_runs/filter",
        data=b"{}",
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        runs: list[dict[str, object]] = json.loads(response.read())
    return runs


def test_serve_uses_the_recorded_server_and_leaves_it_running(
    home: Path, processes: Processes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.orchestration.serve import choose_api, prefect_api

    process, url = processes.stand_in()
    record_for(process, url, home)
    choice = choose_api()
    assert (choice.url, choice.configured) == (url, False)
    with prefect_api(5.0, choice) as api_url:
        assert api_url == url
    assert process.poll() is None  # not serve's to stop
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect.example.org:4200/api")
    assert choose_api().url == "http://prefect.example.org:4200/api"
