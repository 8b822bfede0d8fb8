"""Run the per-document work in a child process, under a time limit that really holds.

trafilatura's own timeout applies only to its command line, and a Python thread cannot be
interrupted: the only reliable way to stop a pathological page is to kill the process working on
it. A worker keeps one child for many documents (start-up is paid once) and replaces it after a
timeout or a crash.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
from collections.abc import Callable
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


def _child_main(
    conn: multiprocessing.connection.Connection,
    context: RunContext,
    settings: ProcessSettings,
    work: DocumentTask,
) -> None:
    while True:
        try:
            doc = conn.recv()
        except EOFError:
            return
        if doc is None:
            return
        try:
            result: Any = ("ok", work(doc, context, settings))
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
    ) -> None:
        self._work = work  # a module-level function: it is pickled into the child
        self._context = context
        self._settings = settings
        self._timeout = timeout_seconds
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: multiprocessing.connection.Connection | None = None
        self._served = False  # the current child finished at least one document

    def __enter__(self) -> IsolatedWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> multiprocessing.connection.Connection:
        ctx = _context()
        parent, child = ctx.Pipe()
        process = ctx.Process(  # type: ignore[attr-defined]
            target=_child_main, args=(child, self._context, self._settings, self._work), daemon=True
        )
        process.start()
        child.close()
        self._process, self._conn, self._served = process, parent, False
        return parent

    def process(self, doc: SourceDocument) -> DocumentResult:
        """The document's outcome and counters; a timeout or a crash is a rejection with no
        counters (what the child counted died with it)."""
        conn = self._conn or self._start()
        try:
            conn.send(doc)
            if not conn.poll(self._timeout):
                self._kill()
                detail = f"processing took longer than the {self._timeout:g} s limit per document"
                return DocumentResult(reject(doc, "extract", "timeout", detail))
            status, payload = conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
            fresh = not self._served  # died before it finished a single document
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
        self._served = True
        if status == "error":
            return DocumentResult(reject(doc, "extract", "processing_error", payload))
        return payload

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(timeout=10)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None

    def close(self) -> None:
        if self._conn is not None and self._process is not None:
            try:
                self._conn.send(None)
                self._process.join(timeout=5)
            except (BrokenPipeError, OSError):
                pass
        self._kill()
