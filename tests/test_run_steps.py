"""Whole-run steps: measured in the batches, decided over the run, applied in one pass before
validation; publishing reads each staged file once; the summary reads the merged Stats."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from conftest import SAMPLE_DIR
from test_report import article
from test_schema_and_write import article_row

from flows.core import figures
from flows.core.records import Rejection, RunContext, SkippedInput
from flows.core.rows import ArticleRow, InputRow
from flows.core.stats import Stats
from flows.core.storage import Storage
from flows.core.text import content_sha256
from flows.dataset.parquet import articles_table, inputs_table, quarantine_table
from flows.dataset.state import DatasetState
from flows.orchestration.publish import commit_run, publish_run
from flows.quality.report import RowStats, RunSummary, observe_rows
from flows.run_steps import RUN_STEPS
from flows.run_steps.base import BatchTables, RunStep, StagedBatch
from flows.run_steps.duplicates import Duplicates
from flows.run_steps.passes import RunFacts, apply_pass, measure, remeasure
from flows.run_steps.repeated_inputs import RepeatedInputs
from flows.run_steps.repeated_lines import MIN_DOCUMENTS

CONTEXT = RunContext("20261124T001500Z-3fa2c1", datetime(2026, 11, 24, tzinfo=UTC), "0.1.0")
SIGN_OFF = "The talks are part of a series of meetings planned between the two governments."


def tables(
    index: int,
    articles: Sequence[ArticleRow] = (),
    rejections: Sequence[Rejection] = (),
    inputs: Sequence[InputRow] = (),
) -> BatchTables:
    return BatchTables(
        StagedBatch(index),
        articles=articles_table(list(articles)),
        quarantine=quarantine_table(rejections, CONTEXT),
        inputs=inputs_table(list(inputs)),
    )


def input_row(sha: str, uri: str, outcome: str) -> InputRow:
    return InputRow(
        input_sha256=sha,
        record_id=sha[:16],
        outcome=outcome,
        source_uri=uri,
        source_format="jsonl",
        raw_size_bytes=10,
        run_id=CONTEXT.run_id,
        ingested_at=CONTEXT.started_at,
    )


def rejection(record_id: str, uri: str) -> Rejection:
    return Rejection(record_id, uri, "jsonl", "extract", ["timeout"], "took too long")


def decide_all(
    batches: Sequence[BatchTables], steps: Sequence[RunStep[Any, Any]], storage: Storage
) -> tuple[list[Any], RunFacts, list[list[int]]]:
    """The flow's loop without Prefect: facts measured in each batch, the stale ones measured
    again from staging, each step deciding in order. Also returns the batches re-measured."""
    facts = RunFacts(steps, [(batch.staged, measure(batch, steps)) for batch in batches])
    decisions: list[Any] = []
    remeasured: list[list[int]] = []
    for step in steps:
        stale = facts.stale()
        remeasured.append([batch.index for batch in stale])
        for batch in stale:
            facts.remeasured(batch, remeasure(storage, batch, steps, decisions))
        decision = step.decide(facts.of(step), DatasetState())
        facts.decided(step, decision)
        decisions.append(decision)
    return decisions, facts, remeasured


def stage(storage: Storage, batch: BatchTables) -> BatchTables:
    """Write a batch's non-empty tables to staging as a batch task does."""

    def write(table: pa.Table, name: str) -> str | None:
        rel = f".staging/run/batch-{batch.staged.index:05d}.{name}.parquet"
        return storage.write_parquet(table, rel) if table.num_rows else None

    staged = StagedBatch(
        batch.staged.index,
        articles=write(batch.articles, "articles"),
        quarantine=write(batch.quarantine, "quarantine"),
        inputs=write(batch.inputs, "inputs"),
    )
    return batch.replace(staged=staged)


# -- the list --------------------------------------------------------------------------------


def test_the_run_steps_are_one_list_in_the_order_they_must_run() -> None:
    import flows.pipeline

    assert [step.name for step in RUN_STEPS] == [
        "repeated_inputs",
        "repeated_lines",
        "duplicates",
        "stories",
    ]
    assert all(isinstance(step, RunStep) for step in RUN_STEPS)
    assert flows.pipeline.RUN_STEPS is RUN_STEPS  # the flow takes them from there, not a copy


# -- each step on hand-made tables -------------------------------------------------------------


def test_a_copy_read_by_a_later_batch_stays_and_the_other_copys_rows_go() -> None:
    sha, other = "ab" * 32, "cd" * 32
    later = tables(  # met first, but its line comes after the other batch's copy
        0,
        articles=[article_row(sha[:16], source_uri="f.jsonl#L10")],
        inputs=[input_row(sha, "f.jsonl#L10", "article")],
    )
    earlier = tables(
        1,
        articles=[article_row(other[:16], source_uri="g.txt")],
        rejections=[rejection(sha[:16], "f.jsonl#L9")],
        inputs=[input_row(sha, "f.jsonl#L9", "quarantine"), input_row(other, "g.txt", "article")],
    )
    step = RepeatedInputs()
    decision = step.decide([step.facts(later), step.facts(earlier)], DatasetState())
    assert decision.inputs == {(sha, "f.jsonl#L10")}
    assert [step.changes(decision, step.facts(b)) for b in (later, earlier)] == [True, False]
    stats = Stats()
    applied = step.apply(decision, later, stats)
    assert applied.articles.num_rows == 0
    assert applied.inputs["outcome"].to_pylist() == ["repeat"]
    assert step.apply(decision, earlier, stats) is earlier  # the copy that stays is untouched
    assert stats.count(figures.REPEATED_INPUTS) == 1


def test_duplicates_are_decided_over_every_batch_and_the_dataset() -> None:
    bodies = {
        "h1": "The ferry company cancelled all crossings to the island after the storm warning.",
        "h2": "Farmers in the valley expect a late harvest because of the cold and wet spring.",
        "h3": "The city library will open on Sundays from next month, the council announced.",
    }
    rows = {key: article_row(key, body=bodies[digest], content_sha256=digest) for key, digest in
            [("a", "h1"), ("c", "h2"), ("b", "h1"), ("d", "h3")]}  # fmt: skip
    first, second = tables(0, [rows["a"], rows["c"]]), tables(1, [rows["b"], rows["d"]])
    step = Duplicates()
    state = DatasetState(published=[("z", "h3", None)])
    decision = step.decide([step.facts(first), step.facts(second)], state)
    assert {key: link.canonical for key, link in decision.links.items()} == {"b": "a", "d": "z"}
    assert step.apply(decision, first, Stats()) is first  # canonical and unique rows only
    marked = step.apply(decision, second, Stats()).articles
    assert marked["duplicate_of"].to_pylist() == ["a", "z"]
    assert marked["duplicate_kind"].to_pylist() == ["exact", "exact"]
    assert marked["duplicate_similarity"].to_pylist() == [1.0, 1.0]


def test_bodies_equal_once_repeated_lines_are_stripped_are_found_duplicates(
    tmp_path: Path,
) -> None:
    """The duplicates step must see the hashes of the stripped bodies: the batch the
    repeated-lines step changed is measured again from staging before duplicates decide."""
    stories = [f"Story {i} is a long enough paragraph about event number {i}." for i in range(6)]

    def row(index: int, body: str) -> dict[str, Any]:
        return article_row(
            f"{index:016x}",
            publisher="Harbour Daily",
            body=body,
            content_sha256=content_sha256(body),
        )

    signed = [row(i, f"{stories[i]}\n\n{SIGN_OFF}") for i in range(1, MIN_DOCUMENTS + 1)]
    unsigned = [row(9, stories[1]), row(10, stories[5] + " Unrelated.")]
    storage = Storage(tmp_path)
    batches = [stage(storage, tables(0, signed)), stage(storage, tables(1, unsigned))]
    decisions, _, remeasured = decide_all(batches, RUN_STEPS, storage)
    repeats, repeated, duplicates, _ = decisions
    assert not repeats.inputs and repeated
    # only the batch whose bodies changed, before duplicates; the one with a copy, before stories
    assert remeasured == [[], [], [0], [1]]
    # Story 1 unsigned equals the stripped signed one; story 5 with a word more is a near copy.
    assert {key: (link.canonical, link.kind) for key, link in duplicates.links.items()} == {
        f"{9:016x}": (f"{1:016x}", "exact"),
        f"{10:016x}": (f"{5:016x}", "near"),
    }
    # The apply pass gives the stripped, marked rows.
    applied = [after for _, after in apply_pass(storage, [b.staged for b in batches], RUN_STEPS,
                                                 decisions, Stats())]  # fmt: skip
    copy = applied[1].articles.to_pylist()[0]
    assert copy["duplicate_of"] == f"{1:016x}" and copy["body"] == stories[1]
    assert all(SIGN_OFF not in body for body in applied[0].articles["body"].to_pylist())


def test_run_facts_refuse_a_decision_out_of_order_or_on_stale_facts() -> None:
    batch = tables(0, [article_row("a")])
    facts = RunFacts(RUN_STEPS, [(batch.staged, measure(batch, RUN_STEPS))])
    with pytest.raises(ValueError, match="out of order"):
        facts.decided(RUN_STEPS[1], frozenset())

    class ChangesAll(RepeatedInputs):
        def changes(self, decision: Any, facts: Any) -> bool:
            return True

    steps = (ChangesAll(), *RUN_STEPS[1:])
    facts = RunFacts(steps, [(batch.staged, measure(batch, steps))])
    facts.decided(steps[0], steps[0].decide(facts.of(steps[0]), DatasetState()))
    assert facts.stale() == [batch.staged]
    with pytest.raises(ValueError, match="stale"):
        facts.decided(steps[1], frozenset())


# -- the apply pass and publishing -------------------------------------------------------------


class CountingStorage(Storage):
    """A Storage that counts the reads of each file and remembers every write."""

    def __init__(self, location: Path) -> None:
        super().__init__(location)
        self.reads: Counter[str] = Counter()
        self.writes: list[str] = []

    def read_table(
        self, rel: str, columns: list[str] | None = None, schema: pa.Schema | None = None
    ) -> pa.Table:
        self.reads[rel] += 1
        return super().read_table(rel, columns=columns, schema=schema)

    def write_parquet(self, table: pa.Table, rel: str) -> str:
        self.writes.append(rel)
        return super().write_parquet(table, rel)


def test_publishing_reads_each_staged_file_once_and_rewrites_none(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    batches = []
    for index in range(3):
        rows = [article(10 * index + n) for n in range(2)]
        rejected = [rejection(f"{10 * index + 5:016x}", f"in/{index}-bad.jsonl")] if index else []
        inputs = [input_row(f"{r.article_id}{'0' * 48}", r.source_uri, "article") for r in rows]
        batches.append(stage(storage, tables(index, rows, rejected, inputs)))
    decisions, _, _ = decide_all(batches, RUN_STEPS, storage)
    staged = [batch.staged for batch in batches]
    files = {path for s in staged for path in (s.articles, s.quarantine, s.inputs) if path}

    counting, stats = CountingStorage(tmp_path), Stats()
    published = publish_run(
        apply_pass(counting, staged, RUN_STEPS, decisions, stats),
        storage=counting,
        staging=".staging/run",
        context=CONTEXT,
        # The run's ids, as the flow passes them: the rows share a body, so they are duplicates.
        known_ids={f"{10 * index + n:016x}" for index in range(3) for n in range(2)},
        stats=stats,
        unit_rows=4,  # three batches of two rows: units of four and two rows
    )
    assert published.ok, published.batch_failures
    assert counting.reads == {path: 1 for path in files}
    assert all(rel.startswith(".staging/run/ready/") for rel in counting.writes)
    assert len(published.validation_results) == 2
    assert stats.count(figures.PUBLISHED) == 6
    commit_run(storage, CONTEXT.run_id, published.moves, replace_existing=False)
    assert len(pd.read_parquet(tmp_path / "articles")) == 6
    assert len(pd.read_parquet(tmp_path / "quarantine")) == 2
    assert len(pd.read_parquet(tmp_path / "inputs")) == 6


# -- the summary reads the merged Stats --------------------------------------------------------


def _batch_stats(documents: int, repeats: int, reasons: list[str], skipped: str) -> Stats:
    stats = Stats()
    stats.add(figures.DOCUMENTS, documents)
    stats.add(figures.REPEATS_IN_BATCH, repeats)
    stats.add(figures.REJECTED, len(reasons))
    stats.tally(figures.QUARANTINE_REASONS, reasons)
    stats.tally(figures.RECORDS_SKIPPED, skipped)
    return stats


def _published_stats() -> Stats:
    stats = Stats()
    stats.add(figures.PUBLISHED, 3)
    stats.add(figures.DUPLICATES, 1)
    stats.add(figures.VALIDATION_QUARANTINED, 1)
    stats.tally(figures.QUARANTINE_REASONS, "word_count_min")
    stats.add(figures.REPEATED_INPUTS, 2)
    table = articles_table([article(i, word_count=100 * (i + 1)) for i in range(3)])
    observe_rows(stats, table, figures.PUBLISHED_ROWS)
    return stats


def _summary(stats: Stats, failures: Sequence[str] = ()) -> RunSummary:
    config: Any = SimpleNamespace(inputs=["in"], output="out")
    return RunSummary.build(
        context=CONTEXT,
        config=config,
        files=4,
        skipped=[SkippedInput("in/photo.jpg", "unsupported")],
        stats=stats,
        batch_failures=failures,
        validation_results=[],
        finished_at=datetime(2026, 11, 24, 0, 0, 30, tzinfo=UTC),
    )


def test_the_summary_reads_the_merged_stats_of_batches_and_publishing() -> None:
    merged = Stats.total(
        [
            _batch_stats(3, 1, ["timeout"], "request"),
            _batch_stats(4, 0, ["empty_input", "timeout"], "not_html"),
            _published_stats(),
        ]
    )
    summary = _summary(merged)
    assert summary.status == "succeeded"
    assert (summary.documents, summary.published, summary.duplicates) == (8, 3, 1)
    assert summary.quarantined == 3 + 1  # processing rejections and validation's
    assert summary.quarantine_reasons == {"timeout": 2, "empty_input": 1, "word_count_min": 1}
    assert list(summary.records_skipped) == ["not_html", "request"]  # by name, as before
    assert summary.repeated_inputs == 2
    assert summary.published_stats.rows == 3
    assert summary.published_stats.word_count_median == 200
    assert summary.seconds == 30.0


def test_the_summary_carries_each_steps_seconds_merged_over_batches() -> None:
    first, second = Stats(), Stats()
    first.seconds.update(extract=1.25, clean=0.5)
    second.seconds.update(extract=0.75, metadata=0.25)
    merged = first + second
    merged.seconds["duplicates"] = 0.0104
    summary = _summary(merged)
    assert summary.stage_seconds == {
        "extract": 2.0,
        "clean": 0.5,
        "metadata": 0.25,
        "duplicates": 0.01,
    }
    assert summary.as_dict()["stage_seconds"]["extract"] == 2.0


def test_a_failed_run_holds_back_its_documents_and_publishes_no_figures() -> None:
    merged = _batch_stats(3, 1, ["timeout"], "request") + _published_stats()
    summary = _summary(merged, ["unit 0: quarantine_share"])
    assert summary.status == "failed"
    assert (summary.published, summary.duplicates, summary.quarantined) == (0, 0, 0)
    assert summary.held_back == 3 and summary.repeated_inputs == 0
    assert summary.published_stats == RowStats()
    assert summary.batch_failures == ["unit 0: quarantine_share"]


# -- through the flow --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def busy_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Inputs that give every step work: copies of inputs in other files and further down a
    file, a publisher's sign-off under many articles, bodies equal only without it."""
    folder = tmp_path_factory.mktemp("busy-corpus")
    texts = [path.read_text("utf-8") for path in sorted(SAMPLE_DIR.glob("*.txt"))]
    paragraphs = [[p for p in text.split("\n\n")[1:] if len(p) > 120] for text in texts]
    records = []
    for i in range(MIN_DOCUMENTS + 2):
        body = "\n\n".join(paragraphs[i % 5][i // 5 : i // 5 + 4])
        records.append({"url": f"https://harbour.example/{i}", "text": f"{body}\n\n{SIGN_OFF}",
                        "source": "Harbour Daily"})  # fmt: skip
    stripped_copy = "\n\n".join(paragraphs[0][0:4])  # story 0 without its sign-off
    records.append({"url": "https://harbour.example/0b", "text": stripped_copy, "source": "Harbour Daily"})  # fmt: skip
    lines = [json.dumps(record) for record in records]
    (folder / "a").mkdir()
    (folder / "b").mkdir()
    (folder / "a" / "feed.jsonl").write_text("\n".join([*lines, lines[1]]) + "\n", "utf-8")
    (folder / "b" / "copy.jsonl").write_text("\n".join(lines[:3]) + "\n", "utf-8")
    for path in sorted(SAMPLE_DIR.glob("*.txt"))[:2]:
        shutil.copy(path, folder / "a" / path.name)
        shutil.copy(path, folder / "b" / path.name)
    return folder


def _rows(out: Path) -> dict[str, pd.DataFrame]:
    keys = {"articles": "article_id", "quarantine": "record_id", "inputs": "source_uri"}
    frames = {}
    for name, key in keys.items():
        frame = pd.read_parquet(out / name, dtype_backend="pyarrow")
        frame = frame.drop(columns=["run_id", "ingested_at", "article"], errors="ignore")
        frames[name] = frame.sort_values([key, "source_uri"]).reset_index(drop=True)
    return frames


@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_api")
def test_the_summary_figures_and_rows_do_not_depend_on_the_batch_size(
    busy_corpus: Path, tmp_path: Path
) -> None:
    from test_pipeline import run_cli

    volatile = {"run_id", "started_at", "finished_at", "seconds", "output", "data_docs"}
    volatile |= {"stage_seconds"}  # timings: only which steps were timed is compared
    summaries = {}
    for size in ("1", "3", "1000"):
        code, summary = run_cli(str(busy_corpus), "--output", str(tmp_path / size),
                                "--batch-size", size)  # fmt: skip
        assert code == 0, summary
        summaries[size] = {k: v for k, v in summary.items() if k not in volatile}
        summaries[size]["timed_steps"] = sorted(summary["stage_seconds"])
    assert summaries["1"] == summaries["3"] == summaries["1000"]
    figures_ = summaries["1"]
    assert {"extract", "clean", "metadata", "duplicates"} <= set(figures_["timed_steps"])
    assert figures_["repeated_inputs"] == 6  # the line again in its file; 3 lines, 2 files copied
    assert figures_["boilerplate_removed"].get("repeated", 0) >= MIN_DOCUMENTS
    assert figures_["duplicates"] >= 1  # story 0 and its copy without the sign-off
    reference = _rows(tmp_path / "1000")
    for size in ("1", "3"):
        for name, frame in _rows(tmp_path / size).items():
            pd.testing.assert_frame_equal(frame, reference[name], obj=f"{name} ({size})")


class MarkTitles(RunStep[int, int]):
    """A test step: counts the articles over the run and appends the count to each title."""

    name = "mark_titles"

    def facts(self, batch: BatchTables) -> int:
        return batch.articles.num_rows

    def decide(self, facts: Sequence[int], state: DatasetState) -> int:
        return sum(facts)

    def changes(self, decision: int, facts: int) -> bool:
        return False

    def apply(self, decision: int, batch: BatchTables, stats: Stats) -> BatchTables:
        titles = [f"{t} [{decision}]" for t in batch.articles["title"].to_pylist()]
        index = batch.articles.schema.get_field_index("title")
        field = batch.articles.schema.field(index)
        return batch.replace(articles=batch.articles.set_column(index, field, pa.array(titles)))


@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_api")
def test_a_step_named_in_the_list_runs_in_every_batch_and_over_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_pipeline import run_cli

    monkeypatch.setattr("flows.pipeline.RUN_STEPS", (*RUN_STEPS, MarkTitles()))
    code, summary = run_cli(str(SAMPLE_DIR), "--output", str(tmp_path), "--batch-size", "2")
    assert code == 0, summary
    titles = pd.read_parquet(tmp_path / "articles")["title"]
    assert len(titles) == 5 and all(title.endswith(" [5]") for title in titles)
