"""The run summary: counts that add up, written as JSON and Markdown, and printed on one screen."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flows.batch import BatchResult
from flows.process import RunContext
from flows.publish import PublishResult
from flows.records import SkippedInput
from flows.settings import RunConfig
from flows.write import write_text_atomic

REPORTS_DIR = "reports"


@dataclass
class RunSummary:
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
    documents: int  # documents read this run (a JSONL file holds many)
    already_processed: int  # documents whose id the dataset already holds (not redone)
    published: int
    duplicates: int
    quarantined: int
    held_back: int  # documents of a failed run: neither published nor quarantined, redone next run
    quarantine_reasons: dict[str, int]
    boilerplate_removed: dict[str, int]
    batch_failures: list[str] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        *,
        context: RunContext,
        config: RunConfig,
        files: int,
        skipped: Sequence[SkippedInput],
        batches: Sequence[BatchResult],
        published: PublishResult,
        boilerplate: Counter[str],
        finished_at: datetime,
    ) -> RunSummary:
        reasons: Counter[str] = Counter()
        for batch in batches:
            reasons.update(batch.rejection_reasons)
        reasons.update(published.quarantine_reasons)
        ingest_rejected = sum(batch.rejected for batch in batches)
        return cls(
            run_id=context.run_id,
            status="succeeded" if published.ok else "failed",
            started_at=context.started_at.isoformat(),
            finished_at=finished_at.isoformat(timespec="seconds"),
            seconds=round((finished_at - context.started_at).total_seconds(), 1),
            pipeline_version=context.pipeline_version,
            inputs=list(config.inputs),
            output=config.output,
            files_found=files,
            files_skipped=[{"path": s.source_uri, "reason": s.reason} for s in skipped],
            documents=sum(batch.documents for batch in batches),
            already_processed=sum(batch.already_processed for batch in batches),
            published=published.published if published.ok else 0,
            duplicates=published.duplicates if published.ok else 0,
            quarantined=(ingest_rejected + published.quarantined) if published.ok else 0,
            held_back=0 if published.ok else sum(batch.documents for batch in batches),
            quarantine_reasons=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
            boilerplate_removed=dict(sorted(boilerplate.items(), key=lambda kv: (-kv[1], kv[0]))),
            batch_failures=list(published.batch_failures),
        )

    @property
    def report_dir(self) -> Path:
        return Path(self.output) / REPORTS_DIR / self.run_id

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_markdown(self) -> str:
        lines = [
            f"# newsclean run {self.run_id}: {self.status}",
            "",
            f"- inputs: {', '.join(self.inputs)} ({self.files_found} files, {len(self.files_skipped)} skipped)",
            f"- documents read: {self.documents} (already in the dataset, not redone: {self.already_processed})",
            f"- published: {self.published} articles, of which {self.duplicates} flagged as duplicates",
            f"- quarantined: {self.quarantined}",
            *(
                [f"- held back (run failed, nothing published): {self.held_back}"]
                if self.held_back
                else []
            ),
            f"- time: {self.seconds:.1f} s, newsclean {self.pipeline_version}",
            f"- dataset: {Path(self.output) / 'articles'}",
            "",
        ]
        if self.batch_failures:
            lines += ["## Not published: the batch broke the data contract", ""]
            lines += [f"- {failure}" for failure in self.batch_failures] + [""]
        lines += _table("Quarantine reasons", "reason", self.quarantine_reasons)
        lines += _table("Boilerplate removed", "kind", self.boilerplate_removed)
        if self.files_skipped:
            lines += ["## Skipped files", "", "| file | why |", "| --- | --- |"]
            lines += [f"| `{s['path']}` | {s['reason']} |" for s in self.files_skipped] + [""]
        return "\n".join(lines)


def _table(title: str, key: str, counts: dict[str, int]) -> list[str]:
    if not counts:
        return []
    rows = [f"| {name} | {count} |" for name, count in counts.items()]
    return [f"## {title}", "", f"| {key} | count |", "| --- | ---: |", *rows, ""]


def write_reports(
    summary: RunSummary, validation_results: list[dict[str, Any]], output: Path
) -> Path:
    """output/reports/<run_id>/{summary.json,summary.md,validation.json}; reports/latest -> it."""
    folder = summary.report_dir
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(json.dumps(summary.as_dict(), indent=2) + "\n", folder / "summary.json")
    write_text_atomic(summary.to_markdown() + "\n", folder / "summary.md")
    write_text_atomic(
        json.dumps(validation_results, indent=2, default=str) + "\n", folder / "validation.json"
    )
    _point_latest(output / REPORTS_DIR, summary.run_id)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as stream:
            stream.write(summary.to_markdown() + "\n")
    return folder


def _point_latest(reports: Path, run_id: str) -> None:
    latest = reports / "latest"
    temporary = reports / ".latest.tmp"
    temporary.unlink(missing_ok=True)
    try:
        temporary.symlink_to(run_id, target_is_directory=True)
        os.replace(temporary, latest)
    except OSError:  # no symlinks (some file systems): a text file names the run instead
        write_text_atomic(run_id + "\n", reports / "LATEST")


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
        f"  published          {summary['published']} articles ({summary['duplicates']} flagged as duplicates)",
        f"  quarantined        {summary['quarantined']}",
    ]
    if summary["held_back"]:
        lines.append(
            f"  held back          {summary['held_back']} (the run failed: nothing was published)"
        )
    lines += [
        f"    {reason:<24} {count}" for reason, count in summary["quarantine_reasons"].items()
    ]
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
    out = Path(summary["output"])
    lines.append(f"  dataset            {out / 'articles'}")
    lines.append(f"  quarantine         {out / 'quarantine'}")
    lines.append(f"  report             {out / REPORTS_DIR / summary['run_id'] / 'summary.md'}")
    return "\n".join(lines)
