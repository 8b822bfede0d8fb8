"""The run summary: counts that add up, written as JSON and Markdown, and printed on one screen."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from flows.core import figures
from flows.core.layout import ARTICLES, REPORTS_DIR
from flows.core.stats import Stats
from flows.core.storage import Storage, write_text_atomic

if TYPE_CHECKING:  # annotations only: `newsclean report` should not import the pipeline's stages
    from flows.core.records import RunContext, SkippedInput
    from flows.core.settings import RunConfig

DATA_DOCS_INDEX = "index.html"
# Columns the row statistics need: read only these from the Parquet files.
STATS_COLUMNS = ["language", "word_count", "published_at"]

log = logging.getLogger(__name__)


@dataclass
class RowStats:
    """What the rows look like: language mix, word-count and publication-date ranges."""

    rows: int = 0
    languages: dict[str, int] = field(default_factory=dict)  # code (or "unknown") -> rows
    word_count_min: int | None = None
    word_count_median: float | None = None
    word_count_max: int | None = None
    published_first: str | None = None  # ISO timestamps, UTC
    published_last: str | None = None
    undated: int = 0

    @classmethod
    def from_stats(cls, stats: Stats, prefix: str) -> RowStats:
        """The statistics `observe_rows` counted into `stats` under `prefix`."""
        words = stats.summary(f"{prefix}.word_count")
        first, last = stats.extent(f"{prefix}.published_at")
        return cls(
            rows=stats.count(f"{prefix}.rows"),
            languages=stats.breakdown(f"{prefix}.languages"),
            word_count_min=words.min,
            word_count_median=words.median,
            word_count_max=words.max,
            published_first=first.isoformat() if first else None,
            published_last=last.isoformat() if last else None,
            undated=stats.count(f"{prefix}.undated"),
        )

    @classmethod
    def from_tables(cls, tables: Iterable[pa.Table]) -> RowStats:
        """Of tables with STATS_COLUMNS, counted one at a time (one file in memory at a time)."""
        stats = Stats()
        for table in tables:
            observe_rows(stats, table, "rows")
        return cls.from_stats(stats, "rows")

    def to_markdown(self, title: str) -> list[str]:
        lines = [f"## {title}", ""]
        if not self.rows:
            return [*lines, "No rows.", ""]
        mix = ", ".join(f"{code} {count}" for code, count in self.languages.items())
        lines.append(f"- rows: {self.rows}")
        lines.append(f"- languages: {mix}")
        if self.word_count_min is not None:
            lines.append(
                f"- word count: min {self.word_count_min}, median {self.word_count_median:g}, "
                f"max {self.word_count_max}"
            )
        if self.published_first:
            lines.append(
                f"- published_at: {self.published_first} to {self.published_last}"
                + (f" ({self.undated} rows without a date)" if self.undated else "")
            )
        else:
            lines.append("- published_at: no row has a date")
        return [*lines, ""]


def observe_rows(stats: Stats, table: pa.Table, prefix: str) -> None:
    """Count a table's rows (STATS_COLUMNS at least) into `stats` under `prefix`: rows, language
    mix ("unknown" for none), word counts and the publication dates' range."""
    stats.add(f"{prefix}.rows", table.num_rows)
    languages = table["language"].to_pylist()
    stats.tally(f"{prefix}.languages", ["unknown" if code is None else code for code in languages])
    stats.observe(f"{prefix}.word_count", table["word_count"].drop_null().to_pylist())
    dates = table["published_at"]
    stats.add(f"{prefix}.undated", dates.null_count)
    extremes = pc.min_max(dates).as_py()
    stats.extend(f"{prefix}.published_at", (extremes["min"], extremes["max"]))


@dataclass
class FailedExpectation:
    """An expectation that failed somewhere in a run, summed over its validation units."""

    name: str
    level: str  # "row": failing rows are quarantined; "batch": the unit is not published
    rows: int | None  # rows that failed it; None for table-level checks (columns, sums)
    units: int  # validation units it failed in
    detail: str = ""  # an observed value or the error, for checks without failing rows

    def as_row(self) -> str:
        rows = "" if self.rows is None else str(self.rows)
        units = str(self.units) if self.units else ""  # dataset-wide checks have no unit
        detail = self.detail.replace("|", "\\|")  # a pipe would end the table cell
        return f"| `{self.name}` | {self.level} | {rows} | {units} | {detail} |"


def failed_expectations(validation_results: Sequence[Mapping[str, Any]]) -> list[FailedExpectation]:
    """Failed expectations from the GX results of a run's validation units (validation.json)."""
    found: dict[tuple[str, str], FailedExpectation] = {}
    for unit in validation_results:
        for key, level in (("rows", "row"), ("batch", "batch")):
            for result in (unit.get(key) or {}).get("results", []):
                if result.get("success"):
                    continue
                name = result["expectation_config"]["meta"]["name"]
                entry = found.setdefault((level, name), FailedExpectation(name, level, None, 0))
                _add_failure(entry, result)
    # Batch failures first (they stop publishing), then the most frequent row failures.
    return sorted(found.values(), key=lambda f: (f.level != "batch", -(f.rows or 0), f.name))


def _add_failure(entry: FailedExpectation, result: Mapping[str, Any]) -> None:
    entry.units += 1
    outcome = result.get("result") or {}
    error = (result.get("exception_info") or {}).get("exception_message")
    if "unexpected_count" in outcome:
        entry.rows = (entry.rows or 0) + int(outcome["unexpected_count"])
    elif error:
        entry.detail = f"could not be evaluated: {str(error).splitlines()[0][:200]}"
    elif "observed_value" in outcome:
        entry.detail = f"observed {_short(outcome['observed_value'])}"


def _short(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 120 else text[:120] + "…"


def failed_expectations_markdown(failures: Sequence[FailedExpectation]) -> list[str]:
    if not failures:
        return ["## Failed expectations", "", "None: every row and batch expectation passed.", ""]
    return [
        "## Failed expectations",
        "",
        "| expectation | level | rows | units | detail |",
        "| --- | --- | ---: | ---: | --- |",
        *(failure.as_row() for failure in failures),
        "",
    ]


class _Report:
    """What a run's summary and a validation's summary share: where their report goes."""

    run_id: str
    output: str

    @property
    def report_dir(self) -> str:
        return report_location(self.output, self.run_id)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]  # subclasses are dataclasses


@dataclass
class RunSummary(_Report):
    run_id: str
    status: str  # "succeeded" | "failed"
    started_at: str
    finished_at: str
    seconds: float
    pipeline_version: str
    inputs: list[str]
    output: str
    files_found: int
    files_skipped: list[dict[str, str]]
    documents: (
        int  # new documents read this run (a JSONL file holds many): the sum of the next four
    )
    already_processed: (
        int  # documents whose bytes an earlier run processed (not redone, not counted above)
    )
    published: int
    duplicates: int
    quarantined: int
    held_back: int  # documents of a failed run: neither published nor quarantined, redone next run
    quarantine_reasons: dict[str, int]
    boilerplate_removed: dict[str, int]
    records_skipped: dict[
        str, int
    ]  # container records that are not documents (WARC requests, 404s...)
    batch_failures: list[str] = field(default_factory=list)
    published_stats: RowStats = field(default_factory=RowStats)  # of the rows this run published
    failed_expectations: list[FailedExpectation] = field(default_factory=list)
    data_docs: str | None = None  # index.html of the run's Data Docs, or why there is none
    repeated_inputs: int = 0  # documents with the same bytes as another of this run: recorded once
    recovered_commits: list[str] = field(default_factory=list)  # killed runs' commits finished
    # Wall seconds per step, from the run's Stats.seconds, in the order a run meets them: the
    # batches' reading, per-document stages ("extract", "clean", "metadata") and staging, summed
    # over every batch of every worker; each whole-run step (its facts, decision and apply);
    # validation, publishing (staging for the commit and the commit) and the reports
    # (flows/core/figures.py names them).
    stage_seconds: dict[str, float] = field(default_factory=dict)
    duplicates_by_kind: dict[str, int] = field(default_factory=dict)  # exact, near
    # The largest stories the run's articles went into: story_id -> the run's articles in it.
    largest_stories: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        context: RunContext,
        config: RunConfig,
        files: int,
        skipped: Sequence[SkippedInput],
        stats: Stats,
        batch_failures: Sequence[str],
        validation_results: Sequence[Mapping[str, Any]],
        finished_at: datetime,
        recovered_commits: Sequence[str] = (),
    ) -> RunSummary:
        """The summary of a run from its merged Stats (flows/core/figures.py names the figures).

        A run with a unit that broke the data contract published nothing: what it would have
        published is held back, and its published figures are zero.
        """
        ok = not batch_failures
        return cls(
            run_id=context.run_id,
            status="succeeded" if ok else "failed",
            started_at=context.started_at.isoformat(),
            finished_at=finished_at.isoformat(timespec="seconds"),
            seconds=round((finished_at - context.started_at).total_seconds(), 1),
            pipeline_version=context.pipeline_version,
            inputs=list(config.inputs),
            output=config.output,
            files_found=files,
            files_skipped=[{"path": s.source_uri, "reason": s.reason} for s in skipped],
            documents=stats.count(figures.DOCUMENTS) + stats.count(figures.REPEATS_IN_BATCH),
            already_processed=stats.count(figures.ALREADY_PROCESSED),
            published=stats.count(figures.PUBLISHED) if ok else 0,
            duplicates=stats.count(figures.DUPLICATES) if ok else 0,
            duplicates_by_kind=dict(stats.breakdown(figures.DUPLICATE_KINDS)) if ok else {},
            quarantined=(
                stats.count(figures.REJECTED) + stats.count(figures.VALIDATION_QUARANTINED)
                if ok
                else 0
            ),
            held_back=0 if ok else stats.count(figures.DOCUMENTS),
            quarantine_reasons=stats.breakdown(figures.QUARANTINE_REASONS),
            boilerplate_removed=stats.breakdown(figures.BOILERPLATE_REMOVED),
            records_skipped=dict(sorted(stats.breakdown(figures.RECORDS_SKIPPED).items())),
            batch_failures=list(batch_failures),
            published_stats=(
                RowStats.from_stats(stats, figures.PUBLISHED_ROWS) if ok else RowStats()
            ),
            failed_expectations=failed_expectations(validation_results),
            repeated_inputs=stats.count(figures.REPEATED_INPUTS) if ok else 0,
            recovered_commits=list(recovered_commits),
            stage_seconds={step: round(spent, 3) for step, spent in stats.seconds.items()},
            largest_stories=_largest(stats.breakdown(figures.STORY_ARTICLES)) if ok else {},
        )

    def to_markdown(self) -> str:
        lines = [
            f"# newsclean run {self.run_id}: {self.status}",
            "",
            f"- inputs: {', '.join(self.inputs)} ({self.files_found} files, {len(self.files_skipped)} skipped)",
            f"- documents read: {self.documents} new (already in the dataset, not redone: {self.already_processed})",
            f"- published: {self.published} articles, of which {self.duplicates} flagged as duplicates"
            + _by_kind(self.duplicates_by_kind),
            f"- quarantined: {self.quarantined}",
            *(
                [
                    f"- repeated inputs (same bytes as another input, recorded once): {self.repeated_inputs}"
                ]
                if self.repeated_inputs
                else []
            ),
            *(
                [f"- finished the commit of killed runs: {', '.join(self.recovered_commits)}"]
                if self.recovered_commits
                else []
            ),
            *(
                [f"- held back (run failed, nothing published): {self.held_back}"]
                if self.held_back
                else []
            ),
            f"- time: {self.seconds:.1f} s, newsclean {self.pipeline_version}",
            f"- dataset: {_join(self.output, ARTICLES)}",
            "",
        ]
        if self.data_docs:
            lines.insert(-1, f"- Data Docs: {self.data_docs}")
        if self.batch_failures:
            lines += ["## Not published: the batch broke the data contract", ""]
            lines += [f"- {failure}" for failure in self.batch_failures] + [""]
        lines += failed_expectations_markdown(self.failed_expectations)
        lines += _table("Quarantine reasons", "reason", self.quarantine_reasons)
        lines += _table("Boilerplate removed", "kind", self.boilerplate_removed)
        lines += _table("Container records skipped (not documents)", "why", self.records_skipped)
        lines += _table(
            "Largest stories (this run's articles in a story of several)",
            "story_id",
            self.largest_stories,
        )
        lines += self.published_stats.to_markdown("Published rows")
        lines += _seconds_table(self.stage_seconds, self.documents)
        if self.files_skipped:
            lines += ["## Skipped files", "", "| file | why |", "| --- | --- |"]
            lines += [f"| `{s['path']}` | {s['reason']} |" for s in self.files_skipped] + [""]
        return "\n".join(lines)


LARGEST_STORIES = 10


def _largest(sizes: Mapping[str, int]) -> dict[str, int]:
    """The LARGEST_STORIES largest stories, largest first (ties by story_id)."""
    ranked = sorted(sizes.items(), key=lambda item: (-item[1], item[0]))
    return dict(ranked[:LARGEST_STORIES])


def _join(output: str, *parts: str) -> str:
    """A path inside the output, for people: works for a local folder and for a URL."""
    return "/".join([output.rstrip("/"), *parts])


def report_location(output: str, run_id: str) -> str:
    return _join(output, REPORTS_DIR, run_id)


def _table(title: str, key: str, counts: dict[str, int]) -> list[str]:
    if not counts:
        return []
    rows = [f"| {name} | {count} |" for name, count in counts.items()]
    return [f"## {title}", "", f"| {key} | count |", "| --- | ---: |", *rows, ""]


def _seconds_table(seconds: dict[str, float], documents: int) -> list[str]:
    """Time per step: the per-document stages' seconds are summed over every worker."""
    if not seconds:
        return []
    rows = [
        f"| {step} | {spent:.2f} | {1000 * spent / documents:.1f} |"
        if documents
        else f"| {step} | {spent:.2f} | n/a |"
        for step, spent in seconds.items()
    ]
    return [
        "## Time per step",
        "",
        "Reading, the per-document stages and staging are summed over every batch of every"
        " worker; the whole-run steps (facts, decision, apply), validation, publishing and the"
        " reports are the run's own.",
        "",
        "| step | seconds | ms per document |",
        "| --- | ---: | ---: |",
        *rows,
        "",
    ]


@dataclass
class ValidateSummary(_Report):
    """The report of `newsclean validate`: the dataset on disk checked against the suites."""

    run_id: str
    status: str  # "passed" | "failed"
    started_at: str
    finished_at: str
    seconds: float
    pipeline_version: str
    output: str
    files: int
    rows: int
    units: int  # validation units (groups of about 1000 rows, as the pipeline validates)
    rows_failing: int  # rows that failed at least one row expectation
    row_stats: RowStats
    failed_expectations: list[FailedExpectation] = field(default_factory=list)
    data_docs: str | None = None
    kind: str = "validate"

    def to_markdown(self) -> str:
        articles = _join(self.output, ARTICLES)
        lines = [
            f"# newsclean validate {self.run_id}: {self.status}",
            "",
            f"Validate-only run: the Parquet files in `{articles}` were checked against the "
            "expectation suites as they are on disk. The pipeline did not run and nothing in the "
            "dataset changed.",
            "",
            f"- checked: {self.files} files, {self.rows} rows in {self.units} validation units",
            f"- rows failing a row expectation: {self.rows_failing}",
            f"- time: {self.seconds:.1f} s, newsclean {self.pipeline_version}",
            *([f"- Data Docs: {self.data_docs}"] if self.data_docs else []),
            "",
        ]
        lines += failed_expectations_markdown(self.failed_expectations)
        lines += self.row_stats.to_markdown("Rows checked")
        return "\n".join(lines)


def write_reports(
    summary: RunSummary | ValidateSummary,
    validation_results: list[dict[str, Any]],
    output: Storage | str | Path,
    *,
    data_docs: bool = True,
) -> str:
    """reports/<run_id>/ in the output: summary.json, summary.md, validation.json and the Data
    Docs (index.html); reports/latest -> it. Also appended to $GITHUB_STEP_SUMMARY when set.
    Returns where the folder is (a local path, or a URL for remote storage)."""
    storage = output if isinstance(output, Storage) else Storage(output)
    rel = f"{REPORTS_DIR}/{summary.run_id}"
    with storage.local_folder(rel) as folder:
        started = time.perf_counter()
        write_text_atomic(
            json.dumps(validation_results, indent=2, default=str) + "\n", folder / "validation.json"
        )
        if data_docs:
            docs = _write_data_docs(validation_results, folder, summary.run_id)
            index = Path(docs)
            if index.is_absolute() and index.is_relative_to(folder):  # else it says why not
                docs = storage.url(f"{rel}/{index.relative_to(folder).as_posix()}")
            summary.data_docs = docs
        # The summary is written last, so it can say what the reports before it cost.
        if isinstance(summary, RunSummary):
            spent = (
                time.perf_counter()
                - started
                + summary.stage_seconds.get(figures.REPORTS_SECONDS, 0.0)
            )
            summary.stage_seconds[figures.REPORTS_SECONDS] = round(spent, 3)
        write_text_atomic(json.dumps(summary.as_dict(), indent=2) + "\n", folder / "summary.json")
        write_text_atomic(summary.to_markdown() + "\n", folder / "summary.md")
    _point_latest(storage, summary.run_id)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as stream:
            stream.write(summary.to_markdown() + "\n")
    return storage.url(rel)


def _write_data_docs(validation_results: list[dict[str, Any]], folder: Path, run_id: str) -> str:
    """Render the Data Docs; return index.html's path, or why there is none.

    A rendering failure is reported in the summary rather than raised: the summary and the raw
    results must still be written, above all for a run that failed.
    """
    if not validation_results:
        return "none (no rows were validated)"
    from flows.quality.validate import write_data_docs  # imports Great Expectations: seconds

    try:
        return str(write_data_docs(validation_results, folder, run_name=run_id))
    except Exception as error:  # GX raises many types while rendering
        log.warning("Data Docs not written: %s", error, exc_info=True)
        return f"not written ({type(error).__name__}: {str(error).splitlines()[0][:200]})"


def latest_report(output: Storage | str | Path) -> str | None:
    """The newest report folder of a dataset (relative to it), or None when it has none."""
    storage = output if isinstance(output, Storage) else Storage(output)
    if storage.is_local and storage.is_dir(f"{REPORTS_DIR}/latest"):
        return f"{REPORTS_DIR}/latest"
    pointer = f"{REPORTS_DIR}/LATEST"  # written where symlinks are not available
    if storage.exists(pointer):
        folder = f"{REPORTS_DIR}/{storage.read_text(pointer).strip()}"
        return folder if storage.is_dir(folder) else None
    return None


def _point_latest(storage: Storage, run_id: str) -> None:
    if storage.is_local:
        reports = storage.local_path(REPORTS_DIR)
        latest = reports / "latest"
        temporary = reports / ".latest.tmp"
        temporary.unlink(missing_ok=True)
        try:
            temporary.symlink_to(run_id, target_is_directory=True)
            os.replace(temporary, latest)
            return
        except OSError:  # no symlinks (some file systems): a text file names the run instead
            pass
    storage.write_text(f"{REPORTS_DIR}/LATEST", run_id + "\n")


def terminal_summary(summary: dict[str, Any]) -> str:
    """The one-screen summary the command line prints at the end of a run."""
    lines = [
        f"newsclean run {summary['run_id']} {summary['status']} in {summary['seconds']:.1f} s",
        f"  inputs read        {summary['files_found']} files, {summary['documents']} documents"
        + (
            f" ({summary['already_processed']} already in the dataset)"
            if summary["already_processed"]
            else ""
        ),
        f"  published          {summary['published']} articles ({summary['duplicates']} flagged as duplicates{_by_kind(summary.get('duplicates_by_kind') or {}, sep='; ')})",
        f"  quarantined        {summary['quarantined']}",
    ]
    if summary.get("repeated_inputs"):
        lines.append(
            f"  repeated inputs    {summary['repeated_inputs']} (same bytes as another input: recorded once)"
        )
    if summary.get("recovered_commits"):
        lines.append(
            f"  recovered          finished the commit of killed run(s) {', '.join(summary['recovered_commits'])}"
        )
    if summary["held_back"]:
        lines.append(
            f"  held back          {summary['held_back']} (the run failed: nothing was published)"
        )
    lines += [
        f"    {reason:<24} {count}" for reason, count in summary["quarantine_reasons"].items()
    ]
    if summary.get("records_skipped"):
        records = ", ".join(f"{k} {v}" for k, v in summary["records_skipped"].items())
        lines.append(f"  records skipped    {records}")
    skipped = summary["files_skipped"]
    lines.append(f"  skipped            {len(skipped)} files (unsupported type)")
    lines += [f"    {s['path']}: {s['reason']}" for s in skipped[:10]]
    if len(skipped) > 10:
        lines.append(f"    ... and {len(skipped) - 10} more (see the report)")
    if summary["boilerplate_removed"]:
        kinds = ", ".join(f"{k} {v}" for k, v in summary["boilerplate_removed"].items())
        lines.append(f"  boilerplate spans  {kinds}")
    for failure in summary["batch_failures"]:
        lines.append(f"  NOT PUBLISHED      {failure}")
    out = summary["output"]
    lines.append(f"  dataset            {_join(out, ARTICLES)}")
    lines.append(f"  quarantine         {_join(out, 'quarantine')}")
    lines.append(f"  inputs state       {_join(out, 'inputs')}")
    lines.append(f"  report             {_join(out, REPORTS_DIR, summary['run_id'], 'summary.md')}")
    return "\n".join(lines)


def _by_kind(kinds: Mapping[str, int], sep: str = " (") -> str:
    """ "exact 2, near 1" after the duplicates' count; nothing when there are none."""
    if not kinds:
        return ""
    text = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    return f"{sep}{text}" + (")" if sep == " (" else "")
