"""The per-document time limit holds even for work that never returns, and crashes are contained."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

from flows.core.records import Rejection, RunContext, SeedMetadata, SourceDocument
from flows.orchestration.isolation import IsolatedWorker
from flows.stages.document import ProcessSettings
from flows.stages.process import DocumentResult

CONTEXT = RunContext("run", datetime(2026, 1, 1, tzinfo=UTC), "test")


def _doc(content: str) -> SourceDocument:
    return SourceDocument(
        "id-" + content, "mem://" + content, "text", "text", content, len(content), SeedMetadata()
    )


def sleepy(doc: SourceDocument, context: RunContext, settings: ProcessSettings) -> DocumentResult:
    if doc.content == "hang":
        time.sleep(3600)
    if doc.content == "crash":
        os._exit(3)
    if doc.content == "raise":
        raise ValueError("bad page")
    # Not an ArticleRow: the worker carries whatever the work returns; the pid shows which child.
    return DocumentResult({"article_id": doc.record_id, "pid": str(os.getpid())})  # type: ignore[arg-type]


def test_timeout_kills_the_document_and_the_worker_goes_on() -> None:
    started = time.monotonic()
    with IsolatedWorker(CONTEXT, ProcessSettings(), timeout_seconds=1.0, work=sleepy) as worker:
        first = worker.process(_doc("ok")).outcome
        hung = worker.process(_doc("hang")).outcome
        after = worker.process(_doc("fine")).outcome
    assert time.monotonic() - started < 60
    assert isinstance(hung, Rejection) and hung.reasons == ["timeout"]
    assert isinstance(first, dict) and isinstance(after, dict)
    assert first["pid"] != after["pid"]  # the hung child was replaced


def test_crash_and_exception_become_rejections() -> None:
    with IsolatedWorker(CONTEXT, ProcessSettings(), timeout_seconds=20, work=sleepy) as worker:
        crashed = worker.process(_doc("crash")).outcome
        raised = worker.process(_doc("raise")).outcome
        fine = worker.process(_doc("ok")).outcome
    assert isinstance(crashed, Rejection) and crashed.reasons == ["worker_crashed"]
    assert "exit code 3" in (crashed.detail or "")
    assert "__main__" in (crashed.detail or "")  # a child dying at once: the likely cause named
    assert isinstance(raised, Rejection) and raised.reasons == ["processing_error"]
    assert "bad page" in (raised.detail or "")
    assert isinstance(fine, dict)


def test_a_child_that_served_before_gets_no_script_hint() -> None:
    with IsolatedWorker(CONTEXT, ProcessSettings(), timeout_seconds=20, work=sleepy) as worker:
        worker.process(_doc("ok"))
        crashed = worker.process(_doc("crash")).outcome
    assert isinstance(crashed, Rejection) and "__main__" not in (crashed.detail or "")


def test_one_child_serves_many_documents() -> None:
    with IsolatedWorker(CONTEXT, ProcessSettings(), timeout_seconds=20, work=sleepy) as worker:
        pids = {worker.process(_doc(f"d{i}")).outcome["pid"] for i in range(5)}  # type: ignore[index]
    assert len(pids) == 1
