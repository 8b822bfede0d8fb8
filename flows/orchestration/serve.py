"""Scheduled runs: serve the cleaning flow on a cron schedule with Prefect's own `serve`.

Prefect's temporary local server cannot schedule, so scheduled runs need a real Prefect server:
the one at PREFECT_API_URL when it is set, else the one `newsclean server start` left running
(flows/orchestration/local_server.py; serve leaves it running), else one started here as a child
process (SQLite in PREFECT_HOME, scheduler on) and stopped on exit, whatever the exit: Ctrl-C,
SIGTERM or an error.
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
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from flows.core.settings import RunConfig, apply_prefect_defaults
from flows.orchestration.local_server import (
    STOP_GRACE_SECONDS,
    ServerError,
    configured_api_url,
    find_running_server,
    start_local_server,
    stop_local_server,
    wait_until_healthy,
)

if TYPE_CHECKING:
    from prefect import Flow

DEFAULT_SERVER_TIMEOUT = 120.0  # a first start on a fresh PREFECT_HOME takes 25 to 35 s here
DEPLOYMENT_NAME = "newsclean"


# The server's start and stop are local_server's, shared with `newsclean server`; its error is
# serve's error too.
ServeError = ServerError
SERVE_LOG = "newsclean-serve-server.log"  # not the recorded server's log: both may run at once


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
    choice = choose_api()
    own_server = choice.url is None  # decided before it starts: a signal may come meanwhile
    try:
        with stop.installed(), prefect_api(server_timeout, choice) as api_url:
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


@dataclass(frozen=True)
class ApiChoice:
    """Which Prefect API serve uses: `url`, or None to start a local server for as long as it
    serves. `configured`: the user's PREFECT_API_URL, waited for (it may be starting too)."""

    url: str | None
    configured: bool = False


def choose_api() -> ApiChoice:
    """PREFECT_API_URL's server, else the one `newsclean server start` left running, else none."""
    if configured := configured_api_url():
        return ApiChoice(configured.rstrip("/"), configured=True)
    running = find_running_server()
    if running is not None:
        print(f"newsclean: using the Prefect server at {running.ui_url}", file=sys.stderr)
        return ApiChoice(running.api_url)
    return ApiChoice(None)


@contextmanager
def prefect_api(server_timeout: float, choice: ApiChoice | None = None) -> Iterator[str]:
    """The API URL to serve on: the chosen server's, or a local server started for the block."""
    choice = choice or choose_api()
    if choice.url:
        if choice.configured:
            wait_until_healthy(choice.url, timeout=min(server_timeout, 15.0), process=None)
        yield choice.url
        return
    server = start_local_server(server_timeout, log_name=SERVE_LOG)
    try:
        yield server.api_url
    finally:
        stop_local_server(server)


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
