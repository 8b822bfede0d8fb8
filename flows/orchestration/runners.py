"""Task runners for the batch tasks: threads in this process, or a Dask cluster (prefect-dask).

Batch tasks drive a child process each (flows/orchestration/isolation.py) and report to a Prefect API, so a Dask
cluster needs two things a stock `DaskTaskRunner` does not give:

- non-daemonic worker processes: Python forbids daemonic processes to have children, and Dask
  starts its workers as daemons unless `distributed.worker.daemon` is False;
- the URL of the flow's Prefect API in the workers' environment: without it every worker process
  starts its own temporary Prefect server (about 20 s each, and runs invisible to the flow's).

A local cluster is started with both. The workers of an external cluster (`--dask-address`) are
checked when the runner opens: a daemonic worker, or one without PREFECT_API_URL, stops the run
with an error that says how to start the workers, before any batch is submitted.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
from typing import TYPE_CHECKING, Any

from flows.core.settings import TASK_RUNNERS

if TYPE_CHECKING:  # Prefect is imported lazily: flows.pipeline sets its settings first
    from prefect.task_runners import TaskRunner

# Active while the runner is open: the nanny reads it when it (re)starts a worker process.
DASK_CONFIG = {"distributed.worker.daemon": False}
WORKER_SETUP_HELP = (
    "start each worker with DASK_DISTRIBUTED__WORKER__DAEMON=False and PREFECT_API_URL=<the "
    "flow's Prefect server>/api in its environment (see docs/scaling.md)"
)
log = logging.getLogger(__name__)


class DaskWorkerSetupError(RuntimeError):
    """The external cluster's workers cannot run batch tasks as they were started."""


def make_task_runner(kind: str, workers: int, dask_address: str | None = None) -> TaskRunner[Any]:
    """The runner for `kind`: "threads" (a pool of `workers` threads) or "dask".

    "dask" without an address starts a local cluster of `workers` single-threaded processes for
    the run; with an address it uses that scheduler's workers (they must be started with
    `DASK_DISTRIBUTED__WORKER__DAEMON=False`, a PREFECT_API_URL, and see the run's output folder).
    Call it inside the flow: the local cluster's workers are pointed at the flow's Prefect API.
    """
    if kind == "threads":
        # Imported here: Prefect (1.5 to 2 s) is imported by the flow, not by `newsclean --help`.
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=workers)
    if kind == "dask":
        runner = dask_runner_class()
        if dask_address:
            return runner(address=dask_address)
        return runner(cluster_kwargs=local_cluster_kwargs(workers))
    raise ValueError(f"unknown task runner {kind!r}; expected one of {', '.join(TASK_RUNNERS)}")


def local_cluster_kwargs(workers: int) -> dict[str, Any]:
    env = {"PREFECT_API_URL": url} if (url := current_api_url()) else {}
    return {
        "n_workers": workers,
        "threads_per_worker": 1,  # one batch at a time per process: the batch is the unit
        "processes": True,
        "dashboard_address": ":0",  # None would still open 8787
        "silence_logs": logging.WARNING,
        "env": env,
    }


def current_api_url() -> str | None:
    """The Prefect API this flow run talks to, also when it is the temporary local server."""
    # Imported here: Prefect: see make_task_runner.
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is None or context.client is None:
        from prefect.settings import PREFECT_API_URL  # Prefect: see make_task_runner

        return PREFECT_API_URL.value() or None
    return str(context.client.api_url).rstrip("/")


def worker_setup() -> tuple[bool, str | None]:
    """Run on each Dask worker: whether it is daemonic, and the Prefect API it reports to."""
    return multiprocessing.current_process().daemon, os.environ.get("PREFECT_API_URL") or None


def check_workers(
    setups: dict[str, tuple[bool, str | None]], api_url: str | None, address: str
) -> None:
    """Refuse workers that cannot run batch tasks; warn about ones that report to another API.

    A daemonic worker fails every batch (it may not start the per-document child process); a
    worker without PREFECT_API_URL starts a temporary Prefect server of its own (runs invisible
    to the flow's). A different URL may be the same server under another name: a warning.
    """
    if not setups:
        log.warning("the Dask cluster at %s has no workers yet; batches wait for some", address)
    daemonic = sorted(worker for worker, (daemon, _) in setups.items() if daemon)
    no_api = sorted(worker for worker, (_, url) in setups.items() if not url)
    problems = []
    if daemonic:
        problems.append(f"daemonic workers (cannot start child processes): {', '.join(daemonic)}")
    if no_api:
        problems.append(f"workers without PREFECT_API_URL: {', '.join(no_api)}")
    if problems:
        raise DaskWorkerSetupError(
            f"the Dask cluster at {address} has {'; '.join(problems)}; {WORKER_SETUP_HELP}"
        )
    other = {url for _, url in setups.values() if url and api_url and url.rstrip("/") != api_url}
    if other:
        log.warning(
            "Dask workers report to %s, this flow to %s: runs show up in the flow's API only if "
            "they are the same server",
            ", ".join(sorted(str(url) for url in other)),
            api_url,
        )


@functools.cache
def dask_runner_class() -> Any:
    """Built on first use: importing prefect_dask (and distributed) costs about 0.8 s."""
    # Imported here: see the docstring.
    import dask.config
    from prefect_dask import DaskTaskRunner

    class NewscleanDaskTaskRunner(DaskTaskRunner):
        """Keeps DASK_CONFIG on and its scratch folder private while it is open."""

        def __enter__(self) -> NewscleanDaskTaskRunner:
            super().__enter__()
            stack = self._exit_stack  # closed by DaskTaskRunner.__exit__, after the cluster
            scratch = tempfile.mkdtemp(prefix="newsclean-dask-")
            stack.callback(shutil.rmtree, scratch, ignore_errors=True)
            stack.enter_context(dask.config.set({**DASK_CONFIG, "temporary-directory": scratch}))
            # The scheduler lives in this process; its INFO lines would flood the run's output.
            quiet = logging.getLogger("distributed")
            stack.callback(quiet.setLevel, quiet.level)
            quiet.setLevel(logging.WARNING)
            if self.address:  # an external cluster: its workers were started by someone else
                try:
                    check_workers(self.client.run(worker_setup), current_api_url(), self.address)
                except BaseException:
                    self.__exit__(*sys.exc_info())
                    raise
            return self

    return NewscleanDaskTaskRunner
