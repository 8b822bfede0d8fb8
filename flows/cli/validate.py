"""`newsclean validate [DIR]`: check the dataset on disk against the suites, without a pipeline run.

The Parquet files are validated in units of about 1000 rows, as the pipeline validates before
publishing, so memory holds one unit at a time. Great Expectations is imported only when the
command runs (it takes seconds).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows import __version__
from flows.cli.exits import EXIT_FAILED, EXIT_OK, UsageError
from flows.core.layout import ARTICLES, INPUTS, new_run_id
from flows.core.rows import ARTICLE
from flows.core.settings import (
    DEFAULT_OUTPUT,
    VALIDATION_UNIT_ROWS,
    check_languages,
    language_codes,
)
from flows.core.stats import Stats

if TYPE_CHECKING:
    import pyarrow as pa

    from flows.core.storage import Storage
    from flows.quality.report import FailedExpectation, ValidateSummary
    from flows.quality.validate import ValidationSettings


def add_parser(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "validate",
        help="check an existing dataset against the expectation suites (no pipeline run)",
        description=(
            "Validate the Parquet dataset in DIR/articles against the expectation suites as it is "
            "on disk, without re-running the pipeline, and write a report (Data Docs, "
            "validation.json, summary.md) into DIR/reports/<id>/. Nothing in the dataset changes."
        ),
        epilog="Exit codes: 0 every expectation passed, 1 an expectation failed, 2 usage error.",
    )
    command.add_argument(
        "directory",
        nargs="?",
        default=DEFAULT_OUTPUT,
        metavar="DIR",
        help=f"the dataset folder, as given to 'run --output' (default: {DEFAULT_OUTPUT})",
    )
    command.add_argument(
        "--languages",
        type=lambda value: tuple(language_codes(value)),
        default=(),
        metavar="CODES",
        help="comma-separated ISO 639-1 codes the rows must be in (default: every language)",
    )
    command.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    # Imported here, not at the top: pyarrow, pandas and GX would slow `newsclean --help`.
    from flows.core.storage import Storage

    languages = check_languages(args.languages)  # usage errors first: instant, before GX
    storage = Storage(args.directory)
    files = dataset_files(storage)
    from flows.quality.validate import ValidationSettings  # GX: seconds, only now

    summary = validate_dataset(storage, files, ValidationSettings(languages=languages))
    print(terminal_summary(summary))
    return EXIT_OK if summary.status == "passed" else EXIT_FAILED


def dataset_files(storage: Storage) -> list[str]:
    """The dataset's article files (relative to DIR); a UsageError when DIR holds no dataset."""
    if not storage.is_dir():
        raise UsageError(f"{storage.location}: no such folder")
    files = storage.parquet_files(ARTICLES)
    if not files:
        raise UsageError(
            f"{storage.location} is not a newsclean dataset: no Parquet files in "
            f"{storage.url('articles')}"
        )
    return files


ROW_STATS = "checked"  # the checked rows' statistics in _Checked.stats


@dataclass
class _Checked:
    """What validation found, accumulated unit by unit."""

    results: list[dict[str, Any]] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)  # the rows' statistics (RowStats)
    rows: int = 0
    rows_failing: int = 0
    unreadable: list[str] = field(default_factory=list)


def validate_dataset(
    output: Storage | str | Path,
    files: Sequence[str],
    settings: ValidationSettings,
    *,
    unit_rows: int = VALIDATION_UNIT_ROWS,
) -> ValidateSummary:
    """Validate every article file, write the report, and return its summary."""
    # Imported here, not at the top: pyarrow, pandas and GX would slow `newsclean --help`.
    from flows.core.storage import Storage
    from flows.quality.report import (
        STATS_COLUMNS,
        RowStats,
        ValidateSummary,
        failed_expectations,
        observe_rows,
        write_reports,
    )
    from flows.quality.validate import frame_for_validation, load_suites, validate_articles

    storage = output if isinstance(output, Storage) else Storage(output)
    started = datetime.now(UTC).replace(microsecond=0)
    clock = time.monotonic()
    suites = load_suites()
    known_ids, duplicate_ids = _dataset_ids(storage, files)
    checked = _Checked()
    for table in _units(storage, files, unit_rows, checked.unreadable):
        outcome = validate_articles(
            frame_for_validation(table),
            now=started,
            settings=settings,
            suites=suites,
            known_ids=known_ids,
        )
        checked.results.append(outcome.results)
        checked.rows += table.num_rows
        checked.rows_failing += len(outcome.row_failures)
        if set(STATS_COLUMNS) <= set(table.column_names):  # else the batch suite reports drift
            observe_rows(checked.stats, table, ROW_STATS)
    failures = _dataset_failures(duplicate_ids, checked.unreadable)
    failures += _ledger_failures(storage, known_ids)
    failures += _duplicate_failures(storage, files)
    failures += failed_expectations(checked.results)
    summary = ValidateSummary(
        run_id=new_run_id(started, "validate"),
        status="failed" if failures else "passed",
        started_at=started.isoformat(),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=round(time.monotonic() - clock, 1),
        pipeline_version=__version__,
        output=storage.location,
        files=len(files),
        rows=checked.rows,
        units=len(checked.results),
        rows_failing=checked.rows_failing,
        row_stats=RowStats.from_stats(checked.stats, ROW_STATS),
        failed_expectations=failures,
    )
    write_reports(summary, checked.results, storage)
    return summary


def _dataset_ids(storage: Storage, files: Sequence[str]) -> tuple[set[str], int]:
    """Every article_id in the dataset (duplicate_of may name any), and how many repeat one."""
    ids: set[str] = set()
    rows = 0
    for path in files:
        try:
            column = storage.read_table(path, columns=["article_id"])["article_id"]
        except Exception:  # unreadable, or no article_id: _units reports the file
            continue
        ids.update(value for value in column.to_pylist() if value is not None)
        rows += len(column) - column.null_count
    return ids, rows - len(ids)


def _units(
    storage: Storage, files: Sequence[str], unit_rows: int, unreadable: list[str]
) -> Iterator[pa.Table]:
    """The files' rows as tables of about unit_rows rows, in file order.

    Files are read as they are (not cast to the declared schema), so a file whose columns or
    types drift is caught by the batch suite instead of failing to load. A unit never mixes
    files of different schemas.
    """
    # Imported here: pyarrow: imported when the command runs, see handle.
    import pyarrow as pa

    pending: list[pa.RecordBatch] = []
    rows = 0
    for path in files:
        try:
            # Read as written (no schema imposed), then cut into record batches.
            batches = storage.read_table(path).to_batches(max_chunksize=unit_rows)
        except (OSError, pa.ArrowException) as error:
            unreadable.append(f"{path.rsplit('/', 1)[-1]}: {str(error).splitlines()[0][:200]}")
            continue
        for batch in batches:
            if pending and not batch.schema.equals(pending[0].schema, check_metadata=False):
                yield pa.Table.from_batches(pending)
                pending, rows = [], 0
            pending.append(batch)
            rows += batch.num_rows
            if rows >= unit_rows:
                yield pa.Table.from_batches(pending)
                pending, rows = [], 0
    if pending:
        yield pa.Table.from_batches(pending)


def _ledger_failures(storage: Storage, article_ids: set[str]) -> list[FailedExpectation]:
    """The processed-input state (inputs/) and the articles must tell the same story: every
    article came from a recorded input, and every input recorded as an article is published.
    A dataset without inputs/ (written before it existed) is not checked."""
    from flows.quality.report import FailedExpectation  # pyarrow and numpy: see handle

    ledger = storage.read_columns(INPUTS, ["record_id", "outcome"])
    if ledger is None:
        return []
    recorded = {
        record_id
        for record_id, outcome in zip(
            ledger["record_id"].to_pylist(), ledger["outcome"].to_pylist(), strict=True
        )
        if outcome == ARTICLE
    }
    failures = []
    if unrecorded := article_ids - recorded:
        detail = "e.g. " + ", ".join(sorted(unrecorded)[:3])
        failures.append(
            FailedExpectation("articles_recorded_in_inputs", "dataset", len(unrecorded), 0, detail)
        )
    if missing := recorded - article_ids:
        detail = "e.g. " + ", ".join(sorted(missing)[:3])
        failures.append(
            FailedExpectation("recorded_articles_published", "dataset", len(missing), 0, detail)
        )
    return failures


DUPLICATE_COLUMNS = ["article_id", "duplicate_of", "duplicate_kind", "duplicate_similarity"]


def _duplicate_failures(storage: Storage, files: Sequence[str]) -> list[FailedExpectation]:
    """Duplicate links over the whole dataset: a canonical copy (a row some duplicate_of names)
    is never itself a duplicate, and a row has a kind and a similarity exactly when it has a
    duplicate_of (exact ones with similarity 1). Files without these columns are the batch
    suite's to report."""
    from flows.quality.report import FailedExpectation  # pyarrow and numpy: see handle

    linked: dict[str, str | None] = {}  # article_id -> its duplicate_of
    inconsistent: list[str] = []
    for path in files:
        try:
            columns = storage.read_table(path, columns=DUPLICATE_COLUMNS).to_pydict()
        except Exception:  # unreadable, or written without the columns: reported elsewhere
            continue
        for article_id, target, kind, similarity in zip(
            *(columns[name] for name in DUPLICATE_COLUMNS), strict=True
        ):
            linked[article_id] = target
            flagged = (target is not None, kind is not None, similarity is not None)
            if len(set(flagged)) > 1 or (kind == "exact" and similarity != 1.0):
                inconsistent.append(article_id)
    chained = sorted(
        article_id
        for article_id, target in linked.items()
        if target is not None and linked.get(target) is not None
    )
    failures = []
    if chained:
        detail = "e.g. " + ", ".join(chained[:3]) + " names a row that is a duplicate itself"
        failures.append(
            FailedExpectation("canonical_copy_not_a_duplicate", "dataset", len(chained), 0, detail)
        )
    if inconsistent:
        detail = "e.g. " + ", ".join(sorted(inconsistent)[:3])
        failures.append(
            FailedExpectation("duplicate_kind_consistent", "dataset", len(inconsistent), 0, detail)
        )
    return failures


def _dataset_failures(duplicate_ids: int, unreadable: list[str]) -> list[FailedExpectation]:
    """Checks over the whole dataset, beyond what one validation unit can see."""
    from flows.quality.report import FailedExpectation  # pyarrow and numpy: see handle

    failures = []
    if unreadable:
        detail = "; ".join(unreadable[:3]) + (" ..." if len(unreadable) > 3 else "")
        failures.append(FailedExpectation("files_readable", "dataset", None, 0, detail))
    if duplicate_ids:
        failures.append(
            FailedExpectation("article_id_unique_in_dataset", "dataset", duplicate_ids, 0)
        )
    return failures


def terminal_summary(summary: ValidateSummary) -> str:
    folder = summary.report_dir
    lines = [
        f"newsclean validate {summary.run_id} {summary.status}: {summary.rows} rows in "
        f"{summary.files} files checked in {summary.seconds:.1f} s",
    ]
    for failure in summary.failed_expectations:
        rows = f", {failure.rows} rows" if failure.rows is not None else ""
        detail = f": {failure.detail}" if failure.detail else ""
        lines.append(f"  FAILED             {failure.name} ({failure.level}{rows}){detail}")
    lines.append(f"  report             {folder}/summary.md")
    lines.append(f"  data docs          {summary.data_docs}")
    return "\n".join(lines)
