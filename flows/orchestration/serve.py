"""Scheduled runs: serve the cleaning flow on a cron schedule with Prefect's own `serve`.

Prefect's temporary local server cannot schedule, so scheduled runs need a real Prefect server:
the one at PREFECT_API_URL when it is set, else one started here as a child process (SQLite in
PREFECT_HOME, scheduler on) and stopped on exit, whatever the exit: Ctrl-C, SIGTERM or an error.
SIGTERM and Ctrl-C are a normal end: no traceback, one line saying serve stopped, exit code 0.

The flow comes from the caller (the command line passes `clean_articles`): this module runs it and
does not depend on the pipeline above it. Prefect reads its settings when it is imported, which is
before the server's URL is known, so the URL is set both in the environment (for the runs Prefect
starts) and as a temporary setting of this process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from flows.core.settings import RunConfig, apply_prefect_defaults

if TYPE_CHECKING:
    from prefect import Flow

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
    # Imported here: Prefect, after its settings are applied (it reads them at import).
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=cron)
    except ValidationError as error:
        raise ValueError(f"--cron: not a valid cron schedule: {cron!r}") from error
    return cron


def deployment_parameters(config: RunConfig) -> dict[str, Any]:
    """The flow's parameters; local paths absolute because runs start in a process of Prefect's
    (URLs such as s3://bucket/news stay as they are)."""
    parameters = config.flow_parameters()
    parameters["inputs"] = [_absolute(p) for p in config.inputs]
    parameters["output"] = _absolute(config.output)
    return parameters


def _absolute(location: str) -> str:
    return location if "://" in location else str(Path(location).resolve())


def serve_scheduled(
    flow: Flow[..., Any],
    config: RunConfig,
    cron: str,
    *,
    name: str = DEPLOYMENT_NAME,
    server_timeout: float = DEFAULT_SERVER_TIMEOUT,
) -> None:
    """Serve `flow` until SIGTERM or Ctrl-C (SIGINT); runs start on `cron` with `config`.

    A stop signal is a normal end: the runner stops (a run in progress is cancelled and publishes
    nothing), the server started here is stopped, one line says so, and this returns (exit 0).
    """
    stop = StopSignals()
    own_server = not os.environ.get("PREFECT_API_URL")
    try:
        with stop.installed(), prefect_api(server_timeout) as api_url:
            os.environ["PREFECT_API_URL"] = api_url  # inherited by the runs Prefect starts
            apply_prefect_defaults()
            # Imported here: Prefect, after PREFECT_API_URL is set (it reads it at import).
            from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL, temporary_settings

            ui_url = api_url.removesuffix("/api")
            with temporary_settings({PREFECT_API_URL: api_url, PREFECT_UI_URL: ui_url}):
                try:
                    asyncio.run(_serve(flow, config, cron, name, stop))
                finally:
                    end_runs_in_progress()
    except* ServeStopped:
        pass  # a signal before the runner was up, or a second one while it stopped: done
    why = f" on {signal.Signals(stop.signum).name}" if stop.signum is not None else ""
    server = "; stopped the Prefect server" if own_server else ""
    print(f"newsclean: serve stopped{why}{server}", file=sys.stderr, flush=True)


async def _serve(
    flow: Flow[..., Any], config: RunConfig, cron: str, name: str, stop: StopSignals
) -> None:
    """Prefect's runner with our stop handling instead of its SIGTERM handler.

    Prefect's own handler (Runner.handle_sigterm) stops the runner and calls sys.exit from inside
    the signal handler, which ends in a traceback; `flow.serve` offers no way to replace it, so
    the runner is built here as `flow.serve` builds it.
    """
    # Imported here: Prefect: see validate_cron.
    from prefect.deployments.runner import EntrypointType
    from prefect.runner import Runner
    from prefect.settings import PREFECT_UI_URL

    loop = asyncio.get_running_loop()
    # runs of one output never overlap (they would wait on its lock)
    runner = Runner(name=name, pause_on_shutdown=True, limit=1)
    # Runner.start installs `runner.handle_sigterm` for SIGTERM: make that ours. asyncio.run
    # installed its own Ctrl-C handler: replace it too.
    runner.handle_sigterm = stop.handle  # type: ignore[method-assign]
    signal.signal(signal.SIGINT, stop.handle)
    await runner.aadd_flow(
        flow,
        name=name,
        cron=cron,
        parameters=deployment_parameters(config),
        # by module, not file: works from an installed package and any directory
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    print(
        f"newsclean: Prefect UI at {PREFECT_UI_URL.value()} (deployment clean-articles/{name})",
        flush=True,
    )
    serving = loop.create_task(runner.start())

    async def stop_runner() -> None:
        while not runner.started and not serving.done():  # a signal while the runner starts
            await asyncio.sleep(0.1)
        if runner.started:
            await runner.astop()  # cancels runs in progress, ends the polling loops

    stopping: list[asyncio.Task[None]] = []
    stop.on_signal(loop, lambda: stopping.append(loop.create_task(stop_runner())))
    try:
        await serving
    finally:
        stop.on_signal(None, None)
        for task in stopping:
            await task


def end_runs_in_progress(grace: float = STOP_GRACE_SECONDS) -> None:
    """Stop flow runs the runner left behind, while their API server is still up.

    A stopping runner cancels its runs in progress; this is the backstop when it could not (a
    second signal, an error), so no run's process (a child of this one) is orphaned. A stopped
    run publishes nothing, and the next run does its work.
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


class ServeStopped(BaseException):
    """A stop signal to unwind at once (a BaseException, so no `except Exception` swallows it)."""


class StopSignals:
    """SIGTERM and Ctrl-C (SIGINT) stop serve cleanly, whenever they arrive.

    While Prefect's runner serves, the first signal asks it to stop (on its event loop, outside
    the signal handler); before that (the server is starting), or on a second signal while the
    runner stops, the handler raises ServeStopped, which unwinds the stack: finally blocks run and
    the server stops. SIGINT is set explicitly: a shell starts background jobs with SIGINT
    ignored, and Python keeps it so.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._request: Callable[[], object] | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        first = self.signum is None
        if first:
            self.signum = signum
        if first and self._loop is not None and self._request is not None:
            self._loop.call_soon_threadsafe(self._request)
            return
        raise ServeStopped(signum)

    def on_signal(
        self, loop: asyncio.AbstractEventLoop | None, request: Callable[[], object] | None
    ) -> None:
        """Where a first signal goes instead of unwinding: `request` called on `loop`."""
        self._loop, self._request = loop, request

    @contextmanager
    def installed(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
