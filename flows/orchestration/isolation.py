"""Run the per-document work in a child process, under a time limit that really holds.

trafilatura's own timeout applies only to its command line, and a Python thread cannot be
interrupted: the only reliable way to stop a pathological page is to kill the process working on
it. A worker keeps one child for many documents (start-up is paid once) and replaces it after a
timeout or a crash.

Children outlive a batch: `WORKERS`, the process's pool, lends a batch an idle worker and takes
it back after, so the caches a child builds as it works (dateparser's locale regexes,
langdetect's profiles, the block model, trafilatura's imports) serve every batch of the run, not
one. A child is replaced after MAX_DOCUMENTS_PER_CHILD documents, so what those caches and the
allocator keep stays bounded however long the run.
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.connection
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flows.core.records import RunContext, SourceDocument
from flows.stages.document import ProcessSettings, reject
from flows.stages.process import DocumentResult, process_document

# Modules the fork server imports once, so each child starts warm in milliseconds.
_PRELOAD = [
    "flows.stages.process",
    "flows.stages.clean",
    "flows.stages.metadata",
    "trafilatura",
    "langdetect",
]
# A child is replaced after this many documents: its caches stay warm for thousands of pages,
# and whatever it accumulates (caches without a bound, a fragmented heap) is given back.
MAX_DOCUMENTS_PER_CHILD = 2000
# A preforked worker's time limit until a batch lends it and sets the run's own.
PREFORK_TIMEOUT_SECONDS = 60.0


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: children fork from a clean single-threaded server, never from the threaded
    # parent (Prefect runs threads; forking those can deadlock).
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


# The work a child does per document: process_document, or a stand-in in tests.
DocumentTask = Callable[[SourceDocument, RunContext, ProcessSettings], DocumentResult]


@dataclass(frozen=True)
class _Setup:
    """Sent to a child before the documents of another run or settings (a pooled child serves
    many batches)."""

    context: RunContext
    settings: ProcessSettings


def _child_main(
    conn: multiprocessing.connection.Connection,
    context: RunContext,
    settings: ProcessSettings,
    work: DocumentTask,
) -> None:
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        if isinstance(message, _Setup):
            context, settings = message.context, message.settings
            continue
        try:
            result: Any = ("ok", work(message, context, settings))
        except Exception as error:  # a bug or a library failure on one page must not end the run
            result = ("error", f"{type(error).__name__}: {error}")
        conn.send(result)


class IsolatedWorker:
    """Processes documents one at a time in a child process; see the module docstring."""

    def __init__(
        self,
        context: RunContext,
        settings: ProcessSettings,
        timeout_seconds: float,
        work: DocumentTask = process_document,
        max_documents: int = MAX_DOCUMENTS_PER_CHILD,
    ) -> None:
        self.work = work  # a module-level function: it is pickled into the child
        self._context = context
        self._settings = settings
        self._timeout = timeout_seconds
        self._max_documents = max_documents
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: multiprocessing.connection.Connection | None = None
        self._child_setup: _Setup | None = None  # what the current child was last told
        self._done = 0  # documents the current child finished

    def __enter__(self) -> IsolatedWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def serve(self, context: RunContext, settings: ProcessSettings, timeout_seconds: float) -> None:
        """Work for another batch: its run, settings and time limit (the child is kept)."""
        self._context, self._settings, self._timeout = context, settings, timeout_seconds

    def _start(
        self, ctx: multiprocessing.context.BaseContext | None = None
    ) -> multiprocessing.connection.Connection:
        ctx = ctx or _context()
        parent, child = ctx.Pipe()
        process = ctx.Process(  # type: ignore[attr-defined]
            target=_child_main, args=(child, self._context, self._settings, self.work), daemon=True
        )
        process.start()
        child.close()
        self._process, self._conn, self._done = process, parent, 0
        self._child_setup = _Setup(self._context, self._settings)
        return parent

    def _connection(self) -> multiprocessing.connection.Connection:
        """The current child's pipe, told this batch's setup; a fresh child when there is none
        or the current one has served its share."""
        if self._conn is not None and self._done >= self._max_documents:
            self._retire()
        if self._conn is None:
            return self._start()
        setup = _Setup(self._context, self._settings)
        if setup != self._child_setup:
            self._conn.send(setup)
            self._child_setup = setup
        return self._conn

    def process(self, doc: SourceDocument) -> DocumentResult:
        """The document's outcome and counters; a timeout or a crash is a rejection with no
        counters (what the child counted died with it)."""
        try:
            conn = self._connection()
            conn.send(doc)
            if not conn.poll(self._timeout):
                self._kill()
                detail = f"processing took longer than the {self._timeout:g} s limit per document"
                return DocumentResult(reject(doc, "extract", "timeout", detail))
            status, payload = conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
            fresh = self._done == 0  # died before it finished a single document
            if self._process is not None:
                self._process.join(timeout=5)  # its exit code, not None
            code = self._process.exitcode if self._process else None
            self._kill()
            detail = f"the worker process died (exit code {code})"
            if fresh:
                detail += (
                    "; if newsclean is called from a script, is the call under "
                    "`if __name__ == '__main__':`? Worker processes import the main script again"
                )
            return DocumentResult(reject(doc, "extract", "worker_crashed", detail))
        self._done += 1
        if status == "error":
            return DocumentResult(reject(doc, "extract", "processing_error", payload))
        return payload

    @property
    def alive(self) -> bool:
        """A child is running (or none was needed yet): the worker can serve another batch."""
        return self._process is None or self._process.is_alive()

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(timeout=10)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn, self._child_setup = None, None, None

    def _retire(self) -> None:
        """Let the child finish and exit (its pipe says so), then forget it."""
        if self._conn is not None and self._process is not None:
            try:
                self._conn.send(None)
                self._process.join(timeout=5)
            except (BrokenPipeError, OSError):
                pass
        self._kill()

    def close(self) -> None:
        self._retire()


class WorkerPool:
    """Isolated workers kept between batches, so their children stay warm; one pool a process.

    A batch borrows a worker (`lend`) and gives it back when it is done; a worker whose child
    died with it is dropped. The pool holds at most as many workers as batches ever ran at once
    in this process (the task runner's threads), each with one child.
    """

    def __init__(self) -> None:
        self._idle: list[IsolatedWorker] = []
        self._lock = threading.Lock()

    @contextmanager
    def lend(
        self,
        context: RunContext,
        settings: ProcessSettings,
        timeout_seconds: float,
        work: DocumentTask = process_document,
    ) -> Iterator[IsolatedWorker]:
        with self._lock:
            worker = next((idle for idle in self._idle if idle.work is work), None)
            if worker is not None:
                self._idle.remove(worker)
        if worker is None:
            worker = IsolatedWorker(context, settings, timeout_seconds, work)
        else:
            worker.serve(context, settings, timeout_seconds)
        try:
            yield worker
        except BaseException:
            worker.close()  # the batch failed midway: its child's state is not to be trusted
            raise
        if not worker.alive:
            worker.close()
            return
        with self._lock:
            self._idle.append(worker)

    @property
    def idle(self) -> int:
        return len(self._idle)

    def prefork(
        self, count: int, context: RunContext, work: DocumentTask = process_document
    ) -> None:
        """Start `count` idle workers now by forking this process, which has the stages imported
        and their caches loaded (the warm runner): children ready at once, no fork server to
        start. Only while this process runs no thread (a fork copies only the calling one);
        otherwise nothing happens and batches start their workers as usual. Later children
        (after a timeout, a crash or MAX_DOCUMENTS_PER_CHILD) come from the fork server."""
        if threading.active_count() != 1 or "fork" not in multiprocessing.get_all_start_methods():
            return
        fork = multiprocessing.get_context("fork")
        started = []
        for _ in range(count):
            worker = IsolatedWorker(context, ProcessSettings(), PREFORK_TIMEOUT_SECONDS, work)
            worker._start(fork)
            started.append(worker)
        with self._lock:
            self._idle.extend(started)

    def close(self) -> None:
        """End every idle worker's child (at the end of a run, and at exit)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


WORKERS = WorkerPool()
atexit.register(WORKERS.close)


def release_workers() -> None:
    """End the idle children of this process's pool (a run's batches are done).

    A function, not `WORKERS.close` named where it is used: the flow function can be pickled by
    value (Dask), and a pool with a lock and processes does not pickle."""
    WORKERS.close()
