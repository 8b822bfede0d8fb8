"""One document through the per-document stages: the stage list is what runs, a rejection ends it,
and the document's counters come back with its outcome, also from a worker process and per batch."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SAMPLE_DIR

from flows.core import figures
from flows.core.records import Rejection, RunContext, SourceDocument
from flows.core.rows import ArticleRow
from flows.core.storage import Storage
from flows.orchestration.batch import BatchSettings, plan_batches, run_batch
from flows.orchestration.isolation import IsolatedWorker
from flows.readers import discover
from flows.run_steps import RUN_STEPS
from flows.stages import extract, metadata, process
from flows.stages.document import DocumentState, ProcessSettings, StageOrderError
from flows.stages.process import DocumentResult, process_document

CONTEXT = RunContext("run", datetime(2026, 1, 1, tzinfo=UTC), "test")
ARTICLE = sorted(SAMPLE_DIR.glob("*.txt"))[0].read_text(encoding="utf-8")
ONLY_CREDITS = "Share this article\n\nReporting by Jane Doe; Editing by John Roe"


def _doc(content: str, kind: str = "text") -> SourceDocument:
    fmt = "html" if kind == "html" else "text"
    return SourceDocument("0123456789abcdef", f"mem://doc.{fmt}", fmt, kind, content, len(content))


def _with_stage(name: str, stage: object, after: str) -> dict[str, object]:
    """The real stage list with `stage` inserted after the stage named `after`."""
    stages: dict[str, object] = {}
    for existing, function in process.DOCUMENT_STAGES.items():
        stages[existing] = function
        if existing == after:
            stages[name] = stage
    return stages


def test_a_stage_named_in_the_list_is_run_in_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[DocumentState] = []

    def spy(state: DocumentState) -> DocumentState:
        seen.append(state)
        return state

    monkeypatch.setattr(process, "DOCUMENT_STAGES", _with_stage("spy", spy, after="clean"))
    result = process_document(_doc(ARTICLE), CONTEXT)
    assert len(seen) == 1
    assert seen[0].cleaned is not None and seen[0].metadata is None  # after clean, before metadata
    assert isinstance(result.outcome, ArticleRow)
    assert list(result.stats.seconds) == ["extract", "clean", "spy", "metadata"]


def test_a_rejection_ends_the_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[str] = []

    def gate(state: DocumentState) -> Rejection:
        return state.reject("gate", "not_wanted", "a test stage refused it")

    def later(state: DocumentState) -> DocumentState:
        called.append(state.doc.record_id)
        return state

    stages = _with_stage("gate", gate, after="extract")
    stages["later"] = later
    monkeypatch.setattr(process, "DOCUMENT_STAGES", stages)
    result = process_document(_doc(ARTICLE), CONTEXT)
    assert isinstance(result.outcome, Rejection)
    assert (result.outcome.stage, result.outcome.reasons) == ("gate", ["not_wanted"])
    assert called == []
    assert list(result.stats.seconds) == ["extract", "gate"]
    assert result.stats.breakdown("rejected_by_stage") == {"gate": 1}


def test_process_document_runs_exactly_the_stage_list() -> None:
    result = process_document(_doc(ARTICLE), CONTEXT)
    assert list(result.stats.seconds) == list(process.DOCUMENT_STAGES)
    assert result.stats.breakdown("rejected_by_stage") == {}


def test_a_stage_before_the_one_it_needs_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    stages = {"extract": extract.stage, "metadata": metadata.stage}  # clean left out
    monkeypatch.setattr(process, "DOCUMENT_STAGES", stages)
    with pytest.raises(StageOrderError, match="cleaned text"):
        process_document(_doc(ARTICLE), CONTEXT)


def test_the_clean_stage_counts_the_spans_the_row_records() -> None:
    result = process_document(_doc(ARTICLE), CONTEXT)
    row = result.outcome
    assert isinstance(row, ArticleRow) and row.boilerplate
    kinds = Counter(span["kind"] for span in row.boilerplate)
    assert result.stats.breakdown("spans_removed") == dict(kinds)


@pytest.mark.parametrize(
    ("content", "kind", "stage", "reason"),
    [
        (ONLY_CREDITS, "text", "clean", "no_article_text"),
        ("<html><body></body></html>", "html", "extract", "no_main_text"),
    ],
)
def test_rejections_are_counted_by_the_stage_that_made_them(
    content: str, kind: str, stage: str, reason: str
) -> None:
    result = process_document(_doc(content, kind), CONTEXT)
    assert isinstance(result.outcome, Rejection)
    assert (result.outcome.stage, result.outcome.reasons) == (stage, [reason])
    assert result.stats.breakdown("rejected_by_stage") == {stage: 1}
    assert list(result.stats.seconds)[-1] == stage  # no stage after the rejecting one ran


def test_stages_do_not_change_the_state_they_are_given() -> None:
    state = DocumentState(_doc(ARTICLE), CONTEXT)
    after = process.run_stages(state, process.DOCUMENT_STAGES)
    assert isinstance(after, DocumentState)
    assert (state.extracted, state.cleaned, state.metadata, state.removed) == (None, None, None, ())
    assert after.stats is state.stats  # the one shared accumulator
    assert after.removed and after.cleaned is not None
    assert list(after.removed) == after.cleaned.removed


def test_the_outcome_and_its_counters_cross_the_worker_boundary() -> None:
    here = process_document(_doc(ARTICLE), CONTEXT, ProcessSettings())
    with IsolatedWorker(CONTEXT, ProcessSettings(), timeout_seconds=120) as worker:
        there = worker.process(_doc(ARTICLE))
        refused = worker.process(_doc(ONLY_CREDITS))
    assert isinstance(there, DocumentResult)
    assert there.outcome == here.outcome  # the same row, built in the child
    assert list(there.stats.seconds) == list(process.DOCUMENT_STAGES)
    assert there.stats.tallies == here.stats.tallies
    assert refused.stats.breakdown("rejected_by_stage") == {"clean": 1}


def test_a_batch_merges_the_counters_of_its_documents(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    articles = sorted(SAMPLE_DIR.glob("*.txt"))[:3]
    for path in articles:
        (corpus / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "credits-only.txt").write_text(ONLY_CREDITS, encoding="utf-8")
    files, _ = discover([corpus])
    [spec] = plan_batches(files, workers=1, batch_size=len(files))
    storage = Storage(tmp_path / "out")
    result = run_batch(
        spec,
        context=CONTEXT,
        settings=BatchSettings(),
        storage=storage,
        staging="staging",
        steps=RUN_STEPS,
    )
    counts = result.stats.count
    assert (counts(figures.ARTICLES_STAGED), counts(figures.REJECTED)) == (3, 1)
    assert result.stats.breakdown("rejected_by_stage") == {"clean": 1}
    staged = storage.read_table(result.staged.articles or "")
    spans = Counter(span["kind"] for row in staged["boilerplate"].to_pylist() for span in row)
    refused = process_document(_doc(ONLY_CREDITS), CONTEXT).stats.breakdown("spans_removed")
    assert refused  # the cleaner removed something before it refused the document
    spans.update(refused)
    assert Counter(result.stats.breakdown("spans_removed")) == spans
    # Timed: the batch's reading, each document stage, its staging, each whole-run step's facts.
    timed = {*process.DOCUMENT_STAGES, figures.READ_SECONDS, figures.STAGE_SECONDS}
    assert set(result.stats.seconds) == timed | {step.name for step in RUN_STEPS}
    assert all(spent >= 0 for spent in result.stats.seconds.values())
