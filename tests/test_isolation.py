"""The per-document time limit holds even for work that never returns, and crashes are contained."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import pytest

from flows.core.records import Rejection, RunContext, SeedMetadata, SourceDocument
from flows.orchestration.isolation import IsolatedWorker, WorkerPool
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
    # Not an ArticleRow: the worker carries whatever the work returns; the pid shows which child,
    # the run id which run the child believes it works for.
    row = {"article_id": doc.record_id, "pid": str(os.getpid()), "run": context.run_id}
    return DocumentResult(row)  # type: ignore[arg-type]


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


def test_a_child_is_replaced_after_its_share_of_documents() -> None:
    worker = IsolatedWorker(CONTEXT, ProcessSettings(), 20, work=sleepy, max_documents=2)
    with worker:
        pids = [worker.process(_doc(f"d{i}")).outcome["pid"] for i in range(5)]  # type: ignore[index]
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_pool_keeps_a_child_warm_across_batches_and_runs() -> None:
    pool = WorkerPool()
    later = RunContext("later-run", datetime(2026, 1, 2, tzinfo=UTC), "test")
    try:
        with pool.lend(CONTEXT, ProcessSettings(), 20, work=sleepy) as worker:
            first = worker.process(_doc("a")).outcome
        assert pool.idle == 1
        with pool.lend(later, ProcessSettings(), 20, work=sleepy) as worker:
            second = worker.process(_doc("b")).outcome
    finally:
        pool.close()
    assert isinstance(first, dict) and isinstance(second, dict)
    assert first["pid"] == second["pid"]  # the same child served both batches
    assert (first["run"], second["run"]) == ("run", "later-run")  # each with its own run
    assert pool.idle == 0 and not _pid_alive(int(first["pid"]))  # close ended the child


def test_a_pooled_worker_still_quarantines_hangs_and_crashes() -> None:
    pool = WorkerPool()
    try:
        with pool.lend(CONTEXT, ProcessSettings(), 1.0, work=sleepy) as worker:
            before = worker.process(_doc("ok")).outcome
            hung = worker.process(_doc("hang")).outcome
        with pool.lend(CONTEXT, ProcessSettings(), 20, work=sleepy) as worker:
            crashed = worker.process(_doc("crash")).outcome
        with pool.lend(CONTEXT, ProcessSettings(), 20, work=sleepy) as worker:
            after = worker.process(_doc("fine")).outcome
    finally:
        pool.close()
    assert isinstance(hung, Rejection) and hung.reasons == ["timeout"]
    assert isinstance(crashed, Rejection) and crashed.reasons == ["worker_crashed"]
    assert isinstance(before, dict) and isinstance(after, dict)
    assert before["pid"] != after["pid"]  # the children that hung and crashed were replaced


def test_two_batches_at_once_get_two_workers() -> None:
    pool = WorkerPool()
    try:
        with (
            pool.lend(CONTEXT, ProcessSettings(), 20, work=sleepy) as one,
            pool.lend(CONTEXT, ProcessSettings(), 20, work=sleepy) as two,
        ):
            pids = {one.process(_doc("x")).outcome["pid"], two.process(_doc("y")).outcome["pid"]}  # type: ignore[index]
        assert len(pids) == 2 and pool.idle == 2
    finally:
        pool.close()


def test_a_batch_that_fails_midway_does_not_return_its_worker() -> None:
    pool = WorkerPool()
    try:
        with pytest.raises(RuntimeError), pool.lend(CONTEXT, ProcessSettings(), 20, sleepy) as w:
            pid = int(w.process(_doc("ok")).outcome["pid"])  # type: ignore[index]
            raise RuntimeError("the batch broke")
        assert pool.idle == 0 and not _pid_alive(pid)
    finally:
        pool.close()
