"""Scheduled runs: serve the `clean_articles` flow on a cron schedule with Prefect's own `serve`.

Prefect's temporary local server cannot schedule, so scheduled runs need a real Prefect server:
the one at PREFECT_API_URL when it is set, else one started here as a child process (SQLite in
PREFECT_HOME, scheduler on) and stopped on exit, whatever the exit: Ctrl-C, SIGTERM or an error.

Prefect reads its settings when it is imported, so this module imports it only once the server's
URL is known (and sets it for this process's settings too).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from flows.settings import RunConfig, apply_prefect_defaults

DEFAULT_SERVER_TIMEOUT = 120.0  # a first start on a fresh PREFECT_HOME takes 25 to 35 s here
STOP_GRACE_SECONDS = 15.0
DEPLOYMENT_NAME = "newsclean"


class ServeError(RuntimeError):
    """The Prefect server could not be started or reached."""


@dataclass
class LocalServer:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def validate_cron(cron: str) -> str:
    """Prefect's own check, so a schedule Prefect would refuse fails before a server starts."""
    apply_prefect_defaults()
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=cron)
    except ValidationError as error:
        raise ValueError(f"--cron: not a valid cron schedule: {cron!r}") from error
    return cron


def deployment_parameters(config: RunConfig) -> dict[str, Any]:
    """The flow's parameters; paths absolute because runs start in a process of Prefect's."""
    return {
        "inputs": [str(Path(p).resolve()) for p in config.inputs],
        "output": str(Path(config.output).resolve()),
        "workers": config.workers,
        "batch_size": config.batch_size,
        "document_timeout": config.document_timeout,
        "max_document_mb": config.max_document_mb,
        "languages": list(config.languages),
        "max_quarantine_share": config.max_quarantine_share,
        "full_refresh": config.full_refresh,
        "task_runner": config.task_runner,
        "dask_address": config.dask_address,
    }


def serve_scheduled(
    config: RunConfig,
    cron: str,
    *,
    name: str = DEPLOYMENT_NAME,
    server_timeout: float = DEFAULT_SERVER_TIMEOUT,
) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM); runs start on `cron` with `config`."""
    with _stop_signals(), prefect_api(server_timeout) as api_url:
        os.environ["PREFECT_API_URL"] = api_url  # inherited by the runs Prefect starts
        apply_prefect_defaults()
        from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL, temporary_settings

        ui_url = api_url.removesuffix("/api")
        with temporary_settings({PREFECT_API_URL: api_url, PREFECT_UI_URL: ui_url}):
            from prefect.deployments.runner import EntrypointType

            from flows.pipeline import clean_articles

            print(
                f"newsclean: Prefect UI at {ui_url} (deployment clean-articles/{name})", flush=True
            )
            try:
                clean_articles.serve(
                    name=name,
                    cron=cron,
                    parameters=deployment_parameters(config),
                    limit=1,  # runs of one output never overlap (they would wait on its lock)
                    # by module, not file: works from an installed package and any directory
                    entrypoint_type=EntrypointType.MODULE_PATH,
                )
            finally:
                end_runs_in_progress()


def end_runs_in_progress(grace: float = STOP_GRACE_SECONDS) -> None:
    """Stop flow runs the runner left behind, while their API server is still up.

    On Ctrl-C Prefect's runner waits for the run in progress; on SIGTERM it exits at once and
    the run's process (a multiprocessing child of this one) would be orphaned. A stopped run
    publishes nothing, and the next run does its work.
    """
    runs = multiprocessing.active_children()
    if not runs:
        return
    print(f"newsclean: stopping {len(runs)} run(s) in progress", file=sys.stderr, flush=True)
    for run in runs:
        run.terminate()
    deadline = time.monotonic() + grace
    for run in runs:
        run.join(timeout=max(0.0, deadline - time.monotonic()))
        if run.is_alive():
            run.kill()
            run.join()


@contextmanager
def prefect_api(server_timeout: float) -> Iterator[str]:
    """The API URL to serve on: PREFECT_API_URL's server, or a local server started for the block."""
    url = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    if url:
        wait_until_healthy(url, timeout=min(server_timeout, 15.0), process=None)
        yield url
        return
    server = start_local_server(server_timeout)
    try:
        yield f"{server.address}/api"
    finally:
        stop_local_server(server)
        print("newsclean: stopped the Prefect server", file=sys.stderr, flush=True)


def start_local_server(timeout: float) -> LocalServer:
    port = free_port()
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    home.mkdir(parents=True, exist_ok=True)
    log = home / "newsclean-server.log"
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    env.pop("PREFECT_API_URL", None)
    env["PREFECT_SERVER_LOGGING_LEVEL"] = "WARNING"  # to the log file, shown if the start fails
    command = [sys.executable, "-m", "prefect", "server", "start"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    print(f"newsclean: starting a Prefect server on port {port} (log: {log})", file=sys.stderr)
    with log.open("wb") as out:
        # Own session: the server and its uvicorn child are stopped together as one group.
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = LocalServer(process, port, log)
    print(f"newsclean: Prefect server pid {process.pid}", file=sys.stderr, flush=True)
    try:
        wait_until_healthy(f"{server.address}/api", timeout=timeout, process=process, log=log)
    except BaseException:
        stop_local_server(server)
        raise
    return server


def wait_until_healthy(
    api_url: str,
    *,
    timeout: float,
    process: subprocess.Popen[bytes] | None,
    log: Path | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise ServeError(
                f"the Prefect server exited with code {process.returncode} while starting"
                f"{_log_tail(log)}"
            )
        if _healthy(api_url):
            return
        if time.monotonic() > deadline:
            raise ServeError(
                f"the Prefect server at {api_url} did not answer /health within {timeout:g} s"
                f"{_log_tail(log)}"
            )
        time.sleep(0.5)


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def stop_local_server(server: LocalServer) -> None:
    """SIGTERM to the server's process group, SIGKILL after a grace period: no orphan left."""
    process = server.process
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            continue
        if not _group_alive(process.pid):
            break
        time.sleep(1)  # the leader is gone; give its children a moment before SIGKILL
        if not _group_alive(process.pid):
            break
    process.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_tail(log: Path | None, lines: int = 15) -> str:
    if log is None or not log.exists():
        return ""
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    return f"; last lines of {log}:\n" + "\n".join(tail) if tail else ""


@contextmanager
def _stop_signals() -> Iterator[None]:
    """Ctrl-C and SIGTERM unwind the stack (finally blocks run, the server stops).

    SIGINT is restored explicitly: a shell starts background jobs with SIGINT ignored, and
    Python keeps it so. SIGTERM raises SystemExit until Prefect's runner installs its own
    handler, which exits too.
    """

    def exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    previous_term = signal.signal(signal.SIGTERM, exit_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous_int)
        signal.signal(signal.SIGTERM, previous_term)
